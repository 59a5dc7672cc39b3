/*
 * sim_cortexm_scs.c - the core's registers on the bus: the System Control Space (SCB, NVIC, SysTick and the debug
 * registers, ARMv7-M B3.2/C1.6), the DWT, the FPB (or the BPU of ARMv6-M) and a ROM table. The debugger reaches
 * them through the AHB-AP and the firmware through its own loads and stores: both land here.
 *
 * Registers are words; a byte or halfword read returns its lanes of the word; sub-word writes are allowed for the
 * priority registers (IPR, SHPR) and merged into the word elsewhere.
 */
#include "sim_cortexm_internal.h"

#define SCS_BASE 0xE000E000u
#define DWT_BASE 0xE0001000u
#define FPB_BASE 0xE0002000u
#define ROM_TABLE_BASE 0xE00FF000u
#define COMPONENT_SIZE 0x1000u

/* SCS offsets */
#define ICTR 0x004u
#define SYSTICK_FIRST 0x010u
#define SYSTICK_LAST 0x01Cu
#define NVIC_ISER 0x100u
#define NVIC_ICER 0x180u
#define NVIC_ISPR 0x200u
#define NVIC_ICPR 0x280u
#define NVIC_IABR 0x300u
#define NVIC_IPR 0x400u
#define NVIC_IPR_END 0x4F0u
#define CPUID 0xD00u
#define ICSR 0xD04u
#define VTOR 0xD08u
#define AIRCR 0xD0Cu
#define SCR 0xD10u
#define CCR 0xD14u
#define SHPR1 0xD18u
#define SHPR3 0xD20u
#define SHCSR 0xD24u
#define CFSR 0xD28u
#define HFSR 0xD2Cu
#define DFSR 0xD30u
#define MMFAR 0xD34u
#define BFAR 0xD38u
#define CPACR 0xD88u
#define DHCSR 0xDF0u
#define DCRSR 0xDF4u
#define DCRDR 0xDF8u
#define DEMCR 0xDFCu
#define STIR 0xF00u
#define FPCCR 0xF34u
#define MVFR0 0xF40u
#define MVFR1 0xF44u

#define DHCSR_KEY 0xA05F0000u
#define DHCSR_C_DEBUGEN (1u << 0)
#define DHCSR_C_HALT (1u << 1)
#define DHCSR_C_STEP (1u << 2)
#define DHCSR_CONTROL_BITS 0x2Fu /* C_DEBUGEN, C_HALT, C_STEP, C_MASKINTS, C_SNAPSTALL */
#define DHCSR_S_REGRDY (1u << 16)
#define DHCSR_S_HALT (1u << 17)
#define DHCSR_S_SLEEP (1u << 18)
#define DHCSR_S_LOCKUP (1u << 19)
#define DHCSR_S_RETIRE_ST (1u << 24)
#define DHCSR_S_RESET_ST (1u << 25)
#define DCRSR_REGWNR (1u << 16)
#define AIRCR_VECTKEY 0x05FA0000u
#define AIRCR_VECTKEYSTAT 0xFA050000u
#define AIRCR_VECTRESET (1u << 0)
#define AIRCR_VECTCLRACTIVE (1u << 1)
#define AIRCR_SYSRESETREQ (1u << 2)
#define ICSR_NMIPENDSET (1u << 31)
#define ICSR_PENDSVSET (1u << 28)
#define ICSR_PENDSVCLR (1u << 27)
#define ICSR_PENDSTSET (1u << 26)
#define ICSR_PENDSTCLR (1u << 25)
#define ICSR_ISRPENDING (1u << 22)
#define DFSR_HALTED (1u << 0)
/* Cortex-M4F floating point feature registers. */
#define MVFR0_FPV4_SP 0x10110021u
#define MVFR1_FPV4_SP 0x11000011u
#define FPCCR_RESET 0xC0000000u

