/*
 * sim_flash_f4.c - the F2/F4/F7 flash controller: RM0090 §3 (F405/F407), RM0368 §3 (F401), RM0383 §3 (F411),
 * RM0385 §3 (F74x/F75x).
 *
 * Programming width is CR.PSIZE (x8, x16, x32; x64 needs an external VPP and is refused): a store of another
 * width sets PGPERR, a store without PG sets PGSERR, and a store while an error flag is still set is refused with
 * PGSERR. There is no ECC: programming a location that is not erased clears bits (old AND new), as silicon does.
 * Sector and mass erase with STRT. Option bytes are changed through OPTCR and OPTSTRT; leaving read protection
 * level 1 mass-erases the array. The loaded options take effect at the next reset. Writing KEYR while unlocked is
 * a bus error that locks the controller until reset, as a wrong key does; MER together with SER erases nothing.
 *
 * The F7 has more USER bits in OPTCR (WWDG_SW 4, IWDG_STDBY 30, IWDG_STOP 31, all set from the factory: OPTCR
 * 0xC0FFAAFD) and keeps IWDG_STDBY/IWDG_STOP in the nWRP halfword of its option bytes [unconfirmed: bits 14 and
 * 15]; the F76x/F77x (RM0410 §3.7) add nDBOOT (28) and nDBANK (29, set from the factory: one bank), kept at bits 12
 * and 13 of that halfword. nDBANK is stored and read back, but the dual-bank sector layout it selects when clear is
 * not modelled (the engine refuses to erase in that mode). OPTCR1 (BOOT_ADD0/BOOT_ADD1) and the ITCM boot address
 * are not modelled: the core boots from the alias at 0.
 *
 * The F413/F423 (RM0430) has 16 sectors and 15 nWRP bits in OPTCR (16-30) and in its option halfword (0-14): the last
 * protects sectors 14 and 15 together. It has no OPTCR1.
 */
#include "sim_flash_internal.h"

/* Register offsets, RM0090 §3.9 */
#define F4_ACR 0x00u
#define F4_KEYR 0x04u
#define F4_OPTKEYR 0x08u
#define F4_SR 0x0Cu
#define F4_CR 0x10u
#define F4_OPTCR 0x14u

#define F4_SR_EOP (1u << 0)
#define F4_SR_OPERR (1u << 1)
#define F4_SR_WRPERR (1u << 4)
#define F4_SR_PGAERR (1u << 5)
#define F4_SR_PGPERR (1u << 6)
#define F4_SR_PGSERR (1u << 7)
#define F4_SR_RDERR (1u << 8)
#define F4_SR_BSY (1u << 16)
#define F4_SR_CLEARABLE                                                                                                \
    (F4_SR_EOP | F4_SR_OPERR | F4_SR_WRPERR | F4_SR_PGAERR | F4_SR_PGPERR | F4_SR_PGSERR | F4_SR_RDERR)
#define F4_SR_PROGRAMMING_ERRORS (F4_SR_PGAERR | F4_SR_PGPERR | F4_SR_PGSERR)

#define F4_CR_PG (1u << 0)
#define F4_CR_SER (1u << 1)
#define F4_CR_MER (1u << 2)
#define F4_CR_SNB_SHIFT 3
#define F4_CR_SNB_MASK (0xFu << F4_CR_SNB_SHIFT)
#define F4_CR_PSIZE_SHIFT 8
#define F4_CR_PSIZE_MASK (3u << F4_CR_PSIZE_SHIFT)
#define F4_CR_STRT (1u << 16)
#define F4_CR_EOPIE (1u << 24)
#define F4_CR_ERRIE (1u << 25)
#define F4_CR_LOCK (1u << 31)
#define F4_CR_STORED (F4_CR_PG | F4_CR_SER | F4_CR_MER | F4_CR_SNB_MASK | F4_CR_PSIZE_MASK | F4_CR_EOPIE | F4_CR_ERRIE)

