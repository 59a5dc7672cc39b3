/*
 * sim_faults.h - the fault injector of the simulated wire: bit errors and WAIT storms, reproducible from a seed.
 *
 * Bit errors flip a bit that somebody drives on SWDIO (host or target) with a given probability, as noise on a
 * long cable would; a bit nobody drives (the pull-up during a turnaround) is never flipped. A flipped host bit is
 * what the target samples; a flipped target bit is what the host reads. WAIT storms make the debug port answer
 * WAIT to AP accesses and RDBUFF reads for a run of consecutive packets, as a busy bus would.
 *
 * Counters say what was injected, so a test can compare them with what the host detected. SWD protects a request
 * and each data word with a single even-parity bit, so an even number of flips inside one protected field cannot
 * be seen on the wire: such events are counted apart as parity_blind.
 */
#ifndef SIM_FAULTS_H
#define SIM_FAULTS_H

#include <stdint.h>

struct sim_fault_config {
    uint64_t seed;
    double bit_error_rate;     /* probability that one driven bit is flipped, 0 = off */
    double wait_storm_rate;    /* probability that an AP access or RDBUFF read starts a WAIT storm, 0 = off */
    unsigned wait_storm_max;   /* a storm is 1..wait_storm_max WAIT answers, uniformly */
};

struct sim_fault_stats {
    uint64_t flipped_bits;          /* every flip, wherever it fell */
    uint64_t corrupted_requests;    /* request headers the target received with at least one flipped bit */
    uint64_t corrupted_acks;        /* ACK phases the host received with at least one flipped bit */
    uint64_t corrupted_write_data;  /* write data phases (32 bits + parity) with at least one flipped bit */
    uint64_t corrupted_read_data;   /* read data phases (32 bits + parity) with at least one flipped bit */
    uint64_t corrupted_other;       /* flips in idle cycles and line sequences */
    uint64_t parity_blind;          /* request headers or data phases whose flips left the parity valid */
    uint64_t wait_storms;
    uint64_t injected_waits;
};

#endif /* SIM_FAULTS_H */
