/*
 * test_secure_auth.c - src/secure/secure_auth: a signed request is admitted once, and a replayed, expired, forged or
 * tampered one is refused; nonces need no table, so that asking for them pushes nobody's out; failures are throttled
 * per source address with doubling windows, and one source's failures never slow another; the header parser takes
 * one spelling only; and the worked example of docs/auth.md gives the numbers printed there.
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
#define OWNER    0x7f000001u /* 127.0.0.1 */
#define ATTACKER 0x7f000002u /* 127.0.0.2 */

/* docs/auth.md, "Worked example"; the expected values were computed with Python's hashlib and hmac (K with
 * hashlib.pbkdf2_hmac from the passphrase and the salt). */
#define EXAMPLE_KEY        "49d49c25f597846209f0d92e7770ab64e1c75e94b4ce6c509265ee67175d2a1e"
#define EXAMPLE_NONCE      "000102030405060708090a0b0c0d0e0f"
#define EXAMPLE_METHOD     "POST"
#define EXAMPLE_PATH       "/api/v1/jobs?dry_run=1"
#define EXAMPLE_BODY       "{\"image\":\"staged\",\"verify\":true}"
#define EXAMPLE_BODY_HASH  "a0a894d750e667e4184c059c0d8ffe9216c6b7c2ff0f46b0cd75650214aa055f"
#define EXAMPLE_MAC        "9f915087a9677e674de4eacddb7aee51c04523711d299e14ab9296f014e09a11"
#define EXAMPLE_HEADER     "AIRSWD-HMAC-SHA256 nonce=" EXAMPLE_NONCE ", body=" EXAMPLE_BODY_HASH ", mac=" EXAMPLE_MAC
#define EMPTY_BODY_HASH    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

static const uint8_t example_nonce_bytes[SECURE_AUTH_NONCE_SIZE] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
static const uint8_t test_secret[SECURE_AUTH_SECRET_SIZE] = {0x5e, 0xc2, 0xe7};

static void hex_to_bytes(const char *hex, uint8_t *out, size_t len)
{
    assert_int_equal(strlen(hex), 2 * len);
    assert_true(secure_auth_hex_decode(hex, out, len));
}

static void example_key(uint8_t key[SECURE_AUTH_KEY_SIZE])
{
    hex_to_bytes(EXAMPLE_KEY, key, SECURE_AUTH_KEY_SIZE);
}

/* A context holding the example key. */
static void setup_auth(struct secure_auth *auth)
{
    uint8_t key[SECURE_AUTH_KEY_SIZE];
    example_key(key);
    secure_auth_init(auth, key, test_secret);
}

static void issue(struct secure_auth *auth, uint64_t now_us, char nonce_hex[SECURE_AUTH_NONCE_HEX_SIZE])
{
    secure_auth_issue_nonce(auth, now_us, nonce_hex);
}

static void sign(const char *method, const char *path, const char *nonce_hex, const char *body_hash_hex,
                 char header[SECURE_AUTH_HEADER_MAX])
{
    uint8_t key[SECURE_AUTH_KEY_SIZE], body_hash[SECURE_AUTH_HASH_SIZE];
    example_key(key);
    hex_to_bytes(body_hash_hex, body_hash, sizeof body_hash);
    assert_true(secure_auth_sign(key, method, path, nonce_hex, body_hash, header, SECURE_AUTH_HEADER_MAX));
}

/* Issues a nonce at now_us and signs an empty-bodied request with it. */
static void fresh_request(struct secure_auth *auth, uint64_t now_us, const char *method, const char *path,
                          char header[SECURE_AUTH_HEADER_MAX])
{
    char nonce[SECURE_AUTH_NONCE_HEX_SIZE];
    issue(auth, now_us, nonce);
    sign(method, path, nonce, EMPTY_BODY_HASH, header);
}

