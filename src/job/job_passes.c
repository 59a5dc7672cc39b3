/*
 * job_passes.c - the readings of the image file: each one feeds the same chunks through a parser into a sink (the
 * plan, a rehearsing writer, the programming writer, the verifying writer).
 */
#include "job/job_internal.h"

#include <string.h>

enum status job_read_pass(struct job *job, const struct image_sink *sink)
{
    uint32_t base = job->options.bin_base ? job->options.bin_base : STM32_FLASH_BASE;
    image_reader_init(&job->reader, job->options.format, base, sink, job->report);
    if (job->options.image_key != NULL)
        image_reader_set_key(&job->reader, job->options.image_key);
    for (uint32_t offset = 0;;) {
        long got = job->file.read(job->file.ctx, offset, job->chunk, sizeof job->chunk);
        if (got < 0)
            return status_fail(job->report, STATUS_INVALID_ARGUMENT, "reading the image file at offset %lu failed",
                               (unsigned long)offset);
        if (got == 0)
            break;
        enum status status = image_reader_feed(&job->reader, job->chunk, (size_t)got);
        if (status != STATUS_OK)
            return status;
        offset += (uint32_t)got;
        if (job->link.system->yield(job->link.system->ctx))
            return status_fail(job->report, STATUS_CANCELLED, "reading the image");
    }
    return image_reader_finish(&job->reader);
}

enum status job_writer_pass(struct job *job, const struct image_writer_output *output)
{
    enum status status = image_writer_init(&job->writer, &job->plan, output, job->report);
    struct image_sink sink = image_writer_sink(&job->writer);
    if (status == STATUS_OK)
        status = job_read_pass(job, &sink);
    if (status == STATUS_OK)
        status = image_writer_finish(&job->writer);
    return status;
}

/* ---- programming ---- */

static enum status program_piece(struct job *job, uint32_t address, const uint8_t *bytes, uint32_t len)
{
    enum status status = job->loader.used ? job_loader_program(job, address, bytes, len)
                                          : job->backend->program(job, address, bytes, len);
    if (status == STATUS_OK)
        job->result.program_bytes += len;
    return status;
}

/* Pieces in erase units that already hold the image are left alone (--skip-unchanged). */
static enum status program_run(struct job *job, uint32_t address, const uint8_t *bytes, uint32_t len)
{
    enum status status = STATUS_OK;
    while (status == STATUS_OK && len > 0) {
        uint32_t index;
        struct image_range unit;
        image_target_erase_unit_index(&job->target.memory, address, &index);
        image_target_erase_unit(&job->target.memory, index, &unit);
        uint64_t room = image_range_end(unit) - address;
        uint32_t piece = room < len ? (uint32_t)room : len;
        if (!job_unit_unchanged(job, index))
            status = program_piece(job, address, bytes, piece);
        address += piece;
        bytes += piece;
        len -= piece;
    }
    job_progress(job, job->result.program_bytes, job->plan.program_bytes);
    return status;
}

/* Writes a gathered run: program_run (flash) or eeprom_run (data EEPROM). */
typedef enum status (*job_run_writer)(struct job *job, uint32_t address, const uint8_t *bytes, uint32_t len);

static enum status flush_run(struct job *job, job_run_writer write)
{
    uint32_t len = job->run_len;
    job->run_len = 0;
    return len > 0 ? write(job, job->run_address, job->run, len) : STATUS_OK;
}

/* The writer's output: whole program units in file order (or data EEPROM bytes), written in runs that end where
 * the address crosses a multiple of AIRSWD_JOB_READBACK_CHUNK, whatever the file's pieces were (16-byte HEX
 * records, ELF pieces that end where the file's chunks end): every format then costs the controller's per-call
 * setup and wait as often as a binary does, and an EEPROM word that two records share is written once. Whole
 * aligned blocks go out as they are; the rest is gathered in job->run. Program units divide the block size, so a
 * run never splits a unit. */
