/*
 * secure_auth.h - authenticated API requests bound to a one-time server nonce (docs/auth.md is the byte-exact spec).
 *
 * The device and the client share a 32-byte key K = SHA-256("airswd-admin-v1:" || passphrase). A request proves K by
 *
 *     Authorization: AIRSWD-HMAC-SHA256 nonce=<32 hex>, body=<64 hex>, mac=<64 hex>
 *     mac = HMAC-SHA256(K, METHOD "\n" PATH[?QUERY] "\n" nonce-hex "\n" body-hex)   (hex in the MAC input: lowercase)
 *
 * where the nonce came from GET /api/v1/auth/nonce and body is the SHA-256 of the request body. The server side is
 *
 *     secure_auth_init(auth, key_or_NULL)                      once; NULL while setup has not chosen a passphrase
 *     secure_auth_issue_nonce(auth, now, random16, hex)        GET /api/v1/auth/nonce, random bytes from hal random
 *     r = secure_auth_verify(auth, method, path, header, now, body_hash, &retry_after)   the router's authorize hook
 *     secure_auth_body_begin(&check, body_hash) / _update / _finish    before the handler acts on the body
 *
 * A nonce serves one verification that reaches the MAC check (success or not) and lives SECURE_AUTH_NONCE_LIFETIME_US.
 * After SECURE_AUTH_FAILURES_BEFORE_PENALTY consecutive MAC failures every attempt is refused for a penalty window
 * that doubles per further failure, 1 s up to SECURE_AUTH_PENALTY_MAX_S; a success resets the count.
 *
 * No allocation, no clock, no random source inside: the caller passes microseconds and random bytes. K stays in the
 * context; secure_auth_reset() wipes it. Not thread-safe: one context is used from the network task only.
 */
#ifndef AIRSWD_SECURE_AUTH_H
#define AIRSWD_SECURE_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <mbedtls/sha256.h>

#define SECURE_AUTH_SCHEME          "AIRSWD-HMAC-SHA256"
#define SECURE_AUTH_KEY_PREFIX      "airswd-admin-v1:"
#define SECURE_AUTH_KEY_SIZE        32
#define SECURE_AUTH_HASH_SIZE       32
#define SECURE_AUTH_NONCE_SIZE      16
#define SECURE_AUTH_NONCE_HEX_SIZE  (2 * SECURE_AUTH_NONCE_SIZE + 1) /* with the NUL */
#define SECURE_AUTH_HASH_HEX_SIZE   (2 * SECURE_AUTH_HASH_SIZE + 1)  /* with the NUL */
#define SECURE_AUTH_HEADER_MAX      256 /* longest Authorization value accepted, in bytes */
#define SECURE_AUTH_NONCE_SLOTS     8
#define SECURE_AUTH_NONCE_LIFETIME_US 60000000u
#define SECURE_AUTH_FAILURES_BEFORE_PENALTY 3
#define SECURE_AUTH_PENALTY_MAX_S   60

enum secure_auth_result {
    SECURE_AUTH_OK,             /* admitted; the body must still hash to the declared value */
    SECURE_AUTH_MISSING,        /* no Authorization header: 401 with WWW-Authenticate: AIRSWD-HMAC-SHA256 */
    SECURE_AUTH_MALFORMED,      /* the header breaks the grammar of docs/auth.md: 400 */
    SECURE_AUTH_STALE_NONCE,    /* unknown, used or expired nonce: 401 stale-nonce, fetch a new one and retry */
    SECURE_AUTH_BAD_MAC,        /* wrong key or tampered request: 401 bad-credentials */
    SECURE_AUTH_THROTTLED,      /* too many failures: 429 with Retry-After */
    SECURE_AUTH_NOT_CONFIGURED, /* no admin passphrase set yet: 403, finish setup first */
    SECURE_AUTH_RESULT_COUNT
};

struct secure_auth_nonce {
    uint8_t value[SECURE_AUTH_NONCE_SIZE];
    uint64_t issued_us;
    bool outstanding;
};

/* The server's state; the caller owns it (sizeof printed by tests/unit/test_secure_auth.c). */
struct secure_auth {
    uint8_t key[SECURE_AUTH_KEY_SIZE]; /* K; never copied out of here */
    bool configured;
    struct secure_auth_nonce nonces[SECURE_AUTH_NONCE_SLOTS];
    uint32_t consecutive_failures; /* MAC failures since the last success */
    uint64_t penalty_until_us;     /* attempts before this time are THROTTLED */
};

