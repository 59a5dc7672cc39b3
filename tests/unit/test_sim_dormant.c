/*
 * test_sim_dormant.c - the dormant state of a dormant-capable SWJ-DP (entry from SWD and JTAG, wake-up by
 * selection alert and activation code) and multidrop selection with TARGETSEL on DPv2.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "sim_wire_driver.h"

#define DPIDR_DPV2      0x6BA02477u
#define TARGETID        0x01002927u
#define ACTIVATION_SWDP 0x1Au

static const uint8_t selection_alert[16] = {0x92, 0xF3, 0x09, 0x62, 0x95, 0x2D, 0x85, 0x86,
                                            0xE9, 0xAF, 0xDD, 0xE3, 0xA2, 0x0E, 0xBC, 0x19};

static struct sim_target *dpv2_target(enum sim_swj_mode power_on_mode)
{
    struct sim_target_config config;
    sim_target_default_config(&config);
    config.dpidr = DPIDR_DPV2;
    config.targetid = TARGETID;
    config.dormant_capable = true;
    config.power_on_mode = power_on_mode;
    return wire_target_with_sram(&config);
}

/* Dormant to SWD as a host sends it: at least 8 ones, the alert, 4 low cycles, the activation code, a line reset. */
static void wake_to_swd(struct sim_target *target, uint8_t activation_code)
{
    wire_high(target, 8);
    for (unsigned i = 0; i < sizeof(selection_alert); i++)
        wire_write_bits(target, selection_alert[i], 8);
    wire_idle(target, 4);
    wire_write_bits(target, activation_code, 8);
    wire_line_reset(target);
}

static void swd_to_dormant(struct sim_target *target)
{
    wire_high(target, 60);
    wire_write_bits(target, 0xE3BC, 16);
}

static void test_dormant_capable_target_wakes_on_selection_alert(void **state)
{
    (void)state;
    struct sim_target *target = dpv2_target(SIM_SWJ_DORMANT);
    wire_line_reset(target);
    wire_expect_read(target, false, WIRE_DP_DPIDR, WIRE_ACK_NONE);
    wake_to_swd(target, ACTIVATION_SWDP);
    assert_int_equal(sim_target_swj_mode(target), SIM_SWJ_SWD);
    assert_int_equal(wire_expect_read(target, false, WIRE_DP_DPIDR, WIRE_ACK_OK), DPIDR_DPV2);
    wire_target_destroy(target);
}

static void test_wake_up_still_needs_a_line_reset(void **state)
{
    (void)state;
    struct sim_target *target = dpv2_target(SIM_SWJ_DORMANT);
    wire_high(target, 8);
    for (unsigned i = 0; i < sizeof(selection_alert); i++)
        wire_write_bits(target, selection_alert[i], 8);
    wire_idle(target, 4);
    wire_write_bits(target, ACTIVATION_SWDP, 8);
    wire_idle(target, 2);
    assert_int_equal(sim_target_swj_mode(target), SIM_SWJ_SWD);
    wire_expect_read(target, false, WIRE_DP_DPIDR, WIRE_ACK_NONE);
    wire_target_destroy(target);
}

static void test_default_target_ignores_selection_alert(void **state)
{
    (void)state;
    struct sim_target *target = wire_target_with_sram(NULL);
    wake_to_swd(target, ACTIVATION_SWDP);
    assert_int_equal(sim_target_swj_mode(target), SIM_SWJ_JTAG);
    wire_expect_read(target, false, WIRE_DP_DPIDR, WIRE_ACK_NONE);
    wire_target_destroy(target);
}

static void test_wrong_activation_code_keeps_target_dormant(void **state)
{
    (void)state;
    struct sim_target *target = dpv2_target(SIM_SWJ_DORMANT);
    wake_to_swd(target, 0x0A); /* the JTAG-DP's code: this SW-DP stays asleep */
    assert_int_equal(sim_target_swj_mode(target), SIM_SWJ_DORMANT);
    wake_to_swd(target, ACTIVATION_SWDP);
    assert_int_equal(sim_target_swj_mode(target), SIM_SWJ_SWD);
    wire_target_destroy(target);
}

static void test_corrupted_selection_alert_keeps_target_dormant(void **state)
{
    (void)state;
    struct sim_target *target = dpv2_target(SIM_SWJ_DORMANT);
    wire_high(target, 8);
    for (unsigned i = 0; i < sizeof(selection_alert); i++)
        wire_write_bits(target, i == 7 ? selection_alert[i] ^ 0x10 : selection_alert[i], 8);
    wire_idle(target, 4);
    wire_write_bits(target, ACTIVATION_SWDP, 8);
    wire_line_reset(target);
    assert_int_equal(sim_target_swj_mode(target), SIM_SWJ_DORMANT);
    wire_target_destroy(target);
}

