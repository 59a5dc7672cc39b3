/*
 * stm32_options.c - what the option byte code of the three generations shares: the names of the USER bits, write
 * protection unit by unit, the checks that keep a chip from being bricked, and loading new option bytes.
 */
#include "stm32/stm32_options.h"

#include <stdio.h>

#include "cortexm/cortexm.h"
#include "stm32/stm32_flash.h"

#define US_PER_MS 1000u

/* RM0360/RM0091 §4.1 (bits 3 and 7 exist on some lines only and are left unnamed). */
const struct stm32_option_field stm32_user_fields_f0[] = {
    {"WDG_SW", 1u << 0}, {"nRST_STOP", 1u << 1},    {"nRST_STDBY", 1u << 2},
    {"nBOOT1", 1u << 4}, {"VDDA_MONITOR", 1u << 5}, {"RAM_PARITY_CHECK", 1u << 6},
    {NULL, 0},
};

/* RM0008 §2.5 / PM0075 §2.5. */
const struct stm32_option_field stm32_user_fields_f1[] = {
    {"WDG_SW", 1u << 0},
    {"nRST_STOP", 1u << 1},
    {"nRST_STDBY", 1u << 2},
    {NULL, 0},
};

/* RM0090 §3.9.10, RM0383 §3.8.7: FLASH_OPTCR. SPRMOD (F401/F411/F42x; reserved, 0, on F405/F407) turns nWRP into
 * PCROP bits. */
const struct stm32_option_field stm32_user_fields_f4[] = {
    {"BOR_LEV", 3u << 2},    {"WDG_SW", 1u << 5},  {"nRST_STOP", 1u << 6},
    {"nRST_STDBY", 1u << 7}, {"SPRMOD", 1u << 31}, {NULL, 0},
};

/* RM0385 §3.7.7, RM0431 §3.7.7: FLASH_OPTCR of the F7. */
const struct stm32_option_field stm32_user_fields_f7[] = {
    {"BOR_LEV", 3u << 2},    {"WWDG_SW", 1u << 4},     {"IWDG_SW", 1u << 5},    {"nRST_STOP", 1u << 6},
    {"nRST_STDBY", 1u << 7}, {"IWDG_STDBY", 1u << 30}, {"IWDG_STOP", 1u << 31}, {NULL, 0},
};

/* RM0410 §3.7.7: the F76x/F77x's FLASH_OPTCR adds nDBOOT and nDBANK. */
const struct stm32_option_field stm32_user_fields_f76x[] = {
    {"BOR_LEV", 3u << 2},    {"WWDG_SW", 1u << 4},  {"IWDG_SW", 1u << 5},     {"nRST_STOP", 1u << 6},
    {"nRST_STDBY", 1u << 7}, {"nDBOOT", 1u << 28}, {"nDBANK", 1u << 29},     {"IWDG_STDBY", 1u << 30},
    {"IWDG_STOP", 1u << 31}, {NULL, 0},
};

/* RM0351 §3.7.8: FLASH_OPTR. */
const struct stm32_option_field stm32_user_fields_l4[] = {
    {"BOR_LEV", 7u << 8},    {"nRST_STOP", 1u << 12}, {"nRST_STDBY", 1u << 13}, {"nRST_SHDW", 1u << 14},
    {"IWDG_SW", 1u << 16},   {"IWDG_STOP", 1u << 17}, {"IWDG_STDBY", 1u << 18}, {"WWDG_SW", 1u << 19},
    {"BFB2", 1u << 20},      {"DUALBANK", 1u << 21},  {"nBOOT1", 1u << 23},     {"SRAM2_PE", 1u << 24},
    {"SRAM2_RST", 1u << 25}, {"nSWBOOT0", 1u << 26},  {"nBOOT0", 1u << 27},     {NULL, 0},
};