/* The three parameters of an Authorization value, decoded. */
struct secure_auth_header {
    uint8_t nonce[SECURE_AUTH_NONCE_SIZE];
    uint8_t body_sha256[SECURE_AUTH_HASH_SIZE];
    uint8_t mac[SECURE_AUTH_HASH_SIZE];
};

/* Streaming check that a received body hashes to the value its Authorization header declared. */
struct secure_auth_body_check {
    mbedtls_sha256_context sha256;
    uint8_t expected[SECURE_AUTH_HASH_SIZE];
};

/* Server side. key is K (SECURE_AUTH_KEY_SIZE bytes), or NULL: every verify answers NOT_CONFIGURED. */
void secure_auth_init(struct secure_auth *auth, const uint8_t *key);
/* Installs K (setup, passphrase change); forgets outstanding nonces and the failure count. */
void secure_auth_set_key(struct secure_auth *auth, const uint8_t *key);
bool secure_auth_is_configured(const struct secure_auth *auth);
/* Wipes K and everything else; the context is as after secure_auth_init(auth, NULL). */
void secure_auth_reset(struct secure_auth *auth);

/* Records random_bytes (SECURE_AUTH_NONCE_SIZE from the port's random source) as an outstanding nonce issued at
 * now_us, evicting the oldest when the table is full, and writes it as 32 lowercase hex digits and a NUL. */
void secure_auth_issue_nonce(struct secure_auth *auth, uint64_t now_us, const uint8_t *random_bytes,
                             char out_hex[SECURE_AUTH_NONCE_HEX_SIZE]);

/* Verifies the Authorization value of a request (NULL when the header is absent). method is "GET", "POST"...;
 * path is the request target as sent, with its query ("/api/v1/jobs?x=1"). On OK, body_sha256 receives the declared
 * body hash for secure_auth_body_begin. On THROTTLED, *retry_after_s receives the seconds to wait (>= 1); otherwise
 * it is set to 0. Either output may be NULL. */
enum secure_auth_result secure_auth_verify(struct secure_auth *auth, const char *method, const char *path,
                                           const char *header_value, uint64_t now_us, uint8_t *body_sha256,
                                           uint32_t *retry_after_s);

/* "ok", "unauthorized", "malformed-authorization", "stale-nonce", "bad-credentials", "throttled", "not-configured" */
const char *secure_auth_result_name(enum secure_auth_result result);
/* A sentence a user can act on. */
const char *secure_auth_result_message(enum secure_auth_result result);
/* The HTTP status the API answers with: 200 for OK, 401, 400, 429, 403. */
unsigned secure_auth_result_http_status(enum secure_auth_result result);

/* Decodes 2 * len hex digits (either case) into len bytes; false on anything else. */
bool secure_auth_hex_decode(const char *hex, uint8_t *out, size_t len);
/* Parses an Authorization value of length len (docs/auth.md, "Header grammar"); false when it breaks the grammar. */
bool secure_auth_header_parse(const char *value, size_t len, struct secure_auth_header *out);

void secure_auth_body_begin(struct secure_auth_body_check *check, const uint8_t *declared_sha256);
void secure_auth_body_update(struct secure_auth_body_check *check, const uint8_t *bytes, size_t len);
/* true when the bytes hash to the declared value. Frees the hashing state either way. */
bool secure_auth_body_finish(struct secure_auth_body_check *check);

/* Compares len bytes in time that depends on len only. */
bool secure_auth_equal(const uint8_t *a, const uint8_t *b, size_t len);
/* Overwrites len bytes with zeros through a volatile pointer, so that the compiler cannot drop it. */
void secure_auth_wipe(void *bytes, size_t len);

/* Client side (the airswd CLI; the web page has web/auth.js). */
void secure_auth_key_from_passphrase(const char *passphrase, size_t len, uint8_t key[SECURE_AUTH_KEY_SIZE]);
/* Writes the Authorization value for a request into out (size bytes with the NUL). nonce_hex is the server's
 * 32 hex digits; body_sha256 the SHA-256 of the body (of "" without one). false when nonce_hex is not 32 hex digits
 * or out is too small. */
bool secure_auth_sign(const uint8_t key[SECURE_AUTH_KEY_SIZE], const char *method, const char *path,
                      const char *nonce_hex, const uint8_t body_sha256[SECURE_AUTH_HASH_SIZE], char *out,
                      size_t size);

#endif
