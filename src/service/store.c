/*
 * store.c - the staging store's images: uploads, roles, reading images back.
 *
 * The rule every change follows, and on which the power-cut argument of docs/store.md rests: no sector of the data
 * area is erased or programmed while the newest journal record describes it as part of an image's extent, except
 * by the upload the record names, past its last checkpoint. So a change is always (1) flash writes into sectors
 * the journal calls free, then (2) one record that makes them count; a cut before (2) leaves the old record, which
 * describes bytes nobody touched. Room made by freeing images (an interrupted upload, or the rollback image the
 * client gave up) is freed by a record of its own before the first of those writes.
 */
#include "service/store.h"

#include <string.h>

#include "crc32.h"
#include "service/store_journal.h"
#include "service/store_space.h"

static size_t name_length(const char *name)
{
    size_t len = 0;
    while (len <= STORE_NAME_MAX && name[len] != '\0')
        len++;
    return len;
}

static void free_slot(struct store_state *state, unsigned slot)
{
    memset(&state->slots[slot], 0, sizeof state->slots[slot]);
    if (state->current == (int)slot)
        state->current = STORE_NO_SLOT;
    if (state->previous == (int)slot)
        state->previous = STORE_NO_SLOT;
}

/* One record that frees the entries in `slots` (bit i: entry i), their sectors and their roles. Its own function,
 * so that the state copy is on the stack only while it commits. */
static enum status commit_freed(struct store *store, unsigned slots)
{
    struct store_state next = store->state;
    for (unsigned i = 0; i < STORE_MAX_SLOTS; i++)
        if (slots & (1u << i))
            free_slot(&next, i);
    return store_journal_commit(store, &next);
}

/* Checks the storage and works out the layout: journal sectors first, then the data area, a ring of sectors. */
static enum status store_setup(struct store *store, const struct hal_storage *storage, const struct hal_system *system,
                               struct status_report *report)
{
    memset(store, 0, sizeof *store);
    store->storage = storage;
    store->system = system;
    store->report = report;
    store_journal_empty_state(&store->state);

    if (storage == NULL || system == NULL || storage->read == NULL || storage->program == NULL ||
        storage->erase_sector == NULL || system->yield == NULL || system->random == NULL)
        return status_fail(report, STATUS_INVALID_ARGUMENT, "staging store: storage or system callbacks missing");
    uint32_t sector_size = storage->sector_size;
    if (sector_size < STORE_RECORD_SIZE || (sector_size & (sector_size - 1)) != 0)
        return status_fail(report, STATUS_UNSUPPORTED,
                           "staging store: sector size %lu B (must be a power of two of at least %u B)",
                           (unsigned long)sector_size, STORE_RECORD_SIZE);
    while ((1ul << store->sector_shift) < sector_size)
        store->sector_shift++;
    store->sector_size = sector_size;
    /* Offsets are 32-bit: the storage may not exceed 4 GB (2^(32 - shift) sectors; the shift is at least 8). */
    if (storage->sector_count > (uint32_t)1 << (32 - store->sector_shift))
        return status_fail(report, STATUS_UNSUPPORTED, "staging store: storage of %lu sectors exceeds 4 GB",
                           (unsigned long)storage->sector_count);
    if (storage->sector_count <= AIRSWD_STORE_JOURNAL_SECTORS)
        return status_fail(report, STATUS_UNSUPPORTED,
                           "staging store: %lu sectors leave none for images beside a %u-sector journal",
                           (unsigned long)storage->sector_count, AIRSWD_STORE_JOURNAL_SECTORS);
    store->data_sectors = storage->sector_count - AIRSWD_STORE_JOURNAL_SECTORS;
    store->checkpoint_sectors = (uint32_t)AIRSWD_STORE_CHECKPOINT_BYTES >> store->sector_shift;
    if (store->checkpoint_sectors == 0)
        store->checkpoint_sectors = 1;
    return STATUS_OK;
}

enum status store_mount(struct store *store, const struct hal_storage *storage, const struct hal_system *system,
                        struct status_report *report)
{
    enum status status = store_setup(store, storage, system, report);
    if (status == STATUS_OK)
        status = store_journal_open(store);
    store->mounted = status == STATUS_OK;
    return status;
}

