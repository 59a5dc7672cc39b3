/*
 * test_store.c - the staging store (src/service/store): uploads, roles, resume, refusals, journal rotation, where
 * images go in the ring of data sectors (wrap-around, the free space in one piece, no_rollback), and power cut at
 * every program and erase of an upload, a commit and a rollback.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "crc32.h"
#include "service/store.h"
#include "store_power_cut.h"
#include "status_assert.h"

#define SECTOR             4096u
#define DATA_SECTORS       24u /* 96 KB of images */
#define SECTORS            (AIRSWD_STORE_JOURNAL_SECTORS + DATA_SECTORS)
#define CAPACITY           (DATA_SECTORS * SECTOR)
#define RECORDS_PER_SECTOR (SECTOR / STORE_RECORD_SIZE)

/* ---------------------------------------------------------------------------------------------------------------
 * The bench: NOR flash that can lose power, a system whose yield can cancel, a store.
 */
struct bench {
    uint8_t bytes[SECTORS * SECTOR];
    struct power_cut_storage flash;
    struct hal_system system;
    uint32_t random_state;
    unsigned yields;
    unsigned cancel_at_yield; /* the yield (1-based) that asks to cancel; 0: never */
    struct status_report report;
    struct store store;
};

static uint64_t bench_now_us(void *ctx)
{
    (void)ctx;
    return 0;
}

static void bench_delay_us(void *ctx, uint32_t us)
{
    (void)ctx;
    (void)us;
}

static bool bench_yield(void *ctx)
{
    struct bench *bench = ctx;
    bench->yields++;
    return bench->cancel_at_yield != 0 && bench->yields == bench->cancel_at_yield;
}

static uint32_t random_next(uint32_t *state)
{
    uint32_t x = *state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    *state = x;
    return x;
}

static void bench_random(void *ctx, void *buf, size_t len)
{
    struct bench *bench = ctx;
    uint8_t *bytes = buf;
    for (size_t i = 0; i < len; i++)
        bytes[i] = (uint8_t)random_next(&bench->random_state);
}

/* A bench whose storage has data_sectors sectors after the journal (at most DATA_SECTORS). */
static struct bench *bench_new_sized(uint32_t seed, uint32_t data_sectors)
{
    struct bench *bench = calloc(1, sizeof *bench);
    assert_non_null(bench);
    assert_true(data_sectors <= DATA_SECTORS);
    power_cut_storage_init(&bench->flash, bench->bytes, SECTOR, AIRSWD_STORE_JOURNAL_SECTORS + data_sectors, seed);
    bench->random_state = seed * 2654435761u + 1;
    bench->system = (struct hal_system){
        .ctx = bench,
        .now_us = bench_now_us,
        .delay_us = bench_delay_us,
        .yield = bench_yield,
        .random = bench_random,
    };
    return bench;
}

static struct bench *bench_new(uint32_t seed)
{
    return bench_new_sized(seed, DATA_SECTORS);
}

static void bench_free(struct bench *bench)
{
    /* Whatever a test did, the store never programmed flash it had not erased. */
    assert_int_equal(bench->flash.nor_violations, 0);
    free(bench);
}

#define assert_ok(bench, call) assert_status_ok(&(bench)->report, call)

#define assert_status(expected, call) assert_int_equal((call), (expected))

static enum status bench_mount(struct bench *bench)
{
    status_clear(&bench->report);
    return store_mount(&bench->store, &bench->flash.hal, &bench->system, &bench->report);
}

static void make_image(uint8_t *data, size_t len, uint32_t seed)
{
    uint32_t state = seed | 1;
    for (size_t i = 0; i < len; i++)
        data[i] = (uint8_t)random_next(&state);
    /* Runs of 0xFF and 0x00, which look like erased and programmed flash. */
    for (size_t i = len / 3; i < len / 3 + len / 10 && i < len; i++)
        data[i] = 0xFF;
    for (size_t i = len / 2; i < len / 2 + len / 20 && i < len; i++)
        data[i] = 0x00;
}

static struct store_image_info image_info(const char *name, uint32_t size)
{
    struct store_image_info info;
    memset(&info, 0, sizeof info);
    info.format = STORE_IMAGE_FORMAT_BIN;
    info.bin_base = 0x08000000u;
    info.size = size;
    snprintf(info.name, sizeof info.name, "%s", name);
    return info;
}

/* Streams data[from, to) in random chunk sizes of 1 to max_chunk bytes. */
static enum status write_chunks(struct store *store, const uint8_t *data, size_t from, size_t to, uint32_t *chunk_state,
                                size_t max_chunk)
{
    while (from < to) {
        size_t chunk = 1 + random_next(chunk_state) % max_chunk;
        if (chunk > to - from)
            chunk = to - from;
        enum status status = store_upload_write(store, data + from, chunk);
        if (status != STATUS_OK)
            return status;
        from += chunk;
    }
    return STATUS_OK;
}

static unsigned upload_with(struct bench *bench, const char *name, const uint8_t *data, size_t len, uint32_t chunk_seed,
                            enum store_room_policy policy)
{
    struct store_image_info info = image_info(name, (uint32_t)len);
    uint32_t id = 0;
    assert_ok(bench, store_upload_begin(&bench->store, &info, policy, &id));
    uint32_t chunk_state = chunk_seed | 1;
    assert_ok(bench, write_chunks(&bench->store, data, 0, len, &chunk_state, 3000));
    uint32_t crc = crc32_update(0, data, len);
    unsigned slot = 99;
    assert_ok(bench, store_upload_finish(&bench->store, &crc, &slot));
    assert_true(slot < STORE_MAX_SLOTS);
    return slot;
}

static unsigned upload(struct bench *bench, const char *name, const uint8_t *data, size_t len, uint32_t chunk_seed)
{
    return upload_with(bench, name, data, len, chunk_seed, STORE_KEEP_ROLLBACK);
}

/* An image uploaded, made current and flashed well (what the one before it was becomes the rollback image). */
static unsigned flashed_image(struct bench *bench, const char *name, const uint8_t *data, size_t len,
                              uint32_t chunk_seed)
{
    unsigned slot = upload(bench, name, data, len, chunk_seed);
    assert_ok(bench, store_activate(&bench->store, slot));
    assert_ok(bench, store_mark_flashed_ok(&bench->store));
    return slot;
}

/* The slot holds exactly data: read through store_read in odd chunk sizes, and checked by store_verify. */
static void assert_image(struct bench *bench, int slot, const uint8_t *data, size_t len)
{
    assert_true(slot >= 0);
    assert_ok(bench, store_verify(&bench->store, (unsigned)slot));
    uint8_t buf[777];
    uint32_t offset = 0;
    for (;;) {
        uint32_t got = 0;
        assert_ok(bench, store_read(&bench->store, (unsigned)slot, offset, buf, sizeof buf, &got));
        if (got == 0)
            break;
        assert_true(offset + got <= len);
        assert_memory_equal(buf, data + offset, got);
        offset += got;
    }
    assert_int_equal(offset, len);
}

static struct store_entry entry_of(struct bench *bench, unsigned slot)
{
    struct store_entry entries[STORE_MAX_SLOTS];
    assert_int_equal(store_list(&bench->store, entries, STORE_MAX_SLOTS), STORE_MAX_SLOTS);
    return entries[slot];
}

/* Byte `offset` of an image on the bench's flash, found through its extent. */
static uint8_t *image_byte(struct bench *bench, unsigned slot, uint32_t offset)
{
    struct store_entry entry = entry_of(bench, slot);
    uint32_t data_sectors = bench->flash.sector_count - AIRSWD_STORE_JOURNAL_SECTORS;
    uint32_t sector = (entry.image.start + offset / SECTOR) % data_sectors;
    return bench->bytes + (AIRSWD_STORE_JOURNAL_SECTORS + sector) * SECTOR + offset % SECTOR;
}

static unsigned count_state(struct bench *bench, enum store_slot_state state)
{
    struct store_entry entries[STORE_MAX_SLOTS];
    unsigned n = store_list(&bench->store, entries, STORE_MAX_SLOTS), count = 0;
    for (unsigned i = 0; i < n; i++)
        count += entries[i].image.state == state;
    return count;
}

/* ---------------------------------------------------------------------------------------------------------------
 * Normal paths.
 */

static void test_mount_on_erased_flash_is_an_empty_store(void **state)
{
    (void)state;
    struct bench *bench = bench_new(1);
    assert_ok(bench, bench_mount(bench));
    assert_int_equal(store_slot_count(&bench->store), STORE_MAX_SLOTS);
    assert_int_equal(store_capacity(&bench->store), CAPACITY);
    assert_int_equal(store_room(&bench->store, STORE_KEEP_ROLLBACK), CAPACITY);
    assert_int_equal(store_current(&bench->store), STORE_NO_SLOT);
    assert_int_equal(store_previous(&bench->store), STORE_NO_SLOT);
    assert_int_equal(count_state(bench, STORE_SLOT_EMPTY), STORE_MAX_SLOTS);
    assert_int_equal(bench->flash.programs + bench->flash.erases, 0); /* mounting only reads */
    bench_free(bench);
}

static void test_mount_on_random_bytes_is_an_empty_store_that_works(void **state)
{
    (void)state;
    struct bench *bench = bench_new(2);
    power_cut_storage_fill_random(&bench->flash);
    assert_ok(bench, bench_mount(bench));
    assert_int_equal(count_state(bench, STORE_SLOT_EMPTY), STORE_MAX_SLOTS);
    static uint8_t data[5000];
    make_image(data, sizeof data, 7);
    unsigned slot = upload(bench, "fw", data, sizeof data, 3);
    assert_ok(bench, store_activate(&bench->store, slot));
    assert_ok(bench, bench_mount(bench));
    assert_int_equal(store_current(&bench->store), (int)slot);
    assert_image(bench, (int)slot, data, sizeof data);
    bench_free(bench);
}

