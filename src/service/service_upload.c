/*
 * service_upload.c - an image upload: streamed into the store in constant memory, then read back once and planned
 * against a generic STM32 (the plan phase of a flash job, job_generic_memory), so that a file that is not an image
 * for an STM32 is refused at the upload, not at the flash. A refused file is deleted.
 */
#include "service/service.h"

#include <stdio.h>
#include <string.h>

static enum store_image_format store_format_of(enum image_format format)
{
    switch (format) {
    case IMAGE_FORMAT_HEX: return STORE_IMAGE_FORMAT_HEX;
    case IMAGE_FORMAT_ELF: return STORE_IMAGE_FORMAT_ELF;
    case IMAGE_FORMAT_CONTAINER: return STORE_IMAGE_FORMAT_CONTAINER;
    default: return STORE_IMAGE_FORMAT_BIN;
    }
}

enum image_format service_image_format(enum store_image_format format)
{
    switch (format) {
    case STORE_IMAGE_FORMAT_HEX: return IMAGE_FORMAT_HEX;
    case STORE_IMAGE_FORMAT_ELF: return IMAGE_FORMAT_ELF;
    case STORE_IMAGE_FORMAT_CONTAINER: return IMAGE_FORMAT_CONTAINER;
    default: return IMAGE_FORMAT_BIN;
    }
}

/* The store's answer to an upload of info (under the lock): its refusal, or STORE_BUSY when it would free the
 * current or previous image while a job may be reading them. */
static enum status check_room_locked(struct service *service, const struct store_image_info *info,
                                     enum store_room_policy policy, struct status_report *report)
{
    bool gives_up = false;
    enum status status = store_upload_check(service->store, info, policy, &gives_up);
    if (status != STATUS_OK)
        return service_copy_report(report, &service->store_report, status);
    if (gives_up && service->job_active)
        return status_fail(report, STATUS_STORE_BUSY,
                           "a job is running: an upload that gives up the rollback copy waits for it to end");
    return STATUS_OK;
}

enum status service_upload_begin(struct service *service, const struct store_image_info *info, bool format_known,
                                 enum store_room_policy policy, struct status_report *report)
{
    enum status status = STATUS_OK;
    service_lock(service);
    if (service->upload.active)
        status = status_fail(report, STATUS_STORE_BUSY, "another upload is in progress");
    else
        status = check_room_locked(service, info, policy, report);
    if (status == STATUS_OK) {
        service->upload.active = true;
        service->upload.info = *info;
        service->upload.policy = policy;
        service->upload.detect_format = !format_known;
        service->upload.head_len = 0;
        service->upload.begun = false;
    }
    service_unlock(service);
    return status;
}

size_t service_upload_room_text(struct service *service, uint32_t size, enum store_room_policy policy, char *text,
                                size_t text_size)
{
    service_lock(service);
    size_t len = store_room_text(service->store, size, policy, text, text_size);
    service_unlock(service);
    return len;
}

/* The log's word for each image the upload's begin freed to make room (the rollback copy the client gave up). */
static void log_dropped_locked(struct service *service, const struct store_entry *before, unsigned count)
{
    struct store_entry after[STORE_MAX_SLOTS];
    store_list(service->store, after, STORE_MAX_SLOTS);
    for (unsigned i = 0; i < count; i++) {
        if (before[i].image.state != STORE_SLOT_COMPLETE || after[i].image.upload_id == before[i].image.upload_id)
            continue;
        char line[SERVICE_LOG_TEXT_MAX];
        snprintf(line, sizeof line, "image %lu (%s, %s) dropped to make room for %s: uploaded with no_rollback",
                 (unsigned long)before[i].image.upload_id, before[i].image.info.name,
                 before[i].current ? "current" : "rollback image", service->upload.info.name);
        service_log_locked(service, line);
    }
}

/* Opens the store's upload once the format is known: declared, or detected from the first bytes. */
static enum status begin_in_store(struct service *service, struct status_report *report)
{
    if (service->upload.detect_format) {
        enum image_format format;
        enum status detected = image_format_detect(service->upload.head, service->upload.head_len, &format, report);
        if (detected != STATUS_OK)
            return detected;
        service->upload.info.format = store_format_of(format);
    }
    service_lock(service);
    struct store_entry before[STORE_MAX_SLOTS];
    unsigned count = store_list(service->store, before, STORE_MAX_SLOTS);
    enum status status = check_room_locked(service, &service->upload.info, service->upload.policy, report);
    if (status == STATUS_OK) {
        status = store_upload_begin(service->store, &service->upload.info, service->upload.policy, NULL);
        if (status == STATUS_OK)
            log_dropped_locked(service, before, count);
        if (status == STATUS_OK && service->upload.head_len > 0)
            status = store_upload_write(service->store, service->upload.head, service->upload.head_len);
        if (status != STATUS_OK)
            service_copy_report(report, &service->store_report, status);
    }
    service_unlock(service);
    service->upload.begun = status == STATUS_OK;
    return status;
}

enum status service_upload_write(struct service *service, const uint8_t *bytes, size_t len,
                                 struct status_report *report)
{
    if (!service->upload.active)
        return status_fail(report, STATUS_INVALID_ARGUMENT, "no upload in progress");
    if (!service->upload.begun) {
        size_t take = sizeof service->upload.head - service->upload.head_len;
        if (take > len)
            take = len;
        memcpy(service->upload.head + service->upload.head_len, bytes, take);
        service->upload.head_len += (uint32_t)take;
        bytes += take;
        len -= take;
        if (service->upload.head_len < sizeof service->upload.head)
            return STATUS_OK;
        enum status status = begin_in_store(service, report);
        if (status != STATUS_OK)
            return status;
    }
    if (len == 0)
        return STATUS_OK;
    service_lock(service);
    enum status status = store_upload_write(service->store, bytes, len);
    if (status != STATUS_OK)
        service_copy_report(report, &service->store_report, status);
    service_unlock(service);
    return status;
}

