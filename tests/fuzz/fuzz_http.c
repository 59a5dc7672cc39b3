/*
 * fuzz_http.c - libFuzzer target: one HTTP connection of src/net/http.h fed the input as a client's bytes.
 *
 * The first 8 bytes of the input (when it has more than 8) steer the "network": byte 0 the size of the reads, byte 1
 * how much of the output the socket takes each time, byte 2 how the clock moves (in small steps only, with rare
 * jumps past the timeouts, or with frequent ones), bytes 3-7 seed the choices made with them. The rest is what the
 * client sends; after it, the clock runs on for a while before the client half-closes.
 * Behind the engine sits a route table that answers in every way the engine offers (whole, pulled with and without a
 * length, pushed chunks with backpressure, events, deferred, protected, a stream that fails).
 *
 * Checked, besides memory safety:
 *   - feed never takes more than it was given, and the output never exceeds its buffer;
 *   - every request whose handler saw on_request gets exactly one on_finish, and none of its callbacks after it;
 *   - bodies handed to a handler never exceed the route's limit, nor the announced Content-Length;
 *   - the engine never stalls: it wants input, or has output, or is waiting on a producer the harness drives, or
 *     closes; after the client half-closes, the connection reaches CLOSED;
 *   - the output is a sequence of well-framed HTTP/1.1 responses: status line, fields, a Connection field,
 *     Content-Length or chunked framing that matches the bytes, nothing after a "Connection: close" response, and a
 *     short last response only when an exchange failed or the connection was dropped.
 */
#define _DEFAULT_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "net/http.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(condition, what)                                                                                         \
    do {                                                                                                               \
        if (!(condition)) {                                                                                            \
            fprintf(stderr, "fuzz_http: %s (%s:%d)\n", what, __FILE__, __LINE__);                                      \
            abort();                                                                                                   \
        }                                                                                                              \
    } while (0)

#define UPLOAD_MAX 2048
#define ECHO_MAX   8192
#define BIG_LENGTH 3000

struct harness {
    uint64_t rng;
    unsigned drain_style; /* 0: the socket takes everything; 1: random amounts; 2: either */
    unsigned clock_style; /* 0: small steps; 1: rare jumps past the timeouts; 2: frequent jumps */
    uint64_t now_us;
    struct http_connection conn;
    int open_exchanges; /* on_request seen, on_finish not yet */
    unsigned failures;  /* on_finish(false) */
    struct http_connection *events;
    unsigned events_sent;
    struct http_connection *lazy;
    size_t pulled;
    size_t pull_total;
    bool pull_fails;
    size_t output_len;
    bool output_overflow;
    bool dropped_with_output; /* closed by the engine with output still waiting */
};

static struct harness h;
static uint8_t output[1 << 22];

static uint32_t next_random(void)
{
    /* xorshift64* */
    h.rng ^= h.rng >> 12;
    h.rng ^= h.rng << 25;
    h.rng ^= h.rng >> 27;
    return (uint32_t)((h.rng * UINT64_C(2685821657736338717)) >> 32);
}

/* ---------------------------------------------------------------------------------------------------------------
 * Routes.
 */
static void begin_exchange(struct http_request *req)
{
    CHECK(req->handler_state == NULL, "handler state not cleared for a new request");
    req->handler_state = &h;
    h.open_exchanges++;
    CHECK(h.open_exchanges == 1, "two exchanges at once on one connection");
}

static void check_live(struct http_request *req)
{
    CHECK(req->handler_state == &h, "a callback for a request that is finished or was never started");
}

static void on_finish(void *ctx, struct http_request *req, bool completed)
{
    (void)ctx;
    check_live(req);
    req->handler_state = NULL;
    h.open_exchanges--;
    CHECK(h.open_exchanges == 0, "on_finish without on_request");
    if (!completed)
        h.failures++;
    if (req->connection == h.events)
        h.events = NULL;
    if (req->connection == h.lazy)
        h.lazy = NULL;
    /* Answering is no longer possible. */
    CHECK(http_respond_json(req->connection, 200, "{}") == STATUS_INVALID_ARGUMENT, "answered after on_finish");
}

static void ping(void *ctx, struct http_request *req)
{
    (void)ctx;
    begin_exchange(req);
    const char *name, *value;
    size_t count = 0;
    while (http_request_header_at(req, count, &name, &value)) {
        CHECK(http_request_header(req, name) != NULL, "a field that cannot be found by its own name");
        count++;
    }
    CHECK(count == req->header_count, "header iteration");
    char query[32];
    (void)http_request_query(req, "q", query, sizeof query);
    http_respond_json(req->connection, 200, "{\"pong\":true}");
}

