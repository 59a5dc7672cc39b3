/*
 * test_api_board.c - GET/PUT /api/v1/board and the setup rule of a port with a board (src/net/api_board.c), and
 * what setup and the board refuse before a body, in process, with a board that records what it is given: the ESP8266's routes without the ESP8266.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "api_client.h"

#define PASSPHRASE "a passphrase for the test"

static struct {
    struct api_board_settings settings;
    unsigned sets;
    bool setup_open;
    char last_password[API_WIFI_PASSWORD_MAX + 1];
} board;

static bool setup_allowed(void *ctx, const struct http_request *req, char *why, size_t size)
{
    (void)ctx;
    (void)req;
    snprintf(why, size, "come closer");
    return board.setup_open;
}

static void get(void *ctx, struct api_board_settings *settings, struct api_board_status *status)
{
    (void)ctx;
    *settings = board.settings;
    settings->wifi_password[0] = '\0';
    status->station_connected = true;
    snprintf(status->station_address, sizeof status->station_address, "192.168.1.50");
    status->rssi = -61;
    snprintf(status->hostname, sizeof status->hostname, "airswd-0a0b0c");
}

/* Refuses SWCLK on GPIO6 (the flash's pins), as the ESP8266's board does. */
static enum status set(void *ctx, const struct api_board_settings *settings, struct status_report *report)
{
    (void)ctx;
    if (settings->pin_swclk == 6)
        return status_fail(report, STATUS_INVALID_ARGUMENT, "swclk on GPIO6: GPIO6 is wired to the SPI flash");
    board.settings = *settings;
    snprintf(board.last_password, sizeof board.last_password, "%s", settings->wifi_password);
    board.sets++;
    return STATUS_OK;
}

static const struct api_board test_board = {.setup_allowed = setup_allowed, .get = get, .set = set};
static struct api_client client;

static int start(void **state)
{
    (void)state;
    memset(&board, 0, sizeof board);
    board.settings = (struct api_board_settings){.wifi_ssid = "home", .pin_swclk = 14, .pin_swdio = 13,
                                                 .pin_nrst = 4, .pin_boot0 = API_PIN_NONE};
    board.setup_open = true;
    api_client_start(&client, &test_board, NULL);
    return 0;
}

static void test_setup_is_refused_when_the_board_says_so(void **state)
{
    (void)state;
    struct api_client_response response;
    board.setup_open = false;
    api_client_setup(&client, PASSPHRASE, &response);
    assert_int_equal(response.status, 403);
    assert_non_null(strstr(response.body, "setup-closed"));
    assert_non_null(strstr(response.body, "come closer"));
    board.setup_open = true;
    api_client_setup(&client, PASSPHRASE, &response);
    assert_int_equal(response.status, 200);
    assert_non_null(strstr(response.body, "\"board\":true"));
}

static void test_board_reads_need_the_admin_key_and_hide_the_password(void **state)
{
    (void)state;
    struct api_client_response response;
    api_client_setup(&client, PASSPHRASE, &response);
    api_client_request(&client, "GET", "/api/v1/board", NULL, false, &response);
    assert_int_equal(response.status, 401);
    snprintf(board.settings.wifi_password, sizeof board.settings.wifi_password, "secret-wifi");
    api_client_request(&client, "GET", "/api/v1/board", NULL, true, &response);
    assert_int_equal(response.status, 200);
    assert_non_null(strstr(response.body, "\"wifi_ssid\":\"home\""));
    assert_non_null(strstr(response.body, "\"pin_swclk\":14"));
    assert_non_null(strstr(response.body, "\"pin_boot0\":null"));
    assert_non_null(strstr(response.body, "\"station_address\":\"192.168.1.50\""));
    assert_null(strstr(response.body, "secret-wifi"));
    assert_null(strstr(response.body, "password"));
}

static void test_a_put_changes_what_it_names_and_keeps_the_rest(void **state)
{
    (void)state;
    struct api_client_response response;
    api_client_setup(&client, PASSPHRASE, &response);
    api_client_request(&client, "PUT", "/api/v1/board", "{\"wifi_ssid\":\"lab\",\"wifi_password\":\"p4ssw0rd!\"}",
                       true, &response);
    assert_int_equal(response.status, 200);
    assert_int_equal(board.sets, 1);
    assert_string_equal(board.settings.wifi_ssid, "lab");
    assert_string_equal(board.last_password, "p4ssw0rd!");
    assert_int_equal(board.settings.pin_swclk, 14);
    assert_int_equal(board.settings.pin_boot0, API_PIN_NONE);
    assert_null(strstr(response.body, "p4ssw0rd"));
    api_client_request(&client, "PUT", "/api/v1/board", "{\"pin_boot0\":5,\"pin_nrst\":null}", true, &response);
    assert_int_equal(response.status, 200);
    assert_int_equal(board.settings.pin_boot0, 5);
    assert_int_equal(board.settings.pin_nrst, API_PIN_NONE);
    assert_string_equal(board.settings.wifi_ssid, "lab");
    api_client_request(&client, "GET", "/api/v1/log", NULL, true, &response);
    assert_non_null(strstr(response.body, "board settings changed"));
}

