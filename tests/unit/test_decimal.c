/*
 * test_decimal.c - 64-bit numbers in decimal match what the host's printf writes, at the edges and in between.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "decimal.h"

static void check_u64(uint64_t value)
{
    char ours[DECIMAL_MAX], libc[32];
    size_t len = decimal_u64(value, ours);
    snprintf(libc, sizeof libc, "%llu", (unsigned long long)value);
    assert_string_equal(ours, libc);
    assert_int_equal(len, strlen(libc));
}

static void check_i64(int64_t value)
{
    char ours[DECIMAL_MAX], libc[32];
    size_t len = decimal_i64(value, ours);
    snprintf(libc, sizeof libc, "%lld", (long long)value);
    assert_string_equal(ours, libc);
    assert_int_equal(len, strlen(libc));
}

static void test_edges(void **state)
{
    (void)state;
    const uint64_t unsigned_values[] = {0, 1, 9, 10, 99, 100, 4294967295u, 4294967296u, 10000000000000000000u,
                                        UINT64_MAX};
    for (size_t i = 0; i < sizeof unsigned_values / sizeof unsigned_values[0]; i++)
        check_u64(unsigned_values[i]);
    const int64_t signed_values[] = {0, 1, -1, -9, -10, INT32_MIN, INT32_MAX, INT64_MAX, INT64_MIN, INT64_MIN + 1};
    for (size_t i = 0; i < sizeof signed_values / sizeof signed_values[0]; i++)
        check_i64(signed_values[i]);
}

static void test_spread_of_values(void **state)
{
    (void)state;
    uint64_t value = 1;
    for (unsigned i = 0; i < 10000; i++) {
        value = value * 6364136223846793005u + 1442695040888963407u;
        check_u64(value >> (i % 64));
        check_i64((int64_t)(value >> (i % 64)) * (i % 2 ? -1 : 1));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_edges),
        cmocka_unit_test(test_spread_of_values),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
