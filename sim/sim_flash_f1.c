/*
 * sim_flash_f1.c - the F0/F1/F3 flash controller (FPEC): RM0008 §3 and PM0075 (F1), RM0360/RM0091 §3 (F0), RM0316 §4
 * (F3, which has F0's option bytes: RDP 0xAA/0xCC, FLASH_OBR with USER at 15:8, OBL_LAUNCH; RM0316 §4.5.8).
 *
 * Halfword programming only (any other width is a bus error), PGERR on a halfword that is not erased unless the
 * value is 0x0000, WRPRTERR on protected pages, page and mass erase with STRT. Option bytes at 0x1FFFF800 are
 * halfwords holding a byte and its complement; they are programmed with OPTPG through the bus and erased with
 * OPTER. Removing read protection (programming the RDP key) mass-erases the main array first.
 *
 * XL density (sim_part.bank2_registers_from): bank 2 has its own KEYR2, SR2, CR2 and AR2; its pages are erased and
 * programmed only through them, bank 1's only through the first set, and MER erases the bank of its CR. Option
 * bytes stay bank 1's. Simplification: one BSY for both banks (silicon runs them apart); a programmer that waits
 * for the bank it started sees the same.
 */
#include "sim_flash_internal.h"

/* Register offsets, RM0008 §3.4 */
#define F1_ACR 0x00u
#define F1_KEYR 0x04u
#define F1_OPTKEYR 0x08u
#define F1_SR 0x0Cu
#define F1_CR 0x10u
#define F1_AR 0x14u
#define F1_OBR 0x1Cu
#define F1_WRPR 0x20u
/* XL density, bank 2 (RM0008 §3.4, PM0068): KEYR2, SR2, CR2, AR2 at bank 1's offsets + 0x40. */
#define F1_BANK2 0x40u
#define F1_KEYR2 (F1_KEYR + F1_BANK2)
#define F1_SR2   (F1_SR + F1_BANK2)
#define F1_CR2   (F1_CR + F1_BANK2)
#define F1_AR2   (F1_AR + F1_BANK2)

#define F1_SR_BSY (1u << 0)
#define F1_SR_PGERR (1u << 2)
#define F1_SR_WRPRTERR (1u << 4)
#define F1_SR_EOP (1u << 5)
#define F1_SR_CLEARABLE (F1_SR_PGERR | F1_SR_WRPRTERR | F1_SR_EOP)

#define F1_CR_PG (1u << 0)
#define F1_CR_PER (1u << 1)
#define F1_CR_MER (1u << 2)
#define F1_CR_OPTPG (1u << 4)
#define F1_CR_OPTER (1u << 5)
#define F1_CR_STRT (1u << 6)
#define F1_CR_LOCK (1u << 7)
#define F1_CR_OPTWRE (1u << 9)
#define F1_CR_ERRIE (1u << 10)
#define F1_CR_EOPIE (1u << 12)
#define F1_CR_OBL_LAUNCH (1u << 13) /* F0/F3 only */
#define F1_CR_STORED (F1_CR_PG | F1_CR_PER | F1_CR_MER | F1_CR_OPTPG | F1_CR_OPTER | F1_CR_ERRIE | F1_CR_EOPIE)

#define F1_OBR_OPTERR (1u << 0)
#define F1_OBR_RDPRT (1u << 1)
/* F0 and F3 (RM0360 §3.5.7, RM0316 §4.5.8): RDPRT[2:1] (01 level 1, 11 level 2), USER at 15:8, Data0 at 23:16,
 * Data1 at 31:24; F1 (RM0008 §3.4.6): RDPRT bit 1, USER at 9:2, Data0 at 17:10, Data1 at 25:18. */
#define F0_OBR_RDPRT_LEVEL2 (3u << 1)

/* Option byte area: RDP, USER, Data0, Data1, WRP0..WRP3, each a byte and its complement (RM0008 §2.5). */
#define F1_OPT_RDP 0x0u
#define F1_OPT_USER 0x2u
#define F1_USER_WDG_SW 0x01u
#define F1_OPT_DATA0 0x4u
#define F1_OPT_DATA1 0x6u
#define F1_OPT_WRP0 0x8u
#define F1_OPT_COUNT 8u
#define F1_RDP_LEVEL0_F1 0xA5u
#define F1_RDP_LEVEL0_F0 0xAAu
#define F1_RDP_LEVEL2_F0 0xCCu
#define F1_RDP_LEVEL1 0x00u

