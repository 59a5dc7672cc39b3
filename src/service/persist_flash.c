/*
 * persist_flash.c - blobs by tag and an append-only log on a ring of erase sectors (persist_flash.h).
 *
 * docs/persist.md has the record layout. The invariants that make every power cut survivable:
 * - Records are appended at increasing offsets inside the current sector, after its last byte that is not blank,
 *   so a program only ever meets erased flash and a cut one leaves garbage only where nothing counted yet.
 * - A record counts when its header is ours and its CRC-32 matches; a cut record does not (short of a 2^-32
 *   accident). Its garbage is skipped a unit at a time, so records appended after it are still found.
 * - The newest intact record of a tag (highest sequence number) is its value; the sector holding the newest
 *   record of all is the one appended to.
 * - A sector is only erased when the ring moves into it (or, at mount, when it holds nothing but copies, see
 *   persist_flash_mount), and it never holds a tag's newest record then: whenever a sector is opened, the blobs
 *   whose newest record is in the sector after it are copied into it before any other record, so the next sector
 *   to be erased holds only log entries and superseded blobs. A copy forward cut short is finished at mount.
 */
#include "service/persist_flash.h"

#include <string.h>

#include "byte_order.h"
#include "crc32.h"

/* Record layout: a 16-byte header, then the payload, padded with erased bytes to a whole number of units. */
static const uint8_t record_magic[2] = {'A', 'P'};
#define RECORD_VERSION  1u
#define OFFSET_MAGIC    0
#define OFFSET_VERSION  2
#define OFFSET_TAG      3
#define OFFSET_LENGTH   4
#define OFFSET_RESERVED 6
#define OFFSET_SEQUENCE 8
#define OFFSET_CRC      12
#define RECORD_HEADER   16
#define UNIT            16u
#define LOG_TAG         0u

/* Bytes read or programmed at a time, on the stack. Programs are whole chunks or units, 16-byte aligned, which the
 * ESP8266's SPI flash driver (4-byte alignment) accepts as they are. */
#define CHUNK 32u

struct record {
    uint32_t offset; /* from the start of the storage */
    uint32_t sequence;
    uint16_t len;
    uint8_t tag;
    bool blank; /* the unit at offset reads all 0xFF (when the record is not intact) */
};

static uint32_t record_size(uint32_t len)
{
    return RECORD_HEADER + ((len + UNIT - 1) & ~(UNIT - 1));
}

static uint32_t max_len(unsigned tag)
{
    return tag == LOG_TAG ? PERSIST_FLASH_LOG_ENTRY_MAX : PERSIST_FLASH_BLOB_MAX;
}

static uint32_t sector_size(const struct persist_flash *keeper)
{
    return keeper->storage->sector_size;
}

static uint32_t sector_offset(const struct persist_flash *keeper, uint32_t sector)
{
    return (keeper->first_sector + sector) * sector_size(keeper);
}

static uint32_t next_sector(const struct persist_flash *keeper, uint32_t sector)
{
    return sector + 1 == keeper->sector_count ? 0 : sector + 1;
}

static bool blob_in_sector(const struct persist_flash *keeper, unsigned index, uint32_t sector)
{
    return keeper->blobs[index].sequence != 0 &&
           keeper->blobs[index].offset / sector_size(keeper) == keeper->first_sector + sector;
}

/* Reading, programming (or reading back what was programmed), or erasing failed. */
static enum status io_failed(struct persist_flash *keeper, uint32_t offset)
{
    keeper->mounted = false;
    return status_fail(keeper->report, STATUS_STORE_IO, "settings flash at 0x%lX; mount it again",
                       (unsigned long)offset);
}

static enum status read_flash(struct persist_flash *keeper, uint32_t offset, uint8_t *buf, uint32_t len)
{
    if (!keeper->storage->read(keeper->storage->ctx, offset, buf, len))
        return io_failed(keeper, offset);
    return STATUS_OK;
}

/* Payload bytes [at, at + len) of a record being written: from bytes, or (a copy) from flash at from. */
static enum status read_payload(struct persist_flash *keeper, const uint8_t *bytes, uint32_t from, uint32_t at,
                                uint8_t *buf, uint32_t len)
{
    if (bytes != NULL) {
        memcpy(buf, bytes + at, len);
        return STATUS_OK;
    }
    return read_flash(keeper, from + at, buf, len);
}

