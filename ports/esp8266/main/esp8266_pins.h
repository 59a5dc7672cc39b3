/*
 * esp8266_pins.h - which GPIO does what (a board setting, defaults from the board's configuration), and struct
 * hal_target_pins: NRST driven open drain, BOOT0 driven.
 */
#ifndef ESP8266_PINS_H
#define ESP8266_PINS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hal.h"

#define ESP8266_PIN_NONE (-1)

struct esp8266_pin_plan {
    int8_t swclk, swdio, nrst, boot0; /* GPIO numbers; nrst and boot0 may be ESP8266_PIN_NONE */
};

struct esp8266_pins {
    struct hal_target_pins hal; /* hal.ctx points here */
    struct esp8266_pin_plan plan;
};

/* The board's defaults (Kconfig: CONFIG_AIRSWD_PIN_*). */
void esp8266_pin_plan_default(struct esp8266_pin_plan *plan);

/* False, with a sentence in why, for a plan the chip cannot do: GPIO6-11 hold the flash, GPIO1 and GPIO3 are the
 * STM32's UART, GPIO16 has no fast register, and no pin may do two things. */
bool esp8266_pin_plan_check(const struct esp8266_pin_plan *plan, char *why, size_t size);

/* Sets the pins' functions to GPIO: SWCLK driven low, SWDIO released with its pull-up, NRST released, BOOT0 low. */
void esp8266_pins_init(struct esp8266_pins *pins, const struct esp8266_pin_plan *plan);

#endif /* ESP8266_PINS_H */
