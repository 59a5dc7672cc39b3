/*
 * test_http_server.c - the HTTP engine behind the Linux socket adapter, driven by real curl: JSON answers, an echo
 * of uploads streamed back with their CRC (Content-Length and chunked uploads), an event stream, keep-alive reuse,
 * the errors with their JSON explanations (400, 404, 405, 411, 413), HTTP/1.0 and HEAD; and a raw socket that sends
 * one byte every 100 ms and gets 408.
 *
 * The server runs in a thread of its own with a demo route table; everything the engine does happens on that
 * thread. curl runs through popen.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "crc32.h"
#include "http_server.h"
#include "port_host.h"
#include "test_skip.h"

#define ECHO_MAX       (256u * 1024u)
#define EVENT_COUNT    3
#define EVENT_SPACING  (50u * 1000u) /* us */
#define HEADER_TIMEOUT 500           /* ms, short so that the slow client is cut quickly */

/* ---------------------------------------------------------------------------------------------------------------
 * The demo service: its state lives here and is touched only by the server thread.
 */
struct echo {
    bool in_use;
    struct http_connection *conn;
    uint32_t crc;
    uint32_t length;
    bool ending; /* the body is in: the CRC line is being written */
    char tail[64];
    size_t tail_len;
    size_t tail_sent;
};

struct stream {
    struct http_connection *conn;
    unsigned sent;
    uint64_t next_us;
};

struct demo {
    struct echo echoes[HTTP_SERVER_CONNECTIONS];
    struct stream streams[HTTP_SERVER_CONNECTIONS];
    unsigned pings;
};

static struct demo demo;
static struct http_server server;
static atomic_bool stop_server;
static pthread_t server_thread;

static void ping(void *ctx, struct http_request *req)
{
    struct demo *d = ctx;
    char body[64];
    snprintf(body, sizeof body, "{\"pong\":true,\"count\":%u}", ++d->pings);
    http_respond_json(req->connection, 200, body);
}

/* Writes what it can of the CRC line, then ends the echo. */
static void echo_finish(struct echo *echo)
{
    while (echo->tail_sent < echo->tail_len) {
        size_t n = http_write_chunk(echo->conn, echo->tail + echo->tail_sent, echo->tail_len - echo->tail_sent);
        if (n == 0)
            return; /* the producer loop tries again after the output drained */
        echo->tail_sent += n;
    }
    http_end_chunked(echo->conn);
    echo->ending = false;
}

static void echo_request(void *ctx, struct http_request *req)
{
    struct demo *d = ctx;
    struct echo *echo = NULL;
    for (size_t i = 0; i < HTTP_SERVER_CONNECTIONS && echo == NULL; i++)
        if (!d->echoes[i].in_use)
            echo = &d->echoes[i];
    if (echo == NULL) {
        http_respond_error(req->connection, 503, "busy", "every echo is in use");
        return;
    }
    memset(echo, 0, sizeof *echo);
    echo->in_use = true;
    echo->conn = req->connection;
    req->handler_state = echo;
    http_begin_chunked(req->connection, 200, "application/octet-stream");
}

static size_t echo_body(void *ctx, struct http_request *req, const uint8_t *bytes, size_t len)
{
    (void)ctx;
    struct echo *echo = req->handler_state;
    size_t n = http_write_chunk(req->connection, bytes, len);
    echo->crc = crc32_update(echo->crc, bytes, n);
    echo->length += (uint32_t)n;
    return n;
}

static void echo_end(void *ctx, struct http_request *req)
{
    (void)ctx;
    struct echo *echo = req->handler_state;
    echo->tail_len = (size_t)snprintf(echo->tail, sizeof echo->tail, "\n{\"crc32\":\"%08x\",\"length\":%u}\n",
                                      echo->crc, echo->length);
    echo->ending = true;
    echo_finish(echo);
}

static void echo_done(void *ctx, struct http_request *req, bool completed)
{
    (void)ctx;
    (void)completed;
    struct echo *echo = req->handler_state;
    if (echo != NULL)
        echo->in_use = false;
}

static void events(void *ctx, struct http_request *req)
{
    struct demo *d = ctx;
    for (size_t i = 0; i < HTTP_SERVER_CONNECTIONS; i++) {
        struct stream *s = &d->streams[i];
        if (s->conn == NULL) {
            http_begin_sse(req->connection);
            s->conn = req->connection;
            s->sent = 0;
            s->next_us = port_host_now_us(NULL) + EVENT_SPACING;
            req->handler_state = s;
            return;
        }
    }
    http_respond_error(req->connection, 503, "busy", "too many event streams");
}

