/*
 * test_uartboot.c - flash jobs through the simulated STM32's ROM bootloader (AN3155) on its USART1, in process and
 * in simulated time: the example firmware on every family runs afterwards, read protection and an unwired BOOT0
 * fail with their sentences, and bytes lost or garbled on the line are recovered from, never ending in a false
 * success.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "example_firmware.h"
#include "job/job.h"
#include "memory_job_file.h"
#include "port_host.h"
#include "port_sim.h"
#include "port_sim_uart.h"
#include "sim_stm32.h"
#include "test_skip.h"
#include "uartboot/uartboot.h"

#define MS 1000000000ull /* picoseconds */
#define IMAGE_MAX (64u * 1024u)

struct bench {
    struct sim_stm32 *chip;
    struct port_sim port;
    struct port_sim_uart link;
    struct status_report report;
    struct job job;
    uint8_t image[IMAGE_MAX];
    uint32_t image_len;
    struct memory_job_file file;
};

/* The part with USART1 on the link, BOOT0 wired or not; the test is skipped when the firmware was not built. */
static struct bench *bench_open(const char *part, const char *family, bool boot0_wired)
{
    static struct bench bench;
    memset(&bench, 0, sizeof bench);
    bench.image_len = (uint32_t)example_firmware_load(family, "bin", bench.image, sizeof bench.image);
    if (bench.image_len == 0)
        SKIP_TEST("example firmware not built (arm-none-eabi-gcc missing)");
    bench.file = (struct memory_job_file){.bytes = bench.image, .size = bench.image_len};
    bench.chip = sim_stm32_create(part, 0);
    assert_non_null(bench.chip);
    port_sim_init(&bench.port, bench.chip->target, true);
    if (boot0_wired)
        port_sim_wire_boot0(&bench.port, bench.chip);
    port_sim_uart_init(&bench.link, bench.chip);
    return &bench;
}

static void bench_close(struct bench *bench)
{
    sim_stm32_destroy(bench->chip);
}

static enum status run_job(struct bench *bench, enum job_action action)
{
    const struct job_link link = {.system = &bench->port.system, .pins = &bench->port.pins,
                                  .transport = JOB_TRANSPORT_UART, .uart = &bench->link.uart};
    const struct job_file file = memory_job_file(&bench->file);
    const struct job_options options = {.action = action, .format = IMAGE_FORMAT_BIN, .verify = true,
                                        .reset_after = action == JOB_ACTION_FLASH, .quote_memory = true};
    status_clear(&bench->report);
    job_init(&bench->job, &link, &file, &options, &bench->report);
    enum status status = job_run(&bench->job);
    if (status != STATUS_OK)
        print_message("job: %s: %s\n", bench->report.detail, status_message(status));
    return status;
}

/* The client alone on the bench's line, in the part's bootloader. */
static void enter_bootloader(struct bench *bench, struct uartboot *boot)
{
    uartboot_init(boot, &bench->link.uart, &bench->port.system, &bench->port.pins, 0, &bench->report);
    assert_int_equal(uartboot_enter(boot), STATUS_OK);
}

static bool flash_holds_image(const struct bench *bench)
{
    return memcmp(sim_flash_array(bench->chip->flash), bench->image, bench->image_len) == 0;
}

static const struct {
    const char *part, *family, *name;
} parts[] = {
    {"stm32f030r8", "f0", "F0"}, {"stm32f103c8", "f1", "F1"}, {"stm32f411ce", "f4", "F4"},
    {"stm32l476rg", "l4", "L4"}, {"stm32g071rb", "g0", "G0"}, {"stm32f303cc", "f3", "F3"},
    {"stm32g431rb", "g4", "G4"}, {"stm32g474re", "g4", "G4"},
};

