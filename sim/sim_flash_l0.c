/*
 * sim_flash_l0.c - the L0/L1 flash controller (NVM with PECR): RM0367 §3 (L053), RM0376 §3 (L072), RM0038 §3
 * (L152RE).
 *
 * Locks: PECR resets with PELOCK, PRGLOCK and OPTLOCK set. PEKEYR's two keys clear PELOCK; PRGKEYR's clear PRGLOCK
 * and OPTKEYR's clear OPTLOCK, both only once PELOCK is clear: a key written out of that order, a wrong key, or a
 * key to an unlocked lock is a bus error that locks the controller until the next reset. Setting PELOCK sets the two
 * others and clears the operation bits [unconfirmed]. Erased flash reads 0x00. Program memory takes 32-bit stores
 * only (SIZERR otherwise) with PRGLOCK clear (WRPERR otherwise): with no operation bit in PECR a store programs one
 * word; with FPRG|PROG the next 16 stores
 * fill one half page (64 bytes, any order, each word once; a store outside it is PGAERR and drops the half page),
 * programmed at the 16th; with ERASE|PROG a store erases the page (128 bytes) that holds it. Programming a word
 * that is not 0x00 sets NOTZEROERR and writes nothing. Each operation keeps BSY for ~3.2 ms (DS10152: word, half
 * page and page erase alike [unconfirmed]). There is no mass erase: leaving RDP level 1 erases the flash and the
 * data EEPROM. The data EEPROM (0x08080000) takes byte, half-word and word stores with PELOCK clear, each one
 * operation (l0_write_eeprom). Option bytes at 0x1FF80000 are 32-bit words of a 16-bit value and its complement,
 * written by a store with OPTLOCK clear, loaded at power-on and by PECR.OBL_LAUNCH (a system reset keeps them);
 * a word whose complement does not match sets OPTVERR at the load and reads as level 1 for RDP.
 *
 * The L1 is the same controller (at 0x40023C00) with the part's page of 256 bytes and half page of 128 (32 words;
 * FLASH_ACR takes LATENCY only with ACC64 set, and ACC64 cleared only with LATENCY clear: RM0038 §3.9.1), without
 * NOTZEROERR or FWWERR: a word programmed over one not erased takes the OR of both [unconfirmed: RM0038 names no
 * check]. Its write protection has a 32-bit word per 128 KB: FLASH_WRPR1 at 0x20, WRPR2-4 at 0x80-0x88, from option
 * halves at 0x08-0x1C and 0x80-0x84 (RM0038 §3.9.1). Timings are the part's (DS10110: 3.28 ms).
 */
#include "sim_flash_internal.h"

#define L0_ACR 0x00u
#define L1_ACR_LATENCY (1u << 0)
#define L1_ACR_ACC64 (1u << 2)
#define L0_PECR 0x04u
#define L0_PDKEYR 0x08u
#define L0_PEKEYR 0x0Cu
#define L0_PRGKEYR 0x10u
#define L0_OPTKEYR 0x14u
#define L0_SR 0x18u
#define L0_OBR 0x1Cu
#define L0_WRPROT1 0x20u
#define L0_WRPROT2 0x80u /* L07x/L08x; L1: WRPR2, then WRPR3 and WRPR4 */

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

#define L0_RDP_LEVEL0 0xAAu
#define L0_RDP_LEVEL1 0xBBu
#define L0_RDP_LEVEL2 0xCCu
#define L0_USER_WDG_SW (1u << 4)
#define L0_USER_FACTORY 0x8070u /* nBOOT1, nRST_STDBY, nRST_STOP, WDG_SW; BOR off */
#define L1_USER_IWDG_SW (1u << 4)
#define L1_USER_FACTORY 0x0070u /* nRST_STDBY, nRST_STOP, IWDG_SW; BFB2 0, BOR off [unconfirmed] */
#define L0_WRP_SECTOR 4096u

/* Option words (offsets in the option area): RDP with WPRMOD, USER, then the write protection in halves of 16
 * sectors, six from 0x08 (L07x/L08x: the fifth word, 0x10, is WRPROT2) and two from 0x80 (L1 Cat.5/6's WRPR4). */
#define L0_OPT_RDP 0x0u
#define L0_OPT_USER 0x4u
#define L0_OPT_WRP 0x8u
#define L0_OPT_WRP_HIGH 0x80u
#define L0_OPT_WRP_HALVES 6u
#define L0_WRP_WORDS 4u

