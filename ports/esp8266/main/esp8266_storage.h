/*
 * esp8266_storage.h - struct hal_storage on a partition of the ESP8266's SPI flash: the staging store's partition
 * and the settings keeper's (partitions-*.csv). 4 KB erase sectors; the SDK's flash driver takes any alignment of
 * offset, length and buffer (it bounces unaligned pieces through a small buffer of its own).
 */
#ifndef ESP8266_STORAGE_H
#define ESP8266_STORAGE_H

#include <stdbool.h>
#include <stdint.h>

#include "esp_partition.h"
#include "hal.h"

/* The firmware's own data partitions (data subtypes 0x40-0xFE are the application's). */
#define ESP8266_PARTITION_SETTINGS 0x40 /* "airswd": settings, event log, setup record, network */
#define ESP8266_PARTITION_STORE    0x41 /* "store": the staging store */

struct esp8266_storage {
    struct hal_storage hal; /* hal.ctx points here */
    const esp_partition_t *partition;
};

/* False when the partition table has no data partition of that subtype (the wrong table was flashed). */
bool esp8266_storage_open(struct esp8266_storage *storage, uint8_t subtype);
/* Any partition (the firmware's update slot, an app partition). */
void esp8266_storage_bind(struct esp8266_storage *storage, const esp_partition_t *partition);

#endif /* ESP8266_STORAGE_H */
