/*
 * nvs_flash.h - initialisation of the key-value storage (nvs.h): with values in RAM there is nothing to mount.
 */
#ifndef AIRSWD_NVS_FLASH_H
#define AIRSWD_NVS_FLASH_H

#include "esp_err.h"
#include "nvs.h"

#ifdef __cplusplus
extern "C" {
#endif

esp_err_t nvs_flash_init(void);
esp_err_t nvs_flash_erase(void);

#ifdef __cplusplus
}
#endif

#endif /* AIRSWD_NVS_FLASH_H */
