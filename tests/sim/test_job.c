/*
 * test_job.c - flash jobs against every simulated part, judged by the simulated flash itself:
 *   - 72 random images per part (fixed seeds): 1-4 segments with gaps, odd sizes, unaligned starts, as BIN, Intel HEX
 *     and ELF, in address order or shuffled, apart or sharing program units, with and without the job's verify,
 *     then each again with one byte changed and --skip-unchanged; after each job the image's bytes are in flash,
 *     the rest of every touched erase unit is erased, and every untouched unit still holds what it held (the
 *     simulator refuses a second programming of an ECC unit, so a job that tried would fail);
 *   - out-of-order pieces and --skip-unchanged gaps inside one block, on every part, checked without verify;
 *   - the example firmware, flashed as ELF, runs after the job's reset and prints its hello line;
 *   - malformed images fail before anything is erased.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../unit/image_test_files.h"
#include "example_firmware.h"
#include "job/job.h"
#include "memory_job_file.h"
#include "sim_dbgmcu.h"
#include "sim_memory.h"
#include "sim_session.h"
#include "test_skip.h"
#include "stm32/stm32_stubs.h"

#define IMAGES_PER_PART 72 /* three of each format, shape and verify */
#define MAX_SEGMENTS 4
#define RANDOM_SEGMENT_BYTES 3000
#define MAX_SEGMENT_BYTES (16u * 1024u)
#define IMAGE_SPAN (24u * 1024u) /* random images live in the first 24 KB of flash */
#define FILE_CAPACITY (256u * 1024u)

static const char *const parts[] = {"stm32f030r8", "stm32f072rb", "stm32f103c8", "stm32f103re", "stm32f103zg",
                                    "stm32f303cc", "stm32f401cc", "stm32f410r8", "stm32f411ce", "stm32f413zh", "stm32l476rg", "stm32g071rb",
                                    "stm32g431rb", "stm32g474re", "stm32f746zg", "stm32f767zi", "stm32h743zi",
                                    "stm32l053r8", "stm32l072cz", "stm32l152re"};

struct memory_file {
    uint8_t bytes[FILE_CAPACITY];
    size_t size;
};

static long memory_file_read(void *ctx, uint32_t offset, uint8_t *buf, uint32_t len)
{
    const struct memory_file *file = ctx;
    struct memory_job_file view = {.bytes = file->bytes, .size = (uint32_t)file->size};
    return memory_job_file_read(&view, offset, buf, len);
}

struct segment {
    uint32_t address;
    uint32_t size;
    uint8_t data[MAX_SEGMENT_BYTES];
};

struct random_image {
    enum image_format format;
    unsigned count;
    struct segment segments[MAX_SEGMENTS];
};

static uint32_t next_random(uint32_t *state)
{
    *state = *state * 1103515245u + 12345u;
    return *state >> 8;
}

/* How a random image is laid out. The writer hands pieces out in file order, so out-of-order segments and segments
 * that share a program unit make the programming jump back and forth. */
enum image_shape {
    SHAPE_IN_ORDER,      /* segments in address order, gaps of 1 to 3000 bytes */
    SHAPE_SHUFFLED,      /* the same, in a shuffled file order */
    SHAPE_SHARED_UNITS,  /* gaps of 0 to 7 bytes: segments touch or share a program unit */
    SHAPE_SHUFFLED_SHARED,
    SHAPE_COUNT
};

/* Every format meets every shape, with and without verify. */
static enum image_shape seed_shape(uint32_t seed)
{
    return (enum image_shape)(seed / 3 % SHAPE_COUNT);
}

static bool seed_verifies(uint32_t seed)
{
    return seed / (3 * SHAPE_COUNT) % 2 == 0;
}

static const char *const shape_names[SHAPE_COUNT] = {"in order", "shuffled", "sharing units", "shuffled, sharing units"};

/* 1-4 segments that do not overlap; a raw binary has one. */
static void make_random_image(struct random_image *image, uint32_t seed, enum image_shape shape)
{
    uint32_t state = seed * 2654435761u + 1;
    bool shared = shape == SHAPE_SHARED_UNITS || shape == SHAPE_SHUFFLED_SHARED;
    image->format = (enum image_format)(seed % 3);
    image->count = image->format == IMAGE_FORMAT_BIN ? 1 : 1 + next_random(&state) % MAX_SEGMENTS;
    uint32_t address = 0x08000000u + next_random(&state) % 4096;
    for (unsigned i = 0; i < image->count; i++) {
        struct segment *segment = &image->segments[i];
        segment->address = address;
        segment->size = 1 + next_random(&state) % RANDOM_SEGMENT_BYTES;
        for (uint32_t b = 0; b < segment->size; b++)
            segment->data[b] = (uint8_t)next_random(&state);
        address += segment->size + (shared ? next_random(&state) % 8 : 1 + next_random(&state) % 3000);
    }
    if (shape == SHAPE_SHUFFLED || shape == SHAPE_SHUFFLED_SHARED) {
        for (unsigned i = image->count; i > 1; i--) {
            unsigned j = next_random(&state) % i;
            struct segment *a = &image->segments[i - 1], *b = &image->segments[j];
            static struct segment swap;
            swap = *a;
            *a = *b;
            *b = swap;
        }
    }
}

static void write_file(const struct random_image *image, struct memory_file *file)
{
    if (image->format == IMAGE_FORMAT_BIN) {
        memcpy(file->bytes, image->segments[0].data, image->segments[0].size);
        file->size = image->segments[0].size;
    } else if (image->format == IMAGE_FORMAT_HEX) {
        char *text = (char *)file->bytes;
        size_t len = 0;
        for (unsigned i = 0; i < image->count; i++)
            len = hex_append_data(text, len, image->segments[i].address, image->segments[i].data,
                                  image->segments[i].size);
        len = hex_append_record(text, len, 0x01, 0, NULL, 0, "\n");
        file->size = len;
    } else {
        struct test_elf elf = test_elf_arm();
        uint32_t offset = 0x100;
        for (unsigned i = 0; i < image->count; i++) {
            elf.headers[elf.header_count++] = (struct test_elf_header){
                .type = 1, .offset = offset, .vaddr = image->segments[i].address, .paddr = image->segments[i].address,
                .filesz = image->segments[i].size, .memsz = image->segments[i].size, .data = image->segments[i].data};
            offset += image->segments[i].size;
        }
        file->size = test_elf_build(&elf, file->bytes, sizeof file->bytes);
    }
}

/* The byte the flash must hold at offset: the image's, erased inside a touched unit, the old one elsewhere. */
static int expected_byte(const struct random_image *image, uint32_t address)
{
    for (unsigned i = 0; i < image->count; i++) {
        const struct segment *segment = &image->segments[i];
        if (address >= segment->address && address - segment->address < segment->size)
            return segment->data[address - segment->address];
    }
    return -1;
}

