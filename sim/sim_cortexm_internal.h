/*
 * sim_cortexm_internal.h - the state of the simulated core, shared by its files (not part of the API).
 *
 * Time and cycles: the core counts cycles while it runs; while it is halted or held, time passes without cycles.
 * time_base_ps/time_base_cycles anchor the two: now = time_base_ps + (cycles - time_base_cycles) / clock.
 * SysTick and DWT_CYCCNT count cycles, so they stand still while the core is halted.
 */
#ifndef SIM_CORTEXM_INTERNAL_H
#define SIM_CORTEXM_INTERNAL_H

#include <unicorn/unicorn.h>

#include "sim_cortexm.h"

/* Exception numbers (ARMv7-M B1.5.2). */
#define CM_EXC_RESET 1u
#define CM_EXC_NMI 2u
#define CM_EXC_HARDFAULT 3u
#define CM_EXC_MEMMANAGE 4u
#define CM_EXC_BUSFAULT 5u
#define CM_EXC_USAGEFAULT 6u
#define CM_EXC_SVCALL 11u
#define CM_EXC_DEBUGMON 12u
#define CM_EXC_PENDSV 14u
#define CM_EXC_SYSTICK 15u
#define CM_EXC_EXTERNAL 16u
#define CM_MAX_EXCEPTIONS 256u

/* Priority of "no exception active": lower than every configurable priority. */
#define CM_THREAD_PRIORITY 256

#define CM_FPB_MAX_COMPARATORS 8
#define CM_DWT_MAX_COMPARATORS 4

/* Why the emulator returned, set by the hooks. */
enum cm_stop_reason {
    CM_STOP_NONE,      /* it returned on its own: WFI, or an error */
    CM_STOP_DEADLINE,  /* the slice's time is used up */
    CM_STOP_REQUESTED, /* something changed that the run loop must look at (NVIC, reset request, code change) */
    CM_STOP_HALT,      /* the core entered debug state */
    CM_STOP_LOCKUP,
};

struct cm_mmio_window {
    struct sim_cortexm *cpu;
    uint32_t base;
};

struct sim_cortexm {
    struct sim_cortexm_config config;
    struct sim_bus *bus;
    uc_engine *uc;
    uc_context *reset_context;
    uc_hook block_hook, interrupt_hook, invalid_hook, step_hook;
    /* One code hook over all addresses while an FPB comparator is enabled (sim_cortexm_debug.c). */
    uc_hook breakpoint_hook;
    /* A code hook is installed (breakpoints or a step): the block hook then leaves every stop to it. */
    bool code_hook_stops;
    uc_hook dwt_hooks[CM_DWT_MAX_COMPARATORS];
    struct cm_mmio_window *windows;
    unsigned window_count;

    /* Time */
    uint64_t cycles;
    uint64_t time_base_ps, time_base_cycles;
    uint64_t deadline_cycles;      /* the current slice ends here */
    bool slice_started;            /* a block ran in this slice (the first always runs) */
    enum cm_stop_reason stop;
    enum sim_cortexm_state state;

    /* Exceptions (the NVIC and the SCB's system handlers) */
    uint8_t priority[CM_MAX_EXCEPTIONS]; /* as programmed; fixed ones are handled apart */
    bool enabled[CM_MAX_EXCEPTIONS];     /* external lines; system exceptions are always enabled */
    bool pending[CM_MAX_EXCEPTIONS];
    bool active[CM_MAX_EXCEPTIONS];
    bool irq_level[CM_MAX_EXCEPTIONS];   /* current level of external input lines */
    uint8_t priority_mask;               /* implemented priority bits: 0xC0 (M0/M0+) or 0xF0 (M3/M4) */
    uint32_t prigroup;

    /* SCB */
    uint32_t vtor, scr, ccr, shcsr, cfsr, hfsr, mmfar, bfar, cpacr;

    /* SysTick (ARMv7-M B3.3), counted in core cycles */
    uint32_t syst_csr;             /* ENABLE, TICKINT, CLKSOURCE, COUNTFLAG */
    uint32_t syst_rvr;
    uint32_t syst_value;           /* counter value at syst_base_cycles (or frozen while disabled) */
    uint64_t syst_base_cycles;

