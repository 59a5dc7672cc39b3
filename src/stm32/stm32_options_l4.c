/*
 * stm32_options_l4.c - option bytes of the L4/G0/G4 flash controller: RM0351 §3.4 and §3.7.8-§3.7.13, RM0444 §3.4.
 *
 * FLASH_OPTR (RDP in bits 7:0, 0xAA level 0, 0xCC level 2; USER above) and the write protection area registers
 * WRP1AR/WRP1BR (bank 1) and WRP2AR/WRP2BR (bank 2 of dual-bank parts) mirror the option bytes. With the flash and
 * then the option keys given (LOCK, then OPTLOCK clear), they are written and CR.OPTSTRT programs them; leaving
 * level 1 mass-erases the flash. They are loaded by CR.OBL_LAUNCH, which resets the chip (a system reset does not
 * load them on these parts).
 */
#include "stm32/stm32_options.h"

#include "stm32/stm32_flash.h"

#define FLASH_OPTKEYR 0x0Cu
#define FLASH_SR      0x10u
#define FLASH_CR      0x14u
#define FLASH_OPTR    0x20u

#define SR_OPTVERR    (1u << 15)
#define CR_OPTSTRT    (1u << 17)
#define CR_OBL_LAUNCH (1u << 27)
#define CR_OPTLOCK    (1u << 30)
#define CR_LOCK       (1u << 31)

#define OPTR_RDP_MASK 0xFFu
#define OPTKEY1       0x08192A3Bu
#define OPTKEY2       0x4C5D6E7Fu
#define RDP_LEVEL0    0xAAu
#define RDP_LEVEL1    0xBBu
#define RDP_LEVEL2    0xCCu

/* A write protection area: pages STRT..END of its bank (G0 implements fewer bits of each field; the rest read 0).
 * STRT > END is no area. */
#define WRP_STRT_MASK      0xFFu
#define WRP_END_SHIFT      16
#define WRP_FIELDS         (WRP_STRT_MASK | WRP_STRT_MASK << WRP_END_SHIFT)
#define WRP_AREA_NONE      0xFFu /* STRT 255, END 0 */
#define WRP_AREAS_PER_BANK 2u

static const uint32_t wrp_registers[STM32_OPTION_WRP_WORDS] = {0x2Cu, 0x30u, 0x4Cu, 0x50u};

static uint32_t reg(const struct stm32_target *target, uint32_t offset)
{
    return stm32_flash_register(target, offset);
}

static unsigned wrp_words(const struct stm32_target *target)
{
    return target->part->dual_bank ? 2 * WRP_AREAS_PER_BANK : WRP_AREAS_PER_BANK;
}

static uint32_t pages_per_bank(const struct stm32_target *target)
{
    return image_target_erase_unit_count(&target->memory) / (target->part->dual_bank ? 2u : 1u);
}

enum status stm32_options_l4_read(struct stm32_target *target, struct stm32_option_bytes *options)
{
    uint32_t optr = 0;
    enum status status = adi_mem_read32(target->ap, reg(target, FLASH_OPTR), &optr);
    *options = (struct stm32_option_bytes){0};
    for (unsigned i = 0; status == STATUS_OK && i < wrp_words(target); i++)
        status = adi_mem_read32(target->ap, reg(target, wrp_registers[i]), &options->write_protection[i]);
    if (status != STATUS_OK)
        return status;
    uint8_t rdp = (uint8_t)(optr & OPTR_RDP_MASK);
    options->rdp_level = rdp == RDP_LEVEL0 ? 0 : rdp == RDP_LEVEL2 ? 2 : 1;
    options->user = optr & ~OPTR_RDP_MASK;
    return STATUS_OK;
}

static enum status unlock_options(struct stm32_target *target)
{
    enum status status = stm32_flash_l4_ops.unlock(target);
    if (status == STATUS_OK)
        status = stm32_flash_unlock_with_keys(target, reg(target, FLASH_OPTKEYR), reg(target, FLASH_CR), CR_OPTLOCK,
                                              OPTKEY1, OPTKEY2);
    return status;
}

