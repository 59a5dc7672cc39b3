/*
 * swd_bits.h - clocking runs of bits through the port's per-bit routines (private to src/swd).
 */
#ifndef AIRSWD_SWD_BITS_H
#define AIRSWD_SWD_BITS_H

#include <stdint.h>

#include "hal.h"

/* Drives count (1..32) bits of value, LSB first. SWDIO must already be an output. */
void swd_bits_write(const struct hal_swd *pins, uint32_t value, unsigned count);

/* Samples count (1..32) bits, LSB first. SWDIO must already be released. */
uint32_t swd_bits_read(const struct hal_swd *pins, unsigned count);

/* Drives count cycles of one level (line resets, idle cycles). */
void swd_bits_repeat(const struct hal_swd *pins, bool level, unsigned count);

#endif /* AIRSWD_SWD_BITS_H */
