/*
 * stm32_flash_l4.c - the L4/G0/G4 flash controller: RM0351 §3, RM0444 §3.
 *
 * Programs 64-bit double words (two 32-bit bus writes each; the ECC makes a double word programmable once); erases
 * pages with PER, PNB and, on dual-bank parts, BKER; mass erase with MER1 (and MER2). Read protection is
 * OPTR.RDP (0xAA level 0, 0xCC level 2).
 */
#include "stm32/stm32_flash.h"

#include <stdio.h>

#include "stm32/stm32_options.h"
#include "stm32/stm32_stubs.h"

#define FLASH_KEYR 0x08u
#define FLASH_SR 0x10u
#define FLASH_CR 0x14u
#define FLASH_OPTR 0x20u

#define SR_EOP (1u << 0)
#define SR_OPERR (1u << 1)
#define SR_PROGERR (1u << 3)
#define SR_WRPERR (1u << 4)
#define SR_PGAERR (1u << 5)
#define SR_SIZERR (1u << 6)
#define SR_PGSERR (1u << 7)
#define SR_MISSERR (1u << 8)
#define SR_FASTERR (1u << 9)
#define SR_RDERR (1u << 14)
#define SR_OPTVERR (1u << 15)
#define SR_BSY (1u << 16)
#define CR_PG (1u << 0)
#define CR_PER (1u << 1)
#define CR_MER1 (1u << 2)
#define CR_PNB_SHIFT 3
#define CR_BKER (1u << 11)
#define CR_MER2 (1u << 15)
#define CR_STRT (1u << 16)
#define CR_LOCK (1u << 31)
/* G47x/G48x (RM0440 §3.7.8): the page numbering of two banks of 2 KB pages holds only with DBANK set. */
#define OPTR_DBANK (1u << 22)

static const struct stm32_flash_error_flag errors[] = {
    {SR_WRPERR, "WRPERR: the page is write-protected", STATUS_FLASH_PROTECTED},
    {SR_PROGERR, "PROGERR: the double word was not erased (ECC allows one programming)", STATUS_FLASH_ERROR},
    {SR_PGAERR, "PGAERR: a double word was not written as two aligned words", STATUS_FLASH_ERROR},
    {SR_SIZERR, "SIZERR: programming width is not 32 bits", STATUS_FLASH_ERROR},
    {SR_PGSERR, "PGSERR: programming sequence error", STATUS_FLASH_ERROR},
    {SR_MISSERR, "MISSERR: fast programming data missed", STATUS_FLASH_ERROR},
    {SR_FASTERR, "FASTERR: fast programming error", STATUS_FLASH_ERROR},
    {SR_OPERR, "OPERR: operation error", STATUS_FLASH_ERROR},
    {0, NULL, STATUS_OK},
};

static const struct stm32_flash_status_register status_register = {
    .offset = FLASH_SR, .busy = SR_BSY,
    .clear = SR_EOP | SR_OPERR | SR_PROGERR | SR_WRPERR | SR_PGAERR | SR_SIZERR | SR_PGSERR | SR_MISSERR |
             SR_FASTERR | SR_RDERR | SR_OPTVERR,
    .errors = errors, .control = FLASH_CR};

static enum status l4_unlock(struct stm32_target *target)
{
    return stm32_flash_unlock_with_keys(target, stm32_flash_register(target, FLASH_KEYR),
                                        stm32_flash_register(target, FLASH_CR), CR_LOCK, STM32_FLASH_KEY1,
                                        STM32_FLASH_KEY2);
}

static enum status l4_lock(struct stm32_target *target)
{
    return adi_mem_write32(target->ap, stm32_flash_register(target, FLASH_CR), CR_LOCK);
}

/* A G47x with DBANK clear has one bank of 4 KB pages, which the part table does not describe: its page and bank
 * erases are refused before anything is erased at the wrong place. */
static enum status l4_check_banks(struct stm32_target *target)
{
    uint32_t optr = OPTR_DBANK;
    enum status status = target->part->fixed_banks
                             ? adi_mem_read32(target->ap, stm32_flash_register(target, FLASH_OPTR), &optr)
                             : STATUS_OK;
    if (status == STATUS_OK && !(optr & OPTR_DBANK))
        return status_fail(target->report, STATUS_UNSUPPORTED, "%s: DBANK=0 (one bank of 4 KB pages) is not supported",
                           target->part->name);
    return status;
}

