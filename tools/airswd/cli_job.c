/*
 * cli_job.c - running a job (flash, verify, erase, reset) on a local target from the command line: the image file
 * read through stdio, progress on stderr, and the result printed as cli_summary.c prints it.
 */
#include "cli.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

static long file_read(void *ctx, uint32_t offset, uint8_t *buf, uint32_t len)
{
    FILE *file = ctx;
    if (fseek(file, (long)offset, SEEK_SET) != 0)
        return -1;
    size_t got = fread(buf, 1, len, file);
    return ferror(file) ? -1 : (long)got;
}

long cli_job_no_file(void *ctx, uint32_t offset, uint8_t *buf, uint32_t len)
{
    (void)ctx, (void)offset, (void)buf, (void)len;
    return 0;
}

struct job_link cli_job_link(const struct cli_target *target)
{
    return (struct job_link){.swd = target->swd_pins, .system = target->system, .pins = target->pins,
                             .transport = target->transport, .uart = target->uart, .uart_baud = target->uart_baud};
}

static void show_progress(void *ctx, const struct job_progress *progress)
{
    cli_progress_show(ctx, job_phase_name(progress->phase), progress->done, progress->total, progress->phase_us);
}

static void summarize(const struct job *job, enum status status, const struct cli_target *target, const char *path,
                      struct cli_summary *summary)
{
    const struct job_result *result = &job->result;
    memset(summary, 0, sizeof *summary);
    summary->action = job->options.action;
    summary->action_name = cli_action_name(job->options.action);
    if (path != NULL) {
        snprintf(summary->image_name, sizeof summary->image_name, "%s", path);
        summary->format_name = image_format_name(job->options.format);
        summary->format_key = image_format_key(job->options.format);
        summary->is_bin = job->options.format == IMAGE_FORMAT_BIN;
        summary->bin_base = job->options.bin_base ? job->options.bin_base : STM32_FLASH_BASE;
    }
    if (job->target.part != NULL) {
        snprintf(summary->part, sizeof summary->part, "%s", job->target.part->name);
        if (job->target.cpuid != 0) /* the ROM bootloader does not tell the core */
            snprintf(summary->core, sizeof summary->core, "%s", stm32_core_name(job->target.cpuid));
        summary->dev_id = stm32_dev_id(&job->target);
        summary->rev_id = stm32_rev_id(&job->target);
        summary->flash_size = job->target.flash_size;
    }
    memcpy(summary->phase_us, result->phase_us, sizeof summary->phase_us);
    summary->total_us = result->total_us;
    summary->erase_units = result->erase_units;
    summary->unchanged_units = result->unchanged_units;
    summary->program_bytes = result->program_bytes;
    summary->verified_bytes = result->verified_bytes;
    summary->eeprom_written = result->eeprom_written;
    summary->eeprom_unchanged = result->eeprom_unchanged;
    summary->mass_erased = result->mass_erased;
    summary->verified_on_target = result->verified_on_target;
    summary->reset_by_nrst = job->options.reset_by_nrst;
    if (job->result.backend != NULL && job->link.transport != JOB_TRANSPORT_SWD) {
        summary->backend = job->result.backend;
        summary->backend_auto = job->link.transport == JOB_TRANSPORT_AUTO;
    }
    summary->line_recoveries = job->result.line_recoveries;
    summary->ok = status == STATUS_OK;
    if (!summary->ok) {
        cli_error_set(&summary->error, job_phase_name(result->failed_phase), status_name(status),
                      target->report.detail, status_message(status));
        summary->error.flash_changed = result->erased;
    }
}

int cli_run_job(struct cli_target *target, const struct cli_options *options, const char *path,
                const struct job_options *job_options)
{
    bool with_image = job_options->action == JOB_ACTION_FLASH || job_options->action == JOB_ACTION_VERIFY;
    FILE *file = with_image ? fopen(path, "rb") : NULL;
    if (with_image && file == NULL) {
        perror(path); /* cli_image_check opened it a moment ago */
        return 2;
    }
    static struct job job; /* large, and one per process */
    const struct job_link link = cli_job_link(target);
    const struct job_file job_file = {.ctx = file, .read = with_image ? file_read : cli_job_no_file};
    job_init(&job, &link, &job_file, job_options, &target->report);
    struct cli_progress shown = {.terminal = isatty(STDERR_FILENO) != 0};
    if (!options->json)
        job_on_progress(&job, show_progress, &shown);
    enum status status = job_run(&job);
    cli_progress_end(&shown, status == STATUS_OK);
    if (file != NULL)
        fclose(file);
    target->keep_state = true;
    struct cli_summary summary;
    summarize(&job, status, target, path, &summary);
    cli_summary_print(&summary, options->json);
    return status == STATUS_OK ? 0 : 1;
}
