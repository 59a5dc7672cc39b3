/*
 * airswdd_gdb.c - the GDB server of airswdd (src/gdb) on its own thread and TCP port (airswdd.h). The port listens
 * only while the device is in debug mode; one client at a time holds the target as the service's debug session,
 * and a second one is told so and closed. When the client leaves (detach, kill and quit, a dropped connection) or
 * debug mode is turned off, the target is released: comparators cleared, the firmware running.
 */
#include "airswdd.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <poll.h>
#include <unistd.h>

#include "gdb/gdb_server.h"
#include "sim_stm32.h"
#include "tcp_listener.h"

#define GDB_POLL_MS 100
/* While the client waits for a stop, the simulated core runs 1 ms of chip time per look, and the looks are about
 * 1 ms of host time apart: the chip keeps to real time, so what it prints reaches the log line by line. */
#define GDB_SIM_RUN_PS 1000000000ull
#define GDB_RUNNING_POLL_MS 1

static struct gdb_server gdb_session; /* large: one per daemon */
/* The target's system with a log into the service's: what the engine cannot tell the client (a failed vFlash, a
 * command refused without a target) reaches the daemon's log and stderr instead. */
static struct hal_system gdb_system;
static struct service *gdb_log_service;

static void gdb_log(void *ctx, enum hal_log_level level, const char *line)
{
    (void)ctx;
    (void)level;
    fprintf(stderr, "airswdd: gdb: %s\n", line);
    service_log(gdb_log_service, "gdb: %s", line);
}

static void gdb_send(void *ctx, const uint8_t *bytes, size_t len)
{
    struct airswdd_gdb *gdb = ctx;
    if (gdb->client >= 0 && !tcp_client_write(gdb->client, bytes, len))
        gdb->client_lost = true;
}

/* A console line to a client that cannot be served, then the connection closes. */
static void gdb_refuse(int fd, const char *why)
{
    char text[200], packet[460];
    int len = snprintf(text, sizeof text, "airswd: %s\n", why);
    unsigned sum = 0;
    size_t at = 0;
    packet[at++] = '$';
    packet[at++] = 'O';
    sum += 'O';
    for (int i = 0; i < len && at + 6 < sizeof packet; i++) {
        static const char digits[] = "0123456789abcdef";
        char high = digits[(unsigned char)text[i] >> 4], low = digits[text[i] & 0xF];
        packet[at++] = high;
        packet[at++] = low;
        sum += (unsigned char)high + (unsigned char)low;
    }
    at += (size_t)snprintf(packet + at, sizeof packet - at, "#%02x", sum & 0xFFu);
    (void)tcp_client_write(fd, (const uint8_t *)packet, at);
    close(fd);
}

static void gdb_refuse_newcomers(struct airswdd_gdb *gdb)
{
    int other = tcp_listener_accept(&gdb->listener, 0);
    if (other >= 0)
        gdb_refuse(other, "another gdb client holds the target: one debug session at a time");
}

static bool gdb_should_stop(struct airswdd_gdb *gdb)
{
    pthread_mutex_lock(&gdb->mutex);
    bool quit = gdb->quit;
    pthread_mutex_unlock(&gdb->mutex);
    return quit || !service_security_debug(gdb->service);
}

/* One client, until it leaves or debug mode ends. */
static void gdb_serve(struct airswdd_gdb *gdb)
{
    service_lock(gdb->service);
    uint32_t swclk_hz = gdb->service->settings.swclk_hz; /* the SWCLK jobs use: the same for a load */
    service_unlock(gdb->service);
    gdb_system = *gdb->system;
    gdb_system.log = gdb_log;
    gdb_log_service = gdb->service;
    const struct gdb_config config = {
        .swd = gdb->swd,
        .system = &gdb_system,
        .pins = gdb->pins,
        .version = gdb->version,
        .send = gdb_send,
        .send_ctx = gdb,
        .swclk_hz = swclk_hz,
    };
    gdb_server_init(&gdb_session, &config);
    while (!gdb->client_lost && !gdb_should_stop(gdb)) {
        uint8_t bytes[512];
        /* The simulated firmware runs while the core runs or no debugger is attached: looks 1 ms apart keep it in
         * step with the wall clock (a console client's bytes reach it meanwhile). */
        bool running = gdb_server_running(&gdb_session) || (gdb->sim != NULL && !gdb_session.attached);
        long got = tcp_client_read(gdb->client, bytes, sizeof bytes, running ? GDB_RUNNING_POLL_MS : GDB_POLL_MS);
        if (got < 0)
            break;
        if (got > 0)
            gdb_server_receive(&gdb_session, bytes, (size_t)got);
        if (gdb_server_running(&gdb_session)) {
            if (gdb->sim != NULL)
                sim_stm32_run_for(gdb->sim, GDB_SIM_RUN_PS);
            gdb_server_poll(&gdb_session);
        } else if (gdb->sim != NULL && !gdb_session.attached) {
            sim_stm32_run_for(gdb->sim, GDB_SIM_RUN_PS); /* not debugged: the firmware runs */
        }
        if (gdb->sim != NULL)
            airswdd_uart_drain(gdb->service); /* what it printed, before the line queue fills */
        gdb_refuse_newcomers(gdb);
    }
    gdb_server_release(&gdb_session);
}

static void *gdb_main(void *ctx)
{
    struct airswdd_gdb *gdb = ctx;
    for (;;) {
        pthread_mutex_lock(&gdb->mutex);
        bool quit = gdb->quit;
        pthread_mutex_unlock(&gdb->mutex);
        if (quit)
            break;
        bool debug = service_security_debug(gdb->service);
        if (debug && !tcp_listener_is_open(&gdb->listener)) {
            char address[INET_ADDRSTRLEN] = "";
            struct in_addr in = {.s_addr = htonl(gdb->address)};
            inet_ntop(AF_INET, &in, address, sizeof address);
            if (tcp_listener_open(&gdb->listener, gdb->address, gdb->port) == 0)
                service_log(gdb->service, "gdb: listening on %s:%u (debug mode)", address, gdb->listener.port);
            else
                fprintf(stderr, "airswdd: cannot listen for gdb on %s:%u\n", address, gdb->port);
        } else if (!debug && tcp_listener_is_open(&gdb->listener)) {
            tcp_listener_close(&gdb->listener);
            service_log(gdb->service, "gdb: port closed (debug mode is off)");
        }
        if (!tcp_listener_is_open(&gdb->listener)) {
            (void)poll(NULL, 0, GDB_POLL_MS);
            continue;
        }
        int client = tcp_listener_accept(&gdb->listener, GDB_POLL_MS);
        if (client < 0)
            continue;
        struct status_report report = {0};
        if (service_debug_session_begin(gdb->service, &report) != STATUS_OK) {
            gdb_refuse(client, report.detail);
            continue;
        }
        gdb->client = client;
        gdb->client_lost = false;
        gdb_serve(gdb);
        close(client);
        gdb->client = -1;
        service_debug_session_end(gdb->service);
        if (gdb->released)
            gdb->released(gdb->released_ctx);
    }
    tcp_listener_close(&gdb->listener);
    return NULL;
}

bool airswdd_gdb_start(struct airswdd_gdb *gdb)
{
    gdb->listener.fd = -1;
    gdb->client = -1;
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
