/*
 * stm32_part.h - the STM32 lines airswd knows, by DEV_ID: where their identification and flash registers are, which
 * flash controller generation they have, and how their flash is laid out. One table (stm32_part.c) for every
 * supported part; nothing else in the core knows part numbers.
 *
 * The flash size comes from the part's flash size register at connect time, so one row covers every flash size
 * of a line; the layout rule of the row turns that size into erase units.
 */
#ifndef AIRSWD_STM32_PART_H
#define AIRSWD_STM32_PART_H

#include <stdbool.h>
#include <stdint.h>

#include "image/image_target.h"

#define STM32_FLASH_BASE 0x08000000u
#define STM32_SRAM_BASE 0x20000000u
#define STM32_FIXED_BANKS_FLASH_SIZE 0x80000u /* two banks of 256 KB */
/* DBGMCU_IDCODE: Cortex-M3/M4/M7 parts at 0xE0042000, Cortex-M0/M0+ parts on the APB at 0x40015800. */
#define STM32_DBGMCU_IDCODE_PPB 0xE0042000u
#define STM32_DBGMCU_IDCODE_APB 0x40015800u

enum stm32_generation {
    STM32_GENERATION_F0_F1_F3, /* FPEC: halfwords, PGERR (RM0008 §3, RM0360 §3) */
    STM32_GENERATION_F2_F4_F7, /* sectors, PSIZE (RM0090 §3) */
    STM32_GENERATION_L4_G0_G4, /* 64-bit ECC double words (RM0351 §3, RM0444 §3) */
};

/* How the flash size turns into erase units. */
enum stm32_layout {
    STM32_LAYOUT_PAGES,      /* equal pages of page_size over all banks */
    STM32_LAYOUT_F4_SECTORS, /* 4 x 16 KB, 1 x 64 KB, then 128 KB sectors (per 1 MB bank) */
};

/* A read-modify-write of a register: the bits of mask take value. */
struct stm32_register_change {
    uint32_t address, mask, value;
};

#define STM32_CLOCK_BOOST_STEPS 2

struct stm32_option_field; /* stm32_options.h */

struct stm32_part {
    uint16_t dev_id;
    const char *name; /* "STM32F10x medium density" */
    enum stm32_generation generation;
    enum stm32_layout layout;
    uint32_t page_size;
    bool dual_bank;             /* two banks of half the flash each (erase addressing per bank) */
    /* Bank 2 at 0x08040000 whatever the flash size (G47x, RM0440 §3.3.1; bank 2 starts at half the flash
     * elsewhere): only two whole banks, STM32_FIXED_BANKS_FLASH_SIZE, are described. */
    bool fixed_banks;
    uint32_t dbgmcu_idcode;     /* where DBGMCU_IDCODE is */
    uint32_t flash_size_register;
    uint32_t flash_controller;
    uint32_t option_bytes, option_bytes_size;
    /* Option bytes (stm32_options.h): the RDP byte of level 0 (0xA5 on F1, 0xAA on every other line), whether
     * FLASH_CR.OBL_LAUNCH loads them (F0/F3, L4/G0) or only a system reset does (F1, F2/F4), and the names of the
     * line's USER bits. */
    uint8_t rdp_level0;
    bool option_launch;
    const struct stm32_option_field *user_fields;
    uint32_t sram_min; /* SRAM every member of the line has (bytes): where loaders and their buffers fit */
    uint32_t sram_max; /* SRAM the largest member has: data an image places up to there is RAM, not an error */
    /* Typical datasheet timings, for the limits the benchmarks compare against and for poll intervals. */
    uint32_t program_ns;    /* one program unit */
    uint32_t page_erase_us; /* one page; F4: one 16 KB sector (64 KB: x2.2, 128 KB: x4) */
    uint32_t mass_erase_us;
    /* How the reset clock is raised for routines that run long on the target (the CRC of the whole image), in
     * order; an empty list where the reset clock is fast enough. Undone in reverse order afterwards. */
    struct stm32_register_change clock_boost[STM32_CLOCK_BOOST_STEPS];
    uint32_t clock_boost_hz;
    /* Watchdogs frozen while the core is halted: bits set in the DBGMCU register at this address. */
    uint32_t watchdog_freeze_register;
    uint32_t watchdog_freeze_bits;
    /* Where the DBGMCU's clock must be switched on first (F0 RCC_APB2ENR.DBGMCUEN, G0 RCC_APBENR1.DBGEN: without it
     * the freeze bits ignore writes); 0: always clocked. */
    uint32_t dbgmcu_clock_register;
    uint32_t dbgmcu_clock_bit;
    /* The ROM boots instead of the firmware when the flash was empty at the last option byte load (F04x/F07x/F09x,
     * G0; AN2606 "empty check"): a system reset after programming a blank chip would stay in the bootloader, so
     * the job loads the option bytes (OBL_LAUNCH) before its final reset. */
    bool boot_checks_empty_flash;
};

/* The table's rows in order, index from 0; NULL past the last (docs/flash.md's parts table is made from them). */
const struct stm32_part *stm32_part_at(unsigned index);

/* The part with this DEV_ID (DBGMCU_IDCODE[11:0]), or NULL. */
const struct stm32_part *stm32_part_find(uint16_t dev_id);

/* The generation's program unit in bytes: 2, 4 (F2/F4 at x32) or 8. */
uint32_t stm32_generation_program_unit(enum stm32_generation generation);
/* "F0/F1/F3", "F2/F4/F7", "L4/G0/G4". */
const char *stm32_generation_name(enum stm32_generation generation);

/* Fills target with the part's memory for flash_size bytes of flash. False when that size does not fit the
 * part's layout rule (an odd flash size register). */
bool stm32_part_describe(const struct stm32_part *part, uint32_t flash_size, struct image_target *target);

/* Erase time of one unit of the given size (typical). */
uint32_t stm32_part_erase_us(const struct stm32_part *part, uint32_t unit_size);

#endif /* AIRSWD_STM32_PART_H */
