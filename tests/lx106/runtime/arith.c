/*
 * arith.c - the integer division and 64-bit multiply helpers that the ESP8266's ROM provides to the firmware
 * (mapped by the SDK's esp8266.rom.ld) and that Debian's libgcc for xtensa-lx106 lacks. Only the test programs
 * under QEMU link these: there is no ROM there. The CPU has a 32-bit multiply (MULL) and no divide.
 */
#include <stdint.h>

uint32_t __udivsi3(uint32_t dividend, uint32_t divisor);
uint32_t __umodsi3(uint32_t dividend, uint32_t divisor);
int32_t __divsi3(int32_t dividend, int32_t divisor);
uint64_t __udivdi3(uint64_t dividend, uint64_t divisor);
uint64_t __umoddi3(uint64_t dividend, uint64_t divisor);
int64_t __divdi3(int64_t dividend, int64_t divisor);
uint64_t __muldi3(uint64_t a, uint64_t b);
uint64_t __umulsidi3(uint32_t a, uint32_t b);
/* In Debian's libgcc. */
uint64_t __udivmoddi4(uint64_t dividend, uint64_t divisor, uint64_t *remainder);

/* Restoring division, one quotient bit per step, from the divisor shifted under the dividend's top bit (NSAU
 * counts the leading zeros), so that a step is spent on each bit the quotient can have, not on all 32. A zero
 * divisor gives all ones, as the ROM's does. */
static uint32_t divide32(uint32_t dividend, uint32_t divisor, uint32_t *remainder)
{
    if (divisor == 0) {
        *remainder = dividend;
        return UINT32_MAX;
    }
    if (divisor > dividend) {
        *remainder = dividend;
        return 0;
    }
    int shift = __builtin_clz(divisor) - __builtin_clz(dividend);
    uint32_t quotient = 0, rest = dividend, step = divisor << shift;
    for (int bit = shift; bit >= 0; bit--, step >>= 1) {
        if (rest >= step) {
            rest -= step;
            quotient |= 1u << bit;
        }
    }
    *remainder = rest;
    return quotient;
}

uint32_t __udivsi3(uint32_t dividend, uint32_t divisor)
{
    uint32_t remainder;
    return divide32(dividend, divisor, &remainder);
}

uint32_t __umodsi3(uint32_t dividend, uint32_t divisor)
{
    uint32_t remainder;
    divide32(dividend, divisor, &remainder);
    return remainder;
}

int32_t __divsi3(int32_t dividend, int32_t divisor)
{
    uint32_t remainder;
    uint32_t magnitude = divide32(dividend < 0 ? 0u - (uint32_t)dividend : (uint32_t)dividend,
                                  divisor < 0 ? 0u - (uint32_t)divisor : (uint32_t)divisor, &remainder);
    return (dividend < 0) != (divisor < 0) ? (int32_t)(0u - magnitude) : (int32_t)magnitude;
}

uint64_t __udivdi3(uint64_t dividend, uint64_t divisor)
{
    return __udivmoddi4(dividend, divisor, 0);
}

uint64_t __umoddi3(uint64_t dividend, uint64_t divisor)
{
    uint64_t remainder;
    __udivmoddi4(dividend, divisor, &remainder);
    return remainder;
}

int64_t __divdi3(int64_t dividend, int64_t divisor)
{
    uint64_t magnitude = __udivmoddi4(dividend < 0 ? 0u - (uint64_t)dividend : (uint64_t)dividend,
                                      divisor < 0 ? 0u - (uint64_t)divisor : (uint64_t)divisor, 0);
    return (dividend < 0) != (divisor < 0) ? (int64_t)(0u - magnitude) : (int64_t)magnitude;
}

/* The full product of two 32-bit numbers from 16-bit pieces, since MULL gives only the low 32 bits of a product. */
uint64_t __umulsidi3(uint32_t a, uint32_t b)
{
    uint32_t a0 = a & 0xFFFFu, a1 = a >> 16, b0 = b & 0xFFFFu, b1 = b >> 16;
    return (uint64_t)(a0 * b0) + ((uint64_t)(a1 * b0) << 16) + ((uint64_t)(a0 * b1) << 16) +
           ((uint64_t)(a1 * b1) << 32);
}

/* The low 64 bits of a * b. */
uint64_t __muldi3(uint64_t a, uint64_t b)
{
    uint32_t a_low = (uint32_t)a, b_low = (uint32_t)b;
    uint32_t cross = (uint32_t)(a >> 32) * b_low + a_low * (uint32_t)(b >> 32);
    return __umulsidi3(a_low, b_low) + ((uint64_t)cross << 32);
}
