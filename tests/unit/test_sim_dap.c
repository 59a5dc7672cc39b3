/*
 * test_sim_dap.c - the simulated debug port's registers through the wire: power-up handshake, sticky flags and
 * ABORT, WDATAERR, posted AP reads, RDBUFF and RESEND, WAIT while the bus is stalled, DAPABORT, overrun detection,
 * SELECT banking.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "sim_memory.h"
#include "sim_wire_driver.h"

#define PS_PER_CYCLE_4MHZ 250000u
#define SLOW_BASE         0x30000000u
#define SLOW_LATENCY_PS   100000000u /* 100 us: longer than a few packets at 4 MHz */
#define CSW_32_SINGLE     0x23000012u

static uint32_t ctrl_stat(struct sim_target *target)
{
    return wire_expect_read(target, false, WIRE_DP_CTRL_STAT, WIRE_ACK_OK);
}

static uint8_t *sram(struct sim_target *target)
{
    return sim_memory_data(sim_target_bus(target)->regions[0].ctx);
}

static struct sim_memory *map_memory(struct sim_target *target, uint32_t base, bool writable, uint64_t latency_ps)
{
    struct sim_memory *memory = sim_memory_create(0x1000, writable);
    assert_non_null(memory);
    sim_memory_set_latency_ps(memory, latency_ps);
    assert_true(sim_memory_map(memory, sim_target_bus(target), base, "test"));
    return memory;
}

static void test_powerup_acks_follow_requests_after_delay(void **state)
{
    (void)state;
    struct sim_target_config config;
    sim_target_default_config(&config);
    config.powerup_delay_ns = 100000;
    struct sim_target *target = wire_target_with_sram(&config);
    wire_jtag_to_swd(target);
    wire_expect_read(target, false, WIRE_DP_DPIDR, WIRE_ACK_OK);
    assert_int_equal(ctrl_stat(target), 0);

    wire_expect_write(target, false, WIRE_DP_CTRL_STAT, WIRE_CTRL_CDBGPWRUPREQ | WIRE_CTRL_CSYSPWRUPREQ, WIRE_ACK_OK);
    uint64_t requested = sim_target_now_ps(target); /* the write took effect on its last edge */
    /* The next read is decided on its edge 7, eight cycles on: land it 1 ps before the delay has passed. */
    uint64_t delay_ps = 100000ull * 1000;
    sim_target_idle(target, delay_ps - 8 * PS_PER_CYCLE_4MHZ - 1);
    assert_int_equal(ctrl_stat(target), WIRE_CTRL_CDBGPWRUPREQ | WIRE_CTRL_CSYSPWRUPREQ);
    assert_true(sim_target_now_ps(target) > requested + delay_ps);
    assert_int_equal(ctrl_stat(target),
                     WIRE_CTRL_CDBGPWRUPREQ | WIRE_CTRL_CDBGPWRUPACK | WIRE_CTRL_CSYSPWRUPREQ | WIRE_CTRL_CSYSPWRUPACK);
    wire_target_destroy(target);
}

static void test_powerup_ack_drops_when_request_cleared(void **state)
{
    (void)state;
    struct sim_target *target = wire_target_with_sram(NULL);
    wire_connect(target);
    wire_expect_write(target, false, WIRE_DP_CTRL_STAT, WIRE_CTRL_CSYSPWRUPREQ, WIRE_ACK_OK);
    assert_int_equal(ctrl_stat(target), WIRE_CTRL_CSYSPWRUPREQ | WIRE_CTRL_CSYSPWRUPACK);
    /* Raising it again restarts the delay. */
    wire_expect_write(target, false, WIRE_DP_CTRL_STAT, WIRE_CTRL_CSYSPWRUPREQ | WIRE_CTRL_CDBGPWRUPREQ, WIRE_ACK_OK);
    wire_expect_write(target, false, WIRE_DP_CTRL_STAT, 0, WIRE_ACK_OK);
    assert_int_equal(ctrl_stat(target), 0);
    wire_target_destroy(target);
}

