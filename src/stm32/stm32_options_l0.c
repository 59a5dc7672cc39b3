/*
 * stm32_options_l0.c - option bytes of the L0/L1 flash controller: RM0367 §3.4.1 and §3.7, RM0038 §3.9.
 *
 * The option bytes at 0x1FF80000 are 32-bit words, each a 16-bit value with its complement in the upper half: RDP
 * (bits 7:0, 0xAA level 0, 0xCC level 2) with WPRMOD (bit 8), then USER (BOR_LEV, WDG_SW, nRST_STOP, nRST_STDBY,
 * BFB2, nBOOT1), then WRPROT1 in two words. FLASH_OBR shows RDP, WPRMOD and USER as loaded (USER in bits 31:16),
 * FLASH_WRPROT1 the write protection. With PECR and then the option keys given (PELOCK, then OPTLOCK clear), a word
 * written there is erased and programmed by the controller; leaving level 1 erases the flash and the data EEPROM.
 * They are loaded by PECR.OBL_LAUNCH, which resets the chip. The L07x/L08x (two banks, 192 KB) has WRPROT2 for
 * sectors 32-47 (RM0376 §3.4.1: option word 0x1FF80010, register FLASH_WRPROT2). The L1 keeps the same words with
 * a 32-bit write protection word for every 128 KB (FLASH_WRPR1 at 0x20, WRPR2-4 from 0x80; option halves at
 * 0x1FF80008-0x1FF8001F, then 0x1FF80080 for WRPR4 on Cat.5/6; RM0038 §3.9.1): as many words as the flash has
 * sectors, on both lines.
 */
#include "stm32/stm32_options.h"

#include "stm32/stm32_flash.h"

#define FLASH_PECR    0x04u
#define FLASH_OPTKEYR 0x14u
#define FLASH_SR      0x18u
#define FLASH_OBR     0x1Cu
#define FLASH_WRPROT1 0x20u
#define FLASH_WRPROT2 0x80u /* then WRPR3 and WRPR4 on L1 */

#define PECR_PELOCK     (1u << 0)
#define PECR_OPTLOCK    (1u << 2)
#define PECR_OBL_LAUNCH (1u << 18)
#define OPTKEY1         0xFBEAD9C8u
#define OPTKEY2         0x24252627u

#define OBR_RDP_MASK   0xFFu
#define OBR_WPRMOD     (1u << 8)
#define OBR_USER_SHIFT 16
#define RDP_LEVEL0     0xAAu
#define RDP_LEVEL1     0xBBu
#define RDP_LEVEL2     0xCCu
#define WRP_BITS       32u

/* Option words from the option byte base: RDP/WPRMOD, USER, then the write protection in halves of 16 sectors: six
 * from 0x8, the rest from 0x80 (L1 Cat.5/6's WRPR4). */
#define OPT_RDP        0x0u
#define OPT_USER       0x4u
#define OPT_WRP        0x8u
#define OPT_WRP_HIGH   0x80u
#define OPT_WRP_HALVES 6u

static uint32_t reg(const struct stm32_target *target, uint32_t offset)
{
    return stm32_flash_register(target, offset);
}

enum status stm32_options_l0_read(struct stm32_target *target, struct stm32_option_bytes *options)
{
    uint32_t obr = 0;
    *options = (struct stm32_option_bytes){0};
    enum status status = adi_mem_read32(target->ap, reg(target, FLASH_OBR), &obr);
    for (unsigned i = 0; status == STATUS_OK && i < stm32_option_bytes_wrp_words(target); i++)
        status = adi_mem_read32(target->ap, reg(target, i == 0 ? FLASH_WRPROT1 : FLASH_WRPROT2 + 4u * (i - 1u)),
                                &options->write_protection[i]);
    if (status != STATUS_OK)
        return status;
    uint8_t rdp = (uint8_t)(obr & OBR_RDP_MASK);
    options->rdp_level = rdp == RDP_LEVEL0 ? 0 : rdp == RDP_LEVEL2 ? 2 : 1;
    options->user = obr & ~OBR_RDP_MASK;
    return STATUS_OK;
}

static enum status unlock_options(struct stm32_target *target)
{
    enum status status = stm32_flash_l0_unlock_pecr(target);
    if (status == STATUS_OK)
        status = stm32_flash_unlock_with_keys(target, reg(target, FLASH_OPTKEYR), reg(target, FLASH_PECR),
                                              PECR_OPTLOCK, OPTKEY1, OPTKEY2);
    return status;
}

