/*
 * test_eeprom.c - the L0/L1 data EEPROM programmed from an image like flash, judged by the simulated EEPROM itself:
 *   - a HEX and an ELF with a flash segment and data EEPROM segments (byte-unaligned at both ends, one in the
 *     EEPROM's last bytes) on the STM32L053R8 (2 KB), STM32L072CZ (6 KB) and STM32L152RE (16 KB): the bytes land,
 *     the EEPROM's other bytes keep what they held, verify passes, and a second run writes no EEPROM word; a
 *     verify job finds one changed EEPROM byte;
 *   - an EEPROM segment on a part without data EEPROM is refused before anything is erased, naming the range;
 *   - a dropped wire, bit errors or a reset in the EEPROM pass never end in a false success;
 *   - without verify, an error flag the controller raises during the EEPROM pass still fails the job.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "../unit/image_test_files.h"
#include "job/job.h"
#include "memory_job_file.h"
#include "sim_session.h"

#define EEPROM_BASE 0x08080000u
#define FLASH_BASE 0x08000000u
#define MAX_SEGMENTS 4
#define MAX_SEGMENT_BYTES 2048u
#define EEPROM_OLD 0x5Au /* what the EEPROM holds before a job: never a byte of the images below */

static const char *const eeprom_parts[] = {"stm32l053r8", "stm32l072cz", "stm32l152re"};

struct segment {
    uint32_t address, size;
    uint8_t data[MAX_SEGMENT_BYTES];
};

struct image {
    enum image_format format;
    unsigned count;
    struct segment segments[MAX_SEGMENTS];
    uint8_t file[64 * 1024];
    uint32_t file_size;
};

static long image_read(void *ctx, uint32_t offset, uint8_t *buf, uint32_t len)
{
    struct image *image = ctx;
    struct memory_job_file view = {.bytes = image->file, .size = image->file_size};
    return memory_job_file_read(&view, offset, buf, len);
}

/* Adds a segment of size bytes at address; its bytes have bit 7 set, so none equals EEPROM_OLD. */
static void add_segment(struct image *image, uint32_t address, uint32_t size, unsigned seed)
{
    struct segment *segment = &image->segments[image->count++];
    segment->address = address;
    segment->size = size;
    for (uint32_t i = 0; i < size; i++)
        segment->data[i] = (uint8_t)(0x80u | (i * 7u + seed * 13u));
}

/* The image as Intel HEX (16-byte records, so EEPROM words straddle records) or as an ELF of one PT_LOAD each. */
static void build_file(struct image *image, enum image_format format)
{
    image->format = format;
    if (format == IMAGE_FORMAT_HEX) {
        char *text = (char *)image->file;
        size_t len = 0;
        for (unsigned i = 0; i < image->count; i++)
            len = hex_append_data(text, len, image->segments[i].address, image->segments[i].data,
                                  image->segments[i].size);
        image->file_size = (uint32_t)hex_append_record(text, len, 0x01, 0, NULL, 0, "\n");
        return;
    }
    struct test_elf elf = test_elf_arm();
    uint32_t offset = 0x100;
    for (unsigned i = 0; i < image->count; i++) {
        const struct segment *segment = &image->segments[i];
        elf.headers[elf.header_count++] = (struct test_elf_header){
            .type = 1, .offset = offset, .vaddr = segment->address, .paddr = segment->address,
            .filesz = segment->size, .memsz = segment->size, .data = segment->data};
        offset += segment->size;
    }
    image->file_size = (uint32_t)test_elf_build(&elf, image->file, sizeof image->file);
}

static uint32_t eeprom_bytes(const struct image *image)
{
    uint32_t total = 0;
    for (unsigned i = 0; i < image->count; i++)
        total += image->segments[i].address >= EEPROM_BASE ? image->segments[i].size : 0;
    return total;
}

/* The image's byte at address, or -1. */
static int image_byte(const struct image *image, uint32_t address)
{
    for (unsigned i = 0; i < image->count; i++) {
        const struct segment *segment = &image->segments[i];
        if (address >= segment->address && address - segment->address < segment->size)
            return segment->data[address - segment->address];
    }
    return -1;
}

