/*
 * gdb_server.h - the GDB remote serial protocol over a byte stream, debugging an STM32 through SWD (docs/gdb.md).
 *
 * The engine knows no sockets: the port feeds it what the client sent (gdb_server_receive) and gives it the bytes
 * to send through config.send. While the target runs (after `c` or `s`), the port calls gdb_server_poll() often;
 * it looks at the core once and sends the stop reply when the core halted. The interrupt byte 0x03 halts it.
 *
 * The session speaks to one client. It attaches to the target when the client asks (`monitor swdp_scan`,
 * vAttach, vRun) and gives the target back with gdb_server_release(): comparators cleared, the core running its
 * firmware outside debug control. Memory is fixed: one packet in, one packet out, GDB_PACKET_MAX bytes each.
 */
#ifndef AIRSWD_GDB_SERVER_H
#define AIRSWD_GDB_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "adi/adi_dp.h"
#include "adi/adi_mem_ap.h"
#include "airswd_config.h"
#include "cortexm/cortexm.h"
#include "hal.h"
#include "status.h"
#include "stm32/stm32_target.h"
#include "swd/swd.h"

/* The largest packet body either way (qSupported's PacketSize). Sized for the ESP8266: a TCP segment's worth. */
#ifndef GDB_PACKET_MAX
#define GDB_PACKET_MAX 1024u
#endif
/* Software breakpoints (BKPT written into RAM) the session remembers. */
#define GDB_SOFTWARE_BREAKPOINTS 8u
#define GDB_MAX_COMPARATORS 8u
/* Contiguous runs of flash a load programs, each verified by its CRC-32 at vFlashDone (a section per run). */
#define GDB_FLASH_RUNS 8u
#define GDB_INTERRUPT_BYTE 0x03u

struct gdb_config {
    const struct hal_swd *swd;
    const struct hal_system *system;    /* the target's clock (chip time on the simulator) */
    const struct hal_target_pins *pins; /* may be NULL: no NRST */
    const char *version;                /* `monitor version` */
    /* Sends bytes to the client; the engine sends each packet whole. */
    void (*send)(void *ctx, const uint8_t *bytes, size_t len);
    void *send_ctx;
    uint32_t swclk_hz; /* SWCLK at connect (0: the port's default); `monitor frequency` changes it */
};

struct gdb_software_breakpoint {
    uint32_t address; /* 0: free */
    uint16_t saved;   /* the instruction the BKPT replaced */
};

struct gdb_flash_run {
    uint32_t base, len;
    uint32_t crc; /* CRC-32 of the bytes programmed, padding included */
};

struct gdb_watchpoint {
    uint32_t address;
    uint32_t length;
    uint8_t kind; /* 0: free; else the Z type 2, 3 or 4 */
};

enum gdb_receive_state { GDB_RX_IDLE, GDB_RX_BODY, GDB_RX_CHECKSUM_HIGH, GDB_RX_CHECKSUM_LOW };

struct gdb_server {
    struct gdb_config config;

    /* The packet being received, and the one sent last (sent again on a NAK). */
    enum gdb_receive_state rx_state;
    uint8_t rx[GDB_PACKET_MAX + 1]; /* +1: a NUL after the body */
    size_t rx_len;
    bool rx_overflow;
    uint8_t rx_sum, rx_checksum;
    bool rx_checksum_bad; /* a checksum digit that is not hex */
    uint8_t tx[GDB_PACKET_MAX + 4]; /* '$' body '#' and two checksum digits */
    size_t tx_len;
    bool no_ack;
    bool client_swbreak, client_hwbreak; /* the client takes these stop reasons (qSupported) */
    /* `O` packets are read by the client only before the reply to qRcmd and while the core runs; any other time
     * console text goes to the port's log instead. */
    bool console_open;

    /* The target. */
    struct status_report report;
    struct swd swd;
    struct adi_dp dp;
    struct adi_mem_ap ap;
    struct cortexm core;
    struct stm32_target target;
    bool connected; /* swd..target are valid */
    bool attached;  /* the client debugs the core (vAttach, vRun): it stays halted unless the client runs it */
    bool running;   /* `c` or `s` sent no stop reply yet */
    bool interrupted; /* the interrupt byte halted it: the stop reply says SIGINT, as for a Ctrl-C in a terminal */
    bool connect_under_reset;
    uint32_t hardware_breakpoints[GDB_MAX_COMPARATORS]; /* address | 1 when used */
    struct gdb_software_breakpoint software_breakpoints[GDB_SOFTWARE_BREAKPOINTS];
    struct gdb_watchpoint watchpoints[GDB_MAX_COMPARATORS];

