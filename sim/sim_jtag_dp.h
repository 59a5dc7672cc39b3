/*
 * sim_jtag_dp.h - the JTAG-DP's data registers (ADIv5.2 chapter B3): what its DPACC, APACC and ABORT scan chains
 * capture, and what their Update-DR does to the DAP.
 *
 * A DPACC or APACC scan is 35 bits. Shifted in: RnW in bit 0, A[3:2] in bits 2:1, DATA[31:0] in bits 34:3.
 * Captured: ACK in bits 2:0 (OK/FAULT 0b010, WAIT 0b001) and, after OK/FAULT, the ReadResult of the previous
 * request in bits 34:3. The request of a scan is performed at its Update-DR, so every read is posted: its value
 * comes out of the next DPACC/APACC scan, whatever that scan asks for (a DPACC read of RDBUFF is the usual one).
 *
 * WAIT is decided at Capture-DR, before the request is known: while the AP transaction of an earlier request is
 * still in progress, the scan captures WAIT and its Update-DR does nothing; the host repeats the same scan. The
 * earlier read's result is not lost: the first scan that captures OK/FAULT carries it. With CTRL/STAT.ORUNDETECT
 * set, a WAIT also sets STICKYORUN, which discards AP accesses until the host clears it (writing it as one).
 *
 * The ABORT scan chain is 35 bits as well; bits 34:3 go to the DP ABORT register at Update-DR. It never waits.
 */
#ifndef SIM_JTAG_DP_H
#define SIM_JTAG_DP_H

#include <stdbool.h>
#include <stdint.h>

#include "sim_dap.h"

/* JTAG-DP instructions (IR length 4), ADIv5.2 B3.2. Every other value selects BYPASS. */
#define SIM_JTAG_DP_IR_LENGTH   4u
#define SIM_JTAG_DP_IR_CAPTURE  0x1u
#define SIM_JTAG_DP_ABORT       0x8u
#define SIM_JTAG_DP_DPACC       0xAu
#define SIM_JTAG_DP_APACC       0xBu
#define SIM_JTAG_DP_IDCODE      0xEu
#define SIM_JTAG_DP_BYPASS      0xFu
#define SIM_JTAG_DP_ACCESS_BITS 35u

/* ACK values of a DPACC/APACC capture. A JTAG-DP does not tell OK from FAULT: the host reads CTRL/STAT. */
#define SIM_JTAG_DP_ACK_WAIT     0x1u
#define SIM_JTAG_DP_ACK_OK_FAULT 0x2u

struct sim_jtag_dp {
    struct sim_dap *dap;
    bool refused;         /* this scan captured WAIT: its Update-DR is ignored */
    bool ap_read_pending; /* the last request performed was an AP read; its value is the DAP's read buffer */
    bool ap_access_open;  /* an AP access was performed and no capture has answered OK/FAULT since */
    uint32_t read_result; /* what the next OK/FAULT capture carries in bits 34:3 */
};

void sim_jtag_dp_init(struct sim_jtag_dp *dp, struct sim_dap *dap);

/* Test-Logic-Reset: a scan in progress is forgotten; the DAP's registers are untouched. */
void sim_jtag_dp_reset(struct sim_jtag_dp *dp);

/* Capture-DR with ABORT, DPACC or APACC selected: the 35 bits to shift out. */
uint64_t sim_jtag_dp_capture(struct sim_jtag_dp *dp, uint8_t instruction, uint64_t now_ps);

/* Update-DR with ABORT, DPACC or APACC selected: `request` is what the host shifted in. */
void sim_jtag_dp_update(struct sim_jtag_dp *dp, uint8_t instruction, uint64_t request, uint64_t now_ps);

#endif /* SIM_JTAG_DP_H */
