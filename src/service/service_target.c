/*
 * service_target.c - connect and identify the target and read its option bytes outside a job (GET /api/v1/target),
 * with the job's own connection structures, which are free while no job runs.
 */
#include "service/service.h"
#include "stm32/stm32_flash.h"

enum status service_target_identify(struct service *service, struct stm32_target *target,
                                    struct stm32_option_bytes *options, struct status_report *report)
{
    service_lock(service);
    if (service->job_active || service->debug_session) {
        service_unlock(service);
        return status_fail(report, STATUS_STORE_BUSY, service->job_active ? "a job is running"
                                                                        : "a gdb session holds the target");
    }
    struct job *job = &service->job;
    const struct job_link *link = &service->config.target;
    swd_init(&job->swd, link->swd, link->system, report);
    if (service->settings.swclk_hz && link->swd->set_clock_hz)
        swd_set_clock_hz(&job->swd, service->settings.swclk_hz);
    enum status status = adi_dp_attach(&job->dp, &job->swd);
    if (status == STATUS_OK)
        status = adi_mem_ap_find(&job->ap, &job->dp);
    if (status == STATUS_OK)
        status = cortexm_attach(&job->core, &job->ap, link->system, link->pins, report);
    if (status == STATUS_OK)
        status = stm32_identify(&job->target, &job->ap, link->system, report);
    if (status == STATUS_OK)
        status = stm32_flash_ops(&job->target)->read_options(&job->target, options);
    if (status == STATUS_OK) {
        *target = job->target;
    }
    service_unlock(service);
    if (status != STATUS_OK && report && report->status == STATUS_OK)
        report->status = status;
    return status;
}
