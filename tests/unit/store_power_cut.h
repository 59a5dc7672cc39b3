/*
 * store_power_cut.h - a RAM-backed hal_storage that behaves like NOR flash and can lose power at a chosen write.
 *
 * Programs and erases are counted as operations. When power is cut at operation k, that operation is torn and
 * every operation and read after it fails until power_cut_storage_restart():
 * - a torn program leaves a random prefix of its bytes programmed, and the byte after the prefix half-programmed
 *   (a random subset of its bits cleared); one time in four the prefix is the whole program;
 * - a torn erase leaves the sector partly erased: a prefix of 0xFF, scattered 0xFF bytes, scattered garbage, or
 *   (sometimes) fully erased although the operation did not report success.
 * Programming only clears bits, as on NOR flash. A program that asks for a 1 where flash holds a 0 means the
 * caller programmed without erasing first: it is counted in nor_violations (and done as NOR would, bitwise AND).
 */
#ifndef STORE_POWER_CUT_H
#define STORE_POWER_CUT_H

#include <stdbool.h>
#include <stdint.h>

#include "hal.h"

struct power_cut_storage {
    struct hal_storage hal; /* what the store is given; hal.ctx points here */
    uint8_t *bytes;         /* sector_size * sector_count bytes, owned by the caller */
    uint32_t sector_size, sector_count;

    uint64_t operations; /* programs and erases since the last power_cut_storage_arm() or init */
    uint64_t programs, erases;
    uint64_t cut_at; /* the operation (1-based, counted like operations) that power fails in; 0: never */
    bool powered;
    bool cut; /* the power was cut since the last restart */
    uint64_t nor_violations;
    uint64_t torn_programs, torn_erases;
    uint32_t random_state;
};

/* bytes start erased (0xFF). seed drives how operations are torn. */
void power_cut_storage_init(struct power_cut_storage *storage, uint8_t *bytes, uint32_t sector_size,
                            uint32_t sector_count, uint32_t seed);
/* Fills the whole storage with random bytes: flash that was never erased, or used by something else. */
void power_cut_storage_fill_random(struct power_cut_storage *storage);
/* Counts operations from zero again; power fails in operation cut_at (0: never). */
void power_cut_storage_arm(struct power_cut_storage *storage, uint64_t cut_at);
/* Power comes back on whatever the bytes are now; no cut is armed. */
void power_cut_storage_restart(struct power_cut_storage *storage);

#endif /* STORE_POWER_CUT_H */
