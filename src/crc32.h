/*
 * crc32.h - CRC-32 as zlib computes it (IEEE 802.3, reflected polynomial 0xEDB88320), chainable:
 * crc32_update(crc32_update(0, a), b) == crc32 of a followed by b. The same function as the target's CRC stub, so
 * that flash can be verified without reading it back.
 */
#ifndef AIRSWD_CRC32_H
#define AIRSWD_CRC32_H

#include <stddef.h>
#include <stdint.h>

/* crc: 0 for a fresh CRC, or the result of a previous call. */
uint32_t crc32_update(uint32_t crc, const uint8_t *bytes, size_t len);

#endif /* AIRSWD_CRC32_H */