static void test_upload_in_random_chunks_reads_back_and_lists(void **state)
{
    (void)state;
    struct bench *bench = bench_new(3);
    assert_ok(bench, bench_mount(bench));
    static uint8_t data[CAPACITY - 123];
    make_image(data, sizeof data, 11);
    for (uint32_t seed = 1; seed <= 3; seed++) {
        unsigned slot = upload(bench, "blinky.bin", data, sizeof data, seed * 77);
        assert_image(bench, (int)slot, data, sizeof data);
        struct store_entry entry = entry_of(bench, slot);
        assert_int_equal(entry.image.state, STORE_SLOT_COMPLETE);
        assert_int_equal(entry.image.length, sizeof data);
        assert_int_equal(entry.image.crc, crc32_update(0, data, sizeof data));
        assert_string_equal(entry.image.info.name, "blinky.bin");
        assert_int_equal(entry.image.info.bin_base, 0x08000000u);
        assert_false(entry.current);
        assert_false(entry.previous);
        assert_false(entry.image.flashed_ok);
        assert_ok(bench, store_delete(&bench->store, slot));
    }
    /* The whole data area's worth fits exactly; the listing survives a remount. */
    static uint8_t full[CAPACITY];
    make_image(full, sizeof full, 12);
    unsigned slot = upload(bench, "full", full, sizeof full, 5);
    assert_ok(bench, bench_mount(bench));
    assert_image(bench, (int)slot, full, sizeof full);
    assert_string_equal(entry_of(bench, slot).image.info.name, "full");
    bench_free(bench);
}

static void test_list_shows_the_upload_in_progress(void **state)
{
    (void)state;
    struct bench *bench = bench_new(4);
    assert_ok(bench, bench_mount(bench));
    struct store_image_info info = image_info("in progress", 5000);
    info.format = STORE_IMAGE_FORMAT_HEX;
    uint32_t id;
    assert_ok(bench, store_upload_begin(&bench->store, &info, STORE_KEEP_ROLLBACK, &id));
    static uint8_t data[1000];
    make_image(data, sizeof data, 5);
    assert_ok(bench, store_upload_write(&bench->store, data, sizeof data));
    struct store_entry entries[STORE_MAX_SLOTS];
    store_list(&bench->store, entries, STORE_MAX_SLOTS);
    assert_true(entries[0].uploading);
    assert_int_equal(entries[0].received, 1000);
    assert_int_equal(entries[0].image.state, STORE_SLOT_RECEIVING);
    assert_int_equal(entries[0].image.upload_id, id);
    assert_int_equal(entries[0].image.info.format, STORE_IMAGE_FORMAT_HEX);
    /* One upload at a time. */
    assert_status(STATUS_STORE_BUSY, store_upload_begin(&bench->store, &info, STORE_KEEP_ROLLBACK, &id));
    assert_non_null(strstr(bench->report.detail, "1000 bytes"));
    assert_ok(bench, store_upload_abort(&bench->store));
    assert_false(entry_of(bench, 0).uploading);
    assert_status(STATUS_STORE_UNKNOWN_UPLOAD, store_upload_write(&bench->store, data, 1));
    bench_free(bench);
}

static void test_roles_follow_the_images_that_flashed_well(void **state)
{
    (void)state;
    struct bench *bench = bench_new(5);
    assert_ok(bench, bench_mount(bench));
    static uint8_t a[3000], b[4000], c[5000], d[6000];
    make_image(a, sizeof a, 21);
    make_image(b, sizeof b, 22);
    make_image(c, sizeof c, 23);
    make_image(d, sizeof d, 24);

    unsigned slot_a = upload(bench, "a", a, sizeof a, 1);
    assert_ok(bench, store_activate(&bench->store, slot_a));
    assert_int_equal(store_current(&bench->store), (int)slot_a);
    assert_int_equal(store_previous(&bench->store), STORE_NO_SLOT);
    assert_ok(bench, store_mark_flashed_ok(&bench->store));
    assert_true(entry_of(bench, slot_a).image.flashed_ok);

    /* a flashed well: activating b makes a the previous image. */
    unsigned slot_b = upload(bench, "b", b, sizeof b, 2);
    assert_ok(bench, store_activate(&bench->store, slot_b));
    assert_int_equal(store_current(&bench->store), (int)slot_b);
    assert_int_equal(store_previous(&bench->store), (int)slot_a);
    assert_ok(bench, store_mark_flashed_ok(&bench->store));

    /* b flashed well: activating c makes b previous and frees a. */
    unsigned slot_c = upload(bench, "c", c, sizeof c, 3);
    assert_ok(bench, store_activate(&bench->store, slot_c));
    assert_int_equal(store_previous(&bench->store), (int)slot_b);
    assert_int_equal(entry_of(bench, slot_a).image.state, STORE_SLOT_EMPTY);

    /* c never flashed well: activating d frees c and keeps b for rollback. */
    unsigned slot_d = upload(bench, "d", d, sizeof d, 4);
    assert_int_equal(slot_d, slot_a);
    assert_ok(bench, store_activate(&bench->store, slot_d));
    assert_int_equal(store_current(&bench->store), (int)slot_d);
    assert_int_equal(store_previous(&bench->store), (int)slot_b);
    assert_int_equal(entry_of(bench, slot_c).image.state, STORE_SLOT_EMPTY);

    /* Activating the current image changes nothing and writes nothing. */
    uint64_t programs = bench->flash.programs;
    assert_ok(bench, store_activate(&bench->store, slot_d));
    assert_ok(bench, store_mark_flashed_ok(&bench->store));
    programs++; /* marking did write */
    assert_ok(bench, store_mark_flashed_ok(&bench->store));
    assert_int_equal(bench->flash.programs, programs);

    /* Everything survives a restart. */
    assert_ok(bench, bench_mount(bench));
    assert_int_equal(store_current(&bench->store), (int)slot_d);
    assert_int_equal(store_previous(&bench->store), (int)slot_b);
    assert_true(entry_of(bench, slot_d).image.flashed_ok);
    assert_image(bench, (int)slot_d, d, sizeof d);
    assert_image(bench, (int)slot_b, b, sizeof b);
    bench_free(bench);
}

static void test_rollback_swaps_with_a_current_that_flashed_well(void **state)
{
    (void)state;
    struct bench *bench = bench_new(6);
    assert_ok(bench, bench_mount(bench));
    assert_status(STATUS_STORE_NO_IMAGE, store_rollback(&bench->store));
    static uint8_t a[3000], b[4000], c[2000];
    make_image(a, sizeof a, 31);
    make_image(b, sizeof b, 32);
    make_image(c, sizeof c, 33);
    unsigned slot_a = upload(bench, "a", a, sizeof a, 1);
    assert_ok(bench, store_activate(&bench->store, slot_a));
    assert_status(STATUS_STORE_NO_IMAGE, store_rollback(&bench->store));
    assert_ok(bench, store_mark_flashed_ok(&bench->store));
    unsigned slot_b = upload(bench, "b", b, sizeof b, 2);
    assert_ok(bench, store_activate(&bench->store, slot_b));
    assert_ok(bench, store_mark_flashed_ok(&bench->store));

    assert_ok(bench, store_rollback(&bench->store));
    assert_int_equal(store_current(&bench->store), (int)slot_a);
    assert_int_equal(store_previous(&bench->store), (int)slot_b);
    assert_ok(bench, store_rollback(&bench->store));
    assert_int_equal(store_current(&bench->store), (int)slot_b);
    assert_int_equal(store_previous(&bench->store), (int)slot_a);

    /* c is activated but fails to flash: rolling back returns to b and drops c. */
    unsigned slot_c = upload(bench, "c", c, sizeof c, 3);
    assert_ok(bench, store_activate(&bench->store, slot_c));
    assert_ok(bench, store_rollback(&bench->store));
    assert_int_equal(store_current(&bench->store), (int)slot_b);
    assert_int_equal(store_previous(&bench->store), STORE_NO_SLOT);
    assert_int_equal(entry_of(bench, slot_c).image.state, STORE_SLOT_EMPTY);
    assert_image(bench, (int)slot_b, b, sizeof b);
    bench_free(bench);
}

static void test_delete_frees_slots_and_roles(void **state)
{
    (void)state;
    struct bench *bench = bench_new(7);
    assert_ok(bench, bench_mount(bench));
    static uint8_t a[3000], b[4000];
    make_image(a, sizeof a, 41);
    make_image(b, sizeof b, 42);
    unsigned slot_a = upload(bench, "a", a, sizeof a, 1);
    unsigned slot_b = upload(bench, "b", b, sizeof b, 2);
    assert_ok(bench, store_activate(&bench->store, slot_a));
    assert_ok(bench, store_delete(&bench->store, slot_b));
    assert_int_equal(entry_of(bench, slot_b).image.state, STORE_SLOT_EMPTY);
    assert_status(STATUS_STORE_NO_IMAGE, store_delete(&bench->store, slot_b));
    assert_status(STATUS_STORE_NO_IMAGE, store_activate(&bench->store, slot_b));
    uint32_t got = 1;
    assert_status(STATUS_STORE_NO_IMAGE, store_read(&bench->store, slot_b, 0, a, 10, &got));
    assert_int_equal(got, 0);
    assert_status(STATUS_INVALID_ARGUMENT, store_delete(&bench->store, STORE_MAX_SLOTS));
    assert_ok(bench, store_delete(&bench->store, slot_a));
    assert_int_equal(store_current(&bench->store), STORE_NO_SLOT);
    assert_status(STATUS_STORE_NO_IMAGE, store_mark_flashed_ok(&bench->store));
    /* Deleting the entry of the upload in progress ends it. */
    struct store_image_info info = image_info("x", 1000);
    uint32_t id;
    assert_ok(bench, store_upload_begin(&bench->store, &info, STORE_KEEP_ROLLBACK, &id));
    assert_ok(bench, store_upload_write(&bench->store, a, 100));
    assert_ok(bench, store_delete(&bench->store, 0));
    assert_status(STATUS_STORE_UNKNOWN_UPLOAD, store_upload_finish(&bench->store, NULL, NULL));
    assert_ok(bench, bench_mount(bench));
    assert_int_equal(count_state(bench, STORE_SLOT_EMPTY), STORE_MAX_SLOTS);
    bench_free(bench);
}

