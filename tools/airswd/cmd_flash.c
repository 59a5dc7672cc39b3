/*
 * cmd_flash.c - `airswd flash FILE` and `airswd verify FILE`: a flash job (src/job) on the target.
 */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int usage(const char *command)
{
    if (strcmp(command, "verify") == 0)
        fprintf(stderr, "usage: airswd verify FILE [--format bin|hex|elf] [--base ADDR] [--connect-under-reset]\n");
    else
        fprintf(stderr, "usage: airswd flash FILE [--format bin|hex|elf] [--base ADDR] [--no-verify] [--no-reset] "
                        "[--skip-unchanged] [--connect-under-reset]\n");
    return 2;
}

int cmd_flash(struct cli_target *target, const struct cli_options *options, const char *command, int argc,
              char **argv)
{
    bool verify_only = strcmp(command, "verify") == 0;
    /* A local probe reads the memory anyway: a difference's detail may quote it. */
    struct job_options job_options = {.verify = true, .reset_after = !verify_only,
                                      .action = verify_only ? JOB_ACTION_VERIFY : JOB_ACTION_FLASH, .quote_memory = true};
    const char *path = NULL;
    bool format_given = false, have_base = false;
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--base") == 0 && i + 1 < argc) {
            if (!cli_parse_base(argv[++i], &job_options.bin_base))
                return 2;
            have_base = true;
        } else if (strcmp(argv[i], "--format") == 0 && i + 1 < argc) {
            if (!cli_parse_format(argv[++i], &job_options.format))
                return 2;
            format_given = true;
        } else if (strcmp(argv[i], "--no-verify") == 0 && !verify_only) {
            job_options.verify = false;
        } else if (strcmp(argv[i], "--no-reset") == 0 && !verify_only) {
            job_options.reset_after = false;
        } else if (strcmp(argv[i], "--skip-unchanged") == 0 && !verify_only) {
            job_options.skip_unchanged = true;
        } else if (strcmp(argv[i], "--connect-under-reset") == 0) {
            job_options.connect_under_reset = true;
        } else if (argv[i][0] != '-' && path == NULL) {
            path = argv[i];
        } else {
            return usage(command);
        }
    }
    if (path == NULL)
        return usage(command);
    int checked = cli_image_check(path, format_given, &job_options.format);
    if (checked != 0)
        return checked;
    if (job_options.format != IMAGE_FORMAT_BIN && have_base) {
        fprintf(stderr, "airswd: --base is for raw binaries; %s is %s and carries its own addresses\n", path,
                image_format_name(job_options.format));
        return 2;
    }
    return cli_run_job(target, options, path, &job_options);
}
