/*
 * store_space.h - where the staging store's images live: extents in the ring of data sectors, the free runs
 * between them, and where a new image goes. Internal to src/service/store*.c; docs/store.md has the policy and the
 * argument for it.
 */
#ifndef AIRSWD_STORE_SPACE_H
#define AIRSWD_STORE_SPACE_H

#include "service/store.h"

/* Sectors that hold bytes (rounded up). */
uint32_t store_sectors_for(const struct store *store, uint32_t bytes);

/* Whether the extents [a_start, a_start + a_sectors) and [b_start, b_start + b_sectors) of the ring share a sector
 * (both non-empty). */
bool store_extents_overlap(const struct store *store, uint32_t a_start, uint32_t a_sectors, uint32_t b_start,
                           uint32_t b_sectors);

/* Storage offset of byte `offset` of the image whose extent starts at sector `start`. */
uint32_t store_image_address(const struct store *store, uint32_t start, uint32_t offset);

/* Where a new image of `size` bytes goes, and what must be freed first. */
struct store_placement {
    uint32_t start, sectors;
    unsigned freed; /* bit i: entry i is freed by the record that precedes the first write */
    int slot;       /* the entry the upload takes (STORE_NO_SLOT: none free) */
};

/* Finds room for an image of `size` bytes (not 0, not larger than the data area) under the policy: STATUS_OK with
 * *placement, or the refusal (STATUS_STORE_NO_ROOM_FOR_ROLLBACK, STATUS_STORE_FULL, STATUS_STORE_NO_FREE_SLOT) with
 * the short detail in the store's report. Changes nothing. */
enum status store_space_place(struct store *store, uint32_t size, enum store_room_policy policy,
                              struct store_placement *placement);

/* store_room() and store_room_text() of store.h. */
uint32_t store_space_room(const struct store *store, enum store_room_policy policy);
size_t store_space_text(const struct store *store, uint32_t size, enum store_room_policy policy, char *text,
                        size_t text_size);

#endif /* AIRSWD_STORE_SPACE_H */
