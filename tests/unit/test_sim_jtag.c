/*
 * test_sim_jtag.c - the simulated JTAG port: the TAP chain (IDCODEs, IR captures, BYPASS), the JTAG-DP's DPACC,
 * APACC and ABORT scans onto the DAP (posted reads, WAIT decided at capture, sticky flags), TRST, the SWJ switch
 * between JTAG and SWD on the shared TMS/SWDIO pin, and a part without a JTAG port.
 *
 * The little JTAG host below follows OpenOCD's bit-bang order: TDO is read before the rising edge that shifts it
 * out, and every scan starts and ends in Run-Test/Idle.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "sim_memory.h"
#include "sim_wire_driver.h"

#define JTAG_DP_IDCODE_F1 0x3BA00477u
#define BS_IDCODE_F1      0x06410041u
#define DPIDR_F1          0x1BA01477u
#define AP_IDR_F1         0x24770011u

/* IR values; the chain's IR is 9 bits: the JTAG-DP's 4 (nearest TDO, shifted in first) then the boundary scan's 5. */
#define DP_IR_ABORT   0x8u
#define DP_IR_DPACC   0xAu
#define DP_IR_APACC   0xBu
#define DP_IR_IDCODE  0xEu
#define DP_IR_BYPASS  0xFu
#define BS_IR_IDCODE  0x01u
#define BS_IR_BYPASS  0x1Fu
#define IR_CHAIN_BITS 9u

#define ACK_WAIT     0x1u
#define ACK_OK_FAULT 0x2u

#define CSW_32_SINGLE   0x23000012u
#define CSW_32_FIXED    0x23000002u /* TAR does not move: a refused TAR write shows */
#define SLOW_BASE       0x30000000u
#define SLOW_LATENCY_PS UINT64_C(1000000000) /* 1 ms: thousands of TCK cycles at 4 MHz */

/* ---- a bit-level JTAG host ---- */

static bool clock_tms(struct sim_target *target, bool tms)
{
    return sim_target_jtag_cycle(target, tms, false);
}

/* Five TMS=1 reach Test-Logic-Reset from any state; one TMS=0 goes on to Run-Test/Idle. */
static void tap_reset_to_idle(struct sim_target *target)
{
    for (unsigned i = 0; i < 5; i++)
        clock_tms(target, true);
    clock_tms(target, false);
}

static void run_test_idle(struct sim_target *target, unsigned cycles)
{
    for (unsigned i = 0; i < cycles; i++)
        clock_tms(target, false);
}

/* From Run-Test/Idle through Shift, `count` bits in and out (LSB first), and back to Run-Test/Idle. */
static uint64_t scan(struct sim_target *target, bool ir, uint64_t out, unsigned count)
{
    clock_tms(target, true); /* Select-DR-Scan */
    if (ir)
        clock_tms(target, true);         /* Select-IR-Scan */
    clock_tms(target, false);            /* Capture */
    bool tdo = clock_tms(target, false); /* the capture happens, then Shift */
    uint64_t in = 0;
    for (unsigned i = 0; i < count; i++) {
        in |= (uint64_t)tdo << i;
        tdo = sim_target_jtag_cycle(target, i + 1 == count, (out >> i) & 1); /* the last bit leaves for Exit1 */
    }
    clock_tms(target, true);  /* Update */
    clock_tms(target, false); /* Run-Test/Idle */
    return in;
}

static uint64_t scan_ir(struct sim_target *target, uint8_t dp_instruction, uint8_t bs_instruction)
{
    return scan(target, true, dp_instruction | (uint64_t)bs_instruction << 4, IR_CHAIN_BITS);
}

/* A DPACC or APACC scan with the boundary scan in BYPASS (one more bit after the JTAG-DP's 35). Returns the 35
 * captured bits: ACK in 2:0, the previous request's ReadResult in 34:3. */
static uint64_t dp_scan(struct sim_target *target, uint8_t instruction, bool rnw, uint8_t addr, uint32_t data)
{
    scan_ir(target, instruction, BS_IR_BYPASS);
    uint64_t request = (uint64_t)data << 3 | (uint64_t)((addr >> 2) & 3) << 1 | (rnw ? 1u : 0u);
    return scan(target, false, request, 36) & ((UINT64_C(1) << 35) - 1);
}

static unsigned ack_of(uint64_t captured)
{
    return captured & 7;
}

