/* STM32L1 (L152RE): Cortex-M3, MSI range 5 (2.097 MHz) after reset.
 * RM0038 §6.3, RCC registers:
 *   RCC_AHBENR  offset 0x1C: GPIOAEN bit 0
 *   RCC_APB2ENR offset 0x20: USART1EN bit 14
 * Memory map: GPIOx 0x40020000 + x * 0x400 (AHB), USART1 0x40013800 (APB2, SR/DR registers as on F1/F4). GPIO pins
 * reset to input mode (PA13-PA15, PB3/PB4 to the debug port). Datasheet alternate function table (DS10110): PA9 AF7
 * = USART1_TX. LED: PA5 (Nucleo-64 LD2).
 * At 2.097 MHz, 115200 baud is BRR 18: 116508 baud, 1.1 % fast, within a receiver's tolerance. */
#ifndef FW_FAMILY_H
#define FW_FAMILY_H

#include "usart_v1.h"

#define FAMILY_NAME     "L1"
#define FAMILY_CLOCK_HZ 2097152u

#define RCC_BASE         0x40023800u
#define RCC_GPIO_ENR     (RCC_BASE + 0x1Cu) /* RCC_AHBENR */
#define RCC_GPIO_EN_BITS (1u << 0)          /* GPIOAEN */
#define RCC_USART1_ENR   (RCC_BASE + 0x20u) /* RCC_APB2ENR */
#define RCC_USART1EN     (1u << 14)

#define GPIOA_BASE   0x40020000u
#define USART1_BASE  0x40013800u
#define USART1_TX_AF 7u

#define LED_PORT_BASE GPIOA_BASE
#define LED_PIN       5u

#endif
