/*
 * test_secure_image.c - secure_image_check() accepts a good signed container and refuses each kind of bad one
 * with its own status, in the documented order.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "container_test_files.h"
#include "secure/secure_image.h"

struct memory_file {
    const uint8_t *bytes;
    size_t size;
};

static long memory_read(void *ctx, uint32_t offset, uint8_t *buf, uint32_t len)
{
    const struct memory_file *file = ctx;
    if (offset >= file->size)
        return 0;
    if (len > file->size - offset)
        len = (uint32_t)(file->size - offset);
    if (len > 100) /* short reads, as a store may give */
        len = 100;
    memcpy(buf, file->bytes + offset, len);
    return (long)len;
}

static struct secure_image_policy test_policy(void)
{
    struct secure_image_policy policy = {.min_security_version = 5, .has_aes_key = true};
    memcpy(policy.aes_key, container_test_aes_key, SECURE_AES_KEY_SIZE);
    uint8_t point[SECURE_P256_POINT_SIZE];
    container_test_point(false, point);
    assert_true(secure_image_policy_add_key(&policy, point));
    return policy;
}

static const struct secure_image_target f103 = {.dev_id = 0x410, .flash_kb = 64, .flash_base = 0x08000000};

static enum status check(const uint8_t *bytes, size_t size, const struct secure_image_policy *policy,
                         const struct secure_image_target *target, struct status_report *report)
{
    static struct secure_image_work work;
    struct memory_file memory = {bytes, size};
    struct secure_image_file file = {memory_read, &memory};
    struct secure_image_info info;
    status_clear(report);
    enum status status = secure_image_check(&work, &file, policy, target, &info, report);
    assert_true(status == STATUS_OK || report->detail[0] != '\0');
    return status;
}

/* Builds spec's file and checks it with the test policy against the F103. */
static enum status check_spec(const struct container_test_spec *spec, const struct secure_image_policy *policy,
                              const struct secure_image_target *target, struct status_report *report)
{
    size_t size;
    uint8_t *file = container_test_build(spec, &size);
    enum status status = check(file, size, policy, target, report);
    free(file);
    return status;
}

static void test_good_images_pass(void **state)
{
    (void)state;
    struct secure_image_policy policy = test_policy();
    struct status_report report;
    struct container_test_spec spec = {.header = container_test_header()};
    assert_int_equal(check_spec(&spec, &policy, &f103, &report), STATUS_OK);
    spec.aes_key = container_test_aes_key;
    assert_int_equal(check_spec(&spec, &policy, &f103, &report), STATUS_OK);
    spec.header.target_count = 0; /* any part */
    assert_int_equal(check_spec(&spec, &policy, &f103, &report), STATUS_OK);
}

static void test_untrusted_key_fails(void **state)
{
    (void)state;
    struct secure_image_policy policy = test_policy();
    struct status_report report;
    struct container_test_spec spec = {.header = container_test_header(), .other_key = true};
    assert_int_equal(check_spec(&spec, &policy, &f103, &report), STATUS_IMAGE_UNTRUSTED_KEY);
    assert_non_null(strstr(report.detail, "which this device does not trust"));
}

static void test_unsigned_image_fails(void **state)
{
    (void)state;
    struct secure_image_policy policy = test_policy();
    struct status_report report;
    struct container_test_spec spec = {.header = container_test_header(), .unsigned_file = true};
    assert_int_equal(check_spec(&spec, &policy, &f103, &report), STATUS_IMAGE_SIGNATURE);
}

static void test_flipped_bits_fail(void **state)
{
    (void)state;
    struct secure_image_policy policy = test_policy();
    struct status_report report;
    struct container_test_spec spec = {.header = container_test_header(), .aes_key = container_test_aes_key};
    size_t size;
    uint8_t *file = container_test_build(&spec, &size);
    file[size - 10] ^= 0x04; /* payload */
    assert_int_equal(check(file, size, &policy, &f103, &report), STATUS_IMAGE_HASH);
    file[size - 10] ^= 0x04;
    file[IMAGE_CONTAINER_AT_SECURITY_VERSION] ^= 0x10; /* header: a higher version, not signed */
    assert_int_equal(check(file, size, &policy, &f103, &report), STATUS_IMAGE_SIGNATURE);
    file[IMAGE_CONTAINER_AT_SECURITY_VERSION] ^= 0x10;
    file[IMAGE_CONTAINER_HEADER_SIZE + 10] ^= 0x01; /* the signature itself */
    enum status status = check(file, size, &policy, &f103, &report);
    assert_int_equal(status, STATUS_IMAGE_SIGNATURE);
    file[IMAGE_CONTAINER_HEADER_SIZE + 10] ^= 0x01;
    assert_int_equal(check(file, size, &policy, &f103, &report), STATUS_OK);
    free(file);
}

static void test_other_part_fails(void **state)
{
    (void)state;
    struct secure_image_policy policy = test_policy();
    struct status_report report;
    struct container_test_spec spec = {.header = container_test_header()};
    const struct secure_image_target f103_high = {.dev_id = 0x414, .flash_kb = 512, .flash_base = 0x08000000};
    assert_int_equal(check_spec(&spec, &policy, &f103_high, &report), STATUS_TARGET_MISMATCH);
    assert_non_null(strstr(report.detail, "image is for 0x410"));
    const struct secure_image_target small = {.dev_id = 0x410, .flash_kb = 32, .flash_base = 0x08000000};
    assert_int_equal(check_spec(&spec, &policy, &small, &report), STATUS_TARGET_MISMATCH);
    const struct secure_image_target moved = {.dev_id = 0x410, .flash_kb = 64, .flash_base = 0x00000000};
    assert_int_equal(check_spec(&spec, &policy, &moved, &report), STATUS_TARGET_MISMATCH);
}