static enum status program_options(struct stm32_target *target, const struct stm32_option_bytes *options,
                                   bool leaves_level1)
{
    const struct stm32_flash_status_register *sr = stm32_flash_l4_ops.status_register;
    uint32_t optr = (options->user & ~OPTR_RDP_MASK) | (options->rdp_level == 0 ? RDP_LEVEL0 : RDP_LEVEL1);
    uint32_t expected_us = target->part->line->page_erase_us + (leaves_level1 ? target->part->line->mass_erase_us : 0);
    uint32_t sr_value = 0;
    enum status status = unlock_options(target);
    if (status == STATUS_OK)
        status = adi_mem_write32(target->ap, reg(target, FLASH_SR), sr->clear);
    if (status == STATUS_OK)
        status = adi_mem_write32(target->ap, reg(target, FLASH_OPTR), optr);
    for (unsigned i = 0; status == STATUS_OK && i < wrp_words(target); i++)
        status = adi_mem_write32(target->ap, reg(target, wrp_registers[i]), options->write_protection[i]);
    if (status == STATUS_OK)
        status = adi_mem_write32(target->ap, reg(target, FLASH_CR), CR_OPTSTRT);
    if (status == STATUS_OK)
        status = stm32_flash_wait(
            target, sr, expected_us,
            leaves_level1 ? "removing read protection (mass erase)" : "programming the option bytes", &sr_value);
    if (status == STATUS_OK && (sr_value & SR_OPTVERR))
        status = status_fail(target->report, STATUS_FLASH_ERROR,
                             "programming the option bytes: OPTVERR, the controller found them invalid (SR 0x%08lX)",
                             (unsigned long)sr_value);
    return stm32_options_launch(target, status, reg(target, FLASH_CR), CR_OBL_LAUNCH, CR_LOCK | CR_OPTLOCK);
}

enum status stm32_options_l4_write(struct stm32_target *target, const struct stm32_option_bytes *options)
{
    return stm32_options_write_checked(target, options, stm32_options_l4_read, program_options);
}

enum status stm32_options_l4_remove_read_protection(struct stm32_target *target)
{
    return stm32_options_remove_protection(target, stm32_options_l4_read, program_options);
}

enum status stm32_options_l4_load(struct stm32_target *target)
{
    return stm32_options_launch(target, unlock_options(target), reg(target, FLASH_CR), CR_OBL_LAUNCH,
                                CR_LOCK | CR_OPTLOCK);
}

bool stm32_options_l4_unit_protected(const struct stm32_target *target, const struct stm32_option_bytes *options,
                                     uint32_t unit)
{
    uint32_t per_bank = pages_per_bank(target);
    uint32_t bank = unit / per_bank, page = unit % per_bank;
    if (2 * bank >= wrp_words(target))
        return false;
    for (unsigned area = 0; area < WRP_AREAS_PER_BANK; area++) {
        uint32_t wrp = options->write_protection[WRP_AREAS_PER_BANK * bank + area];
        uint32_t start = wrp & WRP_STRT_MASK, end = (wrp >> WRP_END_SHIFT) & WRP_STRT_MASK;
        if (start <= page && page <= end)
            return true;
    }
    return false;
}

/* Area A of each bank covers the part of first..first+count-1 in that bank; area B is emptied. The bits outside
 * the STRT and END fields are kept as read. */
void stm32_options_l4_protect_units(const struct stm32_target *target, struct stm32_option_bytes *options,
                                    uint32_t first, uint32_t count)
{
    uint32_t per_bank = pages_per_bank(target);
    for (unsigned bank = 0; 2 * bank < wrp_words(target); bank++) {
        uint32_t bank_first = bank * per_bank, bank_last = bank_first + per_bank - 1;
        uint32_t area = WRP_AREA_NONE;
        if (count > 0 && first <= bank_last && first + count - 1 >= bank_first) {
            uint32_t start = (first > bank_first ? first : bank_first) - bank_first;
            uint32_t end = (first + count - 1 < bank_last ? first + count - 1 : bank_last) - bank_first;
            area = start | end << WRP_END_SHIFT;
        }
        uint32_t *a = &options->write_protection[WRP_AREAS_PER_BANK * bank];
        a[0] = (a[0] & ~WRP_FIELDS) | area;
        a[1] = (a[1] & ~WRP_FIELDS) | WRP_AREA_NONE;
    }
}
