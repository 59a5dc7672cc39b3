/*
 * test_status.c - every status has words, and a report reads "<detail>: <message>".
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "status.h"

static void test_every_status_has_a_name_and_a_message(void **state)
{
    (void)state;
    for (int s = 0; s < STATUS_COUNT; s++) {
        assert_true(strlen(status_name((enum status)s)) > 0);
        assert_string_not_equal(status_name((enum status)s), "unknown");
        assert_true(strlen(status_message((enum status)s)) > 5);
    }
    assert_string_equal(status_name(STATUS_COUNT), "unknown");
}

static void test_report_joins_detail_and_message(void **state)
{
    (void)state;
    struct status_report report;
    status_clear(&report);
    assert_int_equal(status_fail(&report, STATUS_BUS_ERROR, "reading 0x%08X", 0x40000000u), STATUS_BUS_ERROR);
    char text[256];
    status_format(&report, text, sizeof text);
    assert_true(strncmp(text, "reading 0x40000000: memory access failed", 40) == 0);
}

static void test_detail_is_truncated_not_overflowed(void **state)
{
    (void)state;
    struct status_report report;
    char long_text[400];
    memset(long_text, 'x', sizeof long_text - 1);
    long_text[sizeof long_text - 1] = '\0';
    status_fail(&report, STATUS_TIMEOUT, "%s", long_text);
    assert_int_equal(strlen(report.detail), sizeof report.detail - 1);
    assert_int_equal(status_fail(NULL, STATUS_FAULT, "ignored"), STATUS_FAULT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_status_has_a_name_and_a_message),
        cmocka_unit_test(test_report_joins_detail_and_message),
        cmocka_unit_test(test_detail_is_truncated_not_overflowed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
