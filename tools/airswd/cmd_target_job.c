/*
 * cmd_target_job.c - `read`, `erase` and `reset` as jobs (JOB_ACTION_READ, _ERASE, _RESET), for the targets reached
 * through the ROM bootloader (`--target sim:PART,uart` or `auto`), where there is no debug session to run them in.
 */
#include "cli.h"

#include <stdio.h>

static long no_file(void *ctx, uint32_t offset, uint8_t *buf, uint32_t len)
{
    (void)ctx, (void)offset, (void)buf, (void)len;
    return 0;
}

/* Runs the action; prints why it failed. */
static bool run_action(struct cli_target *target, struct job *job, const struct job_options *options,
                       bool (*data)(void *ctx, uint32_t address, const uint8_t *bytes, uint32_t len), void *data_ctx)
{
    const struct job_link link = {.swd = target->swd_pins, .system = target->system, .pins = target->pins,
                                  .transport = target->transport, .uart = target->uart,
                                  .uart_baud = target->uart_baud};
    const struct job_file file = {.read = no_file};
    job_init(job, &link, &file, options, &target->report);
    if (data != NULL)
        job_on_data(job, data, data_ctx);
    enum status status = job_run(job);
    target->keep_state = true;
    if (status != STATUS_OK)
        cli_print_failure(target, job_phase_name(job->result.failed_phase));
    return status == STATUS_OK;
}

static bool put_output(void *ctx, uint32_t address, const uint8_t *bytes, uint32_t len)
{
    (void)address;
    return cli_output_put(ctx, bytes, len);
}

bool cmd_read_by_job(struct cli_target *target, uint32_t address, uint32_t length, struct cli_output *out)
{
    static struct job job;
    const struct job_options options = {.action = JOB_ACTION_READ, .read = {.base = address, .size = length}};
    return run_action(target, &job, &options, put_output, out);
}

int cmd_erase_by_job(struct cli_target *target, bool mass)
{
    static struct job job;
    const struct job_options options = {.action = JOB_ACTION_ERASE, .mass_erase = mass};
    if (!run_action(target, &job, &options, NULL, NULL))
        return 1;
    printf("erased %lu KB of %s (%s) in %.3f ms chip time, through %s\n",
           (unsigned long)(job.target.flash_size / 1024), job.target.part->name,
           job.result.mass_erased ? "mass erase" : "unit by unit", (double)job.result.total_us / 1e3,
           job.result.backend);
    return 0;
}

int cmd_reset_by_job(struct cli_target *target)
{
    static struct job job;
    const struct job_options options = {.action = JOB_ACTION_RESET};
    if (!run_action(target, &job, &options, NULL, NULL))
        return 1;
    printf("reset the part through %s; it runs its firmware\n", job.result.backend);
    return 0;
}