static uint32_t result_of(uint64_t captured)
{
    return (uint32_t)(captured >> 3);
}

/* Scans until the capture is OK/FAULT; returns the ReadResult. */
static uint32_t dp_scan_until_ok(struct sim_target *target, uint8_t instruction, bool rnw, uint8_t addr, uint32_t data)
{
    for (unsigned attempt = 0; attempt < 1000; attempt++) {
        uint64_t captured = dp_scan(target, instruction, rnw, addr, data);
        if (ack_of(captured) == ACK_OK_FAULT)
            return result_of(captured);
        assert_int_equal(ack_of(captured), ACK_WAIT);
    }
    fail_msg("WAIT never ended");
    return 0;
}

static void dp_write(struct sim_target *target, uint8_t addr, uint32_t value)
{
    assert_int_equal(ack_of(dp_scan(target, DP_IR_DPACC, false, addr, value)), ACK_OK_FAULT);
}

/* The DP read, then a RDBUFF read whose capture carries its result. */
static uint32_t dp_read(struct sim_target *target, uint8_t addr)
{
    assert_int_equal(ack_of(dp_scan(target, DP_IR_DPACC, true, addr, 0)), ACK_OK_FAULT);
    uint64_t captured = dp_scan(target, DP_IR_DPACC, true, WIRE_DP_RDBUFF, 0);
    assert_int_equal(ack_of(captured), ACK_OK_FAULT);
    return result_of(captured);
}

static void ap_write(struct sim_target *target, uint8_t addr, uint32_t value)
{
    assert_int_equal(ack_of(dp_scan(target, DP_IR_APACC, false, addr, value)), ACK_OK_FAULT);
}

static uint32_t ap_read(struct sim_target *target, uint8_t addr)
{
    assert_int_equal(ack_of(dp_scan(target, DP_IR_APACC, true, addr, 0)), ACK_OK_FAULT);
    uint64_t captured = dp_scan(target, DP_IR_DPACC, true, WIRE_DP_RDBUFF, 0);
    assert_int_equal(ack_of(captured), ACK_OK_FAULT);
    return result_of(captured);
}

/* Debug and system power up over JTAG, as OpenOCD's DAP init does it. */
static void power_up(struct sim_target *target)
{
    tap_reset_to_idle(target);
    dp_write(target, WIRE_DP_CTRL_STAT, WIRE_CTRL_CDBGPWRUPREQ | WIRE_CTRL_CSYSPWRUPREQ);
    uint32_t acks = WIRE_CTRL_CDBGPWRUPACK | WIRE_CTRL_CSYSPWRUPACK;
    for (unsigned attempt = 0; attempt < 100; attempt++) {
        if ((dp_read(target, WIRE_DP_CTRL_STAT) & acks) == acks)
            return;
        run_test_idle(target, 8);
    }
    fail_msg("power-up ACKs never came");
}

static uint8_t *sram(struct sim_target *target)
{
    return sim_memory_data(sim_target_bus(target)->regions[0].ctx);
}

static struct sim_target *jtag_target(void)
{
    struct sim_target *target = wire_target_with_sram(NULL);
    assert_int_equal(sim_target_swj_mode(target), SIM_SWJ_JTAG);
    return target;
}

static void map_slow_memory(struct sim_target *target)
{
    struct sim_memory *slow = sim_memory_create(0x100, true);
    assert_non_null(slow);
    sim_memory_set_latency_ps(slow, SLOW_LATENCY_PS);
    assert_true(sim_memory_map(slow, sim_target_bus(target), SLOW_BASE, "slow"));
    sim_memory_data(slow)[0] = 0x5A;
}

/* ---- the chain ---- */

static void test_dr_scan_after_reset_reads_dp_idcode_then_boundary_scan_idcode(void **state)
{
    (void)state;
    struct sim_target *target = jtag_target();
    tap_reset_to_idle(target);
    uint64_t idcodes = scan(target, false, UINT64_MAX, 64);
    assert_int_equal((uint32_t)idcodes, JTAG_DP_IDCODE_F1);
    assert_int_equal((uint32_t)(idcodes >> 32), BS_IDCODE_F1);
    wire_target_destroy(target);
}

