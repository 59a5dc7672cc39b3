/*
 * nvs.h - the SDK's key-value storage interface, as far as the ESP8266 libraries use it (WiFi, PHY calibration, the
 * MAC backup, DHCP state). airswd keeps its own settings in its own flash record (docs/esp8266.md); this stand-in
 * keeps what the libraries store in RAM until the next restart. Prototypes and error numbers are the SDK's.
 */
#ifndef AIRSWD_NVS_H
#define AIRSWD_NVS_H

#include <stddef.h>
#include <stdint.h>

#include "esp_err.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef uint32_t nvs_handle;
typedef nvs_handle nvs_handle_t;

#define ESP_ERR_NVS_BASE              0x1100
#define ESP_ERR_NVS_NOT_INITIALIZED   (ESP_ERR_NVS_BASE + 0x01)
#define ESP_ERR_NVS_NOT_FOUND         (ESP_ERR_NVS_BASE + 0x02)
#define ESP_ERR_NVS_TYPE_MISMATCH     (ESP_ERR_NVS_BASE + 0x03)
#define ESP_ERR_NVS_READ_ONLY         (ESP_ERR_NVS_BASE + 0x04)
#define ESP_ERR_NVS_NOT_ENOUGH_SPACE  (ESP_ERR_NVS_BASE + 0x05)
#define ESP_ERR_NVS_INVALID_NAME      (ESP_ERR_NVS_BASE + 0x06)
#define ESP_ERR_NVS_INVALID_HANDLE    (ESP_ERR_NVS_BASE + 0x07)
#define ESP_ERR_NVS_KEY_TOO_LONG      (ESP_ERR_NVS_BASE + 0x09)
#define ESP_ERR_NVS_INVALID_LENGTH    (ESP_ERR_NVS_BASE + 0x0c)
#define ESP_ERR_NVS_NO_FREE_PAGES     (ESP_ERR_NVS_BASE + 0x0d)
#define ESP_ERR_NVS_VALUE_TOO_LONG    (ESP_ERR_NVS_BASE + 0x0e)
#define ESP_ERR_NVS_PART_NOT_FOUND    (ESP_ERR_NVS_BASE + 0x0f)

typedef enum { NVS_READONLY, NVS_READWRITE } nvs_open_mode;

esp_err_t nvs_open(const char *name, nvs_open_mode open_mode, nvs_handle *out_handle);
void nvs_close(nvs_handle handle);
esp_err_t nvs_commit(nvs_handle handle);
esp_err_t nvs_erase_key(nvs_handle handle, const char *key);
esp_err_t nvs_erase_all(nvs_handle handle);

esp_err_t nvs_set_i8(nvs_handle handle, const char *key, int8_t value);
esp_err_t nvs_set_u8(nvs_handle handle, const char *key, uint8_t value);
esp_err_t nvs_set_i16(nvs_handle handle, const char *key, int16_t value);
esp_err_t nvs_set_u16(nvs_handle handle, const char *key, uint16_t value);
esp_err_t nvs_set_i32(nvs_handle handle, const char *key, int32_t value);
esp_err_t nvs_set_u32(nvs_handle handle, const char *key, uint32_t value);
esp_err_t nvs_set_str(nvs_handle handle, const char *key, const char *value);
esp_err_t nvs_set_blob(nvs_handle handle, const char *key, const void *value, size_t length);

esp_err_t nvs_get_i8(nvs_handle handle, const char *key, int8_t *out_value);
esp_err_t nvs_get_u8(nvs_handle handle, const char *key, uint8_t *out_value);
esp_err_t nvs_get_i16(nvs_handle handle, const char *key, int16_t *out_value);
esp_err_t nvs_get_u16(nvs_handle handle, const char *key, uint16_t *out_value);
esp_err_t nvs_get_i32(nvs_handle handle, const char *key, int32_t *out_value);
esp_err_t nvs_get_u32(nvs_handle handle, const char *key, uint32_t *out_value);
/* *length: the buffer's size in, the value's length out; out_value NULL asks only for the length. */
esp_err_t nvs_get_str(nvs_handle handle, const char *key, char *out_value, size_t *length);
esp_err_t nvs_get_blob(nvs_handle handle, const char *key, void *out_value, size_t *length);

#ifdef __cplusplus
}
#endif

#endif /* AIRSWD_NVS_H */
