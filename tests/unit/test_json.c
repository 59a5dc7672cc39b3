/*
 * test_json.c - src/json: the writer escapes and separates correctly and reports overflow; the reader takes exactly
 * one flat object and refuses everything else without reading past the bytes it was given.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "json/json.h"

static void test_writer_nests_and_separates(void **state)
{
    (void)state;
    char buf[128];
    struct json_writer writer;
    json_writer_init(&writer, buf, sizeof buf);
    json_object_begin(&writer);
    json_key(&writer, "id");
    json_uint(&writer, 12);
    json_key(&writer, "list");
    json_array_begin(&writer);
    json_int(&writer, -1);
    json_bool(&writer, true);
    json_null(&writer);
    json_object_begin(&writer);
    json_object_end(&writer);
    json_array_end(&writer);
    json_key(&writer, "name");
    json_string(&writer, "a");
    json_object_end(&writer);
    assert_string_equal(json_writer_finish(&writer), "{\"id\":12,\"list\":[-1,true,null,{}],\"name\":\"a\"}");
}

static void test_writer_escapes_strings(void **state)
{
    (void)state;
    char buf[128];
    struct json_writer writer;
    json_writer_init(&writer, buf, sizeof buf);
    json_string(&writer, "q\"b\\n\n\x01\x7f\xc3\xa9");
    assert_string_equal(json_writer_finish(&writer), "\"q\\\"b\\\\n\\u000a\\u0001\\u007f\xc3\xa9\"");
}

static void test_writer_reports_overflow(void **state)
{
    (void)state;
    char buf[8];
    struct json_writer writer;
    json_writer_init(&writer, buf, sizeof buf);
    json_string(&writer, "too long for it");
    assert_null(json_writer_finish(&writer));
    assert_true(strlen(buf) < sizeof buf);

    json_writer_init(&writer, buf, sizeof buf);
    json_object_begin(&writer);
    assert_null(json_writer_finish(&writer)); /* still open */
}

static void test_reader_takes_a_flat_object(void **state)
{
    (void)state;
    struct json_object object;
    const char *text = " {\"action\" : \"flash\", \"image\":12,\"verify\":true,\"reset\":false,\"x\":null,\"n\":-7}\n";
    assert_true(json_parse_object(&object, text, strlen(text)));
    assert_int_equal(object.count, 6);
    assert_string_equal(json_object_get(&object, "action")->string, "flash");
    assert_int_equal(json_object_get(&object, "image")->integer, 12);
    assert_int_equal(json_object_get(&object, "image")->type, JSON_TYPE_INTEGER);
    assert_true(json_object_get(&object, "verify")->boolean);
    assert_false(json_object_get(&object, "reset")->boolean);
    assert_int_equal(json_object_get(&object, "x")->type, JSON_TYPE_NULL);
    assert_int_equal(json_object_get(&object, "n")->integer, -7);
    assert_null(json_object_get(&object, "missing"));

    assert_true(json_parse_object(&object, "{}", 2));
    assert_int_equal(object.count, 0);
}

static void test_reader_decodes_escapes(void **state)
{
    (void)state;
    struct json_object object;
    const char *text = "{\"s\":\"a\\\"b\\\\c\\/\\n\\u00e9\\u20ac\\ud83d\\ude00\"}";
    assert_true(json_parse_object(&object, text, strlen(text)));
    assert_string_equal(object.fields[0].string, "a\"b\\c/\n\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80");
}

static void test_reader_refuses_what_is_not_a_flat_object(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "",
        "[]",
        "{",
        "{\"a\":1,}",
        "{\"a\":1 \"b\":2}",
        "{\"a\"}",
        "{\"a\":}",
        "{a:1}",
        "{\"a\":1}x",
        "{\"a\":1}{}",
        "{\"a\":{\"b\":1}}",
        "{\"a\":[1]}",
        "{\"a\":1.5}",
        "{\"a\":1e3}",
        "{\"a\":01}",
        "{\"a\":-}",
        "{\"a\":9007199254740992}",
        "{\"a\":tru}",
        "{\"a\":\"x}",
        "{\"a\":\"\\x\"}",
        "{\"a\":\"\\u12\"}",
        "{\"a\":\"\\ud800\"}",
        "{\"a\":\"\\udc00\"}",
        "{\"a\":\"\\u0000\"}",
        "{\"a\":\"tab\there\"}",
        "{\"a\":1,\"a\":2}",
        "{'a':1}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct json_object object;
        if (json_parse_object(&object, bad[i], strlen(bad[i])))
            fail_msg("accepted: %s", bad[i]);
        assert_non_null(object.error);
    }
}

