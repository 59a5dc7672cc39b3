/*
 * test_image_plan.c - src/image/image_plan.c and image_target.c: placing, merging, padding, erase units.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "image/image_plan.h"

/* F103 medium density: 128 KB in 1 KB pages, 16-bit programming, option bytes at 0x1FFFF800. */
static const struct image_target f103 = {
    .flash = {0x08000000, 128 * 1024},
    .program_unit = 2,
    .erased_value = 0xFF,
    .erase_runs = {{1024, 128}},
    .ram = {{0x20000000, 20 * 1024}},
    .option_bytes = {{0x1FFFF800, 16}},
};

/* F407: 1 MB in sectors 4 x 16 KB, 1 x 64 KB, 7 x 128 KB; x32 programming; option bytes at 0x1FFFC000. */
static const struct image_target f407 = {
    .flash = {0x08000000, 1024 * 1024},
    .program_unit = 4,
    .erased_value = 0xFF,
    .erase_runs = {{16 * 1024, 4}, {64 * 1024, 1}, {128 * 1024, 7}},
    .ram = {{0x20000000, 128 * 1024}, {0x10000000, 64 * 1024}},
    .option_bytes = {{0x1FFFC000, 16}},
};

/* L4-like: 8-byte ECC units, 2 KB pages. */
static const struct image_target l4 = {
    .flash = {0x08000000, 256 * 1024},
    .program_unit = 8,
    .erased_value = 0xFF,
    .erase_runs = {{2048, 128}},
    .ram = {{0x20000000, 64 * 1024}},
    .option_bytes = {{0x1FFF7800, 40}},
};

/* H7-like: 32-byte flash words, 128 KB sectors. */
static const struct image_target h7 = {
    .flash = {0x08000000, 2 * 1024 * 1024},
    .program_unit = 32,
    .erased_value = 0xFF,
    .erase_runs = {{128 * 1024, 16}},
    .ram = {{0x24000000, 512 * 1024}},
};

/* L053-like: 64 KB in 128-byte pages, 32-bit words, erased 0x00, 2 KB of data EEPROM at 0x08080000. */
static const struct image_target l053 = {
    .flash = {0x08000000, 64 * 1024},
    .program_unit = 4,
    .erased_value = 0x00,
    .erase_runs = {{128, 512}},
    .ram = {{0x20000000, 8 * 1024}},
    .option_bytes = {{0x1FF80000, 0x20}},
    .eeprom = {0x08080000, 2048},
};

static struct status_report report;
static struct image_plan plan;

static void assert_detail_contains(const char *needle)
{
    if (strstr(report.detail, needle) == NULL)
        fail_msg("detail \"%s\" does not contain \"%s\"", report.detail, needle);
}

static void start(const struct image_target *target)
{
    status_clear(&report);
    assert_int_equal(image_plan_init(&plan, target, &report), STATUS_OK);
}

static void add(uint32_t address, uint32_t size, uint32_t offset)
{
    assert_int_equal(image_plan_add_segment(&plan, address, size, offset), STATUS_OK);
}

static void test_touching_pieces_merge_in_any_order(void **state)
{
    (void)state;
    start(&f103);
    add(0x08000020, 0x10, 0x40);
    add(0x08000000, 0x10, 0x00);
    add(0x08000100, 0x10, 0x80);
    add(0x08000010, 0x10, 0x20); /* joins both neighbours */
    add(0x08000030, 0x08, 0x60);
    assert_int_equal(plan.data_count, 2);
    assert_int_equal(plan.data[0].address, 0x08000000);
    assert_int_equal(plan.data[0].size, 0x38);
    assert_int_equal(plan.data[0].file_offset, 0x00);
    assert_int_equal(plan.data[1].address, 0x08000100);
    add(0x080000F0, 0x10, 0x90); /* joins the one after it: its origin becomes this piece's */
    assert_int_equal(plan.data[1].address, 0x080000F0);
    assert_int_equal(plan.data[1].file_offset, 0x90);
    assert_int_equal(image_plan_finish(&plan), STATUS_OK);
}

static void test_overlap_names_both_ranges_and_offsets(void **state)
{
    (void)state;
    start(&f103);
    add(0x08000100, 0x100, 0x40);
    assert_int_equal(image_plan_add_segment(&plan, 0x080001F0, 0x20, 0x1A40), STATUS_IMAGE_OVERLAP);
    assert_string_equal(report.detail, "0x080001F0..0x0800020F (offset 0x1A40) overlaps 0x08000100..0x080001FF "
                                       "(offset 0x40)");
    assert_int_equal(image_plan_add_segment(&plan, 0x080000F0, 0x11, 0x10), STATUS_IMAGE_OVERLAP);
    assert_int_equal(image_plan_add_segment(&plan, 0x08000180, 0x1, 0x10), STATUS_IMAGE_OVERLAP);
}

