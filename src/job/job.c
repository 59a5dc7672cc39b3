/*
 * job.c - the phases of a flash job, in order (job.h).
 */
#include "job/job_internal.h"

#include "stm32/stm32_options.h"

#include <string.h>

/* The plan phase checks the file before the part is known: any STM32's flash, option bytes and RAM. */
#define GENERIC_FLASH_SIZE (2u * 1024u * 1024u)
#define GENERIC_UNIT_SIZE 2048u
#define GENERIC_OPTION_BYTES_BASE 0x1FFF0000u
#define GENERIC_OPTION_BYTES_SIZE 0x10000u
#define GENERIC_SRAM_SIZE (512u * 1024u)

static const char *const phase_names[JOB_PHASE_COUNT] = {
    [JOB_PHASE_PLAN] = "plan",       [JOB_PHASE_CONNECT] = "connect", [JOB_PHASE_IDENTIFY] = "identify",
    [JOB_PHASE_CHECK] = "check",     [JOB_PHASE_ERASE] = "erase",     [JOB_PHASE_PROGRAM] = "program",
    [JOB_PHASE_VERIFY] = "verify",   [JOB_PHASE_READ] = "read",       [JOB_PHASE_RESET] = "reset",
};

const char *job_phase_name(enum job_phase phase)
{
    return phase < JOB_PHASE_COUNT ? phase_names[phase] : "?";
}

void job_init(struct job *job, const struct job_link *link, const struct job_file *file,
              const struct job_options *options, struct status_report *report)
{
    memset(job, 0, sizeof *job);
    job->link = *link;
    job->file = *file;
    job->options = *options;
    job->report = report;
}

void job_on_progress(struct job *job, void (*progress)(void *ctx, const struct job_progress *progress), void *ctx)
{
    job->progress = progress;
    job->progress_ctx = ctx;
}

void job_on_data(struct job *job, bool (*data)(void *ctx, uint32_t address, const uint8_t *bytes, uint32_t len),
                 void *ctx)
{
    job->data = data;
    job->data_ctx = ctx;
}

static uint64_t now_us(const struct job *job)
{
    return job->link.system->now_us(job->link.system->ctx);
}

void job_progress(struct job *job, uint32_t done, uint32_t total)
{
    job->progress_done = done;
    job->progress_total = total;
    if (job->progress == NULL)
        return;
    struct job_progress progress = {
        .phase = job->phase, .done = done, .total = total, .phase_us = now_us(job) - job->phase_start_us};
    job->progress(job->progress_ctx, &progress);
}

static void enter_phase(struct job *job, enum job_phase phase)
{
    uint64_t now = now_us(job);
    job->result.phase_us[job->phase] += now - job->phase_start_us;
    job->phase = phase;
    job->phase_start_us = now;
    job_progress(job, 0, 0);
}

bool job_can(const struct job *job, unsigned capability)
{
    return job->backend != NULL && (job->backend->capabilities & capability) == capability;
}

enum status job_flash_begin(struct job *job)
{
    return job->backend->flash_begin != NULL ? job->backend->flash_begin(job) : STATUS_OK;
}

enum status job_flash_end(struct job *job)
{
    return job->backend->flash_end != NULL ? job->backend->flash_end(job) : STATUS_OK;
}

/* ---- phases ---- */

void job_generic_memory(struct image_target *memory)
{
    *memory = (struct image_target){0};
    memory->flash = (struct image_range){.base = STM32_FLASH_BASE, .size = GENERIC_FLASH_SIZE};
    memory->program_unit = 2;
    memory->erased_value = 0xFF;
    memory->erase_runs[0] = (struct image_erase_run){.unit_size = GENERIC_UNIT_SIZE,
                                                    .count = GENERIC_FLASH_SIZE / GENERIC_UNIT_SIZE};
    memory->ram[0] = (struct image_range){.base = STM32_SRAM_BASE, .size = GENERIC_SRAM_SIZE};
    memory->option_bytes[0] = (struct image_range){.base = GENERIC_OPTION_BYTES_BASE,
                                                   .size = GENERIC_OPTION_BYTES_SIZE};
}

