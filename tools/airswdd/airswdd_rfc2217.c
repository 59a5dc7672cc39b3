/*
 * airswdd_rfc2217.c - the telnet / RFC 2217 session engine (airswdd_rfc2217.h).
 *
 * Option negotiation follows RFC 854's rule against loops: a request is answered only when it changes the
 * option's state, and a refusal is answered only when the option was in force.
 */
#include "airswdd_rfc2217.h"

#include <string.h>

/* RFC 854 */
#define TELNET_SE 240u
#define TELNET_SB 250u
#define TELNET_WILL 251u
#define TELNET_WONT 252u
#define TELNET_DO 253u
#define TELNET_DONT 254u

#define OPTION_BINARY 0u
#define OPTION_ECHO 1u
#define OPTION_SGA 3u
#define OPTION_COM_PORT 44u

/* RFC 2217: client-to-server command codes; the server answers with the code + 100. */
enum com_port_command {
    COM_PORT_SIGNATURE = 0,
    COM_PORT_SET_BAUDRATE = 1,
    COM_PORT_SET_DATASIZE = 2,
    COM_PORT_SET_PARITY = 3,
    COM_PORT_SET_STOPSIZE = 4,
    COM_PORT_SET_CONTROL = 5,
    COM_PORT_NOTIFY_LINESTATE = 6,
    COM_PORT_NOTIFY_MODEMSTATE = 7,
    COM_PORT_FLOWCONTROL_SUSPEND = 8,
    COM_PORT_FLOWCONTROL_RESUME = 9,
    COM_PORT_SET_LINESTATE_MASK = 10,
    COM_PORT_SET_MODEMSTATE_MASK = 11,
    COM_PORT_PURGE_DATA = 12,
};
#define COM_PORT_SERVER_OFFSET 100u

/* SET-CONTROL values (RFC 2217): the query and the settings of each of the three groups kept. */
#define CONTROL_QUERY_FLOW 0u
#define CONTROL_FLOW_NONE 1u
#define CONTROL_FLOW_LAST 3u
#define CONTROL_QUERY_BREAK 4u
#define CONTROL_BREAK_OFF 6u
#define CONTROL_QUERY_DTR 7u
#define CONTROL_DTR_ON 8u
#define CONTROL_DTR_OFF 9u
#define CONTROL_QUERY_RTS 10u
#define CONTROL_RTS_ON 11u
#define CONTROL_RTS_OFF 12u
#define LINESTATE_TRANSMIT_EMPTY 0x60u /* transfer shift register and holding register empty */
#define MODEMSTATE_DSR_CTS_CD 0xB0u   /* the simulated line is always ready */

#define SIGNATURE "airswd console (simulated STM32 USART1)"

enum session_state { SESSION_DATA, SESSION_IAC, SESSION_OPTION, SESSION_SUB, SESSION_SUB_IAC };

void rfc2217_init(struct rfc2217_session *session, const struct rfc2217_port *port)
{
    memset(session, 0, sizeof *session);
    session->port = port;
    session->control[0] = CONTROL_FLOW_NONE;
    session->control[1] = CONTROL_DTR_ON;
    session->control[2] = CONTROL_RTS_ON;
}

size_t rfc2217_escape(const uint8_t *bytes, size_t len, size_t *used, uint8_t *out, size_t out_size)
{
    size_t at = 0, i = 0;
    for (; i < len; i++) {
        size_t need = bytes[i] == TELNET_IAC ? 2 : 1;
        if (at + need > out_size)
            break;
        if (need == 2)
            out[at++] = TELNET_IAC;
        out[at++] = bytes[i];
    }
    *used = i;
    return at;
}

static void send_option(struct rfc2217_session *session, uint8_t verb, uint8_t option)
{
    const uint8_t reply[3] = {TELNET_IAC, verb, option};
    session->port->to_client(session->port->ctx, reply, sizeof reply);
}

static bool we_support(uint8_t option)
{
    return option == OPTION_BINARY || option == OPTION_ECHO || option == OPTION_SGA || option == OPTION_COM_PORT;
}

static bool they_may(uint8_t option)
{
    return option == OPTION_BINARY || option == OPTION_SGA || option == OPTION_COM_PORT;
}