#define F4_OPTCR_OPTLOCK (1u << 0)
#define F4_OPTCR_OPTSTRT (1u << 1)
#define F4_OPTCR_USER_MASK 0xECu /* BOR_LEV[3:2], WDG_SW, nRST_STOP, nRST_STDBY */
#define F7_OPTCR_USER_MASK 0xC00000FCu /* BOR_LEV[3:2], WWDG_SW, IWDG_SW, nRST_STOP, nRST_STDBY, IWDG_STDBY, IWDG_STOP */
#define F7_OPTCR_USER_HIGH_SHIFT 28
#define F4_OPTCR_RDP_SHIFT 8
#define F4_OPTCR_NWRP_SHIFT 16
#define F4_OPTCR_NWRP_BITS 12u
#define F4_OPTCR_RDP_MASK (0xFFu << F4_OPTCR_RDP_SHIFT)

/* Option bytes at 0x1FFFC000 (RM0090 §3.6.1): USER byte, RDP byte, and nWRP at +8. */
#define F4_OPT_USER 0x0u
#define F4_USER_WDG_SW 0x20u
#define F4_OPT_RDP 0x1u
#define F4_OPT_NWRP 0x8u
#define F4_RDP_LEVEL0 0xAAu
#define F4_RDP_LEVEL1 0x55u
#define F4_RDP_LEVEL2 0xCCu
#define F4_USER_FACTORY 0xECu
#define F7_NWRP_USER_HIGH_SHIFT 12 /* nDBOOT, nDBANK, IWDG_STDBY, IWDG_STOP above nWRP in the F7's option halfword */

static uint32_t user_mask(const struct sim_flash *flash)
{
    if (flash->part->family != SIM_FAMILY_F7)
        return F4_OPTCR_USER_MASK;
    return flash->part->optcr_user_mask ? flash->part->optcr_user_mask : F7_OPTCR_USER_MASK;
}

/* nWRP in OPTCR and in the option halfword: 12 bits, or the part's (F413: 15). */
static unsigned nwrp_bits(const struct sim_flash *flash)
{
    return flash->part->optcr_nwrp_bits ? flash->part->optcr_nwrp_bits : F4_OPTCR_NWRP_BITS;
}

static uint32_t nwrp_mask(const struct sim_flash *flash)
{
    return (1u << nwrp_bits(flash)) - 1u;
}

/* Whether a clear nWRP bit protects the sector: its own bit, or where there are more than 12 bits and fewer than
 * sectors (F413: sector 15), the last one. */
static bool sector_protected(const struct sim_flash *flash, uint32_t nwrp, uint32_t unit)
{
    unsigned bits = nwrp_bits(flash);
    if (unit >= bits && bits > F4_OPTCR_NWRP_BITS)
        unit = bits - 1u;
    return unit < bits && (nwrp & (1u << unit)) == 0;
}

static void f4_factory_options(struct sim_flash *flash)
{
    for (unsigned i = 0; i < FLASH_OPTION_AREA_SIZE; i++)
        flash->options[i] = 0xFF;
    flash->options[F4_OPT_USER] = (uint8_t)user_mask(flash); /* every USER bit set but the reserved ones */
    flash->options[F4_OPT_RDP] = F4_RDP_LEVEL0;
    flash_store_le(flash->options + F4_OPT_NWRP,
                   nwrp_mask(flash) | (user_mask(flash) >> F7_OPTCR_USER_HIGH_SHIFT) << F7_NWRP_USER_HIGH_SHIFT, 2);
}

static void f4_load_options(struct sim_flash *flash)
{
    uint8_t rdp = flash->options[F4_OPT_RDP];
    flash->rdp_level = rdp == F4_RDP_LEVEL0 ? 0 : rdp == F4_RDP_LEVEL2 ? 2 : 1;
    flash->hardware_watchdog = (flash->options[F4_OPT_USER] & F4_USER_WDG_SW) == 0;
    uint32_t halfword = flash_load_le(flash->options + F4_OPT_NWRP, 2), nwrp = halfword & nwrp_mask(flash);
    for (uint32_t unit = 0; unit < flash->units; unit++)
        flash->unit_protected[unit] = sector_protected(flash, nwrp, unit);
    uint32_t user = flash->options[F4_OPT_USER] | (halfword >> F7_NWRP_USER_HIGH_SHIFT) << F7_OPTCR_USER_HIGH_SHIFT;
    flash->optcr = F4_OPTCR_OPTLOCK | (user & user_mask(flash)) | ((uint32_t)rdp << F4_OPTCR_RDP_SHIFT) |
                   (nwrp << F4_OPTCR_NWRP_SHIFT);
}

