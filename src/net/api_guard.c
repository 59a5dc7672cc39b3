/*
 * api_guard.c - what every request must show before a route sees it, so that a web page on another site cannot use
 * the visitor's browser against the device (docs/security.md, "Other web sites"):
 *
 *   Host     an IPv4 address (both ports serve IPv4 only), localhost, or a name the device answers to
 *            (api_add_host_name), whatever its port, else 421 on every
 *            route: a page whose own name was rebound to the device's address reads nothing and changes nothing.
 *   Origin   when present on a request that changes something (any method but GET, HEAD and OPTIONS), exactly
 *            "http://" + Host, else 403: a page on another site cannot send it, even a "simple" one the browser sends
 *            without asking first (no-cors).
 *   Body     a request with a body declares Content-Type application/json, or application/octet-stream on the
 *            upload routes, else 415: the types a form or a no-cors fetch can send (text/plain, form encodings)
 *            are none of these.
 *
 * And every answer carries API_RESPONSE_FIELDS: the browser neither sniffs a type, nor frames the page, nor loads
 * anything but the device's own files, nor tells other sites where it came from.
 */
#include "net/api.h"

#include <stdio.h>
#include <string.h>

const char API_RESPONSE_FIELDS[] = "X-Content-Type-Options: nosniff\r\n"
                                   "Content-Security-Policy: default-src 'self'; frame-ancestors 'none'\r\n"
                                   "Referrer-Policy: no-referrer\r\n";

/* Digits and dots only: an address (no DNS name is all digits, so none can be rebound to the device). */
static bool is_ipv4_literal(const char *name, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if ((name[i] < '0' || name[i] > '9') && name[i] != '.')
            return false;
    return true;
}

/* The host part of a Host value: before the port, without the dot that may end a fully qualified name. */
static size_t host_name_length(const char *host)
{
    size_t len = strcspn(host, ":");
    if (len > 1 && host[len - 1] == '.')
        len--;
    return len;
}

bool api_host_is_known(const struct api *api, const char *host)
{
    size_t len = host_name_length(host);
    if (len == 0)
        return false;
    if (is_ipv4_literal(host, len) || http_equal_ignoring_case(host, len, "localhost"))
        return true;
    for (unsigned i = 0; i < API_HOST_NAMES; i++) {
        const char *name = api->host_names[i];
        if (name != NULL && http_equal_ignoring_case(host, len, name))
            return true;
    }
    return false;
}

bool api_add_host_name(struct api *api, const char *name)
{
    for (unsigned i = 0; i < API_HOST_NAMES; i++) {
        if (api->host_names[i] == NULL) {
            api->host_names[i] = name;
            return true;
        }
    }
    return false;
}

static bool changes_something(enum http_method method)
{
    return method != HTTP_GET && method != HTTP_HEAD && method != HTTP_OPTIONS;
}

/* Origin is "http://" followed by the Host value, the scheme and name in any case. */
static bool origin_is_own(const char *origin, const char *host)
{
    static const char scheme[] = "http://";
    size_t scheme_len = sizeof scheme - 1;
    return host != NULL && strlen(origin) > scheme_len &&
           http_equal_ignoring_case(origin, scheme_len, scheme) &&
           http_equal_ignoring_case(origin + scheme_len, strlen(origin + scheme_len), host);
}

/* The media type of a Content-Type value (before any ';' and the spaces around it) is type, in any case. */
static bool media_type_is(const char *value, const char *type)
{
    size_t len = strcspn(value, ";");
    while (len > 0 && (value[len - 1] == ' ' || value[len - 1] == '\t'))
        len--;
    return http_equal_ignoring_case(value, len, type);
}

/* The routes whose body is a file (an image, the programmer's firmware), not JSON. */
static bool takes_upload(const struct http_route *route)
{
    return route->on_body != NULL && route->on_body != api_body_collect;
}

bool api_screen(void *ctx, struct http_request *req)
{
    struct api *api = ctx;
    const char *host = http_request_header(req, "Host");
    if (host != NULL && !api_host_is_known(api, host)) {
        api_respond_error(api, req, 421, "misdirected-request",
                          "this device does not answer to that name: use its address (or airswdd --hostname)");
        return false;
    }
    const char *origin = http_request_header(req, "Origin");
    if (origin != NULL && changes_something(req->method) && !origin_is_own(origin, host)) {
        api_respond_error(api, req, 403, "foreign-origin", "a page of another site may not change this device");
        return false;
    }
    bool has_body = req->chunked || req->content_length > 0;
    if (has_body && req->route != NULL) {
        const char *type = http_request_header(req, "Content-Type");
        const char *expected = takes_upload(req->route) ? "application/octet-stream" : "application/json";
        if (type == NULL || !media_type_is(type, expected)) {
            char detail[48];
            snprintf(detail, sizeof detail, "Content-Type must be %s", expected);
            api_respond_error(api, req, 415, "unsupported-media-type", detail);
            return false;
        }
    }
    return true;
}
