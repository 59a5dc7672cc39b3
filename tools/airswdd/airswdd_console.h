/*
 * airswdd_console.h - the console bridge of airswdd: the target's USART1 as a byte stream on a raw TCP port and on
 * an RFC 2217 port (docs/console.md). Both ports listen only while debug mode is on, since what a client types
 * reaches the firmware.
 *
 * Three parts, one file each: the line into the chip (airswdd_console_line.c: the bytes clients send, paced at the
 * line's baud rate in the chip's time), the output history (airswdd_console_output.c: what the chip sent, kept so
 * that a client that connects late sees the recent lines), and the telnet / RFC 2217 engine
 * (airswdd_rfc2217.c, no sockets inside). airswdd_console.c serves the ports on a thread of its own.
 */
#ifndef AIRSWDD_CONSOLE_H
#define AIRSWDD_CONSOLE_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tcp_listener.h"

struct api_console;
struct service;
struct sim_stm32;

#define CONSOLE_RAW_PORT_DEFAULT 2323     /* esp-link's and ser2net's habit */
#define CONSOLE_RFC2217_PORT_DEFAULT 2217 /* the port RFC 2217 servers usually take */
#define CONSOLE_CLIENTS 4                 /* on both ports together */
#define CONSOLE_HISTORY_BYTES 16384u      /* the chip's latest output, replayed to a client that connects */
#define CONSOLE_LINE_QUEUE_BYTES 4096u    /* bytes from clients waiting for the line */
#define CONSOLE_DEFAULT_BAUD 115200u      /* the example firmware's, and the usual one */

/* ---- the line's settings: what an RFC 2217 client sets, and what paces the bytes into the chip ---- */
enum console_parity { CONSOLE_PARITY_NONE, CONSOLE_PARITY_ODD, CONSOLE_PARITY_EVEN, CONSOLE_PARITY_MARK,
                      CONSOLE_PARITY_SPACE };

struct console_line_settings {
    uint32_t baud;
    uint8_t data_bits; /* 5 to 8 */
    enum console_parity parity;
    uint8_t stop_half_bits; /* 2: one stop bit, 3: one and a half, 4: two */
};

/* "115200 baud 8N1" */
void console_line_settings_format(const struct console_line_settings *settings, char *text, size_t size);

/* ---- the line into the chip (one per daemon) ---- */

/* Connects the line to the simulated chip's USART1: the chip takes each queued byte one frame after the previous
 * one, in its own time, whichever thread drives it (the console thread, a job, a gdb session). */
bool console_line_attach(struct sim_stm32 *sim);
/* A byte the chip sent on USART1, as the line's end reads it (on the thread that drives the chip). */
uint8_t console_line_from_chip(const struct sim_stm32 *sim, uint8_t byte);
/* How many bytes the queue takes now; then queues them (what does not fit is dropped: ask first). */
size_t console_line_room(void);
void console_line_send(const uint8_t *bytes, size_t len);
/* Drops the bytes still waiting. */
void console_line_purge(void);
/* While held, the bytes wait whenever the chip runs its ROM bootloader (a job through it holds the line). */
void console_line_hold(bool held);
void console_line_get(struct console_line_settings *settings);
void console_line_set(const struct console_line_settings *settings);

/* ---- the chip's output (one per daemon) ---- */

/* A byte the chip sent on USART1 (any thread). */
void console_output_push(uint8_t byte);
/* Where a client that connects now starts reading: the oldest byte kept. */
uint64_t console_output_oldest(void);
/* The end of the output: where a client that wants nothing old starts. */
uint64_t console_output_end(void);
/* Copies up to len bytes from *cursor on and moves *cursor past them; a cursor the history has left behind
 * first jumps to the oldest byte kept (the client lost what lay between). */
size_t console_output_read(uint64_t *cursor, uint8_t *bytes, size_t len);

/* ---- the console thread ---- */

struct airswdd_console {
    struct service *service;
    struct sim_stm32 *sim; /* NULL: no console (only the simulated target has a USART model for now) */
    uint32_t address;      /* IPv4, host byte order: the HTTP server's (--listen) */
    uint16_t raw_port, rfc2217_port;

    pthread_t thread;
    pthread_mutex_t mutex; /* guards quit */
    bool quit;
    struct tcp_listener raw, rfc2217;
    bool listen_failed; /* a port was taken: said once */
};
bool airswdd_console_start(struct airswdd_console *console);
/* The job thread, around jobs whose transport setting may use the ROM bootloader (uart, auto): the bootloader's
 * USART1 is the job's, so what clients type waits until it ends (the log says so while the console is open). */
void airswdd_console_hold_for_job(struct service *service, bool held);
/* The console in the API (GET /api/v1/events?console=, POST /api/v1/console), for the device's config. */
extern const struct api_console airswdd_console_api;
/* A page has read the console within the last second: the chip runs for it, and the HTTP loop turns quicker, so that
 * the output keeps up with the line. */
bool airswdd_console_web_active(void);
void airswdd_console_stop(struct airswdd_console *console);

#endif /* AIRSWDD_CONSOLE_H */