static void item(void *ctx, struct http_request *req)
{
    (void)ctx;
    begin_exchange(req);
    size_t len;
    const char *id = http_request_param(req, "id", &len);
    CHECK(id != NULL && len > 0 && memchr(id, '/', len) == NULL, "a parameter that is not one segment");
    char body[96];
    snprintf(body, sizeof body, "{\"len\":%zu}", len);
    http_respond_json(req->connection, 200, body);
}

static void upload_request(void *ctx, struct http_request *req)
{
    (void)ctx;
    begin_exchange(req);
    if (next_random() % 16 == 0)
        http_respond_error(req->connection, 409, "busy", "an upload is in progress");
}

static size_t upload_body(void *ctx, struct http_request *req, const uint8_t *bytes, size_t len)
{
    (void)ctx;
    (void)bytes;
    check_live(req);
    CHECK(len > 0, "an empty body piece");
    CHECK(req->body_received + len <= UPLOAD_MAX, "a body beyond the route's limit");
    CHECK(req->chunked || req->body_received + len <= req->content_length, "a body beyond its Content-Length");
    if (next_random() % 64 == 0) /* refused halfway: the rest of the body is dropped */
        http_respond_error(req->connection, 507, "store-full", "the store is full");
    return 1 + next_random() % len; /* a handler that sometimes takes less */
}

static void upload_end(void *ctx, struct http_request *req)
{
    (void)ctx;
    check_live(req);
    CHECK(req->chunked || req->body_received == req->content_length, "body end before its Content-Length");
    (void)http_respond_json(req->connection, 201, "{\"stored\":true}"); /* refused when a 409 or 507 went out */
}

static void echo_request(void *ctx, struct http_request *req)
{
    (void)ctx;
    begin_exchange(req);
    CHECK(http_begin_chunked(req->connection, 200, "application/octet-stream") == STATUS_OK, "echo head");
}

static size_t echo_body(void *ctx, struct http_request *req, const uint8_t *bytes, size_t len)
{
    (void)ctx;
    check_live(req);
    CHECK(req->body_received + len <= ECHO_MAX, "a body beyond the route's limit");
    return http_write_chunk(req->connection, bytes, len);
}

static void echo_end(void *ctx, struct http_request *req)
{
    (void)ctx;
    check_live(req);
    CHECK(http_end_chunked(req->connection) == STATUS_OK, "echo end");
}

static int32_t pull(void *ctx, uint8_t *buffer, size_t room)
{
    CHECK(ctx == &h && room > 0, "pull arguments");
    if (h.pulled == h.pull_total)
        return HTTP_PULL_END;
    if (h.pull_fails && h.pulled > 1000)
        return HTTP_PULL_FAILED;
    unsigned choice = next_random() % 8;
    if (choice == 0)
        return 0; /* not ready yet */
    size_t n = h.pull_total - h.pulled;
    if (n > room)
        n = room;
    if (choice == 1 && n > 1)
        n = 1 + next_random() % n;
    for (size_t i = 0; i < n; i++)
        buffer[i] = (uint8_t)('a' + (h.pulled + i) % 26); /* never "HTTP/": see validate_output */
    h.pulled += n;
    return (int32_t)n;
}

static void stream(struct http_request *req, uint32_t length, size_t total, bool fails)
{
    h.pulled = 0;
    h.pull_total = total;
    h.pull_fails = fails;
    CHECK(http_respond_stream(req->connection, 200, "text/plain", length, pull, &h) == STATUS_OK, "stream head");
}

static void big(void *ctx, struct http_request *req)
{
    (void)ctx;
    begin_exchange(req);
    stream(req, BIG_LENGTH, BIG_LENGTH, false);
}

static void unsized(void *ctx, struct http_request *req)
{
    (void)ctx;
    begin_exchange(req);
    stream(req, HTTP_LENGTH_UNKNOWN, 2500, false);
}

static void broken(void *ctx, struct http_request *req)
{
    (void)ctx;
    begin_exchange(req);
    stream(req, BIG_LENGTH, BIG_LENGTH, true);
}

static void events(void *ctx, struct http_request *req)
{
    (void)ctx;
    begin_exchange(req);
    CHECK(http_begin_sse(req->connection) == STATUS_OK, "event stream head");
    h.events = req->connection;
    h.events_sent = 0;
}

