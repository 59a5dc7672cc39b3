/*
 * test_image_container.c - the signed container parser (src/image/image_container.c) through image_reader, and
 * the seekable AES-CTR it decrypts with.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "container_test_files.h"
#include "image/image_reader.h"

/* What the sink saw: every byte at its address (checked against container_test_byte). */
struct collected {
    uint32_t bytes;
    uint32_t wrong;
    uint32_t last_end;
};

static enum status collect_data(void *ctx, uint32_t address, const uint8_t *bytes, uint32_t len, uint32_t file_offset)
{
    struct collected *collected = ctx;
    (void)file_offset;
    assert_true(len > 0);
    for (uint32_t i = 0; i < len; i++)
        collected->wrong += bytes[i] != container_test_byte(address + i);
    collected->bytes += len;
    collected->last_end = address + len;
    return STATUS_OK;
}

/* Parses file in chunks of chunk bytes (0: whole); the status, and what was collected. */
static enum status parse(const uint8_t *file, size_t size, size_t chunk, const uint8_t *key,
                         struct collected *collected, struct status_report *report)
{
    memset(collected, 0, sizeof *collected);
    status_clear(report);
    struct image_sink sink = {collect_data, NULL, collected};
    struct image_reader reader;
    enum image_format format = IMAGE_FORMAT_BIN;
    enum status detected = image_format_detect(file, size, &format, report);
    if (detected != STATUS_OK)
        return detected;
    image_reader_init(&reader, format, 0, &sink, report);
    if (key != NULL)
        image_reader_set_key(&reader, key);
    if (chunk == 0)
        chunk = size ? size : 1;
    for (size_t at = 0; at < size; at += chunk) {
        size_t len = size - at < chunk ? size - at : chunk;
        enum status status = image_reader_feed(&reader, file + at, len);
        if (status != STATUS_OK)
            return status;
    }
    return image_reader_finish(&reader);
}

static uint8_t *build(bool encrypted, size_t *size)
{
    struct container_test_spec spec = {.header = container_test_header(),
                                       .aes_key = encrypted ? container_test_aes_key : NULL};
    return container_test_build(&spec, size);
}

static void expect_parsed_in_every_chunking(bool encrypted)
{
    size_t size;
    uint8_t *file = build(encrypted, &size);
    enum image_format format;
    assert_int_equal(image_format_detect(file, size, &format, NULL), STATUS_OK);
    assert_int_equal(format, IMAGE_FORMAT_CONTAINER);
    static const size_t chunks[] = {0, 1, 2, 3, 7, 16, 63, 64, 65, 255, 256, 257, 259, 512};
    for (size_t i = 0; i < sizeof chunks / sizeof chunks[0]; i++) {
        struct collected collected;
        struct status_report report;
        assert_int_equal(parse(file, size, chunks[i], container_test_aes_key, &collected, &report), STATUS_OK);
        assert_int_equal(collected.bytes, 300 + 77);
        assert_int_equal(collected.wrong, 0);
        assert_int_equal(collected.last_end, 0x08001000 + 77);
    }
    free(file);
}

static void test_plain_container_parses_in_any_chunks(void **state)
{
    (void)state;
    expect_parsed_in_every_chunking(false);
}

static void test_encrypted_container_decrypts_in_any_chunks(void **state)
{
    (void)state;
    expect_parsed_in_every_chunking(true);
}

static void test_encrypted_container_without_key_is_refused(void **state)
{
    (void)state;
    size_t size;
    uint8_t *file = build(true, &size);
    struct collected collected;
    struct status_report report;
    assert_int_equal(parse(file, size, 1, NULL, &collected, &report), STATUS_IMAGE_ENCRYPTED);
    assert_non_null(strstr(report.detail, "AES-128 encrypted"));
    assert_int_equal(collected.bytes, 0);
    free(file);
}

static void test_every_truncation_is_refused(void **state)
{
    (void)state;
    size_t size;
    uint8_t *file = build(true, &size);
    for (size_t len = 0; len < size; len++) {
        struct collected collected;
        struct status_report report;
        enum status status = parse(file, len, 1 + len % 5, container_test_aes_key, &collected, &report);
        /* fewer than 8 bytes are not recognisable as a container: the reader takes them as a binary */
        if (len < IMAGE_CONTAINER_MAGIC_SIZE)
            continue;
        assert_int_equal(status, STATUS_IMAGE_TRUNCATED);
        assert_true(report.detail[0] != '\0');
    }
    free(file);
}

