/*
 * stm32_flash_l0.c - the L0/L1 flash controller (NVM interface with PECR): RM0367 §3, RM0376 §3, RM0377 §3 (L0),
 * RM0038 §3 (L1).
 *
 * The controller is unlocked in two steps: PEKEYR clears PELOCK (PECR and data EEPROM), then PRGKEYR clears PRGLOCK
 * (program memory). Erased flash reads 0x00. A page (128 bytes) is erased by writing 0 to its first word with
 * ERASE|PROG set in PECR; there is no mass erase bit (RDP 1 -> 0 erases the flash and the data EEPROM, and is only
 * used to remove read protection), so a whole-chip erase is every page in turn. The host programs single words (no
 * PECR bit needed), each one operation (~3.2 ms); the loader (stubs/loader.c, loader_l0) programs 64-byte half
 * pages (FPRG|PROG) in the same time. The data EEPROM at 0x08080000 is written word by word (l0_write_eeprom).
 *
 * The L1 has the same controller at 0x40023C00 with pages of 256 bytes and half pages of 128 (32 words), no
 * NOTZEROERR or FWWERR (SR bits 16 and 17 are reserved there), and up to four write protection words.
 */
#include "stm32/stm32_flash.h"

#include <stdio.h>

#include "byte_order.h"

#include "stm32/stm32_options.h"
#include "stm32/stm32_stubs.h"

#define FLASH_PECR 0x04u
#define FLASH_PEKEYR 0x0Cu
#define FLASH_PRGKEYR 0x10u
#define FLASH_SR 0x18u
#define FLASH_OBR 0x1Cu

#define PECR_PELOCK (1u << 0)
#define PECR_PRGLOCK (1u << 1)
#define PECR_PROG (1u << 3)
#define PECR_ERASE (1u << 9)
#define SR_BSY (1u << 0)
#define SR_EOP (1u << 1)
#define SR_WRPERR (1u << 8)
#define SR_PGAERR (1u << 9)
#define SR_SIZERR (1u << 10)
#define SR_OPTVERR (1u << 11)
#define SR_RDERR (1u << 13)
#define SR_NOTZEROERR (1u << 16)
#define SR_FWWERR (1u << 17)
#define PEKEY1 0x89ABCDEFu
#define PEKEY2 0x02030405u
#define PRGKEY1 0x8C9DAEBFu
#define PRGKEY2 0x13141516u

static const struct stm32_flash_error_flag errors[] = {
    {SR_WRPERR, "WRPERR: the page or data EEPROM is write-protected", STATUS_FLASH_PROTECTED},
    {SR_NOTZEROERR, "NOTZEROERR: the word was not erased (0x00)", STATUS_FLASH_ERROR},
    {SR_PGAERR, "PGAERR: a half page was not written as whole words, each once, inside one half page",
     STATUS_FLASH_ERROR},
    {SR_SIZERR, "SIZERR: programming width is not 32 bits", STATUS_FLASH_ERROR},
    {SR_FWWERR, "FWWERR: the operation was aborted by a fetch from flash", STATUS_FLASH_ERROR},
    {SR_OPTVERR, "OPTVERR: an option byte and its complement do not match", STATUS_FLASH_ERROR},
    {0, NULL, STATUS_OK},
};

static const struct stm32_flash_status_register status_register = {
    .offset = FLASH_SR, .busy = SR_BSY,
    .clear = SR_EOP | SR_WRPERR | SR_PGAERR | SR_SIZERR | SR_OPTVERR | SR_RDERR | SR_NOTZEROERR | SR_FWWERR,
    .errors = errors, .control = FLASH_PECR};

/* PELOCK first: PRGKEYR is only taken once PECR is unlocked (RM0367 §3.3.4). */
enum status stm32_flash_l0_unlock_pecr(struct stm32_target *target)
{
    return stm32_flash_unlock_with_keys(target, stm32_flash_register(target, FLASH_PEKEYR),
                                        stm32_flash_register(target, FLASH_PECR), PECR_PELOCK, PEKEY1, PEKEY2);
}

