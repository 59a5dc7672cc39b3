/*
 * http_client.h - a small blocking HTTP/1.1 client over BSD sockets, for `airswd --device URL`: one request per
 * connection (Connection: close), a body sent from memory or streamed from a file, the answer read whole (by
 * Content-Length, chunked, or to the close).
 */
#ifndef AIRSWD_HTTP_CLIENT_H
#define AIRSWD_HTTP_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* http://HOST[:PORT][/PREFIX] split; the port is 80 when omitted. */
struct http_url {
    char host[256];
    char port[8];
    char prefix[256]; /* the path before the API's, without its trailing '/'; "" for none */
};
bool http_url_parse(const char *url, struct http_url *parsed);

struct http_client_response {
    int status;             /* 200, 404, ... */
    char content_type[96];
    char *body;             /* malloc'd, NUL-terminated; the caller frees it with http_client_response_free */
    size_t body_len;
};
void http_client_response_free(struct http_client_response *response);

/* The largest answer the client takes: its head, and its body. */
#define HTTP_CLIENT_HEAD_MAX 8192u
#define HTTP_CLIENT_BODY_MAX (16u * 1024u * 1024u)

/* The first len bytes of an answer, as they arrive: false with a sentence in error when they can be refused already
 * (not HTTP, a head longer than HTTP_CLIENT_HEAD_MAX, a malformed field, a length beyond HTTP_CLIENT_BODY_MAX);
 * *head_complete tells whether the head has arrived whole (and passed). */
bool http_client_answer_check(const uint8_t *raw, size_t len, bool *head_complete, char *error, size_t error_size);

/* A whole answer (every byte up to the connection's close) taken apart into response: status, Content-Type and body,
 * by Content-Length, chunked, or to the close. False with a sentence in error when it is not HTTP, is malformed, or
 * was cut short; then response holds no body. Reads nothing outside raw[0..len) whatever the lengths in it say. */
bool http_client_parse_response(const uint8_t *raw, size_t len, struct http_client_response *response, char *error,
                                size_t error_size);

/* A request body: bytes in memory, or a whole file streamed (with its size as Content-Length). */
struct http_client_body {
    const char *content_type;
    const void *bytes;
    size_t len;
    FILE *file; /* when not NULL: the body is the file from its start */
};

/* Sends METHOD path (the prefix is put in front) with body (may be NULL) and reads the answer. authorization, when
 * not NULL, is sent as the Authorization header. False when the server cannot be reached or the exchange breaks:
 * error holds why ("connection refused", ...). */
bool http_client_request(const struct http_url *url, const char *method, const char *path, const char *authorization,
                         const struct http_client_body *body, struct http_client_response *response, char *error,
                         size_t error_size);

#endif /* AIRSWD_HTTP_CLIENT_H */
