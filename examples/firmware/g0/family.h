/* STM32G0 (G071RB): Cortex-M0+, 16 MHz HSI16 after reset (HSIDIV = 1).
 * RM0444 §5.4, RCC registers:
 *   RCC_IOPENR  offset 0x34: GPIOAEN bit 0
 *   RCC_APBENR2 offset 0x40: USART1EN bit 14
 * Memory map: GPIOA 0x50000000 (IOPORT), USART1 0x40013800. USART1 kernel clock after reset: PCLK
 * (RCC_CCIPR USART1SEL = 00), USART_PRESC = 0 (no division). GPIO pins reset to analog mode.
 * Datasheet alternate function table: PA9 AF1 = USART1_TX. LED: PA5 (Nucleo-64 LD4). */
#ifndef FW_FAMILY_H
#define FW_FAMILY_H

#include "usart_v2.h"

#define FAMILY_NAME     "G0"
#define FAMILY_CLOCK_HZ 16000000u
#define FAMILY_LSI_HZ   32000u /* datasheet typical */

#define RCC_BASE         0x40021000u
#define RCC_GPIO_ENR     (RCC_BASE + 0x34u) /* RCC_IOPENR */
#define RCC_GPIO_EN_BITS (1u << 0)          /* GPIOAEN */
#define RCC_USART1_ENR   (RCC_BASE + 0x40u) /* RCC_APBENR2 */
#define RCC_USART1EN     (1u << 14)

#define GPIOA_BASE   0x50000000u
#define USART1_BASE  0x40013800u
#define USART1_TX_AF 1u

#define LED_PORT_BASE GPIOA_BASE
#define LED_PIN       5u

#endif
