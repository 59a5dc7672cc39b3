/* STM32G4 (G431RB, G474RE): Cortex-M4F, 16 MHz HSI16 after reset.
 * RM0440 §7.4, RCC registers:
 *   RCC_AHB2ENR offset 0x4C: GPIOAEN bit 0
 *   RCC_APB2ENR offset 0x60: USART1EN bit 14
 * Memory map (RM0440 §2.2.2): GPIOA 0x48000000 (AHB2), USART1 0x40013800 (APB2). GPIO pins reset to analog mode
 * (MODER 11). Datasheet alternate function table: PA9 AF7 = USART1_TX. LED: PA5 (Nucleo-64 LD2). */
#ifndef FW_FAMILY_H
#define FW_FAMILY_H

#include "usart_v2.h"

#define FAMILY_NAME     "G4"
#define FAMILY_CLOCK_HZ 16000000u
#define FAMILY_LSI_HZ   32000u /* datasheet typical */

#define RCC_BASE         0x40021000u
#define RCC_GPIO_ENR     (RCC_BASE + 0x4Cu) /* RCC_AHB2ENR */
#define RCC_GPIO_EN_BITS (1u << 0)          /* GPIOAEN */
#define RCC_USART1_ENR   (RCC_BASE + 0x60u) /* RCC_APB2ENR */
#define RCC_USART1EN     (1u << 14)

#define GPIOA_BASE   0x48000000u
#define USART1_BASE  0x40013800u
#define USART1_TX_AF 7u

#define LED_PORT_BASE GPIOA_BASE
#define LED_PIN       5u

#endif
