/*
 * cli_target.c - turns a --target description into an opened target and the HAL that reaches it.
 */
#include "cli.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CLI_DEFAULT_SIM_PART "stm32f103c8"
/* How long the simulated firmware runs after the command before its console is written (console=FILE). */
#define CLI_CONSOLE_RUN_PS (200ull * 1000000000ull)

static void cli_list_parts(void)
{
    fprintf(stderr, "simulated parts:");
    for (unsigned i = 0; i < sim_part_count; i++)
        fprintf(stderr, " %s", sim_parts[i].name);
    fprintf(stderr, "\n");
}

/* A setting with a file name: NAME=FILE into path. */
static bool cli_take_path(const char *setting, size_t len, const char *name, char *path, size_t size)
{
    size_t name_len = strlen(name);
    if (strncmp(setting, name, name_len) != 0 || len <= name_len || len - name_len >= size)
        return false;
    memcpy(path, setting + name_len, len - name_len);
    path[len - name_len] = '\0';
    return true;
}

/* The settings of the target's UART: uart (flash through the ROM bootloader), auto (SWD, else the bootloader),
 * baud=N, console=FILE, swd=off. */
static bool cli_parse_uart_setting(const char *setting, size_t len, struct cli_target *target, bool *known)
{
    *known = true;
    if (len == 4 && strncmp(setting, "uart", 4) == 0) {
        target->transport = JOB_TRANSPORT_UART;
    } else if (len == 4 && strncmp(setting, "auto", 4) == 0) {
        target->transport = JOB_TRANSPORT_AUTO;
    } else if (len == 7 && strncmp(setting, "swd=off", 7) == 0) {
        target->swd_unwired = true;
    } else if (cli_take_path(setting, len, "console=", target->console_path, sizeof target->console_path)) {
        return true;
    } else if (strncmp(setting, "baud=", 5) == 0) {
        char *end;
        unsigned long baud = strtoul(setting + 5, &end, 10);
        if (end != setting + len || baud < 1200 || baud > 1000000ul) {
            fprintf(stderr, "airswd: baud= wants a rate in bit/s, 1200 to 1000000\n");
            return false;
        }
        target->uart_baud = (uint32_t)baud;
    } else {
        *known = false;
    }
    return true;
}

/* "PART[,state=FILE][,swclk=HZ][,uart|auto][,baud=N][,console=FILE][,swd=off]": the part, then its settings. */
static bool cli_parse_sim_spec(const char *spec, char *part, size_t part_size, struct cli_target *target,
                               uint32_t *swclk_hz)
{
    size_t part_len = strcspn(spec, ",");
    if (part_len == 0 || part_len >= part_size) {
        fprintf(stderr, "airswd: --target sim:PART wants a part name\n");
        return false;
    }
    memcpy(part, spec, part_len);
    part[part_len] = '\0';
    for (const char *setting = spec + part_len; *setting == ',';) {
        setting++;
        size_t len = strcspn(setting, ",");
        bool uart_setting;
        if (!cli_parse_uart_setting(setting, len, target, &uart_setting))
            return false;
        if (uart_setting) {
            /* taken */
        } else if (cli_take_path(setting, len, "state=", target->state_path, sizeof target->state_path)) {
            /* taken */
        } else if (strncmp(setting, "swclk=", 6) == 0) {
            char *end;
            unsigned long hz = strtoul(setting + 6, &end, 0);
            if (end != setting + len || hz == 0 || hz > 100000000ul) {
                fprintf(stderr, "airswd: swclk= wants a frequency in Hz, 1 to 100000000\n");
                return false;
            }
            *swclk_hz = (uint32_t)hz;
        } else {
            fprintf(stderr,
                    "airswd: unknown simulator setting '%.*s' (state=FILE, swclk=HZ, uart, auto, baud=N, "
                    "console=FILE, swd=off)\n",
                    (int)len, setting);
            return false;
        }
        setting += len;
    }
    return true;
}

static bool cli_open_sim(struct cli_target *target, const char *spec, const struct cli_options *options)
{
    char part[32];
    uint32_t swclk_hz = options->swclk_hz;
    if (!cli_parse_sim_spec(spec, part, sizeof part, target, &swclk_hz))
        return false;
    target->sim = sim_stm32_create(part, swclk_hz);
    if (!target->sim) {
        fprintf(stderr, "airswd: unknown simulated part '%s'\n", part);
        cli_list_parts();
        return false;
    }
    if (options->trace_path && !sim_target_trace_vcd(target->sim->target, options->trace_path)) {
        fprintf(stderr, "airswd: cannot write trace file %s\n", options->trace_path);
        return false;
    }
    if (target->state_path[0] && !cli_sim_state_load(target->sim, target->state_path))
        return false;
    port_sim_init(&target->sim_port, target->sim->target, true);
    if (target->swd_unwired)
        port_sim_cut_swd(&target->sim_port);
    target->swd_pins = &target->sim_port.swd;
    target->system = &target->sim_port.system;
    target->pins = &target->sim_port.pins;
    /* USART1 and BOOT0 are wired whenever the bootloader may be used (airswdd: always, since its transport is a
     * setting), or the console is watched. */
    if (target->transport != JOB_TRANSPORT_SWD || target->console_path[0] || options->wire_uart) {
        port_sim_uart_init(&target->sim_uart, target->sim);
        port_sim_wire_boot0(&target->sim_port, target->sim);
        target->uart = &target->sim_uart.uart;
    }
    if (target->transport == JOB_TRANSPORT_UART)
        snprintf(target->description, sizeof target->description, "sim:%s (simulated, ROM bootloader on USART1)",
                 part);
    else
        snprintf(target->description, sizeof target->description, "sim:%s (simulated, SWCLK %.3f MHz)", part,
                 sim_target_swclk_hz(target->sim->target) / 1e6);
    return true;
}

