/*
 * events.c - what the simulated chip shows the outside: USART1's bytes go to the pty and the UART log, pin changes
 * and resets to the event log, each stamped with simulated time.
 */
#include "stm32sim.h"

static double ms_of(uint64_t ps)
{
    return (double)ps / 1e9;
}

static void on_uart_tx(void *ctx, unsigned usart, uint8_t byte, uint64_t at_ps)
{
    struct stm32sim *sim = ctx;
    if (usart != 1)
        return;
    sim->uart_bytes++;
    if (sim->uart_frame_ps > 0) { /* the bytes follow each other on the line */
        uint64_t start = at_ps > sim->uart_line_free_ps ? at_ps : sim->uart_line_free_ps;
        sim->uart_line_free_ps = start + sim->uart_frame_ps;
        sim->uart_last_ps = sim->uart_line_free_ps;
    }
    if (sim->pty_open)
        pty_link_write(&sim->pty, &byte, 1);
    if (sim->uart_log != NULL) {
        fputc(byte, sim->uart_log);
        fflush(sim->uart_log);
    }
}

static void on_gpio_change(void *ctx, char port, unsigned pin, bool level, uint64_t at_ps)
{
    struct stm32sim *sim = ctx;
    sim->gpio_changes++;
    if (sim->event_log != NULL) {
        fprintf(sim->event_log, "gpio P%c%u %d at %.6f ms\n", port, pin, level ? 1 : 0, ms_of(at_ps));
        fflush(sim->event_log);
    }
}

static void on_reset(void *ctx, const char *cause, bool into_bootloader, uint64_t at_ps)
{
    struct stm32sim *sim = ctx;
    if (sim->event_log != NULL) {
        fprintf(sim->event_log, "reset %s into %s at %.6f ms\n", cause, into_bootloader ? "bootloader" : "flash",
                ms_of(at_ps));
        fflush(sim->event_log);
    }
}

void stm32sim_attach_events(struct stm32sim *sim)
{
    struct sim_stm32_events events = {
        .ctx = sim, .uart_tx = on_uart_tx, .gpio_change = on_gpio_change, .reset = on_reset};
    sim_stm32_set_events(sim->chip, &events);
}
