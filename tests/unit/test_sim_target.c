/*
 * test_sim_target.c - the simulated target as a whole: its default configuration, configuration checks, the
 * simulated timeline, and the line when nobody drives it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "sim_wire_driver.h"

#define PS_PER_SECOND 1000000000000ull

static struct sim_target *default_target(void)
{
    struct sim_target_config config;
    sim_target_default_config(&config);
    struct sim_target *target = sim_target_create(&config);
    assert_non_null(target);
    return target;
}

static void test_default_config_is_a_blue_pill_debug_port(void **state)
{
    (void)state;
    struct sim_target_config config;
    sim_target_default_config(&config);
    assert_int_equal(config.dpidr, 0x1BA01477);
    assert_int_equal(config.targetid, 0);
    assert_false(config.dormant_capable);
    assert_int_equal(config.power_on_mode, SIM_SWJ_JTAG);
    assert_int_equal(config.ap_idr, 0x24770011);
    assert_int_equal(config.ap_base, 0xE00FF003);
    assert_int_equal(config.ap_csw_reset, 0x03000040);
    assert_true(config.ap_sub_word);
    assert_int_equal(config.swclk_hz, 4000000);
    assert_int_equal(config.powerup_delay_ns, 2000);
}

static void test_create_rejects_invalid_configs(void **state)
{
    (void)state;
    struct sim_target_config config;
    sim_target_default_config(&config);
    assert_null(sim_target_create(NULL));
    config.swclk_hz = 0;
    assert_null(sim_target_create(&config));
    sim_target_default_config(&config);
    config.power_on_mode = SIM_SWJ_DORMANT; /* not without dormant support */
    assert_null(sim_target_create(&config));
    config.dormant_capable = true;
    struct sim_target *target = sim_target_create(&config);
    assert_non_null(target);
    assert_int_equal(sim_target_swj_mode(target), SIM_SWJ_DORMANT);
    sim_target_destroy(target);
}

static void test_bus_starts_empty(void **state)
{
    (void)state;
    struct sim_target *target = default_target();
    assert_int_equal(sim_target_bus(target)->region_count, 0);
    sim_target_destroy(target);
}

static void test_each_cycle_advances_time_by_one_period(void **state)
{
    (void)state;
    struct sim_target *target = default_target();
    assert_int_equal(sim_target_now_ps(target), 0);
    wire_idle(target, 3);
    assert_int_equal(sim_target_now_ps(target), 750000);
    assert_int_equal(sim_target_swclk_cycles(target), 3);
    sim_target_destroy(target);
}

static void test_time_does_not_drift_at_an_odd_frequency(void **state)
{
    (void)state;
    struct sim_target *target = default_target();
    sim_target_set_swclk_hz(target, 3000000);
    assert_int_equal(sim_target_swclk_hz(target), 3000000);
    for (unsigned i = 0; i < 3000000; i++)
        sim_target_swd_cycle(target, true, false);
    assert_int_equal(sim_target_now_ps(target), PS_PER_SECOND);
    sim_target_swd_cycle(target, true, false);
    assert_int_equal(sim_target_now_ps(target), PS_PER_SECOND + 333333);
    sim_target_destroy(target);
}

static void test_frequency_change_keeps_time_already_elapsed(void **state)
{
    (void)state;
    struct sim_target *target = default_target();
    wire_idle(target, 4); /* 1 us at 4 MHz */
    sim_target_set_swclk_hz(target, 1000000);
    assert_int_equal(sim_target_now_ps(target), 1000000);
    wire_idle(target, 2);
    assert_int_equal(sim_target_now_ps(target), 3000000);
    sim_target_set_swclk_hz(target, 0); /* ignored */
    assert_int_equal(sim_target_swclk_hz(target), 1000000);
    assert_int_equal(sim_target_swclk_cycles(target), 6);
    sim_target_destroy(target);
}

static void test_idle_advances_time_without_clocking(void **state)
{
    (void)state;
    struct sim_target *target = default_target();
    sim_target_set_swclk_hz(target, 3000000);
    wire_idle(target, 1);
    sim_target_idle(target, 1000);
    assert_int_equal(sim_target_now_ps(target), 333333 + 1000);
    assert_int_equal(sim_target_swclk_cycles(target), 1);
    wire_idle(target, 3);
    assert_int_equal(sim_target_now_ps(target), 333333 + 1000 + 1000000);
    sim_target_destroy(target);
}

static void test_released_line_reads_high(void **state)
{
    (void)state;
    struct sim_target *target = default_target();
    assert_true(sim_target_swdio(target));
    wire_write_bit(target, false);
    assert_false(sim_target_swdio(target));
    sim_target_swd_cycle(target, false, false);
    assert_true(sim_target_swdio(target));
    sim_target_destroy(target);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_default_config_is_a_blue_pill_debug_port),
        cmocka_unit_test(test_create_rejects_invalid_configs),
        cmocka_unit_test(test_bus_starts_empty),
        cmocka_unit_test(test_each_cycle_advances_time_by_one_period),
        cmocka_unit_test(test_time_does_not_drift_at_an_odd_frequency),
        cmocka_unit_test(test_frequency_change_keeps_time_already_elapsed),
        cmocka_unit_test(test_idle_advances_time_without_clocking),
        cmocka_unit_test(test_released_line_reads_high),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