/* Each WRP bit guards 4 KB (4 pages of 1 KB or 2 of 2 KB); bit 31 guards everything above. */
#define F1_WRP_BIT_BYTES 4096u

/* F0 and F3: the option byte layout, level 2 and OBL_LAUNCH of the F0 controller. */
static bool is_f0(const struct sim_flash *flash)
{
    return flash->part->family == SIM_FAMILY_F0 || flash->part->family == SIM_FAMILY_F3;
}

static uint8_t rdp_level0_key(const struct sim_flash *flash)
{
    return is_f0(flash) ? F1_RDP_LEVEL0_F0 : F1_RDP_LEVEL0_F1;
}

static bool locked(const struct sim_flash *flash)
{
    return (flash->cr & F1_CR_LOCK) != 0;
}

/* One bank's registers: bank 0 the first set, bank 1 the XL density's second. */
struct f1_bank {
    uint32_t *cr, *sr, *ar;
    enum flash_key_state *keys;
    uint32_t start, end; /* array offsets it erases and programs */
};

static bool has_bank2(const struct sim_flash *flash)
{
    return flash->part->bank2_registers_from != 0 && flash->part->bank2_registers_from < flash->size;
}

static struct f1_bank bank_registers(struct sim_flash *flash, unsigned bank)
{
    uint32_t split = has_bank2(flash) ? flash->part->bank2_registers_from : flash->size;
    if (bank == 0)
        return (struct f1_bank){&flash->cr, &flash->sr, &flash->ar, &flash->key_state, 0, split};
    return (struct f1_bank){&flash->cr2, &flash->sr2, &flash->ar2, &flash->key_state2, split, flash->size};
}

static unsigned bank_of_offset(const struct sim_flash *flash, uint32_t offset)
{
    return has_bank2(flash) && offset >= flash->part->bank2_registers_from ? 1u : 0u;
}

static void f1_factory_options(struct sim_flash *flash)
{
    for (unsigned i = 0; i < F1_OPT_COUNT; i++)
        flash_option_halfword_store(flash, 2 * i, 0xFF);
    flash_option_halfword_store(flash, F1_OPT_RDP, rdp_level0_key(flash));
}

static uint8_t valid_option_or_erased(const struct sim_flash *flash, uint32_t offset)
{
    return flash_option_halfword_valid(flash, offset) ? flash->options[offset] : 0xFF;
}

static uint32_t loaded_wrp(const struct sim_flash *flash)
{
    uint32_t wrp = 0;
    for (unsigned i = 0; i < 4; i++)
        wrp |= (uint32_t)valid_option_or_erased(flash, F1_OPT_WRP0 + 2 * i) << (8 * i);
    return wrp;
}

static void f1_load_options(struct sim_flash *flash)
{
    uint8_t rdp = flash->options[F1_OPT_RDP];
    if (!flash_option_halfword_valid(flash, F1_OPT_RDP))
        flash->rdp_level = 1;
    else if (rdp == rdp_level0_key(flash))
        flash->rdp_level = 0;
    else if (is_f0(flash) && rdp == F1_RDP_LEVEL2_F0)
        flash->rdp_level = 2;
    else
        flash->rdp_level = 1;

    flash->hardware_watchdog = (valid_option_or_erased(flash, F1_OPT_USER) & F1_USER_WDG_SW) == 0;
    flash->wrp_areas[0] = loaded_wrp(flash);
    uint32_t units_per_bit = F1_WRP_BIT_BYTES / flash->part->erase_runs[0].size;
    for (uint32_t unit = 0; unit < flash->units; unit++) {
        uint32_t bit = unit / units_per_bit < 31 ? unit / units_per_bit : 31;
        flash->unit_protected[unit] = (flash->wrp_areas[0] & (1u << bit)) == 0;
    }
}

