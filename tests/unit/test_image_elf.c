/*
 * test_image_elf.c - src/image/image_elf.c on ELF files built by hand: which bytes go where, what is refused, and
 * that chunking is invisible.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "image/image_elf.h"
#include "image/image_plan.h"
#include "image_test_files.h"

#define PT_LOAD      1
#define PT_NOTE      4
#define PT_ARM_EXIDX 0x70000001u

static struct recording recording;
static struct status_report report;
static uint8_t file[16384];
static uint8_t text[256], data[64], extra[64];

static int setup(void **state)
{
    (void)state;
    recording_clear(&recording);
    status_clear(&report);
    for (unsigned i = 0; i < sizeof text; i++)
        text[i] = (uint8_t)(0x10 + i);
    for (unsigned i = 0; i < sizeof data; i++)
        data[i] = (uint8_t)(0xD0 ^ i);
    for (unsigned i = 0; i < sizeof extra; i++)
        extra[i] = (uint8_t)(0xE0 + i);
    return 0;
}

static enum status parse_bytes(const uint8_t *bytes, size_t len, size_t chunk)
{
    struct image_sink sink = recording_sink(&recording);
    struct image_elf elf;
    image_elf_init(&elf, &sink, &report);
    if (chunk == 0)
        chunk = len ? len : 1;
    for (size_t at = 0; at < len; at += chunk) {
        enum status status = image_elf_feed(&elf, bytes + at, len - at < chunk ? len - at : chunk);
        if (status != STATUS_OK)
            return status;
    }
    return image_elf_finish(&elf);
}

static enum status parse(const struct test_elf *spec)
{
    size_t len = test_elf_build(spec, file, sizeof file);
    return parse_bytes(file, len, 0);
}

static void assert_detail_contains(const char *needle)
{
    if (strstr(report.detail, needle) == NULL)
        fail_msg("detail \"%s\" does not contain \"%s\"", report.detail, needle);
}

/* A firmware as ld lays it out: .text in flash, .data with its VMA in RAM and its LMA in flash after .text, .bss. */
static struct test_elf firmware(void)
{
    struct test_elf elf = test_elf_arm();
    elf.entry = 0x08000101;
    elf.header_count = 3;
    elf.headers[0] = (struct test_elf_header){PT_LOAD, 0x200, 0x08000000, 0x08000000, sizeof text, sizeof text, text};
    elf.headers[1] = (struct test_elf_header){PT_LOAD, 0x300, 0x20000000, 0x08000100, sizeof data, sizeof data, data};
    elf.headers[2] = (struct test_elf_header){PT_LOAD, 0x340, 0x20000040, 0x20000040, 0, 0x400, NULL};
    return elf;
}

static void test_segments_load_at_their_paddr(void **state)
{
    (void)state;
    struct test_elf elf = firmware();
    assert_int_equal(parse(&elf), STATUS_OK);
    assert_int_equal(recording.call_count, 2);
    assert_int_equal(recording.calls[0].address, 0x08000000);
    assert_int_equal(recording.calls[0].len, sizeof text);
    assert_int_equal(recording.calls[0].file_offset, 0x200);
    assert_int_equal(recording.calls[1].address, 0x08000100);
    assert_int_equal(recording.calls[1].file_offset, 0x300);
    assert_memory_equal(recording.bytes + recording.calls[1].byte_index, data, sizeof data);
    assert_true(recording.has_entry);
    assert_int_equal(recording.entry, 0x08000101);
}

static void test_bss_tail_is_not_written(void **state)
{
    (void)state;
    struct test_elf elf = firmware();
    elf.headers[1].memsz = 0x1000; /* .data followed by .bss in the same segment */
    assert_int_equal(parse(&elf), STATUS_OK);
    assert_int_equal(recording.byte_count, sizeof text + sizeof data);
    assert_int_equal(recording.calls[1].len, sizeof data);
}

static void test_vaddr_is_used_when_every_paddr_is_zero(void **state)
{
    (void)state;
    struct test_elf elf = firmware();
    for (unsigned i = 0; i < elf.header_count; i++)
        elf.headers[i].paddr = 0;
    elf.headers[1].vaddr = 0x08000100;
    assert_int_equal(parse(&elf), STATUS_OK);
    assert_int_equal(recording.calls[0].address, 0x08000000);
    assert_int_equal(recording.calls[1].address, 0x08000100);
}

static void test_paddr_zero_is_kept_with_a_single_load(void **state)
{
    (void)state;
    struct test_elf elf = test_elf_arm();
    elf.header_count = 1;
    elf.headers[0] = (struct test_elf_header){PT_LOAD, 0x100, 0x08000000, 0, 16, 16, text};
    assert_int_equal(parse(&elf), STATUS_OK);
    assert_int_equal(recording.calls[0].address, 0);
}