/* RM0367 §3.7.9: FLASH_OBR; the USER option byte in bits 31:16. */
const struct stm32_option_field stm32_user_fields_l0[] = {
    {"WPRMOD", 1u << 8},     {"BOR_LEV", 0xFu << 16}, {"WDG_SW", 1u << 20}, {"nRST_STOP", 1u << 21},
    {"nRST_STDBY", 1u << 22}, {"BFB2", 1u << 23},     {"nBOOT1", 1u << 31}, {NULL, 0},
};

/* RM0038 §3.8.6: FLASH_OBR; the USER option byte in bits 23:16 (BFB2 on Cat.4/5/6), no WPRMOD and no nBOOT1. */
const struct stm32_option_field stm32_user_fields_l1[] = {
    {"BOR_LEV", 0xFu << 16}, {"IWDG_SW", 1u << 20}, {"nRST_STOP", 1u << 21}, {"nRST_STDBY", 1u << 22},
    {"BFB2", 1u << 23},      {NULL, 0},
};

/* RM0444 §3.7.8: FLASH_OPTR. nBOOT_SEL=1 (factory) ignores the BOOT0 pin. */
const struct stm32_option_field stm32_user_fields_g0[] = {
    {"BOR_EN", 1u << 8},
    {"BORF_LEV", 3u << 9},
    {"BORR_LEV", 3u << 11},
    {"nRST_STOP", 1u << 13},
    {"nRST_STDBY", 1u << 14},
    {"nRST_SHDW", 1u << 15},
    {"IWDG_SW", 1u << 16},
    {"IWDG_STOP", 1u << 17},
    {"IWDG_STDBY", 1u << 18},
    {"WWDG_SW", 1u << 19},
    {"RAM_PARITY_CHECK", 1u << 22},
    {"nBOOT_SEL", 1u << 24},
    {"nBOOT1", 1u << 25},
    {"nBOOT0", 1u << 26},
    {"NRST_MODE", 3u << 27},
    {"IRHEN", 1u << 29},
    {NULL, 0},
};

/* RM0440 §3.7.8: FLASH_OPTR. DBANK (category 3) set: two banks of 2 KB pages; CCM SRAM in place of SRAM2. */
const struct stm32_option_field stm32_user_fields_g4[] = {
    {"BOR_LEV", 7u << 8},      {"nRST_STOP", 1u << 12}, {"nRST_STDBY", 1u << 13}, {"nRST_SHDW", 1u << 14},
    {"IWDG_SW", 1u << 16},     {"IWDG_STOP", 1u << 17}, {"IWDG_STDBY", 1u << 18}, {"WWDG_SW", 1u << 19},
    {"BFB2", 1u << 20},        {"DBANK", 1u << 22},     {"nBOOT1", 1u << 23},     {"SRAM_PE", 1u << 24},
    {"CCMSRAM_RST", 1u << 25}, {"nSWBOOT0", 1u << 26},  {"nBOOT0", 1u << 27},     {"NRST_MODE", 3u << 28},
    {"IRHEN", 1u << 30},       {NULL, 0},
};

/* RM0433 §4.9.8: FLASH_OPTSR_CUR. */
const struct stm32_option_field stm32_user_fields_h7[] = {
    {"BOR_LEV", 3u << 2},       {"IWDG1_SW", 1u << 4},     {"NRST_STOP_D1", 1u << 6}, {"NRST_STBY_D1", 1u << 7},
    {"FZ_IWDG_STOP", 1u << 17}, {"FZ_IWDG_SDBY", 1u << 18}, {"ST_RAM_SIZE", 3u << 19}, {"SECURITY", 1u << 21},
    {"IO_HSLV", 1u << 29},      {"SWAP_BANK_OPT", 1u << 31}, {NULL, 0},
};

uint32_t stm32_option_field_value(const struct stm32_option_field *field, uint32_t user)
{
    uint32_t value = user & field->mask;
    for (uint32_t mask = field->mask; mask != 0 && !(mask & 1u); mask >>= 1)
        value >>= 1;
    return value;
}

