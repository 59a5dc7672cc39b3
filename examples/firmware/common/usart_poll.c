/* USART1 without waiting (usart_poll.h). Status bits sit at the same places in SR (F1/F4) and ISR (F0/L4/G0). */
#include "usart_poll.h"

#include "family.h"
#include "mmio.h"

#define USART_CR1_RE (1u << 2) /* receiver enable: bit 2 in both layouts */
#define USART_RXNE   (1u << 5)
#define USART_TXE    (1u << 7)

void usart_receiver_enable(void)
{
    mmio_set_bits(USART1_BASE + USART_CR1_OFFSET, USART_CR1_RE);
}

bool usart_try_receive(uint8_t *byte)
{
    if ((MMIO32(USART1_BASE + USART_STATUS_OFFSET) & USART_RXNE) == 0)
        return false;
    *byte = (uint8_t)MMIO32(USART1_BASE + USART_RXDATA_OFFSET);
    return true;
}

bool usart_try_send(uint8_t byte)
{
    if ((MMIO32(USART1_BASE + USART_STATUS_OFFSET) & USART_TXE) == 0)
        return false;
    MMIO32(USART1_BASE + USART_TXDATA_OFFSET) = byte;
    return true;
}
