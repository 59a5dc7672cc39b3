/*
 * container_file.c - assembling and signing signed containers on the host.
 */
#include "container_file.h"

#include <stdlib.h>
#include <string.h>

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/ecdsa.h>
#include <mbedtls/entropy.h>

uint8_t *container_assemble(struct image_container_header *header, const uint8_t *plain, uint32_t plain_size,
                            const uint8_t *aes_key, size_t *file_size)
{
    header->payload_size = plain_size;
    secure_sha256(plain, plain_size, header->payload_sha256);
    if (aes_key != NULL)
        header->flags |= IMAGE_CONTAINER_FLAG_ENCRYPTED;
    size_t payload_offset = IMAGE_CONTAINER_HEADER_SIZE + IMAGE_CONTAINER_SIGNATURE_LENGTH_SIZE;
    *file_size = payload_offset + plain_size;
    uint8_t *file = calloc(1, *file_size);
    if (file == NULL)
        return NULL;
    image_container_header_encode(header, file);
    memcpy(file + payload_offset, plain, plain_size);
    if (aes_key != NULL)
        secure_aes128_ctr_xor(aes_key, header->iv, 0, file + payload_offset, plain_size);
    return file;
}

int container_sign_header(const uint8_t header[IMAGE_CONTAINER_HEADER_SIZE], mbedtls_pk_context *key,
                          uint8_t signature[SECURE_SIGNATURE_MAX], size_t *signature_size)
{
    uint8_t digest[SECURE_SHA256_SIZE];
    secure_sha256(header, IMAGE_CONTAINER_HEADER_SIZE, digest);
    mbedtls_entropy_context entropy;
    mbedtls_ctr_drbg_context drbg;
    mbedtls_entropy_init(&entropy);
    mbedtls_ctr_drbg_init(&drbg);
    uint8_t der[MBEDTLS_ECDSA_MAX_LEN];
    int result = mbedtls_ctr_drbg_seed(&drbg, mbedtls_entropy_func, &entropy, (const unsigned char *)"airswd sign", 11);
    if (result == 0)
        result = mbedtls_pk_sign(key, MBEDTLS_MD_SHA256, digest, sizeof digest, der, signature_size,
                                 mbedtls_ctr_drbg_random, &drbg);
    if (result == 0 && *signature_size > SECURE_SIGNATURE_MAX)
        result = -1;
    if (result == 0)
        memcpy(signature, der, *signature_size);
    mbedtls_ctr_drbg_free(&drbg);
    mbedtls_entropy_free(&entropy);
    return result;
}

uint8_t *container_attach(const uint8_t *file, size_t file_size, const uint8_t *signature, size_t signature_size,
                          size_t *out_size)
{
    size_t block = IMAGE_CONTAINER_HEADER_SIZE + IMAGE_CONTAINER_SIGNATURE_LENGTH_SIZE;
    if (file_size < block || signature_size > SECURE_SIGNATURE_MAX ||
        memcmp(file, IMAGE_CONTAINER_MAGIC, IMAGE_CONTAINER_MAGIC_SIZE) != 0)
        return NULL;
    size_t old_size = file[IMAGE_CONTAINER_HEADER_SIZE] | (size_t)file[IMAGE_CONTAINER_HEADER_SIZE + 1] << 8;
    if (block + old_size > file_size)
        return NULL;
    size_t payload_size = file_size - block - old_size;
    *out_size = block + signature_size + payload_size;
    uint8_t *out = malloc(*out_size);
    if (out == NULL)
        return NULL;
    memcpy(out, file, IMAGE_CONTAINER_HEADER_SIZE);
    out[IMAGE_CONTAINER_HEADER_SIZE] = (uint8_t)signature_size;
    out[IMAGE_CONTAINER_HEADER_SIZE + 1] = (uint8_t)(signature_size >> 8);
    memcpy(out + block, signature, signature_size);
    memcpy(out + block + signature_size, file + block + old_size, payload_size);
    return out;
}

int container_key_point(mbedtls_pk_context *key, uint8_t point[SECURE_P256_POINT_SIZE])
{
    if (mbedtls_pk_get_type(key) != MBEDTLS_PK_ECKEY || mbedtls_pk_ec(*key)->grp.id != MBEDTLS_ECP_DP_SECP256R1)
        return -1;
    size_t len = 0;
    int result = mbedtls_ecp_point_write_binary(&mbedtls_pk_ec(*key)->grp, &mbedtls_pk_ec(*key)->Q,
                                                MBEDTLS_ECP_PF_UNCOMPRESSED, &len, point, SECURE_P256_POINT_SIZE);
    return result == 0 && len == SECURE_P256_POINT_SIZE ? 0 : -1;
}
