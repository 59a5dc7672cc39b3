/*
 * crc32 - CRC-32 of a range of the target's memory, computed by the target (to verify flash without reading it
 * over the wire).
 *   r0 = address of the first byte (any alignment), r1 = length in bytes (0 is allowed),
 *   r2 = the CRC so far: 0 for a fresh CRC, or the result of a previous call to continue it,
 *   r3 = the address of the part's IWDG_KR (0x40003000 on F0-F4, F7, L0-L4, G0, G4; 0x58004800 on H7).
 *   Result: r0 = CRC-32 of the range (IEEE 802.3: reflected polynomial 0xEDB88320, initial value 0xFFFFFFFF,
 *   final xor 0xFFFFFFFF; the value of zlib's crc32()). Chaining holds: crc32(b, crc32(a, 0)) == crc32(a || b, 0).
 * The 1 KB lookup table is built in the stub's .bss at every call (about 2,000 cycles), which keeps the image small
 * on the wire; the stub's RAM is STM32_STUB_CRC32_RAM_SIZE bytes from the load address.
 */
#include <stdint.h>

#define CRC32_POLYNOMIAL 0xEDB88320u

/* The stub refreshes the independent watchdog (its key register in r3) while it runs, because a watchdog frozen for
 * a halted core runs on while the core executes the stub (the hardware watchdog option starts it at every reset).
 * The refresh key only reloads a stopped counter; it never starts the watchdog. */
#define IWDG_KEY_REFRESH 0xAAAAu

uint32_t stub_main(const uint8_t *address, uint32_t length, uint32_t crc, volatile uint32_t *iwdg_kr);

static uint32_t table[256];

/* The table is linear over xor: table[i ^ j] = table[i] ^ table[j]. So each power of two is one step of the bitwise
 * algorithm from the next higher one, and every other entry is the xor of two entries already built. */
static void build_table(void)
{
    uint32_t power = CRC32_POLYNOMIAL; /* table[128] */
    table[0] = 0;
    for (uint32_t bit = 128; bit != 0; bit >>= 1) {
        for (uint32_t j = 0; j < 256; j += 2 * bit)
            table[bit + j] = table[j] ^ power;
        power = (power >> 1) ^ (-(power & 1u) & CRC32_POLYNOMIAL);
    }
}

/* One byte's worth of the reflected CRC, the byte already xored into the low bits of crc. The table offset is
 * formed by two shifts (low byte times 4), which Cortex-M0 does in two instructions where a mask needs three. */
static inline __attribute__((always_inline)) uint32_t crc32_step(uint32_t crc)
{
    return crc >> 8 ^ *(const uint32_t *)((const uint8_t *)table + (crc << 24 >> 22));
}

/* Four bytes, least significant first (the order in memory). */
static inline __attribute__((always_inline)) uint32_t crc32_word(uint32_t crc, uint32_t word)
{
    crc ^= word;
    crc = crc32_step(crc);
    crc = crc32_step(crc);
    crc = crc32_step(crc);
    return crc32_step(crc);
}

uint32_t stub_main(const uint8_t *address, uint32_t length, uint32_t crc, volatile uint32_t *iwdg_kr)
{
    build_table();
    crc = ~crc;
    const uint8_t *end = address + length;
    /* Cortex-M0 has no unaligned word loads: bytes up to the first word boundary, then words. */
    while (address != end && ((uintptr_t)address & 3u) != 0)
        crc = crc32_step(crc ^ *address++);
    const uint32_t *word = (const uint32_t *)address;
    const uint32_t *words_end = word + (uint32_t)(end - address) / 4;
    /* Four words per iteration: the loop's own compare and branch weigh less than 2% of the work. */
    const uint32_t *blocks_end = word + (uint32_t)(words_end - word) / 4 * 4;
    while (word != blocks_end) {
        crc = crc32_word(crc, word[0]);
        crc = crc32_word(crc, word[1]);
        crc = crc32_word(crc, word[2]);
        crc = crc32_word(crc, word[3]);
        word += 4;
        *iwdg_kr = IWDG_KEY_REFRESH;
    }
    while (word != words_end)
        crc = crc32_word(crc, *word++);
    address = (const uint8_t *)word;
    while (address != end)
        crc = crc32_step(crc ^ *address++);
    return ~crc;
}
