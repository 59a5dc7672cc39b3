/*
 * test_no_target.c - nothing at the end of the wire (SWDIO floating high): connecting and reading fail within a
 * second, in host time, with a message that names the likely cause.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "adi/adi_mem_ap.h"
#include "port_host.h"
#include "port_unwired.h"

static void test_attach_to_a_missing_target_fails_within_a_second(void **state)
{
    (void)state;
    struct port_unwired port;
    struct hal_system system;
    struct status_report report;
    struct swd swd;
    struct adi_dp dp;
    port_unwired_init(&port);
    port_host_system(&system);
    status_clear(&report);
    swd_init(&swd, &port.swd, &system, &report);

    uint64_t start_us = port_host_now_us(NULL);
    enum status status = adi_dp_attach(&dp, &swd);
    uint64_t elapsed_us = port_host_now_us(NULL) - start_us;

    char message[512];
    status_format(&report, message, sizeof message);
    printf("after %.3f s: %s\n", elapsed_us / 1e6, message);
    assert_int_equal(status, STATUS_NO_RESPONSE);
    assert_true(elapsed_us < 1000000);
    assert_non_null(strstr(message, "no answer to a DPIDR read"));
    assert_non_null(strstr(message, "check SWDIO/SWCLK wiring"));
    assert_non_null(strstr(message, "target power"));
    assert_true(port.cycles > 1000); /* it did try, repeatedly */
}

static void test_read_on_a_silent_line_is_no_response(void **state)
{
    (void)state;
    struct port_unwired port;
    struct hal_system system;
    struct swd swd;
    port_unwired_init(&port);
    port_host_system(&system);
    swd_init(&swd, &port.swd, &system, NULL);
    uint32_t value;
    assert_int_equal(swd_read(&swd, SWD_AP, 0xC, &value), STATUS_NO_RESPONSE);
    assert_int_equal(port.cycles, 13);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_attach_to_a_missing_target_fails_within_a_second),
        cmocka_unit_test(test_read_on_a_silent_line_is_no_response),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
