/*
 * stm32_flash_f4.c - the F2/F4/F7 flash controller: RM0090 §3, RM0368 §3, RM0383 §3, RM0385 §3, RM0431 §3.
 *
 * Programs 32-bit words (PSIZE x32, which needs VDD 2.7-3.6 V, the supply of every board airswd drives); erases
 * sectors with SER and SNB; read protection is OPTCR.RDP (0xAA level 0, 0xCC level 2).
 */
#include "stm32/stm32_flash.h"

#include <stdio.h>

#include "stm32/stm32_options.h"
#include "stm32/stm32_stubs.h"

#define FLASH_KEYR 0x04u
#define FLASH_SR 0x0Cu
#define FLASH_CR 0x10u
#define FLASH_OPTCR 0x14u

#define SR_EOP (1u << 0)
#define SR_OPERR (1u << 1)
#define SR_WRPERR (1u << 4)
#define SR_PGAERR (1u << 5)
#define SR_PGPERR (1u << 6)
#define SR_PGSERR (1u << 7)
#define SR_BSY (1u << 16)
#define CR_PG (1u << 0)
#define CR_SER (1u << 1)
#define CR_MER (1u << 2)
#define CR_SNB_SHIFT 3
#define CR_PSIZE_X32 (2u << 8)
#define CR_STRT (1u << 16)
#define CR_LOCK (1u << 31)
#define OPTCR_RDP_SHIFT 8

static const struct stm32_flash_error_flag errors[] = {
    {SR_WRPERR, "WRPERR: the sector is write-protected", STATUS_FLASH_PROTECTED},
    {SR_PGSERR, "PGSERR: programming sequence error", STATUS_FLASH_ERROR},
    {SR_PGPERR, "PGPERR: programming width does not match PSIZE", STATUS_FLASH_ERROR},
    {SR_PGAERR, "PGAERR: programming alignment error", STATUS_FLASH_ERROR},
    {SR_OPERR, "OPERR: operation error", STATUS_FLASH_ERROR},
    {0, NULL, STATUS_OK},
};

static const struct stm32_flash_status_register status_register = {
    .offset = FLASH_SR, .busy = SR_BSY,
    .clear = SR_EOP | SR_OPERR | SR_WRPERR | SR_PGAERR | SR_PGPERR | SR_PGSERR, .errors = errors,
    .control = FLASH_CR};

static enum status f4_unlock(struct stm32_target *target)
{
    return stm32_flash_unlock_with_keys(target, stm32_flash_register(target, FLASH_KEYR),
                                        stm32_flash_register(target, FLASH_CR), CR_LOCK, STM32_FLASH_KEY1,
                                        STM32_FLASH_KEY2);
}

static enum status f4_lock(struct stm32_target *target)
{
    return adi_mem_write32(target->ap, stm32_flash_register(target, FLASH_CR), CR_LOCK);
}

/* A line whose sectors depend on an option bit (F76x/F77x: nDBANK; clear, two banks of 16/64/128 KB sectors with other
 * sector numbers) is erased only in the layout the part table describes: nothing is erased at the wrong place. */
static enum status f4_check_layout(struct stm32_target *target)
{
    uint32_t bit = target->part->line->option_layout_bit, optcr = bit;
    enum status status =
        bit != 0 ? adi_mem_read32(target->ap, stm32_flash_register(target, FLASH_OPTCR), &optcr) : STATUS_OK;
    if (status == STATUS_OK && bit != 0 && !(optcr & bit))
        return status_fail(target->report, STATUS_UNSUPPORTED,
                           "%s: nDBANK=0 (dual-bank mode, OPTCR 0x%08lX); only single-bank mode (nDBANK=1, the "
                           "factory setting) is",
                           target->part->name, (unsigned long)optcr);
    return status;
}

static enum status f4_erase_unit(struct stm32_target *target, uint32_t index, struct image_range unit)
{
    enum status status = f4_check_layout(target);
    if (status != STATUS_OK)
        return status;
    char doing[56];
    snprintf(doing, sizeof doing, "erasing sector %lu (0x%08lX, %lu KB)", (unsigned long)index,
             (unsigned long)unit.base, (unsigned long)(unit.size / 1024));
    uint32_t setup = CR_SER | CR_PSIZE_X32 | (index << CR_SNB_SHIFT);
    return stm32_flash_operation(target, &status_register, setup, setup | CR_STRT,
                                 stm32_part_erase_us(target->part, unit.size), doing);
}