static bool unit_touched(const struct random_image *image, uint32_t start, uint32_t size)
{
    for (unsigned i = 0; i < image->count; i++) {
        const struct segment *segment = &image->segments[i];
        if (segment->address < start + size && segment->address + segment->size > start)
            return true;
    }
    return false;
}

static void check_flash(struct sim_stm32 *stm32, const struct random_image *image, const uint8_t *before,
                        uint32_t seed)
{
    const uint8_t *flash = sim_flash_array(stm32->flash);
    for (uint32_t unit = 0;; unit++) {
        uint32_t start, size;
        if (!sim_flash_unit_bounds(stm32->flash, unit, &start, &size) || start - 0x08000000u >= IMAGE_SPAN + 8192)
            break;
        bool touched = unit_touched(image, start, size);
        for (uint32_t a = start; a < start + size; a++) {
            int image_byte = expected_byte(image, a);
            int want = image_byte >= 0     ? image_byte
                       : touched           ? sim_flash_erased_value(stm32->flash)
                                           : before[a - 0x08000000u];
            if (flash[a - 0x08000000u] != want)
                fail_msg("%s seed %u (%s): flash at 0x%08x holds 0x%02x, expected 0x%02x", stm32->part->name,
                         (unsigned)seed, image_format_name(image->format), (unsigned)a, flash[a - 0x08000000u], want);
        }
    }
}

/* A job over the session's wire with file as its image, ready to run. */
static void init_job(struct sim_session *session, struct memory_file *file, const struct job_options *options,
                     struct job *job)
{
    const struct job_link link = {.swd = &session->port.swd, .system = &session->port.system,
                                  .pins = &session->port.pins};
    const struct job_file job_file = {.ctx = file, .read = memory_file_read};
    job_init(job, &link, &job_file, options, &session->report);
}

static enum status run_job_with(struct sim_session *session, struct memory_file *file,
                                const struct job_options *options, struct job *job)
{
    init_job(session, file, options, job);
    return job_run(job);
}

static enum status run_job(struct sim_session *session, struct memory_file *file, enum image_format format,
                           uint32_t bin_base, struct job *job)
{
    const struct job_options options = {.format = format, .bin_base = bin_base, .verify = true, .reset_after = true};
    return run_job_with(session, file, &options, job);
}


/* A raw binary of size bytes of 0xA5 at the start of flash. */
static void write_filled_image(struct random_image *image, struct memory_file *file, uint32_t size)
{
    image->format = IMAGE_FORMAT_BIN;
    image->count = 1;
    image->segments[0].address = 0x08000000u;
    image->segments[0].size = size;
    memset(image->segments[0].data, 0xA5, size);
    write_file(image, file);
}
/* A G474 whose DBANK option bit is clear has one bank of 4 KB pages (RM0440 §3.3.1, §3.7.8), an F767 whose nDBANK
 * is clear two banks of 16/64/128 KB sectors (RM0410 §3.3.1): layouts the part table does not describe. The job
 * stops at its first erase, names the bit, and leaves the flash as it was. */
static void test_a_bank_option_the_table_does_not_describe_is_refused_before_any_erase(void **state)
{
    (void)state;
    static struct memory_file file;
    static struct random_image image;
    static struct job job;
    static const struct {
        const char *part, *named;
        unsigned byte, bit; /* the option bit cleared */
        int complement;     /* the byte of its complement, set; -1: none */
    } cases[] = {
        {"stm32g474re", "DBANK=0", 2, 6, 6},  /* OPTR bit 22 */
        {"stm32f767zi", "nDBANK=0", 9, 5, -1}, /* OPTCR bit 29: bit 13 of the halfword at +8 */
    };
    for (unsigned c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        struct sim_session session;
        assert_true(sim_session_create(&session, cases[c].part, true));
        uint8_t *options = sim_flash_options(session.stm32->flash);
        options[cases[c].byte] &= (uint8_t)~(1u << cases[c].bit);
        if (cases[c].complement >= 0)
            options[cases[c].complement] |= (uint8_t)(1u << cases[c].bit);
        sim_stm32_power_on_reset(session.stm32);
        uint8_t *flash = sim_flash_array(session.stm32->flash);
        memset(flash, 0x5A, 8192);
        write_filled_image(&image, &file, 4096);
        assert_int_equal(run_job(&session, &file, IMAGE_FORMAT_BIN, 0x08000000u, &job), STATUS_UNSUPPORTED);
        print_message("%s: %s\n", cases[c].part, sim_session_error(&session));
        assert_non_null(strstr(sim_session_error(&session), cases[c].named));
        for (uint32_t i = 0; i < 8192; i++)
            assert_int_equal(flash[i], 0x5A);
        sim_session_destroy(&session);
    }
}

/* A G47x with 256 KB keeps bank 2 at 0x08040000, a hole the part table does not describe: the job refuses it at
 * connect, naming what the flash size register read, and writes nothing. */
static void test_g47x_below_512_kb_is_refused_at_connect(void **state)
{
    (void)state;
    static struct memory_file file;
    static struct random_image image;
    static struct job job;
    struct sim_session session;
    assert_true(sim_session_create(&session, "stm32g474re", true));
    const struct sim_part *part = session.stm32->part;
    uint8_t *rom = sim_memory_data(session.stm32->system_memory);
    rom[part->flash_size_register - part->system_memory_base] = 0x00; /* 256 KB: 0x0100 */
    rom[part->flash_size_register - part->system_memory_base + 1] = 0x01;
    write_filled_image(&image, &file, 2048);
    assert_int_equal(run_job(&session, &file, IMAGE_FORMAT_BIN, 0x08000000u, &job), STATUS_UNSUPPORTED);
    print_message("%s\n", sim_session_error(&session));
    assert_non_null(strstr(sim_session_error(&session), "reads 256 KB"));
    for (uint32_t i = 0; i < 2048; i++)
        assert_int_equal(sim_flash_array(session.stm32->flash)[i], 0xFF);
    sim_session_destroy(&session);
}

/* An L1 Cat.2 (0x429) holds its flash size in the low byte of F_SIZE (0x1FF8004C) and leaves the high byte reserved
 * (RM0038 §31.1.1): the job takes the low byte alone. The simulated L152RE stands in for one, with the Cat.2's IDCODE
 * and a register that reads 0xA580 (128 KB). */
static void test_l1_cat2_flash_size_is_the_registers_low_byte(void **state)
{
    (void)state;
    static struct memory_file file;
    static struct random_image image;
    static struct job job;
    struct sim_session session;
    assert_true(sim_session_create(&session, "stm32l152re", true));
    sim_dbgmcu_set_idcode(session.stm32->dbgmcu, 0x10186429);
    uint8_t *options = sim_flash_options(session.stm32->flash); /* 0x1FF80000 onwards */
    options[0x4C] = 0x80;
    options[0x4D] = 0xA5;
    write_filled_image(&image, &file, 2048);
    assert_int_equal(run_job(&session, &file, IMAGE_FORMAT_BIN, 0x08000000u, &job), STATUS_OK);
    assert_string_equal(job.target.part->name, "STM32L1xx Cat.2");
    assert_int_equal(job.target.flash_size, 128u * 1024u);
    check_flash(session.stm32, &image, sim_flash_array(session.stm32->flash), 0);
    sim_session_destroy(&session);
}

