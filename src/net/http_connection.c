/*
 * http_connection.c - the life of a connection: bytes fed in go to the head parser or to the handler's body
 * callback, time moves the timeouts, and an exchange ends when its request has been read and its response produced.
 *
 * An exchange is over when
 *   - its response is complete and its body read (or to be dropped): on_finish(true), then the next request, or the
 *     close if either side asked for it or a body was left unread;
 *   - it failed (a limit, a timeout, a malformed body, a streamed body that broke) or the port closed the
 *     connection: on_finish(false), and the connection closes.
 * settle() applies these rules; every entry point of the port calls it, so a handler's callbacks never run inside
 * one of its own calls to a response function.
 */
#include "net/http_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

uint32_t http_timeout_ms(uint32_t configured, uint32_t fallback)
{
    return configured != 0 ? configured : fallback;
}

static bool elapsed_at_least(const struct http_connection *conn, uint64_t since_us, uint64_t ms)
{
    return conn->now_us >= since_us && conn->now_us - since_us >= ms * 1000u;
}

static void advance_time(struct http_connection *conn, uint64_t now_us)
{
    if (now_us > conn->now_us)
        conn->now_us = now_us;
}

/* Ready for the next request on the same connection. */
static void reset_exchange(struct http_connection *conn)
{
    http_response_drop_staged(conn);
    memset(&conn->request, 0, sizeof conn->request);
    conn->request.connection = conn;
    conn->request.path = "";
    conn->request.query = "";
    conn->input = HTTP_INPUT_HEAD;
    conn->head_len = 0;
    conn->line_start = 0;
    conn->request_line_end = 0;
    conn->blank_lines = 0;
    conn->head_started = false;
    conn->body_blocked = false;
    conn->chunk_state = HTTP_CHUNK_SIZE;
    conn->chunk_digits = 0;
    conn->trailer_bytes = 0;
    conn->body_remaining = 0;
    conn->request_active = false;
    conn->dispatched = false;
    conn->deferred = false;
    conn->failed = false;
    conn->response = HTTP_RESPONSE_NONE;
    conn->source = HTTP_SOURCE_FIXED;
    conn->chunked_output = false;
    conn->suppress_body = false;
    conn->stream_remaining = 0;
    conn->pull = NULL;
    conn->pull_ctx = NULL;
    conn->idle_since_us = conn->now_us;
}

void http_connection_init(struct http_connection *conn, const struct http_config *config, uint64_t now_us)
{
    memset(conn, 0, sizeof *conn);
    conn->config = config;
    conn->now_us = now_us;
    conn->output_progress_us = now_us;
    reset_exchange(conn);
}

/* Ends the exchange when its rules say it is over (see the top of this file). */
static void settle(struct http_connection *conn)
{
    if (!conn->request_active)
        return;
    bool completed;
    if (conn->closed || conn->failed) {
        completed = false;
    } else if (conn->response == HTTP_RESPONSE_COMPLETE) {
        if (conn->input == HTTP_INPUT_BODY) { /* answered before the body was read: the rest is dropped */
            conn->input = HTTP_INPUT_DISCARD;
            conn->close_after = true;
        }
        completed = true;
    } else {
        return;
    }
    conn->request_active = false; /* from here on, responding is refused */
    if (conn->dispatched) {
        conn->dispatched = false;
        const struct http_route *route = conn->request.route;
        if (route->on_finish != NULL)
            route->on_finish(conn->config->ctx, &conn->request, completed);
    }
    if (conn->closed)
        return;
    if (conn->close_after)
        conn->input = HTTP_INPUT_DISCARD;
    else
        reset_exchange(conn);
}

void http_connection_fail_with(struct http_connection *conn, const struct http_failure *failure)
{
    if (conn->closed)
        return;
    conn->close_after = true;
    if (conn->response == HTTP_RESPONSE_NONE) {
        http_response_drop_staged(conn);
        (void)http_response_error_text(conn, failure->status, failure->error, failure->detail);
    }
    /* An open response is cut here: what is in the output goes out, and the close tells the client it is short. */
    conn->response = HTTP_RESPONSE_COMPLETE;
    conn->failed = true;
    conn->input = HTTP_INPUT_DISCARD;
}

void http_connection_fail(struct http_connection *conn, int status, const char *error, const char *detail_format, ...)
{
    struct http_failure failure;
    failure.status = status;
    failure.error = error;
    va_list args;
    va_start(args, detail_format);
    (void)vsnprintf(failure.detail, sizeof failure.detail, detail_format, args);
    va_end(args);
    http_connection_fail_with(conn, &failure);
}

