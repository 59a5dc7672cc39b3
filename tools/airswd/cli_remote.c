/*
 * cli_remote.c - `airswd --device http://HOST:PORT COMMAND`: the same commands driven through a daemon's REST API
 * (docs/api.md) instead of a local target, with the same output and exit status. flash and verify upload the file
 * (POST /api/v1/images), start a job (POST /api/v1/jobs) and follow it (GET /api/v1/jobs/{id} every 100 ms); info
 * is GET /api/v1/target; erase and reset are jobs; read is a read job whose image is downloaded, then deleted.
 */
#define _POSIX_C_SOURCE 200809L
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "crc32.h"
#include "remote.h"

#define POLL_MS 100

/* ---- requests ---- */

/* An HTTP error from the daemon: its JSON error's name, detail and message. */
void print_http_error(struct remote *remote, const char *what, const struct http_client_response *response)
{
    struct cli_error failure;
    cli_error_set(&failure, what, "", "", "");
    json_text(response->body, "error", failure.status, sizeof failure.status);
    json_text(response->body, "detail", failure.detail, sizeof failure.detail);
    json_text(response->body, "message", failure.message, sizeof failure.message);
    failure.http_status = response->status;
    if (failure.status[0] == '\0')
        snprintf(failure.status, sizeof failure.status, "HTTP %d", response->status);
    cli_report_failure(&failure);
    fprintf(stderr, "airswd: %s: %s%s%s%s%s (HTTP %d from %s)\n", what, failure.status, failure.detail[0] ? ": " : "",
            failure.detail, failure.message[0] ? ": " : "", failure.message, response->status, remote->url_text);
    if (strcmp(failure.status, "unauthorized") == 0 && !remote->has_passphrase)
        fprintf(stderr, "airswd: give the admin passphrase: --passphrase-file FILE or AIRSWD_PASSPHRASE\n");
    if (strcmp(failure.status, "debug-mode-off") == 0)
        fprintf(stderr, "airswd: debug mode lets it through: airswd --device %s debug on\n", remote->url_text);
    if (strcmp(failure.status, "not-configured") == 0)
        fprintf(stderr, "airswd: the device is not set up yet: airswd --device %s setup --code CODE (the code it "
                        "showed at start)\n", remote->url_text);
}

/* What to do when the device's store has no room for the image (507). */
static void print_room_hint(struct remote *remote, const struct http_client_response *response, const char *path)
{
    char error[64];
    json_text(response->body, "error", error, sizeof error);
    if (strcmp(error, "no-room-for-rollback") == 0)
        fprintf(stderr,
                "airswd: to flash it all the same, give up the rollback copy: airswd --device %s flash %s "
                "--no-rollback\n",
                remote->url_text, path);
    else if (strcmp(error, "store-full") == 0)
        fprintf(stderr,
                "airswd: delete the staged images named above on the device's page, or with DELETE "
                "/api/v1/images/{id} (GET %s/api/v1/images lists their ids)\n",
                remote->url_text);
}

/* The image uploaded for a job that could not start or failed: deleted, so that it does not take room in the store. */
static void forget_image(struct remote *remote, unsigned long long image_id)
{
    if (image_id == 0)
        return;
    char path[64], error[128];
    snprintf(path, sizeof path, "/api/v1/images/%llu", image_id);
    struct http_client_response response;
    if (remote_request_quiet(remote, "DELETE", path, NULL, &response, error, sizeof error))
        http_client_response_free(&response);
}

/* ---- progress, as a local job shows it ---- */

static void show_progress(struct cli_progress *shown, const char *job)
{
    char phase[32];
    json_text(job, "phase", phase, sizeof phase);
    if (phase[0] != '\0')
        cli_progress_show(shown, phase, json_u64_or(job, "done", 0), json_u64_or(job, "total", 0),
                          json_u64_or(job, "phase_us", 0));
}

static void sleep_ms(unsigned ms)
{
    struct timespec pause = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};
    nanosleep(&pause, NULL);
}

