/*
 * api_common.c - what every handler of the API shares: JSON answers and errors, path ids, collected JSON bodies.
 */
#include "net/api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void api_respond_writer(struct http_request *req, int status, struct json_writer *writer)
{
    const char *text = json_writer_finish(writer);
    if (text == NULL) {
        http_respond_error(req->connection, 500, "too-large", "the answer does not fit in the output buffer");
        return;
    }
    http_respond_json(req->connection, status, text);
}

void api_respond_error(struct api *api, struct http_request *req, int http_status, const char *error,
                       const char *detail)
{
    struct json_writer writer;
    json_writer_init(&writer, api->scratch, sizeof api->scratch);
    json_object_begin(&writer);
    json_key(&writer, "error");
    json_string(&writer, error);
    json_key(&writer, "detail");
    json_string(&writer, detail);
    json_object_end(&writer);
    api_respond_writer(req, http_status, &writer);
}

static int http_status_of(enum status status, const char **error)
{
    *error = status_name(status);
    switch (status) {
    case STATUS_STORE_NO_IMAGE:
        *error = "not-found";
        return 404;
    case STATUS_STORE_BUSY:
        *error = "busy";
        return 409;
    case STATUS_STORE_TOO_LARGE:
    case STATUS_FIRMWARE_TOO_LARGE:
        *error = "too-large";
        return 413;
    case STATUS_STORE_NO_ROOM_FOR_ROLLBACK:
        *error = "no-room-for-rollback";
        return 507;
    case STATUS_STORE_FULL:
    case STATUS_STORE_NO_FREE_SLOT:
        return 507;
    case STATUS_INVALID_ARGUMENT:
        *error = "bad-request";
        return 400;
    case STATUS_IMAGE_FORMAT:
    case STATUS_IMAGE_CHECKSUM:
    case STATUS_IMAGE_TRUNCATED:
    case STATUS_IMAGE_OVERLAP:
    case STATUS_IMAGE_OUT_OF_RANGE:
    case STATUS_IMAGE_TOO_COMPLEX:
    case STATUS_IMAGE_EMPTY:
    case STATUS_STORE_CRC_MISMATCH:
    case STATUS_IMAGE_ENCRYPTED:
        return 400;
    case STATUS_IMAGE_UNSIGNED: /* the policy refuses it, whoever asks */
    case STATUS_IMAGE_UNTRUSTED_KEY:
    case STATUS_IMAGE_SIGNATURE:
    case STATUS_IMAGE_ROLLBACK:
    case STATUS_IMAGE_HASH:
        return 403;
    case STATUS_TARGET_MISMATCH: /* an image for another target: the request, not the device, is wrong */
        return 422;
    case STATUS_SETUP_DONE:
        return 409;
    default:
        return 500;
    }
}

void api_respond_status(struct api *api, struct http_request *req, enum status status,
                        const struct status_report *report)
{
    api_respond_status_detail(api, req, status, report ? report->detail : "");
}

void api_respond_status_detail(struct api *api, struct http_request *req, enum status status, const char *detail)
{
    const char *error;
    int http_status = http_status_of(status, &error);
    struct json_writer writer;
    json_writer_init(&writer, api->scratch, sizeof api->scratch);
    json_object_begin(&writer);
    json_key(&writer, "error");
    json_string(&writer, error);
    json_key(&writer, "detail");
    json_string(&writer, detail);
    json_key(&writer, "message");
    /* The store's sentence for STORE_BUSY speaks of uploads; here it also stands for a running job. */
    json_string(&writer, status == STATUS_STORE_BUSY ? "one job or upload at a time: wait for it or cancel it"
                                                     : status_message(status));
    json_object_end(&writer);
    api_respond_writer(req, http_status, &writer);
}

/* strtoull, not strtoul: where long has 32 bits, as on the ESP8266, strtoul saturates a number beyond them to
 * 0xFFFFFFFF and takes "-1" for it too, both valid addresses. A first character that is not a digit (a sign, a
 * space) is refused here rather than skipped as strtoull would. */
bool api_parse_u32(const char *text, uint32_t *value)
{
    if (text[0] < '0' || text[0] > '9')
        return false;
    char *end;
    unsigned long long parsed = strtoull(text, &end, 0);
    if (*end != '\0' || parsed > 0xFFFFFFFFull)
        return false;
    *value = (uint32_t)parsed;
    return true;
}

bool api_path_id(struct api *api, struct http_request *req, uint32_t *id)
{
    size_t len = 0;
    const char *text = http_request_param(req, "id", &len);
    uint64_t value = 0;
    bool ok = text != NULL && len > 0 && len <= 10 && text[0] != '0';
    for (size_t i = 0; ok && i < len; i++) {
        ok = text[i] >= '0' && text[i] <= '9';
        value = value * 10 + (uint64_t)(text[i] - '0');
    }
    ok = ok && value <= UINT32_MAX;
    if (!ok) {
        api_respond_error(api, req, 404, "not-found", "no such id");
        return false;
    }
    *id = (uint32_t)value;
    return true;
}

void api_body_begin(void *ctx, struct http_request *req)
{
    struct api *api = ctx;
    uint8_t declared[SECURE_AUTH_HASH_SIZE];
    bool check_body = api_auth_take_body(api, req, declared); /* taken first, whatever happens next */
    for (unsigned i = 0; i < API_EXCHANGES; i++) {
        if (!api->exchanges[i].used) {
            memset(&api->exchanges[i], 0, sizeof api->exchanges[i]);
            api->exchanges[i].used = true;
            api->exchanges[i].check_body = check_body;
            memcpy(api->exchanges[i].declared_body, declared, sizeof declared);
            req->handler_state = &api->exchanges[i];
            return;
        }
    }
    http_response_header(req->connection, "Retry-After", "1");
    api_respond_error(api, req, 503, "busy", "too many requests at once; try again");
}

size_t api_body_collect(void *ctx, struct http_request *req, const uint8_t *bytes, size_t len)
{
    (void)ctx;
    struct api_exchange *exchange = req->handler_state;
    if (exchange == NULL)
        return len;
    size_t room = API_BODY_MAX - exchange->body_len;
    size_t take = len < room ? len : room;
    memcpy(exchange->body + exchange->body_len, bytes, take);
    exchange->body_len += (uint32_t)take;
    if (take < len)
        exchange->body_too_long = true;
    return len;
}

void api_exchange_release(void *ctx, struct http_request *req, bool completed)
{
    (void)ctx;
    (void)completed;
    struct api_exchange *exchange = req->handler_state;
    if (exchange != NULL)
        exchange->used = false;
    req->handler_state = NULL;
}

bool api_body_object(struct api *api, struct http_request *req, struct json_object *object)
{
    struct api_exchange *exchange = req->handler_state;
    if (exchange == NULL)
        return false; /* answered 503 already */
    if (exchange->body_too_long) {
        api_respond_error(api, req, 413, "too-large", "the JSON body is too long");
        return false;
    }
    if (exchange->check_body) {
        uint8_t actual[SECURE_SHA256_SIZE];
        secure_sha256((const uint8_t *)exchange->body, exchange->body_len, actual);
        if (!api_auth_body_matches(api, req, exchange->declared_body, actual))
            return false;
    }
    if (!json_parse_object(object, exchange->body, exchange->body_len)) {
        char detail[96];
        snprintf(detail, sizeof detail, "malformed JSON at byte %lu: %s", (unsigned long)object->error_offset,
                 object->error);
        api_respond_error(api, req, 400, "bad-request", detail);
        return false;
    }
    return true;
}
