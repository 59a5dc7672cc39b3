/*
 * test_gdb_packet.c - src/gdb's framing and the commands that need no target: acknowledgements, checksums, a NAK
 * answered by the last packet again, no-ack mode, oversize packets, bytes split anywhere, the monitor's answers,
 * and the hex and binary helpers. Everything the engine sends is captured and compared byte for byte.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "gdb/gdb_server.h"

static char sent[8192];
static size_t sent_len;
static char logged[512];

static void capture(void *ctx, const uint8_t *bytes, size_t len)
{
    (void)ctx;
    assert_true(sent_len + len < sizeof sent);
    memcpy(sent + sent_len, bytes, len);
    sent_len += len;
    sent[sent_len] = '\0';
}

static uint64_t fixed_now_us(void *ctx)
{
    (void)ctx;
    return 0;
}

static bool never_cancel(void *ctx)
{
    (void)ctx;
    return false;
}

static void keep_log(void *ctx, enum hal_log_level level, const char *line)
{
    (void)ctx;
    (void)level;
    snprintf(logged, sizeof logged, "%s", line);
}

static const struct hal_system test_system = {.now_us = fixed_now_us, .yield = never_cancel, .log = keep_log};
static struct gdb_server server;

static int setup(void **state)
{
    (void)state;
    const struct gdb_config config = {.system = &test_system, .version = "9.9", .send = capture};
    gdb_server_init(&server, &config);
    sent_len = 0;
    sent[0] = '\0';
    logged[0] = '\0';
    return 0;
}

/* "$body#xx" as a client frames it. */
static void client_sends(const char *body)
{
    char packet[2048];
    unsigned sum = 0;
    for (const char *c = body; *c; c++)
        sum += (unsigned char)*c;
    int len = snprintf(packet, sizeof packet, "$%s#%02x", body, sum & 0xFFu);
    gdb_server_receive(&server, (const uint8_t *)packet, (size_t)len);
}

static void client_sends_raw(const char *bytes)
{
    gdb_server_receive(&server, (const uint8_t *)bytes, strlen(bytes));
}

static void forget_sent(void)
{
    sent_len = 0;
    sent[0] = '\0';
}

static void test_a_good_packet_is_acknowledged_and_answered(void **state)
{
    (void)state;
    client_sends("qC");
    assert_string_equal(sent, "+$QC1#c5");
}

static void test_a_bad_checksum_is_refused_and_not_acted_on(void **state)
{
    (void)state;
    client_sends_raw("$qC#00");
    assert_string_equal(sent, "-");
    forget_sent();
    client_sends_raw("$qC#g4"); /* not a hex digit */
    assert_string_equal(sent, "-");
}

static void test_a_nak_gets_the_last_packet_again(void **state)
{
    (void)state;
    client_sends("qC");
    forget_sent();
    client_sends_raw("-");
    assert_string_equal(sent, "$QC1#c5");
}

static void test_no_ack_mode_stops_acknowledgements(void **state)
{
    (void)state;
    client_sends("QStartNoAckMode");
    assert_string_equal(sent, "+$OK#9a"); /* the request itself is still acknowledged */
    forget_sent();
    client_sends("qC");
    assert_string_equal(sent, "$QC1#c5");
    forget_sent();
    client_sends_raw("-"); /* no NAKs either */
    assert_string_equal(sent, "");
}

static void test_an_oversize_packet_is_dropped_whole_with_an_error(void **state)
{
    (void)state;
    static char body[GDB_PACKET_MAX + 100];
    memset(body, 'q', sizeof body - 1);
    body[sizeof body - 1] = '\0';
    client_sends(body);
    assert_string_equal(sent, "+$E0e#da");
    assert_non_null(strstr(logged, "longer than PacketSize"));
    forget_sent();
    client_sends("qC"); /* and the next one is served */
    assert_string_equal(sent, "+$QC1#c5");
}

static void test_bytes_split_anywhere_make_the_same_packet(void **state)
{
    (void)state;
    const char *packet = "$qC#b4";
    for (const char *c = packet; *c; c++)
        gdb_server_receive(&server, (const uint8_t *)c, 1);
    assert_string_equal(sent, "+$QC1#c5");
}

static void test_qsupported_names_the_packet_size_and_features(void **state)
{
    (void)state;
    client_sends("qSupported:multiprocess+;swbreak+;hwbreak+");
    assert_non_null(strstr(sent, "PacketSize=400;"));
    assert_non_null(strstr(sent, "qXfer:memory-map:read+"));
    assert_non_null(strstr(sent, "QStartNoAckMode+"));
    assert_true(server.client_swbreak && server.client_hwbreak);
}

