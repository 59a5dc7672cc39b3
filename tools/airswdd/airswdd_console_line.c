/*
 * airswdd_console_line.c - the line from the console's clients into the simulated chip's USART1 (airswdd_console.h).
 *
 * The USART takes a byte at a time and loses the next one (ORE) when the firmware has not read the previous, as
 * silicon does; a USB-serial adapter sends no faster than its baud rate, so neither does this line: the chip takes a
 * byte only one frame (start bit, data bits, parity bit, stop bits at the line's baud rate) after the previous one,
 * measured in the chip's time. The chip pulls the bytes as a device of its timeline, on whichever thread drives it.
 */
#include "airswdd_console.h"

#include <stdio.h>

#include "sim_stm32.h"

#define PS_PER_SECOND 1000000000000ull

/* Invariant: count <= CONSOLE_LINE_QUEUE_BYTES; the bytes wait from head on, in order. */
static struct {
    pthread_mutex_t mutex;
    uint8_t queue[CONSOLE_LINE_QUEUE_BYTES];
    unsigned head, count;
    struct console_line_settings settings;
    uint64_t last_frame_end_ps; /* when the previous byte reached the chip */
} line = {
    .mutex = PTHREAD_MUTEX_INITIALIZER,
    .settings = {.baud = CONSOLE_DEFAULT_BAUD, .data_bits = 8, .parity = CONSOLE_PARITY_NONE, .stop_half_bits = 2},
};

void console_line_settings_format(const struct console_line_settings *settings, char *text, size_t size)
{
    static const char parity[] = "NOEMS";
    const char *stop = settings->stop_half_bits == 4 ? "2" : settings->stop_half_bits == 3 ? "1.5" : "1";
    snprintf(text, size, "%lu baud %u%c%s", (unsigned long)settings->baud, settings->data_bits,
             parity[settings->parity], stop);
}

static uint64_t line_frame_ps_locked(void)
{
    const struct console_line_settings *settings = &line.settings;
    uint64_t half_bits = 2u * (1u + settings->data_bits + (settings->parity != CONSOLE_PARITY_NONE)) +
                         settings->stop_half_bits;
    uint64_t baud = settings->baud != 0 ? settings->baud : CONSOLE_DEFAULT_BAUD;
    return half_bits * PS_PER_SECOND / (2u * baud);
}

static uint64_t line_next_ps(void *ctx)
{
    (void)ctx;
    pthread_mutex_lock(&line.mutex);
    uint64_t next = line.count == 0 ? SIM_NEVER : line.last_frame_end_ps + line_frame_ps_locked();
    pthread_mutex_unlock(&line.mutex);
    return next;
}

static bool line_take(void *ctx, uint64_t now_ps, uint8_t *byte)
{
    (void)ctx;
    pthread_mutex_lock(&line.mutex);
    /* After a quiet spell the first byte goes at once: its frame began when it was sent. */
    bool due = line.count != 0 && now_ps >= line.last_frame_end_ps + line_frame_ps_locked();
    if (due) {
        *byte = line.queue[line.head];
        line.head = (line.head + 1) % CONSOLE_LINE_QUEUE_BYTES;
        line.count--;
        line.last_frame_end_ps = now_ps;
    }
    pthread_mutex_unlock(&line.mutex);
    return due;
}

bool console_line_attach(struct sim_stm32 *sim)
{
    const struct sim_stm32_rx_source source = {.next_ps = line_next_ps, .take = line_take};
    return sim_stm32_attach_rx_source(sim, 1, &source);
}

size_t console_line_room(void)
{
    pthread_mutex_lock(&line.mutex);
    size_t room = CONSOLE_LINE_QUEUE_BYTES - line.count;
    pthread_mutex_unlock(&line.mutex);
    return room;
}

void console_line_send(const uint8_t *bytes, size_t len)
{
    pthread_mutex_lock(&line.mutex);
    for (size_t i = 0; i < len && line.count < CONSOLE_LINE_QUEUE_BYTES; i++) {
        line.queue[(line.head + line.count) % CONSOLE_LINE_QUEUE_BYTES] = bytes[i];
        line.count++;
    }
    pthread_mutex_unlock(&line.mutex);
}

void console_line_purge(void)
{
    pthread_mutex_lock(&line.mutex);
    line.count = 0;
    pthread_mutex_unlock(&line.mutex);
}

void console_line_get(struct console_line_settings *settings)
{
    pthread_mutex_lock(&line.mutex);
    *settings = line.settings;
    pthread_mutex_unlock(&line.mutex);
}

void console_line_set(const struct console_line_settings *settings)
{
    pthread_mutex_lock(&line.mutex);
    line.settings = *settings;
    pthread_mutex_unlock(&line.mutex);
}
