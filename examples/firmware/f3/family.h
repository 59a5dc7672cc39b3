/* STM32F3 (F303CC): Cortex-M4F, 8 MHz HSI after reset.
 * RM0316 §9.4, RCC registers:
 *   RCC_AHBENR  offset 0x14: IOPAEN bit 17
 *   RCC_APB2ENR offset 0x18: USART1EN bit 14
 * Memory map (RM0316 §3.2.2): GPIOA 0x48000000 (AHB2), USART1 0x40013800 (APB2). Datasheet DS9118 alternate
 * function table: PA9 AF7 = USART1_TX. LED: PA5 (as on the Nucleo-64 boards). */
#ifndef FW_FAMILY_H
#define FW_FAMILY_H

#include "usart_v2.h"

#define FAMILY_NAME     "F3"
#define FAMILY_CLOCK_HZ 8000000u
#define FAMILY_LSI_HZ   40000u /* datasheet typical */

#define RCC_BASE         0x40021000u
#define RCC_GPIO_ENR     (RCC_BASE + 0x14u) /* RCC_AHBENR */
#define RCC_GPIO_EN_BITS (1u << 17)         /* IOPAEN */
#define RCC_USART1_ENR   (RCC_BASE + 0x18u) /* RCC_APB2ENR */
#define RCC_USART1EN     (1u << 14)

#define GPIOA_BASE   0x48000000u
#define USART1_BASE  0x40013800u
#define USART1_TX_AF 7u

#define LED_PORT_BASE GPIOA_BASE
#define LED_PIN       5u

#endif