/* One of WILL, WONT, DO, DONT about option (options past 63 are refused). */
static void negotiate(struct rfc2217_session *session, uint8_t verb, uint8_t option)
{
    bool ours = verb == TELNET_DO || verb == TELNET_DONT; /* the client speaks of our side */
    bool on = verb == TELNET_DO || verb == TELNET_WILL;
    bool supported = option < 64 && (ours ? we_support(option) : they_may(option));
    uint64_t bit = option < 64 ? 1ull << option : 0;
    uint64_t *state = ours ? &session->we_do : &session->they_do;
    bool was_on = (*state & bit) != 0;
    bool now_on = on && supported;
    if (now_on == was_on && !(on && !supported))
        return; /* nothing changes: no answer, or the two sides would answer each other forever */
    if (now_on)
        *state |= bit;
    else
        *state &= ~bit;
    send_option(session, ours ? (now_on ? TELNET_WILL : TELNET_WONT) : (now_on ? TELNET_DO : TELNET_DONT), option);
}

/* IAC SB COM-PORT-OPTION command+100 value... IAC SE, with IACs in the value doubled. */
static void send_com_port(struct rfc2217_session *session, uint8_t command, const uint8_t *value, size_t len)
{
    uint8_t reply[8 + 2 * sizeof SIGNATURE] = {TELNET_IAC, TELNET_SB, OPTION_COM_PORT,
                                               (uint8_t)(command + COM_PORT_SERVER_OFFSET)};
    size_t used, at = 4;
    at += rfc2217_escape(value, len, &used, reply + at, sizeof reply - at - 2);
    reply[at++] = TELNET_IAC;
    reply[at++] = TELNET_SE;
    session->port->to_client(session->port->ctx, reply, at);
}

static void send_com_port_byte(struct rfc2217_session *session, uint8_t command, uint8_t value)
{
    send_com_port(session, command, &value, 1);
}

static void set_baud(struct rfc2217_session *session, struct console_line_settings *settings)
{
    const uint8_t *value = session->sub + 2;
    if (session->sub_len >= 6) {
        uint32_t baud = (uint32_t)value[0] << 24 | (uint32_t)value[1] << 16 | (uint32_t)value[2] << 8 | value[3];
        if (baud != 0)
            settings->baud = baud;
    }
    const uint8_t reply[4] = {(uint8_t)(settings->baud >> 24), (uint8_t)(settings->baud >> 16),
                              (uint8_t)(settings->baud >> 8), (uint8_t)settings->baud};
    send_com_port(session, COM_PORT_SET_BAUDRATE, reply, sizeof reply);
}

/* The settings of one line parameter: a value in [low, high] sets it, anything else (0 asks) leaves it. */
static uint8_t set_line_value(uint8_t value, uint8_t low, uint8_t high, uint8_t current)
{
    return value >= low && value <= high ? value : current;
}

static uint8_t set_control(struct rfc2217_session *session, uint8_t value)
{
    if (value == CONTROL_QUERY_FLOW || value == CONTROL_QUERY_DTR || value == CONTROL_QUERY_RTS)
        return session->control[value == CONTROL_QUERY_FLOW ? 0 : value == CONTROL_QUERY_DTR ? 1 : 2];
    if (value >= CONTROL_FLOW_NONE && value <= CONTROL_FLOW_LAST)
        return session->control[0] = value;
    if (value == CONTROL_DTR_ON || value == CONTROL_DTR_OFF)
        return session->control[1] = value;
    if (value == CONTROL_RTS_ON || value == CONTROL_RTS_OFF)
        return session->control[2] = value;
    if (value > CONTROL_RTS_OFF) /* the inbound flow control group: acknowledged, not kept */
        return value;
    return CONTROL_BREAK_OFF; /* a break is not sent on the simulated line */
}

