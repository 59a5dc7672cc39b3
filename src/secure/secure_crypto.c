/*
 * secure_crypto.c - SHA-256, ECDSA P-256 verification, public key parsing and seekable AES-CTR on mbedTLS.
 */
#include "secure/secure_crypto.h"

#include <string.h>

#include <mbedtls/ecdsa.h>
#include <mbedtls/pk.h>

void secure_sha256_start(struct secure_sha256 *sha)
{
    mbedtls_sha256_init(&sha->context);
    (void)mbedtls_sha256_starts_ret(&sha->context, 0);
}

void secure_sha256_update(struct secure_sha256 *sha, const uint8_t *bytes, size_t len)
{
    (void)mbedtls_sha256_update_ret(&sha->context, bytes, len);
}

void secure_sha256_finish(struct secure_sha256 *sha, uint8_t digest[SECURE_SHA256_SIZE])
{
    (void)mbedtls_sha256_finish_ret(&sha->context, digest);
    mbedtls_sha256_free(&sha->context);
}

void secure_sha256(const uint8_t *bytes, size_t len, uint8_t digest[SECURE_SHA256_SIZE])
{
    struct secure_sha256 sha;
    secure_sha256_start(&sha);
    secure_sha256_update(&sha, bytes, len);
    secure_sha256_finish(&sha, digest);
}

bool secure_ecdsa_p256_verify(const uint8_t point[SECURE_P256_POINT_SIZE], const uint8_t digest[SECURE_SHA256_SIZE],
                              const uint8_t *signature, size_t signature_len)
{
    if (signature_len == 0 || signature_len > SECURE_SIGNATURE_MAX)
        return false;
    mbedtls_ecdsa_context key;
    mbedtls_ecdsa_init(&key);
    /* read_signature also refuses trailing bytes after the DER SEQUENCE. */
    bool valid = mbedtls_ecp_group_load(&key.grp, MBEDTLS_ECP_DP_SECP256R1) == 0 &&
                 mbedtls_ecp_point_read_binary(&key.grp, &key.Q, point, SECURE_P256_POINT_SIZE) == 0 &&
                 mbedtls_ecp_check_pubkey(&key.grp, &key.Q) == 0 &&
                 mbedtls_ecdsa_read_signature(&key, digest, SECURE_SHA256_SIZE, signature, signature_len) == 0;
    mbedtls_ecdsa_free(&key);
    return valid;
}

void secure_key_id(const uint8_t point[SECURE_P256_POINT_SIZE], uint8_t id[SECURE_KEY_ID_SIZE])
{
    uint8_t digest[SECURE_SHA256_SIZE];
    secure_sha256(point, SECURE_P256_POINT_SIZE, digest);
    memcpy(id, digest, SECURE_KEY_ID_SIZE);
}

/* Longest PEM public key we accept: a P-256 SubjectPublicKeyInfo is 91 bytes of DER, 178 of PEM. */
#define SECURE_PUBLIC_KEY_TEXT_MAX 512

bool secure_parse_public_key(const uint8_t *text, size_t len, uint8_t point[SECURE_P256_POINT_SIZE],
                             uint8_t id[SECURE_KEY_ID_SIZE])
{
    /* mbedtls_pk_parse_public_key takes PEM only NUL-terminated, with the NUL counted in the length. */
    uint8_t copy[SECURE_PUBLIC_KEY_TEXT_MAX + 1];
    if (len == 0 || len > SECURE_PUBLIC_KEY_TEXT_MAX)
        return false;
    memcpy(copy, text, len);
    size_t copy_len = len;
    if (text[0] != 0x30) /* not a DER SEQUENCE: PEM */
        copy[copy_len++] = '\0';
    mbedtls_pk_context pk;
    mbedtls_pk_init(&pk);
    size_t point_len = 0;
    bool parsed = mbedtls_pk_parse_public_key(&pk, copy, copy_len) == 0 &&
                  mbedtls_pk_get_type(&pk) == MBEDTLS_PK_ECKEY &&
                  mbedtls_pk_ec(pk)->grp.id == MBEDTLS_ECP_DP_SECP256R1 &&
                  mbedtls_ecp_point_write_binary(&mbedtls_pk_ec(pk)->grp, &mbedtls_pk_ec(pk)->Q,
                                                 MBEDTLS_ECP_PF_UNCOMPRESSED, &point_len, point,
                                                 SECURE_P256_POINT_SIZE) == 0 &&
                  point_len == SECURE_P256_POINT_SIZE;
    mbedtls_pk_free(&pk);
    if (parsed)
        secure_key_id(point, id);
    return parsed;
}

void secure_aes_ctr_init(struct secure_aes_ctr *ctr, const uint8_t key[SECURE_AES_KEY_SIZE])
{
    mbedtls_aes_init(&ctr->context);
    (void)mbedtls_aes_setkey_enc(&ctr->context, key, 8 * SECURE_AES_KEY_SIZE);
}

void secure_aes_ctr_xor(struct secure_aes_ctr *ctr, const uint8_t iv[SECURE_AES_BLOCK_SIZE], uint32_t byte_offset,
                        uint8_t *buf, size_t len)
{
    uint32_t block = byte_offset / SECURE_AES_BLOCK_SIZE;
    size_t skip = byte_offset % SECURE_AES_BLOCK_SIZE;
    while (len > 0) {
        /* counter = IV + block, a 128-bit big-endian addition */
        uint8_t counter[SECURE_AES_BLOCK_SIZE], stream[SECURE_AES_BLOCK_SIZE];
        uint32_t carry = block;
        for (int i = SECURE_AES_BLOCK_SIZE - 1; i >= 0; i--) {
            uint32_t sum = iv[i] + (carry & 0xFFu);
            counter[i] = (uint8_t)sum;
            carry = (carry >> 8) + (sum >> 8);
        }
        (void)mbedtls_aes_crypt_ecb(&ctr->context, MBEDTLS_AES_ENCRYPT, counter, stream);
        size_t take = SECURE_AES_BLOCK_SIZE - skip;
        if (take > len)
            take = len;
        for (size_t i = 0; i < take; i++)
            buf[i] ^= stream[skip + i];
        buf += take;
        len -= take;
        skip = 0;
        block++;
    }
}

void secure_aes_ctr_free(struct secure_aes_ctr *ctr)
{
    mbedtls_aes_free(&ctr->context);
}

void secure_aes128_ctr_xor(const uint8_t key[SECURE_AES_KEY_SIZE], const uint8_t iv[SECURE_AES_BLOCK_SIZE],
                           uint32_t byte_offset, uint8_t *buf, size_t len)
{
    struct secure_aes_ctr ctr;
    secure_aes_ctr_init(&ctr, key);
    secure_aes_ctr_xor(&ctr, iv, byte_offset, buf, len);
    secure_aes_ctr_free(&ctr);
}

bool secure_equal(const uint8_t *a, const uint8_t *b, size_t len)
{
    uint8_t difference = 0;
    for (size_t i = 0; i < len; i++)
        difference |= (uint8_t)(a[i] ^ b[i]);
    return difference == 0;
}
