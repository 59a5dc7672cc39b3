/*
 * nvs_ram.c - the key-value storage of nvs.h in RAM: a fixed table of entries (namespace, key, bytes) in a fixed
 * pool, enough for what the WiFi and PHY libraries store in one boot (the PHY calibration blob is the largest).
 * Nothing survives a restart: RF calibration then runs at each boot, and WiFi is configured from airswd's record.
 * Called from several tasks (WiFi, lwIP, the application): a mutex guards the table.
 */
#include <string.h>

#include "freertos/FreeRTOS.h"
#include "freertos/semphr.h"
#include "nvs_flash.h"

#define NAME_MAX_LEN  15 /* the SDK's limit for namespaces and keys */
#define NAMESPACES    8
#define ENTRIES       12
#define POOL_BYTES    512

enum value_type { TYPE_INTEGER, TYPE_STRING, TYPE_BLOB };

struct entry {
    bool used;
    uint8_t space; /* index in namespaces */
    uint8_t type;
    char key[NAME_MAX_LEN + 1];
    uint16_t offset, length; /* in pool */
};

static char namespaces[NAMESPACES][NAME_MAX_LEN + 1];
static struct entry entries[ENTRIES];
static uint8_t pool[POOL_BYTES];
static uint16_t pool_used;
static SemaphoreHandle_t mutex;

/* Handles are namespace index + 1, with bit 8 set for a writable one. */
#define HANDLE_WRITABLE 0x100u

esp_err_t nvs_flash_init(void)
{
    if (mutex == NULL)
        mutex = xSemaphoreCreateMutex();
    return mutex ? ESP_OK : ESP_ERR_NO_MEM;
}

static void lock(void)
{
    xSemaphoreTake(mutex, portMAX_DELAY);
}

static void unlock(void)
{
    xSemaphoreGive(mutex);
}

esp_err_t nvs_flash_erase(void)
{
    if (mutex == NULL)
        return ESP_ERR_NVS_NOT_INITIALIZED;
    lock();
    memset(entries, 0, sizeof entries);
    pool_used = 0;
    unlock();
    return ESP_OK;
}

esp_err_t nvs_open(const char *name, nvs_open_mode open_mode, nvs_handle *out_handle)
{
    if (mutex == NULL)
        return ESP_ERR_NVS_NOT_INITIALIZED;
    if (name == NULL || name[0] == '\0' || strlen(name) > NAME_MAX_LEN)
        return ESP_ERR_NVS_INVALID_NAME;
    esp_err_t result = ESP_ERR_NVS_NOT_ENOUGH_SPACE;
    lock();
    for (unsigned i = 0; i < NAMESPACES; i++) {
        if (namespaces[i][0] != '\0' && strcmp(namespaces[i], name) != 0)
            continue;
        if (namespaces[i][0] == '\0') {
            if (open_mode == NVS_READONLY) {
                result = ESP_ERR_NVS_NOT_FOUND;
                break;
            }
            strcpy(namespaces[i], name);
        }
        *out_handle = (i + 1) | (open_mode == NVS_READWRITE ? HANDLE_WRITABLE : 0);
        result = ESP_OK;
        break;
    }
    unlock();
    return result;
}

void nvs_close(nvs_handle handle)
{
    (void)handle;
}

esp_err_t nvs_commit(nvs_handle handle)
{
    (void)handle;
    return ESP_OK;
}

static bool valid_handle(nvs_handle handle)
{
    unsigned space = (handle & 0xFFu) - 1u;
    return space < NAMESPACES && namespaces[space][0] != '\0';
}

static struct entry *find(nvs_handle handle, const char *key)
{
    uint8_t space = (uint8_t)((handle & 0xFFu) - 1u);
    for (unsigned i = 0; i < ENTRIES; i++) {
        if (entries[i].used && entries[i].space == space && strcmp(entries[i].key, key) == 0)
            return &entries[i];
    }
    return NULL;
}

/* The pool only grows; when it is full the dead bytes of replaced values are squeezed out. */
static void compact_pool(void)
{
    uint16_t used = 0;
    for (;;) {
        struct entry *lowest = NULL;
        for (unsigned i = 0; i < ENTRIES; i++) {
            if (entries[i].used && entries[i].offset >= used && (lowest == NULL || entries[i].offset < lowest->offset))
                lowest = &entries[i];
        }
        if (lowest == NULL)
            break;
        memmove(pool + used, pool + lowest->offset, lowest->length);
        lowest->offset = used;
        used = (uint16_t)(used + lowest->length);
    }
    pool_used = used;
}

