/*
 * sim_cortexm_exceptions.c - the NVIC's decisions and the exception model (ARMv7-M B1.5, ARMv6-M B1.5): which
 * pending exception preempts, entry (stacking the frame, EXC_RETURN in LR, handler mode) and return.
 *
 * The emulator has no NVIC; the frame is written and read here with the recipe of unicorn.md 3 (XPSR written with
 * the exception number, then APSR_NZCV rewritten so that the emulator knows it is in handler mode).
 */
#include "sim_cortexm_internal.h"

#define XPSR_T (1u << 24)
#define XPSR_STACK_REALIGNED (1u << 9)
#define XPSR_IPSR_MASK 0x1FFu
#define XPSR_FLAGS 0xF8000000u
#define CONTROL_SPSEL (1u << 1)
#define EXC_RETURN_THREAD (1u << 3)
#define EXC_RETURN_PSP (1u << 2)
#define FRAME_WORDS 8u

#define HFSR_FORCED (1u << 30)
#define SHCSR_MEMFAULTENA (1u << 16)
#define SHCSR_BUSFAULTENA (1u << 17)
#define SHCSR_USGFAULTENA (1u << 18)
#define DEMCR_VC_MMERR (1u << 4)
#define DEMCR_VC_USAGE_ERRORS (0x7u << 5) /* NOCPERR, CHKERR, STATERR */
#define DEMCR_VC_BUSERR (1u << 8)
#define DEMCR_VC_HARDERR (1u << 10)
#define DFSR_VCATCH (1u << 3)

void cm_exceptions_reset(struct sim_cortexm *cpu)
{
    for (unsigned n = 0; n < CM_MAX_EXCEPTIONS; n++) {
        cpu->priority[n] = 0;
        cpu->enabled[n] = false;
        cpu->pending[n] = false;
        cpu->active[n] = false;
    }
    cpu->prigroup = 0;
}

static int cm_priority_of(const struct sim_cortexm *cpu, unsigned exception)
{
    switch (exception) {
    case CM_EXC_RESET: return -3;
    case CM_EXC_NMI: return -2;
    case CM_EXC_HARDFAULT: return -1;
    default: return cpu->priority[exception];
    }
}

/* The group priority that decides preemption (AIRCR.PRIGROUP splits group and subpriority). */
static int cm_group_priority(const struct sim_cortexm *cpu, int priority)
{
    if (priority < 0)
        return priority;
    return priority & (int)(~((2u << cpu->prigroup) - 1u) & 0xFFu);
}

static bool cm_exception_enabled(const struct sim_cortexm *cpu, unsigned exception)
{
    if (exception >= CM_EXC_EXTERNAL)
        return cpu->enabled[exception];
    switch (exception) {
    case CM_EXC_MEMMANAGE: return (cpu->shcsr & SHCSR_MEMFAULTENA) != 0;
    case CM_EXC_BUSFAULT: return (cpu->shcsr & SHCSR_BUSFAULTENA) != 0;
    case CM_EXC_USAGEFAULT: return (cpu->shcsr & SHCSR_USGFAULTENA) != 0;
    default: return true;
    }
}

static unsigned cm_exception_count(const struct sim_cortexm *cpu)
{
    return CM_EXC_EXTERNAL + cpu->config.irq_count;
}

int cm_execution_priority(struct sim_cortexm *cpu)
{
    int priority = CM_THREAD_PRIORITY;
    unsigned count = cm_exception_count(cpu);
    for (unsigned n = 1; n < count; n++) {
        if (cpu->active[n]) {
            int group = cm_group_priority(cpu, cm_priority_of(cpu, n));
            if (group < priority)
                priority = group;
        }
    }
    if ((cm_reg_read(cpu, UC_ARM_REG_PRIMASK) & 1u) && priority > 0)
        priority = 0;
    if (!cm_is_v6m(cpu)) {
        if ((cm_reg_read(cpu, UC_ARM_REG_FAULTMASK) & 1u) && priority > -1)
            priority = -1;
        int basepri = (int)(cm_reg_read(cpu, UC_ARM_REG_BASEPRI) & cpu->priority_mask);
        if (basepri != 0 && cm_group_priority(cpu, basepri) < priority)
            priority = cm_group_priority(cpu, basepri);
    }
    return priority;
}

bool cm_any_pending(struct sim_cortexm *cpu)
{
    unsigned count = cm_exception_count(cpu);
    for (unsigned n = 1; n < count; n++) {
        if (cpu->pending[n] && cm_exception_enabled(cpu, n))
            return true;
    }
    return false;
}