/* The same 16 KB as a binary, as Intel HEX (objcopy's 16-byte records) and as an ELF whose segment starts in the middle
 * of the file's first chunk: contiguous pieces are programmed in the same runs whatever their size, so the program
 * phase's chip time is within 2 % of the binary's on every part (bench/bench_flash.c prints the whole comparison). */
static void test_every_format_programs_as_fast_as_a_binary(void **state)
{
    (void)state;
    static struct memory_file file;
    static struct random_image image;
    static struct job job;
    image.count = 1;
    image.segments[0].address = 0x08000000u;
    image.segments[0].size = MAX_SEGMENT_BYTES;
    uint32_t random_state = 7;
    for (uint32_t b = 0; b < MAX_SEGMENT_BYTES; b++)
        image.segments[0].data[b] = (uint8_t)next_random(&random_state);
    for (unsigned p = 0; p < sizeof parts / sizeof parts[0]; p++) {
        uint64_t program_us[3];
        for (unsigned f = 0; f < 3; f++) {
            struct sim_session session;
            assert_true(sim_session_create(&session, parts[p], true));
            image.format = (enum image_format)f;
            write_file(&image, &file);
            if (run_job(&session, &file, image.format, 0x08000000u, &job) != STATUS_OK)
                fail_msg("%s (%s): %s", parts[p], image_format_name(image.format), sim_session_error(&session));
            assert_memory_equal(sim_flash_array(session.stm32->flash), image.segments[0].data, MAX_SEGMENT_BYTES);
            program_us[f] = job.result.phase_us[JOB_PHASE_PROGRAM];
            sim_session_destroy(&session);
        }
        print_message("%s: program phase %.1f ms as BIN, %.1f ms as HEX, %.1f ms as ELF\n", parts[p],
                      program_us[IMAGE_FORMAT_BIN] / 1e3, program_us[IMAGE_FORMAT_HEX] / 1e3,
                      program_us[IMAGE_FORMAT_ELF] / 1e3);
        assert_true(program_us[IMAGE_FORMAT_HEX] * 100 <= program_us[IMAGE_FORMAT_BIN] * 102);
        assert_true(program_us[IMAGE_FORMAT_ELF] * 100 <= program_us[IMAGE_FORMAT_BIN] * 102);
    }
}

static void test_random_images_on_every_part(void **state)
{
    (void)state;
    static struct memory_file file;
    static struct random_image image;
    static struct job job;
    static uint8_t before[IMAGE_SPAN + 16384];
    for (unsigned p = 0; p < sizeof parts / sizeof parts[0]; p++) {
        struct sim_session session;
        assert_true(sim_session_create(&session, parts[p], true));
        uint64_t chip_us = 0;
        unsigned on_target = 0, unverified = 0, skipped = 0;
        for (uint32_t seed = 0; seed < IMAGES_PER_PART; seed++) {
            uint8_t *flash = sim_flash_array(session.stm32->flash);
            for (size_t i = 0; i < sizeof before; i++)
                flash[i] = (uint8_t)(i * 31 + seed); /* old content the job must leave alone outside its units */
            memcpy(before, flash, sizeof before);
            make_random_image(&image, seed, seed_shape(seed));
            write_file(&image, &file);
            const struct job_options options = {.format = image.format, .bin_base = image.segments[0].address,
                                                .verify = seed_verifies(seed), .reset_after = true};
            enum status status = run_job_with(&session, &file, &options, &job);
            if (status != STATUS_OK)
                fail_msg("%s seed %u (%s, %s): %s", parts[p], (unsigned)seed, image_format_name(image.format),
                         shape_names[seed_shape(seed)], sim_session_error(&session));
            /* With or without verify, a success means the bytes are there. */
            check_flash(session.stm32, &image, before, seed);
            /* Large images by the CRC stub on the target, small ones by reading back. */
            assert_int_equal(job.result.verified_on_target, options.verify && job.plan.program_bytes >= 4096);
            on_target += job.result.verified_on_target;
            unverified += !options.verify;
            chip_us += job.result.total_us;

            /* Then one byte changed, flashed again with --skip-unchanged: the unchanged units are passed over (so
             * the programming jumps), the rest rewritten whole; verify the other way round. */
            struct segment *changed = &image.segments[seed % image.count];
            changed->data[seed * 7u % changed->size] ^= 0x5A;
            write_file(&image, &file);
            struct job_options again = options;
            again.skip_unchanged = true;
            again.verify = !options.verify;
            if (run_job_with(&session, &file, &again, &job) != STATUS_OK)
                fail_msg("%s seed %u (%s, %s), --skip-unchanged: %s", parts[p], (unsigned)seed,
                         image_format_name(image.format), shape_names[seed_shape(seed)], sim_session_error(&session));
            check_flash(session.stm32, &image, before, seed);
            skipped += job.result.unchanged_units;
            chip_us += job.result.total_us;
        }
        print_message("%s: %u random images flashed and checked (%u verified by CRC on the target, %u not verified "
                      "by the job), then each again with one byte changed and --skip-unchanged (%u units left "
                      "alone), %.3f s chip time\n", parts[p], IMAGES_PER_PART, on_target, unverified, skipped,
                      (double)chip_us / 1e6);
        sim_session_destroy(&session);
    }
}

/* ---- the example firmware, and what must fail ---- */

static bool load_file(const char *family, const char *extension, struct memory_file *file)
{
    file->size = example_firmware_load(family, extension, file->bytes, sizeof file->bytes);
    return file->size > 0;
}

struct uart_capture {
    char text[128];
    size_t len;
};

static void capture_uart(void *ctx, unsigned usart, uint8_t byte, uint64_t at_ps)
{
    struct uart_capture *capture = ctx;
    (void)usart;
    (void)at_ps;
    if (capture->len + 1 < sizeof capture->text)
        capture->text[capture->len++] = (char)byte;
}