static enum status l0_unlock(struct stm32_target *target)
{
    enum status status = stm32_flash_l0_unlock_pecr(target);
    if (status == STATUS_OK)
        status = stm32_flash_unlock_with_keys(target, stm32_flash_register(target, FLASH_PRGKEYR),
                                              stm32_flash_register(target, FLASH_PECR), PECR_PRGLOCK, PRGKEY1,
                                              PRGKEY2);
    return status;
}

/* Setting PELOCK locks PRGLOCK and OPTLOCK with it. */
static enum status l0_lock(struct stm32_target *target)
{
    return adi_mem_write32(target->ap, stm32_flash_register(target, FLASH_PECR), PECR_PELOCK);
}

static enum status l0_erase_unit(struct stm32_target *target, uint32_t index, struct image_range unit)
{
    char doing[48];
    snprintf(doing, sizeof doing, "erasing page %lu (0x%08lX)", (unsigned long)index, (unsigned long)unit.base);
    uint32_t pecr = stm32_flash_register(target, FLASH_PECR);
    enum status status =
        adi_mem_write32(target->ap, stm32_flash_register(target, FLASH_SR), status_register.clear);
    if (status == STATUS_OK)
        status = adi_mem_write32(target->ap, pecr, PECR_ERASE | PECR_PROG);
    if (status == STATUS_OK)
        status = adi_mem_write32(target->ap, unit.base, 0);
    if (status == STATUS_OK)
        status = stm32_flash_wait(target, &status_register, target->part->line->page_erase_us, doing, NULL);
    enum status cleared = adi_mem_write32(target->ap, pecr, 0);
    return status != STATUS_OK ? status : cleared;
}

/* No mass erase bit: every page on its own (the job never chooses this for an image, as mass_erase_us is 0). */
static enum status l0_mass_erase(struct stm32_target *target)
{
    enum status status = STATUS_OK;
    struct image_range unit;
    for (uint32_t index = 0; status == STATUS_OK && image_target_erase_unit(&target->memory, index, &unit); index++)
        status = l0_erase_unit(target, index, unit);
    return status;
}

/* Single words, PECR without operation bits; the bus stalls on a word written while the one before programs. */
static enum status l0_program(struct stm32_target *target, uint32_t address, const uint8_t *bytes, uint32_t len)
{
    return stm32_flash_program_with(target, &status_register, 0, address, bytes, len, 4);
}

/* Words of the data EEPROM read, compared and written between two status checks. */
#define EEPROM_BLOCK_WORDS 16u

/* Merges the image's bytes into the EEPROM words of block (read from block_address) and stores the words that
 * change; *stores counts them and *written their image bytes. */
static enum status eeprom_store_block(struct stm32_target *target, uint32_t block_address, uint8_t *block,
                                      uint32_t span, uint32_t address, const uint8_t *bytes, uint64_t end,
                                      uint32_t *stores, uint32_t *written)
{
    enum status status = STATUS_OK;
    for (uint32_t word = 0; status == STATUS_OK && word < span; word += 4) {
        uint32_t old = le_get_u32(block + word), image_bytes = 0;
        for (uint32_t i = 0; i < 4; i++) {
            uint32_t at = block_address + word + i;
            if (at >= address && at < end) {
                block[word + i] = bytes[at - address];
                image_bytes++;
            }
        }
        if (le_get_u32(block + word) == old)
            continue;
        status = adi_mem_write32(target->ap, block_address + word, le_get_u32(block + word));
        (*stores)++;
        *written += image_bytes;
    }
    return status;
}

/* Data EEPROM (RM0367 §3.3.4, RM0038 §3.3.4): PELOCK cleared by the PEKEYR keys (PRGLOCK stays as it is), PECR
 * with FIX (L1: FTDW) and the operation bits clear, so that a store erases the word and programs it in one
 * operation of tprog. Both families take byte, half-word and word stores; only word stores are used (which also
 * keeps clear of the byte and half-word stores of 0x00 that early L1 parts refuse [unconfirmed]): a piece that
 * starts or ends inside a word gets the EEPROM's other bytes of it, read first. A store while the one before runs
 * stalls the bus, so a block's words go out back to back and BSY and the flags are checked once per block. */
