/*
 * airswdd.h - the airswd daemon on Linux: the device service (src/service) and its REST API (src/net/api.h)
 * served over TCP, with flash jobs run by a worker thread.
 */
#ifndef AIRSWDD_H
#define AIRSWDD_H

#include <pthread.h>
#include <stdbool.h>

#include "device/device.h"
#include "gdb_listener.h"

struct sim_stm32;

/* The job thread: waits for queued jobs and runs them, until airswdd_worker_stop(). */
struct airswdd_worker {
    struct device *device;
    pthread_t thread;
    pthread_mutex_t mutex; /* guards queued and quit */
    pthread_cond_t wake;
    bool queued;
    bool quit;
    /* Called on the job thread after the queued jobs ran (may be NULL): lets the simulated chip run its firmware. */
    void (*idle)(void *ctx);
    void *idle_ctx;
};

bool airswdd_worker_start(struct airswdd_worker *worker, struct device *device);
/* service_config.job_queued. */
void airswdd_worker_notify(void *ctx);
/* Lets the running job end (the caller cancels it first if it must stop soon) and joins the thread. */
void airswdd_worker_stop(struct airswdd_worker *worker);

/* The simulated chip's USART1 as lines: "airswdd: uart: LINE" on stderr and "uart: LINE" in the service's log.
 * The chip's callbacks only queue the bytes (they run on whichever thread drives the chip); airswdd_uart_drain()
 * on the main thread prints and logs the complete lines. With the ROM bootloader's link (link not NULL, --target
 * sim:PART,uart or auto) the bytes come through it. */
struct sim_stm32;
struct port_sim_uart;
void airswdd_uart_attach(struct sim_stm32 *sim, struct port_sim_uart *link);
void airswdd_uart_drain(struct service *service);
/* Lets the simulated chip run for up to ms milliseconds of chip time when neither a job nor a debug session holds
 * the target. */
void airswdd_sim_idle(struct service *service, struct sim_stm32 *sim, unsigned ms);

/* The GDB server's thread (airswdd_gdb.c): the listener of ports/common/gdb_listener.h on --listen's address and
 * port, open while debug mode is on; on the simulator the chip runs in real time while a client waits for a stop. */
struct airswdd_gdb {
    struct service *service;
    const struct hal_swd *swd;
    const struct hal_system *system;
    const struct hal_target_pins *pins;
    struct sim_stm32 *sim; /* NULL: real hardware (the target runs on its own) */
    const char *version;
    uint32_t address; /* IPv4, host byte order: the HTTP server's (--listen) */
    uint16_t port;
    /* Called on the GDB thread when a session ended and the target runs its firmware again (may be NULL). */
    void (*released)(void *ctx);
    void *released_ctx;

    pthread_t thread;
    pthread_mutex_t mutex; /* guards quit */
    bool quit;
    struct gdb_listener listener;
};
bool airswdd_gdb_start(struct airswdd_gdb *gdb);
void airswdd_gdb_stop(struct airswdd_gdb *gdb);

/* service_config.lock / unlock over a pthread mutex. */
void airswdd_lock(void *ctx);
void airswdd_unlock(void *ctx);

#endif /* AIRSWDD_H */
