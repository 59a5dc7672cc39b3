/*
 * sim_flash_l0.c - the L0 flash controller (NVM with PECR): RM0367 §3 (L053), RM0376 §3 (L072).
 *
 * Locks: PECR resets with PELOCK, PRGLOCK and OPTLOCK set. PEKEYR's two keys clear PELOCK; PRGKEYR's clear PRGLOCK
 * and OPTKEYR's clear OPTLOCK, both only once PELOCK is clear: a key written out of that order, a wrong key, or a
 * key to an unlocked lock is a bus error that locks the controller until the next reset. Setting PELOCK sets the two
 * others. Erased flash reads 0x00. Program memory takes 32-bit stores only (SIZERR otherwise) with PRGLOCK clear
 * (WRPERR otherwise): with no operation bit in PECR a store programs one word; with FPRG|PROG the next 16 stores
 * fill one half page (64 bytes, any order, each word once; a store outside it is PGAERR and drops the half page),
 * programmed at the 16th; with ERASE|PROG a store erases the page (128 bytes) that holds it. Programming a word
 * that is not 0x00 sets NOTZEROERR and writes nothing. Each operation keeps BSY for ~3.2 ms (DS10152: word, half
 * page and page erase alike [unconfirmed]). There is no mass erase: leaving RDP level 1 erases the flash (the data
 * EEPROM is not modelled). Option bytes at 0x1FF80000 are 32-bit words of a 16-bit value and its complement,
 * written by a store with OPTLOCK clear, loaded at power-on and by PECR.OBL_LAUNCH (a system reset keeps them);
 * a word whose complement does not match sets OPTVERR at the load and reads as level 1 for RDP.
 */
#include "sim_flash_internal.h"

#define L0_ACR 0x00u
#define L0_PECR 0x04u
#define L0_PDKEYR 0x08u
#define L0_PEKEYR 0x0Cu
#define L0_PRGKEYR 0x10u
#define L0_OPTKEYR 0x14u
#define L0_SR 0x18u
#define L0_OBR 0x1Cu
#define L0_WRPROT1 0x20u
#define L0_WRPROT2 0x80u /* L07x/L08x */

#define L0_PECR_PELOCK (1u << 0)
#define L0_PECR_PRGLOCK (1u << 1)
#define L0_PECR_OPTLOCK (1u << 2)
#define L0_PECR_LOCKS (L0_PECR_PELOCK | L0_PECR_PRGLOCK | L0_PECR_OPTLOCK)
#define L0_PECR_PROG (1u << 3)
#define L0_PECR_DATA (1u << 4)
#define L0_PECR_FIX (1u << 8)
#define L0_PECR_ERASE (1u << 9)
#define L0_PECR_FPRG (1u << 10)
#define L0_PECR_OBL_LAUNCH (1u << 18)
#define L0_PECR_STORED (L0_PECR_PROG | L0_PECR_DATA | L0_PECR_FIX | L0_PECR_ERASE | L0_PECR_FPRG)

#define L0_SR_BSY (1u << 0)
#define L0_SR_EOP (1u << 1)
#define L0_SR_ENDHV (1u << 2)
#define L0_SR_READY (1u << 3)
#define L0_SR_WRPERR (1u << 8)
#define L0_SR_PGAERR (1u << 9)
#define L0_SR_SIZERR (1u << 10)
#define L0_SR_OPTVERR (1u << 11)
#define L0_SR_NOTZEROERR (1u << 16)
#define L0_SR_FWWERR (1u << 17)
#define L0_SR_CLEARABLE                                                                                                \
    (L0_SR_EOP | L0_SR_WRPERR | L0_SR_PGAERR | L0_SR_SIZERR | L0_SR_OPTVERR | L0_SR_NOTZEROERR | L0_SR_FWWERR)

#define L0_PEKEY1 0x89ABCDEFu
#define L0_PEKEY2 0x02030405u
#define L0_PRGKEY1 0x8C9DAEBFu
#define L0_PRGKEY2 0x13141516u
#define L0_OPTKEY1 0xFBEAD9C8u
#define L0_OPTKEY2 0x24252627u

#define L0_HALF_PAGE 64u
#define L0_HALF_PAGE_WORDS (L0_HALF_PAGE / 4u)
#define L0_RDP_LEVEL0 0xAAu
#define L0_RDP_LEVEL1 0xBBu
#define L0_RDP_LEVEL2 0xCCu
#define L0_USER_WDG_SW (1u << 4)
#define L0_USER_FACTORY 0x8070u /* nBOOT1, nRST_STDBY, nRST_STOP, WDG_SW; BOR off */
#define L0_WRP_SECTOR 4096u

