/*
 * gdb_remote.c - GDB remote serial protocol client (gdb_remote.h).
 */
#define _POSIX_C_SOURCE 200809L
#include "gdb_remote.h"

#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "hex.h"

static const char gdb_hex_digits[] = "0123456789abcdef";

static bool gdb_fail(struct gdb_remote *gdb, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    vsnprintf(gdb->error, sizeof gdb->error, format, args);
    va_end(args);
    return false;
}

void gdb_remote_init(struct gdb_remote *gdb, int fd, int timeout_ms)
{
    memset(gdb, 0, sizeof *gdb);
    gdb->fd = fd;
    gdb->timeout_ms = timeout_ms;
}

void gdb_remote_hex(const void *data, size_t len, char *out)
{
    const uint8_t *bytes = data;
    for (size_t i = 0; i < len; i++) {
        out[2 * i] = gdb_hex_digits[bytes[i] >> 4];
        out[2 * i + 1] = gdb_hex_digits[bytes[i] & 0xF];
    }
    out[2 * len] = '\0';
}

bool gdb_remote_unhex(const char *hex, void *data, size_t len)
{
    uint8_t *bytes = data;
    for (size_t i = 0; i < len; i++) {
        int high = hex_digit_value((unsigned char)hex[2 * i]);
        int low = high < 0 ? -1 : hex_digit_value((unsigned char)hex[2 * i + 1]);
        if (high < 0 || low < 0)
            return false;
        bytes[i] = (uint8_t)(high << 4 | low);
    }
    return true;
}

bool gdb_remote_queue(struct gdb_remote *gdb, const char *payload)
{
    size_t len = strlen(payload);
    if (gdb->out_len + len + 4 > sizeof gdb->out)
        return gdb_fail(gdb, "packet queue full");
    unsigned sum = 0;
    char *out = gdb->out + gdb->out_len;
    *out++ = '$';
    for (size_t i = 0; i < len; i++) {
        sum += (uint8_t)payload[i];
        *out++ = payload[i];
    }
    *out++ = '#';
    *out++ = gdb_hex_digits[(sum >> 4) & 0xF];
    *out++ = gdb_hex_digits[sum & 0xF];
    gdb->out_len = (size_t)(out - gdb->out);
    return true;
}