/* Polls the job until it ends; the final record (the caller frees it), or NULL after saying why. */
static char *follow_job(struct remote *remote, unsigned long long id)
{
    struct cli_progress shown = {.terminal = isatty(STDERR_FILENO) != 0};
    char path[64];
    snprintf(path, sizeof path, "/api/v1/jobs/%llu", id);
    for (;;) {
        struct http_client_response response;
        if (!remote_request(remote, "GET", path, NULL, &response))
            return NULL;
        if (response.status != 200) {
            print_http_error(remote, "job", &response);
            http_client_response_free(&response);
            return NULL;
        }
        char state[32];
        json_text(response.body, "state", state, sizeof state);
        if (strcmp(state, "queued") != 0 && strcmp(state, "running") != 0) {
            cli_progress_end(&shown, strcmp(state, "done") == 0);
            return response.body;
        }
        if (!remote->json)
            show_progress(&shown, response.body);
        http_client_response_free(&response);
        sleep_ms(POLL_MS);
    }
}

/* ---- the result, as a local job prints it ---- */

static void summarize_result(const char *result, struct cli_summary *summary)
{
    const char *phases = json_get(result, "phases_us");
    for (const char *p = phases != NULL && *phases == '{' ? phases + 1 : ""; *p == '"';) {
        const char *name = p + 1, *after = json_skip(p);
        size_t name_len = (size_t)(after - 1 - name);
        p = after + 1;
        for (enum job_phase phase = JOB_PHASE_PLAN; phase < JOB_PHASE_COUNT; phase++)
            if (strlen(job_phase_name(phase)) == name_len && strncmp(name, job_phase_name(phase), name_len) == 0)
                summary->phase_us[phase] = strtoull(p, NULL, 10);
        p = json_skip(p);
        if (*p == ',')
            p++;
    }
    summary->total_us = json_u64_or(result, "total_us", 0);
    summary->erase_units = (uint32_t)json_u64_or(result, "erase_units", 0);
    summary->unchanged_units = (uint32_t)json_u64_or(result, "unchanged_units", 0);
    summary->program_bytes = (uint32_t)json_u64_or(result, "program_bytes", 0);
    summary->verified_bytes = (uint32_t)json_u64_or(result, "verified_bytes", 0);
    summary->eeprom_written = (uint32_t)json_u64_or(result, "eeprom_written_bytes", 0);
    summary->eeprom_unchanged = (uint32_t)json_u64_or(result, "eeprom_unchanged_bytes", 0);
    summary->mass_erased = json_true(result, "mass_erase");
    summary->verified_on_target = json_true(result, "verified_on_target");
    json_text(result, "part", summary->part, sizeof summary->part);
    json_text(result, "core", summary->core, sizeof summary->core);
    summary->dev_id = (unsigned)json_u64_or(result, "dev_id", 0);
    summary->rev_id = (unsigned)json_u64_or(result, "rev_id", 0);
    summary->flash_size = (uint32_t)json_u64_or(result, "flash_size", 0);
}

/* The job's end: 0 done, 1 anything else. */
static int print_job_end(struct remote *remote, const char *record, unsigned long long image_id, const char *request)
{
    static struct cli_summary summary;
    memset(&summary, 0, sizeof summary);
    char state[32], action[32], format[16];
    json_text(record, "state", state, sizeof state);
    json_text(record, "action", action, sizeof action);
    if (!cli_action_from_name(action, &summary.action))
        summary.action = JOB_ACTION_FLASH; /* a rollback flashes */
    summary.action_name = cli_action_name(summary.action);
    snprintf(summary.device, sizeof summary.device, "%s", remote->url_text);
    summary.job_id = (unsigned long)json_u64_or(record, "id", 0);
    summary.image_id = (unsigned long)image_id;
    enum image_format read_as;
    if (image_format_from_key(json_text(record, "image_format", format, sizeof format), &read_as)) {
        json_text(record, "image_name", summary.image_name, sizeof summary.image_name);
        summary.format_name = image_format_name(read_as);
        summary.format_key = image_format_key(read_as);
    }
    summary.reset_by_nrst = strstr(request, "\"nrst\":true") != NULL;
    char *result = json_object(record, "result");
    char *error = json_object(record, "error");
    if (result != NULL)
        summarize_result(result, &summary);
    summary.ok = strcmp(state, "done") == 0;
    if (!summary.ok) {
        struct cli_error *failure = &summary.error;
        cli_error_set(failure, action, state, "", "");
        json_text(error, "phase", failure->phase, sizeof failure->phase);
        json_text(error, "status", failure->status, sizeof failure->status);
        json_text(error, "detail", failure->detail, sizeof failure->detail);
        json_text(error, "message", failure->message, sizeof failure->message);
        failure->flash_changed = json_true(error, "flash_changed");
    }
    free(result);
    free(error);
    cli_summary_print(&summary, remote->json);
    return summary.ok ? 0 : 1;
}

