/*
 * main.c - the airswd command line.
 */
#include "cli.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *out)
{
    fprintf(out,
            "usage: airswd [--target TARGET] [--swclk HZ] [--trace FILE.vcd] COMMAND [ARGS]\n"
            "\n"
            "targets:\n"
            "  sim[:PART]   a simulated STM32 (default sim:stm32f103c8)\n"
            "  unwired      SWD pins with nothing attached (to see how failures are reported)\n"
            "\n"
            "commands:\n"
            "  probe [ADDRESS [WORDS]]   identify the debug port and access port, read memory\n");
}

int main(int argc, char **argv)
{
    struct cli_options options = {.target = "sim"};
    static const struct option long_options[] = {
        {"target", required_argument, NULL, 't'}, {"swclk", required_argument, NULL, 's'},
        {"trace", required_argument, NULL, 'v'},  {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int option;
    while ((option = getopt_long(argc, argv, "+t:h", long_options, NULL)) != -1) {
        switch (option) {
        case 't': options.target = optarg; break;
        case 's': {
            char *end;
            unsigned long hz = strtoul(optarg, &end, 0);
            if (*end != '\0' || hz == 0 || hz > 100000000ul) {
                fprintf(stderr, "airswd: --swclk wants a frequency in Hz, 1 to 100000000\n");
                return 2;
            }
            options.swclk_hz = (uint32_t)hz;
            break;
        }
        case 'v': options.trace_path = optarg; break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (optind >= argc) {
        usage(stderr);
        return 2;
    }
    const char *command = argv[optind];
    if (strcmp(command, "probe") != 0) {
        fprintf(stderr, "airswd: unknown command '%s'\n", command);
        usage(stderr);
        return 2;
    }

    port_host_catch_interrupts();
    struct cli_target target;
    if (!cli_target_open(&target, &options))
        return 2;
    int result = cmd_probe(&target, argc - optind - 1, argv + optind + 1);
    cli_target_close(&target);
    return result;
}
