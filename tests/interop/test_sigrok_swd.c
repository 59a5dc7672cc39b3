/*
 * test_sigrok_swd.c - sigrok's SWD decoder, a tool no one here wrote, reads the wire of our host stack talking to
 * the simulator: connect (line reset, JTAG-to-SWD), DPIDR read, power-up, MEM-AP discovery, a 256-word block write
 * across a 1 KB boundary and its read-back. Every packet it decodes (request, ACK, data) must be exactly the one
 * the stack sent or received, in the same order, with nothing extra and nothing missing.
 *
 * The trace is kept next to the test binary (<program>.vcd) for a look in PulseView.
 */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cmocka.h>

#include "sim_session.h"
#include "test_skip.h"

#define MAX_LINES 8192
#define LINE_LEN 48
#define BLOCK_ADDRESS 0x20000300u /* 256 words from here cross 0x20000400 */
#define BLOCK_WORDS 256

struct annotations {
    char lines[MAX_LINES][LINE_LEN];
    size_t count;
};

static char trace_path[512];
static struct annotations expected, decoded;

static void add_line(struct annotations *list, const char *text)
{
    size_t len = strlen(text);
    assert_true(list->count < MAX_LINES && len < LINE_LEN);
    memcpy(list->lines[list->count++], text, len + 1);
}

/* What sigrok's decoder calls a request (its names follow ADIv5.2 tables 2-4 and 2-5). */
static void request_name(const struct swd_trace_event *event, char *out, size_t size)
{
    static const char *const dp_reads[4] = {"IDCODE", "R CTRL/STAT", "RESEND", "RDBUFF"};
    static const char *const dp_writes[4] = {"W ABORT", "W CTRL/STAT", "W SELECT", "W RESERVED"};
    if (event->port == SWD_AP)
        snprintf(out, size, "%s AP%x", event->read ? "R" : "W", event->addr);
    else
        snprintf(out, size, "%s", (event->read ? dp_reads : dp_writes)[event->addr >> 2]);
}

static const char *ack_name(unsigned ack)
{
    switch (ack) {
    case HAL_SWD_ACK_OK: return "OK";
    case HAL_SWD_ACK_WAIT: return "WAIT";
    case HAL_SWD_ACK_FAULT: return "FAULT";
    case HAL_SWD_ACK_NONE: return "NOREPLY";
    default: return "ERROR";
    }
}

/* The stack's own log of the wire, turned into the annotations sigrok should print. */
static void record_expected(void *user, const struct swd_trace_event *event)
{
    (void)user;
    char text[LINE_LEN];
    switch (event->kind) {
    case SWD_TRACE_LINE_RESET: add_line(&expected, "LINERESET"); break;
    case SWD_TRACE_JTAG_TO_SWD:
        add_line(&expected, "LINERESET"); /* the high cycles before the select sequence */
        add_line(&expected, "JTAG->SWD");
        break;
    case SWD_TRACE_DORMANT_TO_SWD: add_line(&expected, "dormant wake-up (sigrok does not decode it)"); break;
    case SWD_TRACE_PACKET:
        request_name(event, text, sizeof text);
        add_line(&expected, text);
        add_line(&expected, ack_name(event->ack));
        if (event->ack == HAL_SWD_ACK_OK) {
            snprintf(text, sizeof text, "0x%08lx", (unsigned long)event->data);
            add_line(&expected, text);
        }
        break;
    }
}

static void run_decoder(void)
{
    char command[1024];
    snprintf(command, sizeof command, "sigrok-cli -i '%s' -I vcd -P swd:swclk=swclk:swdio=swdio -A swd 2>&1",
             trace_path);
    FILE *output = popen(command, "r");
    assert_non_null(output);
    char line[256];
    while (fgets(line, sizeof line, output)) {
        line[strcspn(line, "\r\n")] = '\0';
        const char *prefix = "swd-1: ";
        if (strncmp(line, prefix, strlen(prefix)) != 0)
            fail_msg("unexpected sigrok-cli output: %s", line);
        add_line(&decoded, line + strlen(prefix));
    }
    assert_int_equal(pclose(output), 0);
}