enum status store_format(struct store *store, const struct hal_storage *storage, const struct hal_system *system,
                         struct status_report *report)
{
    enum status status = store_setup(store, storage, system, report);
    if (status != STATUS_OK)
        return status;
    /* A journal this firmware cannot take is superseded all the same: the empty record gets the next sequence
     * number after its newest record. */
    status = store_journal_open(store);
    if (status != STATUS_OK && status != STATUS_STORE_LAYOUT && status != STATUS_STORE_CORRUPT)
        return status;
    status_clear(report);
    struct store_state empty;
    store_journal_empty_state(&empty);
    status = store_journal_commit(store, &empty);
    store->mounted = status == STATUS_OK;
    return status;
}

unsigned store_slot_count(const struct store *store)
{
    (void)store;
    return STORE_MAX_SLOTS;
}

uint32_t store_capacity(const struct store *store)
{
    return store->data_sectors << store->sector_shift;
}

uint32_t store_room(const struct store *store, enum store_room_policy policy)
{
    return store->mounted ? store_space_room(store, policy) : 0;
}

size_t store_room_text(struct store *store, uint32_t image_size, enum store_room_policy policy, char *text, size_t size)
{
    return store_space_text(store, image_size, policy, text, size);
}

static enum status require_mounted(struct store *store)
{
    if (store->mounted)
        return STATUS_OK;
    store->upload.active = false;
    return status_fail(store->report, STATUS_STORE_IO,
                       "the staging store is not mounted (a storage failure stopped it, or mounting failed)");
}

static enum status require_complete(struct store *store, unsigned slot)
{
    if (slot >= STORE_MAX_SLOTS)
        return status_fail(store->report, STATUS_INVALID_ARGUMENT, "entry %u: the store has entries 0 to %u", slot,
                           STORE_MAX_SLOTS - 1);
    if (store->state.slots[slot].state != STORE_SLOT_COMPLETE)
        return status_fail(store->report, STATUS_STORE_NO_IMAGE, "entry %u holds no complete image", slot);
    return STATUS_OK;
}

/* CRC-32 of the first len bytes of the image whose extent starts at sector `start`, read back a chunk at a time
 * (a chunk never crosses a sector: the sector size is a multiple of the scratch buffer's). */
static enum status image_crc(struct store *store, unsigned slot, uint32_t start, uint32_t len, uint32_t *crc)
{
    const struct hal_storage *storage = store->storage;
    uint32_t value = 0;
    for (uint32_t done = 0; done < len;) {
        if (done > 0 && (done & (store->sector_size - 1)) == 0 && store->system->yield(store->system->ctx))
            return status_fail(store->report, STATUS_CANCELLED, "reading image %u back", slot);
        uint32_t chunk = len - done < sizeof store->scratch ? len - done : (uint32_t)sizeof store->scratch;
        uint32_t at = store_image_address(store, start, done);
        if (!storage->read(storage->ctx, at, store->scratch, chunk))
            return status_fail(store->report, STATUS_STORE_IO, "reading image %u at 0x%lX", slot, (unsigned long)at);
        value = crc32_update(value, store->scratch, chunk);
        done += chunk;
    }
    *crc = value;
    return STATUS_OK;
}

enum status store_verify(struct store *store, unsigned slot)
{
    enum status status = require_mounted(store);
    if (status == STATUS_OK)
        status = require_complete(store, slot);
    if (status != STATUS_OK)
        return status;
    const struct store_slot *image = &store->state.slots[slot];
    uint32_t crc;
    status = image_crc(store, slot, image->start, image->length, &crc);
    if (status != STATUS_OK)
        return status;
    if (crc != image->crc)
        return status_fail(store->report, STATUS_STORE_CORRUPT, "image '%s' (entry %u) reads CRC-32 %08lX, not %08lX",
                           image->info.name, slot, (unsigned long)crc, (unsigned long)image->crc);
    return STATUS_OK;
}

