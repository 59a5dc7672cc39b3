/*
 * test_secure_auth.c - src/secure/secure_auth: a signed request is admitted once, and a replayed, expired, unknown,
 * forged or tampered one is refused; failures are throttled with doubling windows; the header parser takes one
 * spelling only; and the worked example of docs/auth.md gives the numbers printed there.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "secure/secure_auth.h"

#define SECOND 1000000u

/* docs/auth.md, "Worked example"; the expected values were computed with Python's hashlib and hmac. */
#define EXAMPLE_PASSPHRASE "correct horse battery staple"
#define EXAMPLE_KEY        "ab0b3e17b109b3dbada8d2c0019c65a0cddd2c2b883f92242d665236b3b1cf2d"
#define EXAMPLE_NONCE      "000102030405060708090a0b0c0d0e0f"
#define EXAMPLE_METHOD     "POST"
#define EXAMPLE_PATH       "/api/v1/jobs?dry_run=1"
#define EXAMPLE_BODY       "{\"image\":\"staged\",\"verify\":true}"
#define EXAMPLE_BODY_HASH  "a0a894d750e667e4184c059c0d8ffe9216c6b7c2ff0f46b0cd75650214aa055f"
#define EXAMPLE_MAC        "0bd49d97589ddc60d81a10e631b853d40aeeb19294b339acfb3c705b4cd72a07"
#define EXAMPLE_HEADER     "AIRSWD-HMAC-SHA256 nonce=" EXAMPLE_NONCE ", body=" EXAMPLE_BODY_HASH ", mac=" EXAMPLE_MAC
#define EMPTY_BODY_HASH    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

static const uint8_t example_nonce_bytes[SECURE_AUTH_NONCE_SIZE] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};

static void hex_to_bytes(const char *hex, uint8_t *out, size_t len)
{
    assert_int_equal(strlen(hex), 2 * len);
    assert_true(secure_auth_hex_decode(hex, out, len));
}

static void example_key(uint8_t key[SECURE_AUTH_KEY_SIZE])
{
    secure_auth_key_from_passphrase(EXAMPLE_PASSPHRASE, strlen(EXAMPLE_PASSPHRASE), key);
}

/* A context holding the example key and no nonce. */
static void setup_auth(struct secure_auth *auth)
{
    uint8_t key[SECURE_AUTH_KEY_SIZE];
    example_key(key);
    secure_auth_init(auth, key);
}

static void issue(struct secure_auth *auth, uint64_t now_us, uint8_t fill, char nonce_hex[SECURE_AUTH_NONCE_HEX_SIZE])
{
    uint8_t random_bytes[SECURE_AUTH_NONCE_SIZE];
    memset(random_bytes, fill, sizeof random_bytes);
    secure_auth_issue_nonce(auth, now_us, random_bytes, nonce_hex);
}

static void sign(const char *method, const char *path, const char *nonce_hex, const char *body_hash_hex,
                 char header[SECURE_AUTH_HEADER_MAX])
{
    uint8_t key[SECURE_AUTH_KEY_SIZE], body_hash[SECURE_AUTH_HASH_SIZE];
    example_key(key);
    hex_to_bytes(body_hash_hex, body_hash, sizeof body_hash);
    assert_true(secure_auth_sign(key, method, path, nonce_hex, body_hash, header, SECURE_AUTH_HEADER_MAX));
}

/* Issues a nonce of fill bytes at now_us and signs an empty-bodied request with it. */
static void fresh_request(struct secure_auth *auth, uint64_t now_us, uint8_t fill, const char *method, const char *path,
                          char header[SECURE_AUTH_HEADER_MAX])
{
    char nonce[SECURE_AUTH_NONCE_HEX_SIZE];
    issue(auth, now_us, fill, nonce);
    sign(method, path, nonce, EMPTY_BODY_HASH, header);
}