/* FPB / BPU */
#define FP_CTRL 0x000u
#define FP_REMAP 0x004u
#define FP_COMP0 0x008u
#define FP_CTRL_ENABLE (1u << 0)
#define FP_CTRL_KEY (1u << 1)

/* DWT */
#define DWT_CTRL 0x000u
#define DWT_CYCCNT 0x004u
#define DWT_COMP0 0x020u
#define DWT_CYCCNTENA (1u << 0)
#define DWT_MATCHED (1u << 24)
#define DEMCR_TRCENA (1u << 24)

/* CoreSight identification (CIDR/PIDR at 0xFD0-0xFFC of every component). */
#define CID_PREAMBLE 0xB105000Du
#define CID_CLASS_ROM_TABLE 0x1u
#define CID_CLASS_GENERIC_IP 0xEu

static bool cm_has_fpu(const struct sim_cortexm *cpu)
{
    return cpu->config.core == SIM_CORE_M4 || cpu->config.core == SIM_CORE_M7; /* single precision as the F7's */
}

static unsigned cm_fpb_comparators(const struct sim_cortexm *cpu)
{
    return cm_is_v6m(cpu) ? 4 : 8; /* v7-M: 6 code + 2 literal */
}

static unsigned cm_dwt_comparators(const struct sim_cortexm *cpu)
{
    return cm_is_v6m(cpu) ? 2 : 4;
}

/* CIDR0-3 and PIDR0-4 of a component, one byte per word. */
static uint32_t cm_component_id(uint32_t offset, uint32_t class, uint32_t part)
{
    switch (offset) {
    case 0xFE0: return part & 0xFFu;
    case 0xFE4: return 0xB0u | ((part >> 8) & 0xFu); /* JEP106 identity 0x3B (ARM), low bits */
    case 0xFE8: return 0x0Bu;                         /* JEDEC used, identity high bits */
    case 0xFD0: return 0x04u;                         /* JEP106 continuation 4 */
    case 0xFF0: return CID_PREAMBLE & 0xFFu;
    case 0xFF4: return ((CID_PREAMBLE >> 8) & 0x0Fu) | (class << 4);
    case 0xFF8: return (CID_PREAMBLE >> 16) & 0xFFu;
    case 0xFFC: return CID_PREAMBLE >> 24;
    default: return 0;
    }
}

/* ---- NVIC ---- */

static uint32_t cm_nvic_bits(struct sim_cortexm *cpu, const bool *flags, uint32_t word)
{
    uint32_t value = 0;
    for (unsigned bit = 0; bit < 32; bit++) {
        unsigned irq = word * 32 + bit;
        if (irq < cpu->config.irq_count && flags[CM_EXC_EXTERNAL + irq])
            value |= 1u << bit;
    }
    return value;
}

static void cm_nvic_set_bits(struct sim_cortexm *cpu, bool *flags, uint32_t word, uint32_t value, bool set)
{
    for (unsigned bit = 0; bit < 32; bit++) {
        unsigned irq = word * 32 + bit;
        if ((value & (1u << bit)) && irq < cpu->config.irq_count)
            flags[CM_EXC_EXTERNAL + irq] = set;
    }
}

static void cm_nvic_clear_pending(struct sim_cortexm *cpu, uint32_t word, uint32_t value)
{
    cm_nvic_set_bits(cpu, cpu->pending, word, value, false);
    /* A level-sensitive line still asserted stays pending. */
    for (unsigned bit = 0; bit < 32; bit++) {
        unsigned exception = CM_EXC_EXTERNAL + word * 32 + bit;
        if ((value & (1u << bit)) && exception < CM_MAX_EXCEPTIONS && cpu->irq_level[exception] &&
            !cpu->active[exception])
            cpu->pending[exception] = true;
    }
}

