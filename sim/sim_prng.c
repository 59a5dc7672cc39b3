/*
 * sim_prng.c - xoshiro256** (Blackman and Vigna), state expanded from the seed with splitmix64 as its authors
 * recommend, which also guarantees a non-zero state for every seed.
 */
#include "sim_prng.h"

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += UINT64_C(0x9E3779B97F4A7C15));
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

static uint64_t rotate_left(uint64_t x, unsigned k)
{
    return (x << k) | (x >> (64 - k));
}

void sim_prng_seed(struct sim_prng *prng, uint64_t seed)
{
    for (unsigned i = 0; i < 4; i++)
        prng->state[i] = splitmix64(&seed);
}

uint64_t sim_prng_next(struct sim_prng *prng)
{
    uint64_t *s = prng->state;
    uint64_t result = rotate_left(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotate_left(s[3], 45);
    return result;
}

bool sim_prng_chance(struct sim_prng *prng, double probability)
{
    /* The top 53 bits make a double in [0, 1) without rounding. */
    double draw = (double)(sim_prng_next(prng) >> 11) * 0x1.0p-53;
    return draw < probability;
}

unsigned sim_prng_between_1_and(struct sim_prng *prng, unsigned max)
{
    uint64_t draw = sim_prng_next(prng);
    return max <= 1 ? 1 : 1 + (unsigned)(draw % max);
}
