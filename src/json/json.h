/*
 * json.h - the little JSON the REST API needs, in caller-owned memory and without recursion.
 *
 * The writer appends to a fixed buffer and remembers whether it overflowed (the output is then unusable, never
 * cut in the middle of an escape silently). Strings are escaped per RFC 8259: quote, backslash and every control
 * character.
 *
 * The reader takes exactly one flat object whose values are strings, integers, booleans or null ({"action":"flash",
 * "image":12}); nested objects, arrays, fractions and exponents are refused. It is strict (no trailing commas, no
 * duplicate keys, nothing after the closing brace but whitespace) and bounded: at most JSON_MAX_FIELDS fields, keys
 * and string values of fixed length. It never reads past len, so it is safe on bytes from the network.
 */
#ifndef AIRSWD_JSON_H
#define AIRSWD_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- writer ---- */

#define JSON_WRITER_MAX_DEPTH 8

struct json_writer {
    char *buf;
    size_t size;
    size_t len;
    bool overflow;
    uint8_t depth;
    bool after_key;                       /* a key was written: the next value needs no comma */
    bool has_items[JSON_WRITER_MAX_DEPTH]; /* per open container: a member was written (a comma goes first) */
};

void json_writer_init(struct json_writer *writer, char *buf, size_t size);
void json_object_begin(struct json_writer *writer);
void json_object_end(struct json_writer *writer);
void json_array_begin(struct json_writer *writer);
void json_array_end(struct json_writer *writer);
/* A member's key, inside an object; its value follows. */
void json_key(struct json_writer *writer, const char *key);
void json_string(struct json_writer *writer, const char *text);
void json_uint(struct json_writer *writer, uint64_t value);
void json_int(struct json_writer *writer, int64_t value);
void json_bool(struct json_writer *writer, bool value);
void json_null(struct json_writer *writer);
/* The NUL-terminated text, or NULL when it did not fit (or a container is still open). */
const char *json_writer_finish(struct json_writer *writer);

/* ---- reader ---- */

#define JSON_MAX_FIELDS 12
#define JSON_KEY_MAX 31
/* The string values of one object, unescaped, each with its NUL, share this many bytes (a pool: a setup request's
 * one long PEM key fits as well as many short names). */
#define JSON_STRINGS_MAX 400

enum json_type { JSON_TYPE_STRING, JSON_TYPE_INTEGER, JSON_TYPE_BOOL, JSON_TYPE_NULL };

struct json_field {
    char key[JSON_KEY_MAX + 1];
    enum json_type type;
    const char *string; /* JSON_TYPE_STRING: UTF-8, NUL-terminated (a \u0000 is refused), in the object's pool */
    int64_t integer;                  /* JSON_TYPE_INTEGER, within +-(2^53 - 1) */
    bool boolean;                     /* JSON_TYPE_BOOL */
};

struct json_object {
    struct json_field fields[JSON_MAX_FIELDS];
    unsigned count;
    char strings[JSON_STRINGS_MAX]; /* the string values */
    size_t strings_used;
    /* Why the text was refused, and where (byte offset), for an error message. */
    const char *error;
    size_t error_offset;
};

/* Parses text[0..len); false (with object->error) when it is not one flat object as above. */
bool json_parse_object(struct json_object *object, const char *text, size_t len);

/* The field named key, or NULL. */
const struct json_field *json_object_get(const struct json_object *object, const char *key);

#endif /* AIRSWD_JSON_H */