static void test_example_firmware_runs_after_the_job(void **state)
{
    (void)state;
    static const struct {
        const char *part, *family;
    } boards[] = {{"stm32f030r8", "f0"}, {"stm32f072rb", "f0"}, {"stm32f103c8", "f1"}, {"stm32f103re", "f1"},
                  {"stm32f103zg", "f1"}, {"stm32f303cc", "f3"}, {"stm32f401cc", "f4"}, {"stm32f410r8", "f4"}, {"stm32f411ce", "f4"}, {"stm32f413zh", "f4"},
                  {"stm32l476rg", "l4"}, {"stm32g071rb", "g0"}, {"stm32g431rb", "g4"}, {"stm32g474re", "g4"},
                  {"stm32f746zg", "f7"}, {"stm32f767zi", "f7"}, {"stm32h743zi", "h7"}};
    static struct memory_file file;
    static struct job job;
    for (unsigned i = 0; i < sizeof boards / sizeof boards[0]; i++) {
        if (!load_file(boards[i].family, "elf", &file)) {
            SKIP_TEST("example firmware not built (arm-none-eabi-gcc missing)");
        }
        struct sim_session session;
        assert_true(sim_session_create(&session, boards[i].part, true));
        struct uart_capture capture = {0};
        struct sim_stm32_events events = {.ctx = &capture, .uart_tx = capture_uart};
        sim_stm32_set_events(session.stm32, &events);
        assert_int_equal(run_job(&session, &file, IMAGE_FORMAT_ELF, 0, &job), STATUS_OK);
        sim_stm32_run_for(session.stm32, 20000000000ull); /* 20 ms */
        print_message("%s: \"%.*s\" after the job (%.3f ms chip time)\n", boards[i].part,
                      (int)(capture.len > 2 ? capture.len - 2 : 0), capture.text, (double)job.result.total_us / 1e3);
        assert_non_null(strstr(capture.text, "hello from airswd example firmware"));
        sim_session_destroy(&session);
    }
}

struct read_capture {
    uint32_t next; /* the address the next piece must start at */
    const uint8_t *flash;
    uint32_t flash_base;
    uint32_t bytes;
};

static bool compare_read(void *ctx, uint32_t address, const uint8_t *bytes, uint32_t len)
{
    struct read_capture *capture = ctx;
    assert_int_equal(address, capture->next);
    assert_true(len > 0 && len <= AIRSWD_JOB_CHUNK);
    assert_memory_equal(bytes, capture->flash + (address - capture->flash_base), len);
    capture->next += len;
    capture->bytes += len;
    return true;
}

static enum status run_action(struct sim_session *session, const struct job_options *options, struct job *job,
                              struct read_capture *capture)
{
    const struct job_link link = {.swd = &session->port.swd, .system = &session->port.system,
                                  .pins = &session->port.pins};
    const struct job_file no_file = {.ctx = NULL, .read = memory_file_read};
    job_init(job, &link, &no_file, options, &session->report);
    if (capture)
        job_on_data(job, compare_read, capture);
    return job_run(job);
}

/* The actions without an image: read what a flash job wrote (ragged start and end), erase it unit by unit and by
 * mass erase, and reset. */
static void test_read_erase_and_reset_actions(void **state)
{
    (void)state;
    static struct memory_file file;
    static struct random_image image;
    static struct job job;
    const char *tested[] = {"stm32f103c8", "stm32l476rg", "stm32g071rb", "stm32l072cz", "stm32l152re"};
    for (size_t p = 0; p < sizeof tested / sizeof tested[0]; p++) {
        make_random_image(&image, 11 + (uint32_t)p, SHAPE_IN_ORDER);
        write_file(&image, &file);
        struct sim_session session;
        assert_true(sim_session_create(&session, tested[p], true));
        assert_int_equal(run_job(&session, &file, image.format, image.segments[0].address, &job), STATUS_OK);
        const uint8_t *flash = sim_flash_array(session.stm32->flash);
        uint32_t flash_size = (uint32_t)job.target.flash_size, units = image_target_erase_unit_count(&job.target.memory);

        struct read_capture capture = {.next = 0x08000003u, .flash = flash, .flash_base = 0x08000000u};
        struct job_options read = {.action = JOB_ACTION_READ, .read = {.base = 0x08000003u, .size = 5000}};
        assert_int_equal(run_action(&session, &read, &job, &capture), STATUS_OK);
        assert_int_equal(capture.bytes, 5000);
        assert_int_equal(job.result.phase_us[JOB_PHASE_ERASE], 0);

        struct job_options erase = {.action = JOB_ACTION_ERASE};
        assert_int_equal(run_action(&session, &erase, &job, NULL), STATUS_OK);
        assert_int_equal(job.result.erase_units, units);
        uint8_t erased = sim_flash_erased_value(session.stm32->flash);
        for (uint32_t i = 0; i < flash_size; i++)
            assert_int_equal(flash[i], erased);
        print_message("%s: erase of %lu units in %.3f ms chip time%s\n", tested[p], (unsigned long)units,
                      (double)job.result.phase_us[JOB_PHASE_ERASE] / 1e3, job.result.mass_erased ? " (mass)" : "");

        assert_int_equal(run_job(&session, &file, image.format, image.segments[0].address, &job), STATUS_OK);
        erase.mass_erase = true;
        assert_int_equal(run_action(&session, &erase, &job, NULL), STATUS_OK);
        assert_true(job.result.mass_erased); /* L0: no mass erase bit, every page */
        for (uint32_t i = 0; i < flash_size; i++)
            assert_int_equal(flash[i], erased);

        struct job_options reset = {.action = JOB_ACTION_RESET, .reset_by_nrst = p == 1};
        assert_int_equal(run_action(&session, &reset, &job, NULL), STATUS_OK);
        assert_true(job.result.phase_us[JOB_PHASE_RESET] > 0);
        assert_int_equal(job.result.phase_us[JOB_PHASE_PLAN] + job.result.phase_us[JOB_PHASE_IDENTIFY], 0);

        struct job_options nothing = {.action = JOB_ACTION_READ};
        assert_int_equal(run_action(&session, &nothing, &job, &capture), STATUS_INVALID_ARGUMENT);
        sim_session_destroy(&session);
    }
}

/* One flipped bit in flash: found by reading back (a small image) and by the CRC on the target (a large one). */
static void test_verify_detects_one_changed_byte(void **state)
{
    (void)state;
    static struct memory_file file;
    static struct random_image image;
    static struct job job;
    for (unsigned large = 0; large < 2; large++) {
        make_random_image(&image, large ? 7 : 3, SHAPE_IN_ORDER);
        write_file(&image, &file);
        struct sim_session session;
        assert_true(sim_session_create(&session, "stm32f103c8", true));
        assert_int_equal(run_job(&session, &file, image.format, image.segments[0].address, &job), STATUS_OK);
        sim_flash_array(session.stm32->flash)[image.segments[0].address - 0x08000000u + 5] ^= 0x10;
        const struct job_options options = {.format = image.format, .bin_base = image.segments[0].address,
                                            .action = JOB_ACTION_VERIFY};
        init_job(&session, &file, &options, &job);
        assert_int_equal(job_run(&job), STATUS_FLASH_DIFFERS); /* verify alone: a finding, nothing to program again */
        assert_false(job.result.erased);
        print_message("%u bytes: %s\n", (unsigned)job.plan.program_bytes, sim_session_error(&session));
        sim_session_destroy(&session);
    }
}

