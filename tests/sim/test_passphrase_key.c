/*
 * test_passphrase_key.c - ports/linux/passphrase_key.c, the CLI's derivation of K (mbedTLS): the worked example of
 * docs/auth.md (whose K tests/tools/test_auth_vector.sh checks with Python's hashlib.pbkdf2_hmac), and that the salt
 * and every byte of the passphrase matter.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "passphrase_key.h"

static void hex_to_bytes(const char *hex, uint8_t *out, size_t len)
{
    assert_int_equal(strlen(hex), 2 * len);
    assert_true(secure_auth_hex_decode(hex, out, len));
}

static void test_worked_example_of_docs(void **state)
{
    (void)state;
    uint8_t salt[SECURE_AUTH_SALT_SIZE], key[SECURE_AUTH_KEY_SIZE], expected[SECURE_AUTH_KEY_SIZE];
    hex_to_bytes("000102030405060708090a0b0c0d0e0f", salt, sizeof salt);
    hex_to_bytes("49d49c25f597846209f0d92e7770ab64e1c75e94b4ce6c509265ee67175d2a1e", expected, sizeof expected);
    const char *passphrase = "correct horse battery staple";
    assert_true(passphrase_key_derive(passphrase, strlen(passphrase), salt, key));
    assert_memory_equal(key, expected, sizeof key);
}

static void test_salt_and_passphrase_matter(void **state)
{
    (void)state;
    uint8_t salt[SECURE_AUTH_SALT_SIZE] = {0}, first[SECURE_AUTH_KEY_SIZE], second[SECURE_AUTH_KEY_SIZE];
    assert_true(passphrase_key_derive("same passphrase", 15, salt, first));
    salt[15] = 1;
    assert_true(passphrase_key_derive("same passphrase", 15, salt, second));
    assert_memory_not_equal(first, second, sizeof first);
    assert_true(passphrase_key_derive("same passphrasE", 15, salt, first));
    assert_memory_not_equal(first, second, sizeof first);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_worked_example_of_docs),
        cmocka_unit_test(test_salt_and_passphrase_matter),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
