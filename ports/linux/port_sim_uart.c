/*
 * port_sim_uart.c - the HAL's UART on a simulated STM32's USART1, in simulated time (port_sim_uart.h).
 */
#include "port_sim_uart.h"

#include <string.h>

#define PS_PER_S 1000000000000ull
#define PS_PER_MS 1000000000ull
/* Without an answer queued, time moves in steps this long while a read waits, so firmware output is seen soon. */
#define READ_STEP_PS (100ull * 1000000ull)

static uint64_t now_ps(const struct port_sim_uart *link)
{
    return sim_stm32_now_ps(link->chip);
}

static void run_until(struct port_sim_uart *link, uint64_t at_ps)
{
    uint64_t now = now_ps(link);
    if (at_ps > now)
        sim_stm32_run_for(link->chip, at_ps - now);
}

static bool link_configure(void *ctx, uint32_t baud, enum hal_uart_parity parity)
{
    struct port_sim_uart *link = ctx;
    if (baud == 0)
        return false;
    unsigned bits = 1 + 8 + (parity == HAL_UART_PARITY_EVEN ? 1 : 0) + 1;
    link->frame_ps = (uint64_t)bits * PS_PER_S / baud;
    return true;
}

static void queue_byte(struct port_sim_uart *link, uint8_t byte, uint64_t at_ps)
{
    if (link->count == PORT_SIM_UART_QUEUE) { /* full: the oldest byte is overrun */
        link->head = (link->head + 1) % PORT_SIM_UART_QUEUE;
        link->count--;
    }
    unsigned slot = (link->head + link->count) % PORT_SIM_UART_QUEUE;
    link->received[slot].byte = byte;
    link->received[slot].at_ps = at_ps;
    link->count++;
}

/* The ROM model hands its bytes over when it sends them (several at once); the firmware's USART when their frame
 * ends. Either way they follow each other on the line. */
static void on_uart_tx(void *ctx, unsigned usart, uint8_t byte, uint64_t at_ps)
{
    struct port_sim_uart *link = ctx;
    bool from_rom = usart == 1 && link->chip->boot_from_rom;
    /* The ROM's answers belong to the bootloader job that holds the line, not to the console. */
    if (link->next.uart_tx != NULL && !from_rom)
        link->next.uart_tx(link->next.ctx, usart, byte, at_ps);
    if (usart != 1)
        return;
    uint64_t start = at_ps > link->chip_line_free_ps ? at_ps : link->chip_line_free_ps;
    uint64_t end = from_rom ? start + link->frame_ps : start;
    link->chip_line_free_ps = end;
    if (!from_rom && link->console_len < sizeof link->console)
        link->console[link->console_len++] = (char)byte;
    if (link->chip_bytes++ == link->faults.parity_error_chip_byte)
        return;
    queue_byte(link, byte, end);
}

static size_t link_write(void *ctx, const uint8_t *data, size_t len)
{
    struct port_sim_uart *link = ctx;
    for (size_t i = 0; i < len; i++) {
        uint64_t start = now_ps(link) > link->host_line_free_ps ? now_ps(link) : link->host_line_free_ps;
        link->host_line_free_ps = start + link->frame_ps;
        run_until(link, link->host_line_free_ps);
        uint64_t index = link->host_bytes++;
        if (index == link->faults.lose_host_byte)
            continue;
        uint8_t byte = index == link->faults.flip_host_byte ? (uint8_t)(data[i] ^ 0x10u) : data[i];
        sim_stm32_uart_receive(link->chip, 1, byte);
    }
    return len;
}

static size_t take_arrived(struct port_sim_uart *link, uint8_t *data, size_t len)
{
    size_t got = 0;
    while (got < len && link->count > 0 && link->received[link->head].at_ps <= now_ps(link)) {
        data[got++] = link->received[link->head].byte;
        link->head = (link->head + 1) % PORT_SIM_UART_QUEUE;
        link->count--;
    }
    return got;
}

static size_t link_read(void *ctx, uint8_t *data, size_t len, uint32_t timeout_ms)
{
    struct port_sim_uart *link = ctx;
    uint64_t deadline = now_ps(link) + (uint64_t)timeout_ms * PS_PER_MS;
    for (;;) {
        size_t got = take_arrived(link, data, len);
        if (got > 0)
            return got;
        uint64_t now = now_ps(link);
        if (now >= deadline)
            return 0;
        uint64_t next = link->count > 0 ? link->received[link->head].at_ps : now + READ_STEP_PS;
        run_until(link, next < deadline ? next : deadline);
    }
}

static void link_flush_input(void *ctx)
{
    struct port_sim_uart *link = ctx;
    while (link->count > 0 && link->received[link->head].at_ps <= now_ps(link)) {
        link->head = (link->head + 1) % PORT_SIM_UART_QUEUE;
        link->count--;
    }
}

static void on_gpio_change(void *ctx, char port, unsigned pin, bool level, uint64_t at_ps)
{
    struct port_sim_uart *link = ctx;
    if (link->next.gpio_change != NULL)
        link->next.gpio_change(link->next.ctx, port, pin, level, at_ps);
}

static void on_reset(void *ctx, const char *cause, bool into_bootloader, uint64_t at_ps)
{
    struct port_sim_uart *link = ctx;
    if (link->next.reset != NULL)
        link->next.reset(link->next.ctx, cause, into_bootloader, at_ps);
}

void port_sim_uart_chain(struct port_sim_uart *link, const struct sim_stm32_events *next)
{
    link->next = *next;
}

void port_sim_uart_init(struct port_sim_uart *link, struct sim_stm32 *chip)
{
    memset(link, 0, sizeof *link);
    link->chip = chip;
    link->faults = (struct port_sim_uart_faults){.lose_host_byte = PORT_SIM_UART_NO_FAULT,
                                                 .flip_host_byte = PORT_SIM_UART_NO_FAULT,
                                                 .parity_error_chip_byte = PORT_SIM_UART_NO_FAULT};
    link->uart = (struct hal_uart){.ctx = link, .configure = link_configure, .write = link_write,
                                   .read = link_read, .flush_input = link_flush_input};
    link_configure(link, 115200, HAL_UART_PARITY_EVEN);
    const struct sim_stm32_events events = {.ctx = link, .uart_tx = on_uart_tx, .gpio_change = on_gpio_change,
                                            .reset = on_reset};
    sim_stm32_set_events(chip, &events);
}
