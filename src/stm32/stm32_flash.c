/*
 * stm32_flash.c - what the flash drivers of the generations share.
 */
#include "stm32/stm32_flash.h"

#include <stdio.h>
#include <string.h>

#define WAIT_MARGIN_US 100000u
#define MAX_POLL_PAUSE_US 1000u

uint32_t stm32_flash_register(const struct stm32_target *target, uint32_t offset)
{
    return target->part->line->flash_controller + offset;
}

enum status stm32_flash_read_rdp_byte(struct stm32_target *target, uint32_t offset, unsigned shift, unsigned *level)
{
    uint32_t value = 0;
    enum status status = adi_mem_read32(target->ap, stm32_flash_register(target, offset), &value);
    uint8_t rdp = (uint8_t)(value >> shift);
    if (status == STATUS_OK)
        *level = rdp == 0xAAu ? 0 : rdp == 0xCCu ? 2 : 1;
    return status;
}

unsigned stm32_flash_bank_count(const struct stm32_target *target)
{
    uint32_t bank2 = target->part->line->bank2_base;
    return bank2 != 0 && target->memory.flash.base + target->flash_size > bank2 ? 2u : 1u;
}

unsigned stm32_flash_bank_of(const struct stm32_target *target, uint32_t address)
{
    return stm32_flash_bank_count(target) == 2 && address >= target->part->line->bank2_base ? 1u : 0u;
}

uint64_t stm32_flash_bank_end(const struct stm32_target *target, uint32_t address)
{
    uint32_t bank2 = target->part->line->bank2_base;
    return stm32_flash_bank_count(target) == 2 && address < bank2 ? bank2 : (uint64_t)UINT32_MAX + 1u;
}

uint32_t stm32_flash_bank_register(const struct stm32_target *target, unsigned bank, uint32_t offset)
{
    return stm32_flash_register(target, offset + bank * target->part->line->bank2_registers);
}

enum status stm32_flash_check_errors(struct stm32_target *target, const struct stm32_flash_status_register *sr,
                                     uint32_t value, const char *doing)
{
    for (const struct stm32_flash_error_flag *flag = sr->errors; flag->mask != 0; flag++) {
        if (value & flag->mask)
            return status_fail(target->report, flag->status, "%s: %s (SR 0x%08lX)", doing, flag->name,
                               (unsigned long)value);
    }
    return STATUS_OK;
}

/* Pauses between polls are a fraction of the expected time: short operations are polled at once, an erase of tens
 * of milliseconds about every millisecond. */
enum status stm32_flash_wait(struct stm32_target *target, const struct stm32_flash_status_register *sr,
                             uint32_t expected_us, const char *doing, uint32_t *value)
{
    const struct hal_system *system = target->system;
    uint64_t deadline = system->now_us(system->ctx) + 4ull * expected_us + WAIT_MARGIN_US;
    uint32_t pause = expected_us / 64 < MAX_POLL_PAUSE_US ? expected_us / 64 : MAX_POLL_PAUSE_US;
    uint32_t sr_value;
    for (;;) {
        enum status status = adi_mem_read32(target->ap, stm32_flash_register(target, sr->offset), &sr_value);
        if (status != STATUS_OK)
            return status;
        if (!(sr_value & sr->busy))
            break;
        if (system->now_us(system->ctx) > deadline)
            return status_fail(target->report, STATUS_TIMEOUT, "%s: the flash stayed busy for over %lu ms", doing,
                               (unsigned long)((4ull * expected_us + WAIT_MARGIN_US) / 1000));
        status = stm32_yield(target, doing);
        if (status != STATUS_OK)
            return status;
        if (pause)
            system->delay_us(system->ctx, pause);
    }
    if (value != NULL)
        *value = sr_value;
    return stm32_flash_check_errors(target, sr, sr_value, doing);
}

enum status stm32_flash_unlock_with_keys(struct stm32_target *target, uint32_t key_register, uint32_t control,
                                         uint32_t locked_mask, uint32_t key1, uint32_t key2)
{
    uint32_t value;
    enum status status = adi_mem_read32(target->ap, control, &value);
    if (status != STATUS_OK || !(value & locked_mask))
        return status;
    status = adi_mem_write32(target->ap, key_register, key1);
    if (status == STATUS_OK)
        status = adi_mem_write32(target->ap, key_register, key2);
    if (status == STATUS_BUS_ERROR)
        return status_fail(target->report, STATUS_FLASH_PROTECTED,
                           "unlocking the flash controller: the key was refused, which locks it until the next reset "
                           "(run `airswd reset` and try again)");
    if (status == STATUS_OK)
        status = adi_mem_read32(target->ap, control, &value);
    if (status == STATUS_OK && (value & locked_mask))
        return status_fail(target->report, STATUS_FLASH_PROTECTED,
                           "unlocking the flash controller: still locked after the keys (a wrong key earlier locks it "
                           "until the next reset: run `airswd reset` and try again)");
    return status;
}

static bool all_erased(const uint8_t *bytes, uint32_t len, uint8_t erased)
{
    for (uint32_t i = 0; i < len; i++) {
        if (bytes[i] != erased)
            return false;
    }
    return true;
}

/* After a block failed (a write repeated after a wire error meets a unit already programmed, a double word broken
 * in two): reads the block back, programs again only the units still erased, and accepts those that hold the data.
 * A unit that holds anything else cannot be mended without an erase. */