static void test_dr_chain_is_64_bits_long_with_idcodes(void **state)
{
    (void)state;
    struct sim_target *target = jtag_target();
    tap_reset_to_idle(target);
    /* 64 ones in: after the two IDCODEs, the host's own ones come back. */
    clock_tms(target, true);
    clock_tms(target, false);
    bool tdo = clock_tms(target, false);
    for (unsigned i = 0; i < 64; i++)
        tdo = sim_target_jtag_cycle(target, false, true);
    for (unsigned i = 0; i < 32; i++) {
        assert_true(tdo);
        tdo = sim_target_jtag_cycle(target, false, false);
    }
    assert_true(tdo); /* the first 0 is still in the chain: 64 bits away from TDO */
    wire_target_destroy(target);
}

static void test_ir_scan_captures_0001_then_00001(void **state)
{
    (void)state;
    struct sim_target *target = jtag_target();
    tap_reset_to_idle(target);
    assert_int_equal(scan_ir(target, DP_IR_BYPASS, BS_IR_BYPASS), 0x1u | 0x01u << 4);
    /* The value shifted in comes out after the 9 captured bits. */
    assert_int_equal(scan(target, true, 0x155, 2 * IR_CHAIN_BITS), 0x011u | 0x155u << 9);
    wire_target_destroy(target);
}

static void test_bypass_in_both_taps_delays_by_two_bits(void **state)
{
    (void)state;
    struct sim_target *target = jtag_target();
    tap_reset_to_idle(target);
    scan_ir(target, DP_IR_BYPASS, BS_IR_BYPASS);
    assert_int_equal(scan(target, false, 0xDEADBEEF, 34), (uint64_t)0xDEADBEEF << 2);
    wire_target_destroy(target);
}

static void test_unknown_instructions_act_as_bypass(void **state)
{
    (void)state;
    struct sim_target *target = jtag_target();
    tap_reset_to_idle(target);
    scan_ir(target, 0x0, 0x02); /* neither is implemented: BYPASS in both */
    assert_int_equal(scan(target, false, 0x3, 4), 0x3u << 2);
    /* BYPASS in the boundary scan only: one bit ahead of the JTAG-DP's IDCODE. */
    scan_ir(target, DP_IR_IDCODE, 0x10);
    assert_int_equal(scan(target, false, 0, 33), JTAG_DP_IDCODE_F1);
    wire_target_destroy(target);
}

static void test_idcode_instructions_reselect_idcodes(void **state)
{
    (void)state;
    struct sim_target *target = jtag_target();
    tap_reset_to_idle(target);
    scan_ir(target, DP_IR_BYPASS, BS_IR_BYPASS);
    scan_ir(target, DP_IR_IDCODE, BS_IR_IDCODE);
    uint64_t idcodes = scan(target, false, 0, 64);
    assert_int_equal((uint32_t)idcodes, JTAG_DP_IDCODE_F1);
    assert_int_equal((uint32_t)(idcodes >> 32), BS_IDCODE_F1);
    wire_target_destroy(target);
}

static void test_tdo_is_high_outside_shift_states(void **state)
{
    (void)state;
    struct sim_target *target = jtag_target();
    assert_true(sim_target_jtag_tdo(target));
    tap_reset_to_idle(target);
    assert_true(clock_tms(target, true));  /* Select-DR-Scan */
    assert_true(clock_tms(target, false)); /* Capture-DR */
    /* Shift-DR: TDO shows IDCODE bit 0 before the first shift, then one bit per cycle (0x...77: 1, 1, 1, 0). */
    unsigned bits = clock_tms(target, false);
    for (unsigned i = 1; i < 4; i++)
        bits |= (unsigned)clock_tms(target, false) << i;
    assert_int_equal(bits, 0x7);
    assert_false(sim_target_jtag_tdo(target));
    assert_true(clock_tms(target, true)); /* Exit1-DR */
    assert_true(sim_target_jtag_tdo(target));
    wire_target_destroy(target);
}

static void test_trst_selects_idcode_again(void **state)
{
    (void)state;
    struct sim_target *target = jtag_target();
    tap_reset_to_idle(target);
    scan_ir(target, DP_IR_BYPASS, BS_IR_BYPASS);
    sim_target_jtag_trst(target);
    clock_tms(target, false);
    assert_int_equal((uint32_t)scan(target, false, 0, 32), JTAG_DP_IDCODE_F1);
    wire_target_destroy(target);
}

/* ---- the JTAG-DP ---- */