/* The padding of a program unit that the image covers in part is not the image's: verify ignores what the flash
 * holds there (another tool pads otherwise, firmware writes there), by reading back and by CRC on the target. */
static void test_verify_compares_the_image_bytes_only(void **state)
{
    (void)state;
    static struct memory_file file;
    static struct random_image image;
    static struct job job;
    static const char *const verify_parts[] = {"stm32f103c8", "stm32l476rg"};
    for (unsigned p = 0; p < sizeof verify_parts / sizeof verify_parts[0]; p++) {
        for (unsigned large = 0; large < 2; large++) {
            make_random_image(&image, large ? 7 : 3, SHAPE_IN_ORDER);
            write_file(&image, &file);
            struct sim_session session;
            assert_true(sim_session_create(&session, verify_parts[p], true));
            assert_int_equal(run_job(&session, &file, image.format, image.segments[0].address, &job), STATUS_OK);
            uint8_t *flash = sim_flash_array(session.stm32->flash);
            unsigned padded = 0;
            for (unsigned i = 0; i < image.count; i++) { /* the bytes just outside each segment, in its units */
                const struct segment *segment = &image.segments[i];
                uint32_t before = segment->address - 1, after = segment->address + segment->size;
                if (segment->address % job.target.memory.program_unit != 0 && expected_byte(&image, before) < 0)
                    flash[before - 0x08000000u] = 0x00, padded++;
                if (after % job.target.memory.program_unit != 0 && expected_byte(&image, after) < 0)
                    flash[after - 0x08000000u] = 0x00, padded++;
            }
            assert_true(padded > 0);
            const struct job_options options = {.format = image.format, .bin_base = image.segments[0].address,
                                                .action = JOB_ACTION_VERIFY};
            if (run_job_with(&session, &file, &options, &job) != STATUS_OK)
                fail_msg("%s: %s", verify_parts[p], sim_session_error(&session));
            assert_int_equal(job.result.verified_on_target, large);
            sim_session_destroy(&session);
        }
    }
}

/* Each must fail before the flash is touched: the whole flash is compared before and after. */
static void expect_refused(const char *part, struct memory_file *file, enum image_format format, uint32_t bin_base,
                           enum status expected, const char *what)
{
    static struct job job;
    static uint8_t before[512 * 1024];
    struct sim_session session;
    assert_true(sim_session_create(&session, part, true));
    uint8_t *flash = sim_flash_array(session.stm32->flash);
    uint32_t size = sim_flash_size(session.stm32->flash);
    for (uint32_t i = 0; i < size; i++)
        flash[i] = (uint8_t)(i * 7);
    memcpy(before, flash, size);
    enum status status = run_job(&session, file, format, bin_base, &job);
    print_message("%-40s -> %s: %s\n", what, status_name(status), sim_session_error(&session));
    assert_int_equal(status, expected);
    assert_false(job.result.erased);
    assert_true(job.result.failed_phase <= JOB_PHASE_CHECK);
    assert_memory_equal(flash, before, size);
    sim_session_destroy(&session);
}

static void test_malformed_images_fail_before_anything_is_erased(void **state)
{
    (void)state;
    static struct memory_file file;
    static struct random_image image;
    make_random_image(&image, 1, SHAPE_IN_ORDER); /* a HEX image */
    image.format = IMAGE_FORMAT_HEX;
    write_file(&image, &file);
    size_t whole = file.size;
    file.size = whole / 2;
    while (file.bytes[file.size - 1] != '\n')
        file.size--; /* ends after a whole record, without the end-of-file record */
    expect_refused("stm32f103c8", &file, IMAGE_FORMAT_HEX, 0, STATUS_IMAGE_TRUNCATED, "truncated Intel HEX");
    file.size = whole;
    char *colon = strchr((char *)file.bytes + 20, ':');
    colon[9] = colon[9] == '0' ? '1' : '0'; /* a data digit of the second record */
    expect_refused("stm32f103c8", &file, IMAGE_FORMAT_HEX, 0, STATUS_IMAGE_CHECKSUM, "Intel HEX with a bad checksum");

    static uint8_t data[64];
    struct test_elf elf = test_elf_arm();
    elf.headers[elf.header_count++] = (struct test_elf_header){.type = 1, .offset = 0x100, .vaddr = 0x08000000,
        .paddr = 0x08000000, .filesz = 64, .memsz = 64, .data = data};
    elf.headers[elf.header_count++] = (struct test_elf_header){.type = 1, .offset = 0x200, .vaddr = 0x08000020,
        .paddr = 0x08000020, .filesz = 64, .memsz = 64, .data = data};
    file.size = test_elf_build(&elf, file.bytes, sizeof file.bytes);
    expect_refused("stm32f411ce", &file, IMAGE_FORMAT_ELF, 0, STATUS_IMAGE_OVERLAP, "ELF with overlapping segments");
    elf.headers[1].paddr = elf.headers[1].vaddr = 0x08010000; /* past the 64 KB of an F103C8 */
    file.size = test_elf_build(&elf, file.bytes, sizeof file.bytes);
    expect_refused("stm32f103c8", &file, IMAGE_FORMAT_ELF, 0, STATUS_IMAGE_OUT_OF_RANGE,
                   "ELF for a larger part (0x08010000)");

    memset(file.bytes, 0x5A, 64 * 1024 + 2);
    file.size = 64 * 1024 + 2;
    expect_refused("stm32f103c8", &file, IMAGE_FORMAT_BIN, 0x08000000, STATUS_IMAGE_OUT_OF_RANGE,
                   "binary 2 bytes larger than the flash");

    /* L0: a segment that runs past the end of the 2 KB data EEPROM is refused whole (tests/sim/test_eeprom.c
     * programs the EEPROM). */
    elf.headers[1].paddr = elf.headers[1].vaddr = 0x080807F0;
    file.size = test_elf_build(&elf, file.bytes, sizeof file.bytes);
    expect_refused("stm32l053r8", &file, IMAGE_FORMAT_ELF, 0, STATUS_IMAGE_OUT_OF_RANGE,
                   "ELF past the data EEPROM's end (L0)");
}

