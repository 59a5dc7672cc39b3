/*
 * test_image_bin.c - src/image/image_bin.c and image_reader.c: a raw binary at its base, format detection, and
 * the reader dispatching to each parser.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "image/image_reader.h"
#include "image_test_files.h"

static struct recording recording;
static struct status_report report;

static int setup(void **state)
{
    (void)state;
    recording_clear(&recording);
    status_clear(&report);
    return 0;
}

static void test_binary_lands_at_its_base_in_chunks(void **state)
{
    (void)state;
    uint8_t file[100];
    for (unsigned i = 0; i < sizeof file; i++)
        file[i] = (uint8_t)i;
    struct image_sink sink = recording_sink(&recording);
    struct image_bin bin;
    image_bin_init(&bin, 0x08004000, &sink, &report);
    assert_int_equal(image_bin_feed(&bin, file, 7), STATUS_OK);
    assert_int_equal(image_bin_feed(&bin, file + 7, 0), STATUS_OK);
    assert_int_equal(image_bin_feed(&bin, file + 7, 93), STATUS_OK);
    assert_int_equal(image_bin_finish(&bin), STATUS_OK);
    assert_int_equal(recording.call_count, 2);
    assert_int_equal(recording.calls[0].address, 0x08004000);
    assert_int_equal(recording.calls[1].address, 0x08004007);
    assert_int_equal(recording.calls[1].file_offset, 7);
    assert_int_equal(recording.calls[1].len, 93);
    assert_int_equal(recording_byte_at(&recording, 0x08004063), 99);
    assert_false(recording.has_entry);
}

static void test_binary_past_0xffffffff_is_out_of_range(void **state)
{
    (void)state;
    uint8_t file[32] = {0};
    struct image_sink sink = recording_sink(&recording);
    struct image_bin bin;
    image_bin_init(&bin, 0xFFFFFFF0u, &sink, &report);
    assert_int_equal(image_bin_feed(&bin, file, 16), STATUS_OK);
    assert_int_equal(image_bin_feed(&bin, file, 1), STATUS_IMAGE_OUT_OF_RANGE);
    assert_string_equal(report.detail, "binary at base 0xFFFFFFF0 runs past address 0xFFFFFFFF after file offset 0xF");
    assert_int_equal(image_bin_finish(&bin), STATUS_IMAGE_OUT_OF_RANGE);
}

static void test_sink_failure_is_sticky(void **state)
{
    (void)state;
    recording.answer = STATUS_IMAGE_OVERLAP;
    struct image_sink sink = recording_sink(&recording);
    struct image_bin bin;
    image_bin_init(&bin, 0x08000000, &sink, &report);
    assert_int_equal(image_bin_feed(&bin, (const uint8_t *)"ab", 2), STATUS_IMAGE_OVERLAP);
    recording.answer = STATUS_OK;
    assert_int_equal(image_bin_feed(&bin, (const uint8_t *)"ab", 2), STATUS_IMAGE_OVERLAP);
}

static void test_format_is_detected_from_the_first_bytes(void **state)
{
    (void)state;
    assert_int_equal(image_format_detect((const uint8_t *)"\x7F"
                                                          "ELF\x01\x01",
                                         6),
                     IMAGE_FORMAT_ELF);
    assert_int_equal(image_format_detect((const uint8_t *)":020000040800F2", 15), IMAGE_FORMAT_HEX);
    assert_int_equal(image_format_detect((const uint8_t *)"\r\n  :02", 7), IMAGE_FORMAT_HEX);
    assert_int_equal(image_format_detect((const uint8_t *)"\x00\x50\x00\x20\x01\x01\x00\x08", 8), IMAGE_FORMAT_BIN);
    assert_int_equal(image_format_detect((const uint8_t *)"\x7F"
                                                          "EL",
                                         3),
                     IMAGE_FORMAT_BIN);
    assert_int_equal(image_format_detect(NULL, 0), IMAGE_FORMAT_BIN);
    assert_string_equal(image_format_name(IMAGE_FORMAT_HEX), "Intel HEX");
    assert_string_equal(image_format_name(IMAGE_FORMAT_ELF), "ELF");
    assert_string_equal(image_format_name(IMAGE_FORMAT_BIN), "binary");
}

static void test_reader_dispatches_to_each_format(void **state)
{
    (void)state;
    static uint8_t elf_file[1024];
    static const uint8_t payload[4] = {1, 2, 3, 4};
    struct test_elf elf = test_elf_arm();
    elf.header_count = 1;
    elf.headers[0] = (struct test_elf_header){1, 0x100, 0x08000000, 0x08000000, 4, 4, payload};
    size_t elf_len = test_elf_build(&elf, elf_file, sizeof elf_file);
    const char *hex = ":0400000001020304F2\n:00000001FF\n";
    const struct {
        enum image_format format;
        const uint8_t *file;
        size_t len;
        uint32_t address;
    } cases[] = {
        {IMAGE_FORMAT_BIN, payload, sizeof payload, 0x08000000}, /* at the base given to the reader */
        {IMAGE_FORMAT_HEX, (const uint8_t *)hex, strlen(hex), 0x00000000},
        {IMAGE_FORMAT_ELF, elf_file, elf_len, 0x08000000},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const uint8_t *file = cases[i].file;
        size_t len = cases[i].len;
        assert_int_equal(image_format_detect(file, len), cases[i].format);
        recording_clear(&recording);
        struct image_sink sink = recording_sink(&recording);
        struct image_reader reader;
        image_reader_init(&reader, cases[i].format, 0x08000000, &sink, &report);
        for (size_t at = 0; at < len; at++)
            assert_int_equal(image_reader_feed(&reader, file + at, 1), STATUS_OK);
        assert_int_equal(image_reader_finish(&reader), STATUS_OK);
        assert_int_equal(recording.calls[0].address, cases[i].address);
        assert_int_equal(recording.byte_count, 4);
        assert_memory_equal(recording.bytes, payload, 4);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_binary_lands_at_its_base_in_chunks, setup),
        cmocka_unit_test_setup(test_binary_past_0xffffffff_is_out_of_range, setup),
        cmocka_unit_test_setup(test_sink_failure_is_sticky, setup),
        cmocka_unit_test_setup(test_format_is_detected_from_the_first_bytes, setup),
        cmocka_unit_test_setup(test_reader_dispatches_to_each_format, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
