/*
 * gdb_server.c - one packet at a time: what each command does to the session, and run control (docs/gdb.md lists
 * the packets). Every command that needs the core answers `E` when there is none, with the reason where it can be
 * read (gdb_console), so that a client that forgot `attach` learns why instead of losing the connection.
 */
#include <stdio.h>
#include <string.h>

#include "cortexm/cortexm_regs.h"
#include "gdb/gdb_server.h"

#define GDB_ERROR_NOT_ATTACHED 0x01u
#define GDB_ERROR_ARGUMENT 0x02u
#define GDB_ERROR_TARGET 0x03u
#define GDB_ERROR_MEMORY 0x0Eu

void gdb_server_init(struct gdb_server *server, const struct gdb_config *config)
{
    memset(server, 0, sizeof *server);
    server->config = *config;
}

bool gdb_server_running(const struct gdb_server *server)
{
    return server->running;
}

void gdb_server_poll(struct gdb_server *server)
{
    if (!server->running)
        return;
    server->console_open = true;
    uint32_t dhcsr = 0;
    if (adi_mem_read32(&server->ap, CORTEXM_DHCSR, &dhcsr) != STATUS_OK) {
        gdb_console_failure(server, "the target stopped answering while it ran");
        server->running = false;
        server->attached = false;
        server->connected = false;
        gdb_send_text(server, "X0b"); /* the process is gone: the client can attach again */
        server->console_open = false;
        return;
    }
    if (dhcsr & CORTEXM_DHCSR_S_RESET_ST)
        server->core.reset_seen = true; /* the bit clears when read: keep what it said */
    if (!(dhcsr & CORTEXM_DHCSR_S_HALT) && (dhcsr & CORTEXM_DHCSR_S_LOCKUP)) {
        /* A fault the core could not take (a bad stack, a fault in its handler): halted where it locked up. */
        gdb_console(server, "the core locked up (a fault it could not handle)\n");
        if (cortexm_halt(&server->core) != STATUS_OK)
            gdb_console_failure(server, "halting the locked-up core");
        server->running = false;
        gdb_send_text(server, "T0bthread:1;");
    } else if (dhcsr & CORTEXM_DHCSR_S_HALT) {
        server->running = false;
        gdb_stop_reply(server);
    }
    server->console_open = false;
}

/* The core goes on from where it is, as if no debugger had come: no comparator, no vector catch, halting debug off
 * (DHCSR written without C_DEBUGEN, which also clears C_HALT). */
void gdb_server_release(struct gdb_server *server)
{
    if (!server->connected)
        return;
    server->running = false;
    gdb_breakpoints_remove_all(server);
    uint32_t demcr = 0;
    enum status status = adi_mem_read32(&server->ap, CORTEXM_DEMCR, &demcr);
    if (status == STATUS_OK)
        status = adi_mem_write32(&server->ap, CORTEXM_DEMCR, demcr & CORTEXM_DEMCR_TRCENA);
    if (status == STATUS_OK)
        status = cortexm_resume(&server->core);
    if (status == STATUS_OK)
        status = adi_mem_write32(&server->ap, CORTEXM_DHCSR, CORTEXM_DHCSR_DBGKEY);
    if (status != STATUS_OK && server->config.system->log != NULL)
        server->config.system->log(server->config.system->ctx, HAL_LOG_WARNING, "gdb: the target was not released");
    server->attached = false;
    server->connected = false;
}

/* ---- commands ---- */

static bool gdb_need_core(struct gdb_server *server)
{
    if (server->attached)
        return true;
    gdb_console(server, "no target attached: `monitor swdp_scan` then `attach 1`\n");
    gdb_send_error(server, GDB_ERROR_NOT_ATTACHED);
    return false;
}

/* m ADDR,LEN */
static void gdb_read_memory(struct gdb_server *server, const char *args)
{
    uint32_t address, len;
    if (!gdb_parse_hex(&args, &address, ',') || !gdb_parse_hex(&args, &len, 0) || *args != '\0') {
        gdb_send_error(server, GDB_ERROR_ARGUMENT);
        return;
    }
    if (len > sizeof server->data)
        len = sizeof server->data; /* a short read: the client asks for the rest */
    if (gdb_memory_read(server, address, server->data, len) != STATUS_OK) {
        gdb_send_error(server, GDB_ERROR_MEMORY);
        return;
    }
    char *body = (char *)server->rx; /* the request is parsed: its buffer takes the reply */
    gdb_hex_encode(server->data, len, body);
    gdb_send_packet(server, body, 2 * len);
}

/* M ADDR,LEN:HEX and X ADDR,LEN:BINARY */
static void gdb_write_memory(struct gdb_server *server, const char *args, bool binary)
{
    uint32_t address, len;
    if (!gdb_parse_hex(&args, &address, ',') || !gdb_parse_hex(&args, &len, ':') || len > sizeof server->data) {
        gdb_send_error(server, GDB_ERROR_ARGUMENT);
        return;
    }
    size_t given = server->rx_len - (size_t)(args - (const char *)server->rx);
    if (binary) {
        given = gdb_unescape_binary((uint8_t *)args, given);
        if (given != len) {
            gdb_send_error(server, GDB_ERROR_ARGUMENT);
            return;
        }
        memcpy(server->data, args, len);
    } else if (given != 2 * (size_t)len || !gdb_hex_decode(args, given, server->data)) {
        gdb_send_error(server, GDB_ERROR_ARGUMENT);
        return;
    }
    if (len != 0 && gdb_memory_write(server, address, server->data, len) != STATUS_OK) {
        gdb_send_error(server, GDB_ERROR_MEMORY);
        return;
    }
    gdb_send_ok(server);
}