size_t http_connection_deliver_body(struct http_connection *conn, const uint8_t *bytes, size_t len)
{
    struct http_request *req = &conn->request;
    if (len == 0)
        return 0;
    if (conn->closed || conn->failed || conn->response == HTTP_RESPONSE_COMPLETE)
        return len; /* answered already: the rest of the body is not wanted */
    size_t taken = len;
    if (req->route->on_body != NULL) {
        taken = req->route->on_body(conn->config->ctx, req, bytes, len);
        if (taken > len)
            taken = len;
    }
    conn->body_blocked = taken < len;
    if (taken > 0) {
        req->body_received += (uint32_t)taken;
        conn->body_progress_us = conn->now_us;
    }
    return taken;
}

void http_connection_body_end(struct http_connection *conn)
{
    struct http_request *req = &conn->request;
    conn->input = HTTP_INPUT_DONE;
    if (conn->closed || conn->failed)
        return;
    if (req->route->on_body_end != NULL)
        req->route->on_body_end(conn->config->ctx, req);
    if (!conn->closed && !conn->failed && conn->response == HTTP_RESPONSE_NONE && !conn->deferred)
        (void)http_respond_error(conn, 500, "internal-error", "the handler of %s %s gave no answer",
                                 http_method_name(req->route->method), req->route->pattern);
}

/* The head is complete: parse it and hand it to the router. */
static void start_request(struct http_connection *conn)
{
    struct http_failure failure;
    conn->request_active = true;
    if (!http_parser_parse_head(conn, &failure)) {
        http_connection_fail_with(conn, &failure);
        return;
    }
    http_router_dispatch(conn);
}

static size_t take_body(struct http_connection *conn, const uint8_t *bytes, size_t len)
{
    if (conn->request.chunked)
        return http_parser_take_chunked(conn, bytes, len);
    size_t offered = len < conn->body_remaining ? len : conn->body_remaining;
    size_t taken = http_connection_deliver_body(conn, bytes, offered);
    conn->body_remaining -= (uint32_t)taken;
    if (conn->body_remaining == 0 && conn->input == HTTP_INPUT_BODY)
        http_connection_body_end(conn);
    return taken;
}

size_t http_connection_feed(struct http_connection *conn, const uint8_t *bytes, size_t len, uint64_t now_us)
{
    advance_time(conn, now_us);
    settle(conn);
    if (conn->closed)
        return len; /* nothing more is read: dropped */
    size_t used = 0;
    while (used < len && !conn->closed) {
        switch (conn->input) {
        case HTTP_INPUT_HEAD: {
            /* One request at a time: the next head waits until the previous response has left. */
            if (conn->request_active || conn->close_after || http_output_pending(conn) > 0)
                goto out;
            struct http_failure failure;
            bool complete;
            failure.status = 0;
            used += http_parser_take_head(conn, bytes + used, len - used, &complete, &failure);
            if (failure.status != 0)
                http_connection_fail_with(conn, &failure);
            else if (complete)
                start_request(conn);
            break;
        }
        case HTTP_INPUT_BODY: {
            size_t taken = take_body(conn, bytes + used, len - used);
            used += taken;
            if (taken == 0 && conn->input == HTTP_INPUT_BODY)
                goto out; /* the handler is busy */
            break;
        }
        case HTTP_INPUT_DONE: goto out;
        case HTTP_INPUT_DISCARD: used = len; break;
        }
        settle(conn);
    }
out:
    if (used > 0)
        conn->idle_since_us = conn->now_us;
    settle(conn);
    return used;
}

bool http_connection_wants_input(const struct http_connection *conn)
{
    if (conn->closed)
        return false;
    switch (conn->input) {
    case HTTP_INPUT_HEAD: return !conn->close_after && !conn->request_active && http_output_pending(conn) == 0;
    case HTTP_INPUT_BODY: return !(conn->body_blocked && http_output_pending(conn) > 0);
    case HTTP_INPUT_DONE:
    case HTTP_INPUT_DISCARD: break;
    }
    return false;
}

void http_connection_end_of_input(struct http_connection *conn, uint64_t now_us)
{
    advance_time(conn, now_us);
    settle(conn);
    if (conn->closed)
        return;
    switch (conn->input) {
    case HTTP_INPUT_HEAD: /* between requests, or inside a head that will never end: nothing to answer */
        conn->close_after = true;
        conn->input = HTTP_INPUT_DISCARD;
        break;
    case HTTP_INPUT_BODY:
        http_connection_fail(conn, 400, "bad-request", "the client closed the connection after %lu bytes of the body",
                             (unsigned long)conn->request.body_received);
        break;
    case HTTP_INPUT_DONE:
        /* A half-closed client may still read its answer; an event stream's reader is gone. */
        conn->close_after = true;
        if (conn->response == HTTP_RESPONSE_OPEN && conn->source == HTTP_SOURCE_SSE)
            conn->closed = true;
        break;
    case HTTP_INPUT_DISCARD: break;
    }
    settle(conn);
}

