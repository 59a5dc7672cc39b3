/*
 * http_response.c - the output buffer, and every form of response but event streams: whole (http_respond), pulled
 * from a callback (http_respond_stream), pushed in chunks (http_begin_chunked), and the JSON errors.
 *
 * The output buffer is linear: bytes [out_start, out_end) wait for the socket, and are moved back to the start of
 * the buffer before anything is appended, so that every write sees one contiguous free space. Header fields set by
 * http_response_header wait at the end of the buffer (staged_len bytes, never handed to the port); the head written
 * later is rotated in front of them.
 *
 * Invariant of an open chunked body: HTTP_LAST_CHUNK_LEN bytes stay free after every write, so that the last chunk
 * can always be written when the body ends, whatever the client has read by then.
 */
#include "net/http_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

struct reason {
    int status;
    const char *text;
};

/* RFC 9110 section 15, the codes this device can send. */
static const struct reason http_reasons[] = {
    {100, "Continue"},
    {200, "OK"},
    {201, "Created"},
    {202, "Accepted"},
    {204, "No Content"},
    {206, "Partial Content"},
    {301, "Moved Permanently"},
    {302, "Found"},
    {303, "See Other"},
    {304, "Not Modified"},
    {307, "Temporary Redirect"},
    {400, "Bad Request"},
    {401, "Unauthorized"},
    {403, "Forbidden"},
    {404, "Not Found"},
    {405, "Method Not Allowed"},
    {408, "Request Timeout"},
    {409, "Conflict"},
    {410, "Gone"},
    {411, "Length Required"},
    {412, "Precondition Failed"},
    {413, "Content Too Large"},
    {414, "URI Too Long"},
    {415, "Unsupported Media Type"},
    {416, "Range Not Satisfiable"},
    {417, "Expectation Failed"},
    {421, "Misdirected Request"},
    {422, "Unprocessable Content"},
    {423, "Locked"},
    {428, "Precondition Required"},
    {429, "Too Many Requests"},
    {431, "Request Header Fields Too Large"},
    {500, "Internal Server Error"},
    {501, "Not Implemented"},
    {503, "Service Unavailable"},
    {505, "HTTP Version Not Supported"},
    {507, "Insufficient Storage"},
    {507, "Insufficient Storage"},
};

const char *http_status_reason(int status)
{
    for (size_t i = 0; i < sizeof http_reasons / sizeof http_reasons[0]; i++)
        if (http_reasons[i].status == status)
            return http_reasons[i].text;
    return "";
}

/* ---------------------------------------------------------------------------------------------------------------
 * The buffer.
 */
size_t http_output_pending(const struct http_connection *conn)
{
    return (size_t)(conn->out_end - conn->out_start - conn->staged_len);
}

size_t http_output_room(struct http_connection *conn)
{
    if (conn->out_start > 0) {
        memmove(conn->out, conn->out + conn->out_start, (size_t)(conn->out_end - conn->out_start));
        conn->out_end = (uint16_t)(conn->out_end - conn->out_start);
        conn->out_start = 0;
    }
    return sizeof conn->out - conn->out_end;
}

void http_output_append(struct http_connection *conn, const void *bytes, size_t len)
{
    memcpy(conn->out + conn->out_end, bytes, len);
    conn->out_end = (uint16_t)(conn->out_end + len);
}

/* Bounded writes into the output while a head is assembled: the caller checks `overflow` once at the end. */
struct writer {
    uint8_t *buffer;
    size_t used;
    size_t capacity;
    bool overflow;
};

static void put_bytes(struct writer *w, const void *bytes, size_t len)
{
    if (w->overflow || len > w->capacity - w->used) {
        w->overflow = true;
        return;
    }
    memcpy(w->buffer + w->used, bytes, len);
    w->used += len;
}

static void put(struct writer *w, const char *text)
{
    put_bytes(w, text, strlen(text));
}

static void put_decimal(struct writer *w, unsigned long value)
{
    char digits[24];
    int len = snprintf(digits, sizeof digits, "%lu", value);
    put_bytes(w, digits, (size_t)len);
}