/* Pages are numbered per bank: on a dual-bank part the upper half of the flash is bank 2 (BKER). */
static enum status l4_erase_unit(struct stm32_target *target, uint32_t index, struct image_range unit)
{
    enum status status = l4_check_banks(target);
    if (status != STATUS_OK)
        return status;
    char doing[48];
    snprintf(doing, sizeof doing, "erasing page %lu (0x%08lX)", (unsigned long)index, (unsigned long)unit.base);
    uint32_t per_bank = image_target_erase_unit_count(&target->memory) / (target->part->dual_bank ? 2u : 1u);
    uint32_t setup = CR_PER | ((index % per_bank) << CR_PNB_SHIFT) | (index >= per_bank ? CR_BKER : 0);
    return stm32_flash_operation(target, &status_register, setup, setup | CR_STRT, target->part->line->page_erase_us,
                                 doing);
}

static enum status l4_mass_erase(struct stm32_target *target)
{
    uint32_t banks = CR_MER1 | (target->part->dual_bank ? CR_MER2 : 0);
    return stm32_flash_operation(target, &status_register, banks, banks | CR_STRT, target->part->line->mass_erase_us,
                                 "mass erase");
}

static enum status l4_erase_bank(struct stm32_target *target, unsigned bank)
{
    enum status status = l4_check_banks(target);
    if (status != STATUS_OK)
        return status;
    uint32_t which = bank == 0 ? CR_MER1 : CR_MER2;
    return stm32_flash_operation(target, &status_register, which, which | CR_STRT, target->part->line->mass_erase_us,
                                 bank == 0 ? "erasing bank 1" : "erasing bank 2");
}

static enum status l4_program(struct stm32_target *target, uint32_t address, const uint8_t *bytes, uint32_t len)
{
    return stm32_flash_program_with(target, &status_register, CR_PG, address, bytes, len, 4);
}

static enum status l4_read_protection(struct stm32_target *target, unsigned *level)
{
    return stm32_flash_read_rdp_byte(target, FLASH_OPTR, 0, level);
}

const struct stm32_flash_ops stm32_flash_l4_ops = {
    .status_register = &status_register,
    .unlock = l4_unlock,
    .lock = l4_lock,
    .erase_unit = l4_erase_unit,
    .mass_erase = l4_mass_erase,
    .erase_bank = l4_erase_bank,
    .program = l4_program,
    .read_protection = l4_read_protection,
    .read_options = stm32_options_l4_read,
    .write_options = stm32_options_l4_write,
    .remove_read_protection = stm32_options_l4_remove_read_protection,
    .load_options = stm32_options_l4_load,
    .unit_write_protected = stm32_options_l4_unit_protected,
    .protect_units = stm32_options_l4_protect_units,
};

/* Two write protection areas per bank: WRPxAR and WRPxBR (RM0351, RM0444). */
static const char *const wrp_names[] = {"WRP1AR", "WRP1BR", "WRP2AR", "WRP2BR"};

const struct stm32_family stm32_family_l4 = {
    .name = "L4/G0/G4",
    .program_unit = 8,
    .erased_value = 0xFF,
    .wrp_names = wrp_names,
    .wrp_words_per_bank = 2,
    .ops = &stm32_flash_l4_ops,
    .loader = {stm32_stub_loader_l4, STM32_STUB_LOADER_L4_SIZE, STM32_STUB_LOADER_L4_RAM_SIZE,
               STM32_STUB_LOADER_L4_STACK_SIZE},
};

/* L4 (RM0351, RM0394): the CRC of a whole image runs at 48 MHz from MSI range 11 (RM0351 §6.4.1), after two flash
 * wait states for voltage range 1 (§3.3.3). DBGMCU_APB1FZR1 freezes WWDG (11) and IWDG (12). */
static const struct stm32_register_change clock_boost_l4[] = {
    {.address = 0x40022000, .mask = 0x7u, .value = 2u},
    {.address = 0x40021000, .mask = 0xF8u, .value = (11u << 4) | (1u << 3)},
};

const struct stm32_line stm32_line_l4 = {
    .family = &stm32_family_l4,
    .layout = STM32_LAYOUT_PAGES,
    .dbgmcu_idcode = STM32_DBGMCU_IDCODE_PPB,
    .flash_size_register = 0x1FFF75E0,
    .flash_controller = 0x40022000,
    .option_bytes = 0x1FFF7800,
    .option_bytes_size = 0x28,
    .rdp_level0 = 0xAA,
    .option_launch = true,
    .user_fields = stm32_user_fields_l4,
    .program_ns = 81690,
    .page_erase_us = 22020,
    .mass_erase_us = 22020,
    .clock_boost = clock_boost_l4,
    .clock_boost_steps = sizeof clock_boost_l4 / sizeof clock_boost_l4[0],
    .watchdog_freeze_register = 0xE0042008,
    .watchdog_freeze_bits = (1u << 11) | (1u << 12),
};

