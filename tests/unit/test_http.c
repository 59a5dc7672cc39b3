/*
 * test_http.c - the HTTP engine of src/net driven through memory: requests go in as bytes, in one piece, split
 * anywhere or one byte at a time; responses come out as bytes and are parsed back here with their framing checked.
 * Time is a number the tests move.
 */
#define _DEFAULT_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cmocka.h>

#include "crc32.h"
#include "net/http.h"

/* ---------------------------------------------------------------------------------------------------------------
 * The application under the engine: a handful of routes that answer in every way the engine offers.
 */
#define UPLOAD_MAX   4096
#define ECHO_MAX     65536
#define BIG_LENGTH   5000
#define CHUNKY_TOTAL 3000

struct app {
    unsigned requests;
    unsigned finished_ok;
    unsigned finished_failed;
    unsigned body_ends;
    size_t upload_len;
    uint8_t upload[UPLOAD_MAX];
    struct http_connection *events;
    struct http_connection *lazy;
    size_t pulled;
    bool fail_stream;
    bool auth_challenge; /* the authorize hook answers 401 itself, with a challenge */
    bool reject_early;   /* the upload handler answers 409 from on_request */
};

static struct app app;

static void on_finish(void *ctx, struct http_request *req, bool completed)
{
    (void)ctx;
    (void)req;
    if (completed)
        app.finished_ok++;
    else
        app.finished_failed++;
    if (req->connection == app.events)
        app.events = NULL;
}

static void ping(void *ctx, struct http_request *req)
{
    (void)ctx;
    app.requests++;
    http_respond_json(req->connection, 200, "{\"pong\":true}");
}

static void item(void *ctx, struct http_request *req)
{
    (void)ctx;
    app.requests++;
    size_t len;
    const char *id = http_request_param(req, "id", &len);
    char body[128];
    snprintf(body, sizeof body, "{\"id\":\"%.*s\"}", (int)len, id);
    http_respond_json(req->connection, 200, body);
}

static void upload_request(void *ctx, struct http_request *req)
{
    (void)ctx;
    app.requests++;
    app.upload_len = 0;
    if (app.reject_early)
        http_respond_error(req->connection, 409, "busy", "another upload is in progress");
}

static size_t upload_body(void *ctx, struct http_request *req, const uint8_t *bytes, size_t len)
{
    (void)ctx;
    (void)req;
    assert_true(app.upload_len + len <= UPLOAD_MAX);
    memcpy(app.upload + app.upload_len, bytes, len);
    app.upload_len += len;
    return len;
}

static void upload_end(void *ctx, struct http_request *req)
{
    (void)ctx;
    app.body_ends++;
    if (app.reject_early)
        return;
    char body[64];
    snprintf(body, sizeof body, "{\"received\":%zu}", app.upload_len);
    http_respond_json(req->connection, 201, body);
}

static void echo_request(void *ctx, struct http_request *req)
{
    (void)ctx;
    app.requests++;
    assert_int_equal(http_begin_chunked(req->connection, 200, "application/octet-stream"), STATUS_OK);
}

static size_t echo_body(void *ctx, struct http_request *req, const uint8_t *bytes, size_t len)
{
    (void)ctx;
    return http_write_chunk(req->connection, bytes, len);
}

static void echo_end(void *ctx, struct http_request *req)
{
    (void)ctx;
    assert_int_equal(http_end_chunked(req->connection), STATUS_OK);
}

static uint8_t pattern_byte(size_t i)
{
    return (uint8_t)(i * 7 + 3);
}

static int32_t pull_pattern(void *ctx, uint8_t *buffer, size_t room)
{
    size_t total = *(const size_t *)ctx;
    if (app.pulled == total)
        return HTTP_PULL_END;
    if (app.fail_stream && app.pulled >= 1500)
        return HTTP_PULL_FAILED;
    size_t n = total - app.pulled < room ? total - app.pulled : room;
    if (n > 700) /* a source that gives less than asked, as a flash reader would */
        n = 700;
    for (size_t i = 0; i < n; i++)
        buffer[i] = pattern_byte(app.pulled + i);
    app.pulled += n;
    return (int32_t)n;
}

static size_t big_total = BIG_LENGTH, chunky_total = CHUNKY_TOTAL;

static void big(void *ctx, struct http_request *req)
{
    (void)ctx;
    app.requests++;
    app.pulled = 0;
    assert_int_equal(
        http_respond_stream(req->connection, 200, "application/octet-stream", BIG_LENGTH, pull_pattern, &big_total),
        STATUS_OK);
}

static void chunky(void *ctx, struct http_request *req)
{
    (void)ctx;
    app.requests++;
    app.pulled = 0;
    assert_int_equal(http_respond_stream(req->connection, 200, "application/octet-stream", HTTP_LENGTH_UNKNOWN,
                                         pull_pattern, &chunky_total),
                     STATUS_OK);
}

static void events(void *ctx, struct http_request *req)
{
    (void)ctx;
    app.requests++;
    assert_int_equal(http_begin_sse(req->connection), STATUS_OK);
    app.events = req->connection;
}

static void headers(void *ctx, struct http_request *req)
{
    (void)ctx;
    app.requests++;
    const char *auth = http_request_header(req, "authorization");
    const char *custom = http_request_header(req, "X-AIRSWD-TEST");
    assert_null(http_request_header(req, "X-Airswd"));
    unsigned count = 0;
    const char *name, *value;
    while (http_request_header_at(req, count, &name, &value))
        count++;
    assert_int_equal(count, req->header_count);
    char body[256];
    snprintf(body, sizeof body, "%s|%s|%u", auth ? auth : "-", custom ? custom : "-", count);
    http_response_header(req->connection, "Location", "/api/v1/items/7");
    http_response_header(req->connection, "Cache-Control", "max-age=60");
    http_respond(req->connection, 200, "text/plain", body, strlen(body));
}

static void query(void *ctx, struct http_request *req)
{
    (void)ctx;
    app.requests++;
    char name[32], flag[8], missing[8];
    char body[128];
    snprintf(body, sizeof body, "%s|%s|%d", http_request_query(req, "name", name, sizeof name) ? name : "?",
             http_request_query(req, "flag", flag, sizeof flag) ? flag : "?",
             http_request_query(req, "missing", missing, sizeof missing));
    http_respond(req->connection, 200, "text/plain", body, strlen(body));
}

static void protected_delete(void *ctx, struct http_request *req)
{
    (void)ctx;
    app.requests++;
    http_respond(req->connection, 204, NULL, NULL, 0);
}

static void lazy(void *ctx, struct http_request *req)
{
    (void)ctx;
    app.requests++;
    app.lazy = req->connection;
    http_respond_later(req->connection);
}

static void forgetful(void *ctx, struct http_request *req)
{
    (void)ctx;
    (void)req;
    app.requests++;
}

static bool authorize(void *ctx, struct http_request *req)
{
    (void)ctx;
    const char *auth = http_request_header(req, "Authorization");
    if (auth != NULL && strcmp(auth, "Bearer good") == 0)
        return true;
    if (app.auth_challenge) {
        http_response_header(req->connection, "WWW-Authenticate", "AIRSWD nonce=\"abc\"");
        http_respond_error(req->connection, 401, "unauthorized", "sign the request with the device secret");
    }
    return false;
}

