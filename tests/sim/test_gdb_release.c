/*
 * test_gdb_release.c - what a GDB session leaves on the chip when it ends without a detach (the client's connection
 * dropped, or debug mode turned off: the listener then calls gdb_server_release): every FPB and DWT comparator off,
 * no vector catch, halting debug off, and the core running its code again. The chip is read afterwards through a
 * host stack of its own, whose attach changes none of that; a new gdb attach would clear the comparators itself
 * and hide a release that forgot them. On a Cortex-M3 (STM32F103C8) and a Cortex-M0+ (STM32G071RB).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "cortexm/cortexm_regs.h"
#include "gdb/gdb_server.h"
#include "sim_session.h"

#define PS_PER_MS    1000000000ull
#define CODE_ADDR    0x20000400u
#define COUNTER_ADDR 0x20000800u
#define WATCHED_ADDR 0x20000900u
/* ldr r1, [pc, #8]; loop: ldr r0, [r1]; adds r0, #1; str r0, [r1]; b loop; nop; .word COUNTER_ADDR (Thumb) */
static const uint8_t counting_loop[] = {0x02, 0x49, 0x08, 0x68, 0x01, 0x30, 0x08, 0x60, 0xFB, 0xE7, 0x00, 0xBF,
                                        0x00, 0x08, 0x00, 0x20};

struct fixture {
    struct sim_session session;
    struct gdb_server server;
    char sent[4096];
    size_t sent_len;
};

static void capture(void *ctx, const uint8_t *bytes, size_t len)
{
    struct fixture *fixture = ctx;
    size_t room = sizeof fixture->sent - 1 - fixture->sent_len;
    size_t take = len < room ? len : room;
    memcpy(fixture->sent + fixture->sent_len, bytes, take);
    fixture->sent_len += take;
    fixture->sent[fixture->sent_len] = '\0';
}

/* Sends one packet and returns the body of the last packet the server answered with. */
static const char *exchange(struct fixture *fixture, const char *body)
{
    char packet[256];
    unsigned sum = 0;
    for (const char *c = body; *c != '\0'; c++)
        sum += (unsigned char)*c;
    int len = snprintf(packet, sizeof packet, "$%s#%02x", body, sum & 0xFFu);
    fixture->sent_len = 0;
    fixture->sent[0] = '\0';
    gdb_server_receive(&fixture->server, (const uint8_t *)packet, (size_t)len);
    static char answer[1024];
    answer[0] = '\0';
    const char *start = strrchr(fixture->sent, '$');
    const char *end = start != NULL ? strchr(start, '#') : NULL;
    if (start != NULL && end != NULL && (size_t)(end - start - 1) < sizeof answer) {
        memcpy(answer, start + 1, (size_t)(end - start - 1));
        answer[end - start - 1] = '\0';
    }
    return answer;
}

static uint32_t chip_read32(struct fixture *fixture, uint32_t address)
{
    uint32_t value = 0;
    assert_int_equal(adi_mem_read32(&fixture->session.ap, address, &value), STATUS_OK);
    return value;
}

static void release_leaves_the_chip_clean(const char *part)
{
    static struct fixture fixture; /* large */
    memset(&fixture, 0, sizeof fixture);
    assert_true(sim_session_create(&fixture.session, part, true));
    struct port_sim *port = &fixture.session.port;
    const struct gdb_config config = {.swd = &port->swd, .system = &port->system, .pins = &port->pins,
                                      .version = "test", .send = capture, .send_ctx = &fixture};
    gdb_server_init(&fixture.server, &config);

    assert_true(exchange(&fixture, "vAttach;1")[0] == 'T');
    char write[128] = "M20000400,10:";
    for (size_t i = 0; i < sizeof counting_loop; i++)
        snprintf(write + strlen(write), sizeof write - strlen(write), "%02x", counting_loop[i]);
    assert_string_equal(exchange(&fixture, write), "OK");
    assert_string_equal(exchange(&fixture, "M20000800,4:00000000"), "OK");
    assert_string_equal(exchange(&fixture, "Pf=00040020"), "OK");  /* pc = CODE_ADDR */
    assert_string_equal(exchange(&fixture, "P10=00000001"), "OK"); /* xPSR: Thumb */
    assert_string_equal(exchange(&fixture, "Z1,8000200,2"), "OK");
    assert_string_equal(exchange(&fixture, "Z2,20000900,4"), "OK");
    const char *comp0 = exchange(&fixture, "me0002008,4"); /* little-endian: its first byte holds ENABLE */
    assert_int_equal(strlen(comp0), 8);
    assert_true((comp0[1] - '0') & 1); /* on, as the session set it */

    gdb_server_release(&fixture.server);
    for (unsigned ms = 0; ms < 5; ms++)
        sim_stm32_run_for(fixture.session.stm32, PS_PER_MS);

    /* A host stack of its own: attaching the DP and the MEM-AP does not touch the debug units. */
    assert_int_equal(sim_session_attach(&fixture.session), STATUS_OK);
    uint32_t fp_ctrl = chip_read32(&fixture, CORTEXM_FP_CTRL);
    unsigned fpb = ((fp_ctrl >> 4) & 0xFu) | (((fp_ctrl >> 12) & 0x7u) << 4);
    assert_true(fpb >= 2);
    for (unsigned n = 0; n < fpb; n++)
        assert_int_equal(chip_read32(&fixture, CORTEXM_FP_COMP(n)) & 1u, 0);
    unsigned dwt = chip_read32(&fixture, CORTEXM_DWT_CTRL) >> 28;
    assert_true(dwt >= 1);
    for (unsigned n = 0; n < dwt; n++)
        assert_int_equal(chip_read32(&fixture, CORTEXM_DWT_FUNCTION(n)) & 0xFu, 0);
    uint32_t dhcsr = chip_read32(&fixture, CORTEXM_DHCSR);
    assert_int_equal(dhcsr & (CORTEXM_DHCSR_C_DEBUGEN | CORTEXM_DHCSR_S_HALT), 0);
    assert_int_equal(chip_read32(&fixture, CORTEXM_DEMCR) & CORTEXM_DEMCR_VC_ALL_V7M, 0);
    uint32_t before = chip_read32(&fixture, COUNTER_ADDR);
    for (unsigned ms = 0; ms < 5; ms++)
        sim_stm32_run_for(fixture.session.stm32, PS_PER_MS);
    uint32_t after = chip_read32(&fixture, COUNTER_ADDR);
    print_message("%s: the counting loop runs on after the release: %u, then %u\n", part, (unsigned)before,
                  (unsigned)after);
    assert_true(before > 0 && after > before);
    sim_session_destroy(&fixture.session);
}

static void test_a_release_on_the_cortex_m3_clears_everything_and_runs(void **state)
{
    (void)state;
    release_leaves_the_chip_clean("stm32f103c8");
}

static void test_a_release_on_the_cortex_m0plus_clears_everything_and_runs(void **state)
{
    (void)state;
    release_leaves_the_chip_clean("stm32g071rb");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_release_on_the_cortex_m3_clears_everything_and_runs),
        cmocka_unit_test(test_a_release_on_the_cortex_m0plus_clears_everything_and_runs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
