/*
 * test_skip.h - a test that cannot run on this machine (a tool or a cross-built file is missing) says why and is
 * skipped; with the environment variable CI set it fails instead, because CI installs and builds everything the tests
 * use (.ci/run): there a skip is a missing install step, and must not pass.
 */
#ifndef AIRSWD_TEST_SKIP_H
#define AIRSWD_TEST_SKIP_H

#include <stdio.h>
#include <stdlib.h>

/* Prints the reason and returns the program's exit status: 77 (ctest: skipped), or 1 when CI is set. */
static inline int test_skip_status(const char *reason)
{
    if (getenv("CI") != NULL && getenv("CI")[0] != '\0') {
        printf("FAILED: %s (CI is set: this test must run, not skip)\n", reason);
        return 1;
    }
    printf("SKIPPED: %s\n", reason);
    return 77;
}

/* Inside a cmocka test: skip() it, or fail() it when CI is set. */
#define SKIP_TEST(reason)                                                                                             \
    do {                                                                                                               \
        if (test_skip_status(reason) == 77)                                                                            \
            skip();                                                                                                    \
        else                                                                                                           \
            fail();                                                                                                    \
    } while (0)

#endif
