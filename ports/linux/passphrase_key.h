/*
 * passphrase_key.h - the admin key K of docs/auth.md from the passphrase a person types, as the clients on a host
 * derive it (the airswd CLI, the tests' in-process client): PBKDF2-HMAC-SHA256 over the passphrase's bytes and the
 * device's salt (GET /api/v1/device: auth.salt), SECURE_AUTH_KDF_ITERATIONS rounds, 32 bytes. Slow on purpose: one
 * captured request lets an eavesdropper test guesses offline, each at this cost. The device never derives K.
 */
#ifndef AIRSWD_PASSPHRASE_KEY_H
#define AIRSWD_PASSPHRASE_KEY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "secure/secure_auth.h"

/* False only when mbedTLS cannot run the derivation (out of memory). */
bool passphrase_key_derive(const char *passphrase, size_t len, const uint8_t salt[SECURE_AUTH_SALT_SIZE],
                           uint8_t key[SECURE_AUTH_KEY_SIZE]);

#endif
