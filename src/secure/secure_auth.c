/*
 * secure_auth.c - tagged nonces and their replay window, the request MAC, the per-source failure penalty, and the
 * client's signing helper (see secure_auth.h and docs/auth.md).
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

void secure_auth_hex_encode(const uint8_t *bytes, size_t len, char *out)
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
    secure_auth_hex_encode(nonce, SECURE_AUTH_NONCE_SIZE, hex);
    hmac_update(&hmac, hex, 2 * SECURE_AUTH_NONCE_SIZE);
    hmac_update(&hmac, "\n", 1);
    secure_auth_hex_encode(body_sha256, SECURE_AUTH_HASH_SIZE, hex);
    hmac_update(&hmac, hex, 2 * SECURE_AUTH_HASH_SIZE);
    hmac_finish(&hmac, mac);
}

void secure_auth_init(struct secure_auth *auth, const uint8_t *key, const uint8_t *secret)
{
    secure_auth_reset(auth);
    memcpy(auth->nonce_secret, secret, SECURE_AUTH_SECRET_SIZE);
    if (key != NULL)
        secure_auth_set_key(auth, key);
}

void secure_auth_set_key(struct secure_auth *auth, const uint8_t *key)
{
    memcpy(auth->key, key, SECURE_AUTH_KEY_SIZE);
    auth->configured = true;
    auth->highest_accepted = 0;
    auth->accepted_window = 0;
    memset(auth->sources, 0, sizeof auth->sources);
}

bool secure_auth_is_configured(const struct secure_auth *auth)
{
    return auth->configured;
}

void secure_auth_reset(struct secure_auth *auth)
{
    secure_auth_wipe(auth, sizeof *auth);
}

/* ---- nonces: counter (4 bytes) | issue time in seconds (4) | tag (8), big-endian ---- */
#define NONCE_TAG_OFFSET 8
#define NONCE_TAG_SIZE (SECURE_AUTH_NONCE_SIZE - NONCE_TAG_OFFSET)

static void put_u32_be(uint8_t *out, uint32_t value)
{
    out[0] = (uint8_t)(value >> 24);
    out[1] = (uint8_t)(value >> 16);
    out[2] = (uint8_t)(value >> 8);
    out[3] = (uint8_t)value;
}

static uint32_t get_u32_be(const uint8_t *in)
{
    return (uint32_t)in[0] << 24 | (uint32_t)in[1] << 16 | (uint32_t)in[2] << 8 | in[3];
}

/* The tag: HMAC-SHA256(nonce secret, counter | time), its first NONCE_TAG_SIZE bytes. */
static void nonce_tag(const struct secure_auth *auth, const uint8_t nonce[SECURE_AUTH_NONCE_SIZE],
                      uint8_t tag[SECURE_AUTH_HASH_SIZE])
{
    uint8_t secret[SECURE_AUTH_KEY_SIZE] = {0};
    memcpy(secret, auth->nonce_secret, SECURE_AUTH_SECRET_SIZE);
    struct hmac_sha256 hmac;
    hmac_begin(&hmac, secret);
    hmac_update(&hmac, nonce, NONCE_TAG_OFFSET);
    hmac_finish(&hmac, tag);
    secure_auth_wipe(secret, sizeof secret);
}

void secure_auth_issue_nonce(struct secure_auth *auth, uint64_t now_us, char out_hex[SECURE_AUTH_NONCE_HEX_SIZE])
{
    /* After 2^32 nonces the counter starts again at 1: every nonce older than the lifetime is expired by then, so
     * the window of accepted counters can start again too. */
    if (++auth->nonces_issued == 0) {
        auth->nonces_issued = 1;
        auth->highest_accepted = 0;
        auth->accepted_window = 0;
    }
    uint8_t nonce[SECURE_AUTH_NONCE_SIZE], tag[SECURE_AUTH_HASH_SIZE];
    put_u32_be(nonce, auth->nonces_issued);
    put_u32_be(nonce + 4, (uint32_t)(now_us / MICROSECONDS_PER_SECOND));
    nonce_tag(auth, nonce, tag);
    memcpy(nonce + NONCE_TAG_OFFSET, tag, NONCE_TAG_SIZE);
    secure_auth_hex_encode(nonce, SECURE_AUTH_NONCE_SIZE, out_hex);
}

