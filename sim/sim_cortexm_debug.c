/*
 * sim_cortexm_debug.c - how the debug logic reaches into the emulator: FPB/BPU comparators become one code hook
 * (over all code, see cm_on_block for why) that stops before the instruction (DFSR.BKPT), DWT comparators become
 * memory hooks whose stop that code hook makes before the next instruction (DWTTRAP: the watchpoint is imprecise,
 * as ARMv7-M allows, by one instruction here), and C_STEP runs exactly one instruction.
 *
 * Hooks added after code was translated do not reach it (unicorn.md 2): every change of hooks flushes the
 * emulator's translation cache. That happens only when the debugger reprograms a comparator or steps.
 */
#include "sim_cortexm_internal.h"

#define DFSR_HALTED (1u << 0)
#define DFSR_BKPT (1u << 1)
#define DFSR_DWTTRAP (1u << 2)
#define DWT_MATCHED (1u << 24)
#define DWT_FUNCTION_READ 5u
#define DWT_FUNCTION_WRITE 6u
#define DWT_FUNCTION_ACCESS 7u
#define FP_COMP_ENABLE 1u
#define FP_COMP_ADDRESS 0x1FFFFFFCu
#define FP_REPLACE_LOWER (1u << 30)
#define FP_REPLACE_UPPER (2u << 30)
#define FP_REPLACE_MASK (3u << 30)

static void cm_flush_all_code(struct sim_cortexm *cpu)
{
    cm_remove_code(cpu, 0, (uint64_t)UINT32_MAX + 1);
}

/* The comparator n covers address: REPLACE picks the halfword of the word at COMP[28:2]: lower, upper or both. */
static bool cm_comparator_matches(const struct sim_cortexm *cpu, unsigned n, uint32_t address)
{
    uint32_t comp = cpu->fp_comp[n];
    if (!(cpu->fp_ctrl_enable & 1u) || !(comp & FP_COMP_ENABLE) || !(comp & FP_REPLACE_MASK))
        return false;
    uint32_t word = comp & FP_COMP_ADDRESS;
    return ((comp & FP_REPLACE_LOWER) && address == word) || ((comp & FP_REPLACE_UPPER) && address == word + 2);
}

/* Before every instruction while an FPB or DWT comparator is enabled: a stop the block hook or a memory hook left to
 * this hook (PC exact, the instruction not executed), then the comparators. */
static void cm_on_breakpoint(uc_engine *uc, uint64_t address, uint32_t size, void *user)
{
    (void)size;
    struct sim_cortexm *cpu = user;
    if (cpu->stop != CM_STOP_NONE) {
        uc_emu_stop(uc);
        return;
    }
    bool matched = false;
    for (unsigned n = 0; n < CM_FPB_MAX_COMPARATORS && !matched; n++)
        matched = cm_comparator_matches(cpu, n, (uint32_t)address);
    if (!matched)
        return;
    if (cpu->skip_breakpoint && (uint32_t)address == cpu->skip_breakpoint_pc) {
        cpu->skip_breakpoint = false;
        return;
    }
    if (!(cpu->dhcsr_control & 1u) || cpu->state != SIM_CORTEXM_RUNNING)
        return;
    cm_halt(cpu, DFSR_BKPT);
    uc_emu_stop(uc); /* from a code hook the instruction is not executed: PC stays on it */
}

static void cm_on_watched_access(uc_engine *uc, uc_mem_type type, uint64_t address, int size, int64_t value,
                                 void *user)
{
    (void)uc;
    (void)value;
    struct sim_cortexm *cpu = user;
    bool write = type == UC_MEM_WRITE;
    for (unsigned n = 0; n < CM_DWT_MAX_COMPARATORS; n++) {
        uint32_t function = cpu->dwt_function[n] & 0xFu;
        bool wanted = function == DWT_FUNCTION_ACCESS || (function == DWT_FUNCTION_READ && !write) ||
                      (function == DWT_FUNCTION_WRITE && write);
        uint32_t mask = (1u << cpu->dwt_mask[n]) - 1u;
        uint32_t first = cpu->dwt_comp[n] & ~mask, last = first | mask;
        if (wanted && address <= last && address + (uint64_t)size > first) {
            cpu->dwt_function[n] |= DWT_MATCHED;
            cpu->watchpoint_hit = true;
            cm_request_stop(cpu); /* never stop from a memory hook: PC would roll back and replay the access */
        }
    }
}

