/*
 * store.h - the staging store: firmware images kept on the port's block storage until a flash job programs them.
 *
 * The storage (NOR-like: erased to 0xFF, programmed by clearing bits, erased in sectors) is divided into a journal
 * of AIRSWD_STORE_JOURNAL_SECTORS sectors and a data area that holds the images. Every change of what the store
 * holds is one journal record: a full description of the store protected by its own CRC, appended after the
 * previous one. The newest intact record is the store; a record cut by a power failure is ignored, so a restart
 * always finds the store as the last completed change left it. docs/store.md has the format on flash, the
 * allocation policy and the argument, change by change.
 *
 * A record describes up to STORE_MAX_SLOTS images, one per entry ("slot": an entry of the record, not a place on
 * flash). Each image takes the sectors its size needs, wherever the store allocated them: its extent, a run of
 * sectors of the data area counted from its start sector. The data area is a ring (sector i of an image lives at
 * (start + i) mod data_sectors), so that an image may wrap around its end and the usual cycle (current, previous,
 * next upload; the oldest freed) leaves the free space in one piece.
 *
 * An image moves through the store like this:
 *   upload_begin   takes the announced size, finds room for it (never in the current or the previous image's
 *                  sectors, unless the client gave up its rollback copy) and a free entry
 *   upload_write   streams the bytes into it in any chunk sizes; each sector is erased just before it is written.
 *                  Every AIRSWD_STORE_CHECKPOINT_BYTES a checkpoint record makes the upload resumable
 *   upload_finish  reads the image back, checks its length and CRC-32, and records it complete ("staged")
 *   activate       makes a complete image current, in one record
 *   mark_flashed_ok a flash job programmed and verified the current image: it has "flashed well"
 *   record_flash   both at once, after a flash job programmed an image (the device service's way: the roles change
 *                  only once the target holds the image, and by one record)
 *
 * Roles, and what the store keeps:
 * - current: the image the device stands behind, the one a flash job programs. Only an image that was received
 *   whole and checked (upload_finish) can become current.
 * - previous: the rollback image. It is always the image, other than the current one, that flashed well most
 *   recently: an image has flashed well once store_mark_flashed_ok() was called while it was current (the flash
 *   job programmed it, verified it, and its health check passed). When activate replaces a current image that
 *   flashed well, that image becomes previous and the former previous is freed; a current image that never flashed
 *   well is freed when it is replaced, and the previous one stays.
 * - staged: complete images that were never activated. The store never frees them by itself.
 * - receiving: the one upload in progress, or uploads interrupted by a restart. An interrupted upload can be resumed
 *   from its last checkpoint, or is discarded when its room or its entry is needed; it never touches another
 *   image's sectors.
 * When a new image does not fit beside the images kept, the upload is refused (STATUS_STORE_NO_ROOM_FOR_ROLLBACK,
 * or STATUS_STORE_FULL when staged images are in the way) unless the uploader gave up its rollback copy
 * (STORE_DROP_ROLLBACK): then the previous image, and the current one if that is not enough, are freed to make room.
 *
 * Calls are made from one task. Long loops (reading a whole image back) call the system's yield and stop with
 * STATUS_CANCELLED when it asks. Memory use does not depend on the image size.
 */
#ifndef AIRSWD_STORE_H
#define AIRSWD_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "airswd_config.h"
#include "hal.h"
#include "status.h"

/* Images (entries) a journal record describes (its size is fixed at STORE_RECORD_SIZE bytes). */
#define STORE_MAX_SLOTS 4
/* Longest image name, in bytes, without a terminator. */
#define STORE_NAME_MAX 32
/* Bytes of one journal record on flash. */
#define STORE_RECORD_SIZE 256
/* "No slot" for the current and previous roles. */
#define STORE_NO_SLOT (-1)
/* Room for the sentence of store_room_text(), terminator included. */
#define STORE_ROOM_TEXT_MAX 480

#if AIRSWD_STORE_JOURNAL_SECTORS < 2 || AIRSWD_STORE_JOURNAL_SECTORS > 255
#error "AIRSWD_STORE_JOURNAL_SECTORS must be 2 to 255"
#endif