static void f1_store_rdp(struct sim_flash *flash, unsigned level)
{
    flash_option_halfword_store(flash, F1_OPT_RDP, level == 0 ? rdp_level0_key(flash) : F1_RDP_LEVEL1);
}

static void f1_store_write_protection(struct sim_flash *flash, bool protect)
{
    for (unsigned i = 0; i < 4; i++)
        flash_option_halfword_store(flash, F1_OPT_WRP0 + 2 * i, protect ? 0x00 : 0xFF);
}

static void f1_reset(struct sim_flash *flash)
{
    flash->cr = F1_CR_LOCK;
    flash->sr = 0;
    flash->ar = 0;
    flash->key_state = FLASH_KEYS_NONE;
    flash->cr2 = F1_CR_LOCK;
    flash->sr2 = 0;
    flash->ar2 = 0;
    flash->key_state2 = FLASH_KEYS_NONE;
    flash->operation_in_bank2 = false;
    flash->option_key_state = FLASH_KEYS_NONE;
    flash->options_write_enabled = false;
}

static void f1_operation_done(struct sim_flash *flash)
{
    if (flash->operation_in_bank2)
        flash->sr2 |= F1_SR_EOP;
    else
        flash->sr |= F1_SR_EOP;
}

/* Every operation starts here, so that its end is reported in its bank's SR. */
static void begin_in_bank(struct sim_flash *flash, unsigned bank, uint64_t now_ps, uint64_t duration_ps)
{
    flash->operation_in_bank2 = bank == 1;
    flash_begin(flash, now_ps, duration_ps);
}

/* An erased halfword (0xFFFF) reads as 0xFF without an error; only a byte that does not match its complement is
 * OPTERR. */
static bool option_halfword_erased(const struct sim_flash *flash, uint32_t offset)
{
    return flash->options[offset] == 0xFF && flash->options[offset + 1] == 0xFF;
}

static uint32_t option_byte_register(const struct sim_flash *flash)
{
    uint32_t obr = 0;
    for (unsigned i = 0; i < F1_OPT_COUNT; i++) {
        if (!flash_option_halfword_valid(flash, 2 * i) && !option_halfword_erased(flash, 2 * i))
            obr |= F1_OBR_OPTERR;
    }
    unsigned user_shift = is_f0(flash) ? 8 : 2;
    if (flash->rdp_level > 0)
        obr |= is_f0(flash) && flash->rdp_level == 2 ? F0_OBR_RDPRT_LEVEL2 : F1_OBR_RDPRT;
    obr |= (uint32_t)valid_option_or_erased(flash, F1_OPT_USER) << user_shift;
    obr |= (uint32_t)valid_option_or_erased(flash, F1_OPT_DATA0) << (user_shift + 8);
    obr |= (uint32_t)valid_option_or_erased(flash, F1_OPT_DATA1) << (user_shift + 16);
    return obr;
}

static uint32_t f1_read_register(struct sim_flash *flash, uint32_t offset, uint64_t now_ps)
{
    switch (offset) {
    case F1_ACR:
        return flash->acr;
    case F1_SR:
        return flash->sr | (flash_busy(flash, now_ps) ? F1_SR_BSY : 0);
    case F1_CR:
        return flash->cr | (flash->options_write_enabled ? F1_CR_OPTWRE : 0);
    case F1_AR:
        return flash->ar;
    case F1_OBR:
        return option_byte_register(flash);
    case F1_WRPR:
        return flash->wrp_areas[0];
    case F1_SR2: return has_bank2(flash) ? flash->sr2 | (flash_busy(flash, now_ps) ? F1_SR_BSY : 0) : 0;
    case F1_CR2: return has_bank2(flash) ? flash->cr2 : 0;
    case F1_AR2: return has_bank2(flash) ? flash->ar2 : 0;
    default:
        return 0;
    }
}

/* Read protection (PM0075 §2.4.1): the first 4 KB are write-protected whoever writes, and with a debugger connected
 * (or a boot from SRAM) program and page erase are refused everywhere; a mass erase still works. */
#define F1_RDP_PROTECTED_BYTES 0x1000u

