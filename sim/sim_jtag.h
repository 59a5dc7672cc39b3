/*
 * sim_jtag.h - the JTAG scan chain of an STM32 with a JTAG port (F1/F2/F3/F4/F7/L1/L4; RM0008 31.6): two TAPs in
 * series, sharing TCK and TMS, so always in the same controller state (IEEE 1149.1):
 *
 *   TDI -> boundary-scan TAP (IR 5 bits) -> Cortex-M debug TAP (JTAG-DP, IR 4 bits) -> TDO
 *
 * A host therefore sees the JTAG-DP first: the first bits out of a DR scan after Test-Logic-Reset are the JTAG-DP
 * IDCODE (e.g. 0x3BA00477), then the boundary-scan IDCODE (e.g. 0x06410041); an IR scan shows 0b0001 then 0b00001.
 * Test-Logic-Reset selects IDCODE in both TAPs. The boundary-scan TAP knows IDCODE (0b00001) and treats every other
 * instruction as BYPASS; the JTAG-DP's instructions are in sim_jtag_dp.h.
 *
 * One call is one TCK cycle: the rising edge samples TMS and TDI (Capture, Shift, then the state change), the
 * falling edge performs Update-IR/Update-DR and drives TDO. The TDO a call returns is the level after that falling
 * edge, i.e. what the host samples before the next rising edge: in Shift-IR/Shift-DR the bit the next rising edge
 * shifts out, elsewhere 1 (TDO is not driven; the pull-up wins). This is the order of OpenOCD's bit-bang driver:
 * TCK low with TMS/TDI, read TDO, TCK high.
 */
#ifndef SIM_JTAG_H
#define SIM_JTAG_H

#include <stdbool.h>
#include <stdint.h>

#include "sim_dap.h"
#include "sim_jtag_dp.h"

/* The boundary-scan TAP, RM0008 31.6.2. */
#define SIM_JTAG_BS_IR_LENGTH  5u
#define SIM_JTAG_BS_IR_CAPTURE 0x01u
#define SIM_JTAG_BS_IDCODE     0x01u

enum sim_jtag_state {
    SIM_JTAG_TEST_LOGIC_RESET,
    SIM_JTAG_RUN_TEST_IDLE,
    SIM_JTAG_SELECT_DR,
    SIM_JTAG_CAPTURE_DR,
    SIM_JTAG_SHIFT_DR,
    SIM_JTAG_EXIT1_DR,
    SIM_JTAG_PAUSE_DR,
    SIM_JTAG_EXIT2_DR,
    SIM_JTAG_UPDATE_DR,
    SIM_JTAG_SELECT_IR,
    SIM_JTAG_CAPTURE_IR,
    SIM_JTAG_SHIFT_IR,
    SIM_JTAG_EXIT1_IR,
    SIM_JTAG_PAUSE_IR,
    SIM_JTAG_EXIT2_IR,
    SIM_JTAG_UPDATE_IR,
};

/* A shift register of 1..64 bits: bit 0 is next out, TDI enters at bit length-1. */
struct sim_jtag_register {
    uint64_t bits;
    unsigned length;
};

/* What every TAP in the chain has. */
struct sim_jtag_tap {
    uint32_t idcode;
    uint8_t instruction;
    struct sim_jtag_register ir;
    struct sim_jtag_register dr;
};

struct sim_jtag {
    enum sim_jtag_state state;
    struct sim_jtag_tap boundary_scan; /* nearest TDI */
    struct sim_jtag_tap debug;         /* the JTAG-DP, nearest TDO */
    struct sim_jtag_dp dp;
    bool tdo;
};

/* In Test-Logic-Reset. */
void sim_jtag_init(struct sim_jtag *jtag, struct sim_dap *dap, uint32_t dap_idcode, uint32_t bs_idcode);

/* TRST, or entering JTAG mode: Test-Logic-Reset, IDCODE selected, TDO not driven. */
void sim_jtag_reset(struct sim_jtag *jtag);

/* One TCK cycle at now_ps; returns TDO as the host samples it before the next rising edge. */
bool sim_jtag_clock(struct sim_jtag *jtag, bool tms, bool tdi, uint64_t now_ps);

#endif /* SIM_JTAG_H */