static void test_upload_resumes_after_a_restart_from_its_last_checkpoint(void **state)
{
    (void)state;
    struct bench *bench = bench_new(8);
    assert_ok(bench, bench_mount(bench));
    static uint8_t data[CAPACITY - 1000];
    make_image(data, sizeof data, 51);
    struct store_image_info info = image_info("resumed", sizeof data);
    info.format = STORE_IMAGE_FORMAT_ELF;
    uint32_t id, offset = 0;
    assert_ok(bench, store_upload_begin(&bench->store, &info, STORE_KEEP_ROLLBACK, &id));
    uint32_t chunks = 9;
    size_t sent = AIRSWD_STORE_CHECKPOINT_BYTES + 5000;
    assert_ok(bench, write_chunks(&bench->store, data, 0, sent, &chunks, 1500));
    /* The same upload, without a restart: it continues where it is. */
    assert_ok(bench, store_upload_resume(&bench->store, id, &offset));
    assert_int_equal(offset, sent);
    assert_status(STATUS_STORE_BUSY, store_upload_resume(&bench->store, id + 1, &offset));

    /* Restart: the bytes after the checkpoint are lost, the ones before it are read back and continue. */
    assert_ok(bench, bench_mount(bench));
    assert_int_equal(entry_of(bench, 0).image.state, STORE_SLOT_RECEIVING);
    assert_status(STATUS_STORE_UNKNOWN_UPLOAD, store_upload_resume(&bench->store, id + 1, &offset));
    assert_non_null(strstr(bench->report.detail, "upload"));
    assert_ok(bench, store_upload_resume(&bench->store, id, &offset));
    assert_int_equal(offset, AIRSWD_STORE_CHECKPOINT_BYTES);
    assert_ok(bench, write_chunks(&bench->store, data, offset, sizeof data, &chunks, 2500));
    uint32_t crc = crc32_update(0, data, sizeof data);
    unsigned slot;
    assert_ok(bench, store_upload_finish(&bench->store, &crc, &slot));
    assert_image(bench, (int)slot, data, sizeof data);
    struct store_entry entry = entry_of(bench, slot);
    assert_int_equal(entry.image.info.format, STORE_IMAGE_FORMAT_ELF);
    assert_string_equal(entry.image.info.name, "resumed");
    assert_int_equal(entry.image.upload_id, id);
    bench_free(bench);
}

static void test_resume_refuses_a_checkpoint_whose_bytes_changed(void **state)
{
    (void)state;
    struct bench *bench = bench_new(9);
    assert_ok(bench, bench_mount(bench));
    static uint8_t data[AIRSWD_STORE_CHECKPOINT_BYTES + 100];
    make_image(data, sizeof data, 52);
    struct store_image_info info = image_info("damaged", sizeof data + 5000);
    uint32_t id, offset;
    assert_ok(bench, store_upload_begin(&bench->store, &info, STORE_KEEP_ROLLBACK, &id));
    assert_ok(bench, store_upload_write(&bench->store, data, sizeof data));
    /* A bit of the checkpointed bytes flips while the device is off. */
    assert_ok(bench, bench_mount(bench));
    *image_byte(bench, 0, 77) ^= 0x10;
    assert_status(STATUS_STORE_CORRUPT, store_upload_resume(&bench->store, id, &offset));
    assert_int_equal(entry_of(bench, 0).image.state, STORE_SLOT_EMPTY);
    assert_status(STATUS_STORE_UNKNOWN_UPLOAD, store_upload_resume(&bench->store, id, &offset));
    bench_free(bench);
}

static void test_upload_cut_before_its_first_checkpoint_is_not_resumable(void **state)
{
    (void)state;
    struct bench *bench = bench_new(10);
    assert_ok(bench, bench_mount(bench));
    static uint8_t data[10000];
    make_image(data, sizeof data, 53);
    struct store_image_info info = image_info("short", sizeof data + 1);
    uint32_t id, offset;
    assert_ok(bench, store_upload_begin(&bench->store, &info, STORE_KEEP_ROLLBACK, &id));
    assert_ok(bench, store_upload_write(&bench->store, data, sizeof data));
    assert_ok(bench, bench_mount(bench));
    assert_status(STATUS_STORE_UNKNOWN_UPLOAD, store_upload_resume(&bench->store, id, &offset));
    assert_int_equal(count_state(bench, STORE_SLOT_EMPTY), STORE_MAX_SLOTS);
    unsigned slot = upload(bench, "again", data, sizeof data, 4);
    assert_image(bench, (int)slot, data, sizeof data);
    bench_free(bench);
}

static void test_interrupted_upload_is_discarded_when_its_room_is_needed(void **state)
{
    (void)state;
    struct bench *bench = bench_new(11);
    assert_ok(bench, bench_mount(bench));
    static uint8_t a[3000], b[3000], big[AIRSWD_STORE_CHECKPOINT_BYTES + 10], rest[(DATA_SECTORS - 2) * SECTOR];
    make_image(a, sizeof a, 61);
    make_image(b, sizeof b, 62);
    make_image(big, sizeof big, 63);
    make_image(rest, sizeof rest, 64);
    flashed_image(bench, "a", a, sizeof a, 1);
    assert_ok(bench, store_activate(&bench->store, upload(bench, "b", b, sizeof b, 2)));
    struct store_image_info info = image_info("interrupted", sizeof big + SECTOR);
    uint32_t id, second, offset;
    assert_ok(bench, store_upload_begin(&bench->store, &info, STORE_KEEP_ROLLBACK, &id));
    assert_ok(bench, store_upload_write(&bench->store, big, sizeof big));
    assert_ok(bench, bench_mount(bench));
    unsigned interrupted = 2;
    assert_int_equal(entry_of(bench, interrupted).image.state, STORE_SLOT_RECEIVING);

    /* An upload that fits beside it leaves it resumable. */
    upload(bench, "small", a, sizeof a, 3);
    assert_int_equal(entry_of(bench, interrupted).image.state, STORE_SLOT_RECEIVING);
    assert_ok(bench, store_delete(&bench->store, 3));

    /* One that needs all the room beside the current and previous images takes its sectors: the journal forgets
     * the interrupted upload before its bytes are overwritten. */
    info = image_info("rest", sizeof rest);
    assert_ok(bench, store_upload_begin(&bench->store, &info, STORE_KEEP_ROLLBACK, &second));
    assert_true(second != id);
    assert_int_equal(entry_of(bench, interrupted).image.state, STORE_SLOT_EMPTY);
    assert_status(STATUS_STORE_BUSY, store_upload_resume(&bench->store, id, &offset));
    uint32_t chunks = 3;
    assert_ok(bench, write_chunks(&bench->store, rest, 0, sizeof rest / 2, &chunks, 4000));
    assert_ok(bench, bench_mount(bench));
    assert_status(STATUS_STORE_UNKNOWN_UPLOAD, store_upload_resume(&bench->store, id, &offset));
    assert_ok(bench, store_upload_resume(&bench->store, second, &offset));
    assert_ok(bench, write_chunks(&bench->store, rest, offset, sizeof rest, &chunks, 4000));
    unsigned slot;
    assert_ok(bench, store_upload_finish(&bench->store, NULL, &slot));
    assert_image(bench, (int)slot, rest, sizeof rest);
    assert_image(bench, store_current(&bench->store), b, sizeof b);
    assert_image(bench, store_previous(&bench->store), a, sizeof a);
    assert_int_equal(store_room(&bench->store, STORE_KEEP_ROLLBACK), 0);
    bench_free(bench);
}

static void test_interrupted_upload_gives_up_its_entry_when_no_other_is_free(void **state)
{
    (void)state;
    struct bench *bench = bench_new(23);
    assert_ok(bench, bench_mount(bench));
    static uint8_t a[3000], big[AIRSWD_STORE_CHECKPOINT_BYTES + 10];
    make_image(a, sizeof a, 65);
    make_image(big, sizeof big, 66);
    flashed_image(bench, "a", a, sizeof a, 1);
    assert_ok(bench, store_activate(&bench->store, upload(bench, "b", a, sizeof a, 2)));
    upload(bench, "staged", a, sizeof a, 3);
    struct store_image_info info = image_info("interrupted", sizeof big + SECTOR);
    uint32_t id, second, offset;
    assert_ok(bench, store_upload_begin(&bench->store, &info, STORE_KEEP_ROLLBACK, &id));
    assert_ok(bench, store_upload_write(&bench->store, big, sizeof big));
    assert_ok(bench, bench_mount(bench));
    assert_int_equal(count_state(bench, STORE_SLOT_EMPTY), 0);
    /* Room there is; an entry there is not, but the interrupted upload's. */
    info = image_info("next", sizeof a);
    assert_ok(bench, store_upload_begin(&bench->store, &info, STORE_KEEP_ROLLBACK, &second));
    assert_ok(bench, store_upload_write(&bench->store, a, sizeof a));
    unsigned slot;
    assert_ok(bench, store_upload_finish(&bench->store, NULL, &slot));
    assert_int_equal(slot, 3);
    assert_status(STATUS_STORE_UNKNOWN_UPLOAD, store_upload_resume(&bench->store, id, &offset));
    bench_free(bench);
}

