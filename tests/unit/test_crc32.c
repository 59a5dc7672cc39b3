/*
 * test_crc32.c - the host's CRC-32 is zlib's: known vectors, and chaining.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "crc32.h"

static void test_known_vectors(void **state)
{
    (void)state;
    assert_int_equal(crc32_update(0, NULL, 0), 0);
    assert_int_equal(crc32_update(0, (const uint8_t *)"123456789", 9), 0xCBF43926u);
    assert_int_equal(crc32_update(0, (const uint8_t *)"The quick brown fox jumps over the lazy dog", 43), 0x414FA339u);
}

static void test_chaining_equals_one_pass(void **state)
{
    (void)state;
    uint8_t data[1000];
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (uint8_t)(i * 13 + 7);
    uint32_t whole = crc32_update(0, data, sizeof data);
    assert_int_equal(crc32_update(crc32_update(0, data, 333), data + 333, sizeof data - 333), whole);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_known_vectors),
        cmocka_unit_test(test_chaining_equals_one_pass),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
