/*
 * stm32_options_h7.c - option bytes of the STM32H74x/H75x flash controller: RM0433 §4.4 and §4.9.
 *
 * FLASH_OPTSR_CUR holds the option bytes in effect (RDP in bits 15:8, 0xAA level 0, 0xCC level 2; USER bits
 * around it) and WPSN_CUR1R/WPSN_CUR2R the write protection of each bank (a clear bit protects its sector). With the
 * option keys given (OPTCR.OPTLOCK clear), the new values go to OPTSR_PRG and WPSN_PRGxR, and OPTCR.OPTSTART
 * programs them; OPTSR_CUR.OPT_BUSY is set meanwhile and OPTCHANGEERR reports a refused change. Leaving level 1
 * makes the controller erase both banks first. The chip applies them at once; a system reset follows anyway, so
 * that write_options returns, like every generation's, with the core halted at its reset vector.
 */
#include "stm32/stm32_options.h"

#include "stm32/stm32_flash.h"

#define FLASH_OPTKEYR    0x08u
#define FLASH_OPTCR      0x18u
#define FLASH_OPTSR_CUR  0x1Cu
#define FLASH_OPTSR_PRG  0x20u
#define FLASH_OPTCCR     0x24u
#define FLASH_WPSN_CUR1R 0x38u
#define FLASH_WPSN_PRG1R 0x3Cu

#define OPTCR_OPTLOCK       (1u << 0)
#define OPTCR_OPTSTART      (1u << 1)
#define OPTSR_OPT_BUSY      (1u << 0)
#define OPTSR_OPTCHANGEERR  (1u << 30)
#define OPTSR_RDP_SHIFT     8
#define OPTSR_USER_MASK     0xA03E00DCu /* BOR_LEV, IWDG1_SW, NRST_*_D1, FZ_IWDG_*, ST_RAM_SIZE, SECURITY, ... */
#define WPSN_MASK           0xFFu
#define SECTORS_PER_BANK    8u

#define OPTKEY1    0x08192A3Bu
#define OPTKEY2    0x4C5D6E7Fu
#define RDP_LEVEL0 0xAAu
#define RDP_LEVEL1 0x55u
#define RDP_LEVEL2 0xCCu

static const struct stm32_flash_error_flag option_errors[] = {
    {OPTSR_OPTCHANGEERR, "OPTCHANGEERR: the controller refused the option change", STATUS_FLASH_ERROR},
    {0, NULL, STATUS_OK},
};

/* OPT_BUSY in OPTSR_CUR is the option programming's BSY; OPTCCR clears its error. */
static const struct stm32_flash_status_register option_status = {
    .offset = FLASH_OPTSR_CUR, .busy = OPTSR_OPT_BUSY, .clear = OPTSR_OPTCHANGEERR, .errors = option_errors,
    .control = FLASH_OPTCR, .clear_offset = FLASH_OPTCCR};

static uint32_t reg(const struct stm32_target *target, uint32_t offset)
{
    return stm32_flash_register(target, offset);
}

enum status stm32_options_h7_read(struct stm32_target *target, struct stm32_option_bytes *options)
{
    uint32_t optsr = 0;
    enum status status = adi_mem_read32(target->ap, reg(target, FLASH_OPTSR_CUR), &optsr);
    *options = (struct stm32_option_bytes){0};
    for (unsigned bank = 0; status == STATUS_OK && bank < stm32_flash_bank_count(target); bank++)
        status = adi_mem_read32(target->ap, stm32_flash_bank_register(target, bank, FLASH_WPSN_CUR1R),
                                &options->write_protection[bank]);
    if (status != STATUS_OK)
        return status;
    uint8_t rdp = (uint8_t)(optsr >> OPTSR_RDP_SHIFT);
    options->rdp_level = rdp == RDP_LEVEL0 ? 0 : rdp == RDP_LEVEL2 ? 2 : 1;
    options->user = optsr & OPTSR_USER_MASK;
    for (unsigned bank = 0; bank < stm32_flash_bank_count(target); bank++)
        options->write_protection[bank] &= WPSN_MASK;
    return STATUS_OK;
}

static enum status program_options(struct stm32_target *target, const struct stm32_option_bytes *options,
                                   bool leaves_level1)
{
    uint32_t optsr = (options->user & OPTSR_USER_MASK) |
                     (uint32_t)(options->rdp_level == 0 ? RDP_LEVEL0 : RDP_LEVEL1) << OPTSR_RDP_SHIFT;
    uint32_t expected_us = target->part->line->page_erase_us;
    if (leaves_level1)
        expected_us += stm32_flash_bank_count(target) * target->part->line->mass_erase_us;
    enum status status = stm32_flash_unlock_with_keys(target, reg(target, FLASH_OPTKEYR), reg(target, FLASH_OPTCR),
                                                      OPTCR_OPTLOCK, OPTKEY1, OPTKEY2);
    if (status == STATUS_OK)
        status = stm32_flash_clear_flags(target, &option_status);
    if (status == STATUS_OK)
        status = adi_mem_write32(target->ap, reg(target, FLASH_OPTSR_PRG), optsr);
    for (unsigned bank = 0; status == STATUS_OK && bank < stm32_flash_bank_count(target); bank++)
        status = adi_mem_write32(target->ap, stm32_flash_bank_register(target, bank, FLASH_WPSN_PRG1R),
                                 options->write_protection[bank] & WPSN_MASK);
    if (status == STATUS_OK)
        status = adi_mem_write32(target->ap, reg(target, FLASH_OPTCR), OPTCR_OPTSTART);
    if (status == STATUS_OK)
        status = stm32_flash_wait(
            target, &option_status, expected_us,
            leaves_level1 ? "removing read protection (erasing both banks)" : "programming the option bytes", NULL);
    enum status locked = adi_mem_write32(target->ap, reg(target, FLASH_OPTCR), OPTCR_OPTLOCK);
    if (status == STATUS_OK)
        status = locked;
    return status == STATUS_OK ? stm32_options_load(target, 0, 0) : status;
}

enum status stm32_options_h7_write(struct stm32_target *target, const struct stm32_option_bytes *options)
{
    return stm32_options_write_checked(target, options, stm32_options_h7_read, program_options);
}

enum status stm32_options_h7_remove_read_protection(struct stm32_target *target)
{
    return stm32_options_remove_protection(target, stm32_options_h7_read, program_options);
}

/* Sectors are numbered across the banks: bank 2's first is unit 8. */
bool stm32_options_h7_unit_protected(const struct stm32_target *target, const struct stm32_option_bytes *options,
                                     uint32_t unit)
{
    uint32_t bank = unit / SECTORS_PER_BANK;
    if (bank >= stm32_flash_bank_count(target))
        return false;
    return (options->write_protection[bank] & (1u << (unit % SECTORS_PER_BANK))) == 0;
}

void stm32_options_h7_protect_units(const struct stm32_target *target, struct stm32_option_bytes *options,
                                    uint32_t first, uint32_t count)
{
    for (unsigned bank = 0; bank < stm32_flash_bank_count(target); bank++)
        options->write_protection[bank] = WPSN_MASK;
    for (uint32_t unit = first; unit - first < count && unit / SECTORS_PER_BANK < stm32_flash_bank_count(target);
         unit++)
        options->write_protection[unit / SECTORS_PER_BANK] &= ~(1u << (unit % SECTORS_PER_BANK));
}
