/*
 * json_reader.c - one flat JSON object (json.h). A single forward pass over the bytes with an index that only
 * grows: no recursion, no reads past len, bounded output.
 */
#include "hex.h"
#include "json/json.h"

#include <string.h>

#define JSON_INTEGER_LIMIT 9007199254740991ll /* 2^53 - 1: what every JSON client reads exactly */

struct cursor {
    const char *text;
    size_t len;
    size_t at;
    struct json_object *object;
};

static bool fail(struct cursor *cursor, const char *why)
{
    cursor->object->error = why;
    cursor->object->error_offset = cursor->at;
    return false;
}

static void skip_space(struct cursor *cursor)
{
    while (cursor->at < cursor->len) {
        char c = cursor->text[cursor->at];
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
            break;
        cursor->at++;
    }
}

static bool peek(struct cursor *cursor, char *c)
{
    if (cursor->at >= cursor->len)
        return false;
    *c = cursor->text[cursor->at];
    return true;
}

/* Appends a code point as UTF-8. */
static bool put_code_point(char *out, size_t max, size_t *n, uint32_t cp)
{
    uint8_t bytes[4];
    size_t count;
    if (cp < 0x80) {
        bytes[0] = (uint8_t)cp;
        count = 1;
    } else if (cp < 0x800) {
        bytes[0] = (uint8_t)(0xC0 | (cp >> 6));
        bytes[1] = (uint8_t)(0x80 | (cp & 0x3F));
        count = 2;
    } else if (cp < 0x10000) {
        bytes[0] = (uint8_t)(0xE0 | (cp >> 12));
        bytes[1] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F));
        bytes[2] = (uint8_t)(0x80 | (cp & 0x3F));
        count = 3;
    } else {
        bytes[0] = (uint8_t)(0xF0 | (cp >> 18));
        bytes[1] = (uint8_t)(0x80 | ((cp >> 12) & 0x3F));
        bytes[2] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F));
        bytes[3] = (uint8_t)(0x80 | (cp & 0x3F));
        count = 4;
    }
    if (*n + count > max)
        return false;
    memcpy(out + *n, bytes, count);
    *n += count;
    return true;
}

static bool read_hex4(struct cursor *cursor, uint32_t *value)
{
    if (cursor->len - cursor->at < 4)
        return fail(cursor, "truncated \\u escape");
    *value = 0;
    for (int i = 0; i < 4; i++) {
        int digit = hex_digit_value((unsigned char)cursor->text[cursor->at++]);
        if (digit < 0)
            return fail(cursor, "bad \\u escape");
        *value = (*value << 4) | (uint32_t)digit;
    }
    return true;
}

/* A string at the cursor (its opening quote) into out[0..max], NUL-terminated. */
static bool read_string(struct cursor *cursor, char *out, size_t max)
{
    size_t n = 0;
    cursor->at++; /* the opening quote */
    for (;;) {
        if (cursor->at >= cursor->len)
            return fail(cursor, "unterminated string");
        unsigned char c = (unsigned char)cursor->text[cursor->at++];
        if (c == '"')
            break;
        if (c < 0x20)
            return fail(cursor, "control character in a string");
        if (c != '\\') {
            if (n >= max)
                return fail(cursor, "string too long");
            out[n++] = (char)c;
            continue;
        }
        if (cursor->at >= cursor->len)
            return fail(cursor, "unterminated string");
        char escape = cursor->text[cursor->at++];
        static const char escapes[] = "\"\\/bfnrt";
        static const char decoded[] = "\"\\/\b\f\n\r\t";
        const char *simple = escape != '\0' ? strchr(escapes, escape) : NULL;
        if (simple != NULL) {
            if (n >= max)
                return fail(cursor, "string too long");
            out[n++] = decoded[simple - escapes];
            continue;
        }
        if (escape != 'u')
            return fail(cursor, "bad escape in a string");
        uint32_t cp;
        if (!read_hex4(cursor, &cp))
            return false;
        if (cp >= 0xD800 && cp <= 0xDBFF) {
            uint32_t low;
            if (cursor->len - cursor->at < 2 || cursor->text[cursor->at] != '\\' ||
                cursor->text[cursor->at + 1] != 'u')
                return fail(cursor, "lone surrogate in a string");
            cursor->at += 2;
            if (!read_hex4(cursor, &low))
                return false;
            if (low < 0xDC00 || low > 0xDFFF)
                return fail(cursor, "lone surrogate in a string");
            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
        } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
            return fail(cursor, "lone surrogate in a string");
        }
        if (cp == 0)
            return fail(cursor, "NUL character in a string");
        if (!put_code_point(out, max, &n, cp))
            return fail(cursor, "string too long");
    }
    out[n] = '\0';
    return true;
}