/* --skip-unchanged: a second run of the same image touches nothing; a one-byte change reprograms its unit only. */
static void test_skip_unchanged_rewrites_only_what_differs(void **state)
{
    (void)state;
    static struct memory_file file;
    static struct random_image image;
    static struct job job;
    static const char *const skip_parts[] = {"stm32f103c8", "stm32f411ce", "stm32l476rg", "stm32g071rb"};
    for (unsigned p = 0; p < sizeof skip_parts / sizeof skip_parts[0]; p++) {
        struct sim_session session;
        assert_true(sim_session_create(&session, skip_parts[p], true));
        make_random_image(&image, 22, SHAPE_IN_ORDER); /* an ELF of several segments */
        write_file(&image, &file);
        assert_int_equal(run_job(&session, &file, image.format, image.segments[0].address, &job), STATUS_OK);
        uint64_t full_us = job.result.total_us;
        uint32_t units = job.plan.erase_units;

        const struct job_options options = {.format = image.format, .bin_base = image.segments[0].address,
                                            .verify = true, .reset_after = true, .skip_unchanged = true};
        init_job(&session, &file, &options, &job);
        assert_int_equal(job_run(&job), STATUS_OK);
        assert_int_equal(job.result.unchanged_units, units);
        assert_int_equal(job.result.program_bytes, 0);
        assert_int_equal(job.result.erase_units, 0);
        uint64_t same_us = job.result.total_us;

        image.segments[image.count - 1].data[0] ^= 0x5A; /* the last segment's first byte */
        write_file(&image, &file);
        init_job(&session, &file, &options, &job);
        assert_int_equal(job_run(&job), STATUS_OK);
        assert_true(job.result.erase_units >= 1 && job.result.erase_units <= 2);
        assert_int_equal(job.result.unchanged_units + job.result.erase_units, units);
        static uint8_t before[IMAGE_SPAN + 16384];
        memset(before, 0xFF, sizeof before);
        check_flash(session.stm32, &image, before, 22);
        print_message("%s: %u units; unchanged image %.1f ms instead of %.1f ms; one byte changed: %u unit(s) "
                      "rewritten in %.1f ms\n", skip_parts[p], (unsigned)units, same_us / 1e3, full_us / 1e3,
                      (unsigned)job.result.erase_units, job.result.total_us / 1e3);
        sim_session_destroy(&session);
    }
}

/* ---- pieces that do not come in address order ---- */

/* Flashes image on every part without verification, so that only the flash itself says whether every byte got
 * there: the old content is a pattern, the touched units must end up as the image plus erased bytes. */
static void flash_unverified_on_every_part(const struct random_image *image, const char *what)
{
    static struct memory_file file;
    static struct job job;
    static uint8_t before[IMAGE_SPAN + 16384];
    write_file(image, &file);
    for (unsigned p = 0; p < sizeof parts / sizeof parts[0]; p++) {
        struct sim_session session;
        assert_true(sim_session_create(&session, parts[p], true));
        uint8_t *flash = sim_flash_array(session.stm32->flash);
        for (size_t i = 0; i < sizeof before; i++)
            flash[i] = (uint8_t)(i * 13 + 5);
        memcpy(before, flash, sizeof before);
        const struct job_options options = {.format = image->format, .bin_base = image->segments[0].address};
        if (run_job_with(&session, &file, &options, &job) != STATUS_OK)
            fail_msg("%s, %s: %s", parts[p], what, sim_session_error(&session));
        check_flash(session.stm32, image, before, 0);
        sim_session_destroy(&session);
    }
    print_message("%s: programmed whole on every part without verify\n", what);
}

static void fill_segment(struct segment *segment, uint32_t address, uint32_t size, uint32_t seed)
{
    segment->address = address;
    segment->size = size;
    for (uint32_t i = 0; i < size; i++)
        segment->data[i] = (uint8_t)(i * 7 + seed + (i >> 8));
}

/* F1 XL density and H7: bank 2 (from 0x08080000, 0x08100000) has its own registers. One run across the bank
 * boundary and one at the end of the flash, in every format, programmed by the loader (a session per bank, given
 * that bank's registers) and by direct writes: the simulated controllers program and erase bank 2 only through its
 * own register set (KEYR2, SR2, CR2, AR2; the H7's 0x100 further on), so every byte landing and the erase units
 * around them left alone shows both register sets used. */
static void test_second_register_set_programs_across_two_banks(void **state)
{
    (void)state;
    static struct memory_file file;
    static struct random_image image;
    static struct job job;
    static const enum image_format formats[] = {IMAGE_FORMAT_HEX, IMAGE_FORMAT_ELF};
    static const struct {
        const char *part;
        uint32_t boundary, flash_end, unit;
    } parts2[] = {{"stm32f103zg", 0x08080000u, 0x08100000u, 2048}, {"stm32h743zi", 0x08100000u, 0x08200000u, 131072}};
    for (unsigned p = 0; p < sizeof parts2 / sizeof parts2[0]; p++) {
        const uint32_t boundary = parts2[p].boundary, flash_end = parts2[p].flash_end;
        for (unsigned f = 0; f < 2u * (sizeof formats / sizeof formats[0]); f++) {
            const enum job_program_method method = f % 2 ? JOB_PROGRAM_DIRECT : JOB_PROGRAM_LOADER;
            image.format = formats[f / 2];
            image.count = 2;
            fill_segment(&image.segments[0], boundary - 6u * 1024u - 2u, 13u * 1024u + 6u, 3 + f);
            fill_segment(&image.segments[1], flash_end - 3u * 1024u, 3u * 1024u, 11 + f);
            write_file(&image, &file);
            struct sim_session session;
            assert_true(sim_session_create(&session, parts2[p].part, true));
            uint8_t *flash = sim_flash_array(session.stm32->flash);
            for (uint32_t i = 0; i < sim_flash_size(session.stm32->flash); i++)
                flash[i] = (uint8_t)(i * 13 + 5);
            const struct job_options options = {
                .format = image.format, .verify = true, .reset_after = true, .method = method};
            if (run_job_with(&session, &file, &options, &job) != STATUS_OK)
                fail_msg("%s (%s): %s", parts2[p].part, image_format_name(image.format), sim_session_error(&session));
            assert_int_equal(job.loader.used, method == JOB_PROGRAM_LOADER);
            for (uint32_t address = boundary - 16u * 1024u; address < boundary + 16u * 1024u; address++) {
                uint32_t offset = address - 0x08000000u;
                int want = expected_byte(&image, address);
                if (want < 0)
                    want = unit_touched(&image, address & ~(parts2[p].unit - 1), parts2[p].unit)
                               ? 0xFF
                               : (uint8_t)(offset * 13 + 5);
                if (flash[offset] != want)
                    fail_msg("%s (%s): 0x%08x holds 0x%02x, expected 0x%02x", parts2[p].part,
                             image_format_name(image.format), (unsigned)address, flash[offset], want);
            }
            assert_memory_equal(flash + (flash_end - 3u * 1024u - 0x08000000u), image.segments[1].data, 3u * 1024u);
            sim_session_destroy(&session);
        }
    }
}

/* --skip-unchanged in the middle of one contiguous image: a changed unit followed by unchanged ones, and another
 * changed unit further on. The program pass skips the unchanged units, so its output jumps forward; without verify
 * only the flash says whether the changed units were programmed whole. */
