/* STM32L0 (L053R8, L072CZ): Cortex-M0+, MSI range 5 (2.097 MHz) after reset.
 * RM0367 §7.3, RCC registers:
 *   RCC_IOPENR  offset 0x2C: IOPAEN bit 0
 *   RCC_APB2ENR offset 0x34: USART1EN bit 14
 * Memory map: GPIOA 0x50000000 (IOPORT), USART1 0x40013800. USART1 kernel clock after reset: PCLK2
 * (RCC_CCIPR USART1SEL = 00). GPIO pins reset to analog mode.
 * Datasheet alternate function table (DS10152): PA9 AF4 = USART1_TX. LED: PA5 (Nucleo-64 LD2).
 * At 2.097 MHz, 115200 baud is BRR 18: 116508 baud, 1.1 % fast, within a receiver's tolerance. */
#ifndef FW_FAMILY_H
#define FW_FAMILY_H

#include "usart_v2.h"

#define FAMILY_NAME     "L0"
#define FAMILY_CLOCK_HZ 2097152u
#define FAMILY_LSI_HZ   37000u /* datasheet typical */

#define RCC_BASE         0x40021000u
#define RCC_GPIO_ENR     (RCC_BASE + 0x2Cu) /* RCC_IOPENR */
#define RCC_GPIO_EN_BITS (1u << 0)          /* IOPAEN */
#define RCC_USART1_ENR   (RCC_BASE + 0x34u) /* RCC_APB2ENR */
#define RCC_USART1EN     (1u << 14)

#define GPIOA_BASE   0x50000000u
#define USART1_BASE  0x40013800u
#define USART1_TX_AF 4u

#define LED_PORT_BASE GPIOA_BASE
#define LED_PIN       5u

#endif
