/*
 * sim_jtag_dp.c - DPACC, APACC and ABORT scans mapped onto the DAP that the SW-DP also drives.
 *
 * The DAP's calls answer at request time, as SWD needs; JTAG-DP answers one step earlier, at Capture-DR, before
 * it knows the request. So this front end looks at the DAP's transaction itself: busy means an AP transaction
 * that has not completed by now. The fault injector's WAIT storms stretch AP transactions: they are drawn at the
 * captures that follow an AP access, until one of them answers OK/FAULT, and never after a DP access, where a
 * JTAG-DP cannot be busy (hosts rely on that: OpenOCD's WAIT recovery would lose a DP read's result). The DAP calls
 * at Update-DR run with the injector detached, so that a storm never refuses a request its capture accepted.
 *
 * Differences from the SW-DP that the DAP does not know about, ADIv5.2 B2.2:
 *   - sticky flags are cleared by writing ones to them in CTRL/STAT (an SW-DP uses ABORT for that);
 *   - with a sticky flag set, DP registers stay writable; only AP accesses are discarded (the DAP's FAULT);
 *   - READOK and WDATAERR read as zero;
 *   - SELECT reads back at 0x8, where an SW-DP has RESEND; a DPACC write to 0x0 or 0xC does nothing.
 * With CTRL/STAT.ORUNDETECT set, a WAIT also sets STICKYORUN, and from then on AP accesses are discarded until the
 * host clears it: the scans a host queued behind the refused one do nothing, so it can replay them all from the
 * refused one (OpenOCD enables ORUNDETECT on JTAG for exactly this).
 */
#include "sim_jtag_dp.h"

#include <stddef.h>

#define REQUEST_RNW       0x1u
#define REQUEST_A32_MASK  0x6u /* A[3:2] in bits 2:1 */
#define REQUEST_A32_SHIFT 1    /* bit 1 of the scan is address bit 2 */
#define DATA_SHIFT        3
#define SELECT_BANK_MASK  SIM_DP_SELECT_DPBANKSEL_MASK /* DPv1's CTRLSEL is bit 0 of the same field */
/* CTRL/STAT bits that only an SW-DP implements; a JTAG-DP reads them as zero. */
#define CTRL_STAT_SW_DP_ONLY (SIM_DP_CTRL_READOK | SIM_DP_CTRL_WDATAERR)

void sim_jtag_dp_init(struct sim_jtag_dp *dp, struct sim_dap *dap)
{
    *dp = (struct sim_jtag_dp){.dap = dap};
}

void sim_jtag_dp_reset(struct sim_jtag_dp *dp)
{
    dp->refused = false;
}

/* An AP transaction has not completed by now. Reading CTRL/STAT settles one that has, without side effects. */
static bool ap_busy(struct sim_dap *dap, uint64_t now_ps)
{
    (void)sim_dap_ctrl_stat(dap, now_ps);
    return dap->transaction.pending;
}

static bool wait_storm(struct sim_dap *dap)
{
    return dap->faults != NULL && sim_fault_injector_wait_storm(dap->faults);
}

/* An OK/FAULT capture: the previous read's result, taken from the DAP once its AP transaction has completed. */
static uint64_t capture_result(struct sim_jtag_dp *dp, bool busy)
{
    dp->refused = false;
    if (!busy && dp->ap_read_pending) {
        dp->read_result = dp->dap->read_buffer; /* 0 when the read failed on the bus */
        dp->ap_read_pending = false;
    }
    return SIM_JTAG_DP_ACK_OK_FAULT | (uint64_t)dp->read_result << DATA_SHIFT;
}

uint64_t sim_jtag_dp_capture(struct sim_jtag_dp *dp, uint8_t instruction, uint64_t now_ps)
{
    bool busy = ap_busy(dp->dap, now_ps);
    if (instruction == SIM_JTAG_DP_ABORT)
        return capture_result(dp, busy);
    if (busy || (dp->ap_access_open && wait_storm(dp->dap))) {
        dp->refused = true;
        if (sim_dap_overrun_detect(dp->dap))
            dp->dap->ctrl_stat |= SIM_DP_CTRL_STICKYORUN;
        return SIM_JTAG_DP_ACK_WAIT;
    }
    dp->ap_access_open = false;
    return capture_result(dp, busy);
}

/* The JTAG-DP's CTRL/STAT sticky flags are write-one-to-clear: the same effect as the SW-DP's ABORT bits. */
static uint32_t abort_bits_clearing(uint32_t ctrl_stat_written)
{
    uint32_t clear = 0;
    if (ctrl_stat_written & SIM_DP_CTRL_STICKYORUN)
        clear |= SIM_DP_ABORT_ORUNERRCLR;
    if (ctrl_stat_written & SIM_DP_CTRL_STICKYCMP)
        clear |= SIM_DP_ABORT_STKCMPCLR;
    if (ctrl_stat_written & SIM_DP_CTRL_STICKYERR)
        clear |= SIM_DP_ABORT_STKERRCLR;
    return clear;
}

