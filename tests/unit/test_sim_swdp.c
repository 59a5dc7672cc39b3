/*
 * test_sim_swdp.c - the simulated SW-DP on the wire: SWJ mode switching, line reset, reset state, lockout after
 * protocol errors, packet timing and turnaround ownership.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "sim_wire_driver.h"

#define DPIDR_F1 0x1BA01477u

static struct sim_target *default_target(void)
{
    return wire_target_with_sram(NULL);
}

static void test_jtag_to_swd_then_dpidr_read_answers(void **state)
{
    (void)state;
    struct sim_target *target = default_target();
    assert_int_equal(sim_target_swj_mode(target), SIM_SWJ_JTAG);
    wire_jtag_to_swd(target);
    assert_int_equal(sim_target_swj_mode(target), SIM_SWJ_SWD);
    assert_int_equal(wire_expect_read(target, false, WIRE_DP_DPIDR, WIRE_ACK_OK), DPIDR_F1);
    assert_int_equal(sim_target_wire_stats(target)->packets_ok, 1);
    wire_target_destroy(target);
}

static void test_dpidr_read_in_jtag_mode_gets_no_answer(void **state)
{
    (void)state;
    struct sim_target *target = default_target();
    wire_line_reset(target);
    wire_expect_read(target, false, WIRE_DP_DPIDR, WIRE_ACK_NONE);
    assert_int_equal(sim_target_swj_mode(target), SIM_SWJ_JTAG);
    assert_int_equal(sim_target_wire_stats(target)->line_resets, 0);
    wire_target_destroy(target);
}

static void test_jtag_to_swd_without_following_line_reset_gets_no_answer(void **state)
{
    (void)state;
    struct sim_target *target = default_target();
    wire_high(target, 60);
    wire_write_bits(target, 0xE79E, 16);
    wire_idle(target, 2);
    assert_int_equal(sim_target_swj_mode(target), SIM_SWJ_SWD);
    wire_expect_read(target, false, WIRE_DP_DPIDR, WIRE_ACK_NONE);
    wire_line_reset(target);
    wire_expect_read(target, false, WIRE_DP_DPIDR, WIRE_ACK_OK);
    wire_target_destroy(target);
}

static void test_select_sequence_needs_50_ones_before_it(void **state)
{
    (void)state;
    struct sim_target *target = default_target();
    wire_high(target, 49);
    wire_write_bits(target, 0xE79E, 16);
    assert_int_equal(sim_target_swj_mode(target), SIM_SWJ_JTAG);
    wire_high(target, 50);
    wire_write_bits(target, 0xE79E, 16);
    assert_int_equal(sim_target_swj_mode(target), SIM_SWJ_SWD);
    wire_target_destroy(target);
}

static void test_first_packet_after_line_reset_must_be_dpidr_read(void **state)
{
    (void)state;
    struct sim_target *target = default_target();
    wire_jtag_to_swd(target);
    wire_expect_read(target, false, WIRE_DP_CTRL_STAT, WIRE_ACK_NONE);
    assert_int_equal(sim_target_wire_stats(target)->packets_unanswered, 1);
    /* Still unanswered: the target stays out of the protocol until the next line reset. */
    wire_idle(target, 2);
    wire_expect_read(target, false, WIRE_DP_DPIDR, WIRE_ACK_NONE);
    wire_line_reset(target);
    wire_expect_read(target, false, WIRE_DP_DPIDR, WIRE_ACK_OK);
    wire_expect_read(target, false, WIRE_DP_CTRL_STAT, WIRE_ACK_OK);
    wire_target_destroy(target);
}

static void test_write_as_first_packet_after_line_reset_gets_no_answer(void **state)
{
    (void)state;
    struct sim_target *target = default_target();
    wire_jtag_to_swd(target);
    wire_expect_write(target, false, WIRE_DP_ABORT, WIRE_ABORT_CLEAR_ALL, WIRE_ACK_NONE);
    wire_target_destroy(target);
}