static enum secure_auth_result verify_from(struct secure_auth *auth, uint32_t source, const char *method,
                                           const char *path, const char *header, uint64_t now_us)
{
    uint32_t retry_after = 99;
    enum secure_auth_result result =
        secure_auth_verify(auth, source, method, path, header, now_us, NULL, &retry_after);
    if (result != SECURE_AUTH_THROTTLED)
        assert_int_equal(retry_after, 0);
    return result;
}

static enum secure_auth_result verify(struct secure_auth *auth, const char *method, const char *path,
                                      const char *header, uint64_t now_us)
{
    return verify_from(auth, OWNER, method, path, header, now_us);
}

/* text with every EXAMPLE_NONCE replaced by nonce and every EXAMPLE_MAC by mac, into out. */
static void rebind(const char *text, const char *nonce, const char *mac, char *out, size_t size)
{
    size_t n = 0;
    while (*text != '\0' && n + 1 < size) {
        const char *with = strncmp(text, EXAMPLE_NONCE, 32) == 0 ? nonce : strncmp(text, EXAMPLE_MAC, 64) == 0 ? mac : NULL;
        if (with != NULL) {
            size_t len = strlen(with);
            assert_true(n + len < size);
            memcpy(out + n, with, len);
            n += len;
            text += len;
        } else {
            out[n++] = *text++;
        }
    }
    out[n] = '\0';
}