static void events_done(void *ctx, struct http_request *req, bool completed)
{
    (void)ctx;
    (void)completed;
    struct stream *s = req->handler_state;
    if (s != NULL)
        s->conn = NULL;
}

/* The port-level producer: the event streams and the ends of echoes that waited for room. */
static void produce(struct demo *d)
{
    uint64_t now = port_host_now_us(NULL);
    for (size_t i = 0; i < HTTP_SERVER_CONNECTIONS; i++) {
        struct stream *s = &d->streams[i];
        if (s->conn != NULL && now >= s->next_us) {
            if (s->sent == EVENT_COUNT) {
                http_sse_end(s->conn);
            } else {
                char data[64];
                snprintf(data, sizeof data, "{\"step\":%u,\"of\":%u}", s->sent + 1, EVENT_COUNT);
                if (http_sse_event(s->conn, "progress", data) == STATUS_OK)
                    s->sent++;
            }
            s->next_us = now + EVENT_SPACING;
        }
        struct echo *echo = &d->echoes[i];
        if (echo->in_use && echo->ending)
            echo_finish(echo);
    }
}

static const struct http_route routes[] = {
    {.method = HTTP_GET, .pattern = "/api/v1/ping", .on_request = ping},
    {.method = HTTP_POST,
     .pattern = "/api/v1/echo",
     .max_body = ECHO_MAX,
     .flags = HTTP_ROUTE_BODY_REQUIRED,
     .on_request = echo_request,
     .on_body = echo_body,
     .on_body_end = echo_end,
     .on_finish = echo_done},
    {.method = HTTP_GET, .pattern = "/api/v1/events", .on_request = events, .on_finish = events_done},
};

static const struct http_config config = {
    .routes = routes,
    .route_count = sizeof routes / sizeof routes[0],
    .ctx = &demo,
    .header_timeout_ms = HEADER_TIMEOUT,
};

static void *serve(void *arg)
{
    (void)arg;
    while (!atomic_load(&stop_server)) {
        if (http_server_poll(&server, 10) < 0)
            break;
        produce(&demo);
    }
    return NULL;
}

static int start_server(void **state)
{
    (void)state;
    if (system("curl --version >/dev/null 2>&1") != 0) {
        exit(test_skip_status("curl is not installed (scripts/install-deps.sh)"));
    }
    static struct hal_system host;
    port_host_system(&host);
    if (http_server_open(&server, &config, &host, INADDR_LOOPBACK, 0) != 0) {
        perror("http_server_open");
        return -1;
    }
    printf("serving on 127.0.0.1:%u\n", http_server_port(&server));
    atomic_store(&stop_server, false);
    return pthread_create(&server_thread, NULL, serve, NULL) == 0 ? 0 : -1;
}

static int stop(void **state)
{
    (void)state;
    atomic_store(&stop_server, true);
    pthread_join(server_thread, NULL);
    http_server_close(&server);
    return 0;
}

/* ---------------------------------------------------------------------------------------------------------------
 * curl.
 */
struct output {
    char text[1 << 16];
    size_t len;
};

/* Runs curl with the arguments (a format) against the server; its stdout (and stderr with 2>&1 in the format) in
 * out. Returns curl's exit status. */
