/*
 * cli_output.c - files the command line produces (read, sign, keygen) appear whole or not at all: the bytes go to a
 * temporary file beside the destination, which takes the destination's name only once everything is written and
 * flushed. A failure halfway (the target stops answering at some address, a full disk) leaves nothing behind.
 */
#define _POSIX_C_SOURCE 200809L /* fdopen, fileno, fsync, link */

#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

bool cli_output_open(struct cli_output *output, const char *path, mode_t mode, bool overwrite)
{
    memset(output, 0, sizeof *output);
    output->overwrite = overwrite;
    int n = snprintf(output->path, sizeof output->path, "%s", path);
    int m = snprintf(output->temporary, sizeof output->temporary, "%s.tmp-%ld", path, (long)getpid());
    if (n < 0 || (size_t)n >= sizeof output->path || m < 0 || (size_t)m >= sizeof output->temporary) {
        fprintf(stderr, "airswd: %s: the path is too long\n", path);
        return false;
    }
    if (!overwrite && access(path, F_OK) == 0) {
        fprintf(stderr, "airswd: %s exists: not overwritten\n", path);
        return false;
    }
    int fd = open(output->temporary, O_WRONLY | O_CREAT | O_EXCL, mode);
    if (fd < 0 || (output->file = fdopen(fd, "wb")) == NULL) {
        fprintf(stderr, "airswd: cannot create %s: %s\n", path, strerror(errno));
        if (fd >= 0) {
            close(fd);
            unlink(output->temporary);
        }
        return false;
    }
    return true;
}

bool cli_output_put(struct cli_output *output, const void *bytes, size_t len)
{
    if (output->failed || fwrite(bytes, 1, len, output->file) != len)
        output->failed = true;
    return !output->failed;
}

bool cli_output_commit(struct cli_output *output)
{
    bool ok = !output->failed && fflush(output->file) == 0 && fsync(fileno(output->file)) == 0;
    ok &= fclose(output->file) == 0;
    output->file = NULL;
    if (ok && output->overwrite) {
        ok = rename(output->temporary, output->path) == 0;
    } else if (ok) { /* link() refuses a destination that appeared meanwhile: nothing is overwritten */
        ok = link(output->temporary, output->path) == 0;
        unlink(output->temporary);
    }
    if (!ok) {
        fprintf(stderr, "airswd: writing %s failed: %s\n", output->path, strerror(errno));
        unlink(output->temporary);
    }
    return ok;
}

void cli_output_abandon(struct cli_output *output)
{
    if (output->file != NULL)
        fclose(output->file);
    output->file = NULL;
    unlink(output->temporary);
}

bool cli_output_write(const char *path, const void *bytes, size_t len, mode_t mode, bool overwrite)
{
    struct cli_output output;
    if (!cli_output_open(&output, path, mode, overwrite))
        return false;
    cli_output_put(&output, bytes, len);
    return cli_output_commit(&output);
}