static esp_err_t set_value(nvs_handle handle, const char *key, enum value_type type, const void *bytes, size_t length)
{
    if (!valid_handle(handle))
        return ESP_ERR_NVS_INVALID_HANDLE;
    if ((handle & HANDLE_WRITABLE) == 0)
        return ESP_ERR_NVS_READ_ONLY;
    if (key == NULL || strlen(key) > NAME_MAX_LEN)
        return ESP_ERR_NVS_KEY_TOO_LONG;
    if (length > POOL_BYTES)
        return ESP_ERR_NVS_VALUE_TOO_LONG;
    esp_err_t result = ESP_OK;
    lock();
    struct entry *entry = find(handle, key);
    if (entry == NULL) {
        for (unsigned i = 0; i < ENTRIES && entry == NULL; i++) {
            if (!entries[i].used)
                entry = &entries[i];
        }
    }
    if (entry == NULL) {
        result = ESP_ERR_NVS_NOT_ENOUGH_SPACE;
    } else {
        entry->used = false; /* its old bytes are dead from here */
        if (pool_used + length > POOL_BYTES)
            compact_pool();
        if (pool_used + length > POOL_BYTES) {
            result = ESP_ERR_NVS_NOT_ENOUGH_SPACE;
        } else {
            *entry = (struct entry){.used = true, .space = (uint8_t)((handle & 0xFFu) - 1u), .type = (uint8_t)type,
                                    .offset = pool_used, .length = (uint16_t)length};
            strcpy(entry->key, key);
            memcpy(pool + pool_used, bytes, length);
            pool_used = (uint16_t)(pool_used + length);
        }
    }
    unlock();
    return result;
}

/* *length: the caller's room in, the value's length out (out NULL: length only). */
static esp_err_t get_value(nvs_handle handle, const char *key, enum value_type type, void *out, size_t *length)
{
    if (!valid_handle(handle))
        return ESP_ERR_NVS_INVALID_HANDLE;
    esp_err_t result = ESP_OK;
    lock();
    const struct entry *entry = find(handle, key);
    if (entry == NULL) {
        result = ESP_ERR_NVS_NOT_FOUND;
    } else if (entry->type != type) {
        result = ESP_ERR_NVS_TYPE_MISMATCH;
    } else if (out != NULL && *length < entry->length) {
        *length = entry->length;
        result = ESP_ERR_NVS_INVALID_LENGTH;
    } else {
        if (out != NULL)
            memcpy(out, pool + entry->offset, entry->length);
        *length = entry->length;
    }
    unlock();
    return result;
}

esp_err_t nvs_erase_key(nvs_handle handle, const char *key)
{
    if (!valid_handle(handle))
        return ESP_ERR_NVS_INVALID_HANDLE;
    lock();
    struct entry *entry = find(handle, key);
    if (entry != NULL)
        entry->used = false;
    unlock();
    return entry != NULL ? ESP_OK : ESP_ERR_NVS_NOT_FOUND;
}

esp_err_t nvs_erase_all(nvs_handle handle)
{
    if (!valid_handle(handle))
        return ESP_ERR_NVS_INVALID_HANDLE;
    lock();
    for (unsigned i = 0; i < ENTRIES; i++) {
        if (entries[i].space == (uint8_t)((handle & 0xFFu) - 1u))
            entries[i].used = false;
    }
    unlock();
    return ESP_OK;
}

/* Integers are kept little-endian in the width of their type, tagged as integers. */
#define INTEGER_ACCESSORS(suffix, type)                                                                              \
    esp_err_t nvs_set_##suffix(nvs_handle handle, const char *key, type value)                                       \
    {                                                                                                                \
        return set_value(handle, key, TYPE_INTEGER, &value, sizeof value);                                           \
    }                                                                                                                \
    esp_err_t nvs_get_##suffix(nvs_handle handle, const char *key, type *out_value)                                  \
    {                                                                                                                \
        size_t length = sizeof *out_value;                                                                           \
        type value;                                                                                                  \
        esp_err_t result = get_value(handle, key, TYPE_INTEGER, &value, &length);                                    \
        if (result == ESP_OK && length != sizeof value)                                                              \
            return ESP_ERR_NVS_TYPE_MISMATCH;                                                                        \
        if (result == ESP_OK)                                                                                        \
            *out_value = value;                                                                                      \
        return result;                                                                                               \
    }

INTEGER_ACCESSORS(i8, int8_t)
INTEGER_ACCESSORS(u8, uint8_t)
INTEGER_ACCESSORS(i16, int16_t)
INTEGER_ACCESSORS(u16, uint16_t)
INTEGER_ACCESSORS(i32, int32_t)
INTEGER_ACCESSORS(u32, uint32_t)

esp_err_t nvs_set_str(nvs_handle handle, const char *key, const char *value)
{
    return set_value(handle, key, TYPE_STRING, value, strlen(value) + 1);
}

esp_err_t nvs_get_str(nvs_handle handle, const char *key, char *out_value, size_t *length)
{
    return get_value(handle, key, TYPE_STRING, out_value, length);
}

esp_err_t nvs_set_blob(nvs_handle handle, const char *key, const void *value, size_t length)
{
    return set_value(handle, key, TYPE_BLOB, value, length);
}

esp_err_t nvs_get_blob(nvs_handle handle, const char *key, void *out_value, size_t *length)
{
    return get_value(handle, key, TYPE_BLOB, out_value, length);
}
