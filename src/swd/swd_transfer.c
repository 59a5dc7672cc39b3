/*
 * swd_transfer.c - register transfers with WAIT handling, and bringing the link up: connect and resync.
 */
#include "swd.h"
#include "swd_bits.h"

/* Enough high cycles to outlast the longest stretch a target may still be driving after a garbled ACK (3 ACK bits,
 * 32 data bits, parity), so that the line reset that follows is seen in full. */
#define SWD_RESYNC_EXTRA_HIGH_CYCLES 40

/* DPIDR bit 0 is always 1; a value without it did not come from a debug port. */
#define SWD_DPIDR_RAO 0x1u

void swd_init(struct swd *swd, const struct hal_swd *pins, const struct hal_system *system,
              struct status_report *report)
{
    *swd = (struct swd){
        .pins = pins,
        .system = system,
        .report = report,
        .idle_cycles = AIRSWD_SWD_DEFAULT_IDLE_CYCLES,
        .wait_timeout_ms = AIRSWD_SWD_WAIT_TIMEOUT_MS,
        .connect_timeout_ms = AIRSWD_SWD_CONNECT_TIMEOUT_MS,
    };
}

uint32_t swd_set_clock_hz(struct swd *swd, uint32_t hz)
{
    return swd->pins->set_clock_hz ? swd->pins->set_clock_hz(swd->pins->ctx, hz) : 0;
}

static const char *swd_register_name(enum swd_port port, bool read, uint8_t addr)
{
    static const char *const dp_read_names[4] = {"DPIDR", "CTRL/STAT", "RESEND", "RDBUFF"};
    static const char *const dp_write_names[4] = {"ABORT", "CTRL/STAT", "SELECT", "TARGETSEL"};
    static const char *const ap_names[4] = {"AP register 0x0", "AP register 0x4", "AP register 0x8",
                                            "AP register 0xC"};
    unsigned index = (addr >> 2) & 3u;
    if (port == SWD_AP)
        return ap_names[index];
    return read ? dp_read_names[index] : dp_write_names[index];
}

static uint64_t swd_elapsed_ms(const struct swd *swd, uint64_t start_us)
{
    return (swd->system->now_us(swd->system->ctx) - start_us) / 1000u;
}

static enum status swd_transfer(struct swd *swd, enum swd_port port, bool read, uint8_t addr, uint32_t *data)
{
    uint8_t request = swd_request(port, read, addr);
    const char *what = read ? "read" : "write";
    uint64_t wait_start_us = 0;
    bool waiting = false;

    for (;;) {
        unsigned result = swd_packet(swd, request, data);
        switch (result & 0x7u) {
        case HAL_SWD_ACK_OK:
            if (result & HAL_SWD_PARITY_ERROR)
                return status_fail(swd->report, STATUS_PARITY_ERROR, "%s %s: bad parity in data 0x%08lX", what,
                                   swd_register_name(port, read, addr), (unsigned long)*data);
            return STATUS_OK;
        case HAL_SWD_ACK_WAIT:
            break;
        case HAL_SWD_ACK_FAULT:
            return status_fail(swd->report, STATUS_FAULT, "%s %s answered FAULT", what,
                               swd_register_name(port, read, addr));
        case HAL_SWD_ACK_NONE:
            return status_fail(swd->report, STATUS_NO_RESPONSE, "%s %s: no acknowledge", what,
                               swd_register_name(port, read, addr));
        default:
            return status_fail(swd->report, STATUS_PROTOCOL_ERROR, "%s %s: invalid acknowledge 0b%u%u%u", what,
                               swd_register_name(port, read, addr), (result >> 2) & 1u, (result >> 1) & 1u,
                               result & 1u);
        }

        /* WAIT: the target's bus is busy with the previous access; the identical packet is repeated. */
        if (!waiting) {
            waiting = true;
            wait_start_us = swd->system->now_us(swd->system->ctx);
        } else if (swd_elapsed_ms(swd, wait_start_us) >= swd->wait_timeout_ms) {
            return status_fail(swd->report, STATUS_WAIT_TIMEOUT, "%s %s: WAIT for %lu ms", what,
                               swd_register_name(port, read, addr), (unsigned long)swd->wait_timeout_ms);
        }
        if (swd->system->yield(swd->system->ctx))
            return status_fail(swd->report, STATUS_CANCELLED, "%s %s", what, swd_register_name(port, read, addr));
    }
}

enum status swd_read(struct swd *swd, enum swd_port port, uint8_t addr, uint32_t *value)
{
    *value = 0;
    return swd_transfer(swd, port, true, addr, value);
}

enum status swd_write(struct swd *swd, enum swd_port port, uint8_t addr, uint32_t value)
{
    return swd_transfer(swd, port, false, addr, &value);
}

/* One DPIDR read after a selection sequence; the status of the attempt. */
static enum status swd_read_dpidr(struct swd *swd, uint32_t *dpidr)
{
    enum status status = swd_read(swd, SWD_DP, 0x0, dpidr);
    if (status == STATUS_OK && !(*dpidr & SWD_DPIDR_RAO))
        return status_fail(swd->report, STATUS_PROTOCOL_ERROR, "DPIDR read 0x%08lX, which is not a DPIDR",
                           (unsigned long)*dpidr);
    return status;
}

enum status swd_connect(struct swd *swd, uint32_t *dpidr)
{
    uint64_t start_us = swd->system->now_us(swd->system->ctx);
    unsigned attempts = 0;
    enum status worst = STATUS_NO_RESPONSE;

    do {
        if (attempts % 2 == 0)
            swd_jtag_to_swd(swd);
        else
            swd_dormant_to_swd(swd);
        attempts++;
        enum status status = swd_read_dpidr(swd, dpidr);
        if (status == STATUS_OK)
            return STATUS_OK;
        /* A garbled answer says more about the wiring than silence does: report it if it ever happened. */
        if (status != STATUS_NO_RESPONSE)
            worst = status;
        if (swd->system->yield(swd->system->ctx))
            return status_fail(swd->report, STATUS_CANCELLED, "connecting");
    } while (swd_elapsed_ms(swd, start_us) < swd->connect_timeout_ms);

    if (worst == STATUS_NO_RESPONSE)
        return status_fail(swd->report, STATUS_NO_RESPONSE,
                           "no answer to a DPIDR read after %u attempts in %lu ms (JTAG-to-SWD, dormant wake-up)",
                           attempts, (unsigned long)swd->connect_timeout_ms);
    return status_fail(swd->report, worst, "only garbled answers to a DPIDR read after %u attempts in %lu ms",
                       attempts, (unsigned long)swd->connect_timeout_ms);
}

enum status swd_resync(struct swd *swd)
{
    uint32_t dpidr;
    swd->pins->set_swdio_output(swd->pins->ctx, true);
    swd_bits_repeat(swd->pins, true, SWD_RESYNC_EXTRA_HIGH_CYCLES);
    swd_line_reset(swd);
    if (swd_read_dpidr(swd, &dpidr) == STATUS_OK)
        return STATUS_OK;
    /* Noise can also have taken the port out of SWD mode: select it again from scratch. */
    return swd_connect(swd, &dpidr);
}
