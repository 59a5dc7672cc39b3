/*
 * status_assert.h - cmocka assertions on enum status that print the failing layer's report (include after
 * cmocka.h).
 */
#ifndef STATUS_ASSERT_H
#define STATUS_ASSERT_H

#include <stdio.h>

#include "status.h"

static inline void fail_with_status_report(const struct status_report *report, const char *what, enum status status)
{
    char text[300];
    status_format(report, text, sizeof text);
    print_error("%s returned %s: %s\n", what, status_name(status), text);
    fail();
}

/* call must return STATUS_OK; report is where the called layer writes its detail. */
#define assert_status_ok(report, call)                                                                                 \
    do {                                                                                                               \
        enum status status_ = (call);                                                                                  \
        if (status_ != STATUS_OK)                                                                                      \
            fail_with_status_report((report), #call, status_);                                                         \
    } while (0)

#endif /* STATUS_ASSERT_H */