/* Reads the record at offset, which must end by end. *intact: it is ours and its CRC matches. */
static enum status record_check(struct persist_flash *keeper, uint32_t offset, uint32_t end, struct record *record,
                                bool *intact)
{
    uint8_t header[RECORD_HEADER];
    *intact = false;
    enum status status = read_flash(keeper, offset, header, RECORD_HEADER);
    if (status != STATUS_OK)
        return status;
    record->offset = offset;
    record->tag = header[OFFSET_TAG];
    record->len = le_get_u16(header + OFFSET_LENGTH);
    record->sequence = le_get_u32(header + OFFSET_SEQUENCE);
    record->blank = true;
    for (unsigned i = 0; i < RECORD_HEADER; i++)
        record->blank = record->blank && header[i] == 0xFF;
    if (memcmp(header + OFFSET_MAGIC, record_magic, sizeof record_magic) != 0 ||
        header[OFFSET_VERSION] != RECORD_VERSION || le_get_u16(header + OFFSET_RESERVED) != 0 ||
        record->tag > PERSIST_FLASH_TAGS || record->len > max_len(record->tag) ||
        (record->tag == LOG_TAG && record->len == 0) || record_size(record->len) > end - offset ||
        record->sequence == 0)
        return STATUS_OK;
    uint32_t crc = crc32_update(0, header, OFFSET_CRC);
    uint8_t chunk[CHUNK];
    for (uint32_t done = 0; done < record->len; done += CHUNK) {
        uint32_t n = record->len - done < CHUNK ? record->len - done : CHUNK;
        status = read_flash(keeper, offset + RECORD_HEADER + done, chunk, n);
        if (status != STATUS_OK)
            return status;
        crc = crc32_update(crc, chunk, n);
    }
    *intact = crc == le_get_u32(header + OFFSET_CRC);
    return STATUS_OK;
}

/* Calls found for each intact record of sector, in order; *used: the end of its last unit that is not blank. */
static enum status walk_sector(struct persist_flash *keeper, uint32_t sector,
                               enum status (*found)(struct persist_flash *keeper, const struct record *record,
                                                    void *arg),
                               void *arg, uint32_t *used)
{
    uint32_t base = sector_offset(keeper, sector), end = base + sector_size(keeper);
    *used = 0;
    for (uint32_t offset = base; offset < end;) {
        struct record record;
        bool intact;
        enum status status = record_check(keeper, offset, end, &record, &intact);
        if (status == STATUS_OK && intact)
            status = found(keeper, &record, arg);
        if (status != STATUS_OK)
            return status;
        uint32_t size = intact ? record_size(record.len) : UNIT;
        if (intact || !record.blank)
            *used = offset + size - base;
        offset += size;
    }
    return STATUS_OK;
}

static enum status note_record(struct persist_flash *keeper, const struct record *record, void *arg)
{
    bool *newest_here = arg;
    if (record->tag != LOG_TAG && record->sequence > keeper->blobs[record->tag - 1].sequence) {
        keeper->blobs[record->tag - 1].offset = record->offset;
        keeper->blobs[record->tag - 1].sequence = record->sequence;
        keeper->blobs[record->tag - 1].len = record->len;
    }
    if (record->sequence > keeper->sequence) {
        keeper->sequence = record->sequence;
        *newest_here = true;
    }
    return STATUS_OK;
}

static enum status scan(struct persist_flash *keeper)
{
    keeper->sequence = 0;
    memset(keeper->blobs, 0, sizeof keeper->blobs);
    /* No records: the first write opens sector 0, erasing whatever it holds. */
    keeper->current = keeper->sector_count - 1;
    keeper->append = sector_size(keeper);
    for (uint32_t sector = 0; sector < keeper->sector_count; sector++) {
        bool newest_here = false;
        uint32_t used;
        enum status status = walk_sector(keeper, sector, note_record, &newest_here, &used);
        if (status != STATUS_OK)
            return status;
        if (newest_here) {
            keeper->current = sector;
            keeper->append = used;
        }
    }
    return STATUS_OK;
}

/* Appends a record of tag at the append position, which must have room for it. The payload comes from bytes, or
 * (bytes NULL: a copy forward) from flash at from. The payload is programmed first and the header, which makes the
 * record count, last: a cut leaves either a whole record or bytes that do not count. */
