/*
 * job_backend_swd.c - the job's programmer over SWD: the debug port and MEM-AP, the core halted, the part's flash
 * controller driven through the bus (src/stm32), routines run on the core.
 */
#include "job/job_internal.h"

#include "stm32/stm32_options.h"

/* Halted before anything is written: a running firmware must not touch the flash controller, and a watchdog must
 * not reset the part halfway. */
static enum status over_swd_connect(struct job *job)
{
    if (job->link.swd == NULL)
        return status_fail(job->report, STATUS_UNSUPPORTED, "this programmer has no SWD pins");
    swd_init(&job->swd, job->link.swd, job->link.system, job->report);
    if (job->options.connect_under_reset)
        return cortexm_attach_under_reset(&job->core, &job->ap, &job->dp, &job->swd, job->link.system,
                                          job->link.pins, job->report);
    enum status status = adi_dp_attach(&job->dp, &job->swd);
    if (status == STATUS_OK)
        status = adi_mem_ap_find(&job->ap, &job->dp);
    if (status == STATUS_OK)
        status = cortexm_attach(&job->core, &job->ap, job->link.system, job->link.pins, job->report);
    if (status == STATUS_OK)
        status = cortexm_reset_halt(&job->core, CORTEXM_RESET_SYSRESETREQ);
    return status;
}

static enum status set_bits(struct job *job, uint32_t address, uint32_t bits)
{
    uint32_t value = 0;
    enum status status = adi_mem_read32(&job->ap, address, &value);
    if (status == STATUS_OK && (value & bits) != bits)
        status = adi_mem_write32(&job->ap, address, value | bits);
    return status;
}

/* The DBGMCU's clock first where it is gated: on a G0 the freeze bits written without it are ignored and a running
 * IWDG resets the chip in the middle of the job. */
static enum status freeze_watchdogs(struct job *job)
{
    const struct stm32_part *part = job->target.part;
    enum status status = STATUS_OK;
    if (part->line->dbgmcu_clock_register != 0)
        status = set_bits(job, part->line->dbgmcu_clock_register, part->line->dbgmcu_clock_bit);
    if (status == STATUS_OK)
        status = set_bits(job, part->line->watchdog_freeze_register, part->line->watchdog_freeze_bits);
    return status;
}

static enum status over_swd_identify(struct job *job)
{
    enum status status = stm32_identify(&job->target, &job->ap, job->link.system, job->report);
    unsigned level = 0;
    if (status == STATUS_OK)
        status = freeze_watchdogs(job);
    if (status == STATUS_OK)
        status = stm32_flash_ops(&job->target)->read_protection(&job->target, &level);
    if (status == STATUS_OK && level > 0)
        return status_fail(job->report, STATUS_FLASH_PROTECTED,
                           "%s is read-protected (RDP level %u): `airswd unlock --yes` removes it and erases the chip",
                           job->target.part->name, level);
    return status;
}

static enum status over_swd_flash_begin(struct job *job)
{
    return stm32_flash_ops(&job->target)->unlock(&job->target);
}

static enum status over_swd_flash_end(struct job *job)
{
    return stm32_flash_ops(&job->target)->lock(&job->target);
}

static enum status over_swd_erase_unit(struct job *job, uint32_t index, struct image_range unit)
{
    return stm32_flash_ops(&job->target)->erase_unit(&job->target, index, unit);
}

static enum status over_swd_mass_erase(struct job *job)
{
    return stm32_flash_ops(&job->target)->mass_erase(&job->target);
}

static enum status over_swd_erase_bank(struct job *job, unsigned bank)
{
    const struct stm32_flash_ops *ops = stm32_flash_ops(&job->target);
    if (ops->erase_bank == NULL)
        return status_fail(job->report, STATUS_UNSUPPORTED, "%s erases no bank apart", job->target.part->name);
    return ops->erase_bank(&job->target, bank);
}

static enum status over_swd_program(struct job *job, uint32_t address, const uint8_t *bytes, uint32_t len)
{
    return stm32_flash_ops(&job->target)->program(&job->target, address, bytes, len);
}

static enum status over_swd_read(struct job *job, uint32_t address, uint8_t *bytes, uint32_t len)
{
    unsigned width = (address % 4 == 0 && len % 4 == 0) ? 4 : 1;
    return adi_mem_read(&job->ap, address, bytes, len, width);
}

/* The empty-flash boot check may still hold the flash empty from before the job: it is refreshed first, then the
 * reset runs the new firmware. (The reset action does not identify the part, so it resets as asked.) */
static enum status over_swd_reset_run(struct job *job)
{
    enum status status = job->target.part != NULL ? stm32_options_refresh_boot_check(&job->target) : STATUS_OK;
    if (status != STATUS_OK)
        return status;
    bool nrst = job->options.connect_under_reset || job->options.reset_by_nrst;
    return cortexm_reset_run(&job->core, nrst ? CORTEXM_RESET_NRST : CORTEXM_RESET_SYSRESETREQ);
}

const struct job_backend job_backend_swd = {
    .name = "SWD",
    .capabilities = JOB_CAN_RUN_ON_TARGET | JOB_CAN_OPTION_BYTES | JOB_CAN_FREEZE_WATCHDOG | JOB_CAN_WRITE_EEPROM,
    .connect = over_swd_connect,
    .identify = over_swd_identify,
    .flash_begin = over_swd_flash_begin,
    .flash_end = over_swd_flash_end,
    .erase_unit = over_swd_erase_unit,
    .mass_erase = over_swd_mass_erase,
    .erase_bank = over_swd_erase_bank,
    .program = over_swd_program,
    .read = over_swd_read,
    .reset_run = over_swd_reset_run,
};