/* Every EEPROM byte holds the image's byte, or EEPROM_OLD where the image has none; the flash holds its segment. */
static void check_memory(struct sim_session *session, const struct image *image, const char *what)
{
    const uint8_t *eeprom = sim_flash_eeprom(session->stm32->flash);
    for (uint32_t offset = 0; offset < sim_flash_eeprom_size(session->stm32->flash); offset++) {
        int want = image_byte(image, EEPROM_BASE + offset);
        if (eeprom[offset] != (want >= 0 ? want : (int)EEPROM_OLD))
            fail_msg("%s: data EEPROM at 0x%08x holds 0x%02x, expected 0x%02x", what,
                     (unsigned)(EEPROM_BASE + offset), eeprom[offset], want >= 0 ? want : (int)EEPROM_OLD);
    }
    for (unsigned i = 0; i < image->count; i++) {
        if (image->segments[i].address < EEPROM_BASE)
            assert_memory_equal(sim_flash_array(session->stm32->flash) + (image->segments[i].address - FLASH_BASE),
                                image->segments[i].data, image->segments[i].size);
    }
}

static enum status run_action(struct sim_session *session, struct image *image, enum job_action action, bool verify,
                              struct job *job, void (*progress)(void *ctx, const struct job_progress *progress))
{
    const struct job_link link = {.swd = &session->port.swd, .system = &session->port.system,
                                  .pins = &session->port.pins};
    const struct job_file file = {.ctx = image, .read = image_read};
    const struct job_options options = {.action = action, .format = image->format, .verify = verify,
                                        .reset_after = action == JOB_ACTION_FLASH, .quote_memory = true};
    job_init(job, &link, &file, &options, &session->report);
    if (progress != NULL)
        job_on_progress(job, progress, session);
    return job_run(job);
}

static enum status run(struct sim_session *session, struct image *image, bool verify, struct job *job,
                       void (*progress)(void *ctx, const struct job_progress *progress))
{
    return run_action(session, image, JOB_ACTION_FLASH, verify, job, progress);
}

static void new_session(struct sim_session *session, const char *part)
{
    assert_true(sim_session_create(session, part, true));
    memset(sim_flash_eeprom(session->stm32->flash), EEPROM_OLD, sim_flash_eeprom_size(session->stm32->flash));
}

/* A flash segment, five bytes inside the EEPROM's first two words (unaligned at both ends), and 301 bytes that
 * start mid-word and end at the EEPROM's last byte (bank 2 on the L072 and the L152RE). */
static void make_image(struct image *image, uint32_t eeprom_size)
{
    image->count = 0;
    add_segment(image, FLASH_BASE, 256, 1);
    add_segment(image, EEPROM_BASE + 2, 5, 2);
    add_segment(image, EEPROM_BASE + eeprom_size - 301, 301, 3);
}

static void test_flash_and_eeprom_segments_on_every_eeprom_part(void **state)
{
    (void)state;
    static struct image image;
    static struct job job;
    for (unsigned p = 0; p < sizeof eeprom_parts / sizeof eeprom_parts[0]; p++) {
        for (enum image_format format = IMAGE_FORMAT_HEX; format <= IMAGE_FORMAT_ELF; format++) {
            struct sim_session session;
            new_session(&session, eeprom_parts[p]);
            make_image(&image, sim_flash_eeprom_size(session.stm32->flash));
            build_file(&image, format);
            char what[64];
            snprintf(what, sizeof what, "%s (%s)", eeprom_parts[p], image_format_name(format));
            if (run(&session, &image, true, &job, NULL) != STATUS_OK)
                fail_msg("%s: %s", what, sim_session_error(&session));
            check_memory(&session, &image, what);
            assert_int_equal(job.result.eeprom_written, eeprom_bytes(&image));
            assert_int_equal(job.result.eeprom_unchanged, 0);
            assert_int_equal(job.result.verified_bytes, 256 + eeprom_bytes(&image));
            uint64_t first_us = job.result.phase_us[JOB_PHASE_PROGRAM];

            /* Again: every EEPROM word already holds its bytes, none is written. */
            if (run(&session, &image, true, &job, NULL) != STATUS_OK)
                fail_msg("%s, second run: %s", what, sim_session_error(&session));
            check_memory(&session, &image, what);
            assert_int_equal(job.result.eeprom_written, 0);
            assert_int_equal(job.result.eeprom_unchanged, eeprom_bytes(&image));
            uint64_t second_us = job.result.phase_us[JOB_PHASE_PROGRAM];
            /* 78 or 79 EEPROM words of 3.2-3.3 ms each are no longer written. */
            assert_true(first_us > second_us + 75u * 3200u);
            print_message("%s: program phase %.1f ms, again %.1f ms (%lu EEPROM bytes unchanged)\n", what,
                          first_us / 1e3, second_us / 1e3, (unsigned long)job.result.eeprom_unchanged);
            sim_session_destroy(&session);
        }
    }
}

/* One byte alone, and HEX records of 16 bytes from an odd address: every word is read, merged and written once;
 * the bytes around them keep what they held. */