static void dp_write(struct sim_jtag_dp *dp, uint8_t addr, uint32_t value, uint64_t now_ps)
{
    struct sim_dap *dap = dp->dap;
    switch (addr) {
    case SIM_DP_CTRL_STAT: {
        bool bank0 = (dap->select & SELECT_BANK_MASK) == SIM_DP_BANK_CTRL_STAT;
        sim_dap_write(dap, false, SIM_DP_CTRL_STAT, value, now_ps);
        uint32_t clear = abort_bits_clearing(value);
        if (bank0 && clear != 0)
            sim_dap_write(dap, false, SIM_DP_ABORT, clear, now_ps);
        break;
    }
    case SIM_DP_SELECT: sim_dap_write(dap, false, SIM_DP_SELECT, value, now_ps); break;
    default: break; /* 0x0: ABORT has its own instruction; 0xC: reserved */
    }
    dp->read_result = 0;
}

static void dp_read(struct sim_jtag_dp *dp, uint8_t addr, uint64_t now_ps)
{
    uint32_t value = 0;
    if (addr == SIM_DP_SELECT)
        value = dp->dap->select;
    else
        (void)sim_dap_read(dp->dap, false, addr, now_ps, &value); /* DPIDR, CTRL/STAT, RDBUFF; FAULT reads 0 */
    if (addr == SIM_DP_CTRL_STAT && (dp->dap->select & SELECT_BANK_MASK) == SIM_DP_BANK_CTRL_STAT)
        value &= ~CTRL_STAT_SW_DP_ONLY;
    dp->read_result = value;
}

static void ap_write(struct sim_jtag_dp *dp, uint8_t addr, uint32_t value, uint64_t now_ps)
{
    if (sim_dap_write_ack(dp->dap, true, addr, now_ps) == SIM_DAP_ACK_OK) {
        sim_dap_write(dp->dap, true, addr, value, now_ps);
        dp->ap_access_open = true;
    }
    dp->read_result = 0;
}

/* The DAP hands back the previous AP read's value, as an SW-DP returns it; a JTAG-DP returns this read's own value
 * in the next capture instead, from the read buffer once the transaction completes. */
static void ap_read(struct sim_jtag_dp *dp, uint8_t addr, uint64_t now_ps)
{
    uint32_t previous;
    dp->ap_read_pending = sim_dap_read(dp->dap, true, addr, now_ps, &previous) == SIM_DAP_ACK_OK;
    dp->ap_access_open = dp->ap_read_pending;
    dp->read_result = 0;
}

static void write_abort(struct sim_jtag_dp *dp, uint32_t value, uint64_t now_ps)
{
    (void)sim_dap_write_ack(dp->dap, false, SIM_DP_ABORT, now_ps); /* ABORT is always accepted */
    sim_dap_write(dp->dap, false, SIM_DP_ABORT, value, now_ps);
    if (value & SIM_DP_ABORT_DAPABORT) {
        dp->ap_read_pending = false; /* an aborted read has no result */
        dp->ap_access_open = false;
        dp->read_result = 0;
    }
}

static void perform(struct sim_jtag_dp *dp, uint8_t instruction, uint64_t request, uint64_t now_ps)
{
    uint32_t data = (uint32_t)(request >> DATA_SHIFT);
    bool rnw = (request & REQUEST_RNW) != 0;
    uint8_t addr = (uint8_t)((request & REQUEST_A32_MASK) << REQUEST_A32_SHIFT);
    switch (instruction) {
    case SIM_JTAG_DP_ABORT: write_abort(dp, data, now_ps); break;
    case SIM_JTAG_DP_DPACC:
        if (rnw)
            dp_read(dp, addr, now_ps);
        else
            dp_write(dp, addr, data, now_ps);
        break;
    case SIM_JTAG_DP_APACC:
        if (rnw)
            ap_read(dp, addr, now_ps);
        else
            ap_write(dp, addr, data, now_ps);
        break;
    default: break;
    }
}

void sim_jtag_dp_update(struct sim_jtag_dp *dp, uint8_t instruction, uint64_t request, uint64_t now_ps)
{
    if (dp->refused)
        return;
    struct sim_fault_injector *faults = dp->dap->faults;
    dp->dap->faults = NULL; /* the storm was drawn at Capture-DR */
    perform(dp, instruction, request, now_ps);
    dp->dap->faults = faults;
}