static void test_same_bytes_twice_are_still_an_overlap(void **state)
{
    (void)state;
    start(&f103);
    add(0x08000000, 0x10, 0);
    assert_int_equal(image_plan_add_segment(&plan, 0x08000000, 0x10, 0x20), STATUS_IMAGE_OVERLAP);
}

static void test_data_outside_flash_names_address_and_offset(void **state)
{
    (void)state;
    start(&f103);
    assert_int_equal(image_plan_add_segment(&plan, 0x08020000, 4, 0x123), STATUS_IMAGE_OUT_OF_RANGE);
    assert_string_equal(report.detail, "0x08020000..0x08020003 (offset 0x123) is outside flash 0x08000000..0x0801FFFF");
    assert_int_equal(image_plan_add_segment(&plan, 0x00001000, 4, 0x10), STATUS_IMAGE_OUT_OF_RANGE);
    assert_detail_contains("an offset, not an address?");
    assert_int_equal(image_plan_add_segment(&plan, 0x0801FFF0, 0x20, 0x400), STATUS_IMAGE_OUT_OF_RANGE);
    assert_string_equal(report.detail,
                        "0x0801FFF0..0x0802000F (offset 0x400) runs past the end of flash at 0x0801FFFF");
    assert_int_equal(image_plan_add_segment(&plan, 0x1FFFF80C, 8, 0x8), STATUS_IMAGE_OUT_OF_RANGE);
    assert_detail_contains("past the end of option bytes at 0x1FFFF80F");
    assert_int_equal(image_plan_add_segment(&plan, 0x1FFFF000, 2, 0x8), STATUS_IMAGE_OUT_OF_RANGE); /* ROM */
}

static void test_option_bytes_are_kept_apart_from_flash(void **state)
{
    (void)state;
    start(&f407);
    add(0x08000000, 0x1000, 0);
    add(0x1FFFC000, 2, 0x2000);
    add(0x1FFFC008, 2, 0x2010);
    add(0x1FFFC002, 1, 0x2020); /* touches the first: merged, never padded */
    assert_int_equal(image_plan_finish(&plan), STATUS_OK);
    assert_int_equal(plan.data_count, 1);
    assert_int_equal(plan.option_count, 2);
    assert_int_equal(plan.options[0].address, 0x1FFFC000);
    assert_int_equal(plan.options[0].size, 3);
    assert_int_equal(plan.options[1].address, 0x1FFFC008);
    assert_int_equal(plan.option_bytes, 5);
    assert_int_equal(plan.program_count, 1);
    assert_int_equal(plan.program[0].size, 0x1000);
    assert_int_equal(image_plan_locate(&plan, 0x1FFFC008, 2, NULL), IMAGE_PLACE_OPTION_BYTES);
    assert_int_equal(image_plan_locate(&plan, 0x1FFFC004, 2, NULL), IMAGE_PLACE_NONE);
}

static void test_option_bytes_alone_are_an_image(void **state)
{
    (void)state;
    start(&f103);
    add(0x1FFFF800, 16, 0);
    assert_int_equal(image_plan_finish(&plan), STATUS_OK);
    assert_int_equal(plan.program_count, 0);
    assert_int_equal(plan.erase_count, 0);
}

static void test_ram_contents_are_skipped_and_noted(void **state)
{
    (void)state;
    start(&f407);
    add(0x08000000, 0x100, 0);
    add(0x20000100, 0x40, 0x100);
    add(0x10000000, 0x10, 0x140);
    assert_int_equal(image_plan_finish(&plan), STATUS_OK);
    assert_int_equal(plan.data_count, 1);
    assert_int_equal(plan.ram_bytes, 0x50);
    assert_int_equal(plan.ram_lowest, 0x10000000);
    assert_int_equal(plan.ram_highest, 0x2000013F);
    assert_int_equal(image_plan_locate(&plan, 0x20000100, 0x40, NULL), IMAGE_PLACE_RAM);
}

static void test_nothing_for_flash_is_an_empty_image(void **state)
{
    (void)state;
    start(&f103);
    assert_int_equal(image_plan_finish(&plan), STATUS_IMAGE_EMPTY);
    assert_detail_contains("no data");
    start(&f103);
    add(0x20000000, 0x100, 0);
    assert_int_equal(image_plan_finish(&plan), STATUS_IMAGE_EMPTY);
    assert_string_equal(report.detail, "only 0x100 bytes for RAM (0x20000000..0x200000FF), none for flash");
}