static void test_one_nonzero_paddr_keeps_paddr_for_all(void **state)
{
    (void)state;
    struct test_elf elf = firmware();
    elf.headers[0].paddr = 0;
    elf.headers[2].paddr = 0;
    assert_int_equal(parse(&elf), STATUS_OK);
    assert_int_equal(recording.calls[0].address, 0);
    assert_int_equal(recording.calls[1].address, 0x08000100);
}

static void test_other_program_headers_are_ignored(void **state)
{
    (void)state;
    struct test_elf elf = firmware();
    elf.header_count = 5;
    elf.headers[3] = (struct test_elf_header){PT_ARM_EXIDX, 0x2F0, 0x080000F0, 0x080000F0, 16, 16, NULL};
    elf.headers[4] = (struct test_elf_header){PT_NOTE, 0x10, 0, 0, 0x20, 0x20, NULL}; /* even before the table */
    assert_int_equal(parse(&elf), STATUS_OK);
    assert_int_equal(recording.call_count, 2);
}

static void test_segments_may_come_in_any_file_order_and_share_bytes(void **state)
{
    (void)state;
    struct test_elf elf = test_elf_arm();
    elf.header_count = 3;
    elf.headers[0] = (struct test_elf_header){PT_LOAD, 0x400, 0x08001000, 0x08001000, 32, 32, extra};
    elf.headers[1] = (struct test_elf_header){PT_LOAD, 0x200, 0x08000000, 0x08000000, 64, 64, text};
    /* Shares the last 16 file bytes of segment 1, at another address. */
    elf.headers[2] = (struct test_elf_header){PT_LOAD, 0x230, 0x08002000, 0x08002000, 16, 16, NULL};
    for (size_t chunk = 0; chunk <= 7; chunk += 7) {
        recording_clear(&recording);
        size_t len = test_elf_build(&elf, file, sizeof file);
        assert_int_equal(parse_bytes(file, len, chunk), STATUS_OK);
        assert_int_equal(recording_byte_at(&recording, 0x08000000), text[0]);
        assert_int_equal(recording_byte_at(&recording, 0x08002000), text[0x30]);
        assert_int_equal(recording_byte_at(&recording, 0x0800200F), text[0x3F]);
        assert_int_equal(recording_byte_at(&recording, 0x0800101F), extra[31]);
        assert_int_equal(recording.byte_count, 32 + 64 + 16);
    }
}

static void test_bytes_after_the_segments_are_skipped(void **state)
{
    (void)state;
    struct test_elf elf = firmware();
    elf.file_size = 0x3000; /* symbols and section headers */
    assert_int_equal(parse(&elf), STATUS_OK);
    assert_int_equal(recording.byte_count, sizeof text + sizeof data);
}

static void test_truncated_segment_names_the_segment_and_the_offset(void **state)
{
    (void)state;
    struct test_elf elf = firmware();
    elf.file_size = 0x320; /* in the middle of .data */
    assert_int_equal(parse(&elf), STATUS_IMAGE_TRUNCATED);
    assert_detail_contains("segment 1 (at 0x08000100) needs the file up to offset 0x340, it ends at 0x320");
}

static void test_truncated_headers_are_reported(void **state)
{
    (void)state;
    struct test_elf elf = firmware();
    elf.file_size = 40;
    assert_int_equal(parse(&elf), STATUS_IMAGE_TRUNCATED);
    assert_detail_contains("inside the ELF header");
    elf.file_size = 52 + 40;
    assert_int_equal(parse(&elf), STATUS_IMAGE_TRUNCATED);
    assert_detail_contains("before the end of the program headers (0x34..0x94)");
    assert_int_equal(parse_bytes(file, 0, 0), STATUS_IMAGE_TRUNCATED);
    assert_detail_contains("empty ELF file");
}

static void test_program_headers_after_the_data_are_too_complex(void **state)
{
    (void)state;
    struct test_elf elf = firmware();
    elf.phoff = 0x1000;
    assert_int_equal(parse(&elf), STATUS_IMAGE_TOO_COMPLEX);
    assert_detail_contains("segment 0 data at offset 0x200 is before the end of the program headers (0x1060)");
    assert_int_equal(recording.call_count, 0);
}

static void test_segment_that_loads_the_headers_is_too_complex(void **state)
{
    (void)state;
    struct test_elf elf = firmware();
    elf.headers[0].offset = 0;
    elf.headers[0].data = NULL;
    elf.headers[0].filesz = elf.headers[0].memsz = 0x300;
    assert_int_equal(parse(&elf), STATUS_IMAGE_TOO_COMPLEX);
    assert_detail_contains("segment 0 data at offset 0x0");
}

