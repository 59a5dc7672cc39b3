/*
 * http.h - an HTTP/1.1 server engine over byte streams (RFC 9110, RFC 9112), with a router and Server-Sent Events.
 *
 * There are no sockets in here. A port owns one struct http_connection per TCP connection and moves bytes:
 *
 *     http_connection_init(conn, &config, now)            when the port accepts a connection
 *     used = http_connection_feed(conn, bytes, n, now)    bytes received; the port keeps bytes[used..n) and feeds them
 *                                                         again later (backpressure, see http_connection_wants_input)
 *     while (http_connection_output(conn, &out, &len))    bytes to send
 *         http_connection_consumed(conn, sent)            how many of them the socket took
 *     http_connection_tick(conn, now)                     every 100 ms or so: timeouts, streamed bodies, SSE pings
 *     http_connection_state(conn) == HTTP_CONNECTION_CLOSED -> close the socket (after a lingering half-close)
 *     http_connection_end_of_input(conn, now)             the client half-closed (recv returned 0)
 *     http_connection_close(conn)                         the port dropped the socket for its own reasons
 *
 * A request is read into the connection's head buffer (AIRSWD_HTTP_HEADER_MAX bytes: request line and headers),
 * parsed in place and routed through a static table of struct http_route. The route's handler sees the request when
 * its headers are complete, then its body as it arrives, in pieces, without the engine buffering it, and answers
 * through the http_respond* functions below, which write into the connection's output buffer (AIRSWD_HTTP_OUTPUT_MAX
 * bytes). A body that does not fit is streamed: pulled from a callback as the port drains the output, or pushed in
 * chunks, or sent as Server-Sent Events. Memory per connection is sizeof(struct http_connection), constant.
 *
 * Requests on one connection are served one after the other: the head of the next request is not read before the
 * previous response has been completely produced and sent, so pipelined requests wait in the socket's buffer.
 *
 * Time is whatever the port says it is (now_us, monotonic microseconds); the engine never reads a clock.
 *
 * Every function here runs on the port's network task; none may be called from inside another connection's
 * callbacks, and none is thread-safe. The engine itself calls handler callbacks only from http_connection_feed,
 * _tick, _output, _state, _end_of_input and _close, never from a response function.
 *
 * docs/http.md describes the states, the limits and the timeouts.
 */
#ifndef AIRSWD_HTTP_H
#define AIRSWD_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "airswd_config.h"
#include "status.h"

/* The offsets of the head and output buffers are 16-bit. */
#if AIRSWD_HTTP_HEADER_MAX > 65535 || AIRSWD_HTTP_OUTPUT_MAX > 65535 || AIRSWD_HTTP_OUTPUT_MAX < 256
#error "AIRSWD_HTTP_HEADER_MAX and AIRSWD_HTTP_OUTPUT_MAX must be below 64 KB, and the output at least 256 bytes"
#endif

enum http_method {
    HTTP_GET,
    HTTP_HEAD, /* served by the GET route of the path, without the body */
    HTTP_POST,
    HTTP_PUT,
    HTTP_DELETE,
    HTTP_PATCH,
    HTTP_OPTIONS, /* answered by the engine (204 with Allow) unless a route takes it */
    HTTP_METHOD_COUNT
};

/* Content length of a chunked request body, and of a streamed response whose length is not known in advance. */
#define HTTP_LENGTH_UNKNOWN UINT32_MAX

struct http_connection;
struct http_request;

/* ---------------------------------------------------------------------------------------------------------------
 * Routes. A static table; the first route whose method and pattern match the request gets it.
 */

/* Route flags. */
#define HTTP_ROUTE_BODY_REQUIRED 0x1u /* a request with neither Content-Length nor chunked body gets 411 */
#define HTTP_ROUTE_PROTECTED     0x2u /* http_config.authorize must admit the request before the handler sees it */
/* Bits from HTTP_ROUTE_APPLICATION up are the application's own: the engine keeps them in the table and ignores them
 * (the authorize hook reads them through req->route->flags). */
