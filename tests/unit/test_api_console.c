/*
 * test_api_console.c - the console in the API (src/net/api_console.c), in process, with a console that records what
 * it is given: POST and PUT /api/v1/console and the console events of a signed event stream, their refusals, and
 * a stream whose client falls behind, which must get every byte once and in order.
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

#define PASSPHRASE   "a passphrase for the test"
#define OUTPUT_BYTES 3000u

static struct {
    uint8_t output[OUTPUT_BYTES]; /* what the target sent, position 0 on */
    uint8_t line[64];             /* what was queued for the line */
    size_t line_len, line_room;
    uint32_t baud;
} console;

static size_t console_read(void *ctx, uint64_t *cursor, uint8_t *bytes, size_t len)
{
    (void)ctx;
    size_t count = 0;
    while (count < len && *cursor < OUTPUT_BYTES)
        bytes[count++] = console.output[(*cursor)++];
    return count;
}

static size_t console_write(void *ctx, const uint8_t *bytes, size_t len)
{
    (void)ctx;
    size_t taken = len < console.line_room ? len : console.line_room;
    memcpy(console.line + console.line_len, bytes, taken);
    console.line_len += taken;
    console.line_room -= taken;
    return taken;
}

static uint32_t console_line_baud(void *ctx, uint32_t baud)
{
    (void)ctx;
    if (baud != 0)
        console.baud = baud;
    return console.baud;
}

static const struct api_console test_console = {
    .read = console_read, .write = console_write, .line_baud = console_line_baud};
static struct api_client client;

static int start(void **state)
{
    (void)state;
    memset(&console, 0, sizeof console);
    for (unsigned i = 0; i < OUTPUT_BYTES; i++)
        console.output[i] = (uint8_t)(i * 7u + 3u);
    console.baud = 115200;
    api_client_start(&client, NULL, NULL);
    client.device.api.console = &test_console;
    struct api_client_response response;
    api_client_setup(&client, PASSPHRASE, &response);
    assert_int_equal(response.status, 200);
    return 0;
}

static void debug_mode(bool on)
{
    struct api_client_response response;
    api_client_request(&client, "PUT", "/api/v1/settings", on ? "{\"debug\":true}" : "{\"debug\":false}", true,
                       &response);
    assert_int_equal(response.status, 200);
}

static void test_post_is_refused_without_debug_mode_and_takes_what_the_line_has_room_for(void **state)
{
    (void)state;
    struct api_client_response response;
    console.line_room = 3;
    api_client_post_bytes(&client, "/api/v1/console", "hello", 5, &response);
    assert_int_equal(response.status, 403);
    assert_non_null(strstr(response.body, "debug-mode-off"));
    assert_int_equal(console.line_len, 0);
    debug_mode(true);
    api_client_post_bytes(&client, "/api/v1/console", "hello", 5, &response);
    assert_int_equal(response.status, 200);
    assert_string_equal(response.body, "{\"taken\":3}");
    assert_memory_equal(console.line, "hel", 3);
    assert_int_equal(console.line_len, 3);
}

static void test_put_sets_the_line_baud_rate_and_refuses_what_is_not_one(void **state)
{
    (void)state;
    struct api_client_response response;
    api_client_request(&client, "PUT", "/api/v1/console", "{\"baud\":9600}", true, &response);
    assert_int_equal(response.status, 403);
    debug_mode(true);
    api_client_request(&client, "PUT", "/api/v1/console", "{\"baud\":9600}", true, &response);
    assert_int_equal(response.status, 200);
    assert_string_equal(response.body, "{\"baud\":9600}");
    assert_int_equal(console.baud, 9600);
    api_client_request(&client, "PUT", "/api/v1/console", "{\"baud\":12}", true, &response);
    assert_int_equal(response.status, 400);
    api_client_request(&client, "PUT", "/api/v1/console", "{\"baud\":9600,\"parity\":\"even\"}", true, &response);
    assert_int_equal(response.status, 400);
    assert_int_equal(console.baud, 9600);
}

/* Opens a signed GET /api/v1/events?console=FROM on stream. */
static void open_console_stream(struct api_client_stream *stream, const char *path)
{
    char auth[SECURE_AUTH_HEADER_MAX + 1], request[1024];
    api_client_authorization(&client, "GET", path, "", 0, auth, sizeof auth);
    int n = snprintf(request, sizeof request, "GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: %s\r\n\r\n", path,
                     auth);
    api_client_stream_open(&client, stream);
    api_client_stream_send(&client, stream, request, (size_t)n);
    assert_non_null(strstr(stream->received, "HTTP/1.1 200"));
}

/* What the connection wrote since, appended to text (chunk framing and all). */
static void drain(struct api_client_stream *stream, char *text, size_t size)
{
    const uint8_t *bytes;
    size_t len, used = strlen(text);
    while (http_connection_output(&stream->conn, &bytes, &len)) {
        assert_true(used + len < size);
        memcpy(text + used, bytes, len);
        used += len;
        text[used] = '\0';
        http_connection_consumed(&stream->conn, len);
    }
}