/* The kind of file an image is, as the uploader declared it. The values are stored on flash: never renumber. */
enum store_image_format {
    STORE_IMAGE_FORMAT_BIN = 0,
    STORE_IMAGE_FORMAT_HEX = 1,
    STORE_IMAGE_FORMAT_ELF = 2,
    STORE_IMAGE_FORMAT_CONTAINER = 3, /* signed container */
    STORE_IMAGE_FORMAT_COUNT
};

/* Also stored on flash. */
enum store_slot_state {
    STORE_SLOT_EMPTY = 0,
    STORE_SLOT_RECEIVING = 1,
    STORE_SLOT_COMPLETE = 2,
};

/* What the uploader says about an image. */
struct store_image_info {
    enum store_image_format format;
    uint32_t bin_base;             /* a raw binary's load address; kept for the flash job */
    uint32_t size;                 /* announced length in bytes (an HTTP Content-Length), 0 when unknown */
    char name[STORE_NAME_MAX + 1]; /* NUL-terminated, for people */
};

/* What an upload may give up to make room for itself. */
enum store_room_policy {
    STORE_KEEP_ROLLBACK, /* nothing: refused when the image does not fit beside the images kept */
    STORE_DROP_ROLLBACK, /* the client gave up its rollback copy: the previous image, then the current one, make room */
};

/* One entry as the committed journal describes it (plus the progress of the upload in progress). */
struct store_slot {
    enum store_slot_state state;
    bool flashed_ok;
    uint32_t length;    /* complete: the image's length; receiving: bytes up to the last checkpoint */
    uint32_t crc;       /* CRC-32 (crc32.h) of those bytes */
    uint32_t upload_id; /* receiving: the id that resumes the upload; complete: the id it was uploaded with */
    uint32_t start;     /* its extent: first sector, counted in the data area */
    uint32_t sectors;   /* and sectors: for the length (complete) or the announced size (receiving) */
    struct store_image_info info;
};

/* Everything one journal record says. */
struct store_state {
    int current, previous; /* entry numbers, or STORE_NO_SLOT */
    struct store_slot slots[STORE_MAX_SLOTS];
};

/* An entry as store_list() shows it. */
struct store_entry {
    unsigned slot;
    struct store_slot image;
    bool current, previous;
    bool uploading;    /* the upload in progress is this entry's */
    uint32_t received; /* uploading: bytes received so far */
};

struct store {
    const struct hal_storage *storage;
    const struct hal_system *system;
    struct status_report *report;
    bool mounted;

    /* Layout, computed from the storage at mount. */
    uint32_t sector_size;
    unsigned sector_shift;       /* log2(sector_size) */
    uint32_t data_sectors;       /* the ring of sectors after the journal that holds the images */
    uint32_t checkpoint_sectors; /* an upload commits a checkpoint every this many sectors */

    /* The journal: the newest record's sequence number and where the next record goes. */
    struct {
        uint32_t sequence;      /* of the newest record; 0: none yet */
        uint32_t next_position; /* record position, counted from the start of the storage */
        bool next_needs_erase;  /* its sector must be erased first */
    } journal;

    /* What the newest record says. Changes are built in a copy and adopted once their record is on flash. */
    struct store_state state;

    /* The upload in progress. */
    struct {
        bool active;
        unsigned slot;
        uint32_t start, sectors; /* its extent, reserved for the announced size */
        uint32_t id;
        uint32_t received;
        uint32_t crc; /* of the bytes received */
        struct store_image_info info;
    } upload;

    uint8_t scratch[STORE_RECORD_SIZE]; /* one journal record, or a chunk of an image being read back */
};

/* Reads the journal and takes the store as its newest intact record describes it; a storage whose journal holds
 * no record is an empty store. storage, system and report must outlive the store; report may be NULL. Fails with
 * STATUS_STORE_LAYOUT when the journal was written for another layout (store_format() then starts afresh). */
enum status store_mount(struct store *store, const struct hal_storage *storage, const struct hal_system *system,
                        struct status_report *report);

/* Makes the store empty with the layout of this firmware, in one record (the images' bytes stay until their sectors
 * are reused), and mounts it. Every image is lost. */
enum status store_format(struct store *store, const struct hal_storage *storage, const struct hal_system *system,
                         struct status_report *report);

/* Entries of a record: the most images the store describes at once. */
unsigned store_slot_count(const struct store *store);
/* Bytes of the data area: the largest image the store takes, when it holds nothing else. */
uint32_t store_capacity(const struct store *store);
/* The largest image an upload could take now: beside every image kept (STORE_KEEP_ROLLBACK), or beside the staged
 * images only (STORE_DROP_ROLLBACK). Interrupted uploads count as free. */
