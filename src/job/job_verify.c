/*
 * job_verify.c - proves the flash holds the image: the image's bytes, in the order the writer hands them out, are
 * gathered into ranges of consecutive addresses; each range's CRC-32 is computed on the host and by the CRC stub on
 * the target, which reads its own flash at the CPU's speed instead of the wire's. Where the stub cannot run, the
 * range is read back and compared byte by byte (which also names the first wrong byte).
 *
 * A difference's detail quotes the flash (its byte, its CRC-32) only when job_options.quote_memory says the reader
 * may see the memory; otherwise it names the address (or range) alone: a verify job must not read flash for
 * someone who may not (docs/security.md).
 *
 * Only the image's own bytes are compared: the writer pads a program unit the image covers in part, but what the
 * flash holds in that padding is not the image's (another tool may have programmed it otherwise, or the firmware
 * may have written there). A difference is a failed programming in a flash job, and a finding in a verify job.
 */
#include "job/job_internal.h"

#include "crc32.h"

/* Below this many image bytes, reading back costs less wire time than loading and running the stub. */
#define CRC_WORTH_IT_BYTES 4096u
/* A range is checked once it is this long, so progress moves and a stub run stays short. */
#define VERIFY_RANGE_MAX (64u * 1024u)
/* What a difference is: the flash job failed to program, or (verify alone) the chip holds something else. */
static enum status difference(const struct job *job)
{
    return job->options.action == JOB_ACTION_VERIFY ? STATUS_FLASH_DIFFERS : STATUS_VERIFY_MISMATCH;
}

/* The image's bytes (the plan's flash data and data EEPROM bytes), against which progress is counted. */
static uint32_t image_bytes(const struct job *job)
{
    uint32_t total = job->plan.eeprom_bytes;
    for (uint16_t i = 0; i < job->plan.data_count; i++)
        total += job->plan.data[i].size;
    return total;
}

static enum status report_difference(const struct job *job, uint32_t address, uint8_t flash, uint8_t image)
{
    const char *where = image_place_name(image_plan_locate(&job->plan, address, 1, NULL));
    if (!job->options.quote_memory)
        return status_fail(job->report, difference(job), "verifying: %s at 0x%08lX differs from the image", where,
                           (unsigned long)address);
    return status_fail(job->report, difference(job), "verifying: %s at 0x%08lX holds 0x%02X, the image has 0x%02X",
                       where, (unsigned long)address, flash, image);
}

/* The end of the image's data (flash or data EEPROM) that holds address (the plan's segments are merged runs of
 * consecutive bytes). */
static uint64_t data_end(const struct job *job, uint32_t address)
{
    const struct image_segment *segment = NULL;
    if (image_plan_locate(&job->plan, address, 1, &segment) != IMAGE_PLACE_NONE && segment != NULL)
        return (uint64_t)segment->address + segment->size;
    return (uint64_t)address + 1u;
}

/* Reads the flash from address into readback: whole words, up to a chunk, never past the image's data. */
static enum status read_ahead(struct job *job, uint32_t address)
{
    uint32_t start = address & ~3u;
    uint64_t room = data_end(job, address) - start;
    uint32_t len = room < AIRSWD_JOB_READBACK_CHUNK ? (uint32_t)room : AIRSWD_JOB_READBACK_CHUNK;
    len = (len + 3u) & ~3u;
    job->verify.ahead_len = 0;
    enum status status = job->backend->read(job, start, job->readback, len);
    if (status == STATUS_OK) {
        job->verify.ahead_address = start;
        job->verify.ahead_len = len;
    }
    return status;
}

/* The flash bytes for [address, address + len) into readback: read ahead where every read costs a command,
 * otherwise exactly the words that hold them. *offset: where address is in readback; *piece: how many follow. */
static enum status read_back(struct job *job, uint32_t address, uint32_t len, uint32_t *offset, uint32_t *piece)
{
    if (!job_can(job, JOB_CAN_RUN_ON_TARGET)) {
        bool held = address >= job->verify.ahead_address &&
                    address - job->verify.ahead_address < job->verify.ahead_len;
        enum status status = held ? STATUS_OK : read_ahead(job, address);
        *offset = address - job->verify.ahead_address;
        *piece = job->verify.ahead_len - *offset < len ? job->verify.ahead_len - *offset : len;
        return status;
    }
    *piece = len < AIRSWD_JOB_READBACK_CHUNK ? len : AIRSWD_JOB_READBACK_CHUNK;
    /* Whole words: the read starts at the word holding address and ends at the word holding its last byte. */
    *offset = address & 3u;
    uint32_t words = (*offset + *piece + 3u) & ~3u;
    return job->backend->read(job, address - *offset, job->readback, words);
}

