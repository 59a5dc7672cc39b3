/*
 * fuzz_image_harness.c - the invariants of src/image on arbitrary input.
 *
 * For every input:
 *   1. Parsing the whole buffer and parsing it in uneven chunks (each copied to a buffer of its own size, so the
 *      sanitizers see any read past a chunk) give the same bytes at the same addresses from the same offsets (for
 *      HEX even the same calls), the same status and the same detail.
 *   2. Every failure has a detail; every sink call has len > 0, does not wrap past 0xFFFFFFFF, and names a file
 *      offset inside the file (ELF, binary: where its bytes are; HEX: the record's ':').
 *   3. When the plan accepts the image: its program ranges are sorted, unit-aligned, inside flash, apart from each
 *      other, and hold every data byte; its erase spans are sorted and apart.
 *   4. A rehearsal can only fail as too complex; when it succeeds the programming pass succeeds too, programs
 *      every unit exactly once, and leaves flash holding the image bytes with 0xFF padding.
 *   5. Format detection reads no more than its window (the input's head is copied to a buffer of its own size), a
 *      refusal has a detail, and a file it takes for Intel HEX parses as HEX as far as its first record.
 */
#include "fuzz_image_harness.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "image/image_writer.h"

#define FUZZ_FLASH_BASE 0x08000000u
#define FUZZ_FLASH_SIZE (64u * 1024u)

