/*
 * cmd_target.c - the one-shot commands on an identified part: `info`, `read`, `erase`, `reset`.
 */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cmd_info(struct cli_target *target, const struct cli_options *options, const char *command, int argc,
        char **argv)
{
    (void)command;
    (void)argv;
    if (argc != 0) {
        fprintf(stderr, "usage: airswd info\n");
        return 2;
    }
    if (target->transport != JOB_TRANSPORT_SWD)
        return cmd_info_by_bootloader(target, options->json);
    struct cli_session session;
    if (!cli_session_open(target, &session))
        return 1;
    const struct stm32_target *part = &session.target;
    unsigned rdp = 0;
    if (stm32_flash_ops(part)->read_protection(&session.target, &rdp) != STATUS_OK) {
        cli_print_failure(target, "read protection");
        return 1;
    }
    uint32_t units = image_target_erase_unit_count(&part->memory);
    if (options->json) {
        printf("{\"part\":\"%s\",\"core\":\"%s\",\"dev_id\":%u,\"rev_id\":%u,\"flash_size\":%lu,\"erase_units\":%lu,"
               "\"program_unit\":%lu,\"flash_controller\":\"%s\",\"rdp_level\":%u,\"dpidr\":%lu}\n",
               part->part->name, stm32_core_name(part->cpuid), stm32_dev_id(part), stm32_rev_id(part),
               (unsigned long)part->flash_size, (unsigned long)units, (unsigned long)part->memory.program_unit,
               stm32_generation_name(part->part->generation), rdp, (unsigned long)session.dp.dpidr);
        return 0;
    }
    printf("target      %s\n", target->description);
    printf("part        %s (DEV_ID 0x%03X, REV_ID 0x%04X), %s\n", part->part->name, stm32_dev_id(part),
           stm32_rev_id(part), stm32_core_name(part->cpuid));
    printf("flash       %lu KB in %lu erase units, programmed %lu bytes at a time (%s controller)\n",
           (unsigned long)(part->flash_size / 1024), (unsigned long)units, (unsigned long)part->memory.program_unit,
           stm32_generation_name(part->part->generation));
    printf("protection  read protection level %u%s\n", rdp, rdp ? " (`airswd unlock --yes` removes it and erases)" : "");
    return 0;
}

/* A bus error in flash is what read protection looks like to the debugger: say so when it is the cause. */
static void print_read_failure(struct cli_target *target, struct cli_session *session, uint32_t address)
{
    const struct stm32_target *part = &session->target;
    struct status_report failure = target->report;
    unsigned level = 0;
    if (failure.status == STATUS_BUS_ERROR && address - part->memory.flash.base < part->memory.flash.size) {
        adi_dp_recover(&session->dp, STATUS_BUS_ERROR); /* clears the sticky error so that FLASH_OBR can be read */
        if (stm32_flash_ops(part)->read_protection(&session->target, &level) == STATUS_OK && level > 0) {
            fprintf(stderr,
                    "airswd: read: 0x%08lX is in the flash of %s, which is read-protected (RDP level %u): the "
                    "debugger cannot read it; `airswd unlock --yes` removes the read protection and erases the "
                    "chip\n",
                    (unsigned long)address, part->part->name, level);
            return;
        }
    }
    target->report = failure;
    cli_print_failure(target, "read");
}

