/*
 * sim_jtag.c - the TAP controller (IEEE 1149.1 state diagram) and the two-TAP chain behind it.
 *
 * Invariant: each TAP's DR shift register has the length of the register its instruction selects, from its
 * Capture-DR on; a DR scan therefore passes TDI through the boundary-scan TAP's register, then the JTAG-DP's, to
 * TDO, and a scan of N bits with BYPASS in both TAPs comes out N+2 long.
 */
#include "sim_jtag.h"

#define IDCODE_BITS 32u
#define BYPASS_BITS 1u

/* next_state[state][tms] */
static const enum sim_jtag_state next_state[][2] = {
    [SIM_JTAG_TEST_LOGIC_RESET] = {SIM_JTAG_RUN_TEST_IDLE, SIM_JTAG_TEST_LOGIC_RESET},
    [SIM_JTAG_RUN_TEST_IDLE] = {SIM_JTAG_RUN_TEST_IDLE, SIM_JTAG_SELECT_DR},
    [SIM_JTAG_SELECT_DR] = {SIM_JTAG_CAPTURE_DR, SIM_JTAG_SELECT_IR},
    [SIM_JTAG_CAPTURE_DR] = {SIM_JTAG_SHIFT_DR, SIM_JTAG_EXIT1_DR},
    [SIM_JTAG_SHIFT_DR] = {SIM_JTAG_SHIFT_DR, SIM_JTAG_EXIT1_DR},
    [SIM_JTAG_EXIT1_DR] = {SIM_JTAG_PAUSE_DR, SIM_JTAG_UPDATE_DR},
    [SIM_JTAG_PAUSE_DR] = {SIM_JTAG_PAUSE_DR, SIM_JTAG_EXIT2_DR},
    [SIM_JTAG_EXIT2_DR] = {SIM_JTAG_SHIFT_DR, SIM_JTAG_UPDATE_DR},
    [SIM_JTAG_UPDATE_DR] = {SIM_JTAG_RUN_TEST_IDLE, SIM_JTAG_SELECT_DR},
    [SIM_JTAG_SELECT_IR] = {SIM_JTAG_CAPTURE_IR, SIM_JTAG_TEST_LOGIC_RESET},
    [SIM_JTAG_CAPTURE_IR] = {SIM_JTAG_SHIFT_IR, SIM_JTAG_EXIT1_IR},
    [SIM_JTAG_SHIFT_IR] = {SIM_JTAG_SHIFT_IR, SIM_JTAG_EXIT1_IR},
    [SIM_JTAG_EXIT1_IR] = {SIM_JTAG_PAUSE_IR, SIM_JTAG_UPDATE_IR},
    [SIM_JTAG_PAUSE_IR] = {SIM_JTAG_PAUSE_IR, SIM_JTAG_EXIT2_IR},
    [SIM_JTAG_EXIT2_IR] = {SIM_JTAG_SHIFT_IR, SIM_JTAG_UPDATE_IR},
    [SIM_JTAG_UPDATE_IR] = {SIM_JTAG_RUN_TEST_IDLE, SIM_JTAG_SELECT_DR},
};

static struct sim_jtag_register load(uint64_t bits, unsigned length)
{
    return (struct sim_jtag_register){.bits = bits, .length = length};
}

/* One bit in at the TDI end, one out at the TDO end. */
static bool shift(struct sim_jtag_register *reg, bool in)
{
    bool out = reg->bits & 1;
    reg->bits = (reg->bits >> 1) | ((uint64_t)in << (reg->length - 1));
    return out;
}

static uint64_t low_bits(const struct sim_jtag_register *reg, unsigned count)
{
    return reg->bits & ((UINT64_C(1) << count) - 1);
}

void sim_jtag_init(struct sim_jtag *jtag, struct sim_dap *dap, uint32_t dap_idcode, uint32_t bs_idcode)
{
    *jtag = (struct sim_jtag){0};
    jtag->debug = (struct sim_jtag_tap){.idcode = dap_idcode, .ir = load(0, 1), .dr = load(0, BYPASS_BITS)};
    jtag->boundary_scan = (struct sim_jtag_tap){.idcode = bs_idcode, .ir = load(0, 1), .dr = load(0, BYPASS_BITS)};
    sim_jtag_dp_init(&jtag->dp, dap);
    sim_jtag_reset(jtag);
}

