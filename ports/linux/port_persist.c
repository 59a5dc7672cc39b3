/*
 * port_persist.c - the device service's settings and event log in files of the state directory (port_persist.h).
 */
#define _POSIX_C_SOURCE 200809L
#include "port_persist.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Writes what fill writes to path, through path.tmp renamed into place. */
static bool write_replace(const char *path, void (*fill)(FILE *file, void *ctx), void *ctx)
{
    char tmp[600];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    /* Readable by the daemon's user only: the security record holds the admin key. */
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    FILE *file = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (file == NULL) {
        if (fd >= 0)
            close(fd);
        return false;
    }
    fill(file, ctx);
    bool ok = fflush(file) == 0 && fsync(fileno(file)) == 0;
    ok = fclose(file) == 0 && ok;
    if (ok && rename(tmp, path) == 0)
        return true;
    unlink(tmp);
    return false;
}

static void fill_settings(FILE *file, void *ctx)
{
    const struct service_settings *settings = ctx;
    fprintf(file, "swclk_hz %lu\nconnect_under_reset %d\nverify %d\npublic_status %d\ntransport %u\nend\n",
            (unsigned long)settings->swclk_hz, settings->connect_under_reset ? 1 : 0, settings->verify ? 1 : 0,
            settings->public_status ? 1 : 0, (unsigned)settings->transport);
}

static void save_settings(void *ctx, const struct service_settings *settings)
{
    struct port_persist *persist = ctx;
    write_replace(persist->settings_path, fill_settings, (void *)settings);
}

static bool load_settings(void *ctx, struct service_settings *settings)
{
    struct port_persist *persist = ctx;
    FILE *file = fopen(persist->settings_path, "r");
    if (file == NULL)
        return false;
    struct service_settings read = *settings;
    char key[32];
    unsigned long value;
    bool complete = false;
    while (fscanf(file, "%31s", key) == 1) {
        if (strcmp(key, "end") == 0) {
            complete = true;
            break;
        }
        if (fscanf(file, "%lu", &value) != 1)
            break;
        if (strcmp(key, "swclk_hz") == 0)
            read.swclk_hz = (uint32_t)value;
        else if (strcmp(key, "connect_under_reset") == 0)
            read.connect_under_reset = value != 0;
        else if (strcmp(key, "verify") == 0)
            read.verify = value != 0;
        else if (strcmp(key, "public_status") == 0)
            read.public_status = value != 0;
        else if (strcmp(key, "transport") == 0 && value <= JOB_TRANSPORT_AUTO)
            read.transport = (uint8_t)value;
    }
    fclose(file);
    if (complete)
        *settings = read;
    return complete;
}

static void write_line(FILE *file, const struct service_log_line *line)
{
    fprintf(file, "%lu %lu ", (unsigned long)line->seq, (unsigned long)line->time_s);
    for (const char *c = line->text; *c; c++)
        fputc(*c == '\n' || *c == '\r' ? ' ' : *c, file);
    fputc('\n', file);
}

static void fill_log(FILE *file, void *ctx)
{
    struct port_persist *persist = ctx;
    /* Oldest first. */
    uint32_t newest = 0;
    for (unsigned i = 0; i < SERVICE_LOG_LINES; i++)
        if (persist->recent[i].seq > newest)
            newest = persist->recent[i].seq;
    uint32_t first = newest >= SERVICE_LOG_LINES ? newest - SERVICE_LOG_LINES + 1 : 1;
    for (uint32_t seq = first; newest != 0 && seq <= newest; seq++) {
        const struct service_log_line *line = &persist->recent[seq % SERVICE_LOG_LINES];
        if (line->seq == seq)
            write_line(file, line);
    }
}

static void append_log(void *ctx, const struct service_log_line *line)
{
    struct port_persist *persist = ctx;
    persist->recent[line->seq % SERVICE_LOG_LINES] = *line;
    if (persist->lines_in_file + 1 >= 2 * SERVICE_LOG_LINES) {
        if (write_replace(persist->log_path, fill_log, persist))
            persist->lines_in_file = SERVICE_LOG_LINES;
        return;
    }
    FILE *file = fopen(persist->log_path, "a");
    if (file == NULL)
        return;
    write_line(file, line);
    fclose(file);
    persist->lines_in_file++;
}

