/*
 * sim_cortexm_systick.c - the SysTick timer (ARMv7-M B3.3), computed from the core's cycle count rather than
 * ticked: the counter's value at any cycle follows from where it was at syst_base_cycles.
 *
 * The counter counts down once per tick (every core cycle with CLKSOURCE=1, every 8 cycles from STM32's HCLK/8
 * reference with CLKSOURCE=0). Reaching 0 from 1 sets COUNTFLAG and, with TICKINT, pends SysTick; the next tick
 * reloads RVR. A write to CVR clears the counter to 0 (no event) and COUNTFLAG.
 */
#include "sim_cortexm_internal.h"

#define SYST_CSR 0x10u
#define SYST_RVR 0x14u
#define SYST_CVR 0x18u
#define SYST_CALIB 0x1Cu
#define CSR_ENABLE (1u << 0)
#define CSR_TICKINT (1u << 1)
#define CSR_CLKSOURCE (1u << 2)
#define CSR_COUNTFLAG (1u << 16)
#define COUNTER_MASK 0x00FFFFFFu
#define REFERENCE_DIVIDER 8u /* STM32: the SysTick reference clock is HCLK/8 */

void cm_systick_reset(struct sim_cortexm *cpu)
{
    cpu->syst_csr = 0;
    cpu->syst_rvr = 0;
    cpu->syst_value = 0;
    cpu->syst_base_cycles = cpu->cycles;
}

static uint64_t cm_systick_divider(const struct sim_cortexm *cpu)
{
    return (cpu->syst_csr & CSR_CLKSOURCE) ? 1u : REFERENCE_DIVIDER;
}

static uint64_t cm_systick_ticks(const struct sim_cortexm *cpu)
{
    return (cpu->cycles - cpu->syst_base_cycles) / cm_systick_divider(cpu);
}

/* Ticks from the base to the first 1 -> 0 transition, or 0 when none comes. */
static uint64_t cm_systick_first_event(const struct sim_cortexm *cpu)
{
    if (cpu->syst_value > 0)
        return cpu->syst_value;
    return cpu->syst_rvr > 0 ? (uint64_t)cpu->syst_rvr + 1 : 0;
}

static uint32_t cm_systick_value_at(const struct sim_cortexm *cpu, uint64_t ticks)
{
    if (!(cpu->syst_csr & CSR_ENABLE) || ticks <= cpu->syst_value)
        return (uint32_t)(cpu->syst_value - (cpu->syst_csr & CSR_ENABLE ? ticks : 0));
    uint64_t period = (uint64_t)cpu->syst_rvr + 1;
    uint64_t after_reload = ticks - cpu->syst_value - 1;
    return cpu->syst_rvr - (uint32_t)(after_reload % period);
}

/* Freezes the counter's current value as the new base (before a change of mode). */
static void cm_systick_rebase(struct sim_cortexm *cpu)
{
    cpu->syst_value = cm_systick_value_at(cpu, cm_systick_ticks(cpu));
    cpu->syst_base_cycles = cpu->cycles;
}

uint64_t cm_systick_next_wrap(const struct sim_cortexm *cpu)
{
    if (!(cpu->syst_csr & CSR_ENABLE))
        return UINT64_MAX;
    uint64_t first = cm_systick_first_event(cpu);
    if (first == 0)
        return UINT64_MAX;
    return cpu->syst_base_cycles + first * cm_systick_divider(cpu);
}

uint64_t cm_systick_update(struct sim_cortexm *cpu)
{
    if (!(cpu->syst_csr & CSR_ENABLE))
        return UINT64_MAX;
    uint64_t first = cm_systick_first_event(cpu);
    uint64_t ticks = cm_systick_ticks(cpu);
    if (first != 0 && ticks >= first) {
        /* One or more wraps happened: the flag and a single pend record them all. */
        uint64_t period = (uint64_t)cpu->syst_rvr + 1;
        uint64_t last = cpu->syst_rvr > 0 ? first + (ticks - first) / period * period : first;
        cpu->syst_csr |= CSR_COUNTFLAG;
        if (cpu->syst_csr & CSR_TICKINT)
            cpu->pending[CM_EXC_SYSTICK] = true;
        cpu->syst_base_cycles += last * cm_systick_divider(cpu);
        cpu->syst_value = 0;
    }
    return cm_systick_next_wrap(cpu);
}

uint32_t cm_systick_read(struct sim_cortexm *cpu, uint32_t offset)
{
    cm_systick_update(cpu);
    switch (offset) {
    case SYST_CSR: {
        uint32_t value = cpu->syst_csr;
        cpu->syst_csr &= ~CSR_COUNTFLAG; /* cleared by reading */
        return value;
    }
    case SYST_RVR: return cpu->syst_rvr;
    case SYST_CVR: return cm_systick_value_at(cpu, cm_systick_ticks(cpu)) & COUNTER_MASK;
    case SYST_CALIB: {
        /* TENMS: reference ticks in 10 ms; SKEW because that is not exact for every clock. */
        uint32_t tenms = (cpu->config.clock_hz / REFERENCE_DIVIDER / 100u) & COUNTER_MASK;
        return (1u << 30) | tenms;
    }
    default: return 0;
    }
}

void cm_systick_write(struct sim_cortexm *cpu, uint32_t offset, uint32_t value)
{
    cm_systick_update(cpu);
    switch (offset) {
    case SYST_CSR:
        cm_systick_rebase(cpu);
        cpu->syst_csr = (cpu->syst_csr & CSR_COUNTFLAG) | (value & (CSR_ENABLE | CSR_TICKINT | CSR_CLKSOURCE));
        break;
    case SYST_RVR: cpu->syst_rvr = value & COUNTER_MASK; break;
    case SYST_CVR:
        cpu->syst_value = 0;
        cpu->syst_base_cycles = cpu->cycles;
        cpu->syst_csr &= ~CSR_COUNTFLAG;
        break;
    default: break;
    }
    cm_request_stop(cpu); /* the next wrap moved: the run loop recomputes its slice */
}
