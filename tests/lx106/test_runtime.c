/*
 * test_runtime.c - the runtime of the test programs on the ESP8266's CPU (tests/lx106/runtime) does what the unit
 * tests rely on: the chip's type sizes, the division helpers the ROM provides, newlib's full printf with 64-bit
 * numbers, host files, the environment and the heap.
 *
 * With an argument it does one forbidden thing instead, and run.sh checks that the runtime reports it with the
 * chip's exception and exit status 128 + cause: "unaligned-load" and "unaligned-store" (EXCCAUSE 9, status 137).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

/* Divisions of operands the compiler cannot see, so that the helpers run. */
static volatile uint32_t u32[2];
static volatile int32_t s32[2];
static volatile uint64_t u64[2];
static volatile int64_t s64[2];

static void test_the_types_have_the_chips_sizes(void **state)
{
    (void)state;
    assert_int_equal(sizeof(int), 4);
    assert_int_equal(sizeof(long), 4);
    assert_int_equal(sizeof(void *), 4);
    assert_int_equal(sizeof(size_t), 4);
    assert_int_equal(sizeof(long long), 8);
    /* newlib as the ESP8266's toolchain builds it (--enable-newlib-long-time_t): time_t is a long. */
    assert_int_equal(sizeof(time_t), 4);
}

