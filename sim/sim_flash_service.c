/*
 * sim_flash_service.c - the flash as the ROM bootloader reaches it: code running from system memory that unlocks
 * the controller, programs, erases and changes option bytes. The same rules and timings as the register path, in
 * one call each; every operation begins when the controller is free and reports when it ends.
 */
#include "sim_flash_internal.h"

#include <string.h>

static uint64_t start_time(const struct sim_flash *flash, uint64_t now_ps)
{
    return now_ps > flash->busy_until_ps ? now_ps : flash->busy_until_ps;
}

static bool unit_programmable(const struct sim_flash *flash, uint32_t offset, const uint8_t *bytes, unsigned len)
{
    if (flash_range_protected(flash, offset, len))
        return false;
    if (flash->generation->programs_over_data || flash_is_erased(flash, offset, len))
        return true;
    for (unsigned i = 0; i < len; i++) {
        if (bytes[i] != 0)
            return false;
    }
    return true;
}

/* Programs whole program units; a partial last unit is padded with the erased value, which leaves those bytes
 * erased. */
bool sim_flash_program(struct sim_flash *flash, uint32_t addr, const uint8_t *data, uint32_t len, uint64_t now_ps,
                       uint64_t *done_ps)
{
    unsigned unit = flash->part->program_unit;
    uint32_t offset = addr - SIM_FLASH_BASE;
    uint64_t t = start_time(flash, now_ps);
    *done_ps = t;
    if (addr < SIM_FLASH_BASE || offset >= flash->size || len > flash->size - offset || offset % unit != 0)
        return false;
    for (uint32_t done = 0; done < len; done += unit) {
        uint8_t bytes[32]; /* the largest program unit (H7) */
        memset(bytes, flash->generation->erased_value, sizeof bytes);
        memcpy(bytes, data + done, len - done < unit ? len - done : unit);
        if (!unit_programmable(flash, offset + done, bytes, unit)) {
            *done_ps = t;
            return false;
        }
        flash_begin(flash, t, flash_program_ps(flash));
        flash_store(flash, offset + done, bytes, unit);
        t = flash->busy_until_ps;
    }
    *done_ps = t;
    return true;
}

bool sim_flash_erase_unit(struct sim_flash *flash, uint32_t unit, uint64_t now_ps, uint64_t *done_ps)
{
    uint32_t start, size;
    uint64_t erase_ps;
    *done_ps = start_time(flash, now_ps);
    if (!flash_unit_bounds(flash, unit, &start, &size, &erase_ps) || flash->unit_protected[unit])
        return false;
    flash_begin(flash, *done_ps, erase_ps);
    flash_erase(flash, start, size);
    *done_ps = flash->busy_until_ps;
    return true;
}

bool sim_flash_mass_erase(struct sim_flash *flash, uint64_t now_ps, uint64_t *done_ps)
{
    *done_ps = start_time(flash, now_ps);
    if (flash_range_protected(flash, 0, flash->size))
        return false;
    flash_begin(flash, *done_ps, flash_mass_erase_ps(flash));
    flash_erase_all(flash);
    *done_ps = flash->busy_until_ps;
    return true;
}

/* A bank erase takes a mass erase's time on the dual-bank parts (RM0351: MER1/MER2, tME). */
bool sim_flash_erase_bank(struct sim_flash *flash, unsigned bank, uint64_t now_ps, uint64_t *done_ps)
{
    uint32_t size = flash->size / 2;
    *done_ps = start_time(flash, now_ps);
    if (!flash->part->dual_bank || bank > 1 || flash_range_protected(flash, bank * size, size))
        return false;
    flash_begin(flash, *done_ps, flash_mass_erase_ps(flash));
    flash_erase(flash, bank * size, size);
    *done_ps = flash->busy_until_ps;
    return true;
}

static void option_change(struct sim_flash *flash, uint64_t start, uint64_t extra_ps, uint64_t *done_ps)
{
    uint32_t unit_start, unit_size;
    uint64_t erase_ps;
    flash_unit_bounds(flash, 0, &unit_start, &unit_size, &erase_ps);
    flash_begin(flash, start, erase_ps + extra_ps);
    *done_ps = flash->busy_until_ps;
}

bool sim_flash_set_rdp(struct sim_flash *flash, unsigned level, uint64_t now_ps, uint64_t *done_ps)
{
    uint64_t start = start_time(flash, now_ps);
    uint64_t extra = 0;
    *done_ps = start;
    if (level > 1 || flash->rdp_level == 2)
        return false;
    if (level == 0 && flash->rdp_level > 0) {
        extra = flash_mass_erase_ps(flash); /* leaving level 1 erases the secrets first */
        flash_erase_all(flash);
        flash_erase_eeprom(flash);
    }
    flash->generation->store_rdp(flash, level);
    option_change(flash, start, extra, done_ps);
    return true;
}

bool sim_flash_set_write_protection(struct sim_flash *flash, bool protect, uint64_t now_ps, uint64_t *done_ps)
{
    uint64_t start = start_time(flash, now_ps);
    flash->generation->store_write_protection(flash, protect);
    option_change(flash, start, 0, done_ps);
    return true;
}
