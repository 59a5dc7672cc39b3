/*
 * sim_flash_l4.c - the L4/G0/G4 flash controller: RM0351 §3 (L476), RM0444 §3 (G071), RM0440 §3 (G431, G474: L4's
 * registers and bits; on the G474 DBANK=1, the factory setting, gives two banks of 2 KB pages like the L476's).
 *
 * The program unit is a 64-bit double word with ECC, written as two 32-bit stores: the first at a double-word
 * boundary, the second at the next word (otherwise PGAERR), any other width SIZERR. A double word that is not erased
 * cannot be programmed again (PROGERR), except with all zeros. Stores without PG, or with an error flag still set,
 * are refused with PGSERR. Fast programming (FSTPG) is not modelled and is refused with PGSERR. Page erase with PNB
 * (and BKER on dual-bank parts), bank erase with MER1/MER2; STRT while an error flag is still set erases nothing and
 * sets PGSERR (RM0351 §3.3.7). Option bytes are changed through OPTR and the WRP registers with OPTSTRT and loaded
 * only by OBL_LAUNCH or a power-on; a system reset keeps the loaded ones. Writing KEYR while the controller is
 * unlocked is a bus error that locks it until the next reset, as a wrong key does; on G0 setting LOCK sets OPTLOCK
 * too (RM0444 §3.7.5).
 */
#include "sim_flash_internal.h"

/* Register offsets, RM0351 §3.7 (G0 alike) */
#define L4_ACR 0x00u
#define L4_KEYR 0x08u
#define L4_OPTKEYR 0x0Cu
#define L4_SR 0x10u
#define L4_CR 0x14u
#define L4_OPTR 0x20u
#define L4_WRP1AR 0x2Cu
#define L4_WRP1BR 0x30u
#define L4_WRP2AR 0x4Cu
#define L4_WRP2BR 0x50u

#define L4_SR_EOP (1u << 0)
#define L4_SR_OPERR (1u << 1)
#define L4_SR_PROGERR (1u << 3)
#define L4_SR_WRPERR (1u << 4)
#define L4_SR_PGAERR (1u << 5)
#define L4_SR_SIZERR (1u << 6)
#define L4_SR_PGSERR (1u << 7)
#define L4_SR_MISSERR (1u << 8)
#define L4_SR_FASTERR (1u << 9)
#define L4_SR_RDERR (1u << 14)
#define L4_SR_OPTVERR (1u << 15)
#define L4_SR_BSY (1u << 16)
#define L4_SR_PROGRAMMING_ERRORS                                                                                       \
    (L4_SR_PROGERR | L4_SR_WRPERR | L4_SR_PGAERR | L4_SR_SIZERR | L4_SR_PGSERR | L4_SR_MISSERR | L4_SR_FASTERR)
#define L4_SR_CLEARABLE (L4_SR_EOP | L4_SR_OPERR | L4_SR_PROGRAMMING_ERRORS | L4_SR_RDERR | L4_SR_OPTVERR)

#define L4_CR_PG (1u << 0)
#define L4_CR_PER (1u << 1)
#define L4_CR_MER1 (1u << 2)
#define L4_CR_PNB_SHIFT 3
#define L4_CR_PNB_MASK (0xFFu << L4_CR_PNB_SHIFT)
#define L4_CR_BKER_L4 (1u << 11)
#define L4_CR_MER2 (1u << 15)
#define L4_CR_STRT (1u << 16)
#define L4_CR_OPTSTRT (1u << 17)
#define L4_CR_FSTPG (1u << 18)
#define L4_CR_EOPIE (1u << 24)
#define L4_CR_ERRIE (1u << 25)
#define L4_CR_OBL_LAUNCH (1u << 27)
#define L4_CR_OPTLOCK (1u << 30)
#define L4_CR_LOCK (1u << 31)
#define L4_CR_STORED                                                                                                   \
    (L4_CR_PG | L4_CR_PER | L4_CR_MER1 | L4_CR_PNB_MASK | L4_CR_BKER_L4 | L4_CR_MER2 | L4_CR_FSTPG | L4_CR_EOPIE |    \
     L4_CR_ERRIE)

#define L4_RDP_LEVEL0 0xAAu
#define L4_RDP_LEVEL1 0xBBu
#define L4_RDP_LEVEL2 0xCCu
#define L4_OPTR_IWDG_SW (1u << 16)
#define L4_OPTR_FACTORY 0xFFEFF8AAu /* RM0351 §3.7.8 */
/* RM0440 §3.7.8: the same word on G4, where bit 22 is DBANK (set: dual bank on category 3) and bit 21 is reserved. */
#define G4_OPTR_FACTORY 0xFFEFF8AAu
#define G0_OPTR_FACTORY 0xDFFFE1AAu /* RM0444 §3.7.8: nBOOT_SEL set, so an empty flash starts the bootloader */
/* A write protection area covers pages STRT..END of its bank; STRT > END is no area (RM0351 §3.5.2). */
#define L4_WRP_STRT_MASK 0xFFu
#define L4_WRP_END_SHIFT 16
#define L4_WRP_NONE 0x000000FFu
#define L4_WRP_WHOLE_BANK (0xFFu << L4_WRP_END_SHIFT)

