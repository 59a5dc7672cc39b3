/*
 * service_persist_flash.h - the service's settings and event log kept by persist_flash: the struct service_persist
 * of a port that has flash but no files (the ESP8266).
 *
 * Usage: mount, then give the service &service_persist_flash_ops with the struct as persist_ctx.
 *
 * The settings are one blob under PERSIST_TAG_SERVICE_SETTINGS (docs/persist.md has its layout): a format version,
 * then fields that are only ever appended. A reader takes the fields the blob is long enough to hold and keeps its
 * defaults for the rest, and ignores bytes it does not know, so firmware of any version reads settings saved by any
 * other. Each log line is one log entry.
 */
#ifndef AIRSWD_SERVICE_PERSIST_FLASH_H
#define AIRSWD_SERVICE_PERSIST_FLASH_H

#include "service/persist_flash.h"
#include "service/service.h"

struct service_persist_flash {
    struct persist_flash keeper;
    struct status_report report; /* the keeper's latest failure */
};

extern const struct service_persist service_persist_flash_ops;

/* Mounts the keeper on sectors [first_sector, first_sector + sector_count) of storage (persist_flash_mount). After
 * a failure the service still runs: saving retries the mount, loading finds nothing. */
enum status service_persist_flash_mount(struct service_persist_flash *persist, const struct hal_storage *storage,
                                        uint32_t first_sector, uint32_t sector_count);

/* The settings blob: encode returns its length (at most SERVICE_PERSIST_SETTINGS_BYTES); decode fills the fields
 * the blob holds and leaves the others as they are, false when it is no settings blob at all. */
#define SERVICE_PERSIST_SETTINGS_BYTES 8
size_t service_persist_settings_encode(const struct service_settings *settings, uint8_t *blob);
bool service_persist_settings_decode(const uint8_t *blob, size_t len, struct service_settings *settings);

#endif /* AIRSWD_SERVICE_PERSIST_FLASH_H */
