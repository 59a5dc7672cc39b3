/*
 * sim_clock.c - cycles * 1e12 / hz without overflow: whole seconds first, then the remainder in two steps of 1e6,
 * each of which stays below 2^32 * 1e6 < 2^64.
 */
#include "sim_clock.h"

#define MICRO UINT64_C(1000000)

static uint64_t cycles_to_ps(uint64_t cycles, uint32_t hz)
{
    uint64_t seconds = cycles / hz;
    uint64_t remainder = cycles % hz;
    uint64_t scaled = remainder * MICRO;
    uint64_t high = scaled / hz;
    uint64_t low = (scaled % hz) * MICRO / hz;
    return seconds * SIM_CLOCK_PS_PER_SECOND + high * MICRO + low;
}

void sim_clock_init(struct sim_clock *clock, uint32_t hz)
{
    *clock = (struct sim_clock){.hz = hz == 0 ? 1 : hz};
}

uint64_t sim_clock_now_ps(const struct sim_clock *clock)
{
    return clock->base_ps + cycles_to_ps(clock->cycles_since_base, clock->hz);
}

void sim_clock_tick(struct sim_clock *clock)
{
    clock->cycles_since_base++;
    clock->total_cycles++;
}

static void rebase(struct sim_clock *clock)
{
    clock->base_ps = sim_clock_now_ps(clock);
    clock->cycles_since_base = 0;
}

void sim_clock_advance_ps(struct sim_clock *clock, uint64_t ps)
{
    rebase(clock);
    clock->base_ps += ps;
}

void sim_clock_set_hz(struct sim_clock *clock, uint32_t hz)
{
    if (hz == 0)
        return;
    rebase(clock);
    clock->hz = hz;
}