/* Option bytes at 0x1FFF7800 (RM0351 §3.4.1): double words of a value and its complement. Bank 2's WRP areas live
 * at 0x1FFFF800 on silicon; the model keeps them after bank 1's. */
#define L4_OPT_OPTR 0x00u
#define L4_OPT_WRP(area) (0x18u + 8u * (area))
#define L4_WRP_AREAS 4u

static const uint32_t wrp_register_offsets[L4_WRP_AREAS] = {L4_WRP1AR, L4_WRP1BR, L4_WRP2AR, L4_WRP2BR};

static uint32_t optr_of_options(const struct sim_flash *flash)
{
    return flash_load_le(flash->options + L4_OPT_OPTR, 4);
}

static void l4_factory_options(struct sim_flash *flash)
{
    for (unsigned i = 0; i < FLASH_OPTION_AREA_SIZE; i++)
        flash->options[i] = 0xFF;
    enum sim_family family = flash->part->family;
    flash_option_word_store(flash, L4_OPT_OPTR,
                            family == SIM_FAMILY_G0   ? G0_OPTR_FACTORY
                            : family == SIM_FAMILY_G4 ? G4_OPTR_FACTORY
                                                      : L4_OPTR_FACTORY);
    for (unsigned area = 0; area < L4_WRP_AREAS; area++)
        flash_option_word_store(flash, L4_OPT_WRP(area), L4_WRP_NONE);
}

static void protect_area(struct sim_flash *flash, unsigned area, uint32_t wrp)
{
    uint32_t first = wrp & L4_WRP_STRT_MASK;
    uint32_t last = (wrp >> L4_WRP_END_SHIFT) & L4_WRP_STRT_MASK;
    uint32_t per_bank = sim_part_erase_units(flash->part);
    bool second_bank = area >= 2;
    if (first > last || (second_bank && !flash->part->dual_bank))
        return;
    if (last >= per_bank)
        last = per_bank - 1;
    uint32_t base = second_bank ? per_bank : 0;
    flash_protect_units(flash, base + first, base + last);
}

static void l4_load_options(struct sim_flash *flash)
{
    uint32_t optr = optr_of_options(flash);
    uint8_t rdp = (uint8_t)optr;
    flash->rdp_level = rdp == L4_RDP_LEVEL0 ? 0 : rdp == L4_RDP_LEVEL2 ? 2 : 1;
    flash->optcr = flash->loaded_optcr = optr;
    flash->hardware_watchdog = (optr & L4_OPTR_IWDG_SW) == 0;
    for (uint32_t unit = 0; unit < flash->units; unit++)
        flash->unit_protected[unit] = false;
    for (unsigned area = 0; area < L4_WRP_AREAS; area++) {
        flash->wrp_areas[area] = flash->loaded_wrp_areas[area] = flash_load_le(flash->options + L4_OPT_WRP(area), 4);
        protect_area(flash, area, flash->wrp_areas[area]);
    }
}

static void l4_store_rdp(struct sim_flash *flash, unsigned level)
{
    uint32_t optr = (optr_of_options(flash) & ~0xFFu) | (level == 0 ? L4_RDP_LEVEL0 : L4_RDP_LEVEL1);
    flash_option_word_store(flash, L4_OPT_OPTR, optr);
}

static void l4_store_write_protection(struct sim_flash *flash, bool protect)
{
    flash_option_word_store(flash, L4_OPT_WRP(0), protect ? L4_WRP_WHOLE_BANK : L4_WRP_NONE);
    flash_option_word_store(flash, L4_OPT_WRP(2), protect ? L4_WRP_WHOLE_BANK : L4_WRP_NONE);
}

static void l4_reset(struct sim_flash *flash)
{
    flash->cr = L4_CR_LOCK | L4_CR_OPTLOCK;
    flash->sr = 0;
    flash->key_state = FLASH_KEYS_NONE;
    flash->option_key_state = FLASH_KEYS_NONE;
    flash->half_written = false;
    /* What a system reset leaves in the option registers is what was last loaded, not what was programmed since
     * (RM0351 §3.7.8 "reset value: loaded from the option bytes"). */
    flash->optcr = flash->loaded_optcr;
    for (unsigned area = 0; area < L4_WRP_AREAS; area++)
        flash->wrp_areas[area] = flash->loaded_wrp_areas[area];
}