static void select_idcode(struct sim_jtag *jtag)
{
    jtag->debug.instruction = SIM_JTAG_DP_IDCODE;
    jtag->boundary_scan.instruction = SIM_JTAG_BS_IDCODE;
    sim_jtag_dp_reset(&jtag->dp);
}

void sim_jtag_reset(struct sim_jtag *jtag)
{
    jtag->state = SIM_JTAG_TEST_LOGIC_RESET;
    select_idcode(jtag);
    jtag->tdo = true;
}

static bool dp_access(uint8_t instruction)
{
    return instruction == SIM_JTAG_DP_ABORT || instruction == SIM_JTAG_DP_DPACC || instruction == SIM_JTAG_DP_APACC;
}

static struct sim_jtag_register capture_debug(struct sim_jtag *jtag, uint64_t now_ps)
{
    uint8_t instruction = jtag->debug.instruction;
    if (instruction == SIM_JTAG_DP_IDCODE)
        return load(jtag->debug.idcode, IDCODE_BITS);
    if (dp_access(instruction))
        return load(sim_jtag_dp_capture(&jtag->dp, instruction, now_ps), SIM_JTAG_DP_ACCESS_BITS);
    return load(0, BYPASS_BITS);
}

static struct sim_jtag_register capture_boundary_scan(const struct sim_jtag *jtag)
{
    if (jtag->boundary_scan.instruction == SIM_JTAG_BS_IDCODE)
        return load(jtag->boundary_scan.idcode, IDCODE_BITS);
    return load(0, BYPASS_BITS);
}

/* Rising edge: the current state's action on the shift registers. */
static void rising_edge(struct sim_jtag *jtag, bool tdi, uint64_t now_ps)
{
    struct sim_jtag_tap *bs = &jtag->boundary_scan;
    struct sim_jtag_tap *debug = &jtag->debug;
    switch (jtag->state) {
    case SIM_JTAG_CAPTURE_IR:
        bs->ir = load(SIM_JTAG_BS_IR_CAPTURE, SIM_JTAG_BS_IR_LENGTH);
        debug->ir = load(SIM_JTAG_DP_IR_CAPTURE, SIM_JTAG_DP_IR_LENGTH);
        break;
    case SIM_JTAG_SHIFT_IR: shift(&debug->ir, shift(&bs->ir, tdi)); break;
    case SIM_JTAG_CAPTURE_DR:
        bs->dr = capture_boundary_scan(jtag);
        debug->dr = capture_debug(jtag, now_ps);
        break;
    case SIM_JTAG_SHIFT_DR: shift(&debug->dr, shift(&bs->dr, tdi)); break;
    default: break;
    }
}

/* Falling edge: the new state's update, and TDO. */
static void falling_edge(struct sim_jtag *jtag, uint64_t now_ps)
{
    struct sim_jtag_tap *debug = &jtag->debug;
    switch (jtag->state) {
    case SIM_JTAG_TEST_LOGIC_RESET: select_idcode(jtag); break;
    case SIM_JTAG_UPDATE_IR:
        jtag->boundary_scan.instruction = (uint8_t)low_bits(&jtag->boundary_scan.ir, SIM_JTAG_BS_IR_LENGTH);
        debug->instruction = (uint8_t)low_bits(&debug->ir, SIM_JTAG_DP_IR_LENGTH);
        break;
    case SIM_JTAG_UPDATE_DR:
        if (dp_access(debug->instruction))
            sim_jtag_dp_update(&jtag->dp, debug->instruction, debug->dr.bits, now_ps);
        break;
    default: break;
    }
    if (jtag->state == SIM_JTAG_SHIFT_IR)
        jtag->tdo = debug->ir.bits & 1;
    else if (jtag->state == SIM_JTAG_SHIFT_DR)
        jtag->tdo = debug->dr.bits & 1;
    else
        jtag->tdo = true;
}

bool sim_jtag_clock(struct sim_jtag *jtag, bool tms, bool tdi, uint64_t now_ps)
{
    rising_edge(jtag, tdi, now_ps);
    jtag->state = next_state[jtag->state][tms];
    falling_edge(jtag, now_ps);
    return jtag->tdo;
}