static bool read_protection_refuses(const struct sim_flash *flash, uint32_t offset)
{
    return flash_debug_locked(flash) || (flash->rdp_level > 0 && offset < F1_RDP_PROTECTED_BYTES);
}

/* A page outside the bank whose registers asked erases nothing. */
static void erase_page(struct sim_flash *flash, unsigned bank, uint64_t now_ps)
{
    struct f1_bank registers = bank_registers(flash, bank);
    uint32_t unit, start, size;
    uint64_t erase_ps;
    uint32_t offset = *registers.ar - SIM_FLASH_BASE;
    if (offset < registers.start || offset >= registers.end || !flash_unit_of(flash, offset, &unit) ||
        !flash_unit_bounds(flash, unit, &start, &size, &erase_ps))
        return; /* AR outside the bank: nothing to erase */
    if (flash->unit_protected[unit] || read_protection_refuses(flash, start)) {
        *registers.sr |= F1_SR_WRPRTERR;
        return;
    }
    begin_in_bank(flash, bank, now_ps, erase_ps);
    flash_erase(flash, start, size);
}

static void erase_all(struct sim_flash *flash, unsigned bank, uint64_t now_ps)
{
    struct f1_bank registers = bank_registers(flash, bank);
    if (flash_range_protected(flash, registers.start, registers.end - registers.start)) {
        *registers.sr |= F1_SR_WRPRTERR;
        return;
    }
    begin_in_bank(flash, bank, now_ps, flash_mass_erase_ps(flash));
    if (registers.start == 0 && registers.end == flash->size)
        flash_erase_all(flash);
    else
        flash_erase(flash, registers.start, registers.end - registers.start);
}

static void erase_options(struct sim_flash *flash, uint64_t now_ps)
{
    uint32_t start, size;
    uint64_t erase_ps;
    flash_unit_bounds(flash, 0, &start, &size, &erase_ps);
    begin_in_bank(flash, 0, now_ps, erase_ps);
    for (unsigned i = 0; i < FLASH_OPTION_AREA_SIZE; i++)
        flash->options[i] = 0xFF;
}

static void start_operation(struct sim_flash *flash, unsigned bank, uint64_t now_ps)
{
    uint32_t cr = *bank_registers(flash, bank).cr;
    if (cr & F1_CR_PER)
        erase_page(flash, bank, now_ps);
    else if (cr & F1_CR_MER)
        erase_all(flash, bank, now_ps);
    else if (bank == 0 && (cr & F1_CR_OPTER) && flash->options_write_enabled)
        erase_options(flash, now_ps);
}

static void write_control(struct sim_flash *flash, uint32_t value, uint64_t now_ps)
{
    if (locked(flash))
        return; /* CR is write-protected until the key sequence */
    flash->cr = value & F1_CR_STORED;
    if (!(value & F1_CR_OPTWRE))
        flash->options_write_enabled = false;
    if (value & F1_CR_LOCK) {
        flash->cr |= F1_CR_LOCK;
        flash->options_write_enabled = false;
    }
    if (value & F1_CR_STRT)
        start_operation(flash, 0, now_ps);
    if ((value & F1_CR_OBL_LAUNCH) && is_f0(flash))
        flash_request_reset(flash, now_ps);
}

/* CR2 has no option bits (PM0068). */
static void write_control2(struct sim_flash *flash, uint32_t value, uint64_t now_ps)
{
    if (flash->cr2 & F1_CR_LOCK)
        return;
    flash->cr2 = (value & (F1_CR_PG | F1_CR_PER | F1_CR_MER | F1_CR_ERRIE | F1_CR_EOPIE)) | (value & F1_CR_LOCK);
    if (value & F1_CR_STRT)
        start_operation(flash, 1, now_ps);
}

