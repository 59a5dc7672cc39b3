/*
 * runner_check.c - tests that pass, fail, skip and break in every way the unit tests can, built twice: against
 * Debian's cmocka on the host and against tests/lx106/cmocka on the ESP8266's CPU. check_runner.sh runs both and
 * requires the same output on stdout and on stderr (pointers aside) and, on lx106, the number of failed tests as
 * the exit status, 16. cmocka 1.1.5 itself exits with status 255 after the last group: the blocks of its last two
 * tests are still allocated (its groups check for leaks too), so they come last.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

static int group_value = 7;
static int prestate_value = 5;

static int group_setup(void **state)
{
    *state = &group_value;
    return 0;
}

static int group_teardown(void **state)
{
    assert_int_equal(*(int *)*state, 7);
    print_message("group teardown\n");
    return 0;
}

static int setup_that_fails(void **state)
{
    (void)state;
    return -1;
}

static int teardown_that_prints(void **state)
{
    (void)state;
    print_message("teardown\n");
    return 0;
}

static int teardown_that_fails(void **state)
{
    (void)state;
    return 3;
}

static void sees_the_group_state(void **state)
{
    assert_int_equal(*(int *)*state, 7);
    print_message("message %d\n", 3);
}

static void int_equal_fails(void **state)
{
    (void)state;
    int minus_one = -1;
    assert_int_equal(minus_one, 0);
}

static void int_not_equal_fails(void **state)
{
    (void)state;
    assert_int_not_equal(3, 3);
}

static void string_equal_fails(void **state)
{
    (void)state;
    assert_string_equal("abc", "abd");
}

static void string_not_equal_fails(void **state)
{
    (void)state;
    assert_string_not_equal("x", "x");
}

static void true_fails(void **state)
{
    (void)state;
    int x = 0;
    assert_true(x == 1);
}

static void false_fails(void **state)
{
    (void)state;
    assert_false(2 > 1);
}

static void null_fails(void **state)
{
    (void)state;
    int v = 0;
    assert_null(&v);
}

static void non_null_fails(void **state)
{
    (void)state;
    int *p = NULL;
    assert_non_null(p);
}

static void in_range_fails(void **state)
{
    (void)state;
    assert_in_range(12, 0, 10);
}

static void memory_equal_fails(void **state)
{
    (void)state;
    char a[4] = "abc", b[4] = "xbd";
    assert_memory_equal(a, b, 4);
}

static void fail_msg_fails(void **state)
{
    (void)state;
    fail_msg("custom %s %d", "reason", 42);
}

static void plain_fail_fails(void **state)
{
    (void)state;
    fail();
}

static void skips(void **state)
{
    (void)state;
    skip();
}

static void never_runs(void **state)
{
    (void)state;
    print_message("never\n");
}

static void allocates_and_frees(void **state)
{
    (void)state;
    char *p = test_calloc(2, 10);
    assert_int_equal(p[19], 0);
    p = test_realloc(p, 30);
    p[29] = 1;
    test_free(p);
}

static void writes_past_a_block(void **state)
{
    (void)state;
    char *p = test_malloc(4);
    p[4] = 1;
    test_free(p);
}

static void passes_after_failures(void **state)
{
    (void)state;
    assert_int_equal(1, 1);
    assert_in_range(5, 0, 10);
    assert_memory_equal("ab", "ab", 2);
}

static void sees_its_prestate(void **state)
{
    assert_int_equal(*(int *)*state, 5);
    print_error("to stderr %u\n", 9u);
}

static void leaks(void **state)
{
    (void)state;
    void *p = test_malloc(10);
    (void)p;
}

int main(void)
{
    const struct CMUnitTest first[] = {
        cmocka_unit_test(sees_the_group_state),
        cmocka_unit_test(int_equal_fails),
        cmocka_unit_test(int_not_equal_fails),
        cmocka_unit_test(string_equal_fails),
        cmocka_unit_test(string_not_equal_fails),
        cmocka_unit_test(true_fails),
        cmocka_unit_test(false_fails),
        cmocka_unit_test(null_fails),
        cmocka_unit_test(non_null_fails),
        cmocka_unit_test(in_range_fails),
        cmocka_unit_test(memory_equal_fails),
        cmocka_unit_test(fail_msg_fails),
        cmocka_unit_test(plain_fail_fails),
        cmocka_unit_test(skips),
        cmocka_unit_test_setup(never_runs, setup_that_fails),
        cmocka_unit_test_teardown(sees_the_group_state, teardown_that_prints),
        cmocka_unit_test_teardown(passes_after_failures, teardown_that_fails),
        cmocka_unit_test(allocates_and_frees),
        cmocka_unit_test(passes_after_failures),
    };
    const struct CMUnitTest second[] = {
        cmocka_unit_test_prestate(sees_its_prestate, &prestate_value),
        cmocka_unit_test_prestate_setup_teardown(sees_its_prestate, NULL, teardown_that_prints, &prestate_value),
        cmocka_unit_test(writes_past_a_block),
        cmocka_unit_test(leaks),
    };
    int failed = cmocka_run_group_tests(first, group_setup, group_teardown);
    print_message("first group: %d failed\n", failed);
    failed += cmocka_run_group_tests_name("second group", second, NULL, NULL);
    return failed;
}
