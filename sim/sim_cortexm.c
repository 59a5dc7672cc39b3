/*
 * sim_cortexm.c - the core's lifecycle, how the bus is mapped into the emulator, and the run loop that keeps the
 * core in the chip's timeline.
 *
 * The emulator runs in slices. Between slices the core takes pending exceptions, applies SysTick wraps, halts,
 * steps and resets; inside a slice only hooks run, and they never re-enter the emulator (unicorn.md: no
 * uc_emu_stop from memory hooks; a stop request is honoured at the next block).
 */
#include "sim_cortexm_internal.h"

#include <stdlib.h>
#include <string.h>

#define PS_PER_SECOND 1000000000000ull
#define PAGE_SIZE 0x1000u
/* A slice when something is pending but masked (PRIMASK or BASEPRI set by the code: no notification comes when
 * it unmasks), and the longest slice otherwise. */
#define SHORT_SLICE_CYCLES 256u
#define LONG_SLICE_CYCLES (1u << 20)
#define THUMB_WFI 0xBF30u
#define THUMB_WFE 0xBF20u
#define THUMB_YIELD 0xBF10u
#define THUMB_SEV 0xBF40u

/* ---- time ---- */

uint64_t cm_time_of_cycles(const struct sim_cortexm *cpu, uint64_t cycles)
{
    unsigned __int128 elapsed = (unsigned __int128)(cycles - cpu->time_base_cycles) * PS_PER_SECOND;
    return cpu->time_base_ps + (uint64_t)(elapsed / cpu->config.clock_hz);
}

uint64_t cm_now_ps(const struct sim_cortexm *cpu)
{
    return cm_time_of_cycles(cpu, cpu->cycles);
}

uint64_t cm_cycles_at(const struct sim_cortexm *cpu, uint64_t t_ps)
{
    if (t_ps <= cpu->time_base_ps)
        return cpu->time_base_cycles;
    unsigned __int128 elapsed = (unsigned __int128)(t_ps - cpu->time_base_ps) * cpu->config.clock_hz;
    return cpu->time_base_cycles + (uint64_t)(elapsed / PS_PER_SECOND);
}

/* Time passes without the core executing (halted, held, locked up). */
static void cm_idle_until(struct sim_cortexm *cpu, uint64_t t_ps)
{
    if (t_ps > cm_now_ps(cpu)) {
        cpu->time_base_ps = t_ps;
        cpu->time_base_cycles = cpu->cycles;
    }
}

uint64_t sim_cortexm_now_ps(const struct sim_cortexm *cpu)
{
    return cm_now_ps(cpu);
}

uint64_t sim_cortexm_cycles(const struct sim_cortexm *cpu)
{
    return cpu->cycles;
}

void sim_cortexm_set_clock_hz(struct sim_cortexm *cpu, uint32_t hz)
{
    cpu->time_base_ps = cm_now_ps(cpu);
    cpu->time_base_cycles = cpu->cycles;
    cpu->config.clock_hz = hz ? hz : 1;
}

bool cm_is_v6m(const struct sim_cortexm *cpu)
{
    return cpu->config.core == SIM_CORE_M0 || cpu->config.core == SIM_CORE_M0PLUS;
}

void cm_request_stop(struct sim_cortexm *cpu)
{
    if (cpu->stop == CM_STOP_NONE)
        cpu->stop = CM_STOP_REQUESTED;
}

void cm_halt(struct sim_cortexm *cpu, uint32_t dfsr_reason)
{
    cpu->state = SIM_CORTEXM_HALTED;
    cpu->dfsr |= dfsr_reason;
    cpu->stop = CM_STOP_HALT;
}

/* ---- hooks ---- */

/* The clock: one cycle per halfword of code. A block that would cross the slice's deadline is not run now.
 * While a code hook is installed, a stop made here is not clean: Unicorn 2.0.1 then lets part of the block run and
 * resumes at an older PC, replaying instructions (a push twice, a pointer incremented twice). The code hook, which
 * runs before the block's first instruction with PC exact, makes the stop instead (sim_cortexm_debug.c). */
