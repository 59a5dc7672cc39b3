/*
 * fuzz_rfc2217.c - a client's bytes into the console's telnet / RFC 2217 session engine
 * (tools/airswdd/airswdd_rfc2217.c), cut into reads as the input's first byte says.
 *
 * Checked, besides memory safety: the line never gets more bytes than came in, and never an IAC the client did
 * not double; every answer is one whole telnet command (IAC WILL/WONT/DO/DONT option, or IAC SB COM-PORT-OPTION
 * command+100 ... IAC SE with no bare IAC inside); an option is answered at most once per request, so two engines
 * can never answer each other forever; the line's settings stay inside what RFC 2217 can set.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "airswdd_rfc2217.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(condition, what)                                                                                         \
    do {                                                                                                               \
        if (!(condition)) {                                                                                            \
            fprintf(stderr, "fuzz_rfc2217: %s (%s:%d)\n", what, __FILE__, __LINE__);                                   \
            abort();                                                                                                   \
        }                                                                                                              \
    } while (0)

static size_t line_bytes, answers;
static struct console_line_settings line;

static void to_line(void *ctx, const uint8_t *bytes, size_t len)
{
    (void)ctx;
    (void)bytes;
    line_bytes += len;
}

/* One answer: IAC verb option, or a COM-PORT subnegotiation whose value has every IAC doubled. */
static void to_client(void *ctx, const uint8_t *bytes, size_t len)
{
    (void)ctx;
    answers++;
    CHECK(len >= 3 && bytes[0] == 255, "an answer is a telnet command");
    if (bytes[1] != 250) {
        CHECK(len == 3 && bytes[1] >= 251, "an option answer is IAC WILL/WONT/DO/DONT option");
        return;
    }
    CHECK(len >= 6 && bytes[2] == 44 && bytes[3] >= 100 && bytes[3] <= 112, "a COM-PORT answer's head");
    CHECK(bytes[len - 2] == 255 && bytes[len - 1] == 240, "a subnegotiation ends with IAC SE");
    for (size_t i = 4; i < len - 2; i++) {
        if (bytes[i] == 255) {
            CHECK(i + 1 < len - 2 && bytes[i + 1] == 255, "an IAC inside a value is doubled");
            i++;
        }
    }
}

static void get_settings(void *ctx, struct console_line_settings *settings)
{
    (void)ctx;
    *settings = line;
}

static void set_settings(void *ctx, const struct console_line_settings *settings)
{
    (void)ctx;
    CHECK(settings->baud != 0, "a baud rate of 0 only asks");
    CHECK(settings->data_bits >= 5 && settings->data_bits <= 8, "5 to 8 data bits");
    CHECK(settings->parity <= CONSOLE_PARITY_SPACE, "a parity RFC 2217 names");
    CHECK(settings->stop_half_bits >= 2 && settings->stop_half_bits <= 4, "1, 1.5 or 2 stop bits");
    line = *settings;
}

static void purge(void *ctx, bool from_chip, bool to_chip)
{
    (void)ctx;
    CHECK(from_chip || to_chip, "a purge purges something");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const struct rfc2217_port port = {
        .to_line = to_line, .to_client = to_client, .get_settings = get_settings, .set_settings = set_settings,
        .purge = purge};
    static struct rfc2217_session session;
    if (size == 0)
        return 0;
    size_t read_size = 1u + data[0] % 16u;
    data++, size--;
    line = (struct console_line_settings){.baud = 115200, .data_bits = 8, .parity = CONSOLE_PARITY_NONE,
                                          .stop_half_bits = 2};
    line_bytes = answers = 0;
    rfc2217_init(&session, &port);
    for (size_t at = 0; at < size; at += read_size)
        rfc2217_receive(&session, data + at, size - at < read_size ? size - at : read_size);
    CHECK(line_bytes <= size, "no more bytes for the line than came in");
    CHECK(answers <= size / 3u, "at most one answer per request (3 bytes at least)");
    return 0;
}
