/*
 * test_image_writer.c - src/image/image_writer.c: a plan pass, a rehearsal and a programming pass over the same
 * file, into a flash model that fails the test if any program unit is written twice.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "image/image_reader.h"
#include "image/image_writer.h"
#include "image_test_files.h"

#define FLASH_BASE 0x08000000u
#define FLASH_SIZE (1024u * 1024u)
#define UNTOUCHED  0xEE /* what the model holds where nothing was programmed, to tell it from 0xFF padding */

struct flash_model {
    uint32_t unit;
    uint8_t memory[FLASH_SIZE];
    bool programmed[FLASH_SIZE]; /* per byte: its unit has been programmed */
    uint32_t units_programmed;
    unsigned program_calls;
    enum status answer;
    uint8_t options[64];
    uint32_t option_calls;
};

static struct flash_model flash;
static struct status_report report;
static struct image_plan plan;
static struct image_writer writer;
static struct image_target target;

static enum status flash_program(void *ctx, uint32_t address, const uint8_t *bytes, uint32_t len)
{
    struct flash_model *model = ctx;
    if (model->answer != STATUS_OK)
        return status_fail(&report, model->answer, "flash refused 0x%08lX", (unsigned long)address);
    assert_true(len > 0);
    assert_int_equal(address % model->unit, 0);
    assert_int_equal(len % model->unit, 0);
    assert_true(address >= FLASH_BASE && address - FLASH_BASE + len <= FLASH_SIZE);
    uint32_t at = address - FLASH_BASE;
    for (uint32_t i = 0; i < len; i++) {
        if (model->programmed[at + i])
            fail_msg("program unit at 0x%08X programmed twice", (unsigned)(address + i));
        model->programmed[at + i] = true;
    }
    memcpy(model->memory + at, bytes, len);
    model->units_programmed += len / model->unit;
    model->program_calls++;
    return STATUS_OK;
}

static enum status flash_option_bytes(void *ctx, uint32_t address, const uint8_t *bytes, uint32_t len)
{
    struct flash_model *model = ctx;
    uint32_t at = address - 0x1FFF7800u;
    assert_true(at + len <= sizeof model->options);
    memcpy(model->options + at, bytes, len);
    model->option_calls++;
    return STATUS_OK;
}

static const struct image_writer_output flash_output = {
    .program = flash_program, .option_bytes = flash_option_bytes, .ctx = &flash};

/* An L4-like part with the given program unit, RAM, and option bytes at 0x1FFF7800. */
static void use_target(uint32_t unit)
{
    target = (struct image_target){
        .flash = {FLASH_BASE, FLASH_SIZE},
        .program_unit = unit,
        .erased_value = 0xFF,
        .erase_runs = {{2048, FLASH_SIZE / 2048}},
        .ram = {{0x20000000, 64 * 1024}},
        .option_bytes = {{0x1FFF7800, 40}},
    };
    memset(flash.memory, UNTOUCHED, sizeof flash.memory);
    memset(flash.programmed, 0, sizeof flash.programmed);
    flash.unit = unit;
    flash.units_programmed = 0;
    flash.program_calls = 0;
    flash.answer = STATUS_OK;
    flash.option_calls = 0;
    memset(flash.options, UNTOUCHED, sizeof flash.options);
    status_clear(&report);
}

/* Reads file through a reader into sink, in chunks of chunk bytes. */
static enum status read_file(const uint8_t *file, size_t len, size_t chunk, const struct image_sink *sink)
{
    static struct image_reader reader;
    enum image_format format;
    enum status detected = image_format_detect(file, len, &format, &report);
    if (detected != STATUS_OK)
        return detected;
    image_reader_init(&reader, format, FLASH_BASE, sink, &report);
    for (size_t at = 0; at < len; at += chunk) {
        enum status status = image_reader_feed(&reader, file + at, len - at < chunk ? len - at : chunk);
        if (status != STATUS_OK)
            return status;
    }
    return image_reader_finish(&reader);
}

static enum status plan_file(const uint8_t *file, size_t len)
{
    enum status status = image_plan_init(&plan, &target, &report);
    if (status != STATUS_OK)
        return status;
    struct image_sink sink = image_plan_sink(&plan);
    status = read_file(file, len, 97, &sink);
    return status != STATUS_OK ? status : image_plan_finish(&plan);
}

