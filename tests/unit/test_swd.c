/*
 * test_swd.c - src/swd against a scripted port: exact bits on the wire, ACK handling, WAIT limits, sequences.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "swd/swd.h"

/* ---- A scripted port: logs every cycle, answers reads from a queue (empty queue = line floating high). ---- */

#define MOCK_MAX_CYCLES 8192
#define MOCK_MAX_ANSWERS 32768
#define MOCK_NS_PER_CYCLE 250 /* 4 MHz */

struct mock_cycle {
    bool host_drives;
    bool level;
};

struct mock_port {
    bool driving;
    struct mock_cycle cycles[MOCK_MAX_CYCLES];
    size_t cycle_count;
    uint64_t total_cycles;
    bool answers[MOCK_MAX_ANSWERS];
    size_t answer_count, answer_next;
    unsigned transfer_calls;
    uint64_t extra_ns; /* time that passes outside the wire */
    unsigned yields;
};

static struct mock_port mock;

static void mock_log(bool host_drives, bool level)
{
    mock.total_cycles++;
    if (mock.cycle_count < MOCK_MAX_CYCLES)
        mock.cycles[mock.cycle_count++] = (struct mock_cycle){host_drives, level};
}

static void mock_set_output(void *ctx, bool drive)
{
    (void)ctx;
    mock.driving = drive;
}

static void mock_write_bit(void *ctx, bool bit)
{
    (void)ctx;
    assert_true(mock.driving); /* driving a bit with the output released would be a turnaround bug */
    mock_log(true, bit);
}

static bool mock_read_bit(void *ctx)
{
    (void)ctx;
    bool level = mock.answer_next < mock.answer_count ? mock.answers[mock.answer_next++] : true;
    mock_log(mock.driving, level);
    return level;
}

static uint64_t mock_now_us(void *ctx)
{
    (void)ctx;
    return (mock.total_cycles * MOCK_NS_PER_CYCLE + mock.extra_ns) / 1000u;
}

static void mock_delay_us(void *ctx, uint32_t us)
{
    (void)ctx;
    mock.extra_ns += (uint64_t)us * 1000u;
}

static bool mock_yield(void *ctx)
{
    (void)ctx;
    mock.yields++;
    return false;
}

static const struct hal_swd mock_pins = {
    .set_swdio_output = mock_set_output, .write_bit = mock_write_bit, .read_bit = mock_read_bit};
static const struct hal_system mock_system = {.now_us = mock_now_us, .delay_us = mock_delay_us, .yield = mock_yield};

/* Queues what the target puts on the line for the host's next reads, LSB first. */
static void mock_answer(uint32_t bits, unsigned count)
{
    for (unsigned i = 0; i < count; i++) {
        assert_true(mock.answer_count < MOCK_MAX_ANSWERS);
        mock.answers[mock.answer_count++] = (bits >> i) & 1u;
    }
}

/* The line levels of a read answered with `ack` (and, for OK, data + parity), as the host samples them:
 * turnaround, 3 ACK bits, then the data phase and its turnaround. */
static void mock_answer_read(unsigned ack, uint32_t data, bool parity)
{
    mock_answer(1, 1);
    mock_answer(ack, 3);
    if (ack == HAL_SWD_ACK_OK) {
        mock_answer(data, 32);
        mock_answer(parity, 1);
        mock_answer(1, 1);
    } else {
        mock_answer(1, 1);
    }
}

static void mock_answer_write(unsigned ack)
{
    mock_answer(1, 1);
    mock_answer(ack, 3);
    mock_answer(1, 1);
}

static uint32_t mock_driven_bits(size_t first, unsigned count)
{
    uint32_t value = 0;
    for (unsigned i = 0; i < count; i++) {
        assert_true(mock.cycles[first + i].host_drives);
        value |= (uint32_t)mock.cycles[first + i].level << i;
    }
    return value;
}

static struct status_report report;
static struct swd swd;

static int setup(void **state)
{
    (void)state;
    memset(&mock, 0, sizeof mock);
    mock.driving = true;
    status_clear(&report);
    swd_init(&swd, &mock_pins, &mock_system, &report);
    return 0;
}

/* ---- tests ---- */