static void cm_on_block(uc_engine *uc, uint64_t address, uint32_t size, void *user)
{
    (void)address;
    struct sim_cortexm *cpu = user;
    uint32_t cycles = size / 2 ? size / 2 : 1;
    if (cpu->stop != CM_STOP_NONE) {
        if (!cpu->code_hook_stops)
            uc_emu_stop(uc);
        return;
    }
    if (cpu->slice_started && cpu->cycles + cycles > cpu->deadline_cycles) {
        cpu->stop = CM_STOP_DEADLINE;
        if (!cpu->code_hook_stops)
            uc_emu_stop(uc);
        return;
    }
    cpu->slice_started = true;
    cpu->cycles += cycles;
    cpu->s_retire = true;
}

/* Exceptions the emulator raises (QEMU's EXCP_* numbers). */
enum {
    CM_INTNO_UDEF = 1,
    CM_INTNO_SVC = 2,
    CM_INTNO_PREFETCH_ABORT = 3,
    CM_INTNO_DATA_ABORT = 4,
    CM_INTNO_BKPT = 7,
    CM_INTNO_EXCEPTION_EXIT = 8,
    CM_INTNO_NOCP = 17,
    CM_INTNO_INVSTATE = 18,
    CM_INTNO_UNALIGNED = 22,
};

/* UsageFault status bits (CFSR[31:16]) and BusFault bits (CFSR[15:8]). */
#define CFSR_UNDEFINSTR (1u << 16)
#define CFSR_INVSTATE (1u << 17)
#define CFSR_NOCP (1u << 19)
#define CFSR_UNALIGNED (1u << 24)
#define CFSR_PRECISERR (1u << 9)
#define CFSR_IBUSERR (1u << 8)

static void cm_on_interrupt(uc_engine *uc, uint32_t intno, void *user)
{
    struct sim_cortexm *cpu = user;
    uint32_t pc = cm_reg_read(cpu, UC_ARM_REG_PC);
    switch (intno) {
    case CM_INTNO_EXCEPTION_EXIT:
        cm_exception_return(cpu, pc | 1u);
        cm_request_stop(cpu); /* something else may be pending now: tail-chain from the run loop */
        break;
    case CM_INTNO_SVC: {
        /* SVCall runs if its priority allows, otherwise it escalates to HardFault (B1.5.14). */
        int priority = cpu->priority[CM_EXC_SVCALL];
        if (priority < cm_execution_priority(cpu))
            cm_exception_enter(cpu, CM_EXC_SVCALL, pc);
        else
            cm_fault(cpu, CM_EXC_HARDFAULT, pc - 2, 0);
        break;
    }
    case CM_INTNO_BKPT:
        if (cpu->dhcsr_control & 1u) { /* C_DEBUGEN: halting debug */
            cm_halt(cpu, 1u << 1);     /* DFSR.BKPT */
            uc_emu_stop(uc);
        } else {
            cm_fault(cpu, CM_EXC_HARDFAULT, pc, 0);
        }
        break;
    case CM_INTNO_UDEF: cm_fault(cpu, CM_EXC_USAGEFAULT, pc, CFSR_UNDEFINSTR); break;
    case CM_INTNO_NOCP: cm_fault(cpu, CM_EXC_USAGEFAULT, pc, CFSR_NOCP); break;
    case CM_INTNO_INVSTATE: cm_fault(cpu, CM_EXC_USAGEFAULT, pc, CFSR_INVSTATE); break;
    case CM_INTNO_UNALIGNED: cm_fault(cpu, CM_EXC_USAGEFAULT, pc, CFSR_UNALIGNED); break;
    case CM_INTNO_PREFETCH_ABORT: cm_fault(cpu, CM_EXC_BUSFAULT, pc, CFSR_IBUSERR); break;
    default: cm_fault(cpu, CM_EXC_BUSFAULT, pc, CFSR_PRECISERR); break;
    }
    /* A fault that locked the core up, or that a vector catch turned into a halt, ends the slice here. */
    if (cpu->state == SIM_CORTEXM_LOCKED_UP || cpu->state == SIM_CORTEXM_HALTED)
        uc_emu_stop(uc);
}