static void test_debug_reset_ack_follows_request_at_once(void **state)
{
    (void)state;
    struct sim_target *target = wire_target_with_sram(NULL);
    wire_connect(target);
    wire_expect_write(target, false, WIRE_DP_CTRL_STAT,
                      WIRE_CTRL_CDBGRSTREQ | WIRE_CTRL_CDBGPWRUPREQ | WIRE_CTRL_CSYSPWRUPREQ, WIRE_ACK_OK);
    assert_true(ctrl_stat(target) & WIRE_CTRL_CDBGRSTACK);
    wire_expect_write(target, false, WIRE_DP_CTRL_STAT, WIRE_CTRL_CDBGPWRUPREQ | WIRE_CTRL_CSYSPWRUPREQ, WIRE_ACK_OK);
    assert_false(ctrl_stat(target) & WIRE_CTRL_CDBGRSTACK);
    wire_target_destroy(target);
}

static void test_ap_access_before_debug_powerup_sets_stickyerr(void **state)
{
    (void)state;
    struct sim_target *target = wire_target_with_sram(NULL);
    wire_jtag_to_swd(target);
    wire_expect_read(target, false, WIRE_DP_DPIDR, WIRE_ACK_OK);
    wire_expect_read(target, true, WIRE_AP_CSW, WIRE_ACK_OK);
    assert_int_equal(ctrl_stat(target) & WIRE_CTRL_STICKYERR, WIRE_CTRL_STICKYERR);
    wire_expect_read(target, false, WIRE_DP_RDBUFF, WIRE_ACK_FAULT);
    wire_target_destroy(target);
}

/* Reads an unmapped address: the access completes at once with a bus error. */
static void raise_stickyerr(struct sim_target *target)
{
    wire_ap_write(target, WIRE_AP_CSW, CSW_32_SINGLE);
    wire_ap_write(target, WIRE_AP_TAR, 0x60000000);
    wire_expect_read(target, true, WIRE_AP_DRW, WIRE_ACK_OK);
    assert_true(ctrl_stat(target) & WIRE_CTRL_STICKYERR);
}

static void test_sticky_error_faults_everything_but_dpidr_ctrlstat_and_abort(void **state)
{
    (void)state;
    struct sim_target *target = wire_target_with_sram(NULL);
    wire_connect(target);
    raise_stickyerr(target);
    uint64_t faults = sim_target_wire_stats(target)->packets_fault;
    wire_expect_read(target, true, WIRE_AP_CSW, WIRE_ACK_FAULT);
    wire_expect_write(target, true, WIRE_AP_TAR, WIRE_SRAM_BASE, WIRE_ACK_FAULT);
    wire_expect_read(target, false, WIRE_DP_RDBUFF, WIRE_ACK_FAULT);
    wire_expect_read(target, false, WIRE_DP_RESEND, WIRE_ACK_FAULT);
    wire_expect_write(target, false, WIRE_DP_SELECT, 0, WIRE_ACK_FAULT);
    wire_expect_write(target, false, WIRE_DP_CTRL_STAT, 0, WIRE_ACK_FAULT);
    assert_int_equal(sim_target_wire_stats(target)->packets_fault, faults + 6);
    wire_expect_read(target, false, WIRE_DP_DPIDR, WIRE_ACK_OK);
    /* The faulted CTRL/STAT write did nothing: still powered. */
    assert_true(ctrl_stat(target) & WIRE_CTRL_CDBGPWRUPACK);
    /* ABORT without STKERRCLR leaves the flag. */
    wire_expect_write(target, false, WIRE_DP_ABORT, 0x1A, WIRE_ACK_OK);
    wire_expect_read(target, true, WIRE_AP_CSW, WIRE_ACK_FAULT);
    wire_expect_write(target, false, WIRE_DP_ABORT, 0x04, WIRE_ACK_OK);
    assert_false(ctrl_stat(target) & WIRE_CTRL_STICKYERR);
    /* TAR was not changed by the faulted write. */
    assert_int_equal(wire_ap_read(target, WIRE_AP_TAR), 0x60000000);
    wire_target_destroy(target);
}

