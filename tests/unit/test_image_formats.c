/*
 * test_image_formats.c - the same firmware as the ARM toolchain wrote it (tests/fuzz/seeds/firmware.c, built
 * by tests/fuzz/seeds/make-seeds.py): its ELF, its objcopy Intel HEX and its objcopy binary must describe the same
 * flash contents, and plan the same way.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "image/image_plan.h"
#include "image/image_reader.h"
#include "image_test_files.h"

static const struct image_target f103 = {
    .flash = {0x08000000, 64 * 1024},
    .program_unit = 2,
    .erased_value = 0xFF,
    .erase_runs = {{1024, 64}},
    .ram = {{0x20000000, 20 * 1024}},
    .option_bytes = {{0x1FFFF800, 16}},
};

static struct status_report report;
static struct recording recordings[3];
static struct image_plan plans[3];
static uint8_t file[64 * 1024];

static size_t load(const char *relative_path)
{
    const char *root = getenv("AIRSWD_SOURCE_DIR");
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", root ? root : "../../..", relative_path);
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        fail_msg("cannot open %s", path);
    size_t len = fread(file, 1, sizeof file, f);
    fclose(f);
    return len;
}

/* A sink that feeds both a recording and a plan. */
struct both {
    struct image_sink recording, plan;
};

static enum status both_data(void *ctx, uint32_t address, const uint8_t *bytes, uint32_t len, uint32_t offset)
{
    struct both *both = ctx;
    enum status status = both->recording.data(both->recording.ctx, address, bytes, len, offset);
    return status != STATUS_OK ? status : both->plan.data(both->plan.ctx, address, bytes, len, offset);
}

static void both_entry(void *ctx, uint32_t address)
{
    struct both *both = ctx;
    both->recording.entry(both->recording.ctx, address);
    both->plan.entry(both->plan.ctx, address);
}

static void read_format(unsigned index, const char *path, enum image_format expected_format)
{
    size_t len = load(path);
    enum image_format format;
    assert_int_equal(image_format_detect(file, len, &format, &report), STATUS_OK);
    assert_int_equal(format, expected_format);
    recording_clear(&recordings[index]);
    assert_int_equal(image_plan_init(&plans[index], &f103, &report), STATUS_OK);
    struct both both = {recording_sink(&recordings[index]), image_plan_sink(&plans[index])};
    struct image_sink sink = {both_data, both_entry, &both};
    struct image_reader reader;
    image_reader_init(&reader, expected_format, 0x08000000, &sink, &report);
    for (size_t at = 0; at < len; at += 512)
        assert_int_equal(image_reader_feed(&reader, file + at, len - at < 512 ? len - at : 512), STATUS_OK);
    assert_int_equal(image_reader_finish(&reader), STATUS_OK);
    assert_int_equal(image_plan_finish(&plans[index]), STATUS_OK);
}

static void test_elf_hex_and_binary_of_one_build_agree(void **state)
{
    (void)state;
    read_format(0, "tests/fuzz/corpus/fuzz_image_elf/firmware.elf", IMAGE_FORMAT_ELF);
    read_format(1, "tests/fuzz/corpus/fuzz_image_hex/firmware.hex", IMAGE_FORMAT_HEX);
    read_format(2, "tests/fuzz/seeds/firmware.bin", IMAGE_FORMAT_BIN);
    for (unsigned i = 1; i < 3; i++) {
        assert_true(recordings_same_memory(&recordings[0], &recordings[i]));
        assert_int_equal(plans[i].data_count, plans[0].data_count);
        assert_int_equal(plans[i].program_bytes, plans[0].program_bytes);
        assert_memory_equal(plans[i].erase, plans[0].erase, sizeof plans[0].erase);
    }
    /* .text and the flash copy of .data (its LMA) make one range; .bss and the RAM address of .data are absent. */
    assert_int_equal(plans[0].data_count, 1);
    assert_int_equal(plans[0].data[0].address, 0x08000000);
    assert_int_equal(plans[0].ram_bytes, 0);
    assert_int_equal(recording_byte_at(&recordings[0], 0x08000000 + plans[0].data[0].size - 4), 0x78);
    /* The entry point: e_entry in the ELF, a 05 record in the HEX, none in the binary. */
    assert_true(plans[0].has_entry && plans[1].has_entry && !plans[2].has_entry);
    assert_int_equal(plans[0].entry, plans[1].entry);
    assert_int_equal(plans[0].entry & 1u, 1u); /* a Thumb address */
}

static void test_compact_elf_agrees_with_the_default_layout(void **state)
{
    (void)state;
    read_format(0, "tests/fuzz/corpus/fuzz_image_elf/firmware.elf", IMAGE_FORMAT_ELF);
    read_format(1, "tests/fuzz/corpus/fuzz_image_elf/firmware-compact.elf", IMAGE_FORMAT_ELF);
    assert_true(recordings_same_memory(&recordings[0], &recordings[1]));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_elf_hex_and_binary_of_one_build_agree),
        cmocka_unit_test(test_compact_elf_agrees_with_the_default_layout),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