unsigned cm_pending_to_take(struct sim_cortexm *cpu)
{
    /* C_MASKINTS keeps interrupts out while the debugger steps; faults and NMI still come. */
    bool masked_by_debugger = (cpu->dhcsr_control & (1u << 3)) != 0;
    int best_priority = cm_execution_priority(cpu);
    unsigned best = 0;
    unsigned count = cm_exception_count(cpu);
    for (unsigned n = 1; n < count; n++) {
        if (!cpu->pending[n] || !cm_exception_enabled(cpu, n))
            continue;
        if (masked_by_debugger && (n >= CM_EXC_SVCALL))
            continue;
        int group = cm_group_priority(cpu, cm_priority_of(cpu, n));
        if (group < best_priority) { /* strictly higher; ties go to the lower number */
            best_priority = group;
            best = n;
        }
    }
    return best;
}

static void cm_lockup(struct sim_cortexm *cpu)
{
    cpu->state = SIM_CORTEXM_LOCKED_UP;
    cpu->stop = CM_STOP_LOCKUP;
}

static uint32_t cm_read_vector(struct sim_cortexm *cpu, unsigned exception)
{
    uint32_t vector = 0;
    uint64_t done;
    sim_bus_read(cpu->bus, SIM_BUS_MASTER_CPU, cpu->vtor + 4u * exception, 4, &vector, cm_now_ps(cpu), &done);
    return vector;
}

static bool cm_vector_caught(const struct sim_cortexm *cpu, unsigned exception)
{
    if (!(cpu->dhcsr_control & 1u))
        return false;
    switch (exception) {
    case CM_EXC_HARDFAULT: return (cpu->demcr & DEMCR_VC_HARDERR) != 0;
    case CM_EXC_BUSFAULT: return (cpu->demcr & DEMCR_VC_BUSERR) != 0;
    case CM_EXC_MEMMANAGE: return (cpu->demcr & DEMCR_VC_MMERR) != 0;
    case CM_EXC_USAGEFAULT: return (cpu->demcr & DEMCR_VC_USAGE_ERRORS) != 0;
    default: return false;
    }
}

bool cm_exception_enter(struct sim_cortexm *cpu, unsigned exception, uint32_t return_address)
{
    uint32_t xpsr = cm_reg_read(cpu, UC_ARM_REG_XPSR);
    bool in_thread = (xpsr & XPSR_IPSR_MASK) == 0;
    bool on_psp = in_thread && (cm_reg_read(cpu, UC_ARM_REG_CONTROL) & CONTROL_SPSEL);
    uint32_t sp = cm_reg_read(cpu, on_psp ? UC_ARM_REG_PSP : UC_ARM_REG_MSP);

    /* The frame is 8-byte aligned; bit 9 of the stacked xPSR remembers the padding word (B1.5.7). */
    uint32_t stacked_xpsr = (xpsr & ~XPSR_STACK_REALIGNED) | XPSR_T;
    if (sp & 4u) {
        sp -= 4;
        stacked_xpsr |= XPSR_STACK_REALIGNED;
    }
    sp -= 4 * FRAME_WORDS;
    uint32_t frame[FRAME_WORDS] = {
        cm_reg_read(cpu, UC_ARM_REG_R0), cm_reg_read(cpu, UC_ARM_REG_R1), cm_reg_read(cpu, UC_ARM_REG_R2),
        cm_reg_read(cpu, UC_ARM_REG_R3), cm_reg_read(cpu, UC_ARM_REG_R12), cm_reg_read(cpu, UC_ARM_REG_LR),
        return_address & ~1u,            stacked_xpsr,
    };
    if (uc_mem_write(cpu->uc, sp, frame, sizeof frame) != UC_ERR_OK) {
        cm_lockup(cpu); /* the stack is not in writable memory: a fault the core cannot handle */
        return false;
    }
    cm_reg_write(cpu, on_psp ? UC_ARM_REG_PSP : UC_ARM_REG_MSP, sp);

    uint32_t exc_return = !in_thread ? 0xFFFFFFF1u : on_psp ? 0xFFFFFFFDu : 0xFFFFFFF9u;
    /* Handler mode always runs on MSP: writing IPSR switches the banked SP as hardware does. */
    cm_reg_write(cpu, UC_ARM_REG_XPSR, (xpsr & XPSR_FLAGS) | XPSR_T | exception);
    cm_reg_write(cpu, UC_ARM_REG_APSR_NZCV, xpsr & XPSR_FLAGS);
    cm_reg_write(cpu, UC_ARM_REG_LR, exc_return);
    cm_reg_write(cpu, UC_ARM_REG_PC, cm_read_vector(cpu, exception) | 1u);
    cpu->pending[exception] = false;
    cpu->active[exception] = true;
    if (cm_vector_caught(cpu, exception))
        cm_halt(cpu, DFSR_VCATCH);
    return true;
}