bool http_connection_output(struct http_connection *conn, const uint8_t **bytes, size_t *len)
{
    *bytes = NULL;
    *len = 0;
    if (conn->closed)
        return false;
    http_response_fill(conn);
    settle(conn);
    size_t pending = http_output_pending(conn);
    if (pending == 0) {
        conn->output_progress_us = conn->now_us;
        return false;
    }
    *bytes = conn->out + conn->out_start;
    *len = pending;
    return true;
}

void http_connection_consumed(struct http_connection *conn, size_t n)
{
    size_t pending = http_output_pending(conn);
    if (n > pending)
        n = pending;
    if (n == 0)
        return;
    conn->out_start = (uint16_t)(conn->out_start + n);
    if (conn->out_start == conn->out_end)
        conn->out_start = conn->out_end = 0;
    conn->output_progress_us = conn->now_us;
    conn->idle_since_us = conn->now_us;
}

/* The body's whole time: body_timeout_ms, plus 1 s for every body_min_rate bytes received so far. */
static void check_body_deadline(struct http_connection *conn)
{
    const struct http_config *config = conn->config;
    uint32_t grace_ms = http_timeout_ms(config->body_timeout_ms, AIRSWD_HTTP_BODY_TIMEOUT_MS);
    uint32_t rate = http_timeout_ms(config->body_min_rate, AIRSWD_HTTP_BODY_MIN_RATE);
    uint64_t allowed_ms = grace_ms + (uint64_t)conn->request.body_received * 1000u / rate;
    if (elapsed_at_least(conn, conn->body_started_us, allowed_ms))
        http_connection_fail(conn, 408, "request-timeout",
                             "the body arrives too slowly: %lu bytes in %lu ms (a body has %lu ms, and 1 s more for "
                             "every %lu bytes)",
                             (unsigned long)conn->request.body_received, (unsigned long)allowed_ms,
                             (unsigned long)grace_ms, (unsigned long)rate);
}

void http_connection_tick(struct http_connection *conn, uint64_t now_us)
{
    advance_time(conn, now_us);
    settle(conn);
    if (conn->closed)
        return;
    const struct http_config *config = conn->config;
    http_response_fill(conn);

    uint32_t send_ms = http_timeout_ms(config->send_timeout_ms, AIRSWD_HTTP_SEND_TIMEOUT_MS);
    if (http_output_pending(conn) == 0) {
        conn->output_progress_us = conn->now_us;
    } else if (elapsed_at_least(conn, conn->output_progress_us, send_ms)) {
        conn->closed = true; /* the client reads nothing: no answer could reach it */
        settle(conn);
        return;
    }

    if (conn->input == HTTP_INPUT_HEAD && conn->head_started) {
        uint32_t header_ms = http_timeout_ms(config->header_timeout_ms, AIRSWD_HTTP_HEADER_TIMEOUT_MS);
        if (elapsed_at_least(conn, conn->head_started_us, header_ms))
            http_connection_fail(conn, 408, "request-timeout",
                                 "the request line and header fields did not arrive within %lu ms",
                                 (unsigned long)header_ms);
    } else if (conn->input == HTTP_INPUT_HEAD && !conn->request_active && !conn->close_after &&
               http_output_pending(conn) == 0) {
        uint32_t idle_ms = http_timeout_ms(config->keepalive_timeout_ms, AIRSWD_HTTP_KEEPALIVE_TIMEOUT_MS);
        if (elapsed_at_least(conn, conn->idle_since_us, idle_ms)) {
            conn->close_after = true; /* an idle connection between requests closes without a word */
            conn->input = HTTP_INPUT_DISCARD;
        }
    } else if (conn->input == HTTP_INPUT_BODY && !conn->body_blocked) {
        uint32_t body_ms = http_timeout_ms(config->body_idle_timeout_ms, AIRSWD_HTTP_BODY_IDLE_TIMEOUT_MS);
        if (elapsed_at_least(conn, conn->body_progress_us, body_ms))
            http_connection_fail(conn, 408, "request-timeout", "the body stalled: no byte for %lu ms after %lu bytes",
                                 (unsigned long)body_ms, (unsigned long)conn->request.body_received);
        else
            check_body_deadline(conn);
    }
    http_sse_tick(conn);
    settle(conn);
}

enum http_connection_state http_connection_state(struct http_connection *conn)
{
    settle(conn);
    if (conn->closed)
        return HTTP_CONNECTION_CLOSED;
    if (conn->close_after && !conn->request_active) {
        if (http_output_pending(conn) > 0)
            return HTTP_CONNECTION_CLOSING;
        conn->closed = true;
        return HTTP_CONNECTION_CLOSED;
    }
    return HTTP_CONNECTION_OPEN;
}

void http_connection_close(struct http_connection *conn)
{
    conn->closed = true;
    settle(conn);
}