static void test_bad_write_parity_sets_wdataerr_and_discards_write(void **state)
{
    (void)state;
    struct sim_target *target = wire_target_with_sram(NULL);
    wire_connect(target);
    wire_ap_write(target, WIRE_AP_TAR, WIRE_SRAM_BASE);
    uint32_t data = WIRE_SRAM_BASE + 0x100;
    assert_int_equal(wire_packet(target, wire_request(true, false, WIRE_AP_TAR), &data, WIRE_BAD_PARITY), WIRE_ACK_OK);
    assert_int_equal(sim_target_wire_stats(target)->write_parity_errors, 1);
    assert_int_equal(ctrl_stat(target) & WIRE_CTRL_WDATAERR, WIRE_CTRL_WDATAERR);
    wire_expect_read(target, true, WIRE_AP_TAR, WIRE_ACK_FAULT);
    wire_expect_write(target, false, WIRE_DP_ABORT, 0x08, WIRE_ACK_OK); /* WDERRCLR */
    assert_int_equal(wire_ap_read(target, WIRE_AP_TAR), WIRE_SRAM_BASE);
    assert_int_equal(sim_target_wire_stats(target)->protocol_errors, 0);
    wire_target_destroy(target);
}

static void test_ap_reads_are_posted_and_rdbuff_returns_the_last(void **state)
{
    (void)state;
    struct sim_target *target = wire_target_with_sram(NULL);
    wire_connect(target);
    uint32_t words[] = {0x11111111, 0x22222222, 0x33333333};
    memcpy(sram(target), words, sizeof(words));
    wire_ap_write(target, WIRE_AP_CSW, CSW_32_SINGLE);
    wire_ap_write(target, WIRE_AP_TAR, WIRE_SRAM_BASE);
    uint32_t stale = wire_expect_read(target, true, WIRE_AP_DRW, WIRE_ACK_OK);
    assert_int_equal(stale, 0); /* nothing was read before */
    assert_int_equal(wire_expect_read(target, true, WIRE_AP_DRW, WIRE_ACK_OK), words[0]);
    assert_int_equal(wire_expect_read(target, true, WIRE_AP_DRW, WIRE_ACK_OK), words[1]);
    assert_int_equal(wire_expect_read(target, false, WIRE_DP_RDBUFF, WIRE_ACK_OK), words[2]);
    /* RDBUFF has no side effect: same data, and TAR moved only three times. */
    assert_int_equal(wire_expect_read(target, false, WIRE_DP_RDBUFF, WIRE_ACK_OK), words[2]);
    assert_int_equal(wire_ap_read(target, WIRE_AP_TAR), WIRE_SRAM_BASE + 12);
    wire_target_destroy(target);
}

static void test_resend_returns_last_read_data_without_a_transaction(void **state)
{
    (void)state;
    struct sim_target *target = wire_target_with_sram(NULL);
    wire_connect(target);
    memcpy(sram(target), &(uint32_t){0xCAFEF00D}, 4);
    wire_ap_write(target, WIRE_AP_CSW, CSW_32_SINGLE);
    wire_ap_write(target, WIRE_AP_TAR, WIRE_SRAM_BASE);
    assert_int_equal(wire_ap_read(target, WIRE_AP_DRW), 0xCAFEF00D);
    assert_int_equal(wire_expect_read(target, false, WIRE_DP_RESEND, WIRE_ACK_OK), 0xCAFEF00D);
    assert_int_equal(wire_expect_read(target, false, WIRE_DP_RESEND, WIRE_ACK_OK), 0xCAFEF00D);
    /* An AP read's data phase carries the previous result, and RESEND repeats exactly that. */
    uint32_t posted = wire_expect_read(target, true, WIRE_AP_TAR, WIRE_ACK_OK);
    assert_int_equal(wire_expect_read(target, false, WIRE_DP_RESEND, WIRE_ACK_OK), posted);
    assert_int_equal(wire_ap_read(target, WIRE_AP_TAR), WIRE_SRAM_BASE + 4);
    wire_target_destroy(target);
}