static void test_byte_unaligned_eeprom_segments(void **state)
{
    (void)state;
    static struct image image;
    static struct job job;
    struct sim_session session;
    new_session(&session, "stm32l053r8");
    image.count = 0;
    add_segment(&image, EEPROM_BASE + 0x101, 1, 4);
    add_segment(&image, EEPROM_BASE + 0x203, 45, 5);
    build_file(&image, IMAGE_FORMAT_HEX);
    if (run(&session, &image, true, &job, NULL) != STATUS_OK)
        fail_msg("%s", sim_session_error(&session));
    check_memory(&session, &image, "unaligned");
    assert_int_equal(job.result.eeprom_written, 46);
    assert_int_equal(job.result.program_bytes, 0); /* an image of EEPROM bytes alone erases and programs no flash */
    assert_int_equal(job.result.erase_units, 0);
    /* 1 + 12 words (0x200..0x233), each written once: 13 operations. */
    uint64_t program_us = job.result.phase_us[JOB_PHASE_PROGRAM];
    print_message("1 + 45 unaligned bytes: program phase %.1f ms\n", program_us / 1e3);
    assert_true(program_us >= 13u * 3200u && program_us < 14u * 3200u + 20000u);
    sim_session_destroy(&session);
}

/* `airswd verify` compares the EEPROM too: one byte changed there is found and named. */
static void test_verify_finds_a_changed_eeprom_byte(void **state)
{
    (void)state;
    static struct image image;
    static struct job job;
    struct sim_session session;
    new_session(&session, "stm32l072cz");
    make_image(&image, sim_flash_eeprom_size(session.stm32->flash));
    build_file(&image, IMAGE_FORMAT_HEX);
    assert_int_equal(run(&session, &image, false, &job, NULL), STATUS_OK);
    assert_int_equal(run_action(&session, &image, JOB_ACTION_VERIFY, false, &job, NULL), STATUS_OK);
    uint32_t offset = image.segments[2].address + 100 - EEPROM_BASE;
    sim_flash_eeprom(session.stm32->flash)[offset] ^= 0x01;
    assert_int_equal(run_action(&session, &image, JOB_ACTION_VERIFY, false, &job, NULL), STATUS_FLASH_DIFFERS);
    print_message("%s\n", sim_session_error(&session));
    char expected[48];
    snprintf(expected, sizeof expected, "data EEPROM at 0x%08X holds", (unsigned)(EEPROM_BASE + offset));
    assert_non_null(strstr(sim_session_error(&session), expected));
    sim_session_destroy(&session);
}

/* The F103 has no data EEPROM: 0x08080000 is outside its flash, and the job stops in its check phase, naming the
 * range. */
static void test_eeprom_segment_on_a_part_without_one_is_refused_before_any_erase(void **state)
{
    (void)state;
    static struct image image;
    static struct job job;
    static uint8_t before[64 * 1024];
    for (enum image_format format = IMAGE_FORMAT_HEX; format <= IMAGE_FORMAT_ELF; format++) {
        struct sim_session session;
        assert_true(sim_session_create(&session, "stm32f103c8", true));
        uint8_t *flash = sim_flash_array(session.stm32->flash);
        for (uint32_t i = 0; i < sizeof before; i++)
            flash[i] = (uint8_t)(i * 7u);
        memcpy(before, flash, sizeof before);
        image.count = 0;
        add_segment(&image, FLASH_BASE, 256, 1);
        add_segment(&image, EEPROM_BASE, 256, 2);
        build_file(&image, format);
        assert_int_equal(run(&session, &image, true, &job, NULL), STATUS_IMAGE_OUT_OF_RANGE);
        print_message("%s\n", sim_session_error(&session));
        /* The plan names the piece it was given: the ELF's whole segment, the HEX file's first record there. */
        const char *range = format == IMAGE_FORMAT_ELF ? "0x08080000..0x080800FF" : "0x08080000..0x0808000F";
        assert_non_null(strstr(sim_session_error(&session), range));
        assert_non_null(strstr(sim_session_error(&session), "outside flash 0x08000000..0x0800FFFF"));
        assert_true(job.result.failed_phase <= JOB_PHASE_CHECK);
        assert_false(job.result.erased);
        assert_memory_equal(flash, before, sizeof before);
        sim_session_destroy(&session);
    }
}

/* ---- faults in the EEPROM pass ---- */

enum eeprom_fault { FAULT_WIRE_DROPPED, FAULT_BIT_ERRORS, FAULT_RESET, FAULT_COUNT };
static const char *const fault_names[FAULT_COUNT] = {"wire dropped", "bit errors", "reset"};
static enum eeprom_fault fault;
static bool fault_done;

