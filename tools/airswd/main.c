/*
 * main.c - the airswd command line.
 */
#include "cli.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Global options given after the command: --json works anywhere (no command has an option of that name); the others
 * choose how the command is run, so they are refused with where they go. Returns false after saying so. */
static bool take_late_options(struct cli_options *options, const char *command, int *argc, char **argv)
{
    static const char *const global[] = {"--target", "--swclk", "--trace", "--device", "--passphrase-file"};
    int kept = 0;
    for (int i = 0; i < *argc; i++) {
        if (strcmp(argv[i], "--json") == 0) {
            options->json = true;
            continue;
        }
        for (size_t g = 0; g < sizeof global / sizeof global[0]; g++) {
            bool own = strcmp(command, "sign") == 0 && strcmp(argv[i], "--target") == 0; /* sign's part */
            if (strcmp(argv[i], global[g]) == 0 && !own) {
                fprintf(stderr, "airswd: %s goes before the command: airswd %s ... %s ...\n", argv[i], argv[i],
                        command);
                return false;
            }
        }
        argv[kept++] = argv[i];
    }
    *argc = kept;
    return true;
}

static int run(int argc, char **argv, struct cli_options *options, const char **command_out)
{
    static const struct option long_options[] = {
        {"target", required_argument, NULL, 't'}, {"swclk", required_argument, NULL, 's'},
        {"trace", required_argument, NULL, 'v'},  {"help", no_argument, NULL, 'h'},
        {"json", no_argument, NULL, 'j'},         {"device", required_argument, NULL, 'd'},
        {"passphrase-file", required_argument, NULL, 'p'}, {"version", no_argument, NULL, 'V'},
        {NULL, 0, NULL, 0},
    };
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "--json") == 0) /* before anything can fail: every failure is an object */
            cli_report_start(true);
    bool local_target_given = false;
    int option;
    while ((option = getopt_long(argc, argv, "+t:h", long_options, NULL)) != -1) {
        switch (option) {
        case 't': options->target = optarg; local_target_given = true; break;
        case 's': {
            char *end;
            unsigned long hz = strtoul(optarg, &end, 0);
            if (*end != '\0' || hz == 0 || hz > 100000000ul) {
                fprintf(stderr, "airswd: --swclk wants a frequency in Hz, 1 to 100000000\n");
                return 2;
            }
            options->swclk_hz = (uint32_t)hz;
            local_target_given = true;
            break;
        }
        case 'v': options->trace_path = optarg; local_target_given = true; break;
        case 'j': options->json = true; break;
        case 'd': options->device = optarg; break;
        case 'p': options->passphrase_file = optarg; break;
        case 'h': cli_usage(stdout); return 0;
        case 'V':
            printf(cli_report_json() ? "{\"ok\":true,\"version\":\"%s\"}\n" : "airswd %s\n", AIRSWD_VERSION);
            return 0;
        default: cli_usage(stderr); return 2;
        }
    }
    if (optind >= argc) {
        cli_usage(stderr);
        return 2;
    }
    const char *command = *command_out = argv[optind];
    int command_argc = argc - optind - 1;
    char **command_argv = argv + optind + 1;
    if (command_argc == 1 && (strcmp(command_argv[0], "--help") == 0 || strcmp(command_argv[0], "-h") == 0)) {
        if (cli_usage_command(stdout, command))
            return 0;
        fprintf(stderr, "airswd: unknown command '%s' (airswd --help lists them)\n", command);
        return 2;
    }
    if (!take_late_options(options, command, &command_argc, command_argv))
        return 2;
    if (options->device != NULL && local_target_given) {
        fprintf(stderr, "airswd: --target, --swclk and --trace choose a local target; with --device the device's "
                        "own target is used (its clock: airswd --device %s settings swclk_hz=HZ)\n",
                options->device);
        return 2;
    }
    if (options->device != NULL)
        return cli_remote_main(options->device, options, command, command_argc, command_argv);
    static const struct {
        const char *name;
        int (*run)(const struct cli_options *options, int argc, char **argv);
    } host_commands[] = {{"keygen", cmd_keygen}, {"sign", cmd_sign}, {"inspect", cmd_inspect},
                         {"list", cmd_list}};
    for (size_t i = 0; i < sizeof host_commands / sizeof host_commands[0]; i++)
        if (strcmp(command, host_commands[i].name) == 0)
            return host_commands[i].run(options, command_argc, command_argv);
    static const struct {
        const char *name;
        int (*run)(struct cli_target *target, const struct cli_options *options, const char *command, int argc,
                   char **argv);
    } commands[] = {
        {"probe", cmd_probe}, {"info", cmd_info}, {"flash", cmd_flash}, {"verify", cmd_flash},
        {"read", cmd_read},   {"erase", cmd_erase_or_reset}, {"reset", cmd_erase_or_reset},
        {"option-bytes", cmd_option_bytes}, {"unlock", cmd_unlock},
    };
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        if (strcmp(command, commands[i].name) != 0)
            continue;
        port_host_catch_interrupts();
        struct cli_target target;
        if (!cli_target_open(&target, options))
            return 2;
        int result = commands[i].run(&target, options, command, command_argc, command_argv);
        if (!cli_target_close(&target) && result == 0)
            result = 1; /* the chip's state, which the next command would act on, is not what it did */
        return result;
    }
    if (cli_usage_command(stderr, command)) {
        fprintf(stderr, "airswd: %s works through a device only: airswd --device URL %s\n", command, command);
        return 2;
    }
    fprintf(stderr, "airswd: unknown command '%s' (airswd --help lists them)\n", command);
    return 2;
}

int main(int argc, char **argv)
{
    struct cli_options options = {.target = "sim"};
    const char *command = "";
    int status = run(argc, argv, &options, &command);
    return cli_report_end(command, status);
}
