/*
 * device.c - the start-up every port shares (device.h).
 */
#include "device/device.h"

#include <stdio.h>
#include <string.h>

/* "what: detail[ suffix]" to the port's console. */
static void notice(const struct device_config *config, const char *what, const char *detail, const char *suffix)
{
    if (config->notice == NULL)
        return;
    char line[AIRSWD_STATUS_DETAIL_MAX + 64];
    snprintf(line, sizeof line, "%s: %s%s", what, detail, suffix);
    config->notice(config->notice_ctx, line);
}

/* The store reports into the service's store_report for as long as it runs (service.h): mount it with that. */
/* A factory reset makes the status and the log private again: whoever sets the device up next chooses. */
static void forget_public_status(struct service *service)
{
    struct service_settings settings;
    service_settings_get(service, &settings);
    if (!settings.public_status)
        return;
    settings.public_status = false;
    service_settings_set(service, &settings);
}

static enum status start_store(struct device *device, const struct device_config *config,
                               struct status_report *report)
{
    struct status_report *store_report = &device->service.store_report;
    status_clear(store_report);
    enum status status = STATUS_STORE_LAYOUT;
    if (!config->factory_reset)
        status = store_mount(&device->store, config->store_storage, config->system, store_report);
    if (status == STATUS_STORE_LAYOUT) {
        notice(config, "staging store",
               config->factory_reset ? "emptied by the factory reset" : "starting an empty store", "");
        status = store_format(&device->store, config->store_storage, config->system, store_report);
    }
    if (status != STATUS_OK) {
        if (report != NULL) {
            report->status = status;
            memcpy(report->detail, store_report->detail, sizeof report->detail);
        }
    }
    return status;
}

/* Where the settings, the log and the setup record live: the port's own persistence, or the core's keeper on the
 * port's flash. A keeper that does not mount leaves the defaults in place; its next save mounts it again. */
static void choose_persistence(struct device *device, const struct device_config *config,
                               struct service_config *service)
{
    service->persist = config->persist;
    service->persist_ctx = config->persist_ctx;
    if (config->persist != NULL || config->persist_storage == NULL)
        return;
    struct service_persist_flash *keeper = &device->persist_flash;
    if (service_persist_flash_mount(keeper, config->persist_storage, config->persist_first_sector,
                                    config->persist_sector_count) != STATUS_OK)
        notice(config, "settings", keeper->report.detail, "; running with defaults");
    service->persist = &service_persist_flash_ops;
    service->persist_ctx = keeper;
}

enum status device_start(struct device *device, const struct device_config *config, struct status_report *report)
{
    enum status status = start_store(device, config, report);
    if (status != STATUS_OK)
        return status;
    struct service_config service = {
        .system = config->system,
        .target = config->target,
        .target_name = config->target_name,
        .version = config->version,
        .lock = config->lock,
        .unlock = config->unlock,
        .lock_ctx = config->lock_ctx,
        .job_queued = config->job_queued,
        .job_queued_ctx = config->job_queued_ctx,
        .factory_reset_how = config->factory_reset_how,
    };
    choose_persistence(device, config, &service);
    service_init(&device->service, &service, &device->store);
    if (config->factory_reset) {
        service_security_factory_reset(&device->service);
        forget_public_status(&device->service);
    }
    api_init(&device->api, &device->service);
    api_enable_auth(&device->api);
    /* The console is where someone with the device in hand reads it (never the service's log: the API serves it). */
    if (api_setup_code(&device->api) != NULL)
        notice(config, "setup code", api_setup_code(&device->api), ": first-boot setup needs it");
    device->api.files = config->files;
    device->api.board = config->board;
#if AIRSWD_API_CONSOLE
    device->api.console = config->console;
#endif
    if (config->firmware != NULL) {
        firmware_update_init(&device->firmware, config->firmware, &device->service);
        device->api.firmware = &device->firmware;
    }
    return STATUS_OK;
}

unsigned device_run_jobs(struct device *device)
{
    unsigned count = 0;
    while (service_job_run(&device->service))
        count++;
    return count;
}

void device_pump(struct device *device)
{
    api_pump(&device->api);
}

void device_stop(struct device *device)
{
    service_cancel_all(&device->service);
}