static void test_image_larger_than_the_store_is_refused_with_its_capacity(void **state)
{
    (void)state;
    struct bench *bench = bench_new(12);
    assert_ok(bench, bench_mount(bench));
    struct store_image_info info = image_info("huge", CAPACITY + 1);
    uint32_t id;
    assert_status(STATUS_STORE_TOO_LARGE, store_upload_begin(&bench->store, &info, STORE_DROP_ROLLBACK, &id));
    char expected[40];
    snprintf(expected, sizeof expected, "the store holds %u B", CAPACITY);
    assert_non_null(strstr(bench->report.detail, expected));
    assert_int_equal(bench->flash.programs + bench->flash.erases, 0);

    /* More than announced: refused at the byte that does not fit, and the room is free again. */
    static uint8_t data[CAPACITY];
    make_image(data, sizeof data, 71);
    info.size = 100;
    assert_ok(bench, store_upload_begin(&bench->store, &info, STORE_KEEP_ROLLBACK, &id));
    assert_status(STATUS_INVALID_ARGUMENT, store_upload_write(&bench->store, data, 101));
    assert_status(STATUS_STORE_UNKNOWN_UPLOAD, store_upload_finish(&bench->store, NULL, NULL));
    assert_int_equal(store_room(&bench->store, STORE_KEEP_ROLLBACK), CAPACITY);
    /* Fewer than announced. */
    assert_ok(bench, store_upload_begin(&bench->store, &info, STORE_KEEP_ROLLBACK, &id));
    assert_ok(bench, store_upload_write(&bench->store, data, 99));
    assert_status(STATUS_IMAGE_TRUNCATED, store_upload_finish(&bench->store, NULL, NULL));
    /* Nothing announced (its room cannot be reserved), or nothing at all. */
    info.size = 0;
    assert_status(STATUS_IMAGE_EMPTY, store_upload_begin(&bench->store, &info, STORE_KEEP_ROLLBACK, &id));
    info.size = 1;
    assert_ok(bench, store_upload_begin(&bench->store, &info, STORE_KEEP_ROLLBACK, &id));
    assert_status(STATUS_IMAGE_EMPTY, store_upload_finish(&bench->store, NULL, NULL));
    /* A name too long, an unknown format. */
    memset(info.name, 'n', sizeof info.name);
    assert_status(STATUS_INVALID_ARGUMENT, store_upload_begin(&bench->store, &info, STORE_KEEP_ROLLBACK, &id));
    info = image_info("ok", 10);
    info.format = STORE_IMAGE_FORMAT_COUNT;
    assert_status(STATUS_INVALID_ARGUMENT, store_upload_begin(&bench->store, &info, STORE_KEEP_ROLLBACK, &id));
    assert_int_equal(count_state(bench, STORE_SLOT_EMPTY), STORE_MAX_SLOTS);
    bench_free(bench);
}

static void test_no_free_slot_names_the_staged_image(void **state)
{
    (void)state;
    struct bench *bench = bench_new(13);
    assert_ok(bench, bench_mount(bench));
    static uint8_t a[1000];
    make_image(a, sizeof a, 81);
    assert_ok(bench, store_activate(&bench->store, upload(bench, "one", a, sizeof a, 1)));
    assert_ok(bench, store_mark_flashed_ok(&bench->store));
    assert_ok(bench, store_activate(&bench->store, upload(bench, "two", a, sizeof a, 2)));
    for (unsigned i = 2; i < STORE_MAX_SLOTS; i++)
        upload(bench, "staged", a, sizeof a, i + 1);
    struct store_image_info info = image_info("more", sizeof a);
    uint32_t id;
    assert_status(STATUS_STORE_NO_FREE_SLOT, store_upload_begin(&bench->store, &info, STORE_KEEP_ROLLBACK, &id));
    assert_non_null(strstr(bench->report.detail, "'staged'"));
    bench_free(bench);
}

/* ---------------------------------------------------------------------------------------------------------------
 * Where images go: extents in the ring, room, and what an upload may give up.
 */

/* The extents of the entries in use never overlap, and each covers what its image needs. */
static void assert_extents_sound(struct bench *bench)
{
    uint32_t data_sectors = bench->flash.sector_count - AIRSWD_STORE_JOURNAL_SECTORS;
    uint8_t owner[DATA_SECTORS];
    memset(owner, 0xFF, sizeof owner);
    for (unsigned i = 0; i < STORE_MAX_SLOTS; i++) {
        struct store_entry entry = entry_of(bench, i);
        if (entry.image.state == STORE_SLOT_EMPTY && !entry.uploading)
            continue;
        uint32_t bytes = entry.image.state == STORE_SLOT_COMPLETE ? entry.image.length : entry.image.info.size;
        assert_int_equal(entry.image.sectors, (bytes + SECTOR - 1) / SECTOR);
        for (uint32_t k = 0; k < entry.image.sectors; k++) {
            uint32_t sector = (entry.image.start + k) % data_sectors;
            assert_int_equal(owner[sector], 0xFF);
            owner[sector] = (uint8_t)i;
        }
    }
}

static void test_images_take_the_sectors_their_sizes_need(void **state)
{
    (void)state;
    struct bench *bench = bench_new(30);
    assert_ok(bench, bench_mount(bench));
    static uint8_t small[100], exact[2 * SECTOR], odd[5 * SECTOR + 1];
    make_image(small, sizeof small, 301);
    make_image(exact, sizeof exact, 302);
    make_image(odd, sizeof odd, 303);
    unsigned slot_small = upload(bench, "small", small, sizeof small, 1);
    unsigned slot_exact = upload(bench, "exact", exact, sizeof exact, 2);
    unsigned slot_odd = upload(bench, "odd", odd, sizeof odd, 3);
    assert_int_equal(entry_of(bench, slot_small).image.sectors, 1);
    assert_int_equal(entry_of(bench, slot_exact).image.sectors, 2);
    assert_int_equal(entry_of(bench, slot_odd).image.sectors, 6);
    assert_extents_sound(bench);
    /* Free space in one piece: what the three do not take. */
    assert_int_equal(store_room(&bench->store, STORE_KEEP_ROLLBACK), (DATA_SECTORS - 9) * SECTOR);
    /* Deleting the middle one leaves two pieces: the largest image that fits is the larger piece. An image the
     * size of the hole goes into the hole, which leaves the free space in one piece again. */
    assert_ok(bench, store_delete(&bench->store, slot_exact));
    assert_int_equal(store_room(&bench->store, STORE_KEEP_ROLLBACK), (DATA_SECTORS - 9) * SECTOR);
    unsigned slot_again = upload(bench, "again", exact, sizeof exact, 4);
    assert_extents_sound(bench);
    assert_int_equal(store_room(&bench->store, STORE_KEEP_ROLLBACK), (DATA_SECTORS - 9) * SECTOR);
    assert_ok(bench, bench_mount(bench));
    assert_extents_sound(bench);
    assert_image(bench, (int)slot_small, small, sizeof small);
    assert_image(bench, (int)slot_odd, odd, sizeof odd);
    assert_image(bench, (int)slot_again, exact, sizeof exact);
    bench_free(bench);
}

static void test_an_image_wraps_around_the_end_of_the_data_area(void **state)
{
    (void)state;
    struct bench *bench = bench_new(31);
    assert_ok(bench, bench_mount(bench));
    static uint8_t first[10 * SECTOR], second[10 * SECTOR], third[12 * SECTOR - 5];
    make_image(first, sizeof first, 311);
    make_image(second, sizeof second, 312);
    make_image(third, sizeof third, 313);
    /* first at sectors 0-9 and second at 10-19, both flashed well; third does not fit in the 4 sectors left, so
     * with no_rollback it takes first's room (the previous image) and the 4 sectors at the end: 20-23, 0-7. */
    unsigned slot_first = flashed_image(bench, "first", first, sizeof first, 1);
    unsigned slot_second = flashed_image(bench, "second", second, sizeof second, 2);
    assert_int_equal(entry_of(bench, slot_first).image.start, 0);
    assert_int_equal(entry_of(bench, slot_second).image.start, 10);
    unsigned slot_third = upload_with(bench, "third", third, sizeof third, 3, STORE_DROP_ROLLBACK);
    struct store_entry entry = entry_of(bench, slot_third);
    assert_int_equal(entry.image.start, 20);
    assert_int_equal(entry.image.sectors, 12);
    assert_int_equal(store_previous(&bench->store), STORE_NO_SLOT);
    assert_extents_sound(bench);
    /* Its bytes are where the ring puts them: the first sector at the end of the storage, the fifth at the start
     * of the data area. */
    assert_memory_equal(bench->bytes + (AIRSWD_STORE_JOURNAL_SECTORS + 20) * SECTOR, third, SECTOR);
    assert_memory_equal(bench->bytes + AIRSWD_STORE_JOURNAL_SECTORS * SECTOR, third + 4 * SECTOR, SECTOR);
    assert_image(bench, (int)slot_third, third, sizeof third);
    /* Reads that cross the end of the data area. */
    uint8_t buf[3000];
    uint32_t got;
    assert_ok(bench, store_read(&bench->store, slot_third, 4 * SECTOR - 1000, buf, sizeof buf, &got));
    assert_int_equal(got, sizeof buf);
    assert_memory_equal(buf, third + 4 * SECTOR - 1000, sizeof buf);
    assert_ok(bench, store_activate(&bench->store, slot_third));
    assert_ok(bench, store_mark_flashed_ok(&bench->store));
    assert_ok(bench, bench_mount(bench));
    assert_int_equal(store_current(&bench->store), (int)slot_third);
    assert_int_equal(store_previous(&bench->store), (int)slot_second);
    assert_image(bench, (int)slot_third, third, sizeof third);
    assert_image(bench, (int)slot_second, second, sizeof second);
    bench_free(bench);
}

/* Sectors of the complete images. */
static uint32_t sectors_kept(struct bench *bench)
{
    uint32_t sectors = 0;
    for (unsigned i = 0; i < STORE_MAX_SLOTS; i++) {
        struct store_entry entry = entry_of(bench, i);
        if (entry.image.state == STORE_SLOT_COMPLETE)
            sectors += entry.image.sectors;
    }
    return sectors;
}

