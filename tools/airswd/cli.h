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

#define AIRSWD_VERSION "0.4.0" /* of airswd and airswdd */

/* `airswd --help` (cli_usage.c), and one command's part of it: false for a command it does not know. */
void cli_usage(FILE *out);
bool cli_usage_command(FILE *out, const char *command);

struct cli_options {
    const char *target;     /* --target: "sim[:PART]", "serial:PATH" or "unwired" */
    uint32_t swclk_hz;      /* --swclk, 0 = the port's default */
    const char *trace_path; /* --trace: VCD of the simulated wire */
    bool json;              /* --json: one JSON object on stdout instead of text */
    const char *device;     /* --device URL: the commands go to an airswdd (or ESP8266) over its REST API */
    const char *passphrase_file; /* --passphrase-file: the device's admin passphrase (else $AIRSWD_PASSPHRASE) */
    bool wire_uart; /* a simulated target's USART1 and BOOT0 wired whatever its transport (airswdd: a setting) */
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

/* A failure in the one error shape of --json (cli_report.c). http_status 0: not an answer of a device. */
struct cli_error {
    char phase[32], status[64], detail[AIRSWD_STATUS_DETAIL_MAX + 256], message[2048];
    bool flash_changed;
    int http_status;
};
void cli_error_set(struct cli_error *error, const char *phase, const char *status, const char *detail,
                   const char *message);
/* --json: from here on stdout and stderr are watched, so that cli_report_end knows whether the command printed its
 * object and what it said. */
void cli_report_start(bool json);
bool cli_report_json(void);
/* The failing layer's own words (the first call wins): a core status and detail, or a device's JSON error. */
void cli_report_failure(const struct cli_error *failure);
/* At exit: under --json, the error object when the command failed without printing one; returns exit_status. */
int cli_report_end(const char *command, int exit_status);
/* JSON on stdout: a string escaped; "error":{...} of the one error shape; a device's JSON object with "ok":true. */
void cli_json_string(const char *text);
void cli_json_error(const struct cli_error *error);
void cli_json_body(const char *body);

/* Prints "airswd: <what>: <detail>: <message>" for a failed status (and names it for --json). */
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

/* A job's progress on stderr (cli_progress.c): a bar on a terminal, lines at each quarter otherwise. */
struct cli_progress {
    bool terminal;
    char phase[32];
    unsigned last_quarter;
    bool bar_open;
    unsigned long long done, total, phase_us; /* the last figure drawn */
};
void cli_progress_show(struct cli_progress *shown, const char *phase, unsigned long long done,
                       unsigned long long total, unsigned long long phase_us);
/* The job ended: completed, a bar left short of 100 % by the last report is drawn full. */
void cli_progress_end(struct cli_progress *shown, bool completed);

/* The end of a job, local or on a device, as the command line prints it (cli_summary.c). */
struct cli_summary {
    enum job_action action;
    const char *action_name;
    char device[320];          /* "" for a local job */
    unsigned long job_id, image_id; /* on the device */
    char image_name[256];      /* "" when the action takes no image */
    const char *format_name, *format_key;
    bool is_bin;
    uint32_t bin_base;
    char part[64], core[32];   /* part "" when the job did not identify it */
    unsigned dev_id, rev_id;
    uint32_t flash_size;
    uint64_t phase_us[JOB_PHASE_COUNT], total_us;
    uint32_t erase_units, unchanged_units, program_bytes, verified_bytes;
    uint32_t eeprom_written, eeprom_unchanged; /* data EEPROM bytes of the image: in words written, left alone */
    bool mass_erased, verified_on_target, reset_by_nrst;
    const char *backend;       /* the programmer backend when not SWD ("uart"), else NULL */
    bool backend_auto;         /* chosen by the auto transport */
    uint32_t line_recoveries;  /* exchanges the bootloader client repeated after lost or garbled bytes */
    bool ok;
    struct cli_error error;    /* when !ok */
};
/* A job's action by the name the API and the JSON objects give it ("flash", "erase"...), and back. */
const char *cli_action_name(enum job_action action);
bool cli_action_from_name(const char *name, enum job_action *action);
/* Text on stdout (the failure on stderr), or one JSON object. */
void cli_summary_print(const struct cli_summary *summary, bool json);
/* What a read that succeeded prints, local or on a device. */
void cli_read_print(uint32_t address, uint32_t length, const char *path, bool json);

/* Runs a job (flash and verify on the image at path; erase and reset without one, path NULL) and prints its
 * result; the exit status. */
/* How a job reaches the opened target (its pins, clock and transport), and the file of a job without an image. */
struct job_link cli_job_link(const struct cli_target *target);
long cli_job_no_file(void *ctx, uint32_t offset, uint8_t *buf, uint32_t len);

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
/* erase and reset (cmd_target.c): a job each, as the device runs them. */
int cmd_erase_or_reset(struct cli_target *target, const struct cli_options *options, const char *command, int argc,
              char **argv);
int cmd_option_bytes(struct cli_target *target, const struct cli_options *options, const char *command, int argc,
                     char **argv);
int cmd_unlock(struct cli_target *target, const struct cli_options *options, const char *command, int argc,
               char **argv);

/* read as a job, and unlock and info, for targets reached through the ROM bootloader (cmd_target_job.c); erase and
 * reset are jobs on every target (cmd_erase_or_reset). */
bool cmd_read_by_job(struct cli_target *target, uint32_t address, uint32_t length, struct cli_output *out);
/* unlock --yes through the ROM bootloader's Readout Unprotect (the chip erases its flash). */
int cmd_unlock_by_bootloader(struct cli_target *target);
int cmd_info_by_bootloader(struct cli_target *target, bool json);

/* Commands that open no target (cmd_container.c): signed containers on the host. */
int cmd_keygen(const struct cli_options *options, int argc, char **argv);
int cmd_sign(const struct cli_options *options, int argc, char **argv);
int cmd_inspect(const struct cli_options *options, int argc, char **argv);
/* `airswd list` (cmd_list.c): the airswd devices on the local network, found by mDNS. */
int cmd_list(const struct cli_options *options, int argc, char **argv);

#endif /* AIRSWD_CLI_H */
