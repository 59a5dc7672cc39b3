/*
 * store.h - the staging store: firmware images kept on the port's block storage until a flash job programs them.
 *
 * The storage (NOR-like: erased to 0xFF, programmed by clearing bits, erased in sectors) is divided into a journal
 * of AIRSWD_STORE_JOURNAL_SECTORS sectors and AIRSWD_STORE_SLOTS equal slots, one image per slot. Every change of
 * what the store holds is one journal record: a full description of the store protected by its own CRC, appended
 * after the previous one. The newest intact record is the store; a record cut by a power failure is ignored, so a
 * restart always finds the store as the last completed change left it. docs/store.md has the format on flash and
 * the argument, change by change.
 *
 * An image moves through the slots like this:
 *   upload_begin   picks a free slot (never the current or the previous image's)
 *   upload_write   streams the bytes into it in any chunk sizes; each sector is erased just before it is written.
 *                  Every AIRSWD_STORE_CHECKPOINT_BYTES a checkpoint record makes the upload resumable
 *   upload_finish  reads the slot back, checks its length and CRC-32, and records it complete ("staged")
 *   activate       makes a complete image current, in one record
 *   mark_flashed_ok a flash job programmed and verified the current image: it has "flashed well"
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
 *   from its last checkpoint, or is discarded when its slot is needed; it never touches another slot.
 *
 * Calls are made from one task. Long loops (reading a whole slot back) call the system's yield and stop with
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

/* Slots a journal record can describe (its size is fixed at STORE_RECORD_SIZE bytes). */
#define STORE_MAX_SLOTS 4
/* Longest image name, in bytes, without a terminator. */
#define STORE_NAME_MAX 32
/* Bytes of one journal record on flash. */
#define STORE_RECORD_SIZE 256
/* "No slot" for the current and previous roles. */
#define STORE_NO_SLOT (-1)

#if AIRSWD_STORE_SLOTS < 2 || AIRSWD_STORE_SLOTS > STORE_MAX_SLOTS
#error "AIRSWD_STORE_SLOTS must be 2 to 4"
#endif
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

/* One slot as the committed journal describes it (plus the progress of the upload in progress). */
struct store_slot {
    enum store_slot_state state;
    bool flashed_ok;
    uint32_t length;    /* complete: the image's length; receiving: bytes up to the last checkpoint */
    uint32_t crc;       /* CRC-32 (crc32.h) of those bytes */
    uint32_t upload_id; /* receiving: the id that resumes the upload; complete: the id it was uploaded with */
    struct store_image_info info;
};

/* Everything one journal record says. */
struct store_state {
    int current, previous; /* slot numbers, or STORE_NO_SLOT */
    struct store_slot slots[AIRSWD_STORE_SLOTS];
};

/* A slot as store_list() shows it. */
struct store_entry {
    unsigned slot;
    struct store_slot image;
    bool current, previous;
    bool uploading;    /* the upload in progress writes into this slot */
    uint32_t received; /* uploading: bytes received so far */
};

struct store {
    const struct hal_storage *storage;
    const struct hal_system *system;
    struct status_report *report;
    bool mounted;

    /* Layout, computed from the storage at mount. */
    uint32_t sector_size;
    unsigned sector_shift; /* log2(sector_size) */
    unsigned slot_count;
    uint32_t slot_sectors;       /* erase sectors per slot */
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
        uint32_t id;
        uint32_t received;
        uint32_t crc; /* of the bytes received */
        struct store_image_info info;
    } upload;

    uint8_t scratch[STORE_RECORD_SIZE]; /* one journal record, or a chunk of a slot being read back */
};

/* Reads the journal and takes the store as its newest intact record describes it; a storage whose journal holds
 * no record is an empty store. storage, system and report must outlive the store; report may be NULL. Fails with
 * STATUS_STORE_LAYOUT when the journal was written for another layout (store_format() then starts afresh). */
enum status store_mount(struct store *store, const struct hal_storage *storage, const struct hal_system *system,
                        struct status_report *report);

/* Makes the store empty with the layout of this firmware, in one record (the images' bytes stay until their slots
 * are reused), and mounts it. Every image is lost. */
enum status store_format(struct store *store, const struct hal_storage *storage, const struct hal_system *system,
                         struct status_report *report);

unsigned store_slot_count(const struct store *store);
/* Bytes one slot holds: the largest image the store takes. */
uint32_t store_slot_size(const struct store *store);

/* Starts an upload into a free slot and returns the id that resumes it. A slot left by an interrupted upload is
 * reused (that upload is discarded) only when no slot is empty. */
enum status store_upload_begin(struct store *store, const struct store_image_info *info, uint32_t *upload_id);
/* Appends bytes; any chunk size. */
enum status store_upload_write(struct store *store, const uint8_t *bytes, size_t len);
/* Continues the upload upload_id. When it is the upload in progress, *offset is the bytes received so far. After a
 * restart, the upload continues from its last checkpoint, once the bytes up to there have been read back and
 * found intact: *offset says where the client resumes sending. */
enum status store_upload_resume(struct store *store, uint32_t upload_id, uint32_t *offset);
/* Ends the upload: reads the slot back, checks it against what was written, against the announced size and, when
 * expected_crc is not NULL, against that CRC-32; then records the image complete. *slot (may be NULL) receives its
 * slot. On a mismatch the upload is discarded. */
enum status store_upload_finish(struct store *store, const uint32_t *expected_crc, unsigned *slot);
/* Drops the upload in progress; its slot becomes free. */
enum status store_upload_abort(struct store *store);

/* Makes a complete image current (after reading it back against its CRC). See the roles above for what becomes
 * of the image it replaces. Activating the current image changes nothing. */
enum status store_activate(struct store *store, unsigned slot);
/* The current image was programmed into the target, verified and passed its health check. */
enum status store_mark_flashed_ok(struct store *store);
/* The previous image becomes current; store_activate() of the previous slot. */
enum status store_rollback(struct store *store);
/* Frees a slot, whatever it holds; the roles it had are left empty. */
enum status store_delete(struct store *store, unsigned slot);

/* Fills up to max entries, one per slot in slot order; returns the number of slots. */
unsigned store_list(const struct store *store, struct store_entry *entries, unsigned max);
int store_current(const struct store *store);
int store_previous(const struct store *store);

/* Reads a complete image's bytes from offset; *got receives how many (fewer than len at its end, 0 past it). */
enum status store_read(struct store *store, unsigned slot, uint32_t offset, void *buf, uint32_t len, uint32_t *got);
/* Reads a complete image whole and checks it against its CRC-32. */
enum status store_verify(struct store *store, unsigned slot);

#endif /* AIRSWD_STORE_H */