enum status store_read(struct store *store, unsigned slot, uint32_t offset, void *buf, uint32_t len, uint32_t *got)
{
    *got = 0;
    enum status status = require_mounted(store);
    if (status == STATUS_OK)
        status = require_complete(store, slot);
    if (status != STATUS_OK)
        return status;
    const struct store_slot *image = &store->state.slots[slot];
    if (offset >= image->length || len == 0)
        return STATUS_OK;
    uint32_t n = image->length - offset < len ? image->length - offset : len;
    /* A sector at a time: the image's sectors are consecutive on the storage except where it wraps. */
    for (uint32_t done = 0; done < n;) {
        uint32_t at = store_image_address(store, image->start, offset + done);
        uint32_t in_sector = store->sector_size - (at & (store->sector_size - 1));
        uint32_t chunk = n - done < in_sector ? n - done : in_sector;
        if (!store->storage->read(store->storage->ctx, at, (uint8_t *)buf + done, chunk))
            return status_fail(store->report, STATUS_STORE_IO, "reading image %u at 0x%lX", slot, (unsigned long)at);
        done += chunk;
    }
    *got = n;
    return STATUS_OK;
}

/* ---------------------------------------------------------------------------------------------------------------
 * Uploads.
 */

/* An id no entry uses, never 0 (which lists show for "none"). Random, so that a client of an upload lost before its
 * first checkpoint cannot resume into a later upload that happened to get the same id. */
static uint32_t new_upload_id(struct store *store)
{
    for (uint32_t attempt = 0;; attempt++) {
        uint32_t id = 0;
        if (attempt < 16)
            store->system->random(store->system->ctx, &id, sizeof id);
        else
            id = store->journal.sequence + attempt; /* a generator stuck on used ids: distinct ones all the same */
        bool used = id == 0;
        for (unsigned i = 0; i < STORE_MAX_SLOTS; i++)
            if (store->state.slots[i].state != STORE_SLOT_EMPTY && store->state.slots[i].upload_id == id)
                used = true;
        if (!used)
            return id;
    }
}

/* Ends the upload in progress; a checkpoint of it in the journal is replaced by a free entry. */
static enum status discard_upload(struct store *store)
{
    if (!store->upload.active)
        return STATUS_OK;
    store->upload.active = false;
    unsigned slot = store->upload.slot;
    if (store->state.slots[slot].state != STORE_SLOT_RECEIVING)
        return STATUS_OK;
    return commit_freed(store, 1u << slot);
}

/* Where an upload of info would go (the checks of store_upload_begin, nothing changed). */
static enum status plan_upload(struct store *store, const struct store_image_info *info, enum store_room_policy policy,
                               struct store_placement *placement)
{
    enum status status = require_mounted(store);
    if (status != STATUS_OK)
        return status;
    if (store->upload.active)
        return status_fail(store->report, STATUS_STORE_BUSY, "upload %08lX ('%s') has received %lu bytes",
                           (unsigned long)store->upload.id, store->upload.info.name,
                           (unsigned long)store->upload.received);
    if ((unsigned)info->format >= STORE_IMAGE_FORMAT_COUNT)
        return status_fail(store->report, STATUS_INVALID_ARGUMENT, "unknown image format %d", (int)info->format);
    if (name_length(info->name) > STORE_NAME_MAX)
        return status_fail(store->report, STATUS_INVALID_ARGUMENT, "image name longer than %u bytes", STORE_NAME_MAX);
    if (info->size == 0)
        return status_fail(store->report, STATUS_IMAGE_EMPTY,
                           "an upload of 0 bytes (the size is announced first, so that the room is reserved)");
    if (info->size > store_capacity(store))
        return status_fail(store->report, STATUS_STORE_TOO_LARGE, "the image needs %lu B; the store holds %lu B",
                           (unsigned long)info->size, (unsigned long)store_capacity(store));
    return store_space_place(store, info->size, policy, placement);
}

enum status store_upload_check(struct store *store, const struct store_image_info *info, enum store_room_policy policy,
                               bool *gives_up)
{
    struct store_placement placement;
    enum status status = plan_upload(store, info, policy, &placement);
    if (gives_up != NULL) {
        unsigned roles = 0;
        if (store->state.current != STORE_NO_SLOT)
            roles |= 1u << store->state.current;
        if (store->state.previous != STORE_NO_SLOT)
            roles |= 1u << store->state.previous;
        *gives_up = status == STATUS_OK && (placement.freed & roles) != 0;
    }
    return status;
}