static enum secure_auth_result verify(struct secure_auth *auth, const char *method, const char *path,
                                      const char *header, uint64_t now_us)
{
    uint32_t retry_after = 99;
    enum secure_auth_result result = secure_auth_verify(auth, method, path, header, now_us, NULL, &retry_after);
    if (result != SECURE_AUTH_THROTTLED)
        assert_int_equal(retry_after, 0);
    return result;
}

static void test_context_size(void **state)
{
    (void)state;
    printf("sizeof(struct secure_auth) = %zu B, sizeof(struct secure_auth_body_check) = %zu B\n",
           sizeof(struct secure_auth), sizeof(struct secure_auth_body_check));
    assert_true(sizeof(struct secure_auth) <= 512);
}

static void test_worked_example_of_docs(void **state)
{
    (void)state;
    uint8_t key[SECURE_AUTH_KEY_SIZE], expected[SECURE_AUTH_KEY_SIZE];
    example_key(key);
    hex_to_bytes(EXAMPLE_KEY, expected, sizeof expected);
    assert_memory_equal(key, expected, sizeof key);

    char header[SECURE_AUTH_HEADER_MAX];
    sign(EXAMPLE_METHOD, EXAMPLE_PATH, EXAMPLE_NONCE, EXAMPLE_BODY_HASH, header);
    printf("%s\n", header);
    assert_string_equal(header, EXAMPLE_HEADER);

    struct secure_auth auth;
    secure_auth_init(&auth, key);
    char nonce_hex[SECURE_AUTH_NONCE_HEX_SIZE];
    secure_auth_issue_nonce(&auth, 5 * SECOND, example_nonce_bytes, nonce_hex);
    assert_string_equal(nonce_hex, EXAMPLE_NONCE);
    uint8_t declared[SECURE_AUTH_HASH_SIZE];
    assert_int_equal(secure_auth_verify(&auth, EXAMPLE_METHOD, EXAMPLE_PATH, EXAMPLE_HEADER, 6 * SECOND, declared,
                                        NULL),
                     SECURE_AUTH_OK);

    struct secure_auth_body_check check;
    secure_auth_body_begin(&check, declared);
    const char *body = EXAMPLE_BODY;
    for (size_t i = 0; body[i] != '\0'; i++) /* byte by byte, as a slow connection would deliver it */
        secure_auth_body_update(&check, (const uint8_t *)body + i, 1);
    assert_true(secure_auth_body_finish(&check));

    secure_auth_body_begin(&check, declared);
    secure_auth_body_update(&check, (const uint8_t *)body, strlen(body) - 1);
    assert_false(secure_auth_body_finish(&check));
}

static void test_empty_body_hash(void **state)
{
    (void)state;
    uint8_t empty[SECURE_AUTH_HASH_SIZE];
    hex_to_bytes(EMPTY_BODY_HASH, empty, sizeof empty);
    struct secure_auth_body_check check;
    secure_auth_body_begin(&check, empty);
    assert_true(secure_auth_body_finish(&check));
}

static void test_good_request_accepted_once(void **state)
{
    (void)state;
    struct secure_auth auth;
    setup_auth(&auth);
    char header[SECURE_AUTH_HEADER_MAX];
    fresh_request(&auth, 0, 0xa5, "DELETE", "/api/v1/images/3", header);
    assert_int_equal(verify(&auth, "DELETE", "/api/v1/images/3", header, SECOND), SECURE_AUTH_OK);
    assert_int_equal(verify(&auth, "DELETE", "/api/v1/images/3", header, SECOND), SECURE_AUTH_STALE_NONCE);
}

