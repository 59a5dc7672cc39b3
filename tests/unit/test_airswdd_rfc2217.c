/*
 * test_airswdd_rfc2217.c - the console's telnet / RFC 2217 session engine (tools/airswdd/airswdd_rfc2217.c):
 * data and doubled IACs, option negotiation that never loops, each COM-PORT command's answer and effect, queries
 * that change nothing, values with a 255 in them, bytes split anywhere, an overlong subnegotiation, and the escaping
 * of the data sent to a client. What the engine sends is captured and compared byte for byte.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "airswdd_rfc2217.h"

#define IAC 255
#define SB 250
#define SE 240
#define WILL 251
#define WONT 252
#define DO 253
#define DONT 254
#define COM_PORT 44

static uint8_t to_line[256], to_client[256];
static size_t to_line_len, to_client_len;
static struct console_line_settings line;
static unsigned settings_set;
static bool purged_from_chip, purged_to_chip;

static void capture_line(void *ctx, const uint8_t *bytes, size_t len)
{
    (void)ctx;
    assert_true(to_line_len + len <= sizeof to_line);
    memcpy(to_line + to_line_len, bytes, len);
    to_line_len += len;
}

static void capture_client(void *ctx, const uint8_t *bytes, size_t len)
{
    (void)ctx;
    assert_true(to_client_len + len <= sizeof to_client);
    memcpy(to_client + to_client_len, bytes, len);
    to_client_len += len;
}

static void get_settings(void *ctx, struct console_line_settings *settings)
{
    (void)ctx;
    *settings = line;
}

static void set_settings(void *ctx, const struct console_line_settings *settings)
{
    (void)ctx;
    line = *settings;
    settings_set++;
}

static void purge(void *ctx, bool from_chip, bool to_chip)
{
    (void)ctx;
    purged_from_chip = from_chip;
    purged_to_chip = to_chip;
}

static const struct rfc2217_port port = {
    .to_line = capture_line,
    .to_client = capture_client,
    .get_settings = get_settings,
    .set_settings = set_settings,
    .purge = purge,
};

static struct rfc2217_session session;

static int set_up(void **state)
{
    (void)state;
    to_line_len = to_client_len = 0;
    line = (struct console_line_settings){.baud = 115200, .data_bits = 8, .parity = CONSOLE_PARITY_NONE,
                                          .stop_half_bits = 2};
    settings_set = 0;
    purged_from_chip = purged_to_chip = false;
    rfc2217_init(&session, &port);
    return 0;
}

static void feed(const uint8_t *bytes, size_t len)
{
    to_client_len = 0;
    rfc2217_receive(&session, bytes, len);
}

#define FEED(...)                                                                                                      \
    do {                                                                                                               \
        const uint8_t input_[] = {__VA_ARGS__};                                                                        \
        feed(input_, sizeof input_);                                                                                   \
    } while (0)
#define SENT(...)                                                                                                      \
    do {                                                                                                               \
        const uint8_t expected_[] = {__VA_ARGS__};                                                                     \
        assert_int_equal(to_client_len, sizeof expected_);                                                             \
        assert_memory_equal(to_client, expected_, sizeof expected_);                                                   \
    } while (0)

static void test_data_reaches_the_line_and_a_doubled_iac_is_one_byte(void **state)
{
    (void)state;
    FEED('a', 'b', IAC, IAC, 'c', 0, '\r', '\n');
    assert_int_equal(to_line_len, 7);
    assert_memory_equal(to_line, ((const uint8_t[]){'a', 'b', IAC, 'c', 0, '\r', '\n'}), 7);
    assert_int_equal(to_client_len, 0);
}

static void test_options_are_agreed_once_and_unknown_ones_refused(void **state)
{
    (void)state;
    FEED(IAC, WILL, COM_PORT);
    SENT(IAC, DO, COM_PORT);
    FEED(IAC, WILL, COM_PORT); /* already in force: no answer, or both sides would answer forever */
    assert_int_equal(to_client_len, 0);
    FEED(IAC, DO, 1); /* ECHO: claimed, so that a telnet client sends characters at once */
    SENT(IAC, WILL, 1);
    FEED(IAC, DO, 24); /* TERMINAL-TYPE */
    SENT(IAC, WONT, 24);
    FEED(IAC, WILL, 31); /* NAWS */
    SENT(IAC, DONT, 31);
    FEED(IAC, WONT, 31); /* was not in force: nothing to answer */
    assert_int_equal(to_client_len, 0);
    FEED(IAC, DONT, 1);
    SENT(IAC, WONT, 1);
    FEED(IAC, DO, 200); /* past the options tracked: refused all the same */
    SENT(IAC, WONT, 200);
    assert_int_equal(to_line_len, 0);
}

