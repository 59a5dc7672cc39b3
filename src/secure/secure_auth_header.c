/*
 * secure_auth_header.c - the strict parser of "Authorization: AIRSWD-HMAC-SHA256 ..." (docs/auth.md, "Header
 * grammar"). It runs on bytes from the network before anything else looks at them, so it is fuzzed
 * (tests/fuzz/fuzz_auth.c) and accepts one spelling only: the scheme, one space, the three parameters in any order,
 * each exactly once, separated by commas with optional spaces, and nothing after the last one.
 */
#include <string.h>

#include "hex.h"
#include "secure/secure_auth.h"

bool secure_auth_hex_decode(const char *hex, uint8_t *out, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        int high = hex_digit_value((unsigned char)hex[2 * i]);
        int low = high < 0 ? -1 : hex_digit_value((unsigned char)hex[2 * i + 1]);
        if (low < 0)
            return false;
        out[i] = (uint8_t)(high << 4 | low);
    }
    return true;
}

struct header_param {
    const char *name; /* with its '=' */
    size_t name_len;
    size_t offset; /* of the decoded bytes in struct secure_auth_header */
    size_t size;   /* decoded bytes: the value is exactly twice as many hex digits */
};

static const struct header_param header_params[] = {
    {"nonce=", 6, offsetof(struct secure_auth_header, nonce), SECURE_AUTH_NONCE_SIZE},
    {"body=", 5, offsetof(struct secure_auth_header, body_sha256), SECURE_AUTH_HASH_SIZE},
    {"mac=", 4, offsetof(struct secure_auth_header, mac), SECURE_AUTH_HASH_SIZE},
};
#define HEADER_PARAM_COUNT (sizeof header_params / sizeof header_params[0])

bool secure_auth_header_parse(const char *value, size_t len, struct secure_auth_header *out)
{
    static const char scheme[] = SECURE_AUTH_SCHEME " ";
    const size_t scheme_len = sizeof scheme - 1;
    if (value == NULL || len > SECURE_AUTH_HEADER_MAX || len < scheme_len || memcmp(value, scheme, scheme_len) != 0)
        return false;
    /* Each parameter is seen once; the value is checked for NUL bytes by the hex decoder. */
    bool seen[HEADER_PARAM_COUNT] = {false};
    size_t pos = scheme_len;
    for (size_t count = 0; count < HEADER_PARAM_COUNT; count++) {
        if (count > 0) {
            if (pos >= len || value[pos] != ',')
                return false;
            pos++;
            while (pos < len && value[pos] == ' ')
                pos++;
        }
        const struct header_param *param = NULL;
        size_t index = 0;
        for (; index < HEADER_PARAM_COUNT; index++) {
            const struct header_param *candidate = &header_params[index];
            if (len - pos >= candidate->name_len && memcmp(value + pos, candidate->name, candidate->name_len) == 0) {
                param = candidate;
                break;
            }
        }
        if (param == NULL || seen[index])
            return false;
        seen[index] = true;
        pos += param->name_len;
        size_t digits = 2 * param->size;
        if (len - pos < digits || !secure_auth_hex_decode(value + pos, (uint8_t *)out + param->offset, param->size))
            return false;
        pos += digits;
    }
    return pos == len;
}