static void test_upper_case_hex_is_accepted(void **state)
{
    (void)state;
    struct secure_auth auth;
    setup_auth(&auth);
    char nonce[SECURE_AUTH_NONCE_HEX_SIZE];
    secure_auth_issue_nonce(&auth, 0, example_nonce_bytes, nonce);
    char header[] = EXAMPLE_HEADER;
    bool in_value = false; /* only the hex digits after '=', not the parameter names */
    for (char *c = header; *c != '\0'; c++) {
        if (*c == '=' || *c == ',')
            in_value = *c == '=';
        else if (in_value && *c >= 'a' && *c <= 'f')
            *c = (char)(*c - 'a' + 'A');
    }
    assert_non_null(strstr(header, "body=A0A894D750E667E4"));
    assert_int_equal(verify(&auth, EXAMPLE_METHOD, EXAMPLE_PATH, header, 0), SECURE_AUTH_OK);
}

static void test_expired_nonce_refused(void **state)
{
    (void)state;
    struct secure_auth auth;
    setup_auth(&auth);
    char header[SECURE_AUTH_HEADER_MAX];
    fresh_request(&auth, 10 * SECOND, 1, "GET", "/api/v1/log", header);
    assert_int_equal(verify(&auth, "GET", "/api/v1/log", header, 10 * SECOND + SECURE_AUTH_NONCE_LIFETIME_US + 1),
                     SECURE_AUTH_STALE_NONCE);
    /* At exactly the lifetime it is still good. */
    fresh_request(&auth, 10 * SECOND, 2, "GET", "/api/v1/log", header);
    assert_int_equal(verify(&auth, "GET", "/api/v1/log", header, 10 * SECOND + SECURE_AUTH_NONCE_LIFETIME_US),
                     SECURE_AUTH_OK);
    /* A clock that went backwards cannot date the nonce. */
    fresh_request(&auth, 10 * SECOND, 3, "GET", "/api/v1/log", header);
    assert_int_equal(verify(&auth, "GET", "/api/v1/log", header, 9 * SECOND), SECURE_AUTH_STALE_NONCE);
}

static void test_unknown_nonce_refused(void **state)
{
    (void)state;
    struct secure_auth auth;
    setup_auth(&auth);
    char nonce[SECURE_AUTH_NONCE_HEX_SIZE], header[SECURE_AUTH_HEADER_MAX];
    issue(&auth, 0, 1, nonce);
    sign("GET", "/api/v1/log", "11111111111111111111111111111112", EMPTY_BODY_HASH, header);
    assert_int_equal(verify(&auth, "GET", "/api/v1/log", header, 0), SECURE_AUTH_STALE_NONCE);
    /* An unknown nonce never reaches the MAC check, so it does not count as a failure. */
    assert_int_equal(auth.consecutive_failures, 0);
}

static void test_wrong_key_refused(void **state)
{
    (void)state;
    struct secure_auth auth;
    setup_auth(&auth);
    char nonce[SECURE_AUTH_NONCE_HEX_SIZE], header[SECURE_AUTH_HEADER_MAX];
    issue(&auth, 0, 7, nonce);
    uint8_t other_key[SECURE_AUTH_KEY_SIZE], empty[SECURE_AUTH_HASH_SIZE];
    secure_auth_key_from_passphrase("correct horse battery stapler", 29, other_key);
    hex_to_bytes(EMPTY_BODY_HASH, empty, sizeof empty);
    assert_true(secure_auth_sign(other_key, "GET", "/api/v1/log", nonce, empty, header, sizeof header));
    assert_int_equal(verify(&auth, "GET", "/api/v1/log", header, 0), SECURE_AUTH_BAD_MAC);
    /* The nonce went with the failed attempt. */
    sign("GET", "/api/v1/log", nonce, EMPTY_BODY_HASH, header);
    assert_int_equal(verify(&auth, "GET", "/api/v1/log", header, 0), SECURE_AUTH_STALE_NONCE);
}