/* One writer pass (rehearsal when output is NULL). */
static enum status write_file(const uint8_t *file, size_t len, const struct image_writer_output *output)
{
    enum status status = image_writer_init(&writer, &plan, output, &report);
    if (status != STATUS_OK)
        return status;
    struct image_sink sink = image_writer_sink(&writer);
    status = read_file(file, len, 61, &sink);
    return status != STATUS_OK ? status : image_writer_finish(&writer);
}

/* Plan, rehearsal, programming: what a flash job does. */
static enum status program_file(const uint8_t *file, size_t len)
{
    enum status status = plan_file(file, len);
    if (status == STATUS_OK)
        status = write_file(file, len, NULL);
    assert_int_equal(flash.program_calls, 0); /* nothing reaches the flash before both checks passed */
    if (status == STATUS_OK)
        status = write_file(file, len, &flash_output);
    return status;
}

/* The model holds image (address -> byte) where the image has data, the erased value in the rest of every programmed unit,
 * and is untouched elsewhere. */
static void assert_flash_holds(const struct recording *image)
{
    static int16_t expected[FLASH_SIZE]; /* -1: no image byte */
    memset(expected, 0xFF, sizeof expected);
    for (size_t c = 0; c < image->call_count; c++) {
        const struct recorded_call *call = &image->calls[c];
        for (uint32_t i = 0; i < call->len; i++) {
            uint32_t at = call->address + i - FLASH_BASE;
            if (at < FLASH_SIZE)
                expected[at] = image->bytes[call->byte_index + i];
        }
    }
    for (uint32_t at = 0; at < FLASH_SIZE; at += flash.unit) {
        bool unit_has_data = false;
        for (uint32_t i = 0; i < flash.unit; i++)
            unit_has_data |= expected[at + i] >= 0;
        for (uint32_t i = 0; i < flash.unit; i++) {
            int value = expected[at + i] >= 0 ? expected[at + i] : unit_has_data ? target.erased_value : UNTOUCHED;
            if (flash.memory[at + i] != value)
                fail_msg("0x%08X holds 0x%02X, expected 0x%02X", (unsigned)(FLASH_BASE + at + i), flash.memory[at + i],
                         value);
        }
    }
}

static struct recording image;
static char hex[2 * 1024 * 1024];
static uint8_t bytes[64 * 1024];

/* The image a file describes, through a recording sink. */
static void record_image(const uint8_t *file, size_t len)
{
    recording_clear(&image);
    struct image_sink sink = recording_sink(&image);
    assert_int_equal(read_file(file, len, 4096, &sink), STATUS_OK);
}

static void fill(uint32_t seed)
{
    for (size_t i = 0; i < sizeof bytes; i++) {
        seed = seed * 1103515245u + 12345u;
        bytes[i] = (uint8_t)(seed >> 16);
    }
}

static void test_sequential_hex_programs_every_unit_once_with_padding(void **state)
{
    (void)state;
    static const uint32_t units[] = {2, 4, 8, 16, 32};
    fill(1);
    for (size_t u = 0; u < sizeof units / sizeof units[0]; u++) {
        use_target(units[u]);
        size_t len = 0;
        len = hex_append_data(hex, len, 0x08000000, bytes, 1000);
        len = hex_append_data(hex, len, 0x08000401, bytes + 1000, 333); /* odd start and end */
        len = hex_append_data(hex, len, 0x08010003, bytes + 2000, 5);
        len = hex_append_record(hex, len, 0x01, 0, NULL, 0, "\n");
        assert_int_equal(program_file((const uint8_t *)hex, len), STATUS_OK);
        record_image((const uint8_t *)hex, len);
        assert_flash_holds(&image);
        assert_int_equal(flash.units_programmed * units[u], plan.program_bytes);
        assert_int_equal(writer.pending_peak, 1);
    }
}

