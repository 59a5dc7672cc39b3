/*
 * store_journal.c - the staging store's journal.
 *
 * The journal is the first AIRSWD_STORE_JOURNAL_SECTORS sectors of the storage, cut into record positions of
 * STORE_RECORD_SIZE bytes, used in order and round and round. Each record is a complete description of the store
 * (docs/store.md has the byte layout), so only the newest intact one matters and older ones may be erased freely.
 *
 * Invariants that make every power cut survivable:
 * - A record is only ever programmed into a position that reads all 0xFF, and positions are used in increasing
 *   order inside a sector, so a cut program leaves garbage in one position and nothing else.
 * - A journal sector is only erased when the append position moves into it, and it is never the sector of the
 *   newest record (there are at least two sectors and records move forward), so a cut erase destroys only records
 *   that are older than the newest one.
 * - A record counts once its magic and its CRC-32 match; the newest intact record wins. A cut program has a prefix
 *   of its bytes on flash, and the CRC is the last field, so it does not count (short of a 1 in 2^32 accident).
 */
#include "service/store_journal.h"
#include "service/store_space.h"

#include <string.h>

#include "byte_order.h"
#include "crc32.h"

/* Record layout: little-endian fields at fixed offsets. Version 2: images anywhere in the data area (version 1 had
 * equal fixed slots and no start sectors). */
static const uint8_t record_magic[4] = {'A', 'S', 'J', 'R'};
#define RECORD_VERSION         2u
#define OFFSET_MAGIC           0
#define OFFSET_VERSION         4
#define OFFSET_ENTRY_COUNT     5
#define OFFSET_JOURNAL_SECTORS 6
#define OFFSET_SECTOR_SHIFT    7
#define OFFSET_DATA_SECTORS    8
#define OFFSET_SEQUENCE        12
#define OFFSET_CURRENT         16
#define OFFSET_PREVIOUS        17
#define OFFSET_ENTRIES         20
#define OFFSET_CRC             (STORE_RECORD_SIZE - 4)
#define ROLE_NONE              0xFFu

/* One image's entry, at OFFSET_ENTRIES + slot * ENTRY_SIZE. The start sector takes 24 bits: the storage is at most
 * 4 GB of sectors of at least 256 bytes, so 2^24 sectors. */
#define ENTRY_SIZE            58
#define ENTRY_STATE           0
#define ENTRY_FORMAT          1
#define ENTRY_FLAGS           2
#define ENTRY_START           3
#define ENTRY_LENGTH          6
#define ENTRY_CRC             10
#define ENTRY_BIN_BASE        14
#define ENTRY_UPLOAD_ID       18
#define ENTRY_SIZE_ANNOUNCED  22
#define ENTRY_NAME            26
#define ENTRY_FLAG_FLASHED_OK 0x01u

_Static_assert(OFFSET_ENTRIES + STORE_MAX_SLOTS * ENTRY_SIZE == OFFSET_CRC, "journal record layout");
_Static_assert(ENTRY_NAME + STORE_NAME_MAX == ENTRY_SIZE, "entry layout");

/* Read-back of a programmed record, compared with what was meant, this many bytes at a time (on the stack). */
#define COMPARE_CHUNK 32

/* Record positions are counted from the start of the storage; sector sizes and the record size are powers of two,
 * so positions map to sectors by shifts. */
#define RECORD_SHIFT 8
_Static_assert(STORE_RECORD_SIZE == 1u << RECORD_SHIFT, "record size is 2^RECORD_SHIFT");

static uint32_t records_per_sector(const struct store *store)
{
    return store->sector_size >> RECORD_SHIFT;
}

static uint32_t position_sector(const struct store *store, uint32_t position)
{
    return position >> (store->sector_shift - RECORD_SHIFT);
}

static bool starts_sector(const struct store *store, uint32_t position)
{
    return (position & (records_per_sector(store) - 1)) == 0;
}

static uint32_t position_count(const struct store *store)
{
    return AIRSWD_STORE_JOURNAL_SECTORS * records_per_sector(store);
}

static bool is_blank(const uint8_t *bytes, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (bytes[i] != 0xFF)
            return false;
    return true;
}

void store_journal_empty_state(struct store_state *state)
{
    memset(state, 0, sizeof *state);
    state->current = STORE_NO_SLOT;
    state->previous = STORE_NO_SLOT;
}

static void put_u24(uint8_t *bytes, uint32_t value)
{
    bytes[0] = (uint8_t)value;
    bytes[1] = (uint8_t)(value >> 8);
    bytes[2] = (uint8_t)(value >> 16);
}

static uint32_t get_u24(const uint8_t *bytes)
{
    return (uint32_t)bytes[0] | (uint32_t)bytes[1] << 8 | (uint32_t)bytes[2] << 16;
}