static void cm_install_breakpoints(struct sim_cortexm *cpu)
{
    if (cpu->breakpoint_hook) {
        uc_hook_del(cpu->uc, cpu->breakpoint_hook);
        cpu->breakpoint_hook = 0;
    }
    bool any = false;
    for (unsigned n = 0; n < CM_FPB_MAX_COMPARATORS; n++)
        any |= (cpu->fp_ctrl_enable & 1u) && (cpu->fp_comp[n] & FP_COMP_ENABLE) && (cpu->fp_comp[n] & FP_REPLACE_MASK);
    /* A watchpoint's stop comes from a memory hook, honoured here before the next instruction: the core halts
     * right after the access, as close as silicon's DWT does. */
    for (unsigned n = 0; n < CM_DWT_MAX_COMPARATORS; n++)
        any |= cpu->dwt_hooks[n] != 0;
    if (any)
        uc_hook_add(cpu->uc, &cpu->breakpoint_hook, UC_HOOK_CODE, (void *)cm_on_breakpoint, cpu, 1, 0);
    cpu->code_hook_stops = cpu->breakpoint_hook != 0 || cpu->step_hook != 0;
}

static void cm_install_watchpoints(struct sim_cortexm *cpu)
{
    for (unsigned n = 0; n < CM_DWT_MAX_COMPARATORS; n++) {
        if (cpu->dwt_hooks[n]) {
            uc_hook_del(cpu->uc, cpu->dwt_hooks[n]);
            cpu->dwt_hooks[n] = 0;
        }
        uint32_t function = cpu->dwt_function[n] & 0xFu;
        if (function < DWT_FUNCTION_READ || function > DWT_FUNCTION_ACCESS)
            continue;
        uint32_t mask = (1u << cpu->dwt_mask[n]) - 1u;
        uint32_t first = cpu->dwt_comp[n] & ~mask;
        /* A hook only where a comparator looks: memory hooks slow every access they cover. */
        uc_hook_add(cpu->uc, &cpu->dwt_hooks[n], UC_HOOK_MEM_READ | UC_HOOK_MEM_WRITE, (void *)cm_on_watched_access,
                    cpu, first, (uint64_t)first + mask);
    }
}

void cm_debug_prepare_slice(struct sim_cortexm *cpu)
{
    bool changed = cpu->fpb_dirty || cpu->dwt_dirty;
    if (cpu->dwt_dirty)
        cm_install_watchpoints(cpu);
    if (changed)
        cm_install_breakpoints(cpu); /* after the watchpoints: the code hook serves both */
    cpu->fpb_dirty = cpu->dwt_dirty = false;
    if (changed)
        cm_flush_all_code(cpu);
}

/* One instruction: a code hook that lets the first instruction through and stops before the second (or before the
 * first, when the block hook left a stop to it). */
static void cm_on_step(uc_engine *uc, uint64_t address, uint32_t size, void *user)
{
    (void)address;
    (void)size;
    struct sim_cortexm *cpu = user;
    if (cpu->stop != CM_STOP_NONE || ++cpu->step_instructions == 2)
        uc_emu_stop(uc);
}

void cm_step_begin(struct sim_cortexm *cpu)
{
    cpu->step_instructions = 0;
    uc_hook_add(cpu->uc, &cpu->step_hook, UC_HOOK_CODE, (void *)cm_on_step, cpu, 1, 0);
    cpu->code_hook_stops = true;
    cm_flush_all_code(cpu);
}

void cm_step_end(struct sim_cortexm *cpu)
{
    uc_hook_del(cpu->uc, cpu->step_hook);
    cpu->step_hook = 0;
    cpu->code_hook_stops = cpu->breakpoint_hook != 0;
    cm_flush_all_code(cpu);
    cpu->step_pending = false;
    if (cpu->state == SIM_CORTEXM_RUNNING || cpu->state == SIM_CORTEXM_SLEEPING)
        cm_halt(cpu, DFSR_HALTED);
}
