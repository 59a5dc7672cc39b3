/*
 * airswdd_uart.c - what the simulated STM32 sends on USART1, as lines on stderr and in the service's log, and the
 * chip's firmware let run between jobs (airswdd.h).
 */
#include "airswdd.h"

#include <stdio.h>
#include <string.h>

#include "airswdd_console.h"
#include "port_sim_uart.h"
#include "sim_stm32.h"

#define UART_LINE_MAX 120
#define UART_QUEUE_LINES 16

/* Bytes become a line at '\n' (a '\r' before it is dropped); complete lines wait in a small ring for the main
 * thread. A line longer than UART_LINE_MAX is cut there. */
static struct {
    pthread_mutex_t mutex;
    char partial[UART_LINE_MAX + 1];
    size_t partial_len;
    char lines[UART_QUEUE_LINES][UART_LINE_MAX + 1];
    unsigned head, count;
} uart = {.mutex = PTHREAD_MUTEX_INITIALIZER};

static void uart_push_line_locked(void)
{
    uart.partial[uart.partial_len] = '\0';
    unsigned slot = (uart.head + uart.count) % UART_QUEUE_LINES;
    if (uart.count == UART_QUEUE_LINES) { /* full: the oldest line is lost */
        uart.head = (uart.head + 1) % UART_QUEUE_LINES;
        uart.count--;
    }
    memcpy(uart.lines[slot], uart.partial, uart.partial_len + 1);
    uart.count++;
    uart.partial_len = 0;
}

static void on_uart_tx(void *ctx, unsigned usart, uint8_t byte, uint64_t at_ps)
{
    (void)at_ps;
    if (usart != 1)
        return;
    console_output_push(console_line_from_chip(ctx, byte)); /* the log below shows what the chip sent */
    pthread_mutex_lock(&uart.mutex);
    if (byte == '\n') {
        uart_push_line_locked();
    } else if (byte != '\r') {
        uart.partial[uart.partial_len++] = (byte >= 0x20 && byte < 0x7F) ? (char)byte : '?';
        if (uart.partial_len == UART_LINE_MAX)
            uart_push_line_locked();
    }
    pthread_mutex_unlock(&uart.mutex);
}

void airswdd_uart_attach(struct sim_stm32 *sim, struct port_sim_uart *link)
{
    const struct sim_stm32_events events = {.ctx = sim, .uart_tx = on_uart_tx};
    if (link != NULL)
        port_sim_uart_chain(link, &events); /* the ROM bootloader's link sees the bytes first */
    else
        sim_stm32_set_events(sim, &events);
}

void airswdd_uart_drain(struct service *service)
{
    for (;;) {
        char line[UART_LINE_MAX + 1];
        pthread_mutex_lock(&uart.mutex);
        bool any = uart.count > 0;
        if (any) {
            memcpy(line, uart.lines[uart.head], sizeof line);
            uart.head = (uart.head + 1) % UART_QUEUE_LINES;
            uart.count--;
        }
        pthread_mutex_unlock(&uart.mutex);
        if (!any)
            return;
        fprintf(stderr, "airswdd: uart: %s\n", line);
        service_log(service, "uart: %s", line);
    }
}

void airswdd_sim_idle(struct service *service, struct sim_stm32 *sim, unsigned ms)
{
    /* In slices, so that a job or a GET /target waits at most one slice for the chip. */
    for (unsigned slice = 0; slice < ms; slice += 10) {
        service_lock(service);
        bool free = !service->job_active && !service->debug_session;
        if (free)
            sim_stm32_run_for(sim, 10ull * 1000000000ull);
        service_unlock(service);
        if (!free)
            return;
        airswdd_uart_drain(service); /* a fast USART fills the line queue within a few slices */
    }
}
