/*
 * test_service_security.c - the security state never fails open, on the core's settings keeper (the ESP8266's way:
 * src/service/service_persist_flash.c on RAM flash with faults injected), through the REST API in process:
 *   - a setup whose record cannot be saved answers 500 and changes nothing, in RAM or after a restart; so do the
 *     other changes (debug mode, keys);
 *   - a damaged, wrong-sized, missing or unreadable security record leaves the device refusing setup and every
 *     protected request, with a sentence naming the factory reset, until one is made;
 *   - the anti-rollback minimum lives in its own record: no damage of the security record lowers it, and a damaged
 *     anti-rollback record leaves the device refusing too.
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

#define PASSPHRASE "the owner's passphrase"

static struct api_client client;

static int start(void **state)
{
    (void)state;
    api_client_start(&client, NULL, NULL);
    return 0;
}

static void request(const char *method, const char *path, const char *body, struct api_client_response *response)
{
    api_client_request(&client, method, path, body, true, response);
}

static bool setup_required(void)
{
    struct api_client_response response;
    request("GET", "/api/v1/device", NULL, &response);
    assert_int_equal(response.status, 200);
    return strstr(response.body, "\"setup_required\":true") != NULL;
}

/* The minimum the service holds (read in process: a damaged or unset device shows its status to nobody). */
static uint32_t min_security_version(void)
{
    struct secure_image_policy policy;
    bool signed_only;
    service_image_policy(&client.device.service, &policy, &signed_only);
    return policy.min_security_version;
}

static void setup_well(void)
{
    struct api_client_response response;
    api_client_setup(&client, PASSPHRASE, &response);
    assert_int_equal(response.status, 200);
}

/* Every operation of the settings flash fails from now on (power_cut_storage: a cut at the next one). */
static void break_settings_flash(void)
{
    power_cut_storage_arm(&client.persist, 1);
}

static void assert_damage_refusal(const struct api_client_response *response)
{
    assert_int_equal(response->status, 500);
    if (strstr(response->body, "\"security-damaged\"") == NULL || strstr(response->body, "factory reset") == NULL)
        fail_msg("not refused as a damaged security state naming the factory reset: %s", response->body);
}

/* Setup and a protected request are both refused as damage; GET /device says so. */
static void assert_refusing_everything(void)
{
    struct api_client_response response;
    client.signing = false; /* the summary, which anyone reads */
    request("GET", "/api/v1/device", NULL, &response);
    assert_non_null(strstr(response.body, "\"security_damaged\":true"));
    assert_non_null(strstr(response.body, "\"setup_required\":false"));
    api_client_setup(&client, "an attacker's passphrase", &response);
    assert_damage_refusal(&response);
    client.signing = true;
    request("PUT", "/api/v1/settings", "{\"debug\":true}", &response);
    assert_damage_refusal(&response);
}

static void test_a_setup_that_cannot_be_saved_fails_and_changes_nothing(void **state)
{
    (void)state;
    break_settings_flash();
    struct api_client_response response;
    api_client_setup(&client, PASSPHRASE, &response);
    assert_int_equal(response.status, 500);
    assert_non_null(strstr(response.body, "\"security-save\""));
    assert_true(setup_required()); /* nothing changed in RAM */
    api_client_restart(&client);
    assert_true(setup_required()); /* nor on flash */
    setup_well();
    api_client_restart(&client);
    assert_false(setup_required());
    request("PUT", "/api/v1/settings", "{\"debug\":false}", &response);
    assert_int_equal(response.status, 200); /* the key set up is the one in force */
}

static void test_a_change_that_cannot_be_saved_fails_and_changes_nothing(void **state)
{
    (void)state;
    setup_well();
    break_settings_flash();
    struct api_client_response response;
    request("PUT", "/api/v1/settings", "{\"debug\":true}", &response);
    assert_int_equal(response.status, 500);
    assert_non_null(strstr(response.body, "\"security-save\""));
    assert_false(service_security_debug(&client.device.service));
    uint8_t point[SECURE_P256_POINT_SIZE] = {0x04};
    struct status_report report = {0};
    assert_int_equal(service_security_add_key(&client.device.service, point, &report), STATUS_SECURITY_SAVE);
    struct secure_image_policy policy;
    bool signed_only;
    service_image_policy(&client.device.service, &policy, &signed_only);
    assert_int_equal(policy.key_count, 0);
    assert_true(signed_only);
    /* The minimum cannot rise unsaved either: a flash job is refused before its first erase. */
    assert_int_equal(service_raise_min_version(&client.device.service, 9, &report), STATUS_SECURITY_SAVE);
    assert_int_equal(min_security_version(), 0);
}

