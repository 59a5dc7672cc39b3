/*
 * stm32_options_f4.c - option bytes of the F2/F4/F7 flash controller: RM0090 §3.6 and §3.9.10, RM0383 §3.5.
 *
 * FLASH_OPTCR mirrors the option bytes: USER bits, RDP (0xAA level 0, 0xCC level 2, anything else level 1) and
 * nWRP (a clear bit write-protects its sector). It is unlocked with the option keys (OPTLOCK clears), written, and
 * OPTSTRT programs it into the option bytes; leaving level 1 makes the controller mass-erase the flash during that
 * programming. A system reset loads them.
 *
 * SPRMOD=1 (F401/F411/F42x) turns the nWRP bits into PCROP bits with the opposite sense; airswd does not change
 * option bytes in that mode (removing read protection keeps them as they are, and works). Which bits are USER bits
 * and which is SPRMOD is the line's (option_user_mask, option_pcrop_bit): the F7 has USER bits where the F4 has
 * none, and IWDG_STOP where it has SPRMOD. The F7's OPTCR1 (boot addresses) and OPTCR2 are left as they are.
 *
 * nWRP has 12 bits (sectors 0-11) but on the F413/F423 (RM0430): 15 in OPTCR itself (bits 16-30), the last
 * protecting sectors 14 and 15 together, so protecting either protects both (the line's option_nwrp_bits).
 */
#include "stm32/stm32_options.h"

#include "stm32/stm32_flash.h"

#define FLASH_OPTKEYR 0x08u
#define FLASH_SR      0x0Cu
#define FLASH_OPTCR   0x14u

#define OPTCR_OPTLOCK    (1u << 0)
#define OPTCR_OPTSTRT    (1u << 1)
#define OPTCR_RDP_SHIFT  8
#define OPTCR_NWRP_SHIFT 16
#define NWRP_BITS        12u /* sectors 0-11, unless the line has more */

#define OPTKEY1         0x08192A3Bu
#define OPTKEY2         0x4C5D6E7Fu
#define RDP_LEVEL0      0xAAu
#define RDP_LEVEL1      0x55u
#define RDP_LEVEL2      0xCCu
#define SMALLEST_SECTOR (16u * 1024u)

static uint32_t reg(const struct stm32_target *target, uint32_t offset)
{
    return stm32_flash_register(target, offset);
}

static uint32_t nwrp_bits(const struct stm32_target *target)
{
    uint8_t bits = target->part->line->option_nwrp_bits;
    return bits ? bits : NWRP_BITS;
}

static uint32_t nwrp_mask(const struct stm32_target *target)
{
    return (1u << nwrp_bits(target)) - 1u;
}

/* The nWRP bit of a sector; false: no bit protects it. Past a 13th bit the last one covers the rest (F413). */
static bool nwrp_bit(const struct stm32_target *target, uint32_t unit, uint32_t *bit)
{
    uint32_t bits = nwrp_bits(target);
    if (unit >= bits && bits > NWRP_BITS)
        unit = bits - 1u;
    *bit = unit;
    return unit < bits;
}

static void decode(const struct stm32_target *target, uint32_t optcr, struct stm32_option_bytes *options)
{
    uint8_t rdp = (uint8_t)(optcr >> OPTCR_RDP_SHIFT);
    *options = (struct stm32_option_bytes){0};
    options->rdp_level = rdp == RDP_LEVEL0 ? 0 : rdp == RDP_LEVEL2 ? 2 : 1;
    options->user = optcr & target->part->line->option_user_mask;
    options->write_protection[0] = (optcr >> OPTCR_NWRP_SHIFT) & nwrp_mask(target);
}

enum status stm32_options_f4_read(struct stm32_target *target, struct stm32_option_bytes *options)
{
    uint32_t optcr = 0;
    enum status status = adi_mem_read32(target->ap, reg(target, FLASH_OPTCR), &optcr);
    if (status == STATUS_OK)
        decode(target, optcr, options);
    return status;
}

