/*
 * main.c - stm32sim: a simulated STM32 for outside tools (OpenOCD over remote_bitbang, stm32flash over a pty).
 * Prints "stm32sim: ready ..." once every port is open, and a summary when SIGTERM or SIGINT stops it.
 */
#define _POSIX_C_SOURCE 200809L
#include "stm32sim.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

static volatile int stop_requested;

static void on_signal(int signal_number)
{
    (void)signal_number;
    stop_requested = 1;
}

static FILE *open_log(const char *path, const char *what)
{
    if (path == NULL)
        return NULL;
    FILE *file = fopen(path, "w");
    if (file == NULL)
        fprintf(stderr, "stm32sim: cannot write the %s %s: %s\n", what, path, strerror(errno));
    return file;
}

/* The flash file holds the array from 0x08000000; a shorter file leaves the rest erased. */
static bool load_flash(struct stm32sim *sim)
{
    const char *path = sim->options.flash_file;
    FILE *file = path ? fopen(path, "rb") : NULL;
    if (file == NULL)
        return path == NULL || errno == ENOENT;
    size_t size = sim_flash_size(sim->chip->flash);
    size_t got = fread(sim_flash_array(sim->chip->flash), 1, size, file);
    bool longer = fgetc(file) != EOF;
    fclose(file);
    if (longer) {
        fprintf(stderr, "stm32sim: %s is larger than the %zu KB flash of %s\n", path, size / 1024,
                sim->chip->part->name);
        return false;
    }
    fprintf(stderr, "stm32sim: loaded %zu bytes of flash from %s\n", got, path);
    return true;
}

static bool save_flash(struct stm32sim *sim)
{
    const char *path = sim->options.flash_file;
    if (path == NULL)
        return true;
    FILE *file = fopen(path, "wb");
    size_t size = sim_flash_size(sim->chip->flash);
    bool ok = file != NULL && fwrite(sim_flash_array(sim->chip->flash), 1, size, file) == size;
    if (file != NULL && fclose(file) != 0)
        ok = false;
    if (!ok)
        fprintf(stderr, "stm32sim: cannot write the flash file %s: %s\n", path, strerror(errno));
    return ok;
}

/* HOST:PORT, where the host is the loopback interface: the simulator serves no one else. */
static bool parse_loopback_port(const char *spec, uint16_t *port)
{
    const char *colon = strrchr(spec, ':');
    char *end = NULL;
    unsigned long value = colon ? strtoul(colon + 1, &end, 10) : 0;
    bool loopback = colon && ((colon - spec == 9 && strncmp(spec, "127.0.0.1", 9) == 0) ||
                              (colon - spec == 9 && strncmp(spec, "localhost", 9) == 0));
    if (!loopback || end == colon + 1 || *end != '\0' || value > 65535) {
        fprintf(stderr, "stm32sim: --jtag-rbb wants 127.0.0.1:PORT (0 picks a free port), not '%s'\n", spec);
        return false;
    }
    *port = (uint16_t)value;
    return true;
}

static bool open_ports(struct stm32sim *sim)
{
    const struct stm32sim_options *o = &sim->options;
    if (o->trace != NULL && !sim_target_trace_vcd(sim->chip->target, o->trace)) {
        fprintf(stderr, "stm32sim: cannot write the trace %s\n", o->trace);
        return false;
    }
    sim->uart_log = open_log(o->uart_log, "UART log");
    sim->event_log = open_log(o->event_log, "event log");
    if ((o->uart_log && !sim->uart_log) || (o->event_log && !sim->event_log))
        return false;
    if (o->uart_pty != NULL) {
        if (!pty_link_open(&sim->pty, o->uart_pty)) {
            fprintf(stderr, "stm32sim: cannot open a pty at %s: %s\n", o->uart_pty, strerror(errno));
            return false;
        }
        sim->pty_open = true;
    }
    if (o->jtag_rbb != NULL) {
        if (sim->chip->part->jtag_idcode == 0) {
            fprintf(stderr, "stm32sim: %s is a Cortex-M0/M0+ part: it has no JTAG port, only SWD\n",
                    sim->chip->part->name);
            return false;
        }
        uint16_t port;
        if (!parse_loopback_port(o->jtag_rbb, &port))
            return false;
        sim->rbb = remote_bitbang_create(port, sim->chip->target);
        if (sim->rbb == NULL) {
            fprintf(stderr, "stm32sim: cannot listen on 127.0.0.1:%u: %s\n", port, strerror(errno));
            return false;
        }
    }
    return true;
}

static void print_ready(struct stm32sim *sim)
{
    printf("stm32sim: ready %s", sim->chip->part->name);
    if (sim->rbb != NULL)
        printf(" remote_bitbang 127.0.0.1:%u", remote_bitbang_port(sim->rbb));
    if (sim->pty_open)
        printf(" uart %s -> %s", sim->pty.link_path, sim->pty.slave_path);
    printf(" boot0=%d\n", sim->options.boot0 ? 1 : 0);
    fflush(stdout);
}

static void close_all(struct stm32sim *sim)
{
    remote_bitbang_destroy(sim->rbb);
    if (sim->pty_open)
        pty_link_close(&sim->pty);
    if (sim->uart_log)
        fclose(sim->uart_log);
    if (sim->event_log)
        fclose(sim->event_log);
    sim_stm32_destroy(sim->chip);
}

int main(int argc, char **argv)
{
    struct stm32sim sim;
    memset(&sim, 0, sizeof sim);
    if (!stm32sim_parse(argc, argv, &sim.options))
        return 2;
    sim.chip = sim_stm32_create(sim.options.part, sim.options.tck_hz);
    if (sim.chip == NULL) {
        fprintf(stderr, "stm32sim: unknown part '%s' (see --help)\n", sim.options.part);
        return 2;
    }
    sim_stm32_set_boot0(sim.chip, sim.options.boot0);
    if (sim.options.uart_baud > 0) /* 8E1: start, 8 data, parity, stop */
        sim.uart_frame_ps = 11ull * 1000000000000ull / sim.options.uart_baud;
    stm32sim_attach_events(&sim);
    if (!load_flash(&sim) || !open_ports(&sim)) {
        close_all(&sim);
        return 1;
    }
    sim_stm32_power_on_reset(sim.chip);
    signal(SIGTERM, on_signal);
    signal(SIGINT, on_signal);
    signal(SIGPIPE, SIG_IGN);
    print_ready(&sim);
    stm32sim_run(&sim, &stop_requested);
    printf("stm32sim: summary simulated %.6f s, %llu TCK cycles, %u debugger sessions, %llu UART bytes, "
           "%llu pin changes\n",
           (double)sim_stm32_now_ps(sim.chip) / 1e12,
           (unsigned long long)sim_target_swclk_cycles(sim.chip->target), sim.sessions,
           (unsigned long long)sim.uart_bytes, (unsigned long long)sim.gpio_changes);
    if (sim.uart_seen)
        printf("stm32sim: uart session %.6f s chip time at %lu baud 8E1\n",
               (double)(sim.uart_last_ps - sim.uart_first_ps) / 1e12, (unsigned long)sim.options.uart_baud);
    bool saved = save_flash(&sim);
    close_all(&sim);
    return saved ? 0 : 1;
}
