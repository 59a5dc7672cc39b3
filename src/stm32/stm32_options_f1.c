/*
 * stm32_options_f1.c - option bytes of the F0/F1/F3 flash controller: RM0008 §2.5 and §3.4 (PM0075 §2.5), RM0360
 * and RM0091 §4.
 *
 * The option area (the line's option_bytes) is eight halfwords, each a byte and its complement: RDP, USER, Data0,
 * Data1, WRP0..WRP3. It is erased as a whole (OPTER) and programmed one halfword at a time (OPTPG; the controller
 * writes the complement), both only while CR.OPTWRE is set, which the option keys set. What is in effect is loaded at
 * reset into FLASH_OBR (RDPRT) and FLASH_WRPR. Programming the RDP halfword with the level 0 value while level 1 is
 * loaded makes the controller mass-erase the main flash first.
 */
#include "stm32/stm32_options.h"

#include <stdio.h>

#include "stm32/stm32_flash.h"

#define FLASH_OPTKEYR 0x08u
#define FLASH_SR      0x0Cu
#define FLASH_CR      0x10u
#define FLASH_OBR     0x1Cu
#define FLASH_WRPR    0x20u

#define CR_OPTPG      (1u << 4)
#define CR_OPTER      (1u << 5)
#define CR_STRT       (1u << 6)
#define CR_LOCK       (1u << 7)
#define CR_OPTWRE     (1u << 9)
#define CR_OBL_LAUNCH (1u << 13) /* F0/F3 */
#define OBR_RDPRT     (1u << 1)

/* The halfwords of the option area, in order. */
enum { OPT_RDP, OPT_USER, OPT_DATA0, OPT_DATA1, OPT_WRP0, OPT_COUNT = 8 };
static const char *const option_names[OPT_COUNT] = {"RDP", "USER", "Data0", "Data1", "WRP0", "WRP1", "WRP2", "WRP3"};

#define RDP_LEVEL1    0x00u /* any value but level 0's (and, on F0/F3, 0xCC) */
#define RDP_LEVEL2_F0 0xCCu
/* One WRP bit guards 4 KB of flash (4 pages of 1 KB, 2 of 2 KB); the last bit guards everything from 124 KB up. */
#define WRP_BYTES_PER_BIT 4096u
#define WRP_LAST_BIT      31u
#define WRP_NONE          0xFFFFFFFFu

static uint32_t reg(const struct stm32_target *target, uint32_t offset)
{
    return stm32_flash_register(target, offset);
}

/* The loader takes a halfword whose complement does not match as 0xFF (and flags OPTERR). */
static uint8_t option_byte(const uint8_t area[2 * OPT_COUNT], unsigned index)
{
    uint8_t value = area[2 * index], complement = area[2 * index + 1];
    return (uint8_t)(value ^ complement) == 0xFFu ? value : 0xFFu;
}

enum status stm32_options_f1_read(struct stm32_target *target, struct stm32_option_bytes *options)
{
    uint32_t obr = 0, wrpr = 0;
    uint8_t area[2 * OPT_COUNT];
    enum status status = adi_mem_read32(target->ap, reg(target, FLASH_OBR), &obr);
    if (status == STATUS_OK)
        status = adi_mem_read32(target->ap, reg(target, FLASH_WRPR), &wrpr);
    /* USER and Data come from the stored area rather than OBR, whose layout differs between F0 and F1; the area is
     * outside main flash and stays readable under read protection. */
    if (status == STATUS_OK)
        status = adi_mem_read(target->ap, target->part->line->option_bytes, area, sizeof area, 4);
    if (status != STATUS_OK)
        return status;
    *options = (struct stm32_option_bytes){0};
    options->rdp_level = (obr & OBR_RDPRT) ? 1 : 0;
    /* Level 2 exists on F0/F3 only: the lines whose level 0 value is 0xAA. */
    if (options->rdp_level == 1 && target->part->line->rdp_level0 != 0xA5u &&
        option_byte(area, OPT_RDP) == RDP_LEVEL2_F0)
        options->rdp_level = 2;
    options->user = option_byte(area, OPT_USER);
    options->user_data = option_byte(area, OPT_DATA0) | (uint32_t)option_byte(area, OPT_DATA1) << 8;
    options->write_protection[0] = wrpr;
    return STATUS_OK;
}

/* OPTWRE is set by the option keys and is the proof that they were taken (unlike LOCK, it is set when open). */
static enum status unlock_options(struct stm32_target *target)
{
    uint32_t cr = 0;
    enum status status = stm32_flash_f1_ops.unlock(target);
    if (status == STATUS_OK)
        status = adi_mem_read32(target->ap, reg(target, FLASH_CR), &cr);
    if (status != STATUS_OK || (cr & CR_OPTWRE))
        return status;
    status = adi_mem_write32(target->ap, reg(target, FLASH_OPTKEYR), STM32_FLASH_KEY1);
    if (status == STATUS_OK)
        status = adi_mem_write32(target->ap, reg(target, FLASH_OPTKEYR), STM32_FLASH_KEY2);
    if (status == STATUS_OK)
        status = adi_mem_read32(target->ap, reg(target, FLASH_CR), &cr);
    if (status == STATUS_BUS_ERROR || (status == STATUS_OK && !(cr & CR_OPTWRE)))
        return status_fail(target->report, STATUS_FLASH_PROTECTED,
                           "unlocking the option bytes: OPTWRE stayed clear (a wrong key locks until reset: run "
                           "`airswd reset`, try again)");
    return status;
}

