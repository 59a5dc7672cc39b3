/*
 * cli_job.c - running a flash job from the command line: the image file read through stdio, progress on stderr
 * (a bar on a terminal, plain lines otherwise), and the result as text or JSON on stdout.
 */
#include "cli.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define BAR_WIDTH 30

static long file_read(void *ctx, uint32_t offset, uint8_t *buf, uint32_t len)
{
    FILE *file = ctx;
    if (fseek(file, (long)offset, SEEK_SET) != 0)
        return -1;
    size_t got = fread(buf, 1, len, file);
    return ferror(file) ? -1 : (long)got;
}

struct cli_progress {
    bool terminal;
    enum job_phase phase;
    unsigned last_quarter;
};

static void show_progress(void *ctx, const struct job_progress *progress)
{
    struct cli_progress *shown = ctx;
    bool new_phase = progress->phase != shown->phase;
    shown->phase = progress->phase;
    if (new_phase)
        shown->last_quarter = 0;
    if (progress->total == 0)
        return;
    unsigned percent = (unsigned)((uint64_t)progress->done * 100 / progress->total);
    if (shown->terminal) {
        unsigned filled = percent * BAR_WIDTH / 100;
        fprintf(stderr, "\r%-8s [%.*s%*s] %3u%%  %lu/%lu  %.3f s", job_phase_name(progress->phase), (int)filled,
                "##############################", (int)(BAR_WIDTH - filled), "", percent,
                (unsigned long)progress->done, (unsigned long)progress->total, (double)progress->phase_us / 1e6);
        if (progress->done == progress->total)
            fputc('\n', stderr);
        return;
    }
    /* Plain lines for logs: each quarter of the phase. */
    unsigned quarter = percent / 25;
    if (quarter != shown->last_quarter) {
        fprintf(stderr, "%s %u%% (%lu of %lu)\n", job_phase_name(progress->phase), percent,
                (unsigned long)progress->done, (unsigned long)progress->total);
        shown->last_quarter = quarter;
    }
}

/* The format the job read the file as: what the user named, or what detection found. */
static void print_image(const struct job *job, const char *path)
{
    printf("image     %s, %s", path, image_format_name(job->options.format));
    if (job->options.format == IMAGE_FORMAT_BIN)
        printf(" at 0x%08lX", (unsigned long)(job->options.bin_base ? job->options.bin_base : STM32_FLASH_BASE));
    printf("\n");
}

static void print_text(const struct job *job, enum status status, const struct cli_target *target, const char *path)
{
    const struct job_result *result = &job->result;
    print_image(job, path);
    if (job->target.part != NULL)
        printf("target    %s, %s, %lu KB flash (DEV_ID 0x%03X rev 0x%04X)\n", job->target.part->name,
               stm32_core_name(job->target.cpuid), (unsigned long)(job->target.flash_size / 1024),
               stm32_dev_id(&job->target), stm32_rev_id(&job->target));
    if (job->result.backend != NULL && job->link.transport != JOB_TRANSPORT_SWD)
        printf("through   %s%s\n", job->result.backend, job->link.transport == JOB_TRANSPORT_AUTO ? " (auto)" : "");
    if (job->result.line_recoveries > 0)
        printf("line      %lu exchanges repeated after lost or garbled bytes\n",
               (unsigned long)job->result.line_recoveries);
    for (enum job_phase phase = JOB_PHASE_PLAN; phase < JOB_PHASE_COUNT; phase++) {
        if (result->phase_us[phase] == 0 && phase != JOB_PHASE_PLAN)
            continue;
        printf("%-9s %10.3f ms\n", job_phase_name(phase), (double)result->phase_us[phase] / 1e3);
    }
    printf("erased    %lu units%s", (unsigned long)result->erase_units, result->mass_erased ? " (mass erase)" : "");
    if (result->unchanged_units)
        printf(", %lu unchanged units left alone", (unsigned long)result->unchanged_units);
    printf("\n");
    printf("programmed %lu bytes, verified %lu bytes%s\n", (unsigned long)result->program_bytes,
           (unsigned long)result->verified_bytes, result->verified_on_target ? " (CRC-32 on the target)" : "");
    printf("total     %10.3f ms chip time\n", (double)result->total_us / 1e3);
    if (status != STATUS_OK) {
        cli_print_failure(target, job_phase_name(result->failed_phase));
        if (result->erased)
            fprintf(stderr, "airswd: the flash was erased before the failure: it holds an incomplete image\n");
    }
}