static enum status l0_write_eeprom(struct stm32_target *target, uint32_t address, const uint8_t *bytes, uint32_t len,
                                   uint32_t *written)
{
    uint8_t block[EEPROM_BLOCK_WORDS * 4u];
    uint64_t end = (uint64_t)address + len;
    uint32_t expected_us = target->part->line->program_ns / 1000u + 1u;
    *written = 0;
    enum status status = stm32_flash_l0_unlock_pecr(target);
    if (status == STATUS_OK)
        status = adi_mem_write32(target->ap, stm32_flash_register(target, FLASH_PECR), 0);
    if (status == STATUS_OK)
        status = stm32_flash_clear_flags(target, &status_register);
    for (uint32_t at = address & ~3u; status == STATUS_OK && at < end; at += sizeof block) {
        uint64_t room = ((end - at) + 3u) & ~(uint64_t)3u;
        uint32_t span = room < sizeof block ? (uint32_t)room : (uint32_t)sizeof block;
        uint32_t stores = 0;
        char doing[56];
        snprintf(doing, sizeof doing, "writing data EEPROM 0x%08lX..0x%08lX", (unsigned long)at,
                 (unsigned long)(at + span - 1));
        status = adi_mem_read(target->ap, at, block, span, 4);
        if (status == STATUS_OK)
            status = eeprom_store_block(target, at, block, span, address, bytes, end, &stores, written);
        if (status == STATUS_OK && stores > 0)
            status = stm32_flash_wait(target, &status_register, expected_us, doing, NULL);
        if (status == STATUS_OK)
            status = stm32_yield(target, doing);
    }
    enum status locked = l0_lock(target);
    return status != STATUS_OK ? status : locked;
}

static enum status l0_read_protection(struct stm32_target *target, unsigned *level)
{
    return stm32_flash_read_rdp_byte(target, FLASH_OBR, 0, level);
}

const struct stm32_flash_ops stm32_flash_l0_ops = {
    .status_register = &status_register,
    .unlock = l0_unlock,
    .lock = l0_lock,
    .erase_unit = l0_erase_unit,
    .mass_erase = l0_mass_erase,
    .erase_bank = NULL,
    .program = l0_program,
    .write_eeprom = l0_write_eeprom,
    .read_protection = l0_read_protection,
    .read_options = stm32_options_l0_read,
    .write_options = stm32_options_l0_write,
    .remove_read_protection = stm32_options_l0_remove_read_protection,
    .load_options = stm32_options_l0_load,
    .unit_write_protected = stm32_options_l0_unit_protected,
    .protect_units = stm32_options_l0_protect_units,
};

/* FLASH_WRPROT1 (and WRPROT2 on the L07x/L08x; L1: FLASH_WRPR1-4): a set bit protects a 4 KB sector (WPRMOD = 0),
 * one word for every 32 sectors of the flash. */
static const char *const wrp_names[] = {"WRPROT1", "WRPROT2", "WRPROT3", "WRPROT4"};

const struct stm32_family stm32_family_l0 = {
    .name = "L0/L1",
    .program_unit = 4,
    .erased_value = 0x00,
    .wrp_names = wrp_names,
    .wrp_words_per_bank = 1,
    .wrp_sector_size = 4096,
    .ops = &stm32_flash_l0_ops,
    .loader = {stm32_stub_loader_l0, STM32_STUB_LOADER_L0_SIZE, STM32_STUB_LOADER_L0_RAM_SIZE,
               STM32_STUB_LOADER_L0_STACK_SIZE},
};

/* L0 (RM0367/RM0376/RM0377): DBGMCU on the APB, clocked only with RCC_APB2ENR.DBGMCUEN (bit 22); DBG_APB1_FZ
 * freezes WWDG (11) and IWDG (12). DS10152 (L053): word or half page 3.2 ms, page erase 3.2 ms [unconfirmed: one
 * datasheet figure, used for both]. The loader and the CRC run at 16 MHz from HSI16 instead of the 2.1 MHz MSI:
 * one wait state first (FLASH_ACR.LATENCY, needed above 8 MHz in voltage range 2, where reset leaves the core;
 * RM0377 §3.3.1), HSI16ON (RCC_CR bit 0), then SW 01 in RCC_CFGR, which silicon makes once HSI16 is ready. */
