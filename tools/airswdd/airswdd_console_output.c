/*
 * airswdd_console_output.c - what the chip sent on USART1, kept in a ring of CONSOLE_HISTORY_BYTES for the console's
 * clients (airswdd_console.h). Each client reads at its own cursor, a position in the whole output since start, so
 * one slow client neither holds back the others nor the chip: it loses what the ring no longer holds.
 */
#include "airswdd_console.h"

/* Invariant: the ring holds the output's positions [written - min(written, size), written). */
static struct {
    pthread_mutex_t mutex;
    uint8_t ring[CONSOLE_HISTORY_BYTES];
    uint64_t written;
} output = {.mutex = PTHREAD_MUTEX_INITIALIZER};

static uint64_t output_oldest_locked(void)
{
    return output.written > CONSOLE_HISTORY_BYTES ? output.written - CONSOLE_HISTORY_BYTES : 0;
}

void console_output_push(uint8_t byte)
{
    pthread_mutex_lock(&output.mutex);
    output.ring[output.written % CONSOLE_HISTORY_BYTES] = byte;
    output.written++;
    pthread_mutex_unlock(&output.mutex);
}

uint64_t console_output_oldest(void)
{
    pthread_mutex_lock(&output.mutex);
    uint64_t oldest = output_oldest_locked();
    pthread_mutex_unlock(&output.mutex);
    return oldest;
}

uint64_t console_output_end(void)
{
    pthread_mutex_lock(&output.mutex);
    uint64_t end = output.written;
    pthread_mutex_unlock(&output.mutex);
    return end;
}

size_t console_output_read(uint64_t *cursor, uint8_t *bytes, size_t len)
{
    pthread_mutex_lock(&output.mutex);
    uint64_t oldest = output_oldest_locked();
    if (*cursor < oldest)
        *cursor = oldest;
    size_t count = 0;
    while (count < len && *cursor < output.written) {
        bytes[count++] = output.ring[*cursor % CONSOLE_HISTORY_BYTES];
        (*cursor)++;
    }
    pthread_mutex_unlock(&output.mutex);
    return count;
}
