/*
 * sim_clock.h - the simulated timeline in picoseconds. Time is counted as whole SWCLK cycles since a base instant
 * and converted with integer arithmetic, so a million cycles at 3 MHz are exactly 1/3 s later, never a rounding
 * error that grows with the run. Changing the frequency or idling moves the base.
 */
#ifndef SIM_CLOCK_H
#define SIM_CLOCK_H

#include <stdint.h>

#define SIM_CLOCK_PS_PER_SECOND UINT64_C(1000000000000)

struct sim_clock {
    uint64_t base_ps;
    uint64_t cycles_since_base;
    uint64_t total_cycles;
    uint32_t hz;
};

void sim_clock_init(struct sim_clock *clock, uint32_t hz);
uint64_t sim_clock_now_ps(const struct sim_clock *clock);
/* One SWCLK period passes. */
void sim_clock_tick(struct sim_clock *clock);
/* Time passes without clocking. */
void sim_clock_advance_ps(struct sim_clock *clock, uint64_t ps);
/* hz 0 is ignored. */
void sim_clock_set_hz(struct sim_clock *clock, uint32_t hz);

#endif /* SIM_CLOCK_H */