static void test_wait_while_slow_access_pending_then_ok(void **state)
{
    (void)state;
    struct sim_target *target = wire_target_with_sram(NULL);
    struct sim_memory *slow = map_memory(target, SLOW_BASE, true, SLOW_LATENCY_PS);
    memcpy(sim_memory_data(slow), &(uint32_t){0x5A5AA5A5}, 4);
    wire_connect(target);
    wire_ap_write(target, WIRE_AP_CSW, CSW_32_SINGLE);
    wire_ap_write(target, WIRE_AP_TAR, SLOW_BASE);
    wire_expect_read(target, true, WIRE_AP_DRW, WIRE_ACK_OK);
    uint64_t started = sim_target_now_ps(target);
    wire_expect_read(target, false, WIRE_DP_RDBUFF, WIRE_ACK_WAIT);
    wire_expect_read(target, true, WIRE_AP_CSW, WIRE_ACK_WAIT);
    wire_expect_write(target, true, WIRE_AP_TAR, 0, WIRE_ACK_WAIT);
    /* DP registers other than RDBUFF never wait. */
    assert_false(ctrl_stat(target) & WIRE_CTRL_READOK);
    wire_expect_write(target, false, WIRE_DP_SELECT, 0, WIRE_ACK_OK);
    unsigned waits = 0;
    uint32_t data;
    while (wire_read(target, false, WIRE_DP_RDBUFF, &data) == WIRE_ACK_WAIT)
        waits++;
    assert_int_equal(data, 0x5A5AA5A5);
    assert_true(sim_target_now_ps(target) >= started + SLOW_LATENCY_PS);
    assert_true(waits > 0);
    assert_true(ctrl_stat(target) & WIRE_CTRL_READOK);
    /* The slow write is posted the same way: the next AP access waits for it. */
    wire_ap_write(target, WIRE_AP_TAR, SLOW_BASE + 4);
    wire_ap_write(target, WIRE_AP_DRW, 0x01020304);
    wire_expect_read(target, true, WIRE_AP_CSW, WIRE_ACK_WAIT);
    sim_target_idle(target, SLOW_LATENCY_PS);
    wire_expect_read(target, true, WIRE_AP_CSW, WIRE_ACK_OK);
    assert_memory_equal(sim_memory_data(slow) + 4, &(uint32_t){0x01020304}, 4);
    wire_target_destroy(target);
}

static void test_dapabort_frees_never_completing_access(void **state)
{
    (void)state;
    struct sim_target *target = wire_target_with_sram(NULL);
    map_memory(target, SLOW_BASE, true, UINT64_MAX);
    wire_connect(target);
    wire_ap_write(target, WIRE_AP_CSW, CSW_32_SINGLE);
    wire_ap_write(target, WIRE_AP_TAR, SLOW_BASE);
    wire_expect_read(target, true, WIRE_AP_DRW, WIRE_ACK_OK);
    for (unsigned i = 0; i < 10; i++) {
        wire_expect_read(target, false, WIRE_DP_RDBUFF, WIRE_ACK_WAIT);
        sim_target_idle(target, 1000000000);
    }
    wire_expect_write(target, false, WIRE_DP_ABORT, WIRE_ABORT_DAPABORT, WIRE_ACK_OK);
    uint32_t csw = wire_ap_read(target, WIRE_AP_CSW);
    assert_int_equal(csw & 0xFF, 0x52); /* 32-bit, single increment, DeviceEn, no transfer in progress */
    assert_int_equal(ctrl_stat(target) & (WIRE_CTRL_STICKYERR | WIRE_CTRL_WDATAERR | WIRE_CTRL_STICKYORUN), 0);
    wire_target_destroy(target);
}

static void test_bus_error_sets_stickyerr_when_access_completes(void **state)
{
    (void)state;
    struct sim_target *target = wire_target_with_sram(NULL);
    map_memory(target, SLOW_BASE, false, SLOW_LATENCY_PS);
    wire_connect(target);
    wire_ap_write(target, WIRE_AP_CSW, CSW_32_SINGLE);
    wire_ap_write(target, WIRE_AP_TAR, SLOW_BASE);
    wire_ap_write(target, WIRE_AP_DRW, 0xFFFFFFFF);
    assert_false(ctrl_stat(target) & WIRE_CTRL_STICKYERR);
    sim_target_idle(target, SLOW_LATENCY_PS);
    assert_true(ctrl_stat(target) & WIRE_CTRL_STICKYERR);
    /* A failed transfer does not move TAR. */
    wire_expect_write(target, false, WIRE_DP_ABORT, WIRE_ABORT_CLEAR_ALL, WIRE_ACK_OK);
    assert_int_equal(wire_ap_read(target, WIRE_AP_TAR), SLOW_BASE);
    wire_target_destroy(target);
}

