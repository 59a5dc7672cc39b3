/*
 * api_console.c - the target's serial console in the API (docs/console.md, "In the web page"): its output rides the
 * signed event stream as `console` events, and POST /api/v1/console sends bytes to the line. Both only in debug
 * mode, the switch that opens the console's TCP ports, since what is typed reaches the firmware.
 *
 * Why the event stream and not a stream of its own: the ESP8266 serves 2 connections, and a page already holds one
 * with its event stream; a second stream would leave none for the requests that send what is typed.
 */
#include "net/api.h"

#if AIRSWD_API_CONSOLE

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decimal.h"

_Static_assert(API_BODY_MAX == 384, "the 413 below names the console's request size");

/* Bytes of output per event: twice that in hex, and the event's framing, fit the connection's output buffer. */
#define CONSOLE_EVENT_BYTES ((AIRSWD_HTTP_OUTPUT_MAX - 96) / 2 < 256 ? (AIRSWD_HTTP_OUTPUT_MAX - 96) / 2 : 256)

static bool console_open(const struct api *api)
{
    return api->console != NULL && service_security_debug(api->service);
}

/* False (after a 404) on a device without a console. */
static bool console_present(struct api *api, struct http_request *req)
{
    if (api->console == NULL)
        api_respond_error(api, req, 404, "no-console", "this device bridges no serial console");
    return api->console != NULL;
}

bool api_console_stream_begin(struct api *api, struct http_request *req, struct api_stream *stream)
{
    char from[24], *end;
    stream->console = false;
    stream->console_said = 0;
    if (!http_request_query(req, "console", from, sizeof from))
        return true;
    stream->console_cursor = strtoull(from, &end, 10);
    if (*end != '\0' || from[0] < '0' || from[0] > '9') {
        api_respond_error(api, req, 400, "bad-request", "console= wants a position in the console's output");
        return false;
    }
    if (!console_present(api, req))
        return false;
    if (api->http.authorize != NULL && api->verified != req) {
        api_respond_error(api, req, 401, "unauthorized", "the console is read through a signed event stream");
        return false;
    }
    stream->console = true;
    return true;
}

/* Events: {"open":false} while the console is closed, {"open":true,"baud":N} when it opens, then
 * {"at":N,"hex":"..."} with the output from position N on. A byte is taken only when its event went out. */
void api_console_pump(struct api *api, struct api_stream *stream)
{
    uint8_t said = console_open(api) ? API_CONSOLE_SAID_OPEN : API_CONSOLE_SAID_CLOSED;
    if (said != stream->console_said) {
        snprintf(api->scratch, sizeof api->scratch,
                 said == API_CONSOLE_SAID_OPEN ? "{\"open\":true,\"baud\":%lu}" : "{\"open\":false}",
                 (unsigned long)api->console->line_baud(api->console->ctx, 0));
        if (http_sse_event(stream->conn, "console", api->scratch) != STATUS_OK)
            return;
        stream->console_said = said;
    }
    if (said != API_CONSOLE_SAID_OPEN)
        return;
    for (;;) {
        uint8_t bytes[CONSOLE_EVENT_BYTES];
        uint64_t cursor = stream->console_cursor;
        size_t got = api->console->read(api->console->ctx, &cursor, bytes, sizeof bytes);
        if (got == 0)
            return;
        char *text = api->scratch;
        char at[DECIMAL_MAX];
        decimal_u64(cursor - got, at);
        int len = snprintf(text, sizeof api->scratch, "{\"at\":%s,\"hex\":\"", at);
        for (size_t i = 0; i < got; i++) {
            text[len++] = "0123456789abcdef"[bytes[i] >> 4];
            text[len++] = "0123456789abcdef"[bytes[i] & 15];
        }
        memcpy(text + len, "\"}", 3);
        if (http_sse_event(stream->conn, "console", text) != STATUS_OK)
            return; /* the client is behind: the same bytes are read again at the next pump */
        stream->console_cursor = cursor;
    }
}

/* The body is bytes, not JSON (api_screen asks for application/octet-stream): collected as a JSON body is. */
size_t api_console_body(void *ctx, struct http_request *req, const uint8_t *bytes, size_t len)
{
    return api_body_collect(ctx, req, bytes, len);
}

/* POST /api/v1/console: the body's bytes to the line, as many as it takes now; {"taken": N} says how many. */
void api_console_post(void *ctx, struct http_request *req)
{
    struct api *api = ctx;
    struct api_exchange *exchange = req->handler_state;
    if (exchange == NULL)
        return; /* answered 503 already */
    if (!console_present(api, req) || !api_require_debug(api, req, "the console"))
        return;
    if (exchange->body_too_long) {
        api_respond_error(api, req, 413, "too-large", "the console takes 384 bytes a request");
        return;
    }
    if (exchange->check_body) {
        uint8_t actual[SECURE_SHA256_SIZE];
        secure_sha256((const uint8_t *)exchange->body, exchange->body_len, actual);
        if (!api_auth_body_matches(api, req, exchange->declared_body, actual))
            return;
    }
    size_t taken = api->console->write(api->console->ctx, (const uint8_t *)exchange->body, exchange->body_len);
    char answer[24];
    snprintf(answer, sizeof answer, "{\"taken\":%lu}", (unsigned long)taken);
    http_respond_json(req->connection, 200, answer);
}

/* PUT /api/v1/console {"baud": N}: the line's baud rate (RFC 2217 clients set it too); answers {"baud": N}. */
void api_console_put(void *ctx, struct http_request *req)
{
    struct api *api = ctx;
    struct json_object object;
    if (!console_present(api, req) || !api_require_debug(api, req, "the console") ||
        !api_body_object(api, req, &object))
        return;
    const struct json_field *field = &object.fields[0];
    if (object.count != 1 || strcmp(field->key, "baud") != 0 || field->type != JSON_TYPE_INTEGER ||
        field->integer < 300 || field->integer > 2000000) {
        api_respond_error(api, req, 400, "bad-request", "the console takes {\"baud\": 300 to 2000000}");
        return;
    }
    char answer[24];
    snprintf(answer, sizeof answer, "{\"baud\":%lu}",
             (unsigned long)api->console->line_baud(api->console->ctx, (uint32_t)field->integer));
    http_respond_json(req->connection, 200, answer);
}

#endif /* AIRSWD_API_CONSOLE */
