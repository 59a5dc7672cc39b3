/*
 * sim_flash_h7.c - the STM32H74x/H75x flash controller: RM0433 §4 (H743).
 *
 * Two banks, each with its own KEYR, CR, SR, CCR and WPSN registers (bank 2's 0x100 past bank 1's); ACR and the
 * option registers are shared. The program unit is a 256-bit flash word with ECC: stores with PG set go to the
 * bank's write buffer (WBNE while it holds part of a word), and the store that completes the word queues it for
 * programming (QW and BSY while it waits and programs). The buffer fills while the previous word programs; the
 * completing store waits for it (a stalled bus). A store into another word while the buffer holds part of one sets
 * INCERR, a byte stored twice STRBERR, clearing PG with a partial word PGSERR; FW programs a partial word padded
 * with 0xFF. A word that is not erased cannot be programmed (ECC): PGSERR, and the word is left as it was (silicon
 * would program it and report ECC errors on reads). Sector erase (SER, SNB) and bank erase (BER) with START;
 * flags are cleared in CCR. A wrong key, or a key while unlocked, is a bus error that locks the bank until reset.
 *
 * Option bytes: OPTKEYR unlocks OPTCR; OPTSR_PRG and WPSN_PRGxR hold the new values and OPTCR.OPTSTART programs
 * them (OPT_BUSY meanwhile); they take effect when it ends. Leaving level 1 erases both banks first; level 2 is
 * final (OPTCHANGEERR). Both banks share one busy time here: an operation in one bank waits for the other's.
 */
#include "sim_flash_internal.h"

#include <string.h>

/* Register offsets, RM0433 §4.9; bank-local ones repeat at +0x100 for bank 2 */
#define H7_ACR 0x00u
#define H7_KEYR 0x04u
#define H7_OPTKEYR 0x08u
#define H7_CR 0x0Cu
#define H7_SR 0x10u
#define H7_CCR 0x14u
#define H7_OPTCR 0x18u
#define H7_OPTSR_CUR 0x1Cu
#define H7_OPTSR_PRG 0x20u
#define H7_OPTCCR 0x24u
#define H7_WPSN_CUR 0x38u
#define H7_WPSN_PRG 0x3Cu
#define H7_BANK2 0x100u

#define H7_SR_BSY (1u << 0)
#define H7_SR_WBNE (1u << 1)
#define H7_SR_QW (1u << 2)
#define H7_SR_EOP (1u << 16)
#define H7_SR_WRPERR (1u << 17)
#define H7_SR_PGSERR (1u << 18)
#define H7_SR_STRBERR (1u << 19)
#define H7_SR_INCERR (1u << 21)
#define H7_SR_OPERR (1u << 22)
#define H7_SR_ERRORS (H7_SR_WRPERR | H7_SR_PGSERR | H7_SR_STRBERR | H7_SR_INCERR | H7_SR_OPERR)

#define H7_CR_LOCK (1u << 0)
#define H7_CR_PG (1u << 1)
#define H7_CR_SER (1u << 2)
#define H7_CR_BER (1u << 3)
#define H7_CR_PSIZE_X64 (3u << 4)
#define H7_CR_FW (1u << 6)
#define H7_CR_START (1u << 7)
#define H7_CR_SNB_SHIFT 8
#define H7_CR_SNB_MASK (7u << H7_CR_SNB_SHIFT)
#define H7_CR_STORED (H7_CR_PG | H7_CR_SER | H7_CR_BER | (3u << 4) | H7_CR_SNB_MASK)

#define H7_OPTCR_OPTLOCK (1u << 0)
#define H7_OPTCR_OPTSTART (1u << 1)
#define H7_OPTSR_OPT_BUSY (1u << 0)
#define H7_OPTSR_IWDG1_SW (1u << 4)
#define H7_OPTSR_RDP_SHIFT 8
#define H7_OPTSR_OPTCHANGEERR (1u << 30)
#define H7_OPTSR_STORED 0xA03EFFDCu /* USER bits and RDP */
#define H7_OPTSR_FACTORY 0x0006AAD0u /* IWDG1_SW, NRST_STOP_D1, NRST_STBY_D1, RDP 0xAA, FZ_IWDG_STOP/SDBY */
#define H7_RDP_LEVEL0 0xAAu
#define H7_RDP_LEVEL1 0x55u
#define H7_RDP_LEVEL2 0xCCu
#define H7_WORD 32u
#define H7_SECTORS 8u