static void test_dpacc_powers_up_and_reads_back_ctrl_stat(void **state)
{
    (void)state;
    struct sim_target *target = jtag_target();
    power_up(target);
    assert_int_equal(dp_read(target, WIRE_DP_CTRL_STAT),
                     WIRE_CTRL_CDBGPWRUPREQ | WIRE_CTRL_CDBGPWRUPACK | WIRE_CTRL_CSYSPWRUPREQ | WIRE_CTRL_CSYSPWRUPACK);
    assert_int_equal(dp_read(target, WIRE_DP_DPIDR), DPIDR_F1);
    wire_target_destroy(target);
}

static void test_dp_read_result_comes_with_the_next_scan(void **state)
{
    (void)state;
    struct sim_target *target = jtag_target();
    tap_reset_to_idle(target);
    dp_scan(target, DP_IR_DPACC, true, WIRE_DP_DPIDR, 0);
    /* Whatever the next scan asks, its capture carries the DPIDR. */
    uint64_t captured = dp_scan(target, DP_IR_DPACC, false, WIRE_DP_SELECT, 0);
    assert_int_equal(ack_of(captured), ACK_OK_FAULT);
    assert_int_equal(result_of(captured), DPIDR_F1);
    wire_target_destroy(target);
}

static void test_select_reads_back_on_jtag(void **state)
{
    (void)state;
    struct sim_target *target = jtag_target();
    tap_reset_to_idle(target);
    dp_write(target, WIRE_DP_SELECT, 0xF0);
    assert_int_equal(dp_read(target, WIRE_DP_SELECT), 0xF0);
    wire_target_destroy(target);
}

static void test_apacc_reads_ap_idr_through_rdbuff(void **state)
{
    (void)state;
    struct sim_target *target = jtag_target();
    power_up(target);
    dp_write(target, WIRE_DP_SELECT, WIRE_AP_IDR & 0xF0);
    assert_int_equal(ap_read(target, WIRE_AP_IDR & 0xC), AP_IDR_F1);
    wire_target_destroy(target);
}

static void test_apacc_writes_and_reads_memory(void **state)
{
    (void)state;
    struct sim_target *target = jtag_target();
    power_up(target);
    dp_write(target, WIRE_DP_SELECT, 0);
    ap_write(target, WIRE_AP_CSW, CSW_32_SINGLE);
    ap_write(target, WIRE_AP_TAR, WIRE_SRAM_BASE + 0x40);
    ap_write(target, WIRE_AP_DRW, 0xCAFEF00D);
    ap_write(target, WIRE_AP_DRW, 0x12345678);
    uint32_t written[2];
    memcpy(written, sram(target) + 0x40, sizeof(written));
    assert_int_equal(written[0], 0xCAFEF00D);
    assert_int_equal(written[1], 0x12345678);

    /* Back-to-back posted reads: each capture carries the read before it. */
    ap_write(target, WIRE_AP_TAR, WIRE_SRAM_BASE + 0x40);
    dp_scan(target, DP_IR_APACC, true, WIRE_AP_DRW, 0);
    assert_int_equal(result_of(dp_scan(target, DP_IR_APACC, true, WIRE_AP_DRW, 0)), 0xCAFEF00D);
    assert_int_equal(result_of(dp_scan(target, DP_IR_DPACC, true, WIRE_DP_RDBUFF, 0)), 0x12345678);
    wire_target_destroy(target);
}

static void test_access_during_slow_ap_read_captures_wait_and_is_ignored(void **state)
{
    (void)state;
    struct sim_target *target = jtag_target();
    map_slow_memory(target);
    power_up(target);
    dp_write(target, WIRE_DP_SELECT, 0);
    ap_write(target, WIRE_AP_CSW, CSW_32_FIXED);
    ap_write(target, WIRE_AP_TAR, SLOW_BASE);
    assert_int_equal(ack_of(dp_scan(target, DP_IR_APACC, true, WIRE_AP_DRW, 0)), ACK_OK_FAULT);

    /* The AP is busy for 1 ms: every scan waits, and its request is dropped (this TAR write too). */
    assert_int_equal(ack_of(dp_scan(target, DP_IR_APACC, false, WIRE_AP_TAR, WIRE_SRAM_BASE)), ACK_WAIT);
    assert_int_equal(ack_of(dp_scan(target, DP_IR_DPACC, true, WIRE_DP_RDBUFF, 0)), ACK_WAIT);
    sim_target_idle(target, SLOW_LATENCY_PS);
    /* The first scan after the AP completed carries the slow read's result. */
    uint64_t captured = dp_scan(target, DP_IR_DPACC, true, WIRE_DP_RDBUFF, 0);
    assert_int_equal(ack_of(captured), ACK_OK_FAULT);
    assert_int_equal(result_of(captured), 0x5A);
    assert_int_equal(ap_read(target, WIRE_AP_TAR), SLOW_BASE);
    assert_int_equal(dp_read(target, WIRE_DP_CTRL_STAT) & WIRE_CTRL_STICKYORUN, 0);
    wire_target_destroy(target);
}