/* POSTs a job (body is its JSON) and follows it to its end; the exit status. *final (may be NULL) receives the
 * job's last record when it is done (the caller frees it). */
static int run_job(struct remote *remote, const char *body, unsigned long long image_id, bool uploaded,
                   const char *action, char **final)
{
    struct http_client_body request = {.content_type = "application/json", .bytes = body, .len = strlen(body)};
    struct http_client_response response;
    if (!remote_request(remote, "POST", "/api/v1/jobs", &request, &response))
        return 1;
    if (response.status != 202 && response.status != 201 && response.status != 200) {
        char detail[256];
        json_text(response.body, "detail", detail, sizeof detail);
        if (response.status == 400 && strncmp(detail, "'action'", 8) == 0) {
            fprintf(stderr, "airswd: %s: the device at %s does not offer the %s action yet\n", action,
                    remote->url_text, action);
        } else {
            print_http_error(remote, action, &response);
        }
        http_client_response_free(&response);
        if (uploaded)
            forget_image(remote, image_id);
        return 1;
    }
    unsigned long long id;
    bool have_id = json_u64(response.body, "id", &id);
    http_client_response_free(&response);
    if (!have_id) {
        fprintf(stderr, "airswd: %s: the device at %s answered without a job id\n", action, remote->url_text);
        return 1;
    }
    char *record = follow_job(remote, id);
    if (record == NULL)
        return 1;
    /* A read's caller prints once the data is downloaded; its failure is printed here. */
    char state[16];
    json_text(record, "state", state, sizeof state);
    int status = final != NULL && strcmp(state, "done") == 0 ? 0 : print_job_end(remote, record, image_id, body);
    /* A failed job leaves the device's store as it was (the image it uploaded stays staged): the upload made for
     * it goes too, so that refused images do not pile up in the store's slots. */
    if (status != 0 && uploaded)
        forget_image(remote, image_id);
    if (final != NULL && status == 0)
        *final = record;
    else
        free(record);
    return status;
}

/* ---- commands ---- */