/* L0/L1 flash reads 0x00 when erased: the bytes of a unit the image leaves out are padded with 0x00 there. */
static void test_padding_is_the_erased_value_of_the_target(void **state)
{
    (void)state;
    use_target(4);
    target.erased_value = 0x00;
    fill(7);
    size_t len = 0;
    len = hex_append_data(hex, len, 0x08000001, bytes, 6);        /* odd start and end: two padded units */
    len = hex_append_data(hex, len, 0x08000102, bytes + 8, 1);    /* a one-byte piece after a gap */
    len = hex_append_record(hex, len, 0x01, 0, NULL, 0, "\n");
    assert_int_equal(program_file((const uint8_t *)hex, len), STATUS_OK);
    record_image((const uint8_t *)hex, len);
    assert_flash_holds(&image);
    assert_int_equal(flash.memory[0x00], 0x00);
    assert_int_equal(flash.memory[0x07], 0x00);
    assert_int_equal(flash.memory[0x101], 0x00);
    assert_int_equal(flash.memory[0x103], 0x00);
    assert_int_equal(flash.memory[0x08], UNTOUCHED);
}

static void test_shared_ecc_unit_far_apart_in_file_is_programmed_once(void **state)
{
    (void)state;
    use_target(8);
    fill(2);
    size_t len = 0;
    len = hex_append_data(hex, len, 0x08000010, bytes, 3);        /* first bytes of the unit 0x08000010 */
    len = hex_append_data(hex, len, 0x08001000, bytes + 16, 800); /* something else in between */
    len = hex_append_data(hex, len, 0x08000015, bytes + 8, 3);    /* last bytes of the same unit */
    len = hex_append_record(hex, len, 0x01, 0, NULL, 0, "\n");
    assert_int_equal(program_file((const uint8_t *)hex, len), STATUS_OK);
    record_image((const uint8_t *)hex, len);
    assert_flash_holds(&image);
    assert_int_equal(plan.program_count, 2);
    assert_int_equal(flash.memory[0x13], 0xFF);
    assert_int_equal(flash.memory[0x15], bytes[8]);
}

static void test_out_of_order_records_use_pending_units(void **state)
{
    (void)state;
    use_target(16);
    fill(3);
    /* Four units, each given in two halves: first halves, then second halves in reverse. */
    size_t len = 0;
    for (uint32_t i = 0; i < 4; i++)
        len = hex_append_data(hex, len, 0x08000000 + 0x100 * i, bytes + 16 * i, 9);
    for (uint32_t i = 4; i-- > 0;)
        len = hex_append_data(hex, len, 0x08000009 + 0x100 * i, bytes + 16 * i + 9, 7);
    len = hex_append_record(hex, len, 0x01, 0, NULL, 0, "\n");
    assert_int_equal(program_file((const uint8_t *)hex, len), STATUS_OK);
    assert_int_equal(writer.pending_peak, 4);
    record_image((const uint8_t *)hex, len);
    assert_flash_holds(&image);
}

static void test_records_too_far_out_of_order_fail_in_rehearsal(void **state)
{
    (void)state;
    use_target(16);
    fill(4);
    size_t len = 0;
    unsigned units = AIRSWD_IMAGE_PENDING_UNITS + 1;
    for (uint32_t i = 0; i < units; i++)
        len = hex_append_data(hex, len, 0x08000000 + 0x100 * i, bytes + 16 * i, 9);
    for (uint32_t i = 0; i < units; i++)
        len = hex_append_data(hex, len, 0x08000009 + 0x100 * i, bytes + 16 * i + 9, 7);
    len = hex_append_record(hex, len, 0x01, 0, NULL, 0, "\n");
    assert_int_equal(program_file((const uint8_t *)hex, len), STATUS_IMAGE_TOO_COMPLEX);
    assert_non_null(strstr(report.detail, "0x08000800 (offset 0x"));
    assert_non_null(strstr(report.detail, "more than 8 program units partly written at once"));
    assert_int_equal(flash.program_calls, 0);
}