/* A record put under the security tag in place of the service's. */
static void put_security_blob(const uint8_t *bytes, size_t len)
{
    assert_int_equal(persist_flash_put(&client.device.persist_flash.keeper, PERSIST_TAG_SECURITY, bytes, len),
                     STATUS_OK);
}

static void raise_min_to_7(void)
{
    struct status_report report = {0};
    assert_int_equal(service_raise_min_version(&client.device.service, 7, &report), STATUS_OK);
}

static void test_a_damaged_security_record_refuses_everything_until_a_factory_reset(void **state)
{
    (void)state;
    setup_well();
    raise_min_to_7();
    /* The record with one bit flipped (its CRC no longer matches), as the keeper holds it. */
    uint8_t record[SERVICE_SECURITY_RECORD_SIZE];
    size_t len;
    assert_int_equal(persist_flash_get(&client.device.persist_flash.keeper, PERSIST_TAG_SECURITY, record,
                                       sizeof record, &len),
                     STATUS_OK);
    record[40] ^= 0x10;
    put_security_blob(record, sizeof record);
    api_client_restart(&client);
    assert_refusing_everything();
    assert_int_equal(min_security_version(), 7); /* from its own record */

    /* The factory reset (the button): setup is open again, the minimum stays. */
    service_security_factory_reset(&client.device.service);
    api_client_restart(&client);
    assert_true(setup_required());
    assert_int_equal(min_security_version(), 7);
    setup_well();
}

static void test_a_record_of_another_size_or_a_missing_one_is_damage(void **state)
{
    (void)state;
    setup_well();
    const uint8_t short_record[100] = {0};
    put_security_blob(short_record, sizeof short_record);
    api_client_restart(&client);
    assert_refusing_everything();

    /* No security record at all beside the anti-rollback record (written at setup): damage, not a fresh device. */
    memset(client.persist_bytes, 0xFF, sizeof client.persist_bytes);
    api_client_restart(&client);
    assert_true(setup_required()); /* a blank settings flash: a fresh device */
    setup_well();
    uint8_t rollback[SERVICE_ROLLBACK_RECORD_SIZE];
    size_t len;
    assert_int_equal(persist_flash_get(&client.device.persist_flash.keeper, PERSIST_TAG_ANTI_ROLLBACK, rollback,
                                       sizeof rollback, &len),
                     STATUS_OK);
    memset(client.persist_bytes, 0xFF, sizeof client.persist_bytes);
    api_client_restart(&client);
    assert_int_equal(persist_flash_put(&client.device.persist_flash.keeper, PERSIST_TAG_ANTI_ROLLBACK, rollback,
                                       sizeof rollback),
                     STATUS_OK);
    api_client_restart(&client);
    assert_refusing_everything();
}

static bool failing_read(void *ctx, uint32_t offset, void *buf, uint32_t len)
{
    (void)ctx;
    (void)offset;
    (void)buf;
    (void)len;
    return false;
}

static void test_an_unreadable_settings_flash_refuses_everything(void **state)
{
    (void)state;
    setup_well();
    client.persist.hal.read = failing_read;
    api_client_restart(&client);
    assert_refusing_everything();
}

static void test_a_damaged_anti_rollback_record_refuses_and_the_reset_keeps_the_copy(void **state)
{
    (void)state;
    setup_well();
    raise_min_to_7();
    const uint8_t damaged[SERVICE_ROLLBACK_RECORD_SIZE] = {'A', 'M', 'I', 'N', 0, 0, 0, 0, 1, 2, 3, 4};
    assert_int_equal(persist_flash_put(&client.device.persist_flash.keeper, PERSIST_TAG_ANTI_ROLLBACK, damaged,
                                       sizeof damaged),
                     STATUS_OK);
    api_client_restart(&client);
    assert_refusing_everything();
    service_security_factory_reset(&client.device.service);
    api_client_restart(&client);
    assert_true(setup_required());
    assert_int_equal(min_security_version(), 7); /* the security record's copy */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_a_setup_that_cannot_be_saved_fails_and_changes_nothing, start),
        cmocka_unit_test_setup(test_a_change_that_cannot_be_saved_fails_and_changes_nothing, start),
        cmocka_unit_test_setup(test_a_damaged_security_record_refuses_everything_until_a_factory_reset, start),
        cmocka_unit_test_setup(test_a_record_of_another_size_or_a_missing_one_is_damage, start),
        cmocka_unit_test_setup(test_an_unreadable_settings_flash_refuses_everything, start),
        cmocka_unit_test_setup(test_a_damaged_anti_rollback_record_refuses_and_the_reset_keeps_the_copy, start),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