static enum status write_record(struct persist_flash *keeper, unsigned tag, const uint8_t *bytes, uint32_t from,
                                uint32_t len)
{
    if (keeper->sequence == UINT32_MAX)
        return status_fail(keeper->report, STATUS_STORE_CORRUPT, "settings flash: sequence numbers used up");
    uint32_t offset = sector_offset(keeper, keeper->current) + keeper->append, size = record_size(len);
    uint8_t header[RECORD_HEADER] = {0};
    memcpy(header + OFFSET_MAGIC, record_magic, sizeof record_magic);
    header[OFFSET_VERSION] = RECORD_VERSION;
    header[OFFSET_TAG] = (uint8_t)tag;
    le_put_u16(header + OFFSET_LENGTH, (uint16_t)len);
    le_put_u32(header + OFFSET_SEQUENCE, keeper->sequence + 1);
    uint32_t crc = crc32_update(0, header, OFFSET_CRC);
    enum status status;
    /* Whole chunks of the payload, the last one padded with erased bytes to the end of its unit. */
    for (uint32_t done = 0; done < size - RECORD_HEADER; done += CHUNK) {
        uint8_t chunk[CHUNK];
        uint32_t n = size - RECORD_HEADER - done < CHUNK ? size - RECORD_HEADER - done : CHUNK;
        uint32_t payload = len - done < n ? len - done : n;
        memset(chunk, 0xFF, n);
        if ((status = read_payload(keeper, bytes, from, done, chunk, payload)) != STATUS_OK)
            return status;
        crc = crc32_update(crc, chunk, payload);
        if (!keeper->storage->program(keeper->storage->ctx, offset + RECORD_HEADER + done, chunk, n))
            return io_failed(keeper, offset);
    }
    le_put_u32(header + OFFSET_CRC, crc);
    if (!keeper->storage->program(keeper->storage->ctx, offset, header, RECORD_HEADER))
        return io_failed(keeper, offset);

    struct record record;
    bool intact;
    if ((status = record_check(keeper, offset, offset + size, &record, &intact)) != STATUS_OK)
        return status;
    if (!intact)
        return io_failed(keeper, offset);
    keeper->append += size;
    bool newest;
    return note_record(keeper, &record, &newest);
}

/* Copies into the current sector the blobs whose newest record is in sector. False in *full when one does not fit
 * (nothing is written then). */
static enum status copy_forward(struct persist_flash *keeper, uint32_t sector, bool *full)
{
    *full = false;
    for (unsigned i = 0; i < PERSIST_FLASH_TAGS; i++) {
        if (!blob_in_sector(keeper, i, sector))
            continue;
        if (keeper->append + record_size(keeper->blobs[i].len) > sector_size(keeper)) {
            *full = true;
            return STATUS_OK;
        }
        enum status status =
            write_record(keeper, i + 1, NULL, keeper->blobs[i].offset + RECORD_HEADER, keeper->blobs[i].len);
        if (status != STATUS_OK)
            return status;
    }
    return STATUS_OK;
}

static enum status erase_sector(struct persist_flash *keeper, uint32_t sector)
{
    if (!keeper->storage->erase_sector(keeper->storage->ctx, keeper->first_sector + sector))
        return io_failed(keeper, sector_offset(keeper, sector));
    return STATUS_OK;
}

enum status persist_flash_mount(struct persist_flash *keeper, const struct hal_storage *storage, uint32_t first_sector,
                                uint32_t sector_count, struct status_report *report)
{
    memset(keeper, 0, sizeof *keeper);
    keeper->storage = storage;
    keeper->report = report;
    keeper->first_sector = first_sector;
    keeper->sector_count = sector_count;
    uint32_t size = storage->sector_size;
    if (sector_count < 2 || first_sector > storage->sector_count ||
        sector_count > storage->sector_count - first_sector ||
        (uint64_t)(first_sector + sector_count) * size > UINT32_MAX || size % CHUNK != 0 ||
        (PERSIST_FLASH_TAGS + 1) * record_size(PERSIST_FLASH_BLOB_MAX) > size ||
        record_size(PERSIST_FLASH_LOG_ENTRY_MAX) > size)
        return status_fail(report, STATUS_STORE_LAYOUT, "settings flash: %lu sectors of %lu bytes from %lu",
                           (unsigned long)sector_count, (unsigned long)size, (unsigned long)first_sector);
    for (;;) {
        enum status status = scan(keeper);
        if (status != STATUS_OK)
            return status;
        keeper->mounted = true;
        if (keeper->sequence == 0)
            return STATUS_OK;
        /* Blobs still in the sector after the current one: a cut interrupted the copy forward when the current
         * sector was opened. Finish it. Should the sector be full (more cuts, more garbage), it holds nothing but
         * copies of blobs that are still in the next sector: erase it and start again from the scan. */
        bool full;
        if ((status = copy_forward(keeper, next_sector(keeper, keeper->current), &full)) != STATUS_OK || !full)
            return status;
        if ((status = erase_sector(keeper, keeper->current)) != STATUS_OK)
            return status;
    }
}