/* The example request signed with a nonce the context issued at now_us: its nonce and MAC. */
static void issued_example(struct secure_auth *auth, uint64_t now_us, char nonce[SECURE_AUTH_NONCE_HEX_SIZE],
                           char mac[SECURE_AUTH_HASH_HEX_SIZE])
{
    char header[SECURE_AUTH_HEADER_MAX];
    issue(auth, now_us, nonce);
    sign(EXAMPLE_METHOD, EXAMPLE_PATH, nonce, EXAMPLE_BODY_HASH, header);
    memcpy(mac, strstr(header, "mac=") + 4, 64);
    mac[64] = '\0';
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
    char header[SECURE_AUTH_HEADER_MAX];
    sign(EXAMPLE_METHOD, EXAMPLE_PATH, EXAMPLE_NONCE, EXAMPLE_BODY_HASH, header);
    printf("%s\n", header);
    assert_string_equal(header, EXAMPLE_HEADER);

    /* The same request with a nonce the device issued is admitted, and its body checked. */
    struct secure_auth auth;
    setup_auth(&auth);
    char nonce[SECURE_AUTH_NONCE_HEX_SIZE], mac[SECURE_AUTH_HASH_HEX_SIZE], issued_header[SECURE_AUTH_HEADER_MAX];
    issued_example(&auth, 5 * SECOND, nonce, mac);
    rebind(EXAMPLE_HEADER, nonce, mac, issued_header, sizeof issued_header);
    uint8_t declared[SECURE_AUTH_HASH_SIZE];
    assert_int_equal(secure_auth_verify(&auth, OWNER, EXAMPLE_METHOD, EXAMPLE_PATH, issued_header, 6 * SECOND,
                                        declared, NULL),
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
    fresh_request(&auth, 0, "DELETE", "/api/v1/images/3", header);
    assert_int_equal(verify(&auth, "DELETE", "/api/v1/images/3", header, SECOND), SECURE_AUTH_OK);
    assert_int_equal(verify(&auth, "DELETE", "/api/v1/images/3", header, SECOND), SECURE_AUTH_STALE_NONCE);
    assert_int_equal(verify_from(&auth, ATTACKER, "DELETE", "/api/v1/images/3", header, SECOND),
                     SECURE_AUTH_STALE_NONCE);
}

static void test_upper_case_hex_is_accepted(void **state)
{
    (void)state;
    struct secure_auth auth;
    setup_auth(&auth);
    char nonce[SECURE_AUTH_NONCE_HEX_SIZE], mac[SECURE_AUTH_HASH_HEX_SIZE], header[SECURE_AUTH_HEADER_MAX];
    issued_example(&auth, 0, nonce, mac);
    rebind(EXAMPLE_HEADER, nonce, mac, header, sizeof header);
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
    /* The issue time is kept in whole seconds: a nonce lives its lifetime, and at most one second more. */
    fresh_request(&auth, 10 * SECOND, "GET", "/api/v1/log", header);
    assert_int_equal(verify(&auth, "GET", "/api/v1/log", header, 11 * SECOND + SECURE_AUTH_NONCE_LIFETIME_US + 1),
                     SECURE_AUTH_STALE_NONCE);
    fresh_request(&auth, 10 * SECOND + SECOND / 2, "GET", "/api/v1/log", header);
    assert_int_equal(verify(&auth, "GET", "/api/v1/log", header, 10 * SECOND + SECOND / 2 +
                                                                   SECURE_AUTH_NONCE_LIFETIME_US),
                     SECURE_AUTH_OK);
    /* A clock that went backwards cannot date the nonce. */
    fresh_request(&auth, 10 * SECOND, "GET", "/api/v1/log", header);
    assert_int_equal(verify(&auth, "GET", "/api/v1/log", header, 9 * SECOND), SECURE_AUTH_STALE_NONCE);
}

static void test_forged_nonce_refused(void **state)
{
    (void)state;
    struct secure_auth auth;
    setup_auth(&auth);
    char nonce[SECURE_AUTH_NONCE_HEX_SIZE], header[SECURE_AUTH_HEADER_MAX];
    issue(&auth, 0, nonce);
    /* Made up; the issued one with a later counter or time, or another tag: none was issued. */
    static const char *const forged[] = {"11111111111111111111111111111112", "00000002000000000000000000000000"};
    for (size_t i = 0; i < sizeof forged / sizeof forged[0]; i++) {
        sign("GET", "/api/v1/log", forged[i], EMPTY_BODY_HASH, header);
        assert_int_equal(verify(&auth, "GET", "/api/v1/log", header, 0), SECURE_AUTH_STALE_NONCE);
    }
    for (size_t digit = 0; digit < 32; digit++) {
        char altered[SECURE_AUTH_NONCE_HEX_SIZE];
        memcpy(altered, nonce, sizeof altered);
        altered[digit] = altered[digit] == '0' ? '1' : '0';
        sign("GET", "/api/v1/log", altered, EMPTY_BODY_HASH, header);
        assert_int_equal(verify(&auth, "GET", "/api/v1/log", header, 0), SECURE_AUTH_STALE_NONCE);
    }
    /* A forged nonce never reaches the MAC check, so it does not count as a failure. */
    assert_false(secure_auth_throttled(&auth, OWNER, 0, NULL));
    sign("GET", "/api/v1/log", nonce, EMPTY_BODY_HASH, header);
    assert_int_equal(verify(&auth, "GET", "/api/v1/log", header, 0), SECURE_AUTH_OK);
}

static void test_wrong_key_refused(void **state)
{
    (void)state;
    struct secure_auth auth;
    setup_auth(&auth);
    char nonce[SECURE_AUTH_NONCE_HEX_SIZE], header[SECURE_AUTH_HEADER_MAX];
    issue(&auth, 0, nonce);
    uint8_t other_key[SECURE_AUTH_KEY_SIZE] = {1}, empty[SECURE_AUTH_HASH_SIZE];
    hex_to_bytes(EMPTY_BODY_HASH, empty, sizeof empty);
    assert_true(secure_auth_sign(other_key, "GET", "/api/v1/log", nonce, empty, header, sizeof header));
    assert_int_equal(verify_from(&auth, ATTACKER, "GET", "/api/v1/log", header, 0), SECURE_AUTH_BAD_MAC);
    /* A wrong guess, from anywhere, does not spend the nonce: its owner's request still goes through. */
    sign("GET", "/api/v1/log", nonce, EMPTY_BODY_HASH, header);
    assert_int_equal(verify(&auth, "GET", "/api/v1/log", header, 0), SECURE_AUTH_OK);
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
        char nonce[SECURE_AUTH_NONCE_HEX_SIZE], mac[SECURE_AUTH_HASH_HEX_SIZE];
        issued_example(&auth, 0, nonce, mac);
        char header[SECURE_AUTH_HEADER_MAX];
        snprintf(header, sizeof header, "AIRSWD-HMAC-SHA256 nonce=%s, body=%s, mac=%s", nonce, tampered[i].body_hash,
                 mac);
        assert_int_equal(verify(&auth, tampered[i].method, tampered[i].path, header, 0), SECURE_AUTH_BAD_MAC);
    }
}

