/*
 * esp8266_status.h - what the device shows and hears without a network: the status LED's blink patterns, the
 * factory-reset button, and the firmware's log on UART1.
 *
 * GPIO2 carries both the LED (active low, on NodeMCU and Wemos D1 mini boards) and UART1's transmit line: the pin is
 * a GPIO for the LED and is lent to the UART for each log line, so the LED flickers while a line goes out. Messages
 * the SDK prints on its own while the pin shows the LED are lost; those of start-up, before the LED starts, are not.
 */
#ifndef ESP8266_STATUS_H
#define ESP8266_STATUS_H

#include <stdbool.h>

/* What the LED shows (docs/esp8266.md, "Status LED"), most urgent last: the highest one that holds is shown. */
enum esp8266_led_state {
    ESP8266_LED_CONNECTED,   /* station connected, idle: a short blink every 3 s */
    ESP8266_LED_CONNECTING,  /* joining the WiFi network: fast blinking */
    ESP8266_LED_SETUP_AP,    /* the setup access point is up: slow blinking (0.5 s on, 0.5 s off) */
    ESP8266_LED_JOB,         /* a job runs on the STM32: on, with a short gap every second */
    ESP8266_LED_ERROR,       /* the last job failed, or the device cannot work: two short blinks every 1.5 s */
    ESP8266_LED_RESET_ARMED, /* the button is held: on; after 5 s, the factory reset */
    ESP8266_LED_STATES
};

/* Starts the LED and button task. factory_reset is called on that task once the button was held 5 s. */
void esp8266_status_start(int led_pin, int button_pin, void (*factory_reset)(void));
void esp8266_status_set(enum esp8266_led_state state, bool on);

/* One log line on UART1 (a struct hal_system log for the core, and the port's own messages). */
void esp8266_status_log_line(const char *line);

#endif /* ESP8266_STATUS_H */