static void test_wait_with_overrun_detection_discards_ap_accesses_until_cleared(void **state)
{
    (void)state;
    struct sim_target *target = jtag_target();
    map_slow_memory(target);
    power_up(target);
    uint32_t ctrl = WIRE_CTRL_CDBGPWRUPREQ | WIRE_CTRL_CSYSPWRUPREQ | WIRE_CTRL_ORUNDETECT;
    dp_write(target, WIRE_DP_CTRL_STAT, ctrl);
    dp_write(target, WIRE_DP_SELECT, 0);
    ap_write(target, WIRE_AP_CSW, CSW_32_FIXED);
    ap_write(target, WIRE_AP_TAR, SLOW_BASE);
    dp_scan(target, DP_IR_APACC, true, WIRE_AP_DRW, 0);
    assert_int_equal(ack_of(dp_scan(target, DP_IR_DPACC, true, WIRE_DP_RDBUFF, 0)), ACK_WAIT);
    sim_target_idle(target, SLOW_LATENCY_PS);
    assert_int_equal(dp_scan_until_ok(target, DP_IR_DPACC, true, WIRE_DP_RDBUFF, 0), 0x5A);

    /* The overrun is sticky: a host's queued AP accesses behind the WAIT did nothing, and so does this one. */
    assert_int_equal(dp_read(target, WIRE_DP_CTRL_STAT) & WIRE_CTRL_STICKYORUN, WIRE_CTRL_STICKYORUN);
    ap_write(target, WIRE_AP_TAR, WIRE_SRAM_BASE);
    dp_write(target, WIRE_DP_CTRL_STAT, ctrl | WIRE_CTRL_STICKYORUN);
    assert_int_equal(dp_read(target, WIRE_DP_CTRL_STAT) & WIRE_CTRL_STICKYORUN, 0);
    assert_int_equal(ap_read(target, WIRE_AP_TAR), SLOW_BASE);
    wire_target_destroy(target);
}

static void test_wait_ends_by_itself_in_run_test_idle(void **state)
{
    (void)state;
    struct sim_target *target = jtag_target();
    map_slow_memory(target);
    power_up(target);
    dp_write(target, WIRE_DP_SELECT, 0);
    ap_write(target, WIRE_AP_CSW, CSW_32_FIXED);
    ap_write(target, WIRE_AP_TAR, SLOW_BASE);
    dp_scan(target, DP_IR_APACC, true, WIRE_AP_DRW, 0);
    assert_int_equal(dp_scan_until_ok(target, DP_IR_DPACC, true, WIRE_DP_RDBUFF, 0), 0x5A);
    assert_true(sim_target_now_ps(target) >= SLOW_LATENCY_PS);
    wire_target_destroy(target);
}

static void test_dapabort_ends_a_stuck_transaction(void **state)
{
    (void)state;
    struct sim_target *target = jtag_target();
    map_slow_memory(target);
    power_up(target);
    dp_write(target, WIRE_DP_SELECT, 0);
    ap_write(target, WIRE_AP_CSW, CSW_32_FIXED);
    ap_write(target, WIRE_AP_TAR, SLOW_BASE);
    dp_scan(target, DP_IR_APACC, true, WIRE_AP_DRW, 0);
    assert_int_equal(ack_of(dp_scan(target, DP_IR_DPACC, true, WIRE_DP_RDBUFF, 0)), ACK_WAIT);
    /* ABORT never waits. */
    assert_int_equal(ack_of(dp_scan(target, DP_IR_ABORT, false, 0, WIRE_ABORT_DAPABORT)), ACK_OK_FAULT);
    assert_int_equal(ack_of(dp_scan(target, DP_IR_DPACC, true, WIRE_DP_RDBUFF, 0)), ACK_OK_FAULT);
    assert_int_equal(ap_read(target, WIRE_AP_TAR), SLOW_BASE);
    wire_target_destroy(target);
}

