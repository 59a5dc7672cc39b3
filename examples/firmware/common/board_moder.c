/* board.h for the families with MODER/AFR GPIO ports (F0, F3, F4, L4, G0, G4, H7). Addresses, bits, the LED pin
 * and the USART1 TX alternate function number come from the family's family.h. */
#include "board.h"

#include "family.h"
#include "gpio_moder.h"
#include "mmio.h"

#define USART_TX_PIN 9u /* PA9 */

void board_clocks_enable(void)
{
    mmio_set_bits(RCC_GPIO_ENR, RCC_GPIO_EN_BITS);
    mmio_set_bits(RCC_USART1_ENR, RCC_USART1EN);
    (void)MMIO32(RCC_USART1_ENR); /* read back: the enable has reached the bus before the first USART write */
}

static void gpio_set_mode(uint32_t port, uint32_t pin, uint32_t mode)
{
    mmio_write_field(port + GPIO_MODER, 3u << (pin * 2u), mode << (pin * 2u));
}

static void gpio_set_af(uint32_t port, uint32_t pin, uint32_t af)
{
    uint32_t reg = pin < 8u ? GPIO_AFRL : GPIO_AFRH;
    uint32_t shift = (pin % 8u) * 4u;
    mmio_write_field(port + reg, 0xFu << shift, af << shift);
}

void board_pins_init(void)
{
    gpio_set_af(GPIOA_BASE, USART_TX_PIN, USART1_TX_AF);
    gpio_set_mode(GPIOA_BASE, USART_TX_PIN, GPIO_MODE_AF);

    mmio_write_field(LED_PORT_BASE + GPIO_OTYPER, 1u << LED_PIN, 0); /* push-pull */
    gpio_set_mode(LED_PORT_BASE, LED_PIN, GPIO_MODE_OUTPUT);
}

void board_led_toggle(void)
{
    MMIO32(LED_PORT_BASE + GPIO_ODR) ^= 1u << LED_PIN;
}