static enum status erase_and_program(struct stm32_target *target, const uint8_t values[OPT_COUNT], bool leaves_level1)
{
    const struct stm32_flash_status_register *sr = stm32_flash_f1_ops.status_register;
    const struct stm32_part *part = target->part;
    enum status status = adi_mem_write32(target->ap, reg(target, FLASH_SR), sr->clear);
    if (status == STATUS_OK)
        status = adi_mem_write32(target->ap, reg(target, FLASH_CR), CR_OPTER | CR_OPTWRE);
    if (status == STATUS_OK)
        status = adi_mem_write32(target->ap, reg(target, FLASH_CR), CR_OPTER | CR_OPTWRE | CR_STRT);
    if (status == STATUS_OK)
        status = stm32_flash_wait(target, sr, part->line->page_erase_us, "erasing the option bytes", NULL);
    if (status == STATUS_OK)
        status = adi_mem_write32(target->ap, reg(target, FLASH_CR), CR_OPTPG | CR_OPTWRE);
    /* Every halfword is programmed, 0xFF ones too: an erased halfword (0xFFFF) fails its complement check. */
    for (unsigned i = 0; status == STATUS_OK && i < OPT_COUNT; i++) {
        uint32_t expected_us = part->line->program_ns / 1000u + 1u;
        if (i == OPT_RDP && leaves_level1)
            expected_us += part->line->mass_erase_us;
        char doing[56];
        snprintf(doing, sizeof doing, "programming option byte %s (0x%08lX)", option_names[i],
                 (unsigned long)(part->line->option_bytes + 2 * i));
        status = adi_mem_write16(target->ap, part->line->option_bytes + 2 * i, values[i]);
        if (status == STATUS_OK)
            status = stm32_flash_wait(target, sr, expected_us, doing, NULL);
    }
    return status;
}

/* Programs the whole area from options and loads it: OBL_LAUNCH on F0/F3 (with the controller still unlocked, as
 * OBL_LAUNCH is a CR bit), a system reset on F1. */
static enum status program_options(struct stm32_target *target, const struct stm32_option_bytes *options,
                                   bool leaves_level1)
{
    uint8_t values[OPT_COUNT] = {
        [OPT_RDP] = options->rdp_level == 0 ? target->part->line->rdp_level0 : RDP_LEVEL1,
        [OPT_USER] = (uint8_t)options->user,
        [OPT_DATA0] = (uint8_t)options->user_data,
        [OPT_DATA1] = (uint8_t)(options->user_data >> 8),
    };
    for (unsigned i = 0; i < 4; i++)
        values[OPT_WRP0 + i] = (uint8_t)(options->write_protection[0] >> (8 * i));
    bool launch = target->part->line->option_launch;
    enum status status = unlock_options(target);
    if (status == STATUS_OK)
        status = erase_and_program(target, values, leaves_level1);
    if (status == STATUS_OK && !launch)
        status = adi_mem_write32(target->ap, reg(target, FLASH_CR), CR_LOCK);
    if (status == STATUS_OK)
        status = launch ? stm32_options_load(target, reg(target, FLASH_CR), CR_OBL_LAUNCH)
                        : stm32_options_load(target, 0, 0);
    /* The reset that loads the option bytes locks the controller; without one it is locked here. */
    if (status != STATUS_OK)
        adi_mem_write32(target->ap, reg(target, FLASH_CR), CR_LOCK);
    return status;
}

enum status stm32_options_f1_write(struct stm32_target *target, const struct stm32_option_bytes *options)
{
    return stm32_options_write_checked(target, options, stm32_options_f1_read, program_options);
}

enum status stm32_options_f1_remove_read_protection(struct stm32_target *target)
{
    return stm32_options_remove_protection(target, stm32_options_f1_read, program_options);
}

/* F0/F3: OBL_LAUNCH with the option keys taken; F1: the system reset that loads them. */
enum status stm32_options_f1_load(struct stm32_target *target)
{
    if (!target->part->line->option_launch)
        return stm32_options_load(target, 0, 0);
    return stm32_options_launch(target, unlock_options(target), reg(target, FLASH_CR), CR_OBL_LAUNCH, CR_LOCK);
}

static uint32_t wrp_bit(const struct stm32_target *target, uint32_t unit)
{
    struct image_range range;
    image_target_erase_unit(&target->memory, unit, &range);
    uint32_t bit = (range.base - target->memory.flash.base) / WRP_BYTES_PER_BIT;
    return bit < WRP_LAST_BIT ? bit : WRP_LAST_BIT;
}

bool stm32_options_f1_unit_protected(const struct stm32_target *target, const struct stm32_option_bytes *options,
                                     uint32_t unit)
{
    return !(options->write_protection[0] & (1u << wrp_bit(target, unit)));
}

void stm32_options_f1_protect_units(const struct stm32_target *target, struct stm32_option_bytes *options,
                                    uint32_t first, uint32_t count)
{
    uint32_t wrp = WRP_NONE;
    for (uint32_t unit = first; unit - first < count; unit++)
        wrp &= ~(1u << wrp_bit(target, unit));
    options->write_protection[0] = wrp;
}
