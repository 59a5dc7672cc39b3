/*
 * esp8266_firmware.c - update slot and trial of the firmware's own updates (esp8266_firmware.h).
 *
 * The firmware record, version 1, little-endian: byte 0 the version; 1 the state (0 none, 1 on trial, 2 confirmed,
 * 3 given up); 4-7 the flash address of the firmware on trial; 8-11 the address of the one before it; 12-15 the
 * security version on trial; 16-19 the anti-rollback minimum of the firmware's own updates.
 */
#include "esp8266_firmware.h"

#include <stdio.h>
#include <string.h>

#include "byte_order.h"
#include "esp8266_status.h"
#include "esp8266_storage.h"
#include "esp_ota_ops.h"
#include "esp_system.h"
#include "esp_timer.h"
#include "sdkconfig.h"

#define RECORD_VERSION     1
#define RECORD_SIZE        20
#define TRIAL_LIMIT_US     (60ll * 1000000)
#define RESTART_DELAY_US   1500000 /* after an update's answer, before the restart into it */

enum trial_state { TRIAL_NONE, TRIAL_RUNNING, TRIAL_CONFIRMED, TRIAL_GIVEN_UP };

static struct {
    struct persist_flash *keeper;
    void (*lock)(void);
    void (*unlock)(void);
    struct firmware_update_port port;
    struct esp8266_storage slot;
    uint8_t state;
    uint32_t trial_address, previous_address, trial_version, min_version;
    bool on_trial;           /* this firmware runs on trial */
    char notice[160];        /* for the service's log, once it runs */
    int64_t restart_at_us;   /* an activated update: restart into it then (0: none) */
} firmware;

static void load(void)
{
    uint8_t record[RECORD_SIZE + 16];
    size_t len = 0;
    if (persist_flash_get(firmware.keeper, PERSIST_TAG_FIRMWARE, record, sizeof record, &len) != STATUS_OK ||
        len < RECORD_SIZE || record[0] != RECORD_VERSION)
        return;
    firmware.state = record[1];
    firmware.trial_address = le_get_u32(record + 4);
    firmware.previous_address = le_get_u32(record + 8);
    firmware.trial_version = le_get_u32(record + 12);
    firmware.min_version = le_get_u32(record + 16);
}

static bool save(void)
{
    uint8_t record[RECORD_SIZE] = {RECORD_VERSION, firmware.state};
    le_put_u32(record + 4, firmware.trial_address);
    le_put_u32(record + 8, firmware.previous_address);
    le_put_u32(record + 12, firmware.trial_version);
    le_put_u32(record + 16, firmware.min_version);
    firmware.lock();
    bool ok = persist_flash_put(firmware.keeper, PERSIST_TAG_FIRMWARE, record, sizeof record) == STATUS_OK;
    firmware.unlock();
    return ok;
}

static const esp_partition_t *app_at(uint32_t address)
{
    esp_partition_iterator_t it = esp_partition_find(ESP_PARTITION_TYPE_APP, ESP_PARTITION_SUBTYPE_ANY, NULL);
    const esp_partition_t *found = NULL;
    for (; it != NULL && found == NULL; it = esp_partition_next(it)) {
        const esp_partition_t *partition = esp_partition_get(it);
        if (partition->address == address)
            found = partition;
    }
    esp_partition_iterator_release(it);
    return found;
}

/* On UART1 at once, and into the service's log at the next poll. */
static void log_line(const char *format, unsigned long value)
{
    snprintf(firmware.notice, sizeof firmware.notice, format, value);
    esp8266_status_log_line(firmware.notice);
}

static const struct hal_storage *slot(void *ctx, char *why, size_t size)
{
    (void)ctx;
    const esp_partition_t *next = esp_ota_get_next_update_partition(NULL);
    if (next == NULL) {
        snprintf(why, size, "this board has room for one firmware only (1 MB of flash): update it through its "
                            "serial port (make esp8266-flash)");
        return NULL;
    }
    esp8266_storage_bind(&firmware.slot, next);
    return &firmware.slot.hal;
}

static uint32_t min_security_version(void *ctx)
{
    (void)ctx;
    return firmware.min_version;
}

static enum status activate(void *ctx, uint32_t size, uint32_t security_version, struct status_report *report)
{
    (void)ctx;
    (void)size;
    const esp_partition_t *running = esp_ota_get_running_partition();
    const esp_partition_t *next = firmware.slot.partition;
    uint8_t before = firmware.state;
    firmware.state = TRIAL_RUNNING;
    firmware.trial_address = next->address;
    firmware.previous_address = running->address;
    firmware.trial_version = security_version;
    if (!save()) {
        firmware.state = before;
        return status_fail(report, STATUS_STORE_IO, "the firmware record could not be written");
    }
    /* The bootloader checks the app image's own checksum and segments here too. */
    if (esp_ota_set_boot_partition(next) != ESP_OK) {
        firmware.state = TRIAL_NONE;
        save();
        return status_fail(report, STATUS_IMAGE_FORMAT, "the payload is not a bootable ESP8266 app image");
    }
    firmware.restart_at_us = esp_timer_get_time() + RESTART_DELAY_US;
    return STATUS_OK;
}

const struct firmware_update_port *esp8266_firmware_boot(struct persist_flash *keeper, void (*lock)(void),
                                                         void (*unlock)(void))
{
    firmware.keeper = keeper;
    firmware.lock = lock;
    firmware.unlock = unlock;
    firmware.port = (struct firmware_update_port){
        .slot = slot, .min_security_version = min_security_version, .activate = activate, .restarts = true};
    load();
    const esp_partition_t *running = esp_ota_get_running_partition();
    if (firmware.state == TRIAL_RUNNING && running->address == firmware.trial_address) {
        const esp_partition_t *previous = app_at(firmware.previous_address);
        if (previous != NULL)
            esp_ota_set_boot_partition(previous); /* any restart before the confirmation goes back */
        firmware.on_trial = true;
        log_line("firmware: update to security version %lu on trial: it must serve within 60 s",
                 firmware.trial_version);
    } else if (firmware.state == TRIAL_RUNNING) {
        firmware.state = TRIAL_GIVEN_UP;
        save();
        log_line("firmware: the update to security version %lu did not confirm itself; the previous firmware runs",
                 firmware.trial_version);
    }
    return &firmware.port;
}

void esp8266_firmware_poll(struct service *service, bool serving)
{
    if (firmware.notice[0] != '\0') {
        service_log(service, "%s", firmware.notice);
        firmware.notice[0] = '\0';
    }
    int64_t now = esp_timer_get_time();
    if (firmware.restart_at_us != 0 && now >= firmware.restart_at_us)
        esp_restart();
    if (!firmware.on_trial)
        return;
#ifdef CONFIG_AIRSWD_HIL_NEVER_CONFIRM
    serving = false; /* a bench firmware that must give way to the previous one (tests/hil) */
#endif
    if (serving && esp_ota_set_boot_partition(esp_ota_get_running_partition()) == ESP_OK) {
        firmware.on_trial = false;
        firmware.state = TRIAL_CONFIRMED;
        if (firmware.trial_version > firmware.min_version)
            firmware.min_version = firmware.trial_version;
        save();
        log_line("firmware: update to security version %lu confirmed", firmware.trial_version);
    } else if (now >= TRIAL_LIMIT_US) {
        log_line("firmware: the update did not serve within 60 s; restarting into the previous firmware (%lu)",
                 (unsigned long)firmware.previous_address);
        esp_restart();
    }
}