/* At the first progress report of the EEPROM pass (done past the flash's bytes), the fault begins. */
static void fault_in_eeprom_pass(void *ctx, const struct job_progress *progress)
{
    struct sim_session *session = ctx;
    if (fault_done || progress->phase != JOB_PHASE_PROGRAM || progress->done <= 256)
        return;
    fault_done = true;
    struct sim_fault_config noise = {.seed = 7, .bit_error_rate = 1e-4};
    switch (fault) {
    case FAULT_WIRE_DROPPED: sim_target_set_debug_port_enabled(session->stm32->target, false); break;
    case FAULT_BIT_ERRORS: sim_target_set_faults(session->stm32->target, &noise); break;
    default:
        sim_target_set_nrst(session->stm32->target, true);
        sim_target_set_nrst(session->stm32->target, false);
        break;
    }
}

static void test_faults_in_the_eeprom_pass_never_end_in_a_false_success(void **state)
{
    (void)state;
    static struct image image;
    static struct job job;
    for (fault = FAULT_WIRE_DROPPED; fault < FAULT_COUNT; fault++) {
        struct sim_session session;
        new_session(&session, "stm32l152re");
        image.count = 0;
        add_segment(&image, FLASH_BASE, 256, 1);
        add_segment(&image, EEPROM_BASE + 0x1001, 1500, 6); /* four runs of the EEPROM pass */
        build_file(&image, IMAGE_FORMAT_ELF);
        fault_done = false;
        enum status status = run(&session, &image, true, &job, fault_in_eeprom_pass);
        assert_true(fault_done);
        print_message("%s in the EEPROM pass: %s (%s%s%s), %lu of %lu EEPROM bytes written\n", fault_names[fault],
                      status_name(status), job_phase_name(job.result.failed_phase), status ? ": " : "",
                      status ? sim_session_error(&session) : "", (unsigned long)job.result.eeprom_written,
                      (unsigned long)eeprom_bytes(&image));
        if (fault == FAULT_WIRE_DROPPED) {
            assert_int_not_equal(status, STATUS_OK);
            assert_int_equal(job.result.failed_phase, JOB_PHASE_PROGRAM);
            assert_true(job.result.eeprom_written < eeprom_bytes(&image));
        }
        if (status == STATUS_OK)
            check_memory(&session, &image, fault_names[fault]); /* a success is never a lie */
        sim_target_set_debug_port_enabled(session.stm32->target, true);
        struct sim_fault_config none = {0};
        sim_target_set_faults(session.stm32->target, &none);
        if (run(&session, &image, true, &job, NULL) != STATUS_OK)
            fail_msg("%s: the re-run failed: %s", fault_names[fault], sim_session_error(&session));
        check_memory(&session, &image, fault_names[fault]);
        sim_session_destroy(&session);
    }
}

/* Without verify nothing reads the EEPROM back: the job must still see the controller refuse a word. */
static void test_without_verify_the_eeprom_error_flags_still_fail_the_job(void **state)
{
    (void)state;
    static struct image image;
    static struct job job;
    for (unsigned p = 0; p < sizeof eeprom_parts / sizeof eeprom_parts[0]; p++) {
        struct sim_session session;
        new_session(&session, eeprom_parts[p]);
        make_image(&image, sim_flash_eeprom_size(session.stm32->flash));
        build_file(&image, IMAGE_FORMAT_ELF);
        sim_flash_refuse_eeprom_stores(session.stm32->flash, 1);
        assert_int_equal(run(&session, &image, false, &job, NULL), STATUS_FLASH_PROTECTED);
        print_message("%s: %s\n", eeprom_parts[p], sim_session_error(&session));
        assert_non_null(strstr(sim_session_error(&session), "writing data EEPROM 0x08080000..0x08080007: WRPERR"));
        assert_int_equal(job.result.failed_phase, JOB_PHASE_PROGRAM);
        assert_int_equal(job.result.verified_bytes, 0);
        sim_session_destroy(&session);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_flash_and_eeprom_segments_on_every_eeprom_part),
        cmocka_unit_test(test_byte_unaligned_eeprom_segments),
        cmocka_unit_test(test_verify_finds_a_changed_eeprom_byte),
        cmocka_unit_test(test_eeprom_segment_on_a_part_without_one_is_refused_before_any_erase),
        cmocka_unit_test(test_faults_in_the_eeprom_pass_never_end_in_a_false_success),
        cmocka_unit_test(test_without_verify_the_eeprom_error_flags_still_fail_the_job),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
