/* Memory-mapped register access: one 32-bit word at a fixed address. */
#ifndef FW_MMIO_H
#define FW_MMIO_H

#include <stdint.h>

#define MMIO32(addr) (*(volatile uint32_t *)(uintptr_t)(addr))

static inline void mmio_set_bits(uint32_t addr, uint32_t bits)
{
    MMIO32(addr) |= bits;
}

/* Replace the field selected by mask with value (value already shifted into place). */
static inline void mmio_write_field(uint32_t addr, uint32_t mask, uint32_t value)
{
    MMIO32(addr) = (MMIO32(addr) & ~mask) | (value & mask);
}

#endif