static void test_request_has_start_park_and_even_parity(void **state)
{
    (void)state;
    for (unsigned port = 0; port < 2; port++) {
        for (unsigned read = 0; read < 2; read++) {
            for (uint8_t addr = 0; addr < 16; addr += 4) {
                uint8_t request = swd_request((enum swd_port)port, read, addr);
                assert_int_equal(request & 0x01, 0x01); /* start */
                assert_int_equal(request & 0x40, 0x00); /* stop */
                assert_int_equal(request & 0x80, 0x80); /* park */
                assert_int_equal((request >> 1) & 1, port);
                assert_int_equal((request >> 2) & 1, read);
                assert_int_equal((request >> 3) & 3, addr >> 2);
                unsigned ones = 0;
                for (unsigned bit = 1; bit <= 5; bit++)
                    ones += (request >> bit) & 1u;
                assert_int_equal(ones % 2, 0);
            }
        }
    }
    /* Known encodings: DPIDR read 0xA5, DP ABORT write 0x81, AP DRW read 0x9F. */
    assert_int_equal(swd_request(SWD_DP, true, 0x0), 0xA5);
    assert_int_equal(swd_request(SWD_DP, false, 0x0), 0x81);
    assert_int_equal(swd_request(SWD_AP, true, 0xC), 0x9F);
}

static void test_parity32_counts_ones(void **state)
{
    (void)state;
    assert_false(swd_parity32(0));
    assert_true(swd_parity32(1));
    assert_false(swd_parity32(0xFFFFFFFF));
    assert_true(swd_parity32(0x80000000));
    assert_false(swd_parity32(0x1BA01477)); /* 14 ones */
}

static void test_read_packet_takes_46_cycles_with_both_turnarounds(void **state)
{
    (void)state;
    mock_answer_read(HAL_SWD_ACK_OK, 0x1BA01477, swd_parity32(0x1BA01477));
    uint32_t value;
    assert_int_equal(swd_read(&swd, SWD_DP, 0x0, &value), STATUS_OK);
    assert_int_equal(value, 0x1BA01477);
    assert_int_equal(mock.cycle_count, 46);
    assert_int_equal(mock_driven_bits(0, 8), 0xA5);
    for (size_t i = 8; i < 46; i++)
        assert_false(mock.cycles[i].host_drives); /* released from the turnaround to the end */
    assert_true(mock.driving);                    /* and driving again for the next packet */
}

static void test_write_packet_drives_data_and_parity_after_turnaround(void **state)
{
    (void)state;
    mock_answer_write(HAL_SWD_ACK_OK);
    assert_int_equal(swd_write(&swd, SWD_DP, 0x8, 0x12345678), STATUS_OK);
    assert_int_equal(mock.cycle_count, 46);
    assert_int_equal(mock_driven_bits(0, 8), swd_request(SWD_DP, false, 0x8));
    for (size_t i = 8; i < 13; i++)
        assert_false(mock.cycles[i].host_drives); /* turnaround, ACK, turnaround */
    assert_int_equal(mock_driven_bits(13, 32), 0x12345678);
    assert_int_equal(mock_driven_bits(45, 1), swd_parity32(0x12345678));
}

static void test_read_with_bad_parity_reports_parity_error(void **state)
{
    (void)state;
    mock_answer_read(HAL_SWD_ACK_OK, 0xCAFE0001, !swd_parity32(0xCAFE0001));
    uint32_t value;
    assert_int_equal(swd_read(&swd, SWD_AP, 0xC, &value), STATUS_PARITY_ERROR);
    assert_int_equal(value, 0xCAFE0001);
    assert_int_equal(swd.stats.parity_errors, 1);
    assert_non_null(strstr(report.detail, "parity"));
}

static void test_wait_is_repeated_until_ok(void **state)
{
    (void)state;
    for (int i = 0; i < 5; i++)
        mock_answer_write(HAL_SWD_ACK_WAIT);
    mock_answer_read(HAL_SWD_ACK_OK, 7, swd_parity32(7));
    uint32_t value;
    assert_int_equal(swd_read(&swd, SWD_AP, 0xC, &value), STATUS_OK);
    assert_int_equal(value, 7);
    assert_int_equal(swd.stats.waits, 5);
    assert_int_equal(mock.cycle_count, 5 * 13 + 46); /* a WAIT packet ends after its turnaround */
    assert_true(mock.yields >= 5);
}

