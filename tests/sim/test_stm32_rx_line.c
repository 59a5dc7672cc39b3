/*
 * test_stm32_rx_line.c - a line outside the chip feeds USART1's RX pin as a device of the chip's timeline
 * (sim_stm32_attach_rx_source), with the echo example firmware (examples/firmware/common/main_echo.c) on a
 * simulated F103:
 * - bytes the line offers one frame apart reach the firmware whole, at the times the line says, and come back;
 * - the same bytes offered all at once overrun the receiver (ORE), as on silicon: the pacing is the line's job;
 * - sim_usart_bit_ps gives the bit time that the firmware's BRR sets.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sim_stm32.h"
#include "test_skip.h"

#define MS 1000000000ull            /* picoseconds */
#define BIT_115200_PS 8680556ull     /* 10^12 / 115200 */
#define FRAME_115200_PS (10u * BIT_115200_PS)
#define LINE_BYTES 64u

/* A test line: LINE_BYTES bytes, one frame apart when paced, all due at once otherwise. */
struct line {
    bool paced;
    unsigned sent;
    uint64_t last_ps;
    uint64_t taken_ps[LINE_BYTES];
    uint8_t echo[LINE_BYTES * 2];
    unsigned echoed;
    bool greeted;
};

static uint8_t line_byte(unsigned index)
{
    return (uint8_t)(index * 37u + 11u);
}

static uint64_t line_next_ps(void *ctx)
{
    const struct line *line = ctx;
    if (line->sent == LINE_BYTES)
        return SIM_NEVER;
    return line->paced ? line->last_ps + FRAME_115200_PS : 0;
}

static bool line_take(void *ctx, uint64_t now_ps, uint8_t *byte)
{
    struct line *line = ctx;
    if (!line->greeted || line->sent == LINE_BYTES || (line->paced && now_ps < line->last_ps + FRAME_115200_PS))
        return false;
    line->taken_ps[line->sent] = now_ps;
    *byte = line_byte(line->sent++);
    line->last_ps = now_ps;
    return true;
}

/* The firmware's output: the greeting first (the line waits for its end), then the echo. */
static void on_uart(void *ctx, unsigned usart, uint8_t byte, uint64_t at_ps)
{
    struct line *line = ctx;
    (void)usart;
    if (!line->greeted) {
        line->greeted = byte == '\n';
        line->last_ps = at_ps;
    } else if (line->echoed < sizeof line->echo) {
        line->echo[line->echoed++] = byte;
    }
}

static struct sim_stm32 *echo_chip(struct line *line)
{
    struct sim_stm32 *stm32 = sim_stm32_create("stm32f103c8", 0);
    assert_non_null(stm32);
    const char *build = getenv("AIRSWD_BINARY_DIR");
    char path[512];
    snprintf(path, sizeof path, "%s/examples/firmware/f1/echo_f1.bin", build ? build : ".");
    FILE *file = fopen(path, "rb");
    if (file == NULL) {
        sim_stm32_destroy(stm32);
        return NULL;
    }
    size_t size = fread(sim_flash_array(stm32->flash), 1, sim_flash_size(stm32->flash), file);
    fclose(file);
    assert_true(size > 64);
    const struct sim_stm32_events events = {.ctx = line, .uart_tx = on_uart};
    sim_stm32_set_events(stm32, &events);
    const struct sim_stm32_rx_source source = {.next_ps = line_next_ps, .take = line_take, .ctx = line};
    assert_true(sim_stm32_attach_rx_source(stm32, 1, &source));
    sim_stm32_power_on_reset(stm32);
    return stm32;
}

/* The echo chip after 30 ms of its time: the greeting, then the line's bytes (NULL: the test is skipped). */
static struct sim_stm32 *echo_chip_after_30_ms(struct line *line)
{
    struct sim_stm32 *stm32 = echo_chip(line);
    if (stm32 == NULL)
        return NULL;
    for (unsigned ms = 0; ms < 30; ms++)
        sim_stm32_run_for(stm32, MS);
    assert_int_equal(line->sent, LINE_BYTES);
    return stm32;
}

static void test_paced_bytes_reach_the_firmware_at_their_frame_times(void **state)
{
    (void)state;
    struct line line = {.paced = true};
    struct sim_stm32 *stm32 = echo_chip_after_30_ms(&line);
    if (stm32 == NULL)
        SKIP_TEST("example firmware not built (arm-none-eabi-gcc missing)");
    assert_true(line.greeted);
    for (unsigned i = 1; i < LINE_BYTES; i++) {
        uint64_t gap = line.taken_ps[i] - line.taken_ps[i - 1];
        assert_true(gap >= FRAME_115200_PS && gap < FRAME_115200_PS + 1000000ull); /* within 1 us of the frame */
    }
    assert_int_equal(line.echoed, LINE_BYTES);
    for (unsigned i = 0; i < LINE_BYTES; i++)
        assert_int_equal(line.echo[i], line_byte(i));
    /* BRR 69 at 8 MHz: 8.625 us a bit, 115942 baud. */
    assert_int_equal(sim_usart_bit_ps(stm32->usart[0]), 8625000ull);
    sim_stm32_destroy(stm32);
}

static void test_bytes_all_at_once_overrun_the_receiver(void **state)
{
    (void)state;
    struct line line = {.paced = false};
    struct sim_stm32 *stm32 = echo_chip_after_30_ms(&line);
    if (stm32 == NULL)
        SKIP_TEST("example firmware not built (arm-none-eabi-gcc missing)");
    print_message("all at once: %u of %u bytes echoed\n", line.echoed, LINE_BYTES);
    assert_true(line.echoed < LINE_BYTES / 2);
    sim_stm32_destroy(stm32);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_paced_bytes_reach_the_firmware_at_their_frame_times),
        cmocka_unit_test(test_bytes_all_at_once_overrun_the_receiver),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