static const struct http_route routes[] = {
    {.method = HTTP_GET, .pattern = "/api/v1/ping", .on_request = ping, .on_finish = on_finish},
    {.method = HTTP_GET, .pattern = "/api/v1/items/{id}", .on_request = item, .on_finish = on_finish},
    {.method = HTTP_POST,
     .pattern = "/api/v1/upload",
     .max_body = UPLOAD_MAX,
     .flags = HTTP_ROUTE_BODY_REQUIRED,
     .on_request = upload_request,
     .on_body = upload_body,
     .on_body_end = upload_end,
     .on_finish = on_finish},
    {.method = HTTP_POST,
     .pattern = "/api/v1/echo",
     .max_body = ECHO_MAX,
     .on_request = echo_request,
     .on_body = echo_body,
     .on_body_end = echo_end,
     .on_finish = on_finish},
    {.method = HTTP_GET, .pattern = "/api/v1/big", .on_request = big, .on_finish = on_finish},
    {.method = HTTP_GET, .pattern = "/api/v1/chunky", .on_request = chunky, .on_finish = on_finish},
    {.method = HTTP_GET, .pattern = "/api/v1/events", .on_request = events, .on_finish = on_finish},
    {.method = HTTP_GET, .pattern = "/api/v1/headers", .on_request = headers, .on_finish = on_finish},
    {.method = HTTP_GET, .pattern = "/api/v1/query", .on_request = query, .on_finish = on_finish},
    {.method = HTTP_DELETE,
     .pattern = "/api/v1/items/{id}",
     .flags = HTTP_ROUTE_PROTECTED,
     .on_request = protected_delete,
     .on_finish = on_finish},
    {.method = HTTP_GET, .pattern = "/api/v1/lazy", .on_request = lazy, .on_finish = on_finish},
    {.method = HTTP_GET, .pattern = "/api/v1/forgetful", .on_request = forgetful, .on_finish = on_finish},
};

static const struct http_config config = {
    .routes = routes,
    .route_count = sizeof routes / sizeof routes[0],
    .authorize = authorize,
    .header_timeout_ms = 2000,
    .body_idle_timeout_ms = 3000,
    .body_timeout_ms = 7000,
    .body_min_rate = 100,
    .keepalive_timeout_ms = 5000,
    .send_timeout_ms = 8000,
    .sse_keepalive_ms = 1000,
};

/* ---------------------------------------------------------------------------------------------------------------
 * An in-memory client.
 */
struct client {
    struct http_connection conn;
    uint64_t now_us;
    size_t drain_step; /* bytes the "socket" takes per call; 0: all */
    size_t out_len;
    uint8_t out[1 << 18];
};

static struct client client;

static void client_open(void)
{
    memset(&app, 0, sizeof app);
    client.now_us = 1000000;
    client.drain_step = 0;
    client.out_len = 0;
    http_connection_init(&client.conn, &config, client.now_us);
}

static void drain(void)
{
    const uint8_t *bytes;
    size_t len;
    while (http_connection_output(&client.conn, &bytes, &len)) {
        size_t n = client.drain_step != 0 && len > client.drain_step ? client.drain_step : len;
        assert_true(client.out_len + n <= sizeof client.out);
        memcpy(client.out + client.out_len, bytes, n);
        client.out_len += n;
        http_connection_consumed(&client.conn, n);
    }
}

/* Feeds data in pieces of at most `piece` bytes (0: all at once), draining the output whenever the engine waits
 * for it, as a port does. Returns how many bytes the engine took. */
static size_t send_pieces(const void *data, size_t len, size_t piece)
{
    const uint8_t *bytes = data;
    size_t done = 0;
    unsigned stalls = 0;
    while (done < len && stalls < 3) {
        size_t n = piece != 0 && len - done > piece ? piece : len - done;
        size_t used = http_connection_feed(&client.conn, bytes + done, n, client.now_us);
        done += used;
        drain();
        stalls = used == 0 ? stalls + 1 : 0;
    }
    drain();
    return done;
}

static size_t send_text(const char *text)
{
    return send_pieces(text, strlen(text), 0);
}

static void advance_ms(uint32_t ms)
{
    client.now_us += (uint64_t)ms * 1000u;
    http_connection_tick(&client.conn, client.now_us);
    drain();
}

/* A response parsed back, its framing checked. */
struct response {
    int status;
    char head[2048];
    size_t body_len;
    uint8_t body[1 << 17];
    bool chunked;
    unsigned chunks;
    size_t largest_chunk;
};

static struct response responses[4];

static bool find_header(const struct response *r, const char *name, char *value, size_t value_size)
{
    size_t name_len = strlen(name);
    for (const char *line = strstr(r->head, "\r\n"); line != NULL; line = strstr(line + 2, "\r\n")) {
        const char *field = line + 2;
        if (strncasecmp(field, name, name_len) == 0 && field[name_len] == ':') {
            const char *v = field + name_len + 1;
            while (*v == ' ')
                v++;
            size_t len = strcspn(v, "\r");
            if (len >= value_size)
                len = value_size - 1;
            memcpy(value, v, len);
            value[len] = '\0';
            return true;
        }
    }
    return false;
}

static bool header_is(const struct response *r, const char *name, const char *expected)
{
    char value[256];
    return find_header(r, name, value, sizeof value) && strcmp(value, expected) == 0;
}

/* Parses one response at *offset of the client's output; fails the test on broken framing. Interim 100 responses
 * are skipped (and counted in *interim when it is not NULL). */
static void parse_response_at(size_t *offset, struct response *r, bool head_request, unsigned *interim)
{
    for (;;) {
        const char *start = (const char *)client.out + *offset;
        size_t available = client.out_len - *offset;
        const char *end = NULL;
        for (size_t i = 0; i + 4 <= available; i++)
            if (memcmp(start + i, "\r\n\r\n", 4) == 0) {
                end = start + i + 4;
                break;
            }
        assert_non_null(end);
        size_t head_len = (size_t)(end - start);
        assert_true(head_len < sizeof r->head);
        memset(r, 0, sizeof *r);
        memcpy(r->head, start, head_len - 2);
        assert_int_equal(sscanf(r->head, "HTTP/1.1 %d ", &r->status), 1);
        *offset += head_len;
        if (r->status == 100) {
            if (interim != NULL)
                (*interim)++;
            continue;
        }
        break;
    }
    char value[64];
    bool has_length = find_header(r, "Content-Length", value, sizeof value);
    r->chunked = header_is(r, "Transfer-Encoding", "chunked");
    assert_false(has_length && r->chunked);
    if (head_request || r->status == 204 || r->status == 304)
        return;
    const uint8_t *p = client.out + *offset;
    const uint8_t *limit = client.out + client.out_len;
    if (has_length) {
        size_t len = strtoul(value, NULL, 10);
        assert_true((size_t)(limit - p) >= len);
        memcpy(r->body, p, len);
        r->body_len = len;
        *offset += len;
    } else if (r->chunked) {
        for (;;) {
            char *after;
            unsigned long size = strtoul((const char *)p, &after, 16);
            assert_true((const uint8_t *)after > p);
            assert_memory_equal(after, "\r\n", 2);
            p = (const uint8_t *)after + 2;
            if (size == 0) {
                assert_memory_equal(p, "\r\n", 2);
                p += 2;
                break;
            }
            assert_true((size_t)(limit - p) >= size + 2);
            assert_true(r->body_len + size <= sizeof r->body);
            memcpy(r->body + r->body_len, p, size);
            r->body_len += size;
            r->chunks++;
            if (size > r->largest_chunk)
                r->largest_chunk = size;
            p += size;
            assert_memory_equal(p, "\r\n", 2);
            p += 2;
        }
        *offset = (size_t)(p - client.out);
    } else { /* delimited by the close */
        assert_true(header_is(r, "Connection", "close"));
        r->body_len = (size_t)(limit - p);
        memcpy(r->body, p, r->body_len);
        *offset = client.out_len;
    }
}

/* Exactly `count` responses in the output, parsed into responses[]. */
static void expect_responses(unsigned count)
{
    size_t offset = 0;
    for (unsigned i = 0; i < count; i++)
        parse_response_at(&offset, &responses[i], false, NULL);
    assert_int_equal(offset, client.out_len);
}

static bool body_has(const struct response *r, const char *text)
{
    char copy[4096];
    size_t len = r->body_len < sizeof copy - 1 ? r->body_len : sizeof copy - 1;
    memcpy(copy, r->body, len);
    copy[len] = '\0';
    return strstr(copy, text) != NULL;
}

static void expect_json_error(const struct response *r, int status, const char *error, const char *detail_part)
{
    char expected[64];
    assert_int_equal(r->status, status);
    assert_true(header_is(r, "Content-Type", "application/json"));
    snprintf(expected, sizeof expected, "{\"error\":\"%s\",\"detail\":\"", error);
    if (!body_has(r, expected) || !body_has(r, detail_part)) {
        fprintf(stderr, "body: %.*s\n", (int)r->body_len, (const char *)r->body);
        fail_msg("expected error %s with '%s'", error, detail_part);
    }
}