int cmd_read(struct cli_target *target, const struct cli_options *options, const char *command, int argc,
        char **argv)
{
    (void)command;
    (void)options;
    uint32_t address, length;
    if (argc != 4 || !cli_parse_u32(argv[0], &address) || !cli_parse_u32(argv[1], &length) || strcmp(argv[2], "-o") != 0 ||
        length == 0) {
        fprintf(stderr, "usage: airswd read ADDRESS LENGTH -o FILE\n");
        return 2;
    }
    struct cli_output out; /* the file appears only when every byte was read */
    if (!cli_output_open(&out, argv[3], 0644, true))
        return 2;
    struct cli_session session;
    bool by_job = target->transport != JOB_TRANSPORT_SWD;
    bool ok = by_job ? cmd_read_by_job(target, address, length, &out) : cli_session_open(target, &session);
    uint8_t buffer[1024];
    for (uint32_t done = 0; ok && !by_job && done < length;) {
        uint32_t piece = length - done < sizeof buffer ? length - done : (uint32_t)sizeof buffer;
        /* Whole words where the addresses allow it, bytes at the ragged ends. */
        unsigned width = ((address + done) % 4 == 0 && piece % 4 == 0) ? 4 : 1;
        if (adi_mem_read(&session.ap, address + done, buffer, piece, width) != STATUS_OK) {
            print_read_failure(target, &session, address + done);
            ok = false;
        } else {
            ok = cli_output_put(&out, buffer, piece);
        }
        done += piece;
    }
    if (ok)
        ok = cli_output_commit(&out);
    else
        cli_output_abandon(&out);
    if (ok)
        printf("read %lu bytes from 0x%08lX into %s\n", (unsigned long)length, (unsigned long)address, argv[3]);
    return ok ? 0 : 1;
}

int cmd_erase(struct cli_target *target, const struct cli_options *options, const char *command, int argc,
        char **argv)
{
    (void)command;
    (void)options;
    bool mass = argc == 1 && strcmp(argv[0], "--mass") == 0;
    if (argc > 1 || (argc == 1 && !mass)) {
        fprintf(stderr, "usage: airswd erase [--mass]   (every erase unit one by one, or one mass erase)\n");
        return 2;
    }
    if (target->transport != JOB_TRANSPORT_SWD)
        return cmd_erase_by_job(target, mass);
    struct cli_session session;
    if (!cli_session_open(target, &session))
        return 1;
    struct stm32_target *part = &session.target;
    const struct stm32_flash_ops *ops = stm32_flash_ops(part);
    uint64_t start = target->system->now_us(target->system->ctx);
    enum status status = cortexm_reset_halt(&session.core, CORTEXM_RESET_SYSRESETREQ);
    if (status == STATUS_OK)
        status = ops->unlock(part);
    uint32_t units = image_target_erase_unit_count(&part->memory);
    if (status == STATUS_OK && mass)
        status = ops->mass_erase(part);
    for (uint32_t unit = 0; status == STATUS_OK && !mass && unit < units; unit++) {
        struct image_range range;
        image_target_erase_unit(&part->memory, unit, &range);
        status = ops->erase_unit(part, unit, range);
    }
    if (status == STATUS_OK)
        status = ops->lock(part);
    target->keep_state = true;
    if (status != STATUS_OK) {
        cli_print_failure(target, "erase");
        return 1;
    }
    printf("erased %lu KB of %s (%s) in %.3f ms chip time\n", (unsigned long)(part->flash_size / 1024),
           part->part->name, mass ? "mass erase" : "unit by unit",
           (double)(target->system->now_us(target->system->ctx) - start) / 1e3);
    return 0;
}

int cmd_reset(struct cli_target *target, const struct cli_options *options, const char *command, int argc,
        char **argv)
{
    (void)command;
    (void)options;
    bool nrst = argc == 1 && strcmp(argv[0], "--nrst") == 0;
    if (argc > 1 || (argc == 1 && !nrst)) {
        fprintf(stderr, "usage: airswd reset [--nrst]   (SYSRESETREQ, or a pulse on NRST)\n");
        return 2;
    }
    if (target->transport != JOB_TRANSPORT_SWD)
        return cmd_reset_by_job(target);
    struct cli_session session;
    if (!cli_session_open(target, &session))
        return 1;
    if (cortexm_reset_run(&session.core, nrst ? CORTEXM_RESET_NRST : CORTEXM_RESET_SYSRESETREQ) != STATUS_OK) {
        cli_print_failure(target, "reset");
        return 1;
    }
    target->keep_state = true;
    printf("reset %s by %s; it runs its firmware\n", session.target.part->name, nrst ? "NRST" : "SYSRESETREQ");
    return 0;
}