static void test_other_machines_classes_and_byte_orders_are_refused(void **state)
{
    (void)state;
    struct test_elf elf = firmware();
    elf.machine = 62;
    assert_int_equal(parse(&elf), STATUS_IMAGE_FORMAT);
    assert_detail_contains("machine 62, not ARM (40)");

    elf = firmware();
    elf.elf_class = 2;
    assert_int_equal(parse(&elf), STATUS_IMAGE_FORMAT);
    assert_detail_contains("64-bit ELF");

    elf = firmware();
    elf.data_order = 2;
    assert_int_equal(parse(&elf), STATUS_IMAGE_FORMAT);
    assert_detail_contains("big-endian");

    elf = firmware();
    elf.type = 1;
    assert_int_equal(parse(&elf), STATUS_IMAGE_FORMAT);
    assert_detail_contains("relocatable object");

    elf = firmware();
    elf.phentsize = 56;
    assert_int_equal(parse(&elf), STATUS_IMAGE_FORMAT);
    assert_detail_contains("program header size 56");

    elf = firmware();
    elf.header_count = 0;
    assert_int_equal(parse(&elf), STATUS_IMAGE_FORMAT);
    assert_detail_contains("no program headers");

    elf = firmware();
    size_t len = test_elf_build(&elf, file, sizeof file);
    file[28] = 20; /* e_phoff inside the ELF header */
    assert_int_equal(parse_bytes(file, len, 0), STATUS_IMAGE_FORMAT);
    assert_detail_contains("overlaps the ELF header");

    assert_int_equal(
        parse_bytes((const uint8_t *)":00000001FF\n:00000001FF\n:00000001FF\n:00000001FF\n:00000001FF\n", 60, 0),
        STATUS_IMAGE_FORMAT);
    assert_detail_contains("no ELF magic");
    assert_int_equal(recording.call_count, 0);
}

static void test_inconsistent_program_headers_are_refused(void **state)
{
    (void)state;
    struct test_elf elf = firmware();
    elf.headers[1].memsz = 8;
    assert_int_equal(parse(&elf), STATUS_IMAGE_FORMAT);
    assert_detail_contains("segment 1: file size 0x40 exceeds its memory size 0x8");

    elf = firmware();
    elf.headers[1].data = NULL;
    elf.headers[1].offset = 0xFFFFFFF0u;
    assert_int_equal(parse(&elf), STATUS_IMAGE_FORMAT);
    assert_detail_contains("runs past 4 GB");

    elf = firmware();
    elf.headers[1].paddr = 0xFFFFFFF0u;
    assert_int_equal(parse(&elf), STATUS_IMAGE_OUT_OF_RANGE);
    assert_detail_contains("segment 1 at 0xFFFFFFF0");
}

static void test_too_many_loadable_segments_is_too_complex(void **state)
{
    (void)state;
    struct test_elf elf = test_elf_arm();
    elf.header_count = AIRSWD_IMAGE_ELF_MAX_LOADS;
    for (unsigned i = 0; i <= AIRSWD_IMAGE_ELF_MAX_LOADS; i++)
        elf.headers[i] = (struct test_elf_header){PT_LOAD, 0x400 + 4 * i, 0x08000000 + 4 * i, 0x08000000 + 4 * i, 4,
                                                  4,       text + 4 * i};
    assert_int_equal(parse(&elf), STATUS_OK);
    assert_int_equal(recording.byte_count, 4 * AIRSWD_IMAGE_ELF_MAX_LOADS);

    elf.header_count = AIRSWD_IMAGE_ELF_MAX_LOADS + 1;
    assert_int_equal(parse(&elf), STATUS_IMAGE_TOO_COMPLEX);
    assert_detail_contains("more than 16 loadable segments with file data (segment 16)");
}

static void test_ram_lma_segment_is_skipped_by_the_plan(void **state)
{
    (void)state;
    static const struct image_target target = {
        .flash = {0x08000000, 64 * 1024},
        .program_unit = 2,
        .erased_value = 0xFF,
        .erase_runs = {{1024, 64}},
        .ram = {{0x20000000, 20 * 1024}},
    };
    struct test_elf elf = firmware();
    /* A function copied to RAM by the debugger, not by the startup code: its LMA is in RAM. */
    elf.headers[2] = (struct test_elf_header){PT_LOAD, 0x340, 0x20000400, 0x20000400, 32, 32, extra};
    size_t len = test_elf_build(&elf, file, sizeof file);
    struct image_plan plan;
    assert_int_equal(image_plan_init(&plan, &target, &report), STATUS_OK);
    struct image_sink sink = image_plan_sink(&plan);
    struct image_elf parser;
    image_elf_init(&parser, &sink, &report);
    assert_int_equal(image_elf_feed(&parser, file, len), STATUS_OK);
    assert_int_equal(image_elf_finish(&parser), STATUS_OK);
    assert_int_equal(image_plan_finish(&plan), STATUS_OK);
    assert_int_equal(plan.data_count, 1);
    assert_int_equal(plan.data[0].address, 0x08000000);
    assert_int_equal(plan.data[0].size, sizeof text + sizeof data);
    assert_int_equal(plan.ram_bytes, 32);
    assert_int_equal(plan.ram_lowest, 0x20000400);
    assert_true(plan.has_entry);
}