static void test_the_usual_cycle_keeps_the_free_space_in_one_piece(void **state)
{
    (void)state;
    struct bench *bench = bench_new(32);
    assert_ok(bench, bench_mount(bench));
    static uint8_t data[DATA_SECTORS * SECTOR];
    uint32_t random_state = 77, wrapped = 0, refused = 0, dropped = 0, failed_flashes = 0;
    for (unsigned cycle = 0; cycle < 300; cycle++) {
        /* 1 to 11 sectors: two of them always fit beside each other, three not always. */
        uint32_t len = 1 + random_next(&random_state) % (11 * SECTOR);
        make_image(data, len, cycle);
        struct store_image_info info = image_info("cycle", len);
        uint32_t id;
        enum store_room_policy policy = STORE_KEEP_ROLLBACK;
        enum status status = store_upload_begin(&bench->store, &info, policy, &id);
        if (status == STATUS_STORE_NO_ROOM_FOR_ROLLBACK) {
            refused++;
            policy = STORE_DROP_ROLLBACK;
            bool had_previous = store_previous(&bench->store) != STORE_NO_SLOT;
            status = store_upload_begin(&bench->store, &info, policy, &id);
            dropped += had_previous && store_previous(&bench->store) == STORE_NO_SLOT;
        }
        assert_ok(bench, status);
        uint32_t chunks = cycle + 1;
        assert_ok(bench, write_chunks(&bench->store, data, 0, len, &chunks, 3000));
        unsigned slot;
        assert_ok(bench, store_upload_finish(&bench->store, NULL, &slot));
        struct store_entry entry = entry_of(bench, slot);
        wrapped += entry.image.start + entry.image.sectors > DATA_SECTORS;
        assert_ok(bench, store_activate(&bench->store, slot));
        assert_image(bench, store_current(&bench->store), data, len);
        /* One flash in five fails: that image is freed at the next activation instead of the older one. */
        if (random_next(&random_state) % 5 != 0)
            assert_ok(bench, store_mark_flashed_ok(&bench->store));
        else
            failed_flashes++;
        if (cycle % 7 == 3 && store_previous(&bench->store) != STORE_NO_SLOT)
            assert_ok(bench, store_rollback(&bench->store));
        /* The free space is one run: the largest image that fits is all of it. */
        assert_extents_sound(bench);
        assert_int_equal(store_room(&bench->store, STORE_KEEP_ROLLBACK), (DATA_SECTORS - sectors_kept(bench)) * SECTOR);
    }
    printf("300 cycles: %u images wrapped around the end, %u refused for want of room beside the rollback image "
           "and uploaded with no_rollback (%u rollback images dropped), %u failed flashes\n",
           wrapped, refused, dropped, failed_flashes);
    assert_true(wrapped > 0 && refused > 0 && dropped > 0 && failed_flashes > 0);
    bench_free(bench);
}

static void test_no_room_beside_the_rollback_image_is_refused_with_the_sizes(void **state)
{
    (void)state;
    struct bench *bench = bench_new(33);
    assert_ok(bench, bench_mount(bench));
    static uint8_t old[10 * SECTOR], hello[10 * SECTOR], next[8 * SECTOR];
    make_image(old, sizeof old, 331);
    make_image(hello, sizeof hello, 332);
    make_image(next, sizeof next, 333);
    flashed_image(bench, "old.bin", old, sizeof old, 1);
    flashed_image(bench, "hello.bin", hello, sizeof hello, 2);
    assert_int_equal(store_room(&bench->store, STORE_KEEP_ROLLBACK), 4 * SECTOR);
    assert_int_equal(store_room(&bench->store, STORE_DROP_ROLLBACK), CAPACITY);

    struct store_image_info info = image_info("next.bin", sizeof next);
    bool gives_up = true;
    uint64_t operations = bench->flash.operations;
    assert_status(STATUS_STORE_NO_ROOM_FOR_ROLLBACK,
                  store_upload_check(&bench->store, &info, STORE_KEEP_ROLLBACK, &gives_up));
    assert_false(gives_up);
    uint32_t id;
    assert_status(STATUS_STORE_NO_ROOM_FOR_ROLLBACK,
                  store_upload_begin(&bench->store, &info, STORE_KEEP_ROLLBACK, &id));
    assert_non_null(strstr(bench->report.detail, "32768 B"));
    char text[STORE_ROOM_TEXT_MAX];
    store_room_text(&bench->store, info.size, STORE_KEEP_ROLLBACK, text, sizeof text);
    assert_string_equal(text, "the image needs 32,768 B; 16,384 B are free beside the current image (hello.bin, "
                              "40,960 B) and the rollback image (old.bin, 40,960 B): upload with no_rollback to "
                              "give up the rollback copy (57,344 B would be free)");
    /* The refusal wrote nothing, and a sentence that does not fit is cut, not overrun. */
    assert_int_equal(bench->flash.operations, operations);
    char cut[20];
    memset(cut, 'x', sizeof cut);
    assert_int_equal(store_room_text(&bench->store, info.size, STORE_KEEP_ROLLBACK, cut, 16), 15);
    assert_int_equal(cut[15], '\0');
    assert_int_equal(cut[16], 'x');

    /* An image that fits beside both is not refused. */
    info.size = 4 * SECTOR;
    assert_ok(bench, store_upload_check(&bench->store, &info, STORE_KEEP_ROLLBACK, &gives_up));
    assert_false(gives_up);
    /* With no previous image, what is in the way is the current one. */
    assert_ok(bench, store_delete(&bench->store, (unsigned)store_previous(&bench->store)));
    info.size = 16 * SECTOR;
    assert_status(STATUS_STORE_NO_ROOM_FOR_ROLLBACK,
                  store_upload_check(&bench->store, &info, STORE_KEEP_ROLLBACK, &gives_up));
    store_room_text(&bench->store, info.size, STORE_KEEP_ROLLBACK, text, sizeof text);
    assert_string_equal(text, "the image needs 65,536 B; 57,344 B are free beside the current image (hello.bin, "
                              "40,960 B): upload with no_rollback to give up the current image (98,304 B would be "
                              "free; no image is then kept to roll back to)");
    assert_ok(bench, store_upload_check(&bench->store, &info, STORE_DROP_ROLLBACK, &gives_up));
    assert_true(gives_up);
    bench_free(bench);
}

static void test_no_rollback_drops_the_previous_image_then_the_current_one(void **state)
{
    (void)state;
    struct bench *bench = bench_new(34);
    assert_ok(bench, bench_mount(bench));
    static uint8_t a[10 * SECTOR], b[10 * SECTOR], c[8 * SECTOR], d[20 * SECTOR];
    make_image(a, sizeof a, 341);
    make_image(b, sizeof b, 342);
    make_image(c, sizeof c, 343);
    make_image(d, sizeof d, 344);
    unsigned slot_a = flashed_image(bench, "a", a, sizeof a, 1);
    unsigned slot_b = flashed_image(bench, "b", b, sizeof b, 2);

    /* c needs the previous image's room: a goes, b stays current, and after c flashes b is its rollback image. */
    unsigned slot_c = upload_with(bench, "c", c, sizeof c, 3, STORE_DROP_ROLLBACK);
    assert_true(slot_c == slot_a || entry_of(bench, slot_a).image.state == STORE_SLOT_EMPTY);
    assert_int_equal(store_current(&bench->store), (int)slot_b);
    assert_int_equal(store_previous(&bench->store), STORE_NO_SLOT);
    assert_ok(bench, store_activate(&bench->store, slot_c));
    assert_ok(bench, store_mark_flashed_ok(&bench->store));
    assert_int_equal(store_previous(&bench->store), (int)slot_b);
    assert_image(bench, (int)slot_b, b, sizeof b);

    /* d (20 sectors) needs both: b (previous) and c (current) go; nothing is left to roll back to. */
    struct store_image_info info = image_info("d", sizeof d);
    uint32_t id;
    assert_status(STATUS_STORE_NO_ROOM_FOR_ROLLBACK,
                  store_upload_begin(&bench->store, &info, STORE_KEEP_ROLLBACK, &id));
    unsigned slot_d = upload_with(bench, "d", d, sizeof d, 4, STORE_DROP_ROLLBACK);
    assert_int_equal(store_current(&bench->store), STORE_NO_SLOT);
    assert_int_equal(store_previous(&bench->store), STORE_NO_SLOT);
    assert_int_equal(count_state(bench, STORE_SLOT_COMPLETE), 1);
    assert_ok(bench, store_activate(&bench->store, slot_d));
    assert_ok(bench, bench_mount(bench));
    assert_image(bench, store_current(&bench->store), d, sizeof d);
    assert_extents_sound(bench);

    /* no_rollback gives up nothing when the image fits beside them. */
    assert_ok(bench, store_mark_flashed_ok(&bench->store));
    unsigned slot_small = upload_with(bench, "small", c, 2 * SECTOR, 5, STORE_DROP_ROLLBACK);
    assert_int_equal(store_current(&bench->store), (int)slot_d);
    assert_ok(bench, store_activate(&bench->store, slot_small));
    assert_int_equal(store_previous(&bench->store), (int)slot_d);
    bench_free(bench);
}

static void test_staged_images_in_the_way_are_named_never_dropped(void **state)
{
    (void)state;
    struct bench *bench = bench_new(35);
    assert_ok(bench, bench_mount(bench));
    static uint8_t current[4 * SECTOR], staged[14 * SECTOR], next[12 * SECTOR];
    make_image(current, sizeof current, 351);
    make_image(staged, sizeof staged, 352);
    make_image(next, sizeof next, 353);
    flashed_image(bench, "current.bin", current, sizeof current, 1);
    unsigned slot_staged = upload(bench, "staged.bin", staged, sizeof staged, 2);

    /* 6 sectors are free; without the current image 10 would be: only deleting the staged image makes room. */
    struct store_image_info info = image_info("next.bin", sizeof next);
    uint32_t id;
    for (int policy = STORE_KEEP_ROLLBACK; policy <= STORE_DROP_ROLLBACK; policy++) {
        assert_status(STATUS_STORE_FULL, store_upload_begin(&bench->store, &info, (enum store_room_policy)policy, &id));
        assert_non_null(strstr(bench->report.detail, "'staged.bin'"));
    }
    char text[STORE_ROOM_TEXT_MAX];
    store_room_text(&bench->store, info.size, STORE_KEEP_ROLLBACK, text, sizeof text);
    assert_string_equal(text, "the image needs 49,152 B; 24,576 B are free beside the current image (current.bin, "
                              "16,384 B) and the staged image staged.bin (57,344 B): delete the staged image to make "
                              "room (the store never drops it by itself)");
    assert_int_equal(store_current(&bench->store), 0);
    assert_image(bench, (int)slot_staged, staged, sizeof staged);
    assert_ok(bench, store_delete(&bench->store, slot_staged));
    unsigned slot_next = upload(bench, "next.bin", next, sizeof next, 3);
    assert_image(bench, (int)slot_next, next, sizeof next);
    assert_image(bench, store_current(&bench->store), current, sizeof current);
    bench_free(bench);
}

