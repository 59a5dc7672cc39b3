/*
 * cortexm.c - attaching to a Cortex-M core, and halting, stepping and resuming it through DHCSR.
 */
#include "cortexm/cortexm_internal.h"

#define US_PER_MS 1000u

/* ---- DHCSR and the wait every other operation is built on ---- */

enum status cortexm_read_dhcsr(struct cortexm *core, uint32_t *dhcsr)
{
    enum status status = adi_mem_read32(core->ap, CORTEXM_DHCSR, dhcsr);
    if (status == STATUS_OK && (*dhcsr & CORTEXM_DHCSR_S_RESET_ST))
        core->reset_seen = true;
    return status;
}

enum status cortexm_write_dhcsr(struct cortexm *core, uint32_t control)
{
    return adi_mem_write32(core->ap, CORTEXM_DHCSR, CORTEXM_DHCSR_DBGKEY | (control & 0xFFFFu));
}

uint64_t cortexm_elapsed_us(const struct cortexm *core, uint64_t start_us)
{
    return core->system->now_us(core->system->ctx) - start_us;
}

enum status cortexm_wait_dhcsr(struct cortexm *core, const struct cortexm_wait *wait, uint32_t *dhcsr)
{
    const struct hal_system *system = core->system;
    uint64_t start_us = system->now_us(system->ctx);
    *dhcsr = 0;
    for (;;) {
        enum status status = cortexm_read_dhcsr(core, dhcsr);
        if (status == STATUS_OK && (*dhcsr & wait->mask) == wait->value && (!wait->after_reset || core->reset_seen))
            return STATUS_OK;
        /* During a reset the bus may refuse accesses for a moment; anything else ends the wait at once. */
        if (status != STATUS_OK && !(wait->through_reset && adi_status_is_retryable(status)))
            return status;
        uint64_t elapsed_us = cortexm_elapsed_us(core, start_us);
        if (elapsed_us >= wait->timeout_us)
            return status != STATUS_OK ? status : STATUS_TIMEOUT;
        if (system->yield(system->ctx) && !wait->cleanup)
            return status_fail(core->report, STATUS_CANCELLED, "waiting for the core's %s (DHCSR 0x%08lX)", wait->what,
                               (unsigned long)*dhcsr);
        if (wait->poll_interval_us != 0) {
            uint64_t left_us = wait->timeout_us - elapsed_us;
            system->delay_us(system->ctx,
                             left_us < wait->poll_interval_us ? (uint32_t)left_us : wait->poll_interval_us);
        }
    }
}

/* ---- Attach ---- */

/* CPUID.PARTNO of ARM's M-profile cores (each core's Technical Reference Manual). */
static const struct {
    uint16_t partno;
    const char *name;
} cortexm_core_names[] = {
    {0xC20, "Cortex-M0"},  {0xC21, "Cortex-M1"},  {0xC23, "Cortex-M3"},  {0xC24, "Cortex-M4"},  {0xC27, "Cortex-M7"},
    {0xC60, "Cortex-M0+"}, {0xD20, "Cortex-M23"}, {0xD21, "Cortex-M33"}, {0xD22, "Cortex-M55"}, {0xD23, "Cortex-M85"},
};

const char *cortexm_core_name(uint32_t cpuid)
{
    unsigned partno = (cpuid >> CORTEXM_CPUID_PARTNO_SHIFT) & CORTEXM_CPUID_PARTNO_MASK;
    for (size_t i = 0; i < sizeof cortexm_core_names / sizeof cortexm_core_names[0]; i++) {
        if (cortexm_core_names[i].partno == partno)
            return cortexm_core_names[i].name;
    }
    return "unknown Cortex-M";
}

/* Fills in what the CPUID says; false when it is not an ARM M-profile core. */
static bool cortexm_identify(struct cortexm *core, uint32_t cpuid)
{
    unsigned implementer = cpuid >> CORTEXM_CPUID_IMPLEMENTER_SHIFT;
    unsigned architecture = (cpuid >> CORTEXM_CPUID_ARCHITECTURE_SHIFT) & CORTEXM_CPUID_ARCHITECTURE_MASK;
    unsigned partno = (cpuid >> CORTEXM_CPUID_PARTNO_SHIFT) & CORTEXM_CPUID_PARTNO_MASK;
    if (implementer != CORTEXM_CPUID_IMPLEMENTER_ARM)
        return false;
    if (architecture != CORTEXM_CPUID_ARCHITECTURE_V6M && architecture != CORTEXM_CPUID_ARCHITECTURE_V7M)
        return false;
    core->cpuid = cpuid;
    core->armv6m = architecture == CORTEXM_CPUID_ARCHITECTURE_V6M;
    core->armv8m = (partno & CORTEXM_PARTNO_V8M_MASK) == CORTEXM_PARTNO_V8M;
    return true;
}

