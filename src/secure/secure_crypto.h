/*
 * secure_crypto.h - the few cryptographic operations the core needs, as thin wrappers on mbedTLS 2.28 (the one
 * crypto library: the ESP8266 RTOS SDK bundles it and Debian ships it).
 *
 * Our code never allocates; mbedTLS allocates its bignums through its platform calloc during ECDSA verification
 * and key parsing, and frees them before returning.
 */
#ifndef AIRSWD_SECURE_CRYPTO_H
#define AIRSWD_SECURE_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <mbedtls/aes.h>
#include <mbedtls/sha256.h>

#define SECURE_SHA256_SIZE    32
#define SECURE_P256_POINT_SIZE 65 /* 0x04 || X || Y: the uncompressed point of SEC 1, 2.3.3 */
#define SECURE_KEY_ID_SIZE    8  /* first bytes of SHA-256 of the point */
#define SECURE_AES_KEY_SIZE   16
#define SECURE_AES_BLOCK_SIZE 16
#define SECURE_SIGNATURE_MAX  72 /* DER SEQUENCE of two INTEGERs of up to 33 bytes each */

/* Streaming SHA-256. */
struct secure_sha256 {
    mbedtls_sha256_context context;
};

void secure_sha256_start(struct secure_sha256 *sha);
void secure_sha256_update(struct secure_sha256 *sha, const uint8_t *bytes, size_t len);
void secure_sha256_finish(struct secure_sha256 *sha, uint8_t digest[SECURE_SHA256_SIZE]);

/* SHA-256 of one buffer. */
void secure_sha256(const uint8_t *bytes, size_t len, uint8_t digest[SECURE_SHA256_SIZE]);

/* Whether the DER signature (ECDSA-Sig-Value, as `openssl dgst -sign` writes it) of the SHA-256 digest is valid
 * for the public key point. Any malformed input is simply not valid. */
bool secure_ecdsa_p256_verify(const uint8_t point[SECURE_P256_POINT_SIZE], const uint8_t digest[SECURE_SHA256_SIZE],
                              const uint8_t *signature, size_t signature_len);

/* The key id of a public key point: the first 8 bytes of SHA-256 of its 65 bytes. */
void secure_key_id(const uint8_t point[SECURE_P256_POINT_SIZE], uint8_t id[SECURE_KEY_ID_SIZE]);

/* A P-256 public key from a PEM or DER SubjectPublicKeyInfo (what `openssl ec -pubout` writes); PEM text need not
 * be NUL-terminated. False when it is not a P-256 public key. */
bool secure_parse_public_key(const uint8_t *text, size_t len, uint8_t point[SECURE_P256_POINT_SIZE],
                             uint8_t id[SECURE_KEY_ID_SIZE]);

/* AES-128 in counter mode that starts anywhere: the counter block of byte offset n is the IV plus n / 16, as a
 * 128-bit big-endian number (NIST SP 800-38A, and what `openssl enc -aes-128-ctr` does), so that any part of a
 * payload can be decrypted on its own. Encryption and decryption are the same operation. */
struct secure_aes_ctr {
    mbedtls_aes_context context;
};

void secure_aes_ctr_init(struct secure_aes_ctr *ctr, const uint8_t key[SECURE_AES_KEY_SIZE]);
void secure_aes_ctr_xor(struct secure_aes_ctr *ctr, const uint8_t iv[SECURE_AES_BLOCK_SIZE], uint32_t byte_offset,
                        uint8_t *buf, size_t len);
void secure_aes_ctr_free(struct secure_aes_ctr *ctr);

/* The same in one call (sets up the key schedule each time). */
void secure_aes128_ctr_xor(const uint8_t key[SECURE_AES_KEY_SIZE], const uint8_t iv[SECURE_AES_BLOCK_SIZE],
                           uint32_t byte_offset, uint8_t *buf, size_t len);

/* Compares len bytes in time that does not depend on where they differ. */
bool secure_equal(const uint8_t *a, const uint8_t *b, size_t len);

#endif /* AIRSWD_SECURE_CRYPTO_H */