    /* Debug (ARMv7-M C1.6) */
    uint32_t dhcsr_control;        /* C_DEBUGEN, C_HALT, C_STEP, C_MASKINTS as written */
    bool s_retire, s_reset;        /* sticky until DHCSR is read */
    uint32_t demcr, dfsr, dcrdr;
    bool step_pending;             /* C_STEP: run one instruction, then halt */
    bool reset_requested;          /* SYSRESETREQ written by the firmware, handled after the slice */
    uint32_t skip_breakpoint_pc;   /* resuming at a breakpoint: do not stop there again at once */
    bool skip_breakpoint;
    unsigned step_instructions;

    /* FPB / BPU */
    uint32_t fp_ctrl_enable, fp_remap;
    uint32_t fp_comp[CM_FPB_MAX_COMPARATORS];
    bool fpb_dirty;

    /* DWT */
    uint32_t dwt_ctrl;
    uint32_t cyccnt_value;
    uint64_t cyccnt_base_cycles;
    uint32_t dwt_comp[CM_DWT_MAX_COMPARATORS], dwt_mask[CM_DWT_MAX_COMPARATORS];
    uint32_t dwt_function[CM_DWT_MAX_COMPARATORS];
    bool dwt_dirty;
    bool watchpoint_hit;           /* a DWT comparator matched: halt when the slice ends */

    /* Code changed under the emulator: flushed before the next slice */
    uint32_t dirty_lo, dirty_hi;
    bool code_dirty;

    void (*reset_request_fn)(void *ctx, uint64_t now_ps);
    void *reset_request_ctx;
};

/* Time (sim_cortexm.c) */
uint64_t cm_now_ps(const struct sim_cortexm *cpu);
uint64_t cm_cycles_at(const struct sim_cortexm *cpu, uint64_t t_ps);
uint64_t cm_time_of_cycles(const struct sim_cortexm *cpu, uint64_t cycles);
void cm_request_stop(struct sim_cortexm *cpu);
/* Makes the emulator forget the code it translated from [lo, hi). */
void cm_remove_code(struct sim_cortexm *cpu, uint64_t lo, uint64_t hi);
void cm_halt(struct sim_cortexm *cpu, uint32_t dfsr_reason);
bool cm_is_v6m(const struct sim_cortexm *cpu);

/* Registers (sim_cortexm_registers.c) */
uint32_t cm_reg_read(struct sim_cortexm *cpu, int uc_reg);
void cm_reg_write(struct sim_cortexm *cpu, int uc_reg, uint32_t value);

/* Exceptions (sim_cortexm_exceptions.c) */
void cm_exceptions_reset(struct sim_cortexm *cpu);
int cm_execution_priority(struct sim_cortexm *cpu);
/* The pending exception that would preempt now, or 0. */
unsigned cm_pending_to_take(struct sim_cortexm *cpu);
/* Enters exception n with the given return address; false (and lockup) when the frame cannot be written. */
bool cm_exception_enter(struct sim_cortexm *cpu, unsigned exception, uint32_t return_address);
void cm_exception_return(struct sim_cortexm *cpu, uint32_t exc_return);
/* A synchronous fault: the configurable handler when enabled and allowed, else HardFault, else lockup. */
void cm_fault(struct sim_cortexm *cpu, unsigned exception, uint32_t return_address, uint32_t cfsr_bits);
bool cm_any_pending(struct sim_cortexm *cpu);

/* SysTick (sim_cortexm_systick.c) */
void cm_systick_reset(struct sim_cortexm *cpu);
uint32_t cm_systick_read(struct sim_cortexm *cpu, uint32_t offset);
void cm_systick_write(struct sim_cortexm *cpu, uint32_t offset, uint32_t value);
/* Applies the wraps reached by now (COUNTFLAG, pends SysTick); returns the cycle of the next wrap or UINT64_MAX. */
uint64_t cm_systick_update(struct sim_cortexm *cpu);
/* The cycle of the next wrap after the current cycle count, or UINT64_MAX; changes nothing. */
uint64_t cm_systick_next_wrap(const struct sim_cortexm *cpu);

/* System control space and debug components on the bus (sim_cortexm_scs.c) */
bool cm_map_debug_regions(struct sim_cortexm *cpu);
void cm_debug_reset(struct sim_cortexm *cpu);

/* Breakpoints, watchpoints and stepping (sim_cortexm_debug.c) */
void cm_debug_prepare_slice(struct sim_cortexm *cpu);
void cm_step_begin(struct sim_cortexm *cpu);
void cm_step_end(struct sim_cortexm *cpu);

#endif /* SIM_CORTEXM_INTERNAL_H */
