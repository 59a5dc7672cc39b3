/*
 * api_images.c - GET/POST /api/v1/images, DELETE /api/v1/images/{id}. An upload streams into the store as it
 * arrives (the service holds no more than a few bytes of it); the image is checked once it is whole. Its size
 * (Content-Length) decides before the first byte whether the store takes it, and what it gives up for it.
 */
#include "net/api.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *format_name(enum store_image_format format)
{
    static const char *const names[STORE_IMAGE_FORMAT_COUNT] = {"bin", "hex", "elf", "container"};
    return format < STORE_IMAGE_FORMAT_COUNT ? names[format] : "?";
}

/* A CRC-32 of fewer bytes than this gives the bytes away (it inverts outright up to 4 bytes, and a few more fall to a
 * search), and an image read from the target is target memory: below it, the CRC shows only in debug mode. */
#define CRC_SHOWN_FROM_BYTES 64u

/* quote_memory: debug mode is on (the answer may give target memory away). */
static void write_image(struct json_writer *writer, const struct service_image *image, bool quote_memory)
{
    const struct store_entry *entry = &image->entry;
    json_object_begin(writer);
    json_key(writer, "id");
    json_uint(writer, image->id);
    json_key(writer, "name");
    json_string(writer, entry->image.info.name);
    json_key(writer, "format");
    json_string(writer, format_name(entry->image.info.format));
    if (entry->image.info.format == STORE_IMAGE_FORMAT_BIN) {
        json_key(writer, "base");
        json_uint(writer, entry->image.info.bin_base ? entry->image.info.bin_base : 0x08000000u);
    }
    json_key(writer, "size");
    json_uint(writer, entry->image.length);
    json_key(writer, "crc32");
    if (quote_memory || entry->image.length >= CRC_SHOWN_FROM_BYTES)
        json_uint(writer, entry->image.crc);
    else
        json_null(writer);
    json_key(writer, "state");
    json_string(writer, entry->current ? "current" : entry->previous ? "previous" : "staged");
    json_key(writer, "flashed_ok");
    json_bool(writer, entry->image.flashed_ok);
    json_object_end(writer);
}

void api_images_get(void *ctx, struct http_request *req)
{
    struct api *api = ctx;
    struct service_image images[STORE_MAX_SLOTS];
    unsigned count = service_images(api->service, images, STORE_MAX_SLOTS);
    struct json_writer writer;
    json_writer_init(&writer, api->scratch, sizeof api->scratch);
    bool debug = service_security_debug(api->service);
    json_array_begin(&writer);
    for (unsigned i = 0; i < count; i++)
        write_image(&writer, &images[i], debug);
    json_array_end(&writer);
    api_respond_writer(req, 200, &writer);
}

/* ?name=&format=&base=&no_rollback= into info and *policy; false (after a 400) when one is wrong. */
static bool parse_query(struct api *api, struct http_request *req, struct store_image_info *info, bool *format_known,
                        enum store_room_policy *policy)
{
    char value[STORE_NAME_MAX + 1];
    memset(info, 0, sizeof *info);
    snprintf(info->name, sizeof info->name, "%s",
             http_request_query(req, "name", value, sizeof value) ? value : "image");
    *format_known = false;
    if (http_request_query(req, "format", value, sizeof value)) {
        *format_known = true;
        if (strcmp(value, "bin") == 0) {
            info->format = STORE_IMAGE_FORMAT_BIN;
        } else if (strcmp(value, "hex") == 0) {
            info->format = STORE_IMAGE_FORMAT_HEX;
        } else if (strcmp(value, "elf") == 0) {
            info->format = STORE_IMAGE_FORMAT_ELF;
        } else if (strcmp(value, "container") == 0) {
            info->format = STORE_IMAGE_FORMAT_CONTAINER;
        } else {
            api_respond_error(api, req, 400, "bad-request", "format is bin, hex, elf or container");
            return false;
        }
    }
    if (http_request_query(req, "base", value, sizeof value) && !api_parse_u32(value, &info->bin_base)) {
        api_respond_error(api, req, 400, "bad-request", "base is a 32-bit address such as 0x08000000");
        return false;
    }
    *policy = STORE_KEEP_ROLLBACK;
    if (http_request_query(req, "no_rollback", value, sizeof value)) {
        if (strcmp(value, "1") == 0 || strcmp(value, "true") == 0) {
            *policy = STORE_DROP_ROLLBACK;
        } else if (strcmp(value, "0") != 0 && strcmp(value, "false") != 0) {
            api_respond_error(api, req, 400, "bad-request", "no_rollback is 1 (or true) or 0 (or false)");
            return false;
        }
    }
    info->size = req->content_length;
    return true;
}