#define HTTP_ROUTE_APPLICATION 0x100u

struct http_route {
    enum http_method method;
    /* "/api/v1/jobs/{id}": literal segments match exactly (after percent-decoding), "{name}" matches one non-empty
     * segment, readable with http_request_param(). No trailing-slash folding: "/a/" is not "/a". */
    const char *pattern;
    /* Largest body accepted, in bytes; a longer one gets 413 before (Content-Length) or as soon as (chunked) it
     * shows. 0: no body. */
    uint32_t max_body;
    unsigned flags;

    /* The headers are complete (and, for a PROTECTED route, authorized). Required. The handler may answer here,
     * start a streamed answer, or wait for the body. */
    void (*on_request)(void *ctx, struct http_request *req);
    /* The next piece of the body, in order, as received (chunked framing removed). Returns how many bytes it took;
     * fewer than len only when it cannot take more until the connection's output has drained (an echo writing its
     * input back): the rest is offered again later. NULL: the body is read and dropped. */
    size_t (*on_body)(void *ctx, struct http_request *req, const uint8_t *bytes, size_t len);
    /* The whole body has arrived (called at once for a request without one). If no response has begun by the time
     * this returns, and the handler did not call http_respond_later(), the engine answers 500. May be NULL. */
    void (*on_body_end)(void *ctx, struct http_request *req);
    /* The exchange is over: completed is true when the response was produced in full, false when the client went
     * away, a limit or timeout cut it, or a streamed body failed. Called exactly once for every request whose
     * on_request was called; the handler releases what it holds (an upload in the store, an SSE subscription).
     * The request's headers are still readable here; responding is no longer possible. May be NULL. */
    void (*on_finish)(void *ctx, struct http_request *req, bool completed);
};

/* What a port serves: the routes, the handlers' context, the security hook and the timeouts, shared by all its
 * connections and left untouched by the engine. A zero timeout means the default from airswd_config.h. */
struct http_config {
    const struct http_route *routes;
    size_t route_count;
    void *ctx; /* handed to every handler and to authorize */

    /* For routes flagged HTTP_ROUTE_PROTECTED: called after the headers are parsed and the route is found, before
     * any 100 Continue and before the body is read. Returns true to admit the request. When it refuses it may answer
     * itself (401 with a WWW-Authenticate challenge set by http_response_header, 403, 429 with Retry-After...);
     * otherwise the engine answers 401. NULL: every request is admitted. */
    bool (*authorize)(void *ctx, struct http_request *req);
    /* For every request, once its head is parsed and its route looked up (req->route NULL when no route has the
     * path), before the engine or a handler answers anything: returns true to go on; false after answering the
     * refusal itself (an unknown Host, a foreign Origin, a body of the wrong type). NULL: every request goes on. */
    bool (*screen)(void *ctx, struct http_request *req);
    /* Header fields written into the head of every response, whole lines with their CRLF ("X-Content-Type-Options:
     * nosniff\r\n"); NULL: none. They take room in the output buffer beside each response's own fields. */
    const char *response_fields;

    uint32_t header_timeout_ms;    /* first byte of a request to the end of its headers; then 408 */
    uint32_t body_idle_timeout_ms; /* longest pause inside a request body; then 408 */
    /* A body's whole time: it must arrive within body_timeout_ms, plus 1 s for every body_min_rate bytes received
     * (a body of N bytes within body_timeout_ms + N / body_min_rate s, however steadily it trickles); then 408. */
    uint32_t body_timeout_ms;
    uint32_t body_min_rate; /* bytes per second */
    uint32_t keepalive_timeout_ms; /* an idle connection between requests is closed after this */
    uint32_t send_timeout_ms;      /* output waiting with no byte taken by the client; then the connection is dropped */
    uint32_t sse_keepalive_ms;     /* an event stream silent for this long gets a ": keep-alive" comment */
};

