/*
 * secure_image.h - whether a signed container may be flashed on this device and this target.
 *
 * One pass over the whole file through a read callback (the job's), in a bounded buffer, then the checks in this
 * order, reporting the first that fails: the file's format (STATUS_IMAGE_FORMAT, _TRUNCATED, _OVERLAP,
 * _ENCRYPTED); the signing key is one the device trusts (STATUS_IMAGE_UNTRUSTED_KEY); the ECDSA P-256 signature
 * over SHA-256 of the header (STATUS_IMAGE_SIGNATURE); the target constraints and the flash base
 * (STATUS_TARGET_MISMATCH); the security version against the minimum (STATUS_IMAGE_ROLLBACK); the SHA-256 of the
 * decrypted payload against the header's (STATUS_IMAGE_HASH), which also catches a wrong AES key.
 */
#ifndef AIRSWD_SECURE_IMAGE_H
#define AIRSWD_SECURE_IMAGE_H

#include "image/image_container.h"

#define SECURE_IMAGE_MAX_KEYS 4
/* Bytes read from the file at a time. */
#define SECURE_IMAGE_READ_CHUNK 128

struct secure_image_key {
    uint8_t point[SECURE_P256_POINT_SIZE];
    uint8_t id[SECURE_KEY_ID_SIZE];
};

/* What the device accepts. */
struct secure_image_policy {
    struct secure_image_key keys[SECURE_IMAGE_MAX_KEYS];
    uint8_t key_count;
    uint32_t min_security_version;
    bool has_aes_key;
    uint8_t aes_key[SECURE_AES_KEY_SIZE];
};

/* The identified target; or, with programmer set, the programmer itself (its firmware update). */
struct secure_image_target {
    uint16_t dev_id;
    uint32_t flash_kb;
    uint32_t flash_base;
    bool programmer;
};

/* The file, as the job reads it: up to len bytes from offset; how many (0 at the end), or -1 on a read error. */
struct secure_image_file {
    long (*read)(void *ctx, uint32_t offset, uint8_t *buf, uint32_t len);
    void *ctx;
};

/* What the header says, for the caller's messages and logs (filled as far as the file could be read). */
struct secure_image_info {
    uint32_t security_version;
    uint8_t flags;
    uint8_t segment_count;
    uint8_t key_id[SECURE_KEY_ID_SIZE];
    uint32_t payload_size;
};

/* The working memory of a check, owned by the caller (on the ESP8266 it lives in the job, not on a small stack). */
struct secure_image_work {
    struct image_container container;
    struct secure_sha256 payload_sha;
    uint8_t buffer[SECURE_IMAGE_READ_CHUNK];
};

enum status secure_image_check(struct secure_image_work *work, const struct secure_image_file *file,
                               const struct secure_image_policy *policy, const struct secure_image_target *target,
                               struct secure_image_info *info, struct status_report *report);

/* The signer checks alone, on a header already read whole: its key is trusted (STATUS_IMAGE_UNTRUSTED_KEY), the
 * signature is there and valid over the header (STATUS_IMAGE_SIGNATURE). secure_image_check() runs them too; an
 * upload runs them before it keeps a container, so that what the device cannot flash is never stored. */
enum status secure_image_check_signer(const struct secure_image_policy *policy,
                                      const uint8_t header[IMAGE_CONTAINER_HEADER_SIZE], const uint8_t *signature,
                                      uint32_t signature_size, struct status_report *report);

/* Adds a trusted public key (65-byte point; its id is computed); false when the policy is full. */
bool secure_image_policy_add_key(struct secure_image_policy *policy, const uint8_t point[SECURE_P256_POINT_SIZE]);

/* "0123456789abcdef" for a key id (out holds 2 * SECURE_KEY_ID_SIZE + 1 bytes). */
void secure_key_id_format(const uint8_t id[SECURE_KEY_ID_SIZE], char out[2 * SECURE_KEY_ID_SIZE + 1]);

#endif /* AIRSWD_SECURE_IMAGE_H */
