/*
 * sim_stm32.h - a simulated STM32 assembled from the simulator's parts: its debug port, its memories, and the
 * identification registers a debugger reads first.
 */
#ifndef SIM_STM32_H
#define SIM_STM32_H

#include <stdint.h>

#include "sim_memory.h"
#include "sim_target.h"

struct sim_stm32 {
    const char *part;
    struct sim_target *target;
    struct sim_memory *flash;
    struct sim_memory *sram;
    struct sim_memory *system_memory; /* ROM bootloader, device ID and flash size registers */
    struct sim_memory *dbgmcu_idcode;
    struct sim_memory *dbgmcu_cr;
};

/* Names of the parts that can be created, NULL-terminated. */
extern const char *const sim_stm32_parts[];

/* Creates the named part with its debug port configured as silicon's; swclk_hz 0 keeps the default.
 * Returns NULL for an unknown part or when out of host memory. */
struct sim_stm32 *sim_stm32_create(const char *part, uint32_t swclk_hz);
void sim_stm32_destroy(struct sim_stm32 *stm32);

#endif /* SIM_STM32_H */