#define CHECK(condition)                                                                                               \
    do {                                                                                                               \
        if (!(condition)) {                                                                                            \
            fprintf(stderr, "%s:%d: invariant broken: %s\n", __FILE__, __LINE__, #condition);                          \
            abort();                                                                                                   \
        }                                                                                                              \
    } while (0)

/* What a parse reported: the sum of a hash of every (address, file offset, value) byte, which does not depend on
 * how the bytes were cut into calls (ELF and binary pieces follow the chunks), and the calls themselves in order,
 * which for HEX (one call per record) must not depend on the chunks either. */
struct fuzz_digest {
    uint64_t byte_sum;
    uint64_t bytes;
    uint64_t call_hash;
    uint32_t calls;
    bool has_entry;
    uint32_t entry;
};

struct fuzz_parse {
    enum image_format format;
    const uint8_t *file; /* the whole input */
    size_t size;
    const uint8_t *base; /* where the parser's bytes lie when fed the whole buffer, else NULL */
    bool shadow;         /* also record flash bytes into expected[] */
    struct fuzz_digest digest;
};

#define FNV_OFFSET_BASIS 0xCBF29CE484222325ull
#define FNV_PRIME        0x100000001B3ull

/* The image's flash bytes as the first parse saw them, and the flash the writer programmed. */
static uint8_t expected[FUZZ_FLASH_SIZE];
static bool expected_set[FUZZ_FLASH_SIZE];
static uint8_t flash[FUZZ_FLASH_SIZE];
static bool programmed[FUZZ_FLASH_SIZE];
/* The part of those arrays an input has written (offsets from the flash base), so that clearing and checking them
 * costs what the input used, not 64 KB each time. */
static uint32_t dirty_low = 0, dirty_high = FUZZ_FLASH_SIZE;

static void fuzz_dirty(uint32_t at, uint32_t len)
{
    if (at < dirty_low)
        dirty_low = at;
    if (at + len > dirty_high)
        dirty_high = at + len;
}

static void fuzz_clean(void)
{
    if (dirty_low < dirty_high) {
        size_t len = dirty_high - dirty_low;
        memset(expected_set + dirty_low, 0, len);
        memset(flash + dirty_low, 0, len);
        memset(programmed + dirty_low, 0, len);
    }
    dirty_low = FUZZ_FLASH_SIZE;
    dirty_high = 0;
}

static uint64_t fnv1a(uint64_t hash, const void *bytes, size_t len)
{
    const uint8_t *p = bytes;
    for (size_t i = 0; i < len; i++)
        hash = (hash ^ p[i]) * FNV_PRIME;
    return hash;
}

static enum status fuzz_parse_data(void *ctx, uint32_t address, const uint8_t *bytes, uint32_t len,
                                   uint32_t file_offset)
{
    struct fuzz_parse *parse = ctx;
    CHECK(len > 0);
    CHECK((uint64_t)address + len - 1 <= UINT32_MAX);
    CHECK(file_offset < parse->size);
    if (parse->format == IMAGE_FORMAT_HEX)
        CHECK(parse->file[file_offset] == ':');
    else if (parse->base != NULL)
        CHECK(bytes == parse->base + file_offset);
    struct fuzz_digest *digest = &parse->digest;
    uint32_t fields[3] = {address, len, file_offset};
    digest->call_hash = fnv1a(fnv1a(digest->call_hash, fields, sizeof fields), bytes, len);
    digest->calls++;
    for (uint32_t i = 0; i < len; i++) {
        /* HEX offsets name the record, ELF and binary ones the byte itself. */
        uint32_t byte[3] = {address + i, parse->format == IMAGE_FORMAT_HEX ? file_offset : file_offset + i, bytes[i]};
        digest->byte_sum += fnv1a(FNV_OFFSET_BASIS, byte, sizeof byte);
    }
    digest->bytes += len;
    if (parse->shadow) {
        for (uint32_t i = 0; i < len; i++) {
            uint32_t at = address + i - FUZZ_FLASH_BASE;
            if (at < FUZZ_FLASH_SIZE) {
                expected[at] = bytes[i];
                expected_set[at] = true;
                fuzz_dirty(at, 1);
            }
        }
    }
    return STATUS_OK;
}

static void fuzz_parse_entry(void *ctx, uint32_t address)
{
    struct fuzz_parse *parse = ctx;
    parse->digest.has_entry = true;
    parse->digest.entry = address;
}

/* Feeds the input whole (chunk_seed 0) or in uneven chunks, each in a buffer of its own. */
static enum status fuzz_feed(enum image_format format, const uint8_t *data, size_t size, const struct image_sink *sink,
                             struct status_report *report, uint32_t chunk_seed)
{
    static struct image_reader reader;
    image_reader_init(&reader, format, FUZZ_FLASH_BASE, sink, report);
    if (chunk_seed == 0) {
        enum status status = image_reader_feed(&reader, data, size);
        return status != STATUS_OK ? status : image_reader_finish(&reader);
    }
    uint32_t state = chunk_seed;
    for (size_t at = 0; at < size;) {
        state = state * 1664525u + 1013904223u;
        size_t chunk = 1 + (state >> 8) % (67 + size / 8); /* small ones, and about ten for a large file */
        if (chunk > size - at)
            chunk = size - at;
        uint8_t *copy = malloc(chunk);
        CHECK(copy != NULL);
        memcpy(copy, data + at, chunk);
        enum status status = image_reader_feed(&reader, copy, chunk);
        free(copy);
        if (status != STATUS_OK)
            return status;
        at += chunk;
    }
    return image_reader_finish(&reader);
}

static enum status fuzz_program(void *ctx, uint32_t address, const uint8_t *bytes, uint32_t len)
{
    const struct image_target *target = ctx;
    CHECK(len > 0 && len % target->program_unit == 0 && address % target->program_unit == 0);
    CHECK(address >= FUZZ_FLASH_BASE && (uint64_t)address + len <= (uint64_t)FUZZ_FLASH_BASE + FUZZ_FLASH_SIZE);
    uint32_t at = address - FUZZ_FLASH_BASE;
    fuzz_dirty(at, len);
    for (uint32_t i = 0; i < len; i++) {
        CHECK(!programmed[at + i]); /* no unit is programmed twice */
        programmed[at + i] = true;
    }
    memcpy(flash + at, bytes, len);
    return STATUS_OK;
}

static enum status fuzz_option_bytes(void *ctx, uint32_t address, const uint8_t *bytes, uint32_t len)
{
    (void)ctx;
    (void)bytes;
    CHECK(address >= 0x1FFFF800u && (uint64_t)address + len <= 0x1FFFF810u);
    return STATUS_OK;
}

static void fuzz_check_plan(const struct image_plan *plan, const struct image_target *target)
{
    uint32_t unit = target->program_unit;
    for (unsigned i = 0; i < plan->program_count; i++) {
        struct image_range range = plan->program[i];
        CHECK(range.size > 0 && range.base % unit == 0 && range.size % unit == 0);
        CHECK(range.base >= target->flash.base && image_range_end(range) <= image_range_end(target->flash));
        if (i > 0)
            CHECK(range.base > image_range_end(plan->program[i - 1]));
    }
    for (unsigned i = 0; i < plan->data_count; i++) {
        const struct image_segment *segment = &plan->data[i];
        bool held = false;
        for (unsigned k = 0; k < plan->program_count; k++)
            held |= segment->address >= plan->program[k].base &&
                    (uint64_t)segment->address + segment->size <= image_range_end(plan->program[k]);
        CHECK(held);
        if (i > 0)
            CHECK(segment->address > (uint64_t)plan->data[i - 1].address + plan->data[i - 1].size);
    }
    uint32_t units = 0;
    for (unsigned i = 0; i < plan->erase_count; i++) {
        CHECK(plan->erase[i].count > 0);
        if (i > 0)
            CHECK(plan->erase[i].first > plan->erase[i - 1].first + plan->erase[i - 1].count);
        units += plan->erase[i].count;
    }
    CHECK(units == plan->erase_units && plan->partial_erase_units <= units);
}

/* The plan and both writer passes over an image the parser accepted. */
static void fuzz_plan_and_write(enum image_format format, const uint8_t *data, size_t size)
{
    static const uint32_t units[] = {2, 4, 8, 16, 32};
    struct image_target target = {
        .flash = {FUZZ_FLASH_BASE, FUZZ_FLASH_SIZE},
        .program_unit = units[size % 5],
        .erased_value = 0xFF,
        .erase_runs = {{4096, 4}, {16384, 1}, {32768, 1}},
        .ram = {{0x20000000, 20 * 1024}},
        .option_bytes = {{0x1FFFF800, 16}},
    };
    struct status_report report;
    status_clear(&report);
    static struct image_plan plan;
    CHECK(image_plan_init(&plan, &target, &report) == STATUS_OK);
    struct image_sink sink = image_plan_sink(&plan);
    enum status status = fuzz_feed(format, data, size, &sink, &report, 0);
    if (status == STATUS_OK)
        status = image_plan_finish(&plan);
    if (status != STATUS_OK) {
        CHECK(report.detail[0] != '\0');
        return;
    }
    fuzz_check_plan(&plan, &target);

    /* The rehearsal and the programming pass read the file in the same chunks, as the writer requires. */
    static struct image_writer writer;
    CHECK(image_writer_init(&writer, &plan, NULL, &report) == STATUS_OK);
    sink = image_writer_sink(&writer);
    status = fuzz_feed(format, data, size, &sink, &report, 0x5EED);
    if (status == STATUS_OK)
        status = image_writer_finish(&writer);
    if (status != STATUS_OK) {
        CHECK(status == STATUS_IMAGE_TOO_COMPLEX && report.detail[0] != '\0');
        return;
    }

    const struct image_writer_output output = {
        .program = fuzz_program, .option_bytes = fuzz_option_bytes, .ctx = &target};
    CHECK(image_writer_init(&writer, &plan, &output, &report) == STATUS_OK);
    sink = image_writer_sink(&writer);
    CHECK(fuzz_feed(format, data, size, &sink, &report, 0x5EED) == STATUS_OK);
    CHECK(image_writer_finish(&writer) == STATUS_OK);

    uint32_t programmed_bytes = 0;
    for (uint32_t at = dirty_low; at < dirty_high; at++) {
        if (expected_set[at])
            CHECK(programmed[at] && flash[at] == expected[at]);
        else if (programmed[at])
            CHECK(flash[at] == target.erased_value);
        programmed_bytes += programmed[at];
    }
    CHECK(programmed_bytes == plan.program_bytes);
}

static enum status fuzz_ignore_data(void *ctx, uint32_t address, const uint8_t *bytes, uint32_t len,
                                    uint32_t file_offset)
{
    (void)ctx, (void)address, (void)bytes, (void)len, (void)file_offset;
    return STATUS_OK;
}

static void fuzz_detect(const uint8_t *data, size_t size)
{
    size_t len = size < IMAGE_FORMAT_DETECT_BYTES ? size : IMAGE_FORMAT_DETECT_BYTES;
    uint8_t *head = malloc(len ? len : 1);
    CHECK(head != NULL);
    memcpy(head, data, len);
    struct status_report report;
    status_clear(&report);
    enum image_format detected;
    enum status status = image_format_detect(head, len, &detected, &report);
    CHECK(status == STATUS_OK || (status == STATUS_IMAGE_FORMAT && report.detail[0] != '\0'));
    if (status == STATUS_OK && detected == IMAGE_FORMAT_HEX) {
        /* The byte order mark and blank lines before the first ':' are read past by the HEX parser as well. */
        size_t colon = (size_t)((const uint8_t *)memchr(head, ':', len) - head);
        struct image_hex hex;
        struct image_sink none = {fuzz_ignore_data, NULL, NULL};
        image_hex_init(&hex, &none, &report);
        CHECK(image_hex_feed(&hex, head, colon + 1) == STATUS_OK);
    }
    free(head);
}

int fuzz_image_run(enum image_format format, const uint8_t *data, size_t size)
{
    fuzz_clean();
    fuzz_detect(data, size);

    struct status_report whole_report, chunked_report;
    status_clear(&whole_report);
    struct fuzz_parse whole = {.format = format,
                               .file = data,
                               .size = size,
                               .base = data,
                               .shadow = true,
                               .digest = {.call_hash = FNV_OFFSET_BASIS}};
    struct image_sink sink = {fuzz_parse_data, fuzz_parse_entry, &whole};
    enum status whole_status = fuzz_feed(format, data, size, &sink, &whole_report, 0);
    CHECK(whole_status == STATUS_OK || whole_report.detail[0] != '\0');

    status_clear(&chunked_report);
    struct fuzz_parse chunked = {
        .format = format, .file = data, .size = size, .digest = {.call_hash = FNV_OFFSET_BASIS}};
    sink.ctx = &chunked;
    uint32_t seed = (uint32_t)size * 2654435761u + 1u;
    enum status chunked_status = fuzz_feed(format, data, size, &sink, &chunked_report, seed);
    CHECK(chunked_status == whole_status);
    CHECK(strcmp(chunked_report.detail, whole_report.detail) == 0);
    CHECK(chunked.digest.byte_sum == whole.digest.byte_sum && chunked.digest.bytes == whole.digest.bytes);
    if (format == IMAGE_FORMAT_HEX)
        CHECK(chunked.digest.call_hash == whole.digest.call_hash && chunked.digest.calls == whole.digest.calls);
    CHECK(chunked.digest.has_entry == whole.digest.has_entry && chunked.digest.entry == whole.digest.entry);

    if (whole_status == STATUS_OK)
        fuzz_plan_and_write(format, data, size);
    return 0;
}