/* ---------------------------------------------------------------------------------------------------------------
 * The request, as a handler sees it. Strings point into the connection's head buffer and stay valid until
 * on_finish has returned.
 */
struct http_header_ref {
    uint16_t name;  /* offset of the NUL-terminated name in the head buffer */
    uint16_t value; /* offset of the NUL-terminated value, without surrounding whitespace */
};

struct http_param_ref {
    uint16_t offset; /* in the head buffer */
    uint16_t length;
};

struct http_request {
    struct http_connection *connection; /* to answer with */
    const struct http_route *route;
    enum http_method method;
    uint8_t version_minor;   /* HTTP/1.<minor>: 0 or 1 */
    bool keep_alive;         /* what the client asked for (Connection header and version) */
    bool chunked;            /* the body comes in chunked transfer coding */
    bool expect_continue;    /* "Expect: 100-continue": the engine sends the interim response */
    bool body_declared;      /* Content-Length or Transfer-Encoding was given (411 tells them apart) */
    uint32_t content_length; /* HTTP_LENGTH_UNKNOWN when chunked; 0 without a body */
    uint32_t body_received;  /* body bytes taken by on_body so far */
    const char *path;        /* percent-decoded, NUL-terminated, starts with '/' */
    const char *query;       /* as received, after '?'; "" without one */
    void *handler_state;     /* for the handler; NULL when on_request is called */

    uint8_t header_count;
    uint8_t param_count;
    struct http_header_ref headers[AIRSWD_HTTP_MAX_HEADERS];
    struct http_param_ref params[AIRSWD_HTTP_MAX_PARAMS];
};

/* The value of the first header field named name (case-insensitive), or NULL. Any field can be read this way,
 * Authorization and X-... ones included. */
const char *http_request_header(const struct http_request *req, const char *name);

/* The index-th header field, in the order received; false past the last one. */
bool http_request_header_at(const struct http_request *req, size_t index, const char **name, const char **value);

/* The path segment that matched "{name}" in the route's pattern, not NUL-terminated: *length bytes. NULL when the
 * pattern has no such parameter. */
const char *http_request_param(const struct http_request *req, const char *name, size_t *length);

/* The value of the first "name=value" pair of the query, percent-decoded ('+' as a space) into out, NUL-terminated.
 * False when the query has no such name, its value is badly encoded, or it does not fit in out. A name without
 * '=' has the empty value. */
bool http_request_query(const struct http_request *req, const char *name, char *out, size_t out_size);

/* True when the a_len bytes at a are the NUL-terminated word b, ASCII letters in either case (field names, tokens,
 * host names). */
bool http_equal_ignoring_case(const char *a, size_t a_len, const char *b);

/* "GET", "POST"...; "?" for a value out of range. */
const char *http_method_name(enum http_method method);

/* The reason phrase of a status code ("Not Found"); "" for a code it does not know. */
const char *http_status_reason(int status);

/* ---------------------------------------------------------------------------------------------------------------
 * Answering. Each function answers the connection's current request; it fails with STATUS_INVALID_ARGUMENT when
 * there is none, when its response has already begun, or when the arguments cannot make a valid response, and with
 * STATUS_OUTPUT_FULL when the bytes do not fit in the output buffer now (nothing is written then).
 *
 * Every response carries Content-Length or chunked framing (or, to an HTTP/1.0 client, ends with the connection),
 * Connection: keep-alive or close, and Cache-Control: no-store unless the handler set its own. A response to HEAD
 * has the headers of the GET response and no body.
 */

/* Adds a header field to the response about to begin ("WWW-Authenticate", "Location", "Retry-After", "ETag"...).
 * Call it before the function that begins the response. Fails when the name or value could break the framing. */
enum status http_response_header(struct http_connection *conn, const char *name, const char *value);

