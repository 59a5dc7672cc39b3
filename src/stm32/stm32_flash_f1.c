/*
 * stm32_flash_f1.c - the F0/F1/F3 flash controller (FPEC): RM0008 §3, PM0075, RM0360 §3.
 *
 * Halfwords only; page erase with PER and AR; mass erase with MER. Read protection is OBR.RDPRT (level 2 exists on
 * F0/F3 only and looks like level 1 here).
 */
#include "stm32/stm32_flash.h"

#include <stdio.h>

#include "stm32/stm32_options.h"
#include "stm32/stm32_stubs.h"

#define FLASH_KEYR 0x04u
#define FLASH_SR 0x0Cu
#define FLASH_CR 0x10u
#define FLASH_AR 0x14u
#define FLASH_OBR 0x1Cu

#define SR_BSY (1u << 0)
#define SR_PGERR (1u << 2)
#define SR_WRPRTERR (1u << 4)
#define SR_EOP (1u << 5)
#define CR_PG (1u << 0)
#define CR_PER (1u << 1)
#define CR_MER (1u << 2)
#define CR_STRT (1u << 6)
#define CR_LOCK (1u << 7)
#define OBR_RDPRT (1u << 1)

static const struct stm32_flash_error_flag errors[] = {
    {SR_WRPRTERR, "WRPRTERR: the page is write-protected", STATUS_FLASH_PROTECTED},
    {SR_PGERR, "PGERR: programming a halfword that was not erased", STATUS_FLASH_ERROR},
    {0, NULL, STATUS_OK},
};

/* XL density: bank 2's KEYR2, SR2, CR2 and AR2 sit 0x40 past bank 1's KEYR, SR, CR and AR (RM0008 §3.4, PM0068). */
#define BANK2_REGISTERS 0x40u

static const struct stm32_flash_status_register status_registers[2] = {
    {.offset = FLASH_SR,
     .busy = SR_BSY,
     .clear = SR_PGERR | SR_WRPRTERR | SR_EOP,
     .errors = errors,
     .control = FLASH_CR},
    {.offset = FLASH_SR + BANK2_REGISTERS,
     .busy = SR_BSY,
     .clear = SR_PGERR | SR_WRPRTERR | SR_EOP,
     .errors = errors,
     .control = FLASH_CR + BANK2_REGISTERS},
};

static enum status f1_unlock(struct stm32_target *target)
{
    return stm32_flash_unlock_banks(target, FLASH_KEYR, FLASH_CR, CR_LOCK);
}

static enum status f1_lock(struct stm32_target *target)
{
    return stm32_flash_lock_banks(target, FLASH_CR, CR_LOCK);
}

/* AR takes any address inside the page; it is written while PER is set, before STRT. */
static enum status f1_erase_unit(struct stm32_target *target, uint32_t index, struct image_range unit)
{
    char doing[48];
    unsigned bank = stm32_flash_bank_of(target, unit.base);
    snprintf(doing, sizeof doing, "erasing page %lu (0x%08lX)", (unsigned long)index, (unsigned long)unit.base);
    enum status status = adi_mem_write32(target->ap, stm32_flash_bank_register(target, bank, FLASH_AR), unit.base);
    if (status != STATUS_OK)
        return status;
    return stm32_flash_operation(target, &status_registers[bank], CR_PER, CR_PER | CR_STRT,
                                 target->part->line->page_erase_us, doing);
}

/* MER erases the bank whose CR it is set in. */
static enum status f1_mass_erase(struct stm32_target *target)
{
    enum status status = STATUS_OK;
    for (unsigned bank = 0; status == STATUS_OK && bank < stm32_flash_bank_count(target); bank++)
        status = stm32_flash_operation(target, &status_registers[bank], CR_MER, CR_MER | CR_STRT,
                                       target->part->line->mass_erase_us, bank ? "mass erase of bank 2" : "mass erase");
    return status;
}

/* A run that crosses into bank 2 is programmed in two, each half with its bank's PG. */
static enum status f1_program(struct stm32_target *target, uint32_t address, const uint8_t *bytes, uint32_t len)
{
    return stm32_flash_program_banks(target, status_registers, CR_PG, address, bytes, len, 2);
}

static enum status f1_read_protection(struct stm32_target *target, unsigned *level)
{
    uint32_t obr = 0;
    enum status status = adi_mem_read32(target->ap, stm32_flash_register(target, FLASH_OBR), &obr);
    if (status == STATUS_OK)
        *level = (obr & OBR_RDPRT) ? 1 : 0;
    return status;
}

const struct stm32_flash_ops stm32_flash_f1_ops = {
    .status_register = &status_registers[0],
    .unlock = f1_unlock,
    .lock = f1_lock,
    .erase_unit = f1_erase_unit,
    .mass_erase = f1_mass_erase,
    .program = f1_program,
    .read_protection = f1_read_protection,
    .read_options = stm32_options_f1_read,
    .write_options = stm32_options_f1_write,
    .remove_read_protection = stm32_options_f1_remove_read_protection,
    .load_options = stm32_options_f1_load,
    .unit_write_protected = stm32_options_f1_unit_protected,
    .protect_units = stm32_options_f1_protect_units,
};

