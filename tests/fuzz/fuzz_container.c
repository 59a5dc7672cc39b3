/*
 * fuzz_container.c - libFuzzer target: the signed container through image_reader (whole and in uneven chunks),
 * then secure_image_check() on the same bytes with a fixed test key and AES key.
 *
 * Checked: the whole and the chunked parse give the same status, detail and bytes at the same addresses; every
 * failure has a detail; every sink call has len > 0, does not wrap, and lies inside a segment of the header; a
 * file secure_image_check() accepts also parses, and its payload is what the header's hash says.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "image/image_reader.h"
#include "secure/secure_image.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(condition)                                                                                               \
    do {                                                                                                               \
        if (!(condition)) {                                                                                            \
            fprintf(stderr, "%s:%d: invariant broken: %s\n", __FILE__, __LINE__, #condition);                          \
            abort();                                                                                                   \
        }                                                                                                              \
    } while (0)

/* The public half of tests/fuzz/seeds/container-test-key.pem, which signs the committed corpus. */
static const uint8_t fuzz_point[SECURE_P256_POINT_SIZE] = {
    0x04, 0x18, 0x5e, 0x49, 0x54, 0x65, 0x10, 0xab, 0x85, 0x16, 0xf4, 0x5a, 0xc9, 0x18, 0x52, 0xb1, 0x0a,
    0x85, 0x66, 0x11, 0xe8, 0x8f, 0xcd, 0x8c, 0xe5, 0x77, 0xc3, 0xcb, 0xee, 0xa9, 0xfa, 0xe5, 0x23, 0xb6,
    0x3d, 0x4f, 0x28, 0x1a, 0x35, 0x00, 0x43, 0x7d, 0x64, 0x71, 0x06, 0x3e, 0x35, 0x6f, 0xc6, 0xe8, 0xf3,
    0xbe, 0x3c, 0x95, 0x54, 0x74, 0x26, 0x41, 0x68, 0x6c, 0x92, 0x78, 0x84, 0xd9, 0xa0};
/* tests/fuzz/seeds/container-test-aes.key */
static const uint8_t fuzz_aes_key[SECURE_AES_KEY_SIZE] = {0x2b, 0x7e, 0x15, 0x16, 0x28, 0xae, 0xd2, 0xa6,
                                                          0xab, 0xf7, 0x15, 0x88, 0x09, 0xcf, 0x4f, 0x3c};

struct fuzz_digest {
    uint64_t byte_sum;
    uint64_t bytes;
    const uint8_t *file;
    size_t size;
    struct secure_sha256 sha;
};

static enum status fuzz_data(void *ctx, uint32_t address, const uint8_t *bytes, uint32_t len, uint32_t file_offset)
{
    struct fuzz_digest *digest = ctx;
    CHECK(len > 0 && (uint64_t)address + len - 1 <= UINT32_MAX);
    CHECK(file_offset >= IMAGE_CONTAINER_HEADER_SIZE && (uint64_t)file_offset + len <= digest->size);
    /* the header is whole by now: the bytes lie inside one of its segments */
    struct image_container_header header;
    CHECK(image_container_header_decode(digest->file, &header, NULL) == STATUS_OK);
    bool inside = false;
    for (unsigned i = 0; i < header.segment_count; i++)
        inside |= address >= header.segments[i].base &&
                  (uint64_t)address + len <= image_range_end(header.segments[i]);
    CHECK(inside);
    for (uint32_t i = 0; i < len; i++)
        digest->byte_sum += ((uint64_t)(address + i) * 0x9E3779B97F4A7C15ull) ^ bytes[i];
    digest->bytes += len;
    secure_sha256_update(&digest->sha, bytes, len);
    return STATUS_OK;
}

static enum status fuzz_parse(const uint8_t *data, size_t size, uint32_t chunk_seed, struct fuzz_digest *digest,
                              struct status_report *report, uint8_t hash[SECURE_SHA256_SIZE])
{
    static struct image_reader reader;
    memset(digest, 0, sizeof *digest);
    digest->file = data;
    digest->size = size;
    secure_sha256_start(&digest->sha);
    status_clear(report);
    struct image_sink sink = {fuzz_data, NULL, digest};
    image_reader_init(&reader, IMAGE_FORMAT_CONTAINER, 0, &sink, report);
    image_reader_set_key(&reader, fuzz_aes_key);
    enum status status = STATUS_OK;
    uint32_t state = chunk_seed;
    for (size_t at = 0; at < size && status == STATUS_OK;) {
        size_t chunk = size - at;
        if (chunk_seed != 0) {
            state = state * 1664525u + 1013904223u;
            size_t want = 1 + (state >> 8) % 97;
            if (want < chunk)
                chunk = want;
        }
        uint8_t *copy = malloc(chunk);
        CHECK(copy != NULL);
        memcpy(copy, data + at, chunk);
        status = image_reader_feed(&reader, copy, chunk);
        free(copy);
        at += chunk;
    }
    if (status == STATUS_OK)
        status = image_reader_finish(&reader);
    secure_sha256_finish(&digest->sha, hash);
    secure_aes_ctr_free(&reader.as.container.aes);
    return status;
}

struct fuzz_file {
    const uint8_t *data;
    size_t size;
};

static long fuzz_read(void *ctx, uint32_t offset, uint8_t *buf, uint32_t len)
{
    const struct fuzz_file *file = ctx;
    if (offset >= file->size)
        return 0;
    if (len > file->size - offset)
        len = (uint32_t)(file->size - offset);
    memcpy(buf, file->data + offset, len);
    return (long)len;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct fuzz_digest whole, chunked;
    struct status_report whole_report, chunked_report;
    uint8_t whole_hash[SECURE_SHA256_SIZE], chunked_hash[SECURE_SHA256_SIZE];
    enum status whole_status = fuzz_parse(data, size, 0, &whole, &whole_report, whole_hash);
    CHECK(whole_status == STATUS_OK || whole_report.detail[0] != '\0');
    enum status chunked_status =
        fuzz_parse(data, size, (uint32_t)size * 2654435761u + 1u, &chunked, &chunked_report, chunked_hash);
    CHECK(chunked_status == whole_status);
    CHECK(strcmp(chunked_report.detail, whole_report.detail) == 0);
    CHECK(chunked.bytes == whole.bytes && chunked.byte_sum == whole.byte_sum);
    CHECK(memcmp(chunked_hash, whole_hash, SECURE_SHA256_SIZE) == 0);

    static struct secure_image_work work;
    struct secure_image_policy policy = {.has_aes_key = true};
    memcpy(policy.aes_key, fuzz_aes_key, SECURE_AES_KEY_SIZE);
    CHECK(secure_image_policy_add_key(&policy, fuzz_point));
    const struct secure_image_target target = {.dev_id = 0x410, .flash_kb = 64, .flash_base = 0x08000000};
    struct fuzz_file file = {data, size};
    const struct secure_image_file source = {fuzz_read, &file};
    struct secure_image_info info;
    struct status_report report;
    status_clear(&report);
    enum status status = secure_image_check(&work, &source, &policy, &target, &info, &report);
    CHECK(status == STATUS_OK || report.detail[0] != '\0');
    if (status == STATUS_OK) {
        CHECK(whole_status == STATUS_OK);
        CHECK(memcmp(whole_hash, data + IMAGE_CONTAINER_AT_PAYLOAD_SHA256, SECURE_SHA256_SIZE) == 0);
        CHECK(info.payload_size == whole.bytes);
    } else if (whole_status != STATUS_OK) {
        CHECK(status == whole_status); /* the format is checked first */
    }
    return 0;
}
