/*
 * test_api_uploads.c - the two streamed uploads, an image into the store and the programmer's own firmware into its
 * slot, share one upload at a time (api_upload_claim): whichever starts second is refused with 409 busy and the
 * first goes on to its own answer; an upload cut halfway frees the way for the next. In process, over connections
 * that overlap.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "api_client.h"

#define PASSPHRASE   "a passphrase for the test"
#define SLOT_SECTORS 8
#define IMAGE_PATH   "/api/v1/images?name=app&format=bin&base=0x08000000"
#define FIRMWARE     "/api/v1/firmware"

static struct {
    struct power_cut_storage storage;
    uint8_t bytes[SLOT_SECTORS * 4096];
    unsigned activations;
} slot;

static const struct hal_storage *slot_of(void *ctx, char *why, size_t size)
{
    (void)ctx;
    (void)why;
    (void)size;
    return &slot.storage.hal;
}

static uint32_t min_security_version(void *ctx)
{
    (void)ctx;
    return 0;
}

static enum status activate(void *ctx, uint32_t size, uint32_t security_version, struct status_report *report)
{
    (void)ctx;
    (void)size;
    (void)security_version;
    (void)report;
    slot.activations++;
    return STATUS_OK;
}

static const struct firmware_update_port firmware_port = {
    .slot = slot_of, .min_security_version = min_security_version, .activate = activate};
static struct api_client client;
static uint8_t body[3000]; /* what both uploads send: bytes of no container, a plain binary image */

static int start(void **state)
{
    (void)state;
    memset(&slot, 0, sizeof slot);
    power_cut_storage_init(&slot.storage, slot.bytes, 4096, SLOT_SECTORS, 3);
    for (size_t i = 0; i < sizeof body; i++)
        body[i] = (uint8_t)(i * 7 + 1);
    api_client_start(&client, NULL, &firmware_port);
    struct api_client_response response;
    api_client_setup(&client, PASSPHRASE, &response);
    assert_int_equal(response.status, 200);
    /* Plain binaries are images in debug mode: the uploads here are about sharing the way, not signatures. */
    api_client_request(&client, "PUT", "/api/v1/settings", "{\"debug\":true}", true, &response);
    assert_int_equal(response.status, 200);
    return 0;
}

/* Opens a stream and sends a signed POST's headers for the whole body, and its first `sent` bytes. */
static void begin_post(struct api_client_stream *stream, const char *path, size_t sent)
{
    char auth[SECURE_AUTH_HEADER_MAX + 1];
    api_client_authorization(&client, "POST", path, body, sizeof body, auth, sizeof auth);
    char head[1024];
    int n = snprintf(head, sizeof head,
                     "POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nAuthorization: %s\r\n"
                     "Content-Type: application/octet-stream\r\nContent-Length: %zu\r\n\r\n",
                     path, auth, sizeof body);
    api_client_stream_open(&client, stream);
    api_client_stream_send(&client, stream, head, (size_t)n);
    api_client_stream_send(&client, stream, body, sent);
}

/* Sends the rest of the body after the first `sent` bytes, and the answer. */
static void finish_post(struct api_client_stream *stream, size_t sent, struct api_client_response *response)
{
    api_client_stream_send(&client, stream, body + sent, sizeof body - sent);
    api_client_stream_close(&client, stream, response);
}

static void post_whole(const char *path, struct api_client_response *response)
{
    static struct api_client_stream stream;
    begin_post(&stream, path, 0);
    finish_post(&stream, 0, response);
}

static void test_an_image_upload_refuses_a_firmware_upload_and_ends_well(void **state)
{
    (void)state;
    static struct api_client_stream image;
    struct api_client_response response;
    begin_post(&image, IMAGE_PATH, 1000);
    post_whole(FIRMWARE, &response);
    assert_int_equal(response.status, 409);
    assert_non_null(strstr(response.body, "\"busy\""));
    finish_post(&image, 1000, &response);
    assert_int_equal(response.status, 201);
    assert_non_null(strstr(response.body, "\"size\":3000"));
    assert_int_equal(slot.storage.programs + slot.storage.erases, 0); /* the slot was never touched */
}

static void test_a_firmware_upload_refuses_an_image_upload_and_gets_its_own_answer(void **state)
{
    (void)state;
    static struct api_client_stream firmware;
    struct api_client_response response;
    begin_post(&firmware, FIRMWARE, 0);
    post_whole(IMAGE_PATH, &response);
    assert_int_equal(response.status, 409);
    assert_non_null(strstr(response.body, "\"busy\""));
    finish_post(&firmware, 0, &response);
    /* The firmware route answers its own upload: these bytes are not a container. */
    assert_int_equal(response.status, 400);
    assert_non_null(strstr(response.body, "image-format"));
    assert_int_equal(slot.activations, 0);
    api_client_request(&client, "GET", "/api/v1/images", NULL, true, &response);
    assert_int_equal(response.status, 200);
    assert_null(strstr(response.body, "\"name\":\"app\"")); /* nothing was stored */
}

static void test_a_second_image_upload_is_refused_while_one_is_under_way(void **state)
{
    (void)state;
    static struct api_client_stream first;
    struct api_client_response response;
    begin_post(&first, IMAGE_PATH, 10);
    post_whole(IMAGE_PATH, &response);
    assert_int_equal(response.status, 409);
    finish_post(&first, 10, &response);
    assert_int_equal(response.status, 201);
}

static void test_an_upload_cut_halfway_frees_the_way(void **state)
{
    (void)state;
    static struct api_client_stream cut;
    struct api_client_response response;
    begin_post(&cut, IMAGE_PATH, 1000);
    api_client_stream_close(&client, &cut, &response); /* the client went away */
    post_whole(FIRMWARE, &response);
    assert_int_equal(response.status, 400); /* reached the slot, and was read as a container */
    assert_non_null(strstr(response.body, "image-format"));
    begin_post(&cut, FIRMWARE, 1000);
    api_client_stream_close(&client, &cut, &response);
    post_whole(IMAGE_PATH, &response);
    assert_int_equal(response.status, 201);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_an_image_upload_refuses_a_firmware_upload_and_ends_well, start),
        cmocka_unit_test_setup(test_a_firmware_upload_refuses_an_image_upload_and_gets_its_own_answer, start),
        cmocka_unit_test_setup(test_a_second_image_upload_is_refused_while_one_is_under_way, start),
        cmocka_unit_test_setup(test_an_upload_cut_halfway_frees_the_way, start),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
