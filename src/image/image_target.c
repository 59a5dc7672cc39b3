/*
 * image_target.c - checks and address arithmetic on a target description.
 */
#include "image/image_target.h"

const char *image_place_name(enum image_place place)
{
    switch (place) {
    case IMAGE_PLACE_FLASH: return "flash";
    case IMAGE_PLACE_OPTION_BYTES: return "option bytes";
    case IMAGE_PLACE_RAM: return "RAM";
    case IMAGE_PLACE_EEPROM: return "data EEPROM";
    default: return "nothing";
    }
}

static bool target_range_holds(struct image_range range, uint32_t address)
{
    return range.size != 0 && address >= range.base && address - range.base < range.size;
}

enum status image_target_check(const struct image_target *target, struct status_report *report)
{
    uint32_t unit = target->program_unit;
    if (unit == 0 || unit > AIRSWD_IMAGE_MAX_PROGRAM_UNIT || (unit & (unit - 1)) != 0)
        return status_fail(report, STATUS_INVALID_ARGUMENT,
                           "target description: program unit %lu is not a power of two up to %u", (unsigned long)unit,
                           (unsigned)AIRSWD_IMAGE_MAX_PROGRAM_UNIT);
    if (target->flash.size == 0 || target->flash.base % unit != 0 || target->flash.size % unit != 0)
        return status_fail(report, STATUS_INVALID_ARGUMENT,
                           "target description: flash 0x%08lX + 0x%lX is empty or not in whole program units",
                           (unsigned long)target->flash.base, (unsigned long)target->flash.size);
    if (image_range_end(target->flash) > (uint64_t)UINT32_MAX + 1)
        return status_fail(report, STATUS_INVALID_ARGUMENT, "target description: flash runs past 4 GB");
    uint64_t total = 0;
    for (unsigned i = 0; i < AIRSWD_IMAGE_MAX_ERASE_RUNS && target->erase_runs[i].count != 0; i++) {
        const struct image_erase_run *run = &target->erase_runs[i];
        if (run->unit_size == 0 || run->unit_size % unit != 0)
            return status_fail(report, STATUS_INVALID_ARGUMENT,
                               "target description: erase run %u has units of %lu bytes, not whole program units", i,
                               (unsigned long)run->unit_size);
        total += (uint64_t)run->unit_size * run->count;
    }
    if (total != target->flash.size)
        return status_fail(report, STATUS_INVALID_ARGUMENT,
                           "target description: erase units do not add up to the flash size 0x%lX",
                           (unsigned long)target->flash.size);
    return STATUS_OK;
}

enum image_place image_target_place(const struct image_target *target, uint32_t address, struct image_range *region)
{
    if (target_range_holds(target->flash, address)) {
        *region = target->flash;
        return IMAGE_PLACE_FLASH;
    }
    if (target_range_holds(target->eeprom, address)) {
        *region = target->eeprom;
        return IMAGE_PLACE_EEPROM;
    }
    for (unsigned i = 0; i < AIRSWD_IMAGE_MAX_OPTION_RANGES; i++) {
        if (target_range_holds(target->option_bytes[i], address)) {
            *region = target->option_bytes[i];
            return IMAGE_PLACE_OPTION_BYTES;
        }
    }
    for (unsigned i = 0; i < AIRSWD_IMAGE_MAX_RAM_RANGES; i++) {
        if (target_range_holds(target->ram[i], address)) {
            *region = target->ram[i];
            return IMAGE_PLACE_RAM;
        }
    }
    *region = (struct image_range){0, 0};
    return IMAGE_PLACE_NONE;
}

struct image_range image_target_padded(const struct image_target *target, uint32_t address, uint32_t size)
{
    uint64_t mask = target->program_unit - 1u;
    uint64_t start = address & ~mask;
    uint64_t end = ((uint64_t)address + size + mask) & ~mask;
    return (struct image_range){(uint32_t)start, (uint32_t)(end - start)};
}

uint32_t image_target_erase_unit_count(const struct image_target *target)
{
    uint32_t count = 0;
    for (unsigned i = 0; i < AIRSWD_IMAGE_MAX_ERASE_RUNS && target->erase_runs[i].count != 0; i++)
        count += target->erase_runs[i].count;
    return count;
}

bool image_target_erase_unit(const struct image_target *target, uint32_t index, struct image_range *unit)
{
    uint32_t base = target->flash.base;
    for (unsigned i = 0; i < AIRSWD_IMAGE_MAX_ERASE_RUNS && target->erase_runs[i].count != 0; i++) {
        const struct image_erase_run *run = &target->erase_runs[i];
        if (index < run->count) {
            *unit = (struct image_range){base + index * run->unit_size, run->unit_size};
            return true;
        }
        index -= run->count;
        base += run->count * run->unit_size;
    }
    return false;
}

bool image_target_erase_unit_index(const struct image_target *target, uint32_t address, uint32_t *index)
{
    if (!target_range_holds(target->flash, address))
        return false;
    uint32_t offset = address - target->flash.base;
    uint32_t first = 0;
    for (unsigned i = 0; i < AIRSWD_IMAGE_MAX_ERASE_RUNS && target->erase_runs[i].count != 0; i++) {
        const struct image_erase_run *run = &target->erase_runs[i];
        uint64_t run_size = (uint64_t)run->count * run->unit_size;
        if (offset < run_size) {
            *index = first + offset / run->unit_size;
            return true;
        }
        offset -= (uint32_t)run_size;
        first += run->count;
    }
    return false;
}
