/*
 * cli_summary.c - the end of a job (flash, verify, erase, reset) and of a read as the command line prints it, the same
 * whether the job ran here or on a device (`--device`): the phases in chip time and what the action did, as text on
 * stdout (the failure on stderr), or as one JSON object.
 */
#include "cli.h"

#include <stdio.h>
#include <string.h>

static const char *const action_names[] = {[JOB_ACTION_FLASH] = "flash", [JOB_ACTION_VERIFY] = "verify",
                                           [JOB_ACTION_ERASE] = "erase", [JOB_ACTION_READ] = "read",
                                           [JOB_ACTION_RESET] = "reset"};

const char *cli_action_name(enum job_action action)
{
    return action_names[action];
}

bool cli_action_from_name(const char *name, enum job_action *action)
{
    for (size_t i = 0; i < sizeof action_names / sizeof action_names[0]; i++) {
        if (strcmp(name, action_names[i]) == 0) {
            *action = (enum job_action)i;
            return true;
        }
    }
    return false;
}

static void print_text_body(const struct cli_summary *summary)
{
    if (summary->image_name[0] != '\0') {
        printf("image     %s, %s", summary->image_name, summary->format_name);
        if (summary->is_bin)
            printf(" at 0x%08lX", (unsigned long)summary->bin_base);
        printf("\n");
    }
    if (summary->part[0] != '\0')
        printf("target    %s, %s%s%lu KB flash (DEV_ID 0x%03X rev 0x%04X)\n", summary->part, summary->core,
               summary->core[0] ? ", " : "", (unsigned long)(summary->flash_size / 1024), summary->dev_id,
               summary->rev_id);
    if (summary->backend != NULL)
        printf("through   %s%s\n", summary->backend, summary->backend_auto ? " (auto)" : "");
    if (summary->line_recoveries > 0)
        printf("line      %lu exchanges repeated after lost or garbled bytes\n",
               (unsigned long)summary->line_recoveries);
    for (enum job_phase phase = JOB_PHASE_PLAN; phase < JOB_PHASE_COUNT; phase++) {
        if (summary->phase_us[phase] == 0 && (phase != JOB_PHASE_PLAN || summary->action != JOB_ACTION_FLASH))
            continue;
        printf("%-9s %10.3f ms\n", job_phase_name(phase), (double)summary->phase_us[phase] / 1e3);
    }
    bool programs = summary->action == JOB_ACTION_FLASH || summary->action == JOB_ACTION_VERIFY;
    if (programs || summary->action == JOB_ACTION_ERASE) {
        printf("erased    %lu units%s", (unsigned long)summary->erase_units,
               summary->mass_erased ? " (mass erase)" : "");
        if (summary->unchanged_units)
            printf(", %lu unchanged units left alone", (unsigned long)summary->unchanged_units);
        printf("\n");
    }
    if (programs)
        printf("programmed %lu bytes, verified %lu bytes%s\n", (unsigned long)summary->program_bytes,
               (unsigned long)summary->verified_bytes, summary->verified_on_target ? " (CRC-32 on the target)" : "");
    if (programs && summary->eeprom_written + summary->eeprom_unchanged > 0)
        printf("eeprom    %lu bytes written, %lu unchanged left alone\n", (unsigned long)summary->eeprom_written,
               (unsigned long)summary->eeprom_unchanged);
    if (summary->action == JOB_ACTION_RESET && summary->ok)
        printf("reset     by %s; the part runs its firmware\n", summary->reset_by_nrst ? "NRST" : "SYSRESETREQ");
    printf("total     %10.3f ms chip time\n", (double)summary->total_us / 1e3);
}

static void print_failure(const struct cli_summary *summary)
{
    const struct cli_error *error = &summary->error;
    fprintf(stderr, "airswd: %s: %s%s%s%s%s\n", error->phase, error->status, error->detail[0] ? ": " : "",
            error->detail, error->message[0] ? ": " : "", error->message);
    if (error->flash_changed)
        fprintf(stderr, "airswd: the flash was erased before the failure: it holds an incomplete image\n");
}

static void print_json(const struct cli_summary *summary)
{
    printf("{\"ok\":%s", summary->ok ? "true" : "false");
    if (summary->image_name[0] != '\0')
        printf(",\"format\":\"%s\"", summary->format_key);
    printf(",\"action\":\"%s\"", summary->action_name);
    if (summary->device[0] != '\0') {
        printf(",\"device\":");
        cli_json_string(summary->device);
        printf(",\"job\":%lu", (unsigned long)summary->job_id);
        if (summary->image_id)
            printf(",\"image\":%lu", (unsigned long)summary->image_id);
    }
    if (summary->part[0] != '\0') {
        printf(",\"part\":");
        cli_json_string(summary->part);
        printf(",\"dev_id\":%u,\"flash_size\":%lu", summary->dev_id, (unsigned long)summary->flash_size);
    if (summary->backend != NULL)
        printf(",\"backend\":\"%s\"", summary->backend);
    }
    printf(",\"phases_us\":{");
    for (enum job_phase phase = JOB_PHASE_PLAN; phase < JOB_PHASE_COUNT; phase++)
        printf("%s\"%s\":%llu", phase ? "," : "", job_phase_name(phase),
               (unsigned long long)summary->phase_us[phase]);
    printf("},\"total_us\":%llu,\"erase_units\":%lu,\"unchanged_units\":%lu,\"mass_erase\":%s,\"program_bytes\":%lu,"
           "\"verified_bytes\":%lu",
           (unsigned long long)summary->total_us, (unsigned long)summary->erase_units,
           (unsigned long)summary->unchanged_units, summary->mass_erased ? "true" : "false",
           (unsigned long)summary->program_bytes, (unsigned long)summary->verified_bytes);
    if (summary->eeprom_written + summary->eeprom_unchanged > 0)
        printf(",\"eeprom_written_bytes\":%lu,\"eeprom_unchanged_bytes\":%lu", (unsigned long)summary->eeprom_written,
               (unsigned long)summary->eeprom_unchanged);
    if (!summary->ok) {
        printf(",");
        cli_json_error(&summary->error);
    }
    printf("}\n");
}

void cli_summary_print(const struct cli_summary *summary, bool json)
{
    if (!summary->ok)
        print_failure(summary);
    if (json) {
        print_json(summary);
        return;
    }
    if (summary->device[0] != '\0')
        printf("device    %s, job %lu (%s%s%s)\n", summary->device, (unsigned long)summary->job_id,
               summary->action_name, summary->image_name[0] ? " " : "", summary->image_name);
    print_text_body(summary);
}

void cli_read_print(uint32_t address, uint32_t length, const char *path, bool json)
{
    if (!json) {
        printf("read %lu bytes from 0x%08lX into %s\n", (unsigned long)length, (unsigned long)address, path);
        return;
    }
    printf("{\"ok\":true,\"action\":\"read\",\"address\":%lu,\"length\":%lu,\"file\":", (unsigned long)address,
           (unsigned long)length);
    cli_json_string(path);
    printf("}\n");
}