enum status store_upload_begin(struct store *store, const struct store_image_info *info, enum store_room_policy policy,
                               uint32_t *upload_id)
{
    struct store_placement placement;
    enum status status = plan_upload(store, info, policy, &placement);
    if (status != STATUS_OK)
        return status;
    if (placement.freed != 0) {
        /* Those sectors are about to change: the journal must stop describing them first. */
        status = commit_freed(store, placement.freed);
        if (status != STATUS_OK)
            return status;
    }

    memset(&store->upload, 0, sizeof store->upload);
    store->upload.slot = (unsigned)placement.slot;
    store->upload.start = placement.start;
    store->upload.sectors = placement.sectors;
    store->upload.id = new_upload_id(store);
    store->upload.info = *info;
    store->upload.info.name[STORE_NAME_MAX] = '\0';
    store->upload.active = true;
    if (upload_id != NULL)
        *upload_id = store->upload.id;
    return STATUS_OK;
}

/* Records that the bytes received so far (a whole number of sectors) are on flash: the upload can resume here. */
static enum status commit_checkpoint(struct store *store)
{
    struct store_state next = store->state;
    struct store_slot *slot = &next.slots[store->upload.slot];
    if (slot->state == STORE_SLOT_RECEIVING && slot->upload_id == store->upload.id &&
        slot->length == store->upload.received)
        return STATUS_OK; /* already there: a write after a cancelled one */
    slot->state = STORE_SLOT_RECEIVING;
    slot->flashed_ok = false;
    slot->length = store->upload.received;
    slot->crc = store->upload.crc;
    slot->upload_id = store->upload.id;
    slot->start = store->upload.start;
    slot->sectors = store->upload.sectors;
    slot->info = store->upload.info;
    return store_journal_commit(store, &next);
}

static enum status require_upload(struct store *store)
{
    enum status status = require_mounted(store);
    if (status != STATUS_OK)
        return status;
    if (!store->upload.active)
        return status_fail(store->report, STATUS_STORE_UNKNOWN_UPLOAD, "no upload in progress");
    return STATUS_OK;
}

enum status store_upload_write(struct store *store, const uint8_t *bytes, size_t len)
{
    enum status status = require_upload(store);
    if (status != STATUS_OK)
        return status;
    uint32_t announced = store->upload.info.size;
    if (len > announced - store->upload.received) {
        status = discard_upload(store);
        if (status != STATUS_OK)
            return status;
        return status_fail(store->report, STATUS_INVALID_ARGUMENT, "more bytes than the %lu announced",
                           (unsigned long)announced);
    }

    const struct hal_storage *storage = store->storage;
    unsigned slot = store->upload.slot;
    while (len > 0) {
        uint32_t offset = store->upload.received;
        uint32_t at = store_image_address(store, store->upload.start, offset);
        uint32_t in_sector = offset & (store->sector_size - 1);
        if (in_sector == 0) {
            /* A new sector: checkpoint first when one is due (the bytes before it are all on flash and the sector
             * after it not yet erased), then erase it. */
            uint32_t sector = offset >> store->sector_shift;
            if (sector > 0 && sector % store->checkpoint_sectors == 0) {
                status = commit_checkpoint(store);
                if (status != STATUS_OK) {
                    store->upload.active = false;
                    return status;
                }
            }
            if (!storage->erase_sector(storage->ctx, at >> store->sector_shift)) {
                store->upload.active = false;
                return status_fail(store->report, STATUS_STORE_IO, "erasing sector %lu of image %u",
                                   (unsigned long)sector, slot);
            }
            if (store->system->yield(store->system->ctx))
                return status_fail(store->report, STATUS_CANCELLED, "upload %08lX at byte %lu",
                                   (unsigned long)store->upload.id, (unsigned long)offset);
        }
        uint32_t chunk = store->sector_size - in_sector;
        if (chunk > len)
            chunk = (uint32_t)len;
        if (!storage->program(storage->ctx, at, bytes, chunk)) {
            store->upload.active = false;
            return status_fail(store->report, STATUS_STORE_IO, "programming image %u at 0x%lX", slot,
                               (unsigned long)at);
        }
        store->upload.crc = crc32_update(store->upload.crc, bytes, chunk);
        store->upload.received += chunk;
        bytes += chunk;
        len -= chunk;
    }
    return STATUS_OK;
}

enum status store_upload_resume(struct store *store, uint32_t upload_id, uint32_t *offset)
{
    enum status status = require_mounted(store);
    if (status != STATUS_OK)
        return status;
    if (store->upload.active) {
        if (store->upload.id != upload_id)
            return status_fail(store->report, STATUS_STORE_BUSY, "upload %08lX is in progress",
                               (unsigned long)store->upload.id);
        *offset = store->upload.received;
        return STATUS_OK;
    }
    int found = STORE_NO_SLOT;
    for (unsigned i = 0; i < STORE_MAX_SLOTS; i++)
        if (store->state.slots[i].state == STORE_SLOT_RECEIVING && store->state.slots[i].upload_id == upload_id)
            found = (int)i;
    if (found == STORE_NO_SLOT)
        return status_fail(store->report, STATUS_STORE_UNKNOWN_UPLOAD, "upload %08lX", (unsigned long)upload_id);

