/*
 * cli.h - shared pieces of the airswd command line: options, the opened target, and the commands.
 */
#ifndef AIRSWD_CLI_H
#define AIRSWD_CLI_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "adi/adi_mem_ap.h"
#include "cortexm/cortexm.h"
#include "job/job.h"
#include "stm32/stm32_flash.h"
#include "port_host.h"
#include "port_serial.h"
#include "port_sim.h"
#include "port_sim_uart.h"
#include "port_unwired.h"
#include "sim_stm32.h"
#include "swd/swd.h"

struct cli_options {
    const char *target;     /* --target: "sim[:PART]", "serial:PATH" or "unwired" */
    uint32_t swclk_hz;      /* --swclk, 0 = the port's default */
    const char *trace_path; /* --trace: VCD of the simulated wire */
    bool json;              /* --json: one JSON object on stdout instead of text */
    const char *device;     /* --device URL: the commands go to an airswdd (or ESP8266) over its REST API */
    const char *passphrase_file; /* --passphrase-file: the device's admin passphrase (else $AIRSWD_PASSPHRASE) */
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
    const struct hal_target_pins *pins; /* NULL when NRST is not wired */
    struct status_report report;
    struct swd swd;
    char state_path[256];               /* sim:PART,state=FILE: flash and option bytes kept there */
    bool keep_state;                    /* the command ran to its end: save the state (also after a failure) */
    /* The target's USART1 and its ROM bootloader (sim:PART,uart); the job's transport. */
    struct port_sim_uart sim_uart;
    const struct hal_uart *uart;        /* NULL when not wired */
    enum job_transport transport;
    uint32_t uart_baud;                 /* 0: the bootloader client's default */
    bool swd_unwired;                   /* sim:PART,swd=off: SWD does not answer (pins not wired, or disabled) */
    char console_path[256];             /* sim:PART,console=FILE: what the firmware prints after the command */
    struct port_serial serial_port;     /* serial:PATH: a real UART (or a pty) to the ROM bootloader */
    bool serial_open;
};

/* Opens the target; prints the reason and returns false when it cannot. */
bool cli_target_open(struct cli_target *target, const struct cli_options *options);
/* Saves the simulator's state=FILE; false when it could not (after printing why). */
bool cli_target_close(struct cli_target *target);

/* A number in C notation (decimal, 0x hex, 0 octal) that fits 32 bits. */
bool cli_parse_u32(const char *text, uint32_t *value);

/* The image file of flash, verify and sign (cli_image.c). --format VALUE: bin, hex, elf or container; prints why and
 * returns false for anything else. */
bool cli_parse_format(const char *text, enum image_format *format);
/* --base VALUE: a raw binary's address, in hex or decimal; prints why and returns false for anything else, 0 (the
 * boot alias) and octal (08000000 is not an address) included. */
bool cli_parse_base(const char *text, uint32_t *base);
/* Checks that path is a regular file that can be read, and detects its format unless format_given; prints why and
 * returns the exit status: 0, 1 (the file is not an image), 2 (it cannot be opened, or is not a regular file). */
int cli_image_check(const char *path, bool format_given, enum image_format *format);

/* Prints "airswd: <what>: <detail>: <message>" for a failed status. */
void cli_print_failure(const struct cli_target *target, const char *what);

/* The simulated chip's flash and option bytes in a file; load also power-cycles the chip. */
bool cli_sim_state_load(struct sim_stm32 *sim, const char *path);
bool cli_sim_state_save(struct sim_stm32 *sim, const char *path);

/* The connection of the one-shot commands: debug port, MEM-AP, core, identified part. */
struct cli_session {
    struct adi_dp dp;
    struct adi_mem_ap ap;
    struct cortexm core;
    struct stm32_target target;
};
/* Connects and identifies; prints the failure and returns false when it cannot. */
bool cli_session_open(struct cli_target *target, struct cli_session *session);

/* Runs a flash job on the image at path and prints its result; the exit status. */
int cli_run_job(struct cli_target *target, const struct cli_options *options, const char *path,
                const struct job_options *job_options);

/* A file the command produces, whole or not at all (cli_output.c): written to a temporary name beside it, which takes
 * the file's name at commit. overwrite false: an existing file is refused (at open, and again at commit). Every
 * function prints why it failed. */
struct cli_output {
    FILE *file;
    char path[4096], temporary[4096 + 32];
    bool overwrite, failed;
};
bool cli_output_open(struct cli_output *output, const char *path, mode_t mode, bool overwrite);
bool cli_output_put(struct cli_output *output, const void *bytes, size_t len);
bool cli_output_commit(struct cli_output *output);
void cli_output_abandon(struct cli_output *output); /* after a failure: nothing is left behind */
/* All of bytes as path, in one go. */
bool cli_output_write(const char *path, const void *bytes, size_t len, mode_t mode, bool overwrite);

/* `airswd --device URL COMMAND` (cli_remote.c): flash, verify, info and reset through the REST API; the exit
 * status as the local commands give it. */
int cli_remote_main(const char *url, const struct cli_options *options, const char *command, int argc, char **argv);

/* Commands: the exit status (0 success, 1 failed, 2 bad command line). */
int cmd_probe(struct cli_target *target, const struct cli_options *options, const char *command, int argc,
              char **argv);
int cmd_info(struct cli_target *target, const struct cli_options *options, const char *command, int argc,
             char **argv);
int cmd_flash(struct cli_target *target, const struct cli_options *options, const char *command, int argc,
              char **argv);
int cmd_read(struct cli_target *target, const struct cli_options *options, const char *command, int argc,
             char **argv);
int cmd_erase(struct cli_target *target, const struct cli_options *options, const char *command, int argc,
              char **argv);
int cmd_reset(struct cli_target *target, const struct cli_options *options, const char *command, int argc,
              char **argv);
int cmd_option_bytes(struct cli_target *target, const struct cli_options *options, const char *command, int argc,
                     char **argv);
int cmd_unlock(struct cli_target *target, const struct cli_options *options, const char *command, int argc,
               char **argv);

/* read, erase and reset as jobs, and unlock, for targets reached through the ROM bootloader (cmd_target_job.c). */
bool cmd_read_by_job(struct cli_target *target, uint32_t address, uint32_t length, struct cli_output *out);
int cmd_erase_by_job(struct cli_target *target, bool mass);
int cmd_reset_by_job(struct cli_target *target);
/* unlock --yes through the ROM bootloader's Readout Unprotect (the chip erases its flash). */
int cmd_unlock_by_bootloader(struct cli_target *target);
int cmd_info_by_bootloader(struct cli_target *target, bool json);

/* Commands that open no target (cmd_container.c): signed containers on the host. */
int cmd_keygen(const struct cli_options *options, int argc, char **argv);
int cmd_sign(const struct cli_options *options, int argc, char **argv);
int cmd_inspect(const struct cli_options *options, int argc, char **argv);

#endif /* AIRSWD_CLI_H */
