/*
 * gdb_listener.c - gdb_listener.h: the port's life with debug mode, one client at a time, and the session's loop.
 */
#include "gdb_listener.h"

#include <stdio.h>
#include <string.h>

#include "bsd_sockets.h"

#define GDB_POLL_MS 100
/* While the client waits for a stop, the look at the core (and the port's tick) comes every millisecond. */
#define GDB_RUNNING_POLL_MS 1
#define GDB_RECEIVE_CHUNK 256 /* on the stack of the polling task */

/* The session whose engine logs now: one session at a time in a process, and hal_system's log has only the
 * system's own context. */
static struct gdb_listener *logging;

static void listener_log(struct gdb_listener *gdb, const char *line)
{
    service_log(gdb->config.service, "gdb: %s", line);
    if (gdb->config.log_line != NULL)
        gdb->config.log_line(gdb->config.ctx, line);
}

static void gdb_log(void *ctx, enum hal_log_level level, const char *line)
{
    (void)ctx;
    (void)level;
    if (logging != NULL)
        listener_log(logging, line);
}

static void gdb_send(void *ctx, const uint8_t *bytes, size_t len)
{
    struct gdb_listener *gdb = ctx;
    if (gdb->client >= 0 && !tcp_client_write(gdb->client, bytes, len))
        gdb->client_lost = true;
}

/* A console line to a client that cannot be served (an `O` packet, which gdb prints), then the connection closes. */
static void gdb_refuse(int fd, const char *why)
{
    char text[200], packet[2 + 2 * sizeof text + 4];
    int len = snprintf(text, sizeof text, "airswd: %s\n", why);
    size_t count = len < 0 ? 0 : (size_t)len < sizeof text ? (size_t)len : sizeof text - 1;
    packet[0] = '$';
    packet[1] = 'O';
    gdb_hex_encode((const uint8_t *)text, count, packet + 2);
    unsigned sum = 0;
    for (size_t i = 1; i < 2 + 2 * count; i++)
        sum += (unsigned char)packet[i];
    size_t at = 2 + 2 * count;
    at += (size_t)snprintf(packet + at, sizeof packet - at, "#%02x", sum & 0xFFu);
    (void)tcp_client_write(fd, (const uint8_t *)packet, at);
    close(fd);
}

static void gdb_refuse_newcomers(struct gdb_listener *gdb)
{
    int other = tcp_listener_accept(&gdb->listener, 0);
    if (other >= 0)
        gdb_refuse(other, "another gdb client holds the target: one debug session at a time");
}

static bool gdb_should_stop(struct gdb_listener *gdb)
{
    return (gdb->config.quit != NULL && gdb->config.quit(gdb->config.ctx)) ||
           !service_security_debug(gdb->config.service);
}

void gdb_listener_init(struct gdb_listener *gdb, const struct gdb_listener_config *config)
{
    memset(gdb, 0, sizeof *gdb);
    gdb->config = *config;
    gdb->listener.fd = -1;
    gdb->client = -1;
    gdb->system = *config->system;
    gdb->system.log = gdb_log;
}

/* One client, until it leaves or debug mode ends. */
static void gdb_serve(struct gdb_listener *gdb, struct gdb_server *session)
{
    service_lock(gdb->config.service);
    uint32_t swclk_hz = gdb->config.service->settings.swclk_hz; /* the SWCLK jobs use: the same for a load */
    service_unlock(gdb->config.service);
    const struct gdb_config config = {
        .swd = gdb->config.swd,
        .system = &gdb->system,
        .pins = gdb->config.pins,
        .version = gdb->config.version,
        .send = gdb_send,
        .send_ctx = gdb,
        .swclk_hz = swclk_hz,
    };
    logging = gdb;
    gdb_server_init(session, &config);
    while (!gdb->client_lost && !gdb_should_stop(gdb)) {
        uint8_t bytes[GDB_RECEIVE_CHUNK];
        /* Quick looks while the core runs, and while a ticked (simulated) target runs its firmware undebugged. */
        bool quick = gdb_server_running(session) || (gdb->config.tick != NULL && !session->attached);
        long got = tcp_client_read(gdb->client, bytes, sizeof bytes, quick ? GDB_RUNNING_POLL_MS : GDB_POLL_MS);
        if (got < 0)
            break;
        if (got > 0)
            gdb_server_receive(session, bytes, (size_t)got);
        if (gdb->config.tick != NULL)
            gdb->config.tick(gdb->config.ctx, gdb_server_running(session) || !session->attached);
        if (gdb_server_running(session))
            gdb_server_poll(session);
        gdb_refuse_newcomers(gdb);
    }
    gdb_server_release(session);
    logging = NULL;
}

/* The port follows debug mode; false while it is closed. */
static bool gdb_follow_debug_mode(struct gdb_listener *gdb)
{
    bool debug = service_security_debug(gdb->config.service);
    bool open = tcp_listener_is_open(&gdb->listener);
    if (debug && !open) {
        char line[80];
        uint32_t a = gdb->config.address;
        bool listening = tcp_listener_open(&gdb->listener, a, gdb->config.port) == 0;
        if (!listening && gdb->open_failed)
            return false; /* said once: tried again at every poll, quietly */
        gdb->open_failed = !listening;
        snprintf(line, sizeof line, "%s %u.%u.%u.%u:%u%s", listening ? "listening on" : "cannot listen on",
                 (unsigned)(a >> 24), (unsigned)(a >> 16) & 0xFFu, (unsigned)(a >> 8) & 0xFFu, (unsigned)a & 0xFFu,
                 listening ? (unsigned)gdb->listener.port : (unsigned)gdb->config.port,
                 listening ? " (debug mode)" : "");
        listener_log(gdb, line);
    } else if (!debug) {
        gdb->open_failed = false;
        if (!open)
            return false;
        tcp_listener_close(&gdb->listener);
        service_log(gdb->config.service, "gdb: port closed (debug mode is off)");
    }
    return tcp_listener_is_open(&gdb->listener);
}

bool gdb_listener_poll(struct gdb_listener *gdb, int timeout_ms)
{
    if (!gdb_follow_debug_mode(gdb))
        return false;
    int client = tcp_listener_accept(&gdb->listener, timeout_ms);
    if (client < 0)
        return true;
    struct status_report report = {0};
    if (service_debug_session_begin(gdb->config.service, &report) != STATUS_OK) {
        gdb_refuse(client, report.detail);
        return true;
    }
    struct gdb_server *session = gdb->config.session_take(gdb->config.ctx);
    if (session == NULL) {
        service_debug_session_end(gdb->config.service);
        gdb_refuse(client, "no memory for a debug session now: try again when the device is less busy");
        return true;
    }
    gdb->client = client;
    gdb->client_lost = false;
    gdb_serve(gdb, session);
    close(client);
    gdb->client = -1;
    gdb->config.session_give(gdb->config.ctx, session);
    service_debug_session_end(gdb->config.service);
    if (gdb->config.released != NULL)
        gdb->config.released(gdb->config.ctx);
    return true;
}

void gdb_listener_close(struct gdb_listener *gdb)
{
    tcp_listener_close(&gdb->listener);
}
