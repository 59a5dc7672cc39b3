/* GPIO port layout of F0, F4, L4 and G0 ("GPIO registers" section of RM0360/RM0091, RM0368/RM0383, RM0351,
 * RM0444): 2-bit MODER fields (01 output, 10 alternate function), 4-bit AFRL/AFRH fields. */
#ifndef FW_GPIO_MODER_H
#define FW_GPIO_MODER_H

#define GPIO_MODER  0x00u
#define GPIO_OTYPER 0x04u
#define GPIO_ODR    0x14u
#define GPIO_AFRL   0x20u
#define GPIO_AFRH   0x24u

#define GPIO_MODE_OUTPUT 1u
#define GPIO_MODE_AF     2u

#endif