/* The byte priorities of system handlers 4-15 (SHPR1-3) and of external interrupts (IPR). */
static uint8_t *cm_priority_byte(struct sim_cortexm *cpu, uint32_t offset)
{
    if (offset >= NVIC_IPR && offset < NVIC_IPR_END) {
        unsigned irq = offset - NVIC_IPR;
        return irq < cpu->config.irq_count ? &cpu->priority[CM_EXC_EXTERNAL + irq] : NULL;
    }
    if (offset >= SHPR1 && offset < SHPR3 + 4) {
        unsigned exception = 4 + (offset - SHPR1);
        /* ARMv6-M has SVCall, PendSV and SysTick priorities only. */
        if (cm_is_v6m(cpu) && exception != CM_EXC_SVCALL && exception != CM_EXC_PENDSV &&
            exception != CM_EXC_SYSTICK)
            return NULL;
        return &cpu->priority[exception];
    }
    return NULL;
}

/* ---- the SCS word registers ---- */

static uint32_t cm_dhcsr_read(struct sim_cortexm *cpu)
{
    uint32_t value = cpu->dhcsr_control | DHCSR_S_REGRDY;
    switch (cpu->state) {
    case SIM_CORTEXM_HALTED: value |= DHCSR_S_HALT; break;
    case SIM_CORTEXM_SLEEPING: value |= DHCSR_S_SLEEP; break;
    case SIM_CORTEXM_LOCKED_UP: value |= DHCSR_S_LOCKUP; break;
    default: break;
    }
    if (cpu->s_retire)
        value |= DHCSR_S_RETIRE_ST;
    if (cpu->s_reset || cpu->state == SIM_CORTEXM_HELD_IN_RESET)
        value |= DHCSR_S_RESET_ST;
    cpu->s_retire = false;
    cpu->s_reset = false;
    return value;
}

static void cm_dhcsr_write(struct sim_cortexm *cpu, uint32_t value)
{
    if ((value & 0xFFFF0000u) != DHCSR_KEY)
        return; /* without the key the write is ignored */
    uint32_t control = value & DHCSR_CONTROL_BITS;
    if (!(control & DHCSR_C_DEBUGEN))
        control = 0; /* clearing C_DEBUGEN clears the other control bits */
    cpu->dhcsr_control = control;
    bool halt = (control & DHCSR_C_HALT) != 0;
    if (halt && (cpu->state == SIM_CORTEXM_RUNNING || cpu->state == SIM_CORTEXM_SLEEPING)) {
        cm_halt(cpu, DFSR_HALTED);
    } else if (!halt && cpu->state == SIM_CORTEXM_HALTED) {
        cpu->state = SIM_CORTEXM_RUNNING;
        cpu->step_pending = (control & DHCSR_C_STEP) != 0;
        /* Resuming on a breakpointed instruction executes it rather than stopping there again. */
        cpu->skip_breakpoint = true;
        cpu->skip_breakpoint_pc = cm_reg_read(cpu, UC_ARM_REG_PC) & ~1u;
    }
}

static uint32_t cm_icsr_read(struct sim_cortexm *cpu)
{
    uint32_t value = cm_reg_read(cpu, UC_ARM_REG_XPSR) & 0x1FFu; /* VECTACTIVE */
    unsigned pending = 0;
    for (unsigned n = CM_EXC_MEMMANAGE; n < CM_EXC_EXTERNAL + cpu->config.irq_count; n++) {
        if (cpu->pending[n] && (n < CM_EXC_EXTERNAL || cpu->enabled[n])) {
            pending = n;
            break;
        }
    }
    value |= (pending & 0x1FFu) << 12; /* VECTPENDING */
    for (unsigned n = CM_EXC_EXTERNAL; n < CM_EXC_EXTERNAL + cpu->config.irq_count; n++) {
        if (cpu->pending[n]) {
            value |= ICSR_ISRPENDING;
            break;
        }
    }
    if (cpu->pending[CM_EXC_PENDSV])
        value |= ICSR_PENDSVSET;
    if (cpu->pending[CM_EXC_SYSTICK])
        value |= ICSR_PENDSTSET;
    if (cpu->pending[CM_EXC_NMI])
        value |= ICSR_NMIPENDSET;
    return value;
}