static void test_uart_flash_runs_the_firmware_on_every_family(void **state)
{
    (void)state;
    for (unsigned i = 0; i < sizeof parts / sizeof parts[0]; i++) {
        struct bench *bench = bench_open(parts[i].part, parts[i].family, true);
        assert_int_equal(run_job(bench, JOB_ACTION_FLASH), STATUS_OK);
        assert_string_equal(bench->job.result.backend, "ROM bootloader (UART)");
        assert_true(flash_holds_image(bench));
        assert_int_equal(bench->job.result.verified_bytes, bench->image_len);
        assert_false(bench->job.result.verified_on_target);
        sim_stm32_run_for(bench->chip, 200 * MS);
        char expected[96];
        snprintf(expected, sizeof expected, "hello from airswd example firmware (STM32%s)\r\n", parts[i].name);
        print_message("%s: %lu bytes in %.1f ms chip time, then \"%.*s\"\n", parts[i].part,
                      (unsigned long)bench->image_len, (double)bench->job.result.total_us / 1e3,
                      (int)strcspn(bench->link.console, "\r"), bench->link.console);
        assert_true(bench->link.console_len >= strlen(expected));
        assert_memory_equal(bench->link.console, expected, strlen(expected));
        bench_close(bench);
    }
}

/* The job's time is the line's: each byte is 11 bit times at 115200 baud, so the program phase cannot be shorter
 * than the Write Memory frames it sent. */
static void test_chip_time_counts_the_line(void **state)
{
    (void)state;
    struct bench *bench = bench_open("stm32f103c8", "f1", true);
    assert_int_equal(run_job(bench, JOB_ACTION_FLASH), STATUS_OK);
    uint32_t blocks = (bench->image_len + 255u) / 256u;
    uint64_t frame_us = (uint64_t)(bench->image_len + blocks * 11u) * 11u * 1000000u / 115200u;
    assert_true(bench->job.result.phase_us[JOB_PHASE_PROGRAM] >= frame_us);
    assert_true(bench->job.result.phase_us[JOB_PHASE_PROGRAM] < frame_us * 2u);
    bench_close(bench);
}

static void test_read_protection_is_named_and_the_flash_left_alone(void **state)
{
    (void)state;
    struct bench *bench = bench_open("stm32f103c8", "f1", true);
    memset(sim_flash_array(bench->chip->flash), 0x5A, 4096);
    uint64_t done;
    assert_true(sim_flash_set_rdp(bench->chip->flash, 1, sim_stm32_now_ps(bench->chip), &done));
    sim_stm32_power_on_reset(bench->chip);
    assert_int_equal(run_job(bench, JOB_ACTION_FLASH), STATUS_FLASH_PROTECTED);
    assert_non_null(strstr(bench->report.detail, "read protection is active"));
    assert_non_null(strstr(bench->report.detail, "airswd unlock --yes"));
    assert_false(bench->job.result.erased);
    for (unsigned i = 0; i < 4096; i++)
        assert_int_equal(sim_flash_array(bench->chip->flash)[i], 0x5A);
    bench_close(bench);
}

static void test_boot0_not_wired_says_so(void **state)
{
    (void)state;
    struct bench *bench = bench_open("stm32f103c8", "f1", false);
    memcpy(sim_flash_array(bench->chip->flash), bench->image, bench->image_len); /* it prints its hello line */
    sim_stm32_power_on_reset(bench->chip);
    assert_int_equal(run_job(bench, JOB_ACTION_FLASH), STATUS_BOOTLOADER_SILENT);
    assert_int_equal(bench->job.result.failed_phase, JOB_PHASE_CONNECT);
    assert_non_null(strstr(status_message(STATUS_BOOTLOADER_SILENT), "BOOT0/NRST not wired, or TX/RX swapped"));
    bench_close(bench);
}

enum line_fault { HOST_BYTE_LOST, HOST_BYTE_FLIPPED, CHIP_BYTE_PARITY_ERROR };

/* One fault of the line at byte `at` (counted in its direction), in the middle of the program phase; the job
 * repeats what it must and the flash holds the image. */
