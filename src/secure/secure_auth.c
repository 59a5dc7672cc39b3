/*
 * secure_auth.c - nonce table, request MAC, failure penalty and the client's signing helpers (see secure_auth.h and
 * docs/auth.md).
 *
 * HMAC-SHA256 (RFC 2104) is composed here from two mbedtls_sha256 contexts rather than taken from mbedtls_md_hmac:
 * mbedtls_md_setup allocates its HMAC pads on the heap, and the core does not allocate. The unit and shell tests
 * check it against Python's hmac module.
 */
#include <stdio.h>
#include <string.h>

#include "secure/secure_auth.h"

#define SHA256_BLOCK_SIZE 64
#define MICROSECONDS_PER_SECOND 1000000u

struct hmac_sha256 {
    mbedtls_sha256_context inner;
    mbedtls_sha256_context outer;
};

/* A wipe the optimiser cannot remove: the stores go through a volatile pointer. */
void secure_auth_wipe(void *bytes, size_t len)
{
    volatile uint8_t *p = bytes;
    for (size_t i = 0; i < len; i++)
        p[i] = 0;
}

bool secure_auth_equal(const uint8_t *a, const uint8_t *b, size_t len)
{
    /* Every byte is read whatever the earlier ones were: the time does not tell where the first difference is. */
    volatile uint8_t difference = 0;
    for (size_t i = 0; i < len; i++)
        difference |= (uint8_t)(a[i] ^ b[i]);
    return difference == 0;
}

static void hmac_begin(struct hmac_sha256 *hmac, const uint8_t key[SECURE_AUTH_KEY_SIZE])
{
    /* The key is 32 bytes, shorter than the block: it is zero-padded, never hashed first. */
    uint8_t pad[SHA256_BLOCK_SIZE];
    mbedtls_sha256_init(&hmac->inner);
    mbedtls_sha256_init(&hmac->outer);
    mbedtls_sha256_starts_ret(&hmac->inner, 0);
    mbedtls_sha256_starts_ret(&hmac->outer, 0);
    for (size_t i = 0; i < SHA256_BLOCK_SIZE; i++)
        pad[i] = (uint8_t)((i < SECURE_AUTH_KEY_SIZE ? key[i] : 0) ^ 0x36);
    mbedtls_sha256_update_ret(&hmac->inner, pad, sizeof pad);
    for (size_t i = 0; i < SHA256_BLOCK_SIZE; i++)
        pad[i] ^= 0x36 ^ 0x5c;
    mbedtls_sha256_update_ret(&hmac->outer, pad, sizeof pad);
    secure_auth_wipe(pad, sizeof pad);
}

static void hmac_update(struct hmac_sha256 *hmac, const void *bytes, size_t len)
{
    mbedtls_sha256_update_ret(&hmac->inner, bytes, len);
}

static void hmac_finish(struct hmac_sha256 *hmac, uint8_t mac[SECURE_AUTH_HASH_SIZE])
{
    uint8_t inner[SECURE_AUTH_HASH_SIZE];
    mbedtls_sha256_finish_ret(&hmac->inner, inner);
    mbedtls_sha256_update_ret(&hmac->outer, inner, sizeof inner);
    mbedtls_sha256_finish_ret(&hmac->outer, mac);
    mbedtls_sha256_free(&hmac->inner);
    mbedtls_sha256_free(&hmac->outer);
    secure_auth_wipe(inner, sizeof inner);
}

/* strnlen is POSIX, not C11. */
static size_t bounded_length(const char *text, size_t max)
{
    size_t len = 0;
    while (len < max && text[len] != '\0')
        len++;
    return len;
}

static void hex_encode(const uint8_t *bytes, size_t len, char *out)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < len; i++) {
        out[2 * i] = digits[bytes[i] >> 4];
        out[2 * i + 1] = digits[bytes[i] & 0xf];
    }
    out[2 * len] = '\0';
}