/* The output the console events in text carry, in order, each starting where the previous one ended. */
static size_t console_bytes(const char *text, uint8_t *out, size_t size, uint64_t first)
{
    size_t count = 0;
    uint64_t expected = first;
    for (const char *at = strstr(text, "data: {\"at\":"); at != NULL; at = strstr(at + 1, "data: {\"at\":")) {
        unsigned long long position = strtoull(at + 12, NULL, 10);
        assert_int_equal(position, expected);
        const char *hex = strstr(at, "\"hex\":\"") + 7;
        for (; *hex != '"'; hex += 2) {
            unsigned value;
            sscanf(hex, "%2x", &value);
            assert_true(count < size);
            out[count++] = (uint8_t)value;
        }
        expected = first + count;
    }
    return count;
}

static void test_the_stream_carries_the_output_once_and_in_order_when_its_client_falls_behind(void **state)
{
    (void)state;
    static struct api_client_stream stream;
    static char text[16384];
    static uint8_t got[OUTPUT_BYTES];
    open_console_stream(&stream, "/api/v1/events?console=0");
    text[0] = '\0';
    api_pump(&client.device.api);
    drain(&stream, text, sizeof text);
    assert_non_null(strstr(text, "event: console\ndata: {\"open\":false}"));
    assert_null(strstr(text, "\"at\":"));

    debug_mode(true);
    /* The client reads nothing for three pumps: the output buffer fills, and the rest waits. */
    for (unsigned i = 0; i < 3; i++)
        api_pump(&client.device.api);
    for (unsigned i = 0; i < 20; i++) {
        drain(&stream, text, sizeof text);
        api_pump(&client.device.api);
    }
    drain(&stream, text, sizeof text);
    assert_non_null(strstr(text, "data: {\"open\":true,\"baud\":115200}"));
    assert_int_equal(console_bytes(text, got, sizeof got, 0), OUTPUT_BYTES);
    assert_memory_equal(got, console.output, OUTPUT_BYTES);

    debug_mode(false);
    api_pump(&client.device.api);
    text[0] = '\0';
    drain(&stream, text, sizeof text);
    assert_non_null(strstr(text, "data: {\"open\":false}"));
    http_connection_close(&stream.conn);
}

static void test_a_stream_starts_where_it_asks(void **state)
{
    (void)state;
    static struct api_client_stream stream;
    static char text[16384];
    static uint8_t got[OUTPUT_BYTES];
    debug_mode(true);
    open_console_stream(&stream, "/api/v1/events?console=2900");
    text[0] = '\0';
    for (unsigned i = 0; i < 4; i++) {
        api_pump(&client.device.api);
        drain(&stream, text, sizeof text);
    }
    assert_int_equal(console_bytes(text, got, sizeof got, 2900), OUTPUT_BYTES - 2900);
    assert_memory_equal(got, console.output + 2900, OUTPUT_BYTES - 2900);
    http_connection_close(&stream.conn);
}

static void test_the_console_is_read_through_a_signed_stream_only(void **state)
{
    (void)state;
    struct api_client_response response;
    api_client_request(&client, "PUT", "/api/v1/settings", "{\"public_status\":true,\"debug\":true}", true, &response);
    assert_int_equal(response.status, 200);
    api_client_request(&client, "GET", "/api/v1/events?console=0", NULL, false, &response);
    assert_int_equal(response.status, 401);
    assert_non_null(strstr(response.body, "signed event stream"));
    api_client_request(&client, "GET", "/api/v1/events?console=-1", NULL, true, &response);
    assert_int_equal(response.status, 400);
}

static void test_a_device_without_a_console_says_so(void **state)
{
    (void)state;
    struct api_client_response response;
    client.device.api.console = NULL;
    debug_mode(true);
    api_client_post_bytes(&client, "/api/v1/console", "x", 1, &response);
    assert_int_equal(response.status, 404);
    assert_non_null(strstr(response.body, "no-console"));
    api_client_request(&client, "GET", "/api/v1/events?console=0", NULL, true, &response);
    assert_int_equal(response.status, 404);
    api_client_request(&client, "GET", "/api/v1/device", NULL, true, &response);
    assert_non_null(strstr(response.body, "\"console\":false"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_post_is_refused_without_debug_mode_and_takes_what_the_line_has_room_for, start),
        cmocka_unit_test_setup(test_put_sets_the_line_baud_rate_and_refuses_what_is_not_one, start),
        cmocka_unit_test_setup(test_the_stream_carries_the_output_once_and_in_order_when_its_client_falls_behind,
                               start),
        cmocka_unit_test_setup(test_a_stream_starts_where_it_asks, start),
        cmocka_unit_test_setup(test_the_console_is_read_through_a_signed_stream_only, start),
        cmocka_unit_test_setup(test_a_device_without_a_console_says_so, start),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