static void flash_through_fault(enum line_fault fault, uint64_t at)
{
    struct bench *bench = bench_open("stm32f103c8", "f1", true);
    switch (fault) {
    case HOST_BYTE_LOST: bench->link.faults.lose_host_byte = at; break;
    case HOST_BYTE_FLIPPED: bench->link.faults.flip_host_byte = at; break;
    case CHIP_BYTE_PARITY_ERROR: bench->link.faults.parity_error_chip_byte = at; break;
    }
    assert_int_equal(run_job(bench, JOB_ACTION_FLASH), STATUS_OK);
    assert_true(bench->job.result.line_recoveries > 0);
    assert_true(flash_holds_image(bench));
    bench_close(bench);
}

static void test_a_byte_lost_on_the_way_is_recovered(void **state)
{
    (void)state;
    flash_through_fault(HOST_BYTE_LOST, 100);
}

static void test_a_garbled_byte_nacked_mid_write_is_written_again(void **state)
{
    (void)state;
    flash_through_fault(HOST_BYTE_FLIPPED, 300);
}

static void test_an_answer_with_a_parity_error_is_recovered(void **state)
{
    (void)state;
    flash_through_fault(CHIP_BYTE_PARITY_ERROR, 40);
}

static void test_a_byte_lost_in_get_is_recovered(void **state)
{
    (void)state;
    flash_through_fault(HOST_BYTE_LOST, 1); /* Get's command byte, right after 0x7F */
}

/* A host that went away in the middle of a Write Memory frame leaves the ROM waiting for its bytes; without NRST to
 * reset it, the next host completes the frame with filler bytes before it synchronises. */
static void test_a_frame_left_unfinished_is_completed_without_nrst(void **state)
{
    (void)state;
    struct bench *bench = bench_open("stm32f103c8", "f1", true);
    struct uartboot boot;
    enter_bootloader(bench, &boot);
    const uint8_t unfinished[] = {0x31, 0xCE, 0x08, 0x00, 0x00, 0x00, 0x08, 0xFF, 1, 2, 3, 4, 5};
    assert_int_equal(bench->link.uart.write(bench->link.uart.ctx, unfinished, sizeof unfinished), sizeof unfinished);
    const struct hal_target_pins no_reset = {.ctx = &bench->port};
    uartboot_init(&boot, &bench->link.uart, &bench->port.system, &no_reset, 0, &bench->report);
    assert_int_equal(uartboot_enter(&boot), STATUS_OK);
    assert_int_equal(boot.pid, 0x410);
    bench_close(bench);
}

