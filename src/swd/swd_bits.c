/*
 * swd_bits.c - runs of bits over the port's per-bit routines.
 */
#include "swd_bits.h"

void swd_bits_write(const struct hal_swd *pins, uint32_t value, unsigned count)
{
    for (unsigned i = 0; i < count; i++)
        pins->write_bit(pins->ctx, (value >> i) & 1u);
}

uint32_t swd_bits_read(const struct hal_swd *pins, unsigned count)
{
    uint32_t value = 0;
    for (unsigned i = 0; i < count; i++) {
        if (pins->read_bit(pins->ctx))
            value |= 1u << i;
    }
    return value;
}

void swd_bits_repeat(const struct hal_swd *pins, bool level, unsigned count)
{
    for (unsigned i = 0; i < count; i++)
        pins->write_bit(pins->ctx, level);
}
