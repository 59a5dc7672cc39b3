/*
 * fuzz_gdb.c - libFuzzer target: the GDB remote protocol engine (src/gdb) fed the input as a client's bytes, with
 * the monitor's command parser behind qRcmd.
 *
 * Byte 0 of the input steers the session: bit 0 pretends a part is attached (an STM32F103 described as the engine
 * would find it, with FPB and DWT comparators; bit 1 gives it an FPU), so that the parsers of memory, register,
 * breakpoint and flash packets are reached; byte 1 cuts the rest into reads of 1 to 64 bytes. The wire behind the
 * session answers nothing (every SWD request reads as no target), so every access fails the way a disconnected
 * target does, and the clock jumps ahead on each look so that the engine's waits end at once.
 *
 * Checked, besides memory safety: everything sent is an acknowledgement or one well-framed packet (`$`, a body of
 * at most GDB_PACKET_MAX bytes without a bare `#`, `#`, the right checksum); the engine is never left running after
 * the target stopped answering.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gdb/gdb_server.h"
#include "hex.h"
#include "stm32/stm32_part.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(condition, what)                                                                                         \
    do {                                                                                                               \
        if (!(condition)) {                                                                                            \
            fprintf(stderr, "fuzz_gdb: %s (%s:%d)\n", what, __FILE__, __LINE__);                                       \
            abort();                                                                                                   \
        }                                                                                                              \
    } while (0)

#define F103_DEV_ID 0x410u
#define F103_FLASH_BYTES (64u * 1024u)
#define CLOCK_STEP_US 20000u /* each look at the clock: waits of the engine time out after a few */

static uint64_t clock_us;

static uint64_t fake_now_us(void *ctx)
{
    (void)ctx;
    return clock_us += CLOCK_STEP_US;
}

static void fake_delay_us(void *ctx, uint32_t us)
{
    (void)ctx;
    clock_us += us;
}

static bool fake_yield(void *ctx)
{
    (void)ctx;
    return false;
}

static void fake_set_swdio_output(void *ctx, bool drive)
{
    (void)ctx;
    (void)drive;
}

static void fake_write_bit(void *ctx, bool bit)
{
    (void)ctx;
    (void)bit;
}

static bool fake_read_bit(void *ctx)
{
    (void)ctx;
    return true; /* a floating line: no target answers */
}

static unsigned fake_transfer(void *ctx, uint8_t request, uint32_t *value)
{
    (void)ctx;
    (void)request;
    (void)value;
    return HAL_SWD_ACK_NONE;
}

/* Every send is an acknowledgement or one whole packet. */
static void check_send(void *ctx, const uint8_t *bytes, size_t len)
{
    (void)ctx;
    CHECK(len >= 1, "an empty send");
    if (len == 1) {
        CHECK(bytes[0] == '+' || bytes[0] == '-', "a lone byte that is not an acknowledgement");
        return;
    }
    CHECK(len >= 4 && bytes[0] == '$' && bytes[len - 3] == '#', "a packet without its frame");
    CHECK(len - 4 <= GDB_PACKET_MAX, "a packet body longer than PacketSize");
    uint8_t sum = 0;
    for (size_t i = 1; i < len - 3; i++) {
        CHECK(bytes[i] != '#' && bytes[i] != '$', "a frame byte inside a body");
        sum = (uint8_t)(sum + bytes[i]);
    }
    int high = hex_digit_value(bytes[len - 2]), low = hex_digit_value(bytes[len - 1]);
    CHECK(high >= 0 && low >= 0 && (uint8_t)(high << 4 | low) == sum, "a wrong checksum");
}

static struct gdb_server server;

/* What gdb_target_connect() would leave for an F103, without a wire. */
static void pretend_attached(bool fpu)
{
    server.target.part = stm32_part_find(F103_DEV_ID);
    CHECK(server.target.part != NULL, "the F103 is not in the part table");
    CHECK(stm32_part_describe(server.target.part, F103_FLASH_BYTES, &server.target.memory), "no F103 memory");
    server.target.ap = &server.ap;
    server.target.system = server.config.system;
    server.target.report = &server.report;
    server.dp.swd = &server.swd;
    server.ap.dp = &server.dp;
    server.core.ap = &server.ap;
    server.core.system = server.config.system;
    server.core.report = &server.report;
    server.core.fpb_comparators = 6;
    server.core.dwt_comparators = 4;
    server.core.has_fpu = fpu;
    server.connected = server.attached = true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const struct hal_system system = {
        .now_us = fake_now_us, .delay_us = fake_delay_us, .yield = fake_yield};
    static const struct hal_swd wire = {.set_swdio_output = fake_set_swdio_output,
                                        .write_bit = fake_write_bit,
                                        .read_bit = fake_read_bit,
                                        .transfer = fake_transfer};
    if (size < 2)
        return 0;
    const struct gdb_config config = {
        .swd = &wire, .system = &system, .version = "fuzz", .send = check_send, .send_ctx = NULL};
    gdb_server_init(&server, &config);
    swd_init(&server.swd, &wire, &system, &server.report);
    if (data[0] & 1u)
        pretend_attached((data[0] & 2u) != 0);
    size_t chunk = (size_t)(data[1] % 64u) + 1u;
    for (size_t at = 2; at < size; at += chunk) {
        size_t len = size - at < chunk ? size - at : chunk;
        gdb_server_receive(&server, data + at, len);
        gdb_server_poll(&server);
    }
    gdb_server_poll(&server);
    CHECK(!gdb_server_running(&server) || server.connected, "running with no target");
    gdb_server_release(&server);
    return 0;
}