/* The option area as the model keeps it: OPTSR's stored bits, then WPSN of bank 1 and 2. */
#define H7_OPT_OPTSR 0x0u
#define H7_OPT_WPSN 0x4u

static uint32_t *bank_cr(struct sim_flash *flash, unsigned bank)
{
    return bank ? &flash->cr2 : &flash->cr;
}

static uint32_t *bank_sr(struct sim_flash *flash, unsigned bank)
{
    return bank ? &flash->sr2 : &flash->sr;
}

static unsigned bank_of_offset(const struct sim_flash *flash, uint32_t array_offset)
{
    return array_offset >= flash->part->bank2_registers_from ? 1u : 0u;
}

static void h7_factory_options(struct sim_flash *flash)
{
    memset(flash->options, 0xFF, FLASH_OPTION_AREA_SIZE);
    flash_store_le(flash->options + H7_OPT_OPTSR, H7_OPTSR_FACTORY, 4);
}

static void h7_load_options(struct sim_flash *flash)
{
    uint32_t optsr = flash_load_le(flash->options + H7_OPT_OPTSR, 4) & H7_OPTSR_STORED;
    uint8_t rdp = (uint8_t)(optsr >> H7_OPTSR_RDP_SHIFT);
    flash->rdp_level = rdp == H7_RDP_LEVEL0 ? 0 : rdp == H7_RDP_LEVEL2 ? 2 : 1;
    flash->hardware_watchdog = (optsr & H7_OPTSR_IWDG1_SW) == 0;
    flash->loaded_optcr = optsr;
    flash->optsr_prg = optsr;
    for (unsigned bank = 0; bank < 2; bank++) {
        flash->wpsn_prg[bank] = flash->options[H7_OPT_WPSN + bank];
        for (unsigned sector = 0; sector < H7_SECTORS; sector++)
            flash->unit_protected[bank * H7_SECTORS + sector] = (flash->wpsn_prg[bank] & (1u << sector)) == 0;
    }
}

static void h7_store_rdp(struct sim_flash *flash, unsigned level)
{
    flash->options[H7_OPT_OPTSR + 1] = level == 0 ? H7_RDP_LEVEL0 : H7_RDP_LEVEL1;
}

static void h7_store_write_protection(struct sim_flash *flash, bool protect)
{
    flash->options[H7_OPT_WPSN] = flash->options[H7_OPT_WPSN + 1] = protect ? 0 : 0xFF;
}

static void h7_reset(struct sim_flash *flash)
{
    flash->cr = flash->cr2 = H7_CR_LOCK | H7_CR_PSIZE_X64;
    flash->sr = flash->sr2 = 0;
    flash->key_state = flash->key_state2 = flash->option_key_state = FLASH_KEYS_NONE;
    flash->optcr = H7_OPTCR_OPTLOCK;
    flash->word_filled = 0;
    flash->option_busy = false;
    flash->option_errors = 0;
}

static void h7_operation_done(struct sim_flash *flash)
{
    if (flash->option_busy) {
        flash->option_busy = false;
        h7_load_options(flash); /* the new option bytes take effect at once (RM0433 §4.4.3) */
        return;
    }
    *bank_sr(flash, flash->operation_in_bank2) |= H7_SR_EOP;
}

static uint32_t h7_read_register(struct sim_flash *flash, uint32_t offset, uint64_t now_ps)
{
    unsigned bank = offset >= H7_BANK2 && offset < 2 * H7_BANK2;
    uint32_t local = offset & (H7_BANK2 - 1);
    bool busy = flash_busy(flash, now_ps);
    bool this_bank = busy && !flash->option_busy && flash->operation_in_bank2 == bank;
    switch (local) {
    case H7_ACR: return flash->acr;
    case H7_CR: return *bank_cr(flash, bank);
    case H7_SR:
        return *bank_sr(flash, bank) | (this_bank ? H7_SR_BSY | H7_SR_QW : 0) |
               (flash->word_filled && bank_of_offset(flash, flash->word_offset) == bank ? H7_SR_WBNE : 0);
    case H7_OPTCR: return flash->optcr;
    case H7_OPTSR_CUR:
        return flash->loaded_optcr | flash->option_errors | (busy && flash->option_busy ? H7_OPTSR_OPT_BUSY : 0);
    case H7_OPTSR_PRG: return flash->optsr_prg;
    case H7_WPSN_CUR: return flash->options[H7_OPT_WPSN + bank];
    case H7_WPSN_PRG: return flash->wpsn_prg[bank];
    default: return 0;
    }
}