static void cm_icsr_write(struct sim_cortexm *cpu, uint32_t value)
{
    if (value & ICSR_NMIPENDSET)
        cpu->pending[CM_EXC_NMI] = true;
    if (value & ICSR_PENDSVSET)
        cpu->pending[CM_EXC_PENDSV] = true;
    if (value & ICSR_PENDSVCLR)
        cpu->pending[CM_EXC_PENDSV] = false;
    if (value & ICSR_PENDSTSET)
        cpu->pending[CM_EXC_SYSTICK] = true;
    if (value & ICSR_PENDSTCLR)
        cpu->pending[CM_EXC_SYSTICK] = false;
}

static void cm_aircr_write(struct sim_cortexm *cpu, uint32_t value, enum sim_bus_master master)
{
    if ((value & 0xFFFF0000u) != AIRCR_VECTKEY)
        return;
    if (!cm_is_v6m(cpu))
        cpu->prigroup = (value >> 8) & 7u;
    if ((value & AIRCR_VECTCLRACTIVE) && cpu->state == SIM_CORTEXM_HALTED) {
        for (unsigned n = 0; n < CM_MAX_EXCEPTIONS; n++)
            cpu->active[n] = false;
    }
    if (value & (AIRCR_SYSRESETREQ | AIRCR_VECTRESET)) {
        if (master == SIM_BUS_MASTER_CPU) {
            cpu->reset_requested = true; /* handled when the slice ends: the emulator is running now */
            cm_request_stop(cpu);
        } else if (cpu->reset_request_fn != NULL) {
            cpu->reset_request_fn(cpu->reset_request_ctx, cm_now_ps(cpu));
        }
    }
}

static void cm_dcrsr_write(struct sim_cortexm *cpu, uint32_t value)
{
    if (cpu->state != SIM_CORTEXM_HALTED && cpu->state != SIM_CORTEXM_LOCKED_UP)
        return; /* registers are only transferred in debug state */
    unsigned selector = value & 0x7Fu;
    if (value & DCRSR_REGWNR)
        sim_cortexm_set_reg(cpu, selector, cpu->dcrdr);
    else
        cpu->dcrdr = sim_cortexm_reg(cpu, selector);
}

static uint32_t cm_shcsr_read(struct sim_cortexm *cpu)
{
    uint32_t value = cpu->shcsr & (7u << 16);
    static const struct {
        unsigned exception, bit;
    } active_bits[] = {{CM_EXC_MEMMANAGE, 0}, {CM_EXC_BUSFAULT, 1}, {CM_EXC_USAGEFAULT, 3}, {CM_EXC_SVCALL, 7},
                       {CM_EXC_DEBUGMON, 8},  {CM_EXC_PENDSV, 10},  {CM_EXC_SYSTICK, 11}};
    for (unsigned i = 0; i < sizeof active_bits / sizeof active_bits[0]; i++) {
        if (cpu->active[active_bits[i].exception])
            value |= 1u << active_bits[i].bit;
    }
    if (cpu->pending[CM_EXC_SVCALL])
        value |= 1u << 15;
    return value;
}