/* WFE, YIELD and SEV are not known to the emulator: WFE and YIELD behave as hints here (an event is always
 * considered set), so the code goes on. */
static bool cm_on_invalid_instruction(uc_engine *uc, void *user)
{
    struct sim_cortexm *cpu = user;
    uint32_t pc = cm_reg_read(cpu, UC_ARM_REG_PC);
    uint16_t halfword = 0;
    if (uc_mem_read(uc, pc, &halfword, sizeof halfword) == UC_ERR_OK &&
        (halfword == THUMB_WFE || halfword == THUMB_YIELD || halfword == THUMB_SEV)) {
        cm_reg_write(cpu, UC_ARM_REG_PC, (pc + 2) | 1u);
        return true;
    }
    cm_fault(cpu, CM_EXC_USAGEFAULT, pc, CFSR_UNDEFINSTR);
    return cpu->state != SIM_CORTEXM_LOCKED_UP;
}

/* Accounts for a bus access that completed later than it started (flash busy): the core was stalled. */
static void cm_stall_until(struct sim_cortexm *cpu, uint64_t now_ps, uint64_t done_ps)
{
    if (done_ps > now_ps)
        cpu->cycles = cm_cycles_at(cpu, done_ps) + 1;
}

/* A store into memory the emulator maps read-only (flash): the region decides what it means. */
static bool cm_on_write_protected(uc_engine *uc, uc_mem_type type, uint64_t address, int size, int64_t value,
                                  void *user)
{
    (void)uc;
    (void)type;
    struct sim_cortexm *cpu = user;
    uint64_t now_ps = cm_now_ps(cpu), done_ps;
    enum sim_bus_status status =
        sim_bus_write(cpu->bus, SIM_BUS_MASTER_CPU, (uint32_t)address, (unsigned)size, (uint32_t)value, now_ps, &done_ps);
    cm_stall_until(cpu, now_ps, done_ps);
    if (status != SIM_BUS_OK) {
        /* An imprecise bus fault: taken at the next block boundary. */
        cpu->cfsr |= 1u << 10; /* IMPRECISERR */
        cpu->pending[CM_EXC_BUSFAULT] = true;
        cm_request_stop(cpu);
    }
    return true;
}

static uint64_t cm_on_mmio_read(uc_engine *uc, uint64_t offset, unsigned size, void *user)
{
    (void)uc;
    struct cm_mmio_window *window = user;
    struct sim_cortexm *cpu = window->cpu;
    uint64_t now_ps = cm_now_ps(cpu), done_ps;
    uint32_t value = 0;
    enum sim_bus_status status =
        sim_bus_read(cpu->bus, SIM_BUS_MASTER_CPU, window->base + (uint32_t)offset, size, &value, now_ps, &done_ps);
    cm_stall_until(cpu, now_ps, done_ps);
    if (status != SIM_BUS_OK) {
        cpu->cfsr |= CFSR_PRECISERR;
        cpu->bfar = window->base + (uint32_t)offset;
        cpu->pending[CM_EXC_BUSFAULT] = true;
        cm_request_stop(cpu);
    }
    return value;
}

static void cm_on_mmio_write(uc_engine *uc, uint64_t offset, unsigned size, uint64_t value, void *user)
{
    (void)uc;
    struct cm_mmio_window *window = user;
    struct sim_cortexm *cpu = window->cpu;
    uint64_t now_ps = cm_now_ps(cpu), done_ps;
    enum sim_bus_status status = sim_bus_write(cpu->bus, SIM_BUS_MASTER_CPU, window->base + (uint32_t)offset, size,
                                               (uint32_t)value, now_ps, &done_ps);
    cm_stall_until(cpu, now_ps, done_ps);
    if (status != SIM_BUS_OK) {
        cpu->cfsr |= 1u << 10; /* IMPRECISERR */
        cpu->pending[CM_EXC_BUSFAULT] = true;
        cm_request_stop(cpu);
    }
}

/* ---- lifecycle ---- */