/* Option words (offsets in the option area): RDP with WPRMOD, USER, WRPROT1 low and high halves. */
#define L0_OPT_RDP 0x0u
#define L0_OPT_USER 0x4u
#define L0_OPT_WRP_LOW 0x8u
#define L0_OPT_WRP_HIGH 0xCu
#define L0_OPT_WRP2 0x10u /* L07x/L08x: sectors 32-47 */
#define L0_OPT_WORDS 5u

/* struct sim_flash's registers here: cr is PECR, optcr OBR, wrp_areas[0] WRPROT1; key_state the PEKEYR sequence,
 * key_state2 PRGKEYR's, option_key_state OPTKEYR's. The half page being filled: half_offset (its start), half_value
 * (the words written, a bit each) and half_page (their values). */

static uint32_t option_word(const struct sim_flash *flash, uint32_t offset)
{
    return flash_load_le(flash->options + offset, 4);
}

static void store_option_word(struct sim_flash *flash, uint32_t offset, uint32_t value16)
{
    flash_store_le(flash->options + offset, (value16 & 0xFFFFu) | (~value16 & 0xFFFFu) << 16, 4);
}

static bool option_word_valid(const struct sim_flash *flash, uint32_t offset)
{
    uint32_t word = option_word(flash, offset);
    return ((word ^ (word >> 16)) & 0xFFFFu) == 0xFFFFu;
}

static void l0_factory_options(struct sim_flash *flash)
{
    for (unsigned i = 0; i < FLASH_OPTION_AREA_SIZE; i++)
        flash->options[i] = 0;
    store_option_word(flash, L0_OPT_RDP, L0_RDP_LEVEL0);
    store_option_word(flash, L0_OPT_USER, L0_USER_FACTORY);
    store_option_word(flash, L0_OPT_WRP_LOW, 0);
    store_option_word(flash, L0_OPT_WRP_HIGH, 0);
    store_option_word(flash, L0_OPT_WRP2, 0);
}

static void l0_load_options(struct sim_flash *flash)
{
    bool valid = true;
    for (uint32_t word = 0; word < L0_OPT_WORDS; word++)
        valid = valid && option_word_valid(flash, 4u * word);
    uint32_t rdp_word = option_word(flash, L0_OPT_RDP) & 0xFFFFu;
    uint32_t user = option_word(flash, L0_OPT_USER) & 0xFFFFu;
    uint8_t rdp = option_word_valid(flash, L0_OPT_RDP) ? (uint8_t)rdp_word : L0_RDP_LEVEL1;
    flash->rdp_level = rdp == L0_RDP_LEVEL0 ? 0 : rdp == L0_RDP_LEVEL2 ? 2 : 1;
    flash->optcr = flash->loaded_optcr = rdp | (rdp_word & 0x100u) | user << 16; /* RDP, WPRMOD, USER */
    flash->hardware_watchdog = (user & L0_USER_WDG_SW) == 0;
    uint32_t wrp = (option_word(flash, L0_OPT_WRP_LOW) & 0xFFFFu) | option_word(flash, L0_OPT_WRP_HIGH) << 16;
    flash->wrp_areas[0] = flash->loaded_wrp_areas[0] = wrp;
    flash->wrp_areas[1] = flash->loaded_wrp_areas[1] =
        flash->part->dual_bank ? option_word(flash, L0_OPT_WRP2) & 0xFFFFu : 0;
    for (uint32_t unit = 0; unit < flash->units; unit++) {
        uint32_t start, size;
        uint64_t erase_ps;
        flash_unit_bounds(flash, unit, &start, &size, &erase_ps);
        uint32_t sector = start / L0_WRP_SECTOR;
        flash->unit_protected[unit] = sector < 64 && ((flash->wrp_areas[sector / 32] >> (sector % 32)) & 1u);
    }
    if (!valid)
        flash->sr |= L0_SR_OPTVERR;
}

static void l0_store_rdp(struct sim_flash *flash, unsigned level)
{
    uint32_t word = option_word(flash, L0_OPT_RDP) & 0xFF00u;
    store_option_word(flash, L0_OPT_RDP, word | (level == 0 ? L0_RDP_LEVEL0 : L0_RDP_LEVEL1));
}

static void l0_store_write_protection(struct sim_flash *flash, bool protect)
{
    store_option_word(flash, L0_OPT_WRP_LOW, protect ? 0xFFFFu : 0);
    store_option_word(flash, L0_OPT_WRP_HIGH, protect ? 0xFFFFu : 0);
    store_option_word(flash, L0_OPT_WRP2, protect ? 0xFFFFu : 0);
}

