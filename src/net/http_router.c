/*
 * http_router.c - from a parsed request to its handler: the route table is searched in order, the route's limits
 * are applied (413, 411), the security hooks screen (every request) and admit (protected routes) or refuse it, and
 * only then does the handler see it.
 * What no handler should have to write is answered here: 404, 405 with Allow, OPTIONS.
 *
 * The order matters for the security model: nothing of a request's body is read, and no 100 Continue invites it,
 * before authorization has admitted the request; so an endpoint that changes state can be made to require
 * authentication later by flagging its route, without changing its shape.
 */
#include "net/http_internal.h"

#include <string.h>

/* Longest piece of a path quoted in a 404 or 405. */
#define ROUTER_QUOTED_PATH_MAX 64

/* Matches path against pattern; the "{name}" segments are recorded in params (offsets from head). */
static bool pattern_matches(const char *pattern, const char *path, const uint8_t *head, struct http_param_ref *params,
                            uint8_t *param_count)
{
    const char *p = pattern, *s = path;
    uint8_t count = 0;
    while (*p != '\0') {
        if (*p == '{') {
            const char *close = strchr(p, '}');
            size_t len = strcspn(s, "/");
            if (close == NULL || len == 0 || count == AIRSWD_HTTP_MAX_PARAMS)
                return false;
            params[count].offset = (uint16_t)((const uint8_t *)s - head);
            params[count].length = (uint16_t)len;
            count++;
            p = close + 1;
            s += len;
        } else if (*p == *s) {
            p++;
            s++;
        } else {
            return false;
        }
    }
    if (*s != '\0')
        return false;
    *param_count = count;
    return true;
}

/* The first route for the request's method and path. *allowed collects (1 << method) for every route of the path,
 * whatever its method, for the Allow field. */
static const struct http_route *find_route(struct http_connection *conn, unsigned *allowed)
{
    const struct http_config *config = conn->config;
    struct http_request *req = &conn->request;
    *allowed = 0;
    for (size_t i = 0; i < config->route_count; i++) {
        const struct http_route *route = &config->routes[i];
        struct http_param_ref params[AIRSWD_HTTP_MAX_PARAMS];
        uint8_t count;
        if (!pattern_matches(route->pattern, req->path, conn->head, params, &count))
            continue;
        *allowed |= 1u << route->method;
        if (route->method == HTTP_GET)
            *allowed |= 1u << HTTP_HEAD;
        if (route->method == req->method || (route->method == HTTP_GET && req->method == HTTP_HEAD)) {
            memcpy(req->params, params, sizeof params);
            req->param_count = count;
            return route;
        }
    }
    return NULL;
}

/* "GET, HEAD, OPTIONS" for the methods in the mask; OPTIONS is always there, since the engine answers it. */
static void allow_list(unsigned allowed, char *out, size_t out_size)
{
    size_t used = 0;
    out[0] = '\0';
    allowed |= 1u << HTTP_OPTIONS;
    for (unsigned m = 0; m < HTTP_METHOD_COUNT; m++) {
        if (!(allowed & (1u << m)))
            continue;
        const char *name = http_method_name((enum http_method)m);
        size_t len = strlen(name);
        if (used + len + 3 > out_size)
            break;
        if (used > 0) {
            memcpy(out + used, ", ", 2);
            used += 2;
        }
        memcpy(out + used, name, len + 1);
        used += len;
    }
}

const char *http_request_param(const struct http_request *req, const char *name, size_t *length)
{
    if (req->route == NULL)
        return NULL;
    size_t name_len = strlen(name);
    unsigned index = 0;
    for (const char *p = strchr(req->route->pattern, '{'); p != NULL && index < req->param_count;
         p = strchr(p + 1, '{'), index++) {
        const char *close = strchr(p, '}');
        if (close == NULL)
            return NULL;
        if ((size_t)(close - p - 1) == name_len && memcmp(p + 1, name, name_len) == 0) {
            if (length != NULL)
                *length = req->params[index].length;
            return (const char *)req->connection->head + req->params[index].offset;
        }
    }
    return NULL;
}

void http_router_dispatch(struct http_connection *conn)
{
    const struct http_config *config = conn->config;
    struct http_request *req = &conn->request;
    bool has_body = req->chunked || req->content_length > 0;
    char quoted[ROUTER_QUOTED_PATH_MAX + 4];
    char allow[64];

    /* Set before anything answers, so that an answer given with the body unread closes the connection. */
    conn->input = has_body ? HTTP_INPUT_BODY : HTTP_INPUT_DONE;
    conn->suppress_body = req->method == HTTP_HEAD;

    unsigned allowed;
    const struct http_route *route;
    if (strcmp(req->path, "*") == 0) { /* OPTIONS * : what the server as a whole can do */
        allowed = 0;
        for (size_t i = 0; i < config->route_count; i++)
            allowed |= 1u << config->routes[i].method;
        route = NULL;
    } else {
        route = find_route(conn, &allowed);
    }
    req->route = route;
    if (config->screen != NULL && !config->screen(config->ctx, req)) {
        if (conn->response == HTTP_RESPONSE_NONE)
            (void)http_respond_error(conn, 400, "bad-request", "refused");
        return;
    }
    if (route == NULL) {
        if (allowed == 0) {
            (void)http_respond_error(
                conn, 404, "not-found", "there is nothing at %s",
                http_quote(req->path, strlen(req->path), ROUTER_QUOTED_PATH_MAX, quoted, sizeof quoted));
            return;
        }
        allow_list(allowed, allow, sizeof allow);
        (void)http_response_header(conn, "Allow", allow);
        if (req->method == HTTP_OPTIONS)
            (void)http_respond(conn, 204, NULL, NULL, 0);
        else
            (void)http_respond_error(
                conn, 405, "method-not-allowed", "%s is not allowed on %s; use %s", http_method_name(req->method),
                http_quote(req->path, strlen(req->path), ROUTER_QUOTED_PATH_MAX, quoted, sizeof quoted), allow);
        return;
    }

    if (!req->chunked && req->content_length > route->max_body) {
        (void)http_respond_error(conn, 413, "payload-too-large",
                                 "a body of %lu bytes is more than the %lu bytes %s %s takes",
                                 (unsigned long)req->content_length, (unsigned long)route->max_body,
                                 http_method_name(route->method), route->pattern);
        return;
    }
    if ((route->flags & HTTP_ROUTE_BODY_REQUIRED) && !req->body_declared) {
        (void)http_respond_error(conn, 411, "length-required",
                                 "%s %s needs a body: send it with a Content-Length (or Transfer-Encoding: chunked)",
                                 http_method_name(route->method), route->pattern);
        return;
    }
    if ((route->flags & HTTP_ROUTE_PROTECTED) && config->authorize != NULL) {
        bool admitted = config->authorize(config->ctx, req);
        if (conn->response != HTTP_RESPONSE_NONE)
            return; /* the hook answered: a refusal with its own words */
        if (!admitted) {
            (void)http_respond_error(conn, 401, "unauthorized", "%s %s needs authentication",
                                     http_method_name(route->method), route->pattern);
            return;
        }
    }

    if (has_body && req->expect_continue && req->version_minor >= 1)
        http_response_continue(conn);
    if (req->chunked)
        http_parser_begin_chunked(conn);
    else
        conn->body_remaining = req->content_length;
    conn->body_started_us = conn->now_us;
    conn->body_progress_us = conn->now_us;
    conn->dispatched = true;
    route->on_request(config->ctx, req);
    if (!has_body && !conn->closed && !conn->failed)
        http_connection_body_end(conn);
}