    /* vFlashWrite: bytes short of a whole program unit wait here for the next write or vFlashDone. */
    bool flash_open;
    uint32_t flash_pending_address;
    uint8_t flash_pending[AIRSWD_IMAGE_MAX_PROGRAM_UNIT];
    uint32_t flash_pending_len;
    struct gdb_flash_run flash_runs[GDB_FLASH_RUNS];
    unsigned flash_run_count;
    bool flash_runs_lost; /* more runs than GDB_FLASH_RUNS: the load is not verified */
    /* The last load, for `monitor stats`: from its first vFlash packet to the end of vFlashDone, target time. */
    uint64_t flash_started_us;
    uint64_t load_us;
    uint32_t load_bytes, load_units;

    uint8_t data[GDB_PACKET_MAX / 2]; /* memory on its way to or from hex */
};

void gdb_server_init(struct gdb_server *server, const struct gdb_config *config);

/* Takes bytes from the client: packets, acks, the interrupt byte. Answers through config.send. */
void gdb_server_receive(struct gdb_server *server, const uint8_t *bytes, size_t len);

/* While gdb_server_running(): looks once whether the core halted and sends the stop reply if it did. */
void gdb_server_poll(struct gdb_server *server);
bool gdb_server_running(const struct gdb_server *server);

/* The client left (detach, a closed connection, silence): every comparator and software breakpoint is removed and
 * the core runs its firmware outside debug control. Safe to call when nothing is attached. */
void gdb_server_release(struct gdb_server *server);

/* ---- inside the engine (gdb_*.c) ---- */

/* Acts on the packet in rx (gdb_server.c); gdb_packet.c calls it for each packet that passed its checksum. */
void gdb_dispatch(struct gdb_server *server);

/* Packet output. */
void gdb_send_packet(struct gdb_server *server, const char *body, size_t len);
void gdb_send_text(struct gdb_server *server, const char *body);
void gdb_send_ok(struct gdb_server *server);
void gdb_send_error(struct gdb_server *server, unsigned code);
/* An `O` packet: text shown on the client's console (or the port's log, when the client would not read it). */
void gdb_console(struct gdb_server *server, const char *format, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
/* The last failure's words on the console. */
void gdb_console_failure(struct gdb_server *server, const char *doing);

/* Hex: digits to bytes (false on a bad digit), bytes to lowercase digits (out holds 2 * len). */
bool gdb_hex_decode(const char *hex, size_t digits, uint8_t *out);
void gdb_hex_encode(const uint8_t *bytes, size_t len, char *out);
/* A hex number up to a byte of stop (any non-hex byte when stop is 0); advances *text past it. */
bool gdb_parse_hex(const char **text, uint32_t *value, char stop);
/* The escaped binary of X and vFlashWrite, decoded in place; returns the decoded length. */
size_t gdb_unescape_binary(uint8_t *bytes, size_t len);

/* The target (gdb_target.c). */
enum status gdb_target_connect(struct gdb_server *server);
enum status gdb_target_attach(struct gdb_server *server);
enum status gdb_memory_read(struct gdb_server *server, uint32_t address, uint8_t *bytes, uint32_t len);
enum status gdb_memory_write(struct gdb_server *server, uint32_t address, const uint8_t *bytes, uint32_t len);
void gdb_stop_reply(struct gdb_server *server);

/* Registers (gdb_registers.c). */
void gdb_registers_read_all(struct gdb_server *server);
void gdb_registers_write_all(struct gdb_server *server, const char *hex);
void gdb_register_read(struct gdb_server *server, const char *args);
void gdb_register_write(struct gdb_server *server, const char *args);

/* Breakpoints and watchpoints (gdb_breakpoints.c): `Z` and `z` with their arguments. */
void gdb_breakpoint_packet(struct gdb_server *server, bool insert, const char *args);
void gdb_breakpoints_remove_all(struct gdb_server *server);
/* The address of the watchpoint that stopped the core; false when none matched. */
bool gdb_watchpoint_hit(struct gdb_server *server, uint32_t *address, unsigned *kind);

/* Queries and v packets (gdb_query.c, gdb_flash.c, gdb_monitor.c). */
void gdb_query_packet(struct gdb_server *server, const char *body);
void gdb_flash_packet(struct gdb_server *server, const char *body, size_t len);
void gdb_monitor_command(struct gdb_server *server, const char *command);

#endif /* AIRSWD_GDB_SERVER_H */