static enum status f4_mass_erase(struct stm32_target *target)
{
    uint32_t expected = stm32_part_mass_erase_us(target->part, target->flash_size);
    enum status status = f4_check_layout(target);
    if (status != STATUS_OK)
        return status;
    return stm32_flash_operation(target, &status_register, CR_MER | CR_PSIZE_X32, CR_MER | CR_PSIZE_X32 | CR_STRT,
                                 expected, "mass erase");
}

static enum status f4_program(struct stm32_target *target, uint32_t address, const uint8_t *bytes, uint32_t len)
{
    return stm32_flash_program_with(target, &status_register, CR_PG | CR_PSIZE_X32, address, bytes, len, 4);
}

static enum status f4_read_protection(struct stm32_target *target, unsigned *level)
{
    return stm32_flash_read_rdp_byte(target, FLASH_OPTCR, OPTCR_RDP_SHIFT, level);
}

const struct stm32_flash_ops stm32_flash_f4_ops = {
    .status_register = &status_register,
    .unlock = f4_unlock,
    .lock = f4_lock,
    .erase_unit = f4_erase_unit,
    .mass_erase = f4_mass_erase,
    .program = f4_program,
    .read_protection = f4_read_protection,
    .read_options = stm32_options_f4_read,
    .write_options = stm32_options_f4_write,
    .remove_read_protection = stm32_options_f4_remove_read_protection,
    .load_options = stm32_options_load_by_reset,
    .unit_write_protected = stm32_options_f4_unit_protected,
    .protect_units = stm32_options_f4_protect_units,
};

/* One nWRP bit per sector, in OPTCR. */
static const char *const wrp_names[] = {"nWRP"};

const struct stm32_family stm32_family_f4 = {
    .name = "F2/F4/F7",
    .program_unit = 4,
    .erased_value = 0xFF,
    .wrp_names = wrp_names,
    .wrp_words_per_bank = 1,
    .ops = &stm32_flash_f4_ops,
    .loader = {stm32_stub_loader_f4, STM32_STUB_LOADER_F4_SIZE, STM32_STUB_LOADER_F4_RAM_SIZE,
               STM32_STUB_LOADER_F4_STACK_SIZE},
};

/* F2 and F4 (RM0033, RM0090, RM0368, RM0383, RM0390, RM0402, RM0430): x32 programming 16 us typical, a 16 KB
 * sector 250 ms, mass erase 8 s per MB (RM0090's figure, scaled by stm32_part_mass_erase_us()); DBGMCU_APB1_FZ
 * freezes WWDG (11) and IWDG (12). */
#define F4_LINE_COMMON                                                                                                 \
    .family = &stm32_family_f4, .layout = STM32_LAYOUT_F4_SECTORS, .dbgmcu_idcode = STM32_DBGMCU_IDCODE_PPB,         \
    .flash_controller = 0x40023C00, .rdp_level0 = 0xAA, .option_launch = false, .program_ns = 16000,                 \
    .page_erase_us = 250000, .mass_erase_us = 8000000, .watchdog_freeze_register = 0xE0042008,                       \
    .watchdog_freeze_bits = (1u << 11) | (1u << 12)

/* The F2/F4's sectors, flash size register and option bytes (SPRMOD at bit 31). */
#define F4_SECTORS_AND_OPTIONS                                                                                         \
    .sector_scale = 1, .flash_size_register = 0x1FFF7A22, .option_bytes = 0x1FFFC000, .option_bytes_size = 16,      \
    .user_fields = stm32_user_fields_f4, .option_pcrop_bit = 1u << 31

const struct stm32_line stm32_line_f4 = {
    F4_LINE_COMMON,
    F4_SECTORS_AND_OPTIONS,
    .option_user_mask = 0xC00000ECu, /* BOR_LEV 3:2, WDG_SW, nRST_STOP, nRST_STDBY, DB1M (F42x), SPRMOD */
};

