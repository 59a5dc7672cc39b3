/* Polled USART1 transmitter. The register layout comes from the family header:
 * usart_v1.h (F1, F4: SR/DR/BRR/CR1) or usart_v2.h (F0, L4, G0: CR1/BRR/ISR/TDR). */
#include "usart.h"

#include "family.h"
#include "mmio.h"

#define USART_CR1_TE (1u << 3) /* transmitter enable: bit 3 in both layouts */
#define USART_TXE    (1u << 7) /* transmit data register empty: bit 7 of SR / ISR in both layouts */

void usart_init(uint32_t brr)
{
    MMIO32(USART1_BASE + USART_CR1_OFFSET) = 0; /* M=0 (8 data bits), no parity; CR2 reset: 1 stop bit */
    MMIO32(USART1_BASE + USART_BRR_OFFSET) = brr;
    MMIO32(USART1_BASE + USART_CR1_OFFSET) = USART_CR1_UE | USART_CR1_TE;
}

void usart_putc(char c)
{
    while ((MMIO32(USART1_BASE + USART_STATUS_OFFSET) & USART_TXE) == 0) {
    }
    MMIO32(USART1_BASE + USART_TXDATA_OFFSET) = (uint8_t)c;
}

void usart_puts(const char *s)
{
    while (*s != '\0') {
        usart_putc(*s++);
    }
}