static enum status plan_generic(struct job *job)
{
    struct image_target *memory = &job->generic_memory;
    job_generic_memory(memory);
    enum status status = image_plan_init(&job->plan, memory, job->report);
    struct image_sink sink = image_plan_sink(&job->plan);
    if (status == STATUS_OK)
        status = job_read_pass(job, &sink);
    if (status == STATUS_OK)
        status = image_plan_finish(&job->plan);
    return status;
}

const char *job_transport_name(enum job_transport transport)
{
    switch (transport) {
    case JOB_TRANSPORT_SWD: return "swd";
    case JOB_TRANSPORT_UART: return "uart";
    case JOB_TRANSPORT_AUTO: return "auto";
    }
    return "?";
}

static enum status connect_with(struct job *job, const struct job_backend *backend)
{
    job->backend = backend;
    job->result.backend = backend->name;
    return backend->connect(job);
}

/* AUTO: SWD first; when it does not answer (pins not wired, or disabled by the firmware) and the bootloader is
 * wired, the bootloader. The result names the one used. When neither answers, SWD's failure is the one reported
 * (most boards are wired for it), saying that the bootloader was tried too. */
static enum status connect(struct job *job)
{
    switch (job->link.transport) {
    case JOB_TRANSPORT_UART: return connect_with(job, &job_backend_uart);
    case JOB_TRANSPORT_AUTO: break;
    case JOB_TRANSPORT_SWD: return connect_with(job, &job_backend_swd);
    }
    enum status status = job->link.swd != NULL ? connect_with(job, &job_backend_swd) : STATUS_NO_RESPONSE;
    if (status == STATUS_OK || job->link.uart == NULL || status == STATUS_CANCELLED)
        return status;
    struct status_report swd_failure = *job->report;
    status_clear(job->report);
    enum status uart_status = connect_with(job, &job_backend_uart);
    if (uart_status == STATUS_OK || uart_status == STATUS_CANCELLED)
        return uart_status;
    job->backend = &job_backend_swd;
    job->result.backend = job_backend_swd.name;
    return status_fail(job->report, status, "the ROM bootloader did not answer either; SWD: %s", swd_failure.detail);
}

static enum status identify(struct job *job)
{
    return job->backend->identify(job);
}

/* Write protection would stop the erase after the job had begun changing the flash: it is checked first. */
static enum status check_write_protection(struct job *job)
{
    const struct stm32_flash_ops *ops = stm32_flash_ops(&job->target);
    struct stm32_option_bytes options;
    enum status status = ops->read_options(&job->target, &options);
    for (uint16_t span = 0; status == STATUS_OK && span < job->plan.erase_count; span++) {
        for (uint32_t i = 0; i < job->plan.erase[span].count; i++) {
            uint32_t index = job->plan.erase[span].first + i;
            struct image_range unit;
            if (!ops->unit_write_protected(&job->target, &options, index))
                continue;
            image_target_erase_unit(&job->target.memory, index, &unit);
            return status_fail(job->report, STATUS_FLASH_PROTECTED,
                               "erase unit %lu (0x%08lX) is write-protected: `airswd option-bytes --set wrp=none`",
                               (unsigned long)index, (unsigned long)unit.base);
        }
    }
    return status;
}

/* The real plan against the identified part, then a rehearsal of the programming pass: nothing is erased for an
 * image that cannot be written whole. */
static enum status check(struct job *job)
{
    enum status status = image_plan_init(&job->plan, &job->target.memory, job->report);
    struct image_sink sink = image_plan_sink(&job->plan);
    if (status == STATUS_OK)
        status = job_read_pass(job, &sink);
    if (status == STATUS_OK)
        status = image_plan_finish(&job->plan);
    if (status == STATUS_OK && job->plan.option_count > 0)
        return status_fail(job->report, STATUS_UNSUPPORTED,
                           "the image writes option bytes at 0x%08lX (file offset %lu): program them with "
                           "`airswd option-bytes`, not with the firmware",
                           (unsigned long)job->plan.options[0].address, (unsigned long)job->plan.options[0].file_offset);
    if (status == STATUS_OK && job->plan.eeprom_count > 0 && job->options.action == JOB_ACTION_FLASH &&
        (!job_can(job, JOB_CAN_WRITE_EEPROM) || stm32_flash_ops(&job->target)->write_eeprom == NULL))
        return status_fail(job->report, STATUS_UNSUPPORTED,
                           "the image writes the data EEPROM at 0x%08lX, which %s does not",
                           (unsigned long)job->plan.eeprom[0].address, job->backend->name);
    if (status == STATUS_OK)
        status = job_writer_pass(job, NULL);
    if (status == STATUS_OK && job->options.action == JOB_ACTION_FLASH && job_can(job, JOB_CAN_OPTION_BYTES))
        status = check_write_protection(job);
    if (status == STATUS_OK && job->options.admit != NULL)
        status = job->options.admit(job->options.admit_ctx, &job->target, job->report);
    return status;
}