static enum status program_options(struct stm32_target *target, const struct stm32_option_bytes *options,
                                   bool leaves_level1)
{
    const struct stm32_flash_status_register *sr = stm32_flash_f4_ops.status_register;
    uint32_t optcr = (options->user & target->part->line->option_user_mask) |
                     (uint32_t)(options->rdp_level == 0 ? RDP_LEVEL0 : RDP_LEVEL1) << OPTCR_RDP_SHIFT |
                     (options->write_protection[0] & nwrp_mask(target)) << OPTCR_NWRP_SHIFT;
    uint32_t expected_us = stm32_part_erase_us(target->part, SMALLEST_SECTOR);
    if (leaves_level1)
        expected_us += stm32_part_mass_erase_us(target->part, target->flash_size);
    enum status status = stm32_flash_unlock_with_keys(target, reg(target, FLASH_OPTKEYR), reg(target, FLASH_OPTCR),
                                                      OPTCR_OPTLOCK, OPTKEY1, OPTKEY2);
    if (status == STATUS_OK)
        status = adi_mem_write32(target->ap, reg(target, FLASH_SR), sr->clear);
    if (status == STATUS_OK)
        status = adi_mem_write32(target->ap, reg(target, FLASH_OPTCR), optcr);
    if (status == STATUS_OK)
        status = adi_mem_write32(target->ap, reg(target, FLASH_OPTCR), optcr | OPTCR_OPTSTRT);
    if (status == STATUS_OK)
        status = stm32_flash_wait(
            target, sr, expected_us,
            leaves_level1 ? "removing read protection (mass erase)" : "programming the option bytes", NULL);
    enum status locked = adi_mem_write32(target->ap, reg(target, FLASH_OPTCR), optcr | OPTCR_OPTLOCK);
    if (status == STATUS_OK)
        status = locked;
    return status == STATUS_OK ? stm32_options_load(target, 0, 0) : status;
}

static enum status refuse_pcrop(struct stm32_target *target, uint32_t user)
{
    if (!(user & target->part->line->option_pcrop_bit))
        return STATUS_OK;
    return status_fail(target->report, STATUS_UNSUPPORTED,
                       "%s: SPRMOD=1 (nWRP bits are PCROP bits): airswd does not change option bytes in that mode",
                       target->part->name);
}

enum status stm32_options_f4_write(struct stm32_target *target, const struct stm32_option_bytes *options)
{
    struct stm32_option_bytes current;
    enum status status = stm32_options_f4_read(target, &current);
    if (status == STATUS_OK)
        status = stm32_options_check_request(target, current.rdp_level, options);
    if (status == STATUS_OK)
        status = refuse_pcrop(target, current.user | options->user);
    return status == STATUS_OK ? program_options(target, options, false) : status;
}

enum status stm32_options_f4_remove_read_protection(struct stm32_target *target)
{
    return stm32_options_remove_protection(target, stm32_options_f4_read, program_options);
}

bool stm32_options_f4_unit_protected(const struct stm32_target *target, const struct stm32_option_bytes *options,
                                     uint32_t unit)
{
    uint32_t bit;
    if (!nwrp_bit(target, unit, &bit))
        return false;
    bool set = (options->write_protection[0] & (1u << bit)) != 0;
    /* a PCROP sector cannot be erased or programmed either */
    return (options->user & target->part->line->option_pcrop_bit) ? set : !set;
}

void stm32_options_f4_protect_units(const struct stm32_target *target, struct stm32_option_bytes *options,
                                    uint32_t first, uint32_t count)
{
    uint32_t nwrp = nwrp_mask(target), bit;
    for (uint32_t unit = first; unit - first < count; unit++) {
        if (nwrp_bit(target, unit, &bit))
            nwrp &= ~(1u << bit);
    }
    options->write_protection[0] = nwrp;
}
