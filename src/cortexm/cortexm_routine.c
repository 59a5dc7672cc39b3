/*
 * cortexm_routine.c - running a routine the host has written into the target's RAM (a flash loader, a CRC) and
 * collecting its result.
 *
 * The routine gets a clean core: privileged thread mode on MSP, PRIMASK set, arguments in r0-r3. It ends with BKPT,
 * which halts the core while C_DEBUGEN is set (DFSR.BKPT). Anything else that stops it is a failure the host must
 * see: every fault is caught by the DEMCR vector catch as it enters its handler (DFSR.VCATCH), with the faulting
 * address in the exception frame and the cause in CFSR/HFSR; a core that cannot even take the fault locks up.
 */
#include "cortexm/cortexm_internal.h"

#define US_PER_MS 1000u
/* LR of a routine: returning through it branches into the Private Peripheral Bus, which is never executable (XN),
 * so the return faults where the fault report can recognise it. Not 0xFxxxxxxx: those look like EXC_RETURN. */
#define CORTEXM_ROUTINE_LR 0xE0000001u
/* The special registers a routine starts with: CONTROL 0 (privileged, MSP), FAULTMASK 0, BASEPRI 0, PRIMASK 1. */
#define CORTEXM_ROUTINE_SPECIAL 0x00000001u

/* The vector catches that stop a routine at its first fault (ARMv6-M has HardFault only). */
static uint32_t cortexm_fault_catches(const struct cortexm *core)
{
    return core->armv6m ? CORTEXM_DEMCR_VC_HARDERR : CORTEXM_DEMCR_VC_FAULTS_V7M;
}

enum status cortexm_routine_forget(struct cortexm *core)
{
    if (!core->routine_running)
        return STATUS_OK;
    core->routine_running = false;
    return adi_mem_write32(core->ap, CORTEXM_DEMCR, core->routine_saved_demcr);
}

enum status cortexm_abort_routine(struct cortexm *core)
{
    if (!core->routine_running)
        return STATUS_OK;
    enum status status = cortexm_write_dhcsr(core, CORTEXM_DHCSR_C_DEBUGEN | CORTEXM_DHCSR_C_HALT);
    if (status == STATUS_OK) {
        struct cortexm_wait wait = {
            .what = "halt",
            .mask = CORTEXM_DHCSR_S_HALT,
            .value = CORTEXM_DHCSR_S_HALT,
            .timeout_us = AIRSWD_CORTEXM_HALT_TIMEOUT_MS * US_PER_MS,
            .cleanup = true,
        };
        uint32_t dhcsr;
        status = cortexm_wait_dhcsr(core, &wait, &dhcsr);
        if (status == STATUS_TIMEOUT)
            status =
                status_fail(core->report, (dhcsr & CORTEXM_DHCSR_S_LOCKUP) ? STATUS_CORE_FAULT : STATUS_TIMEOUT,
                            "stopping the routine at 0x%08lX: the core did not halt within %u ms (DHCSR "
                            "0x%08lX)",
                            (unsigned long)core->routine_entry, AIRSWD_CORTEXM_HALT_TIMEOUT_MS, (unsigned long)dhcsr);
    }
    enum status restored = cortexm_routine_forget(core);
    return status != STATUS_OK ? status : restored;
}

enum status cortexm_start_routine(struct cortexm *core, const struct cortexm_routine_call *call)
{
    if (core->routine_running)
        return status_fail(core->report, STATUS_INVALID_ARGUMENT,
                           "routine at 0x%08lX still running: poll it to its end or abort it first",
                           (unsigned long)core->routine_entry);
    if (call->stack_top % 4u != 0)
        return status_fail(core->report, STATUS_ALIGNMENT, "routine at 0x%08lX: stack top 0x%08lX not 4-byte aligned",
                           (unsigned long)call->entry, (unsigned long)call->stack_top);

    uint32_t dhcsr, demcr;
    enum status status = cortexm_read_dhcsr(core, &dhcsr);
    if (status != STATUS_OK)
        return status;
    if (!(dhcsr & CORTEXM_DHCSR_S_HALT))
        return status_fail(core->report, STATUS_CORE_NOT_HALTED, "starting the routine at 0x%08lX (DHCSR 0x%08lX)",
                           (unsigned long)call->entry, (unsigned long)dhcsr);
    status = adi_mem_read32(core->ap, CORTEXM_DEMCR, &demcr);
    if (status == STATUS_OK)
        status = adi_mem_write32(core->ap, CORTEXM_DEMCR, demcr | cortexm_fault_catches(core));
    if (status != STATUS_OK)
        return status;
    core->routine_running = true;
    core->routine_entry = call->entry & ~1u;
    core->routine_saved_demcr = demcr;