static void url_encode(const char *text, char *out, size_t size)
{
    size_t n = 0;
    for (const unsigned char *c = (const unsigned char *)text; *c && n + 4 < size; c++) {
        if ((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') || strchr("-._~", *c))
            out[n++] = (char)*c;
        else
            n += (size_t)snprintf(out + n, size - n, "%%%02X", *c);
    }
    out[n] = '\0';
}

/* An image already in the device's store with this name, size, CRC-32 (and base, for a binary): its id, so that
 * flashing the same file again does not take another slot; 0 when there is none. */
static unsigned long long find_stored_image(struct remote *remote, FILE *file, const char *name, bool is_bin,
                                            uint32_t base)
{
    uint32_t crc = 0;
    unsigned long long size = 0;
    uint8_t buffer[8192];
    size_t got;
    rewind(file);
    while ((got = fread(buffer, 1, sizeof buffer, file)) > 0) {
        crc = crc32_update(crc, buffer, got);
        size += got;
    }
    rewind(file);
    struct http_client_response response;
    char error[128];
    if (!remote_request_quiet(remote, "GET", "/api/v1/images", NULL, &response, error, sizeof error))
        return 0;
    unsigned long long found = 0;
    const char *p = response.status == 200 && response.body[0] == '[' ? response.body + 1 : "";
    while (*p == '{' && found == 0) {
        const char *end = json_skip(p);
        char *image = strndup(p, (size_t)(end - p));
        char stored_name[256];
        json_text(image, "name", stored_name, sizeof stored_name);
        if (image != NULL && strcmp(stored_name, name) == 0 && json_u64_or(image, "size", ~0ull) == size &&
            json_u64_or(image, "crc32", ~0ull) == crc &&
            (!is_bin || json_u64_or(image, "base", 0x08000000ull) == (base ? base : 0x08000000u)))
            json_u64(image, "id", &found);
        free(image);
        p = end;
        while (*p == ',' || *p == ' ')
            p++;
    }
    http_client_response_free(&response);
    return found;
}

/* Deletes the staged images (uploads never flashed: what an upload whose job was refused leaves); how many. */
static unsigned forget_staged_images(struct remote *remote)
{
    struct http_client_response response;
    char error[128];
    if (!remote_request_quiet(remote, "GET", "/api/v1/images", NULL, &response, error, sizeof error))
        return 0;
    unsigned deleted = 0;
    const char *p = response.status == 200 && response.body[0] == '[' ? response.body + 1 : "";
    while (*p == '{') {
        const char *end = json_skip(p);
        char *image = strndup(p, (size_t)(end - p));
        char state[32];
        unsigned long long id;
        json_text(image, "state", state, sizeof state);
        if (strcmp(state, "staged") == 0 && json_u64(image, "id", &id)) {
            forget_image(remote, id);
            deleted++;
        }
        free(image);
        p = end;
        while (*p == ',' || *p == ' ')
            p++;
    }
    http_client_response_free(&response);
    return deleted;
}

static int usage_flash(const char *command)
{
    if (strcmp(command, "verify") == 0)
        fprintf(stderr, "usage: airswd --device URL verify FILE [--format bin|hex|elf|container] [--base ADDR]\n");
    else
        fprintf(stderr, "usage: airswd --device URL flash FILE [--format bin|hex|elf|container] [--base ADDR] "
                        "[--no-verify] [--no-reset] [--skip-unchanged] [--no-rollback]\n");
    return 2;
}

static int remote_flash(struct remote *remote, const char *command, int argc, char **argv)
{
    bool verify_only = strcmp(command, "verify") == 0;
    bool verify = true, reset = !verify_only, skip_unchanged = false, have_base = false, no_rollback = false;
    uint32_t base = 0;
    const char *path = NULL;
    enum image_format format = IMAGE_FORMAT_BIN;
    bool format_given = false;
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--base") == 0 && i + 1 < argc) {
            if (!cli_parse_base(argv[++i], &base))
                return 2;
            have_base = true;
        } else if (strcmp(argv[i], "--format") == 0 && i + 1 < argc) {
            if (!cli_parse_format(argv[++i], &format))
                return 2;
            format_given = true;
        } else if (strcmp(argv[i], "--no-verify") == 0 && !verify_only) {
            verify = false;
        } else if (strcmp(argv[i], "--no-reset") == 0 && !verify_only) {
            reset = false;
        } else if (strcmp(argv[i], "--skip-unchanged") == 0 && !verify_only) {
            skip_unchanged = true;
        } else if (strcmp(argv[i], "--no-rollback") == 0 && !verify_only) {
            no_rollback = true;
        } else if (strcmp(argv[i], "--connect-under-reset") == 0) {
            fprintf(stderr, "airswd: --connect-under-reset is a setting of the device, for every job it runs: "
                            "airswd --device %s settings connect_under_reset=true\n", remote->url_text);
            return 2;
        } else if (argv[i][0] != '-' && path == NULL) {
            path = argv[i];
        } else {
            return usage_flash(command);
        }
    }
    if (path == NULL)
        return usage_flash(command);
    int checked = cli_image_check(path, format_given, &format);
    if (checked != 0)
        return checked;
    FILE *file = fopen(path, "rb");
    if (file == NULL) {
        fprintf(stderr, "airswd: cannot open %s\n", path);
        return 2;
    }
    if (format != IMAGE_FORMAT_BIN && have_base) {
        fprintf(stderr, "airswd: --base is for raw binaries; %s is %s and carries its own addresses\n", path,
                image_format_name(format));
        fclose(file);
        return 2;
    }
    const char *slash = strrchr(path, '/');
    const char *base_name = slash ? slash + 1 : path;
    unsigned long long image_id = find_stored_image(remote, file, base_name, format == IMAGE_FORMAT_BIN, base);
    bool uploaded = image_id == 0;
    if (uploaded) {
        char name[256], query[512];
        url_encode(base_name, name, sizeof name);
        int len = snprintf(query, sizeof query, "/api/v1/images?name=%s&format=%s", name, image_format_key(format));
        if (have_base)
            len += snprintf(query + len, sizeof query - (size_t)len, "&base=0x%08lX", (unsigned long)base);
        if (no_rollback)
            snprintf(query + len, sizeof query - (size_t)len, "&no_rollback=1");
        struct http_client_body upload = {.content_type = "application/octet-stream", .file = file};
        struct http_client_response response;
        bool reached = remote_request(remote, "POST", query, &upload, &response);
        char error[64];
        if (reached && json_text(response.body, "error", error, sizeof error) &&
            strcmp(error, "store-no-free-slot") == 0) {
            /* Every slot taken, some by uploads that never got flashed: those go, and the upload is tried again. */
            unsigned deleted = forget_staged_images(remote);
            if (deleted > 0) {
                fprintf(stderr, "airswd: the device's store was full: removed %u staged image%s never flashed\n",
                        deleted, deleted == 1 ? "" : "s");
                http_client_response_free(&response);
                reached = remote_request(remote, "POST", query, &upload, &response);
            }
        }
        fclose(file);
        if (!reached)
            return 1;
        if (response.status != 201 || !json_u64(response.body, "id", &image_id)) {
            print_http_error(remote, "upload", &response);
            print_room_hint(remote, &response, path);
            http_client_response_free(&response);
            return 1;
        }
        http_client_response_free(&response);
    } else {
        fclose(file);
    }
    char body[256];
    if (verify_only)
        snprintf(body, sizeof body, "{\"action\":\"verify\",\"image\":%llu}", image_id);
    else
        snprintf(body, sizeof body,
                 "{\"action\":\"flash\",\"image\":%llu,\"verify\":%s,\"reset\":%s,\"skip_unchanged\":%s}", image_id,
                 verify ? "true" : "false", reset ? "true" : "false", skip_unchanged ? "true" : "false");
    return run_job(remote, body, image_id, uploaded, verify_only ? "verify" : "flash", NULL);
}

