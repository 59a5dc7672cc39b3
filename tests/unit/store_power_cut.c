/*
 * store_power_cut.c - NOR flash in RAM that loses power on request (store_power_cut.h).
 */
#include "store_power_cut.h"

#include <string.h>

static uint32_t next_random(struct power_cut_storage *storage)
{
    /* xorshift32: reproducible from the seed */
    uint32_t x = storage->random_state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    storage->random_state = x;
    return x;
}

static bool in_range(const struct power_cut_storage *storage, uint32_t offset, uint32_t len)
{
    uint64_t size = (uint64_t)storage->sector_size * storage->sector_count;
    return (uint64_t)offset + len <= size;
}

static bool storage_read(void *ctx, uint32_t offset, void *buf, uint32_t len)
{
    struct power_cut_storage *storage = ctx;
    if (!storage->powered || !in_range(storage, offset, len))
        return false;
    memcpy(buf, storage->bytes + offset, len);
    return true;
}

/* Starts an operation; false when the power is off or goes off now (the caller then tears the operation). */
static bool operation_survives(struct power_cut_storage *storage)
{
    storage->operations++;
    if (storage->cut_at != 0 && storage->operations == storage->cut_at) {
        storage->powered = false;
        storage->cut = true;
        return false;
    }
    return true;
}

static bool storage_program(void *ctx, uint32_t offset, const void *buf, uint32_t len)
{
    struct power_cut_storage *storage = ctx;
    if (!storage->powered || !in_range(storage, offset, len))
        return false;
    /* The HAL promises programs never cross a sector; so does the store. */
    if (len > 0 && offset / storage->sector_size != (offset + len - 1) / storage->sector_size)
        return false;
    const uint8_t *data = buf;
    uint8_t *flash = storage->bytes + offset;
    for (uint32_t i = 0; i < len; i++)
        if ((flash[i] & data[i]) != data[i]) {
            storage->nor_violations++;
            break;
        }
    storage->programs++;
    if (!operation_survives(storage)) {
        storage->torn_programs++;
        /* One time in four the program completed just before the power went, though it reported nothing. */
        uint32_t prefix = (next_random(storage) & 3) == 0 ? len : next_random(storage) % (len + 1);
        for (uint32_t i = 0; i < prefix; i++)
            flash[i] &= data[i];
        if (prefix < len)
            flash[prefix] &= (uint8_t)(data[prefix] | next_random(storage));
        return false;
    }
    for (uint32_t i = 0; i < len; i++)
        flash[i] &= data[i];
    return true;
}

static bool storage_erase_sector(void *ctx, uint32_t sector)
{
    struct power_cut_storage *storage = ctx;
    if (!storage->powered || sector >= storage->sector_count)
        return false;
    uint8_t *flash = storage->bytes + (size_t)sector * storage->sector_size;
    uint32_t size = storage->sector_size;
    storage->erases++;
    if (!operation_survives(storage)) {
        storage->torn_erases++;
        switch (next_random(storage) % 4) {
        case 0: /* erased from the start up to a random point */
            memset(flash, 0xFF, next_random(storage) % (size + 1));
            break;
        case 1: /* scattered bytes erased */
            for (uint32_t i = 0; i < size; i++)
                if (next_random(storage) & 1)
                    flash[i] = 0xFF;
            break;
        case 2: /* scattered garbage */
            for (uint32_t i = 0; i < size; i++)
                if ((next_random(storage) & 3) == 0)
                    flash[i] = (uint8_t)next_random(storage);
            break;
        default: /* the erase completed, but nobody heard of it */ memset(flash, 0xFF, size); break;
        }
        return false;
    }
    memset(flash, 0xFF, size);
    return true;
}

void power_cut_storage_init(struct power_cut_storage *storage, uint8_t *bytes, uint32_t sector_size,
                            uint32_t sector_count, uint32_t seed)
{
    memset(storage, 0, sizeof *storage);
    storage->bytes = bytes;
    storage->sector_size = sector_size;
    storage->sector_count = sector_count;
    storage->powered = true;
    storage->random_state = seed != 0 ? seed : 0x9E3779B9u;
    memset(bytes, 0xFF, (size_t)sector_size * sector_count);
    storage->hal = (struct hal_storage){
        .ctx = storage,
        .sector_size = sector_size,
        .sector_count = sector_count,
        .read = storage_read,
        .program = storage_program,
        .erase_sector = storage_erase_sector,
    };
}

void power_cut_storage_fill_random(struct power_cut_storage *storage)
{
    size_t size = (size_t)storage->sector_size * storage->sector_count;
    for (size_t i = 0; i < size; i++)
        storage->bytes[i] = (uint8_t)next_random(storage);
}

void power_cut_storage_arm(struct power_cut_storage *storage, uint64_t cut_at)
{
    storage->operations = 0;
    storage->cut_at = cut_at;
}

void power_cut_storage_restart(struct power_cut_storage *storage)
{
    storage->powered = true;
    storage->cut = false;
    storage->cut_at = 0;
}