static void test_tampered_requests_refused(void **state)
{
    (void)state;
    static const struct {
        const char *method, *path, *body_hash; /* what the server receives, the client signed the example */
    } tampered[] = {
        {"PUT", EXAMPLE_PATH, EXAMPLE_BODY_HASH},
        {"post", EXAMPLE_PATH, EXAMPLE_BODY_HASH},
        {EXAMPLE_METHOD, "/api/v1/jobs?dry_run=0", EXAMPLE_BODY_HASH},
        {EXAMPLE_METHOD, "/api/v1/jobs", EXAMPLE_BODY_HASH},
        {EXAMPLE_METHOD, EXAMPLE_PATH "&x", EXAMPLE_BODY_HASH},
        {EXAMPLE_METHOD, EXAMPLE_PATH, EMPTY_BODY_HASH},
        {EXAMPLE_METHOD, EXAMPLE_PATH, "b0a894d750e667e4184c059c0d8ffe9216c6b7c2ff0f46b0cd75650214aa055f"},
    };
    for (size_t i = 0; i < sizeof tampered / sizeof tampered[0]; i++) {
        struct secure_auth auth;
        setup_auth(&auth);
        char nonce[SECURE_AUTH_NONCE_HEX_SIZE];
        secure_auth_issue_nonce(&auth, 0, example_nonce_bytes, nonce);
        char header[SECURE_AUTH_HEADER_MAX];
        snprintf(header, sizeof header, "AIRSWD-HMAC-SHA256 nonce=%s, body=%s, mac=%s", EXAMPLE_NONCE,
                 tampered[i].body_hash, EXAMPLE_MAC);
        assert_int_equal(verify(&auth, tampered[i].method, tampered[i].path, header, 0), SECURE_AUTH_BAD_MAC);
    }
}

/* Spends one fresh nonce on a request signed with the wrong key. */
static enum secure_auth_result fail_once(struct secure_auth *auth, uint64_t now_us, uint32_t *retry_after)
{
    char nonce[SECURE_AUTH_NONCE_HEX_SIZE], header[SECURE_AUTH_HEADER_MAX];
    static uint8_t fill;
    issue(auth, now_us, ++fill, nonce);
    uint8_t wrong_key[SECURE_AUTH_KEY_SIZE] = {0}, empty[SECURE_AUTH_HASH_SIZE];
    hex_to_bytes(EMPTY_BODY_HASH, empty, sizeof empty);
    assert_true(secure_auth_sign(wrong_key, "GET", "/", nonce, empty, header, sizeof header));
    return secure_auth_verify(auth, "GET", "/", header, now_us, NULL, retry_after);
}

static void test_throttle_doubles_and_resets(void **state)
{
    (void)state;
    struct secure_auth auth;
    setup_auth(&auth);
    uint32_t retry_after = 0;
    uint64_t now = 100 * SECOND;
    assert_int_equal(fail_once(&auth, now, &retry_after), SECURE_AUTH_BAD_MAC);
    assert_int_equal(fail_once(&auth, now, &retry_after), SECURE_AUTH_BAD_MAC);
    assert_int_equal(fail_once(&auth, now, &retry_after), SECURE_AUTH_BAD_MAC); /* third: 1 s penalty */
    static const uint32_t windows_s[] = {1, 2, 4, 8, 16, 32, 60, 60, 60};
    for (size_t i = 0; i < sizeof windows_s / sizeof windows_s[0]; i++) {
        uint32_t window = windows_s[i];
        assert_int_equal(fail_once(&auth, now, &retry_after), SECURE_AUTH_THROTTLED);
        assert_int_equal(retry_after, window);
        assert_int_equal(fail_once(&auth, now + window * SECOND - 1, &retry_after), SECURE_AUTH_THROTTLED);
        assert_int_equal(retry_after, 1);
        /* The window has passed: the next failure opens the next window. */
        now += window * SECOND;
        assert_int_equal(fail_once(&auth, now, &retry_after), SECURE_AUTH_BAD_MAC);
    }
    /* Even a correct request waits out the window... */
    char header[SECURE_AUTH_HEADER_MAX];
    fresh_request(&auth, now, 0x42, "GET", "/", header);
    assert_int_equal(secure_auth_verify(&auth, "GET", "/", header, now, NULL, &retry_after), SECURE_AUTH_THROTTLED);
    assert_int_equal(retry_after, 60);
    /* ...keeps its nonce while throttled, and resets the count when it gets through. */
    now += 60 * SECOND;
    assert_int_equal(verify(&auth, "GET", "/", header, now), SECURE_AUTH_OK);
    assert_int_equal(fail_once(&auth, now, &retry_after), SECURE_AUTH_BAD_MAC);
    assert_int_equal(fail_once(&auth, now, &retry_after), SECURE_AUTH_BAD_MAC);
    assert_int_equal(fail_once(&auth, now, &retry_after), SECURE_AUTH_BAD_MAC);
    assert_int_equal(fail_once(&auth, now, &retry_after), SECURE_AUTH_THROTTLED);
    assert_int_equal(retry_after, 1);
}

