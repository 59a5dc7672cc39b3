/*
 * firmware_update.h - the programmer's own firmware, updated over the network (POST /api/v1/firmware).
 *
 * The upload is a signed container for the programmer (docs/image-format.md, flag bit 1; `airswd sign --target
 * esp8266`). It streams into the port's update slot, the flash partition the running firmware does not run from:
 * the payload (the app image) from the slot's offset 0, so that it boots from there; the container's header and
 * signature block into the slot's last sector. Once the whole file is in, it is checked there, read back from the
 * flash, as a flash job checks an STM32 container: trusted key, signature, that it is the programmer's firmware,
 * the security version against the programmer's own minimum, the payload's SHA-256. Only then does the port make it
 * the firmware to boot, on trial: it must confirm itself after its start (up, on the network) or the previous one
 * boots again (docs/esp8266.md). Nothing the running firmware needs is touched before the check has passed.
 *
 * Runs on the network task. The check borrows the flash job's check memory (secure_image_work): it is refused
 * while a job is queued or running.
 */
#ifndef AIRSWD_FIRMWARE_UPDATE_H
#define AIRSWD_FIRMWARE_UPDATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hal.h"
#include "secure/secure_image.h"
#include "service/service.h"
#include "status.h"

/* What the port provides. */
struct firmware_update_port {
    void *ctx;
    /* The slot a new firmware goes to. NULL, with a sentence in why, when the device cannot update itself (a 1 MB
     * board has room for one firmware only). */
    const struct hal_storage *(*slot)(void *ctx, char *why, size_t size);
    /* The lowest security version the programmer accepts for its own firmware (anti-rollback). */
    uint32_t (*min_security_version)(void *ctx);
    /* The checked firmware (size bytes at the slot's start, that security version) is the one to boot next, on
     * trial. The port restarts into it once the answer has gone out. */
    enum status (*activate)(void *ctx, uint32_t size, uint32_t security_version, struct status_report *report);
    /* The device restarts into the new firmware after the answer (the ESP8266; airswdd only keeps it). */
    bool restarts;
};

struct firmware_update {
    const struct firmware_update_port *port;
    struct service *service; /* the trusted keys, and the check memory */
    bool active;
    const struct hal_storage *slot;
    uint32_t tail;      /* offset of the slot's last sector: the header and the signature block */
    uint32_t declared;  /* the upload's length */
    uint32_t received;
    uint32_t head_size; /* header + signature block, once the block's length has arrived (else 0) */
    uint8_t signature_length[IMAGE_CONTAINER_SIGNATURE_LENGTH_SIZE];
    uint32_t erased;    /* bytes of the payload area erased so far, whole sectors */
    struct secure_image_info info; /* of the last checked firmware */
};

void firmware_update_init(struct firmware_update *update, const struct firmware_update_port *port,
                          struct service *service);

/* An upload of size bytes (its Content-Length) begins. STATUS_STORE_BUSY while a job runs or another upload is
 * under way; STATUS_FIRMWARE_TOO_LARGE when it cannot fit the slot; STATUS_INVALID_ARGUMENT when the device has no
 * slot (report says why). */
enum status firmware_update_begin(struct firmware_update *update, uint32_t size, struct status_report *report);
/* The next bytes, in order. */
enum status firmware_update_write(struct firmware_update *update, const uint8_t *bytes, size_t len,
                                  struct status_report *report);
/* The whole file has arrived: checks it in the slot and, when it passes, activates it (info: what it is). */
enum status firmware_update_finish(struct firmware_update *update, struct secure_image_info *info,
                                   struct status_report *report);
void firmware_update_abort(struct firmware_update *update);

#endif /* AIRSWD_FIRMWARE_UPDATE_H */
