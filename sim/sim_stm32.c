/*
 * sim_stm32.c - a simulated STM32 assembled from the simulator's parts.
 *
 * STM32F103C8 (RM0008, DS5319): 64 KB flash at 0x08000000, 20 KB SRAM at 0x20000000, system memory at 0x1FFFF000
 * with the flash size register at 0x1FFFF7E0, DBGMCU at 0xE0042000. Flash reads as erased and refuses plain bus
 * writes, as silicon does outside a programming sequence.
 */
#include "sim_stm32.h"

#include <stdlib.h>
#include <string.h>

#define STM32F1_FLASH_BASE 0x08000000u
#define STM32F1_SRAM_BASE 0x20000000u
#define STM32F1_SYSTEM_MEMORY_BASE 0x1FFFF000u
#define STM32F1_SYSTEM_MEMORY_SIZE 0x810u /* bootloader, option bytes, device ID */
#define STM32F1_FLASH_SIZE_REGISTER 0x1FFFF7E0u
#define STM32_DBGMCU_IDCODE 0xE0042000u
#define STM32_DBGMCU_CR 0xE0042004u

struct sim_stm32_part {
    const char *name;
    uint32_t flash_kb;
    uint32_t sram_kb;
    uint32_t dbgmcu_idcode; /* REV_ID[31:16], DEV_ID[11:0] */
};

static const struct sim_stm32_part sim_stm32_part_table[] = {
    {"stm32f103c8", 64, 20, 0x20036410u}, /* medium density, revision X */
};

const char *const sim_stm32_parts[] = {"stm32f103c8", NULL};

static const struct sim_stm32_part *sim_stm32_find_part(const char *name)
{
    for (size_t i = 0; i < sizeof sim_stm32_part_table / sizeof sim_stm32_part_table[0]; i++) {
        if (strcmp(sim_stm32_part_table[i].name, name) == 0)
            return &sim_stm32_part_table[i];
    }
    return NULL;
}

static void sim_stm32_put_le(struct sim_memory *memory, uint32_t offset, uint32_t value, unsigned size)
{
    uint8_t *data = sim_memory_data(memory);
    for (unsigned i = 0; i < size; i++)
        data[offset + i] = (uint8_t)(value >> (8 * i));
}

static struct sim_memory *sim_stm32_map(struct sim_stm32 *stm32, uint32_t base, uint32_t size, bool writable,
                                        const char *name)
{
    struct sim_memory *memory = sim_memory_create(size, writable);
    if (memory && !sim_memory_map(memory, sim_target_bus(stm32->target), base, name)) {
        sim_memory_destroy(memory);
        memory = NULL;
    }
    return memory;
}

struct sim_stm32 *sim_stm32_create(const char *part, uint32_t swclk_hz)
{
    const struct sim_stm32_part *info = sim_stm32_find_part(part);
    if (!info)
        return NULL;
    struct sim_stm32 *stm32 = calloc(1, sizeof *stm32);
    if (!stm32)
        return NULL;
    stm32->part = info->name;

    struct sim_target_config config;
    sim_target_default_config(&config);
    if (swclk_hz)
        config.swclk_hz = swclk_hz;
    stm32->target = sim_target_create(&config);
    if (!stm32->target) {
        free(stm32);
        return NULL;
    }

    stm32->flash = sim_stm32_map(stm32, STM32F1_FLASH_BASE, info->flash_kb * 1024u, false, "flash");
    stm32->sram = sim_stm32_map(stm32, STM32F1_SRAM_BASE, info->sram_kb * 1024u, true, "sram");
    stm32->system_memory =
        sim_stm32_map(stm32, STM32F1_SYSTEM_MEMORY_BASE, STM32F1_SYSTEM_MEMORY_SIZE, false, "system memory");
    stm32->dbgmcu_idcode = sim_stm32_map(stm32, STM32_DBGMCU_IDCODE, 4, false, "DBGMCU_IDCODE");
    stm32->dbgmcu_cr = sim_stm32_map(stm32, STM32_DBGMCU_CR, 4, true, "DBGMCU_CR");
    if (!stm32->flash || !stm32->sram || !stm32->system_memory || !stm32->dbgmcu_idcode || !stm32->dbgmcu_cr) {
        sim_stm32_destroy(stm32);
        return NULL;
    }
    memset(sim_memory_data(stm32->flash), 0xFF, sim_memory_size(stm32->flash));
    sim_stm32_put_le(stm32->system_memory, STM32F1_FLASH_SIZE_REGISTER - STM32F1_SYSTEM_MEMORY_BASE,
                     info->flash_kb, 2);
    sim_stm32_put_le(stm32->dbgmcu_idcode, 0, info->dbgmcu_idcode, 4);
    return stm32;
}

void sim_stm32_destroy(struct sim_stm32 *stm32)
{
    if (!stm32)
        return;
    sim_target_destroy(stm32->target);
    sim_memory_destroy(stm32->flash);
    sim_memory_destroy(stm32->sram);
    sim_memory_destroy(stm32->system_memory);
    sim_memory_destroy(stm32->dbgmcu_idcode);
    sim_memory_destroy(stm32->dbgmcu_cr);
    free(stm32);
}