static void test_padding_reaches_whole_program_units(void **state)
{
    (void)state;
    static const struct {
        const struct image_target *target;
        uint32_t address, size, padded_base, padded_size;
    } cases[] = {
        {&f103, 0x08000001, 2, 0x08000000, 4},     {&f103, 0x08000010, 0x10, 0x08000010, 0x10},
        {&l4, 0x08000003, 1, 0x08000000, 8},       {&l4, 0x08000007, 2, 0x08000000, 16},
        {&h7, 0x08000021, 0x40, 0x08000020, 0x60}, {&h7, 0x0801FFFF, 1, 0x0801FFE0, 32},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        start(cases[i].target);
        add(cases[i].address, cases[i].size, 0);
        assert_int_equal(image_plan_finish(&plan), STATUS_OK);
        assert_int_equal(plan.program_count, 1);
        assert_int_equal(plan.program[0].base, cases[i].padded_base);
        assert_int_equal(plan.program[0].size, cases[i].padded_size);
        assert_int_equal(plan.program_bytes, cases[i].padded_size);
        /* The data itself is unchanged. */
        assert_int_equal(plan.data[0].address, cases[i].address);
    }
}

static void test_segments_sharing_an_ecc_unit_are_merged(void **state)
{
    (void)state;
    start(&l4);
    add(0x08000000, 0x13, 0);     /* ends inside the unit 0x08000010..17 */
    add(0x08000015, 0x10, 0x100); /* starts inside it */
    add(0x08000100, 4, 0x200);    /* its own unit, separate */
    add(0x08000108, 4, 0x300);    /* touches the previous unit: merged into one range */
    assert_int_equal(image_plan_finish(&plan), STATUS_OK);
    assert_int_equal(plan.data_count, 4);
    assert_int_equal(plan.program_count, 2);
    assert_int_equal(plan.program[0].base, 0x08000000);
    assert_int_equal(plan.program[0].size, 0x28);
    assert_int_equal(plan.program[1].base, 0x08000100);
    assert_int_equal(plan.program[1].size, 0x10);
    /* The unit they share is image data at both ends, padding between. */
    assert_int_equal(image_plan_unit_mask(&plan, 0x08000010), 0xE7);
    assert_int_equal(image_plan_unit_mask(&plan, 0x08000100), 0x0F);
    assert_int_equal(image_plan_unit_mask(&plan, 0x08000020), 0x1F);
    assert_int_equal(image_plan_unit_mask(&plan, 0x08000040), 0);
}

static void test_erase_units_of_uniform_pages(void **state)
{
    (void)state;
    start(&f103);
    add(0x08000000, 0x800, 0); /* pages 0, 1 */
    add(0x08000C00, 0x10, 0);  /* page 3, partly */
    add(0x08000FFE, 0x4, 0);   /* pages 3 and 4, partly: joins the span */
    add(0x0801FC00, 0x400, 0); /* last page */
    assert_int_equal(image_plan_finish(&plan), STATUS_OK);
    assert_int_equal(plan.erase_count, 3);
    assert_int_equal(plan.erase[0].first, 0);
    assert_int_equal(plan.erase[0].count, 2);
    assert_int_equal(plan.erase[1].first, 3);
    assert_int_equal(plan.erase[1].count, 2);
    assert_int_equal(plan.erase[2].first, 127);
    assert_int_equal(plan.erase[2].count, 1);
    assert_int_equal(plan.erase_units, 5);
    assert_int_equal(plan.partial_erase_units, 2);
    assert_int_equal(plan.first_partial_erase_unit, 3);
}