static int remote_info(struct remote *remote, int argc)
{
    if (argc != 0) {
        fprintf(stderr, "usage: airswd --device URL info\n");
        return 2;
    }
    struct http_client_response response;
    if (!remote_request(remote, "GET", "/api/v1/target", NULL, &response))
        return 1;
    if (response.status != 200) {
        print_http_error(remote, "info", &response);
        http_client_response_free(&response);
        return 1;
    }
    const char *t = response.body;
    if (remote->json) {
        cli_json_body(t);
    } else {
        char part[96], core[32];
        json_text(t, "part", part, sizeof part);
        json_text(t, "core", core, sizeof core);
        unsigned long long rdp;
        printf("target      %s (through the device)\n", remote->url_text);
        printf("part        %s (DEV_ID 0x%03llX, REV_ID 0x%04llX), %s\n", part, json_u64_or(t, "dev_id", 0),
               json_u64_or(t, "rev_id", 0), core);
        printf("flash       %llu KB in %llu erase units, programmed %llu bytes at a time\n",
               json_u64_or(t, "flash_size", 0) / 1024, json_u64_or(t, "erase_units", 0),
               json_u64_or(t, "program_unit", 0));
        if (json_u64(t, "rdp_level", &rdp))
            printf("protection  read protection level %llu\n", rdp);
        char *options = json_object(t, "option_bytes");
        char user[256];
        if (options != NULL) {
            printf("user bits   0x%08llX  %s\n", json_u64_or(options, "user_raw", 0),
                   json_text(options, "user", user, sizeof user));
            const char *runs = json_get(options, "write_protected");
            printf("write prot  %s\n", runs == NULL || strncmp(runs, "[]", 2) == 0 ? "none" : "");
            unsigned long first, last;
            for (const char *p = runs ? runs + 1 : ""; sscanf(p, "[%lu,%lu]", &first, &last) == 2;
                 p = json_skip(p), p += *p == ',')
                printf("            erase units %lu-%lu\n", first, last);
            free(options);
        }
    }
    http_client_response_free(&response);
    return 0;
}