/* One option word: the controller erases and programs it (twice a page's time). */
static enum status write_option_word(struct stm32_target *target, uint32_t offset, uint32_t value16,
                                     uint32_t expected_us, const char *doing)
{
    uint32_t word = (value16 & 0xFFFFu) | (~value16 & 0xFFFFu) << 16;
    enum status status = adi_mem_write32(target->ap, target->part->line->option_bytes + offset, word);
    if (status == STATUS_OK)
        status = stm32_flash_wait(target, stm32_flash_l0_ops.status_register, expected_us, doing, NULL);
    return status;
}

static enum status program_options(struct stm32_target *target, const struct stm32_option_bytes *options,
                                   bool leaves_level1)
{
    uint32_t word_us = 2 * target->part->line->page_erase_us;
    /* Leaving level 1 erases every page (and the data EEPROM) first [unconfirmed: no datasheet figure]. */
    uint32_t rdp_us = word_us + (leaves_level1 ? image_target_erase_unit_count(&target->memory) *
                                                     target->part->line->page_erase_us
                                               : 0);
    uint32_t rdp = (options->rdp_level == 0 ? RDP_LEVEL0 : RDP_LEVEL1) | (options->user & OBR_WPRMOD);
    uint32_t sectors = target->flash_size / stm32_part_family(target->part)->wrp_sector_size;
    enum status status = unlock_options(target);
    if (status == STATUS_OK)
        status = adi_mem_write32(target->ap, reg(target, FLASH_SR), stm32_flash_l0_ops.status_register->clear);
    if (status == STATUS_OK)
        status = write_option_word(target, OPT_RDP, rdp, rdp_us,
                                   leaves_level1 ? "removing read protection (mass erase)"
                                                 : "programming the option bytes");
    if (status == STATUS_OK)
        status = write_option_word(target, OPT_USER, options->user >> OBR_USER_SHIFT, word_us,
                                   "programming the option bytes");
    /* Half h holds sectors 16h-16h+15; WRPROT1 has both halves, a later half past the last sector does not exist. */
    for (uint32_t half = 0; status == STATUS_OK && (half < 2u || 16u * half < sectors); half++) {
        uint32_t offset = half < OPT_WRP_HALVES ? OPT_WRP + 4u * half : OPT_WRP_HIGH + 4u * (half - OPT_WRP_HALVES);
        status = write_option_word(target, offset, options->write_protection[half / 2u] >> (16u * (half % 2u)),
                                   word_us, "programming the write protection");
    }
    return stm32_options_launch(target, status, reg(target, FLASH_PECR), PECR_OBL_LAUNCH, PECR_PELOCK);
}

enum status stm32_options_l0_write(struct stm32_target *target, const struct stm32_option_bytes *options)
{
    return stm32_options_write_checked(target, options, stm32_options_l0_read, program_options);
}

enum status stm32_options_l0_remove_read_protection(struct stm32_target *target)
{
    return stm32_options_remove_protection(target, stm32_options_l0_read, program_options);
}

enum status stm32_options_l0_load(struct stm32_target *target)
{
    return stm32_options_launch(target, unlock_options(target), reg(target, FLASH_PECR), PECR_OBL_LAUNCH,
                                PECR_PELOCK);
}

static uint32_t sector_of(const struct stm32_target *target, uint32_t unit)
{
    return unit * target->part->page_size / stm32_part_family(target->part)->wrp_sector_size;
}

/* Sector s is bit s % 32 of word s / 32: WRPROT1, then WRPROT2 (L1: WRPR2 to WRPR4). */
bool stm32_options_l0_unit_protected(const struct stm32_target *target, const struct stm32_option_bytes *options,
                                     uint32_t unit)
{
    uint32_t sector = sector_of(target, unit);
    return sector < STM32_OPTION_WRP_WORDS * WRP_BITS &&
           (options->write_protection[sector / WRP_BITS] >> (sector % WRP_BITS)) & 1u;
}

void stm32_options_l0_protect_units(const struct stm32_target *target, struct stm32_option_bytes *options,
                                    uint32_t first, uint32_t count)
{
    for (unsigned i = 0; i < STM32_OPTION_WRP_WORDS; i++)
        options->write_protection[i] = 0;
    for (uint32_t unit = first; unit < first + count; unit++) {
        uint32_t sector = sector_of(target, unit);
        if (sector < STM32_OPTION_WRP_WORDS * WRP_BITS)
            options->write_protection[sector / WRP_BITS] |= 1u << (sector % WRP_BITS);
    }
}
