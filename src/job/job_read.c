/*
 * job_read.c - JOB_ACTION_READ: target memory to the job's data callback, in chunks, whole words where the
 * addresses allow it (over SWD) and bytes at ragged ends, yielding (and honouring cancellation) between chunks.
 */
#include "job/job_internal.h"

enum status job_read_memory(struct job *job)
{
    const struct image_range range = job->options.read;
    if (range.size == 0 || job->data == NULL)
        return status_fail(job->report, STATUS_INVALID_ARGUMENT, "nothing to read");
    const struct hal_system *system = job->link.system;
    for (uint32_t done = 0; done < range.size;) {
        uint32_t address = range.base + done;
        uint32_t piece = range.size - done < AIRSWD_JOB_CHUNK ? range.size - done : AIRSWD_JOB_CHUNK;
        enum status status = job->backend->read(job, address, job->chunk, piece);
        if (status != STATUS_OK)
            return job->report->status != STATUS_OK
                       ? status
                       : status_fail(job->report, status, "reading 0x%08lX", (unsigned long)address);
        if (!job->data(job->data_ctx, address, job->chunk, piece))
            return job->report->status != STATUS_OK ? job->report->status
                                                    : status_fail(job->report, STATUS_CANCELLED, "read stopped");
        done += piece;
        job_progress(job, done, range.size);
        if (system->yield(system->ctx))
            return status_fail(job->report, STATUS_CANCELLED, "read cancelled at 0x%08lX",
                               (unsigned long)(address + piece));
    }
    return STATUS_OK;
}