    /* xPSR first (IPSR 0: thread mode), then CONTROL (SPSEL 0), so that MSP is the stack pointer in use. */
    const struct {
        unsigned reg;
        uint32_t value;
    } setup[] = {
        {CORTEXM_REG_XPSR, CORTEXM_XPSR_THUMB}, {CORTEXM_REG_SPECIAL, CORTEXM_ROUTINE_SPECIAL},
        {CORTEXM_REG_MSP, call->stack_top},     {CORTEXM_REG_R0, call->args[0]},
        {CORTEXM_REG_R0 + 1, call->args[1]},    {CORTEXM_REG_R0 + 2, call->args[2]},
        {CORTEXM_REG_R0 + 3, call->args[3]},    {CORTEXM_REG_LR, CORTEXM_ROUTINE_LR},
        {CORTEXM_REG_PC, core->routine_entry},
    };
    for (size_t i = 0; i < sizeof setup / sizeof setup[0] && status == STATUS_OK; i++)
        status = cortexm_write_reg(core, setup[i].reg, setup[i].value);
    /* A fresh DFSR tells the routine's BKPT from an older halt. */
    if (status == STATUS_OK)
        status = adi_mem_write32(core->ap, CORTEXM_DFSR, CORTEXM_DFSR_ALL);
    if (status == STATUS_OK)
        status = cortexm_write_dhcsr(core, CORTEXM_DHCSR_C_DEBUGEN);
    if (status != STATUS_OK)
        cortexm_abort_routine(core); /* best effort: the failure that matters is status */
    return status;
}

static const char *cortexm_exception_name(uint32_t exception)
{
    switch (exception) {
    case CORTEXM_EXCEPTION_NMI: return "NMI";
    case CORTEXM_EXCEPTION_HARDFAULT: return "HardFault";
    case CORTEXM_EXCEPTION_MEMMANAGE: return "MemManage fault";
    case CORTEXM_EXCEPTION_BUSFAULT: return "BusFault";
    case CORTEXM_EXCEPTION_USAGEFAULT: return "UsageFault";
    default: return "exception";
    }
}

/* The routine was caught entering a fault handler: which fault, at which instruction (the return address the
 * exception frame holds), and why (CFSR/HFSR). The details are read best effort: the fault is reported anyway. */
static enum status cortexm_routine_fault(struct cortexm *core, uint32_t entry)
{
    uint32_t xpsr = 0, sp = 0, fault_pc = 0, cfsr = 0, hfsr = 0;
    if (cortexm_read_reg(core, CORTEXM_REG_XPSR, &xpsr) == STATUS_OK &&
        cortexm_read_reg(core, CORTEXM_REG_SP, &sp) == STATUS_OK)
        adi_mem_read32(core->ap, sp + CORTEXM_FRAME_PC_OFFSET, &fault_pc);
    const char *name = cortexm_exception_name(xpsr & CORTEXM_XPSR_IPSR_MASK);
    if (fault_pc == (CORTEXM_ROUTINE_LR & ~1u))
        return status_fail(core->report, STATUS_CORE_FAULT,
                           "routine at 0x%08lX returned (%s at its LR) instead of ending with a BKPT instruction",
                           (unsigned long)entry, name);
    if (core->armv6m)
        return status_fail(core->report, STATUS_CORE_FAULT, "routine at 0x%08lX: %s at 0x%08lX", (unsigned long)entry,
                           name, (unsigned long)fault_pc);
    adi_mem_read32(core->ap, CORTEXM_CFSR, &cfsr);
    adi_mem_read32(core->ap, CORTEXM_HFSR, &hfsr);
    return status_fail(core->report, STATUS_CORE_FAULT, "routine at 0x%08lX: %s at 0x%08lX (CFSR 0x%08lX HFSR 0x%08lX)",
                       (unsigned long)entry, name, (unsigned long)fault_pc, (unsigned long)cfsr, (unsigned long)hfsr);
}

/* The routine has halted: at its BKPT (result in r0), or anywhere else (a failure). */
static enum status cortexm_routine_finish(struct cortexm *core, uint32_t *result)
{
    uint32_t entry = core->routine_entry;
    uint32_t dfsr = 0, pc = 0, word = 0;
    enum status status = cortexm_routine_forget(core);
    if (status == STATUS_OK)
        status = adi_mem_read32(core->ap, CORTEXM_DFSR, &dfsr);
    if (status != STATUS_OK)
        return status;
    if (dfsr & CORTEXM_DFSR_VCATCH)
        return cortexm_routine_fault(core, entry);

