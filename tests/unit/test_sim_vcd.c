/*
 * test_sim_vcd.c - the shape of the simulator's VCD trace: header, signal names, timescale, where in a cycle each
 * edge and each bit appears, idle time, NRST. (Decoding by sigrok itself is an interop test.)
 */
#define _POSIX_C_SOURCE 200809L

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "sim_wire_driver.h"

#define MAX_EVENTS 4096

struct vcd_event {
    uint64_t time_ns;
    char id;
    int level;
};

struct vcd_trace {
    char header[1024];
    struct vcd_event events[MAX_EVENTS];
    unsigned count;
    uint64_t end_ns;
};

/* A fresh file name in the working directory, so that parallel test runs never share one. */
static void temporary_path(char path[32])
{
    strcpy(path, "sim_vcd_XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
}

/* Parses what this simulator writes: a header up to $enddefinitions, then "#time" and "<level><id>" lines. */
static void read_trace(const char *path, struct vcd_trace *trace)
{
    memset(trace, 0, sizeof(*trace));
    FILE *file = fopen(path, "r");
    assert_non_null(file);
    char line[256];
    bool in_header = true;
    uint64_t now = 0;
    while (fgets(line, sizeof(line), file) != NULL) {
        if (in_header) {
            assert_true(strlen(trace->header) + strlen(line) < sizeof(trace->header));
            strcat(trace->header, line);
            if (strstr(line, "$enddefinitions") != NULL)
                in_header = false;
            continue;
        }
        if (line[0] == '#') {
            now = strtoull(line + 1, NULL, 10);
            trace->end_ns = now;
            continue;
        }
        assert_true(line[0] == '0' || line[0] == '1');
        assert_true(trace->count < MAX_EVENTS);
        trace->events[trace->count++] = (struct vcd_event){now, line[1], line[0] - '0'};
    }
    fclose(file);
}

/* Index of the first event of `id` at or after `from`, or -1. */
static int find_event(const struct vcd_trace *trace, unsigned from, char id)
{
    for (unsigned i = from; i < trace->count; i++)
        if (trace->events[i].id == id)
            return (int)i;
    return -1;
}

static bool has_event(const struct vcd_trace *trace, uint64_t time_ns, char id, int level)
{
    for (unsigned i = 0; i < trace->count; i++)
        if (trace->events[i].time_ns == time_ns && trace->events[i].id == id && trace->events[i].level == level)
            return true;
    return false;
}

static void test_vcd_declares_swclk_swdio_nrst_at_1_ns(void **state)
{
    (void)state;
    char path[32];
    temporary_path(path);
    struct sim_target *target = wire_target_with_sram(NULL);
    assert_true(sim_target_trace_vcd(target, path));
    sim_target_trace_stop(target);
    struct vcd_trace *trace = malloc(sizeof(*trace));
    read_trace(path, trace);
    assert_non_null(strstr(trace->header, "$timescale 1 ns $end"));
    assert_non_null(strstr(trace->header, "$var wire 1 c swclk $end"));
    assert_non_null(strstr(trace->header, "$var wire 1 d swdio $end"));
    assert_non_null(strstr(trace->header, "$var wire 1 r nrst $end"));
    /* Initial levels: clock low, line pulled up, NRST released. */
    assert_int_equal(trace->count, 3);
    assert_true(has_event(trace, 0, 'c', 0));
    assert_true(has_event(trace, 0, 'd', 1));
    assert_true(has_event(trace, 0, 'r', 1));
    free(trace);
    wire_target_destroy(target);
    unlink(path);
}

static void test_vcd_cycle_puts_edges_at_quarter_periods(void **state)
{
    (void)state;
    char path[32];
    temporary_path(path);
    struct sim_target *target = wire_target_with_sram(NULL); /* 4 MHz: 250 ns per cycle */
    assert_true(sim_target_trace_vcd(target, path));
    wire_write_bit(target, false);
    wire_write_bit(target, true);
    sim_target_trace_stop(target);
    struct vcd_trace *trace = malloc(sizeof(*trace));
    read_trace(path, trace);
    const struct vcd_event expected[] = {
        {0, 'c', 0},   {0, 'd', 1},   {0, 'r', 1}, /* initial */
        {0, 'd', 0},                               /* host bit at cycle start */
        {63, 'c', 1},  {188, 'c', 0},              /* 62.5 and 187.5 ns, rounded */
        {250, 'd', 1}, {313, 'c', 1}, {438, 'c', 0},
    };
    assert_int_equal(trace->count, sizeof(expected) / sizeof(expected[0]));
    for (unsigned i = 0; i < trace->count; i++) {
        assert_int_equal(trace->events[i].time_ns, expected[i].time_ns);
        assert_int_equal(trace->events[i].id, expected[i].id);
        assert_int_equal(trace->events[i].level, expected[i].level);
    }
    assert_int_equal(trace->end_ns, 500);
    free(trace);
    wire_target_destroy(target);
    unlink(path);
}

static void test_vcd_target_bits_appear_half_a_period_after_cycle_start(void **state)
{
    (void)state;
    char path[32];
    temporary_path(path);
    struct sim_target *target = wire_target_with_sram(NULL);
    wire_connect(target);
    uint64_t start_ns = sim_target_now_ps(target) / 1000;
    assert_true(sim_target_trace_vcd(target, path));
    wire_expect_read(target, false, WIRE_DP_DPIDR, WIRE_ACK_OK);
    sim_target_trace_stop(target);
    struct vcd_trace *trace = malloc(sizeof(*trace));
    read_trace(path, trace);
    /* ACK bit 1 (0) is launched on edge 9, data bit 0 (1) on edge 11: both in the middle of their cycle. */
    assert_true(has_event(trace, start_ns + 9 * 250 + 125, 'd', 0));
    assert_true(has_event(trace, start_ns + 11 * 250 + 125, 'd', 1));
    /* The host's request bits change at cycle starts: RnW = 1 after APnDP = 0. */
    assert_true(has_event(trace, start_ns + 1 * 250, 'd', 0));
    assert_true(has_event(trace, start_ns + 2 * 250, 'd', 1));
    /* 46 cycles, 46 rising edges. */
    unsigned rising = 0;
    for (int i = find_event(trace, 0, 'c'); i >= 0; i = find_event(trace, (unsigned)i + 1, 'c'))
        rising += trace->events[i].level == 1;
    assert_int_equal(rising, 46);
    free(trace);
    wire_target_destroy(target);
    unlink(path);
}

static void test_vcd_idle_time_advances_timestamps(void **state)
{
    (void)state;
    char path[32];
    temporary_path(path);
    struct sim_target *target = wire_target_with_sram(NULL);
    assert_true(sim_target_trace_vcd(target, path));
    wire_write_bit(target, false);
    sim_target_idle(target, 1000000000); /* 1 ms */
    wire_write_bit(target, true);
    sim_target_trace_stop(target);
    struct vcd_trace *trace = malloc(sizeof(*trace));
    read_trace(path, trace);
    assert_true(has_event(trace, 1000250, 'd', 1));
    assert_true(has_event(trace, 1000313, 'c', 1));
    free(trace);
    wire_target_destroy(target);
    unlink(path);
}

static void test_vcd_records_nrst(void **state)
{
    (void)state;
    char path[32];
    temporary_path(path);
    struct sim_target_config config;
    sim_target_default_config(&config);
    struct sim_target *target = sim_target_create(&config);
    assert_true(sim_target_trace_vcd(target, path));
    wire_idle(target, 4);
    sim_target_set_nrst(target, true);
    wire_idle(target, 4);
    sim_target_set_nrst(target, false);
    sim_target_destroy(target); /* completes the file */
    struct vcd_trace *trace = malloc(sizeof(*trace));
    read_trace(path, trace);
    assert_true(has_event(trace, 1000, 'r', 0));
    assert_true(has_event(trace, 2000, 'r', 1));
    assert_int_equal(trace->end_ns, 2000);
    free(trace);
    unlink(path);
}

static void test_vcd_unwritable_path_is_refused(void **state)
{
    (void)state;
    struct sim_target *target = wire_target_with_sram(NULL);
    assert_false(sim_target_trace_vcd(target, "/nonexistent-directory/trace.vcd"));
    wire_idle(target, 4);
    wire_target_destroy(target);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vcd_declares_swclk_swdio_nrst_at_1_ns),
        cmocka_unit_test(test_vcd_cycle_puts_edges_at_quarter_periods),
        cmocka_unit_test(test_vcd_target_bits_appear_half_a_period_after_cycle_start),
        cmocka_unit_test(test_vcd_idle_time_advances_timestamps),
        cmocka_unit_test(test_vcd_records_nrst),
        cmocka_unit_test(test_vcd_unwritable_path_is_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