static void test_full_table_evicts_oldest(void **state)
{
    (void)state;
    struct secure_auth auth;
    setup_auth(&auth);
    char nonces[SECURE_AUTH_NONCE_SLOTS + 1][SECURE_AUTH_NONCE_HEX_SIZE];
    for (unsigned i = 0; i < SECURE_AUTH_NONCE_SLOTS + 1; i++)
        issue(&auth, (uint64_t)(i + 1) * SECOND, (uint8_t)(0x10 + i), nonces[i]);
    char header[SECURE_AUTH_HEADER_MAX];
    uint64_t now = 20 * SECOND;
    sign("GET", "/", nonces[0], EMPTY_BODY_HASH, header);
    assert_int_equal(verify(&auth, "GET", "/", header, now), SECURE_AUTH_STALE_NONCE);
    for (unsigned i = 1; i < SECURE_AUTH_NONCE_SLOTS + 1; i++) {
        sign("GET", "/", nonces[i], EMPTY_BODY_HASH, header);
        assert_int_equal(verify(&auth, "GET", "/", header, now), SECURE_AUTH_OK);
    }
    /* A used slot is free again and taken before any outstanding one is evicted. */
    issue(&auth, now, 0x77, nonces[0]);
    issue(&auth, now, 0x78, nonces[1]);
    sign("GET", "/", nonces[0], EMPTY_BODY_HASH, header);
    assert_int_equal(verify(&auth, "GET", "/", header, now), SECURE_AUTH_OK);
}

static void test_missing_and_not_configured(void **state)
{
    (void)state;
    struct secure_auth auth;
    secure_auth_init(&auth, NULL);
    assert_false(secure_auth_is_configured(&auth));
    assert_int_equal(verify(&auth, "GET", "/", EXAMPLE_HEADER, 0), SECURE_AUTH_NOT_CONFIGURED);
    setup_auth(&auth);
    assert_true(secure_auth_is_configured(&auth));
    assert_int_equal(verify(&auth, "GET", "/", NULL, 0), SECURE_AUTH_MISSING);
}

static void test_reset_wipes_the_key(void **state)
{
    (void)state;
    struct secure_auth auth;
    setup_auth(&auth);
    char nonce[SECURE_AUTH_NONCE_HEX_SIZE];
    issue(&auth, 0, 9, nonce);
    secure_auth_reset(&auth);
    static const uint8_t zeros[sizeof auth] = {0};
    assert_memory_equal(&auth, zeros, sizeof auth);
    assert_false(secure_auth_is_configured(&auth));
}

