/*
 * cli.h - shared pieces of the airswd command line: options, the opened target, and the commands.
 */
#ifndef AIRSWD_CLI_H
#define AIRSWD_CLI_H

#include <stdbool.h>
#include <stdint.h>

#include "adi/adi_mem_ap.h"
#include "port_host.h"
#include "port_sim.h"
#include "port_unwired.h"
#include "sim_stm32.h"
#include "swd/swd.h"

struct cli_options {
    const char *target;     /* --target: "sim[:PART]" or "unwired" */
    uint32_t swclk_hz;      /* --swclk, 0 = the port's default */
    const char *trace_path; /* --trace: VCD of the simulated wire */
};

/* A target opened from its --target description, with the HAL that reaches it. */
struct cli_target {
    char description[96];
    struct sim_stm32 *sim;            /* simulated targets only */
    struct port_sim sim_port;
    struct port_unwired unwired_port;
    struct hal_system host_system;
    const struct hal_swd *swd_pins;
    const struct hal_system *system;
    struct status_report report;
    struct swd swd;
};

/* Opens the target; prints the reason and returns false when it cannot. */
bool cli_target_open(struct cli_target *target, const struct cli_options *options);
void cli_target_close(struct cli_target *target);

/* Prints "airswd: <what>: <detail>: <message>" for a failed status. */
void cli_print_failure(const struct cli_target *target, const char *what);

int cmd_probe(struct cli_target *target, int argc, char **argv);

#endif /* AIRSWD_CLI_H */