static void test_file_that_changed_after_the_plan_is_caught(void **state)
{
    (void)state;
    use_target(8);
    fill(5);
    size_t len = hex_append_data(hex, 0, 0x08000000, bytes, 64);
    len = hex_append_record(hex, len, 0x01, 0, NULL, 0, "\n");
    assert_int_equal(plan_file((const uint8_t *)hex, len), STATUS_OK);

    /* More data than the plan saw. */
    size_t changed = hex_append_data(hex, 0, 0x08000000, bytes, 72);
    changed = hex_append_record(hex, changed, 0x01, 0, NULL, 0, "\n");
    assert_int_equal(write_file((const uint8_t *)hex, changed, NULL), STATUS_IMAGE_CHANGED);
    assert_non_null(strstr(report.detail, "0x08000040"));
    assert_non_null(strstr(report.detail, "did not have"));

    /* Less data than the plan saw. */
    changed = hex_append_data(hex, 0, 0x08000000, bytes, 60);
    changed = hex_append_record(hex, changed, 0x01, 0, NULL, 0, "\n");
    assert_int_equal(write_file((const uint8_t *)hex, changed, NULL), STATUS_IMAGE_CHANGED);
    assert_non_null(strstr(report.detail, "0x08000038 never got all its bytes"));

    /* The same bytes twice. */
    assert_int_equal(image_writer_init(&writer, &plan, NULL, &report), STATUS_OK);
    struct image_sink sink = image_writer_sink(&writer);
    assert_int_equal(sink.data(sink.ctx, 0x08000000, bytes, 3, 0), STATUS_OK);
    assert_int_equal(sink.data(sink.ctx, 0x08000002, bytes, 3, 0x20), STATUS_IMAGE_CHANGED);
    assert_non_null(strstr(report.detail, "came twice"));
    assert_int_equal(sink.data(sink.ctx, 0x08000010, bytes, 3, 0), STATUS_IMAGE_CHANGED); /* sticky */

    assert_int_equal(image_writer_init(&writer, &plan, NULL, &report), STATUS_OK);
    sink = image_writer_sink(&writer);
    assert_int_equal(sink.data(sink.ctx, 0x08000009, bytes, 3, 0), STATUS_OK);
    assert_int_equal(sink.data(sink.ctx, 0x08000008, bytes, 16, 0), STATUS_IMAGE_CHANGED);

    /* Nothing at all. */
    assert_int_equal(image_writer_init(&writer, &plan, NULL, &report), STATUS_OK);
    assert_int_equal(image_writer_finish(&writer), STATUS_IMAGE_CHANGED);
    assert_non_null(strstr(report.detail, "0 of 8 program units"));
}

static void test_option_bytes_go_out_unpadded_and_ram_is_skipped(void **state)
{
    (void)state;
    use_target(8);
    fill(6);
    size_t len = hex_append_data(hex, 0, 0x08000000, bytes, 20);
    len = hex_append_data(hex, len, 0x1FFF7800, bytes + 100, 3);
    len = hex_append_data(hex, len, 0x20000000, bytes + 200, 32);
    len = hex_append_record(hex, len, 0x01, 0, NULL, 0, "\n");
    assert_int_equal(program_file((const uint8_t *)hex, len), STATUS_OK);
    assert_int_equal(flash.option_calls, 1);
    assert_memory_equal(flash.options, bytes + 100, 3);
    assert_int_equal(flash.options[3], UNTOUCHED);
    assert_int_equal(plan.ram_bytes, 32);
    assert_int_equal(flash.units_programmed, 3);

    struct image_writer_output no_options = {.program = flash_program, .ctx = &flash};
    use_target(8);
    assert_int_equal(plan_file((const uint8_t *)hex, len), STATUS_OK);
    assert_int_equal(write_file((const uint8_t *)hex, len, &no_options), STATUS_UNSUPPORTED);
    assert_non_null(strstr(report.detail, "option bytes at 0x1FFF7800"));
}

static void test_flash_failure_stops_the_pass(void **state)
{
    (void)state;
    use_target(4);
    fill(7);
    size_t len = hex_append_data(hex, 0, 0x08000000, bytes, 100);
    len = hex_append_record(hex, len, 0x01, 0, NULL, 0, "\n");
    assert_int_equal(plan_file((const uint8_t *)hex, len), STATUS_OK);
    flash.answer = STATUS_BUS_ERROR;
    assert_int_equal(write_file((const uint8_t *)hex, len, &flash_output), STATUS_BUS_ERROR);
    assert_string_equal(report.detail, "flash refused 0x08000000");
}

