/*
 * http_internal.h - what the files of the HTTP engine share and nobody else needs.
 *
 *   http_connection.c  the connection's life: feeding, body delivery, timeouts, the end of an exchange
 *   http_parser.c      bytes -> request: the head, its fields, the target, chunked bodies; request accessors
 *   http_router.c      request -> route: patterns, 404/405/411/413, authorization, the handler's first call
 *   http_response.c   the output buffer and every response form but event streams
 *   http_sse.c         event streams
 */
#ifndef AIRSWD_HTTP_INTERNAL_H
#define AIRSWD_HTTP_INTERNAL_H

#include "net/http.h"

/* Longest detail sentence of an error response the engine writes (bytes, with the terminator). */
#define HTTP_DETAIL_MAX 160

/* Bytes always kept free in the output while a chunked body is open, so that its last chunk always fits. */
#define HTTP_LAST_CHUNK     "0\r\n\r\n"
#define HTTP_LAST_CHUNK_LEN 5u

/* A reason to refuse a request, found while parsing or routing it. */
struct http_failure {
    int status;        /* HTTP status code */
    const char *error; /* short identifier for the JSON body */
    char detail[HTTP_DETAIL_MAX];
};

void http_failure_set(struct http_failure *failure, int status, const char *error, const char *detail_format, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

/* A fragment of the request quoted in a message: printable ASCII kept, the rest as '?', at most max bytes with
 * "..." when cut. Returns out. */
char *http_quote(const char *text, size_t len, size_t max, char *out, size_t out_size);

/* ---- http_parser.c */

/* Takes bytes of a request head into the head buffer; returns how many. Sets *complete at the blank line that ends
 * it; on a limit (414, 431) or a malformed start, fills failure and returns with failure->status set. */
size_t http_parser_take_head(struct http_connection *conn, const uint8_t *bytes, size_t len, bool *complete,
                             struct http_failure *failure);

/* Parses the complete head in place into conn->request. False with failure filled when the request is malformed
 * or asks for what the engine does not do. */
bool http_parser_parse_head(struct http_connection *conn, struct http_failure *failure);

/* Starts decoding a chunked body. */
void http_parser_begin_chunked(struct http_connection *conn);

/* Decodes chunked body bytes, handing the data to http_connection_deliver_body(); returns how many bytes it took.
 * Stops early when the handler takes less than offered, at the end of the body (after http_connection_body_end),
 * or on an error (after http_connection_fail). */
size_t http_parser_take_chunked(struct http_connection *conn, const uint8_t *bytes, size_t len);

/* ---- http_router.c */

/* The head is parsed: finds the route, applies its limits and authorization, answers what the engine answers
 * itself, and otherwise calls on_request. */
void http_router_dispatch(struct http_connection *conn);

/* ---- http_connection.c */

/* Hands body bytes to the handler, checking the route's limit; returns how many it took. */
size_t http_connection_deliver_body(struct http_connection *conn, const uint8_t *bytes, size_t len);

/* The body is complete (or there is none): on_body_end, and the 500 for a handler that gave no answer. */
void http_connection_body_end(struct http_connection *conn);

/* The request cannot go on: answers status with a JSON error when no response has begun (else cuts the response),
 * finishes the exchange as failed and closes the connection after the output. */
void http_connection_fail(struct http_connection *conn, int status, const char *error, const char *detail_format, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;
void http_connection_fail_with(struct http_connection *conn, const struct http_failure *failure);

/* Effective timeouts (the config's, or the defaults). */
uint32_t http_timeout_ms(uint32_t configured, uint32_t fallback);

/* ---- http_response.c */

/* Bytes of the output waiting to be sent (staged header fields excluded). */
size_t http_output_pending(const struct http_connection *conn);

/* Free bytes after the output, once it is compacted to the start of the buffer. */
size_t http_output_room(struct http_connection *conn);

/* Appends bytes; the caller has checked the room. */
void http_output_append(struct http_connection *conn, const void *bytes, size_t len);

/* The checks every response function starts with: a request to answer, no response begun. */
enum status http_response_can_begin(const struct http_connection *conn);

/* Writes the head of a response: status line, the standard fields for the framing, then the staged fields and the
 * blank line. length is the Content-Length of a FIXED or length-known PULL body, else ignored. Needs room for
 * extra_room more bytes after the head, or writes nothing and returns STATUS_OUTPUT_FULL. */
enum status http_response_write_head(struct http_connection *conn, int status, const char *content_type,
                                     enum http_body_source source, uint32_t length, bool known_length,
                                     size_t extra_room);

/* Largest chunk payload that fits in room bytes with its framing and the reserve for the last chunk. */
size_t http_response_chunk_capacity(size_t room);

/* Bytes of framing around a chunk of payload bytes: the size line and the CRLF after the data. */
size_t http_response_chunk_framing(size_t payload);

/* The size line of a chunk of payload bytes, and the CRLF after its data (the caller writes the data between). */
void http_response_chunk_begin(struct http_connection *conn, size_t payload);
void http_response_chunk_end(struct http_connection *conn);

/* Pulls streamed bodies into the output as room allows. */
void http_response_fill(struct http_connection *conn);

/* Drops staged header fields (the response they were for will not be written). */
void http_response_drop_staged(struct http_connection *conn);

/* Writes "HTTP/1.1 100 Continue" ahead of any staged fields. */
void http_response_continue(struct http_connection *conn);

/* Writes a JSON error response without the checks of http_respond_error: for the engine's own refusals, some of
 * which come before a request exists. */
enum status http_response_error_text(struct http_connection *conn, int status, const char *error, const char *detail);

/* ---- http_sse.c */

/* A ": keep-alive" comment on an event stream that has been silent for too long. */
void http_sse_tick(struct http_connection *conn);

#endif /* AIRSWD_HTTP_INTERNAL_H */
