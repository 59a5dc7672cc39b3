/*
 * test_service_jobs.c - flash jobs through the REST API, in process, on the simulated Blue Pill: a whole device
 * (tests/unit/api_client.h) whose jobs reach a simulated STM32F103C8, with signed containers made for the test.
 *
 *   - A refused flash changes nothing: after v1 and v2 flashed well, every refusal of the signed matrix (another
 *     key, a flipped payload or header bit, another part, an older version, a wrong image key, no signature, a
 *     truncated container, a plain image) leaves v2 current, v1 previous and the chip's flash byte for byte as it
 *     was.
 *   - The anti-rollback minimum rises with a container's flash whether or not it was verified: v7 flashed without
 *     verification, v5 is refused (and after a job stopped by a power cut mid-programming too), the chip's flash
 *     unchanged.
 *   - A power cut anywhere in a flash job (the store's last record, or the whole device mid-programming) leaves the
 *     store's roles as they were before the job, or as a finished job leaves them: never a refused or unfinished
 *     image current, never the rollback image freed for it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "api_client.h"
#include "container_test_files.h"
#include "sim_session.h"

#define PASSPHRASE "a passphrase for the jobs"
#define FLASH_SIZE (64u * 1024u)

/* The whole device's power: the target's yield can cut it mid-job (cut_after_yields), and then the storages fail
 * from their next operation on, as on a board whose supply went away. */
static struct {
    struct sim_session session;
    struct hal_system system; /* the target's system, with the cutting yield */
    struct api_client client;
    unsigned yields, cut_after_yields; /* 0: no cut */
    bool cut;
} bench;

static uint64_t target_now_us(void *ctx)
{
    (void)ctx;
    return bench.session.port.system.now_us(bench.session.port.system.ctx);
}

static void target_delay_us(void *ctx, uint32_t us)
{
    (void)ctx;
    bench.session.port.system.delay_us(bench.session.port.system.ctx, us);
}

static bool target_yield(void *ctx)
{
    (void)ctx;
    bool stop = bench.session.port.system.yield(bench.session.port.system.ctx);
    if (!bench.cut && bench.cut_after_yields != 0 && ++bench.yields == bench.cut_after_yields) {
        bench.cut = true;
        power_cut_storage_arm(&bench.client.store, 1);
        power_cut_storage_arm(&bench.client.persist, 1);
    }
    return stop || bench.cut;
}

static void target_random(void *ctx, void *buf, size_t len)
{
    (void)ctx;
    bench.session.port.system.random(bench.session.port.system.ctx, buf, len);
}

static uint8_t *chip_flash(void)
{
    return sim_flash_array(bench.session.stm32->flash);
}

static int start(void **state)
{
    (void)state;
    memset(&bench, 0, sizeof bench);
    assert_true(sim_session_create(&bench.session, "stm32f103c8", true));
    bench.system = (struct hal_system){.now_us = target_now_us, .delay_us = target_delay_us,
                                       .yield = target_yield, .random = target_random};
    const struct job_link link = {.swd = &bench.session.port.swd, .system = &bench.system,
                                  .pins = &bench.session.port.pins};
    api_client_start_with_target(&bench.client, &link);
    struct api_client_response response;
    api_client_setup(&bench.client, PASSPHRASE, &response);
    assert_int_equal(response.status, 200);
    uint8_t point[SECURE_P256_POINT_SIZE];
    container_test_point(false, point);
    struct status_report report = {0};
    assert_int_equal(service_security_add_key(&bench.client.device.service, point, &report), STATUS_OK);
    assert_int_equal(service_security_set_image_key(&bench.client.device.service, container_test_aes_key, &report),
                     STATUS_OK);
    return 0;
}

static int stop(void **state)
{
    (void)state;
    sim_session_destroy(&bench.session);
    return 0;
}

/* ---- requests ---- */