static void test_bad_request_parity_locks_out_until_line_reset(void **state)
{
    (void)state;
    struct sim_target *target = default_target();
    wire_connect(target);
    uint32_t data;
    assert_int_equal(wire_packet(target, wire_request(false, true, WIRE_DP_CTRL_STAT), &data, WIRE_BAD_REQUEST_PARITY),
                     WIRE_ACK_NONE);
    assert_int_equal(sim_target_wire_stats(target)->protocol_errors, 1);
    wire_idle(target, 2);
    wire_expect_read(target, false, WIRE_DP_DPIDR, WIRE_ACK_NONE);
    wire_expect_read(target, false, WIRE_DP_CTRL_STAT, WIRE_ACK_NONE);
    wire_line_reset(target);
    wire_expect_read(target, false, WIRE_DP_DPIDR, WIRE_ACK_OK);
    wire_target_destroy(target);
}

static void test_stop_bit_set_is_a_protocol_error(void **state)
{
    (void)state;
    struct sim_target *target = default_target();
    wire_connect(target);
    uint32_t data;
    uint8_t request = (uint8_t)(wire_request(false, true, WIRE_DP_DPIDR) | 1u << 6);
    assert_int_equal(wire_packet(target, request, &data, 0), WIRE_ACK_NONE);
    assert_int_equal(sim_target_wire_stats(target)->protocol_errors, 1);
    wire_target_destroy(target);
}

static void test_park_bit_is_not_checked(void **state)
{
    (void)state;
    struct sim_target *target = default_target();
    wire_connect(target);
    uint32_t data;
    uint8_t request = (uint8_t)(wire_request(false, true, WIRE_DP_DPIDR) & ~(1u << 7));
    assert_int_equal(wire_packet(target, request, &data, 0), WIRE_ACK_OK);
    assert_int_equal(data, DPIDR_F1);
    wire_target_destroy(target);
}

static void test_line_reset_needs_50_ones(void **state)
{
    (void)state;
    struct sim_target *target = default_target();
    wire_connect(target);
    uint64_t resets = sim_target_wire_stats(target)->line_resets;
    wire_idle(target, 2); /* the released cycle after the last read already counted as a one */
    wire_high(target, 49);
    wire_idle(target, 2);
    assert_int_equal(sim_target_wire_stats(target)->line_resets, resets);
    /* The ones were parsed as a bad packet: locked out. */
    wire_expect_read(target, false, WIRE_DP_DPIDR, WIRE_ACK_NONE);
    wire_high(target, 50);
    wire_idle(target, 2);
    assert_int_equal(sim_target_wire_stats(target)->line_resets, resets + 1);
    wire_expect_read(target, false, WIRE_DP_DPIDR, WIRE_ACK_OK);
    wire_target_destroy(target);
}

static void test_line_reset_returns_to_reset_state(void **state)
{
    (void)state;
    struct sim_target *target = default_target();
    wire_connect(target);
    wire_line_reset(target);
    wire_expect_read(target, false, WIRE_DP_CTRL_STAT, WIRE_ACK_NONE);
    wire_target_destroy(target);
}

static void test_released_cycles_count_toward_line_reset(void **state)
{
    (void)state;
    struct sim_target *target = default_target();
    wire_connect(target);
    /* A request with bad parity ends with park = 1; the 20 released cycles read as ones through the pull-up; 29
     * driven ones make the run exactly 50 long. */
    wire_write_bits(target, wire_request(false, true, WIRE_DP_DPIDR) ^ (1u << 5), 8);
    for (unsigned i = 0; i < 20; i++)
        wire_read_bit(target);
    wire_high(target, 29);
    wire_idle(target, 2);
    wire_expect_read(target, false, WIRE_DP_DPIDR, WIRE_ACK_OK);
    wire_target_destroy(target);
}