static void test_a_store_of_the_first_format_is_another_layout(void **state)
{
    (void)state;
    struct bench *bench = bench_new(36);
    /* A record as version 1 wrote it (3 slots of 8 sectors; slots at fixed places, no start sectors). */
    uint8_t record[STORE_RECORD_SIZE];
    memset(record, 0, sizeof record);
    memcpy(record, "ASJR", 4);
    record[4] = 1;
    record[5] = 3;
    record[6] = AIRSWD_STORE_JOURNAL_SECTORS;
    record[7] = 12;
    record[8] = 8;
    record[12] = 1;
    record[16] = 0xFF;
    record[17] = 0xFF;
    uint32_t crc = crc32_update(0, record, STORE_RECORD_SIZE - 4);
    for (unsigned i = 0; i < 4; i++)
        record[STORE_RECORD_SIZE - 4 + i] = (uint8_t)(crc >> (8 * i));
    memcpy(bench->bytes, record, sizeof record);
    assert_status(STATUS_STORE_LAYOUT, bench_mount(bench));
    assert_non_null(strstr(bench->report.detail, "format version 1"));
    assert_ok(bench, store_format(&bench->store, &bench->flash.hal, &bench->system, &bench->report));
    assert_ok(bench, bench_mount(bench));
    assert_int_equal(count_state(bench, STORE_SLOT_EMPTY), STORE_MAX_SLOTS);
    static uint8_t a[5000];
    make_image(a, sizeof a, 361);
    assert_image(bench, (int)upload(bench, "a", a, sizeof a, 1), a, sizeof a);
    bench_free(bench);
}

static void test_crc_mismatch_is_refused_and_the_slot_freed(void **state)
{
    (void)state;
    struct bench *bench = bench_new(14);
    assert_ok(bench, bench_mount(bench));
    static uint8_t data[AIRSWD_STORE_CHECKPOINT_BYTES + 10]; /* past a checkpoint: the journal knows the slot */
    make_image(data, sizeof data, 91);
    struct store_image_info info = image_info("bad", sizeof data);
    uint32_t id, offset;
    assert_ok(bench, store_upload_begin(&bench->store, &info, STORE_KEEP_ROLLBACK, &id));
    assert_ok(bench, store_upload_write(&bench->store, data, sizeof data));
    uint32_t wrong = crc32_update(0, data, sizeof data) ^ 1;
    assert_status(STATUS_STORE_CRC_MISMATCH, store_upload_finish(&bench->store, &wrong, NULL));
    assert_non_null(strstr(bench->report.detail, "CRC-32"));
    assert_int_equal(count_state(bench, STORE_SLOT_EMPTY), STORE_MAX_SLOTS);
    assert_ok(bench, bench_mount(bench));
    assert_int_equal(count_state(bench, STORE_SLOT_EMPTY), STORE_MAX_SLOTS);
    assert_status(STATUS_STORE_UNKNOWN_UPLOAD, store_upload_resume(&bench->store, id, &offset));
    bench_free(bench);
}

static void test_finish_refuses_a_slot_that_does_not_read_back_as_written(void **state)
{
    (void)state;
    struct bench *bench = bench_new(21);
    assert_ok(bench, bench_mount(bench));
    static uint8_t data[6000];
    make_image(data, sizeof data, 94);
    struct store_image_info info = image_info("weak", sizeof data);
    uint32_t id;
    assert_ok(bench, store_upload_begin(&bench->store, &info, STORE_KEEP_ROLLBACK, &id));
    assert_ok(bench, store_upload_write(&bench->store, data, sizeof data));
    /* A bit that did not take (the upload is entry 0). */
    assert_true(entry_of(bench, 0).uploading);
    *image_byte(bench, 0, 5000) ^= 0x40;
    uint32_t crc = crc32_update(0, data, sizeof data);
    assert_status(STATUS_STORE_CORRUPT, store_upload_finish(&bench->store, &crc, NULL));
    assert_non_null(strstr(bench->report.detail, "reads back"));
    assert_int_equal(count_state(bench, STORE_SLOT_EMPTY), STORE_MAX_SLOTS);
    bench_free(bench);
}

static void test_activate_refuses_an_image_that_changed_on_flash(void **state)
{
    (void)state;
    struct bench *bench = bench_new(15);
    assert_ok(bench, bench_mount(bench));
    static uint8_t data[9000];
    make_image(data, sizeof data, 92);
    unsigned slot = upload(bench, "rotting", data, sizeof data, 1);
    *image_byte(bench, slot, 8000) ^= 0x01;
    assert_status(STATUS_STORE_CORRUPT, store_activate(&bench->store, slot));
    assert_non_null(strstr(bench->report.detail, "rotting"));
    assert_int_equal(store_current(&bench->store), STORE_NO_SLOT);
    bench_free(bench);
}

static void test_cancelled_finish_can_be_finished_later(void **state)
{
    (void)state;
    struct bench *bench = bench_new(16);
    assert_ok(bench, bench_mount(bench));
    static uint8_t data[5 * SECTOR];
    make_image(data, sizeof data, 93);
    struct store_image_info info = image_info("cancel", sizeof data);
    uint32_t id;
    assert_ok(bench, store_upload_begin(&bench->store, &info, STORE_KEEP_ROLLBACK, &id));
    assert_ok(bench, store_upload_write(&bench->store, data, sizeof data));
    bench->yields = 0;
    bench->cancel_at_yield = 2;
    assert_status(STATUS_CANCELLED, store_upload_finish(&bench->store, NULL, NULL));
    bench->cancel_at_yield = 0;
    unsigned slot;
    assert_ok(bench, store_upload_finish(&bench->store, NULL, &slot));
    assert_image(bench, (int)slot, data, sizeof data);
    /* Reading a slot back yields once per sector. */
    bench->yields = 0;
    assert_ok(bench, store_verify(&bench->store, slot));
    assert_int_equal(bench->yields, 4);
    bench_free(bench);
}

static void test_journal_wraps_over_500_activations(void **state)
{
    (void)state;
    struct bench *bench = bench_new(17);
    assert_ok(bench, bench_mount(bench));
    static uint8_t a[2000], b[2500];
    make_image(a, sizeof a, 101);
    make_image(b, sizeof b, 102);
    unsigned slot_a = upload(bench, "a", a, sizeof a, 1);
    assert_ok(bench, store_activate(&bench->store, slot_a));
    assert_ok(bench, store_mark_flashed_ok(&bench->store));
    unsigned slot_b = upload(bench, "b", b, sizeof b, 2);
    assert_ok(bench, store_activate(&bench->store, slot_b));
    assert_ok(bench, store_mark_flashed_ok(&bench->store));

    uint64_t erases = bench->flash.erases;
    uint32_t sequence = bench->store.journal.sequence;
    for (unsigned i = 1; i <= 500; i++) {
        assert_ok(bench, store_activate(&bench->store, (unsigned)store_previous(&bench->store)));
        if (i % 37 == 0 || i == 500) {
            assert_ok(bench, bench_mount(bench));
            bool odd = i % 2 == 1;
            assert_int_equal(store_current(&bench->store), (int)(odd ? slot_a : slot_b));
            assert_int_equal(store_previous(&bench->store), (int)(odd ? slot_b : slot_a));
        }
    }
    assert_int_equal(bench->store.journal.sequence, sequence + 500);
    /* Every erase was a journal sector's: 500 records pass through the journal more than 15 times. */
    uint64_t journal_erases = bench->flash.erases - erases;
    assert_true(journal_erases >= 500 / RECORDS_PER_SECTOR - 1);
    assert_true(journal_erases * RECORDS_PER_SECTOR / AIRSWD_STORE_JOURNAL_SECTORS > 15);
    assert_image(bench, slot_a, a, sizeof a);
    assert_image(bench, slot_b, b, sizeof b);
    bench_free(bench);
}

static void test_any_sector_size_from_256_bytes_works(void **state)
{
    (void)state;
    static uint8_t data[5000];
    make_image(data, sizeof data, 131);
    const uint32_t sizes[] = {256, 1024, 65536};
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        struct bench *bench = bench_new(22 + (uint32_t)s);
        uint32_t sector_size = sizes[s];
        uint32_t sectors = AIRSWD_STORE_JOURNAL_SECTORS + 3 * (8192 / sector_size + 1);
        uint8_t *bytes = malloc((size_t)sector_size * sectors);
        assert_non_null(bytes);
        power_cut_storage_init(&bench->flash, bytes, sector_size, sectors, 5);
        assert_ok(bench, bench_mount(bench));
        assert_true(store_capacity(&bench->store) >= 2 * sizeof data);
        unsigned slot_a = upload(bench, "a", data, sizeof data, 1);
        assert_ok(bench, store_activate(&bench->store, slot_a));
        assert_ok(bench, store_mark_flashed_ok(&bench->store));
        unsigned slot_b = upload(bench, "b", data, 4000, 2);
        assert_ok(bench, store_activate(&bench->store, slot_b));
        assert_ok(bench, store_mark_flashed_ok(&bench->store));
        for (unsigned i = 0; i < 40; i++)
            assert_ok(bench, store_rollback(&bench->store));
        assert_ok(bench, bench_mount(bench));
        assert_int_equal(store_current(&bench->store), (int)slot_b);
        assert_image(bench, (int)slot_a, data, sizeof data);
        assert_image(bench, (int)slot_b, data, 4000);
        free(bytes);
        bench_free(bench);
    }
}

static void test_another_layout_is_refused_until_formatted(void **state)
{
    (void)state;
    struct bench *bench = bench_new(18);
    assert_ok(bench, bench_mount(bench));
    static uint8_t a[2000];
    make_image(a, sizeof a, 111);
    assert_ok(bench, store_activate(&bench->store, upload(bench, "a", a, sizeof a, 1)));
    /* The same flash seen as a smaller partition: the ring would be shorter. */
    struct hal_storage smaller = bench->flash.hal;
    smaller.sector_count -= 3;
    status_clear(&bench->report);
    assert_status(STATUS_STORE_LAYOUT, store_mount(&bench->store, &smaller, &bench->system, &bench->report));
    assert_non_null(strstr(bench->report.detail, "data sectors"));
    assert_status(STATUS_STORE_IO, store_activate(&bench->store, 0));
    assert_ok(bench, store_format(&bench->store, &smaller, &bench->system, &bench->report));
    assert_int_equal(store_current(&bench->store), STORE_NO_SLOT);
    assert_ok(bench, store_mount(&bench->store, &smaller, &bench->system, &bench->report));
    assert_int_equal(count_state(bench, STORE_SLOT_EMPTY), STORE_MAX_SLOTS);
    /* Back to the first layout: the newest record is the format's. */
    assert_status(STATUS_STORE_LAYOUT, bench_mount(bench));

    /* Storage the store cannot use. */
    struct hal_storage odd = bench->flash.hal;
    odd.sector_size = 3000;
    assert_status(STATUS_UNSUPPORTED, store_mount(&bench->store, &odd, &bench->system, &bench->report));
    odd = bench->flash.hal;
    odd.sector_count = AIRSWD_STORE_JOURNAL_SECTORS;
    assert_status(STATUS_UNSUPPORTED, store_mount(&bench->store, &odd, &bench->system, &bench->report));
    bench_free(bench);
}