uint32_t store_room(const struct store *store, enum store_room_policy policy);

/* Whether store_upload_begin() would take this image now, without changing anything: STATUS_OK, or its refusal
 * with the report's detail (the short form; store_room_text() has the whole sentence). *gives_up (may be NULL)
 * tells whether the upload would free the previous or the current image. */
enum status store_upload_check(struct store *store, const struct store_image_info *info, enum store_room_policy policy,
                               bool *gives_up);
/* Starts an upload of info->size bytes (the size must be announced: the room is reserved before the first byte is
 * written) and returns the id that resumes it. The room is a run of free sectors; interrupted uploads in it are
 * discarded, and with STORE_DROP_ROLLBACK the previous image, then the current one, when nothing else makes room.
 * What is freed is freed by one record, before any byte changes. An entry left by an interrupted upload is reused
 * only when no entry is empty. Refusals: STATUS_STORE_TOO_LARGE (larger than the data area),
 * STATUS_STORE_NO_ROOM_FOR_ROLLBACK, STATUS_STORE_FULL, STATUS_STORE_NO_FREE_SLOT. */
enum status store_upload_begin(struct store *store, const struct store_image_info *info, enum store_room_policy policy,
                               uint32_t *upload_id);
/* After a refusal for lack of room (STATUS_STORE_NO_ROOM_FOR_ROLLBACK, STATUS_STORE_FULL): the sentence that says
 * so with the sizes, the images in the way by name, and what the client can do, into text (size bytes,
 * STORE_ROOM_TEXT_MAX hold any; NUL-terminated). Returns its length. */
size_t store_room_text(struct store *store, uint32_t image_size, enum store_room_policy policy, char *text,
                       size_t size);
/* Appends bytes; any chunk size. */
enum status store_upload_write(struct store *store, const uint8_t *bytes, size_t len);
/* Continues the upload upload_id. When it is the upload in progress, *offset is the bytes received so far. After a
 * restart, the upload continues from its last checkpoint, once the bytes up to there have been read back and
 * found intact: *offset says where the client resumes sending. */
enum status store_upload_resume(struct store *store, uint32_t upload_id, uint32_t *offset);
/* Ends the upload: reads the image back, checks it against what was written, against the announced size and, when
 * expected_crc is not NULL, against that CRC-32; then records the image complete. *slot (may be NULL) receives its
 * entry. On a mismatch the upload is discarded. */
enum status store_upload_finish(struct store *store, const uint32_t *expected_crc, unsigned *slot);
/* Drops the upload in progress; its room and its entry become free. */
enum status store_upload_abort(struct store *store);

/* Makes a complete image current (after reading it back against its CRC). See the roles above for what becomes
 * of the image it replaces. Activating the current image changes nothing. */
enum status store_activate(struct store *store, unsigned slot);
/* The current image was programmed into the target, verified and passed its health check. */
enum status store_mark_flashed_ok(struct store *store);
/* A flash job programmed the complete image slot into the target (verified: and verified it): slot becomes current
 * as store_activate() makes it (without reading it back: the job just read it whole), and has flashed well when
 * verified, by one record. A power cut leaves the roles as they were or as they are now, never half-way. */
enum status store_record_flash(struct store *store, unsigned slot, bool verified);
/* The previous image becomes current; store_activate() of the previous entry. */
enum status store_rollback(struct store *store);
/* Frees an entry and its sectors, whatever it holds; the roles it had are left empty. */
enum status store_delete(struct store *store, unsigned slot);

/* Fills up to max entries, in entry order; returns the number of entries (STORE_MAX_SLOTS). */
unsigned store_list(const struct store *store, struct store_entry *entries, unsigned max);
int store_current(const struct store *store);
int store_previous(const struct store *store);

/* Reads a complete image's bytes from offset; *got receives how many (fewer than len at its end, 0 past it). */
enum status store_read(struct store *store, unsigned slot, uint32_t offset, void *buf, uint32_t len, uint32_t *got);
/* Reads a complete image whole and checks it against its CRC-32. */
enum status store_verify(struct store *store, unsigned slot);

#endif /* AIRSWD_STORE_H */