/* Where counter stands against the accepted ones: its bit in the window (0: the highest accepted), WINDOW_NEW above
 * them, WINDOW_TOO_OLD below the window (refused: whether it was used is no longer known). */
#define WINDOW_NEW (-1)
#define WINDOW_TOO_OLD (-2)
static int window_position(const struct secure_auth *auth, uint32_t counter)
{
    if (auth->highest_accepted == 0 || counter > auth->highest_accepted)
        return WINDOW_NEW;
    uint32_t below = auth->highest_accepted - counter;
    return below < SECURE_AUTH_REPLAY_WINDOW ? (int)below : WINDOW_TOO_OLD;
}

/* A nonce this device issued, within its lifetime, not yet carried by an accepted request. */
static bool nonce_is_fresh(const struct secure_auth *auth, const uint8_t nonce[SECURE_AUTH_NONCE_SIZE],
                           uint64_t now_us)
{
    uint8_t tag[SECURE_AUTH_HASH_SIZE];
    nonce_tag(auth, nonce, tag);
    bool genuine = secure_auth_equal(tag, nonce + NONCE_TAG_OFFSET, NONCE_TAG_SIZE);
    uint32_t counter = get_u32_be(nonce);
    uint64_t issued_us = (uint64_t)get_u32_be(nonce + 4) * MICROSECONDS_PER_SECOND;
    /* A clock that went backwards counts as expired too: the nonce's age is unknown. */
    if (!genuine || counter == 0 || counter > auth->nonces_issued || now_us < issued_us ||
        now_us - issued_us > SECURE_AUTH_NONCE_LIFETIME_US + MICROSECONDS_PER_SECOND)
        return false;
    int position = window_position(auth, counter);
    return position == WINDOW_NEW || (position >= 0 && !(auth->accepted_window >> position & 1u));
}

/* An accepted request used the nonce: it is good no more. */
static void nonce_used(struct secure_auth *auth, const uint8_t nonce[SECURE_AUTH_NONCE_SIZE])
{
    uint32_t counter = get_u32_be(nonce);
    int position = window_position(auth, counter);
    if (position == WINDOW_NEW) {
        uint32_t shift = auth->highest_accepted == 0 ? SECURE_AUTH_REPLAY_WINDOW : counter - auth->highest_accepted;
        auth->accepted_window = shift >= SECURE_AUTH_REPLAY_WINDOW ? 0 : auth->accepted_window << shift;
        auth->accepted_window |= 1u;
        auth->highest_accepted = counter;
    } else if (position >= 0) {
        auth->accepted_window |= (uint64_t)1 << position;
    }
}

/* ---- the throttle, per source address ---- */
static struct secure_auth_source *source_entry(const struct secure_auth *auth, uint32_t address)
{
    for (size_t i = 0; i < SECURE_AUTH_SOURCES; i++) {
        const struct secure_auth_source *entry = &auth->sources[i];
        if (entry->failures != 0 && entry->address == address)
            return (struct secure_auth_source *)entry;
    }
    return NULL;
}

bool secure_auth_throttled(const struct secure_auth *auth, uint32_t source, uint64_t now_us, uint32_t *retry_after_s)
{
    const struct secure_auth_source *entry = source_entry(auth, source);
    if (entry == NULL || now_us >= entry->penalty_until_us)
        return false;
    if (retry_after_s != NULL)
        *retry_after_s =
            (uint32_t)((entry->penalty_until_us - now_us + MICROSECONDS_PER_SECOND - 1) / MICROSECONDS_PER_SECOND);
    return true;
}