static void record_encode(const struct store *store, const struct store_state *state, uint32_t sequence,
                          uint8_t *record)
{
    memset(record, 0, STORE_RECORD_SIZE);
    memcpy(record + OFFSET_MAGIC, record_magic, sizeof record_magic);
    record[OFFSET_VERSION] = RECORD_VERSION;
    record[OFFSET_ENTRY_COUNT] = STORE_MAX_SLOTS;
    record[OFFSET_JOURNAL_SECTORS] = AIRSWD_STORE_JOURNAL_SECTORS;
    record[OFFSET_SECTOR_SHIFT] = (uint8_t)store->sector_shift;
    le_put_u32(record + OFFSET_DATA_SECTORS, store->data_sectors);
    le_put_u32(record + OFFSET_SEQUENCE, sequence);
    record[OFFSET_CURRENT] = state->current == STORE_NO_SLOT ? ROLE_NONE : (uint8_t)state->current;
    record[OFFSET_PREVIOUS] = state->previous == STORE_NO_SLOT ? ROLE_NONE : (uint8_t)state->previous;
    for (unsigned i = 0; i < STORE_MAX_SLOTS; i++) {
        const struct store_slot *slot = &state->slots[i];
        uint8_t *entry = record + OFFSET_ENTRIES + i * ENTRY_SIZE;
        entry[ENTRY_STATE] = (uint8_t)slot->state;
        if (slot->state == STORE_SLOT_EMPTY)
            continue; /* an empty entry is all zeros */
        entry[ENTRY_FORMAT] = (uint8_t)slot->info.format;
        entry[ENTRY_FLAGS] = slot->flashed_ok ? ENTRY_FLAG_FLASHED_OK : 0;
        put_u24(entry + ENTRY_START, slot->start);
        le_put_u32(entry + ENTRY_LENGTH, slot->length);
        le_put_u32(entry + ENTRY_CRC, slot->crc);
        le_put_u32(entry + ENTRY_BIN_BASE, slot->info.bin_base);
        le_put_u32(entry + ENTRY_UPLOAD_ID, slot->upload_id);
        le_put_u32(entry + ENTRY_SIZE_ANNOUNCED, slot->info.size);
        for (unsigned c = 0; c < STORE_NAME_MAX && slot->info.name[c] != '\0'; c++)
            entry[ENTRY_NAME + c] = (uint8_t)slot->info.name[c]; /* the rest stays zero */
    }
    le_put_u32(record + OFFSET_CRC, crc32_update(0, record, OFFSET_CRC));
}

static bool record_intact(const uint8_t *record)
{
    return memcmp(record + OFFSET_MAGIC, record_magic, sizeof record_magic) == 0 &&
           le_get_u32(record + OFFSET_CRC) == crc32_update(0, record, OFFSET_CRC);
}

/* Reads a role byte: a complete image's entry, or none. */
static bool decode_role(const struct store_state *state, uint8_t role, int *slot)
{
    if (role == ROLE_NONE) {
        *slot = STORE_NO_SLOT;
        return true;
    }
    if (role >= STORE_MAX_SLOTS || state->slots[role].state != STORE_SLOT_COMPLETE)
        return false;
    *slot = role;
    return true;
}

/* Decodes one non-empty entry; false when it breaks the format's rules. */
static bool entry_decode(const struct store *store, const uint8_t *entry, struct store_slot *slot)
{
    uint8_t flags = entry[ENTRY_FLAGS];
    slot->state = (enum store_slot_state)entry[ENTRY_STATE];
    slot->flashed_ok = (flags & ENTRY_FLAG_FLASHED_OK) != 0;
    slot->start = get_u24(entry + ENTRY_START);
    slot->length = le_get_u32(entry + ENTRY_LENGTH);
    slot->crc = le_get_u32(entry + ENTRY_CRC);
    slot->upload_id = le_get_u32(entry + ENTRY_UPLOAD_ID);
    slot->info.format = (enum store_image_format)entry[ENTRY_FORMAT];
    slot->info.bin_base = le_get_u32(entry + ENTRY_BIN_BASE);
    slot->info.size = le_get_u32(entry + ENTRY_SIZE_ANNOUNCED);
    memcpy(slot->info.name, entry + ENTRY_NAME, STORE_NAME_MAX);
    slot->info.name[STORE_NAME_MAX] = '\0';
    if (entry[ENTRY_STATE] > STORE_SLOT_COMPLETE || entry[ENTRY_FORMAT] >= STORE_IMAGE_FORMAT_COUNT ||
        (flags & ~ENTRY_FLAG_FLASHED_OK) != 0 || slot->start >= store->data_sectors)
        return false;
    /* The extent: a complete image's length, or the room reserved for an upload's announced size. A checkpoint is
     * always at a sector boundary (resuming erases the sector after it before writing) and short of the end. */
    uint64_t bytes;
    if (slot->state == STORE_SLOT_COMPLETE) {
        bytes = slot->length;
        if (slot->length == 0 || slot->info.size != slot->length)
            return false;
    } else {
        bytes = slot->info.size;
        if (slot->info.size == 0 || slot->length >= slot->info.size || (slot->length & (store->sector_size - 1)) != 0)
            return false;
    }
    uint64_t sectors = (bytes + store->sector_size - 1) >> store->sector_shift;
    if (sectors > store->data_sectors)
        return false;
    slot->sectors = (uint32_t)sectors;
    return true;
}

