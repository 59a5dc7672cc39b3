/*
 * decimal.c - 64-bit numbers in decimal (decimal.h).
 */
#include "decimal.h"

size_t decimal_u64(uint64_t value, char *out)
{
    char reversed[DECIMAL_MAX];
    size_t len = 0;
    do {
        reversed[len++] = (char)('0' + value % 10u);
        value /= 10u;
    } while (value != 0);
    for (size_t i = 0; i < len; i++)
        out[i] = reversed[len - 1 - i];
    out[len] = '\0';
    return len;
}

size_t decimal_i64(int64_t value, char *out)
{
    if (value >= 0)
        return decimal_u64((uint64_t)value, out);
    out[0] = '-';
    /* The magnitude in unsigned arithmetic, which INT64_MIN also has. */
    return 1 + decimal_u64(0u - (uint64_t)value, out + 1);
}