static enum status gather_output(struct job *job, uint32_t address, const uint8_t *bytes, uint32_t len,
                                 job_run_writer write)
{
    const uint32_t block = AIRSWD_JOB_READBACK_CHUNK;
    enum status status = STATUS_OK;
    if (job->run_len > 0 && address != job->run_address + job->run_len)
        status = flush_run(job, write);
    while (status == STATUS_OK && len > 0) {
        uint32_t offset = address % block;
        if (job->run_len == 0 && offset == 0 && len >= block) {
            uint32_t whole = len - len % block;
            status = write(job, address, bytes, whole);
            address += whole, bytes += whole, len -= whole;
            continue;
        }
        uint32_t piece = block - offset < len ? block - offset : len;
        if (job->run_len == 0)
            job->run_address = address;
        memcpy(job->run + job->run_len, bytes, piece);
        job->run_len += piece;
        address += piece, bytes += piece, len -= piece;
        if (address % block == 0)
            status = flush_run(job, write);
    }
    return status;
}

static enum status program_output(void *ctx, uint32_t address, const uint8_t *bytes, uint32_t len)
{
    return gather_output(ctx, address, bytes, len, program_run);
}

/* Measured on the simulated parts (bench/bench_flash.c): the loader keeps the flash busy across the job's pieces,
 * where direct writes wait for the controller and set it up again at every call (F0/F1/F3 halfwords, F2/F4 words,
 * the H7's flash word), and it programs the L4/G0 double word, two bus writes, back to back. So wherever the target
 * runs code, the loader programs unless the job asks for direct writes. */
bool job_uses_loader(const struct job *job)
{
    return job_can(job, JOB_CAN_RUN_ON_TARGET) && job->options.method != JOB_PROGRAM_DIRECT;
}

enum status job_program_pass(struct job *job)
{
    const struct image_writer_output output = {.program = program_output, .ctx = job};
    job->loader.used = job_uses_loader(job);
    /* The loader runs at the faster clock the verify's CRC gets (L4: MSI 48 MHz instead of 4), so that the few
     * instructions between two units weigh less against tPROG. */
    uint32_t saved[STM32_CLOCK_BOOST_STEPS];
    unsigned changed = 0;
    enum status status = job->loader.used ? job_clock_boost(job, saved, &changed) : STATUS_OK;
    if (status == STATUS_OK && job->loader.used)
        status = job_loader_prepare(job);
    job->run_len = 0;
    if (status == STATUS_OK)
        status = job_writer_pass(job, &output);
    if (status == STATUS_OK)
        status = flush_run(job, program_run);
    if (status == STATUS_OK)
        job_progress(job, job->plan.program_bytes, job->plan.program_bytes);
    if (job->loader.used) {
        if (status == STATUS_OK)
            status = job_loader_finish(job);
        else
            job_loader_abandon(job);
        job->result.programmed_by_loader = true;
    }
    enum status restored = job_clock_restore(job, saved, changed);
    return status != STATUS_OK ? status : restored;
}

/* ---- the data EEPROM ---- */

static enum status eeprom_run(struct job *job, uint32_t address, const uint8_t *bytes, uint32_t len)
{
    uint32_t written = 0;
    enum status status = stm32_flash_ops(&job->target)->write_eeprom(&job->target, address, bytes, len, &written);
    if (status != STATUS_OK)
        return status;
    job->result.eeprom_written += written;
    job->result.eeprom_unchanged += len - written;
    uint32_t done = job->result.eeprom_written + job->result.eeprom_unchanged;
    job_progress(job, job->plan.program_bytes + done, job->plan.program_bytes + job->plan.eeprom_bytes);
    return STATUS_OK;
}

static enum status eeprom_output(void *ctx, uint32_t address, const uint8_t *bytes, uint32_t len)
{
    return gather_output(ctx, address, bytes, len, eeprom_run);
}

/* The flash's units went out in the program pass: this reading takes the EEPROM's bytes alone. */
static enum status flash_done(void *ctx, uint32_t address, const uint8_t *bytes, uint32_t len)
{
    (void)ctx, (void)address, (void)bytes, (void)len;
    return STATUS_OK;
}

enum status job_eeprom_pass(struct job *job)
{
    if (job->plan.eeprom_count == 0)
        return STATUS_OK;
    const struct image_writer_output output = {.program = flash_done, .eeprom = eeprom_output, .ctx = job};
    job->run_len = 0;
    enum status status = job_writer_pass(job, &output);
    return status == STATUS_OK ? flush_run(job, eeprom_run) : status;
}