static void test_swd_to_dormant_sequence_enters_dormant(void **state)
{
    (void)state;
    struct sim_target *target = dpv2_target(SIM_SWJ_JTAG);
    wire_connect(target);
    swd_to_dormant(target);
    assert_int_equal(sim_target_swj_mode(target), SIM_SWJ_DORMANT);
    wire_line_reset(target);
    wire_expect_read(target, false, WIRE_DP_DPIDR, WIRE_ACK_NONE);
    wake_to_swd(target, ACTIVATION_SWDP);
    wire_expect_read(target, false, WIRE_DP_DPIDR, WIRE_ACK_OK);
    /* The DP kept its state across the sleep: still powered up. */
    assert_true(wire_expect_read(target, false, WIRE_DP_CTRL_STAT, WIRE_ACK_OK) & WIRE_CTRL_CDBGPWRUPACK);
    wire_target_destroy(target);
}

static void test_non_dormant_target_ignores_swd_to_dormant(void **state)
{
    (void)state;
    struct sim_target *target = wire_target_with_sram(NULL);
    wire_connect(target);
    swd_to_dormant(target);
    assert_int_equal(sim_target_swj_mode(target), SIM_SWJ_SWD);
    /* The sequence was a bad packet (stop bit set): locked out until a line reset. */
    wire_idle(target, 2);
    wire_expect_read(target, false, WIRE_DP_DPIDR, WIRE_ACK_NONE);
    wire_line_reset(target);
    wire_expect_read(target, false, WIRE_DP_DPIDR, WIRE_ACK_OK);
    wire_target_destroy(target);
}

static void test_jtag_to_dormant_sequence_enters_dormant(void **state)
{
    (void)state;
    struct sim_target *target = dpv2_target(SIM_SWJ_JTAG);
    wire_high(target, 8);
    wire_write_bits(target, 0x33BBBBBA, 31);
    assert_int_equal(sim_target_swj_mode(target), SIM_SWJ_DORMANT);
    wake_to_swd(target, ACTIVATION_SWDP);
    wire_expect_read(target, false, WIRE_DP_DPIDR, WIRE_ACK_OK);
    wire_target_destroy(target);
}

static unsigned targetsel(struct sim_target *target, uint32_t value)
{
    return wire_packet(target, wire_request(false, false, WIRE_DP_TARGETSEL), &value, WIRE_IGNORE_ACK);
}

static void test_targetsel_of_this_target_keeps_it_selected(void **state)
{
    (void)state;
    struct sim_target *target = dpv2_target(SIM_SWJ_DORMANT);
    wake_to_swd(target, ACTIVATION_SWDP);
    uint64_t cycles = sim_target_swclk_cycles(target);
    assert_int_equal(targetsel(target, TARGETID), WIRE_ACK_NONE); /* nobody drives the ACK of a TARGETSEL */
    assert_int_equal(sim_target_swclk_cycles(target) - cycles, 46);
    assert_int_equal(wire_expect_read(target, false, WIRE_DP_DPIDR, WIRE_ACK_OK), DPIDR_DPV2);
    assert_int_equal(sim_target_wire_stats(target)->contention_cycles, 0);
    wire_target_destroy(target);
}

static void test_targetsel_of_another_target_deselects_until_line_reset(void **state)
{
    (void)state;
    struct sim_target *target = dpv2_target(SIM_SWJ_DORMANT);
    wake_to_swd(target, ACTIVATION_SWDP);
    targetsel(target, TARGETID | 0x10000000u); /* instance 1 */
    wire_expect_read(target, false, WIRE_DP_DPIDR, WIRE_ACK_NONE);
    wire_line_reset(target);
    targetsel(target, 0x01002929u); /* another part number */
    wire_expect_read(target, false, WIRE_DP_DPIDR, WIRE_ACK_NONE);
    wire_line_reset(target);
    targetsel(target, TARGETID);
    wire_expect_read(target, false, WIRE_DP_DPIDR, WIRE_ACK_OK);
    wire_target_destroy(target);
}

static void test_targetsel_is_not_valid_on_dpv1(void **state)
{
    (void)state;
    struct sim_target *target = wire_target_with_sram(NULL);
    wire_jtag_to_swd(target);
    targetsel(target, 0);
    wire_expect_read(target, false, WIRE_DP_DPIDR, WIRE_ACK_NONE);
    wire_target_destroy(target);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dormant_capable_target_wakes_on_selection_alert),
        cmocka_unit_test(test_wake_up_still_needs_a_line_reset),
        cmocka_unit_test(test_default_target_ignores_selection_alert),
        cmocka_unit_test(test_wrong_activation_code_keeps_target_dormant),
        cmocka_unit_test(test_corrupted_selection_alert_keeps_target_dormant),
        cmocka_unit_test(test_swd_to_dormant_sequence_enters_dormant),
        cmocka_unit_test(test_non_dormant_target_ignores_swd_to_dormant),
        cmocka_unit_test(test_jtag_to_dormant_sequence_enters_dormant),
        cmocka_unit_test(test_targetsel_of_this_target_keeps_it_selected),
        cmocka_unit_test(test_targetsel_of_another_target_deselects_until_line_reset),
        cmocka_unit_test(test_targetsel_is_not_valid_on_dpv1),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
