/*
 * http_parser.c - bytes -> request: the head (request line and header fields) read into the head buffer and parsed
 * in place, the request target split and percent-decoded, chunked bodies decoded; and the accessors a handler reads
 * the request with.
 *
 * The head is kept whole so that any field can be read by name later: parsing only writes NULs over the separators
 * (the spaces of the request line, each field's ':' and line end) and records where names and values start. The
 * parser is strict where leniency lets two readers of the same bytes disagree about where a request or its body
 * ends (RFC 9112 sections 2.2, 6.3, 11.2): whitespace before a field's colon, obsolete line folding, control
 * characters, Content-Length beside Transfer-Encoding, and conflicting Content-Length values are all 400.
 */
#include "net/http_internal.h"
#include "decimal.h"
#include "hex.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Empty lines tolerated before a request line (RFC 9112 section 2.2: a client may send one after a body). */
#define HTTP_MAX_BLANK_PREFIX 8
/* Hex digits of a chunk size, leading zeros included; the value itself is bounded by the route's limit. */
#define HTTP_MAX_CHUNK_SIZE_DIGITS 16
/* Bytes of chunk extension on one size line, and of trailer fields after the last chunk. Both are skipped. */
#define HTTP_MAX_CHUNK_EXTENSION 128
#define HTTP_MAX_TRAILER_BYTES   1024
/* Longest method name worth quoting in a 501. */
#define HTTP_MAX_METHOD_NAME 16

static const char *const http_method_names[HTTP_METHOD_COUNT] = {
    [HTTP_GET] = "GET",       [HTTP_HEAD] = "HEAD",   [HTTP_POST] = "POST",       [HTTP_PUT] = "PUT",
    [HTTP_DELETE] = "DELETE", [HTTP_PATCH] = "PATCH", [HTTP_OPTIONS] = "OPTIONS",
};

const char *http_method_name(enum http_method method)
{
    if ((unsigned)method >= HTTP_METHOD_COUNT)
        return "?";
    return http_method_names[method];
}

void http_failure_set(struct http_failure *failure, int status, const char *error, const char *detail_format, ...)
{
    failure->status = status;
    failure->error = error;
    va_list args;
    va_start(args, detail_format);
    (void)vsnprintf(failure->detail, sizeof failure->detail, detail_format, args);
    va_end(args);
}

char *http_quote(const char *text, size_t len, size_t max, char *out, size_t out_size)
{
    size_t used = 0;
    bool cut = len > max;
    if (cut)
        len = max;
    for (size_t i = 0; i < len && used + 4 < out_size; i++) {
        unsigned char c = (unsigned char)text[i];
        out[used++] = (c >= 0x20 && c < 0x7F && c != '"' && c != '\\') ? (char)c : '?';
    }
    if (cut && used + 4 <= out_size) {
        memcpy(out + used, "...", 3);
        used += 3;
    }
    if (out_size > 0)
        out[used < out_size ? used : out_size - 1] = '\0';
    return out;
}

/* ---------------------------------------------------------------------------------------------------------------
 * Character classes (RFC 9110 section 5.6.2).
 */
static bool is_tchar(unsigned char c)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
        return true;
    return c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

/* Allowed inside a field value: visible characters, space, tab, and obs-text (bytes >= 0x80). */
static bool is_field_char(unsigned char c)
{
    return c == '\t' || (c >= 0x20 && c != 0x7F);
}

static bool is_ows(char c)
{
    return c == ' ' || c == '\t';
}