void secure_auth_record_failure(struct secure_auth *auth, uint32_t source, uint64_t now_us)
{
    struct secure_auth_source *entry = source_entry(auth, source);
    if (entry == NULL) {
        /* A free entry, else the one whose last failure is the oldest. */
        entry = &auth->sources[0];
        for (size_t i = 0; i < SECURE_AUTH_SOURCES && entry->failures != 0; i++) {
            struct secure_auth_source *candidate = &auth->sources[i];
            if (candidate->failures == 0 || candidate->last_failure_us < entry->last_failure_us)
                entry = candidate;
        }
        memset(entry, 0, sizeof *entry);
        entry->address = source;
    }
    if (entry->failures < UINT32_MAX)
        entry->failures++;
    entry->last_failure_us = now_us;
    if (entry->failures < SECURE_AUTH_FAILURES_BEFORE_PENALTY)
        return;
    /* 1 s after the third failure, doubling per further failure, capped. */
    uint32_t doublings = entry->failures - SECURE_AUTH_FAILURES_BEFORE_PENALTY;
    uint32_t penalty_s = SECURE_AUTH_PENALTY_MAX_S;
    if (doublings < 6 && (1u << doublings) < SECURE_AUTH_PENALTY_MAX_S)
        penalty_s = 1u << doublings;
    entry->penalty_until_us = now_us + (uint64_t)penalty_s * MICROSECONDS_PER_SECOND;
}

void secure_auth_record_success(struct secure_auth *auth, uint32_t source)
{
    struct secure_auth_source *entry = source_entry(auth, source);
    if (entry != NULL)
        memset(entry, 0, sizeof *entry);
}

enum secure_auth_result secure_auth_verify(struct secure_auth *auth, uint32_t source, const char *method,
                                           const char *path, const char *header_value, uint64_t now_us,
                                           uint8_t *body_sha256, uint32_t *retry_after_s)
{
    if (retry_after_s != NULL)
        *retry_after_s = 0;
    if (!auth->configured)
        return SECURE_AUTH_NOT_CONFIGURED;
    if (header_value == NULL)
        return SECURE_AUTH_MISSING;
    if (secure_auth_throttled(auth, source, now_us, retry_after_s))
        return SECURE_AUTH_THROTTLED;
    struct secure_auth_header header;
    size_t len = bounded_length(header_value, SECURE_AUTH_HEADER_MAX + 1);
    if (!secure_auth_header_parse(header_value, len, &header))
        return SECURE_AUTH_MALFORMED;
    if (!nonce_is_fresh(auth, header.nonce, now_us))
        return SECURE_AUTH_STALE_NONCE;
    uint8_t expected[SECURE_AUTH_HASH_SIZE];
    request_mac(auth->key, method, path, header.nonce, header.body_sha256, expected);
    bool good = secure_auth_equal(expected, header.mac, SECURE_AUTH_HASH_SIZE);
    secure_auth_wipe(expected, sizeof expected);
    if (!good) {
        /* The nonce stays good: a wrong guess, whoever sends it, cannot spend the owner's nonce. */
        secure_auth_record_failure(auth, source, now_us);
        return SECURE_AUTH_BAD_MAC;
    }
    nonce_used(auth, header.nonce);
    secure_auth_record_success(auth, source);
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

bool secure_auth_sign(const uint8_t key[SECURE_AUTH_KEY_SIZE], const char *method, const char *path,
                      const char *nonce_hex, const uint8_t body_sha256[SECURE_AUTH_HASH_SIZE], char *out,
                      size_t size)
{
    uint8_t nonce[SECURE_AUTH_NONCE_SIZE], mac[SECURE_AUTH_HASH_SIZE];
    if (bounded_length(nonce_hex, 2 * SECURE_AUTH_NONCE_SIZE + 1) != 2 * SECURE_AUTH_NONCE_SIZE ||
        !secure_auth_hex_decode(nonce_hex, nonce, SECURE_AUTH_NONCE_SIZE))
        return false;
    request_mac(key, method, path, nonce, body_sha256, mac);
    char nonce_text[SECURE_AUTH_NONCE_HEX_SIZE], body_text[SECURE_AUTH_HASH_HEX_SIZE],
        mac_text[SECURE_AUTH_HASH_HEX_SIZE];
    secure_auth_hex_encode(nonce, SECURE_AUTH_NONCE_SIZE, nonce_text);
    secure_auth_hex_encode(body_sha256, SECURE_AUTH_HASH_SIZE, body_text);
    secure_auth_hex_encode(mac, SECURE_AUTH_HASH_SIZE, mac_text);
    int written = snprintf(out, size, "%s nonce=%s, body=%s, mac=%s", SECURE_AUTH_SCHEME, nonce_text, body_text,
                           mac_text);
    return written > 0 && (size_t)written < size;
}