static size_t hex_width(size_t value)
{
    size_t width = 1;
    while (value >= 16) {
        value >>= 4;
        width++;
    }
    return width;
}

static size_t format_hex(char *out, size_t value)
{
    static const char digits[] = "0123456789ABCDEF";
    size_t width = hex_width(value);
    for (size_t i = width; i > 0; i--) {
        out[i - 1] = digits[value & 0xF];
        value >>= 4;
    }
    return width;
}

/* JSON string escaping (RFC 8259 section 7): quote, backslash and control characters. */
static size_t json_escaped_length(const char *text)
{
    size_t len = 0;
    for (const unsigned char *c = (const unsigned char *)text; *c != '\0'; c++)
        len += (*c == '"' || *c == '\\') ? 2 : (*c < 0x20 ? 6 : 1);
    return len;
}

static void put_json_escaped(struct writer *w, const char *text)
{
    for (const unsigned char *c = (const unsigned char *)text; *c != '\0'; c++) {
        if (*c == '"' || *c == '\\') {
            char escaped[2] = {'\\', (char)*c};
            put_bytes(w, escaped, 2);
        } else if (*c < 0x20) {
            char escaped[8];
            (void)snprintf(escaped, sizeof escaped, "\\u%04X", *c);
            put_bytes(w, escaped, 6);
        } else {
            put_bytes(w, c, 1);
        }
    }
}

static void reverse(uint8_t *bytes, size_t len)
{
    for (size_t i = 0, j = len; i + 1 < j; i++, j--) {
        uint8_t t = bytes[i];
        bytes[i] = bytes[j - 1];
        bytes[j - 1] = t;
    }
}

/* [a bytes][b bytes] -> [b bytes][a bytes], in place. */
static void rotate(uint8_t *bytes, size_t a, size_t b)
{
    reverse(bytes, a);
    reverse(bytes + a, b);
    reverse(bytes, a + b);
}

/* ---------------------------------------------------------------------------------------------------------------
 * Heads.
 */
enum status http_response_can_begin(const struct http_connection *conn)
{
    if (conn->closed || !conn->request_active || conn->failed || conn->response != HTTP_RESPONSE_NONE)
        return STATUS_INVALID_ARGUMENT;
    return STATUS_OK;
}

/* A field name (a token) and value (no line breaks, no NUL) that cannot break the head's framing. */
static bool header_field_is_safe(const char *name, const char *value)
{
    if (name[0] == '\0')
        return false;
    for (const unsigned char *c = (const unsigned char *)name; *c != '\0'; c++)
        if (*c <= 0x20 || *c >= 0x7F || *c == ':' || strchr("\"(),/;<=>?@[\\]{}", *c) != NULL)
            return false;
    for (const unsigned char *c = (const unsigned char *)value; *c != '\0'; c++)
        if ((*c < 0x20 && *c != '\t') || *c == 0x7F)
            return false;
    return true;
}

enum status http_response_header(struct http_connection *conn, const char *name, const char *value)
{
    enum status status = http_response_can_begin(conn);
    if (status != STATUS_OK)
        return status;
    if (!header_field_is_safe(name, value))
        return STATUS_INVALID_ARGUMENT;
    size_t name_len = strlen(name), value_len = strlen(value);
    size_t len = name_len + 2 + value_len + 2;
    if (len > http_output_room(conn))
        return STATUS_OUTPUT_FULL;
    http_output_append(conn, name, name_len);
    http_output_append(conn, ": ", 2);
    http_output_append(conn, value, value_len);
    http_output_append(conn, "\r\n", 2);
    conn->staged_len = (uint16_t)(conn->staged_len + len);
    if (http_equal_ignoring_case(name, name_len, "cache-control"))
        conn->has_cache_control = true;
    return STATUS_OK;
}

void http_response_drop_staged(struct http_connection *conn)
{
    conn->out_end = (uint16_t)(conn->out_end - conn->staged_len);
    conn->staged_len = 0;
    conn->has_cache_control = false;
}