static char ascii_lower(char c)
{
    return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

bool http_equal_ignoring_case(const char *a, size_t a_len, const char *b)
{
    size_t i = 0;
    for (; i < a_len && b[i] != '\0'; i++)
        if (ascii_lower(a[i]) != ascii_lower(b[i]))
            return false;
    return i == a_len && b[i] == '\0';
}

/* The next element of a comma-separated list (RFC 9110 section 5.6.1), without surrounding whitespace; empty
 * elements are skipped. False at the end of the list. */
static bool next_list_element(const char **cursor, const char **element, size_t *length)
{
    const char *p = *cursor;
    for (;;) {
        while (is_ows(*p) || *p == ',')
            p++;
        if (*p == '\0') {
            *cursor = p;
            return false;
        }
        const char *start = p;
        while (*p != '\0' && *p != ',')
            p++;
        const char *end = p;
        while (end > start && is_ows(end[-1]))
            end--;
        *cursor = p;
        *element = start;
        *length = (size_t)(end - start);
        return true;
    }
}

/* ---------------------------------------------------------------------------------------------------------------
 * The head, as it arrives.
 */
size_t http_parser_take_head(struct http_connection *conn, const uint8_t *bytes, size_t len, bool *complete,
                             struct http_failure *failure)
{
    *complete = false;
    for (size_t i = 0; i < len; i++) {
        uint8_t c = bytes[i];
        if (!conn->head_started) {
            conn->head_started = true;
            conn->head_started_us = conn->now_us;
        }
        if (conn->head_len == 0 && (c == '\r' || c == '\n')) {
            if (++conn->blank_lines > HTTP_MAX_BLANK_PREFIX) {
                http_failure_set(failure, 400, "bad-request", "the request starts with more than %u empty lines",
                                 HTTP_MAX_BLANK_PREFIX / 2);
                return i + 1;
            }
            continue;
        }
        if (conn->head_len == sizeof conn->head) {
            if (conn->request_line_end == 0)
                http_failure_set(failure, 414, "uri-too-long",
                                 "the request line is longer than the %u bytes this device reads; use a shorter "
                                 "path and query",
                                 (unsigned)sizeof conn->head);
            else
                http_failure_set(failure, 431, "header-too-large",
                                 "the request line and header fields are longer than the %u bytes this device reads; "
                                 "send fewer or shorter fields",
                                 (unsigned)sizeof conn->head);
            return i;
        }
        conn->head[conn->head_len++] = c;
        if (c != '\n')
            continue;
        size_t line_len = (size_t)(conn->head_len - 1u - conn->line_start);
        if (line_len > 0 && conn->head[conn->head_len - 2] == '\r')
            line_len--;
        if (conn->request_line_end == 0)
            conn->request_line_end = conn->head_len;
        else if (line_len == 0) {
            *complete = true;
            return i + 1;
        }
        conn->line_start = conn->head_len;
    }
    return len;
}

/* ---------------------------------------------------------------------------------------------------------------
 * The complete head, parsed in place.
 */

/* End of the content of the line that starts at start (before its CR LF or LF). */
static size_t line_content_end(const struct http_connection *conn, size_t start, size_t *next)
{
    const uint8_t *lf = memchr(conn->head + start, '\n', conn->head_len - start);
    size_t end = (size_t)(lf - conn->head);
    *next = end + 1;
    if (end > start && conn->head[end - 1] == '\r')
        end--;
    return end;
}

static bool parse_request_line(struct http_connection *conn, struct http_failure *failure, size_t *target_start)
{
    struct http_request *req = &conn->request;
    char *head = (char *)conn->head;
    size_t next;
    size_t end = line_content_end(conn, 0, &next);
    static const char shape[] = "the request line must read METHOD /path HTTP/1.1";

    size_t method_end = 0;
    while (method_end < end && is_tchar((unsigned char)head[method_end]))
        method_end++;
    if (method_end == 0 || method_end == end || head[method_end] != ' ') {
        http_failure_set(failure, 400, "bad-request", "%s", shape);
        return false;
    }
    size_t target = method_end + 1;
    size_t target_end = target;
    while (target_end < end && head[target_end] != ' ') {
        unsigned char c = (unsigned char)head[target_end];
        if (c <= 0x20 || c >= 0x7F) {
            http_failure_set(failure, 400, "bad-request",
                             "the request target holds a control character, a tab or a non-ASCII byte; "
                             "percent-encode it");
            return false;
        }
        target_end++;
    }
    if (target_end == target || target_end == end) {
        http_failure_set(failure, 400, "bad-request", "%s", shape);
        return false;
    }
    const char *version = head + target_end + 1;
    size_t version_len = end - target_end - 1;
    if (version_len == 8 && memcmp(version, "HTTP/1.1", 8) == 0) {
        req->version_minor = 1;
    } else if (version_len == 8 && memcmp(version, "HTTP/1.0", 8) == 0) {
        req->version_minor = 0;
    } else if (version_len == 8 && memcmp(version, "HTTP/", 5) == 0 && version[5] >= '0' && version[5] <= '9' &&
               version[6] == '.' && version[7] >= '0' && version[7] <= '9') {
        http_failure_set(failure, 505, "version-not-supported", "HTTP/%c.%c is not supported; use HTTP/1.1", version[5],
                         version[7]);
        return false;
    } else {
        http_failure_set(failure, 400, "bad-request", "%s", shape);
        return false;
    }

    head[method_end] = '\0';
    head[target_end] = '\0';
    enum http_method method = HTTP_METHOD_COUNT;
    for (unsigned m = 0; m < HTTP_METHOD_COUNT; m++)
        if (strcmp(head, http_method_names[m]) == 0)
            method = (enum http_method)m;
    if (method == HTTP_METHOD_COUNT) {
        char quoted[HTTP_MAX_METHOD_NAME + 4];
        http_failure_set(failure, 501, "not-implemented", "method %s is not implemented by this device",
                         http_quote(head, method_end, HTTP_MAX_METHOD_NAME, quoted, sizeof quoted));
        return false;
    }
    req->method = method;
    *target_start = target;
    return true;
}

/* Indexes the header fields; NULs end each name and value. */
static bool index_fields(struct http_connection *conn, struct http_failure *failure)
{
    struct http_request *req = &conn->request;
    char *head = (char *)conn->head;
    size_t start = conn->request_line_end;
    unsigned line = 1;
    for (;;) {
        size_t next;
        size_t end = line_content_end(conn, start, &next);
        line++;
        if (end == start)
            return true; /* the blank line */
        if (is_ows(head[start])) {
            http_failure_set(failure, 400, "bad-request",
                             "line %u folds a header field over two lines (obsolete line folding); send it on one "
                             "line",
                             line);
            return false;
        }
        const char *colon = memchr(head + start, ':', end - start);
        if (colon == NULL) {
            http_failure_set(failure, 400, "bad-request", "line %u of the header is not a 'Name: value' field", line);
            return false;
        }
        size_t name_end = (size_t)(colon - head);
        for (size_t i = start; i < name_end; i++) {
            if (!is_tchar((unsigned char)head[i])) {
                char quoted[40];
                http_failure_set(failure, 400, "bad-request",
                                 "header field name \"%s\" (line %u) holds a character not allowed in a name%s",
                                 http_quote(head + start, name_end - start, 32, quoted, sizeof quoted), line,
                                 is_ows(head[i]) ? " (no space may come before the colon)" : "");
                return false;
            }
        }
        if (name_end == start) {
            http_failure_set(failure, 400, "bad-request", "line %u of the header has an empty field name", line);
            return false;
        }
        size_t value = name_end + 1;
        while (value < end && is_ows(head[value]))
            value++;
        size_t value_end = end;
        while (value_end > value && is_ows(head[value_end - 1]))
            value_end--;
        for (size_t i = value; i < value_end; i++) {
            if (!is_field_char((unsigned char)head[i])) {
                head[name_end] = '\0';
                char quoted[40];
                http_failure_set(failure, 400, "bad-request",
                                 "the value of header field %s (line %u) holds a control character (byte 0x%02X)",
                                 http_quote(head + start, name_end - start, 32, quoted, sizeof quoted), line,
                                 (unsigned char)head[i]);
                return false;
            }
        }
        if (req->header_count == AIRSWD_HTTP_MAX_HEADERS) {
            http_failure_set(failure, 431, "header-too-large",
                             "the request has more than the %u header fields this device reads",
                             (unsigned)AIRSWD_HTTP_MAX_HEADERS);
            return false;
        }
        head[name_end] = '\0';
        head[value_end] = '\0';
        req->headers[req->header_count].name = (uint16_t)start;
        req->headers[req->header_count].value = (uint16_t)value;
        req->header_count++;
        start = next;
    }
}

/* Content-Length: digits, possibly repeated as a list of equal values ("5, 5"), which RFC 9110 section 8.6 lets a
 * recipient take as one. */
static bool parse_content_length(const char *value, uint64_t *length, bool *seen, struct http_failure *failure)
{
    const char *cursor = value;
    const char *element;
    size_t element_len;
    bool any = false;
    while (next_list_element(&cursor, &element, &element_len)) {
        uint64_t parsed = 0;
        for (size_t i = 0; i < element_len; i++) {
            if (element[i] < '0' || element[i] > '9') {
                http_failure_set(failure, 400, "bad-request", "Content-Length must be a number of bytes");
                return false;
            }
            if (parsed < UINT64_C(1) << 40)
                parsed = parsed * 10u + (uint64_t)(element[i] - '0');
        }
        if (*seen && parsed != *length) {
            http_failure_set(failure, 400, "bad-request", "the request gives two different Content-Length values");
            return false;
        }
        *length = parsed;
        *seen = true;
        any = true;
    }
    if (!any) {
        http_failure_set(failure, 400, "bad-request", "Content-Length is empty");
        return false;
    }
    return true;
}

/* Transfer-Encoding: only "chunked" is implemented, and it must be the only coding. */
static bool parse_transfer_encoding(const char *value, bool *chunked, struct http_failure *failure)
{
    const char *cursor = value;
    const char *element;
    size_t element_len;
    bool any = false;
    while (next_list_element(&cursor, &element, &element_len)) {
        any = true;
        if (!http_equal_ignoring_case(element, element_len, "chunked")) {
            char quoted[40];
            http_failure_set(failure, 501, "not-implemented",
                             "Transfer-Encoding %s is not supported; send the body as it is, with a Content-Length, "
                             "or chunked",
                             http_quote(element, element_len, 32, quoted, sizeof quoted));
            return false;
        }
        if (*chunked) {
            http_failure_set(failure, 400, "bad-request", "the body is declared chunked twice");
            return false;
        }
        *chunked = true;
    }
    if (!any) {
        http_failure_set(failure, 400, "bad-request", "Transfer-Encoding is empty");
        return false;
    }
    return true;
}

/* The fields that decide how the request is framed and whether the connection stays open. */
static bool interpret_fields(struct http_connection *conn, struct http_failure *failure)
{
    struct http_request *req = &conn->request;
    const char *head = (const char *)conn->head;
    unsigned hosts = 0;
    bool length_seen = false, transfer_encoding_seen = false, chunked = false;
    bool close = false, keep_alive = false;
    uint64_t length = 0;

    for (unsigned i = 0; i < req->header_count; i++) {
        const char *name = head + req->headers[i].name;
        const char *value = head + req->headers[i].value;
        size_t name_len = strlen(name);
        if (http_equal_ignoring_case(name, name_len, "host")) {
            hosts++;
        } else if (http_equal_ignoring_case(name, name_len, "content-length")) {
            if (!parse_content_length(value, &length, &length_seen, failure))
                return false;
        } else if (http_equal_ignoring_case(name, name_len, "transfer-encoding")) {
            transfer_encoding_seen = true;
            if (!parse_transfer_encoding(value, &chunked, failure))
                return false;
        } else if (http_equal_ignoring_case(name, name_len, "connection")) {
            const char *cursor = value;
            const char *element;
            size_t element_len;
            while (next_list_element(&cursor, &element, &element_len)) {
                close |= http_equal_ignoring_case(element, element_len, "close");
                keep_alive |= http_equal_ignoring_case(element, element_len, "keep-alive");
            }
        } else if (http_equal_ignoring_case(name, name_len, "expect")) {
            if (!http_equal_ignoring_case(value, strlen(value), "100-continue")) {
                char quoted[40];
                http_failure_set(failure, 417, "expectation-failed", "Expect: %s is not supported",
                                 http_quote(value, strlen(value), 32, quoted, sizeof quoted));
                return false;
            }
            req->expect_continue = true;
        }
    }

    if (req->version_minor == 1 && hosts == 0) {
        http_failure_set(failure, 400, "bad-request", "an HTTP/1.1 request needs a Host header field");
        return false;
    }
    if (hosts > 1) {
        http_failure_set(failure, 400, "bad-request", "the request has more than one Host header field");
        return false;
    }
    if (transfer_encoding_seen && req->version_minor == 0) {
        http_failure_set(failure, 400, "bad-request", "Transfer-Encoding is not allowed in an HTTP/1.0 request");
        return false;
    }
    if (transfer_encoding_seen && length_seen) {
        http_failure_set(failure, 400, "bad-request",
                         "the request has both Content-Length and Transfer-Encoding, so its length is ambiguous; "
                         "send one of them");
        return false;
    }
    if (length >= HTTP_LENGTH_UNKNOWN) {
        char bytes[DECIMAL_MAX];
        decimal_u64(length, bytes);
        http_failure_set(failure, 413, "payload-too-large", "a body of %s bytes is more than this device takes",
                         bytes);
        return false;
    }
    req->chunked = chunked;
    req->body_declared = length_seen || chunked;
    req->content_length = chunked ? HTTP_LENGTH_UNKNOWN : (uint32_t)length;
    req->keep_alive = req->version_minor == 1 ? !close : (keep_alive && !close);
    return true;
}

/* Percent-decodes the path in place. Encoded '/', NUL and control characters are refused: a decoded '/' would
 * change which segments the router sees, and a NUL would end the string early. "." and ".." segments are refused
 * too, so no handler ever has to think about them. */
static bool decode_path(char *path, struct http_failure *failure)
{
    char *read = path, *write = path;
    while (*read != '\0') {
        if (*read != '%') {
            *write++ = *read++;
            continue;
        }
        int high = hex_digit_value((unsigned char)read[1]);
        int low = high < 0 ? -1 : hex_digit_value((unsigned char)read[2]);
        if (low < 0) {
            http_failure_set(failure, 400, "bad-request", "the path has a '%%' not followed by two hex digits");
            return false;
        }
        int value = high * 16 + low;
        if (value == '/' || value < 0x20 || value == 0x7F) {
            http_failure_set(failure, 400, "bad-request",
                             "the path encodes '/' or a control character (%%%02X), which is not accepted", value);
            return false;
        }
        *write++ = (char)value;
        read += 3;
    }
    *write = '\0';
    for (const char *segment = path; segment != NULL; segment = strchr(segment + 1, '/')) {
        const char *s = segment + 1;
        if ((s[0] == '.' && (s[1] == '/' || s[1] == '\0')) ||
            (s[0] == '.' && s[1] == '.' && (s[2] == '/' || s[2] == '\0'))) {
            http_failure_set(failure, 400, "bad-request", "the path may not have '.' or '..' segments");
            return false;
        }
    }
    return true;
}

/* origin-form ("/path?query"), absolute-form ("http://host/path?query", RFC 9112 section 3.2.2, which a server
 * must accept), and asterisk-form for OPTIONS. */
static bool parse_target(struct http_connection *conn, size_t target_start, struct http_failure *failure)
{
    struct http_request *req = &conn->request;
    char *target = (char *)conn->head + target_start;
    if (strcmp(target, "*") == 0) {
        if (req->method != HTTP_OPTIONS) {
            http_failure_set(failure, 400, "bad-request", "the target '*' is only for OPTIONS");
            return false;
        }
        req->path = target;
        req->query = target + 1;
        return true;
    }
    if (strchr(target, '#') != NULL) {
        http_failure_set(failure, 400, "bad-request", "the request target may not have a fragment ('#')");
        return false;
    }
    char *path = target;
    const char *scheme_end = strstr(target, "://");
    if (target[0] != '/' && scheme_end != NULL &&
        (http_equal_ignoring_case(target, (size_t)(scheme_end - target), "http") ||
         http_equal_ignoring_case(target, (size_t)(scheme_end - target), "https"))) {
        path = (char *)scheme_end + 3;
        path += strcspn(path, "/?");
    }
    char *question = strchr(path, '?');
    if (question != NULL) {
        *question = '\0';
        req->query = question + 1;
    } else {
        req->query = path + strlen(path);
    }
    if (path[0] == '\0' && path != target) {
        req->path = "/"; /* "http://host" or "http://host?x" names the root */
        return true;
    }
    if (path[0] != '/') {
        http_failure_set(failure, 400, "bad-request", "the request target must be a path that starts with '/'");
        return false;
    }
    req->path = path;
    return decode_path(path, failure);
}

bool http_parser_parse_head(struct http_connection *conn, struct http_failure *failure)
{
    size_t target_start;
    return parse_request_line(conn, failure, &target_start) && index_fields(conn, failure) &&
           interpret_fields(conn, failure) && parse_target(conn, target_start, failure);
}

/* ---------------------------------------------------------------------------------------------------------------
 * Chunked request bodies (RFC 9112 section 7.1). Extensions and trailer fields are read and dropped.
 */
void http_parser_begin_chunked(struct http_connection *conn)
{
    conn->chunk_state = HTTP_CHUNK_SIZE;
    conn->chunk_digits = 0;
    conn->trailer_bytes = 0;
    conn->body_remaining = 0;
}

static void chunk_syntax_error(struct http_connection *conn, const char *what)
{
    http_connection_fail(conn, 400, "bad-request", "chunked body, after %lu bytes of data: %s",
                         (unsigned long)conn->request.body_received, what);
}

/* The size line is complete: a chunk of data follows, or the last chunk's trailer section. */
static void chunk_size_line_done(struct http_connection *conn)
{
    const struct http_request *req = &conn->request;
    if (conn->body_remaining == 0) {
        conn->chunk_state = HTTP_CHUNK_TRAILER_START;
        conn->chunk_digits = 0;
        return;
    }
    uint32_t limit = req->route->max_body;
    if (conn->body_remaining > limit || req->body_received > limit - conn->body_remaining) {
        http_connection_fail(conn, 413, "payload-too-large", "the chunked body grows past the %lu bytes %s %s takes",
                             (unsigned long)limit, http_method_name(req->method), req->route->pattern);
        return;
    }
    conn->chunk_state = HTTP_CHUNK_DATA;
}

size_t http_parser_take_chunked(struct http_connection *conn, const uint8_t *bytes, size_t len)
{
    size_t i = 0;
    while (i < len && conn->input == HTTP_INPUT_BODY) {
        uint8_t c = bytes[i];
        switch (conn->chunk_state) {
        case HTTP_CHUNK_SIZE: {
            int digit = hex_digit_value(c);
            if (digit >= 0) {
                if (++conn->chunk_digits > HTTP_MAX_CHUNK_SIZE_DIGITS) {
                    chunk_syntax_error(conn, "a chunk size has too many digits");
                    return i;
                }
                if (conn->body_remaining > (UINT32_MAX >> 4)) {
                    http_connection_fail(conn, 413, "payload-too-large",
                                         "a chunk of the body is larger than this device takes");
                    return i;
                }
                conn->body_remaining = (conn->body_remaining << 4) | (uint32_t)digit;
                i++;
                break;
            }
            if (conn->chunk_digits == 0) {
                chunk_syntax_error(conn, "a chunk size (hex digits) was expected");
                return i;
            }
            conn->chunk_state = HTTP_CHUNK_SIZE_END;
            conn->chunk_digits = 0;
            break; /* the same byte again, in the next state */
        }
        case HTTP_CHUNK_SIZE_END:
            i++;
            if (c == ' ' || c == '\t') {
                if (++conn->chunk_digits > HTTP_MAX_CHUNK_EXTENSION) {
                    chunk_syntax_error(conn, "too much whitespace after a chunk size");
                    return i;
                }
            } else if (c == ';') {
                conn->chunk_state = HTTP_CHUNK_EXTENSION;
                conn->chunk_digits = 0;
            } else if (c == '\r') {
                conn->chunk_state = HTTP_CHUNK_SIZE_LF;
            } else if (c == '\n') {
                chunk_size_line_done(conn);
            } else {
                chunk_syntax_error(conn, "a chunk size is followed by something other than ';' or a line end");
                return i;
            }
            break;
        case HTTP_CHUNK_EXTENSION:
            i++;
            if (c == '\r') {
                conn->chunk_state = HTTP_CHUNK_SIZE_LF;
            } else if (c == '\n') {
                chunk_size_line_done(conn);
            } else if (++conn->chunk_digits > HTTP_MAX_CHUNK_EXTENSION || !is_field_char(c)) {
                chunk_syntax_error(conn, "a chunk extension is too long or holds a control character");
                return i;
            }
            break;
        case HTTP_CHUNK_SIZE_LF:
            i++;
            if (c != '\n') {
                chunk_syntax_error(conn, "a chunk size line has a CR without LF");
                return i;
            }
            chunk_size_line_done(conn);
            break;
        case HTTP_CHUNK_DATA: {
            size_t offered = len - i;
            if (offered > conn->body_remaining)
                offered = conn->body_remaining;
            size_t taken = http_connection_deliver_body(conn, bytes + i, offered);
            i += taken;
            conn->body_remaining -= (uint32_t)taken;
            if (taken < offered)
                return i;
            if (conn->body_remaining == 0)
                conn->chunk_state = HTTP_CHUNK_DATA_CR;
            break;
        }
        case HTTP_CHUNK_DATA_CR:
            i++;
            if (c == '\r') {
                conn->chunk_state = HTTP_CHUNK_DATA_LF;
            } else if (c == '\n') {
                http_parser_begin_chunked(conn);
            } else {
                chunk_syntax_error(conn, "a chunk has more data than its size says");
                return i;
            }
            break;
        case HTTP_CHUNK_DATA_LF:
            i++;
            if (c != '\n') {
                chunk_syntax_error(conn, "a chunk's data is followed by a CR without LF");
                return i;
            }
            http_parser_begin_chunked(conn);
            break;
        case HTTP_CHUNK_TRAILER_START:
            i++;
            if (c == '\r') {
                conn->chunk_state = HTTP_CHUNK_FINAL_LF;
            } else if (c == '\n') {
                http_connection_body_end(conn);
                return i;
            } else {
                conn->chunk_state = HTTP_CHUNK_TRAILER;
                conn->trailer_bytes++;
            }
            break;
        case HTTP_CHUNK_TRAILER:
            i++;
            if (c == '\r') {
                conn->chunk_state = HTTP_CHUNK_TRAILER_LF;
            } else if (c == '\n') {
                conn->chunk_state = HTTP_CHUNK_TRAILER_START;
            } else if (++conn->trailer_bytes > HTTP_MAX_TRAILER_BYTES || !is_field_char(c)) {
                chunk_syntax_error(conn, "the trailer fields are too long or hold a control character");
                return i;
            }
            break;
        case HTTP_CHUNK_TRAILER_LF:
        case HTTP_CHUNK_FINAL_LF:
            i++;
            if (c != '\n') {
                chunk_syntax_error(conn, "a trailer line has a CR without LF");
                return i;
            }
            if (conn->chunk_state == HTTP_CHUNK_FINAL_LF) {
                http_connection_body_end(conn);
                return i;
            }
            conn->chunk_state = HTTP_CHUNK_TRAILER_START;
            break;
        }
    }
    return i;
}

/* ---------------------------------------------------------------------------------------------------------------
 * Reading the request.
 */
const char *http_request_header(const struct http_request *req, const char *name)
{
    const char *head = (const char *)req->connection->head;
    size_t name_len = strlen(name);
    for (unsigned i = 0; i < req->header_count; i++) {
        const char *field = head + req->headers[i].name;
        if (http_equal_ignoring_case(name, name_len, field))
            return head + req->headers[i].value;
    }
    return NULL;
}

bool http_request_header_at(const struct http_request *req, size_t index, const char **name, const char **value)
{
    if (index >= req->header_count)
        return false;
    const char *head = (const char *)req->connection->head;
    *name = head + req->headers[index].name;
    *value = head + req->headers[index].value;
    return true;
}

/* Decodes a query component ('+' is a space) into out; false when it is badly encoded or does not fit. */
static bool decode_query_component(const char *text, size_t len, char *out, size_t out_size)
{
    size_t used = 0;
    for (size_t i = 0; i < len; i++) {
        char c = text[i];
        if (c == '+') {
            c = ' ';
        } else if (c == '%') {
            if (i + 2 >= len)
                return false;
            int high = hex_digit_value((unsigned char)text[i + 1]);
            int low = hex_digit_value((unsigned char)text[i + 2]);
            if (high < 0 || low < 0)
                return false;
            c = (char)(high * 16 + low);
            if (c == '\0')
                return false;
            i += 2;
        }
        if (used + 1 >= out_size)
            return false;
        out[used++] = c;
    }
    if (out_size == 0)
        return false;
    out[used] = '\0';
    return true;
}

bool http_request_query(const struct http_request *req, const char *name, char *out, size_t out_size)
{
    const char *cursor = req->query;
    size_t name_len = strlen(name);
    while (*cursor != '\0') {
        size_t pair_len = strcspn(cursor, "&");
        const char *equals = memchr(cursor, '=', pair_len);
        size_t key_len = equals != NULL ? (size_t)(equals - cursor) : pair_len;
        char key[64];
        if (decode_query_component(cursor, key_len, key, sizeof key) && strlen(key) == name_len &&
            memcmp(key, name, name_len) == 0) {
            if (equals == NULL)
                return decode_query_component("", 0, out, out_size);
            return decode_query_component(equals + 1, pair_len - key_len - 1, out, out_size);
        }
        cursor += pair_len;
        if (*cursor == '&')
            cursor++;
    }
    return false;
}