char *stm32_option_bytes_format_user(const struct stm32_target *target, const struct stm32_option_bytes *options,
                                     char *out, size_t out_size)
{
    size_t used = 0;
    if (out_size == 0)
        return out;
    out[0] = '\0';
    for (const struct stm32_option_field *field = target->part->line->user_fields; field && field->name; field++) {
        int n = snprintf(out + used, out_size - used, "%s%s=%lu", used ? " " : "", field->name,
                         (unsigned long)stm32_option_field_value(field, options->user));
        if (n < 0 || (size_t)n >= out_size - used)
            break;
        used += (size_t)n;
    }
    return out;
}

unsigned stm32_option_bytes_wrp_words(const struct stm32_target *target)
{
    const struct stm32_family *family = stm32_part_family(target->part);
    unsigned words = family->wrp_sector_size != 0
                         ? (target->flash_size / family->wrp_sector_size + 31u) / 32u
                         : family->wrp_words_per_bank * (target->part->dual_bank ? 2u : 1u);
    return words < STM32_OPTION_WRP_WORDS ? words : STM32_OPTION_WRP_WORDS;
}

const char *stm32_option_bytes_wrp_name(const struct stm32_target *target, unsigned index)
{
    return index < stm32_option_bytes_wrp_words(target) ? stm32_part_family(target->part)->wrp_names[index] : NULL;
}

bool stm32_option_bytes_unit_protected(const struct stm32_target *target, const struct stm32_option_bytes *options,
                                       uint32_t unit)
{
    return stm32_flash_ops(target)->unit_write_protected(target, options, unit);
}

bool stm32_option_bytes_next_protected_run(const struct stm32_target *target, const struct stm32_option_bytes *options,
                                           uint32_t *unit, uint32_t *first, uint32_t *last)
{
    uint32_t units = image_target_erase_unit_count(&target->memory);
    while (*unit < units && !stm32_option_bytes_unit_protected(target, options, *unit))
        (*unit)++;
    if (*unit >= units)
        return false;
    *first = *unit;
    while (*unit < units && stm32_option_bytes_unit_protected(target, options, *unit))
        (*unit)++;
    *last = *unit - 1;
    return true;
}

enum status stm32_option_bytes_protect_units(const struct stm32_target *target, struct stm32_option_bytes *options,
                                             uint32_t first, uint32_t count)
{
    uint32_t units = image_target_erase_unit_count(&target->memory);
    if (count > 0 && (first >= units || count > units - first))
        return status_fail(target->report, STATUS_INVALID_ARGUMENT,
                           "write protection of units %lu-%lu: %s has units 0-%lu", (unsigned long)first,
                           (unsigned long)(first + count - 1), target->part->name, (unsigned long)(units - 1));
    stm32_flash_ops(target)->protect_units(target, options, first, count);
    return STATUS_OK;
}

enum status stm32_options_check_request(struct stm32_target *target, unsigned current_level,
                                        const struct stm32_option_bytes *options)
{
    if (current_level >= 2)
        return status_fail(target->report, STATUS_UNSUPPORTED,
                           "%s is at read protection level 2: permanent, its option bytes can never change",
                           target->part->name);
    if (options->rdp_level >= 2)
        return status_fail(
            target->report, STATUS_INVALID_ARGUMENT,
            "read protection level 2 is refused: it is permanent, no debugger could reach the chip again");
    if (current_level == 1 && options->rdp_level == 0)
        return status_fail(
            target->report, STATUS_INVALID_ARGUMENT,
            "read protection 1 -> 0 erases the whole flash: use `airswd unlock --yes`, not option-bytes");
    return STATUS_OK;
}

