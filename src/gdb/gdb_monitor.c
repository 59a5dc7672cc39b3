/*
 * gdb_monitor.c - `monitor` commands, named as Black Magic Probe names them so that its users' scripts and
 * PlatformIO's upload sequence work unchanged. Output goes to the client's console in `O` packets; an unknown
 * command prints the list rather than nothing.
 */
#include <stdlib.h>
#include <string.h>

#include "gdb/gdb_server.h"
#include "stm32/stm32_flash.h"
#include "stm32/stm32_options.h"

#define GDB_ERROR_MONITOR 0x08u

struct gdb_monitor_entry {
    const char *name;
    void (*run)(struct gdb_server *server, const char *args);
    const char *help;
};

static void gdb_monitor_help(struct gdb_server *server, const char *args);

static void gdb_monitor_done(struct gdb_server *server, enum status status, const char *doing)
{
    if (status == STATUS_OK) {
        gdb_send_ok(server);
        return;
    }
    gdb_console_failure(server, doing);
    gdb_send_error(server, GDB_ERROR_MONITOR);
}

static void gdb_monitor_swdp_scan(struct gdb_server *server, const char *args)
{
    (void)args;
    if (server->attached) {
        gdb_console(server, "already attached: `detach` first\n");
        gdb_send_error(server, GDB_ERROR_MONITOR);
        return;
    }
    enum status status = gdb_target_connect(server);
    if (status == STATUS_OK)
        gdb_console(server, "Available Targets:\nNo. Att Driver\n 1      %s %s\n", server->target.part->name,
                    cortexm_core_name(server->core.cpuid));
    gdb_monitor_done(server, status, "SWD scan failed");
}

/* Attached: the core stops at its reset vector (the client knows it halted); otherwise the firmware runs. */
static void gdb_monitor_reset(struct gdb_server *server, const char *args)
{
    (void)args;
    enum status status = server->connected ? STATUS_OK : gdb_target_connect(server);
    if (status == STATUS_OK)
        status = server->attached ? cortexm_reset_halt(&server->core, CORTEXM_RESET_SYSRESETREQ)
                                  : cortexm_reset_run(&server->core, CORTEXM_RESET_SYSRESETREQ);
    gdb_monitor_done(server, status, "reset");
}

static bool gdb_monitor_need_attached(struct gdb_server *server)
{
    if (server->attached)
        return true;
    gdb_console(server, "attach first (`attach 1`): the core must be halted\n");
    gdb_send_error(server, GDB_ERROR_MONITOR);
    return false;
}

static void gdb_monitor_erase_mass(struct gdb_server *server, const char *args)
{
    (void)args;
    if (!gdb_monitor_need_attached(server))
        return;
    const struct stm32_flash_ops *ops = stm32_flash_ops(&server->target);
    gdb_console(server, "erasing all of the flash of %s\n", server->target.part->name);
    enum status status = ops->unlock(&server->target);
    if (status == STATUS_OK)
        status = ops->mass_erase(&server->target);
    enum status locked = ops->lock(&server->target);
    gdb_monitor_done(server, status != STATUS_OK ? status : locked, "mass erase");
}

/* `option erase`: read protection removed (which erases the chip), then write protection, as a chip is left
 * unlocked; the USER options stay as they are. */
static enum status gdb_monitor_option_erase(struct gdb_server *server, const struct stm32_flash_ops *ops)
{
    struct stm32_option_bytes options, unprotected;
    enum status status = ops->remove_read_protection(&server->target);
    if (status == STATUS_OK)
        status = ops->read_options(&server->target, &options);
    if (status != STATUS_OK)
        return status;
    unprotected = options;
    status = stm32_option_bytes_protect_units(&server->target, &unprotected, 0, 0);
    if (status != STATUS_OK || memcmp(unprotected.write_protection, options.write_protection,
                                      sizeof options.write_protection) == 0)
        return status;
    gdb_console(server, "removing the write protection\n");
    return ops->write_options(&server->target, &unprotected);
}

/* `option`: what the option bytes hold; `option erase`: no read or write protection left. */
static void gdb_monitor_option(struct gdb_server *server, const char *args)
{
    if (!gdb_monitor_need_attached(server))
        return;
    const struct stm32_flash_ops *ops = stm32_flash_ops(&server->target);
    struct stm32_option_bytes options;
    enum status status;
    if (strcmp(args, "erase") == 0) {
        gdb_monitor_done(server, gdb_monitor_option_erase(server, ops), "option erase");
        return;
    }
    if (args[0] != '\0') {
        gdb_console(server, "usage: monitor option [erase]\n");
        gdb_send_error(server, GDB_ERROR_MONITOR);
        return;
    }
    status = ops->read_options(&server->target, &options);
    if (status == STATUS_OK) {
        char user[160];
        stm32_option_bytes_format_user(&server->target, &options, user, sizeof user);
        gdb_console(server, "RDP level %u\nUSER %s\n", options.rdp_level, user);
        for (unsigned i = 0; i < STM32_OPTION_WRP_WORDS; i++) {
            const char *name = stm32_option_bytes_wrp_name(&server->target, i);
            if (name != NULL)
                gdb_console(server, "%s 0x%08lx\n", name, (unsigned long)options.write_protection[i]);
        }
    }
    gdb_monitor_done(server, status, "reading the option bytes");
}

