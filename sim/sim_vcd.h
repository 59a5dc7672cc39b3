/*
 * sim_vcd.h - a Value Change Dump writer for the debug pins (IEEE 1364 section 18), timescale 1 ns, as sigrok's
 * VCD input and GTKWave read it. Only changes are written; times never go backwards.
 */
#ifndef SIM_VCD_H
#define SIM_VCD_H

#include <stdbool.h>
#include <stdint.h>

enum sim_vcd_signal { SIM_VCD_SWCLK, SIM_VCD_SWDIO, SIM_VCD_NRST, SIM_VCD_SIGNAL_COUNT };

struct sim_vcd;

/* Writes the header and the initial levels at time_ns; NULL when the file cannot be opened. */
struct sim_vcd *sim_vcd_open(const char *path, uint64_t time_ns, const bool initial[SIM_VCD_SIGNAL_COUNT]);

/* The signal has this level from time_ns on (a time before the last one written is taken as the last one). */
void sim_vcd_set(struct sim_vcd *vcd, uint64_t time_ns, enum sim_vcd_signal signal, bool level);

/* Ends the trace at end_ns (so the last levels have a duration), flushes and closes; NULL is fine. */
void sim_vcd_close(struct sim_vcd *vcd, uint64_t end_ns);

#endif /* SIM_VCD_H */
