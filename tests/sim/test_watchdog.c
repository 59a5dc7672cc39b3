/*
 * test_watchdog.c - a flash job on a part whose independent watchdog runs from reset (the hardware watchdog option,
 * as products in the field set it) and whose firmware refreshes it: the job freezes the IWDG while it holds the core
 * halted, so the chip is not reset in the middle of programming. On F0 and G0 the DBGMCU's
 * freeze bits take writes only with its clock on in the RCC; the simulated chip models that gate, and the controls
 * below show the watchdog does reset a halted chip that is not frozen, and a freeze written without the clock.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "job/job.h"
#include "example_firmware.h"
#include "memory_job_file.h"
#include "sim_session.h"
#include "test_skip.h"

#define IMAGE_BYTES (64u * 1024u)
#define MS_PS 1000000000ull
#define DHCSR 0xE000EDF0u
#define DHCSR_HALT 0xA05F0003u
#define DHCSR_RUN 0xA05F0001u
#define DBGMCU_APB_FZ1 0x40015808u
#define DBG_IWDG_STOP (1u << 12)

struct chip_log {
    unsigned watchdog_resets;
    unsigned hellos; /* lines the firmware printed */
};

static void count_reset(void *ctx, const char *cause, bool into_bootloader, uint64_t at_ps)
{
    struct chip_log *log = ctx;
    (void)into_bootloader;
    (void)at_ps;
    if (strcmp(cause, "IWDG") == 0)
        log->watchdog_resets++;
}

static void count_lines(void *ctx, unsigned usart, uint8_t byte, uint64_t at_ps)
{
    struct chip_log *log = ctx;
    (void)usart;
    (void)at_ps;
    if (byte == '\n')
        log->hellos++;
}

static enum status run_job(struct sim_session *session, struct memory_job_file *file, enum image_format format,
                           bool reset_after, struct job *job)
{
    const struct job_link link = {.swd = &session->port.swd, .system = &session->port.system,
                                  .pins = &session->port.pins};
    const struct job_file job_file = memory_job_file(file);
    const struct job_options options = {.format = format, .verify = true, .reset_after = reset_after};
    job_init(job, &link, &job_file, &options, &session->report);
    return job_run(job);
}

/* The user option that makes the IWDG a hardware watchdog, running from every reset (F0/F3 USER.WDG_SW, bit 0 of the
 * halfword at 0x1FFFF802; G0/G4 OPTR.IWDG_SW, bit 16), loaded by a power cycle. The job's own reset then does not stop
 * it, as it stops a watchdog the firmware started. */
static void select_hardware_watchdog(struct sim_stm32 *stm32)
{
    uint8_t *options = sim_flash_options(stm32->flash);
    if (stm32->part->family == SIM_FAMILY_F0 || stm32->part->family == SIM_FAMILY_F3) {
        options[2] &= (uint8_t)~1u;
        options[3] = (uint8_t)~options[2];
    } else {
        options[2] &= (uint8_t)~1u; /* OPTR bits 23:16 */
        options[6] = (uint8_t)~options[2];
    }
    sim_stm32_power_on_reset(stm32);
    assert_true(sim_flash_hardware_watchdog(stm32->flash));
}

/* The part runs the watchdog firmware, which refreshes the IWDG every millisecond. */
static void start_watchdog_firmware(struct sim_session *session, const char *part, const char *family,
                                    struct chip_log *log, struct job *job)
{
    static uint8_t bytes[IMAGE_BYTES];
    struct memory_job_file firmware = {.bytes = bytes};
    firmware.size = (uint32_t)example_program_load("watchdog", family, "elf", bytes, sizeof bytes);
    if (firmware.size == 0) {
        SKIP_TEST("example firmware not built (arm-none-eabi-gcc missing)");
    }
    assert_true(sim_session_create(session, part, true));
    struct sim_stm32_events events = {.ctx = log, .uart_tx = count_lines, .reset = count_reset};
    sim_stm32_set_events(session->stm32, &events);
    assert_int_equal(run_job(session, &firmware, IMAGE_FORMAT_ELF, true, job), STATUS_OK);
    sim_stm32_run_for(session->stm32, 200 * MS_PS); /* four timeouts: refreshed, it never fires */
    assert_int_equal(log->hellos, 1);
    assert_int_equal(log->watchdog_resets, 0);
}

