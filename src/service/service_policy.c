/*
 * service_policy.c - which images the device flashes: the signed-only policy, the trusted keys and the image key,
 * and the anti-rollback minimum, which only rises, and only after a signed container was flashed and verified.
 *
 * A flash job calls service_admit_image() at the end of its check phase, when the part is identified and nothing is
 * erased yet: a signed container is checked whole (key, signature, target, version, payload hash) against the
 * policy; a plain image passes only when the policy allows plain images.
 */
#include "service/service.h"

void service_image_policy(struct service *service, struct secure_image_policy *policy, bool *signed_only)
{
    service_lock(service);
    *policy = service->policy;
    *signed_only = service->signed_only;
    service_unlock(service);
}

/* The job's admit hook (job_options.admit); ctx is the service, whose job reads the image in service->job_slot. */
enum status service_admit_image(void *ctx, const struct stm32_target *target, struct status_report *report)
{
    struct service *service = ctx;
    service->admitted_container = service->job.options.format == IMAGE_FORMAT_CONTAINER;
    if (!service->admitted_container)
        return service->signed_only ? status_fail(report, STATUS_IMAGE_UNSIGNED, "%s is not a signed container",
                                                  service->running ? service->running->image_name : "the image")
                                    : STATUS_OK;
    struct secure_image_policy policy;
    bool signed_only;
    service_image_policy(service, &policy, &signed_only);
    const struct secure_image_file file = {.read = service->job.file.read, .ctx = service->job.file.ctx};
    const struct secure_image_target part = {.dev_id = stm32_dev_id(target),
                                             .flash_kb = target->flash_size / 1024u,
                                             .flash_base = target->memory.flash.base};
    return secure_image_check(&service->secure_work, &file, &policy, &part, &service->admitted, report);
}