static void gdb_resume(struct gdb_server *server, bool step)
{
    enum status status = step ? cortexm_step(&server->core) : cortexm_resume(&server->core);
    if (status != STATUS_OK) {
        gdb_console_failure(server, step ? "step" : "continue");
        gdb_send_error(server, GDB_ERROR_TARGET);
        return;
    }
    server->running = true;
    server->interrupted = false;
    gdb_server_poll(server); /* a step has halted already */
}

/* vCont;ACTION[:THREAD]...: one thread, so the first action is the one. */
static void gdb_vcont(struct gdb_server *server, const char *args)
{
    if (args[0] != ';') {
        gdb_send_error(server, GDB_ERROR_ARGUMENT);
        return;
    }
    char action = args[1];
    if (action == 'c' || action == 'C')
        gdb_resume(server, false);
    else if (action == 's' || action == 'S')
        gdb_resume(server, true);
    else
        gdb_send_error(server, GDB_ERROR_ARGUMENT);
}

/* vAttach;PID and vRun: the one process is the target. vRun starts it from reset. */
static void gdb_attach(struct gdb_server *server, bool from_reset)
{
    enum status status = gdb_target_attach(server);
    if (status == STATUS_OK && from_reset)
        status = cortexm_reset_halt(&server->core, CORTEXM_RESET_SYSRESETREQ);
    if (status != STATUS_OK) {
        gdb_console_failure(server, from_reset ? "run" : "attach");
        gdb_send_error(server, GDB_ERROR_TARGET);
        return;
    }
    gdb_stop_reply(server);
}

/* vKill and k: the firmware starts again from reset, outside debug control; the connection stays. */
static void gdb_kill(struct gdb_server *server, bool reply)
{
    if (server->connected) {
        gdb_breakpoints_remove_all(server);
        if (cortexm_reset_run(&server->core, CORTEXM_RESET_SYSRESETREQ) != STATUS_OK)
            gdb_console_failure(server, "kill");
    }
    server->attached = false;
    server->running = false;
    if (reply)
        gdb_send_ok(server);
}

static void gdb_v_packet(struct gdb_server *server, const char *body, size_t len)
{
    if (strncmp(body, "vFlash", 6) == 0) {
        if (gdb_need_core(server))
            gdb_flash_packet(server, body, len);
    } else if (strcmp(body, "vCont?") == 0) {
        gdb_send_text(server, "vCont;c;C;s;S");
    } else if (strncmp(body, "vCont", 5) == 0) {
        if (gdb_need_core(server))
            gdb_vcont(server, body + 5);
    } else if (strncmp(body, "vAttach;", 8) == 0) {
        gdb_attach(server, false);
    } else if (strncmp(body, "vRun", 4) == 0) {
        gdb_attach(server, true);
    } else if (strncmp(body, "vKill", 5) == 0) {
        gdb_kill(server, true);
    } else if (strcmp(body, "vMustReplyEmpty") == 0) {
        gdb_send_text(server, "");
    } else {
        gdb_send_text(server, ""); /* unknown v packets are answered empty: not supported */
    }
}

/* D: the client leaves; the firmware runs on. */
static void gdb_detach(struct gdb_server *server)
{
    gdb_server_release(server);
    gdb_send_ok(server);
}

/* R: restart from reset, halted; no reply. */
static void gdb_restart(struct gdb_server *server)
{
    if (server->attached && cortexm_reset_halt(&server->core, CORTEXM_RESET_SYSRESETREQ) != STATUS_OK)
        gdb_console_failure(server, "restart");
}

static void gdb_core_packet(struct gdb_server *server, const char *body)
{
    switch (body[0]) {
    case 'g': gdb_registers_read_all(server); return;
    case 'G': gdb_registers_write_all(server, body + 1); return;
    case 'p': gdb_register_read(server, body + 1); return;
    case 'P': gdb_register_write(server, body + 1); return;
    case 'm': gdb_read_memory(server, body + 1); return;
    case 'M': gdb_write_memory(server, body + 1, false); return;
    case 'X': gdb_write_memory(server, body + 1, true); return;
    case 'c':
    case 'C': gdb_resume(server, false); return; /* an address or a signal to deliver are ignored */
    case 's':
    case 'S': gdb_resume(server, true); return;
    case 'Z': gdb_breakpoint_packet(server, true, body + 1); return;
    case 'z': gdb_breakpoint_packet(server, false, body + 1); return;
    default: gdb_send_text(server, ""); return;
    }
}

void gdb_dispatch(struct gdb_server *server)
{
    const char *body = (const char *)server->rx;
    if (server->running && body[0] != 'v' && body[0] != 'q') {
        /* Only a stop (the interrupt byte) or a query may come while the core runs. */
        gdb_send_error(server, GDB_ERROR_TARGET);
        return;
    }
    switch (body[0]) {
    case '?':
        if (server->attached)
            gdb_stop_reply(server);
        else
            gdb_send_text(server, "W00"); /* no process yet: `attach 1` makes one */
        return;
    case 'q':
    case 'Q': gdb_query_packet(server, body); return;
    case 'v': gdb_v_packet(server, body, server->rx_len); return;
    case 'H': gdb_send_ok(server); return; /* one thread */
    case 'T': gdb_send_ok(server); return; /* thread 1 is alive */
    case 'D': gdb_detach(server); return;
    case 'k': gdb_kill(server, false); return;
    case 'R': gdb_restart(server); return;
    case '!': gdb_send_ok(server); return; /* extended mode */
    case 'g':
    case 'G':
    case 'p':
    case 'P':
    case 'm':
    case 'M':
    case 'X':
    case 'c':
    case 'C':
    case 's':
    case 'S':
    case 'Z':
    case 'z':
        if (gdb_need_core(server))
            gdb_core_packet(server, body);
        return;
    default: gdb_send_text(server, ""); return;
    }
}
