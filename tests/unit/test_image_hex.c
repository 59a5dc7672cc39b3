/*
 * test_image_hex.c - src/image/image_hex.c: record types, addressing, every error with its line, and chunking.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "image/image_hex.h"
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

/* Parses text in chunks of chunk bytes (0: all at once) into recording; returns the first failure. */
static enum status parse_chunked(const char *text, size_t len, size_t chunk)
{
    struct image_sink sink = recording_sink(&recording);
    struct image_hex hex;
    image_hex_init(&hex, &sink, &report);
    if (chunk == 0)
        chunk = len;
    for (size_t at = 0; at < len; at += chunk) {
        size_t take = len - at < chunk ? len - at : chunk;
        enum status status = image_hex_feed(&hex, (const uint8_t *)text + at, take);
        if (status != STATUS_OK)
            return status;
    }
    return image_hex_finish(&hex);
}

static enum status parse(const char *text)
{
    return parse_chunked(text, strlen(text), 0);
}

static void assert_detail_contains(const char *needle)
{
    if (strstr(report.detail, needle) == NULL)
        fail_msg("detail \"%s\" does not contain \"%s\"", report.detail, needle);
}

static void test_all_record_types_are_understood(void **state)
{
    (void)state;
    char file[1024];
    size_t len = 0;
    uint8_t value[4];
    const uint8_t data[3] = {0x01, 0x02, 0x03};
    value[0] = 0x10, value[1] = 0x00;
    len = hex_append_record(file, len, 0x02, 0, value, 2, "\n");     /* base 0x10000 */
    len = hex_append_record(file, len, 0x00, 0x0010, data, 3, "\n"); /* 0x10010 */
    value[0] = 0x08, value[1] = 0x00;
    len = hex_append_record(file, len, 0x04, 0, value, 2, "\n");     /* base 0x08000000 */
    len = hex_append_record(file, len, 0x00, 0x0100, data, 3, "\n"); /* 0x08000100 */
    value[0] = 0x12, value[1] = 0x34, value[2] = 0x56, value[3] = 0x78;
    len = hex_append_record(file, len, 0x03, 0, value, 4, "\n");           /* CS:IP 1234:5678 */
    assert_int_equal(parse_chunked(file, len, 0), STATUS_IMAGE_TRUNCATED); /* no 01 yet */
    assert_true(recording.has_entry);
    assert_int_equal(recording.entry, 0x12340u + 0x5678u);

    value[0] = 0x08, value[1] = 0x00, value[2] = 0x01, value[3] = 0xC1;
    len = hex_append_record(file, len, 0x05, 0, value, 4, "\n");
    len = hex_append_record(file, len, 0x01, 0, NULL, 0, "\n");
    recording_clear(&recording);
    assert_int_equal(parse_chunked(file, len, 0), STATUS_OK);
    assert_int_equal(recording.call_count, 2);
    assert_int_equal(recording.calls[0].address, 0x10010);
    assert_int_equal(recording.calls[0].len, 3);
    assert_int_equal(recording.calls[1].address, 0x08000100);
    assert_memory_equal(recording.bytes + recording.calls[1].byte_index, data, 3);
    assert_true(recording.has_entry);
    assert_int_equal(recording.entry, 0x080001C1);
}

static void test_file_offset_points_at_the_records_colon(void **state)
{
    (void)state;
    assert_int_equal(parse(":0400000001020304F2\n\n  :020010000506E3\n:00000001FF\n"), STATUS_OK);
    assert_int_equal(recording.calls[0].file_offset, 0);
    assert_int_equal(recording.calls[1].file_offset, 23);
}

static void test_data_before_any_04_record_lies_at_0x0000xxxx(void **state)
{
    (void)state;
    assert_int_equal(parse(":0400100001020304E2\n:00000001FF\n"), STATUS_OK);
    assert_int_equal(recording.call_count, 1);
    assert_int_equal(recording.calls[0].address, 0x00000010);
}