enum status cortexm_attach(struct cortexm *core, struct adi_mem_ap *ap, const struct hal_system *system,
                           const struct hal_target_pins *pins, struct status_report *report)
{
    *core = (struct cortexm){.ap = ap, .system = system, .pins = pins, .report = report};

    uint32_t cpuid;
    enum status status = adi_mem_read32(ap, CORTEXM_CPUID, &cpuid);
    if (status != STATUS_OK)
        return status;
    if (!cortexm_identify(core, cpuid))
        return status_fail(report, STATUS_UNSUPPORTED,
                           "CPUID 0x%08lX at 0xE000ED00 is not an ARM Cortex-M core: check the part and the AP",
                           (unsigned long)cpuid);

    /* A floating-point unit announces itself in MVFR0 (ARMv7-M B4.1.2); ARMv6-M has no such register. */
    if (!core->armv6m) {
        uint32_t mvfr0;
        status = adi_mem_read32(ap, CORTEXM_MVFR0, &mvfr0);
        if (status != STATUS_OK)
            return status;
        core->has_fpu = mvfr0 != 0;
    }

    /* Enabling halting debug must not change whether the core runs: clearing C_HALT of a halted core resumes it. */
    uint32_t dhcsr;
    status = cortexm_read_dhcsr(core, &dhcsr);
    if (status == STATUS_OK) {
        uint32_t control = CORTEXM_DHCSR_C_DEBUGEN | (dhcsr & CORTEXM_DHCSR_C_MASKINTS);
        if (dhcsr & CORTEXM_DHCSR_S_HALT)
            control |= CORTEXM_DHCSR_C_HALT;
        status = cortexm_write_dhcsr(core, control);
    }
    if (status == STATUS_OK)
        status = cortexm_read_dhcsr(core, &dhcsr);
    if (status != STATUS_OK)
        return status;
    if (!(dhcsr & CORTEXM_DHCSR_C_DEBUGEN))
        return status_fail(report, STATUS_UNSUPPORTED,
                           "%s: DHCSR.C_DEBUGEN stays 0 (DHCSR 0x%08lX): halting debug is disabled on this part",
                           cortexm_core_name(cpuid), (unsigned long)dhcsr);

    /* The DWT is only reachable with TRCENA (DWTENA on ARMv6-M, the same bit). */
    uint32_t demcr;
    status = adi_mem_read32(ap, CORTEXM_DEMCR, &demcr);
    if (status == STATUS_OK && !(demcr & CORTEXM_DEMCR_TRCENA))
        status = adi_mem_write32(ap, CORTEXM_DEMCR, demcr | CORTEXM_DEMCR_TRCENA);
    if (status != STATUS_OK)
        return status;
    return cortexm_debug_units_attach(core);
}

/* ---- Run control ---- */

/* The timeout detail of a halt or a step that did not happen. */
static enum status cortexm_not_halted(struct cortexm *core, const char *what, uint32_t dhcsr)
{
    if (dhcsr & CORTEXM_DHCSR_S_LOCKUP)
        return status_fail(core->report, STATUS_CORE_FAULT,
                           "%s: the core is locked up (a fault in a fault handler; DHCSR 0x%08lX): reset it", what,
                           (unsigned long)dhcsr);
    /* S_RESET_ST clears when read: still set at the end of the wait, the core is being held in reset. */
    if (dhcsr & CORTEXM_DHCSR_S_RESET_ST)
        return status_fail(core->report, STATUS_TIMEOUT, "%s: the core is held in reset (DHCSR 0x%08lX): is NRST low?",
                           what, (unsigned long)dhcsr);
    return status_fail(core->report, STATUS_TIMEOUT, "%s: the core did not halt within %u ms (DHCSR 0x%08lX)", what,
                       AIRSWD_CORTEXM_HALT_TIMEOUT_MS, (unsigned long)dhcsr);
}

