/*
 * fuzz_auth.c - the Authorization header parser and verifier of src/secure on arbitrary bytes (the header value as
 * the HTTP engine hands it over, for "POST /api/v1/jobs?dry_run=1" with the key and nonce of docs/auth.md and a few
 * other nonces outstanding). It never reads outside the bytes; verify calls a value malformed exactly when the parser
 * does; what the parser accepts has the documented shape and spells back to an accepted value with the same fields;
 * a request is admitted only when its MAC is the one the client helper computes, and never twice.
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
    uint8_t key[SECURE_AUTH_KEY_SIZE];
    secure_auth_key_from_passphrase("correct horse battery staple", 28, key);
    secure_auth_init(&auth, key);
    /* The example nonce 00 01 .. 0f, then nonces of repeated bytes 0x10.. 0x16; the last is already expired. */
    char nonce_hex[SECURE_AUTH_NONCE_HEX_SIZE];
    uint8_t nonce[SECURE_AUTH_NONCE_SIZE];
    for (unsigned i = 0; i < SECURE_AUTH_NONCE_SIZE; i++)
        nonce[i] = (uint8_t)i;
    secure_auth_issue_nonce(&auth, 100 * SECOND, nonce, nonce_hex);
    for (unsigned slot = 1; slot < SECURE_AUTH_NONCE_SLOTS; slot++) {
        memset(nonce, 0x10 + (int)slot, sizeof nonce);
        secure_auth_issue_nonce(&auth, slot == SECURE_AUTH_NONCE_SLOTS - 1 ? 0 : 100 * SECOND, nonce, nonce_hex);
    }

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
            secure_auth_verify(&auth, FUZZ_METHOD, FUZZ_PATH, value, 101 * SECOND, declared, &retry_after);
        if (result == SECURE_AUTH_MALFORMED || retry_after != 0 || (result == SECURE_AUTH_OK) != (mac_is_right &&
            result != SECURE_AUTH_STALE_NONCE))
            abort();
        if (result == SECURE_AUTH_OK && memcmp(declared, header.body_sha256, sizeof declared) != 0)
            abort();
        /* The same value again: its nonce is gone whatever happened the first time it reached the MAC check. */
        result = secure_auth_verify(&auth, FUZZ_METHOD, FUZZ_PATH, value, 101 * SECOND, NULL, NULL);
        if (result == SECURE_AUTH_OK || result == SECURE_AUTH_MALFORMED)
            abort();
    } else if (secure_auth_verify(&auth, FUZZ_METHOD, FUZZ_PATH, value, 101 * SECOND, NULL, NULL) !=
               SECURE_AUTH_MALFORMED) {
        abort();
    }
    secure_auth_reset(&auth);
    return 0;
}