/* EOP is only reported with EOPIE set (RM0351 §3.7.5). */
static void l4_operation_done(struct sim_flash *flash)
{
    if (flash->cr & L4_CR_EOPIE)
        flash->sr |= L4_SR_EOP;
}

static uint32_t l4_read_register(struct sim_flash *flash, uint32_t offset, uint64_t now_ps)
{
    for (unsigned area = 0; area < L4_WRP_AREAS; area++) {
        if (offset == wrp_register_offsets[area])
            return flash->wrp_areas[area];
    }
    switch (offset) {
    case L4_ACR:
        return flash->acr;
    case L4_SR:
        return flash->sr | (flash_busy(flash, now_ps) ? L4_SR_BSY : 0);
    case L4_CR:
        return flash->cr;
    case L4_OPTR:
        return flash->optcr;
    default:
        return 0;
    }
}

static void erase_page(struct sim_flash *flash, uint64_t now_ps)
{
    uint32_t page = (flash->cr & L4_CR_PNB_MASK) >> L4_CR_PNB_SHIFT;
    if (flash->part->dual_bank && (flash->cr & L4_CR_BKER_L4))
        page += sim_part_erase_units(flash->part);
    uint32_t start, size;
    uint64_t erase_ps;
    if (!flash_unit_bounds(flash, page, &start, &size, &erase_ps)) {
        flash->sr |= L4_SR_PGSERR;
        return;
    }
    if (flash->unit_protected[page] || flash_debug_locked(flash)) {
        flash->sr |= L4_SR_WRPERR;
        return;
    }
    flash_begin(flash, now_ps, erase_ps);
    flash_erase(flash, start, size);
}

static void erase_banks(struct sim_flash *flash, uint64_t now_ps)
{
    uint32_t bank = flash->part->dual_bank ? flash->size / 2 : flash->size;
    bool first = (flash->cr & L4_CR_MER1) != 0;
    bool second = (flash->cr & L4_CR_MER2) != 0 && flash->part->dual_bank;
    if ((first && flash_range_protected(flash, 0, bank)) || (second && flash_range_protected(flash, bank, bank)) ||
        flash_debug_locked(flash)) {
        flash->sr |= L4_SR_WRPERR;
        return;
    }
    flash_begin(flash, now_ps, flash_mass_erase_ps(flash));
    if (first)
        flash_erase(flash, 0, bank);
    if (second)
        flash_erase(flash, bank, bank);
}

/* OPTSTRT programs the option bytes from OPTR and the WRP registers; they are loaded at the next reset. */
static void program_options(struct sim_flash *flash, uint64_t now_ps)
{
    uint32_t start, size;
    uint64_t duration;
    flash_unit_bounds(flash, 0, &start, &size, &duration);
    if (flash->rdp_level == 2)
        return; /* level 2 is final */
    if (flash->rdp_level == 1 && (uint8_t)flash->optcr == L4_RDP_LEVEL0) {
        duration += flash_mass_erase_ps(flash); /* leaving level 1 erases the secrets first */
        flash_erase_all(flash);
    }
    flash_begin(flash, now_ps, duration);
    flash_option_word_store(flash, L4_OPT_OPTR, flash->optcr);
    for (unsigned area = 0; area < L4_WRP_AREAS; area++)
        flash_option_word_store(flash, L4_OPT_WRP(area), flash->wrp_areas[area]);
}

static void write_control(struct sim_flash *flash, uint32_t value, uint64_t now_ps)
{
    if (flash->cr & L4_CR_LOCK)
        return;
    uint32_t kept_locks = flash->cr & L4_CR_OPTLOCK;
    flash->cr = (value & (L4_CR_STORED | L4_CR_LOCK | L4_CR_OPTLOCK)) | kept_locks;
    if ((value & L4_CR_LOCK) && flash->part->family == SIM_FAMILY_G0)
        flash->cr |= L4_CR_OPTLOCK;
    bool options_unlocked = !(flash->cr & L4_CR_OPTLOCK);
    if ((value & L4_CR_STRT) && (flash->sr & L4_SR_PROGRAMMING_ERRORS)) {
        flash->sr |= L4_SR_PGSERR;
    } else if (value & L4_CR_STRT) {
        if (value & L4_CR_PER)
            erase_page(flash, now_ps);
        else if (value & (L4_CR_MER1 | L4_CR_MER2))
            erase_banks(flash, now_ps);
    }
    if ((value & L4_CR_OPTSTRT) && options_unlocked)
        program_options(flash, now_ps);
    if ((value & L4_CR_OBL_LAUNCH) && options_unlocked)
        flash_request_reset(flash, now_ps);
}

