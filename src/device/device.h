/*
 * device.h - one airswd device wired together: the staging store, the settings and setup record, the service and its
 * REST API. Every port starts a device through here (airswdd on Linux, the ESP8266 firmware), so the two cannot
 * drift apart in what they mount, in which order, and what they do when the flash holds nothing yet.
 *
 * A port owns a struct device (a static: it is the device's whole state, docs/esp8266.md sizes it) and:
 *   device_start(&device, &config, &report)   once, before it serves anything
 *   device_run_jobs(&device)                  on its job task, whenever config.job_queued said a job waits
 *   device_pump(&device)                      on its network task, after each turn of its loop
 *   device_stop(&device)                      at shutdown, before it joins its job task
 * and serves device.api.http on its sockets (src/net/http.h).
 */
#ifndef AIRSWD_DEVICE_H
#define AIRSWD_DEVICE_H

#include <stdbool.h>
#include <stdint.h>

#include "hal.h"
#include "net/api.h"
#include "service/service.h"
#include "service/firmware_update.h"
#include "service/service_persist_flash.h"
#include "service/store.h"
#include "status.h"

/* Called by device_start with a line for the port's console ("staging store: starting an empty store"; the setup
 * code while first-boot setup is open: a console only someone with the device reads). */
typedef void (*device_notice)(void *ctx, const char *line);

struct device_config {
    const struct hal_system *system; /* the port's clock, yield, random and log */
    struct job_link target;          /* how jobs reach the STM32 */
    const char *target_name;         /* shown by GET /api/v1/device */
    const char *version;

    /* The staging store's storage. Required. */
    const struct hal_storage *store_storage;
    /* The settings, the event log and the setup record: either the port's own (files on Linux), or, when persist
     * is NULL, kept by the core on sectors [persist_first_sector, + persist_sector_count) of persist_storage (a
     * flash partition of their own, never the store's: docs/persist.md). Both NULL: kept in RAM only. */
    const struct service_persist *persist;
    void *persist_ctx;
    const struct hal_storage *persist_storage;
    uint32_t persist_first_sector, persist_sector_count;

    /* Mutual exclusion between the network and the job task (NULL for a single-task port). */
    void (*lock)(void *ctx);
    void (*unlock)(void *ctx);
    void *lock_ctx;
    /* A job was queued: the port wakes its job task, which calls device_run_jobs(). */
    void (*job_queued)(void *ctx);
    void *job_queued_ctx;

    api_file_lookup files;         /* the web page; NULL: none */
    const struct api_board *board; /* WiFi and pins of the port's own; NULL: none */
    const struct api_console *console; /* the target's serial console in the API; NULL: none */
    /* The programmer's own firmware update slot (POST /api/v1/firmware); NULL: not updated over the network. */
    const struct firmware_update_port *firmware;
    bool factory_reset;    /* empty the store and forget setup (the port saw its reset pin or flag) */
    const char *factory_reset_how; /* how a user makes one, for the sentence of a damaged security state */
    device_notice notice;  /* may be NULL */
    void *notice_ctx;
};

struct device {
    struct store store;
    struct service service;
    struct api api;
    struct service_persist_flash persist_flash; /* used when the core keeps the settings (config.persist NULL) */
    struct firmware_update firmware;
};

/* Mounts the store (formats it when it is empty, laid out by another firmware, or a factory reset asks for it),
 * mounts the settings keeper, loads the settings, the log and the setup record, and initialises the service and
 * its API with authentication on. Fails only when the store's storage cannot be read or written: report says why.
 * A settings keeper that cannot be mounted is noticed and the device runs with defaults (a later save retries). */
enum status device_start(struct device *device, const struct device_config *config, struct status_report *report);

/* The job task: runs every queued job to its end. Returns how many ran. */
unsigned device_run_jobs(struct device *device);

/* The network task: sends the service's new events to the event streams. */
void device_pump(struct device *device);

/* Shutdown: asks the running job to stop at its next block. The port then lets its job task finish. */
void device_stop(struct device *device);

#endif /* AIRSWD_DEVICE_H */
