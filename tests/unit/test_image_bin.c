/*
 * test_image_bin.c - src/image/image_bin.c and image_reader.c: a raw binary at its base, format detection, and
 * the reader dispatching to each parser.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
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

/* The format image_format_detect() finds in len bytes; fails the test when it refuses them. */
static enum image_format detected(const void *head, size_t len)
{
    enum image_format format = IMAGE_FORMAT_CONTAINER;
    status_clear(&report);
    if (image_format_detect(head, len, &format, &report) != STATUS_OK)
        fail_msg("refused: %s", report.detail);
    return format;
}

/* image_format_detect() refuses len bytes with a detail that holds words. */
static void expect_refused(const void *head, size_t len, const char *words)
{
    enum image_format format;
    status_clear(&report);
    assert_int_equal(image_format_detect(head, len, &format, &report), STATUS_IMAGE_FORMAT);
    if (strstr(report.detail, words) == NULL)
        fail_msg("\"%s\" is not in \"%s\"", words, report.detail);
}

static void test_format_is_detected_from_the_first_bytes(void **state)
{
    (void)state;
    assert_int_equal(detected("\x7F" "ELF\x01\x01", 6), IMAGE_FORMAT_ELF);
    assert_int_equal(detected(":020000040800F2", 15), IMAGE_FORMAT_HEX);
    assert_int_equal(detected("\r\n  :02", 7), IMAGE_FORMAT_HEX);
    /* A vector table: initial SP and reset vector. */
    assert_int_equal(detected("\x00\x50\x00\x20\x01\x01\x00\x08", 8), IMAGE_FORMAT_BIN);
    assert_int_equal(detected("\x7F" "EL", 3), IMAGE_FORMAT_BIN);
    assert_int_equal(detected(NULL, 0), IMAGE_FORMAT_BIN); /* empty: the plan says there is nothing to program */
    assert_string_equal(image_format_name(IMAGE_FORMAT_HEX), "Intel HEX");
    assert_string_equal(image_format_name(IMAGE_FORMAT_ELF), "ELF");
    assert_string_equal(image_format_name(IMAGE_FORMAT_BIN), "binary");
}

/* Blank lines and a byte order mark before the first record, as editors and scripts leave them. */
static void test_hex_after_blank_lines_or_a_byte_order_mark_is_hex(void **state)
{
    (void)state;
    static char text[256];
    const char *record = ":020000040800F2\r\n";
    for (unsigned lines = 0; lines <= 31; lines++) {
        text[0] = '\0';
        for (unsigned i = 0; i < lines; i++)
            strcat(text, "\r\n");
        strcat(text, record);
        assert_int_equal(detected(text, strlen(text)), IMAGE_FORMAT_HEX);
    }
    snprintf(text, sizeof text, "\xEF\xBB\xBF%s", record);
    assert_int_equal(detected(text, strlen(text)), IMAGE_FORMAT_HEX);
    snprintf(text, sizeof text, "\xEF\xBB\xBF\n\n\t %s", record);
    assert_int_equal(detected(text, strlen(text)), IMAGE_FORMAT_HEX);
    /* More blank space than is looked at: refused, not taken for a binary. */
    text[0] = '\0';
    for (unsigned i = 0; i < 40; i++)
        strcat(text, "\r\n");
    strcat(text, record);
    expect_refused(text, strlen(text), "begins with more than 64 bytes of blank space");
}

/* What a binary looks like: bytes that are not text, even when a ':' or blanks come first. */
static void test_bytes_that_are_not_text_are_a_binary(void **state)
{
    (void)state;
    /* Initial SP 0x20003A20: a space, then ':'. */
    assert_int_equal(detected("\x20\x3A\x00\x20\xC1\x01\x00\x08", 8), IMAGE_FORMAT_BIN);
    assert_int_equal(detected(":\x00\x01\x02", 4), IMAGE_FORMAT_BIN);
    /* Initial SP 0x20004F20: its first byte is a space. */
    assert_int_equal(detected("\x20\x4F\x00\x20\xC1\x01\x00\x08", 8), IMAGE_FORMAT_BIN);
    /* Bytes that are not UTF-8: a lone continuation byte, an overlong lead, a sequence cut by the end of the file. */
    assert_int_equal(detected("abc\x80", 4), IMAGE_FORMAT_BIN);
    assert_int_equal(detected("abc\xC0\x80", 5), IMAGE_FORMAT_BIN);
    assert_int_equal(detected("abc\xC3", 4), IMAGE_FORMAT_BIN);
    assert_int_equal(detected("\xFF\xFF\xFF\xFF", 4), IMAGE_FORMAT_BIN);
}

/* Text that is not Intel HEX is refused with a sentence, never flashed as a binary. */
static void test_text_that_is_not_hex_is_refused_by_name(void **state)
{
    (void)state;
    expect_refused(" \r\n\t\r\n", 6, "nothing but blank space (6 bytes)");
    static char spaces[100];
    memset(spaces, ' ', sizeof spaces);
    expect_refused(spaces, sizeof spaces, "more than 64 bytes of blank space");
    const char *srec = "S00F000068656C6C6F202020202000003C\r\nS11F00007C0802A6900100049421FFF07C6C1B787C8C23783C6000003863000026\r\n";
    expect_refused(srec, strlen(srec), "Motorola S-records (\"S00F000068656C6C6F20202\")");
    const char *commented = "# built by make\n:020000040800F2\n:00000001FF\n";
    expect_refused(commented, strlen(commented), "text, not an image (first line \"# built by make\")");
    const char *map = "Archive member included to satisfy reference by file (symbol)\n\n";
    expect_refused(map, strlen(map), "first line \"Archive member included\"");
    const char *utf8 = "Gr\xC3\xB6\xC3\x9F" "e: 5 \xE2\x82\xAC\n";
    expect_refused(utf8, strlen(utf8), "first line \"Gr????e: 5 ???\"");
    expect_refused("ABCD", 4, "if it is raw data, declare its format as bin");
    /* A multibyte character cut where the bytes looked at end is still text. */
    static char cut[70];
    memset(cut, 'a', sizeof cut);
    memcpy(cut + 63, "\xC3\xA4", 2);
    expect_refused(cut, sizeof cut, "text, not an image");
}

static void test_format_keys_name_every_format(void **state)
{
    (void)state;
    const enum image_format formats[] = {IMAGE_FORMAT_BIN, IMAGE_FORMAT_HEX, IMAGE_FORMAT_ELF, IMAGE_FORMAT_CONTAINER};
    for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++) {
        enum image_format back;
        assert_true(image_format_from_key(image_format_key(formats[i]), &back));
        assert_int_equal(back, formats[i]);
    }
    enum image_format format;
    assert_string_equal(image_format_key(IMAGE_FORMAT_HEX), "hex");
    assert_false(image_format_from_key("srec", &format));
    assert_false(image_format_from_key("", &format));
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
        assert_int_equal(detected(file, len), cases[i].format);
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
        cmocka_unit_test_setup(test_hex_after_blank_lines_or_a_byte_order_mark_is_hex, setup),
        cmocka_unit_test_setup(test_bytes_that_are_not_text_are_a_binary, setup),
        cmocka_unit_test_setup(test_text_that_is_not_hex_is_refused_by_name, setup),
        cmocka_unit_test_setup(test_format_keys_name_every_format, setup),
        cmocka_unit_test_setup(test_reader_dispatches_to_each_format, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