static void test_bus_error_sets_stickyerr_cleared_by_writing_one(void **state)
{
    (void)state;
    struct sim_target *target = jtag_target();
    power_up(target);
    dp_write(target, WIRE_DP_SELECT, 0);
    ap_write(target, WIRE_AP_CSW, CSW_32_SINGLE);
    ap_write(target, WIRE_AP_TAR, 0x60000000); /* nothing mapped */
    assert_int_equal(ap_read(target, WIRE_AP_DRW), 0);
    uint32_t powered = WIRE_CTRL_CDBGPWRUPREQ | WIRE_CTRL_CSYSPWRUPREQ;
    assert_int_equal(dp_read(target, WIRE_DP_CTRL_STAT) & WIRE_CTRL_STICKYERR, WIRE_CTRL_STICKYERR);

    /* While STICKYERR is set AP accesses are discarded, DP writes are not. */
    ap_write(target, WIRE_AP_TAR, WIRE_SRAM_BASE);
    dp_write(target, WIRE_DP_CTRL_STAT, powered | WIRE_CTRL_STICKYERR);
    assert_int_equal(dp_read(target, WIRE_DP_CTRL_STAT) & WIRE_CTRL_STICKYERR, 0);
    assert_int_equal(ap_read(target, WIRE_AP_TAR), 0x60000000);
    wire_target_destroy(target);
}

static void test_wait_storm_refuses_whole_scans_and_loses_nothing(void **state)
{
    (void)state;
    struct sim_target *target = jtag_target();
    power_up(target);
    dp_write(target, WIRE_DP_SELECT, 0);
    ap_write(target, WIRE_AP_CSW, CSW_32_SINGLE);
    for (uint32_t i = 0; i < 16; i++)
        sram(target)[4 * i] = (uint8_t)(0xA0 + i);
    struct sim_fault_config faults = {.seed = 7, .wait_storm_rate = 0.3, .wait_storm_max = 4};
    sim_target_set_faults(target, &faults);
    for (uint32_t i = 0; i < 16; i++) {
        dp_scan_until_ok(target, DP_IR_APACC, false, WIRE_AP_TAR, WIRE_SRAM_BASE + 4 * i);
        dp_scan_until_ok(target, DP_IR_APACC, true, WIRE_AP_DRW, 0);
        assert_int_equal(dp_scan_until_ok(target, DP_IR_DPACC, true, WIRE_DP_RDBUFF, 0), 0xA0 + i);
    }
    assert_true(sim_target_fault_stats(target)->injected_waits > 0);
    wire_target_destroy(target);
}

static void test_wait_storms_never_follow_a_dp_access(void **state)
{
    (void)state;
    struct sim_target *target = jtag_target();
    power_up(target);
    struct sim_fault_config faults = {.seed = 7, .wait_storm_rate = 1.0, .wait_storm_max = 1};
    sim_target_set_faults(target, &faults);
    /* Only an AP transaction can keep a JTAG-DP busy, and there is none. */
    dp_write(target, WIRE_DP_SELECT, WIRE_AP_IDR & 0xF0);
    assert_int_equal(dp_read(target, WIRE_DP_SELECT), WIRE_AP_IDR & 0xF0);
    assert_int_equal(sim_target_fault_stats(target)->injected_waits, 0);
    /* After an AP access every capture draws, and at this rate every draw starts a storm. */
    assert_int_equal(ack_of(dp_scan(target, DP_IR_APACC, true, WIRE_AP_IDR & 0xC, 0)), ACK_OK_FAULT);
    assert_int_equal(ack_of(dp_scan(target, DP_IR_DPACC, true, WIRE_DP_RDBUFF, 0)), ACK_WAIT);
    sim_target_set_faults(target, NULL);
    uint64_t captured = dp_scan(target, DP_IR_DPACC, true, WIRE_DP_RDBUFF, 0);
    assert_int_equal(ack_of(captured), ACK_OK_FAULT);
    assert_int_equal(result_of(captured), AP_IDR_F1);
    wire_target_destroy(target);
}

/* ---- the shared pins ---- */