static void f4_store_rdp(struct sim_flash *flash, unsigned level)
{
    flash->options[F4_OPT_RDP] = level == 0 ? F4_RDP_LEVEL0 : F4_RDP_LEVEL1;
}

static void store_nwrp(struct sim_flash *flash, uint32_t nwrp)
{
    uint32_t high = flash_load_le(flash->options + F4_OPT_NWRP, 2) & ~nwrp_mask(flash);
    flash_store_le(flash->options + F4_OPT_NWRP, high | (nwrp & nwrp_mask(flash)), 2);
}

static void f4_store_write_protection(struct sim_flash *flash, bool protect)
{
    store_nwrp(flash, protect ? 0 : nwrp_mask(flash));
}

static void f4_reset(struct sim_flash *flash)
{
    flash->cr = F4_CR_LOCK;
    flash->sr = 0;
    flash->key_state = FLASH_KEYS_NONE;
    flash->option_key_state = FLASH_KEYS_NONE;
}

/* EOP is only reported with EOPIE set (RM0090 §3.9.4). */
static void f4_operation_done(struct sim_flash *flash)
{
    if (flash->cr & F4_CR_EOPIE)
        flash->sr |= F4_SR_EOP;
}

static uint32_t f4_read_register(struct sim_flash *flash, uint32_t offset, uint64_t now_ps)
{
    switch (offset) {
    case F4_ACR:
        return flash->acr;
    case F4_SR:
        return flash->sr | (flash_busy(flash, now_ps) ? F4_SR_BSY : 0);
    case F4_CR:
        return flash->cr;
    case F4_OPTCR:
        return flash->optcr;
    default:
        return 0;
    }
}

static void erase_sector(struct sim_flash *flash, uint64_t now_ps)
{
    uint32_t sector = (flash->cr & F4_CR_SNB_MASK) >> F4_CR_SNB_SHIFT;
    uint32_t start, size;
    uint64_t erase_ps;
    if (!flash_unit_bounds(flash, sector, &start, &size, &erase_ps)) {
        flash->sr |= F4_SR_OPERR;
        return;
    }
    if (flash->unit_protected[sector] || flash_debug_locked(flash)) {
        flash->sr |= F4_SR_WRPERR;
        return;
    }
    flash_begin(flash, now_ps, erase_ps);
    flash_erase(flash, start, size);
}

static void erase_all(struct sim_flash *flash, uint64_t now_ps)
{
    if (flash_range_protected(flash, 0, flash->size) || flash_debug_locked(flash)) {
        flash->sr |= F4_SR_WRPERR;
        return;
    }
    flash_begin(flash, now_ps, flash_mass_erase_ps(flash));
    flash_erase_all(flash);
}

static void write_control(struct sim_flash *flash, uint32_t value, uint64_t now_ps)
{
    if (flash->cr & F4_CR_LOCK)
        return;
    flash->cr = (value & F4_CR_STORED) | (value & F4_CR_LOCK);
    if (!(value & F4_CR_STRT))
        return;
    bool sector = (value & F4_CR_SER) != 0, mass = (value & F4_CR_MER) != 0;
    if (sector && !mass)
        erase_sector(flash, now_ps);
    else if (mass && !sector)
        erase_all(flash, now_ps); /* MER with SER is no operation: nothing is erased */
}

/* OPTSTRT programs the option bytes from OPTCR; they are loaded at the next reset. */
static void program_options(struct sim_flash *flash, uint64_t now_ps)
{
    uint32_t start, size;
    uint64_t duration;
    flash_unit_bounds(flash, 0, &start, &size, &duration);
    uint8_t rdp = (uint8_t)(flash->optcr >> F4_OPTCR_RDP_SHIFT);
    if (flash->rdp_level == 1 && rdp == F4_RDP_LEVEL0) {
        duration += flash_mass_erase_ps(flash); /* leaving level 1 erases the secrets first */
        flash_erase_all(flash);
    }
    if (flash->rdp_level == 2)
        return; /* level 2 is final */
    flash_begin(flash, now_ps, duration);
    uint32_t user = flash->optcr & user_mask(flash);
    flash->options[F4_OPT_USER] = (uint8_t)user;
    flash->options[F4_OPT_RDP] = rdp;
    flash_store_le(flash->options + F4_OPT_NWRP,
                   ((flash->optcr >> F4_OPTCR_NWRP_SHIFT) & nwrp_mask(flash)) |
                       (user >> F7_OPTCR_USER_HIGH_SHIFT) << F7_NWRP_USER_HIGH_SHIFT,
                   2);
}

