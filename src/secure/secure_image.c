/*
 * secure_image.c - the checks a signed container passes before a device flashes it.
 */
#include "secure/secure_image.h"

#include <stdio.h>
#include <string.h>

#include "stm32/stm32_part.h"

bool secure_image_policy_add_key(struct secure_image_policy *policy, const uint8_t point[SECURE_P256_POINT_SIZE])
{
    if (policy->key_count >= SECURE_IMAGE_MAX_KEYS)
        return false;
    struct secure_image_key *key = &policy->keys[policy->key_count++];
    memcpy(key->point, point, SECURE_P256_POINT_SIZE);
    secure_key_id(point, key->id);
    return true;
}

void secure_key_id_format(const uint8_t id[SECURE_KEY_ID_SIZE], char out[2 * SECURE_KEY_ID_SIZE + 1])
{
    static const char hex[] = "0123456789abcdef";
    for (unsigned i = 0; i < SECURE_KEY_ID_SIZE; i++) {
        out[2 * i] = hex[id[i] >> 4];
        out[2 * i + 1] = hex[id[i] & 0xF];
    }
    out[2 * SECURE_KEY_ID_SIZE] = '\0';
}

/* The payload, as the parser decrypts it, into the hash. */
static enum status secure_image_hash_data(void *ctx, uint32_t address, const uint8_t *bytes, uint32_t len,
                                          uint32_t file_offset)
{
    (void)address;
    (void)file_offset;
    secure_sha256_update(ctx, bytes, len);
    return STATUS_OK;
}

/* Reads exactly len bytes at offset; false when the file is shorter or unreadable. */
static bool secure_image_read_exact(const struct secure_image_file *file, uint32_t offset, uint8_t *buf, uint32_t len)
{
    while (len > 0) {
        long got = file->read(file->ctx, offset, buf, len);
        if (got <= 0 || (unsigned long)got > len)
            return false;
        offset += (uint32_t)got;
        buf += got;
        len -= (uint32_t)got;
    }
    return true;
}

/* Parses the whole file, hashing the decrypted payload into digest. */
static enum status secure_image_parse(struct secure_image_work *work, const struct secure_image_file *file,
                                      const struct secure_image_policy *policy, uint8_t digest[SECURE_SHA256_SIZE],
                                      struct status_report *report)
{
    secure_sha256_start(&work->payload_sha);
    const struct image_sink sink = {secure_image_hash_data, NULL, &work->payload_sha};
    image_container_init(&work->container, &sink, report);
    image_container_allow_programmer(&work->container); /* which kind fits is the target check's to say */
    if (policy->has_aes_key)
        image_container_set_key(&work->container, policy->aes_key);
    enum status status = STATUS_OK;
    for (uint32_t offset = 0; status == STATUS_OK;) {
        long got = file->read(file->ctx, offset, work->buffer, sizeof work->buffer);
        if (got < 0 || (unsigned long)got > sizeof work->buffer) {
            status = status_fail(report, STATUS_IMAGE_TRUNCATED, "reading the image at offset 0x%lX failed",
                                 (unsigned long)offset);
            break;
        }
        if (got == 0) {
            status = image_container_finish(&work->container);
            break;
        }
        status = image_container_feed(&work->container, work->buffer, (size_t)got);
        offset += (uint32_t)got;
    }
    secure_sha256_finish(&work->payload_sha, digest);
    secure_aes_ctr_free(&work->container.aes);
    return status;
}

static const char *secure_image_part_name(uint16_t dev_id)
{
    const struct stm32_part *part = stm32_part_find(dev_id);
    return part != NULL ? part->name : "unknown part";
}

static enum status secure_image_check_target(const struct image_container_header *header,
                                             const struct secure_image_target *target, struct status_report *report)
{
    bool programmer_firmware = (header->flags & IMAGE_CONTAINER_FLAG_PROGRAMMER) != 0;
    if (programmer_firmware && !target->programmer)
        return status_fail(report, STATUS_TARGET_MISMATCH, "this container holds the programmer's own firmware "
                           "(signed for esp8266), not an STM32 image: update the programmer with it instead");
    if (!programmer_firmware && target->programmer)
        return status_fail(report, STATUS_TARGET_MISMATCH,
                           "this container holds an STM32 image, not the programmer's firmware (sign with --target "
                           "esp8266)");
    if (programmer_firmware)
        return STATUS_OK; /* its layout rules were checked with the header */
    if (header->target_count > 0) {
        const struct image_container_target *matched = NULL;
        for (unsigned i = 0; i < header->target_count && matched == NULL; i++)
            if (header->targets[i].dev_id == target->dev_id)
                matched = &header->targets[i];
        if (matched == NULL) {
            const struct image_container_target *first = &header->targets[0];
            return status_fail(report, STATUS_TARGET_MISMATCH, "image is for 0x%03X (%s)%s, target is 0x%03X (%s)",
                               first->dev_id, secure_image_part_name(first->dev_id),
                               header->target_count > 1 ? " and others" : "", target->dev_id,
                               secure_image_part_name(target->dev_id));
        }
        if (target->flash_kb < matched->min_flash_kb)
            return status_fail(report, STATUS_TARGET_MISMATCH,
                               "image needs %u KB of flash, target 0x%03X (%s) has %lu KB", matched->min_flash_kb,
                               target->dev_id, secure_image_part_name(target->dev_id),
                               (unsigned long)target->flash_kb);
    }
    if (header->flash_base != target->flash_base)
        return status_fail(report, STATUS_TARGET_MISMATCH, "image was built for flash at 0x%08lX, target's is at 0x%08lX",
                           (unsigned long)header->flash_base, (unsigned long)target->flash_base);
    return STATUS_OK;
}