static void lazy(void *ctx, struct http_request *req)
{
    (void)ctx;
    begin_exchange(req);
    http_response_header(req->connection, "Location", "/later");
    http_respond_later(req->connection);
    h.lazy = req->connection;
}

static void forgetful(void *ctx, struct http_request *req)
{
    (void)ctx;
    begin_exchange(req); /* and no answer: the engine gives 500 */
}

static bool authorize(void *ctx, struct http_request *req)
{
    (void)ctx;
    const char *auth = http_request_header(req, "authorization");
    return auth != NULL && strcmp(auth, "ok") == 0;
}

static const struct http_route routes[] = {
    {.method = HTTP_GET, .pattern = "/ping", .on_request = ping, .on_finish = on_finish},
    {.method = HTTP_GET, .pattern = "/items/{id}", .on_request = item, .on_finish = on_finish},
    {.method = HTTP_DELETE,
     .pattern = "/items/{id}",
     .flags = HTTP_ROUTE_PROTECTED,
     .on_request = item,
     .on_finish = on_finish},
    {.method = HTTP_POST,
     .pattern = "/upload",
     .max_body = UPLOAD_MAX,
     .flags = HTTP_ROUTE_BODY_REQUIRED,
     .on_request = upload_request,
     .on_body = upload_body,
     .on_body_end = upload_end,
     .on_finish = on_finish},
    {.method = HTTP_PUT,
     .pattern = "/echo/{a}/{b}",
     .max_body = ECHO_MAX,
     .on_request = echo_request,
     .on_body = echo_body,
     .on_body_end = echo_end,
     .on_finish = on_finish},
    {.method = HTTP_GET, .pattern = "/big", .on_request = big, .on_finish = on_finish},
    {.method = HTTP_GET, .pattern = "/unsized", .on_request = unsized, .on_finish = on_finish},
    {.method = HTTP_GET, .pattern = "/broken", .on_request = broken, .on_finish = on_finish},
    {.method = HTTP_GET, .pattern = "/events", .on_request = events, .on_finish = on_finish},
    {.method = HTTP_GET, .pattern = "/lazy", .on_request = lazy, .on_finish = on_finish},
    {.method = HTTP_POST, .pattern = "/forgetful", .max_body = 64, .on_request = forgetful, .on_finish = on_finish},
};

static const struct http_config config = {
    .routes = routes,
    .route_count = sizeof routes / sizeof routes[0],
    .authorize = authorize,
    .header_timeout_ms = 1000,
    .body_idle_timeout_ms = 1000,
    .keepalive_timeout_ms = 2000,
    .send_timeout_ms = 3000,
    .sse_keepalive_ms = 500,
};

/* ---------------------------------------------------------------------------------------------------------------
 * The network and the producers.
 */
static void drain(size_t step)
{
    const uint8_t *bytes;
    size_t len;
    for (unsigned rounds = 0; rounds < 64 && http_connection_output(&h.conn, &bytes, &len); rounds++) {
        CHECK(len > 0 && len <= AIRSWD_HTTP_OUTPUT_MAX, "output larger than its buffer");
        size_t n = step != 0 && len > step ? step : len;
        if (h.output_len + n <= sizeof output) {
            memcpy(output + h.output_len, bytes, n);
            h.output_len += n;
        } else {
            h.output_overflow = true;
        }
        http_connection_consumed(&h.conn, n);
        if (step != 0)
            break;
    }
}

static void produce(void)
{
    if (h.events != NULL) {
        unsigned choice = next_random() % 4;
        if (choice == 0 || h.events_sent >= 3) {
            CHECK(http_sse_end(h.events) == STATUS_OK, "end of an event stream");
        } else {
            /* Sometimes a burst of long log lines, which fills the output of a slow reader. */
            static const char line[] = "log line 0123456789012345678901234567890123456789\r\nsecond line";
            unsigned burst = choice == 1 ? 1 : 12;
            for (unsigned i = 0; i < burst && h.events != NULL; i++) {
                enum status status =
                    http_sse_event_id(h.events, choice == 1 ? "17" : NULL, choice == 1 ? "progress" : NULL, line);
                CHECK(status == STATUS_OK || status == STATUS_OUTPUT_FULL, "event refused");
                h.events_sent += choice == 1 && status == STATUS_OK;
            }
        }
    }
    if (h.lazy != NULL && next_random() % 3 == 0)
        CHECK(http_respond_json(h.lazy, 202, "{\"later\":true}") == STATUS_OK, "deferred answer");
    if (!h.conn.request_active)
        CHECK(http_respond_json(&h.conn, 200, "{}") == STATUS_INVALID_ARGUMENT, "an answer with no request");
}

