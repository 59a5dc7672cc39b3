/*
 * test_api_common.c - what the API's handlers share (src/net/api_common.c) and can be checked without a service:
 * reading numbers from requests.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "net/api.h"

static void test_addresses_in_decimal_hex_and_octal_are_read(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        uint32_t value;
    } cases[] = {
        {"0x08000000", 0x08000000u}, {"134217728", 0x08000000u}, {"0", 0},
        {"0xFFFFFFFF", 0xFFFFFFFFu}, {"4294967295", 0xFFFFFFFFu}, {"010", 8},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint32_t value = 0;
        assert_true(api_parse_u32(cases[i].text, &value));
        assert_int_equal(value, cases[i].value);
    }
}

/* Where long has 32 bits (the ESP8266), strtoul() saturates these to 0xFFFFFFFF, a valid address. */
static void test_numbers_beyond_32_bits_are_refused(void **state)
{
    (void)state;
    static const char *const texts[] = {"0x100000000", "4294967296", "0x1FFFFFFFF", "99999999999999999999999"};
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        uint32_t value = 7;
        if (api_parse_u32(texts[i], &value))
            fail_msg("%s was read as 0x%08lX", texts[i], (unsigned long)value);
        assert_int_equal(value, 7);
    }
}

/* strtoul() takes "-1" for the largest unsigned long: 0xFFFFFFFF where long has 32 bits. */
static void test_negative_numbers_and_other_text_are_refused(void **state)
{
    (void)state;
    static const char *const texts[] = {"-1", "-0x1", "+1", " 1", "", "0x", "12ab", "0x0800 0000", "1e3"};
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        uint32_t value = 7;
        if (api_parse_u32(texts[i], &value))
            fail_msg("\"%s\" was read as 0x%08lX", texts[i], (unsigned long)value);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_addresses_in_decimal_hex_and_octal_are_read),
        cmocka_unit_test(test_numbers_beyond_32_bits_are_refused),
        cmocka_unit_test(test_negative_numbers_and_other_text_are_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
