/* STM32F1 (F103C8, F103RE; QEMU's F100 stm32vldiscovery): Cortex-M3, 8 MHz HSI after reset.
 * RM0008 §7.3.7, RCC_APB2ENR (0x40021018): IOPAEN bit 2, IOPCEN bit 4, USART1EN bit 14.
 * Memory map: GPIOA 0x40010800, GPIOC 0x40011000, USART1 0x40013800 (all APB2). PA9 is USART1_TX without
 * remapping (AFIO_MAPR USART1_REMAP = 0 after reset). LED: PC13 (Blue Pill). */
#ifndef FW_FAMILY_H
#define FW_FAMILY_H

#include "usart_v1.h"

#define FAMILY_NAME     "F1"
#define FAMILY_CLOCK_HZ 8000000u

#define RCC_APB2ENR          0x40021018u
#define RCC_APB2ENR_IOPAEN   (1u << 2)
#define RCC_APB2ENR_IOPCEN   (1u << 4)
#define RCC_APB2ENR_USART1EN (1u << 14)

#define GPIOA_BASE  0x40010800u
#define GPIOC_BASE  0x40011000u
#define USART1_BASE 0x40013800u

#define LED_PORT_BASE GPIOC_BASE
#define LED_PIN       13u

#endif