static void write_option_control(struct sim_flash *flash, uint32_t value, uint64_t now_ps)
{
    if (flash->optcr & F4_OPTCR_OPTLOCK)
        return;
    uint32_t stored = F4_OPTCR_RDP_MASK | nwrp_mask(flash) << F4_OPTCR_NWRP_SHIFT | user_mask(flash);
    flash->optcr = value & (stored | F4_OPTCR_OPTLOCK);
    if (value & F4_OPTCR_OPTSTRT)
        program_options(flash, now_ps);
}

static enum sim_bus_status f4_write_register(struct sim_flash *flash, uint32_t offset, uint32_t value,
                                             uint64_t now_ps)
{
    bool unlocked = false;
    enum sim_bus_status status = SIM_BUS_OK;
    switch (offset) {
    case F4_ACR:
        flash->acr = value & 0x1F0Fu;
        break;
    case F4_KEYR:
        if (!(flash->cr & F4_CR_LOCK))
            flash->key_state = FLASH_KEYS_LOCKED_OUT; /* a key while unlocked counts as a wrong one */
        status = flash_write_key(&flash->key_state, value, FLASH_KEY1, FLASH_KEY2, &unlocked);
        if (status != SIM_BUS_OK)
            flash->cr |= F4_CR_LOCK;
        if (unlocked)
            flash->cr &= ~F4_CR_LOCK;
        break;
    case F4_OPTKEYR:
        status = flash_write_key(&flash->option_key_state, value, FLASH_OPTKEY1_F4_L4, FLASH_OPTKEY2_F4_L4,
                                 &unlocked);
        if (unlocked)
            flash->optcr &= ~F4_OPTCR_OPTLOCK;
        break;
    case F4_SR:
        flash->sr &= ~(value & F4_SR_CLEARABLE);
        break;
    case F4_CR:
        write_control(flash, value, now_ps);
        break;
    case F4_OPTCR:
        write_option_control(flash, value, now_ps);
        break;
    default:
        break;
    }
    return status;
}

static enum sim_bus_status f4_write_array(struct sim_flash *flash, struct sim_bus_access *access)
{
    unsigned psize = (flash->cr & F4_CR_PSIZE_MASK) >> F4_CR_PSIZE_SHIFT;
    if (!(flash->cr & F4_CR_PG) || (flash->sr & F4_SR_PROGRAMMING_ERRORS)) {
        flash->sr |= F4_SR_PGSERR;
        return SIM_BUS_OK;
    }
    if (psize > 2 || access->size != 1u << psize) {
        flash->sr |= F4_SR_PGPERR;
        return SIM_BUS_OK;
    }
    if (flash_range_protected(flash, access->offset, access->size)) {
        flash->sr |= F4_SR_WRPERR;
        return SIM_BUS_OK;
    }
    uint8_t bytes[4];
    flash_store_le(bytes, access->value, access->size);
    flash_begin(flash, access->now_ps, flash_program_ps(flash));
    flash_store(flash, access->offset, bytes, access->size);
    return SIM_BUS_OK;
}

const struct flash_generation flash_generation_f4 = {
    .reset = f4_reset,
    .read_register = f4_read_register,
    .write_register = f4_write_register,
    .write_array = f4_write_array,
    .write_options = NULL,
    .operation_done = f4_operation_done,
    .factory_options = f4_factory_options,
    .load_options = f4_load_options,
    .store_rdp = f4_store_rdp,
    .store_write_protection = f4_store_write_protection,
    .programs_over_data = true,
    .debug_lock_refuses_all = true,
    .loads_options_at_system_reset = true,
    .erased_value = 0xFF,
};
