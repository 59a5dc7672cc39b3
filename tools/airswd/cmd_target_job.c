/*
 * cmd_target_job.c - the commands on targets reached through the ROM bootloader (`--target sim:PART,uart` or
 * `auto`), where there is no debug session to run them in: `read`, `erase` and `reset` as jobs (JOB_ACTION_READ,
 * _ERASE, _RESET), `info` from Get, Get ID and the flash size register, and `unlock --yes` as the bootloader's
 * Readout Unprotect.
 */
#include "cli.h"

#include <stdio.h>

#include "uartboot/uartboot.h"

/* The mass erase that Readout Unprotect makes is bounded by the part table's figure for the line's largest flash
 * (the flash size register is not readable under read protection): 2 MB where it scales with the size (F2/F4). */
#define UNLOCK_SLOW_FACTOR 4u
#define UNLOCK_LARGEST_FLASH_MB 2u

/* Runs the action; prints why it failed. */
static bool run_action(struct cli_target *target, struct job *job, const struct job_options *options,
                       bool (*data)(void *ctx, uint32_t address, const uint8_t *bytes, uint32_t len), void *data_ctx)
{
    const struct job_link link = cli_job_link(target);
    const struct job_file file = {.read = cli_job_no_file};
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

/* Whether the flash reads: a Read Memory the ROM refuses at the command means read protection. */
static enum status read_protected(struct uartboot *boot, bool *protected)
{
    uint8_t byte;
    enum status status = uartboot_read(boot, STM32_FLASH_BASE, &byte, 1);
    *protected = status == STATUS_FLASH_PROTECTED;
    if (*protected)
        status_clear(boot->report);
    return *protected ? STATUS_OK : status;
}

/* The part in its ROM bootloader: NULL, with the report filled, when it does not answer or is not known. */
static const struct stm32_part *enter_bootloader(struct cli_target *target, struct uartboot *boot)
{
    uartboot_init(boot, target->uart, target->system, target->pins, target->uart_baud, &target->report);
    if (uartboot_enter(boot) != STATUS_OK)
        return NULL;
    const struct stm32_part *part = stm32_part_find(boot->pid);
    if (part == NULL)
        status_fail(&target->report, STATUS_UNSUPPORTED, "the bootloader's PID 0x%03X is not a part airswd knows",
                    boot->pid);
    return part;
}

int cmd_unlock_by_bootloader(struct cli_target *target)
{
    static struct uartboot boot;
    uint64_t start = target->system->now_us(target->system->ctx);
    const struct stm32_part *part = enter_bootloader(target, &boot);
    enum status status = part != NULL ? STATUS_OK : target->report.status;
    bool protected = false;
    if (status == STATUS_OK)
        status = read_protected(&boot, &protected);
    if (status == STATUS_OK && !protected) {
        printf("%s is not read-protected: nothing to do, the flash was left as it is\n", part->name);
        return 0;
    }
    if (status == STATUS_OK)
        status = uartboot_readout_unprotect(
            &boot, UNLOCK_SLOW_FACTOR * stm32_part_mass_erase_us(part, UNLOCK_LARGEST_FLASH_MB * 1024u * 1024u));
    target->keep_state = true;
    if (status == STATUS_OK)
        status = read_protected(&boot, &protected);
    if (status == STATUS_OK && protected)
        status = status_fail(&target->report, STATUS_FLASH_PROTECTED, "read protection is still active after Readout "
                             "Unprotect: power-cycle the target and try again");
    if (status == STATUS_OK)
        status = uartboot_leave(&boot);
    if (status != STATUS_OK) {
        cli_print_failure(target, "unlock");
        return 1;
    }
    printf("read protection of %s removed through the ROM bootloader: the chip erased its flash; %.3f ms chip time\n",
           part->name, (double)(target->system->now_us(target->system->ctx) - start) / 1e3);
    return 0;
}

/* The part as the bootloader shows it; under read protection the flash size does not read. */
int cmd_info_by_bootloader(struct cli_target *target, bool json)
{
    static struct uartboot boot;
    const struct stm32_part *part = enter_bootloader(target, &boot);
    enum status status = part != NULL ? STATUS_OK : target->report.status;
    uint32_t flash_size = 0;
    enum status read = status == STATUS_OK ? uartboot_flash_size(&boot, part->line->flash_size_register,
                                                                 STM32_FLASH_BASE, stm32_part_max_flash_kb(part),
                                                                 &flash_size)
                                           : status;
    bool protected = read == STATUS_FLASH_PROTECTED;
    if (status == STATUS_OK && read != STATUS_OK && !protected)
        status = read;
    if (status == STATUS_OK)
        status = uartboot_leave(&boot);
    target->keep_state = true;
    if (status != STATUS_OK) {
        cli_print_failure(target, "info");
        return 1;
    }
    struct image_target memory = {0};
    bool described = !protected && stm32_part_describe(part, flash_size, &memory);
    uint32_t units = described ? image_target_erase_unit_count(&memory) : 0;
    if (json) {
        printf("{\"part\":\"%s\",\"dev_id\":%u,\"flash_size\":%lu,\"erase_units\":%lu,\"flash_controller\":\"%s\","
               "\"read_protected\":%s,\"bootloader_version\":\"%u.%u\"}\n",
               part->name, boot.pid, (unsigned long)(described ? flash_size : 0), (unsigned long)units,
               stm32_part_family(part)->name, protected ? "true" : "false", boot.version >> 4, boot.version & 0xFu);
        return 0;
    }
    printf("target      %s\n", target->description);
    printf("part        %s (PID 0x%03X), ROM bootloader v%u.%u (%s)\n", part->name, boot.pid, boot.version >> 4,
           boot.version & 0xFu, boot.extended_erase ? "Extended Erase" : "Erase");
    if (described)
        printf("flash       %lu KB in %lu erase units (%s controller)\n", (unsigned long)(flash_size / 1024),
               (unsigned long)units, stm32_part_family(part)->name);
    printf("protection  %s\n", protected ? "read protection active (`airswd unlock --yes` removes it and erases)"
                                           : "no read protection");
    return 0;
}