static void test_skip_unchanged_with_gaps_in_one_block_on_every_part(void **state)
{
    (void)state;
    static struct memory_file file;
    static struct random_image image;
    static struct job job;
    static uint8_t before[IMAGE_SPAN + 16384];
    image.format = IMAGE_FORMAT_BIN;
    image.count = 1;
    fill_segment(&image.segments[0], 0x08000000u, 12u * 1024u, 9);
    for (unsigned p = 0; p < sizeof parts / sizeof parts[0]; p++) {
        struct sim_session session;
        assert_true(sim_session_create(&session, parts[p], true));
        write_file(&image, &file);
        struct job_options options = {.format = IMAGE_FORMAT_BIN, .bin_base = 0x08000000u};
        assert_int_equal(run_job_with(&session, &file, &options, &job), STATUS_OK);
        uint32_t units = job.plan.erase_units;

        image.segments[0].data[10] ^= 0xA5;            /* page 0 */
        image.segments[0].data[5 * 2048 + 10] ^= 0xA5; /* page 5 of a 2 KB-page part */
        write_file(&image, &file);
        options.skip_unchanged = true;
        if (run_job_with(&session, &file, &options, &job) != STATUS_OK)
            fail_msg("%s: %s", parts[p], sim_session_error(&session));
        memset(before, sim_flash_erased_value(session.stm32->flash), sizeof before);
        check_flash(session.stm32, &image, before, 0);
        /* Two units changed at most (F4: one 16 KB sector holds it all); every other one is skipped, also on the
         * parts with more than a thousand pages (L072CZ: 1536). */
        assert_true(job.result.unchanged_units < units && units - job.result.unchanged_units <= 2);
        print_message("%s: %u of %u units changed, rewritten whole without verify\n", parts[p],
                      (unsigned)(units - job.result.unchanged_units), (unsigned)units);
        image.segments[0].data[10] ^= 0xA5;
        image.segments[0].data[5 * 2048 + 10] ^= 0xA5;
        sim_session_destroy(&session);
    }
}

/* Two touching halves, the higher one first in the file (a bootloader and an application merged by hand), and an
 * ELF whose program headers list the higher segment first with both segments sharing one program unit: the
 * writer hands the lower addresses out after the higher ones. */
static void test_pieces_in_reverse_address_order_are_all_programmed(void **state)
{
    (void)state;
    static struct random_image image;
    image.format = IMAGE_FORMAT_HEX;
    image.count = 2;
    fill_segment(&image.segments[0], 0x08000000u + 16384u, 16384u, 1);
    fill_segment(&image.segments[1], 0x08000000u, 16384u, 2);
    flash_unverified_on_every_part(&image, "Intel HEX, touching halves, high half first");

    image.format = IMAGE_FORMAT_ELF;
    fill_segment(&image.segments[0], 0x08000000u + 2003u, 2500, 3); /* starts inside the low segment's last unit */
    fill_segment(&image.segments[1], 0x08000000u, 2001, 4);
    flash_unverified_on_every_part(&image, "ELF, high segment first, one program unit shared");
}

/* A loader that stops before the end of what it was given must fail the job, also without verify. The loader
 * drains its ring when asked to stop, so a stop is forged here: while the loader is well behind the host, the
 * ring's header is rewritten (as wp = 0 with last a few units past rp) so that the loader stops short. */
struct forged_stop {
    struct sim_session *session;
    struct job *job;
    bool done;
};

