/*
 * byte_order.h - little-endian fields in byte buffers: what the formats on flash are made of (docs/store.md,
 * docs/persist.md). Byte by byte, so that neither the host's byte order nor its alignment rules matter.
 */
#ifndef AIRSWD_BYTE_ORDER_H
#define AIRSWD_BYTE_ORDER_H

#include <stdint.h>

static inline void le_put_u16(uint8_t *at, uint16_t value)
{
    at[0] = (uint8_t)value;
    at[1] = (uint8_t)(value >> 8);
}

static inline uint16_t le_get_u16(const uint8_t *at)
{
    return (uint16_t)(at[0] | at[1] << 8);
}

static inline void le_put_u32(uint8_t *at, uint32_t value)
{
    at[0] = (uint8_t)value;
    at[1] = (uint8_t)(value >> 8);
    at[2] = (uint8_t)(value >> 16);
    at[3] = (uint8_t)(value >> 24);
}

static inline uint32_t le_get_u32(const uint8_t *at)
{
    return (uint32_t)at[0] | (uint32_t)at[1] << 8 | (uint32_t)at[2] << 16 | (uint32_t)at[3] << 24;
}

#endif /* AIRSWD_BYTE_ORDER_H */
