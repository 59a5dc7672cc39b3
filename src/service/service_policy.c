/*
 * service_policy.c - which images the device flashes: the signed-only policy, the trusted keys and the image key,
 * and the anti-rollback minimum, which only rises.
 *
 * A flash job calls service_admit_image() at the end of its check phase, when the part is identified and nothing is
 * erased yet: a signed container is checked whole (key, signature, target, version, payload hash) against the
 * policy; a plain image passes only when the policy allows plain images. A flash (or rollback) of a container that
 * passed raises the minimum to its security version right there, before the first erase: from the moment any of
 * it may reach the chip, an older image is refused, whether the job then verifies, finishes, is cancelled or loses
 * power. The minimum is saved before the job goes on; when it cannot be saved, nothing is erased.
 */
#include "service/service.h"

void service_image_policy(struct service *service, struct secure_image_policy *policy, bool *signed_only)
{
    service_lock(service);
    *policy = service->policy;
    *signed_only = service->signed_only;
    service_unlock(service);
}

/* The job's admit hook (job_options.admit), on the job's task; ctx is the service, whose job reads the image in
 * service->job_slot. The policy is copied under the lock: the network task changes it. */
enum status service_admit_image(void *ctx, const struct stm32_target *target, struct status_report *report)
{
    struct service *service = ctx;
    struct secure_image_policy policy;
    bool signed_only;
    service_image_policy(service, &policy, &signed_only);
    if (service->job.options.format != IMAGE_FORMAT_CONTAINER)
        return signed_only ? status_fail(report, STATUS_IMAGE_UNSIGNED, "%s is not a signed container",
                                         service->running ? service->running->image_name : "the image")
                           : STATUS_OK;
    const struct secure_image_file file = {.read = service->job.file.read, .ctx = service->job.file.ctx};
    const struct secure_image_target part = {.dev_id = stm32_dev_id(target),
                                             .flash_kb = target->flash_size / 1024u,
                                             .flash_base = target->memory.flash.base};
    struct secure_image_info admitted;
    enum status status = secure_image_check(&service->secure_work, &file, &policy, &part, &admitted, report);
    if (status != STATUS_OK || service->job.options.action != JOB_ACTION_FLASH)
        return status;
    return service_raise_min_version(service, admitted.security_version, report);
}
