/*
 * cortexm_breakpoints.c - hardware breakpoints (FPB comparators; the BPU of ARMv6-M has the same layout) and data
 * watchpoints (DWT comparators), set and cleared by comparator index. Which index holds what is the caller's
 * business (a GDB server keeps that table); this file only programs the units.
 *
 * The comparators belong to the debug domain, reset at power-on only: a previous session's breakpoints survive a
 * system reset and a new attach, so attach clears them all.
 */
#include "cortexm/cortexm_internal.h"

/* Largest DWT_MASK value tried (2 GB): the implemented maximum is found by writing and reading back. */
#define CORTEXM_DWT_MASK_MAX 31u

enum status cortexm_debug_units_attach(struct cortexm *core)
{
    uint32_t fp_ctrl, dwt_ctrl;
    enum status status = adi_mem_read32(core->ap, CORTEXM_FP_CTRL, &fp_ctrl);
    if (status == STATUS_OK)
        status = adi_mem_read32(core->ap, CORTEXM_DWT_CTRL, &dwt_ctrl);
    if (status != STATUS_OK)
        return status;
    core->fpb_comparators = ((fp_ctrl >> CORTEXM_FP_CTRL_NUM_CODE_LOW_SHIFT) & CORTEXM_FP_CTRL_NUM_CODE_LOW_MASK) |
                            ((fp_ctrl >> CORTEXM_FP_CTRL_NUM_CODE_HIGH_SHIFT) & CORTEXM_FP_CTRL_NUM_CODE_HIGH_MASK)
                                << 4;
    core->fpb_revision = (fp_ctrl >> CORTEXM_FP_CTRL_REV_SHIFT) & CORTEXM_FP_CTRL_REV_MASK;
    core->dwt_comparators = dwt_ctrl >> CORTEXM_DWT_CTRL_NUMCOMP_SHIFT;

    for (unsigned n = 0; n < core->fpb_comparators && status == STATUS_OK; n++)
        status = adi_mem_write32(core->ap, CORTEXM_FP_COMP(n), 0);
    for (unsigned n = 0; n < core->dwt_comparators && status == STATUS_OK; n++)
        status = adi_mem_write32(core->ap, CORTEXM_DWT_FUNCTION(n), CORTEXM_DWT_FUNCTION_DISABLED);
    return status;
}

enum status cortexm_debug_units_release(struct cortexm *core)
{
    enum status status = STATUS_OK;
    if (core->fpb_comparators != 0)
        status = adi_mem_write32(core->ap, CORTEXM_FP_CTRL, CORTEXM_FP_CTRL_KEY);
    for (unsigned n = 0; n < core->dwt_comparators && status == STATUS_OK; n++)
        status = adi_mem_write32(core->ap, CORTEXM_DWT_FUNCTION(n), CORTEXM_DWT_FUNCTION_DISABLED);
    return status;
}

/* ---- FPB ---- */

static enum status cortexm_check_breakpoint_index(struct cortexm *core, unsigned index)
{
    if (index >= core->fpb_comparators)
        return status_fail(core->report, STATUS_INVALID_ARGUMENT,
                           "breakpoint %u: this %s has %u hardware breakpoints, numbered from 0", index,
                           cortexm_core_name(core->cpuid), core->fpb_comparators);
    return STATUS_OK;
}

/* FP_COMPn for a breakpoint at address, in the unit's revision. */
static enum status cortexm_breakpoint_comparator(struct cortexm *core, uint32_t address, uint32_t *comp)
{
    if (core->fpb_revision == 1) {
        *comp = (address & ~1u) | CORTEXM_FP_COMP_V2_ENABLE;
        return STATUS_OK;
    }
    if (core->fpb_revision != 0)
        return status_fail(core->report, STATUS_UNSUPPORTED, "breakpoint at 0x%08lX: FPB revision %u is unknown",
                           (unsigned long)address, core->fpb_revision);
    if (address >= CORTEXM_FP_CODE_REGION_END)
        return status_fail(core->report, STATUS_UNSUPPORTED,
                           "breakpoint at 0x%08lX: this FPB only breaks below 0x20000000 (code in flash); in RAM "
                           "write a BKPT instruction instead",
                           (unsigned long)address);
    uint32_t half = (address & 2u) ? CORTEXM_FP_COMP_BREAK_UPPER : CORTEXM_FP_COMP_BREAK_LOWER;
    *comp = (address & CORTEXM_FP_COMP_ADDRESS_MASK) | half | CORTEXM_FP_COMP_ENABLE;
    return STATUS_OK;
}

