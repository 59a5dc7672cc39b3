/*
 * esp8266_status.c - status LED, factory-reset button and the UART1 log (esp8266_status.h).
 */
#include "esp8266_status.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "driver/gpio.h"
#include "esp8266/eagle_soc.h"
#include "esp8266/pin_mux_register.h"
#include "esp8266/uart_register.h"
#include "freertos/FreeRTOS.h"
#include "freertos/semphr.h"
#include "freertos/task.h"
#include "sdkconfig.h"

#define STEP_MS            100
#define PATTERN_STEPS      30     /* a pattern repeats every 3 s */
#define RESET_HOLD_STEPS   50     /* 5 s */
#define LOG_PIN            2      /* UART1 TX */
#define STATUS_TASK_STACK  CONFIG_AIRSWD_STATUS_TASK_STACK
#define STATUS_TASK_PRIORITY 2

/* One bit per 100 ms step, bit 0 first: 1 lights the LED. */
static const uint32_t patterns[ESP8266_LED_STATES] = {
    [ESP8266_LED_CONNECTED] = 0x00000001u,   /* 100 ms every 3 s */
    [ESP8266_LED_CONNECTING] = 0x15555555u,  /* 100 ms on, 100 ms off */
    [ESP8266_LED_SETUP_AP] = 0x01F07C1Fu,    /* 0.5 s on, 0.5 s off */
    [ESP8266_LED_JOB] = 0x3FEFFBFEu,         /* on, off 100 ms each second */
    [ESP8266_LED_ERROR] = 0x00028005u,       /* two short blinks every 1.5 s */
    [ESP8266_LED_RESET_ARMED] = 0x3FFFFFFFu, /* on */
};

static struct {
    int led_pin, button_pin;
    void (*factory_reset)(void);
    volatile uint32_t states; /* bit per enum esp8266_led_state */
    bool led_on;
    SemaphoreHandle_t pin_lock; /* the LED and the log take turns on GPIO2 */
} status = {.led_pin = -1, .button_pin = -1};

void esp8266_status_set(enum esp8266_led_state state, bool on)
{
    taskENTER_CRITICAL();
    if (on)
        status.states |= 1u << state;
    else
        status.states &= ~(1u << state);
    taskEXIT_CRITICAL();
}

static bool led_level(unsigned step)
{
    uint32_t states = status.states;
    for (int state = ESP8266_LED_STATES - 1; state >= 0; state--) {
        if (states & (1u << state))
            return (patterns[state] >> (step % PATTERN_STEPS)) & 1u;
    }
    return false;
}

static void show_led(bool on)
{
    status.led_on = on;
    if (status.led_pin >= 0)
        gpio_set_level(status.led_pin, on ? 0 : 1); /* active low */
}

static void status_task(void *arg)
{
    (void)arg;
    unsigned held = 0;
    for (unsigned step = 0;; step++) {
        bool pressed = status.button_pin >= 0 && gpio_get_level(status.button_pin) == 0;
        held = pressed ? held + 1 : 0;
        esp8266_status_set(ESP8266_LED_RESET_ARMED, held > 0);
        if (held == RESET_HOLD_STEPS && status.factory_reset != NULL)
            status.factory_reset();
        if (xSemaphoreTake(status.pin_lock, 0) == pdTRUE) {
            show_led(led_level(step));
            xSemaphoreGive(status.pin_lock);
        }
        vTaskDelay(pdMS_TO_TICKS(STEP_MS));
    }
}

void esp8266_status_start(int led_pin, int button_pin, void (*factory_reset)(void))
{
    if (status.pin_lock == NULL)
        status.pin_lock = xSemaphoreCreateMutex(); /* before led_pin: the log takes it once led_pin is set */
    status.led_pin = led_pin;
    status.button_pin = button_pin;
    status.factory_reset = factory_reset;
    if (button_pin >= 0) {
        gpio_config_t button = {.pin_bit_mask = 1u << button_pin, .mode = GPIO_MODE_INPUT,
                                .pull_up_en = GPIO_PULLUP_ENABLE, .intr_type = GPIO_INTR_DISABLE};
        gpio_config(&button);
    }
    if (led_pin >= 0) {
        gpio_config_t led = {.pin_bit_mask = 1u << led_pin, .mode = GPIO_MODE_OUTPUT, .intr_type = GPIO_INTR_DISABLE};
        gpio_set_level(led_pin, 1);
        gpio_config(&led);
    }
    xTaskCreate(status_task, "status", STATUS_TASK_STACK, NULL, STATUS_TASK_PRIORITY, NULL);
}

static unsigned uart1_pending(void)
{
    return (READ_PERI_REG(UART_STATUS(1)) >> UART_TXFIFO_CNT_S) & UART_TXFIFO_CNT;
}

void esp8266_status_log_line(const char *line)
{
    bool shared = status.led_pin == LOG_PIN; /* set by esp8266_status_start, with the lock */
    if (shared) {
        xSemaphoreTake(status.pin_lock, portMAX_DELAY);
        PIN_FUNC_SELECT(PERIPHS_IO_MUX_GPIO2_U, FUNC_U1TXD_BK);
    }
    printf("%s\n", line);
    fflush(stdout);
    if (shared) {
        while (uart1_pending() > 0)
            vTaskDelay(1);
        PIN_FUNC_SELECT(PERIPHS_IO_MUX_GPIO2_U, FUNC_GPIO2);
        show_led(status.led_on);
        xSemaphoreGive(status.pin_lock);
    }
}
