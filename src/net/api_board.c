/*
 * api_board.c - GET and PUT /api/v1/board [auth]: the WiFi network and the pins of a device that has them
 * (api.h, struct api_board).
 */
#include <stdio.h>
#include <string.h>

#include "net/api.h"

/* A port without a board answers every board route the same way. */
static bool have_board(struct api *api, struct http_request *req)
{
    if (api->board != NULL)
        return true;
    api_respond_error(api, req, 404, "no-board",
                      "this device has no WiFi or pin settings of its own (airswdd uses the host's network)");
    return false;
}

static void pin(struct json_writer *writer, const char *name, int8_t gpio)
{
    json_key(writer, name);
    if (gpio == API_PIN_NONE)
        json_null(writer);
    else
        json_uint(writer, (uint64_t)gpio);
}

static void respond_board(struct api *api, struct http_request *req)
{
    struct api_board_settings settings;
    struct api_board_status status;
    memset(&settings, 0, sizeof settings);
    memset(&status, 0, sizeof status);
    api->board->get(api->board->ctx, &settings, &status);
    struct json_writer writer;
    json_writer_init(&writer, api->scratch, sizeof api->scratch);
    json_object_begin(&writer);
    json_key(&writer, "wifi_ssid");
    json_string(&writer, settings.wifi_ssid);
    pin(&writer, "pin_swclk", settings.pin_swclk);
    pin(&writer, "pin_swdio", settings.pin_swdio);
    pin(&writer, "pin_nrst", settings.pin_nrst);
    pin(&writer, "pin_boot0", settings.pin_boot0);
    json_key(&writer, "network");
    json_object_begin(&writer);
    json_key(&writer, "station_connected");
    json_bool(&writer, status.station_connected);
    json_key(&writer, "station_address");
    json_string(&writer, status.station_address);
    json_key(&writer, "rssi");
    json_int(&writer, status.rssi);
    json_key(&writer, "setup_ap");
    json_bool(&writer, status.setup_ap);
    json_key(&writer, "hostname");
    json_string(&writer, status.hostname);
    json_object_end(&writer);
    json_object_end(&writer);
    api_respond_writer(req, 200, &writer);
}

void api_board_get(void *ctx, struct http_request *req)
{
    struct api *api = ctx;
    if (have_board(api, req))
        respond_board(api, req);
}

/* "pin_*": a GPIO number, or null for a pin that is not wired. */
static bool take_pin(const struct json_field *field, int8_t *gpio)
{
    if (field->type == JSON_TYPE_NULL) {
        *gpio = API_PIN_NONE;
        return true;
    }
    if (field->type != JSON_TYPE_INTEGER || field->integer < 0 || field->integer > 16)
        return false;
    *gpio = (int8_t)field->integer;
    return true;
}

static bool take_string(const struct json_field *field, char *out, size_t size)
{
    if (field->type != JSON_TYPE_STRING || strlen(field->string) >= size)
        return false;
    memcpy(out, field->string, strlen(field->string) + 1);
    return true;
}

/* PUT /api/v1/board, its head: a port without a board refuses before the body is read. */
void api_board_put_begin(void *ctx, struct http_request *req)
{
    struct api *api = ctx;
    if (have_board(api, req))
        api_body_begin(ctx, req);
}

/* PUT /api/v1/board {"wifi_ssid", "wifi_password", "pin_swclk", ...} [auth], its body: the fields given change, the
 * others stay. */
void api_board_put(void *ctx, struct http_request *req)
{
    struct api *api = ctx;
    struct json_object object;
    if (!api_body_object(api, req, &object))
        return;
    struct api_board_settings settings;
    struct api_board_status status;
    memset(&settings, 0, sizeof settings);
    api->board->get(api->board->ctx, &settings, &status);
    for (unsigned i = 0; i < object.count; i++) {
        const struct json_field *field = &object.fields[i];
        bool ok;
        if (strcmp(field->key, "wifi_ssid") == 0)
            ok = take_string(field, settings.wifi_ssid, sizeof settings.wifi_ssid);
        else if (strcmp(field->key, "wifi_password") == 0)
            ok = take_string(field, settings.wifi_password, sizeof settings.wifi_password);
        else if (strcmp(field->key, "pin_swclk") == 0)
            ok = take_pin(field, &settings.pin_swclk);
        else if (strcmp(field->key, "pin_swdio") == 0)
            ok = take_pin(field, &settings.pin_swdio);
        else if (strcmp(field->key, "pin_nrst") == 0)
            ok = take_pin(field, &settings.pin_nrst);
        else if (strcmp(field->key, "pin_boot0") == 0)
            ok = take_pin(field, &settings.pin_boot0);
        else
            ok = false;
        if (!ok) {
            char detail[192];
            snprintf(detail, sizeof detail, "'%s': unknown setting or wrong value (wifi_ssid up to 32 bytes, "
                     "wifi_password up to 64, pin_swclk, pin_swdio, pin_nrst, pin_boot0: a GPIO number or null)",
                     field->key);
            api_respond_error(api, req, 400, "bad-request", detail);
            return;
        }
    }
    status_clear(&api->report);
    enum status result = api->board->set(api->board->ctx, &settings, &api->report);
    secure_auth_wipe(settings.wifi_password, sizeof settings.wifi_password);
    if (result != STATUS_OK) {
        api_respond_status(api, req, result, &api->report);
        return;
    }
    service_log(api->service, "board settings changed");
    respond_board(api, req);
}