static void test_writer_needs_a_finished_plan(void **state)
{
    (void)state;
    use_target(4);
    assert_int_equal(image_plan_init(&plan, &target, &report), STATUS_OK);
    assert_int_equal(image_writer_init(&writer, &plan, NULL, &report), STATUS_INVALID_ARGUMENT);
}

/* Random images: pieces of random size at random gaps, in address order with neighbours swapped now and then, in
 * every program unit size; the flash must end up holding exactly the image. */
static void test_random_images_are_programmed_exactly(void **state)
{
    (void)state;
    static const uint32_t units[] = {2, 4, 8, 16, 32};
    uint32_t seed = 12345;
#define NEXT() (seed = seed * 1664525u + 1013904223u, seed >> 8)
    for (unsigned round = 0; round < 200; round++) {
        use_target(units[round % 5]);
        fill(round);
        struct piece {
            uint32_t address, size;
        } pieces[24];
        unsigned count = 1 + NEXT() % 24;
        uint32_t address = FLASH_BASE + NEXT() % 64;
        for (unsigned i = 0; i < count; i++) {
            pieces[i].address = address;
            pieces[i].size = 1 + NEXT() % 200;
            address += pieces[i].size + (NEXT() % 3 == 0 ? 0 : NEXT() % 40);
        }
        for (unsigned i = 0; i + 1 < count; i++) {
            if (NEXT() % 4 == 0) {
                struct piece swap = pieces[i];
                pieces[i] = pieces[i + 1];
                pieces[i + 1] = swap;
            }
        }
        size_t len = 0;
        for (unsigned i = 0; i < count; i++)
            len =
                hex_append_data(hex, len, pieces[i].address, bytes + (pieces[i].address - FLASH_BASE), pieces[i].size);
        len = hex_append_record(hex, len, 0x01, 0, NULL, 0, "\r\n");
        assert_int_equal(program_file((const uint8_t *)hex, len), STATUS_OK);
        record_image((const uint8_t *)hex, len);
        assert_flash_holds(&image);
        assert_int_equal(flash.units_programmed * flash.unit, plan.program_bytes);
    }
#undef NEXT
}

/* A 512 KB firmware as objcopy writes it: the parser, the plan and the writer together stay within 2 KB. */
static void test_512k_image_is_planned_and_programmed_in_bounded_state(void **state)
{
    (void)state;
    use_target(8);
    static uint8_t firmware[512 * 1024];
    for (size_t i = 0; i < sizeof firmware; i++)
        firmware[i] = (uint8_t)(i * 31 + (i >> 9));
    size_t len = hex_append_data(hex, 0, FLASH_BASE, firmware, sizeof firmware);
    len = hex_append_record(hex, len, 0x01, 0, NULL, 0, "\n");
    assert_true(len < sizeof hex);
    assert_int_equal(program_file((const uint8_t *)hex, len), STATUS_OK);
    assert_memory_equal(flash.memory, firmware, sizeof firmware);
    assert_int_equal(plan.program_count, 1);
    assert_int_equal(plan.erase_units, 256);
    assert_int_equal(plan.partial_erase_units, 0);
    assert_true(sizeof(struct image_reader) + sizeof(struct image_plan) < 2048);
    assert_true(sizeof(struct image_writer) < 512);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sequential_hex_programs_every_unit_once_with_padding),
        cmocka_unit_test(test_padding_is_the_erased_value_of_the_target),
        cmocka_unit_test(test_shared_ecc_unit_far_apart_in_file_is_programmed_once),
        cmocka_unit_test(test_out_of_order_records_use_pending_units),
        cmocka_unit_test(test_records_too_far_out_of_order_fail_in_rehearsal),
        cmocka_unit_test(test_file_that_changed_after_the_plan_is_caught),
        cmocka_unit_test(test_option_bytes_go_out_unpadded_and_ram_is_skipped),
        cmocka_unit_test(test_flash_failure_stops_the_pass),
        cmocka_unit_test(test_writer_needs_a_finished_plan),
        cmocka_unit_test(test_random_images_are_programmed_exactly),
        cmocka_unit_test(test_512k_image_is_planned_and_programmed_in_bounded_state),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
