/*
 * cmocka.c - a test runner with cmocka's interface and output for the project's unit tests on the ESP8266's CPU
 * (see cmocka.h for what it covers).
 *
 * A failed assertion leaves the test with longjmp back into the runner. The messages of the assertions are kept
 * while a test runs and printed when it ends as "[  ERROR   ] --- message", as cmocka does. Blocks from
 * test_malloc carry a header that links them into a list and guard bytes on both sides: a test that ends with
 * blocks of its own still allocated, or that wrote outside a block, fails.
 *
 * A crash is not caught here: on this CPU an exception ends the program through the runtime's vectors
 * (tests/lx106/runtime/start.S) with its cause, its PC and status 128 + cause. With the environment variable
 * LX106_STACK_REPORT set, each test's stack high-water mark is printed (tests/lx106/runtime/lx106_runtime.h).
 */
#include <cmocka.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lx106_runtime.h"

/* ---------------------------------------------------------------------------------------------------------------
 * Leaving a test and collecting its messages.
 */
static struct {
    jmp_buf exit;
    bool running; /* inside a test or fixture: a failure jumps back to exit */
    bool skipped;
    char messages[4096]; /* the messages of the running test, printed after it */
    size_t message_length;
} runner;

void print_message(const char *format, ...)
{
    va_list args;
    va_start(args, format);
    vprintf(format, args);
    va_end(args);
    fflush(stdout);
}

void print_error(const char *format, ...)
{
    va_list args;
    va_start(args, format);
    vfprintf(stderr, format, args);
    va_end(args);
    fflush(stderr);
}

/* A message about the running test; outside a test it goes to stderr at once. */
static void __attribute__((format(printf, 1, 2))) test_message(const char *format, ...)
{
    va_list args;
    va_start(args, format);
    if (runner.running) {
        size_t room = sizeof runner.messages - runner.message_length;
        int written = vsnprintf(runner.messages + runner.message_length, room, format, args);
        if (written > 0)
            runner.message_length += (size_t)written < room ? (size_t)written : room - 1;
    } else {
        vfprintf(stderr, format, args);
    }
    va_end(args);
}

static void __attribute__((noreturn)) leave_test(void)
{
    if (runner.running)
        longjmp(runner.exit, 1);
    /* An assertion outside any test (in main, say): nothing to go back to. */
    fflush(stdout);
    exit(EXIT_FAILURE);
}

void _fail(const char *file, int line)
{
    test_message("[   LINE   ] --- %s:%d: error: Failure!", file, line);
    leave_test();
}

void _skip(const char *file, int line)
{
    (void)file;
    (void)line;
    runner.skipped = true;
    leave_test();
}

/* ---------------------------------------------------------------------------------------------------------------
 * Assertions. Integers print as cmocka prints them: hexadecimal for equality, decimal for ranges.
 */
void _assert_true(LargestIntegralType truth, const char *expression, const char *file, int line)
{
    if (!truth) {
        test_message("%s\n", expression);
        _fail(file, line);
    }
}

void _assert_return_code(LargestIntegralType result, size_t size, LargestIntegralType error, const char *expression,
                         const char *file, int line)
{
    /* The result was widened from a type of `size` bytes: it is negative when that type's sign bit is set. */
    unsigned sign_bit = size >= sizeof result ? 63u : (unsigned)size * 8u - 1u;
    if (result & (1ull << sign_bit)) {
        if (error > 0)
            test_message("%s < 0, errno(%llu): %s\n", expression, error, strerror((int)error));
        else
            test_message("%s < 0\n", expression);
        _fail(file, line);
    }
}

void _assert_int_equal(LargestIntegralType a, LargestIntegralType b, const char *file, int line)
{
    if (a != b) {
        test_message("%#llx != %#llx\n", a, b);
        _fail(file, line);
    }
}

void _assert_int_not_equal(LargestIntegralType a, LargestIntegralType b, const char *file, int line)
{
    if (a == b) {
        test_message("%#llx == %#llx\n", a, b);
        _fail(file, line);
    }
}

void _assert_in_range(LargestIntegralType value, LargestIntegralType minimum, LargestIntegralType maximum,
                      const char *file, int line)
{
    if (value < minimum || value > maximum) {
        test_message("%llu is not within the range %llu-%llu\n", value, minimum, maximum);
        _fail(file, line);
    }
}

void _assert_not_in_range(LargestIntegralType value, LargestIntegralType minimum, LargestIntegralType maximum,
                          const char *file, int line)
{
    if (value >= minimum && value <= maximum) {
        test_message("%llu is within the range %llu-%llu\n", value, minimum, maximum);
        _fail(file, line);
    }
}

void _assert_string_equal(const char *a, const char *b, const char *file, int line)
{
    if (a == NULL || b == NULL ? a != b : strcmp(a, b) != 0) {
        test_message("\"%s\" != \"%s\"\n", a ? a : "(null)", b ? b : "(null)");
        _fail(file, line);
    }
}

void _assert_string_not_equal(const char *a, const char *b, const char *file, int line)
{
    if (a == NULL || b == NULL ? a == b : strcmp(a, b) == 0) {
        test_message("\"%s\" == \"%s\"\n", a ? a : "(null)", b ? b : "(null)");
        _fail(file, line);
    }
}

