/*
 * http_client_response.c - the client's reading of an answer (http_client.h): the head, then the body by
 * Content-Length, chunked, or to the close.
 *
 * Every length the server sends is compared with the bytes that remain (remaining = len - at), never added to a
 * position first: a length near SIZE_MAX must not wrap a bound. Lengths are read digit by digit and refused as soon
 * as they pass HTTP_CLIENT_BODY_MAX, so no number from the network ever exceeds it.
 */
#include "http_client.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* The limits in words, for the sentences. */
#define BODY_MAX_TEXT "16 MiB"
#define HEAD_MAX_TEXT "8192 bytes"
_Static_assert(HTTP_CLIENT_BODY_MAX == 16u * 1024u * 1024u && HTTP_CLIENT_HEAD_MAX == 8192u,
               "BODY_MAX_TEXT and HEAD_MAX_TEXT say the limits");

/* What the head of an answer says. */
struct answer_head {
    size_t len; /* the head's bytes, up to and including the blank line */
    int status;
    bool chunked;
    bool has_length;
    size_t content_length;
    char content_type[sizeof ((struct http_client_response *)0)->content_type];
};

static bool refuse(char *error, size_t error_size, const char *format, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

static bool refuse(char *error, size_t error_size, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    (void)vsnprintf(error, error_size, format, args);
    va_end(args);
    return false;
}

/* The offset just past the blank line that ends the head within raw[0..len), or 0 when it has not arrived. */
static size_t head_end(const uint8_t *raw, size_t len)
{
    for (size_t i = 3; i < len; i++)
        if (raw[i] == '\n' && raw[i - 1] == '\r' && raw[i - 2] == '\n' && raw[i - 3] == '\r')
            return i + 1;
    return 0;
}

/* A decimal length of at most HTTP_CLIENT_BODY_MAX, digits only. */
static bool parse_length(const char *text, size_t len, size_t *value)
{
    if (len == 0)
        return false;
    size_t parsed = 0;
    for (size_t i = 0; i < len; i++) {
        if (text[i] < '0' || text[i] > '9')
            return false;
        parsed = parsed * 10 + (size_t)(text[i] - '0');
        if (parsed > HTTP_CLIENT_BODY_MAX)
            return false;
    }
    *value = parsed;
    return true;
}

static bool name_is(const char *name, size_t name_len, const char *wanted)
{
    return name_len == strlen(wanted) && strncasecmp(name, wanted, name_len) == 0;
}

/* One "Name: value" line of the head (without its line end). */
static bool take_field(struct answer_head *head, const char *line, size_t len, char *error, size_t error_size)
{
    const char *colon = memchr(line, ':', len);
    if (colon == NULL || colon == line)
        return refuse(error, error_size, "a header line of the answer is not \"Name: value\"");
    size_t name_len = (size_t)(colon - line);
    const char *value = colon + 1;
    size_t value_len = len - name_len - 1;
    while (value_len > 0 && (*value == ' ' || *value == '\t')) {
        value++;
        value_len--;
    }
    while (value_len > 0 && (value[value_len - 1] == ' ' || value[value_len - 1] == '\t'))
        value_len--;
    if (name_is(line, name_len, "Content-Length")) {
        size_t length;
        if (!parse_length(value, value_len, &length))
            return refuse(error, error_size,
                          "the answer's Content-Length is not a length of at most " BODY_MAX_TEXT
                          " (the largest answer this client takes)");
        if (head->has_length && length != head->content_length)
            return refuse(error, error_size, "the answer gives two different Content-Length values");
        head->has_length = true;
        head->content_length = length;
    } else if (name_is(line, name_len, "Transfer-Encoding")) {
        if (value_len != 7 || strncasecmp(value, "chunked", 7) != 0)
            return refuse(error, error_size,
                          "the answer uses a transfer coding this client does not read (only chunked)");
        head->chunked = true;
    } else if (name_is(line, name_len, "Content-Type")) {
        size_t keep = value_len < sizeof head->content_type - 1 ? value_len : sizeof head->content_type - 1;
        memcpy(head->content_type, value, keep);
        head->content_type[keep] = '\0';
    }
    return true;
}

/* The head in raw[0..len): 1 when complete and well formed (head filled), 0 when more bytes are needed, -1 when it
 * is refused (error says why). */
static int parse_head(const uint8_t *raw, size_t len, struct answer_head *head, char *error, size_t error_size)
{
    memset(head, 0, sizeof *head);
    static const char version[] = "HTTP/1.";
    size_t prefix = len < sizeof version - 1 ? len : sizeof version - 1;
    const char *refusal = NULL;
    size_t end = head_end(raw, len < HTTP_CLIENT_HEAD_MAX ? len : HTTP_CLIENT_HEAD_MAX);
    const char *text = (const char *)raw;
    if (memcmp(raw, version, prefix) != 0)
        refusal = "not an HTTP answer";
    else if (end == 0 && len >= HTTP_CLIENT_HEAD_MAX)
        refusal = "the answer's header runs past " HEAD_MAX_TEXT " without ending";
    else if (end == 0)
        return 0;
    else if (memchr(raw, '\0', end) != NULL)
        refusal = "the answer's header holds a NUL byte";
    /* "HTTP/1.x NNN" then a space or the line's end. */
    else if (end < 14 || !isdigit((unsigned char)text[7]) || text[8] != ' ' || !isdigit((unsigned char)text[9]) ||
             !isdigit((unsigned char)text[10]) || !isdigit((unsigned char)text[11]) ||
             (text[12] != ' ' && text[12] != '\r'))
        refusal = "the answer's status line is not \"HTTP/1.x NNN reason\"";
    if (refusal != NULL) {
        (void)refuse(error, error_size, "%s", refusal);
        return -1;
    }
    head->status = (text[9] - '0') * 100 + (text[10] - '0') * 10 + (text[11] - '0');
    head->len = end;
    const char *line = memchr(text, '\n', end);
    for (line++; line < text + end - 2;) { /* the last line is the empty one */
        const char *line_end = memchr(line, '\n', (size_t)(text + end - line));
        size_t line_len = (size_t)(line_end - line);
        if (line_len > 0 && line[line_len - 1] == '\r')
            line_len--;
        if (!take_field(head, line, line_len, error, error_size))
            return -1;
        line = line_end + 1;
    }
    return 1;
}

bool http_client_answer_check(const uint8_t *raw, size_t len, bool *head_complete, char *error, size_t error_size)
{
    struct answer_head head;
    int parsed = parse_head(raw, len, &head, error, error_size);
    *head_complete = parsed == 1;
    return parsed >= 0;
}

/* A chunked body from raw[at..len) into out (room for len - at bytes); its decoded length in *out_len. */
static bool decode_chunked(const uint8_t *raw, size_t len, size_t at, uint8_t *out, size_t *out_len, char *error,
                           size_t error_size)
{
    size_t total = 0;
    for (;;) {
        size_t size = 0, digits = 0;
        for (; at < len && isxdigit(raw[at]); at++, digits++) {
            size = size * 16 + (size_t)(isdigit(raw[at]) ? raw[at] - '0' : (tolower(raw[at]) - 'a' + 10));
            if (size > HTTP_CLIENT_BODY_MAX)
                return refuse(error, error_size, "the answer announces a chunk of more than " BODY_MAX_TEXT);
        }
        if (digits == 0)
            return refuse(error, error_size, "the answer's chunked body is broken (a chunk size is not a number)");
        /* Chunk extensions, up to the line's end: skipped. */
        const uint8_t *line_end = memchr(raw + at, '\n', len - at);
        if (line_end == NULL)
            return refuse(error, error_size, "the answer was cut short inside its chunked body");
        at = (size_t)(line_end - raw) + 1;
        if (size == 0)
            break; /* trailer fields, if any, are not read */
        if (size > HTTP_CLIENT_BODY_MAX - total)
            return refuse(error, error_size, "the answer's body is larger than " BODY_MAX_TEXT);
        if (size > len - at)
            return refuse(error, error_size, "the answer was cut short: a chunk of %zu bytes has %zu", size, len - at);
        memcpy(out + total, raw + at, size);
        total += size;
        at += size;
        if (len - at < 2)
            return refuse(error, error_size, "the answer was cut short inside its chunked body");
        if (raw[at] != '\r' || raw[at + 1] != '\n')
            return refuse(error, error_size, "the answer's chunked body is broken (no line end after a chunk)");
        at += 2;
    }
    *out_len = total;
    return true;
}

void http_client_response_free(struct http_client_response *response)
{
    free(response->body);
    response->body = NULL;
    response->body_len = 0;
}

bool http_client_parse_response(const uint8_t *raw, size_t len, struct http_client_response *response, char *error,
                                size_t error_size)
{
    memset(response, 0, sizeof *response);
    struct answer_head head;
    int parsed = parse_head(raw, len, &head, error, error_size);
    if (parsed < 0)
        return false;
    if (parsed == 0)
        return refuse(error, error_size, len == 0 ? "the device closed the connection without an answer"
                                                  : "the answer was cut short inside its header");
    size_t available = len - head.len;
    size_t body_len = 0;
    uint8_t *body = malloc(available + 1); /* a decoded body is never longer than its bytes on the wire */
    if (body == NULL)
        return refuse(error, error_size, "out of memory for the answer");
    bool ok = true;
    if (head.chunked) {
        ok = decode_chunked(raw, len, head.len, body, &body_len, error, error_size);
    } else if (head.has_length) {
        if (head.content_length > available)
            ok = refuse(error, error_size, "the answer was cut short: %zu of its %zu bytes arrived", available,
                        head.content_length);
        body_len = head.content_length;
    } else if (available > HTTP_CLIENT_BODY_MAX) {
        ok = refuse(error, error_size, "the answer's body is larger than " BODY_MAX_TEXT);
    } else {
        body_len = available; /* to the close */
    }
    if (!ok) {
        free(body);
        return false;
    }
    if (!head.chunked)
        memcpy(body, raw + head.len, body_len);
    body[body_len] = '\0';
    response->status = head.status;
    memcpy(response->content_type, head.content_type, sizeof response->content_type);
    response->body = (char *)body;
    response->body_len = body_len;
    return true;
}