static uint32_t cm_scs_read_word(struct sim_cortexm *cpu, uint32_t offset)
{
    if (offset >= SYSTICK_FIRST && offset <= SYSTICK_LAST)
        return cm_systick_read(cpu, offset);
    if (offset >= NVIC_ISER && offset < NVIC_ISER + 0x40)
        return cm_nvic_bits(cpu, cpu->enabled, (offset - NVIC_ISER) / 4);
    if (offset >= NVIC_ICER && offset < NVIC_ICER + 0x40)
        return cm_nvic_bits(cpu, cpu->enabled, (offset - NVIC_ICER) / 4);
    if (offset >= NVIC_ISPR && offset < NVIC_ISPR + 0x40)
        return cm_nvic_bits(cpu, cpu->pending, (offset - NVIC_ISPR) / 4);
    if (offset >= NVIC_ICPR && offset < NVIC_ICPR + 0x40)
        return cm_nvic_bits(cpu, cpu->pending, (offset - NVIC_ICPR) / 4);
    if (offset >= NVIC_IABR && offset < NVIC_IABR + 0x40 && !cm_is_v6m(cpu))
        return cm_nvic_bits(cpu, cpu->active, (offset - NVIC_IABR) / 4);
    if ((offset >= NVIC_IPR && offset < NVIC_IPR_END) || (offset >= SHPR1 && offset < SHPR3 + 4)) {
        uint32_t value = 0;
        for (unsigned i = 0; i < 4; i++) {
            const uint8_t *byte = cm_priority_byte(cpu, offset + i);
            value |= byte ? (uint32_t)*byte << (8 * i) : 0;
        }
        return value;
    }
    if (offset >= 0xFD0)
        return cm_component_id(offset, CID_CLASS_GENERIC_IP, 0x000);
    switch (offset) {
    case ICTR: return cm_is_v6m(cpu) ? 0 : (cpu->config.irq_count + 31) / 32 - 1;
    case CPUID: return cpu->config.cpuid;
    case ICSR: return cm_icsr_read(cpu);
    case VTOR: return cpu->vtor;
    case AIRCR: return AIRCR_VECTKEYSTAT | (cpu->prigroup << 8);
    case SCR: return cpu->scr;
    case CCR: return cpu->ccr;
    case SHCSR: return cm_is_v6m(cpu) ? 0 : cm_shcsr_read(cpu);
    case CFSR: return cpu->cfsr;
    case HFSR: return cpu->hfsr;
    case DFSR: return cpu->dfsr;
    case MMFAR: return cpu->mmfar;
    case BFAR: return cpu->bfar;
    case CPACR: return cm_has_fpu(cpu) ? cpu->cpacr : 0;
    case DHCSR: return cm_dhcsr_read(cpu);
    case DCRDR: return cpu->dcrdr;
    case DEMCR: return cpu->demcr;
    case FPCCR: return cm_has_fpu(cpu) ? FPCCR_RESET : 0;
    case MVFR0: return cm_has_fpu(cpu) ? MVFR0_FPV4_SP : 0;
    case MVFR1: return cm_has_fpu(cpu) ? MVFR1_FPV4_SP : 0;
    default: return 0;
    }
}

static void cm_scs_write_word(struct sim_cortexm *cpu, uint32_t offset, uint32_t value, enum sim_bus_master master)
{
    if (offset >= SYSTICK_FIRST && offset <= SYSTICK_LAST) {
        cm_systick_write(cpu, offset, value);
        return;
    }
    cm_request_stop(cpu); /* most writes here change what the run loop decides */
    if (offset >= NVIC_ISER && offset < NVIC_ISER + 0x40)
        cm_nvic_set_bits(cpu, cpu->enabled, (offset - NVIC_ISER) / 4, value, true);
    else if (offset >= NVIC_ICER && offset < NVIC_ICER + 0x40)
        cm_nvic_set_bits(cpu, cpu->enabled, (offset - NVIC_ICER) / 4, value, false);
    else if (offset >= NVIC_ISPR && offset < NVIC_ISPR + 0x40)
        cm_nvic_set_bits(cpu, cpu->pending, (offset - NVIC_ISPR) / 4, value, true);
    else if (offset >= NVIC_ICPR && offset < NVIC_ICPR + 0x40)
        cm_nvic_clear_pending(cpu, (offset - NVIC_ICPR) / 4, value);
    else {
        switch (offset) {
        case ICSR: cm_icsr_write(cpu, value); break;
        case VTOR:
            /* STM32's Cortex-M0 has no VTOR; the M0+ of the G0 has one. */
            if (cpu->config.core != SIM_CORE_M0)
                cpu->vtor = value & 0xFFFFFF80u;
            break;
        case AIRCR: cm_aircr_write(cpu, value, master); break;
        case SCR: cpu->scr = value & 0x16u; break;
        case CCR:
            if (!cm_is_v6m(cpu))
                cpu->ccr = value & 0x31Bu;
            break;
        case SHCSR:
            if (!cm_is_v6m(cpu))
                cpu->shcsr = value & (7u << 16);
            break;
        case CFSR: cpu->cfsr &= ~value; break;
        case HFSR: cpu->hfsr &= ~value; break;
        case DFSR: cpu->dfsr &= ~value; break;
        case MMFAR: cpu->mmfar = value; break;
        case BFAR: cpu->bfar = value; break;
        case CPACR:
            if (cm_has_fpu(cpu))
                cpu->cpacr = value & (0xFu << 20);
            break;
        case DHCSR:
            if (master == SIM_BUS_MASTER_DEBUG)
                cm_dhcsr_write(cpu, value);
            break;
        case DCRSR:
            if (master == SIM_BUS_MASTER_DEBUG)
                cm_dcrsr_write(cpu, value);
            break;
        case DCRDR: cpu->dcrdr = value; break;
        case DEMCR: cpu->demcr = value & 0x010F07F1u; break;
        case STIR:
            if ((value & 0x1FFu) < cpu->config.irq_count)
                cpu->pending[CM_EXC_EXTERNAL + (value & 0x1FFu)] = true;
            break;
        default: break;
        }
    }
}

