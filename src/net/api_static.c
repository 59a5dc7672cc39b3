/*
 * api_static.c - the web page's files, served as the port stores them (gzip-compressed on every port: the bytes go
 * out as they are, with Content-Encoding: gzip, and an ETag so a browser asks again only when they changed).
 * The page is the only thing outside /api/v1; where no files were given (api->files NULL) "/" answers 404.
 */
#include "net/api.h"

#include <string.h>

/* A file slot is busy until its body is sent; the page's files are few and a browser fetches them a few at once. */
static int32_t pull_file(void *ctx, uint8_t *buffer, size_t room)
{
    struct api_static_body *body = ctx;
    uint32_t left = body->len - body->sent;
    uint32_t piece = left < room ? left : (uint32_t)room;
    memcpy(buffer, body->bytes + body->sent, piece);
    body->sent += piece;
    return (int32_t)piece;
}

void api_static_get(void *ctx, struct http_request *req)
{
    struct api *api = ctx;
    struct api_file file;
    if (api->files == NULL || !api->files(req->path, &file)) {
        http_respond_error(req->connection, 404, "not-found", "no page at %s", req->path);
        return;
    }
    const char *if_none_match = http_request_header(req, "If-None-Match");
    http_response_header(req->connection, "ETag", file.etag);
    http_response_header(req->connection, "Cache-Control", "no-cache");
    if (if_none_match != NULL && strcmp(if_none_match, file.etag) == 0) {
        http_respond(req->connection, 304, NULL, NULL, 0);
        return;
    }
    if (file.gzip)
        http_response_header(req->connection, "Content-Encoding", "gzip");
    struct api_static_body *body = NULL;
    for (unsigned i = 0; i < API_STATIC_BODIES && body == NULL; i++) {
        if (api->static_bodies[i].bytes == NULL || api->static_bodies[i].sent == api->static_bodies[i].len)
            body = &api->static_bodies[i];
    }
    if (body == NULL) {
        http_respond_error(req->connection, 503, "busy", "too many files are being sent; try again");
        return;
    }
    *body = (struct api_static_body){.bytes = file.bytes, .len = file.len, .sent = 0};
    http_respond_stream(req->connection, 200, file.content_type, file.len, pull_file, body);
}
