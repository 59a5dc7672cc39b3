/*
 * fuzz_replay.c - runs a fuzz target over files without libFuzzer, so that the committed corpus is checked by any
 * compiler (and under the sanitizers of the _san build). Arguments are files or directories; with none, the
 * target's corpus under $AIRSWD_SOURCE_DIR/tests/fuzz/corpus/FUZZ_TARGET_NAME is used.
 */
#define _POSIX_C_SOURCE 200809L

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz_image_harness.h"

#ifndef FUZZ_TARGET_NAME
#error "FUZZ_TARGET_NAME names the corpus directory"
#endif

static unsigned replay_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        fprintf(stderr, "cannot open %s\n", path);
        exit(1);
    }
    static uint8_t data[1 << 20];
    size_t size = fread(data, 1, sizeof data, f);
    fclose(f);
    /* A buffer of the exact size, so that a read past the input is caught. */
    uint8_t *copy = malloc(size ? size : 1);
    memcpy(copy, data, size);
    LLVMFuzzerTestOneInput(copy, size);
    free(copy);
    return 1;
}

static unsigned replay(const char *path)
{
    struct stat info;
    if (stat(path, &info) != 0) {
        fprintf(stderr, "no such file or directory: %s\n", path);
        exit(1);
    }
    if (!S_ISDIR(info.st_mode))
        return replay_file(path);
    DIR *dir = opendir(path);
    unsigned count = 0;
    for (struct dirent *entry; (entry = readdir(dir)) != NULL;) {
        if (entry->d_name[0] == '.')
            continue;
        char child[4096];
        snprintf(child, sizeof child, "%s/%s", path, entry->d_name);
        count += replay(child);
    }
    closedir(dir);
    return count;
}

int main(int argc, char **argv)
{
    unsigned count = 0;
    if (argc > 1) {
        for (int i = 1; i < argc; i++)
            count += replay(argv[i]);
    } else {
        const char *root = getenv("AIRSWD_SOURCE_DIR");
        char corpus[4096];
        snprintf(corpus, sizeof corpus, "%s/tests/fuzz/corpus/%s", root ? root : ".", FUZZ_TARGET_NAME);
        count = replay(corpus);
    }
    if (count == 0) {
        fprintf(stderr, "no inputs\n");
        return 1;
    }
    printf("%u inputs replayed through %s\n", count, FUZZ_TARGET_NAME);
    return 0;
}