static uint32_t number_after(const char *body, const char *key)
{
    const char *at = strstr(body, key);
    return at != NULL ? (uint32_t)strtoul(at + strlen(key), NULL, 10) : 0;
}

/* Uploads a file; its image id, or 0 with the answer in *response when it was refused. */
static uint32_t upload(const uint8_t *bytes, size_t len, const char *format, struct api_client_response *response)
{
    char path[96];
    snprintf(path, sizeof path, "/api/v1/images?name=test&format=%s", format);
    api_client_post_bytes(&bench.client, path, bytes, len, response);
    return response->status == 201 ? number_after(response->body, "\"id\":") : 0;
}

static uint32_t upload_container(const struct container_test_spec *spec)
{
    size_t size;
    uint8_t *file = container_test_build(spec, &size);
    struct api_client_response response;
    uint32_t id = upload(file, size, "container", &response);
    free(file);
    assert_int_not_equal(id, 0);
    return id;
}

static struct container_test_spec spec_version(uint32_t version)
{
    struct container_test_spec spec = {.header = container_test_header()};
    spec.header.security_version = version;
    return spec;
}

/* Queues a job and runs it to its end; the job's record in *response. */
static void run_job(const char *body, struct api_client_response *response)
{
    api_client_request(&bench.client, "POST", "/api/v1/jobs", body, true, response);
    assert_int_equal(response->status, 202);
    uint32_t id = number_after(response->body, "\"id\":");
    device_run_jobs(&bench.client.device);
    char path[64];
    snprintf(path, sizeof path, "/api/v1/jobs/%lu", (unsigned long)id);
    api_client_request(&bench.client, "GET", path, NULL, true, response);
    assert_int_equal(response->status, 200);
}

static void flash(uint32_t image, bool verify, struct api_client_response *response)
{
    char body[128];
    snprintf(body, sizeof body, "{\"action\":\"flash\",\"image\":%lu,\"verify\":%s,\"reset\":false}",
             (unsigned long)image, verify ? "true" : "false");
    run_job(body, response);
}

static void flash_well(uint32_t image)
{
    struct api_client_response response;
    flash(image, true, &response);
    if (strstr(response.body, "\"state\":\"done\"") == NULL)
        fail_msg("flash of image %lu: %s", (unsigned long)image, response.body);
}

static void delete_image(uint32_t image)
{
    char path[64];
    snprintf(path, sizeof path, "/api/v1/images/%lu", (unsigned long)image);
    struct api_client_response response;
    api_client_request(&bench.client, "DELETE", path, NULL, true, &response);
    assert_int_equal(response.status, 204);
}

/* v1 (security version 5), then v2 (6), each flashed and verified: v2 current, v1 the rollback image. */
static void flash_v1_then_v2(uint32_t *v1, uint32_t *v2)
{
    *v1 = upload_container(&(struct container_test_spec){.header = spec_version(5).header});
    flash_well(*v1);
    *v2 = upload_container(&(struct container_test_spec){.header = spec_version(6).header});
    flash_well(*v2);
}

/* ---- the store's roles, as the store keeps them ---- */

struct roles {
    uint32_t current, previous; /* image ids; 0: none */
    bool current_flashed_ok;
};

static struct roles store_roles(void)
{
    struct store_entry entries[STORE_MAX_SLOTS];
    unsigned count = store_list(&bench.client.device.store, entries, STORE_MAX_SLOTS);
    struct roles roles = {0};
    for (unsigned i = 0; i < count; i++) {
        if (entries[i].current) {
            roles.current = entries[i].image.upload_id;
            roles.current_flashed_ok = entries[i].image.flashed_ok;
        }
        if (entries[i].previous)
            roles.previous = entries[i].image.upload_id;
    }
    return roles;
}

static bool roles_are(struct roles roles, uint32_t current, uint32_t previous)
{
    return roles.current == current && roles.current_flashed_ok && roles.previous == previous;
}