/* A block the ROM refuses every time (not erased) fails with the sentence, and the flash is not changed. */
static void test_a_refused_write_fails_with_its_sentence(void **state)
{
    (void)state;
    struct bench *bench = bench_open("stm32f103c8", "f1", true);
    memset(sim_flash_array(bench->chip->flash), 0x00, 1024);
    struct uartboot boot;
    enter_bootloader(bench, &boot);
    assert_int_equal(boot.pid, 0x410);
    const uint8_t data[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    assert_int_equal(uartboot_write(&boot, 0x08000000, data, sizeof data, 1000), STATUS_FLASH_PROTECTED);
    assert_string_equal(bench->report.detail, "writing 0x08000000: refused: write-protected or not erased");
    assert_int_equal(sim_flash_array(bench->chip->flash)[0], 0);
    bench_close(bench);
}

static bool flash_erased(const struct bench *bench)
{
    const uint8_t *flash = sim_flash_array(bench->chip->flash);
    for (uint32_t i = 0; i < sim_flash_size(bench->chip->flash); i++) {
        if (flash[i] != 0xFF)
            return false;
    }
    return true;
}

/* The whole flash: Extended Erase's mass erase (0xFFFF) on the F411 and the L476, Erase 0x43's global erase (0xFF
 * on the F103); then a bank erase (0xFFFD) on the dual-bank L476 clears bank 2 and leaves bank 1 alone. */
static void test_whole_flash_erases_use_the_special_codes(void **state)
{
    (void)state;
    const char *names[][2] = {{"stm32f411ce", "f4"}, {"stm32l476rg", "l4"}, {"stm32f103c8", "f1"}};
    for (unsigned i = 0; i < 3; i++) {
        struct bench *bench = bench_open(names[i][0], names[i][1], true);
        assert_int_equal(run_job(bench, JOB_ACTION_FLASH), STATUS_OK);
        sim_flash_array(bench->chip->flash)[sim_flash_size(bench->chip->flash) - 1] = 0x00; /* the last byte too */
        assert_int_equal(run_job(bench, JOB_ACTION_ERASE), STATUS_OK);
        assert_true(flash_erased(bench));
        assert_true(bench->job.result.mass_erased);
        bench_close(bench);
    }
    struct bench *bench = bench_open("stm32l476rg", "l4", true);
    uint8_t *flash = sim_flash_array(bench->chip->flash);
    uint32_t bank = sim_flash_size(bench->chip->flash) / 2;
    flash[0] = flash[bank] = 0x00;
    struct uartboot boot;
    enter_bootloader(bench, &boot);
    uint64_t before = sim_stm32_now_ps(bench->chip);
    assert_int_equal(uartboot_erase_bank(&boot, 1, 4u * 30000u), STATUS_OK);
    assert_true(sim_stm32_now_ps(bench->chip) - before < 100 * MS); /* a bank at once, not 256 pages one by one */
    assert_int_equal(flash[0], 0x00);
    assert_int_equal(flash[bank], 0xFF);
    bench_close(bench);
}

/* What the ROM refuses, in words: an address outside its reach, a write-protected page's erase. */
static void test_refusals_are_named(void **state)
{
    (void)state;
    struct bench *bench = bench_open("stm32f103c8", "f1", true);
    struct uartboot boot;
    enter_bootloader(bench, &boot);
    uint8_t byte;
    assert_int_equal(uartboot_read(&boot, 0x30000000, &byte, 1), STATUS_BOOTLOADER_REFUSED);
    assert_string_equal(bench->report.detail, "reading 0x30000000: the bootloader refused the address");
    uint64_t done;
    assert_true(sim_flash_set_write_protection(bench->chip->flash, true, sim_stm32_now_ps(bench->chip), &done));
    sim_stm32_power_on_reset(bench->chip);
    assert_int_equal(uartboot_enter(&boot), STATUS_OK);
    assert_int_equal(uartboot_erase_units(&boot, 3, 2, 100000), STATUS_FLASH_PROTECTED);
    assert_string_equal(bench->report.detail, "erasing units 3..4: refused: write-protected");
    bench_close(bench);
}

/* auto with neither SWD nor the bootloader answering: SWD's failure, saying the bootloader was tried too, and the
 * part back in its firmware with BOOT0 low. */
static void test_auto_reports_both_when_neither_answers(void **state)
{
    (void)state;
    struct bench *bench = bench_open("stm32f103c8", "f1", false);
    port_sim_cut_swd(&bench->port);
    const struct job_link link = {.swd = &bench->port.swd, .system = &bench->port.system, .pins = &bench->port.pins,
                                  .transport = JOB_TRANSPORT_AUTO, .uart = &bench->link.uart};
    const struct job_file file = memory_job_file(&bench->file);
    const struct job_options options = {.action = JOB_ACTION_FLASH, .format = IMAGE_FORMAT_BIN, .verify = true};
    job_init(&bench->job, &link, &file, &options, &bench->report);
    assert_int_equal(job_run(&bench->job), STATUS_NO_RESPONSE);
    print_message("auto: %s\n", bench->report.detail);
    assert_non_null(strstr(bench->report.detail, "the ROM bootloader did not answer either; SWD: no answer"));
    assert_string_equal(bench->job.result.backend, "SWD");
    bench_close(bench);
}

static unsigned yields_left;

static bool cancel_when_counted_down(void *ctx)
{
    (void)ctx;
    return yields_left == 0 || --yields_left == 0;
}

/* Cancelled in the middle of programming: the job stops between two blocks, says the flash was erased, and the
 * line is left in step (the next job on it succeeds). */
static void test_cancellation_stops_between_blocks(void **state)
{
    (void)state;
    struct bench *bench = bench_open("stm32f411ce", "f4", true);
    bench->port.system.yield = cancel_when_counted_down;
    yields_left = 6;
    assert_int_equal(run_job(bench, JOB_ACTION_FLASH), STATUS_CANCELLED);
    assert_true(bench->job.result.erased);
    bench->port.system.yield = port_host_yield;
    assert_int_equal(run_job(bench, JOB_ACTION_FLASH), STATUS_OK);
    assert_true(flash_holds_image(bench));
    bench_close(bench);
}

/* Readout Protect, then Readout Unprotect: the ROM resets after each, the client finds it again; under protection
 * the flash is refused with the sentence, and removing it erases the flash. */
static void test_readout_protect_and_unprotect(void **state)
{
    (void)state;
    struct bench *bench = bench_open("stm32f103c8", "f1", true);
    assert_int_equal(run_job(bench, JOB_ACTION_FLASH), STATUS_OK);
    struct uartboot boot;
    enter_bootloader(bench, &boot);
    assert_int_equal(uartboot_readout_protect(&boot, 100000), STATUS_OK);
    uint8_t bytes[4];
    assert_int_equal(uartboot_read(&boot, 0x08000000, bytes, sizeof bytes), STATUS_FLASH_PROTECTED);
    assert_string_equal(bench->report.detail, "reading 0x08000000: refused, read protection is active");
    assert_int_equal(uartboot_readout_unprotect(&boot, 200000), STATUS_OK);
    assert_int_equal(uartboot_read(&boot, 0x08000000, bytes, sizeof bytes), STATUS_OK);
    for (unsigned i = 0; i < sizeof bytes; i++)
        assert_int_equal(bytes[i], 0xFF);
    bench_close(bench);
}

/* Verify reads the flash back: other data is found, whatever the line said before. */
static void test_verify_reads_back_and_finds_a_difference(void **state)
{
    (void)state;
    struct bench *bench = bench_open("stm32f103c8", "f1", true);
    assert_int_equal(run_job(bench, JOB_ACTION_FLASH), STATUS_OK);
    sim_flash_array(bench->chip->flash)[300] ^= 0x01; /* one bit the flash lost */
    assert_int_equal(run_job(bench, JOB_ACTION_VERIFY), STATUS_FLASH_DIFFERS);
    assert_non_null(strstr(bench->report.detail, "0x0800012C"));
    assert_false(bench->chip->boot0); /* the part's next power-up starts its firmware */
    bench_close(bench);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_uart_flash_runs_the_firmware_on_every_family),
        cmocka_unit_test(test_chip_time_counts_the_line),
        cmocka_unit_test(test_read_protection_is_named_and_the_flash_left_alone),
        cmocka_unit_test(test_boot0_not_wired_says_so),
        cmocka_unit_test(test_a_byte_lost_on_the_way_is_recovered),
        cmocka_unit_test(test_a_garbled_byte_nacked_mid_write_is_written_again),
        cmocka_unit_test(test_an_answer_with_a_parity_error_is_recovered),
        cmocka_unit_test(test_a_byte_lost_in_get_is_recovered),
        cmocka_unit_test(test_a_frame_left_unfinished_is_completed_without_nrst),
        cmocka_unit_test(test_a_refused_write_fails_with_its_sentence),
        cmocka_unit_test(test_verify_reads_back_and_finds_a_difference),
        cmocka_unit_test(test_readout_protect_and_unprotect),
        cmocka_unit_test(test_whole_flash_erases_use_the_special_codes),
        cmocka_unit_test(test_refusals_are_named),
        cmocka_unit_test(test_cancellation_stops_between_blocks),
        cmocka_unit_test(test_auto_reports_both_when_neither_answers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
