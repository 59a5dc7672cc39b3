/*
 * cli_report.c - under --json, exactly one JSON object on stdout per command, whatever happens. A command that
 * succeeds prints its own object (with "ok": true). One that fails before it printed anything (a bad command line, a
 * file that does not open, a target that does not answer, a device that refuses or cannot be reached) gets its error
 * object here, at exit, in the one error shape of the README:
 *   {"ok": false, "error": {"phase", "status", "detail", "message", "flash_changed", "http_status"}}
 * The failing layer names phase, status and detail where it knows them (a core status, a device's JSON error);
 * otherwise the sentences the command wrote on stderr become the message, so that a script reads what a person reads.
 */
#define _GNU_SOURCE /* fopencookie */
#include "cli.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define SAID_MAX 2048

static struct {
    bool json;
    bool printed;            /* something went to stdout: the command printed its own object */
    bool failure_named;      /* a layer named the failure (cli_report_failure) */
    struct cli_error failure;
    char said[SAID_MAX];     /* what the command wrote on stderr, "airswd: " prefixes dropped, lines joined */
    size_t said_len;
    bool at_line_start;
} report = {.at_line_start = true};

static void keep_said(const char *bytes, size_t len)
{
    static const char prefix[] = "airswd: ";
    for (size_t i = 0; i < len; i++) {
        if (report.at_line_start && len - i >= sizeof prefix - 1 &&
            strncmp(bytes + i, prefix, sizeof prefix - 1) == 0)
            i += sizeof prefix - 1;
        if (i >= len)
            break;
        char c = bytes[i] == '\n' ? ' ' : bytes[i];
        report.at_line_start = bytes[i] == '\n';
        if (report.said_len + 1 < SAID_MAX)
            report.said[report.said_len++] = c;
    }
    report.said[report.said_len] = '\0';
}

static ssize_t stderr_write(void *cookie, const char *bytes, size_t len)
{
    (void)cookie;
    keep_said(bytes, len);
    for (size_t done = 0; done < len;) {
        ssize_t wrote = write(STDERR_FILENO, bytes + done, len - done);
        if (wrote <= 0)
            return (ssize_t)len; /* a closed stderr must not turn into a failure of the command */
        done += (size_t)wrote;
    }
    return (ssize_t)len;
}

static ssize_t stdout_write(void *cookie, const char *bytes, size_t len)
{
    (void)cookie;
    report.printed |= len > 0;
    size_t done = 0;
    while (done < len) {
        ssize_t wrote = write(STDOUT_FILENO, bytes + done, len - done);
        if (wrote <= 0)
            return done > 0 ? (ssize_t)done : -1;
        done += (size_t)wrote;
    }
    return (ssize_t)len;
}

void cli_report_start(bool json)
{
    if (!json || report.json)
        return; /* the watch is set up once */
    report.json = true;
    FILE *err = fopencookie(NULL, "w", (cookie_io_functions_t){.write = stderr_write});
    FILE *out = fopencookie(NULL, "w", (cookie_io_functions_t){.write = stdout_write});
    if (err != NULL) {
        setvbuf(err, NULL, _IONBF, 0);
        stderr = err;
    }
    if (out != NULL)
        stdout = out;
}

bool cli_report_json(void)
{
    return report.json;
}

void cli_report_failure(const struct cli_error *failure)
{
    if (report.failure_named)
        return; /* the first layer that named the failure is the one that failed */
    report.failure = *failure;
    report.failure_named = true;
}

static void copy(char *out, size_t size, const char *text)
{
    snprintf(out, size, "%s", text != NULL ? text : "");
}

void cli_error_set(struct cli_error *error, const char *phase, const char *status, const char *detail,
                   const char *message)
{
    memset(error, 0, sizeof *error);
    copy(error->phase, sizeof error->phase, phase);
    copy(error->status, sizeof error->status, status);
    copy(error->detail, sizeof error->detail, detail);
    copy(error->message, sizeof error->message, message);
}

void cli_json_string(const char *text)
{
    putchar('"');
    for (const unsigned char *c = (const unsigned char *)(text != NULL ? text : ""); *c; c++) {
        if (*c == '"' || *c == '\\')
            printf("\\%c", *c);
        else if (*c < 0x20)
            printf("\\u%04x", *c);
        else
            putchar(*c);
    }
    putchar('"');
}

void cli_json_error(const struct cli_error *error)
{
    printf("\"error\":{\"phase\":");
    cli_json_string(error->phase);
    printf(",\"status\":");
    cli_json_string(error->status);
    printf(",\"detail\":");
    cli_json_string(error->detail);
    printf(",\"message\":");
    cli_json_string(error->message);
    printf(",\"flash_changed\":%s,\"http_status\":", error->flash_changed ? "true" : "false");
    if (error->http_status != 0)
        printf("%d}", error->http_status);
    else
        printf("null}");
}

void cli_json_body(const char *body)
{
    const char *inside = body != NULL && body[0] == '{' ? body + 1 : "}";
    while (*inside == ' ' || *inside == '\n')
        inside++;
    printf("{\"ok\":true%s%s\n", *inside == '}' ? "" : ",", inside);
}

int cli_report_end(const char *command, int exit_status)
{
    if (!report.json)
        return exit_status;
    fflush(stdout); /* what the command printed reaches the watch on stdout now */
    if (!report.printed) {
        /* Trailing blank space of the last line goes. */
        while (report.said_len > 0 && report.said[report.said_len - 1] == ' ')
            report.said[--report.said_len] = '\0';
        struct cli_error error;
        if (report.failure_named)
            error = report.failure;
        else
            cli_error_set(&error, command, exit_status == 2 ? "bad-command-line" : "failed", "", "");
        if (error.message[0] == '\0')
            copy(error.message, sizeof error.message, report.said);
        if (exit_status == 0)
            printf("{\"ok\":true}\n");
        else {
            printf("{\"ok\":false,");
            cli_json_error(&error);
            printf("}\n");
        }
    }
    fflush(stdout);
    return exit_status;
}