/* A complete COM-PORT subnegotiation: sub[0] is the option, sub[1] the command, the value follows. */
static void com_port_command(struct rfc2217_session *session)
{
    if (session->sub_len < 2 || session->sub[0] != OPTION_COM_PORT)
        return;
    const struct rfc2217_port *port = session->port;
    uint8_t command = session->sub[1];
    uint8_t value = session->sub_len > 2 ? session->sub[2] : 0;
    struct console_line_settings settings, before;
    port->get_settings(port->ctx, &settings);
    before = settings;
    switch (command) {
    case COM_PORT_SIGNATURE:
        send_com_port(session, command, (const uint8_t *)SIGNATURE, strlen(SIGNATURE));
        break;
    case COM_PORT_SET_BAUDRATE: set_baud(session, &settings); break;
    case COM_PORT_SET_DATASIZE:
        settings.data_bits = set_line_value(value, 5, 8, settings.data_bits);
        send_com_port_byte(session, command, settings.data_bits);
        break;
    case COM_PORT_SET_PARITY: /* 1 NONE, 2 ODD, 3 EVEN, 4 MARK, 5 SPACE */
        settings.parity = (enum console_parity)(set_line_value(value, 1, 5, (uint8_t)(settings.parity + 1)) - 1);
        send_com_port_byte(session, command, (uint8_t)(settings.parity + 1));
        break;
    case COM_PORT_SET_STOPSIZE: { /* 1: one, 2: two, 3: one and a half */
        static const uint8_t half_bits[4] = {0, 2, 4, 3};
        uint8_t current = settings.stop_half_bits == 4 ? 2 : settings.stop_half_bits == 3 ? 3 : 1;
        uint8_t stop = set_line_value(value, 1, 3, current);
        settings.stop_half_bits = half_bits[stop];
        send_com_port_byte(session, command, stop);
        break;
    }
    case COM_PORT_SET_CONTROL: send_com_port_byte(session, command, set_control(session, value)); break;
    case COM_PORT_NOTIFY_LINESTATE: send_com_port_byte(session, command, LINESTATE_TRANSMIT_EMPTY); break;
    case COM_PORT_NOTIFY_MODEMSTATE: send_com_port_byte(session, command, MODEMSTATE_DSR_CTS_CD); break;
    case COM_PORT_FLOWCONTROL_SUSPEND: session->suspended = true; break;
    case COM_PORT_FLOWCONTROL_RESUME: session->suspended = false; break;
    case COM_PORT_SET_LINESTATE_MASK:
    case COM_PORT_SET_MODEMSTATE_MASK: send_com_port_byte(session, command, value); break;
    case COM_PORT_PURGE_DATA: /* 1: the access server's receive buffer, 2: its transmit buffer, 3: both */
        if (value < 1 || value > 3)
            break; /* no such buffer: nothing purged, nothing to acknowledge */
        port->purge(port->ctx, value != 2, value != 1);
        send_com_port_byte(session, command, value);
        break;
    default: break; /* unknown commands are ignored (RFC 2217) */
    }
    if (memcmp(&settings, &before, sizeof settings) != 0)
        port->set_settings(port->ctx, &settings);
}

static void sub_byte(struct rfc2217_session *session, uint8_t byte)
{
    if (session->sub_len < sizeof session->sub)
        session->sub[session->sub_len++] = byte;
}

void rfc2217_receive(struct rfc2217_session *session, const uint8_t *bytes, size_t len)
{
    size_t data_start = 0; /* a run of plain data goes to the line in one call */
    for (size_t i = 0; i < len; i++) {
        uint8_t byte = bytes[i];
        switch (session->state) {
        case SESSION_DATA:
            if (byte != TELNET_IAC)
                continue;
            if (i > data_start)
                session->port->to_line(session->port->ctx, bytes + data_start, i - data_start);
            session->state = SESSION_IAC;
            break;
        case SESSION_IAC:
            session->state = SESSION_DATA;
            if (byte == TELNET_IAC) {
                session->port->to_line(session->port->ctx, &byte, 1);
            } else if (byte >= TELNET_WILL) {
                session->verb = byte;
                session->state = SESSION_OPTION;
            } else if (byte == TELNET_SB) {
                session->sub_len = 0;
                session->state = SESSION_SUB;
            } /* other commands (NOP, AYT, BRK...) carry nothing for the line */
            break;
        case SESSION_OPTION:
            negotiate(session, session->verb, byte);
            session->state = SESSION_DATA;
            break;
        case SESSION_SUB:
            if (byte == TELNET_IAC)
                session->state = SESSION_SUB_IAC;
            else
                sub_byte(session, byte);
            break;
        case SESSION_SUB_IAC:
            if (byte == TELNET_SE) {
                com_port_command(session);
                session->state = SESSION_DATA;
            } else {
                sub_byte(session, byte); /* IAC IAC: a 255 in the value */
                session->state = SESSION_SUB;
            }
            break;
        default: session->state = SESSION_DATA; break;
        }
        data_start = i + 1;
    }
    if (session->state == SESSION_DATA && len > data_start)
        session->port->to_line(session->port->ctx, bytes + data_start, len - data_start);
}