static void test_erase_units_of_f4_sectors(void **state)
{
    (void)state;
    start(&f407);
    add(0x08000000, 0x100, 0);   /* sector 0 */
    add(0x0800C000, 0x4000, 0);  /* sector 3, all of it */
    add(0x08010000, 0x10, 0);    /* sector 4 (64 KB), touches sector 3's range */
    add(0x08020000, 0x20000, 0); /* sector 5 (128 KB), whole */
    add(0x080E0004, 0x10, 0);    /* sector 11 */
    assert_int_equal(image_plan_finish(&plan), STATUS_OK);
    assert_int_equal(plan.erase_count, 3);
    assert_int_equal(plan.erase[0].first, 0);
    assert_int_equal(plan.erase[0].count, 1);
    assert_int_equal(plan.erase[1].first, 3);
    assert_int_equal(plan.erase[1].count, 3);
    assert_int_equal(plan.erase[2].first, 11);
    assert_int_equal(plan.erase_units, 5);
    assert_int_equal(plan.partial_erase_units, 3); /* sectors 0, 4, 11 */
    assert_int_equal(plan.first_partial_erase_unit, 0);

    struct image_range unit;
    assert_true(image_target_erase_unit(&f407, 4, &unit));
    assert_int_equal(unit.base, 0x08010000);
    assert_int_equal(unit.size, 64 * 1024);
    assert_true(image_target_erase_unit(&f407, 11, &unit));
    assert_int_equal(unit.base, 0x080E0000);
    assert_false(image_target_erase_unit(&f407, 12, &unit));
    uint32_t index;
    assert_true(image_target_erase_unit_index(&f407, 0x0801FFFF, &index));
    assert_int_equal(index, 4);
    assert_true(image_target_erase_unit_index(&f407, 0x080FFFFF, &index));
    assert_int_equal(index, 11);
    assert_false(image_target_erase_unit_index(&f407, 0x08100000, &index));
    assert_int_equal(image_target_erase_unit_count(&f407), 12);
}

static void test_too_fragmented_image_is_too_complex(void **state)
{
    (void)state;
    start(&f103);
    for (uint32_t i = 0; i < AIRSWD_IMAGE_MAX_SEGMENTS; i++)
        add(0x08000000 + 0x100 * i, 0x10, 0x20 * i);
    assert_int_equal(image_plan_add_segment(&plan, 0x08010000, 4, 0x999), STATUS_IMAGE_TOO_COMPLEX);
    assert_string_equal(report.detail, "more than 32 separate flash ranges, at 0x08010000 (offset 0x999)");
    /* Pieces that merge still fit. */
    add(0x08000010, 0x10, 0x1000);
    add(0x08000020, 0xE0, 0x1010); /* fills the gap: two segments become one */
    add(0x08010000, 4, 0x999);
    assert_int_equal(plan.data_count, AIRSWD_IMAGE_MAX_SEGMENTS);
    assert_int_equal(image_plan_finish(&plan), STATUS_OK);
}

static void test_locate_finds_the_segment_that_holds_a_piece(void **state)
{
    (void)state;
    start(&f103);
    add(0x08000000, 0x100, 0);
    add(0x08000200, 0x100, 0x100);
    assert_int_equal(image_plan_finish(&plan), STATUS_OK);
    const struct image_segment *segment;
    assert_int_equal(image_plan_locate(&plan, 0x08000200, 0x100, &segment), IMAGE_PLACE_FLASH);
    assert_int_equal(segment->file_offset, 0x100);
    assert_int_equal(image_plan_locate(&plan, 0x080001F0, 0x20, &segment), IMAGE_PLACE_NONE);
    assert_null(segment);
    assert_int_equal(image_plan_locate(&plan, 0x080000F0, 0x20, NULL), IMAGE_PLACE_NONE);
    assert_int_equal(image_plan_locate(&plan, 0x07FFFFFF, 1, NULL), IMAGE_PLACE_NONE);
    assert_int_equal(image_target_place(&f103, 0x0801FFFF, &(struct image_range){0, 0}), IMAGE_PLACE_FLASH);
}

static void test_adding_after_finish_is_refused(void **state)
{
    (void)state;
    start(&f103);
    add(0x08000000, 0x10, 0);
    assert_int_equal(image_plan_finish(&plan), STATUS_OK);
    assert_int_equal(image_plan_add_segment(&plan, 0x08000100, 4, 0), STATUS_INVALID_ARGUMENT);
}

static void test_inconsistent_target_descriptions_are_refused(void **state)
{
    (void)state;
    struct image_target target = f103;
    target.program_unit = 3;
    assert_int_equal(image_plan_init(&plan, &target, &report), STATUS_INVALID_ARGUMENT);
    assert_detail_contains("program unit 3");
    target.program_unit = 64;
    assert_int_equal(image_plan_init(&plan, &target, &report), STATUS_INVALID_ARGUMENT);
    target = f103;
    target.erase_runs[0].count = 127;
    assert_int_equal(image_plan_init(&plan, &target, &report), STATUS_INVALID_ARGUMENT);
    assert_detail_contains("do not add up");
    target = f103;
    target.flash.base = 0x08000001;
    assert_int_equal(image_plan_init(&plan, &target, &report), STATUS_INVALID_ARGUMENT);
    target = l4;
    target.erase_runs[0] = (struct image_erase_run){4, 65536};
    assert_int_equal(image_plan_init(&plan, &target, &report), STATUS_INVALID_ARGUMENT);
    assert_detail_contains("not whole program units");
    /* A plan whose target was refused refuses all data. */
    assert_int_equal(image_plan_add_segment(&plan, 0x08000000, 4, 0), STATUS_INVALID_ARGUMENT);
    assert_int_equal(image_plan_finish(&plan), STATUS_INVALID_ARGUMENT);
}