/* Refuses, before the first byte, an upload the store cannot take (the answer says why). */
static bool begin(struct api *api, struct http_request *req)
{
    if (req->content_length == HTTP_LENGTH_UNKNOWN) {
        /* The store reserves an image's room, and decides what it may keep beside it, before the first byte. */
        api_respond_error(api, req, 411, "length-required",
                          "an image upload says its size (Content-Length): the device reserves the room for it "
                          "before storing its first byte; send the file without chunked transfer encoding");
        return false;
    }
    struct store_image_info info;
    bool format_known;
    enum store_room_policy policy;
    if (!parse_query(api, req, &info, &format_known, &policy))
        return false;
    status_clear(&api->report);
    enum status status = service_upload_begin(api->service, &info, format_known, policy, &api->report);
    if (status == STATUS_STORE_NO_ROOM_FOR_ROLLBACK || status == STATUS_STORE_FULL) {
        char detail[STORE_ROOM_TEXT_MAX];
        service_upload_room_text(api->service, info.size, policy, detail, sizeof detail);
        api_respond_status_detail(api, req, status, detail);
        return false;
    }
    if (status != STATUS_OK) {
        api_respond_status(api, req, status, &api->report);
        return false;
    }
    return true;
}

static enum status store_write(struct api *api, const uint8_t *bytes, size_t len, struct status_report *report)
{
    return service_upload_write(api->service, bytes, len, report);
}

static void store_abort(struct api *api)
{
    service_upload_abort(api->service);
}

static const struct api_upload_sink store_sink = {.write = store_write, .abort = store_abort};

void api_images_post(void *ctx, struct http_request *req)
{
    struct api *api = ctx;
    if (api_upload_claim(api, req) && !begin(api, req))
        api_upload_release(api);
}

size_t api_images_post_body(void *ctx, struct http_request *req, const uint8_t *bytes, size_t len)
{
    return api_upload_body(ctx, req, bytes, len, &store_sink);
}

void api_images_post_end(void *ctx, struct http_request *req)
{
    struct api *api = ctx;
    if (!api_upload_end(api, req, &store_sink))
        return;
    struct service_image image;
    enum status status = service_upload_finish(api->service, &image, &api->report);
    if (status != STATUS_OK) {
        api_respond_status(api, req, status, &api->report);
        return;
    }
    struct json_writer writer;
    json_writer_init(&writer, api->scratch, sizeof api->scratch);
    write_image(&writer, &image, service_security_debug(api->service));
    api_respond_writer(req, 201, &writer);
}

void api_images_post_finish(void *ctx, struct http_request *req, bool completed)
{
    (void)completed;
    api_upload_finish(ctx, req, &store_sink);
}

void api_image_delete(void *ctx, struct http_request *req)
{
    struct api *api = ctx;
    uint32_t id;
    if (!api_path_id(api, req, &id))
        return;
    status_clear(&api->report);
    enum status status = service_image_delete(api->service, id, &api->report);
    if (status == STATUS_STORE_BUSY) {
        api_respond_error(api, req, 409, "conflict", api->report.detail);
        return;
    }
    if (status != STATUS_OK) {
        api_respond_status(api, req, status, &api->report);
        return;
    }
    http_respond(req->connection, 204, NULL, NULL, 0);
}

/* GET /api/v1/images/{id}/data: the image's bytes as they were uploaded (or read from the target). */
static int32_t pull_image(void *ctx, uint8_t *buffer, size_t room)
{
    struct api_exchange *exchange = ctx;
    uint32_t left = exchange->image_length - exchange->image_offset;
    uint32_t want = left < room ? left : (uint32_t)room, got = 0;
    if (want == 0)
        return HTTP_PULL_END;
    if (service_image_read(exchange->api->service, exchange->image_id, exchange->image_offset, buffer, want, &got) !=
            STATUS_OK ||
        got == 0)
        return HTTP_PULL_FAILED; /* deleted or unreadable halfway: the client sees a cut body, not a short one */
    exchange->image_offset += got;
    return (int32_t)got;
}

void api_image_data_get(void *ctx, struct http_request *req)
{
    struct api *api = ctx;
    uint32_t id;
    struct service_image image;
    if (!api_path_id(api, req, &id) || !api_require_debug(api, req, "downloading image data"))
        return;
    if (!service_image_find(api->service, id, &image)) {
        api_respond_error(api, req, 404, "not-found", "no such image");
        return;
    }
    api_body_begin(api, req);
    struct api_exchange *exchange = req->handler_state;
    if (exchange == NULL)
        return;
    exchange->api = api;
    exchange->image_id = id;
    exchange->image_length = image.entry.image.length;
    /* The name as a file name a header can carry: anything but letters, digits, '.', '-' and '_' becomes '_'. */
    char name[STORE_NAME_MAX + 1], disposition[STORE_NAME_MAX + 40];
    size_t n = 0;
    for (const char *c = image.entry.image.info.name; *c != '\0' && n < STORE_NAME_MAX; c++, n++)
        name[n] = (isalnum((unsigned char)*c) || strchr(".-_", *c) != NULL) ? *c : '_';
    name[n] = '\0';
    snprintf(disposition, sizeof disposition, "attachment; filename=\"%s\"", n ? name : "image.bin");
    http_response_header(req->connection, "Content-Disposition", disposition);
    http_respond_stream(req->connection, 200, "application/octet-stream", exchange->image_length, pull_image,
                        exchange);
}