/* RM0360 §3 / RM0091 §3 (F0), RM0008 §3 (F1); typical timings from the datasheets (F0/F1 give 20-40 ms for an
 * erase: the midpoint is used). */
static const char *const wrp_names[] = {"WRPR"};

const struct stm32_family stm32_family_f1 = {
    .name = "F0/F1/F3",
    .program_unit = 2,
    .erased_value = 0xFF,
    .options_have_user_data = true,
    .wrp_names = wrp_names,
    .wrp_words_per_bank = 1,
    .ops = &stm32_flash_f1_ops,
    .loader = {stm32_stub_loader_f1, STM32_STUB_LOADER_F1_SIZE, STM32_STUB_LOADER_F1_RAM_SIZE,
               STM32_STUB_LOADER_F1_STACK_SIZE},
};

/* F0: DBGMCU on the APB, clocked only with RCC_APB2ENR.DBGMCUEN set; DBGMCU_APB1_FZ freezes WWDG (11) and IWDG
 * (12); OBL_LAUNCH loads the option bytes. */
const struct stm32_line stm32_line_f0 = {
    .family = &stm32_family_f1,
    .layout = STM32_LAYOUT_PAGES,
    .dbgmcu_idcode = STM32_DBGMCU_IDCODE_APB,
    .flash_size_register = 0x1FFFF7CC,
    .flash_controller = 0x40022000,
    .option_bytes = 0x1FFFF800,
    .option_bytes_size = 16,
    .rdp_level0 = 0xAA,
    .option_launch = true,
    .user_fields = stm32_user_fields_f0,
    .program_ns = 53500,
    .page_erase_us = 30000,
    .mass_erase_us = 30000,
    .watchdog_freeze_register = 0x40015808,
    .watchdog_freeze_bits = (1u << 11) | (1u << 12),
    .dbgmcu_clock_register = 0x40021018,
    .dbgmcu_clock_bit = 1u << 22,
};

/* F1: DBGMCU_CR freezes IWDG (8) and WWDG (9); option bytes load at a system reset only. */
const struct stm32_line stm32_line_f1 = {
    .family = &stm32_family_f1,
    .layout = STM32_LAYOUT_PAGES,
    .dbgmcu_idcode = STM32_DBGMCU_IDCODE_PPB,
    .flash_size_register = 0x1FFFF7E0,
    .flash_controller = 0x40022000,
    .option_bytes = 0x1FFFF800,
    .option_bytes_size = 16,
    .rdp_level0 = 0xA5,
    .option_launch = false,
    .user_fields = stm32_user_fields_f1,
    .program_ns = 52500,
    .page_erase_us = 30000,
    .mass_erase_us = 30000,
    .watchdog_freeze_register = 0xE0042004,
    .watchdog_freeze_bits = (1u << 8) | (1u << 9),
};

/* F3 (RM0316 §4): F0's controller and option bytes (FLASH_OBR with USER at 15:8, RDP 0xAA/0xCC, OBL_LAUNCH; USER
 * bits as F0's, SRAM_PE at bit 6), DBGMCU on the PPB, which is always clocked (§33.16); DBGMCU_APB1_FZ freezes WWDG
 * (11) and IWDG (12). DS9118: tPROG 53.5 us typical. */
const struct stm32_line stm32_line_f3 = {
    .family = &stm32_family_f1,
    .layout = STM32_LAYOUT_PAGES,
    .dbgmcu_idcode = STM32_DBGMCU_IDCODE_PPB,
    .flash_size_register = 0x1FFFF7CC,
    .flash_controller = 0x40022000,
    .option_bytes = 0x1FFFF800,
    .option_bytes_size = 16,
    .rdp_level0 = 0xAA,
    .option_launch = true,
    .user_fields = stm32_user_fields_f0,
    .program_ns = 53500,
    .page_erase_us = 30000,
    .mass_erase_us = 30000,
    .watchdog_freeze_register = 0xE0042008,
    .watchdog_freeze_bits = (1u << 11) | (1u << 12),
};

/* F1 XL density (F101/F103 xF/xG, DEV_ID 0x430): the F1 line with bank 2 from 512 KB on (RM0008 §3, PM0068). */
const struct stm32_line stm32_line_f1_xl = {
    .family = &stm32_family_f1,
    .layout = STM32_LAYOUT_PAGES,
    .dbgmcu_idcode = STM32_DBGMCU_IDCODE_PPB,
    .flash_size_register = 0x1FFFF7E0,
    .flash_controller = 0x40022000,
    .option_bytes = 0x1FFFF800,
    .option_bytes_size = 16,
    .rdp_level0 = 0xA5,
    .option_launch = false,
    .user_fields = stm32_user_fields_f1,
    .program_ns = 52500,
    .page_erase_us = 30000,
    .mass_erase_us = 30000,
    .watchdog_freeze_register = 0xE0042004,
    .watchdog_freeze_bits = (1u << 8) | (1u << 9),
    .bank2_base = 0x08080000,
    .bank2_registers = BANK2_REGISTERS,
};
