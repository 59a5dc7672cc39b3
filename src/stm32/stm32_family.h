/*
 * stm32_family.h - what the core knows about a flash controller generation and about the lines of parts built
 * around it, as data instead of switches.
 *
 * A family (struct stm32_family) is a flash controller generation: its code (the operations table of
 * stm32_flash.h), its loader stub, its program unit and the shape of its option bytes. A line (struct stm32_line)
 * is what the parts of one reference manual share around that controller: where the registers are, the option byte
 * area, the datasheet timings, how the watchdogs are frozen. A row of the part table (struct stm32_part,
 * stm32_part.c) then holds only what differs from part to part and points at its line.
 *
 * Each generation's file defines its family and its lines: stm32_flash_f1.c (F0/F1/F3: lines F0, F1, F1 XL, F3),
 * stm32_flash_f4.c (F2/F4/F7: line F4, which the F2 shares, and lines F7 and F72x), stm32_flash_l4.c (L4/G0/G4:
 * lines L4, G0, G4), stm32_flash_h7.c (H7: line H7), stm32_flash_l0.c (L0/L1: lines L0, L1 and L1 Cat.1/2). The
 * part table is where they are registered: a line no row points at is never used. docs/flash.md says how a family
 * is added.
 */
#ifndef AIRSWD_STM32_FAMILY_H
#define AIRSWD_STM32_FAMILY_H

#include <stdbool.h>
#include <stdint.h>

struct stm32_flash_ops;    /* stm32_flash.h */
struct stm32_option_field; /* stm32_options.h */

/* The ring-buffer loader of stubs/loader.c built for a generation, run from STM32_STUB_LOAD_ADDRESS. */
struct stm32_loader_stub {
    const uint8_t *image;
    uint32_t size, ram_size, stack_size;
};

struct stm32_family {
    const char *name;     /* "F0/F1/F3": what `airswd target`, `airswd option-bytes` and docs/flash.md print */
    uint8_t program_unit; /* bytes per program operation: 2, 4 (F2/F4 at PSIZE x32, L0 words), 8 or 32 (H7 word) */
    uint8_t erased_value; /* what erased flash reads: 0xFF, 0x00 on L0 */
    /* The option bytes hold the two user data bytes Data0 and Data1 (stm32_option_bytes.user_data). */
    bool options_have_user_data;
    /* The names of the write protection words (stm32_option_bytes.write_protection), bank 1's first: a part with
     * two banks has wrp_words_per_bank words for each; where wrp_sector_size is set (L0/L1), a bit protects a
     * sector of that size and the part has a word for every 32 sectors of its flash instead. */
    const char *const *wrp_names;
    uint8_t wrp_words_per_bank;
    uint16_t wrp_sector_size;
    const struct stm32_flash_ops *ops;
    struct stm32_loader_stub loader;
};

/* How the flash size turns into erase units. */
enum stm32_layout {
    STM32_LAYOUT_PAGES,      /* equal pages of the row's page_size over all banks */
    STM32_LAYOUT_F4_SECTORS, /* 4 x 16 KB, 1 x 64 KB, then 128 KB sectors, each times the line's sector_scale */
};

/* A read-modify-write of a register: the bits of mask take value. */
struct stm32_register_change {
    uint32_t address, mask, value;
};

/* The most register changes a line's clock boost takes (G0/G4: flash latency, PLL set-up, PLL on, switch). */
#define STM32_CLOCK_BOOST_STEPS 4