static enum sim_bus_status f1_write_register(struct sim_flash *flash, uint32_t offset, uint32_t value,
                                             uint64_t now_ps)
{
    bool unlocked = false;
    enum sim_bus_status status = SIM_BUS_OK;
    switch (offset) {
    case F1_ACR:
        flash->acr = value & 0x1Fu;
        break;
    case F1_KEYR:
        status = flash_write_key(&flash->key_state, value, FLASH_KEY1, FLASH_KEY2, &unlocked);
        if (unlocked)
            flash->cr &= ~F1_CR_LOCK;
        break;
    case F1_OPTKEYR:
        if (locked(flash))
            break;
        status = flash_write_key(&flash->option_key_state, value, FLASH_KEY1, FLASH_KEY2, &unlocked);
        if (unlocked)
            flash->options_write_enabled = true;
        break;
    case F1_SR:
        flash->sr &= ~(value & F1_SR_CLEARABLE);
        break;
    case F1_CR:
        write_control(flash, value, now_ps);
        break;
    case F1_AR:
        flash->ar = value;
        break;
    default:
        if (!has_bank2(flash))
            break;
        if (offset == F1_KEYR2) {
            status = flash_write_key(&flash->key_state2, value, FLASH_KEY1, FLASH_KEY2, &unlocked);
            if (unlocked)
                flash->cr2 &= ~F1_CR_LOCK;
        } else if (offset == F1_SR2) {
            flash->sr2 &= ~(value & F1_SR_CLEARABLE);
        } else if (offset == F1_CR2) {
            write_control2(flash, value, now_ps);
        } else if (offset == F1_AR2) {
            flash->ar2 = value;
        }
        break;
    }
    return status;
}

/* A halfword is programmed through the registers of its bank, with that bank's PG. */
static enum sim_bus_status f1_write_array(struct sim_flash *flash, struct sim_bus_access *access)
{
    unsigned bank = bank_of_offset(flash, access->offset);
    struct f1_bank registers = bank_registers(flash, bank);
    if (!(*registers.cr & F1_CR_PG) || access->size != 2)
        return SIM_BUS_ERROR;
    if (flash_range_protected(flash, access->offset, 2) || read_protection_refuses(flash, access->offset)) {
        *registers.sr |= F1_SR_WRPRTERR;
        return SIM_BUS_OK;
    }
    uint8_t bytes[2] = {(uint8_t)access->value, (uint8_t)(access->value >> 8)};
    if (!flash_is_erased(flash, access->offset, 2) && (access->value & 0xFFFFu) != 0) {
        *registers.sr |= F1_SR_PGERR;
        return SIM_BUS_OK;
    }
    begin_in_bank(flash, bank, access->now_ps, flash_program_ps(flash));
    flash_store(flash, access->offset, bytes, 2);
    return SIM_BUS_OK;
}

/* OPTPG: the low byte is programmed, the hardware writes its complement (RM0008 §2.5). */
static enum sim_bus_status f1_write_options(struct sim_flash *flash, const struct sim_bus_access *access)
{
    if (!(flash->cr & F1_CR_OPTPG) || !flash->options_write_enabled || access->size != 2 ||
        access->offset >= 2 * F1_OPT_COUNT)
        return SIM_BUS_ERROR;
    if (flash->options[access->offset] != 0xFF || flash->options[access->offset + 1] != 0xFF) {
        flash->sr |= F1_SR_PGERR;
        return SIM_BUS_OK;
    }
    uint64_t duration = flash_program_ps(flash);
    uint8_t value = (uint8_t)access->value;
    if (access->offset == F1_OPT_RDP && value == rdp_level0_key(flash) && flash->rdp_level > 0) {
        duration += flash_mass_erase_ps(flash); /* leaving level 1 erases the secrets first */
        flash_erase_all(flash);
    }
    begin_in_bank(flash, 0, access->now_ps, duration);
    flash_option_halfword_store(flash, access->offset, value);
    return SIM_BUS_OK;
}

const struct flash_generation flash_generation_f1 = {
    .reset = f1_reset,
    .read_register = f1_read_register,
    .write_register = f1_write_register,
    .write_array = f1_write_array,
    .write_options = f1_write_options,
    .operation_done = f1_operation_done,
    .factory_options = f1_factory_options,
    .load_options = f1_load_options,
    .store_rdp = f1_store_rdp,
    .store_write_protection = f1_store_write_protection,
    .programs_over_data = false,
    .loads_options_at_system_reset = true,
    .erased_value = 0xFF,
};