/* Sub-word accesses: priority bytes are written alone, other registers merge into their word. */
static enum sim_bus_status cm_scs_write(void *ctx, struct sim_bus_access *access)
{
    struct sim_cortexm *cpu = ctx;
    uint32_t offset = access->offset;
    if (access->size < 4) {
        uint8_t *byte = cm_priority_byte(cpu, offset);
        if (byte != NULL) {
            for (unsigned i = 0; i < access->size; i++) {
                uint8_t *target = cm_priority_byte(cpu, offset + i);
                if (target)
                    *target = (uint8_t)(access->value >> (8 * i)) & cpu->priority_mask;
            }
            return SIM_BUS_OK;
        }
        uint32_t word_offset = offset & ~3u, shift = 8 * (offset & 3u);
        uint32_t mask = (access->size == 1 ? 0xFFu : 0xFFFFu) << shift;
        uint32_t word = (cm_scs_read_word(cpu, word_offset) & ~mask) | ((access->value << shift) & mask);
        cm_scs_write_word(cpu, word_offset, word, access->master);
        return SIM_BUS_OK;
    }
    if ((offset >= NVIC_IPR && offset < NVIC_IPR_END) || (offset >= SHPR1 && offset < SHPR3 + 4)) {
        for (unsigned i = 0; i < 4; i++) {
            uint8_t *target = cm_priority_byte(cpu, offset + i);
            if (target)
                *target = (uint8_t)(access->value >> (8 * i)) & cpu->priority_mask;
        }
        return SIM_BUS_OK;
    }
    cm_scs_write_word(cpu, offset, access->value, access->master);
    return SIM_BUS_OK;
}

static enum sim_bus_status cm_scs_read(void *ctx, struct sim_bus_access *access)
{
    struct sim_cortexm *cpu = ctx;
    uint32_t word = cm_scs_read_word(cpu, access->offset & ~3u);
    access->value = word >> (8 * (access->offset & 3u));
    return SIM_BUS_OK;
}

/* ---- FPB / BPU ---- */

