/*
 * fuzz_json.c - the JSON object reader of src/json on arbitrary bytes: it never reads outside them, and what it
 * accepts is what the API relies on (no more fields than the limit, NUL-terminated keys and strings that fit, no
 * duplicate keys), and written back by the writer it parses again to the same fields.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "json/json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct json_object object, again;
    if (!json_parse_object(&object, (const char *)data, size)) {
        if (object.error == NULL || object.error_offset > size)
            abort();
        return 0;
    }
    if (object.count > JSON_MAX_FIELDS)
        abort();
    static char text[(JSON_MAX_FIELDS * JSON_KEY_MAX + JSON_STRINGS_MAX) * 6 + 256];
    struct json_writer writer;
    json_writer_init(&writer, text, sizeof text);
    json_object_begin(&writer);
    for (unsigned i = 0; i < object.count; i++) {
        const struct json_field *field = &object.fields[i];
        if (strlen(field->key) > JSON_KEY_MAX)
            abort();
        /* A string value lies whole inside the object's pool. */
        if (field->type == JSON_TYPE_STRING &&
            (field->string < object.strings ||
             field->string + strlen(field->string) >= object.strings + JSON_STRINGS_MAX))
            abort();
        for (unsigned j = 0; j < i; j++)
            if (strcmp(object.fields[j].key, field->key) == 0)
                abort();
        json_key(&writer, field->key);
        switch (field->type) {
        case JSON_TYPE_STRING:
            json_string(&writer, field->string);
            break;
        case JSON_TYPE_INTEGER:
            json_int(&writer, field->integer);
            break;
        case JSON_TYPE_BOOL:
            json_bool(&writer, field->boolean);
            break;
        case JSON_TYPE_NULL:
            json_null(&writer);
            break;
        }
    }
    json_object_end(&writer);
    const char *written = json_writer_finish(&writer);
    if (written == NULL || !json_parse_object(&again, written, strlen(written)) || again.count != object.count)
        abort();
    for (unsigned i = 0; i < object.count; i++) {
        const struct json_field *a = &object.fields[i], *b = &again.fields[i];
        if (strcmp(a->key, b->key) != 0 || a->type != b->type ||
            (a->type == JSON_TYPE_STRING && strcmp(a->string, b->string) != 0) ||
            a->integer != b->integer || a->boolean != b->boolean)
            abort();
    }
    return 0;
}
