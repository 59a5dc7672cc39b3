/*
 * decimal.h - 64-bit numbers in decimal without printf's %llu: the ESP8266 links newlib's nano formatted I/O, which
 * has no long long conversions (tests/cross/build-core.sh refuses them in the core).
 */
#ifndef AIRSWD_DECIMAL_H
#define AIRSWD_DECIMAL_H

#include <stddef.h>
#include <stdint.h>

/* Room for any uint64_t or int64_t in decimal, its sign and the terminating NUL. */
#define DECIMAL_MAX 22

/* Writes value's digits and a NUL to out (DECIMAL_MAX bytes of room); returns the number of characters before the
 * NUL. */
size_t decimal_u64(uint64_t value, char *out);
size_t decimal_i64(int64_t value, char *out);

#endif /* AIRSWD_DECIMAL_H */