static void test_out_of_order_and_sparse_records_arrive_in_file_order(void **state)
{
    (void)state;
    char file[1024];
    size_t len = 0;
    const uint8_t a[2] = {0xAA, 0xAB}, b[2] = {0xBB, 0xBC}, c[1] = {0xCC};
    uint8_t upper[2] = {0x08, 0x00};
    len = hex_append_record(file, len, 0x04, 0, upper, 2, "\n");
    len = hex_append_record(file, len, 0x00, 0x4000, b, 2, "\n");
    len = hex_append_record(file, len, 0x00, 0x0000, a, 2, "\n");
    upper[1] = 0x02;
    len = hex_append_record(file, len, 0x04, 0, upper, 2, "\n");
    len = hex_append_record(file, len, 0x00, 0x0010, c, 1, "\n");
    len = hex_append_record(file, len, 0x01, 0, NULL, 0, "\n");
    assert_int_equal(parse_chunked(file, len, 0), STATUS_OK);
    assert_int_equal(recording.call_count, 3);
    assert_int_equal(recording.calls[0].address, 0x08004000);
    assert_int_equal(recording.calls[1].address, 0x08000000);
    assert_int_equal(recording.calls[2].address, 0x08020010);
    assert_int_equal(recording_byte_at(&recording, 0x08004001), 0xBC);
    assert_int_equal(recording_byte_at(&recording, 0x08000002), -1);
}

static void test_extended_segment_offset_wraps_inside_its_64k_segment(void **state)
{
    (void)state;
    char file[256];
    size_t len = 0;
    uint8_t segment[2] = {0x10, 0x00}; /* 0x10000 */
    const uint8_t data[4] = {1, 2, 3, 4};
    len = hex_append_record(file, len, 0x02, 0, segment, 2, "\n");
    len = hex_append_record(file, len, 0x00, 0xFFFE, data, 4, "\n");
    len = hex_append_record(file, len, 0x01, 0, NULL, 0, "\n");
    assert_int_equal(parse_chunked(file, len, 0), STATUS_OK);
    assert_int_equal(recording.call_count, 2);
    assert_int_equal(recording.calls[0].address, 0x1FFFE);
    assert_int_equal(recording.calls[0].len, 2);
    assert_int_equal(recording.calls[1].address, 0x10000);
    assert_int_equal(recording.calls[1].len, 2);
    assert_int_equal(recording_byte_at(&recording, 0x10001), 4);
}

static void test_extended_linear_address_continues_past_64k(void **state)
{
    (void)state;
    char file[256];
    size_t len = 0;
    uint8_t upper[2] = {0x08, 0x00};
    const uint8_t data[4] = {1, 2, 3, 4};
    len = hex_append_record(file, len, 0x04, 0, upper, 2, "\n");
    len = hex_append_record(file, len, 0x00, 0xFFFE, data, 4, "\n");
    len = hex_append_record(file, len, 0x01, 0, NULL, 0, "\n");
    assert_int_equal(parse_chunked(file, len, 0), STATUS_OK);
    assert_int_equal(recording.call_count, 1);
    assert_int_equal(recording.calls[0].address, 0x0800FFFE);
    assert_int_equal(recording.calls[0].len, 4);
}

static void test_data_past_0xffffffff_is_out_of_range(void **state)
{
    (void)state;
    char file[256];
    size_t len = 0;
    uint8_t upper[2] = {0xFF, 0xFF};
    const uint8_t data[4] = {1, 2, 3, 4};
    len = hex_append_record(file, len, 0x04, 0, upper, 2, "\n");
    len = hex_append_record(file, len, 0x00, 0xFFFE, data, 4, "\n");
    assert_int_equal(parse_chunked(file, len, 0), STATUS_IMAGE_OUT_OF_RANGE);
    assert_detail_contains("line 2 (offset 0x10)");
}

static void test_bad_checksum_names_line_offset_and_expected_value(void **state)
{
    (void)state;
    assert_int_equal(parse(":020000040800F2\n:0400000001020304F3\n:00000001FF\n"), STATUS_IMAGE_CHECKSUM);
    assert_detail_contains("line 2 (offset 0x10)");
    assert_detail_contains("checksum 0xF3");
    assert_detail_contains("need 0xF2");
    assert_int_equal(recording.call_count, 0);
}

static void test_bad_hex_digit_names_line_and_offset(void **state)
{
    (void)state;
    assert_int_equal(parse(":020000040800F2\r\n:04000000010G0304F2\r\n"), STATUS_IMAGE_FORMAT);
    assert_detail_contains("line 2 (offset 0x1D)");
    assert_detail_contains("'G' is not a hex digit");
}

