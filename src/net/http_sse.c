/*
 * http_sse.c - Server-Sent Events (HTML Living Standard, section 9.2 "Server-sent events"): job progress and the
 * event log streamed to a browser's EventSource or to `curl -N`.
 *
 * The stream is a 200 text/event-stream response that stays open: chunked on HTTP/1.1 (so that http_sse_end leaves
 * the connection usable), delimited by the close on HTTP/1.0. Each event goes into the output buffer whole or not at
 * all, so a slow client loses whole events, never half of one; the producer learns it from STATUS_OUTPUT_FULL.
 */
#include "net/http_internal.h"

#include <string.h>

#define SSE_KEEPALIVE_COMMENT ": keep-alive\n\n"

static bool is_single_line(const char *text)
{
    return text == NULL || strpbrk(text, "\r\n") == NULL;
}

/* Length of the next line of data (up to CR, LF or the end) and where the line after it starts. */
static size_t data_line(const char *data, const char **next)
{
    size_t len = strcspn(data, "\r\n");
    const char *after = data + len;
    if (after[0] == '\r' && after[1] == '\n')
        after += 2;
    else if (after[0] != '\0')
        after += 1;
    else
        after = NULL;
    *next = after;
    return len;
}

/* Bytes of the event as the stream carries it, without chunk framing. */
static size_t event_length(const char *id, const char *event, const char *data)
{
    size_t len = 1; /* the blank line */
    if (id != NULL)
        len += 4 + strlen(id) + 1;
    if (event != NULL)
        len += 7 + strlen(event) + 1;
    for (const char *line = data; line != NULL;) {
        len += 6 + data_line(line, &line) + 1;
    }
    return len;
}

static void append_field(struct http_connection *conn, const char *field, const char *value, size_t value_len)
{
    http_output_append(conn, field, strlen(field));
    http_output_append(conn, value, value_len);
    http_output_append(conn, "\n", 1);
}

static bool is_event_stream(const struct http_connection *conn)
{
    return !conn->closed && conn->response == HTTP_RESPONSE_OPEN && conn->source == HTTP_SOURCE_SSE;
}

/* Bytes the stream needs beside an event's payload: its chunk framing and the reserve for the last chunk. */
static size_t framing_length(const struct http_connection *conn, size_t payload)
{
    return conn->chunked_output ? http_response_chunk_framing(payload) + HTTP_LAST_CHUNK_LEN : 0;
}

static void begin_frame(struct http_connection *conn, size_t payload)
{
    if (conn->chunked_output)
        http_response_chunk_begin(conn, payload);
}

static void end_frame(struct http_connection *conn)
{
    if (conn->chunked_output)
        http_response_chunk_end(conn);
}

enum status http_begin_sse(struct http_connection *conn)
{
    enum status result = http_response_can_begin(conn);
    if (result != STATUS_OK)
        return result;
    result = http_response_write_head(conn, 200, "text/event-stream", HTTP_SOURCE_SSE, 0, false, HTTP_LAST_CHUNK_LEN);
    if (result == STATUS_OK)
        conn->sse_last_write_us = conn->now_us;
    return result;
}

enum status http_sse_event_id(struct http_connection *conn, const char *id, const char *event, const char *data)
{
    if (!is_event_stream(conn) || !is_single_line(id) || !is_single_line(event))
        return STATUS_INVALID_ARGUMENT;
    if (data == NULL)
        data = "";
    if (conn->suppress_body)
        return STATUS_OK;
    size_t payload = event_length(id, event, data);
    size_t needed = payload + framing_length(conn, payload);
    if (needed > sizeof conn->out)
        return STATUS_INVALID_ARGUMENT; /* would never fit */
    if (needed > http_output_room(conn))
        return STATUS_OUTPUT_FULL;
    begin_frame(conn, payload);
    if (id != NULL)
        append_field(conn, "id: ", id, strlen(id));
    if (event != NULL)
        append_field(conn, "event: ", event, strlen(event));
    for (const char *line = data; line != NULL;) {
        const char *start = line;
        size_t len = data_line(line, &line);
        append_field(conn, "data: ", start, len);
    }
    http_output_append(conn, "\n", 1);
    end_frame(conn);
    conn->sse_last_write_us = conn->now_us;
    return STATUS_OK;
}

enum status http_sse_event(struct http_connection *conn, const char *event, const char *data)
{
    return http_sse_event_id(conn, NULL, event, data);
}

enum status http_sse_end(struct http_connection *conn)
{
    if (!is_event_stream(conn))
        return STATUS_INVALID_ARGUMENT;
    if (conn->chunked_output && !conn->suppress_body) {
        (void)http_output_room(conn);
        http_output_append(conn, HTTP_LAST_CHUNK, HTTP_LAST_CHUNK_LEN); /* always room: see http_response.c */
    }
    conn->response = HTTP_RESPONSE_COMPLETE;
    return STATUS_OK;
}

void http_sse_tick(struct http_connection *conn)
{
    uint64_t interval_us =
        (uint64_t)http_timeout_ms(conn->config->sse_keepalive_ms, AIRSWD_HTTP_SSE_KEEPALIVE_MS) * 1000u;
    if (!is_event_stream(conn) || conn->now_us - conn->sse_last_write_us < interval_us)
        return;
    conn->sse_last_write_us = conn->now_us; /* also when there is no room: the client is not reading anyway */
    if (conn->suppress_body)
        return;
    size_t payload = sizeof SSE_KEEPALIVE_COMMENT - 1;
    if (payload + framing_length(conn, payload) > http_output_room(conn))
        return;
    begin_frame(conn, payload);
    http_output_append(conn, SSE_KEEPALIVE_COMMENT, payload);
    end_frame(conn);
}