static enum status erase(struct job *job)
{
    if (job->options.action == JOB_ACTION_ERASE)
        return job_erase_chip(job);
    enum status status = job->options.skip_unchanged ? job_find_unchanged(job) : STATUS_OK;
    if (status == STATUS_OK)
        status = job_flash_begin(job);
    return status == STATUS_OK ? job_erase(job) : status;
}

static enum status program(struct job *job)
{
    enum status status = job_program_pass(job);
    if (status == STATUS_OK)
        status = job_eeprom_pass(job);
    enum status locked = job_flash_end(job);
    return status != STATUS_OK ? status : locked;
}

/* On a part whose boot checks for an empty flash only when option bytes load, the check may still hold the flash
 * empty from before the job: the option bytes are loaded first, then the reset runs the new firmware. (The reset
 * action does not identify the part, so it resets as asked.) */
static enum status reset(struct job *job)
{
    return job->backend->reset_run(job);
}

static bool phase_wanted(const struct job_options *options, enum job_phase phase)
{
    enum job_action action = options->action;
    bool with_image = action == JOB_ACTION_FLASH || action == JOB_ACTION_VERIFY;
    switch (phase) {
    case JOB_PHASE_PLAN:
    case JOB_PHASE_CHECK: return with_image;
    case JOB_PHASE_CONNECT: return true;
    case JOB_PHASE_IDENTIFY: return action != JOB_ACTION_RESET;
    case JOB_PHASE_ERASE: return action == JOB_ACTION_FLASH || action == JOB_ACTION_ERASE;
    case JOB_PHASE_PROGRAM: return action == JOB_ACTION_FLASH;
    case JOB_PHASE_VERIFY: return action == JOB_ACTION_VERIFY || (action == JOB_ACTION_FLASH && options->verify);
    case JOB_PHASE_READ: return action == JOB_ACTION_READ;
    case JOB_PHASE_RESET: return action == JOB_ACTION_RESET || (action != JOB_ACTION_READ && options->reset_after);
    default: return false;
    }
}

enum status job_run(struct job *job)
{
    static enum status (*const phases[JOB_PHASE_COUNT])(struct job *) = {
        [JOB_PHASE_PLAN] = plan_generic, [JOB_PHASE_CONNECT] = connect, [JOB_PHASE_IDENTIFY] = identify,
        [JOB_PHASE_CHECK] = check,       [JOB_PHASE_ERASE] = erase,     [JOB_PHASE_PROGRAM] = program,
        [JOB_PHASE_VERIFY] = job_verify_pass, [JOB_PHASE_READ] = job_read_memory, [JOB_PHASE_RESET] = reset,
    };
    uint64_t start = now_us(job);
    job->phase_start_us = start;
    job->phase = JOB_PHASE_PLAN;
    enum status status = STATUS_OK;
    for (enum job_phase phase = JOB_PHASE_PLAN; phase < JOB_PHASE_COUNT && status == STATUS_OK; phase++) {
        if (!phase_wanted(&job->options, phase))
            continue;
        enter_phase(job, phase);
        status = phases[phase](job);
        if (status != STATUS_OK)
            job->result.failed_phase = phase;
    }
    if (job->backend != NULL && job->backend->release != NULL)
        job->backend->release(job);
    enter_phase(job, job->phase);
    job->result.total_us = now_us(job) - start;
    job->result.line_recoveries = job->uartboot.recovered;
    return status;
}
