/*
 * json_writer.c - JSON text into a fixed buffer (json.h).
 */
#include "json/json.h"

#include <stdio.h>
#include <string.h>

#include "decimal.h"

void json_writer_init(struct json_writer *writer, char *buf, size_t size)
{
    memset(writer, 0, sizeof *writer);
    writer->buf = buf;
    writer->size = size;
    if (size > 0)
        buf[0] = '\0';
    else
        writer->overflow = true;
}

/* Keeps one byte for the terminator. */
static void put(struct json_writer *writer, const char *bytes, size_t len)
{
    if (writer->overflow || len >= writer->size - writer->len) {
        writer->overflow = true;
        return;
    }
    memcpy(writer->buf + writer->len, bytes, len);
    writer->len += len;
    writer->buf[writer->len] = '\0';
}

/* Before a value or a key: the comma that separates it from the previous member. */
static void separate(struct json_writer *writer)
{
    if (writer->after_key) {
        writer->after_key = false;
        return;
    }
    if (writer->depth == 0)
        return;
    if (writer->has_items[writer->depth - 1])
        put(writer, ",", 1);
    writer->has_items[writer->depth - 1] = true;
}

static void open_container(struct json_writer *writer, char bracket)
{
    separate(writer);
    if (writer->depth >= JSON_WRITER_MAX_DEPTH) {
        writer->overflow = true;
        return;
    }
    put(writer, &bracket, 1);
    writer->has_items[writer->depth++] = false;
}

static void close_container(struct json_writer *writer, char bracket)
{
    if (writer->depth == 0) {
        writer->overflow = true;
        return;
    }
    writer->depth--;
    put(writer, &bracket, 1);
}

void json_object_begin(struct json_writer *writer) { open_container(writer, '{'); }
void json_object_end(struct json_writer *writer) { close_container(writer, '}'); }
void json_array_begin(struct json_writer *writer) { open_container(writer, '['); }
void json_array_end(struct json_writer *writer) { close_container(writer, ']'); }

static void put_escaped(struct json_writer *writer, const char *text)
{
    put(writer, "\"", 1);
    for (const unsigned char *c = (const unsigned char *)text; *c; c++) {
        char escape[8];
        if (*c == '"' || *c == '\\') {
            escape[0] = '\\';
            escape[1] = (char)*c;
            put(writer, escape, 2);
        } else if (*c < 0x20 || *c == 0x7F) {
            snprintf(escape, sizeof escape, "\\u%04x", *c);
            put(writer, escape, 6);
        } else {
            put(writer, (const char *)c, 1);
        }
    }
    put(writer, "\"", 1);
}

void json_key(struct json_writer *writer, const char *key)
{
    separate(writer);
    put_escaped(writer, key);
    put(writer, ":", 1);
    writer->after_key = true;
}

void json_string(struct json_writer *writer, const char *text)
{
    separate(writer);
    put_escaped(writer, text ? text : "");
}

void json_uint(struct json_writer *writer, uint64_t value)
{
    char digits[DECIMAL_MAX];
    separate(writer);
    put(writer, digits, decimal_u64(value, digits));
}

void json_int(struct json_writer *writer, int64_t value)
{
    char digits[DECIMAL_MAX];
    separate(writer);
    put(writer, digits, decimal_i64(value, digits));
}

void json_bool(struct json_writer *writer, bool value)
{
    separate(writer);
    put(writer, value ? "true" : "false", value ? 4 : 5);
}

void json_null(struct json_writer *writer)
{
    separate(writer);
    put(writer, "null", 4);
}

const char *json_writer_finish(struct json_writer *writer)
{
    return writer->overflow || writer->depth != 0 ? NULL : writer->buf;
}
