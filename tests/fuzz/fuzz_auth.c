/*
 * fuzz_auth.c - the Authorization header parser and verifier of src/secure on arbitrary bytes (the header value as
 * the HTTP engine hands it over, for "POST /api/v1/jobs?dry_run=1" with the key K of docs/auth.md's example, a nonce
 * secret of zeros, and eight nonces issued: counters 1 to 7 at 100 s, the 8th at 0 s and so expired). It never reads
 * outside the bytes; verify calls a value malformed exactly when the parser does; what the parser accepts has the
 * documented shape and spells back to an accepted value with the same fields; a request is admitted only when its
 * MAC is the one the client helper computes, and never twice.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "secure/secure_auth.h"

#define FUZZ_METHOD "POST"
#define FUZZ_PATH   "/api/v1/jobs?dry_run=1"
#define SECOND      1000000u

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct secure_auth auth;
    static const uint8_t key[SECURE_AUTH_KEY_SIZE] = {
        0x49, 0xd4, 0x9c, 0x25, 0xf5, 0x97, 0x84, 0x62, 0x09, 0xf0, 0xd9, 0x2e, 0x77, 0x70, 0xab, 0x64,
        0xe1, 0xc7, 0x5e, 0x94, 0xb4, 0xce, 0x6c, 0x50, 0x92, 0x65, 0xee, 0x67, 0x17, 0x5d, 0x2a, 0x1e};
    static const uint8_t secret[SECURE_AUTH_SECRET_SIZE] = {0};
    secure_auth_init(&auth, key, secret);
    char nonce_hex[SECURE_AUTH_NONCE_HEX_SIZE];
    for (unsigned i = 1; i <= 8; i++)
        secure_auth_issue_nonce(&auth, i == 8 ? 0 : 100 * SECOND, nonce_hex);

    /* The value as a NUL-terminated string, cut at its first NUL like the HTTP engine's header values. */
    static char value[SECURE_AUTH_HEADER_MAX * 4 + 1];
    size_t len = size < sizeof value - 1 ? size : sizeof value - 1;
    memcpy(value, data, len);
    value[len] = '\0';
    len = strlen(value);

    struct secure_auth_header header;
    bool parsed = secure_auth_header_parse(value, len, &header);
    if (parsed) {
        if (len > SECURE_AUTH_HEADER_MAX || strncmp(value, SECURE_AUTH_SCHEME " ", strlen(SECURE_AUTH_SCHEME) + 1))
            abort();
        /* Spelled back by the client helper with the same nonce and body hash, it parses to the same fields. */
        char nonce_text[SECURE_AUTH_NONCE_HEX_SIZE], signed_value[SECURE_AUTH_HEADER_MAX];
        static const char digits[] = "0123456789abcdef";
        for (unsigned i = 0; i < SECURE_AUTH_NONCE_SIZE; i++) {
            nonce_text[2 * i] = digits[header.nonce[i] >> 4];
            nonce_text[2 * i + 1] = digits[header.nonce[i] & 0xf];
        }
        nonce_text[2 * SECURE_AUTH_NONCE_SIZE] = '\0';
        struct secure_auth_header again;
        if (!secure_auth_sign(key, FUZZ_METHOD, FUZZ_PATH, nonce_text, header.body_sha256, signed_value,
                              sizeof signed_value) ||
            !secure_auth_header_parse(signed_value, strlen(signed_value), &again) ||
            memcmp(again.nonce, header.nonce, sizeof again.nonce) != 0 ||
            memcmp(again.body_sha256, header.body_sha256, sizeof again.body_sha256) != 0)
            abort();
        bool mac_is_right = memcmp(again.mac, header.mac, sizeof again.mac) == 0;

        uint8_t declared[SECURE_AUTH_HASH_SIZE];
        uint32_t retry_after = 1;
        enum secure_auth_result result =
            secure_auth_verify(&auth, 1, FUZZ_METHOD, FUZZ_PATH, value, 101 * SECOND, declared, &retry_after);
        if (result == SECURE_AUTH_MALFORMED || retry_after != 0 || (result == SECURE_AUTH_OK) != (mac_is_right &&
            result != SECURE_AUTH_STALE_NONCE))
            abort();
        if (result == SECURE_AUTH_OK && memcmp(declared, header.body_sha256, sizeof declared) != 0)
            abort();
        /* The same value again: never admitted (a nonce an accepted request used is spent; a wrong MAC stays
         * wrong). */
        result = secure_auth_verify(&auth, 1, FUZZ_METHOD, FUZZ_PATH, value, 101 * SECOND, NULL, NULL);
        if (result == SECURE_AUTH_OK || result == SECURE_AUTH_MALFORMED)
            abort();
    } else if (secure_auth_verify(&auth, 1, FUZZ_METHOD, FUZZ_PATH, value, 101 * SECOND, NULL, NULL) !=
               SECURE_AUTH_MALFORMED) {
        abort();
    }
    secure_auth_reset(&auth);
    return 0;
}