static void test_short_line_is_refused(void **state)
{
    (void)state;
    assert_int_equal(parse(":0400000001020304\n:00000001FF\n"), STATUS_IMAGE_FORMAT);
    assert_detail_contains("line 1 (offset 0x0)");
    assert_detail_contains("16 hex digits, byte count 0x04 needs 18");
    assert_int_equal(parse(":04\n"), STATUS_IMAGE_FORMAT);
    assert_int_equal(parse(":\n"), STATUS_IMAGE_FORMAT);
    assert_detail_contains("record ends after 0 hex digits");
    assert_int_equal(parse(":0\n"), STATUS_IMAGE_FORMAT);
}

static void test_line_longer_than_its_byte_count_is_refused(void **state)
{
    (void)state;
    assert_int_equal(parse(":0400000001020304F200\n:00000001FF\n"), STATUS_IMAGE_FORMAT);
    assert_detail_contains("line 1 (offset 0x13)");
    assert_detail_contains("longer than byte count 0x04");
}

static void test_missing_eof_record_means_truncated(void **state)
{
    (void)state;
    assert_int_equal(parse(":0400000001020304F2\n"), STATUS_IMAGE_TRUNCATED);
    assert_detail_contains("without an end-of-file record");
    assert_int_equal(parse(""), STATUS_IMAGE_TRUNCATED);
    assert_detail_contains("empty");
    assert_int_equal(parse("\n\n"), STATUS_IMAGE_TRUNCATED);
}

static void test_data_after_eof_record_is_refused(void **state)
{
    (void)state;
    assert_int_equal(parse(":00000001FF\n:0400000001020304F2\n"), STATUS_IMAGE_FORMAT);
    assert_detail_contains("line 2 (offset 0xC)");
    assert_detail_contains("after the end-of-file record of line 1");
    assert_int_equal(recording.call_count, 0);
    assert_int_equal(parse(":00000001FF\n\n  \t\r\n\n"), STATUS_OK);
    assert_int_equal(parse(":00000001FF\n:00000001FF\n"), STATUS_IMAGE_FORMAT);
    assert_int_equal(parse(":00000001FF\nx"), STATUS_IMAGE_FORMAT);
}

static void test_line_ends_blanks_and_lowercase_are_tolerated(void **state)
{
    (void)state;
    static const char *const files[] = {
        ":0400000001020304F2\n:00000001FF\n", ":0400000001020304F2\r\n:00000001FF\r\n",
        ":0400000001020304F2\r:00000001FF\r", "\n\r\n  :0400000001020304f2  \t\n\n:00000001ff",
        ":0400000001020304F2\n:00000001FF",
    };
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        recording_clear(&recording);
        assert_int_equal(parse(files[i]), STATUS_OK);
        assert_int_equal(recording.call_count, 1);
        assert_int_equal(recording.calls[0].len, 4);
    }
}

static void test_line_numbers_count_crlf_once(void **state)
{
    (void)state;
    assert_int_equal(parse(":00000001FF\r\n\r\n\rX"), STATUS_IMAGE_FORMAT);
    assert_detail_contains("line 4 ");
    assert_int_equal(parse("\r\n\n\r:00000001FF\r\n\r\n\rX"), STATUS_IMAGE_FORMAT);
    assert_detail_contains("line 7 ");
}

/* Windows editors start UTF-8 files with EF BB BF: read past at the very start, whatever the chunks. */
static void test_a_byte_order_mark_at_the_start_is_read_past(void **state)
{
    (void)state;
    const char *file = "\xEF\xBB\xBF:0400000001020304F2\r\n:00000001FF\r\n";
    for (size_t chunk = 1; chunk <= 4; chunk++) {
        recording_clear(&recording);
        assert_int_equal(parse_chunked(file, strlen(file), chunk), STATUS_OK);
        assert_int_equal(recording.call_count, 1);
        assert_int_equal(recording.calls[0].file_offset, 3); /* offsets still count the mark */
    }
    assert_int_equal(parse("\xEF\xBB\xBF\r\n\r\n:00000001FF\n"), STATUS_OK);
}