static enum sim_bus_status cm_fpb_read(void *ctx, struct sim_bus_access *access)
{
    struct sim_cortexm *cpu = ctx;
    uint32_t offset = access->offset & ~3u, value = 0;
    unsigned comparators = cm_fpb_comparators(cpu);
    if (offset == FP_CTRL)
        value = (cm_is_v6m(cpu) ? 0x40u : 0x260u) | cpu->fp_ctrl_enable; /* NUM_CODE (, NUM_LIT) */
    else if (offset == FP_REMAP && !cm_is_v6m(cpu))
        value = cpu->fp_remap;
    else if (offset >= FP_COMP0 && offset < FP_COMP0 + 4 * comparators)
        value = cpu->fp_comp[(offset - FP_COMP0) / 4];
    else if (offset >= 0xFD0)
        value = cm_component_id(offset, CID_CLASS_GENERIC_IP, cm_is_v6m(cpu) ? 0x00Bu : 0x003u);
    access->value = value >> (8 * (access->offset & 3u));
    return SIM_BUS_OK;
}

static enum sim_bus_status cm_fpb_write(void *ctx, struct sim_bus_access *access)
{
    struct sim_cortexm *cpu = ctx;
    uint32_t offset = access->offset, value = access->value;
    unsigned comparators = cm_fpb_comparators(cpu);
    if (offset == FP_CTRL) {
        if (value & FP_CTRL_KEY)
            cpu->fp_ctrl_enable = value & FP_CTRL_ENABLE;
    } else if (offset == FP_REMAP && !cm_is_v6m(cpu)) {
        cpu->fp_remap = value & 0x1FFFFFE0u;
    } else if (offset >= FP_COMP0 && offset < FP_COMP0 + 4 * comparators) {
        cpu->fp_comp[(offset - FP_COMP0) / 4] = value;
    }
    cpu->fpb_dirty = true;
    return SIM_BUS_OK;
}

/* ---- DWT ---- */

static uint32_t cm_cyccnt(const struct sim_cortexm *cpu)
{
    bool counting = (cpu->dwt_ctrl & DWT_CYCCNTENA) && (cpu->demcr & DEMCR_TRCENA);
    return cpu->cyccnt_value + (counting ? (uint32_t)(cpu->cycles - cpu->cyccnt_base_cycles) : 0u);
}

static enum sim_bus_status cm_dwt_read(void *ctx, struct sim_bus_access *access)
{
    struct sim_cortexm *cpu = ctx;
    uint32_t offset = access->offset & ~3u, value = 0;
    unsigned comparators = cm_dwt_comparators(cpu);
    if (offset == DWT_CTRL) {
        value = ((uint32_t)comparators << 28) | (cpu->dwt_ctrl & DWT_CYCCNTENA);
    } else if (offset == DWT_CYCCNT && !cm_is_v6m(cpu)) {
        value = cm_cyccnt(cpu);
    } else if (offset >= DWT_COMP0 && offset < DWT_COMP0 + 16 * comparators) {
        unsigned n = (offset - DWT_COMP0) / 16;
        switch ((offset - DWT_COMP0) % 16) {
        case 0: value = cpu->dwt_comp[n]; break;
        case 4: value = cpu->dwt_mask[n]; break;
        case 8:
            value = cpu->dwt_function[n];
            cpu->dwt_function[n] &= ~DWT_MATCHED; /* MATCHED clears when read */
            break;
        default: break;
        }
    } else if (offset >= 0xFD0) {
        value = cm_component_id(offset, CID_CLASS_GENERIC_IP, 0x002u);
    }
    access->value = value >> (8 * (access->offset & 3u));
    return SIM_BUS_OK;
}

static enum sim_bus_status cm_dwt_write(void *ctx, struct sim_bus_access *access)
{
    struct sim_cortexm *cpu = ctx;
    uint32_t offset = access->offset, value = access->value;
    unsigned comparators = cm_dwt_comparators(cpu);
    if (offset == DWT_CTRL) {
        cpu->cyccnt_value = cm_cyccnt(cpu);
        cpu->cyccnt_base_cycles = cpu->cycles;
        cpu->dwt_ctrl = value & DWT_CYCCNTENA;
    } else if (offset == DWT_CYCCNT && !cm_is_v6m(cpu)) {
        cpu->cyccnt_value = value;
        cpu->cyccnt_base_cycles = cpu->cycles;
    } else if (offset >= DWT_COMP0 && offset < DWT_COMP0 + 16 * comparators) {
        unsigned n = (offset - DWT_COMP0) / 16;
        switch ((offset - DWT_COMP0) % 16) {
        case 0: cpu->dwt_comp[n] = value; break;
        case 4: cpu->dwt_mask[n] = value & 0x1Fu; break;
        case 8: cpu->dwt_function[n] = value & 0xFu; break;
        default: break;
        }
        cpu->dwt_dirty = true;
    }
    return SIM_BUS_OK;
}

