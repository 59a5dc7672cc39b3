/*
 * cmd_options.c - `airswd option-bytes` (show them, or change read and write protection with --set) and `airswd
 * unlock --yes` (read protection level 1 -> 0, which erases the chip). src/stm32/stm32_options.h does the work.
 *
 * What this command line refuses on purpose: read protection level 2 (permanent: it would end all debugging of the
 * chip), and rdp=0 through option-bytes (the mass erase it causes belongs to `unlock`, which asks for --yes).
 */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stm32/stm32_options.h"

/* ---- showing them ---- */

/* The addresses of erase units first..last: *start and *end (inclusive). */
static void unit_addresses(const struct stm32_target *part, uint32_t first, uint32_t last, unsigned long *start,
                           unsigned long *end)
{
    struct image_range low, high;
    image_target_erase_unit(&part->memory, first, &low);
    image_target_erase_unit(&part->memory, last, &high);
    *start = low.base;
    *end = high.base + high.size - 1;
}

static void print_text(const struct stm32_target *part, const struct stm32_option_bytes *options)
{
    char user[256];
    printf("part              %s (%s flash controller)\n", part->part->name, stm32_part_family(part->part)->name);
    printf("read protection   level %u%s\n", options->rdp_level,
           options->rdp_level == 1   ? " (`airswd unlock --yes` removes it and erases the flash)"
           : options->rdp_level == 2 ? " (permanent)"
                                     : "");
    printf("user bits         0x%08lX  %s\n", (unsigned long)options->user,
           stm32_option_bytes_format_user(part, options, user, sizeof user));
    if (stm32_part_family(part->part)->options_have_user_data)
        printf("user data         Data0 0x%02lX, Data1 0x%02lX\n", (unsigned long)(options->user_data & 0xFFu),
               (unsigned long)(options->user_data >> 8));
    printf("write protection  ");
    uint32_t unit = 0, first, last;
    bool any = false;
    while (stm32_option_bytes_next_protected_run(part, options, &unit, &first, &last)) {
        unsigned long start, end;
        unit_addresses(part, first, last, &start, &end);
        if (first == last)
            printf("%sunit %lu (0x%08lX..0x%08lX)", any ? ", " : "", (unsigned long)first, start, end);
        else
            printf("%sunits %lu-%lu (0x%08lX..0x%08lX)", any ? ", " : "", (unsigned long)first, (unsigned long)last,
                   start, end);
        any = true;
    }
    printf("%s\n", any ? "" : "none");
    printf("                 ");
    for (unsigned i = 0; i < STM32_OPTION_WRP_WORDS && stm32_option_bytes_wrp_name(part, i); i++)
        printf(" %s 0x%08lX", stm32_option_bytes_wrp_name(part, i), (unsigned long)options->write_protection[i]);
    printf("\n");
}

static void print_json(const struct stm32_target *part, const struct stm32_option_bytes *options)
{
    printf("{\"ok\":true,\"part\":\"%s\",\"rdp_level\":%u,\"user\":%lu,\"user_bits\":{", part->part->name, options->rdp_level,
           (unsigned long)options->user);
    const char *separator = "";
    for (const struct stm32_option_field *field = part->part->line->user_fields; field && field->name; field++) {
        printf("%s\"%s\":%lu", separator, field->name, (unsigned long)stm32_option_field_value(field, options->user));
        separator = ",";
    }
    printf("}");
    if (stm32_part_family(part->part)->options_have_user_data)
        printf(",\"user_data\":%lu", (unsigned long)options->user_data);
    printf(",\"write_protection\":{");
    for (unsigned i = 0; i < STM32_OPTION_WRP_WORDS && stm32_option_bytes_wrp_name(part, i); i++)
        printf("%s\"%s\":%lu", i ? "," : "", stm32_option_bytes_wrp_name(part, i),
               (unsigned long)options->write_protection[i]);
    printf("},\"protected_units\":[");
    uint32_t unit = 0, first, last;
    separator = "";
    while (stm32_option_bytes_next_protected_run(part, options, &unit, &first, &last)) {
        unsigned long start, end;
        unit_addresses(part, first, last, &start, &end);
        printf("%s{\"first\":%lu,\"last\":%lu,\"start\":%lu,\"end\":%lu}", separator, (unsigned long)first,
               (unsigned long)last, start, end);
        separator = ",";
    }
    printf("]}\n");
}