static void test_read_ok_takes_46_cycles_and_next_start_bit_follows(void **state)
{
    (void)state;
    struct sim_target *target = default_target();
    wire_connect(target);
    uint64_t before = sim_target_swclk_cycles(target);
    wire_expect_read(target, false, WIRE_DP_DPIDR, WIRE_ACK_OK);
    assert_int_equal(sim_target_swclk_cycles(target) - before, 46);
    before = sim_target_swclk_cycles(target);
    wire_expect_write(target, false, WIRE_DP_SELECT, 0, WIRE_ACK_OK);
    assert_int_equal(sim_target_swclk_cycles(target) - before, 46);
    wire_expect_read(target, false, WIRE_DP_DPIDR, WIRE_ACK_OK);
    wire_target_destroy(target);
}

static void test_target_drives_only_ack_and_read_data_cycles(void **state)
{
    (void)state;
    struct sim_target *target = default_target();
    wire_connect(target);
    /* A DPIDR read clocked by hand: after each cycle, who drives decides what the host can sample. */
    wire_write_bits(target, wire_request(false, true, WIRE_DP_DPIDR), 8);
    sim_target_swd_cycle(target, false, false); /* edge 8: ACK bit 0 launched */
    assert_true(sim_target_swdio(target));
    sim_target_swd_cycle(target, false, false); /* edge 9 */
    assert_false(sim_target_swdio(target));
    sim_target_swd_cycle(target, false, false); /* edge 10 */
    assert_false(sim_target_swdio(target));
    uint32_t value = 0;
    for (unsigned i = 0; i < 32; i++) {
        sim_target_swd_cycle(target, false, false); /* edges 11..42 */
        value |= (uint32_t)sim_target_swdio(target) << i;
    }
    assert_int_equal(value, DPIDR_F1);
    sim_target_swd_cycle(target, false, false); /* edge 43: parity (0x1BA01477 has 14 ones) */
    assert_false(sim_target_swdio(target));
    sim_target_swd_cycle(target, false, false); /* edge 44: released, pull-up */
    assert_true(sim_target_swdio(target));
    sim_target_swd_cycle(target, false, false); /* edge 45 */
    assert_int_equal(sim_target_wire_stats(target)->contention_cycles, 0);
    wire_expect_read(target, false, WIRE_DP_DPIDR, WIRE_ACK_OK);
    wire_target_destroy(target);
}

static void test_host_driving_during_ack_counts_contention(void **state)
{
    (void)state;
    struct sim_target *target = default_target();
    wire_connect(target);
    wire_write_bits(target, wire_request(false, true, WIRE_DP_DPIDR), 8);
    sim_target_swd_cycle(target, true, false); /* turnaround driven: nobody else drives yet */
    assert_int_equal(sim_target_wire_stats(target)->contention_cycles, 1); /* the target launched ACK */
    sim_target_swd_cycle(target, true, false);
    assert_int_equal(sim_target_wire_stats(target)->contention_cycles, 2);
    assert_false(sim_target_swdio(target)); /* ACK bit 1 wins the contention */
    wire_target_destroy(target);
}

static void test_correct_host_causes_no_contention(void **state)
{
    (void)state;
    struct sim_target *target = default_target();
    wire_connect(target);
    wire_ap_write(target, WIRE_AP_CSW, 0x23000002);
    wire_ap_write(target, WIRE_AP_TAR, WIRE_SRAM_BASE);
    wire_ap_write(target, WIRE_AP_DRW, 0x12345678);
    assert_int_equal(wire_ap_read(target, WIRE_AP_DRW), 0x12345678);
    wire_expect_read(target, false, WIRE_DP_RESEND, WIRE_ACK_OK);
    assert_int_equal(sim_target_wire_stats(target)->contention_cycles, 0);
    assert_int_equal(sim_target_wire_stats(target)->protocol_errors, 0);
    wire_target_destroy(target);
}