bool gdb_remote_flush(struct gdb_remote *gdb)
{
    size_t done = 0;
    while (done < gdb->out_len) {
        ssize_t n = write(gdb->fd, gdb->out + done, gdb->out_len - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return gdb_fail(gdb, "write to the gdbstub: %s", strerror(errno));
        done += (size_t)n;
    }
    gdb->out_len = 0;
    return true;
}

/* One complete packet in the input buffer: its payload is moved to out. Acknowledgements and noise before the '$'
 * are dropped. Returns the payload length, -2 when the packet is not complete yet, -1 on a bad checksum. */
static int gdb_take_packet(struct gdb_remote *gdb, char *out, size_t max)
{
    char *start = memchr(gdb->in, '$', gdb->in_len);
    if (!start) {
        gdb->in_len = 0;
        return -2;
    }
    size_t offset = (size_t)(start - gdb->in);
    char *end = memchr(start, '#', gdb->in_len - offset);
    if (!end || (size_t)(end - gdb->in) + 3 > gdb->in_len)
        return -2;
    size_t len = (size_t)(end - start - 1);
    unsigned sum = 0;
    for (size_t i = 0; i < len; i++)
        sum += (uint8_t)start[1 + i];
    uint8_t checksum;
    bool valid = gdb_remote_unhex(end + 1, &checksum, 1) && checksum == (sum & 0xFF);
    int result = -1;
    if (valid && len < max) {
        memcpy(out, start + 1, len);
        out[len] = '\0';
        result = (int)len;
    }
    size_t consumed = (size_t)(end - gdb->in) + 3;
    memmove(gdb->in, gdb->in + consumed, gdb->in_len - consumed);
    gdb->in_len -= consumed;
    return result;
}

int gdb_remote_receive(struct gdb_remote *gdb, char *out, size_t max)
{
    for (;;) {
        int len = gdb_take_packet(gdb, out, max);
        if (len >= 0)
            return len;
        if (len == -1) {
            gdb_fail(gdb, "a reply with a bad checksum or longer than %zu bytes", max);
            return -1;
        }
        if (gdb->in_len == sizeof gdb->in) {
            gdb_fail(gdb, "a reply longer than the input buffer");
            return -1;
        }
        struct pollfd pfd = {.fd = gdb->fd, .events = POLLIN};
        int ready = poll(&pfd, 1, gdb->timeout_ms);
        if (ready < 0 && errno == EINTR)
            continue;
        if (ready <= 0) {
            gdb_fail(gdb, ready == 0 ? "no reply from the gdbstub within %d ms" : "poll: %d", gdb->timeout_ms);
            return -1;
        }
        ssize_t n = read(gdb->fd, gdb->in + gdb->in_len, sizeof gdb->in - gdb->in_len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            gdb_fail(gdb, "the gdbstub closed the connection");
            return -1;
        }
        gdb->in_len += (size_t)n;
    }
}

bool gdb_remote_expect_ok(struct gdb_remote *gdb)
{
    char reply[64];
    if (gdb_remote_receive(gdb, reply, sizeof reply) < 0)
        return false;
    if (strcmp(reply, "OK") != 0)
        return gdb_fail(gdb, "expected OK, got \"%s\"", reply);
    return true;
}

bool gdb_remote_command(struct gdb_remote *gdb, const char *payload)
{
    return gdb_remote_queue(gdb, payload) && gdb_remote_flush(gdb) && gdb_remote_expect_ok(gdb);
}

bool gdb_remote_read_memory(struct gdb_remote *gdb, uint32_t address, void *data, size_t len)
{
    char request[32], reply[GDB_REMOTE_PACKET_MAX];
    if (2 * len >= sizeof reply)
        return gdb_fail(gdb, "memory read of %zu bytes is too long", len);
    snprintf(request, sizeof request, "m%x,%zx", (unsigned)address, len);
    if (!gdb_remote_queue(gdb, request) || !gdb_remote_flush(gdb))
        return false;
    int n = gdb_remote_receive(gdb, reply, sizeof reply);
    if (n < 0)
        return false;
    if ((size_t)n != 2 * len || !gdb_remote_unhex(reply, data, len))
        return gdb_fail(gdb, "memory read at 0x%08x: \"%s\"", (unsigned)address, reply);
    return true;
}

bool gdb_remote_queue_write_memory(struct gdb_remote *gdb, uint32_t address, const void *data, size_t len)
{
    char request[GDB_REMOTE_PACKET_MAX];
    int n = snprintf(request, sizeof request, "M%x,%zx:", (unsigned)address, len);
    if (n < 0 || (size_t)n + 2 * len >= sizeof request)
        return gdb_fail(gdb, "memory write of %zu bytes is too long", len);
    gdb_remote_hex(data, len, request + n);
    return gdb_remote_queue(gdb, request);
}

bool gdb_remote_queue_write_register(struct gdb_remote *gdb, unsigned number, uint32_t value)
{
    size_t len = strlen(gdb->registers);
    if (8 * (size_t)(number + 1) > len)
        return gdb_fail(gdb, "register %u is not among the %zu read", number, len / 8);
    uint8_t bytes[4] = {(uint8_t)value, (uint8_t)(value >> 8), (uint8_t)(value >> 16), (uint8_t)(value >> 24)};
    char hex[9], request[GDB_REMOTE_PACKET_MAX + 2];
    gdb_remote_hex(bytes, sizeof bytes, hex);
    memcpy(gdb->registers + 8 * number, hex, 8);
    snprintf(request, sizeof request, "G%s", gdb->registers);
    return gdb_remote_queue(gdb, request);
}

int gdb_remote_read_registers(struct gdb_remote *gdb, uint32_t *registers, unsigned count)
{
    char reply[GDB_REMOTE_PACKET_MAX];
    if (!gdb_remote_queue(gdb, "g") || !gdb_remote_flush(gdb))
        return -1;
    int n = gdb_remote_receive(gdb, reply, sizeof reply);
    if (n < 0)
        return -1;
    memcpy(gdb->registers, reply, (size_t)n + 1);
    unsigned available = (unsigned)n / 8;
    if (available < count)
        count = available;
    for (unsigned i = 0; i < count; i++) {
        uint8_t bytes[4];
        if (!gdb_remote_unhex(reply + 8 * i, bytes, 4)) {
            gdb_fail(gdb, "registers: \"%.40s\"", reply);
            return -1;
        }
        registers[i] =
            (uint32_t)bytes[0] | (uint32_t)bytes[1] << 8 | (uint32_t)bytes[2] << 16 | (uint32_t)bytes[3] << 24;
    }
    return (int)count;
}
