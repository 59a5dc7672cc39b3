/*
 * passphrase_key.c - PBKDF2-HMAC-SHA256 through mbedTLS (passphrase_key.h). Outside the core on purpose: mbedTLS's
 * HMAC allocates its context, and the device has no use for the derivation.
 */
#include "passphrase_key.h"

#include <mbedtls/md.h>
#include <mbedtls/pkcs5.h>

bool passphrase_key_derive(const char *passphrase, size_t len, const uint8_t salt[SECURE_AUTH_SALT_SIZE],
                           uint8_t key[SECURE_AUTH_KEY_SIZE])
{
    mbedtls_md_context_t md;
    mbedtls_md_init(&md);
    bool ok = mbedtls_md_setup(&md, mbedtls_md_info_from_type(MBEDTLS_MD_SHA256), 1) == 0 &&
              mbedtls_pkcs5_pbkdf2_hmac(&md, (const unsigned char *)passphrase, len, salt, SECURE_AUTH_SALT_SIZE,
                                        SECURE_AUTH_KDF_ITERATIONS, SECURE_AUTH_KEY_SIZE, key) == 0;
    mbedtls_md_free(&md);
    return ok;
}