/* ---- ROM table ---- */

static enum sim_bus_status cm_rom_table_read(void *ctx, struct sim_bus_access *access)
{
    (void)ctx;
    uint32_t offset = access->offset & ~3u, value = 0;
    /* Entries are offsets from the table, bit 0 = present, bit 1 = 32-bit format. */
    switch (offset) {
    case 0x000: value = (SCS_BASE - ROM_TABLE_BASE) | 3u; break;
    case 0x004: value = (DWT_BASE - ROM_TABLE_BASE) | 3u; break;
    case 0x008: value = (FPB_BASE - ROM_TABLE_BASE) | 3u; break;
    case 0x00C: value = 0; break; /* end of table */
    case 0xFCC: value = 1; break; /* MEMTYPE: system memory is on this bus */
    default:
        if (offset >= 0xFD0)
            value = cm_component_id(offset, CID_CLASS_ROM_TABLE, 0x4C3u);
        break;
    }
    access->value = value >> (8 * (access->offset & 3u));
    return SIM_BUS_OK;
}

static enum sim_bus_status cm_ignore_write(void *ctx, struct sim_bus_access *access)
{
    (void)ctx;
    (void)access;
    return SIM_BUS_OK;
}

static const struct sim_bus_region_ops cm_scs_ops = {.read = cm_scs_read, .write = cm_scs_write};
static const struct sim_bus_region_ops cm_fpb_ops = {.read = cm_fpb_read, .write = cm_fpb_write};
static const struct sim_bus_region_ops cm_dwt_ops = {.read = cm_dwt_read, .write = cm_dwt_write};
static const struct sim_bus_region_ops cm_rom_table_ops = {.read = cm_rom_table_read, .write = cm_ignore_write};

bool cm_map_debug_regions(struct sim_cortexm *cpu)
{
    return sim_bus_map(cpu->bus, SCS_BASE, COMPONENT_SIZE, &cm_scs_ops, cpu, "SCS") != NULL &&
           sim_bus_map(cpu->bus, DWT_BASE, COMPONENT_SIZE, &cm_dwt_ops, cpu, "DWT") != NULL &&
           sim_bus_map(cpu->bus, FPB_BASE, COMPONENT_SIZE, &cm_fpb_ops, cpu, "FPB") != NULL &&
           sim_bus_map(cpu->bus, ROM_TABLE_BASE, COMPONENT_SIZE, &cm_rom_table_ops, cpu, "ROM table") != NULL;
}

void cm_debug_reset(struct sim_cortexm *cpu)
{
    cpu->dhcsr_control = 0;
    cpu->demcr = 0;
    cpu->dfsr = 0;
    cpu->dcrdr = 0;
    cpu->fp_ctrl_enable = 0;
    cpu->fp_remap = 0;
    for (unsigned i = 0; i < CM_FPB_MAX_COMPARATORS; i++)
        cpu->fp_comp[i] = 0;
    cpu->dwt_ctrl = 0;
    cpu->cyccnt_value = 0;
    cpu->cyccnt_base_cycles = cpu->cycles;
    for (unsigned i = 0; i < CM_DWT_MAX_COMPARATORS; i++)
        cpu->dwt_comp[i] = cpu->dwt_mask[i] = cpu->dwt_function[i] = 0;
    cpu->fpb_dirty = cpu->dwt_dirty = true;
}
