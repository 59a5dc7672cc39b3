/*
 * sim_fault_injector.c - random draws happen only while the matching rate is non-zero, so a run without faults
 * consumes nothing and a run with faults depends only on the seed and on what the host does.
 */
#include "sim_fault_injector.h"

#include <string.h>

void sim_fault_injector_init(struct sim_fault_injector *injector)
{
    memset(injector, 0, sizeof(*injector));
    sim_prng_seed(&injector->prng, 0);
}

void sim_fault_injector_configure(struct sim_fault_injector *injector, const struct sim_fault_config *config)
{
    if (config != NULL)
        injector->config = *config;
    else
        memset(&injector->config, 0, sizeof(injector->config));
    sim_prng_seed(&injector->prng, injector->config.seed);
    injector->storm_waits_left = 0;
}

bool sim_fault_injector_flip(struct sim_fault_injector *injector)
{
    if (injector->config.bit_error_rate <= 0.0)
        return false;
    if (!sim_prng_chance(&injector->prng, injector->config.bit_error_rate))
        return false;
    injector->stats.flipped_bits++;
    return true;
}

void sim_fault_injector_count_stray_flip(struct sim_fault_injector *injector)
{
    injector->stats.corrupted_other++;
}

void sim_fault_injector_count_field(struct sim_fault_injector *injector, enum sim_fault_field field, unsigned flips,
                                    unsigned covered_flips)
{
    if (flips == 0)
        return;
    struct sim_fault_stats *stats = &injector->stats;
    switch (field) {
    case SIM_FAULT_FIELD_REQUEST: stats->corrupted_requests++; break;
    case SIM_FAULT_FIELD_ACK: stats->corrupted_acks++; break;
    case SIM_FAULT_FIELD_WRITE_DATA: stats->corrupted_write_data++; break;
    case SIM_FAULT_FIELD_READ_DATA: stats->corrupted_read_data++; break;
    }
    /* One even-parity bit cannot see an even number of flips among the bits it covers. */
    if (field != SIM_FAULT_FIELD_ACK && covered_flips != 0 && covered_flips % 2 == 0)
        stats->parity_blind++;
}

bool sim_fault_injector_wait_storm(struct sim_fault_injector *injector)
{
    if (injector->storm_waits_left == 0) {
        if (injector->config.wait_storm_rate <= 0.0)
            return false;
        if (!sim_prng_chance(&injector->prng, injector->config.wait_storm_rate))
            return false;
        injector->storm_waits_left = sim_prng_between_1_and(&injector->prng, injector->config.wait_storm_max);
        injector->stats.wait_storms++;
    }
    injector->storm_waits_left--;
    injector->stats.injected_waits++;
    return true;
}
