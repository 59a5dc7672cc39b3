/*
 * memory_file.h - an image file held in memory, read the way a job reads its file (struct job_file), and the
 * example firmware loaded into one. Shared by the simulator-backed tests and the benchmarks.
 */
#ifndef AIRSWD_MEMORY_FILE_H
#define AIRSWD_MEMORY_FILE_H

#include <stdbool.h>
#include <stdint.h>

struct memory_file {
    uint8_t *bytes;
    uint32_t size;
};

/* struct job_file's read: up to len bytes from offset, 0 at the end. */
long memory_file_read(void *ctx, uint32_t offset, uint8_t *buf, uint32_t len);

/* Reads $AIRSWD_BINARY_DIR/examples/firmware/<family>/<program>_<family>.<extension> into file->bytes (capacity
 * bytes there); false when it was not built (no arm-none-eabi-gcc) or is empty. */
bool memory_file_load_example(struct memory_file *file, uint32_t capacity, const char *program, const char *family,
                              const char *extension);

#endif /* AIRSWD_MEMORY_FILE_H */