enum status http_response_write_head(struct http_connection *conn, int status, const char *content_type,
                                     enum http_body_source source, uint32_t length, bool known_length,
                                     size_t extra_room)
{
    const struct http_request *req = &conn->request;
    (void)http_output_room(conn); /* compacts */
    size_t staged_at = (size_t)(conn->out_end - conn->staged_len);
    struct writer w = {conn->out, conn->out_end, sizeof conn->out, false};

    put(&w, "HTTP/1.1 ");
    put_decimal(&w, (unsigned long)status);
    put(&w, " ");
    put(&w, http_status_reason(status));
    put(&w, "\r\n");
    if (content_type != NULL) {
        put(&w, "Content-Type: ");
        put(&w, content_type);
        put(&w, "\r\n");
    }
    bool no_body = status < 200 || status == 204 || status == 304;
    bool chunked = false, delimited_by_close = false;
    if (!no_body) {
        if (known_length) {
            put(&w, "Content-Length: ");
            put_decimal(&w, (unsigned long)length);
            put(&w, "\r\n");
        } else if (req->version_minor >= 1) {
            put(&w, "Transfer-Encoding: chunked\r\n");
            chunked = true;
        } else {
            delimited_by_close = true; /* HTTP/1.0 has no chunks: the body ends with the connection */
        }
    }
    /* A whole response written while the request's body is still arriving leaves that body unread: close. */
    bool keep = conn->request_active && req->keep_alive && !conn->close_after && !delimited_by_close &&
                !(source == HTTP_SOURCE_FIXED && conn->input == HTTP_INPUT_BODY);
    put(&w, keep ? "Connection: keep-alive\r\n" : "Connection: close\r\n");
    if (!conn->has_cache_control)
        put(&w, source == HTTP_SOURCE_SSE ? "Cache-Control: no-cache\r\n" : "Cache-Control: no-store\r\n");
    if (conn->config->response_fields != NULL)
        put(&w, conn->config->response_fields);
    if (w.overflow || w.used + 2 + extra_room > w.capacity)
        return STATUS_OUTPUT_FULL;

    size_t head_len = w.used - conn->out_end;
    rotate(conn->out + staged_at, conn->staged_len, head_len);
    conn->out_end = (uint16_t)w.used;
    conn->staged_len = 0;
    conn->has_cache_control = false;
    http_output_append(conn, "\r\n", 2);
    conn->chunked_output = chunked;
    conn->source = source;
    conn->response = HTTP_RESPONSE_OPEN;
    if (!keep)
        conn->close_after = true;
    return STATUS_OK;
}

void http_response_continue(struct http_connection *conn)
{
    static const char interim[] = "HTTP/1.1 100 Continue\r\n\r\n";
    size_t len = sizeof interim - 1;
    if (http_output_room(conn) < len)
        return; /* the client sends the body anyway after waiting a moment */
    size_t staged_at = (size_t)(conn->out_end - conn->staged_len);
    memmove(conn->out + staged_at + len, conn->out + staged_at, conn->staged_len);
    memcpy(conn->out + staged_at, interim, len);
    conn->out_end = (uint16_t)(conn->out_end + len);
}

/* ---------------------------------------------------------------------------------------------------------------
 * Whole responses.
 */
enum status http_respond(struct http_connection *conn, int status, const char *content_type, const void *body,
                         size_t len)
{
    enum status result = http_response_can_begin(conn);
    if (result != STATUS_OK)
        return result;
    bool no_body = status == 204 || status == 304;
    if (status < 200 || status > 599 || (len > 0 && body == NULL) || len >= HTTP_LENGTH_UNKNOWN || (no_body && len))
        return STATUS_INVALID_ARGUMENT;
    size_t sent = conn->suppress_body ? 0 : len;
    result = http_response_write_head(conn, status, content_type, HTTP_SOURCE_FIXED, (uint32_t)len, true, sent);
    if (result != STATUS_OK)
        return result;
    if (sent > 0)
        http_output_append(conn, body, sent);
    conn->response = HTTP_RESPONSE_COMPLETE;
    return STATUS_OK;
}

enum status http_respond_json(struct http_connection *conn, int status, const char *json)
{
    if (json == NULL)
        return STATUS_INVALID_ARGUMENT;
    return http_respond(conn, status, "application/json", json, strlen(json));
}