static void test_trailing_bytes_are_refused(void **state)
{
    (void)state;
    size_t size;
    uint8_t *file = build(false, &size);
    uint8_t *longer = calloc(1, size + 1);
    memcpy(longer, file, size);
    struct collected collected;
    struct status_report report;
    assert_int_equal(parse(longer, size + 1, 0, NULL, &collected, &report), STATUS_IMAGE_FORMAT);
    free(longer);
    free(file);
}

/* Parses the file after poking a header byte. */
static enum status parse_poked(unsigned offset, uint8_t value, struct status_report *report)
{
    size_t size;
    uint8_t *file = build(false, &size);
    file[offset] = value;
    struct collected collected;
    struct image_reader reader;
    struct image_sink sink = {collect_data, NULL, &collected};
    memset(&collected, 0, sizeof collected);
    status_clear(report);
    image_reader_init(&reader, IMAGE_FORMAT_CONTAINER, 0, &sink, report);
    enum status status = image_reader_feed(&reader, file, size);
    if (status == STATUS_OK)
        status = image_reader_finish(&reader);
    free(file);
    return status;
}

static void test_bad_header_fields_are_refused(void **state)
{
    (void)state;
    struct status_report report;
    assert_int_equal(parse_poked(IMAGE_CONTAINER_AT_MAGIC + 7, '2', &report), STATUS_IMAGE_FORMAT);
    assert_int_equal(parse_poked(IMAGE_CONTAINER_AT_VERSION, 2, &report), STATUS_IMAGE_FORMAT);
    assert_non_null(strstr(report.detail, "version 2"));
    assert_int_equal(parse_poked(IMAGE_CONTAINER_AT_HEADER_SIZE, 1, &report), STATUS_IMAGE_FORMAT);
    assert_int_equal(parse_poked(IMAGE_CONTAINER_AT_FLAGS, 0x04, &report), STATUS_IMAGE_FORMAT);
    assert_non_null(strstr(report.detail, "flags"));
    /* flag 1, the programmer's firmware, with an STM32 image's targets, base and segments */
    assert_int_equal(parse_poked(IMAGE_CONTAINER_AT_FLAGS, 0x02, &report), STATUS_IMAGE_FORMAT);
    assert_non_null(strstr(report.detail, "programmer firmware container has no targets"));
    assert_int_equal(parse_poked(IMAGE_CONTAINER_AT_RESERVED3 + 3, 1, &report), STATUS_IMAGE_FORMAT);
    assert_int_equal(parse_poked(IMAGE_CONTAINER_AT_IV, 1, &report), STATUS_IMAGE_FORMAT); /* IV, not encrypted */
    assert_int_equal(parse_poked(IMAGE_CONTAINER_AT_TARGET_COUNT, 9, &report), STATUS_IMAGE_FORMAT);
    assert_int_equal(parse_poked(IMAGE_CONTAINER_AT_SEGMENT_COUNT, 17, &report), STATUS_IMAGE_FORMAT);
    assert_int_equal(parse_poked(IMAGE_CONTAINER_AT_SEGMENT_COUNT, 0, &report), STATUS_IMAGE_FORMAT);
    /* count 1 leaves segment entry 1 in use */
    assert_int_equal(parse_poked(IMAGE_CONTAINER_AT_SEGMENT_COUNT, 1, &report), STATUS_IMAGE_FORMAT);
    assert_int_equal(parse_poked(IMAGE_CONTAINER_AT_PAYLOAD_SIZE, 0x10, &report), STATUS_IMAGE_FORMAT);
    assert_non_null(strstr(report.detail, "payload length"));
    /* the signature block may not be longer than a P-256 signature */
    assert_int_equal(parse_poked(IMAGE_CONTAINER_HEADER_SIZE + 1, 1, &report), STATUS_IMAGE_FORMAT);
}