static void test_malformed_headers_refused(void **state)
{
    (void)state;
#define N EXAMPLE_NONCE
#define B EXAMPLE_BODY_HASH
#define M EXAMPLE_MAC
    static const char *const malformed[] = {
        "",
        "AIRSWD-HMAC-SHA256",
        "AIRSWD-HMAC-SHA256 ",
        "airswd-hmac-sha256 nonce=" N ", body=" B ", mac=" M,
        "AIRSWD-HMAC-SHA1 nonce=" N ", body=" B ", mac=" M,
        "Bearer nonce=" N ", body=" B ", mac=" M,
        "AIRSWD-HMAC-SHA256  nonce=" N ", body=" B ", mac=" M,
        " AIRSWD-HMAC-SHA256 nonce=" N ", body=" B ", mac=" M,
        "AIRSWD-HMAC-SHA256\tnonce=" N ", body=" B ", mac=" M,
        "AIRSWD-HMAC-SHA256 nonce=" N ", body=" B,
        "AIRSWD-HMAC-SHA256 nonce=" N ", mac=" M,
        "AIRSWD-HMAC-SHA256 body=" B ", mac=" M,
        "AIRSWD-HMAC-SHA256 nonce=" N ", body=" B ", mac=" M ",",
        "AIRSWD-HMAC-SHA256 nonce=" N ", body=" B ", mac=" M " ",
        "AIRSWD-HMAC-SHA256 nonce=" N ", body=" B ", mac=" M ", nonce=" N,
        "AIRSWD-HMAC-SHA256 nonce=" N ", nonce=" N ", mac=" M,
        "AIRSWD-HMAC-SHA256 nonce=" N ", body=" B ", body=" B,
        "AIRSWD-HMAC-SHA256 nonce=" N ", body=" B ", mac=" M ", realm=x",
        "AIRSWD-HMAC-SHA256 realm=x, nonce=" N ", body=" B ", mac=" M,
        "AIRSWD-HMAC-SHA256 nonce=" N " , body=" B ", mac=" M,
        "AIRSWD-HMAC-SHA256 nonce=" N ",\tbody=" B ", mac=" M,
        "AIRSWD-HMAC-SHA256 nonce=" N ";body=" B ";mac=" M,
        "AIRSWD-HMAC-SHA256 nonce=" N " body=" B " mac=" M,
        "AIRSWD-HMAC-SHA256 nonce=" N ",, body=" B ", mac=" M,
        "AIRSWD-HMAC-SHA256 , nonce=" N ", body=" B ", mac=" M,
        "AIRSWD-HMAC-SHA256 nonce =" N ", body=" B ", mac=" M,
        "AIRSWD-HMAC-SHA256 nonce= " N ", body=" B ", mac=" M,
        "AIRSWD-HMAC-SHA256 nonce=\"" N "\", body=" B ", mac=" M,
        "AIRSWD-HMAC-SHA256 Nonce=" N ", body=" B ", mac=" M,
        "AIRSWD-HMAC-SHA256 NONCE=" N ", BODY=" B ", MAC=" M,
        "AIRSWD-HMAC-SHA256 nonce:" N ", body=" B ", mac=" M,
        "AIRSWD-HMAC-SHA256 nonce=" N "0, body=" B ", mac=" M,
        "AIRSWD-HMAC-SHA256 nonce=00010203040506070809:a0b0c0d0e0f, body=" B ", mac=" M,
        "AIRSWD-HMAC-SHA256 nonce=000102030405060708090a0b0c0d0e0, body=" B ", mac=" M,
        "AIRSWD-HMAC-SHA256 nonce=000102030405060708090a0b0c0d0e0g, body=" B ", mac=" M,
        "AIRSWD-HMAC-SHA256 nonce=0x0102030405060708090a0b0c0d0e0f, body=" B ", mac=" M,
        "AIRSWD-HMAC-SHA256 nonce=" N ", body=" B "00, mac=" M,
        "AIRSWD-HMAC-SHA256 nonce=" N ", body=" N ", mac=" M,
        "AIRSWD-HMAC-SHA256 nonce=" N ", body=" B ", mac=" N,
        "AIRSWD-HMAC-SHA256 nonce=" N ", body=" B ", mac=" M "0",
        "AIRSWD-HMAC-SHA256 nonce=" N ", body=" B ", mac=" M "\n",
        "AIRSWD-HMAC-SHA256 nonce=" N ", body=" B ", mac=",
        "AIRSWD-HMAC-SHA256 nonce=, body=" B ", mac=" M,
        "AIRSWD-HMAC-SHA256 nonce=" N ", body=" B ", mac=" M ", mac=" M,
        "AIRSWD-HMAC-SHA256 nonce=" N ",                                                              body=" B
        ",                                                                                            mac=" M,
    };
#undef N
#undef B
#undef M
    struct secure_auth auth;
    setup_auth(&auth);
    for (size_t i = 0; i < sizeof malformed / sizeof malformed[0]; i++) {
        struct secure_auth_header parsed;
        if (secure_auth_header_parse(malformed[i], strlen(malformed[i]), &parsed))
            fail_msg("accepted malformed header %zu: \"%s\"", i, malformed[i]);
        assert_int_equal(verify(&auth, EXAMPLE_METHOD, EXAMPLE_PATH, malformed[i], 0), SECURE_AUTH_MALFORMED);
    }
    /* A NUL inside the value ends it early: the parser is given a length and refuses the NUL. */
    char with_nul[] = EXAMPLE_HEADER;
    with_nul[40] = '\0';
    struct secure_auth_header parsed;
    assert_false(secure_auth_header_parse(with_nul, sizeof with_nul - 1, &parsed));
    assert_int_equal(auth.consecutive_failures, 0);
}

