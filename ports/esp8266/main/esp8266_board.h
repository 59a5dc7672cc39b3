/*
 * esp8266_board.h - the board record (WiFi network and pins, kept in the settings partition beside the service's
 * records) and struct api_board over it: GET/PUT /api/v1/board, and the rule that first-boot setup is only done from
 * the setup access point within 10 minutes of power-on (docs/security.md says why).
 */
#ifndef ESP8266_BOARD_H
#define ESP8266_BOARD_H

#include <stdbool.h>

#include "device/device.h"
#include "esp8266_pins.h"
#include "esp8266_wifi.h"

struct esp8266_board {
    struct api_board api; /* api.ctx points here */
    struct device *device;
    void (*lock)(void);   /* the service's lock: the record shares the settings keeper with the service */
    void (*unlock)(void);
    char wifi_ssid[ESP8266_WIFI_SSID_MAX + 1];
    char wifi_password[ESP8266_WIFI_PASSWORD_MAX + 1];
    struct esp8266_pin_plan pins;
    /* Set by a PUT, applied by esp8266_board_apply() once the answer is out. */
    volatile bool wifi_changed, pins_changed;
    void (*apply_pins)(const struct esp8266_pin_plan *pins);
};

/* Reads the record (or the board's defaults when there is none) and fills board->api. device_start must have run:
 * the record lives in the device's settings keeper. */
void esp8266_board_load(struct esp8266_board *board, struct device *device, void (*lock)(void), void (*unlock)(void),
                        void (*apply_pins)(const struct esp8266_pin_plan *pins));
/* Forgets the WiFi network and the pins (factory reset). */
void esp8266_board_erase(struct esp8266_board *board);
/* On the network task, after each turn: reconnects with new WiFi settings, re-initialises changed pins. */
void esp8266_board_apply(struct esp8266_board *board);

#endif /* ESP8266_BOARD_H */