    /* The bytes up to the checkpoint were on flash when it was recorded; make sure they still are. */
    unsigned slot = (unsigned)found;
    const struct store_slot *checkpoint = &store->state.slots[slot];
    uint32_t crc;
    status = image_crc(store, slot, checkpoint->start, checkpoint->length, &crc);
    if (status != STATUS_OK)
        return status;
    if (crc != checkpoint->crc) {
        status = commit_freed(store, 1u << slot);
        if (status != STATUS_OK)
            return status;
        return status_fail(store->report, STATUS_STORE_CORRUPT,
                           "the first %lu bytes of upload %08lX are damaged; it was discarded",
                           (unsigned long)checkpoint->length, (unsigned long)upload_id);
    }
    memset(&store->upload, 0, sizeof store->upload);
    store->upload.slot = slot;
    store->upload.start = checkpoint->start;
    store->upload.sectors = checkpoint->sectors;
    store->upload.id = upload_id;
    store->upload.received = checkpoint->length;
    store->upload.crc = checkpoint->crc;
    store->upload.info = checkpoint->info;
    store->upload.active = true;
    *offset = checkpoint->length;
    return STATUS_OK;
}

enum status store_upload_finish(struct store *store, const uint32_t *expected_crc, unsigned *slot_out)
{
    enum status status = require_upload(store);
    if (status != STATUS_OK)
        return status;
    unsigned slot = store->upload.slot;
    uint32_t received = store->upload.received;
    uint32_t announced = store->upload.info.size;
    if (received == 0 || received != announced) {
        status = discard_upload(store);
        if (status != STATUS_OK)
            return status;
        if (received == 0)
            return status_fail(store->report, STATUS_IMAGE_EMPTY, "the upload received no bytes");
        return status_fail(store->report, STATUS_IMAGE_TRUNCATED, "received %lu of the %lu bytes announced",
                           (unsigned long)received, (unsigned long)announced);
    }

    uint32_t crc;
    status = image_crc(store, slot, store->upload.start, received, &crc);
    if (status != STATUS_OK)
        return status; /* cancelled, or a read failed: the upload stays, finish may be called again */
    if (crc != store->upload.crc || (expected_crc != NULL && crc != *expected_crc)) {
        uint32_t written = store->upload.crc;
        status = discard_upload(store);
        if (status != STATUS_OK)
            return status;
        if (crc != written)
            return status_fail(store->report, STATUS_STORE_CORRUPT,
                               "image %u reads back with CRC-32 %08lX; %08lX was written", slot, (unsigned long)crc,
                               (unsigned long)written);
        return status_fail(store->report, STATUS_STORE_CRC_MISMATCH,
                           "received %lu bytes with CRC-32 %08lX; the client announced %08lX", (unsigned long)received,
                           (unsigned long)crc, (unsigned long)*expected_crc);
    }

    struct store_state next = store->state;
    struct store_slot *image = &next.slots[slot];
    image->state = STORE_SLOT_COMPLETE;
    image->flashed_ok = false;
    image->length = received;
    image->crc = crc;
    image->upload_id = store->upload.id;
    image->start = store->upload.start;
    image->sectors = store->upload.sectors;
    image->info = store->upload.info;
    status = store_journal_commit(store, &next);
    store->upload.active = false;
    if (status != STATUS_OK)
        return status;
    if (slot_out != NULL)
        *slot_out = slot;
    return STATUS_OK;
}

enum status store_upload_abort(struct store *store)
{
    enum status status = require_upload(store);
    if (status != STATUS_OK)
        return status;
    return discard_upload(store);
}

/* ---------------------------------------------------------------------------------------------------------------
 * Roles.
 */

