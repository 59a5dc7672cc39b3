/*
 * gdb_listener.h - the GDB server (src/gdb) on a TCP port, as airswdd and the ESP8266 firmware both serve it: the
 * port listens only while the device is in debug mode; one client at a time holds the target as the service's debug
 * session, and a second one is told so and closed. When the client leaves (detach, kill and quit, a dropped
 * connection) or debug mode is turned off, the target is released: comparators cleared, the firmware running.
 *
 * No thread of its own: the owner calls gdb_listener_poll() from the task that is to run debug sessions (airswdd's
 * GDB thread, the ESP8266's job task between jobs); a session runs inside that call until the client leaves.
 */
#ifndef AIRSWD_GDB_LISTENER_H
#define AIRSWD_GDB_LISTENER_H

#include <stdbool.h>
#include <stdint.h>

#include "gdb/gdb_server.h"
#include "hal.h"
#include "service/service.h"
#include "tcp_listener.h"

struct gdb_listener_config {
    struct service *service;
    const struct hal_swd *swd;
    const struct hal_system *system; /* the target's clock; its log is replaced by one into the service's */
    const struct hal_target_pins *pins;
    const char *version;
    uint32_t address; /* IPv4, host byte order */
    uint16_t port;    /* 0: the system picks one */
    /* The engine's state for one client (struct gdb_server, 3.4 KB on the lx106): taken when a client is accepted,
     * given back when it leaves; NULL refuses the client (no memory for a session). */
    struct gdb_server *(*session_take)(void *ctx);
    void (*session_give)(void *ctx, struct gdb_server *session);
    /* Called between looks at the client while a session runs (may be NULL): the simulated chip runs there.
     * target_free: the core runs or nobody attached it, so its firmware should move. */
    void (*tick)(void *ctx, bool target_free);
    /* True when the owner is stopping: the session ends and gdb_listener_poll returns (may be NULL). */
    bool (*quit)(void *ctx);
    /* What the engine cannot tell the client (a failed vFlash, a command refused without a target) goes to the
     * service's log as "gdb: ..." lines, and to this too (may be NULL). */
    void (*log_line)(void *ctx, const char *line);
    /* After a session, once the target runs its firmware again (may be NULL). */
    void (*released)(void *ctx);
    void *ctx;
};

struct gdb_listener {
    struct gdb_listener_config config;
    struct tcp_listener listener;
    int client; /* -1: none */
    bool client_lost;
    bool open_failed; /* the port could not be opened, and the log said so */
    struct hal_system system; /* config.system with the log below */
};

void gdb_listener_init(struct gdb_listener *gdb, const struct gdb_listener_config *config);

/* Opens or closes the port as debug mode is on or off, then waits up to timeout_ms for a client and serves it
 * until it leaves. False, at once, while the port is closed (debug mode off, or the port could not be opened). */
bool gdb_listener_poll(struct gdb_listener *gdb, int timeout_ms);

/* Closes the port (no session runs: call from the task that polls). */
void gdb_listener_close(struct gdb_listener *gdb);

#endif /* AIRSWD_GDB_LISTENER_H */