static enum status append(struct persist_flash *keeper, unsigned tag, const void *bytes, size_t len)
{
    if (tag > PERSIST_FLASH_TAGS || len > max_len(tag) || (tag == LOG_TAG && len == 0))
        return status_fail(keeper->report, STATUS_INVALID_ARGUMENT, "settings flash: tag %u, %lu bytes", tag,
                           (unsigned long)len);
    if (!keeper->mounted)
        return status_fail(keeper->report, STATUS_STORE_IO, "settings flash not mounted");
    if (keeper->append + record_size((uint32_t)len) > sector_size(keeper)) {
        /* Open the next sector: the oldest. Everything in it is a log entry or a superseded blob. */
        uint32_t sector = next_sector(keeper, keeper->current);
        enum status status = erase_sector(keeper, sector);
        if (status != STATUS_OK)
            return status;
        keeper->current = sector;
        keeper->append = 0;
        bool full;
        if ((status = copy_forward(keeper, next_sector(keeper, sector), &full)) != STATUS_OK)
            return status;
    }
    return write_record(keeper, tag, bytes, 0, (uint32_t)len);
}

enum status persist_flash_put(struct persist_flash *keeper, unsigned tag, const void *bytes, size_t len)
{
    return append(keeper, tag == LOG_TAG ? PERSIST_FLASH_TAGS + 1 : tag, bytes, len);
}

enum status persist_flash_log_append(struct persist_flash *keeper, const void *bytes, size_t len)
{
    return append(keeper, LOG_TAG, bytes, len);
}

enum status persist_flash_get(struct persist_flash *keeper, unsigned tag, void *buf, size_t max, size_t *len)
{
    if (!keeper->mounted || tag < 1 || tag > PERSIST_FLASH_TAGS || keeper->blobs[tag - 1].sequence == 0)
        return status_fail(keeper->report, STATUS_STORE_NO_IMAGE, "no settings blob %u", tag);
    uint32_t offset = keeper->blobs[tag - 1].offset, blob_len = keeper->blobs[tag - 1].len;
    if (blob_len > max)
        return status_fail(keeper->report, STATUS_STORE_TOO_LARGE, "settings blob %u: %lu bytes", tag,
                           (unsigned long)blob_len);
    struct record record;
    bool intact;
    enum status status = record_check(keeper, offset, offset + record_size(blob_len), &record, &intact);
    if (status == STATUS_OK && !intact)
        return status_fail(keeper->report, STATUS_STORE_CORRUPT, "settings blob %u at 0x%lX", tag,
                           (unsigned long)offset);
    if (status == STATUS_OK)
        status = read_flash(keeper, offset + RECORD_HEADER, buf, blob_len);
    *len = blob_len;
    return status;
}

struct log_visit {
    unsigned count, skip;
    void (*visit)(void *ctx, const uint8_t *bytes, size_t len);
    void *ctx;
};

static enum status visit_entry(struct persist_flash *keeper, const struct record *record, void *arg)
{
    struct log_visit *walk = arg;
    if (record->tag != LOG_TAG || walk->count++ < walk->skip || walk->visit == NULL)
        return STATUS_OK;
    uint8_t entry[PERSIST_FLASH_LOG_ENTRY_MAX];
    enum status status = read_flash(keeper, record->offset + RECORD_HEADER, entry, record->len);
    if (status == STATUS_OK)
        walk->visit(walk->ctx, entry, record->len);
    return status;
}

unsigned persist_flash_log_read(struct persist_flash *keeper, unsigned skip,
                                void (*visit)(void *ctx, const uint8_t *bytes, size_t len), void *ctx)
{
    struct log_visit walk = {.skip = skip, .visit = visit, .ctx = ctx};
    /* The oldest sector is the one after the current one. */
    for (uint32_t i = 1; keeper->mounted && i <= keeper->sector_count; i++) {
        uint32_t used;
        if (walk_sector(keeper, (keeper->current + i) % keeper->sector_count, visit_entry, &walk, &used) != STATUS_OK)
            break;
    }
    return walk.count;
}