static void test_overlapping_or_unsorted_segments_are_refused(void **state)
{
    (void)state;
    struct image_container_header header = container_test_header();
    header.segments[1].base = 0x08000000 + 299; /* one byte inside segment 0 */
    uint8_t raw[IMAGE_CONTAINER_HEADER_SIZE];
    image_container_header_encode(&header, raw);
    struct image_container_header decoded;
    struct status_report report;
    status_clear(&report);
    header.payload_size = 377;
    image_container_header_encode(&header, raw);
    assert_int_equal(image_container_header_decode(raw, &decoded, &report), STATUS_IMAGE_OVERLAP);
    header.segments[1].base = 0x07000000; /* before segment 0 */
    image_container_header_encode(&header, raw);
    assert_int_equal(image_container_header_decode(raw, &decoded, &report), STATUS_IMAGE_OVERLAP);
    header.segments[1].base = 0xFFFFFFF0; /* past the address space */
    image_container_header_encode(&header, raw);
    assert_int_equal(image_container_header_decode(raw, &decoded, &report), STATUS_IMAGE_FORMAT);
    header.segments[1].base = 0x08000000 + 300; /* adjacent is fine */
    image_container_header_encode(&header, raw);
    assert_int_equal(image_container_header_decode(raw, &decoded, &report), STATUS_OK);
}

static void test_format_is_detected_and_named(void **state)
{
    (void)state;
    enum image_format format;
    assert_int_equal(image_format_detect((const uint8_t *)"AIRSWDC1xxxxxxxx", 16, &format, NULL), STATUS_OK);
    assert_int_equal(format, IMAGE_FORMAT_CONTAINER);
    /* The magic cut short: text, which is not an image. */
    assert_int_equal(image_format_detect((const uint8_t *)"AIRSWDC", 7, &format, NULL), STATUS_IMAGE_FORMAT);
    assert_string_equal(image_format_name(IMAGE_FORMAT_CONTAINER), "signed container");
}

/* NIST SP 800-38A F.5.1 (CTR-AES128.Encrypt), blocks 1 and 2; then the same bytes decrypted from odd offsets. */
static void test_aes_ctr_matches_nist_and_seeks(void **state)
{
    (void)state;
    static const uint8_t iv[16] = {0xf0, 0xf1, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7,
                                   0xf8, 0xf9, 0xfa, 0xfb, 0xfc, 0xfd, 0xfe, 0xff};
    static const uint8_t plain[32] = {0x6b, 0xc1, 0xbe, 0xe2, 0x2e, 0x40, 0x9f, 0x96, 0xe9, 0x3d, 0x7e,
                                      0x11, 0x73, 0x93, 0x17, 0x2a, 0xae, 0x2d, 0x8a, 0x57, 0x1e, 0x03,
                                      0xac, 0x9c, 0x9e, 0xb7, 0x6f, 0xac, 0x45, 0xaf, 0x8e, 0x51};
    static const uint8_t cipher[32] = {0x87, 0x4d, 0x61, 0x91, 0xb6, 0x20, 0xe3, 0x26, 0x1b, 0xef, 0x68,
                                       0x64, 0x99, 0x0d, 0xb6, 0xce, 0x98, 0x06, 0xf6, 0x6b, 0x79, 0x70,
                                       0xfd, 0xff, 0x86, 0x17, 0x18, 0x7b, 0xb9, 0xff, 0xfd, 0xff};
    uint8_t buf[32];
    memcpy(buf, plain, 32);
    secure_aes128_ctr_xor(container_test_aes_key, iv, 0, buf, 32);
    assert_memory_equal(buf, cipher, 32);
    for (uint32_t at = 0; at < 32; at += 5) {
        uint32_t len = 32 - at < 7 ? 32 - at : 7;
        memcpy(buf, cipher + at, len);
        secure_aes128_ctr_xor(container_test_aes_key, iv, at, buf, len);
        assert_memory_equal(buf, plain + at, len);
    }
}

static void test_context_sizes_are_small(void **state)
{
    (void)state;
    printf("sizeof(struct image_container) = %zu, sizeof(struct image_reader) = %zu, "
           "sizeof(struct secure_aes_ctr) = %zu\n",
           sizeof(struct image_container), sizeof(struct image_reader), sizeof(struct secure_aes_ctr));
    assert_true(sizeof(struct image_container) <= 700);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain_container_parses_in_any_chunks),
        cmocka_unit_test(test_encrypted_container_decrypts_in_any_chunks),
        cmocka_unit_test(test_encrypted_container_without_key_is_refused),
        cmocka_unit_test(test_every_truncation_is_refused),
        cmocka_unit_test(test_trailing_bytes_are_refused),
        cmocka_unit_test(test_bad_header_fields_are_refused),
        cmocka_unit_test(test_overlapping_or_unsorted_segments_are_refused),
        cmocka_unit_test(test_format_is_detected_and_named),
        cmocka_unit_test(test_aes_ctr_matches_nist_and_seeks),
        cmocka_unit_test(test_context_sizes_are_small),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