enum status http_response_error_text(struct http_connection *conn, int status, const char *error, const char *detail)
{
    static const char open[] = "{\"error\":\"", middle[] = "\",\"detail\":\"", close[] = "\"}\n";
    size_t body_len = sizeof open - 1 + json_escaped_length(error) + sizeof middle - 1 + json_escaped_length(detail) +
                      sizeof close - 1;
    size_t sent = conn->suppress_body ? 0 : body_len;
    enum status result =
        http_response_write_head(conn, status, "application/json", HTTP_SOURCE_FIXED, (uint32_t)body_len, true, sent);
    if (result != STATUS_OK)
        return result;
    if (sent > 0) {
        struct writer w = {conn->out, conn->out_end, sizeof conn->out, false};
        put(&w, open);
        put_json_escaped(&w, error);
        put(&w, middle);
        put_json_escaped(&w, detail);
        put(&w, close);
        conn->out_end = (uint16_t)w.used; /* the room was checked with the head */
    }
    conn->response = HTTP_RESPONSE_COMPLETE;
    return STATUS_OK;
}

enum status http_respond_error(struct http_connection *conn, int status, const char *error, const char *detail_format,
                               ...)
{
    enum status result = http_response_can_begin(conn);
    if (result != STATUS_OK)
        return result;
    if (status < 200 || status > 599 || status == 204 || status == 304 || error == NULL)
        return STATUS_INVALID_ARGUMENT;
    char detail[HTTP_DETAIL_MAX];
    va_list args;
    va_start(args, detail_format);
    (void)vsnprintf(detail, sizeof detail, detail_format, args);
    va_end(args);
    return http_response_error_text(conn, status, error, detail);
}

void http_respond_later(struct http_connection *conn)
{
    if (conn->request_active)
        conn->deferred = true;
}

/* ---------------------------------------------------------------------------------------------------------------
 * Chunks.
 */
size_t http_response_chunk_capacity(size_t room)
{
    /* size line + payload + CRLF, then the reserve for the last chunk */
    const size_t framing = 2 + 2 + HTTP_LAST_CHUNK_LEN;
    if (room <= framing + 1)
        return 0;
    size_t payload = room - framing - 1;
    while (payload > 0 && hex_width(payload) + framing + payload > room)
        payload--;
    return payload;
}

size_t http_response_chunk_framing(size_t payload)
{
    return hex_width(payload) + 2 + 2;
}

void http_response_chunk_begin(struct http_connection *conn, size_t payload)
{
    char size[2 * sizeof(size_t) + 2];
    size_t width = format_hex(size, payload);
    size[width] = '\r';
    size[width + 1] = '\n';
    http_output_append(conn, size, width + 2);
}

void http_response_chunk_end(struct http_connection *conn)
{
    http_output_append(conn, "\r\n", 2);
}

static void write_chunk(struct http_connection *conn, const void *data, size_t len)
{
    http_response_chunk_begin(conn, len);
    http_output_append(conn, data, len);
    http_response_chunk_end(conn);
}

enum status http_begin_chunked(struct http_connection *conn, int status, const char *content_type)
{
    enum status result = http_response_can_begin(conn);
    if (result != STATUS_OK)
        return result;
    if (status < 200 || status > 599 || status == 204 || status == 304)
        return STATUS_INVALID_ARGUMENT;
    return http_response_write_head(conn, status, content_type, HTTP_SOURCE_PUSH, 0, false, HTTP_LAST_CHUNK_LEN);
}

size_t http_write_chunk(struct http_connection *conn, const void *data, size_t len)
{
    if (conn->closed || conn->response != HTTP_RESPONSE_OPEN || conn->source != HTTP_SOURCE_PUSH || len == 0 ||
        data == NULL)
        return 0;
    if (conn->suppress_body)
        return len;
    size_t room = http_output_room(conn);
    if (!conn->chunked_output) {
        size_t taken = len < room ? len : room;
        http_output_append(conn, data, taken);
        return taken;
    }
    size_t taken = http_response_chunk_capacity(room);
    if (taken > len)
        taken = len;
    if (taken > 0)
        write_chunk(conn, data, taken);
    return taken;
}