/* ---- a refused flash ---- */

struct refusal {
    const char *name;
    const char *error; /* the status name the job fails with, or the upload is refused with */
    struct container_test_spec spec;
    void (*damage)(uint8_t *file, size_t *size);
    bool plain; /* a plain binary instead of a container */
};

static void flip_payload_bit(uint8_t *file, size_t *size)
{
    file[*size - 10] ^= 0x01;
}

static void flip_header_bit(uint8_t *file, size_t *size)
{
    (void)size;
    file[16] ^= 0x01;
}

static void truncate_file(uint8_t *file, size_t *size)
{
    (void)file;
    *size = 200;
}

static const uint8_t other_aes_key[SECURE_AES_KEY_SIZE] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};

/* Each refused image writes where v1 and v2 do not (0x08002000), so that a flash that went ahead would show. */
static struct refusal refusal(const char *name, const char *error, uint32_t version)
{
    struct refusal r = {.name = name, .error = error, .spec = spec_version(version)};
    r.spec.header.segment_count = 1;
    r.spec.header.segments[0].base = 0x08002000;
    r.spec.header.segments[0].size = 512;
    return r;
}

static void test_a_refused_flash_leaves_the_store_and_the_chip_as_they_were(void **state)
{
    (void)state;
    uint32_t v1, v2;
    flash_v1_then_v2(&v1, &v2);
    assert_true(roles_are(store_roles(), v2, v1));
    static uint8_t before[FLASH_SIZE];
    memcpy(before, chip_flash(), FLASH_SIZE);

    struct refusal matrix[9];
    unsigned n = 0;
    matrix[n] = refusal("another key", "image-untrusted-key", 9);
    matrix[n++].spec.other_key = true;
    matrix[n] = refusal("a flipped payload bit", "image-hash", 9);
    matrix[n++].damage = flip_payload_bit;
    matrix[n] = refusal("a flipped header bit", "image-signature", 9);
    matrix[n++].damage = flip_header_bit;
    matrix[n] = refusal("another part (F411)", "target-mismatch", 9);
    matrix[n++].spec.header.targets[0] = (struct image_container_target){0x431, 512};
    matrix[n++] = refusal("an older security version", "image-rollback", 4);
    matrix[n] = refusal("another image key", "image-hash", 9);
    matrix[n++].spec.aes_key = other_aes_key;
    matrix[n] = refusal("no signature", "image-signature", 9);
    matrix[n++].spec.unsigned_file = true;
    matrix[n] = refusal("a truncated container", "image-truncated", 9);
    matrix[n++].damage = truncate_file;
    matrix[n] = refusal("a plain binary", "image-unsigned", 9);
    matrix[n++].plain = true;

    for (unsigned i = 0; i < n; i++) {
        const struct refusal *r = &matrix[i];
        size_t size;
        uint8_t *file = container_test_build(&r->spec, &size);
        if (r->damage != NULL)
            r->damage(file, &size);
        struct api_client_response response;
        uint32_t id = upload(r->plain ? before : file, r->plain ? 1024 : size, r->plain ? "bin" : "container",
                             &response);
        free(file);
        if (id != 0) {
            flash(id, true, &response);
            if (strstr(response.body, "\"state\":\"failed\"") == NULL)
                fail_msg("%s: the flash was not refused: %s", r->name, response.body);
        }
        char error[64];
        snprintf(error, sizeof error, "\"%s\"", r->error);
        if (strstr(response.body, error) == NULL)
            fail_msg("%s: refused without %s: %s", r->name, r->error, response.body);
        struct roles roles = store_roles();
        if (!roles_are(roles, v2, v1))
            fail_msg("%s: the store's roles changed: current %lu (flashed well: %d), previous %lu", r->name,
                     (unsigned long)roles.current, roles.current_flashed_ok, (unsigned long)roles.previous);
        if (memcmp(before, chip_flash(), FLASH_SIZE) != 0)
            fail_msg("%s: the chip's flash changed", r->name);
        if (id != 0)
            delete_image(id); /* room for the next one: a refused image stays staged */
    }
    print_message("%u refusals, the store and the chip unchanged after each\n", n);
}