static unsigned load_log(void *ctx, struct service_log_line *lines, unsigned max)
{
    struct port_persist *persist = ctx;
    FILE *file = fopen(persist->log_path, "r");
    if (file == NULL)
        return 0;
    char text[SERVICE_LOG_TEXT_MAX + 64];
    unsigned in_file = 0;
    bool damaged = false;
    while (fgets(text, sizeof text, file) != NULL) {
        size_t len = strlen(text);
        if (len == 0 || text[len - 1] != '\n') {
            damaged = true;
            /* A torn line, or one longer than a log line can be: skip the rest of it. */
            int c;
            while (len == sizeof text - 1 && (c = fgetc(file)) != EOF && c != '\n')
                ;
            continue;
        }
        text[len - 1] = '\0';
        char *end;
        unsigned long seq = strtoul(text, &end, 10);
        if (end == text || *end != ' ' || seq == 0)
            continue;
        char *time_text = end + 1;
        unsigned long time_s = strtoul(time_text, &end, 10);
        if (end == time_text || *end != ' ')
            continue;
        struct service_log_line line = {.seq = (uint32_t)seq, .time_s = (uint32_t)time_s};
        snprintf(line.text, sizeof line.text, "%s", end + 1);
        persist->recent[line.seq % SERVICE_LOG_LINES] = line;
        in_file++;
    }
    fclose(file);
    /* A torn line is rewritten away with the next line, so that nothing is ever appended to its end. */
    persist->lines_in_file = damaged ? 2 * SERVICE_LOG_LINES : in_file;
    /* The newest, oldest first, with increasing numbers only. */
    uint32_t newest = 0;
    for (unsigned i = 0; i < SERVICE_LOG_LINES; i++)
        if (persist->recent[i].seq > newest)
            newest = persist->recent[i].seq;
    uint32_t first = newest >= SERVICE_LOG_LINES ? newest - SERVICE_LOG_LINES + 1 : 1;
    unsigned count = 0;
    for (uint32_t seq = first; newest != 0 && seq <= newest && count < max; seq++) {
        const struct service_log_line *line = &persist->recent[seq % SERVICE_LOG_LINES];
        if (line->seq == seq)
            lines[count++] = *line;
    }
    return count;
}

/* A record the service encodes (it checks its own CRC), in a file of exactly size bytes. A file that is missing is
 * no record; one that cannot be opened or read, or is of another size, is unreadable (never "none": that would
 * open setup again). */
static enum service_record_load load_record(const char *path, uint8_t *record, size_t size)
{
    FILE *file = fopen(path, "rb");
    if (file == NULL)
        return errno == ENOENT ? SERVICE_RECORD_NONE : SERVICE_RECORD_UNREADABLE;
    size_t got = fread(record, 1, size, file);
    bool whole = got == size && fgetc(file) == EOF && !ferror(file);
    fclose(file);
    return whole ? SERVICE_RECORD_LOADED : SERVICE_RECORD_UNREADABLE;
}

struct record_bytes {
    const uint8_t *record;
    size_t size;
};

static void fill_record(FILE *file, void *ctx)
{
    const struct record_bytes *bytes = ctx;
    fwrite(bytes->record, 1, bytes->size, file);
}

static bool save_record(const char *path, const uint8_t *record, size_t size)
{
    struct record_bytes bytes = {record, size};
    return write_replace(path, fill_record, &bytes);
}

static enum service_record_load load_security(void *ctx, uint8_t *record, size_t size)
{
    return load_record(((struct port_persist *)ctx)->security_path, record, size);
}

static bool save_security(void *ctx, const uint8_t *record, size_t size)
{
    return save_record(((struct port_persist *)ctx)->security_path, record, size);
}

static enum service_record_load load_rollback(void *ctx, uint8_t *record, size_t size)
{
    return load_record(((struct port_persist *)ctx)->rollback_path, record, size);
}

static bool save_rollback(void *ctx, const uint8_t *record, size_t size)
{
    return save_record(((struct port_persist *)ctx)->rollback_path, record, size);
}

static const struct service_persist port_persist_ops = {
    .load_settings = load_settings,
    .save_settings = save_settings,
    .load_log = load_log,
    .append_log = append_log,
    .load_security = load_security,
    .save_security = save_security,
    .load_rollback = load_rollback,
    .save_rollback = save_rollback,
};

const struct service_persist *port_persist_init(struct port_persist *persist, const char *dir)
{
    memset(persist, 0, sizeof *persist);
    snprintf(persist->settings_path, sizeof persist->settings_path, "%s/settings.txt", dir);
    snprintf(persist->log_path, sizeof persist->log_path, "%s/log.txt", dir);
    snprintf(persist->security_path, sizeof persist->security_path, "%s/security.bin", dir);
    snprintf(persist->rollback_path, sizeof persist->rollback_path, "%s/anti-rollback.bin", dir);
    return &port_persist_ops;
}
