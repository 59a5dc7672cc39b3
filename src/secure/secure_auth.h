/*
 * secure_auth.h - authenticated API requests bound to a server nonce, and the throttle of failed attempts
 * (docs/auth.md is the byte-exact spec).
 *
 * The device and the client share a 32-byte key K, which clients derive from the admin passphrase with
 * PBKDF2-HMAC-SHA256 and the device's salt (docs/auth.md, "The key"); the device only ever holds K. A request proves
 * K by
 *
 *     Authorization: AIRSWD-HMAC-SHA256 nonce=<32 hex>, body=<64 hex>, mac=<64 hex>
 *     mac = HMAC-SHA256(K, METHOD "\n" PATH[?QUERY] "\n" nonce-hex "\n" body-hex)   (hex in the MAC input: lowercase)
 *
 * where the nonce came from GET /api/v1/auth/nonce and body is the SHA-256 of the request body. The server side is
 *
 *     secure_auth_init(auth, key_or_NULL, random_secret)       once; NULL while setup has not chosen a passphrase
 *     secure_auth_issue_nonce(auth, now, hex)                  GET /api/v1/auth/nonce
 *     r = secure_auth_verify(auth, source, method, path, header, now, body_hash, &retry_after)   the authorize hook
 *     secure_auth_body_begin(&check, body_hash) / _update / _finish    before the handler acts on the body
 *
 * Nonces need no table: a nonce is a counter and its issue time, tagged with a MAC under a secret the device draws at
 * start, so that asking for nonces, however often and from wherever, pushes nobody's nonce out. A nonce is good for
 * SECURE_AUTH_NONCE_LIFETIME_US and for one request that proves K: the counters of accepted requests are remembered
 * in a window of SECURE_AUTH_REPLAY_WINDOW below the highest accepted one, and only a request with the right MAC
 * moves that window.
 *
 * Failures (a wrong MAC, a wrong setup code) are counted per source address in a table of SECURE_AUTH_SOURCES:
 * after SECURE_AUTH_FAILURES_BEFORE_PENALTY in a row, that source's attempts are refused for a penalty window that
 * doubles per further failure, 1 s up to SECURE_AUTH_PENALTY_MAX_S; a success from the source forgets it. Other
 * sources are not slowed. A full table forgets the source whose last failure is the oldest.
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
#define SECURE_AUTH_KEY_SIZE        32
#define SECURE_AUTH_HASH_SIZE       32
#define SECURE_AUTH_NONCE_SIZE      16
#define SECURE_AUTH_NONCE_HEX_SIZE  (2 * SECURE_AUTH_NONCE_SIZE + 1) /* with the NUL */
#define SECURE_AUTH_HASH_HEX_SIZE   (2 * SECURE_AUTH_HASH_SIZE + 1)  /* with the NUL */
#define SECURE_AUTH_HEADER_MAX      256 /* longest Authorization value accepted, in bytes */
#define SECURE_AUTH_SECRET_SIZE     16 /* the nonce secret, drawn at start */
#define SECURE_AUTH_SALT_SIZE       16 /* the per-device salt of the key derivation (docs/auth.md) */
#define SECURE_AUTH_KDF_ITERATIONS  100000u
#define SECURE_AUTH_NONCE_LIFETIME_US 60000000u
#define SECURE_AUTH_REPLAY_WINDOW   64 /* accepted counters remembered below the highest (bits of a uint64_t) */
#define SECURE_AUTH_SOURCES         8  /* addresses whose failures are counted at once */
#define SECURE_AUTH_FAILURES_BEFORE_PENALTY 3
#define SECURE_AUTH_PENALTY_MAX_S   60

enum secure_auth_result {
    SECURE_AUTH_OK,             /* admitted; the body must still hash to the declared value */
    SECURE_AUTH_MISSING,        /* no Authorization header: 401 with WWW-Authenticate: AIRSWD-HMAC-SHA256 */
    SECURE_AUTH_MALFORMED,      /* the header breaks the grammar of docs/auth.md: 400 */
    SECURE_AUTH_STALE_NONCE,    /* forged, used or expired nonce: 401 stale-nonce, fetch a new one and retry */
    SECURE_AUTH_BAD_MAC,        /* wrong key or tampered request: 401 bad-credentials */
    SECURE_AUTH_THROTTLED,      /* too many failures: 429 with Retry-After */
    SECURE_AUTH_NOT_CONFIGURED, /* no admin passphrase set yet: 403, finish setup first */
    SECURE_AUTH_RESULT_COUNT
};