static void test_wait_without_orundetect_takes_13_cycles(void **state)
{
    (void)state;
    struct sim_target *target = wire_target_with_sram(NULL);
    map_memory(target, SLOW_BASE, true, SLOW_LATENCY_PS);
    wire_connect(target);
    wire_ap_write(target, WIRE_AP_TAR, SLOW_BASE);
    wire_expect_read(target, true, WIRE_AP_DRW, WIRE_ACK_OK);
    uint64_t before = sim_target_swclk_cycles(target);
    wire_expect_read(target, false, WIRE_DP_RDBUFF, WIRE_ACK_WAIT);
    assert_int_equal(sim_target_swclk_cycles(target) - before, 13);
    wire_expect_read(target, false, WIRE_DP_DPIDR, WIRE_ACK_OK);
    assert_int_equal(sim_target_wire_stats(target)->packets_wait, 1);
    wire_target_destroy(target);
}

static void test_orundetect_adds_data_phase_and_sets_stickyorun(void **state)
{
    (void)state;
    struct sim_target *target = wire_target_with_sram(NULL);
    map_memory(target, SLOW_BASE, true, SLOW_LATENCY_PS);
    wire_connect(target);
    wire_expect_write(target, false, WIRE_DP_CTRL_STAT,
                      WIRE_CTRL_CDBGPWRUPREQ | WIRE_CTRL_CSYSPWRUPREQ | WIRE_CTRL_ORUNDETECT, WIRE_ACK_OK);
    wire_ap_write(target, WIRE_AP_CSW, CSW_32_SINGLE);
    wire_ap_write(target, WIRE_AP_TAR, SLOW_BASE);
    wire_expect_read(target, true, WIRE_AP_DRW, WIRE_ACK_OK);

    uint64_t before = sim_target_swclk_cycles(target);
    uint32_t data = 0xFFFFFFFF;
    assert_int_equal(wire_packet(target, wire_request(false, true, WIRE_DP_RDBUFF), &data, WIRE_DATA_PHASE_ALWAYS),
                     WIRE_ACK_WAIT);
    assert_int_equal(sim_target_swclk_cycles(target) - before, 46);
    assert_int_equal(data, 0);
    assert_true(ctrl_stat(target) & WIRE_CTRL_STICKYORUN);

    /* A refused write keeps its data phase too, and its data are ignored. */
    before = sim_target_swclk_cycles(target);
    data = 0x12345678;
    assert_int_equal(wire_packet(target, wire_request(true, false, WIRE_AP_TAR), &data, WIRE_DATA_PHASE_ALWAYS),
                     WIRE_ACK_FAULT);
    assert_int_equal(sim_target_swclk_cycles(target) - before, 46);
    wire_expect_read(target, false, WIRE_DP_DPIDR, WIRE_ACK_OK);
    sim_target_idle(target, SLOW_LATENCY_PS);
    wire_expect_write(target, false, WIRE_DP_ABORT, 0x10, WIRE_ACK_OK);            /* ORUNERRCLR */
    assert_int_equal(wire_expect_read(target, true, WIRE_AP_TAR, WIRE_ACK_OK), 0); /* previous read buffer */
    assert_int_equal(wire_expect_read(target, false, WIRE_DP_RDBUFF, WIRE_ACK_OK), SLOW_BASE + 4);
    wire_target_destroy(target);
}

static void test_readok_tracks_the_last_ap_or_rdbuff_read(void **state)
{
    (void)state;
    struct sim_target *target = wire_target_with_sram(NULL);
    map_memory(target, SLOW_BASE, true, SLOW_LATENCY_PS);
    wire_connect(target);
    assert_false(ctrl_stat(target) & WIRE_CTRL_READOK);
    wire_ap_read(target, WIRE_AP_CSW);
    assert_true(ctrl_stat(target) & WIRE_CTRL_READOK);
    wire_ap_write(target, WIRE_AP_TAR, SLOW_BASE);
    wire_expect_read(target, true, WIRE_AP_DRW, WIRE_ACK_OK);
    wire_expect_read(target, true, WIRE_AP_DRW, WIRE_ACK_WAIT);
    assert_false(ctrl_stat(target) & WIRE_CTRL_READOK);
    wire_target_destroy(target);
}