/* F413/F423 (RM0430): the F4's, with sectors 0-15 in one bank and 15 nWRP bits (16-30; bit 30 protects sectors 14
 * and 15 together), so no DB1M among the USER bits. */
const struct stm32_line stm32_line_f413 = {
    F4_LINE_COMMON,
    F4_SECTORS_AND_OPTIONS,
    .option_user_mask = 0x800000ECu, /* BOR_LEV 3:2, WDG_SW, nRST_STOP, nRST_STDBY, SPRMOD */
    .option_nwrp_bits = 15,
};

/* F74x/F75x (RM0385): the F4's controller with sectors twice the size (4 x 32 KB, 128 KB, then 256 KB), read at
 * 0x08000000 (AXI) and 0x00200000 (ITCM), programmed through 0x08000000; option bytes at 0x1FFF0000 with
 * OPTCR1 (BOOT_ADD0/BOOT_ADD1, left as they are); DS10916: x32 programming 16 us; the erase times are the F4's for
 * the doubled sectors [unconfirmed: 32 KB 250 ms, 128 KB 550 ms, 256 KB 1 s, mass 8 s per MB]. */
#define F7_OPTION_BYTES .option_bytes = 0x1FFF0000, .option_bytes_size = 32
#define F7_OPTIONS                                                                                                     \
    F7_OPTION_BYTES, .user_fields = stm32_user_fields_f7,                                                            \
    .option_user_mask = 0xC00000FCu /* BOR_LEV 3:2, WWDG_SW, IWDG_SW, nRST_STOP, nRST_STDBY, IWDG_STDBY, IWDG_STOP */

/* The F7's routines run at 48 MHz from the PLL instead of the 16 MHz HSI (RM0385 §5.3.2): one flash wait state
 * first (§3.3.2, 2.7-3.6 V), then PLLCFGR from the HSI with M 16, N 192 (VCO 192 MHz) and P 4, PLLON, and SW 10,
 * which silicon makes once the PLL is locked. 48 MHz keeps APB1, which reset leaves undivided, within its 54 MHz. */
static const struct stm32_register_change clock_boost_f7[] = {
    {.address = 0x40023C00, .mask = 0xFu, .value = 1u},
    {.address = 0x40023804, .mask = 0x0043FFFFu, .value = 16u | (192u << 6) | (1u << 16)},
    {.address = 0x40023800, .mask = 1u << 24, .value = 1u << 24},
    {.address = 0x40023808, .mask = 0x3u, .value = 2u},
};
#define F7_CLOCK_BOOST                                                                                                 \
    .clock_boost = clock_boost_f7, .clock_boost_steps = sizeof clock_boost_f7 / sizeof clock_boost_f7[0]

const struct stm32_line stm32_line_f7 = {
    F4_LINE_COMMON,
    F7_OPTIONS,
    F7_CLOCK_BOOST,
    .sector_scale = 2,
    .flash_size_register = 0x1FF0F442,
};

/* F76x/F77x (RM0410): the F74x's sectors in single-bank mode (nDBANK set, the factory setting: 4 x 32 KB, 128 KB,
 * then 256 KB up to 2 MB), nWRP for sectors 0-11, nDBOOT and nDBANK among the USER bits so that they are kept as they
 * are. */
const struct stm32_line stm32_line_f76x = {
    F4_LINE_COMMON,
    F7_CLOCK_BOOST,
    F7_OPTION_BYTES,
    .user_fields = stm32_user_fields_f76x,
    .option_user_mask = 0xF00000FCu, /* F7's, and nDBOOT (28), nDBANK (29) */
    .option_layout_bit = 1u << 29,
    .sector_scale = 2,
    .flash_size_register = 0x1FF0F442,
};

/* F72x/F73x (RM0431): the F4's sectors (4 x 16 KB, 64 KB, 128 KB) with the F7's option bytes; PCROP lives in
 * OPTCR2, which airswd leaves as it is. */
const struct stm32_line stm32_line_f72x = {
    F4_LINE_COMMON,
    F7_OPTIONS,
    F7_CLOCK_BOOST,
    .sector_scale = 1,
    .flash_size_register = 0x1FF07A22,
};
