/*
 * cmd_flash.c - `airswd flash FILE` and `airswd verify FILE`: a flash job (src/job) on the target.
 */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The format from the file's first bytes; a raw binary goes to --base (0x08000000 by default). */
static bool detect_format(const char *path, enum image_format *format)
{
    uint8_t head[IMAGE_FORMAT_DETECT_BYTES];
    FILE *file = fopen(path, "rb");
    if (file == NULL) {
        fprintf(stderr, "airswd: cannot open %s\n", path);
        return false;
    }
    size_t got = fread(head, 1, sizeof head, file);
    fclose(file);
    *format = image_format_detect(head, got);
    return true;
}

static int usage(const char *command)
{
    if (strcmp(command, "verify") == 0)
        fprintf(stderr, "usage: airswd verify FILE [--base ADDR] [--connect-under-reset]\n");
    else
        fprintf(stderr, "usage: airswd flash FILE [--base ADDR] [--no-verify] [--no-reset] [--skip-unchanged] "
                        "[--connect-under-reset]\n");
    return 2;
}

int cmd_flash(struct cli_target *target, const struct cli_options *options, const char *command, int argc,
              char **argv)
{
    bool verify_only = strcmp(command, "verify") == 0;
    struct job_options job_options = {.verify = true, .reset_after = !verify_only, .action = verify_only ? JOB_ACTION_VERIFY : JOB_ACTION_FLASH};
    const char *path = NULL;
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--base") == 0 && i + 1 < argc && cli_parse_u32(argv[i + 1], &job_options.bin_base))
            i++;
        else if (strcmp(argv[i], "--no-verify") == 0 && !verify_only)
            job_options.verify = false;
        else if (strcmp(argv[i], "--no-reset") == 0 && !verify_only)
            job_options.reset_after = false;
        else if (strcmp(argv[i], "--skip-unchanged") == 0 && !verify_only)
            job_options.skip_unchanged = true;
        else if (strcmp(argv[i], "--connect-under-reset") == 0)
            job_options.connect_under_reset = true;
        else if (argv[i][0] != '-' && path == NULL)
            path = argv[i];
        else
            return usage(command);
    }
    if (path == NULL)
        return usage(command);
    if (!detect_format(path, &job_options.format))
        return 2;
    if (job_options.format != IMAGE_FORMAT_BIN && job_options.bin_base != 0) {
        fprintf(stderr, "airswd: --base is for raw binaries; %s is %s and carries its own addresses\n", path,
                image_format_name(job_options.format));
        return 2;
    }
    return cli_run_job(target, options, path, &job_options);
}
