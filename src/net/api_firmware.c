/*
 * api_firmware.c - POST /api/v1/firmware [auth]: the programmer's own firmware, a signed container for esp8266,
 * streamed into its update slot, checked there, and made the firmware to boot next (service/firmware_update.h).
 */
#include <string.h>

#include "net/api.h"

/* Refuses, before the first byte, an upload the slot cannot take (the answer says why). */
static bool begin(struct api *api, struct http_request *req)
{
    if (api->firmware == NULL) {
        api_respond_error(api, req, 404, "no-firmware-update",
                          "this device does not take its own firmware over the network");
        return false;
    }
    if (req->content_length == HTTP_LENGTH_UNKNOWN) {
        api_respond_error(api, req, 411, "length-required",
                          "a firmware upload announces its size (Content-Length): the slot is checked against it");
        return false;
    }
    status_clear(&api->report);
    enum status status = firmware_update_begin(api->firmware, req->content_length, &api->report);
    if (status != STATUS_OK) {
        api_respond_status(api, req, status, &api->report);
        return false;
    }
    return true;
}

static enum status slot_write(struct api *api, const uint8_t *bytes, size_t len, struct status_report *report)
{
    return firmware_update_write(api->firmware, bytes, len, report);
}

static void slot_abort(struct api *api)
{
    firmware_update_abort(api->firmware);
}

static const struct api_upload_sink slot_sink = {.write = slot_write, .abort = slot_abort};

void api_firmware_post(void *ctx, struct http_request *req)
{
    struct api *api = ctx;
    if (api_upload_claim(api, req) && !begin(api, req))
        api_upload_release(api);
}

size_t api_firmware_post_body(void *ctx, struct http_request *req, const uint8_t *bytes, size_t len)
{
    return api_upload_body(ctx, req, bytes, len, &slot_sink);
}

void api_firmware_post_end(void *ctx, struct http_request *req)
{
    struct api *api = ctx;
    if (!api_upload_end(api, req, &slot_sink))
        return;
    struct secure_image_info info;
    enum status status = firmware_update_finish(api->firmware, &info, &api->report);
    if (status != STATUS_OK) {
        service_log(api->service, "firmware update refused: %s", api->report.detail);
        api_respond_status(api, req, status, &api->report);
        return;
    }
    bool restarts = api->firmware->port->restarts;
    service_log(api->service, "firmware update: security version %lu, %lu bytes, checked%s",
                (unsigned long)info.security_version, (unsigned long)info.payload_size,
                restarts ? "; restarting into it" : "");
    struct json_writer writer;
    json_writer_init(&writer, api->scratch, sizeof api->scratch);
    json_object_begin(&writer);
    json_key(&writer, "security_version");
    json_uint(&writer, info.security_version);
    json_key(&writer, "size");
    json_uint(&writer, info.payload_size);
    json_key(&writer, "restarting");
    json_bool(&writer, restarts);
    json_object_end(&writer);
    api_respond_writer(req, 200, &writer);
}

void api_firmware_post_finish(void *ctx, struct http_request *req, bool completed)
{
    (void)completed;
    api_upload_finish(ctx, req, &slot_sink);
}
