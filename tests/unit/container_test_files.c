/*
 * container_test_files.c - signed containers for the unit tests, signed with keys that exist only for tests.
 */
#include "container_test_files.h"

#include <stdlib.h>
#include <string.h>

#include "container_file.h"

static const char *const test_keys[2] = {
    "-----BEGIN EC PRIVATE KEY-----\n"
    "MHcCAQEEIG9KtKzkWRGRulvm+YTBGEYWORBJBXejiVJdNx0gYcODoAoGCCqGSM49\n"
    "AwEHoUQDQgAEGF5JVGUQq4UW9FrJGFKxCoVmEeiPzYzld8PL7qn65SO2PU8oGjUA\n"
    "Q31kcQY+NW/G6PO+PJVUdCZBaGySeITZoA==\n"
    "-----END EC PRIVATE KEY-----\n"
    ,
    "-----BEGIN EC PRIVATE KEY-----\n"
    "MHcCAQEEIOoqLxSYQNjeQiduBemYVjDZ+eFNXObKNUOAgQVOapkPoAoGCCqGSM49\n"
    "AwEHoUQDQgAEJbGXI9drpe6qo2HliFHqxz5fz2+SHu9BuJtt18MaJOkOg+t+G5MG\n"
    "LWaGDI4S5DuXyobPJ2NgSr55BuC4zL0Baw==\n"
    "-----END EC PRIVATE KEY-----\n"
};

const uint8_t container_test_aes_key[SECURE_AES_KEY_SIZE] = {0x2b, 0x7e, 0x15, 0x16, 0x28, 0xae, 0xd2, 0xa6,
                                                              0xab, 0xf7, 0x15, 0x88, 0x09, 0xcf, 0x4f, 0x3c};

uint8_t container_test_byte(uint32_t address)
{
    uint32_t x = address * 2654435761u;
    return (uint8_t)(x >> 13);
}

struct image_container_header container_test_header(void)
{
    struct image_container_header header = {
        .security_version = 5,
        .flash_base = 0x08000000,
        .target_count = 1,
        .targets = {{0x410, 64}},
        .segment_count = 2,
        .segments = {{0x08000000, 300}, {0x08001000, 77}},
    };
    return header;
}

static void test_key(bool other, mbedtls_pk_context *pk)
{
    mbedtls_pk_init(pk);
    const char *pem = test_keys[other ? 1 : 0];
    if (mbedtls_pk_parse_key(pk, (const unsigned char *)pem, strlen(pem) + 1, NULL, 0) != 0)
        abort();
}

void container_test_point(bool other_key, uint8_t point[SECURE_P256_POINT_SIZE])
{
    mbedtls_pk_context pk;
    test_key(other_key, &pk);
    if (container_key_point(&pk, point) != 0)
        abort();
    mbedtls_pk_free(&pk);
}

uint8_t *container_test_build(const struct container_test_spec *spec, size_t *size)
{
    struct image_container_header header = spec->header;
    uint32_t total = 0;
    for (unsigned i = 0; i < header.segment_count; i++)
        total += header.segments[i].size;
    uint8_t *plain = malloc(total ? total : 1);
    uint32_t at = 0;
    for (unsigned i = 0; i < header.segment_count; i++)
        for (uint32_t k = 0; k < header.segments[i].size; k++)
            plain[at++] = container_test_byte(header.segments[i].base + k);
    uint8_t point[SECURE_P256_POINT_SIZE];
    container_test_point(spec->other_key, point);
    secure_key_id(point, header.key_id);
    if (spec->aes_key != NULL)
        for (unsigned i = 0; i < SECURE_AES_BLOCK_SIZE; i++)
            header.iv[i] = (uint8_t)(0xA0 + i);
    uint8_t *file = container_assemble(&header, plain, total, spec->aes_key, size);
    free(plain);
    if (spec->unsigned_file)
        return file;
    mbedtls_pk_context pk;
    test_key(spec->other_key, &pk);
    uint8_t signature[SECURE_SIGNATURE_MAX];
    size_t signature_size = 0;
    if (container_sign_header(file, &pk, signature, &signature_size) != 0)
        abort();
    mbedtls_pk_free(&pk);
    size_t signed_size = 0;
    uint8_t *signed_file = container_attach(file, *size, signature, signature_size, &signed_size);
    free(file);
    *size = signed_size;
    return signed_file;
}
