/*
 * api_guard.c - what every request must show before a route sees it, so that a web page on another site cannot use
 * the visitor's browser against the device (docs/security.md, "Other web sites"):
 *
 *   Host     an IP literal, localhost, or a name the device answers to (api_add_host_name), else 421 on every
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

static char lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static bool equal_ignoring_case(const char *a, size_t a_len, const char *b, size_t b_len)
{
    if (a_len != b_len)
        return false;
    for (size_t i = 0; i < a_len; i++)
        if (lower(a[i]) != lower(b[i]))
            return false;
    return true;
}

/* Four decimal numbers of 0 to 255, without leading zeros, separated by dots. */
static bool is_ipv4_literal(const char *name, size_t len)
{
    unsigned parts = 0, value = 0, digits = 0;
    for (size_t i = 0; i <= len; i++) {
        if (i == len || name[i] == '.') {
            if (digits == 0 || (digits > 1 && name[i - digits] == '0') || value > 255)
                return false;
            parts++;
            value = digits = 0;
        } else if (name[i] >= '0' && name[i] <= '9' && digits < 3) {
            value = value * 10 + (unsigned)(name[i] - '0');
            digits++;
        } else {
            return false;
        }
    }
    return parts == 4;
}

/* "[...]" holding hex digits, colons and dots only (an IPv6 literal; its exact form is not checked further: nothing
 * but an address has it). */
static bool is_ipv6_literal(const char *name, size_t len)
{
    if (len < 4 || name[0] != '[' || name[len - 1] != ']')
        return false;
    for (size_t i = 1; i + 1 < len; i++)
        if (name[i] == '\0' || strchr("0123456789abcdefABCDEF:.", name[i]) == NULL)
            return false;
    return true;
}

/* The host part of a Host value: without the port, and without the dot that may end a fully qualified name. */
static size_t host_name_length(const char *host)
{
    size_t len = strlen(host);
    if (host[0] == '[') {
        const char *close = strchr(host, ']');
        return close != NULL ? (size_t)(close - host) + 1 : len;
    }
    const char *colon = strchr(host, ':');
    if (colon != NULL)
        len = (size_t)(colon - host);
    if (len > 1 && host[len - 1] == '.')
        len--;
    return len;
}

/* The rest after the host part: nothing, or ":" and 1 to 5 digits. */
static bool port_is_valid(const char *rest)
{
    if (rest[0] == '.' && rest[1] != '.') /* the dot that ended a fully qualified name */
        rest++;
    if (rest[0] == '\0')
        return true;
    if (rest[0] != ':' || rest[1] == '\0' || strlen(rest + 1) > 5)
        return false;
    for (const char *c = rest + 1; *c != '\0'; c++)
        if (*c < '0' || *c > '9')
            return false;
    return true;
}

bool api_host_is_known(const struct api *api, const char *host)
{
    size_t len = host_name_length(host);
    if (len == 0 || !port_is_valid(host + len))
        return false;
    if (is_ipv4_literal(host, len) || is_ipv6_literal(host, len) || equal_ignoring_case(host, len, "localhost", 9))
        return true;
    for (unsigned i = 0; i < API_HOST_NAMES; i++) {
        const char *name = api->host_names[i];
        if (name != NULL && equal_ignoring_case(host, len, name, strlen(name)))
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
           equal_ignoring_case(origin, scheme_len, scheme, scheme_len) &&
           equal_ignoring_case(origin + scheme_len, strlen(origin + scheme_len), host, strlen(host));
}

/* The media type of a Content-Type value (before any ';' and the spaces around it) is type, in any case. */
static bool media_type_is(const char *value, const char *type)
{
    size_t len = strcspn(value, ";");
    while (len > 0 && (value[len - 1] == ' ' || value[len - 1] == '\t'))
        len--;
    return equal_ignoring_case(value, len, type, strlen(type));
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
                          "this device does not answer to that name: use its address, or start it with the name "
                          "(airswdd --hostname NAME)");
        return false;
    }
    const char *origin = http_request_header(req, "Origin");
    if (origin != NULL && changes_something(req->method) && !origin_is_own(origin, host)) {
        api_respond_error(api, req, 403, "foreign-origin",
                          "a page of another site may not change anything on this device: use the device's own "
                          "page or a client that sends no Origin");
        return false;
    }
    bool has_body = req->chunked || req->content_length > 0;
    if (has_body && req->route != NULL) {
        const char *type = http_request_header(req, "Content-Type");
        const char *expected = takes_upload(req->route) ? "application/octet-stream" : "application/json";
        if (type == NULL || !media_type_is(type, expected)) {
            char detail[96];
            snprintf(detail, sizeof detail, "the body must be sent with Content-Type: %s", expected);
            api_respond_error(api, req, 415, "unsupported-media-type", detail);
            return false;
        }
    }
    return true;
}
