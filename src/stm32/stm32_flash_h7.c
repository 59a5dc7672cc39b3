/*
 * stm32_flash_h7.c - the STM32H74x/H75x flash controller: RM0433 §4.
 *
 * Two banks of 1 MB, each with its own register set (bank 2's 0x100 past bank 1's) and eight 128 KB sectors.
 * The unit of programming is a 256-bit flash word with ECC: the host writes its eight words with PG set (PSIZE x64)
 * and the controller programs it once the write buffer is full. A word is never written twice (the plan pads and
 * merges to 32 bytes). The status flags are cleared in CCR, not in SR; QW stays set while a word waits or is
 * programmed, so the wait is for BSY and QW both. Read protection is OPTSR_CUR.RDP (0xAA level 0, 0xCC level 2).
 */
#include "stm32/stm32_flash.h"

#include <stdio.h>

#include "stm32/stm32_options.h"
#include "stm32/stm32_stubs.h"

#define FLASH_KEYR 0x04u
#define FLASH_CR 0x0Cu
#define FLASH_SR 0x10u
#define FLASH_CCR 0x14u
#define FLASH_OPTSR_CUR 0x1Cu
#define BANK2_REGISTERS 0x100u

#define SR_BSY (1u << 0)
#define SR_QW (1u << 2)
#define SR_EOP (1u << 16)
#define SR_WRPERR (1u << 17)
#define SR_PGSERR (1u << 18)
#define SR_STRBERR (1u << 19)
#define SR_INCERR (1u << 21)
#define SR_OPERR (1u << 22)
#define CR_LOCK (1u << 0)
#define CR_PG (1u << 1)
#define CR_SER (1u << 2)
#define CR_BER (1u << 3)
#define CR_PSIZE_X64 (3u << 4)
#define CR_START (1u << 7)
#define CR_SNB_SHIFT 8
#define OPTSR_RDP_SHIFT 8
#define SECTOR_SIZE (128u * 1024u)

static const struct stm32_flash_error_flag errors[] = {
    {SR_WRPERR, "WRPERR: the sector is write-protected", STATUS_FLASH_PROTECTED},
    {SR_PGSERR, "PGSERR: programming sequence error (a flash word written in part, or without PG)",
     STATUS_FLASH_ERROR},
    {SR_STRBERR, "STRBERR: a flash word written twice before it was programmed", STATUS_FLASH_ERROR},
    {SR_INCERR, "INCERR: the writes of a flash word were not consecutive", STATUS_FLASH_ERROR},
    {SR_OPERR, "OPERR: operation error (a flash word that was not erased)", STATUS_FLASH_ERROR},
    {0, NULL, STATUS_OK},
};

#define SR_CLEARABLE (SR_EOP | SR_WRPERR | SR_PGSERR | SR_STRBERR | SR_INCERR | SR_OPERR)

static const struct stm32_flash_status_register status_registers[2] = {
    {.offset = FLASH_SR, .busy = SR_BSY | SR_QW, .clear = SR_CLEARABLE, .errors = errors, .control = FLASH_CR,
     .clear_offset = FLASH_CCR},
    {.offset = FLASH_SR + BANK2_REGISTERS, .busy = SR_BSY | SR_QW, .clear = SR_CLEARABLE, .errors = errors,
     .control = FLASH_CR + BANK2_REGISTERS, .clear_offset = FLASH_CCR + BANK2_REGISTERS},
};

static enum status h7_unlock(struct stm32_target *target)
{
    return stm32_flash_unlock_banks(target, FLASH_KEYR, FLASH_CR, CR_LOCK);
}

static enum status h7_lock(struct stm32_target *target)
{
    return stm32_flash_lock_banks(target, FLASH_CR, CR_LOCK);
}

/* SNB numbers the sectors of the bank whose CR it is written to. */
static enum status h7_erase_unit(struct stm32_target *target, uint32_t index, struct image_range unit)
{
    char doing[56];
    unsigned bank = stm32_flash_bank_of(target, unit.base);
    uint32_t bank_base = bank ? target->part->line->bank2_base : target->memory.flash.base;
    uint32_t setup = CR_SER | CR_PSIZE_X64 | ((unit.base - bank_base) / SECTOR_SIZE) << CR_SNB_SHIFT;
    snprintf(doing, sizeof doing, "erasing sector %lu (0x%08lX, bank %u)", (unsigned long)index,
             (unsigned long)unit.base, bank + 1);
    return stm32_flash_operation(target, &status_registers[bank], setup, setup | CR_START,
                                 target->part->line->page_erase_us, doing);
}