static void test_without_a_target_memory_and_registers_are_errors_that_say_why(void **state)
{
    (void)state;
    client_sends("?");
    assert_string_equal(sent, "+$W00#b7");
    forget_sent();
    client_sends("m8000000,4");
    assert_string_equal(sent, "+$E01#a6");
    assert_non_null(strstr(logged, "attach 1"));
    forget_sent();
    client_sends("qXfer:features:read:target.xml:0,3fb");
    assert_string_equal(sent, "+$E06#ab");
    forget_sent();
    client_sends("vMustReplyEmpty");
    assert_string_equal(sent, "+$#00");
}

/* The console text of the O packets in sent, decoded. */
static void console_text(char *out, size_t size)
{
    size_t len = 0;
    for (const char *at = sent; (at = strstr(at, "$O")) != NULL; at++) {
        const char *end = strchr(at, '#');
        if (end == NULL || end - at - 2 == 2 * 0)
            break;
        size_t digits = (size_t)(end - at - 2);
        if (at[2] == 'K' && digits == 1)
            continue; /* $OK */
        assert_true(len + digits / 2 < size);
        assert_true(gdb_hex_decode(at + 2, digits, (uint8_t *)out + len));
        len += digits / 2;
    }
    out[len] = '\0';
}

static void test_monitor_commands_answer_on_the_console(void **state)
{
    (void)state;
    char text[2048];
    client_sends("qRcmd,76657273696f6e"); /* version */
    console_text(text, sizeof text);
    assert_string_equal(text, "airswd 9.9 GDB server\n");
    assert_non_null(strstr(sent, "$OK#9a"));
    forget_sent();
    client_sends("qRcmd,636f6e6e6563745f72737420656e61626c65"); /* connect_rst enable */
    assert_true(server.connect_under_reset);
    forget_sent();
    client_sends("qRcmd,666f6f"); /* foo: unknown, answered with the list */
    console_text(text, sizeof text);
    assert_non_null(strstr(text, "unknown command \"foo\""));
    assert_non_null(strstr(text, "swdp_scan"));
    assert_non_null(strstr(text, "erase_mass"));
    assert_non_null(strstr(sent, "$OK#9a"));
    forget_sent();
    client_sends("qRcmd,6672657175656e6379206661737420"); /* frequency fast */
    console_text(text, sizeof text);
    assert_non_null(strstr(text, "usage: monitor frequency HZ"));
    assert_non_null(strstr(sent, "$E08#"));
    forget_sent();
    client_sends("qRcmd,6572617365"); /* erase: unknown too (erase_mass is the name) */
    console_text(text, sizeof text);
    assert_non_null(strstr(text, "unknown command"));
    forget_sent();
    client_sends("qRcmd,6572617"); /* an odd number of hex digits */
    assert_string_equal(sent, "+$E06#ab");
}

static void test_hex_and_binary_helpers(void **state)
{
    (void)state;
    uint8_t bytes[4];
    assert_true(gdb_hex_decode("00ff7A", 6, bytes));
    assert_memory_equal(bytes, "\x00\xff\x7a", 3);
    assert_false(gdb_hex_decode("0g", 2, bytes));
    assert_false(gdb_hex_decode("012", 3, bytes));
    const char *text = "123456789,";
    uint32_t value = 0;
    assert_false(gdb_parse_hex(&text, &value, ',')); /* 36 bits */
    text = "8000000,";
    assert_true(gdb_parse_hex(&text, &value, ','));
    assert_int_equal(value, 0x8000000);
    assert_string_equal(text, "");
    uint8_t escaped[] = {'a', 0x7D, 0x03, 'b', 0x7D, 0x5D, 0x7D};
    assert_int_equal(gdb_unescape_binary(escaped, sizeof escaped), 4);
    assert_memory_equal(escaped, "a#b}", 4);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_a_good_packet_is_acknowledged_and_answered, setup),
        cmocka_unit_test_setup(test_a_bad_checksum_is_refused_and_not_acted_on, setup),
        cmocka_unit_test_setup(test_a_nak_gets_the_last_packet_again, setup),
        cmocka_unit_test_setup(test_no_ack_mode_stops_acknowledgements, setup),
        cmocka_unit_test_setup(test_an_oversize_packet_is_dropped_whole_with_an_error, setup),
        cmocka_unit_test_setup(test_bytes_split_anywhere_make_the_same_packet, setup),
        cmocka_unit_test_setup(test_qsupported_names_the_packet_size_and_features, setup),
        cmocka_unit_test_setup(test_without_a_target_memory_and_registers_are_errors_that_say_why, setup),
        cmocka_unit_test_setup(test_monitor_commands_answer_on_the_console, setup),
        cmocka_unit_test_setup(test_hex_and_binary_helpers, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