static void test_reader_bounds(void **state)
{
    (void)state;
    struct json_object object;
    char text[2048];
    /* A key one byte too long, strings one byte too long for the pool, one field too many. */
    snprintf(text, sizeof text, "{\"%0*d\":1}", JSON_KEY_MAX + 1, 0);
    assert_false(json_parse_object(&object, text, strlen(text)));
    snprintf(text, sizeof text, "{\"%0*d\":1}", JSON_KEY_MAX, 0);
    assert_true(json_parse_object(&object, text, strlen(text)));
    snprintf(text, sizeof text, "{\"s\":\"%0*d\"}", JSON_STRINGS_MAX, 0);
    assert_false(json_parse_object(&object, text, strlen(text)));
    snprintf(text, sizeof text, "{\"s\":\"%0*d\"}", JSON_STRINGS_MAX - 1, 0);
    assert_true(json_parse_object(&object, text, strlen(text)));
    assert_int_equal(strlen(object.fields[0].string), JSON_STRINGS_MAX - 1);
    snprintf(text, sizeof text, "{\"a\":\"%0*d\",\"b\":\"%0*d\"}", JSON_STRINGS_MAX / 2, 0, JSON_STRINGS_MAX / 2,
             0);
    assert_false(json_parse_object(&object, text, strlen(text)));
    snprintf(text, sizeof text, "{\"a\":\"%0*d\",\"b\":\"%0*d\"}", JSON_STRINGS_MAX / 2 - 1, 0,
             JSON_STRINGS_MAX / 2 - 1, 0);
    assert_true(json_parse_object(&object, text, strlen(text)));
    assert_int_equal(strlen(object.fields[1].string), JSON_STRINGS_MAX / 2 - 1);
    /* A pool filled to its last byte by the first string: the next string value is refused with a reason. */
    snprintf(text, sizeof text, "{\"a\":\"%0*d\",\"b\":\"\"}", JSON_STRINGS_MAX - 1, 0);
    assert_false(json_parse_object(&object, text, strlen(text)));
    assert_string_equal(object.error, "string values too long in all");
    size_t len = (size_t)snprintf(text, sizeof text, "{");
    for (int i = 0; i <= JSON_MAX_FIELDS; i++)
        len += (size_t)snprintf(text + len, sizeof text - len, "%s\"k%d\":%d", i ? "," : "", i, i);
    snprintf(text + len, sizeof text - len, "}");
    assert_false(json_parse_object(&object, text, strlen(text)));
}

/* Every prefix of a valid object is refused, read within its length (ASan checks the heap copy's bounds). */
static void test_reader_never_reads_past_len(void **state)
{
    (void)state;
    const char *text = "{\"action\":\"flash\",\"s\":\"\\ud83d\\ude00\",\"image\":12,\"verify\":true}";
    size_t len = strlen(text);
    for (size_t cut = 0; cut < len; cut++) {
        char *copy = malloc(cut ? cut : 1);
        memcpy(copy, text, cut);
        struct json_object object;
        assert_false(json_parse_object(&object, copy, cut));
        free(copy);
    }
    /* Random bytes: refused or accepted, never a crash. */
    static const char alphabet[] = "{}\":,\\u0123456789abcdefntrl-. \x80";
    srand(1);
    for (int round = 0; round < 20000; round++) {
        char bytes[48];
        size_t n = (size_t)(rand() % (int)sizeof bytes);
        for (size_t i = 0; i < n; i++)
            bytes[i] = alphabet[rand() % (int)(sizeof alphabet - 1)];
        char *copy = malloc(n ? n : 1);
        memcpy(copy, bytes, n);
        struct json_object object;
        json_parse_object(&object, copy, n);
        free(copy);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_writer_nests_and_separates),
        cmocka_unit_test(test_writer_escapes_strings),
        cmocka_unit_test(test_writer_reports_overflow),
        cmocka_unit_test(test_reader_takes_a_flat_object),
        cmocka_unit_test(test_reader_decodes_escapes),
        cmocka_unit_test(test_reader_refuses_what_is_not_a_flat_object),
        cmocka_unit_test(test_reader_bounds),
        cmocka_unit_test(test_reader_never_reads_past_len),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
