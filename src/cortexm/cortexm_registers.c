/*
 * cortexm_registers.c - core registers of a halted core through DCRSR and DCRDR (ARMv7-M C1.6.3, ARMv6-M C1.6.3).
 *
 * A transfer is a DCRSR write that names the register (and the direction), then a wait for DHCSR.S_REGRDY, with
 * DCRDR holding the value: written before DCRSR for a write, read after S_REGRDY for a read. The core only moves
 * registers in debug state, so the same DHCSR read also checks that it is halted.
 */
#include "cortexm/cortexm_internal.h"

#define US_PER_MS            1000u
#define CORTEXM_REG_RESERVED 19u /* between PSP and the special registers */
#define CORTEXM_REG_S31      (CORTEXM_REG_S0 + 31u)

static bool cortexm_register_exists(const struct cortexm *core, unsigned reg)
{
    if (reg <= CORTEXM_REG_SPECIAL)
        return reg != CORTEXM_REG_RESERVED;
    return core->has_fpu && (reg == CORTEXM_REG_FPSCR || (reg >= CORTEXM_REG_S0 && reg <= CORTEXM_REG_S31));
}

static enum status cortexm_register_transfer(struct cortexm *core, unsigned reg, bool write, uint32_t *value)
{
    const char *direction = write ? "writing" : "reading";
    if (!cortexm_register_exists(core, reg))
        return status_fail(core->report, STATUS_INVALID_ARGUMENT, "%s core register %u: no such register on a %s",
                           direction, reg, cortexm_core_name(core->cpuid));

    enum status status = STATUS_OK;
    if (write)
        status = adi_mem_write32(core->ap, CORTEXM_DCRDR, *value);
    if (status == STATUS_OK)
        status = adi_mem_write32(core->ap, CORTEXM_DCRSR, reg | (write ? CORTEXM_DCRSR_REGWNR : 0u));
    if (status != STATUS_OK)
        return status;

    /* S_REGRDY is back within a few core cycles: by the time DHCSR is read over the wire it is normally set. */
    const struct hal_system *system = core->system;
    uint64_t start_us = system->now_us(system->ctx);
    for (;;) {
        uint32_t dhcsr;
        status = cortexm_read_dhcsr(core, &dhcsr);
        if (status != STATUS_OK)
            return status;
        if (!(dhcsr & CORTEXM_DHCSR_S_HALT))
            return status_fail(core->report, STATUS_CORE_NOT_HALTED, "%s core register %u (DHCSR 0x%08lX)", direction,
                               reg, (unsigned long)dhcsr);
        if (dhcsr & CORTEXM_DHCSR_S_REGRDY)
            break;
        if (cortexm_elapsed_us(core, start_us) >= AIRSWD_CORTEXM_REGISTER_TIMEOUT_MS * US_PER_MS)
            return status_fail(core->report, STATUS_TIMEOUT,
                               "%s core register %u: DHCSR.S_REGRDY not set within %u ms (DHCSR 0x%08lX)", direction,
                               reg, AIRSWD_CORTEXM_REGISTER_TIMEOUT_MS, (unsigned long)dhcsr);
        if (system->yield(system->ctx))
            return status_fail(core->report, STATUS_CANCELLED, "%s core register %u", direction, reg);
    }
    if (!write)
        status = adi_mem_read32(core->ap, CORTEXM_DCRDR, value);
    return status;
}

enum status cortexm_read_reg(struct cortexm *core, unsigned reg, uint32_t *value)
{
    *value = 0;
    return cortexm_register_transfer(core, reg, false, value);
}

enum status cortexm_write_reg(struct cortexm *core, unsigned reg, uint32_t value)
{
    /* The debug return address is a halfword address; the Thumb state is xPSR.T, not bit 0 as in a BX target. */
    if (reg == CORTEXM_REG_PC)
        value &= ~1u;
    return cortexm_register_transfer(core, reg, true, &value);
}