/* ---------------------------------------------------------------------------------------------------------------
 * Requests and keep-alive.
 */
static void test_get_answers_json_and_keeps_the_connection(void **state)
{
    (void)state;
    client_open();
    const char *request = "GET /api/v1/ping HTTP/1.1\r\nHost: device\r\n\r\n";
    assert_int_equal(send_text(request), strlen(request));
    expect_responses(1);
    struct response *r = &responses[0];
    assert_int_equal(r->status, 200);
    assert_true(header_is(r, "Content-Type", "application/json"));
    assert_true(header_is(r, "Content-Length", "13"));
    assert_true(header_is(r, "Connection", "keep-alive"));
    assert_true(header_is(r, "Cache-Control", "no-store"));
    assert_memory_equal(r->body, "{\"pong\":true}", 13);
    assert_int_equal(http_connection_state(&client.conn), HTTP_CONNECTION_OPEN);
    assert_true(http_connection_wants_input(&client.conn));
    assert_int_equal(app.finished_ok, 1);
}

static const char pipelined[] = "GET /api/v1/ping HTTP/1.1\r\nHost: d\r\n\r\n"
                                "GET /api/v1/items/42 HTTP/1.1\r\nHost: d\r\n\r\n"
                                "POST /api/v1/upload HTTP/1.1\r\nHost: d\r\nContent-Length: 11\r\n\r\nhello world"
                                "GET /api/v1/items/x%20y HTTP/1.1\r\nHost: d\r\n\r\n";

static void check_pipelined_responses(void)
{
    expect_responses(4);
    assert_int_equal(responses[0].status, 200);
    assert_memory_equal(responses[1].body, "{\"id\":\"42\"}", 11);
    assert_int_equal(responses[2].status, 201);
    assert_memory_equal(responses[2].body, "{\"received\":11}", 15);
    assert_memory_equal(responses[3].body, "{\"id\":\"x y\"}", 12);
    assert_memory_equal(app.upload, "hello world", 11);
    assert_int_equal(app.finished_ok, 4);
    assert_int_equal(app.finished_failed, 0);
}

static void test_pipelined_requests_are_answered_in_order(void **state)
{
    (void)state;
    client_open();
    /* All four in one buffer: the engine takes one request, waits for its answer to drain, then the next. */
    size_t first = http_connection_feed(&client.conn, (const uint8_t *)pipelined, strlen(pipelined), client.now_us);
    assert_true(first < strlen(pipelined));
    assert_false(http_connection_wants_input(&client.conn));
    drain();
    assert_true(http_connection_wants_input(&client.conn));
    send_pieces(pipelined + first, strlen(pipelined) - first, 0);
    check_pipelined_responses();
}

static void test_byte_at_a_time_gives_the_same_answers(void **state)
{
    (void)state;
    client_open();
    assert_int_equal(send_pieces(pipelined, strlen(pipelined), 1), strlen(pipelined));
    check_pipelined_responses();
}

static void test_a_head_split_anywhere_parses_the_same(void **state)
{
    (void)state;
    const char *request = "GET /api/v1/headers HTTP/1.1\r\nHost: d\r\nAuthorization: Bearer x\r\n"
                          "X-Airswd-Test: value with  spaces \r\n\r\n";
    size_t len = strlen(request);
    for (size_t split = 1; split < len; split++) {
        client_open();
        send_pieces(request, split, 0);
        assert_int_equal(client.out_len, 0);
        send_pieces(request + split, len - split, 0);
        expect_responses(1);
        assert_int_equal(responses[0].status, 200);
        assert_int_equal(responses[0].body_len, strlen("Bearer x|value with  spaces|3"));
        assert_memory_equal(responses[0].body, "Bearer x|value with  spaces|3", responses[0].body_len);
    }
}

static void test_headers_are_readable_by_any_name(void **state)
{
    (void)state;
    client_open();
    send_text("GET /api/v1/headers HTTP/1.1\r\nhost: d\r\nAUTHORIZATION: AIRSWD nonce=1, mac=ab\r\n"
              "x-airswd-test:tight\r\nX-Other: 1\r\n\r\n");
    expect_responses(1);
    assert_memory_equal(responses[0].body, "AIRSWD nonce=1, mac=ab|tight|4", responses[0].body_len);
    /* The handler's own fields: Location, and its Cache-Control instead of the default. */
    assert_true(header_is(&responses[0], "Location", "/api/v1/items/7"));
    assert_true(header_is(&responses[0], "Cache-Control", "max-age=60"));
    assert_null(strstr(responses[0].head, "no-store"));
}

static void test_leading_empty_lines_and_absolute_targets_are_accepted(void **state)
{
    (void)state;
    client_open();
    send_text("\r\n\r\nGET http://device.local/api/v1/items/9?x=1 HTTP/1.1\r\nHost: device.local\r\n\r\n");
    expect_responses(1);
    assert_memory_equal(responses[0].body, "{\"id\":\"9\"}", 10);
}

static void test_percent_decoding_of_path_and_query(void **state)
{
    (void)state;
    client_open();
    send_text("GET /api/v1/items/%41%62%c3%a9%2b HTTP/1.1\r\nHost: d\r\n\r\n"
              "GET /api/v1/query?flag&name=x%2By+z%21 HTTP/1.1\r\nHost: d\r\n\r\n"
              "GET /api/%76%31/ping HTTP/1.1\r\nHost: d\r\n\r\n");
    expect_responses(3);
    assert_memory_equal(responses[0].body, "{\"id\":\"Ab\xc3\xa9+\"}", responses[0].body_len);
    assert_memory_equal(responses[1].body, "x+y z!||0", responses[1].body_len);
    assert_int_equal(responses[2].status, 200);
}

static void test_connection_close_is_honoured(void **state)
{
    (void)state;
    client_open();
    /* The second request comes after a "Connection: close": it is never read. */
    send_text("GET /api/v1/ping HTTP/1.1\r\nHost: d\r\nConnection: close\r\n\r\n"
              "GET /api/v1/ping HTTP/1.1\r\nHost: d\r\n\r\n");
    expect_responses(1);
    assert_true(header_is(&responses[0], "Connection", "close"));
    assert_int_equal(http_connection_state(&client.conn), HTTP_CONNECTION_CLOSED);
    assert_int_equal(app.requests, 1);
}