static void test_a_failed_commit_stops_the_store_until_mounted_again(void **state)
{
    (void)state;
    struct bench *bench = bench_new(19);
    assert_ok(bench, bench_mount(bench));
    static uint8_t a[2000];
    make_image(a, sizeof a, 121);
    unsigned slot = upload(bench, "a", a, sizeof a, 1);
    power_cut_storage_arm(&bench->flash, 1); /* the activation's record */
    assert_status(STATUS_STORE_IO, store_activate(&bench->store, slot));
    assert_non_null(strstr(bench->report.detail, "mounted again"));
    power_cut_storage_restart(&bench->flash);
    assert_status(STATUS_STORE_IO, store_activate(&bench->store, slot));
    assert_non_null(strstr(bench->report.detail, "not mounted"));
    assert_ok(bench, bench_mount(bench));
    assert_ok(bench, store_activate(&bench->store, slot));
    assert_image(bench, store_current(&bench->store), a, sizeof a);
    bench_free(bench);
}

/* ---------------------------------------------------------------------------------------------------------------
 * Power cut at every program and erase.
 *
 * A store holding a current and a previous image goes through (a) an upload of a 20 KB image, (b) its finish,
 * activation and mark as flashed well, (c) a rollback. A first run counts the operations and notes the store after
 * each call; then for every operation k the same run loses power at k, the store is mounted on what survived, and
 * must be as it was before the interrupted call or after it, with its current and previous images intact, and
 * must take a new upload (or resume the interrupted one). Two stores go through it: one with room for the upload
 * beside both images, and a 10-sector one where the upload gives up the rollback image (no_rollback: a record that
 * frees it comes first) and wraps around the end of the data area.
 */

enum { IMAGE_NONE, IMAGE_A, IMAGE_B, IMAGE_N, IMAGE_M, IMAGE_COUNT };
#define IMAGE_N_BYTES 20000u

struct known_images {
    uint8_t data[IMAGE_COUNT][IMAGE_N_BYTES];
    size_t len[IMAGE_COUNT];
    uint32_t crc[IMAGE_COUNT];
};

static struct known_images images;

static void images_init(void)
{
    const size_t lens[IMAGE_COUNT] = {0, 9000, 13000, IMAGE_N_BYTES, 7000};
    for (int i = IMAGE_A; i < IMAGE_COUNT; i++) {
        images.len[i] = lens[i];
        make_image(images.data[i], lens[i], 1000u + (uint32_t)i);
        images.crc[i] = crc32_update(0, images.data[i], lens[i]);
    }
}

/* Which known image a slot holds (by its recorded length and CRC), IMAGE_NONE for no slot, -1 for a stranger. */
static int identify(struct bench *bench, int slot)
{
    if (slot == STORE_NO_SLOT)
        return IMAGE_NONE;
    struct store_entry entry = entry_of(bench, (unsigned)slot);
    for (int i = IMAGE_A; i < IMAGE_COUNT; i++)
        if (entry.image.length == images.len[i] && entry.image.crc == images.crc[i])
            return i;
    return -1;
}

struct summary {
    int current, previous;
    bool current_flashed_ok;
    int staged; /* a complete image with no role, or IMAGE_NONE */
};

static struct summary summarize(struct bench *bench)
{
    struct summary summary = {
        .current = identify(bench, store_current(&bench->store)),
        .previous = identify(bench, store_previous(&bench->store)),
        .staged = IMAGE_NONE,
    };
    if (store_current(&bench->store) != STORE_NO_SLOT)
        summary.current_flashed_ok = entry_of(bench, (unsigned)store_current(&bench->store)).image.flashed_ok;
    for (unsigned i = 0; i < STORE_MAX_SLOTS; i++) {
        struct store_entry entry = entry_of(bench, i);
        if (entry.image.state == STORE_SLOT_COMPLETE && !entry.current && !entry.previous)
            summary.staged = identify(bench, (int)i);
    }
    return summary;
}

static bool summary_equal(struct summary a, struct summary b)
{
    return a.current == b.current && a.previous == b.previous && a.current_flashed_ok == b.current_flashed_ok &&
           a.staged == b.staged;
}

#define MAX_CALLS     64
#define TEAR_PATTERNS 3 /* runs per cut point, each tearing the operation differently */

struct scenario_log {
    unsigned calls;
    uint64_t operations_after[MAX_CALLS];
    struct summary after[MAX_CALLS];
    char phase[MAX_CALLS]; /* 'a' upload, 'b' commit, 'c' rollback */
    uint32_t upload_id;
    bool wrapped; /* the upload's extent wraps around the end of the data area */
};

static bool log_call(struct bench *bench, struct scenario_log *log, char phase, enum status status)
{
    if (status != STATUS_OK)
        return false;
    assert_true(log->calls < MAX_CALLS);
    log->operations_after[log->calls] = bench->flash.operations;
    log->after[log->calls] = summarize(bench);
    log->phase[log->calls] = phase;
    log->calls++;
    return true;
}

/* The same calls, with the same chunk sizes, on every run; stops at the first failing call. */
static void run_scenario(struct bench *bench, struct scenario_log *log, enum store_room_policy policy)
{
    struct store *store = &bench->store;
    const uint8_t *data = images.data[IMAGE_N];
    memset(log, 0, sizeof *log);
    struct store_image_info info = image_info("n", IMAGE_N_BYTES);
    if (!log_call(bench, log, 'a', store_upload_begin(store, &info, policy, &log->upload_id)))
        return;
    log->wrapped = store->upload.start + store->upload.sectors > store->data_sectors;
    uint32_t chunk_state = 12345;
    for (size_t sent = 0; sent < IMAGE_N_BYTES;) {
        size_t chunk = 1 + random_next(&chunk_state) % 2500;
        if (chunk > IMAGE_N_BYTES - sent)
            chunk = IMAGE_N_BYTES - sent;
        if (!log_call(bench, log, 'a', store_upload_write(store, data + sent, chunk)))
            return;
        sent += chunk;
    }
    unsigned slot;
    if (!log_call(bench, log, 'b', store_upload_finish(store, &images.crc[IMAGE_N], &slot)))
        return;
    if (!log_call(bench, log, 'b', store_activate(store, slot)))
        return;
    if (!log_call(bench, log, 'b', store_mark_flashed_ok(store)))
        return;
    log_call(bench, log, 'c', store_rollback(store));
}

/* A store holding A and B, one current and one previous, whose journal has moved on by `fill` records. */
static struct summary build_baseline(struct bench *bench, unsigned fill)
{
    power_cut_storage_fill_random(&bench->flash);
    assert_ok(bench, bench_mount(bench));
    unsigned slot_a = upload(bench, "a", images.data[IMAGE_A], images.len[IMAGE_A], 1);
    assert_ok(bench, store_activate(&bench->store, slot_a));
    assert_ok(bench, store_mark_flashed_ok(&bench->store));
    unsigned slot_b = upload(bench, "b", images.data[IMAGE_B], images.len[IMAGE_B], 2);
    assert_ok(bench, store_activate(&bench->store, slot_b));
    assert_ok(bench, store_mark_flashed_ok(&bench->store));
    for (unsigned i = 0; i < fill; i++)
        assert_ok(bench, store_rollback(&bench->store));
    return summarize(bench);
}

static void assert_role_intact(struct bench *bench, int slot, int image)
{
    if (image == IMAGE_NONE) {
        assert_int_equal(slot, STORE_NO_SLOT);
        return;
    }
    assert_true(image > IMAGE_NONE);
    assert_image(bench, slot, images.data[image], images.len[image]);
}

struct power_cut_totals {
    unsigned points[3]; /* per phase a, b, c */
    unsigned resumed, fresh_uploads, states_after;
};

/* After a cut: the store mounts, is as before or after the interrupted call, keeps its images intact, and works. */
static void check_after_cut(struct bench *bench, const struct scenario_log *log, const struct scenario_log *cut_run,
                            struct summary baseline, unsigned call, struct power_cut_totals *totals)
{
    power_cut_storage_restart(&bench->flash);
    assert_ok(bench, bench_mount(bench));
    struct summary before = call == 0 ? baseline : log->after[call - 1];
    struct summary after = log->after[call];
    struct summary now = summarize(bench);
    if (!summary_equal(now, before) && !summary_equal(now, after)) {
        print_error("call %u (phase %c): store is current %d previous %d ok %d staged %d; expected current %d/%d "
                    "previous %d/%d\n",
                    call, log->phase[call], now.current, now.previous, now.current_flashed_ok, now.staged,
                    before.current, after.current, before.previous, after.previous);
        fail();
    }
    totals->states_after += summary_equal(now, after) && !summary_equal(before, after);
    assert_role_intact(bench, store_current(&bench->store), now.current);
    assert_role_intact(bench, store_previous(&bench->store), now.previous);
    /* Every complete image, with a role or staged, is one of the known images, whole. */
    for (unsigned i = 0; i < STORE_MAX_SLOTS; i++)
        if (entry_of(bench, i).image.state == STORE_SLOT_COMPLETE) {
            int image = identify(bench, (int)i);
            assert_true(image > IMAGE_NONE);
            assert_image(bench, (int)i, images.data[image], images.len[image]);
        }