static void test_set_baudrate_answers_and_sets_the_line(void **state)
{
    (void)state;
    FEED(IAC, SB, COM_PORT, 1, 0x00, 0x00, 0x25, 0x80, IAC, SE);
    SENT(IAC, SB, COM_PORT, 101, 0x00, 0x00, 0x25, 0x80, IAC, SE);
    assert_int_equal(line.baud, 9600);
    assert_int_equal(settings_set, 1);
}

static void test_a_query_answers_the_setting_and_changes_nothing(void **state)
{
    (void)state;
    FEED(IAC, SB, COM_PORT, 1, 0, 0, 0, 0, IAC, SE);
    SENT(IAC, SB, COM_PORT, 101, 0x00, 0x01, 0xC2, 0x00, IAC, SE);
    FEED(IAC, SB, COM_PORT, 3, 0, IAC, SE);
    SENT(IAC, SB, COM_PORT, 103, 1, IAC, SE);
    assert_int_equal(settings_set, 0);
}

static void test_a_value_with_255_is_doubled_both_ways(void **state)
{
    (void)state;
    FEED(IAC, SB, COM_PORT, 1, 0x00, 0x01, 0xC2, IAC, IAC, IAC, SE);
    SENT(IAC, SB, COM_PORT, 101, 0x00, 0x01, 0xC2, IAC, IAC, IAC, SE);
    assert_int_equal(line.baud, 0x0001C2FF);
}

static void test_bytes_split_anywhere_mean_the_same(void **state)
{
    (void)state;
    const uint8_t input[] = {'x', IAC, SB, COM_PORT, 2, 7, IAC, SE, IAC, IAC, 'y', IAC, WILL, 0};
    for (size_t i = 0; i < sizeof input; i++)
        rfc2217_receive(&session, input + i, 1);
    assert_int_equal(line.data_bits, 7);
    assert_int_equal(to_line_len, 3);
    assert_memory_equal(to_line, ((const uint8_t[]){'x', IAC, 'y'}), 3);
    const uint8_t answers[] = {IAC, SB, COM_PORT, 102, 7, IAC, SE, IAC, DO, 0};
    assert_int_equal(to_client_len, sizeof answers);
    assert_memory_equal(to_client, answers, sizeof answers);
}

static void test_parity_stop_bits_and_data_size(void **state)
{
    (void)state;
    FEED(IAC, SB, COM_PORT, 3, 3, IAC, SE); /* EVEN */
    SENT(IAC, SB, COM_PORT, 103, 3, IAC, SE);
    assert_int_equal(line.parity, CONSOLE_PARITY_EVEN);
    FEED(IAC, SB, COM_PORT, 4, 3, IAC, SE); /* 1.5 stop bits */
    SENT(IAC, SB, COM_PORT, 104, 3, IAC, SE);
    assert_int_equal(line.stop_half_bits, 3);
    FEED(IAC, SB, COM_PORT, 2, 9, IAC, SE); /* no such size: the answer keeps 8 */
    SENT(IAC, SB, COM_PORT, 102, 8, IAC, SE);
    FEED(IAC, SB, COM_PORT, 3, 6, IAC, SE); /* no such parity */
    SENT(IAC, SB, COM_PORT, 103, 3, IAC, SE);
    assert_int_equal(line.data_bits, 8);
    assert_int_equal(settings_set, 2);
}