/* The whole response at once: head and body must fit in the output buffer together (a few hundred bytes less than
 * AIRSWD_HTTP_OUTPUT_MAX); bigger bodies go through http_respond_stream. content_type may be NULL (no body). */
enum status http_respond(struct http_connection *conn, int status, const char *content_type, const void *body,
                         size_t len);

/* application/json with a NUL-terminated body. */
enum status http_respond_json(struct http_connection *conn, int status, const char *json);

/* {"error":"<error>","detail":"<detail>"}, the form every failure of the API takes: error is a short identifier
 * ("bad-request", "store-busy"), detail a printf-formatted sentence for a person (escaped here). */
enum status http_respond_error(struct http_connection *conn, int status, const char *error, const char *detail_format,
                               ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

/* What http_respond_stream's pull callback returns besides a byte count. */
#define HTTP_PULL_END    (-1) /* no more bytes: the body is complete (only for a body of unknown length) */
#define HTTP_PULL_FAILED (-2) /* the source failed: the response is cut and the connection closed */

/* Writes up to room bytes of the body into buffer and returns how many (1..room), 0 when none are ready yet (it is
 * called again at the next output or tick), or HTTP_PULL_END / HTTP_PULL_FAILED. */
typedef int32_t (*http_pull_fn)(void *ctx, uint8_t *buffer, size_t room);

/* A body pulled piece by piece as the port drains the output, in constant memory: length bytes with a
 * Content-Length, or chunked (HTTP/1.0: until the connection closes) when length is HTTP_LENGTH_UNKNOWN. pull_ctx
 * must stay valid until on_finish. */
enum status http_respond_stream(struct http_connection *conn, int status, const char *content_type, uint32_t length,
                                http_pull_fn pull, void *pull_ctx);

/* A body pushed in pieces: http_begin_chunked writes the head; each http_write_chunk returns how many of the bytes
 * it took (it frames them as one chunk; 0 when the output is full: write the rest after the port has drained it);
 * http_end_chunked completes the response, and always finds room. */
enum status http_begin_chunked(struct http_connection *conn, int status, const char *content_type);
size_t http_write_chunk(struct http_connection *conn, const void *data, size_t len);
enum status http_end_chunked(struct http_connection *conn);

/* The handler will answer later, from outside its callbacks (a port-level producer calling http_respond*):
 * without this, a request still unanswered after on_body_end gets 500. */
void http_respond_later(struct http_connection *conn);

/* ---------------------------------------------------------------------------------------------------------------
 * Server-Sent Events (HTML Living Standard, section 9.2): a 200 text/event-stream response that stays open. A
 * producer pushes events whenever it has some; each event is written whole or not at all. A stream silent for
 * sse_keepalive_ms gets a comment line, so proxies and the client's timeouts keep it open.
 */
enum status http_begin_sse(struct http_connection *conn);

/* "event: <event>" (omitted when event is NULL), "id: <id>" (omitted when NULL), then data split at its line ends
 * into "data:" lines, and the blank line that dispatches the event. event and id must be single lines.
 * STATUS_OUTPUT_FULL: the client is behind, the event was not written (drop it or send it again later). */
enum status http_sse_event(struct http_connection *conn, const char *event, const char *data);
enum status http_sse_event_id(struct http_connection *conn, const char *id, const char *event, const char *data);

/* Ends the stream; the connection then serves the next request (HTTP/1.1) or closes. */
enum status http_sse_end(struct http_connection *conn);

/* ---------------------------------------------------------------------------------------------------------------
 * The connection, as the port drives it.
 */
enum http_connection_state {
    HTTP_CONNECTION_OPEN,    /* serving: keep reading (when it wants input) and sending */
    HTTP_CONNECTION_CLOSING, /* nothing more will be read: send what is left of the output */
    HTTP_CONNECTION_CLOSED,  /* close the socket now (a half-close and a short linger let the client read it all) */
};

/* Internal states, visible for the tests and docs/http.md. */
enum http_input_phase {
    HTTP_INPUT_HEAD,    /* waiting for or reading a request line and headers */
    HTTP_INPUT_BODY,    /* handing the body to the handler */
    HTTP_INPUT_DONE,    /* request read, its response not complete yet */
    HTTP_INPUT_DISCARD, /* the connection closes after its output; input is dropped */
};

enum http_response_phase {
    HTTP_RESPONSE_NONE,     /* no byte of the response yet */
    HTTP_RESPONSE_OPEN,     /* head written, body being streamed */
    HTTP_RESPONSE_COMPLETE, /* all of it is in the output buffer (or was sent) */
};

enum http_body_source {
    HTTP_SOURCE_FIXED, /* written at once by http_respond */
    HTTP_SOURCE_PULL,  /* http_respond_stream */
    HTTP_SOURCE_PUSH,  /* http_begin_chunked */
    HTTP_SOURCE_SSE,   /* http_begin_sse */
};

enum http_chunk_state {
    HTTP_CHUNK_SIZE,      /* hex digits */
    HTTP_CHUNK_SIZE_END,  /* whitespace after the digits, before ';' or the line end */
    HTTP_CHUNK_EXTENSION, /* ";name=value" after the size: skipped */
    HTTP_CHUNK_SIZE_LF,   /* CR seen at the end of the size line */
    HTTP_CHUNK_DATA,
    HTTP_CHUNK_DATA_CR, /* the CRLF after a chunk's data */
    HTTP_CHUNK_DATA_LF,
    HTTP_CHUNK_TRAILER_START, /* start of a trailer line, or the final blank line */
    HTTP_CHUNK_TRAILER,       /* inside a trailer field: skipped */
    HTTP_CHUNK_TRAILER_LF,
    HTTP_CHUNK_FINAL_LF, /* CR of the final blank line seen */
};

struct http_connection {
    const struct http_config *config;
    void *user;            /* for the port: which socket, which peer */
    uint32_t peer_address; /* the client's IPv4 address, host byte order, set by the port after init; 0: unknown */
    struct http_request request;

    uint64_t now_us;             /* the latest time the port gave */
    uint64_t head_started_us;    /* first byte of the request being read */
    uint64_t body_started_us;    /* the request was dispatched: its body may come */
    uint64_t body_progress_us;   /* last body byte taken */
    uint64_t idle_since_us;      /* last activity between requests */
    uint64_t output_progress_us; /* output became pending, or the client last took some */
    uint64_t sse_last_write_us;  /* last event or comment */

    /* Input. */
    enum http_input_phase input;
    uint16_t head_len;         /* bytes of the head buffer in use */
    uint16_t line_start;       /* where the line being read starts */
    uint16_t request_line_end; /* offset just past the request line's LF; 0 while it is being read */
    uint8_t blank_lines;       /* empty lines before the request line (tolerated, a few) */
    bool head_started;         /* a byte of the next request has arrived */
    bool body_blocked;         /* on_body took less than it was offered */
    enum http_chunk_state chunk_state;
    uint8_t chunk_digits;    /* digits or extension/trailer bytes of the current line */
    uint16_t trailer_bytes;  /* bytes of trailer fields so far */
    uint32_t body_remaining; /* Content-Length left, or bytes left in the current chunk */

    /* Exchange. */
    bool request_active; /* a request head was taken and its exchange is not over */
    bool dispatched;     /* on_request was called: on_finish is owed */
    bool deferred;       /* http_respond_later */
    bool failed;         /* the exchange was cut: on_finish(false) */
    bool close_after;    /* the connection closes once the output is sent */
    bool closed;         /* the port must close now */

    /* Response. */
    enum http_response_phase response;
    enum http_body_source source;
    bool chunked_output;       /* the body is framed in chunks */
    bool suppress_body;        /* HEAD: headers only */
    bool has_cache_control;    /* the handler set its own Cache-Control */
    uint32_t stream_remaining; /* of a pulled body with a Content-Length */
    http_pull_fn pull;
    void *pull_ctx;

    /* Output: bytes [out_start, out_end) of out are to be sent, except the last staged_len, which are header fields
     * set by http_response_header and waiting for the head that goes before them. */
    uint16_t out_start;
    uint16_t out_end;
    uint16_t staged_len;

    uint8_t head[AIRSWD_HTTP_HEADER_MAX];
    uint8_t out[AIRSWD_HTTP_OUTPUT_MAX];
};

/* The buffer part of sizeof(struct http_connection); the rest is the fixed overhead of docs/http.md. */
#define HTTP_CONNECTION_BUFFER_BYTES (AIRSWD_HTTP_HEADER_MAX + AIRSWD_HTTP_OUTPUT_MAX)

/* A new connection, waiting for its first request. config must outlive it. Clears conn->user and
 * conn->peer_address: set them after. */
void http_connection_init(struct http_connection *conn, const struct http_config *config, uint64_t now_us);

/* Bytes received from the client. Returns how many were taken; fewer than len when the engine cannot take more
 * now (its response must drain first, or the handler is busy): the port keeps the rest and feeds them again once
 * http_connection_wants_input() is true. */
size_t http_connection_feed(struct http_connection *conn, const uint8_t *bytes, size_t len, uint64_t now_us);

/* True when a feed would take bytes: the port polls its socket for input only then. */
bool http_connection_wants_input(const struct http_connection *conn);

/* The client closed its side (a zero-length read). A request being answered is finished, then the connection
 * closes; an incomplete request or an event stream is cut. */
void http_connection_end_of_input(struct http_connection *conn, uint64_t now_us);

/* Bytes waiting to be sent (pulling streamed bodies first); false when there are none. */
bool http_connection_output(struct http_connection *conn, const uint8_t **bytes, size_t *len);

/* The socket took n of the bytes http_connection_output returned. */
void http_connection_consumed(struct http_connection *conn, size_t n);

/* Timeouts, streamed bodies and event-stream keep-alives. The port calls it every 100 ms or so, and whenever its
 * poll times out. */
void http_connection_tick(struct http_connection *conn, uint64_t now_us);

enum http_connection_state http_connection_state(struct http_connection *conn);

/* How readily a connection gives its place to a new client when the port has none free: every slot held by slow
 * or idle clients and event streams must not lock a new request out. The port closes the connection of the highest
 * class (http_connection_close), the one that has been in it longest first, and takes the new client in its place.
 * A connection is not evicted before it has been in its class for AIRSWD_HTTP_EVICT_AFTER_MS. */
enum http_eviction {
    HTTP_EVICTION_NONE,        /* a request under way that moves (head, body, answer): never closed for another */
    HTTP_EVICTION_STREAM,      /* an event stream: its reader reconnects */
    HTTP_EVICTION_SLOW_READER, /* its answer waits, and the client has taken none of it */
    HTTP_EVICTION_SLOW_BODY,   /* a body arriving slower than body_min_rate on average (not held back by us) */
    HTTP_EVICTION_IDLE,        /* no request: an idle keep-alive, or a head still arriving */
};

/* The class of conn at now_us, and since when it has been in it (*since_us). */
enum http_eviction http_connection_eviction(const struct http_connection *conn, uint64_t now_us, uint64_t *since_us);

/* The port is about to close conn to make room. An event stream is ended as its producer would end it, so that its
 * reader sees a whole answer and reconnects (a cut stream is a network error to a browser): the port sends what
 * http_connection_output then has, as far as the socket takes it at once, and closes the connection. */
void http_connection_evict(struct http_connection *conn);

/* The port closes the socket (error, hang-up, shutdown): the exchange in progress, if any, is finished as failed.
 * The connection is CLOSED afterwards; init it again to reuse it. */
void http_connection_close(struct http_connection *conn);

#endif /* AIRSWD_HTTP_H */