/* mac = HMAC-SHA256(K, METHOD "\n" PATH "\n" nonce-hex "\n" body-hex), the hex in lowercase whatever the header
 * used, so that the server need not keep the header's spelling. */
static void request_mac(const uint8_t key[SECURE_AUTH_KEY_SIZE], const char *method, const char *path,
                        const uint8_t nonce[SECURE_AUTH_NONCE_SIZE], const uint8_t body_sha256[SECURE_AUTH_HASH_SIZE],
                        uint8_t mac[SECURE_AUTH_HASH_SIZE])
{
    char hex[SECURE_AUTH_HASH_HEX_SIZE];
    struct hmac_sha256 hmac;
    hmac_begin(&hmac, key);
    hmac_update(&hmac, method, strlen(method));
    hmac_update(&hmac, "\n", 1);
    hmac_update(&hmac, path, strlen(path));
    hmac_update(&hmac, "\n", 1);
    hex_encode(nonce, SECURE_AUTH_NONCE_SIZE, hex);
    hmac_update(&hmac, hex, 2 * SECURE_AUTH_NONCE_SIZE);
    hmac_update(&hmac, "\n", 1);
    hex_encode(body_sha256, SECURE_AUTH_HASH_SIZE, hex);
    hmac_update(&hmac, hex, 2 * SECURE_AUTH_HASH_SIZE);
    hmac_finish(&hmac, mac);
}

void secure_auth_init(struct secure_auth *auth, const uint8_t *key)
{
    secure_auth_reset(auth);
    if (key != NULL)
        secure_auth_set_key(auth, key);
}

void secure_auth_set_key(struct secure_auth *auth, const uint8_t *key)
{
    secure_auth_reset(auth);
    memcpy(auth->key, key, SECURE_AUTH_KEY_SIZE);
    auth->configured = true;
}

bool secure_auth_is_configured(const struct secure_auth *auth)
{
    return auth->configured;
}

void secure_auth_reset(struct secure_auth *auth)
{
    secure_auth_wipe(auth, sizeof *auth);
}

void secure_auth_issue_nonce(struct secure_auth *auth, uint64_t now_us, const uint8_t *random_bytes,
                             char out_hex[SECURE_AUTH_NONCE_HEX_SIZE])
{
    /* A free slot, else the oldest: a client that asks for nonces without using them only pushes out its own. */
    struct secure_auth_nonce *slot = &auth->nonces[0];
    for (size_t i = 0; i < SECURE_AUTH_NONCE_SLOTS; i++) {
        struct secure_auth_nonce *candidate = &auth->nonces[i];
        if (!candidate->outstanding) {
            slot = candidate;
            break;
        }
        if (candidate->issued_us < slot->issued_us)
            slot = candidate;
    }
    memcpy(slot->value, random_bytes, SECURE_AUTH_NONCE_SIZE);
    slot->issued_us = now_us;
    slot->outstanding = true;
    hex_encode(slot->value, SECURE_AUTH_NONCE_SIZE, out_hex);
}

/* Takes the nonce out of the table; false when it is not outstanding or has expired. */
static bool consume_nonce(struct secure_auth *auth, const uint8_t nonce[SECURE_AUTH_NONCE_SIZE], uint64_t now_us)
{
    for (size_t i = 0; i < SECURE_AUTH_NONCE_SLOTS; i++) {
        struct secure_auth_nonce *slot = &auth->nonces[i];
        if (!slot->outstanding || !secure_auth_equal(slot->value, nonce, SECURE_AUTH_NONCE_SIZE))
            continue;
        slot->outstanding = false;
        /* A clock that went backwards counts as expired too: the nonce's age is unknown. */
        return now_us >= slot->issued_us && now_us - slot->issued_us <= SECURE_AUTH_NONCE_LIFETIME_US;
    }
    return false;
}