static int cm_unicorn_model(enum sim_core core)
{
    switch (core) {
    case SIM_CORE_M0:
    case SIM_CORE_M0PLUS: return UC_CPU_ARM_CORTEX_M0;
    case SIM_CORE_M3: return UC_CPU_ARM_CORTEX_M3;
    case SIM_CORE_M4: return UC_CPU_ARM_CORTEX_M4;
    case SIM_CORE_M7: return UC_CPU_ARM_CORTEX_M7;
    }
    return UC_CPU_ARM_CORTEX_M3;
}

struct sim_cortexm *sim_cortexm_create(const struct sim_cortexm_config *config, struct sim_bus *bus)
{
    if (config->clock_hz == 0 || config->irq_count > CM_MAX_EXCEPTIONS - CM_EXC_EXTERNAL)
        return NULL;
    struct sim_cortexm *cpu = calloc(1, sizeof *cpu);
    if (cpu == NULL)
        return NULL;
    cpu->config = *config;
    cpu->bus = bus;
    cpu->priority_mask = cm_is_v6m(cpu) ? 0xC0 : 0xF0;
    /* UC_MODE_MCLASS would always give a Cortex-M33: open plain Thumb and choose the model (unicorn.md 0). */
    if (uc_open(UC_ARCH_ARM, UC_MODE_THUMB, &cpu->uc) != UC_ERR_OK)
        goto fail;
    if (uc_ctl_set_cpu_model(cpu->uc, cm_unicorn_model(config->core)) != UC_ERR_OK ||
        uc_ctl_exits_enable(cpu->uc) != UC_ERR_OK)
        goto fail;
    /* Every hook before the first run: hooks added later do not reach blocks already translated. */
    if (uc_hook_add(cpu->uc, &cpu->block_hook, UC_HOOK_BLOCK, (void *)cm_on_block, cpu, 1, 0) != UC_ERR_OK ||
        uc_hook_add(cpu->uc, &cpu->interrupt_hook, UC_HOOK_INTR, (void *)cm_on_interrupt, cpu, 1, 0) != UC_ERR_OK ||
        uc_hook_add(cpu->uc, &cpu->invalid_hook, UC_HOOK_INSN_INVALID, (void *)cm_on_invalid_instruction, cpu, 1,
                    0) != UC_ERR_OK)
        goto fail;
    if (uc_context_alloc(cpu->uc, &cpu->reset_context) != UC_ERR_OK ||
        uc_context_save(cpu->uc, cpu->reset_context) != UC_ERR_OK)
        goto fail;
    if (!cm_map_debug_regions(cpu))
        goto fail;
    cm_debug_reset(cpu);
    cm_exceptions_reset(cpu);
    cm_systick_reset(cpu);
    cpu->state = SIM_CORTEXM_HALTED; /* until the chip resets it */
    return cpu;
fail:
    sim_cortexm_destroy(cpu);
    return NULL;
}

void sim_cortexm_destroy(struct sim_cortexm *cpu)
{
    if (cpu == NULL)
        return;
    if (cpu->reset_context != NULL)
        uc_context_free(cpu->reset_context);
    if (cpu->uc != NULL)
        uc_close(cpu->uc);
    free(cpu->windows);
    free(cpu);
}

static bool cm_is_page_aligned(uint32_t base, uint32_t size)
{
    return base % PAGE_SIZE == 0 && size % PAGE_SIZE == 0;
}

/* One window of size bytes from base (a page, or a whole page-aligned region: the emulator keeps fewer than a
 * thousand sections, which a 2 MB flash and its aliases mapped page by page would exceed). A page that regions
 * share gets one window. */
static bool cm_add_window(struct sim_cortexm *cpu, uint32_t base, uint32_t size)
{
    for (unsigned i = 0; i < cpu->window_count; i++) {
        if (cpu->windows[i].base == base)
            return true;
    }
    /* Windows are pointed to by the emulator: the array is sized once, before any is handed out. */
    struct cm_mmio_window *window = &cpu->windows[cpu->window_count++];
    *window = (struct cm_mmio_window){.cpu = cpu, .base = base};
    return uc_mmio_map(cpu->uc, base, size, cm_on_mmio_read, window, cm_on_mmio_write, window) == UC_ERR_OK;
}