/* Programs the buffered word (bytes never stored read 0xFF) once the controller is free; the store that
 * completed it, if any, waits for that moment. */
static void program_word(struct sim_flash *flash, struct sim_bus_access *access, uint64_t now_ps)
{
    unsigned bank = bank_of_offset(flash, flash->word_offset);
    uint64_t start = now_ps > flash->busy_until_ps ? now_ps : flash->busy_until_ps;
    flash->word_filled = 0;
    if (access != NULL)
        access->done_ps = start;
    flash_settle(flash, start);
    if (!flash_is_erased(flash, flash->word_offset, H7_WORD)) {
        *bank_sr(flash, bank) |= H7_SR_PGSERR; /* ECC: a flash word is programmed once after an erase */
        return;
    }
    flash->operation_in_bank2 = bank;
    flash_begin(flash, start, flash_program_ps(flash));
    flash_store(flash, flash->word_offset, flash->word, H7_WORD);
}

static void erase(struct sim_flash *flash, unsigned bank, uint32_t start, uint32_t size, uint64_t duration,
                  uint64_t now_ps)
{
    if (flash_range_protected(flash, start, size) || flash_debug_locked(flash)) {
        *bank_sr(flash, bank) |= H7_SR_WRPERR;
        return;
    }
    flash->operation_in_bank2 = bank;
    flash_begin(flash, now_ps, duration);
    flash_erase(flash, start, size);
}

static void write_control(struct sim_flash *flash, unsigned bank, uint32_t value, uint64_t now_ps)
{
    uint32_t *cr = bank_cr(flash, bank);
    if (*cr & H7_CR_LOCK)
        return;
    bool partial = flash->word_filled && bank_of_offset(flash, flash->word_offset) == bank;
    if (partial && (value & H7_CR_FW))
        program_word(flash, NULL, now_ps); /* force-write: the rest of the word stays erased */
    else if (partial && !(value & H7_CR_PG)) {
        flash->word_filled = 0;
        *bank_sr(flash, bank) |= H7_SR_PGSERR; /* PG cleared with a partial word in the buffer */
    }
    *cr = (value & (H7_CR_STORED | H7_CR_LOCK));
    if (!(value & H7_CR_START))
        return;
    uint32_t bank_size = flash->size / 2;
    if (value & H7_CR_BER) {
        erase(flash, bank, bank * bank_size, bank_size, flash_mass_erase_ps(flash), now_ps);
    } else if (value & H7_CR_SER) {
        uint32_t start, size;
        uint64_t erase_ps;
        flash_unit_bounds(flash, bank * H7_SECTORS + ((value & H7_CR_SNB_MASK) >> H7_CR_SNB_SHIFT), &start, &size,
                          &erase_ps);
        erase(flash, bank, start, size, erase_ps, now_ps);
    }
}

/* OPTSTART: programs OPTSR_PRG and WPSN_PRGxR, in effect when it ends. */
static void program_options(struct sim_flash *flash, uint64_t now_ps)
{
    uint32_t start, size;
    uint64_t duration;
    flash_unit_bounds(flash, 0, &start, &size, &duration);
    uint8_t rdp = (uint8_t)(flash->optsr_prg >> H7_OPTSR_RDP_SHIFT);
    if (flash->rdp_level == 2) {
        flash->option_errors |= H7_OPTSR_OPTCHANGEERR; /* level 2 is final */
        return;
    }
    if (flash->rdp_level == 1 && rdp == H7_RDP_LEVEL0) {
        duration += 2 * flash_mass_erase_ps(flash); /* leaving level 1 erases both banks first */
        flash_erase_all(flash);
    }
    flash->option_busy = true;
    flash_begin(flash, now_ps, duration);
    flash_store_le(flash->options + H7_OPT_OPTSR, flash->optsr_prg & H7_OPTSR_STORED, 4);
    flash->options[H7_OPT_WPSN] = (uint8_t)flash->wpsn_prg[0];
    flash->options[H7_OPT_WPSN + 1] = (uint8_t)flash->wpsn_prg[1];
}

