/*
 * persist_flash.h - small records that must survive power cuts, on a few sectors of block storage: a blob per tag
 * (the service's settings, the security configuration) and an append-only log (the service's event log). For
 * ports that have flash but no files (the ESP8266); docs/persist.md has the format on flash and the argument.
 *
 * The region is a ring of erase sectors, separate from the staging store's. Every change is one record appended
 * after the previous one: "tag T now holds these bytes" or "one more log entry". Each record carries a sequence
 * number and a CRC-32, so a record cut by a power failure does not count and the newest intact record of a tag is
 * its value: a put interrupted anywhere leaves the old value or the new one. When the sector being written is
 * full, the next sector of the ring (the oldest) is erased and reused; before anything else goes there, the blobs
 * whose newest record lies in the sector after it are copied forward, so the erase after that one can only drop
 * log entries and superseded blobs. The log therefore loses its oldest sector's entries at each wrap, and nothing
 * else.
 *
 * Calls are made from one task; memory is the struct below, owned by the caller. A failed program or erase leaves
 * the keeper unmounted (STATUS_STORE_IO): mount it again, which recovers whatever the cut left.
 */
#ifndef AIRSWD_PERSIST_FLASH_H
#define AIRSWD_PERSIST_FLASH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "airswd_config.h"
#include "hal.h"
#include "status.h"

#define PERSIST_FLASH_BLOB_MAX      AIRSWD_PERSIST_BLOB_MAX
#define PERSIST_FLASH_TAGS          AIRSWD_PERSIST_TAGS
#define PERSIST_FLASH_LOG_ENTRY_MAX AIRSWD_PERSIST_LOG_ENTRY_MAX

/* Tags in use. A blob's meaning never changes under its tag: a new kind of record gets a new tag. */
#define PERSIST_TAG_SERVICE_SETTINGS 1 /* src/service/service_persist_flash.c */
#define PERSIST_TAG_SECURITY         2 /* the service's security record (service_security.c) */
#define PERSIST_TAG_BOARD            3 /* a port's board record: WiFi network, pins (ports/esp8266) */
#define PERSIST_TAG_FIRMWARE         4 /* a port's own firmware: update trial, anti-rollback minimum (ports/esp8266) */
#define PERSIST_TAG_ANTI_ROLLBACK    5 /* the service's anti-rollback minimum for STM32 images (service_security.c) */

#if AIRSWD_PERSIST_TAGS < 1 || AIRSWD_PERSIST_TAGS > 254 || AIRSWD_PERSIST_BLOB_MAX > 0xFFFF ||                        \
    AIRSWD_PERSIST_LOG_ENTRY_MAX > 0xFFFF
#error "AIRSWD_PERSIST_TAGS must be 1 to 254, and blobs and log entries shorter than 64 KB"
#endif

struct persist_flash {
    const struct hal_storage *storage;
    struct status_report *report; /* may be NULL */
    uint32_t first_sector, sector_count;
    bool mounted;
    uint32_t sequence; /* of the newest record; 0: none yet */
    uint32_t current;  /* the sector records are appended to, counted from first_sector */
    uint32_t append;   /* where the next record goes in it (bytes from its start) */
    struct {
        uint32_t offset; /* of the newest record, from the start of the storage; 0: none (never a record's) */
        uint32_t sequence;
        uint16_t len;
    } blobs[PERSIST_FLASH_TAGS];
};

/* Scans the region for the newest record of every tag and the place of the next one, and finishes a copy forward
 * that a power cut interrupted (the only case in which mounting writes). Flash that holds no records (never used,
 * or used by something else) mounts as empty; its first sector is erased by the first write.
 * STATUS_STORE_LAYOUT when the region is outside the storage, has fewer than 2 sectors, or its sectors are too
 * small for the blobs (see AIRSWD_PERSIST_BLOB_MAX); STATUS_STORE_IO when the storage fails. */
enum status persist_flash_mount(struct persist_flash *keeper, const struct hal_storage *storage, uint32_t first_sector,
                                uint32_t sector_count, struct status_report *report);

/* Makes bytes (len up to PERSIST_FLASH_BLOB_MAX, 0 allowed) the blob of tag (1 to PERSIST_FLASH_TAGS). When it
 * returns STATUS_OK the blob is on flash; after any failure the next mount finds the old blob or the new one. */
enum status persist_flash_put(struct persist_flash *keeper, unsigned tag, const void *bytes, size_t len);

/* Copies the blob of tag into buf. STATUS_STORE_NO_IMAGE when nothing was put under tag (or the keeper is not
 * mounted); STATUS_STORE_TOO_LARGE (nothing copied) when it is longer than max; STATUS_STORE_CORRUPT when it no
 * longer matches its CRC. */
enum status persist_flash_get(struct persist_flash *keeper, unsigned tag, void *buf, size_t max, size_t *len);

/* Appends an entry (1 to PERSIST_FLASH_LOG_ENTRY_MAX bytes) to the log. */
enum status persist_flash_log_append(struct persist_flash *keeper, const void *bytes, size_t len);

/* Calls visit for each intact log entry, oldest first, after skipping the first skip of them (visit may be NULL);
 * returns how many entries the log holds. The bytes passed to visit are valid during the call only. */
unsigned persist_flash_log_read(struct persist_flash *keeper, unsigned skip,
                                void (*visit)(void *ctx, const uint8_t *bytes, size_t len), void *ctx);

#endif /* AIRSWD_PERSIST_FLASH_H */
