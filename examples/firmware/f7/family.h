/* STM32F7 (F746ZG): Cortex-M7, 16 MHz HSI after reset; caches off, which this program leaves as they are.
 * RM0385 §5.3, RCC registers (the F4's offsets):
 *   RCC_AHB1ENR offset 0x30: GPIOAEN bit 0, GPIOBEN bit 1
 *   RCC_APB2ENR offset 0x44: USART1EN bit 4
 * Memory map: GPIOx 0x40020000 + x * 0x400 (AHB1), USART1 0x40011000 (APB2), with the ISR/TDR registers of the
 * F0 and L4 USART (RM0385 §31.8). Datasheet DS10916 alternate function table: PA9 AF7 = USART1_TX.
 * LED: PB0 (Nucleo-144 LD1). */
#ifndef FW_FAMILY_H
#define FW_FAMILY_H

#include "usart_v2.h"

#define FAMILY_NAME     "F7"
#define FAMILY_CLOCK_HZ 16000000u

#define RCC_BASE         0x40023800u
#define RCC_GPIO_ENR     (RCC_BASE + 0x30u)      /* RCC_AHB1ENR */
#define RCC_GPIO_EN_BITS ((1u << 0) | (1u << 1)) /* GPIOAEN, GPIOBEN */
#define RCC_USART1_ENR   (RCC_BASE + 0x44u)      /* RCC_APB2ENR */
#define RCC_USART1EN     (1u << 4)

#define GPIOA_BASE   0x40020000u
#define GPIOB_BASE   (0x40020000u + 1u * 0x400u)
#define USART1_BASE  0x40011000u
#define USART1_TX_AF 7u

#define LED_PORT_BASE GPIOB_BASE
#define LED_PIN       0u

#endif
