/*
 * options.c - stm32sim's command line.
 */
#include "stm32sim.h"

#include <stdlib.h>
#include <string.h>

static void usage(FILE *out)
{
    fprintf(out,
            "usage: stm32sim --part PART [--flash-file F] [--jtag-rbb HOST:PORT] [--uart-pty LINK] [--boot0]\n"
            "                [--trace out.vcd] [--uart-log F] [--event-log F] [--tck-hz HZ] [--uart-baud N]\n"
            "  --part PART           the simulated part:");
    for (unsigned i = 0; i < sim_part_count; i++)
        fprintf(out, " %s", sim_parts[i].name);
    fprintf(out, "\n"
                 "  --flash-file F        flash contents: loaded at start if F exists, written back at exit\n"
                 "  --jtag-rbb HOST:PORT  serve OpenOCD's remote_bitbang (JTAG) there; port 0 picks a free one\n"
                 "  --uart-pty LINK       USART1 on a pty whose slave LINK points to (stm32flash -m 8n1 LINK)\n"
                 "  --boot0               BOOT0 high: the ROM bootloader runs after reset\n"
                 "  --trace F             VCD of the debug wire\n"
                 "  --uart-log F          the bytes USART1 sends, as they leave the chip\n"
                 "  --event-log F         pin changes and resets, one per line, with simulated time\n"
                 "  --tck-hz HZ           simulated TCK/SWCLK frequency (default 4000000)\n"
                 "  --uart-baud N         the pty's bytes take their 8E1 frame time at N baud, and simulated time\n"
                 "                        moves only with the line and the chip (chip time of a bootloader session)\n");
}

static bool take_value(int argc, char **argv, int *i, const char **value)
{
    if (*i + 1 >= argc) {
        fprintf(stderr, "stm32sim: %s needs a value\n", argv[*i]);
        return false;
    }
    *value = argv[++*i];
    return true;
}

bool stm32sim_parse(int argc, char **argv, struct stm32sim_options *options)
{
    memset(options, 0, sizeof *options);
    static const struct {
        const char *name;
        size_t offset;
    } values[] = {
        {"--part", offsetof(struct stm32sim_options, part)},
        {"--flash-file", offsetof(struct stm32sim_options, flash_file)},
        {"--jtag-rbb", offsetof(struct stm32sim_options, jtag_rbb)},
        {"--uart-pty", offsetof(struct stm32sim_options, uart_pty)},
        {"--uart-log", offsetof(struct stm32sim_options, uart_log)},
        {"--event-log", offsetof(struct stm32sim_options, event_log)},
        {"--trace", offsetof(struct stm32sim_options, trace)},
    };
    for (int i = 1; i < argc; i++) {
        bool known = false;
        for (size_t v = 0; v < sizeof values / sizeof values[0] && !known; v++) {
            if (strcmp(argv[i], values[v].name) != 0)
                continue;
            known = true;
            if (!take_value(argc, argv, &i, (const char **)((char *)options + values[v].offset)))
                return false;
        }
        if (known)
            continue;
        const char *hz;
        if (strcmp(argv[i], "--boot0") == 0) {
            options->boot0 = true;
        } else if (strcmp(argv[i], "--tck-hz") == 0) {
            if (!take_value(argc, argv, &i, &hz))
                return false;
            char *end;
            unsigned long value = strtoul(hz, &end, 10);
            if (*end != '\0' || value == 0 || value > 100000000ul) {
                fprintf(stderr, "stm32sim: --tck-hz wants a frequency in Hz (1 to 100000000), not '%s'\n", hz);
                return false;
            }
            options->tck_hz = (uint32_t)value;
        } else if (strcmp(argv[i], "--uart-baud") == 0) {
            const char *baud;
            if (!take_value(argc, argv, &i, &baud))
                return false;
            char *end;
            unsigned long value = strtoul(baud, &end, 10);
            if (*end != '\0' || value < 1200 || value > 1000000ul) {
                fprintf(stderr, "stm32sim: --uart-baud wants 1200 to 1000000, not '%s'\n", baud);
                return false;
            }
            options->uart_baud = (uint32_t)value;
        } else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            usage(stdout);
            exit(0);
        } else {
            fprintf(stderr, "stm32sim: unknown option '%s'\n", argv[i]);
            usage(stderr);
            return false;
        }
    }
    if (options->part == NULL) {
        fprintf(stderr, "stm32sim: --part is required\n");
        usage(stderr);
        return false;
    }
    return true;
}