/* One request from source signed with the wrong key, with a fresh nonce. */
static enum secure_auth_result fail_once(struct secure_auth *auth, uint32_t source, uint64_t now_us,
                                         uint32_t *retry_after)
{
    char nonce[SECURE_AUTH_NONCE_HEX_SIZE], header[SECURE_AUTH_HEADER_MAX];
    issue(auth, now_us, nonce);
    uint8_t wrong_key[SECURE_AUTH_KEY_SIZE] = {0}, empty[SECURE_AUTH_HASH_SIZE];
    hex_to_bytes(EMPTY_BODY_HASH, empty, sizeof empty);
    assert_true(secure_auth_sign(wrong_key, "GET", "/", nonce, empty, header, sizeof header));
    return secure_auth_verify(auth, source, "GET", "/", header, now_us, NULL, retry_after);
}

static void test_throttle_doubles_and_resets(void **state)
{
    (void)state;
    struct secure_auth auth;
    setup_auth(&auth);
    uint32_t retry_after = 0;
    uint64_t now = 100 * SECOND;
    assert_int_equal(fail_once(&auth, OWNER, now, &retry_after), SECURE_AUTH_BAD_MAC);
    assert_int_equal(fail_once(&auth, OWNER, now, &retry_after), SECURE_AUTH_BAD_MAC);
    assert_int_equal(fail_once(&auth, OWNER, now, &retry_after), SECURE_AUTH_BAD_MAC); /* third: 1 s penalty */
    static const uint32_t windows_s[] = {1, 2, 4, 8, 16, 32, 60, 60, 60};
    for (size_t i = 0; i < sizeof windows_s / sizeof windows_s[0]; i++) {
        uint32_t window = windows_s[i];
        assert_int_equal(fail_once(&auth, OWNER, now, &retry_after), SECURE_AUTH_THROTTLED);
        assert_int_equal(retry_after, window);
        assert_int_equal(fail_once(&auth, OWNER, now + window * SECOND - 1, &retry_after), SECURE_AUTH_THROTTLED);
        assert_int_equal(retry_after, 1);
        /* The window has passed: the next failure opens the next window. */
        now += window * SECOND;
        assert_int_equal(fail_once(&auth, OWNER, now, &retry_after), SECURE_AUTH_BAD_MAC);
    }
    /* Even a correct request from the same source waits out the window... */
    char header[SECURE_AUTH_HEADER_MAX];
    fresh_request(&auth, now, "GET", "/", header);
    assert_int_equal(secure_auth_verify(&auth, OWNER, "GET", "/", header, now, NULL, &retry_after),
                     SECURE_AUTH_THROTTLED);
    assert_int_equal(retry_after, 60);
    /* ...keeps its nonce while throttled, and resets the count when it gets through. */
    now += 60 * SECOND - SECURE_AUTH_NONCE_LIFETIME_US;
    fresh_request(&auth, now, "GET", "/", header);
    now += SECURE_AUTH_NONCE_LIFETIME_US;
    assert_int_equal(verify(&auth, "GET", "/", header, now), SECURE_AUTH_OK);
    assert_int_equal(fail_once(&auth, OWNER, now, &retry_after), SECURE_AUTH_BAD_MAC);
    assert_int_equal(fail_once(&auth, OWNER, now, &retry_after), SECURE_AUTH_BAD_MAC);
    assert_int_equal(fail_once(&auth, OWNER, now, &retry_after), SECURE_AUTH_BAD_MAC);
    assert_int_equal(fail_once(&auth, OWNER, now, &retry_after), SECURE_AUTH_THROTTLED);
    assert_int_equal(retry_after, 1);
}