static void record_failure(struct secure_auth *auth, uint64_t now_us)
{
    if (auth->consecutive_failures < UINT32_MAX)
        auth->consecutive_failures++;
    if (auth->consecutive_failures < SECURE_AUTH_FAILURES_BEFORE_PENALTY)
        return;
    /* 1 s after the third failure, doubling per further failure, capped. */
    uint32_t doublings = auth->consecutive_failures - SECURE_AUTH_FAILURES_BEFORE_PENALTY;
    uint32_t penalty_s = SECURE_AUTH_PENALTY_MAX_S;
    if (doublings < 6 && (1u << doublings) < SECURE_AUTH_PENALTY_MAX_S)
        penalty_s = 1u << doublings;
    auth->penalty_until_us = now_us + (uint64_t)penalty_s * MICROSECONDS_PER_SECOND;
}

enum secure_auth_result secure_auth_verify(struct secure_auth *auth, const char *method, const char *path,
                                           const char *header_value, uint64_t now_us, uint8_t *body_sha256,
                                           uint32_t *retry_after_s)
{
    if (retry_after_s != NULL)
        *retry_after_s = 0;
    if (!auth->configured)
        return SECURE_AUTH_NOT_CONFIGURED;
    if (header_value == NULL)
        return SECURE_AUTH_MISSING;
    if (now_us < auth->penalty_until_us) {
        if (retry_after_s != NULL)
            *retry_after_s = (uint32_t)((auth->penalty_until_us - now_us + MICROSECONDS_PER_SECOND - 1) /
                                        MICROSECONDS_PER_SECOND);
        return SECURE_AUTH_THROTTLED;
    }
    struct secure_auth_header header;
    size_t len = bounded_length(header_value, SECURE_AUTH_HEADER_MAX + 1);
    if (!secure_auth_header_parse(header_value, len, &header))
        return SECURE_AUTH_MALFORMED;
    if (!consume_nonce(auth, header.nonce, now_us))
        return SECURE_AUTH_STALE_NONCE;
    uint8_t expected[SECURE_AUTH_HASH_SIZE];
    request_mac(auth->key, method, path, header.nonce, header.body_sha256, expected);
    bool good = secure_auth_equal(expected, header.mac, SECURE_AUTH_HASH_SIZE);
    secure_auth_wipe(expected, sizeof expected);
    if (!good) {
        record_failure(auth, now_us);
        return SECURE_AUTH_BAD_MAC;
    }
    auth->consecutive_failures = 0;
    auth->penalty_until_us = 0;
    if (body_sha256 != NULL)
        memcpy(body_sha256, header.body_sha256, SECURE_AUTH_HASH_SIZE);
    return SECURE_AUTH_OK;
}

static const struct {
    const char *name;
    const char *message;
    unsigned http_status;
} result_descriptions[SECURE_AUTH_RESULT_COUNT] = {
    [SECURE_AUTH_OK] = {"ok", "request authenticated", 200},
    [SECURE_AUTH_MISSING] = {"unauthorized",
                             "this request needs the admin passphrase: sign it with an Authorization: "
                             "AIRSWD-HMAC-SHA256 header (docs/auth.md)",
                             401},
    [SECURE_AUTH_MALFORMED] = {"malformed-authorization",
                               "the Authorization header is not 'AIRSWD-HMAC-SHA256 nonce=<32 hex>, body=<64 hex>, "
                               "mac=<64 hex>' (docs/auth.md)",
                               400},
    [SECURE_AUTH_STALE_NONCE] = {"stale-nonce",
                                 "the nonce is unknown, already used or older than 60 s: fetch a new one from "
                                 "GET /api/v1/auth/nonce and sign the request again",
                                 401},
    [SECURE_AUTH_BAD_MAC] = {"bad-credentials",
                             "the request signature does not match: check the admin passphrase, and that the "
                             "method, path and body hash signed are the ones sent",
                             401},
    [SECURE_AUTH_THROTTLED] = {"throttled",
                               "too many failed attempts: wait for the time given in Retry-After, then try again", 429},
    [SECURE_AUTH_NOT_CONFIGURED] = {"not-configured",
                                    "no admin passphrase is set on this device: finish the first-boot setup", 403},
};