static void test_jtag_to_swd_sequence_on_tms_selects_swd(void **state)
{
    (void)state;
    struct sim_target *target = jtag_target();
    tap_reset_to_idle(target);
    for (unsigned i = 0; i < 60; i++)
        clock_tms(target, true);
    for (unsigned i = 0; i < 16; i++)
        clock_tms(target, (0xE79Eu >> i) & 1);
    assert_int_equal(sim_target_swj_mode(target), SIM_SWJ_SWD);
    /* JTAG is gone: TDO stays high whatever TMS does, and SWD answers after a line reset. */
    tap_reset_to_idle(target);
    assert_true(scan(target, false, 0, 32) == UINT32_MAX);
    wire_line_reset(target);
    assert_int_equal(wire_expect_read(target, false, WIRE_DP_DPIDR, WIRE_ACK_OK), DPIDR_F1);
    wire_target_destroy(target);
}

static void test_swd_to_jtag_sequence_brings_the_taps_back_reset(void **state)
{
    (void)state;
    struct sim_target *target = jtag_target();
    tap_reset_to_idle(target);
    scan_ir(target, DP_IR_BYPASS, BS_IR_BYPASS);
    wire_jtag_to_swd(target);
    wire_high(target, 60);
    wire_write_bits(target, 0xE73C, 16);
    assert_int_equal(sim_target_swj_mode(target), SIM_SWJ_JTAG);
    tap_reset_to_idle(target);
    assert_int_equal((uint32_t)scan(target, false, 0, 32), JTAG_DP_IDCODE_F1);
    wire_target_destroy(target);
}

static void test_jtag_cycles_take_one_clock_period(void **state)
{
    (void)state;
    struct sim_target *target = jtag_target();
    uint64_t before = sim_target_now_ps(target);
    uint64_t cycles = sim_target_swclk_cycles(target);
    run_test_idle(target, 4);
    assert_int_equal(sim_target_now_ps(target) - before, 4 * 250000u);
    assert_int_equal(sim_target_swclk_cycles(target) - cycles, 4);
    wire_target_destroy(target);
}

static void test_part_without_jtag_port_keeps_tdo_high(void **state)
{
    (void)state;
    struct sim_target_config config;
    sim_target_default_config(&config);
    config.jtag_idcode = 0;
    config.jtag_bs_idcode = 0;
    struct sim_target *target = wire_target_with_sram(&config);
    tap_reset_to_idle(target);
    assert_int_equal(scan(target, false, 0, 64), UINT64_MAX);
    assert_int_equal(scan_ir(target, DP_IR_BYPASS, BS_IR_BYPASS), 0x1FF);
    assert_int_equal(sim_target_swj_mode(target), SIM_SWJ_JTAG);
    wire_target_destroy(target);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dr_scan_after_reset_reads_dp_idcode_then_boundary_scan_idcode),
        cmocka_unit_test(test_dr_chain_is_64_bits_long_with_idcodes),
        cmocka_unit_test(test_ir_scan_captures_0001_then_00001),
        cmocka_unit_test(test_bypass_in_both_taps_delays_by_two_bits),
        cmocka_unit_test(test_unknown_instructions_act_as_bypass),
        cmocka_unit_test(test_idcode_instructions_reselect_idcodes),
        cmocka_unit_test(test_tdo_is_high_outside_shift_states),
        cmocka_unit_test(test_trst_selects_idcode_again),
        cmocka_unit_test(test_dpacc_powers_up_and_reads_back_ctrl_stat),
        cmocka_unit_test(test_dp_read_result_comes_with_the_next_scan),
        cmocka_unit_test(test_select_reads_back_on_jtag),
        cmocka_unit_test(test_apacc_reads_ap_idr_through_rdbuff),
        cmocka_unit_test(test_apacc_writes_and_reads_memory),
        cmocka_unit_test(test_access_during_slow_ap_read_captures_wait_and_is_ignored),
        cmocka_unit_test(test_wait_with_overrun_detection_discards_ap_accesses_until_cleared),
        cmocka_unit_test(test_wait_ends_by_itself_in_run_test_idle),
        cmocka_unit_test(test_dapabort_ends_a_stuck_transaction),
        cmocka_unit_test(test_bus_error_sets_stickyerr_cleared_by_writing_one),
        cmocka_unit_test(test_wait_storm_refuses_whole_scans_and_loses_nothing),
        cmocka_unit_test(test_wait_storms_never_follow_a_dp_access),
        cmocka_unit_test(test_jtag_to_swd_sequence_on_tms_selects_swd),
        cmocka_unit_test(test_swd_to_jtag_sequence_brings_the_taps_back_reset),
        cmocka_unit_test(test_jtag_cycles_take_one_clock_period),
        cmocka_unit_test(test_part_without_jtag_port_keeps_tdo_high),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
