/*
 * test_file_storage.c - the Linux daemon's staging store in a file (ports/linux/port_file_storage): created erased,
 * flash rules kept, and an image that is still there after the file is closed and opened again.
 */
#define _DEFAULT_SOURCE /* mkdtemp */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "crc32.h"
#include "port_file_storage.h"
#include "port_host.h"
#include "service/store.h"

#define SECTORS 64u /* 256 KB: the journal and 62 sectors of images */

struct fixture {
    char dir[256];
    char path[300];
    struct hal_system system;
    struct status_report report;
};

static int setup(void **state)
{
    struct fixture *fixture = calloc(1, sizeof *fixture);
    const char *tmp = getenv("TMPDIR");
    snprintf(fixture->dir, sizeof fixture->dir, "%s/airswd-store-XXXXXX", tmp != NULL ? tmp : "/tmp");
    if (mkdtemp(fixture->dir) == NULL)
        return -1;
    snprintf(fixture->path, sizeof fixture->path, "%s/store.bin", fixture->dir);
    port_host_system(&fixture->system);
    *state = fixture;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *fixture = *state;
    unlink(fixture->path);
    rmdir(fixture->dir);
    free(fixture);
    return 0;
}

static void check(struct fixture *fixture, enum status status)
{
    if (status != STATUS_OK) {
        char text[300];
        print_error("%s\n", status_format(&fixture->report, text, sizeof text));
        fail();
    }
}

static void test_file_is_created_erased_and_programs_like_nor(void **state)
{
    struct fixture *fixture = *state;
    struct port_file_storage storage;
    check(fixture, port_file_storage_open(&storage, fixture->path, SECTORS, &fixture->report));
    assert_int_equal(storage.hal.sector_size, 4096);
    assert_int_equal(storage.hal.sector_count, SECTORS);
    struct stat info;
    assert_int_equal(stat(fixture->path, &info), 0);
    assert_int_equal(info.st_size, SECTORS * 4096);

    uint8_t bytes[16];
    assert_true(storage.hal.read(storage.hal.ctx, 4096 * 7 + 100, bytes, sizeof bytes));
    for (size_t i = 0; i < sizeof bytes; i++)
        assert_int_equal(bytes[i], 0xFF);
    /* Programming clears bits only; erasing sets them all again. */
    const uint8_t first[2] = {0xF0, 0x3C}, second[2] = {0x0F, 0xFF};
    assert_true(storage.hal.program(storage.hal.ctx, 4096 + 10, first, 2));
    assert_true(storage.hal.program(storage.hal.ctx, 4096 + 10, second, 2));
    assert_true(storage.hal.read(storage.hal.ctx, 4096 + 10, bytes, 2));
    assert_int_equal(bytes[0], 0x00);
    assert_int_equal(bytes[1], 0x3C);
    assert_true(storage.hal.erase_sector(storage.hal.ctx, 1));
    assert_true(storage.hal.read(storage.hal.ctx, 4096 + 10, bytes, 2));
    assert_int_equal(bytes[0], 0xFF);
    assert_false(storage.hal.read(storage.hal.ctx, SECTORS * 4096 - 1, bytes, 2));
    assert_false(storage.hal.erase_sector(storage.hal.ctx, SECTORS));

    /* One process at a time. */
    struct port_file_storage second_open;
    assert_int_equal(port_file_storage_open(&second_open, fixture->path, SECTORS, &fixture->report), STATUS_STORE_BUSY);
    port_file_storage_close(&storage);
}