bool sim_cortexm_attach_memory(struct sim_cortexm *cpu)
{
    const struct sim_bus *bus = cpu->bus;
    unsigned pages = 0;
    for (unsigned i = 0; i < bus->region_count; i++) {
        const struct sim_bus_region *region = &bus->regions[i];
        if (region->direct == NULL || !cm_is_page_aligned(region->base, region->size))
            pages += (unsigned)(((uint64_t)region->base % PAGE_SIZE + region->size + PAGE_SIZE - 1) / PAGE_SIZE);
    }
    free(cpu->windows);
    cpu->windows = calloc(pages ? pages : 1, sizeof *cpu->windows);
    cpu->window_count = 0;
    if (cpu->windows == NULL)
        return false;

    for (unsigned i = 0; i < bus->region_count; i++) {
        const struct sim_bus_region *region = &bus->regions[i];
        if (region->direct != NULL && cm_is_page_aligned(region->base, region->size)) {
            uint32_t perms = UC_PROT_READ | UC_PROT_EXEC | (region->direct_writable ? UC_PROT_WRITE : 0);
            if (uc_mem_map_ptr(cpu->uc, region->base, region->size, perms, region->direct) != UC_ERR_OK ||
                uc_mem_protect(cpu->uc, region->base, region->size, perms) != UC_ERR_OK)
                return false;
            if (!region->direct_writable) {
                uc_hook hook;
                if (uc_hook_add(cpu->uc, &hook, UC_HOOK_MEM_WRITE_PROT, (void *)cm_on_write_protected, cpu,
                                region->base, (uint64_t)region->base + region->size - 1) != UC_ERR_OK)
                    return false;
            }
            continue;
        }
        if (cm_is_page_aligned(region->base, region->size)) {
            if (!cm_add_window(cpu, region->base, region->size))
                return false;
            continue;
        }
        uint64_t end = (uint64_t)region->base + region->size;
        for (uint64_t page = region->base & ~(uint64_t)(PAGE_SIZE - 1); page < end; page += PAGE_SIZE) {
            if (!cm_add_window(cpu, (uint32_t)page, PAGE_SIZE))
                return false;
        }
    }
    return true;
}

void sim_cortexm_on_reset_request(struct sim_cortexm *cpu, void (*fn)(void *ctx, uint64_t now_ps), void *ctx)
{
    cpu->reset_request_fn = fn;
    cpu->reset_request_ctx = ctx;
}

enum sim_cortexm_state sim_cortexm_state(const struct sim_cortexm *cpu)
{
    return cpu->state;
}

static uint32_t cm_read_word(struct sim_cortexm *cpu, uint32_t address)
{
    uint32_t value = 0;
    uint64_t done;
    sim_bus_read(cpu->bus, SIM_BUS_MASTER_CPU, address, 4, &value, cm_now_ps(cpu), &done);
    return value;
}

void sim_cortexm_start_at(struct sim_cortexm *cpu, uint32_t sp, uint32_t pc)
{
    cm_reg_write(cpu, UC_ARM_REG_MSP, sp);
    cm_reg_write(cpu, UC_ARM_REG_PC, pc | 1u);
    cpu->state = SIM_CORTEXM_RUNNING;
}

void sim_cortexm_reset(struct sim_cortexm *cpu, enum sim_reset_kind kind, uint64_t now_ps)
{
    cm_idle_until(cpu, now_ps);
    if (kind == SIM_RESET_POWER_ON)
        cm_debug_reset(cpu);
    cm_exceptions_reset(cpu);
    cm_systick_reset(cpu);
    uc_context_restore(cpu->uc, cpu->reset_context);
    cpu->vtor = 0;
    cpu->scr = 0;
    cpu->ccr = cm_is_v6m(cpu) ? 0x208u : 0x200u; /* STKALIGN, UNALIGN_TRP on v6-M */
    cpu->shcsr = cpu->cfsr = cpu->hfsr = cpu->mmfar = cpu->bfar = cpu->cpacr = 0;
    cpu->reset_requested = false;
    cpu->step_pending = false;
    cpu->skip_breakpoint = false;
    cpu->s_reset = true;
    /* The vector table at address 0 gives the initial main stack pointer and the reset handler. */
    sim_cortexm_start_at(cpu, cm_read_word(cpu, 0) & ~3u, cm_read_word(cpu, 4));
    if ((cpu->dhcsr_control & 1u) && (cpu->demcr & 1u)) /* C_DEBUGEN and VC_CORERESET */
        cm_halt(cpu, 1u << 3);                          /* DFSR.VCATCH */
    else if (cpu->dhcsr_control & (1u << 1))            /* C_HALT survives a system reset */
        cm_halt(cpu, 1u << 0);
    cpu->stop = CM_STOP_NONE;
}

