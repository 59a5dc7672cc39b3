/*
 * job_erase.c - erases what the image touches, the quickest way that loses nothing else: one mass erase when the
 * image covers every unit (and that is quicker), a bank erase for each bank it covers whole on a dual-bank part,
 * and its other units one by one. A mass or bank erase of a partly covered flash would lose what the image leaves
 * alone.
 */
#include "job/job_internal.h"

/* Consecutive units one erase_run takes (a backend that lists them in one command). */
#define ERASE_RUN_MAX 64u

static uint64_t unit_by_unit_us(const struct job *job)
{
    uint64_t total = 0;
    for (uint16_t span = 0; span < job->plan.erase_count; span++) {
        for (uint32_t i = 0; i < job->plan.erase[span].count; i++) {
            struct image_range unit;
            image_target_erase_unit(&job->target.memory, job->plan.erase[span].first + i, &unit);
            total += stm32_part_erase_us(job->target.part, unit.size);
        }
    }
    return total;
}

uint64_t job_mass_erase_us(const struct job *job)
{
    return stm32_part_mass_erase_us(job->target.part, job->target.flash_size);
}

static bool mass_erase_is_better(const struct job *job)
{
    uint64_t mass_us = job_mass_erase_us(job);
    return mass_us != 0 && job->plan.erase_units == image_target_erase_unit_count(&job->target.memory) &&
           job->result.unchanged_units == 0 && mass_us <= unit_by_unit_us(job);
}

static bool plan_covers(const struct job *job, uint32_t first, uint32_t count)
{
    for (uint16_t span = 0; span < job->plan.erase_count; span++) {
        const struct image_erase_span *s = &job->plan.erase[span];
        if (s->first <= first && s->first + s->count >= first + count)
            return true;
    }
    return false;
}

/* Bank erases on a dual-bank part; *erased_bank[b] says which banks are done. */
static enum status erase_whole_banks(struct job *job, bool erased_bank[2])
{
    const struct job_backend *backend = job->backend;
    uint32_t per_bank = image_target_erase_unit_count(&job->target.memory) / 2;
    erased_bank[0] = erased_bank[1] = false;
    if (!job->target.part->dual_bank || backend->erase_bank == NULL || job->result.unchanged_units > 0 ||
        job_mass_erase_us(job) == 0)
        return STATUS_OK; /* mass_erase_us 0: no mass or bank erase (L0), pages only */
    for (unsigned bank = 0; bank < 2; bank++) {
        if (!plan_covers(job, bank * per_bank, per_bank))
            continue;
        enum status status = backend->erase_bank(job, bank);
        if (status != STATUS_OK)
            return status;
        erased_bank[bank] = true;
        job->result.erase_units += per_bank;
        job_progress(job, job->result.erase_units, job->plan.erase_units);
    }
    return STATUS_OK;
}

/* A unit left alone: inside a bank erased whole, or already holding the image (--skip-unchanged). */
static bool unit_needs_erase(const struct job *job, uint32_t index, const bool erased_bank[2])
{
    uint32_t per_bank = image_target_erase_unit_count(&job->target.memory) / 2;
    return !(job->target.part->dual_bank && erased_bank[index / per_bank]) && !job_unit_unchanged(job, index);
}

enum status job_erase(struct job *job)
{
    const struct job_backend *backend = job->backend;
    uint32_t total = job->plan.erase_units;
    job->result.erased = true; /* from here on, a failure leaves the flash changed */
    if (mass_erase_is_better(job)) {
        job->result.mass_erased = true;
        enum status status = backend->mass_erase(job);
        if (status == STATUS_OK) {
            job->result.erase_units = total;
            job_progress(job, total, total);
        }
        return status;
    }
    bool erased_bank[2];
    enum status status = erase_whole_banks(job, erased_bank);
    for (uint16_t span = 0; status == STATUS_OK && span < job->plan.erase_count; span++) {
        const struct image_erase_span *units = &job->plan.erase[span];
        for (uint32_t i = 0; i < units->count;) {
            uint32_t index = units->first + i;
            if (!unit_needs_erase(job, index, erased_bank)) {
                i++;
                continue;
            }
            uint32_t run = 1;
            while (backend->erase_run != NULL && run < ERASE_RUN_MAX && i + run < units->count &&
                   unit_needs_erase(job, index + run, erased_bank))
                run++;
            struct image_range unit;
            image_target_erase_unit(&job->target.memory, index, &unit);
            status = run > 1 ? backend->erase_run(job, index, run) : backend->erase_unit(job, index, unit);
            if (status != STATUS_OK)
                return status;
            job->result.erase_units += run;
            job_progress(job, job->result.erase_units, total);
            i += run;
        }
    }
    return status;
}

/* JOB_ACTION_ERASE: the whole flash, as a plan that covers every unit, so that the choice between mass, bank and
 * unit erases is the same as for an image that fills the flash. */
enum status job_erase_chip(struct job *job)
{
    uint32_t units = image_target_erase_unit_count(&job->target.memory);
    job->plan.erase_count = 1;
    job->plan.erase[0] = (struct image_erase_span){.first = 0, .count = units};
    job->plan.erase_units = units;
    enum status status = job_flash_begin(job);
    if (status == STATUS_OK && job->options.mass_erase) {
        job->result.erased = job->result.mass_erased = true;
        status = job->backend->mass_erase(job);
        if (status == STATUS_OK) {
            job->result.erase_units = units;
            job_progress(job, units, units);
        }
    } else if (status == STATUS_OK) {
        status = job_erase(job);
    }
    enum status locked = job_flash_end(job);
    return status != STATUS_OK ? status : locked;
}