    status = cortexm_read_reg(core, CORTEXM_REG_PC, &pc);
    /* DFSR.BKPT is also set by an FPB comparator: the instruction itself must be a BKPT. */
    if (status == STATUS_OK && (dfsr & CORTEXM_DFSR_BKPT))
        status = adi_mem_read32(core->ap, pc & ~3u, &word);
    if (status != STATUS_OK)
        return status;
    uint16_t instruction = (uint16_t)(word >> (8u * (pc & 2u)));
    if ((dfsr & CORTEXM_DFSR_BKPT) && (instruction & CORTEXM_THUMB_BKPT_MASK) == CORTEXM_THUMB_BKPT)
        return cortexm_read_reg(core, CORTEXM_REG_R0, result);
    return status_fail(core->report, STATUS_CORE_FAULT,
                       "routine at 0x%08lX stopped at 0x%08lX (DFSR 0x%02lX), not at a BKPT instruction",
                       (unsigned long)entry, (unsigned long)pc, (unsigned long)dfsr);
}

enum status cortexm_poll_routine(struct cortexm *core, bool *finished, uint32_t *result)
{
    *finished = false;
    *result = 0;
    if (!core->routine_running)
        return status_fail(core->report, STATUS_INVALID_ARGUMENT, "polling a routine: none is running");
    uint32_t dhcsr;
    enum status status = cortexm_read_dhcsr(core, &dhcsr);
    if (status != STATUS_OK)
        return status;
    if (dhcsr & CORTEXM_DHCSR_S_HALT) {
        *finished = true;
        return cortexm_routine_finish(core, result);
    }
    if (!(dhcsr & CORTEXM_DHCSR_S_LOCKUP))
        return STATUS_OK;
    /* Locked up: a fault the core could not take (its stack is not in RAM, or a fault inside the fault handler). */
    *finished = true;
    uint32_t entry = core->routine_entry;
    cortexm_routine_forget(core);
    return status_fail(core->report, STATUS_CORE_FAULT,
                       "routine at 0x%08lX locked the core up (DHCSR 0x%08lX): check its stack; reset the core",
                       (unsigned long)entry, (unsigned long)dhcsr);
}

/* Halts a routine that ran out of time and says where it was, with the limit in the unit it was given in. */
static enum status cortexm_routine_timed_out(struct cortexm *core, uint32_t timeout_us)
{
    uint32_t entry = core->routine_entry, pc = 0;
    enum status status = cortexm_abort_routine(core);
    if (status == STATUS_OK)
        status = cortexm_read_reg(core, CORTEXM_REG_PC, &pc);
    if (status != STATUS_OK)
        return status;
    bool in_ms = timeout_us % US_PER_MS == 0;
    return status_fail(core->report, STATUS_TIMEOUT,
                       "routine at 0x%08lX did not finish within %lu %s; halted at 0x%08lX", (unsigned long)entry,
                       (unsigned long)(in_ms ? timeout_us / US_PER_MS : timeout_us), in_ms ? "ms" : "us",
                       (unsigned long)pc);
}

enum status cortexm_run_routine(struct cortexm *core, const struct cortexm_routine_call *call, uint32_t timeout_us,
                                uint32_t *result)
{
    *result = 0;
    enum status status = cortexm_start_routine(core, call);
    if (status != STATUS_OK)
        return status;
    const struct hal_system *system = core->system;
    uint64_t start_us = system->now_us(system->ctx);
    for (;;) {
        bool finished;
        status = cortexm_poll_routine(core, &finished, result);
        if (status != STATUS_OK || finished) {
            if (core->routine_running)
                cortexm_abort_routine(core); /* the wire failed while it ran: try to leave it halted */
            return status;
        }
        uint64_t elapsed_us = cortexm_elapsed_us(core, start_us);
        if (elapsed_us >= timeout_us)
            return cortexm_routine_timed_out(core, timeout_us);
        if (system->yield(system->ctx)) {
            uint32_t entry = core->routine_entry;
            cortexm_abort_routine(core);
            return status_fail(core->report, STATUS_CANCELLED, "running the routine at 0x%08lX", (unsigned long)entry);
        }
        uint64_t left_us = timeout_us - elapsed_us;
        system->delay_us(system->ctx, left_us < AIRSWD_CORTEXM_POLL_INTERVAL_US ? (uint32_t)left_us
                                                                                : AIRSWD_CORTEXM_POLL_INTERVAL_US);
    }
}