/* Issue 14, item 4 (a): whatever another address spends on wrong MACs, the owner's correct request is admitted at
 * once, and the guesser stays throttled. */
static void test_throttle_is_per_source(void **state)
{
    (void)state;
    struct secure_auth auth;
    setup_auth(&auth);
    uint32_t retry_after = 0;
    uint64_t now = 100 * SECOND;
    unsigned tested = 0, waits = 0; /* guesses that reached the MAC check; windows the guesser waited out */
    for (unsigned round = 0; round < 200; round++) {
        enum secure_auth_result guess = fail_once(&auth, ATTACKER, now, &retry_after);
        assert_true(guess == SECURE_AUTH_BAD_MAC || guess == SECURE_AUTH_THROTTLED);
        tested += guess == SECURE_AUTH_BAD_MAC;
        char header[SECURE_AUTH_HEADER_MAX];
        fresh_request(&auth, now, "GET", "/api/v1/log", header);
        assert_int_equal(verify(&auth, "GET", "/api/v1/log", header, now), SECURE_AUTH_OK);
        now += SECOND / 2;
        if (round % 4 == 3) { /* the guesser waits out a window now and then: one more guess, a longer window */
            now += 61 * SECOND;
            waits++;
        }
    }
    assert_int_equal(tested, SECURE_AUTH_FAILURES_BEFORE_PENALTY - 1 + waits);
    assert_int_equal(fail_once(&auth, ATTACKER, now, &retry_after), SECURE_AUTH_BAD_MAC);
    assert_true(secure_auth_throttled(&auth, ATTACKER, now, &retry_after));
    assert_int_equal(retry_after, SECURE_AUTH_PENALTY_MAX_S);
    assert_false(secure_auth_throttled(&auth, OWNER, now, NULL));
    /* The setup code's failures go to the same count. */
    secure_auth_record_failure(&auth, OWNER, now);
    secure_auth_record_failure(&auth, OWNER, now);
    secure_auth_record_failure(&auth, OWNER, now);
    assert_true(secure_auth_throttled(&auth, OWNER, now, &retry_after));
    assert_int_equal(retry_after, 1);
    secure_auth_record_success(&auth, OWNER);
    assert_false(secure_auth_throttled(&auth, OWNER, now, NULL));
}

static void test_full_source_table_forgets_the_oldest(void **state)
{
    (void)state;
    struct secure_auth auth;
    setup_auth(&auth);
    uint32_t retry_after;
    for (uint32_t source = 1; source <= SECURE_AUTH_SOURCES + 1; source++)
        for (int i = 0; i < 3; i++)
            fail_once(&auth, source, 100 * SECOND + source, &retry_after);
    assert_false(secure_auth_throttled(&auth, 1, 100 * SECOND + 20, NULL)); /* forgotten for the newest */
    for (uint32_t source = 2; source <= SECURE_AUTH_SOURCES + 1; source++)
        assert_true(secure_auth_throttled(&auth, source, 100 * SECOND + 20, NULL));
}

/* Issue 14, item 4 (b): asking for nonces, however often, pushes no other client's nonce out. */
static void test_nonce_requests_evict_nothing(void **state)
{
    (void)state;
    struct secure_auth auth;
    setup_auth(&auth);
    char owner[SECURE_AUTH_HEADER_MAX], nonce[SECURE_AUTH_NONCE_HEX_SIZE];
    fresh_request(&auth, SECOND, "POST", "/api/v1/jobs", owner);
    for (unsigned i = 0; i < 100000; i++)
        issue(&auth, SECOND, nonce);
    assert_int_equal(verify(&auth, "POST", "/api/v1/jobs", owner, 2 * SECOND), SECURE_AUTH_OK);
}