/* An intact record was written by a store; one that breaks the rules below was written by another firmware or
 * damaged in a way the CRC did not catch. Either way it is not ignored (an older record would describe sectors
 * that may have been reused since): the mount fails and says so. */
static enum status record_decode(struct store *store, const uint8_t *record, struct store_state *state)
{
    unsigned long sequence = (unsigned long)le_get_u32(record + OFFSET_SEQUENCE);
    if (record[OFFSET_VERSION] != RECORD_VERSION)
        return status_fail(store->report, STATUS_STORE_LAYOUT,
                           "journal record %lu has format version %u; this firmware reads version %u", sequence,
                           record[OFFSET_VERSION], RECORD_VERSION);
    uint32_t data_sectors = le_get_u32(record + OFFSET_DATA_SECTORS);
    if (record[OFFSET_ENTRY_COUNT] != STORE_MAX_SLOTS ||
        record[OFFSET_JOURNAL_SECTORS] != AIRSWD_STORE_JOURNAL_SECTORS ||
        record[OFFSET_SECTOR_SHIFT] != store->sector_shift || data_sectors != store->data_sectors)
        return status_fail(store->report, STATUS_STORE_LAYOUT,
                           "store has %lu data sectors of 2^%u B, journal %u; now %lu of 2^%u B, journal %u",
                           (unsigned long)data_sectors, record[OFFSET_SECTOR_SHIFT], record[OFFSET_JOURNAL_SECTORS],
                           (unsigned long)store->data_sectors, store->sector_shift, AIRSWD_STORE_JOURNAL_SECTORS);

    store_journal_empty_state(state);
    for (unsigned i = 0; i < STORE_MAX_SLOTS; i++) {
        const uint8_t *entry = record + OFFSET_ENTRIES + i * ENTRY_SIZE;
        if (entry[ENTRY_STATE] == STORE_SLOT_EMPTY) {
            for (unsigned b = 0; b < ENTRY_SIZE; b++)
                if (entry[b] != 0)
                    return status_fail(store->report, STATUS_STORE_CORRUPT,
                                       "journal record %lu: empty entry %u is not blank", sequence, i);
            continue;
        }
        struct store_slot *slot = &state->slots[i];
        if (!entry_decode(store, entry, slot))
            return status_fail(store->report, STATUS_STORE_CORRUPT,
                               "journal record %lu: entry %u is invalid (state %u, format %u, start %lu, length %lu)",
                               sequence, i, entry[ENTRY_STATE], entry[ENTRY_FORMAT], (unsigned long)slot->start,
                               (unsigned long)slot->length);
        for (unsigned j = 0; j < i; j++)
            if (state->slots[j].state != STORE_SLOT_EMPTY &&
                store_extents_overlap(store, slot->start, slot->sectors, state->slots[j].start,
                                      state->slots[j].sectors))
                return status_fail(store->report, STATUS_STORE_CORRUPT,
                                   "journal record %lu: the sectors of entries %u and %u overlap", sequence, j, i);
    }

    if (!decode_role(state, record[OFFSET_CURRENT], &state->current) ||
        !decode_role(state, record[OFFSET_PREVIOUS], &state->previous) ||
        (state->previous != STORE_NO_SLOT &&
         (state->previous == state->current || !state->slots[state->previous].flashed_ok)))
        return status_fail(store->report, STATUS_STORE_CORRUPT,
                           "journal record %lu: current entry %u / previous entry %u break the store's rules", sequence,
                           record[OFFSET_CURRENT], record[OFFSET_PREVIOUS]);
    return STATUS_OK;
}

/* Moves the append position one record on; into the next journal sector (which must then be erased) at the end of
 * a sector. */
static void advance_position(struct store *store)
{
    uint32_t next = store->journal.next_position + 1;
    if (starts_sector(store, next)) {
        store->journal.next_position = next == position_count(store) ? 0 : next;
        store->journal.next_needs_erase = true;
    } else {
        store->journal.next_position = next;
        store->journal.next_needs_erase = false;
    }
}