static void test_older_version_fails(void **state)
{
    (void)state;
    struct secure_image_policy policy = test_policy();
    struct status_report report;
    struct container_test_spec spec = {.header = container_test_header()};
    spec.header.security_version = 3;
    assert_int_equal(check_spec(&spec, &policy, &f103, &report), STATUS_IMAGE_ROLLBACK);
    assert_string_equal(report.detail, "security version 3 is older than the minimum 5 this device accepts");
}

static void test_wrong_or_missing_aes_key_fails(void **state)
{
    (void)state;
    struct secure_image_policy policy = test_policy();
    struct status_report report;
    struct container_test_spec spec = {.header = container_test_header(), .aes_key = container_test_aes_key};
    policy.aes_key[3] ^= 1;
    assert_int_equal(check_spec(&spec, &policy, &f103, &report), STATUS_IMAGE_HASH);
    policy.has_aes_key = false;
    assert_int_equal(check_spec(&spec, &policy, &f103, &report), STATUS_IMAGE_ENCRYPTED);
}

static void test_truncated_file_fails_first(void **state)
{
    (void)state;
    struct secure_image_policy policy = test_policy();
    struct status_report report;
    struct container_test_spec spec = {.header = container_test_header(), .other_key = true};
    size_t size;
    uint8_t *file = container_test_build(&spec, &size);
    assert_int_equal(check(file, size - 1, &policy, &f103, &report), STATUS_IMAGE_TRUNCATED);
    free(file);
}

/* The programmer's own firmware: one plain segment at 0, no targets, base 0, flag 1. */
static struct container_test_spec programmer_spec(void)
{
    struct container_test_spec spec = {.header = {.flags = IMAGE_CONTAINER_FLAG_PROGRAMMER, .security_version = 5,
                                                  .segment_count = 1, .segments = {{0, 1000}}}};
    return spec;
}

static void test_programmer_firmware_passes_for_the_programmer_only(void **state)
{
    (void)state;
    struct secure_image_policy policy = test_policy();
    struct status_report report;
    const struct secure_image_target programmer = {.programmer = true};
    struct container_test_spec spec = programmer_spec();
    assert_int_equal(check_spec(&spec, &policy, &programmer, &report), STATUS_OK);
    assert_int_equal(check_spec(&spec, &policy, &f103, &report), STATUS_TARGET_MISMATCH);
    assert_non_null(strstr(report.detail, "programmer's own firmware"));
    struct container_test_spec stm32 = {.header = container_test_header()};
    assert_int_equal(check_spec(&stm32, &policy, &programmer, &report), STATUS_TARGET_MISMATCH);
    assert_non_null(strstr(report.detail, "not the programmer's firmware"));
    /* the rest of the checks hold for it as for any container */
    spec.other_key = true;
    assert_int_equal(check_spec(&spec, &policy, &programmer, &report), STATUS_IMAGE_UNTRUSTED_KEY);
    spec = programmer_spec();
    spec.header.security_version = 4;
    assert_int_equal(check_spec(&spec, &policy, &programmer, &report), STATUS_IMAGE_ROLLBACK);
}

static void test_programmer_firmware_layout_is_strict(void **state)
{
    (void)state;
    struct secure_image_policy policy = test_policy();
    struct status_report report;
    const struct secure_image_target programmer = {.programmer = true};
    struct container_test_spec spec = programmer_spec();
    spec.header.segments[0].base = 0x1000; /* not at the slot's start */
    assert_int_equal(check_spec(&spec, &policy, &programmer, &report), STATUS_IMAGE_FORMAT);
    spec = programmer_spec();
    spec.header.target_count = 1;
    spec.header.targets[0] = (struct image_container_target){0x410, 64};
    assert_int_equal(check_spec(&spec, &policy, &programmer, &report), STATUS_IMAGE_FORMAT);
    spec = programmer_spec();
    spec.aes_key = container_test_aes_key; /* a firmware update is never encrypted */
    spec.header.flags |= IMAGE_CONTAINER_FLAG_ENCRYPTED;
    assert_int_equal(check_spec(&spec, &policy, &programmer, &report), STATUS_IMAGE_FORMAT);
}

static void test_work_sizes(void **state)
{
    (void)state;
    printf("sizeof(struct secure_image_work) = %zu, sizeof(struct secure_image_policy) = %zu, "
           "sizeof(struct secure_sha256) = %zu\n",
           sizeof(struct secure_image_work), sizeof(struct secure_image_policy), sizeof(struct secure_sha256));
    assert_true(sizeof(struct secure_image_work) <= 1024);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good_images_pass),
        cmocka_unit_test(test_untrusted_key_fails),
        cmocka_unit_test(test_unsigned_image_fails),
        cmocka_unit_test(test_flipped_bits_fail),
        cmocka_unit_test(test_other_part_fails),
        cmocka_unit_test(test_older_version_fails),
        cmocka_unit_test(test_wrong_or_missing_aes_key_fails),
        cmocka_unit_test(test_truncated_file_fails_first),
        cmocka_unit_test(test_programmer_firmware_passes_for_the_programmer_only),
        cmocka_unit_test(test_programmer_firmware_layout_is_strict),
        cmocka_unit_test(test_work_sizes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