enum status cortexm_set_breakpoint(struct cortexm *core, unsigned index, uint32_t address)
{
    enum status status = cortexm_check_breakpoint_index(core, index);
    if (status != STATUS_OK)
        return status;
    if (address & 1u)
        return status_fail(core->report, STATUS_ALIGNMENT,
                           "breakpoint at 0x%08lX: instructions are at even addresses (drop the Thumb bit)",
                           (unsigned long)address);
    uint32_t comp = 0;
    status = cortexm_breakpoint_comparator(core, address, &comp);
    if (status == STATUS_OK)
        status = adi_mem_write32(core->ap, CORTEXM_FP_COMP(index), comp);
    if (status == STATUS_OK)
        status = adi_mem_write32(core->ap, CORTEXM_FP_CTRL, CORTEXM_FP_CTRL_KEY | CORTEXM_FP_CTRL_ENABLE);
    return status;
}

enum status cortexm_clear_breakpoint(struct cortexm *core, unsigned index)
{
    enum status status = cortexm_check_breakpoint_index(core, index);
    if (status != STATUS_OK)
        return status;
    return adi_mem_write32(core->ap, CORTEXM_FP_COMP(index), 0);
}

/* ---- DWT ---- */

static enum status cortexm_check_watchpoint_index(struct cortexm *core, unsigned index)
{
    if (core->armv8m)
        return status_fail(core->report, STATUS_UNSUPPORTED,
                           "watchpoint %u: the ARMv8-M DWT of a %s is not supported yet", index,
                           cortexm_core_name(core->cpuid));
    if (index >= core->dwt_comparators)
        return status_fail(core->report, STATUS_INVALID_ARGUMENT,
                           "watchpoint %u: this %s has %u watchpoints, numbered from 0", index,
                           cortexm_core_name(core->cpuid), core->dwt_comparators);
    return STATUS_OK;
}

static uint32_t cortexm_watch_function(enum cortexm_watch_kind kind)
{
    switch (kind) {
    case CORTEXM_WATCH_READ: return CORTEXM_DWT_FUNCTION_READ;
    case CORTEXM_WATCH_WRITE: return CORTEXM_DWT_FUNCTION_WRITE;
    case CORTEXM_WATCH_ACCESS: return CORTEXM_DWT_FUNCTION_ACCESS;
    }
    return CORTEXM_DWT_FUNCTION_DISABLED;
}

enum status cortexm_set_watchpoint(struct cortexm *core, unsigned index, uint32_t address, uint32_t size,
                                   enum cortexm_watch_kind kind)
{
    enum status status = cortexm_check_watchpoint_index(core, index);
    if (status != STATUS_OK)
        return status;
    uint32_t function = cortexm_watch_function(kind);
    if (function == CORTEXM_DWT_FUNCTION_DISABLED)
        return status_fail(core->report, STATUS_INVALID_ARGUMENT, "watchpoint %u: access kind %d", index, (int)kind);
    if (size == 0 || (size & (size - 1u)) != 0)
        return status_fail(core->report, STATUS_INVALID_ARGUMENT,
                           "watchpoint %u: %lu bytes; a comparator covers a power of two", index, (unsigned long)size);
    if (address & (size - 1u))
        return status_fail(core->report, STATUS_ALIGNMENT,
                           "watchpoint %u: 0x%08lX is not aligned to its size (%lu bytes)", index,
                           (unsigned long)address, (unsigned long)size);
    uint32_t mask = 0;
    while ((1u << mask) < size && mask < CORTEXM_DWT_MASK_MAX)
        mask++;

    /* The comparator stays off while its address and mask change, so that it never matches a half-made range. */
    uint32_t mask_back = 0;
    status = adi_mem_write32(core->ap, CORTEXM_DWT_FUNCTION(index), CORTEXM_DWT_FUNCTION_DISABLED);
    if (status == STATUS_OK)
        status = adi_mem_write32(core->ap, CORTEXM_DWT_COMP(index), address);
    if (status == STATUS_OK)
        status = adi_mem_write32(core->ap, CORTEXM_DWT_MASK(index), mask);
    if (status == STATUS_OK)
        status = adi_mem_read32(core->ap, CORTEXM_DWT_MASK(index), &mask_back);
    if (status != STATUS_OK)
        return status;
    /* DWT_MASK implements as many bits as the core's largest range: a bigger value reads back smaller. */
    if (mask_back != mask)
        return status_fail(core->report, STATUS_UNSUPPORTED,
                           "watchpoint %u: a DWT comparator of this %s cannot cover %lu bytes", index,
                           cortexm_core_name(core->cpuid), (unsigned long)size);
    return adi_mem_write32(core->ap, CORTEXM_DWT_FUNCTION(index), function);
}

enum status cortexm_clear_watchpoint(struct cortexm *core, unsigned index)
{
    enum status status = cortexm_check_watchpoint_index(core, index);
    if (status != STATUS_OK)
        return status;
    return adi_mem_write32(core->ap, CORTEXM_DWT_FUNCTION(index), CORTEXM_DWT_FUNCTION_DISABLED);
}