static void advance_time(void)
{
    static const uint32_t small_ms[] = {0, 1, 5, 20, 50};
    static const uint32_t large_ms[] = {400, 600, 1200, 2500};
    bool jump = h.clock_style == 2 ? next_random() % 3 == 0 : h.clock_style == 1 && next_random() % 64 == 0;
    uint32_t ms = jump ? large_ms[next_random() % 4] : small_ms[next_random() % 5];
    h.now_us += (uint64_t)ms * 1000u;
    http_connection_tick(&h.conn, h.now_us);
}

static void drain_some(void)
{
    bool partial = h.drain_style == 1 || (h.drain_style == 2 && next_random() % 2 == 0);
    drain(partial ? 1 + next_random() % 600 : 0);
}

static enum http_connection_state observe_state(void)
{
    enum http_connection_state state = http_connection_state(&h.conn);
    if (state == HTTP_CONNECTION_CLOSED && h.conn.out_end - h.conn.out_start - h.conn.staged_len > 0)
        h.dropped_with_output = true;
    return state;
}

/* ---------------------------------------------------------------------------------------------------------------
 * The output, parsed back.
 */
static const uint8_t *find(const uint8_t *from, const uint8_t *end, const char *text)
{
    size_t len = strlen(text);
    for (const uint8_t *p = from; p + len <= end; p++)
        if (memcmp(p, text, len) == 0)
            return p;
    return NULL;
}

static bool starts_response(const uint8_t *p, const uint8_t *end)
{
    return end - p >= 9 && memcmp(p, "HTTP/1.1 ", 9) == 0;
}

/* A body announced but absent belongs to a response to HEAD: no body the harness produces starts with "HTTP/1.1 "
 * (JSON, lowercase letters, chunk sizes in hex), so the next response starting there tells it apart. */
static void validate_output(void)
{
    const uint8_t *p = output, *end = output + h.output_len;
    bool may_be_short = h.failures > 0 || h.dropped_with_output || h.output_overflow;
    bool after_close = false;
    while (p < end) {
        CHECK(!after_close, "bytes after a response that said Connection: close");
        const uint8_t *head_end = find(p, end, "\r\n\r\n");
        if (head_end == NULL) {
            CHECK(may_be_short, "a response head cut short");
            return;
        }
        CHECK(starts_response(p, end) && p[9] >= '1' && p[9] <= '5' && p[12] == ' ', "a bad status line");
        int status = (p[9] - '0') * 100 + (p[10] - '0') * 10 + (p[11] - '0');
        long length = -1;
        bool chunked = false, close = false, has_connection = false;
        const uint8_t *line = find(p, head_end + 2, "\r\n") + 2;
        while (line < head_end + 2) {
            const uint8_t *line_end = find(line, head_end + 2, "\r\n");
            const uint8_t *colon = find(line, line_end, ": ");
            CHECK(colon != NULL && colon > line, "a header line without 'Name: '");
            for (const uint8_t *c = line; c < line_end; c++)
                CHECK(*c >= 0x20 && *c < 0x7F, "a control character in a header line");
            size_t name_len = (size_t)(colon - line);
            const char *value = (const char *)colon + 2;
            size_t value_len = (size_t)(line_end - colon - 2);
            if (name_len == 14 && strncasecmp((const char *)line, "Content-Length", 14) == 0) {
                CHECK(length < 0, "two Content-Length fields");
                length = strtol(value, NULL, 10);
            } else if (name_len == 17 && strncasecmp((const char *)line, "Transfer-Encoding", 17) == 0) {
                CHECK(value_len == 7 && memcmp(value, "chunked", 7) == 0, "a coding other than chunked");
                chunked = true;
            } else if (name_len == 10 && strncasecmp((const char *)line, "Connection", 10) == 0) {
                has_connection = true;
                close = value_len == 5 && memcmp(value, "close", 5) == 0;
            }
            line = line_end + 2;
        }
        p = head_end + 4;
        if (status == 100) {
            CHECK(length < 0 && !chunked, "framing on an interim response");
            continue;
        }
        CHECK(has_connection, "a response without a Connection field");
        CHECK(!(length >= 0 && chunked), "both Content-Length and chunked");
        if (status == 204 || status == 304) {
            CHECK(length < 0 && !chunked, "framing on a response that has no body");
        } else if (length >= 0) {
            if (length > 0 && (p == end || starts_response(p, end))) {
                /* HEAD (or a body cut before its first byte, which the checks cannot tell apart) */
            } else if (end - p < length) {
                CHECK(may_be_short, "a body shorter than its Content-Length");
                return;
            } else {
                p += length;
            }
        } else if (chunked) {
            if (p == end || starts_response(p, end)) {
                /* HEAD, or the stream ends here */
            } else {
                for (;;) {
                    const uint8_t *size_end = find(p, end, "\r\n");
                    if (size_end == NULL) {
                        CHECK(may_be_short, "a chunk size line cut short");
                        return;
                    }
                    char *after;
                    unsigned long size = strtoul((const char *)p, &after, 16);
                    CHECK((const uint8_t *)after == size_end && size_end > p, "a bad chunk size line");
                    CHECK(size <= AIRSWD_HTTP_OUTPUT_MAX, "a chunk larger than the output buffer");
                    p = size_end + 2;
                    if ((size_t)(end - p) < size + 2) {
                        CHECK(may_be_short, "a chunk cut short");
                        return;
                    }
                    CHECK(p[size] == '\r' && p[size + 1] == '\n', "chunk data not followed by CRLF");
                    p += size + 2;
                    if (size == 0)
                        break;
                }
            }
        } else {
            CHECK(close, "a body delimited by the close without Connection: close");
            p = end;
        }
        after_close |= close;
    }
}

