/* STM32H7 (H743ZI): Cortex-M7, 64 MHz HSI after reset (HSIDIV 1), which also clocks USART1 (rcc_pclk2: D1CPRE,
 * HPRE and D2PPRE2 divide by 1 after reset).
 * RM0433 §8.7, RCC registers:
 *   RCC_AHB4ENR offset 0xE0: GPIOAEN bit 0, GPIOBEN bit 1
 *   RCC_APB2ENR offset 0xF0: USART1EN bit 4
 * Memory map (RM0433 §2.3.2): GPIOx 0x58020000 + x * 0x400 (AHB4), USART1 0x40011000 (APB2). GPIO pins reset to
 * analog mode (MODER 11). Datasheet alternate function table: PA9 AF7 = USART1_TX. LED: PB0 (Nucleo-144 LD1). */
#ifndef FW_FAMILY_H
#define FW_FAMILY_H

#include "usart_v2.h"

#define FAMILY_NAME     "H7"
#define FAMILY_CLOCK_HZ 64000000u

#define RCC_BASE         0x58024400u
#define RCC_GPIO_ENR     (RCC_BASE + 0xE0u)      /* RCC_AHB4ENR */
#define RCC_GPIO_EN_BITS ((1u << 0) | (1u << 1)) /* GPIOAEN, GPIOBEN */
#define RCC_USART1_ENR   (RCC_BASE + 0xF0u)      /* RCC_APB2ENR */
#define RCC_USART1EN     (1u << 4)

#define GPIOA_BASE   0x58020000u
#define GPIOB_BASE   (0x58020000u + 0x400u)
#define USART1_BASE  0x40011000u
#define USART1_TX_AF 7u

#define LED_PORT_BASE GPIOB_BASE
#define LED_PIN       0u

#endif
