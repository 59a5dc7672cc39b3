/*
 * part_number.h - an STM32 order code as `airswd sign --target` takes it ("stm32f103c8", "STM32G071RB"): the line's
 * DEV_ID, which must be a row of the core's part table (src/stm32/stm32_part.c), and the flash size its size
 * letter stands for. The simulated parts are such names too.
 */
#ifndef AIRSWD_PART_NUMBER_H
#define AIRSWD_PART_NUMBER_H

#include <stdbool.h>
#include <stdint.h>

#include "stm32/stm32_part.h"

struct part_number {
    const struct stm32_part *part; /* the core's row for the line */
    uint32_t flash_size;           /* bytes */
};

/* Decodes name (case ignored): STM32, the line digits, the pin-count letter, the flash size letter, and anything
 * after (package, temperature range) ignored. False when the name is not an order code of a line the core
 * supports; *why then says what did not match. */
bool part_number_decode(const char *name, struct part_number *out, const char **why);

#endif /* AIRSWD_PART_NUMBER_H */
