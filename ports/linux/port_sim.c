/*
 * port_sim.c - the HAL bound to a simulated STM32.
 */
#include "port_sim.h"

#include "port_host.h"
#include "swd/swd.h"

#define PS_PER_US 1000000u

static void port_sim_set_swdio_output(void *ctx, bool drive)
{
    struct port_sim *port = ctx;
    port->swdio_output = drive;
}

static void port_sim_write_bit(void *ctx, bool bit)
{
    struct port_sim *port = ctx;
    sim_target_swd_cycle(port->target, port->swdio_output, bit);
}

static bool port_sim_read_bit(void *ctx)
{
    struct port_sim *port = ctx;
    bool level = sim_target_swdio(port->target);
    sim_target_swd_cycle(port->target, port->swdio_output, true);
    return level;
}

/* Clocks count bits in (drive=false) or out, LSB first, calling the simulator directly. */
static uint32_t port_sim_clock_bits(struct sim_target *target, bool drive, uint32_t out, unsigned count)
{
    uint32_t in = 0;
    for (unsigned i = 0; i < count; i++) {
        if (sim_target_swdio(target))
            in |= 1u << i;
        sim_target_swd_cycle(target, drive, (out >> i) & 1u);
    }
    return in;
}

/* The packet of hal.h's transfer contract, clocked without a call through the HAL per bit. */
static unsigned port_sim_transfer(void *ctx, uint8_t request, uint32_t *data)
{
    struct port_sim *port = ctx;
    struct sim_target *target = port->target;
    bool read = (request & SWD_REQUEST_RNW) != 0;

    port_sim_clock_bits(target, true, request, 8);
    unsigned ack = port_sim_clock_bits(target, false, 0, 4) >> 1; /* turnaround, then 3 ACK bits */
    if (ack == HAL_SWD_ACK_OK && read) {
        uint32_t value = port_sim_clock_bits(target, false, 0, 32);
        bool parity = port_sim_clock_bits(target, false, 0, 2) & 1u; /* parity, turnaround */
        *data = value;
        port->swdio_output = true;
        return parity == swd_parity32(value) ? ack : ack | HAL_SWD_PARITY_ERROR;
    }
    port_sim_clock_bits(target, false, 0, 1); /* turnaround */
    port->swdio_output = true;
    if (ack == HAL_SWD_ACK_OK) {
        port_sim_clock_bits(target, true, *data, 32);
        port_sim_clock_bits(target, true, swd_parity32(*data), 1);
    }
    return ack;
}

static uint32_t port_sim_set_clock_hz(void *ctx, uint32_t hz)
{
    struct port_sim *port = ctx;
    sim_target_set_swclk_hz(port->target, hz);
    return sim_target_swclk_hz(port->target);
}

static uint64_t port_sim_now_us(void *ctx)
{
    struct port_sim *port = ctx;
    return sim_target_now_ps(port->target) / PS_PER_US;
}

static void port_sim_delay_us(void *ctx, uint32_t us)
{
    struct port_sim *port = ctx;
    sim_target_idle(port->target, (uint64_t)us * PS_PER_US);
}

static void port_sim_set_nrst(void *ctx, bool asserted)
{
    struct port_sim *port = ctx;
    sim_target_set_nrst(port->target, asserted);
}

/* One SWCLK period of nothing on a cut wire. */
static void port_sim_idle_cycle(struct port_sim *port)
{
    sim_target_idle(port->target, PS_PER_US * 1000000ull / sim_target_swclk_hz(port->target));
}

static void port_sim_cut_write_bit(void *ctx, bool bit)
{
    (void)bit;
    port_sim_idle_cycle(ctx);
}

static bool port_sim_cut_read_bit(void *ctx)
{
    port_sim_idle_cycle(ctx);
    return true;
}

void port_sim_cut_swd(struct port_sim *port)
{
    port->swd.write_bit = port_sim_cut_write_bit;
    port->swd.read_bit = port_sim_cut_read_bit;
    port->swd.transfer = NULL;
}

static void port_sim_set_boot0(void *ctx, bool high)
{
    struct port_sim *port = ctx;
    sim_stm32_set_boot0(port->chip, high);
}

void port_sim_wire_boot0(struct port_sim *port, struct sim_stm32 *chip)
{
    port->chip = chip;
    port->pins.set_boot0 = port_sim_set_boot0;
}

void port_sim_init(struct port_sim *port, struct sim_target *target, bool whole_packet)
{
    *port = (struct port_sim){.target = target, .swdio_output = true};
    port->swd = (struct hal_swd){
        .ctx = port,
        .set_swdio_output = port_sim_set_swdio_output,
        .write_bit = port_sim_write_bit,
        .read_bit = port_sim_read_bit,
        .transfer = whole_packet ? port_sim_transfer : NULL,
        .set_clock_hz = port_sim_set_clock_hz,
    };
    port->system = (struct hal_system){
        .ctx = port,
        .now_us = port_sim_now_us,
        .delay_us = port_sim_delay_us,
        .yield = port_host_yield,
        .random = port_host_random,
        .log = port_host_log,
    };
    port->pins = (struct hal_target_pins){.ctx = port, .set_nrst = port_sim_set_nrst};
}