/* struct sim_flash's registers here: cr is PECR, optcr OBR, wrp_areas[0] WRPROT1; key_state the PEKEYR sequence,
 * key_state2 PRGKEYR's, option_key_state OPTKEYR's. The half page being filled: half_offset (its start), half_value
 * (the words written, a bit each) and half_page (their values). */

static bool is_l1(const struct sim_flash *flash)
{
    return flash->part->family == SIM_FAMILY_L1;
}

/* The option halves of the write protection: one per 16 sectors of the flash, and WRPROT1's two at least. */
static uint32_t wrp_halves(const struct sim_flash *flash)
{
    uint32_t halves = (flash->size / L0_WRP_SECTOR + 15u) / 16u;
    return halves > 2u ? halves : 2u;
}

static uint32_t wrp_half_offset(uint32_t half)
{
    return half < L0_OPT_WRP_HALVES ? L0_OPT_WRP + 4u * half : L0_OPT_WRP_HIGH + 4u * (half - L0_OPT_WRP_HALVES);
}

/* Whether a store at this offset of the option area lands in an option word of the part. */
static bool option_word_exists(const struct sim_flash *flash, uint32_t offset)
{
    if (offset == L0_OPT_RDP || offset == L0_OPT_USER)
        return true;
    for (uint32_t half = 0; half < wrp_halves(flash); half++)
        if (offset == wrp_half_offset(half))
            return true;
    return false;
}

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
    store_option_word(flash, L0_OPT_USER, is_l1(flash) ? L1_USER_FACTORY : L0_USER_FACTORY);
    for (uint32_t half = 0; half < wrp_halves(flash); half++)
        store_option_word(flash, wrp_half_offset(half), 0);
}