static void test_wait_gives_up_after_the_timeout(void **state)
{
    (void)state;
    swd.wait_timeout_ms = 2;
    for (int i = 0; i < 4000; i++)
        mock_answer_write(HAL_SWD_ACK_WAIT);
    assert_int_equal(swd_write(&swd, SWD_AP, 0xC, 0), STATUS_WAIT_TIMEOUT);
    /* 2 ms at 4 MHz is 8000 cycles of 13-cycle WAIT packets: about 615 of them, not all 4000. */
    assert_in_range(swd.stats.waits, 600, 640);
    assert_non_null(strstr(report.detail, "WAIT"));
}

static void test_silent_line_is_no_response_with_a_hint(void **state)
{
    (void)state;
    uint32_t value;
    assert_int_equal(swd_read(&swd, SWD_DP, 0x4, &value), STATUS_NO_RESPONSE);
    assert_non_null(strstr(status_message(STATUS_NO_RESPONSE), "wiring"));
    assert_non_null(strstr(report.detail, "CTRL/STAT"));
}

static void test_invalid_ack_is_a_protocol_error(void **state)
{
    (void)state;
    mock_answer_read(0x3, 0, 0);
    uint32_t value;
    assert_int_equal(swd_read(&swd, SWD_DP, 0x0, &value), STATUS_PROTOCOL_ERROR);
    assert_int_equal(swd.stats.protocol_errors, 1);
}

static void test_fault_is_reported(void **state)
{
    (void)state;
    mock_answer_write(HAL_SWD_ACK_FAULT);
    assert_int_equal(swd_write(&swd, SWD_AP, 0x4, 0x20000000), STATUS_FAULT);
    assert_int_equal(mock.cycle_count, 13);
}

static void test_line_reset_is_60_high_then_4_idle(void **state)
{
    (void)state;
    swd_line_reset(&swd);
    assert_int_equal(mock.cycle_count, 64);
    for (size_t i = 0; i < 60; i++)
        assert_true(mock.cycles[i].level);
    for (size_t i = 60; i < 64; i++)
        assert_false(mock.cycles[i].level);
}

static void test_jtag_to_swd_sends_e79e_between_high_runs(void **state)
{
    (void)state;
    swd_jtag_to_swd(&swd);
    assert_int_equal(mock.cycle_count, 60 + 16 + 64);
    assert_int_equal(mock_driven_bits(0, 32), 0xFFFFFFFF);
    assert_int_equal(mock_driven_bits(60, 16), 0xE79E);
    assert_int_equal(mock_driven_bits(76, 32), 0xFFFFFFFF);
    assert_int_equal(mock_driven_bits(136, 4), 0);
}

static void test_dormant_to_swd_sends_alert_then_activation_code(void **state)
{
    (void)state;
    static const uint8_t alert[16] = {0x92, 0xF3, 0x09, 0x62, 0x95, 0x2D, 0x85, 0x86,
                                      0xE9, 0xAF, 0xDD, 0xE3, 0xA2, 0x0E, 0xBC, 0x19};
    swd_dormant_to_swd(&swd);
    assert_int_equal(mock_driven_bits(0, 8), 0xFF);
    for (unsigned i = 0; i < 16; i++)
        assert_int_equal(mock_driven_bits(8 + 8 * i, 8), alert[i]);
    assert_int_equal(mock_driven_bits(136, 4), 0);
    assert_int_equal(mock_driven_bits(140, 8), 0x1A);
    assert_int_equal(mock_driven_bits(148, 32), 0xFFFFFFFF); /* the line reset follows */
}

static void test_connect_stops_at_its_time_limit_on_a_silent_line(void **state)
{
    (void)state;
    swd.connect_timeout_ms = 20;
    uint32_t dpidr;
    assert_int_equal(swd_connect(&swd, &dpidr), STATUS_NO_RESPONSE);
    uint64_t elapsed_us = mock_now_us(NULL);
    assert_in_range(elapsed_us, 20000, 20000 + 200); /* stops within one attempt of the limit */
    assert_non_null(strstr(report.detail, "DPIDR"));
    assert_true(swd.stats.line_resets >= 2);
}

static void test_connect_returns_dpidr_from_first_answer(void **state)
{
    (void)state;
    /* The JTAG-to-SWD sequence is all driven by the host; the answer comes with the DPIDR read. */
    mock_answer_read(HAL_SWD_ACK_OK, 0x2BA01477, swd_parity32(0x2BA01477));
    uint32_t dpidr = 0;
    assert_int_equal(swd_connect(&swd, &dpidr), STATUS_OK);
    assert_int_equal(dpidr, 0x2BA01477);
    assert_int_equal(mock.cycle_count, 140 + 46);
}