static enum status cortexm_wait_halted(struct cortexm *core, const char *what)
{
    struct cortexm_wait wait = {
        .what = what,
        .mask = CORTEXM_DHCSR_S_HALT,
        .value = CORTEXM_DHCSR_S_HALT,
        .timeout_us = AIRSWD_CORTEXM_HALT_TIMEOUT_MS * US_PER_MS,
    };
    uint32_t dhcsr;
    enum status status = cortexm_wait_dhcsr(core, &wait, &dhcsr);
    return status == STATUS_TIMEOUT ? cortexm_not_halted(core, what, dhcsr) : status;
}

enum status cortexm_halt(struct cortexm *core)
{
    enum status status = cortexm_write_dhcsr(core, CORTEXM_DHCSR_C_DEBUGEN | CORTEXM_DHCSR_C_HALT);
    if (status != STATUS_OK)
        return status;
    return cortexm_wait_halted(core, "halt");
}

enum status cortexm_resume(struct cortexm *core)
{
    enum status status = adi_mem_write32(core->ap, CORTEXM_DFSR, CORTEXM_DFSR_ALL);
    if (status != STATUS_OK)
        return status;
    return cortexm_write_dhcsr(core, CORTEXM_DHCSR_C_DEBUGEN);
}

enum status cortexm_step(struct cortexm *core)
{
    uint32_t dhcsr;
    enum status status = cortexm_read_dhcsr(core, &dhcsr);
    if (status != STATUS_OK)
        return status;
    if (!(dhcsr & CORTEXM_DHCSR_S_HALT))
        return status_fail(core->report, STATUS_CORE_NOT_HALTED, "single step (DHCSR 0x%08lX)", (unsigned long)dhcsr);
    status = adi_mem_write32(core->ap, CORTEXM_DFSR, CORTEXM_DFSR_ALL);
    /* The step runs the instruction at PC, not an interrupt that became pending meanwhile (a SysTick of the stopped
     * firmware): C_MASKINTS, which may only change while halted (C1.6.2), holds them off for the step. C_STEP with
     * C_HALT clear leaves debug state for one instruction. */
    uint32_t masked = CORTEXM_DHCSR_C_DEBUGEN | CORTEXM_DHCSR_C_MASKINTS;
    if (status == STATUS_OK)
        status = cortexm_write_dhcsr(core, masked | CORTEXM_DHCSR_C_HALT);
    if (status == STATUS_OK)
        status = cortexm_write_dhcsr(core, masked | CORTEXM_DHCSR_C_STEP);
    if (status != STATUS_OK)
        return status;
    status = cortexm_wait_halted(core, "single step");
    /* Without C_STEP cleared, the next resume would step again; the interrupts come back for it. */
    enum status cleared = cortexm_write_dhcsr(core, CORTEXM_DHCSR_C_DEBUGEN | CORTEXM_DHCSR_C_HALT);
    return status != STATUS_OK ? status : cleared;
}

enum status cortexm_is_halted(struct cortexm *core, bool *halted)
{
    uint32_t dhcsr;
    enum status status = cortexm_read_dhcsr(core, &dhcsr);
    *halted = status == STATUS_OK && (dhcsr & CORTEXM_DHCSR_S_HALT);
    return status;
}

enum status cortexm_halt_reason(struct cortexm *core, enum cortexm_halt_reason *reason)
{
    uint32_t dfsr;
    enum status status = adi_mem_read32(core->ap, CORTEXM_DFSR, &dfsr);
    *reason = CORTEXM_HALT_NONE;
    if (status != STATUS_OK)
        return status;
    if (dfsr & CORTEXM_DFSR_VCATCH)
        *reason = CORTEXM_HALT_VECTOR_CATCH;
    else if (dfsr & CORTEXM_DFSR_DWTTRAP)
        *reason = CORTEXM_HALT_WATCHPOINT;
    else if (dfsr & CORTEXM_DFSR_BKPT)
        *reason = CORTEXM_HALT_BREAKPOINT;
    else if (dfsr & CORTEXM_DFSR_EXTERNAL)
        *reason = CORTEXM_HALT_EXTERNAL;
    else if (dfsr & CORTEXM_DFSR_HALTED)
        *reason = CORTEXM_HALT_REQUEST;
    return STATUS_OK;
}