/* "serial:PATH[,baud=N][,pins=dtr-rts]": the ROM bootloader on a serial port; DTR and RTS drive NRST and BOOT0
 * when asked, otherwise BOOT0 is set by hand. */
static bool cli_open_serial(struct cli_target *target, const char *spec)
{
    char path[256];
    size_t path_len = strcspn(spec, ",");
    if (path_len == 0 || path_len >= sizeof path) {
        fprintf(stderr, "airswd: --target serial:PATH wants the serial port's path\n");
        return false;
    }
    memcpy(path, spec, path_len);
    path[path_len] = '\0';
    bool modem_pins = false;
    for (const char *setting = spec + path_len; *setting == ',';) {
        setting++;
        size_t len = strcspn(setting, ",");
        bool known;
        if (!cli_parse_uart_setting(setting, len, target, &known))
            return false;
        if (len == 12 && strncmp(setting, "pins=dtr-rts", 12) == 0) {
            modem_pins = true;
        } else if (!known || strncmp(setting, "baud=", 5) != 0) {
            fprintf(stderr, "airswd: unknown serial setting '%.*s' (baud=N, pins=dtr-rts)\n", (int)len, setting);
            return false;
        }
        setting += len;
    }
    if (!port_serial_open(&target->serial_port, path)) {
        fprintf(stderr, "airswd: cannot open the serial port %s at 115200 baud 8E1: %s\n", path, strerror(errno));
        return false;
    }
    target->serial_open = true;
    target->transport = JOB_TRANSPORT_UART;
    target->uart = &target->serial_port.uart;
    target->pins = modem_pins ? &target->serial_port.pins : NULL;
    port_unwired_init(&target->unwired_port);
    target->swd_pins = &target->unwired_port.swd;
    target->system = &target->host_system;
    snprintf(target->description, sizeof target->description, "serial:%.40s (ROM bootloader%s)", path,
             modem_pins ? ", DTR NRST, RTS BOOT0" : "");
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
    } else if (strncmp(spec, "serial:", 7) == 0) {
        opened = cli_open_serial(target, spec + 7);
    } else if (strcmp(spec, "unwired") == 0) {
        port_unwired_init(&target->unwired_port);
        target->swd_pins = &target->unwired_port.swd;
        target->system = &target->host_system;
        snprintf(target->description, sizeof target->description, "unwired (SWD pins with nothing attached)");
        opened = true;
    } else {
        fprintf(stderr, "airswd: unknown target '%s' (expected sim[:PART], serial:PATH or unwired)\n", spec);
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

/* The firmware runs a while, and what it printed on USART1 goes to the console file. */
static bool cli_write_console(struct cli_target *target)
{
    sim_stm32_run_for(target->sim, CLI_CONSOLE_RUN_PS);
    FILE *file = fopen(target->console_path, "wb");
    bool ok = file != NULL &&
              fwrite(target->sim_uart.console, 1, target->sim_uart.console_len, file) == target->sim_uart.console_len;
    if (file != NULL && fclose(file) != 0)
        ok = false;
    if (!ok)
        fprintf(stderr, "airswd: cannot write the console file %s\n", target->console_path);
    return ok;
}

bool cli_target_close(struct cli_target *target)
{
    bool saved = true;
    if (target->serial_open)
        port_serial_close(&target->serial_port);
    target->serial_open = false;
    if (target->sim && target->console_path[0] && target->keep_state)
        saved = cli_write_console(target);
    if (target->sim) {
        if (target->state_path[0] && target->keep_state)
            saved = cli_sim_state_save(target->sim, target->state_path) && saved;
        sim_target_trace_stop(target->sim->target);
        sim_stm32_destroy(target->sim);
        target->sim = NULL;
    }
    return saved;
}

void cli_print_failure(const struct cli_target *target, const char *what)
{
    char text[AIRSWD_STATUS_DETAIL_MAX + 256];
    fprintf(stderr, "airswd: %s: %s\n", what, status_format(&target->report, text, sizeof text));
    struct cli_error error;
    cli_error_set(&error, what, status_name(target->report.status), target->report.detail,
                  status_message(target->report.status));
    cli_report_failure(&error);
}

bool cli_parse_u32(const char *text, uint32_t *value)
{
    char *end;
    /* strtoul would also take leading blanks and a sign ("-0" is 0, "-4294967295" is 1). */
    if (*text < '0' || *text > '9')
        return false;
    unsigned long parsed = strtoul(text, &end, 0);
    if (*end != '\0' || parsed > 0xFFFFFFFFul)
        return false;
    *value = (uint32_t)parsed;
    return true;
}