static enum status h7_erase_bank(struct stm32_target *target, unsigned bank)
{
    return stm32_flash_operation(target, &status_registers[bank], CR_BER | CR_PSIZE_X64,
                                 CR_BER | CR_PSIZE_X64 | CR_START, target->part->line->mass_erase_us,
                                 bank == 0 ? "erasing bank 1" : "erasing bank 2");
}

static enum status h7_mass_erase(struct stm32_target *target)
{
    enum status status = STATUS_OK;
    for (unsigned bank = 0; status == STATUS_OK && bank < stm32_flash_bank_count(target); bank++)
        status = h7_erase_bank(target, bank);
    return status;
}

static enum status h7_program(struct stm32_target *target, uint32_t address, const uint8_t *bytes, uint32_t len)
{
    return stm32_flash_program_banks(target, status_registers, CR_PG | CR_PSIZE_X64, address, bytes, len, 4);
}

static enum status h7_read_protection(struct stm32_target *target, unsigned *level)
{
    return stm32_flash_read_rdp_byte(target, FLASH_OPTSR_CUR, OPTSR_RDP_SHIFT, level);
}

const struct stm32_flash_ops stm32_flash_h7_ops = {
    .status_register = &status_registers[0],
    .unlock = h7_unlock,
    .lock = h7_lock,
    .erase_unit = h7_erase_unit,
    .mass_erase = h7_mass_erase,
    .erase_bank = h7_erase_bank,
    .program = h7_program,
    .read_protection = h7_read_protection,
    .read_options = stm32_options_h7_read,
    .write_options = stm32_options_h7_write,
    .remove_read_protection = stm32_options_h7_remove_read_protection,
    .load_options = stm32_options_load_by_reset,
    .unit_write_protected = stm32_options_h7_unit_protected,
    .protect_units = stm32_options_h7_protect_units,
};

/* One nWRPS bit per sector in each bank's WPSN register. */
static const char *const wrp_names[] = {"WPSN1", "WPSN2"};

const struct stm32_family stm32_family_h7 = {
    .name = "H7",
    .program_unit = 32,
    .erased_value = 0xFF,
    .wrp_names = wrp_names,
    .wrp_words_per_bank = 1,
    .ops = &stm32_flash_h7_ops,
    .loader = {stm32_stub_loader_h7, STM32_STUB_LOADER_H7_SIZE, STM32_STUB_LOADER_H7_RAM_SIZE,
               STM32_STUB_LOADER_H7_STACK_SIZE},
};

/* H74x/H75x (RM0433 §4, DS12110): 256-bit words at x64 100 us typical, a 128 KB sector 1 s, a bank 4 s
 * [estimate]; DBGMCU at 0x5C001000 (§60.5.8), DBGMCU_APB4FZ1 freezes IWDG1 (18), which sits at 0x58004800; bank 2
 * at 0x08100000 with its registers 0x100 past bank 1's. The HSI at 64 MHz runs the core from reset: no boost. */
const struct stm32_line stm32_line_h7 = {
    .family = &stm32_family_h7,
    .layout = STM32_LAYOUT_PAGES,
    .dbgmcu_idcode = STM32_DBGMCU_IDCODE_D3,
    .flash_size_register = 0x1FF1E880,
    .flash_controller = 0x52002000,
    .rdp_level0 = 0xAA,
    .option_launch = false,
    .user_fields = stm32_user_fields_h7,
    .program_ns = 100000,
    .page_erase_us = 1000000,
    .mass_erase_us = 4000000,
    .watchdog_freeze_register = 0x5C001054,
    .watchdog_freeze_bits = 1u << 18,
    .bank2_base = 0x08100000,
    .bank2_registers = BANK2_REGISTERS,
    .iwdg_key_register = 0x58004800,
};