static void test_swd_to_jtag_sequence_returns_to_jtag_mode(void **state)
{
    (void)state;
    struct sim_target *target = default_target();
    wire_connect(target);
    wire_high(target, 60);
    wire_write_bits(target, 0xE73C, 16);
    wire_high(target, 5);
    assert_int_equal(sim_target_swj_mode(target), SIM_SWJ_JTAG);
    wire_line_reset(target);
    wire_expect_read(target, false, WIRE_DP_DPIDR, WIRE_ACK_NONE);
    wire_jtag_to_swd(target);
    wire_expect_read(target, false, WIRE_DP_DPIDR, WIRE_ACK_OK);
    wire_target_destroy(target);
}

static void test_jtag_to_swd_while_in_swd_needs_the_line_reset_after_it(void **state)
{
    (void)state;
    struct sim_target *target = default_target();
    wire_connect(target);
    uint64_t errors = sim_target_wire_stats(target)->protocol_errors;
    wire_jtag_to_swd(target);
    /* Two bad packets: the first ones before they became a line reset, then the sequence itself. */
    assert_int_equal(sim_target_wire_stats(target)->protocol_errors, errors + 2);
    assert_int_equal(sim_target_swj_mode(target), SIM_SWJ_SWD);
    wire_expect_read(target, false, WIRE_DP_DPIDR, WIRE_ACK_OK);
    wire_target_destroy(target);
}

static void test_swd_power_on_mode_still_needs_line_reset(void **state)
{
    (void)state;
    struct sim_target_config config;
    sim_target_default_config(&config);
    config.power_on_mode = SIM_SWJ_SWD;
    struct sim_target *target = wire_target_with_sram(&config);
    wire_idle(target, 2);
    wire_expect_read(target, false, WIRE_DP_DPIDR, WIRE_ACK_NONE);
    wire_line_reset(target);
    wire_expect_read(target, false, WIRE_DP_DPIDR, WIRE_ACK_OK);
    wire_target_destroy(target);
}

static void test_idle_bits_between_packets_are_ignored(void **state)
{
    (void)state;
    struct sim_target *target = default_target();
    wire_connect(target);
    for (unsigned idle = 0; idle < 10; idle++) {
        wire_idle(target, idle);
        wire_expect_read(target, false, WIRE_DP_DPIDR, WIRE_ACK_OK);
    }
    wire_target_destroy(target);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_jtag_to_swd_then_dpidr_read_answers),
        cmocka_unit_test(test_dpidr_read_in_jtag_mode_gets_no_answer),
        cmocka_unit_test(test_jtag_to_swd_without_following_line_reset_gets_no_answer),
        cmocka_unit_test(test_select_sequence_needs_50_ones_before_it),
        cmocka_unit_test(test_first_packet_after_line_reset_must_be_dpidr_read),
        cmocka_unit_test(test_write_as_first_packet_after_line_reset_gets_no_answer),
        cmocka_unit_test(test_bad_request_parity_locks_out_until_line_reset),
        cmocka_unit_test(test_stop_bit_set_is_a_protocol_error),
        cmocka_unit_test(test_park_bit_is_not_checked),
        cmocka_unit_test(test_line_reset_needs_50_ones),
        cmocka_unit_test(test_line_reset_returns_to_reset_state),
        cmocka_unit_test(test_released_cycles_count_toward_line_reset),
        cmocka_unit_test(test_read_ok_takes_46_cycles_and_next_start_bit_follows),
        cmocka_unit_test(test_target_drives_only_ack_and_read_data_cycles),
        cmocka_unit_test(test_host_driving_during_ack_counts_contention),
        cmocka_unit_test(test_correct_host_causes_no_contention),
        cmocka_unit_test(test_swd_to_jtag_sequence_returns_to_jtag_mode),
        cmocka_unit_test(test_jtag_to_swd_while_in_swd_needs_the_line_reset_after_it),
        cmocka_unit_test(test_swd_power_on_mode_still_needs_line_reset),
        cmocka_unit_test(test_idle_bits_between_packets_are_ignored),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