/* The PLL's R output at 64 MHz from HSI16 for the G0 and the G4 (their reset clock is HSI16; the loader's stores
 * and the CRC's flash reads then weigh a quarter): FLASH_ACR.LATENCY 2 first (64 MHz needs two wait states in
 * voltage range 1 on both: RM0444 §3.3.4, RM0440 §3.3.3), then PLLCFGR with the PLL off (RM0444 §5.4.4: PLLSRC
 * HSI16, M 1, N 8, R 2 enabled; RM0440 §7.4.4: M 4, N 32, R 2 enabled, keeping the PLL's input within 2.66-16 MHz
 * and its VCO within range), PLLON, and the switch (SW 010 on G0, 11 on G4), which silicon makes once PLLRDY is set.
 * Undone in reverse: back to HSI16 before the PLL is stopped and the wait states lowered. */
#define RCC_CR_G0_G4      0x40021000u
#define RCC_CFGR_G0_G4    0x40021008u
#define RCC_PLLCFGR_G0_G4 0x4002100Cu
#define RCC_CR_PLLON      (1u << 24)
static const struct stm32_register_change clock_boost_g0[] = {
    {.address = 0x40022000, .mask = 0x7u, .value = 2u},
    {.address = RCC_PLLCFGR_G0_G4, .mask = 0xF0007F73u, .value = 0x2u | (8u << 8) | (1u << 28) | (1u << 29)},
    {.address = RCC_CR_G0_G4, .mask = RCC_CR_PLLON, .value = RCC_CR_PLLON},
    {.address = RCC_CFGR_G0_G4, .mask = 0x7u, .value = 2u},
};
static const struct stm32_register_change clock_boost_g4[] = {
    {.address = 0x40022000, .mask = 0xFu, .value = 2u},
    {.address = RCC_PLLCFGR_G0_G4, .mask = 0x07007FF3u, .value = 0x2u | (3u << 4) | (32u << 8) | (1u << 24)},
    {.address = RCC_CR_G0_G4, .mask = RCC_CR_PLLON, .value = RCC_CR_PLLON},
    {.address = RCC_CFGR_G0_G4, .mask = 0x3u, .value = 3u},
};

/* G4 (RM0440 §3.7): L4's controller, OPTR with G4's USER bits, DBGMCU_APB1FZR1 as L4's; HSI16 after reset, raised
 * to 64 MHz by the PLL for routines (above). DS12589: 81.7 us a double word, 22 ms a page. */
const struct stm32_line stm32_line_g4 = {
    .family = &stm32_family_l4,
    .layout = STM32_LAYOUT_PAGES,
    .dbgmcu_idcode = STM32_DBGMCU_IDCODE_PPB,
    .flash_size_register = 0x1FFF75E0,
    .flash_controller = 0x40022000,
    .option_bytes = 0x1FFF7800,
    .option_bytes_size = 0x28,
    .rdp_level0 = 0xAA,
    .option_launch = true,
    .user_fields = stm32_user_fields_g4,
    .program_ns = 81690,
    .page_erase_us = 22020,
    .mass_erase_us = 22020,
    .clock_boost = clock_boost_g4,
    .clock_boost_steps = sizeof clock_boost_g4 / sizeof clock_boost_g4[0],
    .watchdog_freeze_register = 0xE0042008,
    .watchdog_freeze_bits = (1u << 11) | (1u << 12),
};

/* G0 (RM0444, RM0454): DBGMCU on the APB, clocked only with RCC_APBENR1.DBGEN set; DBG_APB_FZ1 freezes WWDG (11)
 * and IWDG (12). */
const struct stm32_line stm32_line_g0 = {
    .family = &stm32_family_l4,
    .layout = STM32_LAYOUT_PAGES,
    .dbgmcu_idcode = STM32_DBGMCU_IDCODE_APB,
    .flash_size_register = 0x1FFF75E0,
    .flash_controller = 0x40022000,
    .option_bytes = 0x1FFF7800,
    .option_bytes_size = 0x80,
    .rdp_level0 = 0xAA,
    .option_launch = true,
    .user_fields = stm32_user_fields_g0,
    .program_ns = 85000,
    .page_erase_us = 22000,
    .mass_erase_us = 22000,
    .clock_boost = clock_boost_g0,
    .clock_boost_steps = sizeof clock_boost_g0 / sizeof clock_boost_g0[0],
    .watchdog_freeze_register = 0x40015808,
    .watchdog_freeze_bits = (1u << 11) | (1u << 12),
    .dbgmcu_clock_register = 0x4002103C,
    .dbgmcu_clock_bit = 1u << 27,
};
