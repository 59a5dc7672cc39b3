/*
 * esp8266_system.h - struct hal_system on the ESP8266: the clock, delays, the yield that keeps the watchdog fed and
 * WiFi served, the random source, and the log on UART1.
 */
#ifndef ESP8266_SYSTEM_H
#define ESP8266_SYSTEM_H

#include <stdbool.h>
#include <stdint.h>

#include "hal.h"

struct esp8266_system {
    struct hal_system hal; /* hal.ctx points here */
    int64_t last_block_us; /* when the calling task last let the idle task run */
    uint32_t random_counter;
};

void esp8266_system_init(struct esp8266_system *system);

/* Microseconds since boot (esp_timer). */
uint64_t esp8266_now_us(void);

/* The random source: the hardware generator (RF noise while WiFi runs), many samples condensed by SHA-256. */
void esp8266_random(void *ctx, void *buf, size_t len);

#endif /* ESP8266_SYSTEM_H */
