/*
 * sim_vcd.c - one-character identifiers and one timestamp line per instant that has changes.
 */
#include "sim_vcd.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

struct sim_vcd {
    FILE *file;
    uint64_t time_ns; /* of the last timestamp written */
    bool level[SIM_VCD_SIGNAL_COUNT];
};

static const struct {
    char id;
    const char *name;
} signals[SIM_VCD_SIGNAL_COUNT] = {
    [SIM_VCD_SWCLK] = {'c', "swclk"},
    [SIM_VCD_SWDIO] = {'d', "swdio"},
    [SIM_VCD_NRST] = {'r', "nrst"},
};

struct sim_vcd *sim_vcd_open(const char *path, uint64_t time_ns, const bool initial[SIM_VCD_SIGNAL_COUNT])
{
    struct sim_vcd *vcd = calloc(1, sizeof(*vcd));
    if (vcd == NULL)
        return NULL;
    vcd->file = fopen(path, "w");
    if (vcd->file == NULL) {
        free(vcd);
        return NULL;
    }
    vcd->time_ns = time_ns;
    fputs("$version airswd simulated STM32 $end\n$timescale 1 ns $end\n$scope module target $end\n", vcd->file);
    for (unsigned i = 0; i < SIM_VCD_SIGNAL_COUNT; i++)
        fprintf(vcd->file, "$var wire 1 %c %s $end\n", signals[i].id, signals[i].name);
    fputs("$upscope $end\n$enddefinitions $end\n", vcd->file);
    fprintf(vcd->file, "#%" PRIu64 "\n", time_ns);
    for (unsigned i = 0; i < SIM_VCD_SIGNAL_COUNT; i++) {
        vcd->level[i] = initial[i];
        fprintf(vcd->file, "%d%c\n", initial[i] ? 1 : 0, signals[i].id);
    }
    return vcd;
}

void sim_vcd_set(struct sim_vcd *vcd, uint64_t time_ns, enum sim_vcd_signal signal, bool level)
{
    if (vcd->level[signal] == level)
        return;
    if (time_ns > vcd->time_ns) {
        vcd->time_ns = time_ns;
        fprintf(vcd->file, "#%" PRIu64 "\n", time_ns);
    }
    vcd->level[signal] = level;
    fprintf(vcd->file, "%d%c\n", level ? 1 : 0, signals[signal].id);
}

void sim_vcd_close(struct sim_vcd *vcd, uint64_t end_ns)
{
    if (vcd == NULL)
        return;
    if (end_ns > vcd->time_ns)
        fprintf(vcd->file, "#%" PRIu64 "\n", end_ns);
    fclose(vcd->file);
    free(vcd);
}
