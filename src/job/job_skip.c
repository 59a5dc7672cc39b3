/*
 * job_skip.c - --skip-unchanged: which erase units already hold exactly what they would hold after the job (the
 * image's bytes, the erased value everywhere else in the unit). Their CRC-32 is computed on the target, the expected
 * one on the host from a reading of the file; equal units are neither erased nor programmed. The file must give its
 * bytes in address order (every linker output does); otherwise nothing is skipped. Units from AIRSWD_JOB_MAX_UNITS
 * on are not compared, and always rewritten.
 */
#include "job/job_internal.h"

#include <string.h>

#include "crc32.h"


bool job_unit_unchanged(const struct job *job, uint32_t index)
{
    return index < AIRSWD_JOB_MAX_UNITS && (job->unchanged[index / 8] >> (index % 8)) & 1u;
}

static void sum_erased(struct job *job, uint32_t len)
{
    uint8_t erased[64];
    memset(erased, job->target.memory.erased_value, sizeof erased);
    while (len > 0) {
        uint32_t piece = len < sizeof erased ? len : (uint32_t)sizeof erased;
        job->scan.crc = crc32_update(job->scan.crc, erased, piece);
        len -= piece;
    }
}

/* The unit being summed is complete: pad it with erased bytes and compare with the target's CRC of it. */
static enum status close_unit(struct job *job)
{
    struct image_range unit;
    image_target_erase_unit(&job->target.memory, job->scan.unit, &unit);
    sum_erased(job, (uint32_t)(image_range_end(unit) - job->scan.position));
    job->scan.open = false;
    if (job->scan.unit >= AIRSWD_JOB_MAX_UNITS)
        return STATUS_OK;
    uint32_t flash_crc;
    enum status status = job_crc_run(job, unit.base, unit.size, &flash_crc);
    if (status == STATUS_OK && flash_crc == job->scan.crc) {
        job->unchanged[job->scan.unit / 8] |= (uint8_t)(1u << (job->scan.unit % 8));
        job->result.unchanged_units++;
    }
    return status;
}

static enum status open_unit(struct job *job, uint32_t address)
{
    uint32_t index;
    struct image_range unit;
    image_target_erase_unit_index(&job->target.memory, address, &index);
    image_target_erase_unit(&job->target.memory, index, &unit);
    job->scan.open = true;
    job->scan.unit = index;
    job->scan.position = unit.base;
    job->scan.crc = 0;
    return STATUS_OK;
}

static enum status scan_output(void *ctx, uint32_t address, const uint8_t *bytes, uint32_t len)
{
    struct job *job = ctx;
    while (job->scan.in_order && len > 0) {
        if (job->scan.open && address < job->scan.position) {
            job->scan.in_order = false; /* out of order: the units cannot be summed in one reading */
            return STATUS_OK;
        }
        struct image_range unit;
        if (job->scan.open) {
            image_target_erase_unit(&job->target.memory, job->scan.unit, &unit);
            if (address >= image_range_end(unit)) {
                enum status status = close_unit(job);
                if (status != STATUS_OK)
                    return status;
            }
        }
        if (!job->scan.open)
            open_unit(job, address);
        image_target_erase_unit(&job->target.memory, job->scan.unit, &unit);
        sum_erased(job, address - job->scan.position);
        uint32_t piece = (uint32_t)(image_range_end(unit) - address) < len ? (uint32_t)(image_range_end(unit) - address)
                                                                          : len;
        job->scan.crc = crc32_update(job->scan.crc, bytes, piece);
        job->scan.position = address + piece;
        address += piece;
        bytes += piece;
        len -= piece;
    }
    return STATUS_OK;
}

enum status job_find_unchanged(struct job *job)
{
    memset(job->unchanged, 0, sizeof job->unchanged);
    job->scan.in_order = true;
    job->scan.open = false;
    if (!job_can(job, JOB_CAN_RUN_ON_TARGET))
        return STATUS_OK; /* nothing is skipped: every unit is erased and programmed */
    uint32_t saved[STM32_CLOCK_BOOST_STEPS];
    unsigned changed = 0;
    enum status status = job_crc_load(job);
    if (status != STATUS_OK)
        return STATUS_OK; /* no room for the stub: erase and program everything */
    status = job_clock_boost(job, saved, &changed);
    const struct image_writer_output output = {.program = scan_output, .ctx = job};
    if (status == STATUS_OK)
        status = job_writer_pass(job, &output);
    if (status == STATUS_OK && job->scan.in_order && job->scan.open)
        status = close_unit(job);
    if (status == STATUS_OK && !job->scan.in_order) {
        memset(job->unchanged, 0, sizeof job->unchanged); /* only a complete comparison may skip anything */
        job->result.unchanged_units = 0;
    }
    enum status restored = job_clock_restore(job, saved, changed);
    return status != STATUS_OK ? status : restored;
}