static void test_bad_settings_are_refused_and_change_nothing(void **state)
{
    (void)state;
    struct api_client_response response;
    api_client_setup(&client, PASSPHRASE, &response);
    api_client_request(&client, "PUT", "/api/v1/board", "{\"pin_swclk\":6}", true, &response);
    assert_int_equal(response.status, 400);
    assert_non_null(strstr(response.body, "SPI flash"));
    api_client_request(&client, "PUT", "/api/v1/board", "{\"pin_swclk\":17}", true, &response);
    assert_int_equal(response.status, 400);
    api_client_request(&client, "PUT", "/api/v1/board", "{\"wifi_channel\":6}", true, &response);
    assert_int_equal(response.status, 400);
    assert_non_null(strstr(response.body, "wifi_channel"));
    api_client_request(&client, "PUT", "/api/v1/board",
                       "{\"wifi_ssid\":\"a name longer than thirty-two bytes, which WiFi refuses\"}", true, &response);
    assert_int_equal(response.status, 400);
    api_client_request(&client, "PUT", "/api/v1/board", "{\"wifi_ssid\":\"lab\"}", false, &response);
    assert_int_equal(response.status, 401);
    assert_int_equal(board.sets, 0);
    assert_string_equal(board.settings.wifi_ssid, "home");
}

static void test_a_device_without_a_board_says_so(void **state)
{
    (void)state;
    struct api_client_response response;
    api_client_start(&client, NULL, NULL);
    api_client_setup(&client, PASSPHRASE, &response);
    assert_int_equal(response.status, 200);
    assert_non_null(strstr(response.body, "\"board\":false"));
    api_client_request(&client, "GET", "/api/v1/board", NULL, true, &response);
    assert_int_equal(response.status, 404);
    assert_non_null(strstr(response.body, "no-board"));
}

/* A head declaring a 300-byte body, signed for it when sign, sent without a byte of the body: what the device has
 * answered by then is in stream->received. */
static void send_head_only(struct api_client_stream *stream, const char *method, const char *path, bool sign)
{
    static const char body[300] = {0};
    char value[SECURE_AUTH_HEADER_MAX + 1], authorization[SECURE_AUTH_HEADER_MAX + 32] = "", head[512];
    if (sign) {
        api_client_authorization(&client, method, path, body, sizeof body, value, sizeof value);
        snprintf(authorization, sizeof authorization, "Authorization: %s\r\n", value);
    }
    int n = snprintf(head, sizeof head,
                     "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                     "Content-Length: %zu\r\n%s\r\n",
                     method, path, sizeof body, authorization);
    api_client_stream_open(&client, stream);
    api_client_stream_send(&client, stream, head, (size_t)n);
}

/* What a route refuses whatever the body says, it refuses before the body: a body sent slowly holds nothing. */
static void test_refusals_known_from_the_head_come_before_the_body(void **state)
{
    (void)state;
    static struct api_client_stream stream;
    board.setup_open = false;
    send_head_only(&stream, "POST", "/api/v1/setup", false);
    assert_non_null(strstr(stream.received, "HTTP/1.1 403"));
    assert_non_null(strstr(stream.received, "setup-closed"));

    board.setup_open = true;
    struct api_client_response response;
    api_client_setup(&client, PASSPHRASE, &response);
    assert_int_equal(response.status, 200);
    send_head_only(&stream, "POST", "/api/v1/setup", false);
    assert_non_null(strstr(stream.received, "HTTP/1.1 409"));
    assert_non_null(strstr(stream.received, "setup-done"));

    api_client_start(&client, NULL, NULL);
    api_client_setup(&client, PASSPHRASE, &response);
    send_head_only(&stream, "PUT", "/api/v1/board", true);
    assert_non_null(strstr(stream.received, "HTTP/1.1 404"));
    assert_non_null(strstr(stream.received, "no-board"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_setup_is_refused_when_the_board_says_so, start),
        cmocka_unit_test_setup(test_refusals_known_from_the_head_come_before_the_body, start),
        cmocka_unit_test_setup(test_board_reads_need_the_admin_key_and_hide_the_password, start),
        cmocka_unit_test_setup(test_a_put_changes_what_it_names_and_keeps_the_rest, start),
        cmocka_unit_test_setup(test_bad_settings_are_refused_and_change_nothing, start),
        cmocka_unit_test_setup(test_a_device_without_a_board_says_so, start),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
