/*
 * memory_file.c - an image file held in memory (memory_file.h).
 */
#include "memory_file.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

long memory_file_read(void *ctx, uint32_t offset, uint8_t *buf, uint32_t len)
{
    const struct memory_file *file = ctx;
    if (offset >= file->size)
        return 0;
    uint32_t n = file->size - offset < len ? file->size - offset : len;
    memcpy(buf, file->bytes + offset, n);
    return (long)n;
}

bool memory_file_load_example(struct memory_file *file, uint32_t capacity, const char *program, const char *family,
                              const char *extension)
{
    const char *build = getenv("AIRSWD_BINARY_DIR");
    char path[512];
    snprintf(path, sizeof path, "%s/examples/firmware/%s/%s_%s.%s", build ? build : ".", family, program, family,
             extension);
    FILE *in = fopen(path, "rb");
    if (in == NULL)
        return false;
    file->size = (uint32_t)fread(file->bytes, 1, capacity, in);
    fclose(in);
    return file->size > 0;
}