/* A container in slot, planned whole (the reader holds its header): its signer is a trusted key and its signature
 * is valid, or it is refused as a flash would refuse it, so that the store never keeps what cannot be flashed. The
 * policy is copied out of the lock: the verification takes a while on the ESP8266 and the job task needs the lock. */
static enum status check_signer(struct service *service, unsigned slot, struct status_report *report)
{
    const struct image_container *container = &service->upload.reader.as.container;
    uint8_t signature[SECURE_SIGNATURE_MAX];
    uint32_t size = container->signature_size; /* at most SECURE_SIGNATURE_MAX: the parser refuses more */
    uint32_t got = 0;
    struct secure_image_policy policy;
    service_lock(service);
    enum status status = size == 0 ? STATUS_OK
                                   : store_read(service->store, slot, IMAGE_CONTAINER_HEADER_SIZE +
                                                IMAGE_CONTAINER_SIGNATURE_LENGTH_SIZE, signature, size, &got);
    if (status != STATUS_OK)
        service_copy_report(report, &service->store_report, status);
    policy = service->policy;
    service_unlock(service);
    if (status == STATUS_OK)
        status = got == size ? secure_image_check_signer(&policy, container->header, signature, size, report)
                             : status_fail(report, STATUS_IMAGE_TRUNCATED, "the signature could not be read again");
    memset(&policy, 0, sizeof policy); /* it holds the image key */
    if (status == STATUS_IMAGE_UNTRUSTED_KEY || status == STATUS_IMAGE_SIGNATURE)
        service_log(service, "upload of %s refused: %s: %s", service->upload.info.name, status_name(status),
                    report->detail); /* the owner sees who tried to place a foreign image */
    return status;
}

/* The plan of the image in slot, against any STM32. */
static enum status plan_stored(struct service *service, unsigned slot, struct status_report *report)
{
    job_generic_memory(&service->upload.memory);
    enum status status = image_plan_init(&service->upload.plan, &service->upload.memory, report);
    if (status != STATUS_OK)
        return status;
    struct image_sink sink = image_plan_sink(&service->upload.plan);
    enum image_format format = service_image_format(service->upload.info.format);
    if (service->signed_only && format != IMAGE_FORMAT_CONTAINER)
        return status_fail(report, STATUS_IMAGE_UNSIGNED, "%s is %s", service->upload.info.name,
                           image_format_name(format));
    uint32_t base = service->upload.info.bin_base ? service->upload.info.bin_base : STM32_FLASH_BASE;
    image_reader_init(&service->upload.reader, format, base, &sink, report);
    if (service->policy.has_aes_key)
        image_reader_set_key(&service->upload.reader, service->policy.aes_key);
    for (uint32_t offset = 0;;) {
        uint32_t got = 0;
        service_lock(service);
        status = store_read(service->store, slot, offset, service->upload.chunk, sizeof service->upload.chunk, &got);
        if (status != STATUS_OK)
            service_copy_report(report, &service->store_report, status);
        service_unlock(service);
        if (status != STATUS_OK)
            return status;
        if (got == 0)
            break;
        status = image_reader_feed(&service->upload.reader, service->upload.chunk, got);
        if (status != STATUS_OK)
            return status;
        offset += got;
        service->config.system->yield(service->config.system->ctx);
    }
    status = image_reader_finish(&service->upload.reader);
    if (status == STATUS_OK)
        status = image_plan_finish(&service->upload.plan);
    if (status == STATUS_OK && format == IMAGE_FORMAT_CONTAINER)
        status = check_signer(service, slot, report);
    return status;
}

enum status service_upload_finish(struct service *service, struct service_image *image, struct status_report *report)
{
    if (!service->upload.active)
        return status_fail(report, STATUS_INVALID_ARGUMENT, "no upload in progress");
    enum status status = STATUS_OK;
    if (!service->upload.begun)
        status = begin_in_store(service, report);
    unsigned slot = 0;
    if (status == STATUS_OK) {
        service_lock(service);
        status = store_upload_finish(service->store, NULL, &slot);
        if (status != STATUS_OK)
            service_copy_report(report, &service->store_report, status);
        service_unlock(service);
        service->upload.begun = false;
    }
    if (status == STATUS_OK) {
        status = plan_stored(service, slot, report);
        service_lock(service);
        if (status != STATUS_OK)
            store_delete(service->store, slot);
        service_unlock(service);
    }
    if (status == STATUS_OK) {
        service_lock(service);
        /* Found again by slot: the store gave it its id. */
        struct store_entry entries[STORE_MAX_SLOTS];
        unsigned count = store_list(service->store, entries, STORE_MAX_SLOTS);
        for (unsigned i = 0; i < count; i++) {
            if (entries[i].slot == slot) {
                image->id = entries[i].image.upload_id;
                image->slot = slot;
                image->entry = entries[i];
            }
        }
        char line[SERVICE_LOG_TEXT_MAX];
        snprintf(line, sizeof line, "image %lu uploaded: %s, %s, %lu bytes", (unsigned long)image->id,
                 service->upload.info.name, image_format_name(service_image_format(service->upload.info.format)),
                 (unsigned long)image->entry.image.length);
        service_log_locked(service, line);
        service_unlock(service);
    }
    service_upload_abort(service);
    return status;
}

void service_upload_abort(struct service *service)
{
    if (service->upload.begun) {
        service_lock(service);
        store_upload_abort(service->store);
        service_unlock(service);
    }
    service->upload.begun = false;
    service->upload.active = false;
}
