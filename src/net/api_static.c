/*
 * api_static.c - the web page's files, served as the port stores them (gzip-compressed on every port: the bytes go
 * out as they are, with Content-Encoding: gzip, and an ETag so a browser asks again only when they changed).
 * The page is the only thing outside /api/v1; where no files were given (api->files NULL) "/" answers 404.
 */
#include "net/api.h"

#include <string.h>

/* A slot is held by the connection whose answer pulls from it, from the GET until that exchange ends however it ends
 * (sent in full, cut short, timed out): the page's files are few and a browser fetches a few at once. A HEAD answer,
 * or a 304, sends no body and takes none. */
static int32_t pull_file(void *ctx, uint8_t *buffer, size_t room)
{
    struct api_static_body *body = ctx;
    uint32_t left = body->len - body->sent;
    uint32_t piece = left < room ? left : (uint32_t)room;
    memcpy(buffer, body->bytes + body->sent, piece);
    body->sent += piece;
    return (int32_t)piece;
}

static struct api_static_body *body_of(struct api *api, const struct http_connection *holder)
{
    for (unsigned i = 0; i < API_STATIC_BODIES; i++) {
        if (api->static_bodies[i].holder == holder)
            return &api->static_bodies[i];
    }
    return NULL;
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
    if (req->method == HTTP_HEAD) { /* the head only: the length is the file's, the body is never read */
        http_respond(req->connection, 200, file.content_type, file.bytes, file.len);
        return;
    }
    struct api_static_body *body = body_of(api, NULL);
    if (body == NULL) {
        http_respond_error(req->connection, 503, "busy", "too many files are being sent; try again");
        return;
    }
    *body = (struct api_static_body){.holder = req->connection, .bytes = file.bytes, .len = file.len, .sent = 0};
    http_respond_stream(req->connection, 200, file.content_type, file.len, pull_file, body);
}

void api_static_finish(void *ctx, struct http_request *req, bool completed)
{
    (void)completed;
    struct api_static_body *body = body_of(ctx, req->connection);
    if (body != NULL)
        *body = (struct api_static_body){0};
}