void sim_cortexm_sleep(struct sim_cortexm *cpu)
{
    if (cpu->state == SIM_CORTEXM_RUNNING)
        cpu->state = SIM_CORTEXM_SLEEPING;
}

void sim_cortexm_hold_in_reset(struct sim_cortexm *cpu, bool held)
{
    if (held) {
        cpu->state = SIM_CORTEXM_HELD_IN_RESET;
        cpu->s_reset = true;
    } else if (cpu->state == SIM_CORTEXM_HELD_IN_RESET) {
        cpu->state = SIM_CORTEXM_HALTED; /* the chip's reset decides what comes next */
    }
}

void sim_cortexm_code_changed(struct sim_cortexm *cpu, uint32_t addr, uint32_t len)
{
    if (len == 0)
        return;
    uint32_t hi = addr + len;
    if (!cpu->code_dirty) {
        cpu->dirty_lo = addr;
        cpu->dirty_hi = hi;
    } else {
        cpu->dirty_lo = addr < cpu->dirty_lo ? addr : cpu->dirty_lo;
        cpu->dirty_hi = hi > cpu->dirty_hi ? hi : cpu->dirty_hi;
    }
    cpu->code_dirty = true;
    cm_request_stop(cpu); /* if the core is running this very moment, it must not keep stale code for long */
}

/* Unicorn gives up on a range that crosses memory it does not hold as RAM (MMIO, gaps), silently: each region it
 * does hold is flushed on its own. */
void cm_remove_code(struct sim_cortexm *cpu, uint64_t lo, uint64_t hi)
{
    const struct sim_bus *bus = cpu->bus;
    for (unsigned i = 0; i < bus->region_count; i++) {
        const struct sim_bus_region *region = &bus->regions[i];
        uint64_t base = region->base, end = (uint64_t)region->base + region->size;
        if (region->direct == NULL || !cm_is_page_aligned(region->base, region->size) || end <= lo || base >= hi)
            continue;
        uc_ctl_remove_cache(cpu->uc, base > lo ? base : lo, end < hi ? end : hi);
    }
}

static void cm_flush_code(struct sim_cortexm *cpu)
{
    if (!cpu->code_dirty)
        return;
    cm_remove_code(cpu, cpu->dirty_lo, cpu->dirty_hi);
    cpu->code_dirty = false;
}

/* ---- the run loop ---- */

static bool cm_is_wfi_before(struct sim_cortexm *cpu, uint32_t pc)
{
    uint16_t halfword = 0;
    return uc_mem_read(cpu->uc, pc - 2, &halfword, sizeof halfword) == UC_ERR_OK && halfword == THUMB_WFI;
}