static void test_garbage_before_colon_is_refused(void **state)
{
    (void)state;
    assert_int_equal(parse("\n\xEF\xBB\xBF:00000001FF\n"), STATUS_IMAGE_FORMAT); /* a mark only starts a file */
    assert_detail_contains("byte 0xEF where a record should start with ':'");
    assert_int_equal(parse("\xEF\xBB:00000001FF\n"), STATUS_IMAGE_FORMAT);
    assert_detail_contains("':' inside the byte order mark");
    assert_int_equal(parse("\xEF\xBB\xBF\xEF\xBB\xBF:00000001FF\n"), STATUS_IMAGE_FORMAT);
    assert_detail_contains("line 1 (offset 0x3): byte 0xEF where a record should start");
    assert_int_equal(parse(":0400000001020304F2 x\n"), STATUS_IMAGE_FORMAT);
    assert_detail_contains("'x' after the end of the record");
    assert_int_equal(parse(":0400000001020304F2:00000001FF\n"), STATUS_IMAGE_FORMAT);
}

static void test_address_records_need_their_data_length(void **state)
{
    (void)state;
    assert_int_equal(parse(":03000004080000F1\n:00000001FF\n"), STATUS_IMAGE_FORMAT);
    assert_detail_contains("record type 0x04 with 3 data bytes, not 2");
    assert_int_equal(parse(":0100000100FE\n"), STATUS_IMAGE_FORMAT);
    assert_int_equal(parse(":020000050800F1\n:00000001FF\n"), STATUS_IMAGE_FORMAT);
    assert_int_equal(parse(":00000006FA\n:00000001FF\n"), STATUS_IMAGE_FORMAT);
    assert_detail_contains("unknown record type 0x06");
}

static void test_empty_data_record_reports_nothing(void **state)
{
    (void)state;
    assert_int_equal(parse(":00100000F0\n:00000001FF\n"), STATUS_OK);
    assert_int_equal(recording.call_count, 0);
}

static void test_full_255_byte_record_is_accepted(void **state)
{
    (void)state;
    static char file[1024];
    uint8_t data[255];
    for (unsigned i = 0; i < sizeof data; i++)
        data[i] = (uint8_t)(i * 7);
    size_t len = hex_append_record(file, 0, 0x00, 0x1000, data, 255, "\n");
    len = hex_append_record(file, len, 0x01, 0, NULL, 0, "\n");
    assert_int_equal(parse_chunked(file, len, 0), STATUS_OK);
    assert_int_equal(recording.calls[0].len, 255);
    assert_memory_equal(recording.bytes, data, 255);
}

static void test_sink_failure_stops_the_parse_and_names_the_line(void **state)
{
    (void)state;
    recording.answer = STATUS_IMAGE_OVERLAP;
    recording.report = &report;
    struct image_sink sink = recording_sink(&recording);
    struct image_hex hex;
    image_hex_init(&hex, &sink, &report);
    const char *file = "\n:0400000001020304F2\n:00000001FF\n";
    enum status status = image_hex_feed(&hex, (const uint8_t *)file, strlen(file));
    assert_int_equal(status, STATUS_IMAGE_OVERLAP);
    assert_string_equal(report.detail, "line 2: refused by the sink");
    /* Sticky: later calls give the same failure. */
    assert_int_equal(image_hex_feed(&hex, (const uint8_t *)"\n", 1), STATUS_IMAGE_OVERLAP);
    assert_int_equal(image_hex_finish(&hex), STATUS_IMAGE_OVERLAP);

    /* A failure that is not about the file keeps its words. */
    recording_clear(&recording);
    recording.answer = STATUS_BUS_ERROR;
    recording.report = &report;
    image_hex_init(&hex, &sink, &report);
    assert_int_equal(image_hex_feed(&hex, (const uint8_t *)file, strlen(file)), STATUS_BUS_ERROR);
    assert_string_equal(report.detail, "refused by the sink");
}