const char *secure_auth_result_name(enum secure_auth_result result)
{
    return (unsigned)result < SECURE_AUTH_RESULT_COUNT ? result_descriptions[result].name : "unknown";
}

const char *secure_auth_result_message(enum secure_auth_result result)
{
    return (unsigned)result < SECURE_AUTH_RESULT_COUNT ? result_descriptions[result].message
                                                        : "unknown authentication result";
}

unsigned secure_auth_result_http_status(enum secure_auth_result result)
{
    return (unsigned)result < SECURE_AUTH_RESULT_COUNT ? result_descriptions[result].http_status : 500;
}

void secure_auth_body_begin(struct secure_auth_body_check *check, const uint8_t *declared_sha256)
{
    memcpy(check->expected, declared_sha256, SECURE_AUTH_HASH_SIZE);
    mbedtls_sha256_init(&check->sha256);
    mbedtls_sha256_starts_ret(&check->sha256, 0);
}

void secure_auth_body_update(struct secure_auth_body_check *check, const uint8_t *bytes, size_t len)
{
    mbedtls_sha256_update_ret(&check->sha256, bytes, len);
}

bool secure_auth_body_finish(struct secure_auth_body_check *check)
{
    uint8_t actual[SECURE_AUTH_HASH_SIZE];
    mbedtls_sha256_finish_ret(&check->sha256, actual);
    mbedtls_sha256_free(&check->sha256);
    return secure_auth_equal(actual, check->expected, SECURE_AUTH_HASH_SIZE);
}

void secure_auth_key_from_passphrase(const char *passphrase, size_t len, uint8_t key[SECURE_AUTH_KEY_SIZE])
{
    static const char prefix[] = SECURE_AUTH_KEY_PREFIX;
    mbedtls_sha256_context sha256;
    mbedtls_sha256_init(&sha256);
    mbedtls_sha256_starts_ret(&sha256, 0);
    mbedtls_sha256_update_ret(&sha256, (const unsigned char *)prefix, sizeof prefix - 1);
    mbedtls_sha256_update_ret(&sha256, (const unsigned char *)passphrase, len);
    mbedtls_sha256_finish_ret(&sha256, key);
    mbedtls_sha256_free(&sha256);
}

bool secure_auth_sign(const uint8_t key[SECURE_AUTH_KEY_SIZE], const char *method, const char *path,
                      const char *nonce_hex, const uint8_t body_sha256[SECURE_AUTH_HASH_SIZE], char *out,
                      size_t size)
{
    uint8_t nonce[SECURE_AUTH_NONCE_SIZE], mac[SECURE_AUTH_HASH_SIZE];
    if (bounded_length(nonce_hex, 2 * SECURE_AUTH_NONCE_SIZE + 1) != 2 * SECURE_AUTH_NONCE_SIZE ||
        !secure_auth_hex_decode(nonce_hex, nonce, SECURE_AUTH_NONCE_SIZE))
        return false;
    request_mac(key, method, path, nonce, body_sha256, mac);
    char nonce_text[SECURE_AUTH_NONCE_HEX_SIZE], body_text[SECURE_AUTH_HASH_HEX_SIZE], mac_text[SECURE_AUTH_HASH_HEX_SIZE];
    hex_encode(nonce, SECURE_AUTH_NONCE_SIZE, nonce_text);
    hex_encode(body_sha256, SECURE_AUTH_HASH_SIZE, body_text);
    hex_encode(mac, SECURE_AUTH_HASH_SIZE, mac_text);
    int written = snprintf(out, size, "%s nonce=%s, body=%s, mac=%s", SECURE_AUTH_SCHEME, nonce_text, body_text,
                           mac_text);
    return written > 0 && (size_t)written < size;
}
