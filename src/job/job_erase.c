/*
 * job_erase.c - erases what the image touches: its erase units, or one mass erase when the image covers every
 * unit and that is quicker (a mass erase of a partly covered flash would lose what the image leaves alone).
 */
#include "job/job_internal.h"

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

static bool mass_erase_is_better(const struct job *job)
{
    const struct stm32_part *part = job->target.part;
    uint64_t mass_us = part->layout == STM32_LAYOUT_F4_SECTORS
                           ? (uint64_t)part->mass_erase_us * job->target.flash_size / (1024u * 1024u)
                           : part->mass_erase_us;
    return job->plan.erase_units == image_target_erase_unit_count(&job->target.memory) &&
           mass_us <= unit_by_unit_us(job);
}

enum status job_erase(struct job *job)
{
    const struct stm32_flash_ops *ops = stm32_flash_ops(&job->target);
    uint32_t total = job->plan.erase_units;
    job->result.erased = true; /* from here on, a failure leaves the flash changed */
    if (mass_erase_is_better(job)) {
        job->result.mass_erased = true;
        enum status status = ops->mass_erase(&job->target);
        if (status == STATUS_OK) {
            job->result.erase_units = total;
            job_progress(job, total, total);
        }
        return status;
    }
    for (uint16_t span = 0; span < job->plan.erase_count; span++) {
        for (uint32_t i = 0; i < job->plan.erase[span].count; i++) {
            uint32_t index = job->plan.erase[span].first + i;
            struct image_range unit;
            image_target_erase_unit(&job->target.memory, index, &unit);
            enum status status = ops->erase_unit(&job->target, index, unit);
            if (status != STATUS_OK)
                return status;
            job->result.erase_units++;
            job_progress(job, job->result.erase_units, total);
        }
    }
    return STATUS_OK;
}