static void gdb_monitor_frequency(struct gdb_server *server, const char *args)
{
    char *end;
    unsigned long hz = strtoul(args, &end, 10);
    if (end == args || *end != '\0' || hz == 0 || hz > UINT32_MAX) {
        gdb_console(server, "usage: monitor frequency HZ\n");
        gdb_send_error(server, GDB_ERROR_MONITOR);
        return;
    }
    server->config.swclk_hz = (uint32_t)hz;
    uint32_t in_effect = server->connected ? swd_set_clock_hz(&server->swd, (uint32_t)hz) : 0;
    if (in_effect != 0)
        gdb_console(server, "SWCLK %lu Hz\n", (unsigned long)in_effect);
    else
        gdb_console(server, "SWCLK %lu Hz asked for: taken at the next connection if the programmer can\n", hz);
    gdb_send_ok(server);
}

static void gdb_monitor_connect_rst(struct gdb_server *server, const char *args)
{
    if (strcmp(args, "enable") == 0 || strcmp(args, "disable") == 0)
        server->connect_under_reset = strcmp(args, "enable") == 0;
    else if (args[0] != '\0') {
        gdb_console(server, "usage: monitor connect_rst [enable|disable]\n");
        gdb_send_error(server, GDB_ERROR_MONITOR);
        return;
    }
    gdb_console(server, "connect under reset: %s\n", server->connect_under_reset ? "enabled" : "disabled");
    gdb_send_ok(server);
}

static void gdb_monitor_halt(struct gdb_server *server, const char *args)
{
    (void)args;
    if (gdb_monitor_need_attached(server))
        gdb_monitor_done(server, cortexm_halt(&server->core), "halt");
}

static void gdb_monitor_stats(struct gdb_server *server, const char *args)
{
    (void)args;
    gdb_console(server, "last load: %lu bytes, %lu erase units, %u runs verified, %lu us of target time\n",
                (unsigned long)server->load_bytes, (unsigned long)server->load_units,
                server->flash_runs_lost ? 0u : server->flash_run_count, (unsigned long)server->load_us);
    gdb_send_ok(server);
}

static void gdb_monitor_version(struct gdb_server *server, const char *args)
{
    (void)args;
    gdb_console(server, "airswd %s GDB server\n", server->config.version ? server->config.version : "");
    gdb_send_ok(server);
}

static const struct gdb_monitor_entry gdb_monitor_commands[] = {
    {"swdp_scan", gdb_monitor_swdp_scan, "find the target on SWD"},
    {"reset", gdb_monitor_reset, "reset the target (halted at its reset vector when attached)"},
    {"halt", gdb_monitor_halt, "halt the core"},
    {"erase_mass", gdb_monitor_erase_mass, "erase all of the flash"},
    {"option", gdb_monitor_option, "[erase]: show the option bytes, or remove read and write protection (erases the chip)"},
    {"frequency", gdb_monitor_frequency, "HZ: the SWCLK frequency"},
    {"connect_rst", gdb_monitor_connect_rst, "[enable|disable]: connect to the target with NRST held low"},
    {"version", gdb_monitor_version, "the programmer's version"},
    {"stats", gdb_monitor_stats, "what the last load wrote and how long it took on the target"},
    {"help", gdb_monitor_help, "this list"},
};
#define GDB_MONITOR_COMMANDS (sizeof gdb_monitor_commands / sizeof gdb_monitor_commands[0])

static void gdb_monitor_help(struct gdb_server *server, const char *args)
{
    (void)args;
    for (unsigned i = 0; i < GDB_MONITOR_COMMANDS; i++)
        gdb_console(server, "  %-12s %s\n", gdb_monitor_commands[i].name, gdb_monitor_commands[i].help);
    gdb_send_ok(server);
}

void gdb_monitor_command(struct gdb_server *server, const char *command)
{
    while (*command == ' ')
        command++;
    size_t name_len = strcspn(command, " ");
    const char *args = command + name_len;
    while (*args == ' ')
        args++;
    status_clear(&server->report);
    for (unsigned i = 0; i < GDB_MONITOR_COMMANDS; i++) {
        const char *name = gdb_monitor_commands[i].name;
        if (name_len != 0 && strlen(name) == name_len && strncmp(name, command, name_len) == 0) {
            gdb_monitor_commands[i].run(server, args);
            return;
        }
    }
    gdb_console(server, "unknown command \"%.40s\"; the monitor commands are:\n", command);
    gdb_monitor_help(server, "");
}