struct wire_case {
    const char *part;
    const char *dpidr;
};

/* The same scenario on a Cortex-M3 part and on the SWD-only Cortex-M0/M0+ parts, whose only judge of the wire is
 * sigrok (they have no JTAG port for OpenOCD's remote_bitbang). */
static const struct wire_case cases[] = {
    {"stm32f103c8", "0x1ba01477"},
    {"stm32f030r8", "0x0bb11477"},
    {"stm32g071rb", "0x0bc11477"},
};

static void test_sigrok_decodes_exactly_what_the_stack_sent_and_received(void **state)
{
    const struct wire_case *wire = *state;
    expected.count = decoded.count = 0;
    struct sim_session session;
    assert_true(sim_session_create(&session, wire->part, false));
    assert_true(sim_target_trace_vcd(session.stm32->target, trace_path));
    session.swd.trace = record_expected;

    assert_int_equal(adi_dp_attach(&session.dp, &session.swd), STATUS_OK);
    assert_int_equal(adi_mem_ap_open(&session.ap, &session.dp, 0), STATUS_OK);
    uint8_t data[BLOCK_WORDS * 4], back[BLOCK_WORDS * 4];
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (uint8_t)(i * 7 + 3);
    assert_int_equal(adi_mem_write(&session.ap, BLOCK_ADDRESS, data, sizeof data, 4), STATUS_OK);
    assert_int_equal(adi_mem_read(&session.ap, BLOCK_ADDRESS, back, sizeof back, 4), STATUS_OK);
    assert_memory_equal(back, data, sizeof data);
    sim_target_trace_stop(session.stm32->target);
    sim_session_destroy(&session);

    run_decoder();
    printf("%s: sigrok decoded %zu annotations; the stack logged %zu\n", wire->part, decoded.count, expected.count);
    size_t common = decoded.count < expected.count ? decoded.count : expected.count;
    for (size_t i = 0; i < common; i++) {
        if (strcasecmp(decoded.lines[i], expected.lines[i]) != 0)
            fail_msg("annotation %zu: sigrok decoded '%s', the stack logged '%s' (previous: '%s')", i,
                     decoded.lines[i], expected.lines[i], i ? expected.lines[i - 1] : "");
    }
    assert_int_equal(decoded.count, expected.count);

    /* The scenario is all there: connect, DPIDR, power-up, 256 DRW writes, 256 DRW reads, TAR at the boundary. */
    unsigned drw_writes = 0, drw_reads = 0, tar_writes = 0;
    for (size_t i = 0; i < expected.count; i++) {
        drw_writes += strcmp(expected.lines[i], "W APc") == 0;
        drw_reads += strcmp(expected.lines[i], "R APc") == 0;
        tar_writes += strcmp(expected.lines[i], "W AP4") == 0;
    }
    assert_string_equal(decoded.lines[1], "JTAG->SWD");
    assert_string_equal(decoded.lines[3], "IDCODE");
    assert_string_equal(decoded.lines[5], wire->dpidr);
    assert_int_equal(drw_writes, BLOCK_WORDS);
    assert_int_equal(drw_reads, BLOCK_WORDS + 1); /* the IDR read of discovery is an AP read at 0xC too */
    assert_int_equal(tar_writes, 4);               /* write and read, each at the start and at 0x20000400 */
}

int main(int argc, char **argv)
{
    (void)argc;
    if (system("command -v sigrok-cli >/dev/null 2>&1") != 0) {
        return test_skip_status("sigrok-cli is not installed (Debian package sigrok-cli; scripts/install-deps.sh)");
    }
    const char *program = strrchr(argv[0], '/');
    snprintf(trace_path, sizeof trace_path, "%s.vcd", program ? program + 1 : argv[0]);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_prestate(test_sigrok_decodes_exactly_what_the_stack_sent_and_received, (void *)&cases[0]),
        cmocka_unit_test_prestate(test_sigrok_decodes_exactly_what_the_stack_sent_and_received, (void *)&cases[1]),
        cmocka_unit_test_prestate(test_sigrok_decodes_exactly_what_the_stack_sent_and_received, (void *)&cases[2]),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