/* The roles once slot is current (docs/store.md, "the rules of store_activate"); slot is not current yet. */
static void make_current(struct store_state *next, unsigned slot)
{
    int old = next->current;
    if (next->previous == (int)slot)
        next->previous = STORE_NO_SLOT;
    if (old != STORE_NO_SLOT) {
        if (next->slots[old].flashed_ok) {
            /* The replaced image flashed well: it is now the newest such image other than the current one. */
            if (next->previous != STORE_NO_SLOT)
                free_slot(next, (unsigned)next->previous);
            next->previous = old;
        } else {
            free_slot(next, (unsigned)old);
        }
    }
    next->current = (int)slot;
}

enum status store_activate(struct store *store, unsigned slot)
{
    enum status status = require_mounted(store);
    if (status == STATUS_OK)
        status = require_complete(store, slot);
    if (status != STATUS_OK)
        return status;
    if (store->state.current == (int)slot)
        return STATUS_OK;
    status = store_verify(store, slot);
    if (status != STATUS_OK)
        return status;
    struct store_state next = store->state;
    make_current(&next, slot);
    return store_journal_commit(store, &next);
}

enum status store_record_flash(struct store *store, unsigned slot, bool verified)
{
    enum status status = require_mounted(store);
    if (status == STATUS_OK)
        status = require_complete(store, slot);
    if (status != STATUS_OK)
        return status;
    bool current = store->state.current == (int)slot;
    if (current && (store->state.slots[slot].flashed_ok || !verified))
        return STATUS_OK;
    struct store_state next = store->state;
    if (!current)
        make_current(&next, slot);
    if (verified)
        next.slots[slot].flashed_ok = true;
    return store_journal_commit(store, &next);
}

enum status store_mark_flashed_ok(struct store *store)
{
    enum status status = require_mounted(store);
    if (status != STATUS_OK)
        return status;
    int current = store->state.current;
    if (current == STORE_NO_SLOT)
        return status_fail(store->report, STATUS_STORE_NO_IMAGE, "no current image to mark as flashed");
    if (store->state.slots[current].flashed_ok)
        return STATUS_OK;
    struct store_state next = store->state;
    next.slots[current].flashed_ok = true;
    return store_journal_commit(store, &next);
}

enum status store_rollback(struct store *store)
{
    enum status status = require_mounted(store);
    if (status != STATUS_OK)
        return status;
    if (store->state.previous == STORE_NO_SLOT)
        return status_fail(store->report, STATUS_STORE_NO_IMAGE,
                           "no previous image: no image other than the current one has flashed well");
    return store_activate(store, (unsigned)store->state.previous);
}

enum status store_delete(struct store *store, unsigned slot)
{
    enum status status = require_mounted(store);
    if (status != STATUS_OK)
        return status;
    if (slot >= STORE_MAX_SLOTS)
        return status_fail(store->report, STATUS_INVALID_ARGUMENT, "entry %u: the store has entries 0 to %u", slot,
                           STORE_MAX_SLOTS - 1);
    bool uploading = store->upload.active && store->upload.slot == slot;
    if (store->state.slots[slot].state == STORE_SLOT_EMPTY && !uploading)
        return status_fail(store->report, STATUS_STORE_NO_IMAGE, "entry %u is empty", slot);
    if (uploading)
        store->upload.active = false;
    if (store->state.slots[slot].state == STORE_SLOT_EMPTY)
        return STATUS_OK; /* an upload before its first checkpoint: nothing on record */
    return commit_freed(store, 1u << slot);
}

unsigned store_list(const struct store *store, struct store_entry *entries, unsigned max)
{
    for (unsigned i = 0; i < STORE_MAX_SLOTS && i < max; i++) {
        struct store_entry *entry = &entries[i];
        memset(entry, 0, sizeof *entry);
        entry->slot = i;
        entry->image = store->state.slots[i];
        entry->current = store->state.current == (int)i;
        entry->previous = store->state.previous == (int)i;
        if (store->upload.active && store->upload.slot == i) {
            entry->uploading = true;
            entry->received = store->upload.received;
            entry->image.state = STORE_SLOT_RECEIVING;
            entry->image.upload_id = store->upload.id;
            entry->image.start = store->upload.start;
            entry->image.sectors = store->upload.sectors;
            entry->image.info = store->upload.info;
        }
    }
    return STORE_MAX_SLOTS;
}

int store_current(const struct store *store)
{
    return store->mounted ? store->state.current : STORE_NO_SLOT;
}

int store_previous(const struct store *store)
{
    return store->mounted ? store->state.previous : STORE_NO_SLOT;
}