static enum sim_bus_status l4_write_register(struct sim_flash *flash, uint32_t offset, uint32_t value,
                                             uint64_t now_ps)
{
    bool unlocked = false;
    bool options_unlocked = !(flash->cr & (L4_CR_LOCK | L4_CR_OPTLOCK));
    for (unsigned area = 0; area < L4_WRP_AREAS; area++) {
        if (offset == wrp_register_offsets[area] && options_unlocked)
            flash->wrp_areas[area] = value;
    }
    enum sim_bus_status status = SIM_BUS_OK;
    switch (offset) {
    case L4_ACR:
        flash->acr = value & 0x7F07u;
        break;
    case L4_KEYR:
        if (!(flash->cr & L4_CR_LOCK))
            flash->key_state = FLASH_KEYS_LOCKED_OUT; /* a key while unlocked counts as a wrong one */
        status = flash_write_key(&flash->key_state, value, FLASH_KEY1, FLASH_KEY2, &unlocked);
        if (status != SIM_BUS_OK)
            flash->cr |= L4_CR_LOCK;
        if (unlocked)
            flash->cr &= ~L4_CR_LOCK;
        break;
    case L4_OPTKEYR:
        if (flash->cr & L4_CR_LOCK)
            break; /* the option keys are only taken once the controller is unlocked */
        status = flash_write_key(&flash->option_key_state, value, FLASH_OPTKEY1_F4_L4, FLASH_OPTKEY2_F4_L4,
                                 &unlocked);
        if (unlocked)
            flash->cr &= ~L4_CR_OPTLOCK;
        break;
    case L4_SR:
        flash->sr &= ~(value & L4_SR_CLEARABLE);
        break;
    case L4_CR:
        write_control(flash, value, now_ps);
        break;
    case L4_OPTR:
        if (options_unlocked)
            flash->optcr = value;
        break;
    default:
        break;
    }
    return status;
}

static bool all_zero(const uint8_t *bytes, unsigned len)
{
    for (unsigned i = 0; i < len; i++) {
        if (bytes[i] != 0)
            return false;
    }
    return true;
}

static void program_double_word(struct sim_flash *flash, uint32_t offset, uint32_t low, uint32_t high,
                                 uint64_t now_ps)
{
    uint8_t bytes[8];
    flash_store_le(bytes, low, 4);
    flash_store_le(bytes + 4, high, 4);
    if (flash_range_protected(flash, offset, 8)) {
        flash->sr |= L4_SR_WRPERR;
        return;
    }
    if (!flash_is_erased(flash, offset, 8) && !all_zero(bytes, 8)) {
        flash->sr |= L4_SR_PROGERR; /* its ECC was written with the first programming */
        return;
    }
    flash_begin(flash, now_ps, flash_program_ps(flash));
    flash_store(flash, offset, bytes, 8);
}

static enum sim_bus_status l4_write_array(struct sim_flash *flash, struct sim_bus_access *access)
{
    if (!(flash->cr & L4_CR_PG) || (flash->cr & L4_CR_FSTPG) || (flash->sr & L4_SR_PROGRAMMING_ERRORS)) {
        flash->sr |= L4_SR_PGSERR;
        flash->half_written = false;
        return SIM_BUS_OK;
    }
    if (access->size != 4) {
        flash->sr |= L4_SR_SIZERR;
        flash->half_written = false;
        return SIM_BUS_OK;
    }
    if (!flash->half_written) {
        if (access->offset % 8 != 0) {
            flash->sr |= L4_SR_PGAERR;
            return SIM_BUS_OK;
        }
        flash->half_written = true;
        flash->half_offset = access->offset;
        flash->half_value = access->value;
        return SIM_BUS_OK;
    }
    flash->half_written = false;
    if (access->offset != flash->half_offset + 4) {
        flash->sr |= L4_SR_PGAERR;
        return SIM_BUS_OK;
    }
    program_double_word(flash, flash->half_offset, flash->half_value, access->value, access->now_ps);
    return SIM_BUS_OK;
}

const struct flash_generation flash_generation_l4 = {
    .reset = l4_reset,
    .read_register = l4_read_register,
    .write_register = l4_write_register,
    .write_array = l4_write_array,
    .write_options = NULL,
    .operation_done = l4_operation_done,
    .factory_options = l4_factory_options,
    .load_options = l4_load_options,
    .store_rdp = l4_store_rdp,
    .store_write_protection = l4_store_write_protection,
    .programs_over_data = false,
    .debug_lock_refuses_all = true,
    .erased_value = 0xFF,
};
