/* Polled USART1 transmitter, 8N1. */
#ifndef FW_USART_H
#define FW_USART_H

#include <stdint.h>

/* brr: the USART_BRR value for the wanted baud rate at the current clock. */
void usart_init(uint32_t brr);
void usart_putc(char c);
void usart_puts(const char *s);

#endif
