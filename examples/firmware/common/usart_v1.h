/* USART register layout of F1 (RM0008 §27.6) and F4 (RM0368, RM0383: "USART registers"):
 * SR 0x00, DR 0x04, BRR 0x08, CR1 0x0C; CR1.UE is bit 13. */
#ifndef FW_USART_V1_H
#define FW_USART_V1_H

#define USART_STATUS_OFFSET 0x00u /* USART_SR */
#define USART_TXDATA_OFFSET 0x04u /* USART_DR */
#define USART_RXDATA_OFFSET 0x04u /* USART_DR, read */
#define USART_BRR_OFFSET    0x08u
#define USART_CR1_OFFSET    0x0Cu
#define USART_CR1_UE        (1u << 13)

#endif
