/*
 * example_firmware.h - the example firmware the build makes (examples/firmware): build/examples/firmware/<family>/
 * hello_<family>.<extension>, read whole into a buffer.
 */
#ifndef AIRSWD_EXAMPLE_FIRMWARE_H
#define AIRSWD_EXAMPLE_FIRMWARE_H

#include <stdio.h>
#include <stdlib.h>

/* Bytes read (up to capacity), 0 when the file was not built. */
/* Another program of examples/firmware (<program>_<family>.<extension>, such as watchdog_g0.elf), the same way. */
static inline size_t example_program_load(const char *program, const char *family, const char *extension, void *buf,
                                          size_t capacity)
{
    const char *build = getenv("AIRSWD_BINARY_DIR");
    char path[512];
    snprintf(path, sizeof path, "%s/examples/firmware/%s/%s_%s.%s", build ? build : ".", family, program, family,
             extension);
    FILE *file = fopen(path, "rb");
    if (file == NULL)
        return 0;
    size_t size = fread(buf, 1, capacity, file);
    fclose(file);
    return size;
}

static inline size_t example_firmware_load(const char *family, const char *extension, void *buf, size_t capacity)
{
    return example_program_load("hello", family, extension, buf, capacity);
}

#endif /* AIRSWD_EXAMPLE_FIRMWARE_H */