static void test_http_1_0_closes_unless_asked_to_keep_alive(void **state)
{
    (void)state;
    client_open();
    send_text("GET /api/v1/ping HTTP/1.0\r\n\r\n");
    expect_responses(1);
    assert_true(header_is(&responses[0], "Connection", "close"));
    assert_int_equal(http_connection_state(&client.conn), HTTP_CONNECTION_CLOSED);

    client_open();
    send_text("GET /api/v1/ping HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n"
              "GET /api/v1/chunky HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
    /* The second body has no length and HTTP/1.0 no chunks: it ends with the connection. */
    size_t offset = 0;
    parse_response_at(&offset, &responses[0], false, NULL);
    assert_true(header_is(&responses[0], "Connection", "keep-alive"));
    parse_response_at(&offset, &responses[1], false, NULL);
    assert_false(responses[1].chunked);
    assert_true(header_is(&responses[1], "Connection", "close"));
    assert_int_equal(responses[1].body_len, CHUNKY_TOTAL);
    assert_int_equal(http_connection_state(&client.conn), HTTP_CONNECTION_CLOSED);
    assert_int_equal(app.finished_ok, 2);
}

static void test_head_gets_the_headers_of_get_without_body(void **state)
{
    (void)state;
    client_open();
    send_text("HEAD /api/v1/ping HTTP/1.1\r\nHost: d\r\n\r\nHEAD /api/v1/big HTTP/1.1\r\nHost: d\r\n\r\n");
    size_t offset = 0;
    parse_response_at(&offset, &responses[0], true, NULL);
    parse_response_at(&offset, &responses[1], true, NULL);
    assert_int_equal(offset, client.out_len);
    assert_true(header_is(&responses[0], "Content-Length", "13"));
    assert_true(header_is(&responses[1], "Content-Length", "5000"));
    assert_int_equal(app.pulled, 0);
    assert_int_equal(http_connection_state(&client.conn), HTTP_CONNECTION_OPEN);
}

/* ---------------------------------------------------------------------------------------------------------------
 * Limits and refusals.
 */
static void test_header_block_over_the_limit_is_431(void **state)
{
    (void)state;
    client_open();
    char request[4096];
    size_t len = (size_t)snprintf(request, sizeof request, "GET /api/v1/ping HTTP/1.1\r\nHost: d\r\n");
    while (len < AIRSWD_HTTP_HEADER_MAX + 100)
        len += (size_t)snprintf(request + len, sizeof request - len, "X-Filler: %040d\r\n", 0);
    len += (size_t)snprintf(request + len, sizeof request - len, "\r\n");
    send_pieces(request, len, 0);
    expect_responses(1);
    expect_json_error(&responses[0], 431, "header-too-large", "header fields are longer than");
    assert_true(header_is(&responses[0], "Connection", "close"));
    assert_int_equal(http_connection_state(&client.conn), HTTP_CONNECTION_CLOSED);
    assert_int_equal(app.requests, 0);
}

static void test_too_many_header_fields_is_431(void **state)
{
    (void)state;
    client_open();
    char request[2048];
    size_t len = (size_t)snprintf(request, sizeof request, "GET /api/v1/ping HTTP/1.1\r\nHost: d\r\n");
    for (int i = 0; i < AIRSWD_HTTP_MAX_HEADERS; i++)
        len += (size_t)snprintf(request + len, sizeof request - len, "X-%d: %d\r\n", i, i);
    len += (size_t)snprintf(request + len, sizeof request - len, "\r\n");
    assert_true(len < AIRSWD_HTTP_HEADER_MAX);
    send_pieces(request, len, 0);
    expect_responses(1);
    expect_json_error(&responses[0], 431, "header-too-large", "header fields this device reads");
}

static void test_request_line_over_the_limit_is_414(void **state)
{
    (void)state;
    client_open();
    static char request[AIRSWD_HTTP_HEADER_MAX + 64];
    memcpy(request, "GET /", 5);
    memset(request + 5, 'a', sizeof request - 5);
    send_pieces(request, sizeof request, 7);
    expect_responses(1);
    expect_json_error(&responses[0], 414, "uri-too-long", "request line is longer than");
    assert_int_equal(http_connection_state(&client.conn), HTTP_CONNECTION_CLOSED);
}

static void test_body_over_the_route_limit_is_413_before_it_is_read(void **state)
{
    (void)state;
    client_open();
    send_text("POST /api/v1/upload HTTP/1.1\r\nHost: d\r\nContent-Length: 4097\r\nExpect: 100-continue\r\n\r\n");
    unsigned interim = 0;
    size_t offset = 0;
    parse_response_at(&offset, &responses[0], false, &interim);
    assert_int_equal(interim, 0); /* no invitation to send a body that will be refused */
    expect_json_error(&responses[0], 413, "payload-too-large", "4097 bytes is more than the 4096 bytes");
    assert_true(header_is(&responses[0], "Connection", "close"));
    assert_int_equal(app.requests, 0);
    /* Whatever the client sends next is dropped, and the connection closes. */
    send_text("0123456789");
    assert_int_equal(http_connection_state(&client.conn), HTTP_CONNECTION_CLOSED);
}

static void test_chunked_body_over_the_limit_is_413_when_it_shows(void **state)
{
    (void)state;
    client_open();
    send_text("POST /api/v1/upload HTTP/1.1\r\nHost: d\r\nTransfer-Encoding: chunked\r\n\r\n"
              "800\r\n");
    static char chunk[0x800 + 2];
    memset(chunk, 'x', 0x800);
    memcpy(chunk + 0x800, "\r\n", 2);
    send_pieces(chunk, sizeof chunk, 0);
    send_text("801\r\n");
    expect_responses(1);
    expect_json_error(&responses[0], 413, "payload-too-large", "grows past the 4096 bytes");
    assert_int_equal(app.upload_len, 0x800);
    assert_int_equal(app.finished_failed, 1);
    assert_int_equal(http_connection_state(&client.conn), HTTP_CONNECTION_CLOSED);
}

static void test_missing_length_on_a_body_route_is_411(void **state)
{
    (void)state;
    client_open();
    send_text("POST /api/v1/upload HTTP/1.1\r\nHost: d\r\n\r\n");
    expect_responses(1);
    expect_json_error(&responses[0], 411, "length-required", "Content-Length");
    /* Nothing was left unread: the connection stays open. */
    assert_true(header_is(&responses[0], "Connection", "keep-alive"));
    assert_int_equal(http_connection_state(&client.conn), HTTP_CONNECTION_OPEN);
}

static void test_unknown_path_is_404_and_wrong_method_405_with_allow(void **state)
{
    (void)state;
    client_open();
    send_text("GET /api/v1/nothing HTTP/1.1\r\nHost: d\r\n\r\n"
              "PUT /api/v1/items/3 HTTP/1.1\r\nHost: d\r\n\r\n"
              "OPTIONS /api/v1/items/3 HTTP/1.1\r\nHost: d\r\n\r\n"
              "OPTIONS * HTTP/1.1\r\nHost: d\r\n\r\n");
    expect_responses(4);
    expect_json_error(&responses[0], 404, "not-found", "there is nothing at /api/v1/nothing");
    assert_true(header_is(&responses[0], "Connection", "keep-alive"));
    expect_json_error(&responses[1], 405, "method-not-allowed", "PUT is not allowed on /api/v1/items/3");
    assert_true(header_is(&responses[1], "Allow", "GET, HEAD, DELETE, OPTIONS"));
    assert_int_equal(responses[2].status, 204);
    assert_true(header_is(&responses[2], "Allow", "GET, HEAD, DELETE, OPTIONS"));
    assert_null(strstr(responses[2].head, "Content-Length"));
    assert_int_equal(responses[3].status, 204);
    assert_true(header_is(&responses[3], "Allow", "GET, POST, DELETE, OPTIONS"));
    assert_int_equal(http_connection_state(&client.conn), HTTP_CONNECTION_OPEN);
}

struct bad_request {
    const char *request;
    int status;
    const char *error;
    const char *detail;
};

static void test_malformed_requests_get_a_json_explanation(void **state)
{
    (void)state;
    static const struct bad_request cases[] = {
        {"GET /api/v1/ping HTTP/1.1\r\nHost : d\r\n\r\n", 400, "bad-request", "no space may come before the colon"},
        {"GET /api/v1/ping HTTP/1.1\r\nHost: d\r\nX-A: 1\r\n  folded\r\n\r\n", 400, "bad-request", "line folding"},
        {"GET /api/v1/ping HTTP/1.1\r\nHost: d\r\nno colon here\r\n\r\n", 400, "bad-request", "not a 'Name: value'"},
        {"GET /api/v1/ping HTTP/1.1\r\nHost: d\r\nX-A: a\001b\r\n\r\n", 400, "bad-request", "control character"},
        {"GET /api/v1/ping HTTP/1.1\r\nHost: d\r\nX-A: a\rb\r\n\r\n", 400, "bad-request", "control character"},
        {"GET /api/v1/ping HTTP/1.1\r\n\r\n", 400, "bad-request", "needs a Host"},
        {"GET /api/v1/ping HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400, "bad-request", "more than one Host"},
        {"GET /api/v1/ping HTTP/2.0\r\nHost: d\r\n\r\n", 505, "version-not-supported", "HTTP/2.0"},
        {"GET /api/v1/ping HTTP/1.1 \r\nHost: d\r\n\r\n", 400, "bad-request", "METHOD /path HTTP/1.1"},
        {"GET  /api/v1/ping HTTP/1.1\r\nHost: d\r\n\r\n", 400, "bad-request", "METHOD /path HTTP/1.1"},
        {"GET /api/v1/ping\r\nHost: d\r\n\r\n", 400, "bad-request", "METHOD /path HTTP/1.1"},
        {"BREW /pot HTTP/1.1\r\nHost: d\r\n\r\n", 501, "not-implemented", "method BREW"},
        {"POST /api/v1/upload HTTP/1.1\r\nHost: d\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n", 400,
         "bad-request", "both Content-Length and Transfer-Encoding"},
        {"POST /api/v1/upload HTTP/1.1\r\nHost: d\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", 501, "not-implemented",
         "Transfer-Encoding gzip"},
        {"POST /api/v1/upload HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", 400, "bad-request", "HTTP/1.0"},
        {"POST /api/v1/upload HTTP/1.1\r\nHost: d\r\nContent-Length: 1x\r\n\r\n", 400, "bad-request", "number"},
        {"POST /api/v1/upload HTTP/1.1\r\nHost: d\r\nContent-Length: 4\r\nContent-Length: 5\r\n\r\n", 400,
         "bad-request", "two different Content-Length"},
        {"POST /api/v1/upload HTTP/1.1\r\nHost: d\r\nContent-Length: 99999999999\r\n\r\n", 413, "payload-too-large",
         "99999999999"},
        {"GET /api/v1/items/%zz HTTP/1.1\r\nHost: d\r\n\r\n", 400, "bad-request", "two hex digits"},
        {"GET /api/v1/items/a%2Fb HTTP/1.1\r\nHost: d\r\n\r\n", 400, "bad-request", "encodes '/'"},
        {"GET /api/v1/items/a%00 HTTP/1.1\r\nHost: d\r\n\r\n", 400, "bad-request", "(%00)"},
        {"GET /api/v1/../v1/ping HTTP/1.1\r\nHost: d\r\n\r\n", 400, "bad-request", "'..' segments"},
        {"GET /api/v1/%2e/ping HTTP/1.1\r\nHost: d\r\n\r\n", 400, "bad-request", "'..' segments"},
        {"GET api/v1/ping HTTP/1.1\r\nHost: d\r\n\r\n", 400, "bad-request", "starts with '/'"},
        {"GET /api/v1/ping#top HTTP/1.1\r\nHost: d\r\n\r\n", 400, "bad-request", "fragment"},
        {"GET * HTTP/1.1\r\nHost: d\r\n\r\n", 400, "bad-request", "only for OPTIONS"},
        {"GET /api/v1/\x80 HTTP/1.1\r\nHost: d\r\n\r\n", 400, "bad-request", "non-ASCII"},
        {"GET /api/v1/ping HTTP/1.1\r\nHost: d\r\nExpect: 200-ok\r\n\r\n", 417, "expectation-failed", "200-ok"},
        {"GET /api/v1/ping HTTP/1.1\r\nHost: d\r\n: empty\r\n\r\n", 400, "bad-request", "empty field name"},
        {"\r\n\r\n\r\n\r\n\r\nGET / HTTP/1.1\r\n\r\n", 400, "bad-request", "empty lines"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        client_open();
        send_text(cases[i].request);
        expect_responses(1);
        expect_json_error(&responses[0], cases[i].status, cases[i].error, cases[i].detail);
        assert_true(header_is(&responses[0], "Connection", "close"));
        assert_int_equal(http_connection_state(&client.conn), HTTP_CONNECTION_CLOSED);
        assert_int_equal(app.requests, 0);
    }
}

/* ---------------------------------------------------------------------------------------------------------------
 * Time.
 */
static void test_a_slow_header_gets_408_and_the_close(void **state)
{
    (void)state;
    client_open();
    const char *request = "GET /api/v1/ping HTTP/1.1\r\nHost: d\r\n\r\n";
    for (size_t i = 0; i < 10; i++) { /* one byte every 250 ms: 2 s pass before the head could end */
        send_pieces(request + i, 1, 0);
        advance_ms(250);
    }
    expect_responses(1);
    expect_json_error(&responses[0], 408, "request-timeout", "did not arrive within 2000 ms");
    assert_int_equal(http_connection_state(&client.conn), HTTP_CONNECTION_CLOSED);
}

static void test_a_stalled_body_gets_408_and_the_handler_hears_of_it(void **state)
{
    (void)state;
    client_open();
    send_text("POST /api/v1/upload HTTP/1.1\r\nHost: d\r\nContent-Length: 100\r\n\r\n0123456789");
    advance_ms(2900);
    send_text("0123456789"); /* progress restarts the clock */
    advance_ms(2900);
    assert_int_equal(client.out_len, 0);
    advance_ms(200);
    expect_responses(1);
    expect_json_error(&responses[0], 408, "request-timeout", "after 20 bytes");
    assert_int_equal(app.finished_failed, 1);
    assert_int_equal(http_connection_state(&client.conn), HTTP_CONNECTION_CLOSED);
}

static void test_a_trickled_body_gets_408_at_its_total_deadline(void **state)
{
    (void)state;
    client_open();
    send_text("POST /api/v1/upload HTTP/1.1\r\nHost: d\r\nContent-Length: 100\r\n\r\n");
    /* A byte a second never stalls for the idle timeout (3 s); the body's whole time is 7 s plus 10 ms a byte. */
    unsigned sent = 0;
    while (client.out_len == 0 && sent < 100) {
        send_pieces("x", 1, 0);
        sent++;
        advance_ms(1000);
    }
    expect_responses(1);
    expect_json_error(&responses[0], 408, "request-timeout", "the body arrives too slowly: 8 bytes in 7080 ms");
    assert_int_equal(sent, 8);
    assert_int_equal(app.body_ends, 0);
    assert_int_equal(app.finished_failed, 1);
    assert_int_equal(http_connection_state(&client.conn), HTTP_CONNECTION_CLOSED);

    /* A body above the minimum rate arrives whole: 1,000 bytes (7 s + 10 s allowed) in 8 s. */
    client_open();
    send_text("POST /api/v1/upload HTTP/1.1\r\nHost: d\r\nContent-Length: 1000\r\n\r\n");
    char piece[125];
    memset(piece, 'y', sizeof piece);
    for (unsigned i = 0; i < 8; i++) {
        advance_ms(1000);
        send_pieces(piece, sizeof piece, 0);
    }
    expect_responses(1);
    assert_int_equal(responses[0].status, 201);
}

/* The class a connection has for eviction, and since when. */
static enum http_eviction eviction_now(uint64_t *since_us)
{
    return http_connection_eviction(&client.conn, client.now_us, since_us);
}

/* The connection enters class 1 s after from, and not a microsecond earlier; it counts from there. */
static void expect_eviction_1_s_after(uint64_t from, enum http_eviction class)
{
    uint64_t since;
    advance_ms((uint32_t)((from + 999000u - client.now_us) / 1000u));
    assert_int_equal(eviction_now(&since), HTTP_EVICTION_NONE);
    advance_ms(1);
    assert_int_equal(eviction_now(&since), class);
    assert_true(since == from);
}

static void test_eviction_classes_idle_slow_and_streams(void **state)
{
    (void)state;
    uint64_t since;
    /* Idle: a new connection has 1 s to send its request. */
    client_open();
    expect_eviction_1_s_after(client.now_us, HTTP_EVICTION_IDLE);

    /* A head arriving slowly is idle too, from its first byte. */
    client_open();
    advance_ms(300);
    send_text("GET /api/v1/ping HTTP/1.1\r\nHo");
    expect_eviction_1_s_after(client.now_us, HTTP_EVICTION_IDLE);

    /* A body below the minimum rate (100 bytes/s) is slow; one above it is not. */
    client_open();
    send_text("POST /api/v1/upload HTTP/1.1\r\nHost: d\r\nContent-Length: 4000\r\n\r\n0123456789");
    expect_eviction_1_s_after(client.now_us, HTTP_EVICTION_SLOW_BODY);
    char moving[200];
    memset(moving, 'z', sizeof moving);
    send_pieces(moving, sizeof moving, 0);
    assert_int_equal(eviction_now(&since), HTTP_EVICTION_NONE);

    /* An answer the client does not read, for 1 s. */
    client_open();
    const char *get_big = "GET /api/v1/big HTTP/1.1\r\nHost: d\r\n\r\n";
    http_connection_feed(&client.conn, (const uint8_t *)get_big, strlen(get_big), client.now_us);
    client.now_us += 1000000;
    http_connection_tick(&client.conn, client.now_us);
    assert_int_equal(eviction_now(&since), HTTP_EVICTION_SLOW_READER);

    /* An event stream, once 1 s old, whatever it sends. */
    client_open();
    send_text("GET /api/v1/events HTTP/1.1\r\nHost: d\r\n\r\n");
    expect_eviction_1_s_after(client.now_us, HTTP_EVICTION_STREAM);

    /* A request waiting for its answer from the device is never evicted, nor one whose body we hold back. */
    client_open();
    send_text("GET /api/v1/lazy HTTP/1.1\r\nHost: d\r\n\r\n");
    advance_ms(5000);
    assert_int_equal(eviction_now(&since), HTTP_EVICTION_NONE);
    client_open();
    client.drain_step = 0;
    static uint8_t echo[4000];
    char head[96];
    snprintf(head, sizeof head, "POST /api/v1/echo HTTP/1.1\r\nHost: d\r\nContent-Length: %zu\r\n\r\n", sizeof echo);
    http_connection_feed(&client.conn, (const uint8_t *)head, strlen(head), client.now_us);
    http_connection_feed(&client.conn, echo, sizeof echo, client.now_us); /* the output fills: the input pauses */
    client.now_us += 2000000;
    http_connection_tick(&client.conn, client.now_us);
    assert_true(client.conn.body_blocked);
    assert_int_equal(eviction_now(&since), HTTP_EVICTION_SLOW_READER); /* the client, not the body, is slow */
}

static void test_an_evicted_stream_ends_whole_and_a_slow_body_is_cut(void **state)
{
    (void)state;
    client_open();
    send_text("GET /api/v1/events HTTP/1.1\r\nHost: d\r\n\r\n");
    advance_ms(1500);
    http_connection_evict(&client.conn);
    drain();
    expect_responses(1); /* the chunked framing ends with its last chunk: a whole answer */
    assert_int_equal(responses[0].status, 200);
    assert_int_equal(app.finished_ok, 1);
    assert_int_equal(http_connection_state(&client.conn), HTTP_CONNECTION_CLOSED);

    client_open();
    send_text("POST /api/v1/upload HTTP/1.1\r\nHost: d\r\nContent-Length: 100\r\n\r\n01234");
    advance_ms(1500);
    http_connection_evict(&client.conn);
    http_connection_close(&client.conn);
    assert_int_equal(client.out_len, 0);
    assert_int_equal(app.finished_failed, 1);
}

static void test_an_idle_keep_alive_connection_closes_quietly(void **state)
{
    (void)state;
    client_open();
    send_text("GET /api/v1/ping HTTP/1.1\r\nHost: d\r\n\r\n");
    size_t answered = client.out_len;
    advance_ms(4900);
    assert_int_equal(http_connection_state(&client.conn), HTTP_CONNECTION_OPEN);
    advance_ms(200);
    assert_int_equal(http_connection_state(&client.conn), HTTP_CONNECTION_CLOSED);
    assert_int_equal(client.out_len, answered);
}

static void test_a_client_that_never_reads_is_dropped(void **state)
{
    (void)state;
    client_open();
    http_connection_feed(&client.conn, (const uint8_t *)"GET /api/v1/big HTTP/1.1\r\nHost: d\r\n\r\n", 37,
                         client.now_us);
    const uint8_t *bytes;
    size_t len;
    assert_true(http_connection_output(&client.conn, &bytes, &len));
    client.now_us += 7000000;
    http_connection_tick(&client.conn, client.now_us);
    assert_int_equal(http_connection_state(&client.conn), HTTP_CONNECTION_OPEN);
    client.now_us += 2000000;
    http_connection_tick(&client.conn, client.now_us);
    assert_int_equal(http_connection_state(&client.conn), HTTP_CONNECTION_CLOSED);
    assert_int_equal(app.finished_failed, 1);
}

/* ---------------------------------------------------------------------------------------------------------------
 * Request bodies.
 */
static void test_streamed_body_in_small_and_large_pieces(void **state)
{
    (void)state;
    static uint8_t body[UPLOAD_MAX];
    for (size_t i = 0; i < sizeof body; i++)
        body[i] = pattern_byte(i * 13);
    static const size_t pieces[] = {1, 7, 100, 1460, sizeof body};
    for (size_t p = 0; p < sizeof pieces / sizeof pieces[0]; p++) {
        client_open();
        char head[128];
        snprintf(head, sizeof head, "POST /api/v1/upload HTTP/1.1\r\nHost: d\r\nContent-Length: %zu\r\n\r\n",
                 sizeof body);
        send_text(head);
        assert_int_equal(send_pieces(body, sizeof body, pieces[p]), sizeof body);
        expect_responses(1);
        assert_int_equal(responses[0].status, 201);
        assert_int_equal(app.upload_len, sizeof body);
        assert_memory_equal(app.upload, body, sizeof body);
        assert_int_equal(app.body_ends, 1);
    }
}

static void test_chunked_request_body_with_extensions_and_trailers(void **state)
{
    (void)state;
    static const char request[] = "POST /api/v1/upload HTTP/1.1\r\nHost: d\r\nTransfer-Encoding: Chunked\r\n\r\n"
                                  "5\r\nhello\r\n"
                                  "1;name=value\r\n \r\n"
                                  "00005 \r\nworld\r\n"
                                  "A\n0123456789\n"
                                  "0\r\nX-Checksum: 1234\r\nX-Other: 5\r\n\r\n"
                                  "GET /api/v1/ping HTTP/1.1\r\nHost: d\r\n\r\n";
    static const size_t pieces[] = {0, 1, 3};
    for (size_t p = 0; p < sizeof pieces / sizeof pieces[0]; p++) {
        client_open();
        send_pieces(request, sizeof request - 1, pieces[p]);
        expect_responses(2);
        assert_int_equal(responses[0].status, 201);
        assert_int_equal(app.upload_len, 21);
        assert_memory_equal(app.upload, "hello world0123456789", 21);
        assert_int_equal(responses[1].status, 200);
    }
}

static void test_malformed_chunked_bodies_are_400(void **state)
{
    (void)state;
    static const char *const bodies[] = {
        "x\r\n", "5\r\nhelloX\r\n", "5;\001\r\n", "5\rx", "0\r\nTrailer\rx", "12345678901234567\r\n",
    };
    for (size_t i = 0; i < sizeof bodies / sizeof bodies[0]; i++) {
        client_open();
        send_text("POST /api/v1/upload HTTP/1.1\r\nHost: d\r\nTransfer-Encoding: chunked\r\n\r\n");
        send_text(bodies[i]);
        expect_responses(1);
        assert_true(responses[0].status == 400 || responses[0].status == 413);
        assert_true(body_has(&responses[0], "chunk"));
        assert_int_equal(app.finished_failed, 1);
        assert_int_equal(http_connection_state(&client.conn), HTTP_CONNECTION_CLOSED);
    }
}

static void test_expect_continue_invites_the_body(void **state)
{
    (void)state;
    client_open();
    send_text("POST /api/v1/upload HTTP/1.1\r\nHost: d\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\n");
    assert_int_equal(client.out_len, 25);
    assert_memory_equal(client.out, "HTTP/1.1 100 Continue\r\n\r\n", 25);
    send_text("abc");
    unsigned interim = 0;
    size_t offset = 0;
    parse_response_at(&offset, &responses[0], false, &interim);
    assert_int_equal(interim, 1);
    assert_int_equal(responses[0].status, 201);
}

static void test_an_early_answer_drops_the_body_and_closes(void **state)
{
    (void)state;
    client_open();
    app.reject_early = true;
    send_text("POST /api/v1/upload HTTP/1.1\r\nHost: d\r\nContent-Length: 10\r\n\r\n0123456789"
              "GET /api/v1/ping HTTP/1.1\r\nHost: d\r\n\r\n");
    expect_responses(1);
    expect_json_error(&responses[0], 409, "busy", "another upload");
    assert_true(header_is(&responses[0], "Connection", "close"));
    assert_int_equal(app.upload_len, 0);
    assert_int_equal(app.finished_ok, 1);
    assert_int_equal(http_connection_state(&client.conn), HTTP_CONNECTION_CLOSED);
}

static void test_a_client_gone_mid_body_fails_the_exchange_once(void **state)
{
    (void)state;
    client_open();
    send_text("POST /api/v1/upload HTTP/1.1\r\nHost: d\r\nContent-Length: 10\r\n\r\n01234");
    http_connection_close(&client.conn);
    http_connection_close(&client.conn);
    assert_int_equal(app.finished_failed, 1);
    assert_int_equal(app.finished_ok, 0);
    assert_int_equal(http_connection_state(&client.conn), HTTP_CONNECTION_CLOSED);

    client_open();
    send_text("POST /api/v1/upload HTTP/1.1\r\nHost: d\r\nContent-Length: 10\r\n\r\n01234");
    http_connection_end_of_input(&client.conn, client.now_us);
    drain();
    expect_responses(1);
    expect_json_error(&responses[0], 400, "bad-request", "after 5 bytes of the body");
    assert_int_equal(app.finished_failed, 1);
}

static void test_a_half_closed_client_still_gets_its_answer(void **state)
{
    (void)state;
    client_open();
    http_connection_feed(&client.conn, (const uint8_t *)"GET /api/v1/big HTTP/1.1\r\nHost: d\r\n\r\n", 37,
                         client.now_us);
    http_connection_end_of_input(&client.conn, client.now_us);
    drain();
    expect_responses(1);
    assert_int_equal(responses[0].body_len, BIG_LENGTH);
    assert_int_equal(http_connection_state(&client.conn), HTTP_CONNECTION_CLOSED);
}

/* ---------------------------------------------------------------------------------------------------------------
 * Responses.
 */
static void test_a_known_length_body_streams_through_the_buffer(void **state)
{
    (void)state;
    client_open();
    client.drain_step = 97; /* the socket takes odd amounts: the buffer compacts */
    send_text("GET /api/v1/big HTTP/1.1\r\nHost: d\r\n\r\nGET /api/v1/ping HTTP/1.1\r\nHost: d\r\n\r\n");
    expect_responses(2);
    assert_true(header_is(&responses[0], "Content-Length", "5000"));
    assert_int_equal(responses[0].body_len, BIG_LENGTH);
    for (size_t i = 0; i < BIG_LENGTH; i++)
        assert_int_equal(responses[0].body[i], pattern_byte(i));
    assert_int_equal(responses[1].status, 200);
    assert_int_equal(app.finished_ok, 2);
}

static void test_chunked_response_framing(void **state)
{
    (void)state;
    client_open();
    client.drain_step = 300;
    send_text("GET /api/v1/chunky HTTP/1.1\r\nHost: d\r\n\r\n");
    expect_responses(1);
    assert_true(responses[0].chunked);
    assert_int_equal(responses[0].body_len, CHUNKY_TOTAL);
    for (size_t i = 0; i < CHUNKY_TOTAL; i++)
        assert_int_equal(responses[0].body[i], pattern_byte(i));
    assert_true(responses[0].chunks >= CHUNKY_TOTAL / 700);
    assert_true(responses[0].largest_chunk <= AIRSWD_HTTP_OUTPUT_MAX);
    assert_int_equal(http_connection_state(&client.conn), HTTP_CONNECTION_OPEN);
}

static void test_a_failing_stream_is_cut_and_closed(void **state)
{
    (void)state;
    client_open();
    app.fail_stream = true;
    send_text("GET /api/v1/big HTTP/1.1\r\nHost: d\r\n\r\n");
    assert_int_equal(http_connection_state(&client.conn), HTTP_CONNECTION_CLOSED);
    assert_int_equal(app.finished_failed, 1);
    /* The client got fewer bytes than announced, which is how it learns that the body is not whole. */
    assert_true(client.out_len < BIG_LENGTH);
}

static void test_echo_streams_the_body_back_under_backpressure(void **state)
{
    (void)state;
    static uint8_t body[20000];
    for (size_t i = 0; i < sizeof body; i++)
        body[i] = pattern_byte(i * 3);
    static const size_t steps[] = {0, 50};
    for (size_t s = 0; s < 2; s++) {
        client_open();
        client.drain_step = steps[s];
        char head[128];
        snprintf(head, sizeof head, "POST /api/v1/echo HTTP/1.1\r\nHost: d\r\nContent-Length: %zu\r\n\r\n",
                 sizeof body);
        send_text(head);
        assert_int_equal(send_pieces(body, sizeof body, 4000), sizeof body);
        expect_responses(1);
        assert_true(responses[0].chunked);
        assert_true(header_is(&responses[0], "Connection", "keep-alive"));
        assert_int_equal(responses[0].body_len, sizeof body);
        assert_memory_equal(responses[0].body, body, sizeof body);
        assert_int_equal(crc32_update(0, responses[0].body, responses[0].body_len), crc32_update(0, body, sizeof body));
        assert_int_equal(http_connection_state(&client.conn), HTTP_CONNECTION_OPEN);
    }
}

static void test_protected_routes_need_the_authorize_hook(void **state)
{
    (void)state;
    client_open();
    send_text("DELETE /api/v1/items/1 HTTP/1.1\r\nHost: d\r\n\r\n"
              "DELETE /api/v1/items/1 HTTP/1.1\r\nHost: d\r\nAuthorization: Bearer good\r\n\r\n");
    expect_responses(2);
    expect_json_error(&responses[0], 401, "unauthorized", "DELETE /api/v1/items/{id} needs authentication");
    assert_int_equal(responses[1].status, 204);
    assert_int_equal(app.requests, 1);

    client_open();
    app.auth_challenge = true;
    /* Refused before the body is invited: no 100 Continue. */
    send_text("DELETE /api/v1/items/1 HTTP/1.1\r\nHost: d\r\nTransfer-Encoding: chunked\r\n"
              "Expect: 100-continue\r\n\r\n");
    unsigned interim = 0;
    size_t offset = 0;
    parse_response_at(&offset, &responses[0], false, &interim);
    assert_int_equal(interim, 0);
    expect_json_error(&responses[0], 401, "unauthorized", "device secret");
    assert_true(header_is(&responses[0], "Connection", "close"));
    assert_true(header_is(&responses[0], "WWW-Authenticate", "AIRSWD nonce=\"abc\""));
    assert_int_equal(app.requests, 0);
}

static void test_a_deferred_answer_and_a_missing_one(void **state)
{
    (void)state;
    client_open();
    send_text("GET /api/v1/lazy HTTP/1.1\r\nHost: d\r\n\r\n");
    assert_int_equal(client.out_len, 0);
    assert_non_null(app.lazy);
    assert_int_equal(http_respond_json(app.lazy, 202, "{\"later\":1}"), STATUS_OK);
    assert_int_equal(http_respond_json(app.lazy, 202, "{\"twice\":1}"), STATUS_INVALID_ARGUMENT);
    drain();
    expect_responses(1);
    assert_int_equal(responses[0].status, 202);
    assert_int_equal(app.finished_ok, 1);

    client_open();
    send_text("GET /api/v1/forgetful HTTP/1.1\r\nHost: d\r\n\r\n");
    expect_responses(1);
    expect_json_error(&responses[0], 500, "internal-error", "gave no answer");
}

static void test_response_functions_refuse_misuse(void **state)
{
    (void)state;
    client_open();
    /* No request: nothing to answer. */
    assert_int_equal(http_respond_json(&client.conn, 200, "{}"), STATUS_INVALID_ARGUMENT);
    assert_int_equal(http_sse_event(&client.conn, "x", "y"), STATUS_INVALID_ARGUMENT);
    assert_int_equal(http_write_chunk(&client.conn, "x", 1), 0);
    send_text("GET /api/v1/lazy HTTP/1.1\r\nHost: d\r\n\r\n");
    assert_int_equal(http_response_header(app.lazy, "Bad Name", "x"), STATUS_INVALID_ARGUMENT);
    assert_int_equal(http_response_header(app.lazy, "X-Split", "a\r\nInjected: 1"), STATUS_INVALID_ARGUMENT);
    static char huge[AIRSWD_HTTP_OUTPUT_MAX];
    memset(huge, 'x', sizeof huge);
    assert_int_equal(http_respond(app.lazy, 200, "text/plain", huge, sizeof huge), STATUS_OUTPUT_FULL);
    assert_int_equal(http_respond(app.lazy, 99, NULL, NULL, 0), STATUS_INVALID_ARGUMENT);
    assert_int_equal(http_respond(app.lazy, 204, "text/plain", "x", 1), STATUS_INVALID_ARGUMENT);
    assert_int_equal(http_respond(app.lazy, 204, NULL, NULL, 0), STATUS_OK);
    drain();
    expect_responses(1);
    assert_int_equal(responses[0].status, 204);
}

/* ---------------------------------------------------------------------------------------------------------------
 * Server-Sent Events.
 */
static void test_sse_framing_keepalive_and_end(void **state)
{
    (void)state;
    client_open();
    send_text("GET /api/v1/events HTTP/1.1\r\nHost: d\r\nAccept: text/event-stream\r\n\r\n");
    assert_non_null(app.events);
    assert_int_equal(http_sse_event(app.events, "progress", "{\"percent\":10}"), STATUS_OK);
    assert_int_equal(http_sse_event_id(app.events, "7", NULL, "line one\nline two\r\nline three\r"), STATUS_OK);
    assert_int_equal(http_sse_event(app.events, "bad\nname", "x"), STATUS_INVALID_ARGUMENT);
    drain();
    advance_ms(1100); /* silent for longer than sse_keepalive_ms */
    assert_int_equal(http_sse_end(app.events), STATUS_OK);
    drain();
    expect_responses(1);
    struct response *r = &responses[0];
    assert_int_equal(r->status, 200);
    assert_true(header_is(r, "Content-Type", "text/event-stream"));
    assert_true(header_is(r, "Cache-Control", "no-cache"));
    assert_true(r->chunked);
    static const char expected[] = "event: progress\ndata: {\"percent\":10}\n\n"
                                   "id: 7\ndata: line one\ndata: line two\ndata: line three\ndata: \n\n"
                                   ": keep-alive\n\n";
    assert_int_equal(r->body_len, sizeof expected - 1);
    assert_memory_equal(r->body, expected, sizeof expected - 1);
    assert_int_equal(r->chunks, 3); /* one chunk per event: a reader never sees half an event */
    assert_int_equal(app.finished_ok, 1);
    /* The connection serves the next request. */
    send_text("GET /api/v1/ping HTTP/1.1\r\nHost: d\r\n\r\n");
    assert_int_equal(app.requests, 2);
}

static void test_sse_to_a_slow_reader_drops_whole_events(void **state)
{
    (void)state;
    client_open();
    http_connection_feed(&client.conn, (const uint8_t *)"GET /api/v1/events HTTP/1.1\r\nHost: d\r\n\r\n", 40,
                         client.now_us);
    unsigned written = 0;
    enum status status;
    while ((status = http_sse_event(app.events, "log", "0123456789012345678901234567890123456789")) == STATUS_OK)
        written++;
    assert_int_equal(status, STATUS_OUTPUT_FULL);
    assert_true(written > 5);
    drain();
    size_t offset = 0;
    parse_response_at(&offset, &responses[0], true, NULL);
    /* Every event that went out is whole. */
    size_t events = 0;
    for (const char *p = (const char *)client.out + offset; (p = strstr(p, "\n\n")) != NULL; p += 2)
        events++;
    assert_int_equal(events, written);
    /* The reader goes away: the producer is told, once. */
    http_connection_end_of_input(&client.conn, client.now_us);
    assert_int_equal(http_connection_state(&client.conn), HTTP_CONNECTION_CLOSED);
    assert_null(app.events);
    assert_int_equal(app.finished_failed, 1);
}

static void test_sse_over_http_1_0_ends_with_the_connection(void **state)
{
    (void)state;
    client_open();
    send_text("GET /api/v1/events HTTP/1.0\r\n\r\n");
    assert_int_equal(http_sse_event(app.events, NULL, "hello"), STATUS_OK);
    assert_int_equal(http_sse_end(app.events), STATUS_OK);
    drain();
    expect_responses(1);
    assert_false(responses[0].chunked);
    assert_memory_equal(responses[0].body, "data: hello\n\n", responses[0].body_len);
    assert_int_equal(http_connection_state(&client.conn), HTTP_CONNECTION_CLOSED);
}

/* ---------------------------------------------------------------------------------------------------------------
 * Memory.
 */
static void test_memory_per_connection(void **state)
{
    (void)state;
    size_t total = sizeof(struct http_connection);
    size_t buffers = HTTP_CONNECTION_BUFFER_BYTES;
    printf("peak memory per connection: sizeof(struct http_connection) = %zu bytes (buffer %zu bytes)\n", total,
           buffers);
    printf("  fixed part %zu bytes, of which the request with its index of %d header fields: %zu bytes\n",
           total - buffers, AIRSWD_HTTP_MAX_HEADERS, sizeof(struct http_request));
    assert_true(total - buffers < 2048);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_get_answers_json_and_keeps_the_connection),
        cmocka_unit_test(test_pipelined_requests_are_answered_in_order),
        cmocka_unit_test(test_byte_at_a_time_gives_the_same_answers),
        cmocka_unit_test(test_a_head_split_anywhere_parses_the_same),
        cmocka_unit_test(test_headers_are_readable_by_any_name),
        cmocka_unit_test(test_leading_empty_lines_and_absolute_targets_are_accepted),
        cmocka_unit_test(test_percent_decoding_of_path_and_query),
        cmocka_unit_test(test_connection_close_is_honoured),
        cmocka_unit_test(test_http_1_0_closes_unless_asked_to_keep_alive),
        cmocka_unit_test(test_head_gets_the_headers_of_get_without_body),
        cmocka_unit_test(test_header_block_over_the_limit_is_431),
        cmocka_unit_test(test_too_many_header_fields_is_431),
        cmocka_unit_test(test_request_line_over_the_limit_is_414),
        cmocka_unit_test(test_body_over_the_route_limit_is_413_before_it_is_read),
        cmocka_unit_test(test_chunked_body_over_the_limit_is_413_when_it_shows),
        cmocka_unit_test(test_missing_length_on_a_body_route_is_411),
        cmocka_unit_test(test_unknown_path_is_404_and_wrong_method_405_with_allow),
        cmocka_unit_test(test_malformed_requests_get_a_json_explanation),
        cmocka_unit_test(test_a_slow_header_gets_408_and_the_close),
        cmocka_unit_test(test_a_stalled_body_gets_408_and_the_handler_hears_of_it),
        cmocka_unit_test(test_a_trickled_body_gets_408_at_its_total_deadline),
        cmocka_unit_test(test_eviction_classes_idle_slow_and_streams),
        cmocka_unit_test(test_an_evicted_stream_ends_whole_and_a_slow_body_is_cut),
        cmocka_unit_test(test_an_idle_keep_alive_connection_closes_quietly),
        cmocka_unit_test(test_a_client_that_never_reads_is_dropped),
        cmocka_unit_test(test_streamed_body_in_small_and_large_pieces),
        cmocka_unit_test(test_chunked_request_body_with_extensions_and_trailers),
        cmocka_unit_test(test_malformed_chunked_bodies_are_400),
        cmocka_unit_test(test_expect_continue_invites_the_body),
        cmocka_unit_test(test_an_early_answer_drops_the_body_and_closes),
        cmocka_unit_test(test_a_client_gone_mid_body_fails_the_exchange_once),
        cmocka_unit_test(test_a_half_closed_client_still_gets_its_answer),
        cmocka_unit_test(test_a_known_length_body_streams_through_the_buffer),
        cmocka_unit_test(test_chunked_response_framing),
        cmocka_unit_test(test_a_failing_stream_is_cut_and_closed),
        cmocka_unit_test(test_echo_streams_the_body_back_under_backpressure),
        cmocka_unit_test(test_protected_routes_need_the_authorize_hook),
        cmocka_unit_test(test_a_deferred_answer_and_a_missing_one),
        cmocka_unit_test(test_response_functions_refuse_misuse),
        cmocka_unit_test(test_sse_framing_keepalive_and_end),
        cmocka_unit_test(test_sse_to_a_slow_reader_drops_whole_events),
        cmocka_unit_test(test_sse_over_http_1_0_ends_with_the_connection),
        cmocka_unit_test(test_memory_per_connection),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
