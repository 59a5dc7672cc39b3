/*
 * memory_job_file.h - an image held in memory as the job's file (struct job_file), for tests and benchmarks.
 */
#ifndef AIRSWD_MEMORY_JOB_FILE_H
#define AIRSWD_MEMORY_JOB_FILE_H

#include <stdint.h>
#include <string.h>

#include "job/job.h"

struct memory_job_file {
    const uint8_t *bytes;
    uint32_t size;
};

static inline long memory_job_file_read(void *ctx, uint32_t offset, uint8_t *buf, uint32_t len)
{
    const struct memory_job_file *file = ctx;
    if (offset >= file->size)
        return 0;
    uint32_t piece = file->size - offset < len ? file->size - offset : len;
    memcpy(buf, file->bytes + offset, piece);
    return (long)piece;
}

static inline struct job_file memory_job_file(struct memory_job_file *file)
{
    return (struct job_file){.ctx = file, .read = memory_job_file_read};
}

#endif /* AIRSWD_MEMORY_JOB_FILE_H */