/* Every two-piece split, and one byte at a time, give the same calls (or the same failure) as the whole buffer. */
static void check_chunking_is_invisible(const char *text, enum status whole_buffer_status)
{
    static struct recording whole;
    size_t len = strlen(text);
    recording_clear(&recording);
    status_clear(&report);
    enum status expected = parse_chunked(text, len, 0);
    assert_int_equal(expected, whole_buffer_status);
    whole = recording;
    char expected_detail[sizeof report.detail];
    memcpy(expected_detail, report.detail, sizeof expected_detail);

    for (size_t split = 0; split <= len + 1; split++) {
        recording_clear(&recording);
        status_clear(&report);
        struct image_sink sink = recording_sink(&recording);
        struct image_hex hex;
        image_hex_init(&hex, &sink, &report);
        enum status status;
        if (split <= len) {
            status = image_hex_feed(&hex, (const uint8_t *)text, split);
            if (status == STATUS_OK)
                status = image_hex_feed(&hex, (const uint8_t *)text + split, len - split);
            if (status == STATUS_OK)
                status = image_hex_finish(&hex);
        } else {
            status = parse_chunked(text, len, 1);
        }
        assert_int_equal(status, expected);
        assert_string_equal(report.detail, expected_detail);
        assert_int_equal(recording.call_count, whole.call_count);
        for (size_t i = 0; i < whole.call_count; i++) {
            assert_int_equal(recording.calls[i].address, whole.calls[i].address);
            assert_int_equal(recording.calls[i].len, whole.calls[i].len);
            assert_int_equal(recording.calls[i].file_offset, whole.calls[i].file_offset);
        }
        assert_memory_equal(recording.bytes, whole.bytes, whole.byte_count);
    }
}

static void test_chunking_at_every_byte_boundary_equals_whole_buffer(void **state)
{
    (void)state;
    check_chunking_is_invisible(":020000040800F2\r\n:10000000000102030405060708090A0B0C0D0E0F78\r\n"
                                ":0400100010111213A6\r\n:020000021000EC\r\n:02FFFF00AABB9B\r\n"
                                ":0400000508000101ED\r\n:00000001FF\r\n",
                                STATUS_OK);
    check_chunking_is_invisible(":0400000001020304F2\n\n  :020010000506E3  \n:00000001FF", STATUS_OK);
    check_chunking_is_invisible(":0400000001020304F2\n:0400000001020304F3\n", STATUS_IMAGE_CHECKSUM);
    check_chunking_is_invisible(":0400000001020304F2\n:04000000010\n", STATUS_IMAGE_FORMAT);
    check_chunking_is_invisible(":0400000001020304F2\n", STATUS_IMAGE_TRUNCATED);
    check_chunking_is_invisible(":00000001FF\r\n\r\n:", STATUS_IMAGE_FORMAT);
}

static void test_parser_state_is_one_record(void **state)
{
    (void)state;
    assert_true(sizeof(struct image_hex) <= IMAGE_HEX_RECORD_MAX + 96);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_all_record_types_are_understood, setup),
        cmocka_unit_test_setup(test_file_offset_points_at_the_records_colon, setup),
        cmocka_unit_test_setup(test_data_before_any_04_record_lies_at_0x0000xxxx, setup),
        cmocka_unit_test_setup(test_out_of_order_and_sparse_records_arrive_in_file_order, setup),
        cmocka_unit_test_setup(test_extended_segment_offset_wraps_inside_its_64k_segment, setup),
        cmocka_unit_test_setup(test_extended_linear_address_continues_past_64k, setup),
        cmocka_unit_test_setup(test_data_past_0xffffffff_is_out_of_range, setup),
        cmocka_unit_test_setup(test_bad_checksum_names_line_offset_and_expected_value, setup),
        cmocka_unit_test_setup(test_bad_hex_digit_names_line_and_offset, setup),
        cmocka_unit_test_setup(test_short_line_is_refused, setup),
        cmocka_unit_test_setup(test_line_longer_than_its_byte_count_is_refused, setup),
        cmocka_unit_test_setup(test_missing_eof_record_means_truncated, setup),
        cmocka_unit_test_setup(test_data_after_eof_record_is_refused, setup),
        cmocka_unit_test_setup(test_line_ends_blanks_and_lowercase_are_tolerated, setup),
        cmocka_unit_test_setup(test_line_numbers_count_crlf_once, setup),
        cmocka_unit_test_setup(test_a_byte_order_mark_at_the_start_is_read_past, setup),
        cmocka_unit_test_setup(test_garbage_before_colon_is_refused, setup),
        cmocka_unit_test_setup(test_address_records_need_their_data_length, setup),
        cmocka_unit_test_setup(test_empty_data_record_reports_nothing, setup),
        cmocka_unit_test_setup(test_full_255_byte_record_is_accepted, setup),
        cmocka_unit_test_setup(test_sink_failure_stops_the_parse_and_names_the_line, setup),
        cmocka_unit_test_setup(test_chunking_at_every_byte_boundary_equals_whole_buffer, setup),
        cmocka_unit_test(test_parser_state_is_one_record),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
