/*
 * service_images.c - the images of the staging store as the API shows them: listed, found by id, deleted. An
 * image's id is the upload id the store gave it: random, never 0, and kept across restarts.
 */
#include "service/service.h"

#include <string.h>

static unsigned list_locked(struct service *service, struct service_image *images, unsigned max)
{
    struct store_entry entries[STORE_MAX_SLOTS];
    unsigned slots = store_list(service->store, entries, STORE_MAX_SLOTS);
    unsigned count = 0;
    for (unsigned i = 0; i < slots && count < max; i++) {
        if (entries[i].image.state != STORE_SLOT_COMPLETE || entries[i].uploading)
            continue;
        images[count].id = entries[i].image.upload_id;
        images[count].slot = entries[i].slot;
        images[count].entry = entries[i];
        count++;
    }
    return count;
}

unsigned service_images(struct service *service, struct service_image *images, unsigned max)
{
    service_lock(service);
    unsigned count = list_locked(service, images, max);
    service_unlock(service);
    return count;
}

static bool find_locked(struct service *service, uint32_t id, struct service_image *image)
{
    struct service_image images[STORE_MAX_SLOTS];
    unsigned count = list_locked(service, images, STORE_MAX_SLOTS);
    for (unsigned i = 0; i < count; i++) {
        if (images[i].id == id && id != 0) {
            *image = images[i];
            return true;
        }
    }
    return false;
}

bool service_image_find(struct service *service, uint32_t id, struct service_image *image)
{
    service_lock(service);
    bool found = find_locked(service, id, image);
    service_unlock(service);
    return found;
}

uint32_t service_store_capacity(struct service *service)
{
    service_lock(service);
    uint32_t size = store_capacity(service->store);
    service_unlock(service);
    return size;
}

uint32_t service_store_room(struct service *service, enum store_room_policy policy)
{
    service_lock(service);
    uint32_t size = store_room(service->store, policy);
    service_unlock(service);
    return size;
}

enum status service_image_delete(struct service *service, uint32_t id, struct status_report *report)
{
    struct service_image image;
    enum status status = STATUS_OK;
    service_lock(service);
    if (!find_locked(service, id, &image)) {
        status = status_fail(report, STATUS_STORE_NO_IMAGE, "no image %lu", (unsigned long)id);
    } else if (image.entry.current) {
        status = status_fail(report, STATUS_STORE_BUSY, "image %lu is the current image", (unsigned long)id);
    } else if (service->job_active) {
        status = status_fail(report, STATUS_STORE_BUSY, "a job is running: delete images once it is over");
    } else {
        status = store_delete(service->store, image.slot);
        if (status != STATUS_OK)
            service_copy_report(report, &service->store_report, status);
        else
            service_log_locked(service, "image deleted");
    }
    service_unlock(service);
    return status;
}

enum status service_image_read(struct service *service, uint32_t id, uint32_t offset, void *buf, uint32_t len,
                               uint32_t *got)
{
    struct service_image image;
    enum status status = STATUS_STORE_NO_IMAGE;
    service_lock(service);
    if (find_locked(service, id, &image))
        status = store_read(service->store, image.slot, offset, buf, len, got);
    service_unlock(service);
    return status;
}