static void test_connect_reports_garbled_answers_as_such(void **state)
{
    (void)state;
    swd.connect_timeout_ms = 1;
    for (int i = 0; i < 200; i++)
        mock_answer_read(0x5, 0, 0);
    uint32_t dpidr;
    assert_int_equal(swd_connect(&swd, &dpidr), STATUS_PROTOCOL_ERROR);
    assert_non_null(strstr(report.detail, "garbled"));
}

static unsigned fake_transfer(void *ctx, uint8_t request, uint32_t *data)
{
    (void)ctx;
    mock.transfer_calls++;
    if (request & SWD_REQUEST_RNW)
        *data = 0xA5A5A5A5;
    return HAL_SWD_ACK_OK;
}

static void test_port_transfer_routine_replaces_the_bit_loop(void **state)
{
    (void)state;
    struct hal_swd pins = mock_pins;
    pins.transfer = fake_transfer;
    swd_init(&swd, &pins, &mock_system, &report);
    uint32_t value;
    assert_int_equal(swd_read(&swd, SWD_AP, 0xC, &value), STATUS_OK);
    assert_int_equal(value, 0xA5A5A5A5);
    assert_int_equal(mock.transfer_calls, 1);
    assert_int_equal(mock.cycle_count, 0);
}

static void test_idle_cycles_follow_each_packet(void **state)
{
    (void)state;
    swd.idle_cycles = 8;
    mock_answer_write(HAL_SWD_ACK_OK);
    assert_int_equal(swd_write(&swd, SWD_DP, 0x8, 0), STATUS_OK);
    assert_int_equal(mock.cycle_count, 46 + 8);
    assert_int_equal(mock_driven_bits(46, 8), 0);
}

static void test_resync_clocks_past_a_data_phase_before_the_line_reset(void **state)
{
    (void)state;
    /* 40 extra high cycles and a line reset (64 cycles), all driven by the host, then the DPIDR read. */
    mock_answer_read(HAL_SWD_ACK_OK, 0x1BA01477, swd_parity32(0x1BA01477));
    assert_int_equal(swd_resync(&swd), STATUS_OK);
    for (size_t i = 0; i < 100; i++)
        assert_true(mock.cycles[i].level);
    assert_int_equal(mock.cycle_count, 40 + 64 + 46);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_request_has_start_park_and_even_parity, setup),
        cmocka_unit_test_setup(test_parity32_counts_ones, setup),
        cmocka_unit_test_setup(test_read_packet_takes_46_cycles_with_both_turnarounds, setup),
        cmocka_unit_test_setup(test_write_packet_drives_data_and_parity_after_turnaround, setup),
        cmocka_unit_test_setup(test_read_with_bad_parity_reports_parity_error, setup),
        cmocka_unit_test_setup(test_wait_is_repeated_until_ok, setup),
        cmocka_unit_test_setup(test_wait_gives_up_after_the_timeout, setup),
        cmocka_unit_test_setup(test_silent_line_is_no_response_with_a_hint, setup),
        cmocka_unit_test_setup(test_invalid_ack_is_a_protocol_error, setup),
        cmocka_unit_test_setup(test_fault_is_reported, setup),
        cmocka_unit_test_setup(test_line_reset_is_60_high_then_4_idle, setup),
        cmocka_unit_test_setup(test_jtag_to_swd_sends_e79e_between_high_runs, setup),
        cmocka_unit_test_setup(test_dormant_to_swd_sends_alert_then_activation_code, setup),
        cmocka_unit_test_setup(test_connect_stops_at_its_time_limit_on_a_silent_line, setup),
        cmocka_unit_test_setup(test_connect_returns_dpidr_from_first_answer, setup),
        cmocka_unit_test_setup(test_connect_reports_garbled_answers_as_such, setup),
        cmocka_unit_test_setup(test_port_transfer_routine_replaces_the_bit_loop, setup),
        cmocka_unit_test_setup(test_idle_cycles_follow_each_packet, setup),
        cmocka_unit_test_setup(test_resync_clocks_past_a_data_phase_before_the_line_reset, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