static void test_sink_failure_stops_the_parse(void **state)
{
    (void)state;
    struct test_elf elf = firmware();
    recording.answer = STATUS_IMAGE_OUT_OF_RANGE;
    assert_int_equal(parse(&elf), STATUS_IMAGE_OUT_OF_RANGE);
}

static void check_chunking_is_invisible(const struct test_elf *elf, enum status whole_buffer_status)
{
    static struct recording whole;
    static uint8_t bytes[4096];
    size_t len = test_elf_build(elf, bytes, sizeof bytes);
    recording_clear(&recording);
    status_clear(&report);
    assert_int_equal(parse_bytes(bytes, len, 0), whole_buffer_status);
    whole = recording;
    char expected_detail[sizeof report.detail];
    memcpy(expected_detail, report.detail, sizeof expected_detail);
    for (size_t split = 0; split <= len + 1; split++) {
        recording_clear(&recording);
        status_clear(&report);
        enum status status;
        if (split <= len) {
            struct image_sink sink = recording_sink(&recording);
            struct image_elf parser;
            image_elf_init(&parser, &sink, &report);
            status = image_elf_feed(&parser, bytes, split);
            if (status == STATUS_OK)
                status = image_elf_feed(&parser, bytes + split, len - split);
            if (status == STATUS_OK)
                status = image_elf_finish(&parser);
        } else {
            status = parse_bytes(bytes, len, 1);
        }
        assert_int_equal(status, whole_buffer_status);
        assert_string_equal(report.detail, expected_detail);
        assert_true(recordings_same_memory(&whole, &recording));
    }
}

static void test_chunking_at_every_byte_boundary_equals_whole_buffer(void **state)
{
    (void)state;
    struct test_elf elf = firmware();
    check_chunking_is_invisible(&elf, STATUS_OK);
    elf.file_size = 0x320;
    check_chunking_is_invisible(&elf, STATUS_IMAGE_TRUNCATED);
    elf = firmware();
    elf.phoff = 0x400;
    check_chunking_is_invisible(&elf, STATUS_IMAGE_TOO_COMPLEX);
}

static void test_parser_state_is_small(void **state)
{
    (void)state;
    assert_true(sizeof(struct image_elf) <= 128 + 20 * AIRSWD_IMAGE_ELF_MAX_LOADS);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_segments_load_at_their_paddr, setup),
        cmocka_unit_test_setup(test_bss_tail_is_not_written, setup),
        cmocka_unit_test_setup(test_vaddr_is_used_when_every_paddr_is_zero, setup),
        cmocka_unit_test_setup(test_paddr_zero_is_kept_with_a_single_load, setup),
        cmocka_unit_test_setup(test_one_nonzero_paddr_keeps_paddr_for_all, setup),
        cmocka_unit_test_setup(test_other_program_headers_are_ignored, setup),
        cmocka_unit_test_setup(test_segments_may_come_in_any_file_order_and_share_bytes, setup),
        cmocka_unit_test_setup(test_bytes_after_the_segments_are_skipped, setup),
        cmocka_unit_test_setup(test_truncated_segment_names_the_segment_and_the_offset, setup),
        cmocka_unit_test_setup(test_truncated_headers_are_reported, setup),
        cmocka_unit_test_setup(test_program_headers_after_the_data_are_too_complex, setup),
        cmocka_unit_test_setup(test_segment_that_loads_the_headers_is_too_complex, setup),
        cmocka_unit_test_setup(test_other_machines_classes_and_byte_orders_are_refused, setup),
        cmocka_unit_test_setup(test_inconsistent_program_headers_are_refused, setup),
        cmocka_unit_test_setup(test_too_many_loadable_segments_is_too_complex, setup),
        cmocka_unit_test_setup(test_ram_lma_segment_is_skipped_by_the_plan, setup),
        cmocka_unit_test_setup(test_sink_failure_stops_the_parse, setup),
        cmocka_unit_test_setup(test_chunking_at_every_byte_boundary_equals_whole_buffer, setup),
        cmocka_unit_test(test_parser_state_is_small),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