static uint32_t sram_word(struct sim_session *session, uint32_t address)
{
    const uint8_t *p = sim_memory_data(session->stm32->sram) + (address - SIM_STM32_SRAM_BASE);
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void set_sram_word(struct sim_session *session, uint32_t address, uint32_t value)
{
    uint8_t *p = sim_memory_data(session->stm32->sram) + (address - SIM_STM32_SRAM_BASE);
    for (unsigned i = 0; i < 4; i++)
        p[i] = (uint8_t)(value >> (8 * i));
}

static void forge_stop_halfway(void *ctx, const struct job_progress *progress)
{
    struct forged_stop *forged = ctx;
    if (forged->done || progress->phase != JOB_PHASE_PROGRAM || progress->total == 0 ||
        progress->done * 2 < progress->total)
        return;
    uint32_t ring = forged->job->loader.ring;
    uint32_t rp = sram_word(forged->session, ring + STM32_STUB_LOADER_RING_RP);
    set_sram_word(forged->session, ring + STM32_STUB_LOADER_RING_LAST, rp + 4 * 8);
    set_sram_word(forged->session, ring + STM32_STUB_LOADER_RING_WP, 0);
    forged->done = true;
}

/* A raw binary of size random bytes at the start of flash. */
static void write_binary_at_flash_start(struct random_image *image, struct memory_file *file, uint32_t size,
                                        uint32_t seed)
{
    image->format = IMAGE_FORMAT_BIN;
    image->count = 1;
    fill_segment(&image->segments[0], 0x08000000u, size, seed);
    write_file(image, file);
}

static void test_a_loader_that_stops_short_fails_the_job(void **state)
{
    (void)state;
    static struct memory_file file;
    static struct random_image image;
    static struct job job;
    write_binary_at_flash_start(&image, &file, 6u * 1024u, 5);
    static const char *const loader_parts[] = {"stm32l476rg", "stm32g071rb"};
    for (unsigned p = 0; p < sizeof loader_parts / sizeof loader_parts[0]; p++) {
        struct sim_session session;
        assert_true(sim_session_create(&session, loader_parts[p], true));
        struct forged_stop forged = {.session = &session, .job = &job};
        const struct job_options options = {.format = IMAGE_FORMAT_BIN, .bin_base = 0x08000000u};
        init_job(&session, &file, &options, &job);
        job_on_progress(&job, forge_stop_halfway, &forged);
        enum status status = job_run(&job);
        print_message("%s, loader stopped short: %s\n", loader_parts[p], sim_session_error(&session));
        assert_true(forged.done);
        assert_int_equal(status, STATUS_CORE_FAULT);
        assert_int_equal(job.result.failed_phase, JOB_PHASE_PROGRAM);
        assert_non_null(strstr(sim_session_error(&session), "the flash loader stopped at"));
        sim_session_destroy(&session);
    }
}

/* What the clock did while a job ran: the highest SYSCLK seen at a progress report of the program pass. */
struct clock_watch {
    struct sim_session *session;
    uint32_t program_hz;
};

static void watch_program_clock(void *ctx, const struct job_progress *progress)
{
    struct clock_watch *watch = ctx;
    uint32_t hz = sim_rcc_sysclk_hz(watch->session->stm32->rcc);
    if (progress->phase == JOB_PHASE_PROGRAM && hz > watch->program_hz)
        watch->program_hz = hz;
}

/* The parts whose reset clock is slow get a faster one for the loader and the CRC (L4: MSI 48 MHz, G0/G4: the PLL
 * at 64 MHz from HSI16, F7: the PLL at 48 MHz from the HSI, L0: HSI16 instead of MSI 2.1 MHz, L1: the HSI instead of
 * MSI 2.1 MHz), and the job leaves RCC as it found it even when it does not reset the part afterwards. */
static void test_the_clock_boost_is_used_and_undone(void **state)
{
    (void)state;
    static struct memory_file file;
    static struct random_image image;
    static struct job job;
    write_binary_at_flash_start(&image, &file, 32u * 1024u, 9);
    static const struct {
        const char *part;
        uint32_t boosted_hz;
    } boosted[] = {{"stm32l476rg", 48000000u}, {"stm32g071rb", 64000000u}, {"stm32g431rb", 64000000u},
                   {"stm32g474re", 64000000u}, {"stm32f746zg", 48000000u}, {"stm32l053r8", 16000000u},
                   {"stm32l152re", 16000000u}};
    static const uint32_t rcc_registers[] = {0x00 /* CR */, 0x04 /* F4/F7 PLLCFGR */, 0x08 /* CFGR */,
                                             0x0C /* L4/G0/G4 PLLCFGR */};
    for (unsigned p = 0; p < sizeof boosted / sizeof boosted[0]; p++) {
        struct sim_session session;
        assert_true(sim_session_create(&session, boosted[p].part, true));
        struct sim_rcc *rcc = session.stm32->rcc;
        enum { WATCHED = sizeof rcc_registers / sizeof rcc_registers[0] };
        uint32_t reset_hz = sim_rcc_sysclk_hz(rcc), before[WATCHED];
        for (unsigned r = 0; r < WATCHED; r++)
            before[r] = sim_rcc_register(rcc, rcc_registers[r]);
        struct clock_watch watch = {.session = &session};
        const struct job_options options = {.format = IMAGE_FORMAT_BIN, .bin_base = 0x08000000u, .verify = true};
        init_job(&session, &file, &options, &job);
        job_on_progress(&job, watch_program_clock, &watch);
        assert_int_equal(job_run(&job), STATUS_OK);
        print_message("%s: program pass at %.0f MHz (reset clock %.0f MHz)\n", boosted[p].part,
                      watch.program_hz / 1e6, reset_hz / 1e6);
        assert_int_equal(watch.program_hz, boosted[p].boosted_hz);
        assert_int_equal(sim_rcc_sysclk_hz(rcc), reset_hz);
        for (unsigned r = 0; r < WATCHED; r++)
            assert_int_equal(sim_rcc_register(rcc, rcc_registers[r]), before[r]);
        sim_session_destroy(&session);
    }
}

/* ---- faults on the wire, and a reset in the middle ---- */

static void pulse_reset_halfway(void *ctx, const struct job_progress *progress)
{
    struct sim_session *session = ctx;
    if (progress->phase == JOB_PHASE_PROGRAM && progress->total > 0 && progress->done * 2 >= progress->total &&
        progress->done * 2 < progress->total + 2048) {
        sim_target_set_nrst(session->stm32->target, true);
        sim_target_set_nrst(session->stm32->target, false);
    }
}

static void test_faults_never_end_in_a_false_success(void **state)
{
    (void)state;
    static struct memory_file file;
    static struct random_image image;
    static struct job job;
    static const char *const fault_parts[] = {"stm32f103c8", "stm32f411ce", "stm32l476rg", "stm32g071rb",
                                              "stm32l152re"};
    unsigned successes = 0, failures = 0;
    for (unsigned p = 0; p < sizeof fault_parts / sizeof fault_parts[0]; p++) {
        for (uint32_t seed = 0; seed < 6; seed++) {
            struct sim_session session;
            assert_true(sim_session_create(&session, fault_parts[p], true));
            make_random_image(&image, 100 + seed, SHAPE_IN_ORDER);
            write_file(&image, &file);
            static uint8_t before[IMAGE_SPAN + 16384];
            memset(before, sim_flash_erased_value(session.stm32->flash), sizeof before);
            struct sim_fault_config faults = {.seed = seed + 1, .bit_error_rate = seed % 3 == 0 ? 1e-4 : 0,
                                              .wait_storm_rate = seed % 3 == 1 ? 0.05 : 0, .wait_storm_max = 40};
            sim_target_set_faults(session.stm32->target, &faults);
            const struct job_options options = {.format = image.format, .bin_base = image.segments[0].address,
                                                .verify = true, .reset_after = true};
            init_job(&session, &file, &options, &job);
            if (seed % 3 == 2)
                job_on_progress(&job, pulse_reset_halfway, &session);
            enum status status = job_run(&job);
            if (status == STATUS_OK) {
                successes++;
                check_flash(session.stm32, &image, before, seed); /* a success is never a lie */
            } else {
                failures++;
                print_message("%s seed %u with faults: %s in %s: %s\n", fault_parts[p], (unsigned)seed,
                              status_name(status), job_phase_name(job.result.failed_phase),
                              sim_session_error(&session));
            }
            struct sim_fault_config none = {0};
            sim_target_set_faults(session.stm32->target, &none);
            if (run_job(&session, &file, image.format, image.segments[0].address, &job) != STATUS_OK)
                fail_msg("%s seed %u: the re-run after the fault failed: %s", fault_parts[p], (unsigned)seed,
                         sim_session_error(&session));
            check_flash(session.stm32, &image, before, seed);
            sim_session_destroy(&session);
        }
    }
    print_message("with faults: %u jobs succeeded (content checked), %u failed and were re-run successfully\n",
                  successes, failures);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_random_images_on_every_part),
        cmocka_unit_test(test_second_register_set_programs_across_two_banks),
        cmocka_unit_test(test_every_format_programs_as_fast_as_a_binary),
        cmocka_unit_test(test_example_firmware_runs_after_the_job),
        cmocka_unit_test(test_verify_detects_one_changed_byte),
        cmocka_unit_test(test_verify_compares_the_image_bytes_only),
        cmocka_unit_test(test_read_erase_and_reset_actions),
        cmocka_unit_test(test_malformed_images_fail_before_anything_is_erased),
        cmocka_unit_test(test_skip_unchanged_rewrites_only_what_differs),
        cmocka_unit_test(test_pieces_in_reverse_address_order_are_all_programmed),
        cmocka_unit_test(test_skip_unchanged_with_gaps_in_one_block_on_every_part),
        cmocka_unit_test(test_a_loader_that_stops_short_fails_the_job),
        cmocka_unit_test(test_the_clock_boost_is_used_and_undone),
        cmocka_unit_test(test_faults_never_end_in_a_false_success),
        cmocka_unit_test(test_a_bank_option_the_table_does_not_describe_is_refused_before_any_erase),
        cmocka_unit_test(test_g47x_below_512_kb_is_refused_at_connect),
        cmocka_unit_test(test_l1_cat2_flash_size_is_the_registers_low_byte),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
