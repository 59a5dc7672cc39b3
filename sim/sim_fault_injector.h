/*
 * sim_fault_injector.h - the state behind sim_faults.h: draws the bit flips and WAIT storms of one target and keeps
 * the counters. The wire front end decides which field a flip fell in; this module only tallies.
 */
#ifndef SIM_FAULT_INJECTOR_H
#define SIM_FAULT_INJECTOR_H

#include <stdbool.h>

#include "sim_faults.h"
#include "sim_prng.h"

/* The fields of an SWD packet that the counters tell apart. */
enum sim_fault_field {
    SIM_FAULT_FIELD_REQUEST,
    SIM_FAULT_FIELD_ACK,
    SIM_FAULT_FIELD_WRITE_DATA,
    SIM_FAULT_FIELD_READ_DATA,
};

struct sim_fault_injector {
    struct sim_fault_config config;
    struct sim_prng prng;
    struct sim_fault_stats stats;
    unsigned storm_waits_left;
};

/* Starts with injection off and zero counters. */
void sim_fault_injector_init(struct sim_fault_injector *injector);

/* Reseeds and applies a new configuration (NULL: off). A running storm ends; the counters keep accumulating, so a
 * test can switch injection on for a few cycles and read what it did. */
void sim_fault_injector_configure(struct sim_fault_injector *injector, const struct sim_fault_config *config);

/* One driven bit goes over the wire: true when noise flips it (counted in flipped_bits). */
bool sim_fault_injector_flip(struct sim_fault_injector *injector);

/* A flip that fell outside every packet field (idle cycles, line sequences, ignored cycles). */
void sim_fault_injector_count_stray_flip(struct sim_fault_injector *injector);

/* A packet field is complete: `flips` flips fell in it, `covered_flips` of them on bits its parity bit covers
 * (the parity bit included). */
void sim_fault_injector_count_field(struct sim_fault_injector *injector, enum sim_fault_field field, unsigned flips,
                                    unsigned covered_flips);

/* An AP access or RDBUFF read arrives: true when the port must answer WAIT and do nothing. */
bool sim_fault_injector_wait_storm(struct sim_fault_injector *injector);

#endif /* SIM_FAULT_INJECTOR_H */