/* Runs the emulator until the slice's deadline or a stop; handles how it ended. */
static void cm_run_slice(struct sim_cortexm *cpu, uint64_t deadline_cycles)
{
    cm_flush_code(cpu);
    cm_debug_prepare_slice(cpu);
    cpu->deadline_cycles = deadline_cycles;
    cpu->slice_started = false;
    cpu->stop = CM_STOP_NONE;
    bool stepping = cpu->step_pending;
    if (stepping)
        cm_step_begin(cpu);

    uint32_t pc = cm_reg_read(cpu, UC_ARM_REG_PC);
    uc_err err = uc_emu_start(cpu->uc, pc | 1u, 0, 0, 0);

    if (stepping)
        cm_step_end(cpu);
    if (cpu->watchpoint_hit) {
        cpu->watchpoint_hit = false;
        if ((cpu->dhcsr_control & 1u) && cpu->state == SIM_CORTEXM_RUNNING)
            cm_halt(cpu, 1u << 2); /* DFSR.DWTTRAP */
    }
    if (err != UC_ERR_OK && cpu->state == SIM_CORTEXM_RUNNING) {
        /* Unmapped or forbidden memory: a bus fault at the block the emulator reports. */
        uint32_t fault_pc = cm_reg_read(cpu, UC_ARM_REG_PC);
        bool fetch = err == UC_ERR_FETCH_UNMAPPED || err == UC_ERR_FETCH_PROT;
        cm_fault(cpu, CM_EXC_BUSFAULT, fault_pc, fetch ? CFSR_IBUSERR : CFSR_PRECISERR);
        cpu->cycles++;
        return;
    }
    if (cpu->stop == CM_STOP_NONE && cpu->state == SIM_CORTEXM_RUNNING &&
        cm_is_wfi_before(cpu, cm_reg_read(cpu, UC_ARM_REG_PC)))
        cpu->state = SIM_CORTEXM_SLEEPING;
    if (cpu->reset_requested) {
        cpu->reset_requested = false;
        if (cpu->reset_request_fn != NULL)
            cpu->reset_request_fn(cpu->reset_request_ctx, cm_now_ps(cpu));
    }
}

void sim_cortexm_run_until(struct sim_cortexm *cpu, uint64_t t_ps)
{
    while (cm_now_ps(cpu) < t_ps) {
        enum sim_cortexm_state state = cpu->state;
        if (state == SIM_CORTEXM_HALTED || state == SIM_CORTEXM_HELD_IN_RESET || state == SIM_CORTEXM_LOCKED_UP) {
            cm_idle_until(cpu, t_ps);
            return;
        }
        uint64_t target_cycles = cm_cycles_at(cpu, t_ps);
        uint64_t next_wrap = cm_systick_update(cpu);
        unsigned exception = cm_pending_to_take(cpu);
        if (exception != 0) {
            cpu->state = SIM_CORTEXM_RUNNING;
            if (!cm_exception_enter(cpu, exception, cm_reg_read(cpu, UC_ARM_REG_PC)))
                continue;
        } else if (state == SIM_CORTEXM_SLEEPING) {
            /* The clock keeps running while the core sleeps: SysTick still counts. */
            if (cm_any_pending(cpu)) { /* WFI wakes on a pending interrupt even while PRIMASK masks it */
                cpu->state = SIM_CORTEXM_RUNNING;
                continue;
            }
            /* Whole cycles: the last one may end past t_ps. Moving the time base to t_ps instead would drop the
             * fraction of a cycle at every call, which a clock of no whole number of cycles per nanosecond (the
             * L0's MSI at 2.097152 MHz) turned into 2 % of lost time. */
            uint64_t until = next_wrap < target_cycles ? next_wrap : target_cycles;
            cpu->cycles = until > cpu->cycles ? until : cpu->cycles + 1;
            continue;
        }
        uint64_t deadline = target_cycles;
        if (next_wrap < deadline)
            deadline = next_wrap;
        uint64_t longest = cpu->cycles + (cm_any_pending(cpu) ? SHORT_SLICE_CYCLES : LONG_SLICE_CYCLES);
        if (longest < deadline)
            deadline = longest;
        cm_run_slice(cpu, deadline);
    }
}

uint64_t sim_cortexm_next_event_ps(const struct sim_cortexm *cpu)
{
    if (cpu->state == SIM_CORTEXM_HALTED || cpu->state == SIM_CORTEXM_HELD_IN_RESET ||
        cpu->state == SIM_CORTEXM_LOCKED_UP)
        return SIM_NEVER;
    uint64_t next_wrap = cm_systick_next_wrap(cpu);
    return next_wrap == UINT64_MAX ? SIM_NEVER : cm_time_of_cycles(cpu, next_wrap);
}

/* Unicorn 2 keeps a per-page bitmap when the core writes data into a page that also holds translated code (every
 * routine run from SRAM does) and never frees it. LeakSanitizer would report it in every program that uses the
 * simulated core; this default suppression (read by the sanitizer runtime when it is linked in) names that one
 * allocation only. */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
    return "leak:tb_invalidate_phys_page_fast\n";
}
