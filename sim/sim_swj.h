/*
 * sim_swj.h - the SWJ-DP's pin sharing: which protocol owns SWDIO/TMS (JTAG, SWD, or neither while dormant), and
 * the detectors of the line sequences that switch between them (ADIv5.2 B5.2 and B5.3):
 *   JTAG -> SWD      >= 50 ones, 0xE79E (16 bits, LSB first)
 *   SWD -> JTAG      >= 50 ones, 0xE73C
 *   SWD -> dormant   >= 50 ones, 0xE3BC              (dormant-capable SWJ-DP only)
 *   JTAG -> dormant  >= 5 ones, 0x33BBBBBA (31 bits)  (dormant-capable only)
 *   dormant -> SWD   >= 8 ones, 128-bit selection alert, 4 zeros, SW-DP activation code 0x1A (8 bits)
 * A 16-bit select sequence is captured from the first 0 after at least 50 ones. It is fed the bits the target
 * samples; the SW-DP packet parser sees the same bits in parallel.
 */
#ifndef SIM_SWJ_H
#define SIM_SWJ_H

#include <stdbool.h>
#include <stdint.h>

#include "sim_target.h"

#define SIM_SWJ_SELECT_MIN_HIGH 50u
#define SIM_SWJ_JTAG_TO_SWD     0xE79Eu
#define SIM_SWJ_SWD_TO_JTAG     0xE73Cu
#define SIM_SWJ_SWD_TO_DORMANT  0xE3BCu

/* The last sampled bits, newest in the top bit of the last word; long enough for the dormant wake-up. */
#define SIM_SWJ_WINDOW_WORDS 3

struct sim_swj_pattern {
    uint64_t value[SIM_SWJ_WINDOW_WORDS];
    uint64_t mask[SIM_SWJ_WINDOW_WORDS];
};

struct sim_swj {
    enum sim_swj_mode mode;
    bool dormant_capable;
    unsigned high_run;    /* consecutive sampled ones, saturating */
    unsigned select_bits; /* bits of a select sequence captured so far; 0 when not capturing */
    uint16_t select;
    uint64_t window[SIM_SWJ_WINDOW_WORDS];
    struct sim_swj_pattern dormant_to_swd;
    struct sim_swj_pattern jtag_to_dormant;
};

void sim_swj_init(struct sim_swj *swj, enum sim_swj_mode mode, bool dormant_capable);

/* One bit sampled on SWDIO. Returns true when it completed a sequence that changed the mode. */
bool sim_swj_sample(struct sim_swj *swj, bool bit);

/* The target drove SWDIO on this edge: no host sequence runs through it. */
void sim_swj_interrupt(struct sim_swj *swj);

/* Consecutive ones sampled up to now (the SW-DP's line reset needs 50). */
unsigned sim_swj_high_run(const struct sim_swj *swj);

#endif /* SIM_SWJ_H */