enum status http_end_chunked(struct http_connection *conn)
{
    if (conn->closed || conn->response != HTTP_RESPONSE_OPEN || conn->source != HTTP_SOURCE_PUSH)
        return STATUS_INVALID_ARGUMENT;
    if (conn->chunked_output && !conn->suppress_body) {
        (void)http_output_room(conn);
        http_output_append(conn, HTTP_LAST_CHUNK, HTTP_LAST_CHUNK_LEN);
    }
    conn->response = HTTP_RESPONSE_COMPLETE;
    return STATUS_OK;
}

/* ---------------------------------------------------------------------------------------------------------------
 * Pulled bodies.
 */
enum status http_respond_stream(struct http_connection *conn, int status, const char *content_type, uint32_t length,
                                http_pull_fn pull, void *pull_ctx)
{
    enum status result = http_response_can_begin(conn);
    if (result != STATUS_OK)
        return result;
    if (status < 200 || status > 599 || status == 204 || status == 304 || pull == NULL)
        return STATUS_INVALID_ARGUMENT;
    bool known = length != HTTP_LENGTH_UNKNOWN;
    result = http_response_write_head(conn, status, content_type, HTTP_SOURCE_PULL, length, known,
                                      known ? 0 : HTTP_LAST_CHUNK_LEN);
    if (result != STATUS_OK)
        return result;
    conn->pull = pull;
    conn->pull_ctx = pull_ctx;
    conn->stream_remaining = length;
    if (conn->suppress_body || length == 0)
        conn->response = HTTP_RESPONSE_COMPLETE;
    return STATUS_OK;
}

/* One pull into the free space; false when nothing more can be pulled now. */
static bool pull_once(struct http_connection *conn)
{
    size_t room = http_output_room(conn);
    uint8_t *end = conn->out + conn->out_end;
    int32_t got;
    if (conn->chunked_output) {
        size_t capacity = http_response_chunk_capacity(room);
        if (capacity == 0)
            return false;
        size_t width = hex_width(capacity);
        got = conn->pull(conn->pull_ctx, end + width + 2, capacity);
        if (got > 0 && (size_t)got <= capacity) {
            char size[2 * sizeof(size_t)];
            size_t used_width = format_hex(size, (size_t)got);
            if (used_width != width)
                memmove(end + used_width + 2, end + width + 2, (size_t)got);
            memcpy(end, size, used_width);
            end[used_width] = '\r';
            end[used_width + 1] = '\n';
            conn->out_end = (uint16_t)(conn->out_end + used_width + 2 + (size_t)got);
            http_output_append(conn, "\r\n", 2);
            return true;
        }
        if (got == HTTP_PULL_END) {
            http_output_append(conn, HTTP_LAST_CHUNK, HTTP_LAST_CHUNK_LEN);
            conn->response = HTTP_RESPONSE_COMPLETE;
            return false;
        }
    } else {
        bool known = conn->stream_remaining != HTTP_LENGTH_UNKNOWN;
        size_t capacity = room;
        if (known && capacity > conn->stream_remaining)
            capacity = conn->stream_remaining;
        if (capacity == 0)
            return false;
        got = conn->pull(conn->pull_ctx, end, capacity);
        if (got > 0 && (size_t)got <= capacity) {
            conn->out_end = (uint16_t)(conn->out_end + (size_t)got);
            if (known) {
                conn->stream_remaining -= (uint32_t)got;
                if (conn->stream_remaining == 0) {
                    conn->response = HTTP_RESPONSE_COMPLETE;
                    return false;
                }
            }
            return true;
        }
        if (got == HTTP_PULL_END && !known) {
            conn->response = HTTP_RESPONSE_COMPLETE; /* HTTP/1.0: the close ends the body */
            return false;
        }
    }
    if (got == 0)
        return false;
    /* HTTP_PULL_FAILED, the end before the announced length, or more bytes than there was room for. */
    http_connection_fail(conn, 500, "internal-error", "the response body failed after it had begun");
    return false;
}

void http_response_fill(struct http_connection *conn)
{
    while (!conn->closed && conn->response == HTTP_RESPONSE_OPEN && conn->source == HTTP_SOURCE_PULL &&
           pull_once(conn)) {
    }
}