static void test_ap_without_implementation_reads_as_zero(void **state)
{
    (void)state;
    struct sim_target *target = wire_target_with_sram(NULL);
    wire_connect(target);
    wire_expect_write(target, false, WIRE_DP_SELECT, 0x010000F0, WIRE_ACK_OK);
    assert_int_equal(wire_ap_read(target, 0xC), 0); /* IDR */
    wire_expect_write(target, false, WIRE_DP_SELECT, 0x01000000, WIRE_ACK_OK);
    wire_ap_write(target, WIRE_AP_TAR, 0x12345678);
    assert_int_equal(wire_ap_read(target, WIRE_AP_TAR), 0);
    wire_expect_write(target, false, WIRE_DP_SELECT, 0x000000F0, WIRE_ACK_OK);
    assert_int_equal(wire_ap_read(target, 0xC), 0x24770011);
    assert_int_equal(wire_ap_read(target, 0x8), 0xE00FF003);
    assert_int_equal(wire_ap_read(target, 0x4), 0);
    wire_target_destroy(target);
}

static void test_ctrlsel_reads_dlcr_on_dpv1(void **state)
{
    (void)state;
    struct sim_target *target = wire_target_with_sram(NULL);
    wire_connect(target);
    wire_expect_write(target, false, WIRE_DP_SELECT, 0x1, WIRE_ACK_OK);
    assert_int_equal(wire_expect_read(target, false, WIRE_DP_CTRL_STAT, WIRE_ACK_OK), 0x40);
    /* DPBANKSEL does not exist on DPv1: bank 2 is not TARGETID. */
    wire_expect_write(target, false, WIRE_DP_SELECT, 0x2, WIRE_ACK_OK);
    assert_true(ctrl_stat(target) & WIRE_CTRL_CDBGPWRUPACK);
    wire_target_destroy(target);
}

static void test_dpv2_banks_hold_dlcr_targetid_dlpidr_eventstat(void **state)
{
    (void)state;
    struct sim_target_config config;
    sim_target_default_config(&config);
    config.dpidr = 0x6BA02477;
    config.targetid = 0x04500041;
    struct sim_target *target = wire_target_with_sram(&config);
    wire_connect(target);
    const uint32_t expected[] = {0, 0x40, 0x04500041, 0x00000001, 0};
    for (uint32_t bank = 1; bank <= 4; bank++) {
        wire_expect_write(target, false, WIRE_DP_SELECT, bank, WIRE_ACK_OK);
        assert_int_equal(wire_expect_read(target, false, WIRE_DP_CTRL_STAT, WIRE_ACK_OK), expected[bank]);
    }
    /* Banked registers are read-only: a write to TARGETID changes nothing. */
    wire_expect_write(target, false, WIRE_DP_SELECT, 2, WIRE_ACK_OK);
    wire_expect_write(target, false, WIRE_DP_CTRL_STAT, 0, WIRE_ACK_OK);
    assert_int_equal(wire_expect_read(target, false, WIRE_DP_CTRL_STAT, WIRE_ACK_OK), 0x04500041);
    wire_expect_write(target, false, WIRE_DP_SELECT, 0, WIRE_ACK_OK);
    assert_true(ctrl_stat(target) & WIRE_CTRL_CDBGPWRUPACK);
    wire_target_destroy(target);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_powerup_acks_follow_requests_after_delay),
        cmocka_unit_test(test_powerup_ack_drops_when_request_cleared),
        cmocka_unit_test(test_debug_reset_ack_follows_request_at_once),
        cmocka_unit_test(test_ap_access_before_debug_powerup_sets_stickyerr),
        cmocka_unit_test(test_sticky_error_faults_everything_but_dpidr_ctrlstat_and_abort),
        cmocka_unit_test(test_bad_write_parity_sets_wdataerr_and_discards_write),
        cmocka_unit_test(test_ap_reads_are_posted_and_rdbuff_returns_the_last),
        cmocka_unit_test(test_resend_returns_last_read_data_without_a_transaction),
        cmocka_unit_test(test_wait_while_slow_access_pending_then_ok),
        cmocka_unit_test(test_dapabort_frees_never_completing_access),
        cmocka_unit_test(test_bus_error_sets_stickyerr_when_access_completes),
        cmocka_unit_test(test_wait_without_orundetect_takes_13_cycles),
        cmocka_unit_test(test_orundetect_adds_data_phase_and_sets_stickyorun),
        cmocka_unit_test(test_readok_tracks_the_last_ap_or_rdbuff_read),
        cmocka_unit_test(test_ap_without_implementation_reads_as_zero),
        cmocka_unit_test(test_ctrlsel_reads_dlcr_on_dpv1),
        cmocka_unit_test(test_dpv2_banks_hold_dlcr_targetid_dlpidr_eventstat),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
