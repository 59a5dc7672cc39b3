/*
 * http_client.h - a small blocking HTTP/1.1 client over BSD sockets, for `airswd --device URL`: one request per
 * connection (Connection: close), a body sent from memory or streamed from a file, the answer read whole (by
 * Content-Length, chunked, or to the close).
 */
#ifndef AIRSWD_HTTP_CLIENT_H
#define AIRSWD_HTTP_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
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