/* Data EEPROM pieces go to their own list, unpadded and never erased; overlaps are refused as in flash; a piece
 * past its end, or on a part without one, names the range. */
static void test_data_eeprom_pieces_are_kept_apart_and_unpadded(void **state)
{
    (void)state;
    start(&l053);
    add(0x08000000, 0x10, 0x00);
    add(0x08080003, 0x05, 0x40); /* byte-unaligned both ends */
    add(0x08080008, 0x03, 0x60); /* touches: merges */
    add(0x08080100, 0x10, 0x80);
    assert_int_equal(image_plan_add_segment(&plan, 0x08080104, 4, 0x90), STATUS_IMAGE_OVERLAP);
    assert_int_equal(plan.data_count, 1);
    assert_int_equal(plan.eeprom_count, 2);
    assert_int_equal(plan.eeprom[0].address, 0x08080003);
    assert_int_equal(plan.eeprom[0].size, 8);
    assert_int_equal(image_plan_finish(&plan), STATUS_OK);
    assert_int_equal(plan.eeprom_bytes, 0x18);
    assert_int_equal(plan.program_bytes, 0x10);
    assert_int_equal(plan.erase_units, 1);
    const struct image_segment *segment = NULL;
    assert_int_equal(image_plan_locate(&plan, 0x08080005, 6, &segment), IMAGE_PLACE_EEPROM);
    assert_ptr_equal(segment, &plan.eeprom[0]);
    assert_int_equal(image_plan_locate(&plan, 0x08080010, 1, NULL), IMAGE_PLACE_NONE);
    assert_string_equal(image_place_name(IMAGE_PLACE_EEPROM), "data EEPROM");

    start(&l053);
    add(0x08080000, 4, 0);
    assert_int_equal(image_plan_finish(&plan), STATUS_OK); /* the EEPROM alone is an image */
    start(&l053);
    assert_int_equal(image_plan_add_segment(&plan, 0x080807F0, 0x20, 0x10), STATUS_IMAGE_OUT_OF_RANGE);
    assert_string_equal(report.detail,
                        "0x080807F0..0x0808080F (offset 0x10) runs past the end of data EEPROM at 0x080807FF");
    start(&f103);
    assert_int_equal(image_plan_add_segment(&plan, 0x08080000, 0x100, 0x200), STATUS_IMAGE_OUT_OF_RANGE);
    assert_string_equal(report.detail,
                        "0x08080000..0x080800FF (offset 0x200) is outside flash 0x08000000..0x0801FFFF");
}

static void test_plan_state_is_bounded(void **state)
{
    (void)state;
    const size_t side_lists = (AIRSWD_IMAGE_MAX_OPTION_SEGMENTS + AIRSWD_IMAGE_MAX_EEPROM_SEGMENTS) * 12;
    assert_true(sizeof(struct image_plan) <= 96 + AIRSWD_IMAGE_MAX_SEGMENTS * 28 + side_lists);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_touching_pieces_merge_in_any_order),
        cmocka_unit_test(test_overlap_names_both_ranges_and_offsets),
        cmocka_unit_test(test_same_bytes_twice_are_still_an_overlap),
        cmocka_unit_test(test_data_outside_flash_names_address_and_offset),
        cmocka_unit_test(test_option_bytes_are_kept_apart_from_flash),
        cmocka_unit_test(test_option_bytes_alone_are_an_image),
        cmocka_unit_test(test_ram_contents_are_skipped_and_noted),
        cmocka_unit_test(test_nothing_for_flash_is_an_empty_image),
        cmocka_unit_test(test_padding_reaches_whole_program_units),
        cmocka_unit_test(test_segments_sharing_an_ecc_unit_are_merged),
        cmocka_unit_test(test_erase_units_of_uniform_pages),
        cmocka_unit_test(test_erase_units_of_f4_sectors),
        cmocka_unit_test(test_too_fragmented_image_is_too_complex),
        cmocka_unit_test(test_locate_finds_the_segment_that_holds_a_piece),
        cmocka_unit_test(test_adding_after_finish_is_refused),
        cmocka_unit_test(test_inconsistent_target_descriptions_are_refused),
        cmocka_unit_test(test_data_eeprom_pieces_are_kept_apart_and_unpadded),
        cmocka_unit_test(test_plan_state_is_bounded),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