static enum status compare_by_reading(struct job *job, uint32_t address, const uint8_t *bytes, uint32_t len)
{
    while (len > 0) {
        uint32_t offset, piece;
        enum status status = read_back(job, address, len, &offset, &piece);
        if (status != STATUS_OK)
            return status;
        for (uint32_t i = 0; i < piece; i++) {
            if (job->readback[offset + i] != bytes[i])
                return report_difference(job, address + i, job->readback[offset + i], bytes[i]);
        }
        job->result.verified_bytes += piece;
        job_progress(job, job->result.verified_bytes, image_bytes(job));
        address += piece;
        bytes += piece;
        len -= piece;
    }
    return STATUS_OK;
}

static enum status check_range_on_target(struct job *job)
{
    uint32_t flash_crc = 0;
    enum status status = job_crc_run(job, job->verify.address, job->verify.len, &flash_crc);
    if (status != STATUS_OK)
        return status;
    job->verify.open = false;
    if (flash_crc != job->verify.crc && !job->options.quote_memory)
        return status_fail(job->report, difference(job), "verifying 0x%08lX..0x%08lX: the flash differs from the image",
                           (unsigned long)job->verify.address,
                           (unsigned long)(job->verify.address + job->verify.len - 1));
    if (flash_crc != job->verify.crc)
        return status_fail(job->report, difference(job),
                           "verifying 0x%08lX..0x%08lX: the flash's CRC-32 is 0x%08lX, the image's 0x%08lX",
                           (unsigned long)job->verify.address,
                           (unsigned long)(job->verify.address + job->verify.len - 1), (unsigned long)flash_crc,
                           (unsigned long)job->verify.crc);
    job->result.verified_bytes += job->verify.len;
    job->result.verified_on_target = true;
    job_progress(job, job->result.verified_bytes, image_bytes(job));
    return STATUS_OK;
}

static enum status verify_piece(struct job *job, uint32_t address, const uint8_t *bytes, uint32_t len)
{
    if (!job->verify.on_target)
        return compare_by_reading(job, address, bytes, len);
    bool follows = job->verify.open && address == job->verify.address + job->verify.len &&
                   job->verify.len + len <= VERIFY_RANGE_MAX;
    if (job->verify.open && !follows) {
        enum status status = check_range_on_target(job);
        if (status != STATUS_OK)
            return status;
    }
    if (!job->verify.open) {
        job->verify.open = true;
        job->verify.address = address;
        job->verify.len = 0;
        job->verify.crc = 0;
    }
    job->verify.crc = crc32_update(job->verify.crc, bytes, len);
    job->verify.len += len;
    return STATUS_OK;
}

/* The data EEPROM's bytes: read back and compared (it is a few KB at most, and the CRC stub reads flash). */
static enum status verify_eeprom(void *ctx, uint32_t address, const uint8_t *bytes, uint32_t len)
{
    return compare_by_reading(ctx, address, bytes, len);
}

/* Whole program units from the writer: the parts the image's data covers are checked, the padding is not. */
static enum status verify_output(void *ctx, uint32_t address, const uint8_t *bytes, uint32_t len)
{
    struct job *job = ctx;
    uint64_t end = (uint64_t)address + len;
    enum status status = STATUS_OK;
    for (uint16_t i = 0; i < job->plan.data_count && status == STATUS_OK; i++) {
        const struct image_segment *data = &job->plan.data[i];
        uint64_t from = data->address > address ? data->address : address;
        uint64_t to = (uint64_t)data->address + data->size < end ? (uint64_t)data->address + data->size : end;
        if (from < to)
            status = verify_piece(job, (uint32_t)from, bytes + (from - address), (uint32_t)(to - from));
    }
    return status;
}

enum status job_verify_pass(struct job *job)
{
    job->verify.open = false;
    job->verify.ahead_len = 0;
    job->verify.on_target = job_can(job, JOB_CAN_RUN_ON_TARGET) && job->plan.program_bytes >= CRC_WORTH_IT_BYTES &&
                            job_crc_load(job) == STATUS_OK;
    uint32_t saved[STM32_CLOCK_BOOST_STEPS];
    unsigned changed = 0;
    enum status status = job->verify.on_target ? job_clock_boost(job, saved, &changed) : STATUS_OK;
    const struct image_writer_output output = {.program = verify_output, .eeprom = verify_eeprom, .ctx = job};
    if (status == STATUS_OK)
        status = job_writer_pass(job, &output);
    if (status == STATUS_OK && job->verify.open)
        status = check_range_on_target(job);
    enum status restored = job_clock_restore(job, saved, changed);
    return status != STATUS_OK ? status : restored;
}
