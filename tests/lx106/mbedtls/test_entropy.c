/*
 * test_entropy.c - the entropy source of mbedTLS in the test programs on the ESP8266's CPU
 * (MBEDTLS_ENTROPY_HARDWARE_ALT). QEMU's lx106 has no random number generator, and the tests only need signatures
 * that verify, so this is a fixed sequence (xorshift32): NOT ENTROPY. The firmware takes its entropy from the
 * ESP8266's hardware generator instead (the SDK's esp_hardware.c).
 */
#include <stddef.h>
#include <stdint.h>

#include "mbedtls/entropy_poll.h"

int mbedtls_hardware_poll(void *data, unsigned char *output, size_t len, size_t *olen)
{
    (void)data;
    static uint32_t state = 0x2545F491u;
    for (size_t i = 0; i < len; i++) {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        output[i] = (unsigned char)state;
    }
    *olen = len;
    return 0;
}