/* Accepted nonces are remembered in a window below the newest accepted one: out of order is fine, twice is not,
 * and one older than the window is refused (its client fetches a new one). */
static void test_replay_window(void **state)
{
    (void)state;
    struct secure_auth auth;
    setup_auth(&auth);
    char first[SECURE_AUTH_HEADER_MAX], second[SECURE_AUTH_HEADER_MAX], header[SECURE_AUTH_HEADER_MAX];
    fresh_request(&auth, SECOND, "GET", "/", first);
    fresh_request(&auth, SECOND, "GET", "/", second);
    assert_int_equal(verify(&auth, "GET", "/", second, SECOND), SECURE_AUTH_OK);
    assert_int_equal(verify(&auth, "GET", "/", first, SECOND), SECURE_AUTH_OK);
    assert_int_equal(verify(&auth, "GET", "/", first, SECOND), SECURE_AUTH_STALE_NONCE);
    assert_int_equal(verify(&auth, "GET", "/", second, SECOND), SECURE_AUTH_STALE_NONCE);
    char old[SECURE_AUTH_HEADER_MAX];
    fresh_request(&auth, SECOND, "GET", "/", old);
    for (unsigned i = 0; i < SECURE_AUTH_REPLAY_WINDOW; i++) {
        fresh_request(&auth, SECOND, "GET", "/", header);
        assert_int_equal(verify(&auth, "GET", "/", header, SECOND), SECURE_AUTH_OK);
    }
    assert_int_equal(verify(&auth, "GET", "/", old, SECOND), SECURE_AUTH_STALE_NONCE);
    /* After 2^32 nonces the counter starts again, with a window of its own. */
    auth.nonces_issued = UINT32_MAX - 1;
    fresh_request(&auth, SECOND, "GET", "/", first);
    assert_int_equal(verify(&auth, "GET", "/", first, SECOND), SECURE_AUTH_OK);
    fresh_request(&auth, SECOND, "GET", "/", second);
    assert_int_equal(verify(&auth, "GET", "/", second, SECOND), SECURE_AUTH_OK);
    assert_int_equal(verify(&auth, "GET", "/", first, SECOND), SECURE_AUTH_STALE_NONCE);
}

static void test_missing_and_not_configured(void **state)
{
    (void)state;
    struct secure_auth auth;
    secure_auth_init(&auth, NULL, test_secret);
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
    issue(&auth, 0, nonce);
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
    assert_false(secure_auth_throttled(&auth, OWNER, 0, NULL));
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
        char nonce[SECURE_AUTH_NONCE_HEX_SIZE], mac[SECURE_AUTH_HASH_HEX_SIZE], issued[SECURE_AUTH_HEADER_MAX];
        issued_example(&auth, 0, nonce, mac);
        rebind(accepted[i], nonce, mac, issued, sizeof issued);
        assert_int_equal(verify(&auth, EXAMPLE_METHOD, EXAMPLE_PATH, issued, 0), SECURE_AUTH_OK);
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
        char nonce[SECURE_AUTH_NONCE_HEX_SIZE], mac[SECURE_AUTH_HASH_HEX_SIZE], issued[SECURE_AUTH_HEADER_MAX + 64];
        issued_example(&auth, 0, nonce, mac);
        rebind(long_header, nonce, mac, issued, sizeof issued);
        assert_int_equal(verify(&auth, EXAMPLE_METHOD, EXAMPLE_PATH, issued, 0),
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
        cmocka_unit_test(test_forged_nonce_refused),
        cmocka_unit_test(test_wrong_key_refused),
        cmocka_unit_test(test_tampered_requests_refused),
        cmocka_unit_test(test_throttle_doubles_and_resets),
        cmocka_unit_test(test_throttle_is_per_source),
        cmocka_unit_test(test_full_source_table_forgets_the_oldest),
        cmocka_unit_test(test_nonce_requests_evict_nothing),
        cmocka_unit_test(test_replay_window),
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