struct stm32_line {
    const struct stm32_family *family;
    enum stm32_layout layout;
    /* STM32_LAYOUT_F4_SECTORS: every sector and flash size of the F2/F4 rule times this (1; F74x-F77x: 2, sectors
     * of 32, 128 and 256 KB). */
    uint8_t sector_scale;
    /* The low bits of the flash size register that hold the size (L1 Cat.1/2: 8, RM0038 §31.1.1: the high byte of
     * F_SIZE is reserved on the Cat.2); 0: all 16. */
    uint8_t flash_size_bits;
    uint32_t dbgmcu_idcode; /* where DBGMCU_IDCODE is */
    uint32_t flash_size_register;
    uint32_t flash_controller;
    uint32_t option_bytes, option_bytes_size;
    /* Option bytes (stm32_options.h): the RDP byte of level 0 (0xA5 on F1, 0xAA on every other line), whether
     * FLASH_CR.OBL_LAUNCH loads them (F0/F3, L4/G0) or only a system reset does (F1, F2/F4), and the names of the
     * line's USER bits. */
    uint8_t rdp_level0;
    bool option_launch;
    const struct stm32_option_field *user_fields;
    /* F2/F4/F7 FLASH_OPTCR: the bits of the USER options, kept as they are when other options change, and the one
     * that turns nWRP into PCROP bits (SPRMOD on F401/F411/F42x; 0 where there is none: the F7's bit 31 is
     * IWDG_STOP). */
    uint32_t option_user_mask, option_pcrop_bit;
    /* F2/F4/F7 FLASH_OPTCR: the nWRP bits from bit 16, 0: 12 (sectors 0-11). More than 12 and fewer than the
     * sectors: the last also protects the sectors past it (F413/F423: 15, nWRP14 for sectors 14 and 15). */
    uint8_t option_nwrp_bits;
    /* F2/F4/F7 FLASH_OPTCR: the bit that must be set for the sectors the layout describes (F76x/F77x: nDBANK, one
     * bank); with it clear erases are refused. 0: none. */
    uint32_t option_layout_bit;
    /* Typical datasheet timings, for the limits the benchmarks compare against and for poll intervals. */
    uint32_t program_ns;    /* one program unit */
    uint32_t page_erase_us; /* one page; F4: one smallest sector (the next size: x2.2, the largest: x4) */
    uint32_t mass_erase_us; /* F4: per MB of flash; 0: no mass or bank erase (L0/L1: every page on its own) */
    /* Bytes the loader programs in one operation of program_ns (L0: a 64-byte half page, L1: 128 bytes), which it
     * finds in its ring's header; 0: one program unit. */
    uint32_t loader_program_size;
    /* How the reset clock is raised for routines that run long on the target (the loader, the CRC of the whole
     * image): clock_boost_steps changes (at most STM32_CLOCK_BOOST_STEPS) applied in order, undone in reverse
     * order afterwards; none where the reset clock is fast enough. Every step leaves a working clock: the flash
     * latency rises before the clock does, and a switch to the PLL waits on silicon until it is locked. */
    const struct stm32_register_change *clock_boost;
    uint8_t clock_boost_steps;
    /* Watchdogs frozen while the core is halted: bits set in the DBGMCU register at this address. */
    uint32_t watchdog_freeze_register;
    uint32_t watchdog_freeze_bits;
    /* Where the DBGMCU's clock must be switched on first (F0 RCC_APB2ENR.DBGMCUEN, G0 RCC_APBENR1.DBGEN: without it
     * the freeze bits ignore writes); 0: always clocked. */
    uint32_t dbgmcu_clock_register;
    uint32_t dbgmcu_clock_bit;
    /* Where a second bank with its own set of controller registers begins (F1 XL density: bank 2 from 0x08080000,
     * which the driver unlocks, erases and programs through KEYR2, SR2, CR2 and AR2; RM0008 §3, PM0068); 0: one set
     * of registers for all the flash. */
    uint32_t bank2_base;
    uint32_t bank2_registers; /* how far past bank 1's registers bank 2's are (F1 XL 0x40, H7 0x100) */
    /* IWDG_KR, which the stubs refresh while they run; 0: STM32_IWDG_KEY_REGISTER, where every line but H7 has it. */
    uint32_t iwdg_key_register;
};

#define STM32_IWDG_KEY_REGISTER 0x40003000u

static inline uint32_t stm32_line_iwdg_key_register(const struct stm32_line *line)
{
    return line->iwdg_key_register != 0 ? line->iwdg_key_register : STM32_IWDG_KEY_REGISTER;
}

/* The families (stm32_flash_f1.c, _f4.c, _l4.c, _h7.c). */
extern const struct stm32_family stm32_family_f1;
extern const struct stm32_family stm32_family_f4;
extern const struct stm32_family stm32_family_l4;
extern const struct stm32_family stm32_family_h7;
extern const struct stm32_family stm32_family_l0;

/* The lines, defined beside their family. */
extern const struct stm32_line stm32_line_f0;
extern const struct stm32_line stm32_line_f1;
extern const struct stm32_line stm32_line_f1_xl;
extern const struct stm32_line stm32_line_f3;
extern const struct stm32_line stm32_line_f4;
extern const struct stm32_line stm32_line_f413;
extern const struct stm32_line stm32_line_f7;
extern const struct stm32_line stm32_line_f72x;
extern const struct stm32_line stm32_line_f76x;
extern const struct stm32_line stm32_line_l4;
extern const struct stm32_line stm32_line_g0;
extern const struct stm32_line stm32_line_g4;
extern const struct stm32_line stm32_line_h7;
extern const struct stm32_line stm32_line_l0;
extern const struct stm32_line stm32_line_l1;
extern const struct stm32_line stm32_line_l1_cat12;

#endif /* AIRSWD_STM32_FAMILY_H */