/* ---- option-bytes --set ---- */

struct option_request {
    bool set_rdp, set_wrp;
    uint32_t wrp_first, wrp_count; /* count 0: no protection; UINT32_MAX count: every unit */
};

#define WRP_ALL UINT32_MAX

static bool parse_units(const char *text, uint32_t *first, uint32_t *count)
{
    char *end;
    unsigned long low = strtoul(text, &end, 10), high = low;
    if (end == text)
        return false;
    if (*end == '-') {
        const char *second = end + 1;
        high = strtoul(second, &end, 10);
        if (end == second)
            return false;
    }
    if (*end != '\0' || high < low || high >= WRP_ALL)
        return false;
    *first = (uint32_t)low;
    *count = (uint32_t)(high - low + 1);
    return true;
}

/* Returns 0, or the exit status 2 after saying what is wrong. */
static int parse_assignment(const char *text, struct option_request *request)
{
    if (strcmp(text, "rdp=1") == 0) {
        request->set_rdp = true;
    } else if (strcmp(text, "rdp=0") == 0) {
        fprintf(stderr, "airswd: option-bytes: rdp=0 is not an option byte change: going from level 1 to 0 erases "
                        "the whole flash; run `airswd unlock --yes` for that\n");
        return 2;
    } else if (strcmp(text, "rdp=2") == 0) {
        fprintf(stderr, "airswd: option-bytes: rdp=2 is refused: read protection level 2 is permanent and would end "
                        "all debugging and reprogramming of the chip\n");
        return 2;
    } else if (strcmp(text, "wrp=none") == 0) {
        request->set_wrp = true;
        request->wrp_first = request->wrp_count = 0;
    } else if (strcmp(text, "wrp=all") == 0) {
        request->set_wrp = true;
        request->wrp_first = 0;
        request->wrp_count = WRP_ALL;
    } else if (strncmp(text, "wrp=", 4) == 0 && parse_units(text + 4, &request->wrp_first, &request->wrp_count)) {
        request->set_wrp = true;
    } else {
        fprintf(stderr,
                "airswd: option-bytes: cannot understand '%s' (rdp=1, wrp=none, wrp=all, wrp=UNIT or "
                "wrp=UNIT-UNIT)\n",
                text);
        return 2;
    }
    return 0;
}

static int usage_option_bytes(void)
{
    fprintf(stderr, "usage: airswd option-bytes [--set rdp=1|wrp=none|wrp=all|wrp=UNIT-UNIT ...]\n"
                    "       (erase units are numbered from 0 as `airswd info` counts them; rdp=0 is `airswd unlock "
                    "--yes`)\n");
    return 2;
}

/* Programs what request asks on top of the current option bytes, unless they already hold it. */
static bool options_equal(const struct stm32_option_bytes *a, const struct stm32_option_bytes *b)
{
    for (unsigned i = 0; i < STM32_OPTION_WRP_WORDS; i++) {
        if (a->write_protection[i] != b->write_protection[i])
            return false;
    }
    return a->rdp_level == b->rdp_level && a->user == b->user && a->user_data == b->user_data;
}

/* -1 when the option bytes are to be shown next, or the exit status. */
static int set_options(struct cli_target *target, struct cli_session *session, const struct option_request *request,
                       bool json)
{
    struct stm32_target *part = &session->target;
    const struct stm32_flash_ops *ops = stm32_flash_ops(part);
    struct stm32_option_bytes current, wanted;
    /* The firmware is stopped first: it must not use the flash controller while the option bytes change. */
    if (cortexm_reset_halt(&session->core, CORTEXM_RESET_SYSRESETREQ) != STATUS_OK ||
        ops->read_options(part, &current) != STATUS_OK) {
        cli_print_failure(target, "option bytes");
        return 1;
    }
    wanted = current;
    if (request->set_rdp)
        wanted.rdp_level = 1;
    if (request->set_wrp) {
        uint32_t units = image_target_erase_unit_count(&part->memory);
        uint32_t count = request->wrp_count == WRP_ALL ? units : request->wrp_count;
        if (stm32_option_bytes_protect_units(part, &wanted, request->wrp_first, count) != STATUS_OK) {
            cli_print_failure(target, "option-bytes");
            return 2;
        }
    }
    if (options_equal(&wanted, &current)) {
        if (!json)
            printf("the option bytes already hold these values: nothing was programmed\n");
        return -1;
    }
    uint64_t start = target->system->now_us(target->system->ctx);
    enum status status = ops->write_options(part, &wanted);
    target->keep_state = true;
    if (status != STATUS_OK) {
        cli_print_failure(target, "option bytes");
        return 1;
    }
    if (!json)
        printf("option bytes programmed and loaded (%s) in %.3f ms chip time\n",
               part->part->line->option_launch ? "OBL_LAUNCH" : "system reset",
               (double)(target->system->now_us(target->system->ctx) - start) / 1e3);
    return -1;
}

