/* board.h for F1, whose GPIO ports use 4-bit CNF/MODE fields in CRL (pins 0-7) and CRH (pins 8-15):
 * RM0008 §9.2.2 GPIOx_CRH (offset 0x04), §9.2.4 GPIOx_ODR (offset 0x0C). */
#include "board.h"

#include "family.h"
#include "mmio.h"

#define GPIO_CRH 0x04u
#define GPIO_ODR 0x0Cu

/* CNF[1:0] in bits 3:2, MODE[1:0] in bits 1:0 of each pin's field. */
#define PIN_AF_PUSH_PULL_2MHZ  0xAu /* CNF 10, MODE 10 */
#define PIN_OUT_PUSH_PULL_2MHZ 0x2u /* CNF 00, MODE 10 */

#define USART_TX_PIN 9u /* PA9 */

void board_clocks_enable(void)
{
    mmio_set_bits(RCC_APB2ENR, RCC_APB2ENR_IOPAEN | RCC_APB2ENR_IOPCEN | RCC_APB2ENR_USART1EN);
}

static void gpio_configure_high_pin(uint32_t port, uint32_t pin, uint32_t cnf_mode)
{
    uint32_t shift = (pin - 8u) * 4u;
    mmio_write_field(port + GPIO_CRH, 0xFu << shift, cnf_mode << shift);
}

void board_pins_init(void)
{
    gpio_configure_high_pin(GPIOA_BASE, USART_TX_PIN, PIN_AF_PUSH_PULL_2MHZ);
    gpio_configure_high_pin(LED_PORT_BASE, LED_PIN, PIN_OUT_PUSH_PULL_2MHZ);
}

void board_led_toggle(void)
{
    MMIO32(LED_PORT_BASE + GPIO_ODR) ^= 1u << LED_PIN;
}