static void test_control_purge_and_flow(void **state)
{
    (void)state;
    FEED(IAC, SB, COM_PORT, 5, 9, IAC, SE); /* DTR off */
    SENT(IAC, SB, COM_PORT, 105, 9, IAC, SE);
    FEED(IAC, SB, COM_PORT, 5, 7, IAC, SE); /* DTR? */
    SENT(IAC, SB, COM_PORT, 105, 9, IAC, SE);
    FEED(IAC, SB, COM_PORT, 5, 5, IAC, SE); /* break on: there is no break on this line */
    SENT(IAC, SB, COM_PORT, 105, 6, IAC, SE);
    FEED(IAC, SB, COM_PORT, 12, 3, IAC, SE);
    SENT(IAC, SB, COM_PORT, 112, 3, IAC, SE);
    assert_true(purged_from_chip && purged_to_chip);
    purged_from_chip = purged_to_chip = false;
    FEED(IAC, SB, COM_PORT, 12, 7, IAC, SE); /* no such buffer: nothing purged, nothing acknowledged */
    assert_int_equal(to_client_len, 0);
    assert_false(purged_from_chip || purged_to_chip);
    FEED(IAC, SB, COM_PORT, 8, IAC, SE);
    assert_true(session.suspended);
    FEED(IAC, SB, COM_PORT, 9, IAC, SE);
    assert_false(session.suspended);
    FEED(IAC, SB, COM_PORT, 7, IAC, SE); /* the modem state, asked */
    SENT(IAC, SB, COM_PORT, 107, 0xB0, IAC, SE);
    FEED(IAC, SB, COM_PORT, 99, 1, IAC, SE); /* unknown: ignored */
    assert_int_equal(to_client_len, 0);
}

static void test_an_overlong_subnegotiation_is_cut_not_overrun(void **state)
{
    (void)state;
    uint8_t input[3 + 200 + 2] = {IAC, SB, COM_PORT};
    memset(input + 3, 'A', 200);
    input[203] = IAC;
    input[204] = SE;
    feed(input, sizeof input);
    assert_int_equal(session.sub_len, RFC2217_SUBNEGOTIATION_MAX);
    assert_int_equal(to_line_len, 0);
    FEED(IAC, SB, 99, 1, 2, IAC, SE); /* another option's subnegotiation: no answer */
    assert_int_equal(to_client_len, 0);
    FEED(IAC, SB, COM_PORT, 0, 'h', 'i', IAC, SE); /* the client's signature: ours answers */
    assert_true(to_client_len > 6 && to_client[3] == 100);
}

static void test_escape_never_splits_a_doubled_iac(void **state)
{
    (void)state;
    const uint8_t data[] = {'a', IAC, 'b'};
    uint8_t out[8];
    size_t used;
    assert_int_equal(rfc2217_escape(data, sizeof data, &used, out, 2), 1);
    assert_int_equal(used, 1);
    assert_int_equal(rfc2217_escape(data, sizeof data, &used, out, sizeof out), 4);
    assert_int_equal(used, 3);
    assert_memory_equal(out, ((const uint8_t[]){'a', IAC, IAC, 'b'}), 4);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_data_reaches_the_line_and_a_doubled_iac_is_one_byte, set_up),
        cmocka_unit_test_setup(test_options_are_agreed_once_and_unknown_ones_refused, set_up),
        cmocka_unit_test_setup(test_set_baudrate_answers_and_sets_the_line, set_up),
        cmocka_unit_test_setup(test_a_query_answers_the_setting_and_changes_nothing, set_up),
        cmocka_unit_test_setup(test_a_value_with_255_is_doubled_both_ways, set_up),
        cmocka_unit_test_setup(test_bytes_split_anywhere_mean_the_same, set_up),
        cmocka_unit_test_setup(test_parity_stop_bits_and_data_size, set_up),
        cmocka_unit_test_setup(test_control_purge_and_flow, set_up),
        cmocka_unit_test_setup(test_an_overlong_subnegotiation_is_cut_not_overrun, set_up),
        cmocka_unit_test_setup(test_escape_never_splits_a_doubled_iac, set_up),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
