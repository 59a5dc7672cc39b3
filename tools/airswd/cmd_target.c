/*
 * cmd_target.c - the one-shot commands on a part: `info`, `read`, `erase`, `reset`.
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
        printf("{\"ok\":true,\"part\":\"%s\",\"core\":\"%s\",\"dev_id\":%u,\"rev_id\":%u,\"flash_size\":%lu,"
               "\"erase_units\":%lu,"
               "\"program_unit\":%lu,\"flash_controller\":\"%s\",\"rdp_level\":%u,\"dpidr\":%lu}\n",
               part->part->name, stm32_core_name(part->cpuid), stm32_dev_id(part), stm32_rev_id(part),
               (unsigned long)part->flash_size, (unsigned long)units, (unsigned long)part->memory.program_unit,
               stm32_part_family(part->part)->name, rdp, (unsigned long)session.dp.dpidr);
        return 0;
    }
    printf("target      %s\n", target->description);
    printf("part        %s (DEV_ID 0x%03X, REV_ID 0x%04X), %s\n", part->part->name, stm32_dev_id(part),
           stm32_rev_id(part), stm32_core_name(part->cpuid));
    printf("flash       %lu KB in %lu erase units, programmed %lu bytes at a time (%s controller)\n",
           (unsigned long)(part->flash_size / 1024), (unsigned long)units, (unsigned long)part->memory.program_unit,
           stm32_part_family(part->part)->name);
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
        cli_read_print(address, length, argv[3], options->json);
    return ok ? 0 : 1;
}

/* erase [--mass] and reset [--nrst]: the device's erase and reset jobs, run here, so that both print the same and
 * take the same time: erase goes the quickest way (one mass erase where it is quicker than unit by unit, which is
 * every part the simulator models), --mass asks for one mass erase in any case. */
int cmd_erase_or_reset(struct cli_target *target, const struct cli_options *options, const char *command, int argc,
              char **argv)
{
    bool reset = strcmp(command, "reset") == 0;
    const char *flag = reset ? "--nrst" : "--mass";
    bool set = argc == 1 && strcmp(argv[0], flag) == 0;
    if (argc > 1 || (argc == 1 && !set)) {
        fprintf(stderr, reset ? "usage: airswd reset [--nrst]   (SYSRESETREQ, or a pulse on NRST)\n"
                              : "usage: airswd erase [--mass]   (the quickest way, or one mass erase)\n");
        return 2;
    }
    struct job_options job_options = {.action = reset ? JOB_ACTION_RESET : JOB_ACTION_ERASE,
                                      .mass_erase = !reset && set, .reset_by_nrst = reset && set};
    return cli_run_job(target, options, NULL, &job_options);
}