void _assert_memory_equal(const void *a, const void *b, size_t size, const char *file, int line)
{
    const unsigned char *x = a, *y = b;
    size_t differences = 0;
    for (size_t i = 0; i < size; i++) {
        if (x[i] != y[i]) {
            test_message("difference at offset %zu 0x%02x 0x%02x\n", i, x[i], y[i]);
            differences++;
        }
    }
    if (differences > 0) {
        test_message("%zu bytes of %p and %p differ\n", differences, a, b);
        _fail(file, line);
    }
}

void _assert_memory_not_equal(const void *a, const void *b, size_t size, const char *file, int line)
{
    if (memcmp(a, b, size) == 0) {
        test_message("%zu bytes of %p and %p the same\n", size, a, b);
        _fail(file, line);
    }
}

/* ---------------------------------------------------------------------------------------------------------------
 * Checked allocation. A block is [header][size bytes][GUARD_SIZE guard bytes]; the header ends in guard bytes too.
 */
enum { GUARD_SIZE = 16, GUARD_BYTE = 0xEF };

struct block {
    struct block *previous, *next;
    const char *file;
    int line;
    size_t size;
    unsigned char guard[GUARD_SIZE];
};

/* Sized so that the caller's block keeps malloc's alignment (8 bytes on the L106 for long long and double). */
union block_header {
    struct block block;
    long long align_integer;
    long double align_floating;
};

static struct block live_blocks = {.previous = &live_blocks, .next = &live_blocks};

static bool guard_intact(const unsigned char *guard)
{
    for (size_t i = 0; i < GUARD_SIZE; i++)
        if (guard[i] != GUARD_BYTE)
            return false;
    return true;
}

void *_test_malloc(size_t size, const char *file, int line)
{
    if (size > SIZE_MAX - sizeof(union block_header) - GUARD_SIZE)
        return NULL;
    union block_header *header = malloc(sizeof *header + size + GUARD_SIZE);
    if (header == NULL)
        return NULL;
    struct block *block = &header->block;
    block->file = file;
    block->line = line;
    block->size = size;
    memset(block->guard, GUARD_BYTE, GUARD_SIZE);
    unsigned char *data = (unsigned char *)(header + 1);
    memset(data + size, GUARD_BYTE, GUARD_SIZE);
    memset(data, 0xBA, size); /* not zero: a test that reads before writing sees garbage, as with malloc */
    block->next = &live_blocks;
    block->previous = live_blocks.previous;
    live_blocks.previous->next = block;
    live_blocks.previous = block;
    return data;
}

void *_test_calloc(size_t count, size_t size, const char *file, int line)
{
    if (size != 0 && count > SIZE_MAX / size)
        return NULL;
    void *data = _test_malloc(count * size, file, line);
    if (data != NULL)
        memset(data, 0, count * size);
    return data;
}

static struct block *block_of(void *data)
{
    return &((union block_header *)data - 1)->block;
}

/* Fails the running test when a guard of the block was overwritten. */
static void check_guards(struct block *block, const char *file, int line)
{
    unsigned char *data = (unsigned char *)((union block_header *)block + 1);
    if (!guard_intact(block->guard) || !guard_intact(data + block->size)) {
        test_message("%s:%d: error: Guard block of %p size=%zu is corrupt\n%s:%d: note: allocated here at %p\n", file,
                     line, (void *)block, block->size, block->file, block->line, (void *)data);
        _fail(file, line);
    }
}

void _test_free(void *data, const char *file, int line)
{
    if (data == NULL)
        return;
    struct block *block = block_of(data);
    check_guards(block, file, line);
    block->previous->next = block->next;
    block->next->previous = block->previous;
    free(block);
}

void *_test_realloc(void *data, size_t size, const char *file, int line)
{
    if (data == NULL)
        return _test_malloc(size, file, line);
    if (size == 0) {
        _test_free(data, file, line);
        return NULL;
    }
    void *moved = _test_malloc(size, file, line);
    if (moved == NULL)
        return NULL;
    size_t old_size = block_of(data)->size;
    memcpy(moved, data, old_size < size ? old_size : size);
    _test_free(data, file, line);
    return moved;
}

/* Fails the running test when blocks allocated since `mark` (the last block before it started) are still live;
 * they are taken off the list so that the next test starts clean. */
static void check_leaks(struct block *mark, const char *test_name)
{
    if (mark->next == &live_blocks)
        return;
    unsigned leaked = 0;
    test_message("Blocks allocated...\n");
    while (mark->next != &live_blocks) {
        struct block *block = mark->next;
        test_message("%s:%d: note: block %p allocated here\n", block->file, block->line,
                     (void *)((union block_header *)block + 1));
        mark->next = block->next;
        leaked++;
    }
    live_blocks.previous = mark;
    test_message("ERROR: %s leaked %u block(s)\n", test_name, leaked);
    leave_test();
}

/* ---------------------------------------------------------------------------------------------------------------
 * Running a group.
 */
enum outcome { PASSED, FAILED, SKIPPED, ERROR };

