/*
 * gdb_packet.c - the remote protocol's framing: `$body#xx` with a modulo-256 checksum, `+`/`-` acknowledgements
 * until QStartNoAckMode, binary escapes, and hex. Packets that fail their checksum are NAKed and dropped; a body
 * longer than GDB_PACKET_MAX is dropped whole and answered with an error, never cut.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "gdb/gdb_server.h"
#include "hex.h"

#define GDB_ESCAPE 0x7Du
#define GDB_ESCAPE_XOR 0x20u

void gdb_send_packet(struct gdb_server *server, const char *body, size_t len)
{
    static const char digits[] = "0123456789abcdef";
    if (len > GDB_PACKET_MAX)
        len = GDB_PACKET_MAX; /* callers size their replies; this only keeps tx whole */
    uint8_t sum = 0;
    server->tx[0] = '$';
    for (size_t i = 0; i < len; i++) {
        server->tx[1 + i] = (uint8_t)body[i];
        sum = (uint8_t)(sum + (uint8_t)body[i]);
    }
    server->tx[1 + len] = '#';
    server->tx[2 + len] = (uint8_t)digits[sum >> 4];
    server->tx[3 + len] = (uint8_t)digits[sum & 0xFu];
    server->tx_len = len + 4;
    server->config.send(server->config.send_ctx, server->tx, server->tx_len);
}

void gdb_send_text(struct gdb_server *server, const char *body)
{
    gdb_send_packet(server, body, strlen(body));
}

void gdb_send_ok(struct gdb_server *server)
{
    gdb_send_text(server, "OK");
}

void gdb_send_error(struct gdb_server *server, unsigned code)
{
    char body[4];
    snprintf(body, sizeof body, "E%02x", code & 0xFFu);
    gdb_send_text(server, body);
}

void gdb_console(struct gdb_server *server, const char *format, ...)
{
    char text[(GDB_PACKET_MAX - 1) / 2];
    va_list args;
    va_start(args, format);
    int len = vsnprintf(text, sizeof text, format, args);
    va_end(args);
    if (len < 0)
        return;
    if ((size_t)len >= sizeof text)
        len = (int)sizeof text - 1;
    if (!server->console_open) {
        const struct hal_system *system = server->config.system;
        while (len > 0 && text[len - 1] == '\n')
            text[--len] = '\0';
        if (system->log != NULL)
            system->log(system->ctx, HAL_LOG_INFO, text);
        return;
    }
    char body[GDB_PACKET_MAX];
    body[0] = 'O';
    gdb_hex_encode((const uint8_t *)text, (size_t)len, body + 1);
    gdb_send_packet(server, body, 1 + 2 * (size_t)len);
}

void gdb_console_failure(struct gdb_server *server, const char *doing)
{
    char text[AIRSWD_STATUS_DETAIL_MAX + 256];
    gdb_console(server, "%s: %s\n", doing, status_format(&server->report, text, sizeof text));
}

bool gdb_hex_decode(const char *hex, size_t digits, uint8_t *out)
{
    if (digits % 2 != 0)
        return false;
    for (size_t i = 0; i < digits; i += 2) {
        int high = hex_digit_value((unsigned char)hex[i]), low = hex_digit_value((unsigned char)hex[i + 1]);
        if (high < 0 || low < 0)
            return false;
        out[i / 2] = (uint8_t)(high << 4 | low);
    }
    return true;
}

void gdb_hex_encode(const uint8_t *bytes, size_t len, char *out)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < len; i++) {
        out[2 * i] = digits[bytes[i] >> 4];
        out[2 * i + 1] = digits[bytes[i] & 0xFu];
    }
}

bool gdb_parse_hex(const char **text, uint32_t *value, char stop)
{
    const char *at = *text;
    uint32_t result = 0;
    unsigned digits = 0;
    for (int digit; (digit = hex_digit_value((unsigned char)*at)) >= 0; at++, digits++) {
        if (digits == 8)
            return false; /* more than 32 bits */
        result = result << 4 | (uint32_t)digit;
    }
    if (digits == 0 || (stop != 0 && *at != stop))
        return false;
    *value = result;
    *text = stop != 0 ? at + 1 : at;
    return true;
}

size_t gdb_unescape_binary(uint8_t *bytes, size_t len)
{
    size_t out = 0;
    for (size_t i = 0; i < len; i++) {
        if (bytes[i] != GDB_ESCAPE)
            bytes[out++] = bytes[i];
        else if (i + 1 < len) /* an escape with nothing after it escapes nothing: dropped */
            bytes[out++] = bytes[++i] ^ GDB_ESCAPE_XOR;
    }
    return out;
}

/* ---- receiving ---- */

static void gdb_packet_complete(struct gdb_server *server)
{
    bool good = !server->rx_checksum_bad && server->rx_checksum == server->rx_sum;
    if (!server->no_ack) {
        const uint8_t ack = good ? '+' : '-';
        server->config.send(server->config.send_ctx, &ack, 1);
    }
    if (!good)
        return;
    if (server->rx_overflow) {
        gdb_console(server, "a packet longer than PacketSize (%u bytes) was dropped\n", GDB_PACKET_MAX);
        gdb_send_error(server, 0x0E);
        return;
    }
    server->rx[server->rx_len] = '\0';
    gdb_dispatch(server);
}

static void gdb_receive_byte(struct gdb_server *server, uint8_t byte)
{
    switch (server->rx_state) {
    case GDB_RX_IDLE:
        if (byte == '$') {
            server->rx_state = GDB_RX_BODY;
            server->rx_len = 0;
            server->rx_sum = 0;
            server->rx_overflow = false;
        } else if (byte == '-' && server->tx_len != 0 && !server->no_ack) {
            server->config.send(server->config.send_ctx, server->tx, server->tx_len);
        } else if (byte == GDB_INTERRUPT_BYTE && server->running && server->connected) {
            server->interrupted = true;
            if (cortexm_halt(&server->core) != STATUS_OK)
                gdb_console_failure(server, "interrupt");
            gdb_server_poll(server);
        }
        return; /* '+' and noise between packets are ignored */
    case GDB_RX_BODY:
        if (byte == '#') {
            server->rx_state = GDB_RX_CHECKSUM_HIGH;
            return;
        }
        server->rx_sum = (uint8_t)(server->rx_sum + byte);
        if (server->rx_len < GDB_PACKET_MAX)
            server->rx[server->rx_len++] = byte;
        else
            server->rx_overflow = true;
        return;
    case GDB_RX_CHECKSUM_HIGH: {
        int digit = hex_digit_value(byte);
        server->rx_checksum_bad = digit < 0;
        server->rx_checksum = (uint8_t)((digit < 0 ? 0 : digit) << 4);
        server->rx_state = GDB_RX_CHECKSUM_LOW;
        return;
    }
    case GDB_RX_CHECKSUM_LOW: {
        int digit = hex_digit_value(byte);
        server->rx_checksum_bad |= digit < 0;
        server->rx_checksum |= (uint8_t)(digit < 0 ? 0 : digit);
        server->rx_state = GDB_RX_IDLE;
        gdb_packet_complete(server);
        return;
    }
    }
}

void gdb_server_receive(struct gdb_server *server, const uint8_t *bytes, size_t len)
{
    for (size_t i = 0; i < len; i++)
        gdb_receive_byte(server, bytes[i]);
}