static const struct stm32_register_change clock_boost_l0[] = {
    {.address = 0x40022000, .mask = 0x1u, .value = 1u},
    {.address = 0x40021000, .mask = 0x1u, .value = 1u},
    {.address = 0x4002100C, .mask = 0x3u, .value = 1u},
};

const struct stm32_line stm32_line_l0 = {
    .family = &stm32_family_l0,
    .layout = STM32_LAYOUT_PAGES,
    .dbgmcu_idcode = STM32_DBGMCU_IDCODE_APB,
    .flash_size_register = 0x1FF8007C,
    .flash_controller = 0x40022000,
    .option_bytes = 0x1FF80000,
    .option_bytes_size = 0x20,
    .rdp_level0 = 0xAA,
    .option_launch = true,
    .user_fields = stm32_user_fields_l0,
    .program_ns = 3200000,
    .page_erase_us = 3200,
    .mass_erase_us = 0,
    .loader_program_size = 64,
    .clock_boost = clock_boost_l0,
    .clock_boost_steps = sizeof clock_boost_l0 / sizeof clock_boost_l0[0],
    .watchdog_freeze_register = 0x40015808,
    .watchdog_freeze_bits = (1u << 11) | (1u << 12),
    .dbgmcu_clock_register = 0x40021034,
    .dbgmcu_clock_bit = 1u << 22,
};

/* L1 (RM0038): the controller at 0x40023C00, DBGMCU on the PPB and always clocked; DBGMCU_APB1_FZ freezes WWDG (11)
 * and IWDG (12). DS10110: word or half page, and page erase, 3.28 ms typical (3.94 ms max). The loader and the CRC run
 * at 16 MHz from the HSI instead of the 2.1 MHz MSI: 64-bit access first (FLASH_ACR.ACC64, which LATENCY needs set
 * before it; RM0038 §3.3.3), one wait state (needed above 8 MHz in voltage range 2, where reset leaves the core),
 * HSION (RCC_CR bit 0), then SW 01 in RCC_CFGR, which silicon makes once the HSI is ready. */
static const struct stm32_register_change clock_boost_l1[] = {
    {.address = 0x40023C00, .mask = 0x4u, .value = 4u},
    {.address = 0x40023C00, .mask = 0x1u, .value = 1u},
    {.address = 0x40023800, .mask = 0x1u, .value = 1u},
    {.address = 0x40023808, .mask = 0x3u, .value = 1u},
};

#define STM32_LINE_L1(size_register, size_bits)                                                                        \
    {                                                                                                                  \
        .family = &stm32_family_l0, .layout = STM32_LAYOUT_PAGES, .dbgmcu_idcode = STM32_DBGMCU_IDCODE_PPB,            \
        .flash_size_register = (size_register), .flash_size_bits = (size_bits), .flash_controller = 0x40023C00, .option_bytes = 0x1FF80000,            \
        .option_bytes_size = 0x20, .rdp_level0 = 0xAA, .option_launch = true, .user_fields = stm32_user_fields_l1,     \
        .program_ns = 3280000, .page_erase_us = 3280, .mass_erase_us = 0, .loader_program_size = 128,                  \
        .clock_boost = clock_boost_l1, .clock_boost_steps = sizeof clock_boost_l1 / sizeof clock_boost_l1[0],          \
        .watchdog_freeze_register = 0xE0042008, .watchdog_freeze_bits = (1u << 11) | (1u << 12),                      \
    }

/* Cat.3, Cat.5/6: the flash size register at 0x1FF800CC. */
const struct stm32_line stm32_line_l1 = STM32_LINE_L1(0x1FF800CC, 0);
/* Cat.1/2: at 0x1FF8004C, its low byte only (128 KB at most). */
const struct stm32_line stm32_line_l1_cat12 = STM32_LINE_L1(0x1FF8004C, 8);
