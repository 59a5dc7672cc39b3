/*
 * port_sim_uart.h - the HAL's UART wired to a simulated STM32's USART1 in the same process: the bytes the host
 * sends reach the chip (its ROM bootloader, or the firmware's USART) one frame time apart at the configured baud,
 * and the chip's bytes come back at the time their frame ends, all in the simulator's timeline. So the core's
 * timeouts, and the chip time a bootloader job reports, include the line's own time.
 *
 * Faults for the tests, each on one byte counted from 0 since port_sim_uart_init(): a byte from the host lost on
 * the way, a byte from the host with one bit flipped (the ROM bootloader does not check parity: it sees the wrong
 * byte), a byte from the chip with a parity error (the host's UART drops it, as a Linux tty with IGNPAR does).
 */
#ifndef AIRSWD_PORT_SIM_UART_H
#define AIRSWD_PORT_SIM_UART_H

#include <stdbool.h>
#include <stdint.h>

#include "hal.h"
#include "sim_stm32.h"

#define PORT_SIM_UART_QUEUE 2048u
#define PORT_SIM_UART_CONSOLE 4096u
#define PORT_SIM_UART_NO_FAULT UINT64_MAX

struct port_sim_uart_faults {
    uint64_t lose_host_byte;
    uint64_t flip_host_byte;
    uint64_t parity_error_chip_byte;
};

struct port_sim_uart {
    struct sim_stm32 *chip;
    struct hal_uart uart;
    struct port_sim_uart_faults faults;
    uint64_t frame_ps;            /* one frame at the configured baud and parity */
    uint64_t host_line_free_ps;   /* the host's TX line is busy until then */
    uint64_t chip_line_free_ps;   /* the chip's TX line */
    uint64_t host_bytes, chip_bytes;
    struct {
        uint8_t byte;
        uint64_t at_ps; /* the end of its frame: the host has it from then */
    } received[PORT_SIM_UART_QUEUE];
    unsigned head, count;
    struct sim_stm32_events next; /* port_sim_uart_chain(): the chip's events, passed on */
    /* What the firmware (not the ROM) sent, for a console view. */
    char console[PORT_SIM_UART_CONSOLE];
    uint32_t console_len;
};

/* Binds link to chip's USART1 (it takes the chip's event callbacks) at 115200 baud 8E1 until configured. */
void port_sim_uart_init(struct port_sim_uart *link, struct sim_stm32 *chip);
/* The chip's events also go to next: pin changes, resets, and the bytes the firmware sends on USART1 and USART2
 * (the ROM bootloader's answers stay on the link). */
void port_sim_uart_chain(struct port_sim_uart *link, const struct sim_stm32_events *next);

#endif /* AIRSWD_PORT_SIM_UART_H */
