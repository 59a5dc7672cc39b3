/*
 * cmocka.h - the part of cmocka's interface that the project's unit tests use, for test programs on the ESP8266's
 * CPU under QEMU (Debian's cmocka is built for the host only). The tests include <cmocka.h> and build unchanged
 * against this header and cmocka.c beside it.
 *
 * What is provided: the assert_* macros, fail, fail_msg, skip, print_message, print_error, test_malloc,
 * test_calloc, test_realloc and test_free (with leak and overrun checks), the cmocka_unit_test* initialisers with
 * setup, teardown and initial state, and cmocka_run_group_tests[_name] with group setup and teardown. The output
 * has cmocka 1.1.5's standard shape, on the same streams, and a group returns the number of its failed tests.
 * Not provided: mocks (will_return, expect_*), test filters, and the TAP, subunit and XML outputs.
 * tests/lx106/cmocka/runner_check.c holds this runner's output to Debian's cmocka.
 */
#ifndef LX106_CMOCKA_H
#define LX106_CMOCKA_H

#include <stddef.h>
#include <stdint.h>

/* Every value an integer assertion compares is widened to this type first, as cmocka does. */
typedef unsigned long long LargestIntegralType;

#define cast_to_largest_integral_type(value)     ((LargestIntegralType)(value))
#define cast_ptr_to_largest_integral_type(value) ((LargestIntegralType)(uintptr_t)(value))

typedef void (*CMUnitTestFunction)(void **state);
typedef int (*CMFixtureFunction)(void **state);

struct CMUnitTest {
    const char *name;
    CMUnitTestFunction test_func;
    CMFixtureFunction setup_func;
    CMFixtureFunction teardown_func;
    void *initial_state;
};

#define cmocka_unit_test(f)                                   {#f, f, NULL, NULL, NULL}
#define cmocka_unit_test_setup(f, setup)                      {#f, f, setup, NULL, NULL}
#define cmocka_unit_test_teardown(f, teardown)                {#f, f, NULL, teardown, NULL}
#define cmocka_unit_test_setup_teardown(f, setup, teardown)   {#f, f, setup, teardown, NULL}
#define cmocka_unit_test_prestate(f, state)                   {#f, f, NULL, NULL, state}
#define cmocka_unit_test_prestate_setup_teardown(f, setup, teardown, state) {#f, f, setup, teardown, state}

/* Runs the tests of an array in order; returns how many failed (a failed setup or teardown counts too). */
#define cmocka_run_group_tests(group_tests, group_setup, group_teardown)                                             \
    _cmocka_run_group_tests(#group_tests, group_tests, sizeof(group_tests) / sizeof((group_tests)[0]), group_setup, \
                            group_teardown)
#define cmocka_run_group_tests_name(group_name, group_tests, group_setup, group_teardown)                             \
    _cmocka_run_group_tests(group_name, group_tests, sizeof(group_tests) / sizeof((group_tests)[0]), group_setup,   \
                            group_teardown)

/* Truth is taken from the expression itself (not from a cast to an integer) so that a pointer works on a CPU whose
 * pointers are narrower than LargestIntegralType. */
#define assert_true(c)     _assert_true((c) ? 1u : 0u, #c, __FILE__, __LINE__)
#define assert_false(c)    _assert_true((c) ? 0u : 1u, #c, __FILE__, __LINE__)
#define assert_non_null(c) _assert_true((c) != NULL ? 1u : 0u, #c, __FILE__, __LINE__)
#define assert_null(c)     _assert_true((c) == NULL ? 1u : 0u, #c, __FILE__, __LINE__)
#define assert_return_code(rc, error)                                                                                \
    _assert_return_code(cast_to_largest_integral_type(rc), sizeof(rc), cast_to_largest_integral_type(error), #rc,    \
                        __FILE__, __LINE__)

#define assert_int_equal(a, b)                                                                                       \
    _assert_int_equal(cast_to_largest_integral_type(a), cast_to_largest_integral_type(b), __FILE__, __LINE__)
#define assert_int_not_equal(a, b)                                                                                   \
    _assert_int_not_equal(cast_to_largest_integral_type(a), cast_to_largest_integral_type(b), __FILE__, __LINE__)