static enum sim_bus_status write_key(struct sim_flash *flash, unsigned bank, uint32_t value)
{
    enum flash_key_state *state = bank ? &flash->key_state2 : &flash->key_state;
    uint32_t *cr = bank_cr(flash, bank);
    bool unlocked = false;
    if (!(*cr & H7_CR_LOCK))
        *state = FLASH_KEYS_LOCKED_OUT; /* a key while unlocked counts as a wrong one */
    enum sim_bus_status status = flash_write_key(state, value, FLASH_KEY1, FLASH_KEY2, &unlocked);
    if (status != SIM_BUS_OK)
        *cr |= H7_CR_LOCK;
    if (unlocked)
        *cr &= ~H7_CR_LOCK;
    return status;
}

static enum sim_bus_status h7_write_register(struct sim_flash *flash, uint32_t offset, uint32_t value,
                                             uint64_t now_ps)
{
    unsigned bank = offset >= H7_BANK2 && offset < 2 * H7_BANK2;
    bool unlocked = false;
    bool options_open = !(flash->optcr & H7_OPTCR_OPTLOCK);
    switch (offset & (H7_BANK2 - 1)) {
    case H7_ACR: flash->acr = value & 0x3Fu; break;
    case H7_KEYR: return write_key(flash, bank, value);
    case H7_OPTKEYR: {
        enum sim_bus_status status = flash_write_key(&flash->option_key_state, value, FLASH_OPTKEY1_F4_L4,
                                                     FLASH_OPTKEY2_F4_L4, &unlocked);
        if (unlocked)
            flash->optcr &= ~H7_OPTCR_OPTLOCK;
        return status;
    }
    case H7_CR: write_control(flash, bank, value, now_ps); break;
    case H7_CCR: *bank_sr(flash, bank) &= ~(value & (H7_SR_EOP | H7_SR_ERRORS)); break;
    case H7_OPTCR:
        if (!options_open)
            break;
        flash->optcr = value & H7_OPTCR_OPTLOCK;
        if (value & H7_OPTCR_OPTSTART)
            program_options(flash, now_ps);
        break;
    case H7_OPTSR_PRG:
        if (options_open)
            flash->optsr_prg = value & H7_OPTSR_STORED;
        break;
    case H7_OPTCCR: flash->option_errors &= ~(value & H7_OPTSR_OPTCHANGEERR); break;
    case H7_WPSN_PRG:
        if (options_open)
            flash->wpsn_prg[bank] = value & 0xFFu;
        break;
    default: break;
    }
    return SIM_BUS_OK;
}

static enum sim_bus_status h7_write_array(struct sim_flash *flash, struct sim_bus_access *access)
{
    unsigned bank = bank_of_offset(flash, access->offset);
    uint32_t *sr = bank_sr(flash, bank);
    uint32_t word = access->offset & ~(H7_WORD - 1u), byte = access->offset - word;
    uint32_t mask = (access->size == 4 ? 0xFu : (1u << access->size) - 1u) << byte;
    if (!(*bank_cr(flash, bank) & H7_CR_PG) || (*sr & H7_SR_ERRORS)) {
        *sr |= H7_SR_PGSERR;
        return SIM_BUS_OK;
    }
    if (flash_range_protected(flash, access->offset, access->size)) {
        *sr |= H7_SR_WRPERR;
        return SIM_BUS_OK;
    }
    if (flash->word_filled && (word != flash->word_offset || (flash->word_filled & mask))) {
        *sr |= word != flash->word_offset ? H7_SR_INCERR : H7_SR_STRBERR;
        flash->word_filled = 0;
        return SIM_BUS_OK;
    }
    if (!flash->word_filled) {
        flash->word_offset = word;
        memset(flash->word, 0xFF, sizeof flash->word);
    }
    flash_store_le(flash->word + byte, access->value, access->size);
    flash->word_filled |= mask;
    if (flash->word_filled == UINT32_MAX)
        program_word(flash, access, access->now_ps);
    return SIM_BUS_OK;
}

const struct flash_generation flash_generation_h7 = {
    .reset = h7_reset,
    .read_register = h7_read_register,
    .write_register = h7_write_register,
    .write_array = h7_write_array,
    .write_options = NULL,
    .operation_done = h7_operation_done,
    .factory_options = h7_factory_options,
    .load_options = h7_load_options,
    .store_rdp = h7_store_rdp,
    .store_write_protection = h7_store_write_protection,
    .programs_over_data = false,
    .debug_lock_refuses_all = true,
    .loads_options_at_system_reset = true,
    .buffers_writes = true,
    .erased_value = 0xFF,
};