void cm_exception_return(struct sim_cortexm *cpu, uint32_t exc_return)
{
    unsigned returning = cm_reg_read(cpu, UC_ARM_REG_XPSR) & XPSR_IPSR_MASK;
    cpu->active[returning] = false;
    /* A level-sensitive line still high pends its interrupt again. */
    if (returning >= CM_EXC_EXTERNAL && cpu->irq_level[returning])
        cpu->pending[returning] = true;

    bool to_psp = (exc_return & EXC_RETURN_PSP) != 0;
    bool to_thread = (exc_return & EXC_RETURN_THREAD) != 0;
    uint32_t sp = cm_reg_read(cpu, to_psp ? UC_ARM_REG_PSP : UC_ARM_REG_MSP);
    uint32_t frame[FRAME_WORDS];
    if (uc_mem_read(cpu->uc, sp, frame, sizeof frame) != UC_ERR_OK) {
        cm_lockup(cpu);
        return;
    }
    sp += 4 * FRAME_WORDS + ((frame[7] & XPSR_STACK_REALIGNED) ? 4u : 0u);
    cm_reg_write(cpu, UC_ARM_REG_R0, frame[0]);
    cm_reg_write(cpu, UC_ARM_REG_R1, frame[1]);
    cm_reg_write(cpu, UC_ARM_REG_R2, frame[2]);
    cm_reg_write(cpu, UC_ARM_REG_R3, frame[3]);
    cm_reg_write(cpu, UC_ARM_REG_R12, frame[4]);
    cm_reg_write(cpu, UC_ARM_REG_LR, frame[5]);
    cm_reg_write(cpu, to_psp ? UC_ARM_REG_PSP : UC_ARM_REG_MSP, sp);

    uint32_t xpsr = (frame[7] & ~XPSR_STACK_REALIGNED) | XPSR_T;
    if (to_thread)
        xpsr &= ~XPSR_IPSR_MASK;
    cm_reg_write(cpu, UC_ARM_REG_XPSR, xpsr);
    if (to_thread) {
        uint32_t control = cm_reg_read(cpu, UC_ARM_REG_CONTROL);
        cm_reg_write(cpu, UC_ARM_REG_CONTROL, to_psp ? control | CONTROL_SPSEL : control & ~CONTROL_SPSEL);
    }
    cm_reg_write(cpu, UC_ARM_REG_APSR_NZCV, xpsr & XPSR_FLAGS);
    cm_reg_write(cpu, UC_ARM_REG_PC, frame[6] | 1u);
}

void cm_fault(struct sim_cortexm *cpu, unsigned exception, uint32_t return_address, uint32_t cfsr_bits)
{
    cpu->cfsr |= cfsr_bits;
    int execution = cm_execution_priority(cpu);
    if (cm_is_v6m(cpu))
        exception = CM_EXC_HARDFAULT; /* ARMv6-M has HardFault only */
    if (exception != CM_EXC_HARDFAULT &&
        (!cm_exception_enabled(cpu, exception) ||
         cm_group_priority(cpu, cm_priority_of(cpu, exception)) >= execution)) {
        exception = CM_EXC_HARDFAULT;
        cpu->hfsr |= HFSR_FORCED;
    }
    if (exception == CM_EXC_HARDFAULT && execution <= -1) {
        cm_lockup(cpu); /* a fault while HardFault or NMI runs, or with FAULTMASK set */
        return;
    }
    cm_exception_enter(cpu, exception, return_address);
}

void sim_cortexm_set_irq(void *context, unsigned irq, bool level)
{
    struct sim_cortexm *cpu = context;
    unsigned exception = CM_EXC_EXTERNAL + irq;
    if (irq >= cpu->config.irq_count)
        return;
    bool rising = level && !cpu->irq_level[exception];
    cpu->irq_level[exception] = level;
    if (rising && !cpu->active[exception])
        cpu->pending[exception] = true;
}