static void test_image_survives_closing_and_reopening_the_file(void **state)
{
    struct fixture *fixture = *state;
    static uint8_t image[50000];
    for (size_t i = 0; i < sizeof image; i++)
        image[i] = (uint8_t)(i * 31 + (i >> 8));
    uint32_t crc = crc32_update(0, image, sizeof image);

    struct port_file_storage storage;
    struct store store;
    check(fixture, port_file_storage_open(&storage, fixture->path, SECTORS, &fixture->report));
    check(fixture, store_mount(&store, &storage.hal, &fixture->system, &fixture->report));
    struct store_image_info info = {.format = STORE_IMAGE_FORMAT_BIN, .bin_base = 0x08000000u, .size = sizeof image};
    snprintf(info.name, sizeof info.name, "blinky.bin");
    uint32_t id;
    check(fixture, store_upload_begin(&store, &info, STORE_KEEP_ROLLBACK, &id));
    for (size_t sent = 0; sent < sizeof image; sent += 1460) {
        size_t chunk = sizeof image - sent < 1460 ? sizeof image - sent : 1460;
        check(fixture, store_upload_write(&store, image + sent, chunk));
    }
    unsigned slot;
    check(fixture, store_upload_finish(&store, &crc, &slot));
    check(fixture, store_activate(&store, slot));
    port_file_storage_close(&storage);

    /* The daemon starts again. */
    check(fixture, port_file_storage_open(&storage, fixture->path, SECTORS, &fixture->report));
    check(fixture, store_mount(&store, &storage.hal, &fixture->system, &fixture->report));
    assert_int_equal(store_current(&store), (int)slot);
    struct store_entry entries[STORE_MAX_SLOTS];
    store_list(&store, entries, STORE_MAX_SLOTS);
    assert_string_equal(entries[slot].image.info.name, "blinky.bin");
    assert_int_equal(entries[slot].image.length, sizeof image);
    check(fixture, store_verify(&store, slot));
    static uint8_t back[sizeof image];
    uint32_t got;
    check(fixture, store_read(&store, slot, 0, back, sizeof back, &got));
    assert_int_equal(got, sizeof image);
    assert_memory_equal(back, image, sizeof image);
    port_file_storage_close(&storage);
}

static void test_a_file_of_another_size_is_replaced_by_an_erased_one(void **state)
{
    struct fixture *fixture = *state;
    struct port_file_storage storage;
    check(fixture, port_file_storage_open(&storage, fixture->path, SECTORS, &fixture->report));
    assert_int_equal(storage.replaced_sectors, 0);
    uint8_t bytes[4] = {1, 2, 3, 4};
    assert_true(storage.hal.program(storage.hal.ctx, 100, bytes, sizeof bytes));
    port_file_storage_close(&storage);

    /* The same size again keeps what the file holds. */
    check(fixture, port_file_storage_open(&storage, fixture->path, SECTORS, &fixture->report));
    assert_int_equal(storage.replaced_sectors, 0);
    assert_true(storage.hal.read(storage.hal.ctx, 100, bytes, sizeof bytes));
    assert_int_equal(bytes[3], 4);
    port_file_storage_close(&storage);

    /* Another size: an erased file of the new size, and the old size said. */
    check(fixture, port_file_storage_open(&storage, fixture->path, SECTORS + 3, &fixture->report));
    assert_int_equal(storage.replaced_sectors, SECTORS);
    assert_int_equal(storage.hal.sector_count, SECTORS + 3);
    assert_true(storage.hal.read(storage.hal.ctx, 100, bytes, sizeof bytes));
    assert_int_equal(bytes[0] & bytes[1] & bytes[2] & bytes[3], 0xFF);
    struct stat info;
    assert_int_equal(stat(fixture->path, &info), 0);
    assert_int_equal(info.st_size, (SECTORS + 3) * 4096);
    /* Held by this process, it is not replaced under it by another. */
    struct port_file_storage other;
    assert_int_equal(port_file_storage_open(&other, fixture->path, SECTORS, &fixture->report), STATUS_STORE_BUSY);
    port_file_storage_close(&storage);
}

static void test_a_file_that_is_not_whole_sectors_is_refused(void **state)
{
    struct fixture *fixture = *state;
    FILE *file = fopen(fixture->path, "wb");
    assert_non_null(file);
    fputs("not a store", file);
    fclose(file);
    struct port_file_storage storage;
    assert_int_equal(port_file_storage_open(&storage, fixture->path, SECTORS, &fixture->report), STATUS_STORE_IO);
    assert_non_null(strstr(fixture->report.detail, "whole number"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_file_is_created_erased_and_programs_like_nor, setup, teardown),
        cmocka_unit_test_setup_teardown(test_image_survives_closing_and_reopening_the_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_a_file_of_another_size_is_replaced_by_an_erased_one, setup, teardown),
        cmocka_unit_test_setup_teardown(test_a_file_that_is_not_whole_sectors_is_refused, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
