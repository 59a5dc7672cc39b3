/*
 * port_host.c - system services of a Linux host.
 */
#define _POSIX_C_SOURCE 200809L
#include "port_host.h"

#include <errno.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/random.h>
#include <time.h>

/* Port state: the only mutable globals of airswd live in ports. */
/* Set by the signal handler, read by every thread (the daemon's job thread yields on it): a lock-free atomic, which
 * is safe in a handler and between threads alike (volatile sig_atomic_t is only the former). */
static atomic_int cancel_requested;
_Static_assert(ATOMIC_INT_LOCK_FREE == 2, "the signal handler needs a lock-free atomic");
static enum hal_log_level log_level = HAL_LOG_INFO;

uint64_t port_host_now_us(void *ctx)
{
    (void)ctx;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (uint64_t)now.tv_sec * 1000000u + (uint64_t)now.tv_nsec / 1000u;
}

void port_host_delay_us(void *ctx, uint32_t us)
{
    (void)ctx;
    struct timespec delay = {.tv_sec = us / 1000000u, .tv_nsec = (long)(us % 1000000u) * 1000L};
    while (nanosleep(&delay, &delay) != 0 && errno == EINTR && !cancel_requested)
        ;
}

bool port_host_yield(void *ctx)
{
    (void)ctx;
    return cancel_requested != 0;
}

void port_host_random(void *ctx, void *buf, size_t len)
{
    (void)ctx;
    unsigned char *bytes = buf;
    while (len > 0) {
        ssize_t got = getrandom(bytes, len, 0);
        if (got < 0) {
            if (errno == EINTR)
                continue;
            perror("getrandom");
            abort(); /* no secure randomness: nothing that depends on it may go on */
        }
        bytes += got;
        len -= (size_t)got;
    }
}

void port_host_log(void *ctx, enum hal_log_level level, const char *line)
{
    (void)ctx;
    static const char *const prefixes[] = {"error: ", "warning: ", "", "debug: "};
    if (level <= log_level)
        fprintf(stderr, "%s%s\n", prefixes[level], line);
}

void port_host_set_log_level(enum hal_log_level level)
{
    log_level = level;
}

void port_host_system(struct hal_system *system)
{
    *system = (struct hal_system){
        .now_us = port_host_now_us,
        .delay_us = port_host_delay_us,
        .yield = port_host_yield,
        .random = port_host_random,
        .log = port_host_log,
    };
}

static void port_host_on_signal(int signal_number)
{
    (void)signal_number;
    cancel_requested = 1;
}

void port_host_catch_interrupts(void)
{
    struct sigaction action = {.sa_handler = port_host_on_signal};
    sigemptyset(&action.sa_mask);
    sigaction(SIGINT, &action, NULL);
    sigaction(SIGTERM, &action, NULL);
}

bool port_host_cancel_requested(void)
{
    return cancel_requested != 0;
}
