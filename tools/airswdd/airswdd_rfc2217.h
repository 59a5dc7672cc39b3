/*
 * airswdd_rfc2217.h - the server side of a telnet session with the COM-PORT option (RFC 854/855, RFC 2217), as a
 * byte-stream engine without sockets: bytes from the client go in, and out come the data for the serial line, the
 * answers for the client, and the line settings the client asks for.
 *
 * Telnet options agreed to: BINARY (0), ECHO (1, claimed so that a telnet client sends characters at once; the
 * echo, if any, is the firmware's), SUPPRESS-GO-AHEAD (3) and COM-PORT-OPTION (44); every other one is refused.
 * COM-PORT commands answered: SIGNATURE, SET-BAUDRATE, SET-DATASIZE, SET-PARITY, SET-STOPSIZE, SET-CONTROL,
 * NOTIFY-LINESTATE, NOTIFY-MODEMSTATE, FLOWCONTROL-SUSPEND/RESUME, SET-LINESTATE-MASK, SET-MODEMSTATE-MASK and
 * PURGE-DATA. A value of 0 asks for the current setting. There is no break, no modem line and no flow control on
 * the simulated line: DTR/RTS and flow control settings are acknowledged and kept, nothing more.
 */
#ifndef AIRSWDD_RFC2217_H
#define AIRSWDD_RFC2217_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "airswdd_console.h"

#define TELNET_IAC 255u
#define RFC2217_SUBNEGOTIATION_MAX 32u /* longer ones (a client's signature) are cut */

/* What the session drives. Every callback is called from rfc2217_receive(). */
struct rfc2217_port {
    void *ctx;
    void (*to_line)(void *ctx, const uint8_t *bytes, size_t len);
    void (*to_client)(void *ctx, const uint8_t *bytes, size_t len);
    void (*get_settings)(void *ctx, struct console_line_settings *settings);
    void (*set_settings)(void *ctx, const struct console_line_settings *settings);
    /* PURGE-DATA: the data from the chip not yet sent to this client, the data not yet sent to the chip. */
    void (*purge)(void *ctx, bool from_chip, bool to_chip);
};

struct rfc2217_session {
    const struct rfc2217_port *port;
    uint8_t state;
    uint8_t verb; /* WILL, WONT, DO or DONT, waiting for its option */
    uint8_t sub[RFC2217_SUBNEGOTIATION_MAX];
    size_t sub_len;
    uint64_t we_do, they_do; /* options 0..63 in force on our side and on the client's */
    uint8_t control[3];       /* the flow control, DTR and RTS settings last set, as SET-CONTROL values */
    bool suspended;           /* FLOWCONTROL-SUSPEND: the client wants no data for now */
};

void rfc2217_init(struct rfc2217_session *session, const struct rfc2217_port *port);
/* Bytes from the client. At most len bytes reach to_line, so a caller that hands over no more than the line's room
 * loses nothing. */
void rfc2217_receive(struct rfc2217_session *session, const uint8_t *bytes, size_t len);
/* Data for the client with every IAC doubled; returns the bytes written to out, taking as many of bytes (*used) as
 * fit in out_size. */
size_t rfc2217_escape(const uint8_t *bytes, size_t len, size_t *used, uint8_t *out, size_t out_size);

#endif /* AIRSWDD_RFC2217_H */
