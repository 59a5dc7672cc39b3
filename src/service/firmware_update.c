/*
 * firmware_update.c - the programmer's own firmware into its update slot, checked, then activated
 * (firmware_update.h).
 *
 * Where the file's bytes go, with H = 256 + 2 + L the header and the signature block (L from bytes 256-257):
 *   file [0, H)        -> slot [tail, tail + H)        the last sector, erased at the start
 *   file [H, end)      -> slot [0, end - H)            the payload, each sector erased just before it is written
 * so the app image starts at the slot's first byte, where the bootloader looks for it.
 */
#include "service/firmware_update.h"

#include <string.h>

/* The header and the signature block's length field: what arrives before the signature's own length is known. */
#define FIXED_HEAD (IMAGE_CONTAINER_HEADER_SIZE + IMAGE_CONTAINER_SIGNATURE_LENGTH_SIZE)

void firmware_update_init(struct firmware_update *update, const struct firmware_update_port *port,
                          struct service *service)
{
    memset(update, 0, sizeof *update);
    update->port = port;
    update->service = service;
}

static uint32_t sector_size(const struct firmware_update *update)
{
    return update->slot->sector_size;
}

static enum status io_failed(struct status_report *report, const char *what, uint32_t offset)
{
    return status_fail(report, STATUS_STORE_IO, "the update slot could not be %s at 0x%lX", what,
                       (unsigned long)offset);
}

enum status firmware_update_begin(struct firmware_update *update, uint32_t size, struct status_report *report)
{
    if (update->active)
        return status_fail(report, STATUS_STORE_BUSY, "another firmware upload is under way");
    if (service_job_busy(update->service))
        return status_fail(report, STATUS_STORE_BUSY,
                           "a job is running on the STM32: update the programmer once it has ended");
    char why[AIRSWD_STATUS_DETAIL_MAX];
    why[0] = '\0';
    const struct hal_storage *slot = update->port->slot(update->port->ctx, why, sizeof why);
    if (slot == NULL)
        return status_fail(report, STATUS_INVALID_ARGUMENT, "%s", why);
    uint32_t tail = (slot->sector_count - 1) * slot->sector_size;
    if (size <= FIXED_HEAD)
        return status_fail(report, STATUS_IMAGE_TRUNCATED, "%lu bytes cannot be a signed firmware container",
                           (unsigned long)size);
    if (size > tail + FIXED_HEAD + SECURE_SIGNATURE_MAX)
        return status_fail(report, STATUS_FIRMWARE_TOO_LARGE,
                           "the firmware container is %lu bytes; the update slot holds a firmware of %lu bytes",
                           (unsigned long)size, (unsigned long)tail);
    if (!slot->erase_sector(slot->ctx, slot->sector_count - 1))
        return io_failed(report, "erased", tail);
    update->active = true;
    update->slot = slot;
    update->tail = tail;
    update->declared = size;
    update->received = 0;
    update->head_size = 0;
    update->erased = 0;
    return STATUS_OK;
}

/* Programs len bytes at offset of the slot, erasing the payload's sectors as they are first reached, and never
 * programming across a sector boundary. */
static enum status put(struct firmware_update *update, uint32_t offset, const uint8_t *bytes, uint32_t len,
                       bool payload, struct status_report *report)
{
    const struct hal_storage *slot = update->slot;
    while (len > 0) {
        uint32_t sector = offset / sector_size(update);
        if (payload && offset + len > update->tail)
            return status_fail(report, STATUS_FIRMWARE_TOO_LARGE, "the firmware does not fit the update slot");
        while (payload && update->erased <= offset) {
            if (!slot->erase_sector(slot->ctx, update->erased / sector_size(update)))
                return io_failed(report, "erased", update->erased);
            update->erased += sector_size(update);
        }
        uint32_t room = (sector + 1) * sector_size(update) - offset;
        uint32_t piece = len < room ? len : room;
        if (!slot->program(slot->ctx, offset, bytes, piece))
            return io_failed(report, "written", offset);
        offset += piece;
        bytes += piece;
        len -= piece;
    }
    return STATUS_OK;
}

