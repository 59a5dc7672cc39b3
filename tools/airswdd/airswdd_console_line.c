/*
 * airswdd_console_line.c - the line from the console's clients into the simulated chip's USART1 (airswdd_console.h).
 *
 * The USART takes a byte at a time and loses the next one (ORE) when the firmware has not read the previous, as
 * silicon does; a USB-serial adapter sends no faster than its baud rate, so neither does this line: the chip takes a
 * byte only one frame (start bit, data bits, parity bit, stop bits at the line's baud rate) after the previous one,
 * measured in the chip's time. The chip pulls the bytes as a device of its timeline, on whichever thread drives it.
 *
 * The two ends of the line each keep their own baud rate, as on a bench: the line's is what an RFC 2217 client
 * set, the chip's what its firmware wrote to BRR. A byte crosses the line as the receiving end samples the sending
 * end's frame, so rates more than about 5 % apart garble it, both ways. The ROM bootloader measures the rate of the
 * first byte it receives (AN3155), so it always matches.
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
    bool held; /* a job may talk to the ROM bootloader: nothing goes to the ROM until it ends */
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

static uint64_t line_bit_ps_locked(void)
{
    return PS_PER_SECOND / (line.settings.baud != 0 ? line.settings.baud : CONSOLE_DEFAULT_BAUD);
}

/* What a receiver whose bits last receiver_bit_ps reads of a byte sent with bits of sender_bit_ps: after the start
 * bit's falling edge it samples the middle of each of its own bit times, and takes whatever the sender's frame
 * shows then (the start bit's 0, a data bit, or the 1 of a stop bit and the idle line). */
static uint8_t line_resample(uint8_t byte, uint64_t sender_bit_ps, uint64_t receiver_bit_ps)
{
    if (sender_bit_ps == receiver_bit_ps || sender_bit_ps == SIM_NEVER || receiver_bit_ps == SIM_NEVER)
        return byte;
    uint8_t received = 0;
    for (unsigned bit = 0; bit < 8; bit++) {
        uint64_t sample_ps = (2u * (bit + 1u) + 1u) * receiver_bit_ps / 2u;
        uint64_t sender_bit = sample_ps / sender_bit_ps; /* 0: the start bit, 1 to 8: data bits, then stop */
        bool level = sender_bit == 0 ? false : sender_bit > 8 ? true : ((byte >> (sender_bit - 1u)) & 1u) != 0;
        received |= (uint8_t)(level ? 1u << bit : 0u);
    }
    return received;
}

/* The chip's end of the line: USART1 at the rate its BRR sets, or the ROM bootloader at whatever the line runs. */
static uint64_t chip_bit_ps(const struct sim_stm32 *sim, uint64_t line_bit_ps)
{
    return sim->boot_from_rom ? line_bit_ps : sim_usart_bit_ps(sim->usart[0]);
}

uint8_t console_line_from_chip(const struct sim_stm32 *sim, uint8_t byte)
{
    pthread_mutex_lock(&line.mutex);
    uint64_t line_bit_ps = line_bit_ps_locked();
    pthread_mutex_unlock(&line.mutex);
    return line_resample(byte, chip_bit_ps(sim, line_bit_ps), line_bit_ps);
}

/* While a job may use the ROM bootloader, the ROM's USART1 is the job's: what clients type waits for the firmware.
 * The ROM entered otherwise (an RFC 2217 client such as stm32flash driving BOOT0 and NRST itself) takes it. */
static bool line_waits_locked(const struct sim_stm32 *sim)
{
    return line.count == 0 || (line.held && sim->boot_from_rom);
}

void console_line_hold(bool held)
{
    pthread_mutex_lock(&line.mutex);
    line.held = held;
    pthread_mutex_unlock(&line.mutex);
}

static uint64_t line_next_ps(void *ctx)
{
    const struct sim_stm32 *sim = ctx;
    pthread_mutex_lock(&line.mutex);
    uint64_t next = line_waits_locked(sim) ? SIM_NEVER : line.last_frame_end_ps + line_frame_ps_locked();
    pthread_mutex_unlock(&line.mutex);
    return next;
}

static bool line_take(void *ctx, uint64_t now_ps, uint8_t *byte)
{
    const struct sim_stm32 *sim = ctx;
    pthread_mutex_lock(&line.mutex);
    /* After a quiet spell the first byte goes at once: its frame began when it was sent. */
    bool due = !line_waits_locked(sim) && now_ps >= line.last_frame_end_ps + line_frame_ps_locked();
    if (due) {
        uint64_t line_bit_ps = line_bit_ps_locked();
        *byte = line_resample(line.queue[line.head], line_bit_ps, chip_bit_ps(sim, line_bit_ps));
        line.head = (line.head + 1) % CONSOLE_LINE_QUEUE_BYTES;
        line.count--;
        line.last_frame_end_ps = now_ps;
    }
    pthread_mutex_unlock(&line.mutex);
    return due;
}

bool console_line_attach(struct sim_stm32 *sim)
{
    const struct sim_stm32_rx_source source = {.next_ps = line_next_ps, .take = line_take, .ctx = sim};
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