/* A JSON string: quotes, backslashes and control characters escaped. */
static void print_json_string(const char *text)
{
    putchar('"');
    for (const unsigned char *c = (const unsigned char *)text; *c; c++) {
        if (*c == '"' || *c == '\\')
            printf("\\%c", *c);
        else if (*c < 0x20)
            printf("\\u%04x", *c);
        else
            putchar(*c);
    }
    putchar('"');
}

static void print_json(const struct job *job, enum status status, const struct cli_target *target)
{
    const struct job_result *result = &job->result;
    printf("{\"ok\":%s,\"format\":\"%s\",", status == STATUS_OK ? "true" : "false",
           image_format_key(job->options.format));
    if (job->target.part != NULL)
        printf("\"part\":\"%s\",\"dev_id\":%u,\"flash_size\":%lu,", job->target.part->name, stm32_dev_id(&job->target),
               (unsigned long)job->target.flash_size);
    if (job->result.backend != NULL && job->link.transport != JOB_TRANSPORT_SWD)
        printf("\"backend\":\"%s\",", job->result.backend);
    printf("\"phases_us\":{");
    for (enum job_phase phase = JOB_PHASE_PLAN; phase < JOB_PHASE_COUNT; phase++)
        printf("%s\"%s\":%llu", phase ? "," : "", job_phase_name(phase), (unsigned long long)result->phase_us[phase]);
    printf("},\"total_us\":%llu,\"erase_units\":%lu,\"unchanged_units\":%lu,\"mass_erase\":%s,\"program_bytes\":%lu,"
           "\"verified_bytes\":%lu",
           (unsigned long long)result->total_us, (unsigned long)result->erase_units,
           (unsigned long)result->unchanged_units, result->mass_erased ? "true" : "false",
           (unsigned long)result->program_bytes, (unsigned long)result->verified_bytes);
    if (status != STATUS_OK)
    {
        printf(",\"error\":{\"phase\":\"%s\",\"status\":\"%s\",\"detail\":", job_phase_name(result->failed_phase),
               status_name(status));
        print_json_string(target->report.detail);
        printf(",\"message\":");
        print_json_string(status_message(status));
        printf(",\"flash_changed\":%s}", result->erased ? "true" : "false");
    }
    printf("}\n");
}

int cli_run_job(struct cli_target *target, const struct cli_options *options, const char *path,
                const struct job_options *job_options)
{
    FILE *file = fopen(path, "rb");
    if (file == NULL) {
        fprintf(stderr, "airswd: cannot open %s\n", path);
        return 2;
    }
    static struct job job; /* large, and one per process */
    const struct job_link link = {.swd = target->swd_pins, .system = target->system, .pins = target->pins,
                                  .transport = target->transport, .uart = target->uart,
                                  .uart_baud = target->uart_baud};
    const struct job_file job_file = {.ctx = file, .read = file_read};
    job_init(&job, &link, &job_file, job_options, &target->report);
    struct cli_progress shown = {.terminal = isatty(STDERR_FILENO) && !options->json, .phase = JOB_PHASE_COUNT};
    if (!options->json)
        job_on_progress(&job, show_progress, &shown);
    enum status status = job_run(&job);
    fclose(file);
    target->keep_state = true;
    if (options->json)
        print_json(&job, status, target);
    else
        print_text(&job, status, target, path);
    return status == STATUS_OK ? 0 : 1;
}
