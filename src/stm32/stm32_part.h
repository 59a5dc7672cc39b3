/*
 * stm32_part.h - the STM32 parts airswd knows, by DEV_ID: one row each (stm32_part.c) with what differs between the
 * members of a line (name, page size, SRAM, banks), pointing at its line, and through it at its flash controller
 * generation (stm32_family.h), for everything the members share. Nothing else in the core knows part numbers.
 *
 * The flash size comes from the part's flash size register at connect time, so one row covers every flash size
 * of a line; the layout rule of the line turns that size into erase units.
 */
#ifndef AIRSWD_STM32_PART_H
#define AIRSWD_STM32_PART_H

#include <stdbool.h>
#include <stdint.h>

#include "image/image_target.h"
#include "stm32/stm32_family.h"

#define STM32_FLASH_BASE 0x08000000u
#define STM32_SRAM_BASE 0x20000000u
#define STM32_EEPROM_BASE 0x08080000u /* L0/L1 data EEPROM */
#define STM32_FIXED_BANKS_FLASH_SIZE 0x80000u /* two banks of 256 KB */
/* DBGMCU_IDCODE: Cortex-M3/M4/M7 parts at 0xE0042000, Cortex-M0/M0+ parts on the APB at 0x40015800, the H7 in
 * its D3 domain at 0x5C001000 (RM0433 §60.5.8). */
#define STM32_DBGMCU_IDCODE_PPB 0xE0042000u
#define STM32_DBGMCU_IDCODE_APB 0x40015800u
#define STM32_DBGMCU_IDCODE_D3 0x5C001000u

/* A row of the part table. */
struct stm32_part {
    const struct stm32_line *line;
    const char *name;   /* "STM32F10x medium density" */
    uint32_t page_size; /* lines laid out in pages */
    uint32_t sram_min;  /* SRAM every member of the line has (bytes): where loaders and their buffers fit */
    uint32_t sram_max;  /* SRAM the largest member has: data an image places up to there is RAM, not an error */
    uint16_t dev_id;
    uint16_t eeprom_size; /* data EEPROM at STM32_EEPROM_BASE (bytes); 0: none */
    bool dual_bank; /* two banks of half the flash each (erase addressing per bank) */
    /* Bank 2 at 0x08040000 whatever the flash size (G47x, RM0440 §3.3.1; bank 2 starts at half the flash
     * elsewhere): only two whole banks, STM32_FIXED_BANKS_FLASH_SIZE, are described. */
    bool fixed_banks;
    /* The ROM boots instead of the firmware when the flash was empty at the last option byte load (F04x/F07x/F09x,
     * G0; AN2606 "empty check"): a system reset after programming a blank chip would stay in the bootloader, so
     * the job loads the option bytes (OBL_LAUNCH) before its final reset. */
    bool boot_checks_empty_flash;
};

/* The flash controller generation of the part's line. */
static inline const struct stm32_family *stm32_part_family(const struct stm32_part *part)
{
    return part->line->family;
}

/* The table's rows in order, index from 0; NULL past the last (docs/flash.md's parts table is made from them). */
const struct stm32_part *stm32_part_at(unsigned index);

/* The part with this DEV_ID (DBGMCU_IDCODE[11:0]), or NULL. */
const struct stm32_part *stm32_part_find(uint16_t dev_id);

/* Fills target with the part's memory for flash_size bytes of flash. False when that size does not fit the
 * line's layout rule (an odd flash size register). */
bool stm32_part_describe(const struct stm32_part *part, uint32_t flash_size, struct image_target *target);

/* Erase time of one unit of the given size (typical). */
uint32_t stm32_part_erase_us(const struct stm32_part *part, uint32_t unit_size);

/* The most flash, in KB, a part of this row can have: up to its data EEPROM where it has one (L0/L1: 512 KB), else
 * the 2 MB of the largest rows. What a search for the end of flash may look through. */
uint32_t stm32_part_max_flash_kb(const struct stm32_part *part);

/* Time (ns) the loader takes per program unit: program_ns, or its share of an operation that programs
 * loader_program_size bytes at once (L0's half page). */
uint32_t stm32_part_loader_unit_ns(const struct stm32_part *part);

/* Mass erase time (typical) of flash_size bytes: sector lines (F2/F4) take it per MB, page lines in one go. */
uint32_t stm32_part_mass_erase_us(const struct stm32_part *part, uint32_t flash_size);

#endif /* AIRSWD_STM32_PART_H */
