/* STM32F4 (F401CC, F410R8, F411CE, F413ZH): Cortex-M4, 16 MHz HSI after reset.
 * RM0368 (F401), RM0401 (F410), RM0383 (F411), RM0430 (F413), RCC registers (the same on all four):
 *   RCC_AHB1ENR offset 0x30: GPIOAEN bit 0, GPIOCEN bit 2
 *   RCC_APB2ENR offset 0x44: USART1EN bit 4
 * Memory map: GPIOx 0x40020000 + x * 0x400 (AHB1), USART1 0x40011000 (APB2). Datasheet alternate function
 * table: PA9 AF7 = USART1_TX. LED: PC13 (Black Pill). The F410 has GPIOA-C and H only: A and C are all this uses. */
#ifndef FW_FAMILY_H
#define FW_FAMILY_H

#include "usart_v1.h"

#define FAMILY_NAME     "F4"
#define FAMILY_CLOCK_HZ 16000000u

#define RCC_BASE         0x40023800u
#define RCC_GPIO_ENR     (RCC_BASE + 0x30u)      /* RCC_AHB1ENR */
#define RCC_GPIO_EN_BITS ((1u << 0) | (1u << 2)) /* GPIOAEN, GPIOCEN */
#define RCC_USART1_ENR   (RCC_BASE + 0x44u)      /* RCC_APB2ENR */
#define RCC_USART1EN     (1u << 4)

#define GPIOA_BASE   0x40020000u
#define GPIOC_BASE   (0x40020000u + 2u * 0x400u)
#define USART1_BASE  0x40011000u
#define USART1_TX_AF 7u

#define LED_PORT_BASE GPIOC_BASE
#define LED_PIN       13u

#endif