static void test_parameters_in_any_order_and_spacing(void **state)
{
    (void)state;
    static const char *const accepted[] = {
        EXAMPLE_HEADER,
        "AIRSWD-HMAC-SHA256 nonce=" EXAMPLE_NONCE ",body=" EXAMPLE_BODY_HASH ",mac=" EXAMPLE_MAC,
        "AIRSWD-HMAC-SHA256 mac=" EXAMPLE_MAC ",   body=" EXAMPLE_BODY_HASH ", nonce=" EXAMPLE_NONCE,
        "AIRSWD-HMAC-SHA256 body=" EXAMPLE_BODY_HASH ", nonce=" EXAMPLE_NONCE ",mac=" EXAMPLE_MAC,
    };
    for (size_t i = 0; i < sizeof accepted / sizeof accepted[0]; i++) {
        struct secure_auth_header parsed;
        assert_true(secure_auth_header_parse(accepted[i], strlen(accepted[i]), &parsed));
        assert_memory_equal(parsed.nonce, example_nonce_bytes, sizeof parsed.nonce);
        struct secure_auth auth;
        setup_auth(&auth);
        char nonce[SECURE_AUTH_NONCE_HEX_SIZE];
        secure_auth_issue_nonce(&auth, 0, example_nonce_bytes, nonce);
        assert_int_equal(verify(&auth, EXAMPLE_METHOD, EXAMPLE_PATH, accepted[i], 0), SECURE_AUTH_OK);
    }
    /* Spaces after a comma are fine up to SECURE_AUTH_HEADER_MAX bytes in all, and not one byte more. */
    char long_header[SECURE_AUTH_HEADER_MAX + 64];
    struct secure_auth_header parsed;
    for (int extra = 0; extra <= 1; extra++) {
        int n = snprintf(long_header, sizeof long_header, "AIRSWD-HMAC-SHA256 nonce=%s,%*sbody=%s, mac=%s",
                         EXAMPLE_NONCE, SECURE_AUTH_HEADER_MAX - 197 + extra, "", EXAMPLE_BODY_HASH, EXAMPLE_MAC);
        assert_int_equal(n, SECURE_AUTH_HEADER_MAX + extra);
        assert_true(secure_auth_header_parse(long_header, (size_t)n, &parsed) == (extra == 0));
        struct secure_auth auth;
        setup_auth(&auth);
        char nonce[SECURE_AUTH_NONCE_HEX_SIZE];
        secure_auth_issue_nonce(&auth, 0, example_nonce_bytes, nonce);
        assert_int_equal(verify(&auth, EXAMPLE_METHOD, EXAMPLE_PATH, long_header, 0),
                         extra == 0 ? SECURE_AUTH_OK : SECURE_AUTH_MALFORMED);
    }
}

