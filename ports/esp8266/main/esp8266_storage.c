/*
 * esp8266_storage.c - struct hal_storage on an SPI flash partition (esp8266_storage.h).
 */
#include "esp8266_storage.h"

#include "esp_spi_flash.h"

static bool storage_read(void *ctx, uint32_t offset, void *buf, uint32_t len)
{
    struct esp8266_storage *storage = ctx;
    return esp_partition_read(storage->partition, offset, buf, len) == ESP_OK;
}

static bool storage_program(void *ctx, uint32_t offset, const void *buf, uint32_t len)
{
    struct esp8266_storage *storage = ctx;
    return esp_partition_write(storage->partition, offset, buf, len) == ESP_OK;
}

static bool storage_erase_sector(void *ctx, uint32_t sector)
{
    struct esp8266_storage *storage = ctx;
    return esp_partition_erase_range(storage->partition, sector * SPI_FLASH_SEC_SIZE, SPI_FLASH_SEC_SIZE) == ESP_OK;
}

bool esp8266_storage_open(struct esp8266_storage *storage, uint8_t subtype)
{
    const esp_partition_t *partition =
        esp_partition_find_first(ESP_PARTITION_TYPE_DATA, (esp_partition_subtype_t)subtype, NULL);
    if (partition == NULL)
        return false;
    esp8266_storage_bind(storage, partition);
    return true;
}

void esp8266_storage_bind(struct esp8266_storage *storage, const esp_partition_t *partition)
{
    storage->partition = partition;
    storage->hal = (struct hal_storage){
        .ctx = storage,
        .sector_size = SPI_FLASH_SEC_SIZE,
        .sector_count = partition->size / SPI_FLASH_SEC_SIZE,
        .read = storage_read,
        .program = storage_program,
        .erase_sector = storage_erase_sector,
    };
}