/* reset [--nrst], erase [--mass]: a job with one optional flag. */
static int remote_flag_job(struct remote *remote, const char *command, int argc, char **argv)
{
    bool reset = strcmp(command, "reset") == 0;
    const char *flag = reset ? "--nrst" : "--mass";
    bool set = argc == 1 && strcmp(argv[0], flag) == 0;
    if (argc > 1 || (argc == 1 && !set)) {
        fprintf(stderr, "usage: airswd --device URL %s [%s]\n", command, flag);
        return 2;
    }
    char body[64];
    snprintf(body, sizeof body, "{\"action\":\"%s\",\"%s\":%s}", command, flag + 2, set ? "true" : "false");
    return run_job(remote, body, 0, false, command, NULL);
}

/* read ADDRESS LENGTH -o FILE: a read job puts the memory in an image of the device's store; it is downloaded
 * into FILE, then deleted. FILE is opened first: a folder that does not exist is a bad command line, found before
 * the chip is read. */
static int remote_read(struct remote *remote, int argc, char **argv)
{
    uint32_t address, length;
    if (argc != 4 || !cli_parse_u32(argv[0], &address) || !cli_parse_u32(argv[1], &length) ||
        strcmp(argv[2], "-o") != 0 || length == 0) {
        fprintf(stderr, "usage: airswd --device URL read ADDRESS LENGTH -o FILE\n");
        return 2;
    }
    struct cli_output out;
    if (!cli_output_open(&out, argv[3], 0644, true))
        return 2;
    char body[128];
    snprintf(body, sizeof body, "{\"action\":\"read\",\"address\":%lu,\"length\":%lu}", (unsigned long)address,
             (unsigned long)length);
    char *record = NULL;
    if (run_job(remote, body, 0, false, "read", &record) != 0) {
        cli_output_abandon(&out);
        return 1;
    }
    char data[128];
    json_text(record, "data", data, sizeof data);
    free(record);
    const char *prefix = "/api/v1/images/";
    struct http_client_response response;
    if (strncmp(data, prefix, strlen(prefix)) != 0) {
        fprintf(stderr, "airswd: read: the device at %s did not say where the data is\n", remote->url_text);
        cli_output_abandon(&out);
        return 1;
    }
    if (!remote_request(remote, "GET", data, NULL, &response)) {
        cli_output_abandon(&out);
        return 1;
    }
    bool ok = response.status == 200 && response.body_len == length;
    if (!ok)
        print_http_error(remote, "read", &response);
    ok = ok && cli_output_put(&out, response.body, length) && cli_output_commit(&out);
    if (!ok)
        cli_output_abandon(&out);
    else
        cli_read_print(address, length, argv[3], remote->json);
    http_client_response_free(&response);
    forget_image(remote, strtoull(data + strlen(prefix), NULL, 10));
    return ok ? 0 : 1;
}

int cli_remote_main(const char *url, const struct cli_options *options, const char *command, int argc, char **argv)
{
    struct remote remote;
    if (!remote_open(&remote, url, options))
        return 2;
    int admin = cli_remote_admin(&remote, command, argc, argv);
    if (admin >= 0)
        return admin;
    int programmer = cli_remote_board(&remote, command, argc, argv);
    if (programmer >= 0)
        return programmer;
    int image_key = cli_remote_image_key(&remote, command, argc, argv);
    if (image_key >= 0)
        return image_key;
    if (strcmp(command, "flash") == 0 || strcmp(command, "verify") == 0)
        return remote_flash(&remote, command, argc, argv);
    if (strcmp(command, "info") == 0)
        return remote_info(&remote, argc);
    if (strcmp(command, "reset") == 0 || strcmp(command, "erase") == 0)
        return remote_flag_job(&remote, command, argc, argv);
    if (strcmp(command, "read") == 0)
        return remote_read(&remote, argc, argv);
    fprintf(stderr,
            "airswd: %s is not available through --device (flash, verify, info, read, erase, reset, setup, debug, "
            "settings, trust, untrust, image-key, auth-header, board, update-firmware are); option "
            "bytes and read protection are changed on the bench, with a local target\n",
            command);
    return 2;
}