static void test_32_bit_division(void **state)
{
    (void)state;
    static const struct {
        uint32_t dividend, divisor, quotient, remainder;
    } cases[] = {
        {7, 3, 2, 1},
        {0xFFFFFFFFu, 1, 0xFFFFFFFFu, 0},
        {0xFFFFFFFFu, 0xFFFFFFFFu, 1, 0},
        {0xFFFFFFFEu, 0xFFFFFFFFu, 0, 0xFFFFFFFEu},
        {0x80000000u, 0x10u, 0x08000000u, 0},
        {1000000007u, 65537u, 15258u, 36461u},
        {0, 5, 0, 0},
        {12345, 12345, 1, 0},
        {12344, 12345, 0, 12344},
        {0xFFFFFFFFu, 0x80000000u, 1, 0x7FFFFFFFu},
        {0x80000000u, 1, 0x80000000u, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        u32[0] = cases[i].dividend;
        u32[1] = cases[i].divisor;
        assert_int_equal(u32[0] / u32[1], cases[i].quotient);
        assert_int_equal(u32[0] % u32[1], cases[i].remainder);
    }
    s32[0] = -7;
    s32[1] = 2;
    assert_int_equal(s32[0] / s32[1], -3); /* C rounds towards zero */
    assert_int_equal(s32[0] % s32[1], -1);
    s32[0] = INT32_MIN;
    s32[1] = -1 + 2; /* 1 */
    assert_int_equal(s32[0] / s32[1], INT32_MIN);
    s32[0] = 100;
    s32[1] = -7;
    assert_int_equal(s32[0] / s32[1], -14);
}

/* Quotient and remainder agree with each other for dividends and divisors of every magnitude: the helpers skip
 * the quotient bits that cannot be set, and a mistake there shows for some pair of lengths. */
static void test_division_identity_over_all_operand_lengths(void **state)
{
    (void)state;
    uint32_t random = 0x12345678u;
    for (unsigned i = 0; i < 20000; i++) {
        random ^= random << 13;
        random ^= random >> 17;
        random ^= random << 5;
        uint32_t a = random >> (i % 32), b = (random * 2654435761u) >> ((i / 32) % 32);
        if (b == 0)
            continue;
        u32[0] = a;
        u32[1] = b;
        uint32_t quotient = u32[0] / u32[1], remainder = u32[0] % u32[1];
        if (remainder >= b || (uint64_t)quotient * b + remainder != a)
            fail_msg("%lu / %lu gave %lu remainder %lu", (unsigned long)a, (unsigned long)b, (unsigned long)quotient,
                     (unsigned long)remainder);
        u64[0] = (uint64_t)a << (i % 31) | random;
        u64[1] = (uint64_t)b << ((i / 7) % 29);
        uint64_t wide_quotient = u64[0] / u64[1], wide_remainder = u64[0] % u64[1];
        if (wide_remainder >= u64[1] || wide_quotient * u64[1] + wide_remainder != u64[0])
            fail_msg("%llu / %llu gave %llu remainder %llu", (unsigned long long)u64[0], (unsigned long long)u64[1],
                     (unsigned long long)wide_quotient, (unsigned long long)wide_remainder);
    }
}

static void test_64_bit_division_and_multiplication(void **state)
{
    (void)state;
    u64[0] = UINT64_MAX;
    u64[1] = 10;
    assert_true(u64[0] / u64[1] == 1844674407370955161ull);
    assert_true(u64[0] % u64[1] == 5);
    u64[0] = 0x123456789ABCDEF0ull;
    u64[1] = 0x100000001ull;
    assert_true(u64[0] / u64[1] == 0x12345678ull);
    assert_true(u64[0] % u64[1] == 0x88888878ull);
    s64[0] = -1000000000000ll;
    s64[1] = 7;
    assert_true(s64[0] / s64[1] == -142857142857ll);
    assert_true(s64[0] % s64[1] == -1);
    u64[0] = 0xFFFFFFFFull;
    u64[1] = 0xFFFFFFFFull;
    assert_true(u64[0] * u64[1] == 0xFFFFFFFE00000001ull);
    u64[0] = 0x123456789ull;
    u64[1] = 0xABCDEF01ull;
    assert_true(u64[0] * u64[1] == 0xC379AAAB5AA34E89ull);
}

static void test_printf_formats_64_bit_numbers(void **state)
{
    (void)state;
    char text[96];
    snprintf(text, sizeof text, "%llu %lld %llx %#llx", (unsigned long long)UINT64_MAX, (long long)INT64_MIN,
             0x123456789ABCDEFull, 0ull);
    assert_string_equal(text, "18446744073709551615 -9223372036854775808 123456789abcdef 0");
    u64[0] = 1234567890123ull;
    snprintf(text, sizeof text, "%llu.%03u %zu %08lx %-4d|", u64[0] / 1000, (unsigned)(u64[0] % 1000), (size_t)42,
             0xBEEFul, -5);
    assert_string_equal(text, "1234567890.123 42 0000beef -5  |");
}

/* This source file holds the line below; the program reads it from the host through QEMU's semihosting. */
static const char marker[] = "lx106 runtime: a line to find in this file";

static void test_host_files_are_read_and_written(void **state)
{
    (void)state;
    const char *root = getenv("AIRSWD_SOURCE_DIR");
    assert_non_null(root);
    char path[512];
    snprintf(path, sizeof path, "%s/tests/lx106/test_runtime.c", root);
    FILE *source = fopen(path, "rb");
    assert_non_null(source);
    static char content[16384];
    size_t length = fread(content, 1, sizeof content - 1, source);
    content[length] = '\0';
    assert_int_equal(fseek(source, 0, SEEK_END), 0);
    long size = ftell(source);
    fclose(source);
    assert_true(length > 1000);
    assert_int_equal(size, (long)length);
    assert_non_null(strstr(content, marker));

    const char *binary = getenv("AIRSWD_BINARY_DIR");
    assert_non_null(binary);
    snprintf(path, sizeof path, "%s/lx106/test_runtime.out", binary);
    FILE *out = fopen(path, "wb");
    assert_non_null(out);
    assert_int_equal(fprintf(out, "%s\n", marker), (int)strlen(marker) + 1);
    assert_int_equal(fclose(out), 0);
    FILE *in = fopen(path, "rb");
    assert_non_null(in);
    char line[80] = "";
    assert_non_null(fgets(line, sizeof line, in));
    fclose(in); /* stays: QEMU's semihosting cannot remove files */
    line[strcspn(line, "\n")] = '\0';
    assert_string_equal(line, marker);
}

static void test_the_heap_holds_what_the_tests_allocate(void **state)
{
    (void)state;
    /* test_store's bench is the largest: 104 KB. */
    uint8_t *block = malloc(200 * 1024);
    assert_non_null(block);
    memset(block, 0x5A, 200 * 1024);
    assert_int_equal(block[200 * 1024 - 1], 0x5A);
    free(block);
}

/* An unaligned 32-bit load or store, which the L106 refuses (LoadStoreAlignmentCause). The address passes through
 * a volatile so that the compiler cannot see it is odd (it would use byte accesses): as when code casts a byte
 * pointer into a packet to a uint32_t pointer. */
static int misbehave(const char *what)
{
    static uint32_t words[2];
    static volatile uintptr_t address;
    address = (uintptr_t)words + 1;
    volatile uint32_t *odd = (volatile uint32_t *)address;
    if (strcmp(what, "unaligned-load") == 0)
        printf("read 0x%08lx\n", (unsigned long)*odd);
    else if (strcmp(what, "unaligned-store") == 0)
        *odd = 0x12345678u;
    else
        fprintf(stderr, "test_runtime: unknown argument %s\n", what);
    fprintf(stderr, "test_runtime: %s was not stopped\n", what);
    return 1;
}

int main(int argc, char **argv)
{
    if (argc > 1)
        return misbehave(argv[1]);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_the_types_have_the_chips_sizes),
        cmocka_unit_test(test_32_bit_division),
        cmocka_unit_test(test_division_identity_over_all_operand_lengths),
        cmocka_unit_test(test_64_bit_division_and_multiplication),
        cmocka_unit_test(test_printf_formats_64_bit_numbers),
        cmocka_unit_test(test_host_files_are_read_and_written),
        cmocka_unit_test(test_the_heap_holds_what_the_tests_allocate),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