/* The failures of one source address. */
struct secure_auth_source {
    uint32_t address;
    uint32_t failures;         /* MAC or setup-code failures in a row; 0: the entry is free */
    uint64_t last_failure_us;
    uint64_t penalty_until_us; /* this source's attempts before this time are THROTTLED */
};

/* The server's state; the caller owns it (sizeof printed by tests/unit/test_secure_auth.c). */
struct secure_auth {
    uint8_t key[SECURE_AUTH_KEY_SIZE]; /* K; never copied out of here */
    bool configured;
    uint8_t nonce_secret[SECURE_AUTH_SECRET_SIZE];
    uint32_t nonces_issued;   /* the counter of the last nonce issued */
    uint32_t highest_accepted; /* the counter of the newest nonce an accepted request carried; 0: none yet */
    uint64_t accepted_window; /* bit i: counter highest_accepted - i was accepted */
    struct secure_auth_source sources[SECURE_AUTH_SOURCES];
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

/* Server side. key is K (SECURE_AUTH_KEY_SIZE bytes), or NULL: every verify answers NOT_CONFIGURED. secret is
 * SECURE_AUTH_SECRET_SIZE bytes from the port's random source: the key of the nonces' tags. */
void secure_auth_init(struct secure_auth *auth, const uint8_t *key, const uint8_t *secret);
/* Installs K (setup, passphrase change); forgets the accepted nonces and the failure counts. */
void secure_auth_set_key(struct secure_auth *auth, const uint8_t *key);
bool secure_auth_is_configured(const struct secure_auth *auth);
/* Wipes K, the nonce secret and everything else: every verify answers NOT_CONFIGURED until init again. */
void secure_auth_reset(struct secure_auth *auth);

/* A new nonce, issued at now_us, as 32 lowercase hex digits and a NUL: the next counter, the issue time in seconds
 * and their tag (docs/auth.md, "Nonces"). Nothing is stored but the counter. */
void secure_auth_issue_nonce(struct secure_auth *auth, uint64_t now_us, char out_hex[SECURE_AUTH_NONCE_HEX_SIZE]);

/* Verifies the Authorization value of a request (NULL when the header is absent) from source (the client's IPv4
 * address; 0 when unknown). method is "GET", "POST"...; path is the request target as sent, with its query
 * ("/api/v1/jobs?x=1"). On OK, body_sha256 receives the declared body hash for secure_auth_body_begin. On THROTTLED,
 * *retry_after_s receives the seconds to wait (>= 1); otherwise it is set to 0. Either output may be NULL. */
enum secure_auth_result secure_auth_verify(struct secure_auth *auth, uint32_t source, const char *method,
                                           const char *path, const char *header_value, uint64_t now_us,
                                           uint8_t *body_sha256, uint32_t *retry_after_s);

/* The throttle alone, for other secrets a source may guess (the setup code): true while source is in a penalty
 * window (*retry_after_s the seconds left, >= 1); record a failure or a success of source at now_us. */
bool secure_auth_throttled(const struct secure_auth *auth, uint32_t source, uint64_t now_us, uint32_t *retry_after_s);
void secure_auth_record_failure(struct secure_auth *auth, uint32_t source, uint64_t now_us);
void secure_auth_record_success(struct secure_auth *auth, uint32_t source);

/* "ok", "unauthorized", "malformed-authorization", "stale-nonce", "bad-credentials", "throttled", "not-configured" */
const char *secure_auth_result_name(enum secure_auth_result result);
/* A sentence a user can act on. */
const char *secure_auth_result_message(enum secure_auth_result result);
/* The HTTP status the API answers with: 200 for OK, 401, 400, 429, 403. */
unsigned secure_auth_result_http_status(enum secure_auth_result result);

/* Writes len bytes as 2 * len lowercase hex digits and a NUL. */
void secure_auth_hex_encode(const uint8_t *bytes, size_t len, char *out);
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

/* Client side (the airswd CLI; the web page has web/auth.js). K itself is derived by the clients
 * (ports/linux/passphrase_key.c, web/auth.js): the device never needs to. */
/* Writes the Authorization value for a request into out (size bytes with the NUL). nonce_hex is the server's
 * 32 hex digits; body_sha256 the SHA-256 of the body (of "" without one). false when nonce_hex is not 32 hex digits
 * or out is too small. */
bool secure_auth_sign(const uint8_t key[SECURE_AUTH_KEY_SIZE], const char *method, const char *path,
                      const char *nonce_hex, const uint8_t body_sha256[SECURE_AUTH_HASH_SIZE], char *out,
                      size_t size);

#endif