static bool read_literal(struct cursor *cursor, const char *word)
{
    size_t len = strlen(word);
    if (cursor->len - cursor->at < len || memcmp(cursor->text + cursor->at, word, len) != 0)
        return fail(cursor, "unexpected character");
    cursor->at += len;
    return true;
}

/* -?(0|[1-9][0-9]*), within +-(2^53 - 1). */
static bool read_integer(struct cursor *cursor, int64_t *value)
{
    bool negative = false;
    if (cursor->text[cursor->at] == '-') {
        negative = true;
        cursor->at++;
    }
    size_t first = cursor->at;
    int64_t magnitude = 0;
    while (cursor->at < cursor->len && cursor->text[cursor->at] >= '0' && cursor->text[cursor->at] <= '9') {
        magnitude = magnitude * 10 + (cursor->text[cursor->at] - '0');
        if (magnitude > JSON_INTEGER_LIMIT)
            return fail(cursor, "number out of range");
        cursor->at++;
    }
    size_t digits = cursor->at - first;
    if (digits == 0)
        return fail(cursor, "bad number");
    if (digits > 1 && cursor->text[first] == '0')
        return fail(cursor, "leading zero in a number");
    char next;
    if (peek(cursor, &next) && (next == '.' || next == 'e' || next == 'E'))
        return fail(cursor, "only integers are accepted");
    *value = negative ? -magnitude : magnitude;
    return true;
}

static bool read_value(struct cursor *cursor, struct json_field *field)
{
    char c;
    if (!peek(cursor, &c))
        return fail(cursor, "value expected");
    switch (c) {
    case '"':
    {
        struct json_object *object = cursor->object;
        char *out = object->strings + object->strings_used;
        field->type = JSON_TYPE_STRING;
        field->string = out;
        /* Every string value shares the pool; the last byte of a full pool is left for a terminator. */
        if (JSON_STRINGS_MAX - object->strings_used < 1)
            return fail(cursor, "string values too long in all");
        if (!read_string(cursor, out, JSON_STRINGS_MAX - object->strings_used - 1))
            return false;
        object->strings_used += strlen(out) + 1;
        return true;
    }
    case 't':
    case 'f':
        field->type = JSON_TYPE_BOOL;
        field->boolean = c == 't';
        return read_literal(cursor, c == 't' ? "true" : "false");
    case 'n':
        field->type = JSON_TYPE_NULL;
        return read_literal(cursor, "null");
    case '{':
    case '[':
        return fail(cursor, "nested objects and arrays are not accepted");
    default:
        if (c == '-' || (c >= '0' && c <= '9')) {
            field->type = JSON_TYPE_INTEGER;
            return read_integer(cursor, &field->integer);
        }
        return fail(cursor, "unexpected character");
    }
}

bool json_parse_object(struct json_object *object, const char *text, size_t len)
{
    memset(object, 0, sizeof *object);
    struct cursor cursor = {.text = text, .len = len, .object = object};
    char c;
    skip_space(&cursor);
    if (!peek(&cursor, &c) || c != '{')
        return fail(&cursor, "a JSON object expected");
    cursor.at++;
    skip_space(&cursor);
    if (peek(&cursor, &c) && c == '}') {
        cursor.at++;
    } else {
        for (;;) {
            if (object->count >= JSON_MAX_FIELDS)
                return fail(&cursor, "too many fields");
            struct json_field *field = &object->fields[object->count];
            if (!peek(&cursor, &c) || c != '"')
                return fail(&cursor, "a key expected");
            if (!read_string(&cursor, field->key, JSON_KEY_MAX))
                return false;
            if (json_object_get(object, field->key) != NULL)
                return fail(&cursor, "duplicate key");
            skip_space(&cursor);
            if (!peek(&cursor, &c) || c != ':')
                return fail(&cursor, "':' expected");
            cursor.at++;
            skip_space(&cursor);
            if (!read_value(&cursor, field))
                return false;
            object->count++;
            skip_space(&cursor);
            if (!peek(&cursor, &c))
                return fail(&cursor, "unterminated object");
            cursor.at++;
            if (c == '}')
                break;
            if (c != ',')
                return fail(&cursor, "',' or '}' expected");
            skip_space(&cursor);
        }
    }
    skip_space(&cursor);
    if (cursor.at != len)
        return fail(&cursor, "text after the object");
    return true;
}

const struct json_field *json_object_get(const struct json_object *object, const char *key)
{
    for (unsigned i = 0; i < object->count; i++)
        if (strcmp(object->fields[i].key, key) == 0)
            return &object->fields[i];
    return NULL;
}