static int curl(struct output *out, const char *format, ...)
{
    char arguments[1024], command[1200];
    va_list args;
    va_start(args, format);
    vsnprintf(arguments, sizeof arguments, format, args);
    va_end(args);
    snprintf(command, sizeof command, "curl --silent --show-error --max-time 20 %s", arguments);
    FILE *pipe = popen(command, "r");
    assert_non_null(pipe);
    out->len = fread(out->text, 1, sizeof out->text - 1, pipe);
    out->text[out->len] = '\0';
    int status = pclose(pipe);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static const char *url(const char *path)
{
    static char text[4][128];
    static unsigned next;
    char *u = text[next++ % 4];
    snprintf(u, 128, "http://127.0.0.1:%u%s", http_server_port(&server), path);
    return u;
}

/* A file of len pseudo-random bytes; returns its CRC-32. */
static uint32_t make_file(char *path, size_t path_size, size_t len)
{
    snprintf(path, path_size, "/tmp/airswd-http-XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    uint8_t block[4096];
    uint32_t crc = 0, x = (uint32_t)len * 2654435761u + 1;
    for (size_t done = 0; done < len;) {
        size_t n = len - done < sizeof block ? len - done : sizeof block;
        for (size_t i = 0; i < n; i++) {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            block[i] = (uint8_t)x;
        }
        assert_int_equal(write(fd, block, n), (ssize_t)n);
        crc = crc32_update(crc, block, n);
        done += n;
    }
    close(fd);
    return crc;
}

static bool file_equals_prefix(const char *path, const char *other_path, size_t len)
{
    FILE *a = fopen(path, "rb"), *b = fopen(other_path, "rb");
    assert_non_null(a);
    assert_non_null(b);
    bool same = true;
    for (size_t i = 0; i < len && same; i++)
        same = fgetc(a) == fgetc(b);
    fclose(a);
    fclose(b);
    return same;
}

static void test_ping_answers_json(void **state)
{
    (void)state;
    struct output out;
    assert_int_equal(curl(&out, "--include '%s'", url("/api/v1/ping")), 0);
    assert_non_null(strstr(out.text, "HTTP/1.1 200 OK\r\n"));
    assert_non_null(strstr(out.text, "Content-Type: application/json\r\n"));
    assert_non_null(strstr(out.text, "Cache-Control: no-store\r\n"));
    assert_non_null(strstr(out.text, "{\"pong\":true,"));
}

static void test_keep_alive_reuses_the_connection(void **state)
{
    (void)state;
    struct output out;
    assert_int_equal(
        curl(&out, "--verbose '%s' '%s' '%s' 2>&1", url("/api/v1/ping"), url("/api/v1/ping"), url("/api/v1/nothing")),
        0);
    assert_non_null(strstr(out.text, "Re-using existing connection"));
    assert_null(strstr(out.text, "Connection died"));
}

static void check_echo(size_t length, const char *extra)
{
    char sent[64], received[64];
    uint32_t crc = make_file(sent, sizeof sent, length);
    snprintf(received, sizeof received, "/tmp/airswd-http-XXXXXX");
    int fd = mkstemp(received);
    assert_true(fd >= 0);
    close(fd);
    struct output out;
    assert_int_equal(curl(&out, "%s --data-binary @%s --output %s --write-out '%%{http_code}' '%s'", extra, sent,
                          received, url("/api/v1/echo")),
                     0);
    assert_string_equal(out.text, "200");
    char tail[80];
    int tail_len = snprintf(tail, sizeof tail, "\n{\"crc32\":\"%08x\",\"length\":%zu}\n", crc, length);
    FILE *f = fopen(received, "rb");
    assert_non_null(f);
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    assert_int_equal(ftell(f), (long)(length + (size_t)tail_len));
    assert_int_equal(fseek(f, (long)length, SEEK_SET), 0);
    char got[80] = {0};
    assert_int_equal(fread(got, 1, (size_t)tail_len, f), (size_t)tail_len);
    fclose(f);
    assert_string_equal(got, tail);
    assert_true(file_equals_prefix(sent, received, length));
    unlink(sent);
    unlink(received);
}

static void test_echo_streams_uploads_back_with_their_crc(void **state)
{
    (void)state;
    check_echo(1, "");
    check_echo(200 * 1024, "");                                          /* Content-Length (and Expect on some curls) */
    check_echo(100 * 1024 + 7, "--header 'Transfer-Encoding: chunked'"); /* a chunked upload */
    check_echo(ECHO_MAX, "--http1.0");
}

static void test_an_oversized_upload_gets_413_with_an_explanation(void **state)
{
    (void)state;
    char sent[64];
    make_file(sent, sizeof sent, ECHO_MAX + 1);
    struct output out;
    curl(&out, "--data-binary @%s --write-out '\\n%%{http_code}' '%s'", sent, url("/api/v1/echo"));
    unlink(sent);
    assert_non_null(strstr(out.text, "{\"error\":\"payload-too-large\",\"detail\":\"a body of 262145 bytes is more "
                                     "than the 262144 bytes POST /api/v1/echo takes\"}"));
    assert_non_null(strstr(out.text, "\n413"));
}

static void test_errors_explain_themselves_in_json(void **state)
{
    (void)state;
    struct output out;
    curl(&out, "--write-out '\\n%%{http_code}' '%s'", url("/api/v1/nothing"));
    assert_non_null(strstr(out.text, "{\"error\":\"not-found\",\"detail\":\"there is nothing at /api/v1/nothing\"}"));
    assert_non_null(strstr(out.text, "\n404"));

    curl(&out, "--include --request DELETE '%s'", url("/api/v1/ping"));
    assert_non_null(strstr(out.text, "HTTP/1.1 405 Method Not Allowed\r\n"));
    assert_non_null(strstr(out.text, "Allow: GET, HEAD, OPTIONS\r\n"));
    assert_non_null(strstr(out.text, "\"error\":\"method-not-allowed\""));

    curl(&out, "--write-out '\\n%%{http_code}' --header 'Bad Header: 1' '%s'", url("/api/v1/ping"));
    assert_non_null(strstr(out.text, "{\"error\":\"bad-request\",\"detail\":\"header field name \\\"Bad Header\\\""));
    assert_non_null(strstr(out.text, "no space may come before the colon"));
    assert_non_null(strstr(out.text, "\n400"));

    curl(&out, "--write-out '\\n%%{http_code}' --request POST '%s'", url("/api/v1/echo"));
    assert_non_null(strstr(out.text, "\"error\":\"length-required\""));
    assert_non_null(strstr(out.text, "\n411"));
}

static void test_events_stream_three_progress_events(void **state)
{
    (void)state;
    struct output out;
    assert_int_equal(curl(&out, "--no-buffer --include '%s'", url("/api/v1/events")), 0);
    assert_non_null(strstr(out.text, "Content-Type: text/event-stream\r\n"));
    assert_non_null(strstr(out.text, "Cache-Control: no-cache\r\n"));
    const char *body = strstr(out.text, "\r\n\r\n");
    assert_non_null(body);
    assert_string_equal(body + 4, "event: progress\ndata: {\"step\":1,\"of\":3}\n\n"
                                  "event: progress\ndata: {\"step\":2,\"of\":3}\n\n"
                                  "event: progress\ndata: {\"step\":3,\"of\":3}\n\n");
}

static void test_http_1_0_and_head(void **state)
{
    (void)state;
    struct output out;
    assert_int_equal(curl(&out, "--http1.0 --include '%s'", url("/api/v1/ping")), 0);
    assert_non_null(strstr(out.text, "Connection: close\r\n"));
    assert_non_null(strstr(out.text, "{\"pong\":true,"));
    assert_int_equal(curl(&out, "--head '%s'", url("/api/v1/ping")), 0);
    assert_non_null(strstr(out.text, "HTTP/1.1 200 OK\r\n"));
    assert_non_null(strstr(out.text, "Content-Length: "));
    assert_null(strstr(out.text, "pong"));
}

/* ---------------------------------------------------------------------------------------------------------------
 * A slow client on a raw socket.
 */
static void test_a_client_sending_one_byte_every_100_ms_gets_408(void **state)
{
    (void)state;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = htons(http_server_port(&server))};
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(connect(fd, (struct sockaddr *)&address, sizeof address), 0);
    const char *request = "GET /api/v1/ping HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
    uint64_t start = port_host_now_us(NULL);
    size_t sent = 0;
    struct pollfd pfd = {.fd = fd, .events = POLLIN};
    while (sent < strlen(request) && poll(&pfd, 1, 100) == 0) {
        assert_int_equal(send(fd, request + sent, 1, MSG_NOSIGNAL), 1);
        sent++;
    }
    char response[2048];
    size_t got = 0;
    for (ssize_t n; (n = recv(fd, response + got, sizeof response - 1 - got, 0)) > 0;)
        got += (size_t)n;
    response[got] = '\0';
    double elapsed = (double)(port_host_now_us(NULL) - start) / 1e6;
    close(fd);
    printf("slow client: %zu bytes sent in %.2f s, then: %.40s...\n", sent, elapsed, response);
    assert_true(sent < strlen(request));
    assert_non_null(strstr(response, "HTTP/1.1 408 Request Timeout\r\n"));
    assert_non_null(strstr(response, "Connection: close\r\n"));
    assert_non_null(strstr(response, "{\"error\":\"request-timeout\",\"detail\":\"the request line and header fields "
                                     "did not arrive within 500 ms\"}"));
    assert_true(elapsed < 2.0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ping_answers_json),
        cmocka_unit_test(test_keep_alive_reuses_the_connection),
        cmocka_unit_test(test_echo_streams_uploads_back_with_their_crc),
        cmocka_unit_test(test_an_oversized_upload_gets_413_with_an_explanation),
        cmocka_unit_test(test_errors_explain_themselves_in_json),
        cmocka_unit_test(test_events_stream_three_progress_events),
        cmocka_unit_test(test_http_1_0_and_head),
        cmocka_unit_test(test_a_client_sending_one_byte_every_100_ms_gets_408),
    };
    return cmocka_run_group_tests(tests, start_server, stop);
}