static enum status repair_block(struct stm32_target *target, const struct stm32_flash_status_register *sr,
                                uint32_t address, const uint8_t *bytes, uint32_t len, unsigned width)
{
    uint32_t unit = target->memory.program_unit;
    uint8_t flash[STM32_FLASH_BLOCK];
    enum status status = stm32_flash_clear_flags(target, sr);
    if (status == STATUS_OK)
        status = adi_mem_read(target->ap, address, flash, len, unit < 4 ? unit : 4);
    for (uint32_t offset = 0; status == STATUS_OK && offset < len; offset += unit) {
        if (memcmp(flash + offset, bytes + offset, unit) == 0)
            continue;
        if (!all_erased(flash + offset, unit, target->memory.erased_value))
            return status_fail(target->report, STATUS_FLASH_ERROR,
                               "programming 0x%08lX: after a failed write it holds neither the image nor erased "
                               "flash; erase it and flash again",
                               (unsigned long)(address + offset));
        status = adi_mem_write(target->ap, address + offset, bytes + offset, unit, width);
        if (status == STATUS_OK)
            status =
                stm32_flash_wait(target, sr, target->part->line->program_ns / 1000u + 1u, "programming again", NULL);
    }
    return status;
}

#define STM32_FLASH_REPAIRS 3

enum status stm32_flash_stream(struct stm32_target *target, const struct stm32_flash_status_register *sr,
                               uint32_t address, const uint8_t *bytes, uint32_t len, unsigned width)
{
    uint32_t unit = target->memory.program_unit;
    char doing[64];
    while (len > 0) {
        uint32_t block = len < STM32_FLASH_BLOCK ? len : STM32_FLASH_BLOCK;
        snprintf(doing, sizeof doing, "programming 0x%08lX..0x%08lX", (unsigned long)address,
                 (unsigned long)(address + block - 1));
        enum status status = adi_mem_write(target->ap, address, bytes, block, width);
        if (status == STATUS_OK)
            status = stm32_flash_wait(
                target, sr, (uint32_t)((uint64_t)(block / unit) * target->part->line->program_ns / 1000), doing, NULL);
        for (unsigned repair = 0; repair < STM32_FLASH_REPAIRS && status != STATUS_OK && status != STATUS_CANCELLED &&
                                  status != STATUS_FLASH_PROTECTED;
             repair++)
            status = repair_block(target, sr, address, bytes, block, width);
        if (status != STATUS_OK)
            return status;
        address += block;
        bytes += block;
        len -= block;
        status = stm32_yield(target, doing);
        if (status != STATUS_OK)
            return status;
    }
    return STATUS_OK;
}

static enum status write_control(struct stm32_target *target, const struct stm32_flash_status_register *sr,
                                 uint32_t value)
{
    return adi_mem_write32(target->ap, stm32_flash_register(target, sr->control), value);
}

enum status stm32_flash_clear_flags(struct stm32_target *target, const struct stm32_flash_status_register *sr)
{
    uint32_t offset = sr->clear_offset != 0 ? sr->clear_offset : sr->offset;
    return adi_mem_write32(target->ap, stm32_flash_register(target, offset), sr->clear);
}

enum status stm32_flash_operation(struct stm32_target *target, const struct stm32_flash_status_register *sr,
                                  uint32_t setup, uint32_t start, uint32_t expected_us, const char *doing)
{
    enum status status = stm32_flash_clear_flags(target, sr);
    if (status == STATUS_OK)
        status = write_control(target, sr, setup);
    if (status == STATUS_OK)
        status = write_control(target, sr, start);
    if (status == STATUS_OK)
        status = stm32_flash_wait(target, sr, expected_us, doing, NULL);
    enum status cleared = write_control(target, sr, 0);
    return status != STATUS_OK ? status : cleared;
}

enum status stm32_flash_program_with(struct stm32_target *target, const struct stm32_flash_status_register *sr,
                                     uint32_t program_mode, uint32_t address, const uint8_t *bytes, uint32_t len,
                                     unsigned width)
{
    enum status status = stm32_flash_clear_flags(target, sr);
    if (status == STATUS_OK)
        status = write_control(target, sr, program_mode);
    if (status == STATUS_OK)
        status = stm32_flash_stream(target, sr, address, bytes, len, width);
    enum status cleared = write_control(target, sr, 0);
    return status != STATUS_OK ? status : cleared;
}

enum status stm32_flash_program_banks(struct stm32_target *target, const struct stm32_flash_status_register *sr,
                                      uint32_t program_mode, uint32_t address, const uint8_t *bytes, uint32_t len,
                                      unsigned width)
{
    enum status status = STATUS_OK;
    while (status == STATUS_OK && len > 0) {
        uint64_t bank_left = stm32_flash_bank_end(target, address) - address;
        uint32_t piece = len < bank_left ? len : (uint32_t)bank_left;
        status = stm32_flash_program_with(target, &sr[stm32_flash_bank_of(target, address)], program_mode, address,
                                          bytes, piece, width);
        address += piece, bytes += piece, len -= piece;
    }
    return status;
}

enum status stm32_flash_unlock_banks(struct stm32_target *target, uint32_t key_offset, uint32_t control_offset,
                                     uint32_t lock_bit)
{
    enum status status = STATUS_OK;
    for (unsigned bank = 0; status == STATUS_OK && bank < stm32_flash_bank_count(target); bank++)
        status = stm32_flash_unlock_with_keys(target, stm32_flash_bank_register(target, bank, key_offset),
                                              stm32_flash_bank_register(target, bank, control_offset), lock_bit,
                                              STM32_FLASH_KEY1, STM32_FLASH_KEY2);
    return status;
}

enum status stm32_flash_lock_banks(struct stm32_target *target, uint32_t control_offset, uint32_t lock_bit)
{
    enum status status = STATUS_OK;
    for (unsigned bank = 0; status == STATUS_OK && bank < stm32_flash_bank_count(target); bank++)
        status = adi_mem_write32(target->ap, stm32_flash_bank_register(target, bank, control_offset), lock_bit);
    return status;
}
