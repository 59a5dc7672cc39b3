/* STM32F0 (F030R8, F072RB): Cortex-M0, 8 MHz HSI after reset.
 * RM0360 (F030) §7.4 / RM0091 (F072) §6.4, RCC registers:
 *   RCC_AHBENR  offset 0x14: IOPAEN bit 17
 *   RCC_APB2ENR offset 0x18: USART1EN bit 14
 * Memory map: GPIOA 0x48000000 (AHB2), USART1 0x40013800. Datasheet alternate function table: PA9 AF1 =
 * USART1_TX. LED: PA5 (Nucleo-64 LD2). */
#ifndef FW_FAMILY_H
#define FW_FAMILY_H

#include "usart_v2.h"

#define FAMILY_NAME     "F0"
#define FAMILY_CLOCK_HZ 8000000u
#define FAMILY_LSI_HZ   40000u /* datasheet typical */

#define RCC_BASE         0x40021000u
#define RCC_GPIO_ENR     (RCC_BASE + 0x14u) /* RCC_AHBENR */
#define RCC_GPIO_EN_BITS (1u << 17)         /* IOPAEN */
#define RCC_USART1_ENR   (RCC_BASE + 0x18u) /* RCC_APB2ENR */
#define RCC_USART1EN     (1u << 14)

#define GPIOA_BASE   0x48000000u
#define USART1_BASE  0x40013800u
#define USART1_TX_AF 1u

#define LED_PORT_BASE GPIOA_BASE
#define LED_PIN       5u

#endif