/* ---- the anti-rollback minimum ---- */

static uint32_t min_security_version(void)
{
    struct api_client_response response;
    api_client_request(&bench.client, "GET", "/api/v1/device", NULL, true, &response);
    assert_int_equal(response.status, 200);
    assert_non_null(strstr(response.body, "\"min_security_version\":"));
    return number_after(response.body, "\"min_security_version\":");
}

static void assert_refused_as_rollback(uint32_t image, const uint8_t *chip_before)
{
    struct api_client_response response;
    flash(image, true, &response);
    if (strstr(response.body, "\"state\":\"failed\"") == NULL || strstr(response.body, "image-rollback") == NULL)
        fail_msg("the older image was not refused as a rollback: %s", response.body);
    assert_memory_equal(chip_before, chip_flash(), FLASH_SIZE);
}

static void test_a_flash_without_verification_raises_the_minimum(void **state)
{
    (void)state;
    uint32_t v5 = upload_container(&(struct container_test_spec){.header = spec_version(5).header});
    struct container_test_spec spec7 = refusal("v7", "", 7).spec;
    uint32_t v7 = upload_container(&spec7);
    struct api_client_response response;
    flash(v7, false, &response);
    assert_non_null(strstr(response.body, "\"state\":\"done\""));
    assert_int_equal(min_security_version(), 7);
    static uint8_t before[FLASH_SIZE];
    memcpy(before, chip_flash(), FLASH_SIZE);
    assert_refused_as_rollback(v5, before);
    /* And after a restart: the minimum was saved. */
    api_client_restart(&bench.client);
    assert_int_equal(min_security_version(), 7);
    assert_refused_as_rollback(v5, before);
}

static void test_a_flash_stopped_mid_programming_raises_the_minimum(void **state)
{
    (void)state;
    uint32_t v5 = upload_container(&(struct container_test_spec){.header = spec_version(5).header});
    struct container_test_spec spec7 = refusal("v7", "", 7).spec;
    uint32_t v7 = upload_container(&spec7);
    /* The job's yields stop it once it has erased (the chip no longer holds what it held). */
    static uint8_t erased[FLASH_SIZE];
    memcpy(erased, chip_flash(), FLASH_SIZE);
    unsigned n = 1;
    for (;; n++) {
        bench.cut = false;
        bench.yields = 0;
        bench.cut_after_yields = n;
        struct api_client_response response;
        flash(v7, true, &response);
        power_cut_storage_restart(&bench.client.store);
        power_cut_storage_restart(&bench.client.persist);
        assert_true(bench.cut); /* the loop ends before the job would finish */
        if (memcmp(erased, chip_flash(), FLASH_SIZE) != 0)
            break;
    }
    bench.cut_after_yields = 0;
    bench.cut = false;
    /* The cut stopped the device, not the target: the flash loader goes on programming what the device had queued
     * in its ring (a few milliseconds' worth), then waits for more. The chip is compared once it has. */
    bench.session.port.system.delay_us(bench.session.port.system.ctx, 100000);
    api_client_restart(&bench.client);
    assert_int_equal(min_security_version(), 7);
    static uint8_t before[FLASH_SIZE];
    memcpy(before, chip_flash(), FLASH_SIZE);
    assert_refused_as_rollback(v5, before);
    print_message("stopped after %u yields, with the chip's flash changed\n", n);
}

/* ---- power cuts ---- */

/* The device as it was: the store's and the settings' flash, and the chip's flash. */
static struct {
    uint8_t store[sizeof bench.client.store_bytes];
    uint8_t persist[sizeof bench.client.persist_bytes];
    uint8_t chip[FLASH_SIZE];
} saved;

