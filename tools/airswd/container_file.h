/*
 * container_file.h - host side of the signed container (docs/image-format.md): assemble a container around a
 * plaintext payload, sign its header, attach a signature made elsewhere. The device side only reads containers
 * (src/image/image_container.h, src/secure/secure_image.h). Host code: allocates with malloc.
 */
#ifndef AIRSWD_CONTAINER_FILE_H
#define AIRSWD_CONTAINER_FILE_H

#include <stddef.h>
#include <stdint.h>

#include <mbedtls/pk.h>

#include "image/image_container.h"

/* Fills header's payload size and hash (of the plaintext), and when aes_key is not NULL encrypts a copy of the
 * payload with the header's IV and sets the encrypted flag. The caller has set targets, segments, versions, base
 * and key id. Returns the whole file with an empty signature block (free() it), or NULL when out of memory. */
uint8_t *container_assemble(struct image_container_header *header, const uint8_t *plain, uint32_t plain_size,
                            const uint8_t *aes_key, size_t *file_size);

/* ECDSA P-256 signature (DER) of SHA-256 of the 256 header bytes with a private key; 0 or an mbedTLS error. */
int container_sign_header(const uint8_t header[IMAGE_CONTAINER_HEADER_SIZE], mbedtls_pk_context *key,
                          uint8_t signature[SECURE_SIGNATURE_MAX], size_t *signature_size);

/* The file with its signature block replaced by signature (free() it); NULL when the file is not a container. */
uint8_t *container_attach(const uint8_t *file, size_t file_size, const uint8_t *signature, size_t signature_size,
                          size_t *out_size);

/* The public key point of a P-256 private or public key context; 0 on success. */
int container_key_point(mbedtls_pk_context *key, uint8_t point[SECURE_P256_POINT_SIZE]);

#endif /* AIRSWD_CONTAINER_FILE_H */
