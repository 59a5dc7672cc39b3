/*
 * swd.h - the SWD wire, host side: packets, parity, turnaround, ACK, WAIT, and the line sequences that select and
 * reset the debug port.
 *
 * One struct swd per wire. It knows nothing about what the registers mean (that is src/adi); it moves 32-bit values
 * to and from the four DP and four AP register addresses, repeats packets answered WAIT for a bounded time, and
 * reports every other outcome as a status.
 */
#ifndef AIRSWD_SWD_H
#define AIRSWD_SWD_H

#include <stdbool.h>
#include <stdint.h>

#include "hal.h"
#include "status.h"

enum swd_port { SWD_DP = 0, SWD_AP = 1 };

/* Request bits (ARM ADIv5 B4.2): start, APnDP, RnW, A[2], A[3], parity, stop, park. LSB goes out first. */
#define SWD_REQUEST_START 0x01u
#define SWD_REQUEST_APNDP 0x02u
#define SWD_REQUEST_RNW 0x04u
#define SWD_REQUEST_A2 0x08u
#define SWD_REQUEST_A3 0x10u
#define SWD_REQUEST_PARITY 0x20u
#define SWD_REQUEST_PARK 0x80u

/* What the wire has seen since swd_init(); the fault-injection tests compare these with what was injected. */
struct swd_stats {
    uint32_t packets;
    uint32_t waits;           /* WAIT answers (each one repeated) */
    uint32_t faults;          /* FAULT answers */
    uint32_t no_response;     /* ACK 0b111 */
    uint32_t protocol_errors; /* ACK none of OK, WAIT, FAULT, 0b111 */
    uint32_t parity_errors;   /* read data with bad parity */
    uint32_t line_resets;
};

/* Trace of what went over the wire, for debugging and for the sigrok comparison test. */
enum swd_trace_kind { SWD_TRACE_PACKET, SWD_TRACE_LINE_RESET, SWD_TRACE_JTAG_TO_SWD, SWD_TRACE_DORMANT_TO_SWD };

struct swd_trace_event {
    enum swd_trace_kind kind;
    /* Packets only: */
    enum swd_port port;
    bool read;
    uint8_t addr;      /* 0x0, 0x4, 0x8 or 0xC */
    unsigned ack;      /* the three ACK bits as received */
    uint32_t data;     /* as sent, or as received (also when the parity was bad) */
    bool parity_error;
};

typedef void (*swd_trace_fn)(void *user, const struct swd_trace_event *event);

struct swd {
    const struct hal_swd *pins;
    const struct hal_system *system;
    struct status_report *report;
    uint8_t idle_cycles;         /* SWDIO-low cycles after each packet */
    uint32_t wait_timeout_ms;
    uint32_t connect_timeout_ms;
    struct swd_stats stats;
    swd_trace_fn trace;          /* may be NULL */
    void *trace_user;
};

/* Prepares a wire with the limits of airswd_config.h. report may be NULL. Clocks nothing. */
void swd_init(struct swd *swd, const struct hal_swd *pins, const struct hal_system *system,
              struct status_report *report);

/* Asks the port for an SWCLK frequency; returns the one in effect (0 when the port cannot tell). */
uint32_t swd_set_clock_hz(struct swd *swd, uint32_t hz);

/* The 8-bit request for an access, with its parity. addr is 0x0, 0x4, 0x8 or 0xC. */
uint8_t swd_request(enum swd_port port, bool read, uint8_t addr);

/* Even parity of a 32-bit word: the bit that makes the count of ones even. */
bool swd_parity32(uint32_t value);

/* ---- Line sequences (ADIv5 B4.3, ADIv6 B5) ---- */

/* >= 50 cycles high then idle low: resets the SW-DP protocol. The next packet must be a DPIDR read. */
void swd_line_reset(struct swd *swd);
/* Selects SWD on an SWJ-DP that is in JTAG mode, followed by a line reset. */
void swd_jtag_to_swd(struct swd *swd);
/* Wakes a dormant DPv2 debug port and selects SWD (selection alert, SW-DP activation code), then a line reset. */
void swd_dormant_to_swd(struct swd *swd);

/* ---- Packets ---- */

/* One packet with no retry: the ACK bits as received, or-ed with HAL_SWD_PARITY_ERROR on a read whose data failed
 * its parity. For a write, *data is sent; for a read answered OK, *data receives the value. */
unsigned swd_packet(struct swd *swd, uint8_t request, uint32_t *data);

/* A register read or write. WAIT answers are repeated for up to wait_timeout_ms. Returns STATUS_OK,
 * STATUS_FAULT, STATUS_NO_RESPONSE, STATUS_PROTOCOL_ERROR, STATUS_PARITY_ERROR (read: *value holds the suspect
 * data), STATUS_WAIT_TIMEOUT or STATUS_CANCELLED. After NO_RESPONSE or PROTOCOL_ERROR the wire is out of step and
 * only swd_resync() or swd_connect() bring it back. */
enum status swd_read(struct swd *swd, enum swd_port port, uint8_t addr, uint32_t *value);
enum status swd_write(struct swd *swd, enum swd_port port, uint8_t addr, uint32_t value);

/* Brings up the link with a target in any state (JTAG, SWD, dormant): tries JTAG-to-SWD and dormant-to-SWD in turn,
 * each followed by a DPIDR read, for up to connect_timeout_ms. On success *dpidr holds the DPIDR. */
enum status swd_connect(struct swd *swd, uint32_t *dpidr);

/* Puts the wire back in step after a lost or garbled ACK: enough high cycles to outlast a data phase the target may
 * still be driving, a line reset, and the DPIDR read the SW-DP requires after it; falls back to swd_connect(). */
enum status swd_resync(struct swd *swd);

#endif /* AIRSWD_SWD_H */
