/*
 * cli_target.c - turns a --target description into an opened target and the HAL that reaches it.
 */
#include "cli.h"

#include <stdio.h>
#include <string.h>

#define CLI_DEFAULT_SIM_PART "stm32f103c8"

static void cli_list_parts(void)
{
    fprintf(stderr, "simulated parts:");
    for (unsigned i = 0; i < sim_part_count; i++)
        fprintf(stderr, " %s", sim_parts[i].name);
    fprintf(stderr, "\n");
}

static bool cli_open_sim(struct cli_target *target, const char *part, const struct cli_options *options)
{
    target->sim = sim_stm32_create(part, options->swclk_hz);
    if (!target->sim) {
        fprintf(stderr, "airswd: unknown simulated part '%s'\n", part);
        cli_list_parts();
        return false;
    }
    if (options->trace_path && !sim_target_trace_vcd(target->sim->target, options->trace_path)) {
        fprintf(stderr, "airswd: cannot write trace file %s\n", options->trace_path);
        return false;
    }
    port_sim_init(&target->sim_port, target->sim->target, true);
    target->swd_pins = &target->sim_port.swd;
    target->system = &target->sim_port.system;
    snprintf(target->description, sizeof target->description, "sim:%s (simulated, SWCLK %.3f MHz)", part,
             sim_target_swclk_hz(target->sim->target) / 1e6);
    return true;
}

bool cli_target_open(struct cli_target *target, const struct cli_options *options)
{
    memset(target, 0, sizeof *target);
    port_host_system(&target->host_system);
    const char *spec = options->target;

    bool opened = false;
    if (strcmp(spec, "sim") == 0) {
        opened = cli_open_sim(target, CLI_DEFAULT_SIM_PART, options);
    } else if (strncmp(spec, "sim:", 4) == 0) {
        opened = cli_open_sim(target, spec + 4, options);
    } else if (strcmp(spec, "unwired") == 0) {
        port_unwired_init(&target->unwired_port);
        target->swd_pins = &target->unwired_port.swd;
        target->system = &target->host_system;
        snprintf(target->description, sizeof target->description, "unwired (SWD pins with nothing attached)");
        opened = true;
    } else {
        fprintf(stderr, "airswd: unknown target '%s' (expected sim[:PART] or unwired)\n", spec);
    }
    if (!opened) {
        cli_target_close(target);
        return false;
    }
    swd_init(&target->swd, target->swd_pins, target->system, &target->report);
    if (options->swclk_hz && target->swd_pins->set_clock_hz)
        swd_set_clock_hz(&target->swd, options->swclk_hz);
    return true;
}

void cli_target_close(struct cli_target *target)
{
    if (target->sim) {
        sim_target_trace_stop(target->sim->target);
        sim_stm32_destroy(target->sim);
        target->sim = NULL;
    }
}

void cli_print_failure(const struct cli_target *target, const char *what)
{
    char text[AIRSWD_STATUS_DETAIL_MAX + 256];
    fprintf(stderr, "airswd: %s: %s\n", what, status_format(&target->report, text, sizeof text));
}