/* ---------------------------------------------------------------------------------------------------------------
 * One input.
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const size_t pieces[] = {1, 3, 16, 200, 1500, 65536};
    memset(&h, 0, sizeof h);
    h.rng = 0x9E3779B97F4A7C15u;
    size_t piece_max = pieces[5];
    if (size > 8) {
        piece_max = pieces[data[0] % 6];
        h.drain_style = data[1] % 3u;
        h.clock_style = data[2] % 3u;
        for (int i = 3; i < 8; i++)
            h.rng = (h.rng << 8 | data[i]) ^ (h.rng >> 56);
        data += 8;
        size -= 8;
    }
    if (h.rng == 0)
        h.rng = 1;
    h.now_us = 1000000;
    http_connection_init(&h.conn, &config, h.now_us);

    size_t pos = 0;
    unsigned idle_rounds = 0;
    while (pos < size && observe_state() != HTTP_CONNECTION_CLOSED) {
        size_t before_pos = pos, before_out = h.output_len;
        size_t n = 1 + next_random() % piece_max;
        if (n > size - pos)
            n = size - pos;
        bool wanted = http_connection_wants_input(&h.conn);
        if (wanted || next_random() % 8 == 0) {
            size_t used = http_connection_feed(&h.conn, data + pos, n, h.now_us);
            CHECK(used <= n, "feed took more than it was given");
            CHECK(!wanted || used > 0 || h.conn.out_end > h.conn.out_start || observe_state() != HTTP_CONNECTION_OPEN,
                  "feed took nothing though the connection wanted input and had no output");
            pos += used;
        }
        switch (next_random() % 4) {
        case 0: advance_time(); break;
        case 1: produce(); break;
        default: drain_some(); break;
        }
        idle_rounds = pos == before_pos && h.output_len == before_out ? idle_rounds + 1 : 0;
        CHECK(idle_rounds < 5000, "the connection stalled");
    }

    /* The client says nothing more for a while (keep-alive, event streams, deferred answers, timeouts)... */
    for (unsigned i = next_random() % 64; i > 0 && observe_state() != HTTP_CONNECTION_CLOSED; i--) {
        produce();
        drain_some();
        advance_time();
    }
    /* ...then half-closes: whatever was in progress ends, and the connection closes. */
    http_connection_end_of_input(&h.conn, h.now_us);
    unsigned rounds = 0;
    while (observe_state() != HTTP_CONNECTION_CLOSED) {
        CHECK(++rounds < 1000, "the connection did not close after the client's end of input");
        produce();
        drain(0);
        h.now_us += 100000;
        http_connection_tick(&h.conn, h.now_us);
    }
    http_connection_close(&h.conn);
    CHECK(h.open_exchanges == 0, "an exchange never finished");
    validate_output();
    return 0;
}
