/*
 * esp8266_uart.h - struct hal_uart on UART0 (TX GPIO1, RX GPIO3), wired to the STM32's USART1 (PA10, PA9): the
 * line the STM32's ROM bootloader speaks on (8E1), through the SDK's UART driver. The firmware's own log is on
 * UART1 (esp8266_status.h), so UART0 belongs to the STM32.
 */
#ifndef ESP8266_UART_H
#define ESP8266_UART_H

#include <stdbool.h>

#include "hal.h"

struct esp8266_uart {
    struct hal_uart hal; /* hal.ctx points here */
    bool installed;      /* the SDK's driver (its receive ring) is set up at the first configure */
};

void esp8266_uart_init(struct esp8266_uart *uart);

#endif /* ESP8266_UART_H */
