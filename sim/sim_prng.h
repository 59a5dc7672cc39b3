/*
 * sim_prng.h - the simulator's pseudo-random generator: xoshiro256** seeded through splitmix64, so that one 64-bit
 * seed reproduces a whole run on every host. Not for anything that needs unpredictability.
 */
#ifndef SIM_PRNG_H
#define SIM_PRNG_H

#include <stdbool.h>
#include <stdint.h>

struct sim_prng {
    uint64_t state[4];
};

void sim_prng_seed(struct sim_prng *prng, uint64_t seed);
uint64_t sim_prng_next(struct sim_prng *prng);

/* true with the given probability (<= 0 never, >= 1 always); draws exactly one number either way. */
bool sim_prng_chance(struct sim_prng *prng, double probability);

/* Uniform in [1, max] (max 0 is taken as 1); draws exactly one number. */
unsigned sim_prng_between_1_and(struct sim_prng *prng, unsigned max);

#endif /* SIM_PRNG_H */
