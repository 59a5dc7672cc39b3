/*
 * port_host.h - system services of a Linux host: monotonic clock, sleep, random bytes, logging to stderr, and
 * cancellation by SIGINT/SIGTERM.
 */
#ifndef AIRSWD_PORT_HOST_H
#define AIRSWD_PORT_HOST_H

#include <stdbool.h>

#include "hal.h"

/* Fills system with the host's services. ctx is unused. */
void port_host_system(struct hal_system *system);

/* Lowest level that port_host logging prints (default HAL_LOG_INFO). */
void port_host_set_log_level(enum hal_log_level level);

/* Makes SIGINT and SIGTERM request cancellation of the running operation instead of killing the process. */
void port_host_catch_interrupts(void);
bool port_host_cancel_requested(void);

/* The host's implementations, for ports that reuse some of them. */
uint64_t port_host_now_us(void *ctx);
void port_host_delay_us(void *ctx, uint32_t us);
bool port_host_yield(void *ctx);
void port_host_random(void *ctx, void *buf, size_t len);
void port_host_log(void *ctx, enum hal_log_level level, const char *line);

#endif /* AIRSWD_PORT_HOST_H */