static void test_constant_time_compare(void **state)
{
    (void)state;
    uint8_t a[64], b[64];
    for (size_t i = 0; i < sizeof a; i++)
        a[i] = b[i] = (uint8_t)(i * 37 + 1);
    assert_true(secure_auth_equal(a, b, sizeof a));
    assert_true(secure_auth_equal(a, b, 0));
    for (size_t i = 0; i < sizeof a; i++) {
        for (unsigned bit = 0; bit < 8; bit++) {
            b[i] ^= (uint8_t)(1u << bit);
            assert_false(secure_auth_equal(a, b, sizeof a));
            assert_true(secure_auth_equal(a, b, i)); /* the bytes before the difference still match */
            b[i] ^= (uint8_t)(1u << bit);
        }
    }
}

static void test_result_names_and_statuses(void **state)
{
    (void)state;
    assert_string_equal(secure_auth_result_name(SECURE_AUTH_STALE_NONCE), "stale-nonce");
    assert_string_equal(secure_auth_result_name(SECURE_AUTH_BAD_MAC), "bad-credentials");
    assert_string_equal(secure_auth_result_name(SECURE_AUTH_THROTTLED), "throttled");
    assert_int_equal(secure_auth_result_http_status(SECURE_AUTH_THROTTLED), 429);
    assert_int_equal(secure_auth_result_http_status(SECURE_AUTH_MISSING), 401);
    assert_int_equal(secure_auth_result_http_status(SECURE_AUTH_MALFORMED), 400);
    for (int r = 0; r < SECURE_AUTH_RESULT_COUNT; r++) {
        assert_non_null(secure_auth_result_name((enum secure_auth_result)r));
        assert_true(strlen(secure_auth_result_message((enum secure_auth_result)r)) > 10);
    }
    assert_string_equal(secure_auth_result_name(SECURE_AUTH_RESULT_COUNT), "unknown");
}

static void test_sign_refuses_bad_nonce_and_small_buffer(void **state)
{
    (void)state;
    uint8_t key[SECURE_AUTH_KEY_SIZE] = {0}, hash[SECURE_AUTH_HASH_SIZE] = {0};
    char out[SECURE_AUTH_HEADER_MAX];
    assert_false(secure_auth_sign(key, "GET", "/", "0001", hash, out, sizeof out));
    assert_false(secure_auth_sign(key, "GET", "/", EXAMPLE_NONCE "00", hash, out, sizeof out));
    assert_false(secure_auth_sign(key, "GET", "/", "zz0102030405060708090a0b0c0d0e0f", hash, out, sizeof out));
    assert_false(secure_auth_sign(key, "GET", "/", EXAMPLE_NONCE, hash, out, 100));
    assert_true(secure_auth_sign(key, "GET", "/", EXAMPLE_NONCE, hash, out, strlen(EXAMPLE_HEADER) + 1));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_context_size),
        cmocka_unit_test(test_worked_example_of_docs),
        cmocka_unit_test(test_empty_body_hash),
        cmocka_unit_test(test_good_request_accepted_once),
        cmocka_unit_test(test_upper_case_hex_is_accepted),
        cmocka_unit_test(test_expired_nonce_refused),
        cmocka_unit_test(test_unknown_nonce_refused),
        cmocka_unit_test(test_wrong_key_refused),
        cmocka_unit_test(test_tampered_requests_refused),
        cmocka_unit_test(test_throttle_doubles_and_resets),
        cmocka_unit_test(test_full_table_evicts_oldest),
        cmocka_unit_test(test_missing_and_not_configured),
        cmocka_unit_test(test_reset_wipes_the_key),
        cmocka_unit_test(test_malformed_headers_refused),
        cmocka_unit_test(test_parameters_in_any_order_and_spacing),
        cmocka_unit_test(test_constant_time_compare),
        cmocka_unit_test(test_result_names_and_statuses),
        cmocka_unit_test(test_sign_refuses_bad_nonce_and_small_buffer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