#define assert_ptr_equal(a, b)                                                                                       \
    _assert_int_equal(cast_ptr_to_largest_integral_type(a), cast_ptr_to_largest_integral_type(b), __FILE__, __LINE__)
#define assert_ptr_not_equal(a, b)                                                                                   \
    _assert_int_not_equal(cast_ptr_to_largest_integral_type(a), cast_ptr_to_largest_integral_type(b), __FILE__,     \
                          __LINE__)
#define assert_in_range(value, minimum, maximum)                                                                     \
    _assert_in_range(cast_to_largest_integral_type(value), cast_to_largest_integral_type(minimum),                   \
                     cast_to_largest_integral_type(maximum), __FILE__, __LINE__)
#define assert_not_in_range(value, minimum, maximum)                                                                 \
    _assert_not_in_range(cast_to_largest_integral_type(value), cast_to_largest_integral_type(minimum),               \
                         cast_to_largest_integral_type(maximum), __FILE__, __LINE__)

#define assert_string_equal(a, b)     _assert_string_equal((const char *)(a), (const char *)(b), __FILE__, __LINE__)
#define assert_string_not_equal(a, b) _assert_string_not_equal((const char *)(a), (const char *)(b), __FILE__, __LINE__)
#define assert_memory_equal(a, b, size)                                                                              \
    _assert_memory_equal((const void *)(a), (const void *)(b), (size_t)(size), __FILE__, __LINE__)
#define assert_memory_not_equal(a, b, size)                                                                          \
    _assert_memory_not_equal((const void *)(a), (const void *)(b), (size_t)(size), __FILE__, __LINE__)

#define fail() _fail(__FILE__, __LINE__)
#define fail_msg(msg, ...)                                                                                           \
    do {                                                                                                             \
        print_error("ERROR: " msg "\n", ##__VA_ARGS__);                                                              \
        fail();                                                                                                      \
    } while (0)
#define skip() _skip(__FILE__, __LINE__)

#define test_malloc(size)         _test_malloc((size), __FILE__, __LINE__)
#define test_calloc(count, size)  _test_calloc((count), (size), __FILE__, __LINE__)
#define test_realloc(block, size) _test_realloc((block), (size), __FILE__, __LINE__)
#define test_free(block)          _test_free((block), __FILE__, __LINE__)

/* print_message writes to stdout, print_error to stderr, as cmocka does. */
void print_message(const char *format, ...) __attribute__((format(printf, 1, 2)));
void print_error(const char *format, ...) __attribute__((format(printf, 1, 2)));

int _cmocka_run_group_tests(const char *group_name, const struct CMUnitTest *tests, size_t count,
                            CMFixtureFunction group_setup, CMFixtureFunction group_teardown);

void _assert_true(LargestIntegralType truth, const char *expression, const char *file, int line);
void _assert_return_code(LargestIntegralType result, size_t size, LargestIntegralType error, const char *expression,
                         const char *file, int line);
void _assert_int_equal(LargestIntegralType a, LargestIntegralType b, const char *file, int line);
void _assert_int_not_equal(LargestIntegralType a, LargestIntegralType b, const char *file, int line);
void _assert_in_range(LargestIntegralType value, LargestIntegralType minimum, LargestIntegralType maximum,
                      const char *file, int line);
void _assert_not_in_range(LargestIntegralType value, LargestIntegralType minimum, LargestIntegralType maximum,
                          const char *file, int line);
void _assert_string_equal(const char *a, const char *b, const char *file, int line);
void _assert_string_not_equal(const char *a, const char *b, const char *file, int line);
void _assert_memory_equal(const void *a, const void *b, size_t size, const char *file, int line);
void _assert_memory_not_equal(const void *a, const void *b, size_t size, const char *file, int line);
void _fail(const char *file, int line) __attribute__((noreturn));
void _skip(const char *file, int line) __attribute__((noreturn));

void *_test_malloc(size_t size, const char *file, int line);
void *_test_calloc(size_t count, size_t size, const char *file, int line);
void *_test_realloc(void *block, size_t size, const char *file, int line);
void _test_free(void *block, const char *file, int line);

#endif /* LX106_CMOCKA_H */