int cmd_option_bytes(struct cli_target *target, const struct cli_options *options, const char *command, int argc,
                     char **argv)
{
    (void)command;
    struct option_request request = {0};
    if (argc == 1 || (argc > 1 && strcmp(argv[0], "--set") != 0))
        return usage_option_bytes();
    for (int i = 1; i < argc; i++) {
        int result = parse_assignment(argv[i], &request);
        if (result != 0)
            return result;
    }
    struct cli_session session;
    if (!cli_session_open(target, &session))
        return 1;
    if (argc > 0) {
        int result = set_options(target, &session, &request, options->json);
        if (result >= 0)
            return result;
    }
    struct stm32_option_bytes read_back;
    if (stm32_flash_ops(&session.target)->read_options(&session.target, &read_back) != STATUS_OK) {
        cli_print_failure(target, "option bytes");
        return 1;
    }
    if (options->json)
        print_json(&session.target, &read_back);
    else
        print_text(&session.target, &read_back);
    return 0;
}

/* ---- unlock ---- */

int cmd_unlock(struct cli_target *target, const struct cli_options *options, const char *command, int argc, char **argv)
{
    (void)command;
    if (argc != 1 || strcmp(argv[0], "--yes") != 0) {
        fprintf(stderr,
                "airswd: unlock removes read protection (RDP level 1 -> 0), and to do that the chip erases its whole "
                "flash:\n"
                "        the firmware on it is lost. Run `airswd unlock --yes` to go ahead.\n");
        return 2;
    }
    if (target->transport != JOB_TRANSPORT_SWD)
        return cmd_unlock_by_bootloader(target);
    struct cli_session session;
    if (!cli_session_open(target, &session))
        return 1;
    struct stm32_target *part = &session.target;
    const struct stm32_flash_ops *ops = stm32_flash_ops(part);
    unsigned before = 0, after = 0;
    uint64_t start = target->system->now_us(target->system->ctx);
    enum status status = cortexm_reset_halt(&session.core, CORTEXM_RESET_SYSRESETREQ);
    if (status == STATUS_OK)
        status = ops->read_protection(part, &before);
    if (status == STATUS_OK && before == 0) {
        if (options->json)
            printf("{\"ok\":true,\"part\":\"%s\",\"rdp_level_before\":0,\"erased\":false}\n", part->part->name);
        else
            printf("%s is not read-protected (level 0): nothing to do, the flash was left as it is\n",
                   part->part->name);
        return 0;
    }
    if (status == STATUS_OK)
        status = ops->remove_read_protection(part);
    target->keep_state = true;
    if (status == STATUS_OK)
        status = ops->read_protection(part, &after);
    if (status == STATUS_OK && after != 0)
        status = status_fail(&target->report, STATUS_FLASH_PROTECTED,
                             "read protection is still level %u after the removal: power-cycle the target and run "
                             "`airswd info`",
                             after);
    if (status != STATUS_OK) {
        cli_print_failure(target, "unlock");
        return 1;
    }
    double ms = (double)(target->system->now_us(target->system->ctx) - start) / 1e3;
    if (options->json)
        printf("{\"ok\":true,\"part\":\"%s\",\"rdp_level_before\":%u,\"erased\":true,\"total_us\":%.0f}\n",
               part->part->name, before, ms * 1e3);
    else
        printf("read protection of %s removed (level %u -> 0): the chip erased its %lu KB of flash; %.3f ms chip "
               "time\n", part->part->name, before, (unsigned long)(part->flash_size / 1024), ms);
    return 0;
}