static void l0_load_options(struct sim_flash *flash)
{
    bool valid = option_word_valid(flash, L0_OPT_RDP) && option_word_valid(flash, L0_OPT_USER);
    for (uint32_t half = 0; half < wrp_halves(flash); half++)
        valid = valid && option_word_valid(flash, wrp_half_offset(half));
    uint32_t rdp_word = option_word(flash, L0_OPT_RDP) & 0xFFFFu;
    uint32_t user = option_word(flash, L0_OPT_USER) & 0xFFFFu;
    uint8_t rdp = option_word_valid(flash, L0_OPT_RDP) ? (uint8_t)rdp_word : L0_RDP_LEVEL1;
    flash->rdp_level = rdp == L0_RDP_LEVEL0 ? 0 : rdp == L0_RDP_LEVEL2 ? 2 : 1;
    flash->optcr = flash->loaded_optcr = rdp | (rdp_word & 0x100u) | user << 16; /* RDP, WPRMOD, USER */
    flash->hardware_watchdog = (user & (is_l1(flash) ? L1_USER_IWDG_SW : L0_USER_WDG_SW)) == 0;
    for (uint32_t word = 0; word < L0_WRP_WORDS; word++)
        flash->wrp_areas[word] = 0;
    for (uint32_t half = 0; half < wrp_halves(flash); half++)
        flash->wrp_areas[half / 2u] |= (option_word(flash, wrp_half_offset(half)) & 0xFFFFu) << (16u * (half % 2u));
    for (uint32_t word = 0; word < L0_WRP_WORDS; word++)
        flash->loaded_wrp_areas[word] = flash->wrp_areas[word];
    for (uint32_t unit = 0; unit < flash->units; unit++) {
        uint32_t start, size;
        uint64_t erase_ps;
        flash_unit_bounds(flash, unit, &start, &size, &erase_ps);
        uint32_t sector = start / L0_WRP_SECTOR;
        flash->unit_protected[unit] =
            sector < 32u * L0_WRP_WORDS && ((flash->wrp_areas[sector / 32] >> (sector % 32)) & 1u);
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
    for (uint32_t half = 0; half < wrp_halves(flash); half++)
        store_option_word(flash, wrp_half_offset(half), protect ? 0xFFFFu : 0);
}

static void l0_reset(struct sim_flash *flash)
{
    flash->cr = L0_PECR_LOCKS;
    flash->sr = 0;
    flash->key_state = flash->key_state2 = flash->option_key_state = FLASH_KEYS_NONE;
    flash->half_written = false;
    flash->optcr = flash->loaded_optcr;
    for (uint32_t word = 0; word < L0_WRP_WORDS; word++)
        flash->wrp_areas[word] = flash->loaded_wrp_areas[word];
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
    case L0_WRPROT2 + 4u:
    case L0_WRPROT2 + 8u:
        return flash->wrp_areas[1u + (offset - L0_WRPROT2) / 4u]; /* 0 where the flash has no such sectors */
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
    uint32_t locks = (flash->cr | value) & L0_PECR_LOCKS; /* writing 1 locks, 0 leaves the lock as it is */
    flash->half_written = false;
    if (value & L0_PECR_PELOCK) {
        /* Locking returns PECR to its reset value, operation bits cleared: OpenOCD's stm32lx driver sets PELOCK over
         * ERASE|PROG after an erase and later adds FPRG to what it reads back, which only works on silicon that way
         * [unconfirmed: inferred, RM0038 and RM0367 do not say]. */
        flash->cr = L0_PECR_LOCKS;
        return;
    }
    flash->cr = (value & L0_PECR_STORED) | locks;
    if ((value & L0_PECR_OBL_LAUNCH) && !(locks & L0_PECR_OPTLOCK))
        flash_request_reset(flash, now_ps);
}

/* L1: LATENCY changes only while ACC64 is set, and ACC64 clears only while LATENCY is clear (RM0038 §3.9.1). */
static uint32_t l1_acr(uint32_t acr, uint32_t value)
{
    value &= 0x1Fu;
    if (!(acr & L1_ACR_ACC64))
        value = (value & ~L1_ACR_LATENCY) | (acr & L1_ACR_LATENCY);
    if (acr & L1_ACR_LATENCY && value & L1_ACR_LATENCY)
        value |= L1_ACR_ACC64;
    return value;
}

static enum sim_bus_status l0_write_register(struct sim_flash *flash, uint32_t offset, uint32_t value,
                                             uint64_t now_ps)
{
    switch (offset) {
    case L0_ACR:
        flash->acr = is_l1(flash) ? l1_acr(flash->acr, value) : value & 0x7Fu;
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
    if (!is_l1(flash) && !flash_is_erased(flash, offset, len)) {
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

/* One store of a half page: the first one opens it, the last (16th on L0, 32nd on L1) programs it. */
static void half_page_store(struct sim_flash *flash, uint32_t offset, uint32_t value, uint64_t now_ps)
{
    uint32_t half_page = flash->part->half_page;
    uint32_t words = half_page / 4u;
    uint32_t start = offset & ~(half_page - 1u);
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
    if (flash->half_value != (words == 32u ? UINT32_MAX : (1u << words) - 1u))
        return;
    flash->half_written = false;
    uint8_t bytes[sizeof flash->half_page];
    for (unsigned i = 0; i < words; i++)
        flash_store_le(bytes + 4u * i, flash->half_page[i], 4);
    program(flash, start, bytes, half_page, now_ps);
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
    if (access->size != 4 || !option_word_exists(flash, access->offset)) {
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
        flash_erase_eeprom(flash);
    }
    flash_begin(flash, access->now_ps, duration);
    flash_store_le(flash->options + access->offset, access->value, 4);
    return SIM_BUS_OK;
}

/* Data EEPROM (RM0367 §3.3.4, RM0038 §3.3.4): a byte, half-word or word store with PELOCK clear erases what it
 * replaces and programs it in one operation of tprog (the datasheets give the flash's word figure and no other: it
 * is used for the EEPROM too [unconfirmed]); a store while one runs stalls the bus. With PELOCK set, or read
 * protection with a debugger connected, the store is refused with WRPERR (RM0376's WRPERR: a write to the data
 * EEPROM not unlocked by PEKEY, or under RDP in debug mode). FIX/FTDW (a store into an erased word programs only, in
 * half the time) and the DATA|ERASE word erase are not modelled: every store takes the whole time. A power cut does
 * not tear a word. */
static enum sim_bus_status l0_write_eeprom(struct sim_flash *flash, const struct sim_bus_access *access)
{
    bool injected = flash->eeprom_stores_refused > 0;
    if (injected)
        flash->eeprom_stores_refused--;
    if (flash->cr & L0_PECR_PELOCK || flash_debug_locked(flash) || injected) {
        flash->sr |= L0_SR_WRPERR;
        return SIM_BUS_OK;
    }
    flash_begin(flash, access->now_ps, flash_program_ps(flash));
    flash_store_le(flash->eeprom + access->offset, access->value, access->size);
    return SIM_BUS_OK;
}

const struct flash_generation flash_generation_l0 = {
    .reset = l0_reset,
    .read_register = l0_read_register,
    .write_register = l0_write_register,
    .write_array = l0_write_array,
    .write_options = l0_write_options,
    .write_eeprom = l0_write_eeprom,
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
