/*
 * airswdd_gdb.c - the GDB server of airswdd (ports/common/gdb_listener.h) on its own thread (airswdd.h). On the
 * simulated parts the chip runs in step with the wall clock while a client waits for a stop, or while nobody has
 * attached it, so that what its firmware prints reaches the log line by line.
 */
#include "airswdd.h"

#include <poll.h>
#include <stdio.h>

#include "sim_stm32.h"

#define GDB_POLL_MS 100
/* 1 ms of chip time per look; the looks come about 1 ms of host time apart (gdb_listener.c). */
#define GDB_SIM_RUN_PS 1000000000ull

static struct gdb_server gdb_session; /* large: one per daemon */

static struct gdb_server *session_take(void *ctx)
{
    (void)ctx;
    return &gdb_session;
}

static void session_give(void *ctx, struct gdb_server *session)
{
    (void)ctx;
    (void)session;
}

static void sim_tick(void *ctx, bool target_free)
{
    struct airswdd_gdb *gdb = ctx;
    if (gdb->sim == NULL)
        return;
    if (target_free)
        sim_stm32_run_for(gdb->sim, GDB_SIM_RUN_PS);
    airswdd_uart_drain(gdb->service); /* what it printed, before the line queue fills */
}

static bool gdb_quit(void *ctx)
{
    struct airswdd_gdb *gdb = ctx;
    pthread_mutex_lock(&gdb->mutex);
    bool quit = gdb->quit;
    pthread_mutex_unlock(&gdb->mutex);
    return quit;
}

static void gdb_log_line(void *ctx, const char *line)
{
    (void)ctx;
    fprintf(stderr, "airswdd: gdb: %s\n", line);
}

static void gdb_released(void *ctx)
{
    struct airswdd_gdb *gdb = ctx;
    if (gdb->released != NULL)
        gdb->released(gdb->released_ctx);
}

static void *gdb_main(void *ctx)
{
    struct airswdd_gdb *gdb = ctx;
    while (!gdb_quit(gdb)) {
        if (!gdb_listener_poll(&gdb->listener, GDB_POLL_MS))
            (void)poll(NULL, 0, GDB_POLL_MS); /* the port is closed: look again later */
    }
    gdb_listener_close(&gdb->listener);
    return NULL;
}

bool airswdd_gdb_start(struct airswdd_gdb *gdb)
{
    const struct gdb_listener_config config = {
        .service = gdb->service,
        .swd = gdb->swd,
        .system = gdb->system,
        .pins = gdb->pins,
        .version = gdb->version,
        .address = gdb->address,
        .port = gdb->port,
        .session_take = session_take,
        .session_give = session_give,
        .tick = sim_tick,
        .quit = gdb_quit,
        .log_line = gdb_log_line,
        .released = gdb_released,
        .ctx = gdb,
    };
    gdb_listener_init(&gdb->listener, &config);
    gdb->quit = false;
    pthread_mutex_init(&gdb->mutex, NULL);
    return pthread_create(&gdb->thread, NULL, gdb_main, gdb) == 0;
}

void airswdd_gdb_stop(struct airswdd_gdb *gdb)
{
    pthread_mutex_lock(&gdb->mutex);
    gdb->quit = true;
    pthread_mutex_unlock(&gdb->mutex);
    pthread_join(gdb->thread, NULL);
    pthread_mutex_destroy(&gdb->mutex);
}
