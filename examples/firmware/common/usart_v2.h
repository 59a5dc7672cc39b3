/* USART register layout of F0 (RM0360, RM0091), L4 (RM0351) and G0 (RM0444), "USART registers" section:
 * CR1 0x00, BRR 0x0C, ISR 0x1C, RDR 0x24, TDR 0x28; CR1.UE is bit 0. */
#ifndef FW_USART_V2_H
#define FW_USART_V2_H

#define USART_CR1_OFFSET    0x00u
#define USART_BRR_OFFSET    0x0Cu
#define USART_STATUS_OFFSET 0x1Cu /* USART_ISR */
#define USART_RXDATA_OFFSET 0x24u /* USART_RDR */
#define USART_TXDATA_OFFSET 0x28u /* USART_TDR */
#define USART_CR1_UE        (1u << 0)

#endif