static void test_a_long_job_is_not_cut_short_by_the_firmware_watchdog(void **state)
{
    (void)state;
    static const struct {
        const char *part, *family;
    } parts[] = {{"stm32f030r8", "f0"}, {"stm32g071rb", "g0"}, {"stm32f303cc", "f3"}, {"stm32g474re", "g4"}};
    static uint8_t bytes[IMAGE_BYTES];
    struct memory_job_file image = {.bytes = bytes};
    static struct job job;
    for (unsigned i = 0; i < sizeof parts / sizeof parts[0]; i++) {
        struct sim_session session;
        struct chip_log log = {0};
        start_watchdog_firmware(&session, parts[i].part, parts[i].family, &log, &job);
        select_hardware_watchdog(session.stm32);
        sim_stm32_run_for(session.stm32, 2000 * MS_PS); /* refreshed by the firmware, it never fires */
        assert_int_equal(log.watchdog_resets, 0);
        assert_true(sim_iwdg_running(session.stm32->iwdg));
        image.size = IMAGE_BYTES;
        uint32_t seed = 0x1D06u + i;
        for (uint32_t k = 0; k < IMAGE_BYTES; k++) {
            seed = seed * 1103515245u + 12345u;
            bytes[k] = (uint8_t)(seed >> 16);
        }
        assert_int_equal(run_job(&session, &image, IMAGE_FORMAT_BIN, false, &job), STATUS_OK);
        print_message("%s: %.1f ms of chip time with the core halted under a hardware watchdog, %u watchdog resets\n",
                      parts[i].part, (double)job.result.total_us / 1e3, log.watchdog_resets);
        assert_true(job.result.total_us > 1000u * 1000u); /* longer than the watchdog's 512 ms at reset */
        assert_int_equal(log.watchdog_resets, 0);
        assert_memory_equal(sim_flash_array(session.stm32->flash), image.bytes, IMAGE_BYTES);
        sim_session_destroy(&session);
    }
}

/* The controls: halted and not frozen, the watchdog resets the chip; a freeze bit written while the DBGMCU's clock
 * is off is ignored, as on silicon; with the clock on it holds. */
static void test_the_watchdog_resets_a_halted_chip_unless_frozen_with_the_dbgmcu_clock_on(void **state)
{
    (void)state;
    static struct job job;
    struct sim_session session;
    struct chip_log log = {0};
    start_watchdog_firmware(&session, "stm32g071rb", "g0", &log, &job);
    sim_stm32_power_on_reset(session.stm32); /* forgets the job's freeze, which lives in the debug domain */
    sim_stm32_run_for(session.stm32, 20 * MS_PS);
    log.hellos = 0;
    assert_int_equal(sim_session_attach(&session), STATUS_OK);
    assert_int_equal(adi_mem_write32(&session.ap, DHCSR, DHCSR_HALT), STATUS_OK);
    assert_int_equal(adi_mem_write32(&session.ap, DBGMCU_APB_FZ1, DBG_IWDG_STOP), STATUS_OK);
    uint32_t fz1 = 0;
    assert_int_equal(adi_mem_read32(&session.ap, DBGMCU_APB_FZ1, &fz1), STATUS_OK);
    assert_int_equal(fz1, 0);
    sim_stm32_run_for(session.stm32, 100 * MS_PS);
    assert_int_equal(log.watchdog_resets, 1);

    assert_int_equal(adi_mem_write32(&session.ap, DHCSR, DHCSR_RUN), STATUS_OK);
    sim_stm32_run_for(session.stm32, 20 * MS_PS);
    assert_int_equal(log.hellos, 1); /* the firmware started again after the watchdog reset */
    assert_true(sim_iwdg_running(session.stm32->iwdg));
    assert_int_equal(adi_mem_write32(&session.ap, DHCSR, DHCSR_HALT), STATUS_OK);
    assert_int_equal(adi_mem_write32(&session.ap, 0x4002103Cu, 1u << 27), STATUS_OK); /* RCC_APBENR1.DBGEN */
    assert_int_equal(adi_mem_write32(&session.ap, DBGMCU_APB_FZ1, DBG_IWDG_STOP), STATUS_OK);
    sim_stm32_run_for(session.stm32, 100 * MS_PS);
    assert_int_equal(log.watchdog_resets, 1);
    assert_true(sim_iwdg_running(session.stm32->iwdg));
    sim_session_destroy(&session);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_long_job_is_not_cut_short_by_the_firmware_watchdog),
        cmocka_unit_test(test_the_watchdog_resets_a_halted_chip_unless_frozen_with_the_dbgmcu_clock_on),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
