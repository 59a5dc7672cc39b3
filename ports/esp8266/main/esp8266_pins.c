/*
 * esp8266_pins.c - the pin plan and the target's control pins (esp8266_pins.h).
 */
#include "esp8266_pins.h"

#include <stdio.h>

#include "driver/gpio.h"
#include "sdkconfig.h"

void esp8266_pin_plan_default(struct esp8266_pin_plan *plan)
{
    *plan = (struct esp8266_pin_plan){
        .swclk = CONFIG_AIRSWD_PIN_SWCLK,
        .swdio = CONFIG_AIRSWD_PIN_SWDIO,
        .nrst = CONFIG_AIRSWD_PIN_NRST,
        .boot0 = CONFIG_AIRSWD_PIN_BOOT0,
    };
}

static const char *unusable(int pin)
{
    if (pin >= 6 && pin <= 11)
        return "is wired to the SPI flash";
    if (pin == 1 || pin == 3)
        return "is UART0, which goes to the STM32's UART";
    if (pin < 0 || pin > 15)
        return "is not a GPIO the SWD loop can drive (GPIO0-15)";
    return NULL;
}

bool esp8266_pin_plan_check(const struct esp8266_pin_plan *plan, char *why, size_t size)
{
    const struct {
        const char *name;
        int pin;
        bool optional;
    } pins[] = {{"swclk", plan->swclk, false}, {"swdio", plan->swdio, false}, {"nrst", plan->nrst, true},
                {"boot0", plan->boot0, true}};
    for (size_t i = 0; i < sizeof pins / sizeof pins[0]; i++) {
        if (pins[i].optional && pins[i].pin == ESP8266_PIN_NONE)
            continue;
        const char *problem = unusable(pins[i].pin);
        if (problem != NULL) {
            snprintf(why, size, "%s on GPIO%d: GPIO%d %s", pins[i].name, pins[i].pin, pins[i].pin, problem);
            return false;
        }
        for (size_t j = 0; j < i; j++) {
            if (pins[j].pin == pins[i].pin) {
                snprintf(why, size, "%s and %s are both on GPIO%d", pins[j].name, pins[i].name, pins[i].pin);
                return false;
            }
        }
    }
    return true;
}

static void set_nrst(void *ctx, bool asserted)
{
    struct esp8266_pins *pins = ctx;
    if (pins->plan.nrst != ESP8266_PIN_NONE)
        gpio_set_level(pins->plan.nrst, asserted ? 0 : 1); /* open drain: 1 releases the line */
}

static bool read_nrst(void *ctx)
{
    struct esp8266_pins *pins = ctx;
    return gpio_get_level(pins->plan.nrst) != 0;
}

static void set_boot0(void *ctx, bool high)
{
    struct esp8266_pins *pins = ctx;
    gpio_set_level(pins->plan.boot0, high ? 1 : 0);
}

static void configure(int pin, gpio_mode_t mode, bool pull_up, int level)
{
    gpio_config_t config = {
        .pin_bit_mask = 1u << pin,
        .mode = mode,
        .pull_up_en = pull_up ? GPIO_PULLUP_ENABLE : GPIO_PULLUP_DISABLE,
        .pull_down_en = GPIO_PULLDOWN_DISABLE,
        .intr_type = GPIO_INTR_DISABLE,
    };
    gpio_set_level(pin, level); /* the level is latched before the output turns on: no glitch */
    gpio_config(&config);
}

void esp8266_pins_init(struct esp8266_pins *pins, const struct esp8266_pin_plan *plan)
{
    pins->plan = *plan;
    configure(plan->swclk, GPIO_MODE_OUTPUT, false, 0);
    /* SWDIO is an input with its pull-up until the wire drives it (the wire switches its output enable). */
    configure(plan->swdio, GPIO_MODE_INPUT, true, 1);
    pins->hal = (struct hal_target_pins){.ctx = pins, .set_nrst = set_nrst};
    if (plan->nrst != ESP8266_PIN_NONE) {
        configure(plan->nrst, GPIO_MODE_OUTPUT_OD, true, 1);
        pins->hal.read_nrst = read_nrst;
    }
    if (plan->boot0 != ESP8266_PIN_NONE) {
        configure(plan->boot0, GPIO_MODE_OUTPUT, false, 0);
        pins->hal.set_boot0 = set_boot0;
    }
}