enum status secure_image_check_signer(const struct secure_image_policy *policy,
                                      const uint8_t header[IMAGE_CONTAINER_HEADER_SIZE], const uint8_t *signature,
                                      uint32_t signature_size, struct status_report *report)
{
    const uint8_t *key_id = header + IMAGE_CONTAINER_AT_KEY_ID;
    const struct secure_image_key *key = NULL;
    for (unsigned i = 0; i < policy->key_count && i < SECURE_IMAGE_MAX_KEYS && key == NULL; i++)
        if (memcmp(policy->keys[i].id, key_id, SECURE_KEY_ID_SIZE) == 0)
            key = &policy->keys[i];
    if (key == NULL) {
        char id[2 * SECURE_KEY_ID_SIZE + 1];
        secure_key_id_format(key_id, id);
        return status_fail(report, STATUS_IMAGE_UNTRUSTED_KEY, "signed by key %s, which this device does not trust%s",
                           id, policy->key_count == 0 ? " (it trusts no key yet: add the signing key first)" : "");
    }
    if (signature_size == 0)
        return status_fail(report, STATUS_IMAGE_SIGNATURE, "the image was never signed (empty signature block)");
    uint8_t header_digest[SECURE_SHA256_SIZE];
    secure_sha256(header, IMAGE_CONTAINER_HEADER_SIZE, header_digest);
    if (!secure_ecdsa_p256_verify(key->point, header_digest, signature, signature_size))
        return status_fail(report, STATUS_IMAGE_SIGNATURE, "ECDSA P-256 signature of the header is not valid");
    return STATUS_OK;
}

enum status secure_image_check(struct secure_image_work *work, const struct secure_image_file *file,
                               const struct secure_image_policy *policy, const struct secure_image_target *target,
                               struct secure_image_info *info, struct status_report *report)
{
    memset(info, 0, sizeof *info);
    uint8_t digest[SECURE_SHA256_SIZE];
    enum status status = secure_image_parse(work, file, policy, digest, report);
    if (status != STATUS_OK)
        return status;

    struct image_container_header header;
    status = image_container_header_decode(work->container.header, &header, report);
    if (status != STATUS_OK)
        return status;
    info->security_version = header.security_version;
    info->flags = header.flags;
    info->segment_count = header.segment_count;
    info->payload_size = header.payload_size;
    memcpy(info->key_id, header.key_id, SECURE_KEY_ID_SIZE);

    uint8_t signature[SECURE_SIGNATURE_MAX];
    uint32_t signature_size = work->container.signature_size;
    if (signature_size > 0 &&
        !secure_image_read_exact(file, IMAGE_CONTAINER_HEADER_SIZE + IMAGE_CONTAINER_SIGNATURE_LENGTH_SIZE,
                                 signature, signature_size))
        return status_fail(report, STATUS_IMAGE_TRUNCATED, "the signature could not be read again");
    status = secure_image_check_signer(policy, work->container.header, signature, signature_size, report);
    if (status != STATUS_OK)
        return status;

    status = secure_image_check_target(&header, target, report);
    if (status != STATUS_OK)
        return status;
    if (header.security_version < policy->min_security_version)
        return status_fail(report, STATUS_IMAGE_ROLLBACK,
                           "security version %lu is older than the minimum %lu this device accepts",
                           (unsigned long)header.security_version, (unsigned long)policy->min_security_version);
    if (!secure_equal(digest, header.payload_sha256, SECURE_SHA256_SIZE))
        return status_fail(report, STATUS_IMAGE_HASH,
                           (header.flags & IMAGE_CONTAINER_FLAG_ENCRYPTED)
                               ? "SHA-256 of the decrypted payload differs from the signed header's (wrong image "
                                 "key, or corrupted payload)"
                               : "SHA-256 of the payload differs from the signed header's");
    return STATUS_OK;
}