enum status firmware_update_write(struct firmware_update *update, const uint8_t *bytes, size_t len,
                                  struct status_report *report)
{
    if (!update->active)
        return status_fail(report, STATUS_INVALID_ARGUMENT, "no firmware upload is under way");
    if (len > update->declared - update->received)
        return status_fail(report, STATUS_IMAGE_FORMAT, "more bytes than the upload announced");
    while (len > 0) {
        uint32_t at = update->received;
        uint32_t head = update->head_size ? update->head_size : FIXED_HEAD;
        uint32_t piece;
        enum status status;
        if (at < head) {
            piece = head - at < len ? head - at : (uint32_t)len;
            for (uint32_t i = 0; i < piece; i++) {
                if (at + i >= IMAGE_CONTAINER_HEADER_SIZE && at + i < FIXED_HEAD)
                    update->signature_length[at + i - IMAGE_CONTAINER_HEADER_SIZE] = bytes[i];
            }
            status = put(update, update->tail + at, bytes, piece, false, report);
        } else {
            piece = (uint32_t)len;
            status = put(update, at - head, bytes, piece, true, report);
        }
        if (status != STATUS_OK)
            return status;
        update->received += piece;
        bytes += piece;
        len -= piece;
        if (update->head_size == 0 && update->received >= FIXED_HEAD) {
            uint32_t signature = update->signature_length[0] | (uint32_t)update->signature_length[1] << 8;
            if (signature > SECURE_SIGNATURE_MAX)
                return status_fail(report, STATUS_IMAGE_FORMAT, "a signature block of %lu bytes (at most %u)",
                                   (unsigned long)signature, SECURE_SIGNATURE_MAX);
            update->head_size = FIXED_HEAD + signature;
        }
    }
    return STATUS_OK;
}

/* The container as the check reads it: the head from the slot's last sector, the payload from its start. */
static long read_container(void *ctx, uint32_t offset, uint8_t *buf, uint32_t len)
{
    struct firmware_update *update = ctx;
    if (offset >= update->declared)
        return 0;
    if (len > update->declared - offset)
        len = update->declared - offset;
    uint32_t at;
    if (offset < update->head_size) {
        if (len > update->head_size - offset)
            len = update->head_size - offset;
        at = update->tail + offset;
    } else {
        at = offset - update->head_size;
    }
    const struct hal_system *system = update->service->config.system;
    if ((offset & 0xFFFu) < len)
        system->yield(system->ctx); /* the check reads the whole slot: the rest of the device keeps running */
    return update->slot->read(update->slot->ctx, at, buf, len) ? (long)len : -1;
}

enum status firmware_update_finish(struct firmware_update *update, struct secure_image_info *info,
                                   struct status_report *report)
{
    if (!update->active)
        return status_fail(report, STATUS_INVALID_ARGUMENT, "no firmware upload is under way");
    update->active = false;
    if (update->received != update->declared || update->head_size == 0)
        return status_fail(report, STATUS_IMAGE_TRUNCATED, "the upload ended after %lu of %lu bytes",
                           (unsigned long)update->received, (unsigned long)update->declared);
    if (service_job_busy(update->service))
        return status_fail(report, STATUS_STORE_BUSY,
                           "a job started on the STM32 during the upload: upload the firmware again afterwards");
    struct secure_image_policy policy;
    bool signed_only;
    service_image_policy(update->service, &policy, &signed_only);
    policy.min_security_version = update->port->min_security_version(update->port->ctx);
    const struct secure_image_file file = {.read = read_container, .ctx = update};
    const struct secure_image_target programmer = {.programmer = true};
    enum status status =
        secure_image_check(&update->service->secure_work, &file, &policy, &programmer, &update->info, report);
    memset(&policy, 0, sizeof policy);
    if (status != STATUS_OK)
        return status;
    *info = update->info;
    return update->port->activate(update->port->ctx, update->info.payload_size, update->info.security_version,
                                  report);
}

void firmware_update_abort(struct firmware_update *update)
{
    update->active = false;
}