/* Runs a test function (fixture NULL) or a fixture; false when it failed or returned non-zero. */
static bool run_function(CMUnitTestFunction test, CMFixtureFunction fixture, void **state)
{
    runner.running = true;
    bool completed = false;
    if (setjmp(runner.exit) == 0) {
        int result = 0;
        if (test != NULL)
            test(state);
        else
            result = fixture(state);
        completed = result == 0;
    }
    runner.running = false;
    return completed;
}

static void print_test_messages(void)
{
    if (runner.message_length > 0)
        print_error("[  ERROR   ] --- %s\n", runner.messages);
    runner.message_length = 0;
    runner.messages[0] = '\0';
}

static enum outcome run_test(const struct CMUnitTest *test, void *group_state)
{
    print_message("[ RUN      ] %s\n", test->name);
    lx106_stack_repaint();
    void *state = group_state != NULL ? group_state : test->initial_state;
    struct block *mark = live_blocks.previous;
    runner.skipped = false;
    if (test->setup_func != NULL && !run_function(NULL, test->setup_func, &state)) {
        print_test_messages();
        print_error("Could not run test: Test setup failed\n[  ERROR   ] %s\n", test->name);
        return ERROR;
    }
    enum outcome outcome = run_function(test->test_func, NULL, &state) ? PASSED : FAILED;
    if (outcome == FAILED && runner.skipped)
        outcome = SKIPPED;
    if (test->teardown_func != NULL && !run_function(NULL, test->teardown_func, &state)) {
        print_test_messages();
        print_error("Could not run test: Test teardown failed\n[  ERROR   ] %s\n", test->name);
        return ERROR;
    }
    if (outcome == PASSED) {
        runner.running = true;
        if (setjmp(runner.exit) == 0)
            check_leaks(mark, test->name);
        else
            outcome = FAILED;
        runner.running = false;
    }
    print_test_messages();
    if (getenv("LX106_STACK_REPORT") != NULL)
        print_message("[  STACK   ] %s: %lu bytes\n", test->name, (unsigned long)lx106_stack_used());
    static const char *const labels[] = {[PASSED] = "[       OK ]", [FAILED] = "[  FAILED  ]",
                                         [SKIPPED] = "[  SKIPPED ]"};
    print_message("%s %s\n", labels[outcome], test->name);
    return outcome;
}

static void list_tests(const struct CMUnitTest *tests, const enum outcome *outcomes, size_t count, enum outcome which,
                       const char *label)
{
    for (size_t i = 0; i < count; i++)
        if (outcomes[i] == which)
            print_error("%s %s\n", label, tests[i].name);
}

int _cmocka_run_group_tests(const char *group_name, const struct CMUnitTest *tests, size_t count,
                            CMFixtureFunction group_setup, CMFixtureFunction group_teardown)
{
    enum { MAX_TESTS = 256 };
    static enum outcome outcomes[MAX_TESTS];
    if (count > MAX_TESTS) {
        print_error("[  ERROR   ] %s: %zu tests, this runner takes %d per group\n", group_name, count, MAX_TESTS);
        return (int)count;
    }
    print_message("[==========] Running %zu test(s).\n", count);
    void *group_state = NULL;
    if (group_setup != NULL && !run_function(NULL, group_setup, &group_state)) {
        print_test_messages();
        print_error("[  FAILED  ] GROUP SETUP\n[  ERROR   ] %s\n", group_name);
        print_message("[==========] 0 test(s) run.\n");
        print_error("[  PASSED  ] 0 test(s).\n");
        return 1;
    }
    unsigned totals[4] = {0};
    for (size_t i = 0; i < count; i++) {
        outcomes[i] = run_test(&tests[i], group_state);
        totals[outcomes[i]]++;
    }
    /* cmocka 1.1.5 prints a failed group teardown without counting it; here it counts as a failure. */
    bool teardown_failed = group_teardown != NULL && !run_function(NULL, group_teardown, &group_state);
    if (teardown_failed) {
        print_test_messages();
        print_error("[  FAILED  ] GROUP TEARDOWN\n[  ERROR   ] %s\n", group_name);
    }

    print_message("[==========] %zu test(s) run.\n", count);
    print_error("[  PASSED  ] %u test(s).\n", totals[PASSED]);
    if (totals[SKIPPED] > 0) {
        print_error("[  SKIPPED ] %u test(s), listed below:\n", totals[SKIPPED]);
        list_tests(tests, outcomes, count, SKIPPED, "[  SKIPPED ]");
        print_error("\n %u SKIPPED TEST(S)\n", totals[SKIPPED]);
    }
    /* Like cmocka, tests whose fixture failed are counted with the failed ones but not listed. */
    if (totals[FAILED] > 0) {
        print_error("[  FAILED  ] %u test(s), listed below:\n", totals[FAILED]);
        list_tests(tests, outcomes, count, FAILED, "[  FAILED  ]");
        print_error("\n %u FAILED TEST(S)\n", totals[FAILED] + totals[ERROR]);
    }
    return (int)(totals[FAILED] + totals[ERROR]) + (teardown_failed ? 1 : 0);
}