static void l0_reset(struct sim_flash *flash)
{
    flash->cr = L0_PECR_LOCKS;
    flash->sr = 0;
    flash->key_state = flash->key_state2 = flash->option_key_state = FLASH_KEYS_NONE;
    flash->half_written = false;
    flash->optcr = flash->loaded_optcr;
    flash->wrp_areas[0] = flash->loaded_wrp_areas[0];
    flash->wrp_areas[1] = flash->loaded_wrp_areas[1];
}

static void l0_operation_done(struct sim_flash *flash)
{
    flash->sr |= L0_SR_EOP;
}

static uint32_t l0_read_register(struct sim_flash *flash, uint32_t offset, uint64_t now_ps)
{
    bool busy = flash_busy(flash, now_ps);
    switch (offset) {
    case L0_ACR:
        return flash->acr;
    case L0_PECR:
        return flash->cr;
    case L0_SR:
        return flash->sr | (busy ? L0_SR_BSY : L0_SR_ENDHV | L0_SR_READY);
    case L0_OBR:
        return flash->optcr;
    case L0_WRPROT1:
        return flash->wrp_areas[0];
    case L0_WRPROT2:
        return flash->part->dual_bank ? flash->wrp_areas[1] : 0;
    default:
        return 0;
    }
}

/* A key to a lock that is not set, or out of order, counts as a wrong key: everything locks until reset. */
static enum sim_bus_status write_key(struct sim_flash *flash, enum flash_key_state *state, uint32_t lock,
                                     uint32_t value, uint32_t key1, uint32_t key2)
{
    bool unlocked = false;
    bool in_order = lock == L0_PECR_PELOCK || !(flash->cr & L0_PECR_PELOCK);
    if (!(flash->cr & lock) || !in_order)
        *state = FLASH_KEYS_LOCKED_OUT;
    enum sim_bus_status status = flash_write_key(state, value, key1, key2, &unlocked);
    if (status != SIM_BUS_OK) {
        flash->cr |= L0_PECR_LOCKS;
        flash->key_state = flash->key_state2 = flash->option_key_state = FLASH_KEYS_LOCKED_OUT;
    }
    if (unlocked)
        flash->cr &= ~lock;
    return status;
}

static void write_pecr(struct sim_flash *flash, uint32_t value, uint64_t now_ps)
{
    if (flash->cr & L0_PECR_PELOCK)
        return;
    uint32_t locks = flash->cr & L0_PECR_LOCKS;
    if (value & L0_PECR_PELOCK)
        locks = L0_PECR_LOCKS;
    locks |= value & L0_PECR_LOCKS; /* writing 1 locks, 0 leaves the lock as it is */
    flash->cr = (value & L0_PECR_STORED) | locks;
    flash->half_written = false;
    if ((value & L0_PECR_OBL_LAUNCH) && !(locks & L0_PECR_OPTLOCK))
        flash_request_reset(flash, now_ps);
}

static enum sim_bus_status l0_write_register(struct sim_flash *flash, uint32_t offset, uint32_t value,
                                             uint64_t now_ps)
{
    switch (offset) {
    case L0_ACR:
        flash->acr = value & 0x7Fu;
        return SIM_BUS_OK;
    case L0_PECR:
        write_pecr(flash, value, now_ps);
        return SIM_BUS_OK;
    case L0_PEKEYR:
        return write_key(flash, &flash->key_state, L0_PECR_PELOCK, value, L0_PEKEY1, L0_PEKEY2);
    case L0_PRGKEYR:
        return write_key(flash, &flash->key_state2, L0_PECR_PRGLOCK, value, L0_PRGKEY1, L0_PRGKEY2);
    case L0_OPTKEYR:
        return write_key(flash, &flash->option_key_state, L0_PECR_OPTLOCK, value, L0_OPTKEY1, L0_OPTKEY2);
    case L0_SR:
        flash->sr &= ~(value & L0_SR_CLEARABLE);
        return SIM_BUS_OK;
    default:
        return SIM_BUS_OK; /* PDKEYR (data EEPROM power-down) and read-only registers */
    }
}

static bool refused(struct sim_flash *flash, uint32_t offset, uint32_t len)
{
    if (flash_range_protected(flash, offset, len) || flash_debug_locked(flash)) {
        flash->sr |= L0_SR_WRPERR;
        return true;
    }
    return false;
}

static void program(struct sim_flash *flash, uint32_t offset, const uint8_t *bytes, uint32_t len, uint64_t now_ps)
{
    if (refused(flash, offset, len))
        return;
    if (!flash_is_erased(flash, offset, len)) {
        flash->sr |= L0_SR_NOTZEROERR;
        return;
    }
    flash_begin(flash, now_ps, flash_program_ps(flash));
    flash_store(flash, offset, bytes, len);
}

