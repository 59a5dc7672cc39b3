/*
 * example_firmware.h - the example firmware the build makes (examples/firmware): build/examples/firmware/<family>/
 * hello_<family>.<extension>, read whole into a buffer.
 */
#ifndef AIRSWD_EXAMPLE_FIRMWARE_H
#define AIRSWD_EXAMPLE_FIRMWARE_H

#include <stdio.h>
#include <stdlib.h>

/* Bytes read (up to capacity), 0 when the file was not built. */
static inline size_t example_firmware_load(const char *family, const char *extension, void *buf, size_t capacity)
{
    const char *build = getenv("AIRSWD_BINARY_DIR");
    char path[512];
    snprintf(path, sizeof path, "%s/examples/firmware/%s/hello_%s.%s", build ? build : ".", family, family, extension);
    FILE *file = fopen(path, "rb");
    if (file == NULL)
        return 0;
    size_t size = fread(buf, 1, capacity, file);
    fclose(file);
    return size;
}

#endif /* AIRSWD_EXAMPLE_FIRMWARE_H */
