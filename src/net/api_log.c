/*
 * api_log.c - GET /api/v1/log: the event log as a JSON array, newest last, streamed one line at a time (it is
 * larger than the connection's output buffer).
 */
#include "net/api.h"

#include <string.h>

static void put_text(struct api_exchange *exchange, const char *text)
{
    size_t len = strlen(text);
    memcpy(exchange->pending, text, len);
    exchange->pending_len = (uint32_t)len;
}

/* The next piece of the array into exchange->pending; false when the array is complete. */
static bool refill(struct api_exchange *exchange)
{
    exchange->pending_at = 0;
    exchange->pending_len = 0;
    if (exchange->stage == 0) {
        exchange->stage = 1;
        put_text(exchange, "[");
        return true;
    }
    if (exchange->stage == 2)
        return false;
    struct service_log_line line;
    while (exchange->next_seq <= exchange->last_seq) {
        uint32_t seq = exchange->next_seq++;
        if (!service_log_get(exchange->api->service, seq, &line))
            continue; /* pushed out of the ring meanwhile */
        struct json_writer writer;
        exchange->pending[0] = ',';
        size_t at = exchange->wrote_item ? 1 : 0;
        json_writer_init(&writer, exchange->pending + at, sizeof exchange->pending - at);
        json_object_begin(&writer);
        json_key(&writer, "seq");
        json_uint(&writer, line.seq);
        json_key(&writer, "time_s");
        json_uint(&writer, line.time_s);
        json_key(&writer, "text");
        json_string(&writer, line.text);
        json_object_end(&writer);
        if (json_writer_finish(&writer) == NULL)
            continue;
        exchange->pending_len = (uint32_t)(writer.len + at);
        exchange->wrote_item = true;
        return true;
    }
    exchange->stage = 2;
    put_text(exchange, "]");
    return true;
}

static int32_t pull_log(void *ctx, uint8_t *buffer, size_t room)
{
    struct api_exchange *exchange = ctx;
    if (exchange->pending_at == exchange->pending_len && !refill(exchange))
        return HTTP_PULL_END;
    size_t left = exchange->pending_len - exchange->pending_at;
    size_t take = left < room ? left : room;
    memcpy(buffer, exchange->pending + exchange->pending_at, take);
    exchange->pending_at += (uint32_t)take;
    return (int32_t)take;
}

void api_log_get(void *ctx, struct http_request *req)
{
    struct api *api = ctx;
    api_body_begin(api, req);
    struct api_exchange *exchange = req->handler_state;
    if (exchange == NULL)
        return;
    exchange->api = api;
    uint32_t last = service_log_last(api->service);
    exchange->last_seq = last;
    exchange->next_seq = last > SERVICE_LOG_LINES ? last - SERVICE_LOG_LINES + 1 : 1;
    http_respond_stream(req->connection, 200, "application/json", HTTP_LENGTH_UNKNOWN, pull_log, exchange);
}