static void erase_page(struct sim_flash *flash, uint32_t offset, uint64_t now_ps)
{
    uint32_t unit, start, size;
    uint64_t erase_ps;
    if (!flash_unit_of(flash, offset, &unit) || !flash_unit_bounds(flash, unit, &start, &size, &erase_ps) ||
        refused(flash, start, size))
        return;
    flash_begin(flash, now_ps, erase_ps);
    flash_erase(flash, start, size);
}

/* One store of a half page: the first one opens it, the 16th programs it. */
static void half_page_store(struct sim_flash *flash, uint32_t offset, uint32_t value, uint64_t now_ps)
{
    uint32_t start = offset & ~(L0_HALF_PAGE - 1u);
    uint32_t word = (offset - start) / 4u;
    if (!flash->half_written) {
        flash->half_written = true;
        flash->half_offset = start;
        flash->half_value = 0;
    }
    if (start != flash->half_offset || (flash->half_value >> word) & 1u) {
        flash->sr |= L0_SR_PGAERR;
        flash->half_written = false;
        return;
    }
    flash->half_page[word] = value;
    flash->half_value |= 1u << word;
    if (flash->half_value != (1u << L0_HALF_PAGE_WORDS) - 1u)
        return;
    flash->half_written = false;
    uint8_t bytes[L0_HALF_PAGE];
    for (unsigned i = 0; i < L0_HALF_PAGE_WORDS; i++)
        flash_store_le(bytes + 4u * i, flash->half_page[i], 4);
    program(flash, start, bytes, L0_HALF_PAGE, now_ps);
}

static enum sim_bus_status l0_write_array(struct sim_flash *flash, struct sim_bus_access *access)
{
    if (access->size != 4) {
        flash->sr |= L0_SR_SIZERR;
        flash->half_written = false;
        return SIM_BUS_OK;
    }
    if (flash->cr & (L0_PECR_PELOCK | L0_PECR_PRGLOCK)) {
        flash->sr |= L0_SR_WRPERR;
        return SIM_BUS_OK;
    }
    uint32_t mode = flash->cr & (L0_PECR_PROG | L0_PECR_ERASE | L0_PECR_FPRG);
    if (mode == (L0_PECR_PROG | L0_PECR_ERASE)) {
        erase_page(flash, access->offset, access->now_ps);
    } else if (mode == (L0_PECR_PROG | L0_PECR_FPRG)) {
        half_page_store(flash, access->offset, access->value, access->now_ps);
    } else if (mode == 0) {
        uint8_t bytes[4];
        flash_store_le(bytes, access->value, 4);
        program(flash, access->offset, bytes, 4, access->now_ps);
    } else {
        flash->sr |= L0_SR_PGAERR; /* PROG alone, or ERASE/FPRG without PROG: no operation */
    }
    return SIM_BUS_OK;
}

/* A store into an option word: erased and programmed (twice a page's time); leaving level 1 erases the flash. */
static enum sim_bus_status l0_write_options(struct sim_flash *flash, const struct sim_bus_access *access)
{
    uint32_t start, size;
    uint64_t duration;
    if (access->size != 4 || access->offset % 4 != 0 || access->offset >= 4u * L0_OPT_WORDS) {
        flash->sr |= L0_SR_SIZERR;
        return SIM_BUS_OK;
    }
    if (flash->cr & (L0_PECR_PELOCK | L0_PECR_OPTLOCK) || flash->rdp_level == 2) {
        flash->sr |= L0_SR_WRPERR;
        return SIM_BUS_OK;
    }
    flash_unit_bounds(flash, 0, &start, &size, &duration);
    duration *= 2;
    if (access->offset == L0_OPT_RDP && flash->rdp_level == 1 && (uint8_t)access->value == L0_RDP_LEVEL0) {
        duration += flash_mass_erase_ps(flash); /* [unconfirmed] every page's erase time */
        flash_erase_all(flash);
    }
    flash_begin(flash, access->now_ps, duration);
    flash_store_le(flash->options + access->offset, access->value, 4);
    return SIM_BUS_OK;
}

const struct flash_generation flash_generation_l0 = {
    .reset = l0_reset,
    .read_register = l0_read_register,
    .write_register = l0_write_register,
    .write_array = l0_write_array,
    .write_options = l0_write_options,
    .operation_done = l0_operation_done,
    .factory_options = l0_factory_options,
    .load_options = l0_load_options,
    .store_rdp = l0_store_rdp,
    .store_write_protection = l0_store_write_protection,
    .programs_over_data = false,
    .debug_lock_refuses_all = true,
    .loads_options_at_system_reset = false,
    .erased_value = 0x00,
};
