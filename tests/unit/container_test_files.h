/*
 * container_test_files.h - signed containers made for the tests, with a fixed test key.
 */
#ifndef AIRSWD_CONTAINER_TEST_FILES_H
#define AIRSWD_CONTAINER_TEST_FILES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "image/image_container.h"

/* A test container: segments of pseudo-random bytes (seeded by their address), F103 (0x410) 64 KB by default. */
struct container_test_spec {
    struct image_container_header header; /* targets, segments, versions, base; the rest is filled in */
    const uint8_t *aes_key;               /* NULL: not encrypted */
    bool unsigned_file;                   /* leave the signature block empty */
    bool other_key;                       /* sign with the second test key */
};

extern const uint8_t container_test_aes_key[SECURE_AES_KEY_SIZE];

/* The plain header of a two-segment image for 0x410 at 0x08000000, security version 5. */
struct image_container_header container_test_header(void);

/* Builds the file (free() it). */
uint8_t *container_test_build(const struct container_test_spec *spec, size_t *size);

/* The expected plaintext byte at an address. */
uint8_t container_test_byte(uint32_t address);

/* The public point of the test key (first) or the other key. */
void container_test_point(bool other_key, uint8_t point[SECURE_P256_POINT_SIZE]);

#endif /* AIRSWD_CONTAINER_TEST_FILES_H */