static void save_device(void)
{
    memcpy(saved.store, bench.client.store_bytes, sizeof saved.store);
    memcpy(saved.persist, bench.client.persist_bytes, sizeof saved.persist);
    memcpy(saved.chip, chip_flash(), FLASH_SIZE);
}

static void restore_device(void)
{
    memcpy(bench.client.store_bytes, saved.store, sizeof saved.store);
    memcpy(bench.client.persist_bytes, saved.persist, sizeof saved.persist);
    memcpy(chip_flash(), saved.chip, FLASH_SIZE);
    bench.cut = false;
    bench.yields = 0;
    bench.cut_after_yields = 0;
    api_client_restart(&bench.client);
}

static void test_a_power_cut_in_a_flash_job_leaves_the_roles_before_or_after_it(void **state)
{
    (void)state;
    uint32_t v1, v2;
    flash_v1_then_v2(&v1, &v2);
    struct container_test_spec spec3 = refusal("v3", "", 7).spec;
    uint32_t v3 = upload_container(&spec3);
    save_device();

    /* The store's operations in a whole job: the cuts below fall in each of them. */
    power_cut_storage_arm(&bench.client.store, 0);
    flash_well(v3);
    uint64_t operations = bench.client.store.operations;
    assert_true(roles_are(store_roles(), v3, v2));
    assert_true(operations > 0);
    unsigned before = 0, after = 0;
    /* Each cut point with several seeds: the record torn at different places, or written whole. */
    for (uint64_t trial = 0; trial < 16 * operations; trial++) {
        uint64_t k = trial % operations + 1;
        restore_device();
        bench.client.store.random_state = (uint32_t)trial + 1;
        power_cut_storage_arm(&bench.client.store, k);
        struct api_client_response response;
        flash(v3, true, &response);
        api_client_restart(&bench.client);
        struct roles roles = store_roles();
        if (roles_are(roles, v2, v1))
            before++;
        else if (roles_are(roles, v3, v2))
            after++;
        else
            fail_msg("store cut in operation %lu of %lu: current %lu (flashed well: %d), previous %lu",
                     (unsigned long)k, (unsigned long)operations, (unsigned long)roles.current,
                     roles.current_flashed_ok, (unsigned long)roles.previous);
    }

    assert_true(before > 0 && after > 0);

    /* The whole device loses power after n of the job's yields: mid-connection, mid-erase, mid-programming. */
    unsigned cuts = 0;
    for (unsigned n = 1;; n += n / 2 + 1) {
        restore_device();
        bench.cut_after_yields = n;
        struct api_client_response response;
        flash(v3, true, &response);
        if (!bench.cut)
            break; /* the job ended before its n-th yield */
        cuts++;
        bool chip_changed = memcmp(saved.chip, chip_flash(), FLASH_SIZE) != 0;
        api_client_restart(&bench.client);
        struct roles roles = store_roles();
        if (!roles_are(roles, v2, v1))
            fail_msg("power cut after %u yields (chip changed: %d): current %lu (flashed well: %d), previous %lu", n,
                     chip_changed, (unsigned long)roles.current, roles.current_flashed_ok,
                     (unsigned long)roles.previous);
    }
    assert_true(cuts > 3);
    print_message("store cuts: %u left the roles before the job, %u after it; %u device cuts mid-job left them "
                  "before it\n",
                  before, after, cuts);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_a_refused_flash_leaves_the_store_and_the_chip_as_they_were, start, stop),
        cmocka_unit_test_setup_teardown(test_a_flash_without_verification_raises_the_minimum, start, stop),
        cmocka_unit_test_setup_teardown(test_a_flash_stopped_mid_programming_raises_the_minimum, start, stop),
        cmocka_unit_test_setup_teardown(test_a_power_cut_in_a_flash_job_leaves_the_roles_before_or_after_it, start,
                                        stop),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
