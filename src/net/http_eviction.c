/*
 * http_eviction.c - which connection gives its place to a new client when the port has none free (http.h,
 * http_connection_eviction).
 *
 * A port serves a fixed number of connections (8 on airswdd, 2 on the ESP8266). Clients that hold one without
 * using it (idle, sending a head or a body a byte at a time, not reading their answer) or that hold one by design
 * (an event stream) would otherwise lock out a new request, the owner's included, until their timeouts. Each
 * connection is classed here by how little it loses when closed; a request under way that moves is never closed for
 * another. A class counts only once the connection has been in it for AIRSWD_HTTP_EVICT_AFTER_MS, so that a new
 * client has that long to send its request before it may be pushed out in turn.
 */
#include "net/http_internal.h"

static bool held_for(uint64_t now_us, uint64_t since_us)
{
    return now_us >= since_us && now_us - since_us >= (uint64_t)AIRSWD_HTTP_EVICT_AFTER_MS * 1000u;
}

/* The body has averaged less than the minimum rate since the request was dispatched. */
static bool body_is_slow(const struct http_connection *conn, uint64_t now_us)
{
    uint32_t rate = http_timeout_ms(conn->config->body_min_rate, AIRSWD_HTTP_BODY_MIN_RATE);
    uint64_t elapsed_ms = (now_us - conn->body_started_us) / 1000u;
    return (uint64_t)conn->request.body_received * 1000u < (uint64_t)rate * elapsed_ms;
}

enum http_eviction http_connection_eviction(const struct http_connection *conn, uint64_t now_us, uint64_t *since_us)
{
    *since_us = now_us;
    if (conn->closed)
        return HTTP_EVICTION_NONE; /* the port closes it anyway */
    bool output_waits = http_output_pending(conn) > 0;
    if (conn->input == HTTP_INPUT_HEAD && !conn->request_active && !output_waits) {
        *since_us = conn->head_started ? conn->head_started_us : conn->idle_since_us;
        return held_for(now_us, *since_us) ? HTTP_EVICTION_IDLE : HTTP_EVICTION_NONE;
    }
    if (conn->input == HTTP_INPUT_BODY && !conn->body_blocked && held_for(now_us, conn->body_started_us) &&
        body_is_slow(conn, now_us)) {
        *since_us = conn->body_started_us;
        return HTTP_EVICTION_SLOW_BODY;
    }
    if (output_waits && held_for(now_us, conn->output_progress_us)) {
        *since_us = conn->output_progress_us;
        return HTTP_EVICTION_SLOW_READER;
    }
    if (conn->request_active && conn->response == HTTP_RESPONSE_OPEN && conn->source == HTTP_SOURCE_SSE &&
        held_for(now_us, conn->head_started_us)) {
        *since_us = conn->head_started_us;
        return HTTP_EVICTION_STREAM;
    }
    return HTTP_EVICTION_NONE;
}

void http_connection_evict(struct http_connection *conn)
{
    if (conn->request_active && conn->response == HTTP_RESPONSE_OPEN && conn->source == HTTP_SOURCE_SSE)
        (void)http_sse_end(conn);
    conn->close_after = true;
}