enum status store_journal_open(struct store *store)
{
    const struct hal_storage *storage = store->storage;
    uint32_t positions = position_count(store);
    bool found = false;
    uint32_t newest = 0, newest_sequence = 0;

    store_journal_empty_state(&store->state);
    for (uint32_t position = 0; position < positions; position++) {
        if (position > 0 && starts_sector(store, position) && store->system->yield(store->system->ctx))
            return status_fail(store->report, STATUS_CANCELLED, "mounting the staging store");
        uint32_t offset = position * STORE_RECORD_SIZE;
        if (!storage->read(storage->ctx, offset, store->scratch, STORE_RECORD_SIZE))
            return status_fail(store->report, STATUS_STORE_IO, "reading the journal at 0x%lX", (unsigned long)offset);
        if (!record_intact(store->scratch))
            continue;
        uint32_t sequence = le_get_u32(store->scratch + OFFSET_SEQUENCE);
        if (!found || sequence > newest_sequence) {
            found = true;
            newest = position;
            newest_sequence = sequence;
        }
    }

    if (!found) {
        /* An empty store. Whatever the journal sectors hold is not ours: the first record erases its sector. */
        store->journal.sequence = 0;
        store->journal.next_position = 0;
        store->journal.next_needs_erase = true;
        return STATUS_OK;
    }
    store->journal.sequence = newest_sequence;
    store->journal.next_position = newest;
    advance_position(store);

    if (!storage->read(storage->ctx, newest * STORE_RECORD_SIZE, store->scratch, STORE_RECORD_SIZE))
        return status_fail(store->report, STATUS_STORE_IO, "reading the journal at 0x%lX",
                           (unsigned long)(newest * STORE_RECORD_SIZE));
    struct store_state state;
    enum status status = record_decode(store, store->scratch, &state);
    if (status != STATUS_OK)
        return status;
    store->state = state;
    return STATUS_OK;
}

static enum status commit_failed(struct store *store, enum status status, const char *what, uint32_t offset)
{
    store->mounted = false;
    return status_fail(store->report, status, "%s journal at 0x%lX; the store must be mounted again", what,
                       (unsigned long)offset);
}

enum status store_journal_commit(struct store *store, const struct store_state *next)
{
    const struct hal_storage *storage = store->storage;
    if (store->journal.sequence == UINT32_MAX)
        return status_fail(store->report, STATUS_STORE_CORRUPT, "journal sequence numbers are used up");

    /* Find a blank position. A position that is not blank holds a record a power cut interrupted: skip it. At most
     * the rest of this sector is skipped, then the next sector is erased. */
    uint32_t offset;
    for (uint32_t tried = 0;; tried++) {
        offset = store->journal.next_position * STORE_RECORD_SIZE;
        if (tried > position_count(store))
            return commit_failed(store, STATUS_STORE_IO, "no blank record position in the", offset);
        bool erased = store->journal.next_needs_erase;
        if (erased) {
            uint32_t sector = position_sector(store, store->journal.next_position);
            if (!storage->erase_sector(storage->ctx, sector))
                return commit_failed(store, STATUS_STORE_IO, "erasing the", offset);
            store->journal.next_needs_erase = false;
        }
        if (!storage->read(storage->ctx, offset, store->scratch, STORE_RECORD_SIZE))
            return commit_failed(store, STATUS_STORE_IO, "reading the", offset);
        if (is_blank(store->scratch, STORE_RECORD_SIZE))
            break;
        if (erased)
            return commit_failed(store, STATUS_STORE_IO, "an erased sector does not read blank in the", offset);
        advance_position(store);
    }

    uint32_t sequence = store->journal.sequence + 1;
    record_encode(store, next, sequence, store->scratch);
    if (!storage->program(storage->ctx, offset, store->scratch, STORE_RECORD_SIZE))
        return commit_failed(store, STATUS_STORE_IO, "programming the", offset);
    for (uint32_t done = 0; done < STORE_RECORD_SIZE; done += COMPARE_CHUNK) {
        uint8_t readback[COMPARE_CHUNK];
        if (!storage->read(storage->ctx, offset + done, readback, COMPARE_CHUNK))
            return commit_failed(store, STATUS_STORE_IO, "reading back the", offset);
        if (memcmp(readback, store->scratch + done, COMPARE_CHUNK) != 0)
            return commit_failed(store, STATUS_STORE_IO, "a record does not read back as written in the", offset);
    }

    store->journal.sequence = sequence;
    store->state = *next;
    advance_position(store);
    return STATUS_OK;
}
