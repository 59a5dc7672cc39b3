/*
 * sim_gpio.h - the simulated GPIO ports of a part, in the two register styles of the simulated families: F1's
 * CRL/CRH with 4-bit CNF/MODE fields (RM0008 §9.2) and the MODER/OTYPER/OSPEEDR/PUPDR/AFR ports of F0, F4, L4 and
 * G0 (RM0360 §8.4, RM0383 §8.4, RM0351 §8.5, RM0444 §7.4).
 *
 * What is observable is the level each general-purpose output drives: a pin is such an output when configured so
 * (F1: MODE != 00 with CNF = 0x, MODER: 01), and then drives its ODR bit. A change callback reports every output
 * whose driven level changes (ODR, BSRR or BRR writes) and every pin that becomes an output (with the level it
 * starts driving). Pins in alternate function mode are driven by their peripheral and are not reported here (the
 * USART model reports its bytes itself).
 *
 * Not modelled: external input levels (IDR reads an output's ODR bit and 0 for every other pin), pull-ups and
 * open drain (an open-drain output is reported as if push-pull with a pull-up), the LCKR lock sequence (LCKR is
 * storage), EXTI, and the RCC clock gate (a port answers with its clock disabled).
 */
#ifndef SIM_GPIO_H
#define SIM_GPIO_H

#include <stdbool.h>
#include <stdint.h>

#include "sim_bus.h"
#include "sim_chip.h"
#include "sim_parts.h"

#define SIM_GPIO_PORT_SIZE 0x400u /* port n at the part's gpio_base + n * 0x400 */
#define SIM_GPIO_MAX_PORTS 11u    /* A..K */

struct sim_gpio;

/* The part's ports (gpio_ports of them, 'A' onwards) in their reset state. NULL when the part has more ports than
 * SIM_GPIO_MAX_PORTS or when out of host memory. */
struct sim_gpio *sim_gpio_create(const struct sim_part *part);
void sim_gpio_destroy(struct sim_gpio *gpio);

/* Maps all ports as one region at the part's gpio_base. False as sim_bus_map(). */
bool sim_gpio_map(struct sim_gpio *gpio, struct sim_bus *bus);

/* Both kinds of reset restore the reset values (no pin is a general-purpose output after reset; pins that stop
 * being outputs are not reported). No time-driven behaviour. */
struct sim_device sim_gpio_device(struct sim_gpio *gpio);

/* Called for each output pin whose driven level changes, in pin order, at the time of the write. */
void sim_gpio_on_change(struct sim_gpio *gpio,
                        void (*on_change)(void *ctx, char port, unsigned pin, bool level, uint64_t now_ps), void *ctx);

/* Observation: port 'A'.., pin 0..15. False for a pin that does not exist. */
bool sim_gpio_is_output(const struct sim_gpio *gpio, char port, unsigned pin);
/* The level an output pin drives; false for a pin that is not an output. */
bool sim_gpio_output_level(const struct sim_gpio *gpio, char port, unsigned pin);

#endif /* SIM_GPIO_H */