enum status stm32_options_launch(struct stm32_target *target, enum status status, uint32_t control, uint32_t launch,
                                 uint32_t lock)
{
    if (status == STATUS_OK)
        status = stm32_options_load(target, control, launch);
    if (status != STATUS_OK)
        adi_mem_write32(target->ap, control, lock);
    return status;
}

enum status stm32_options_write_checked(struct stm32_target *target, const struct stm32_option_bytes *options,
                                        stm32_options_read_fn read, stm32_options_program_fn program)
{
    struct stm32_option_bytes current;
    enum status status = read(target, &current);
    if (status == STATUS_OK)
        status = stm32_options_check_request(target, current.rdp_level, options);
    return status == STATUS_OK ? program(target, options, false) : status;
}

enum status stm32_options_load_by_reset(struct stm32_target *target)
{
    return stm32_options_load(target, 0, 0);
}

enum status stm32_options_remove_protection(struct stm32_target *target, stm32_options_read_fn read,
                                            stm32_options_program_fn program)
{
    struct stm32_option_bytes options;
    enum status status = read(target, &options);
    if (status != STATUS_OK || options.rdp_level == 0)
        return status;
    if (options.rdp_level >= 2)
        return status_fail(target->report, STATUS_UNSUPPORTED,
                           "%s is at read protection level 2: permanent, no debugger can remove it",
                           target->part->name);
    options.rdp_level = 0;
    return program(target, &options, true);
}

/* OBL_LAUNCH resets the chip from inside the flash controller, possibly before the write is acknowledged on the
 * wire, and the debug port may refuse accesses while the reset lasts: a failed access is recovered and the wait
 * goes on. The reset shows in DHCSR.S_RESET_ST. */
static enum status wait_for_launch_reset(struct stm32_target *target, struct cortexm *core)
{
    const struct hal_system *system = target->system;
    uint64_t deadline = system->now_us(system->ctx) + AIRSWD_CORTEXM_RESET_TIMEOUT_MS * (uint64_t)US_PER_MS;
    for (;;) {
        bool halted;
        enum status status = cortexm_is_halted(core, &halted);
        if (status == STATUS_CANCELLED)
            return status;
        if (status != STATUS_OK)
            adi_dp_recover(target->ap->dp, status);
        if (core->reset_seen)
            return STATUS_OK;
        if (system->now_us(system->ctx) > deadline)
            return status_fail(target->report, STATUS_TIMEOUT,
                               "OBL_LAUNCH did not reset the chip in %u ms: option bytes programmed, not loaded; "
                               "power-cycle the target",
                               AIRSWD_CORTEXM_RESET_TIMEOUT_MS);
        status = stm32_yield(target, "loading the option bytes");
        if (status != STATUS_OK)
            return status;
        system->delay_us(system->ctx, AIRSWD_CORTEXM_POLL_INTERVAL_US);
    }
}

enum status stm32_options_refresh_boot_check(struct stm32_target *target)
{
    if (!target->part->boot_checks_empty_flash)
        return STATUS_OK;
    return stm32_flash_ops(target)->load_options(target);
}

enum status stm32_options_load(struct stm32_target *target, uint32_t launch_register, uint32_t launch_value)
{
    struct cortexm core;
    enum status status = cortexm_attach(&core, target->ap, target->system, NULL, target->report);
    if (status == STATUS_OK && launch_register != 0) {
        core.reset_seen = false; /* cortexm_attach read DHCSR: a reset seen from now on is the launch's */
        status = adi_mem_write32(target->ap, launch_register, launch_value);
        if (status == STATUS_CANCELLED)
            return status;
        if (status != STATUS_OK)
            adi_dp_recover(target->ap->dp, status);
        status = wait_for_launch_reset(target, &core);
    }
    /* After OBL_LAUNCH the firmware runs; a second reset, a system reset that keeps the loaded option bytes,
     * stops it before its first instruction. */
    if (status == STATUS_OK)
        status = cortexm_reset_halt(&core, CORTEXM_RESET_SYSRESETREQ);
    return status;
}
