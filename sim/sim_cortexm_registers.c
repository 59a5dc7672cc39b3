/*
 * sim_cortexm_registers.c - core registers as the emulator holds them and as the debugger selects them through
 * DCRSR (ARMv7-M C1.6.3).
 */
#include "sim_cortexm_internal.h"

uint32_t cm_reg_read(struct sim_cortexm *cpu, int uc_reg)
{
    uint32_t value = 0;
    uc_reg_read(cpu->uc, uc_reg, &value);
    return value;
}

void cm_reg_write(struct sim_cortexm *cpu, int uc_reg, uint32_t value)
{
    uc_reg_write(cpu->uc, uc_reg, &value);
}

/* The special-purpose registers packed as DCRSR selector 20 shows them. */
static uint32_t cm_special_read(struct sim_cortexm *cpu)
{
    uint32_t control = cm_reg_read(cpu, UC_ARM_REG_CONTROL) & 0x7u;
    uint32_t faultmask = cm_is_v6m(cpu) ? 0 : cm_reg_read(cpu, UC_ARM_REG_FAULTMASK) & 1u;
    uint32_t basepri = cm_is_v6m(cpu) ? 0 : cm_reg_read(cpu, UC_ARM_REG_BASEPRI) & 0xFFu;
    uint32_t primask = cm_reg_read(cpu, UC_ARM_REG_PRIMASK) & 1u;
    return control << 24 | faultmask << 16 | basepri << 8 | primask;
}

static void cm_special_write(struct sim_cortexm *cpu, uint32_t value)
{
    cm_reg_write(cpu, UC_ARM_REG_PRIMASK, value & 1u);
    if (!cm_is_v6m(cpu)) {
        cm_reg_write(cpu, UC_ARM_REG_BASEPRI, (value >> 8) & cpu->priority_mask);
        cm_reg_write(cpu, UC_ARM_REG_FAULTMASK, (value >> 16) & 1u);
    }
    cm_reg_write(cpu, UC_ARM_REG_CONTROL, (value >> 24) & (cm_is_v6m(cpu) ? 0x3u : 0x7u));
}

static bool cm_has_fpu(const struct sim_cortexm *cpu)
{
    return cpu->config.core == SIM_CORE_M4 || cpu->config.core == SIM_CORE_M7; /* single precision as the F7's */
}

/* The emulator's register for a selector that maps one to one, or -1. */
static int cm_uc_register(const struct sim_cortexm *cpu, unsigned selector)
{
    if (selector <= 12)
        return UC_ARM_REG_R0 + (int)selector;
    switch (selector) {
    case SIM_CORTEXM_REG_SP: return UC_ARM_REG_SP;
    case SIM_CORTEXM_REG_LR: return UC_ARM_REG_LR;
    case SIM_CORTEXM_REG_MSP: return UC_ARM_REG_MSP;
    case SIM_CORTEXM_REG_PSP: return UC_ARM_REG_PSP;
    default: break;
    }
    if (cm_has_fpu(cpu)) {
        if (selector == SIM_CORTEXM_REG_FPSCR)
            return UC_ARM_REG_FPSCR;
        if (selector >= SIM_CORTEXM_REG_S0 && selector < SIM_CORTEXM_REG_S0 + 32)
            return UC_ARM_REG_S0 + (int)(selector - SIM_CORTEXM_REG_S0);
    }
    return -1;
}

uint32_t sim_cortexm_reg(struct sim_cortexm *cpu, unsigned selector)
{
    switch (selector) {
    case SIM_CORTEXM_REG_PC: return cm_reg_read(cpu, UC_ARM_REG_PC) & ~1u;
    case SIM_CORTEXM_REG_XPSR: {
        uint32_t xpsr = cm_reg_read(cpu, UC_ARM_REG_XPSR);
        return xpsr | (1u << 24); /* the emulator keeps T apart; in Thumb-only M-profile it is always 1 */
    }
    case SIM_CORTEXM_REG_SPECIAL: return cm_special_read(cpu);
    default: break;
    }
    int reg = cm_uc_register(cpu, selector);
    return reg < 0 ? 0 : cm_reg_read(cpu, reg);
}

void sim_cortexm_set_reg(struct sim_cortexm *cpu, unsigned selector, uint32_t value)
{
    switch (selector) {
    case SIM_CORTEXM_REG_PC:
        cm_reg_write(cpu, UC_ARM_REG_PC, value | 1u);
        cpu->skip_breakpoint = false;
        return;
    case SIM_CORTEXM_REG_XPSR:
        /* IPSR and flags; rewriting NZCV rebuilds the emulator's view of handler mode (unicorn.md 3). */
        cm_reg_write(cpu, UC_ARM_REG_XPSR, value | (1u << 24));
        cm_reg_write(cpu, UC_ARM_REG_APSR_NZCV, value & 0xF0000000u);
        return;
    case SIM_CORTEXM_REG_SPECIAL: cm_special_write(cpu, value); return;
    default: break;
    }
    int reg = cm_uc_register(cpu, selector);
    if (reg >= 0)
        cm_reg_write(cpu, reg, value);
}