    /* A receiving slot can only be the interrupted upload, at a checkpoint. */
    int receiving = STORE_NO_SLOT;
    for (unsigned i = 0; i < STORE_MAX_SLOTS; i++) {
        struct store_entry entry = entry_of(bench, i);
        if (entry.image.state != STORE_SLOT_RECEIVING)
            continue;
        assert_int_equal(receiving, STORE_NO_SLOT);
        receiving = (int)i;
        assert_int_equal(entry.image.upload_id, cut_run->upload_id);
        assert_int_equal(entry.image.length % AIRSWD_STORE_CHECKPOINT_BYTES, 0);
        assert_true(entry.image.length > 0 && entry.image.length < IMAGE_N_BYTES);
    }

    struct store *store = &bench->store;
    if (receiving != STORE_NO_SLOT) {
        /* Resume the interrupted upload and see it through. */
        uint32_t offset = 0;
        assert_ok(bench, store_upload_resume(store, cut_run->upload_id, &offset));
        uint32_t chunks = 777;
        assert_ok(bench, write_chunks(store, images.data[IMAGE_N], offset, IMAGE_N_BYTES, &chunks, 3000));
        unsigned slot;
        assert_ok(bench, store_upload_finish(store, &images.crc[IMAGE_N], &slot));
        assert_ok(bench, store_activate(store, slot));
        assert_role_intact(bench, store_current(store), IMAGE_N);
        totals->resumed++;
    } else {
        /* A new upload, giving up the rollback image when it must; when a staged image is in the way, it goes
         * first, as a user would delete it. */
        struct store_image_info info = image_info("m", (uint32_t)images.len[IMAGE_M]);
        uint32_t id;
        enum status status = store_upload_begin(store, &info, STORE_DROP_ROLLBACK, &id);
        if (status == STATUS_STORE_NO_FREE_SLOT || status == STATUS_STORE_FULL) {
            for (unsigned i = 0; i < STORE_MAX_SLOTS; i++) {
                struct store_entry entry = entry_of(bench, i);
                if (entry.image.state == STORE_SLOT_COMPLETE && !entry.current && !entry.previous)
                    assert_ok(bench, store_delete(store, i));
            }
            status = store_upload_begin(store, &info, STORE_DROP_ROLLBACK, &id);
        }
        assert_ok(bench, status);
        uint32_t chunks = 4242;
        assert_ok(bench, write_chunks(store, images.data[IMAGE_M], 0, images.len[IMAGE_M], &chunks, 3000));
        unsigned slot;
        assert_ok(bench, store_upload_finish(store, &images.crc[IMAGE_M], &slot));
        assert_ok(bench, store_activate(store, slot));
        assert_role_intact(bench, store_current(store), IMAGE_M);
        totals->fresh_uploads++;
    }
    /* The rollback image is still there and intact, and all of it survives one more restart. */
    struct summary done = summarize(bench);
    assert_role_intact(bench, store_previous(store), done.previous);
    assert_ok(bench, bench_mount(bench));
    assert_true(summary_equal(summarize(bench), done));
    assert_role_intact(bench, store_current(store), done.current);
}

static void test_power_cut_at_every_write_of_upload_commit_and_rollback(void **state)
{
    (void)state;
    images_init();
    /* Room for N beside A and B; or a 10-sector ring where A (3 sectors) and B (4) leave 3 for N (5). */
    const struct {
        uint32_t data_sectors;
        enum store_room_policy policy;
    } variants[] = {{DATA_SECTORS, STORE_KEEP_ROLLBACK}, {10, STORE_DROP_ROLLBACK}};
    uint8_t *baseline_bytes = malloc(SECTORS * SECTOR);
    assert_non_null(baseline_bytes);
    struct scenario_log *log = malloc(sizeof *log), *cut_run = malloc(sizeof *cut_run);
    assert_non_null(log);
    assert_non_null(cut_run);

    for (size_t v = 0; v < sizeof variants / sizeof variants[0]; v++) {
        struct bench *bench = bench_new_sized(20, variants[v].data_sectors);
        struct power_cut_totals totals = {0};
        uint64_t torn_programs = 0, torn_erases = 0;
        unsigned operations_per_run = 0, wrapped = 0, rollback_dropped = 0;

        /* Journal fills 0..RECORDS_PER_SECTOR + 1 put the scenario's records at every place in a journal sector,
         * so that each of its commits also meets a journal sector erase. */
        for (unsigned fill = 0; fill <= RECORDS_PER_SECTOR + 1; fill++) {
            struct summary baseline = build_baseline(bench, fill);
            assert_true(baseline.current > IMAGE_NONE && baseline.previous > IMAGE_NONE);
            memcpy(baseline_bytes, bench->bytes, SECTORS * SECTOR);

            /* The run without a cut: operations per call, and the store after each. */
            assert_ok(bench, bench_mount(bench));
            power_cut_storage_arm(&bench->flash, 0);
            run_scenario(bench, log, variants[v].policy);
            assert_int_equal(log->phase[log->calls - 1], 'c'); /* it ran to its end */
            wrapped += log->wrapped;
            rollback_dropped += log->after[0].previous == IMAGE_NONE;
            uint64_t operations = bench->flash.operations;
            operations_per_run = (unsigned)operations;

            for (uint32_t seed = 1; seed <= TEAR_PATTERNS; seed++) {
                for (uint64_t k = 1; k <= operations; k++) {
                    memcpy(bench->bytes, baseline_bytes, SECTORS * SECTOR);
                    bench->flash.random_state = (uint32_t)(k * 7919u + seed * 104729u + fill);
                    assert_ok(bench, bench_mount(bench));
                    power_cut_storage_arm(&bench->flash, k);
                    uint64_t programs_before = bench->flash.torn_programs, erases_before = bench->flash.torn_erases;
                    run_scenario(bench, cut_run, variants[v].policy);
                    assert_true(bench->flash.cut);
                    torn_programs += bench->flash.torn_programs - programs_before;
                    torn_erases += bench->flash.torn_erases - erases_before;
                    /* The call that was cut is the first whose operations reach k. */
                    unsigned call = 0;
                    while (log->operations_after[call] < k)
                        call++;
                    assert_int_equal(cut_run->calls, call);
                    totals.points[log->phase[call] - 'a']++;
                    check_after_cut(bench, log, cut_run, baseline, call, &totals);
                }
            }
        }
        unsigned points = totals.points[0] + totals.points[1] + totals.points[2];
        printf("%u data sectors, %s: power cut at %u points (%u operations per run, journal fills 0-%u, %u tear "
               "patterns each): upload %u, finish+activate+mark %u, rollback %u; torn programs %llu, torn erases "
               "%llu; afterwards %u uploads resumed, %u fresh uploads; %u cuts left the new state; the upload "
               "wrapped around in %u runs of %u and gave up the rollback image in %u\n",
               variants[v].data_sectors, variants[v].policy == STORE_DROP_ROLLBACK ? "no_rollback" : "rollback kept",
               points, operations_per_run, RECORDS_PER_SECTOR + 1, TEAR_PATTERNS, totals.points[0], totals.points[1],
               totals.points[2], (unsigned long long)torn_programs, (unsigned long long)torn_erases, totals.resumed,
               totals.fresh_uploads, totals.states_after, wrapped, RECORDS_PER_SECTOR + 2, rollback_dropped);
        assert_true(totals.points[0] > 0 && totals.points[1] > 0 && totals.points[2] > 0);
        assert_true(totals.resumed > 0 && totals.fresh_uploads > 0);
        if (variants[v].policy == STORE_DROP_ROLLBACK)
            assert_true(wrapped > 0 && rollback_dropped == RECORDS_PER_SECTOR + 2);
        else
            assert_int_equal(rollback_dropped, 0);
        bench_free(bench);
    }
    free(cut_run);
    free(log);
    free(baseline_bytes);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mount_on_erased_flash_is_an_empty_store),
        cmocka_unit_test(test_mount_on_random_bytes_is_an_empty_store_that_works),
        cmocka_unit_test(test_upload_in_random_chunks_reads_back_and_lists),
        cmocka_unit_test(test_list_shows_the_upload_in_progress),
        cmocka_unit_test(test_roles_follow_the_images_that_flashed_well),
        cmocka_unit_test(test_rollback_swaps_with_a_current_that_flashed_well),
        cmocka_unit_test(test_delete_frees_slots_and_roles),
        cmocka_unit_test(test_upload_resumes_after_a_restart_from_its_last_checkpoint),
        cmocka_unit_test(test_resume_refuses_a_checkpoint_whose_bytes_changed),
        cmocka_unit_test(test_upload_cut_before_its_first_checkpoint_is_not_resumable),
        cmocka_unit_test(test_interrupted_upload_is_discarded_when_its_room_is_needed),
        cmocka_unit_test(test_interrupted_upload_gives_up_its_entry_when_no_other_is_free),
        cmocka_unit_test(test_image_larger_than_the_store_is_refused_with_its_capacity),
        cmocka_unit_test(test_no_free_slot_names_the_staged_image),
        cmocka_unit_test(test_images_take_the_sectors_their_sizes_need),
        cmocka_unit_test(test_an_image_wraps_around_the_end_of_the_data_area),
        cmocka_unit_test(test_the_usual_cycle_keeps_the_free_space_in_one_piece),
        cmocka_unit_test(test_no_room_beside_the_rollback_image_is_refused_with_the_sizes),
        cmocka_unit_test(test_no_rollback_drops_the_previous_image_then_the_current_one),
        cmocka_unit_test(test_staged_images_in_the_way_are_named_never_dropped),
        cmocka_unit_test(test_a_store_of_the_first_format_is_another_layout),
        cmocka_unit_test(test_crc_mismatch_is_refused_and_the_slot_freed),
        cmocka_unit_test(test_finish_refuses_a_slot_that_does_not_read_back_as_written),
        cmocka_unit_test(test_activate_refuses_an_image_that_changed_on_flash),
        cmocka_unit_test(test_cancelled_finish_can_be_finished_later),
        cmocka_unit_test(test_journal_wraps_over_500_activations),
        cmocka_unit_test(test_any_sector_size_from_256_bytes_works),
        cmocka_unit_test(test_another_layout_is_refused_until_formatted),
        cmocka_unit_test(test_a_failed_commit_stops_the_store_until_mounted_again),
        cmocka_unit_test(test_power_cut_at_every_write_of_upload_commit_and_rollback),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
