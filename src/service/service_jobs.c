/*
 * service_jobs.c - the job queue (one job at a time) and the job task's side: a job through src/job, with its
 * progress turned into records and events.
 *
 * Flash semantics: "flash image N" programs N; "rollback" programs the previous image. The store's roles change
 * only when the job succeeded, by one record (store_record_flash): the image becomes current, and when the job
 * verified it, it has flashed well, which is what makes it the next rollback target. A job refused or failed, at
 * any phase, leaves the store as it was: the current and the previous image are what they were before it.
 * "verify image N" compares the flash with N and changes nothing, in the store or on the target. "read" streams
 * target memory into a new image of the store (a raw binary at the address read), which the client downloads.
 */
#include "service/service.h"

#include <stdio.h>
#include <string.h>

#include "json/json.h"

static const char *const action_names[SERVICE_ACTION_COUNT] = {
    [SERVICE_ACTION_FLASH] = "flash", [SERVICE_ACTION_ROLLBACK] = "rollback", [SERVICE_ACTION_VERIFY] = "verify",
    [SERVICE_ACTION_ERASE] = "erase", [SERVICE_ACTION_READ] = "read",         [SERVICE_ACTION_RESET] = "reset",
};

/* The actions that work on a stored image. */
static bool takes_image(enum service_action action)
{
    return action == SERVICE_ACTION_FLASH || action == SERVICE_ACTION_ROLLBACK || action == SERVICE_ACTION_VERIFY;
}

const char *service_action_name(enum service_action action)
{
    return action < SERVICE_ACTION_COUNT ? action_names[action] : "?";
}

bool service_action_from_name(const char *name, enum service_action *action)
{
    for (unsigned i = 0; i < SERVICE_ACTION_COUNT; i++) {
        if (strcmp(name, action_names[i]) == 0) {
            *action = (enum service_action)i;
            return true;
        }
    }
    return false;
}

const char *service_job_state_name(enum service_job_state state)
{
    static const char *const names[] = {"queued", "running", "done", "failed", "cancelled"};
    return state <= SERVICE_JOB_CANCELLED ? names[state] : "?";
}

static struct service_job_record *record_locked(struct service *service, uint32_t id)
{
    for (unsigned i = 0; i < SERVICE_JOB_RECORDS; i++)
        if (service->jobs[i].id == id && id != 0)
            return &service->jobs[i];
    return NULL;
}

static struct service_job_record *active_record_locked(struct service *service)
{
    for (unsigned i = 0; i < SERVICE_JOB_RECORDS; i++)
        if (service->jobs[i].id != 0 &&
            (service->jobs[i].state == SERVICE_JOB_QUEUED || service->jobs[i].state == SERVICE_JOB_RUNNING))
            return &service->jobs[i];
    return NULL;
}

enum status service_job_submit(struct service *service, const struct service_job_request *request, uint32_t *id,
                               struct status_report *report)
{
    enum status status = STATUS_OK;
    service_lock(service);
    struct service_job_record *active = active_record_locked(service);
    struct store_entry entries[STORE_MAX_SLOTS];
    unsigned count = store_list(service->store, entries, STORE_MAX_SLOTS);
    const struct store_entry *image = NULL;
    for (unsigned i = 0; i < count; i++) {
        const struct store_entry *entry = &entries[i];
        if (entry->image.state != STORE_SLOT_COMPLETE || entry->uploading)
            continue;
        if ((request->action == SERVICE_ACTION_FLASH || request->action == SERVICE_ACTION_VERIFY) &&
            (request->image_id != 0 ? entry->image.upload_id == request->image_id : entry->current))
            image = entry;
        if (request->action == SERVICE_ACTION_ROLLBACK && entry->previous)
            image = entry;
    }
    uint32_t capacity = store_capacity(service->store);
    if (active != NULL) {
        status = status_fail(report, STATUS_STORE_BUSY, "job %lu (%s) is running", (unsigned long)active->id,
                             service_action_name(active->request.action));
    } else if (service->debug_session) {
        status = status_fail(report, STATUS_STORE_BUSY,
                             "a gdb session holds the target: detach gdb (or close it) before a job");
    } else if (request->action == SERVICE_ACTION_READ &&
               (request->read.size == 0 || request->read.size > capacity ||
                image_range_end(request->read) > 0x100000000ull)) {
        status = status_fail(report, STATUS_INVALID_ARGUMENT,
                             "a read takes 1 to %lu bytes (what the image store holds) inside the address space",
                             (unsigned long)capacity);
    } else if (takes_image(request->action) && image == NULL) {
        status = request->action == SERVICE_ACTION_ROLLBACK
                     ? status_fail(report, STATUS_STORE_NO_IMAGE, "no previous image to roll back to")
                 : request->image_id != 0
                     ? status_fail(report, STATUS_STORE_NO_IMAGE, "no image %lu", (unsigned long)request->image_id)
                     : status_fail(report, STATUS_STORE_NO_IMAGE, "no current image");
    } else {
        /* The oldest record makes room. */
        struct service_job_record *record = &service->jobs[0];
        for (unsigned i = 1; i < SERVICE_JOB_RECORDS; i++)
            if (service->jobs[i].id < record->id)
                record = &service->jobs[i];
        memset(record, 0, sizeof *record);
        record->id = ++service->last_job_id;
        record->request = *request;
        record->state = SERVICE_JOB_QUEUED;
        record->progress.phase = JOB_PHASE_COUNT;
        if (image != NULL && takes_image(request->action)) {
            snprintf(record->image_name, sizeof record->image_name, "%s", image->image.info.name);
            record->image_format = service_image_format(image->image.info.format);
        } else if (request->action == SERVICE_ACTION_READ) {
            snprintf(record->image_name, sizeof record->image_name, "read-0x%08lX-%lu",
                     (unsigned long)request->read.base, (unsigned long)request->read.size);
        }
        service->job_active = true;
        *id = record->id;
    }
    service_unlock(service);
    if (status == STATUS_OK && service->config.job_queued)
        service->config.job_queued(service->config.job_queued_ctx);
    return status;
}

bool service_job_get(struct service *service, uint32_t id, struct service_job_record *record)
{
    service_lock(service);
    struct service_job_record *kept = record_locked(service, id);
    if (kept)
        *record = *kept;
    service_unlock(service);
    return kept != NULL;
}

bool service_job_cancel(struct service *service, uint32_t id)
{
    service_lock(service);
    struct service_job_record *record = record_locked(service, id);
    bool active = record && (record->state == SERVICE_JOB_QUEUED || record->state == SERVICE_JOB_RUNNING);
    if (active)
        record->cancel_requested = true;
    service_unlock(service);
    return active;
}

bool service_job_busy(struct service *service)
{
    service_lock(service);
    bool busy = service->job_active;
    service_unlock(service);
    return busy;
}

void service_cancel_all(struct service *service)
{
    service_lock(service);
    struct service_job_record *record = active_record_locked(service);
    if (record)
        record->cancel_requested = true;
    service_unlock(service);
}

/* ---- the job task ---- */

static void job_event_locked(struct service *service, const struct service_job_record *record)
{
    char data[SERVICE_EVENT_DATA_MAX];
    struct json_writer writer;
    json_writer_init(&writer, data, sizeof data);
    json_object_begin(&writer);
    json_key(&writer, "job");
    json_uint(&writer, record->id);
    json_key(&writer, "state");
    json_string(&writer, service_job_state_name(record->state));
    json_object_end(&writer);
    if (json_writer_finish(&writer))
        service_event_push_locked(service, "job", data);
}

static void on_progress(void *ctx, const struct job_progress *progress)
{
    struct service *service = ctx;
    service_lock(service);
    struct service_job_record *record = service->running;
    bool new_phase = record->progress.phase != progress->phase;
    record->progress = *progress;
    uint8_t step = progress->total ? (uint8_t)((uint64_t)progress->done * 20u / progress->total) : 0;
    if (new_phase || step != service->last_progress_step) {
        service->last_progress_step = step;
        char data[SERVICE_EVENT_DATA_MAX];
        struct json_writer writer;
        json_writer_init(&writer, data, sizeof data);
        json_object_begin(&writer);
        json_key(&writer, "job");
        json_uint(&writer, record->id);
        json_key(&writer, "phase");
        json_string(&writer, job_phase_name(progress->phase));
        json_key(&writer, "done");
        json_uint(&writer, progress->done);
        json_key(&writer, "total");
        json_uint(&writer, progress->total);
        json_key(&writer, "phase_us");
        json_uint(&writer, progress->phase_us);
        json_object_end(&writer);
        if (json_writer_finish(&writer))
            service_event_push_locked(service, "progress", data);
    }
    service_unlock(service);
}

static long read_stored(void *ctx, uint32_t offset, uint8_t *buf, uint32_t len)
{
    struct service *service = ctx;
    uint32_t got = 0;
    service_lock(service);
    enum status status = store_read(service->store, service->job_slot, offset, buf, len, &got);
    service_unlock(service);
    return status == STATUS_OK ? (long)got : -1;
}

/* The target's system, with a yield that also stops the job when asked to. */
static uint64_t job_now_us(void *ctx)
{
    const struct hal_system *target = ((struct service *)ctx)->config.target.system;
    return target->now_us(target->ctx);
}

static void job_delay_us(void *ctx, uint32_t us)
{
    const struct hal_system *target = ((struct service *)ctx)->config.target.system;
    target->delay_us(target->ctx, us);
}

static bool job_yield(void *ctx)
{
    struct service *service = ctx;
    const struct hal_system *target = service->config.target.system;
    bool cancel = target->yield(target->ctx);
    service_lock(service);
    cancel = cancel || service->running->cancel_requested;
    service_unlock(service);
    return cancel;
}

static void job_random(void *ctx, void *buf, size_t len)
{
    const struct hal_system *target = ((struct service *)ctx)->config.target.system;
    target->random(target->ctx, buf, len);
}

/* Finds the job's image and its slot (under the lock), changing no role: image N, the current image, or (rollback)
 * the previous one. An image to be programmed is read back against its CRC first, so that nothing the store
 * damaged reaches the target. */
static enum status select_image_locked(struct service *service, const struct service_job_request *request)
{
    int slot = request->action == SERVICE_ACTION_ROLLBACK ? store_previous(service->store)
                                                          : store_current(service->store);
    if (request->action != SERVICE_ACTION_ROLLBACK && request->image_id != 0) {
        struct store_entry entries[STORE_MAX_SLOTS];
        unsigned count = store_list(service->store, entries, STORE_MAX_SLOTS);
        slot = -1;
        for (unsigned i = 0; i < count; i++)
            if (entries[i].image.state == STORE_SLOT_COMPLETE && !entries[i].uploading &&
                entries[i].image.upload_id == request->image_id)
                slot = (int)entries[i].slot;
        if (slot < 0)
            return status_fail(&service->job_report, STATUS_STORE_NO_IMAGE, "no image %lu",
                               (unsigned long)request->image_id);
    }
    if (slot < 0)
        return request->action == SERVICE_ACTION_ROLLBACK
                   ? status_fail(&service->job_report, STATUS_STORE_NO_IMAGE, "no previous image to roll back to")
                   : status_fail(&service->job_report, STATUS_STORE_NO_IMAGE, "no current image");
    if (request->action != SERVICE_ACTION_VERIFY) {
        enum status status = store_verify(service->store, (unsigned)slot);
        if (status != STATUS_OK)
            return service_copy_report(&service->job_report, &service->store_report, status);
    }
    service->job_slot = (unsigned)slot;
    return STATUS_OK;
}

/* A read job's bytes go into a new image of the store as they arrive. */
static bool store_read_data(void *ctx, uint32_t address, const uint8_t *bytes, uint32_t len)
{
    (void)address;
    struct service *service = ctx;
    service_lock(service);
    enum status status = store_upload_write(service->store, bytes, len);
    if (status != STATUS_OK)
        service_copy_report(&service->job_report, &service->store_report, status);
    service_unlock(service);
    return status == STATUS_OK;
}

static enum status begin_read_image_locked(struct service *service, struct service_job_record *record)
{
    struct store_image_info info = {.format = STORE_IMAGE_FORMAT_BIN,
                                    .bin_base = record->request.read.base,
                                    .size = record->request.read.size};
    snprintf(info.name, sizeof info.name, "%s", record->image_name);
    uint32_t upload_id;
    enum status status = store_upload_begin(service->store, &info, STORE_KEEP_ROLLBACK, &upload_id);
    return status == STATUS_OK ? STATUS_OK : service_copy_report(&service->job_report, &service->store_report, status);
}

/* Ends the read job's image: kept when the job succeeded (record->data_image says which), dropped otherwise. */
static enum status end_read_image_locked(struct service *service, struct service_job_record *record,
                                         enum status status)
{
    if (status != STATUS_OK) {
        store_upload_abort(service->store);
        return status;
    }
    unsigned slot;
    status = store_upload_finish(service->store, NULL, &slot);
    if (status != STATUS_OK)
        return service_copy_report(&service->job_report, &service->store_report, status);
    struct store_entry entries[STORE_MAX_SLOTS];
    unsigned count = store_list(service->store, entries, STORE_MAX_SLOTS);
    for (unsigned i = 0; i < count; i++)
        if (entries[i].slot == slot)
            record->data_image = entries[i].image.upload_id;
    return STATUS_OK;
}

static enum job_action job_action_of(enum service_action action)
{
    switch (action) {
    case SERVICE_ACTION_VERIFY: return JOB_ACTION_VERIFY;
    case SERVICE_ACTION_ERASE: return JOB_ACTION_ERASE;
    case SERVICE_ACTION_READ: return JOB_ACTION_READ;
    case SERVICE_ACTION_RESET: return JOB_ACTION_RESET;
    default: return JOB_ACTION_FLASH;
    }
}

static enum status run_locked_out(struct service *service, struct service_job_record *record)
{
    const struct service_job_request *request = &record->request;
    struct store_slot image = {0};
    service_lock(service);
    enum status status = STATUS_OK;
    if (takes_image(request->action)) {
        status = select_image_locked(service, request);
        struct store_entry entries[STORE_MAX_SLOTS];
        unsigned count = store_list(service->store, entries, STORE_MAX_SLOTS);
        for (unsigned i = 0; status == STATUS_OK && i < count; i++)
            if (entries[i].slot == service->job_slot)
                image = entries[i].image;
        if (status == STATUS_OK) {
            snprintf(record->image_name, sizeof record->image_name, "%s", image.info.name);
            record->image_format = service_image_format(image.info.format);
        }
    } else if (request->action == SERVICE_ACTION_READ) {
        status = begin_read_image_locked(service, record);
    }
    struct service_settings settings = service->settings;
    /* Who reads the job's detail may read the memory only in debug mode. */
    bool debug = service->security.debug;
    record->detail_quotes_memory = debug;
    record->transport = settings.transport;
    /* The job's own copy: the network task may change the image key while the job runs. */
    bool has_image_key = service->policy.has_aes_key;
    memcpy(service->job_image_key, service->policy.aes_key, sizeof service->job_image_key);
    service_unlock(service);
    if (status != STATUS_OK)
        return status;

    const struct job_file file = {.ctx = service, .read = read_stored};
    struct job_options options = {
        .action = job_action_of(request->action),
        .method = JOB_PROGRAM_AUTO,
        .format = service_image_format(image.info.format),
        .bin_base = image.info.bin_base,
        .verify = request->verify,
        .reset_after = request->reset,
        .reset_by_nrst = request->nrst,
        .mass_erase = request->mass,
        .read = request->read,
        .skip_unchanged = request->skip_unchanged,
        .connect_under_reset = settings.connect_under_reset,
        .quote_memory = debug,
        .image_key = has_image_key ? service->job_image_key : NULL,
        .admit = takes_image(request->action) ? service_admit_image : NULL,
        .admit_ctx = service,
    };
    service->job_system = (struct hal_system){.ctx = service,
                                              .now_us = job_now_us,
                                              .delay_us = job_delay_us,
                                              .yield = job_yield,
                                              .random = job_random,
                                              .log = NULL};
    struct job_link link = service->config.target;
    link.system = &service->job_system;
    link.transport = (enum job_transport)settings.transport;
    if (settings.swclk_hz && link.swd->set_clock_hz)
        link.swd->set_clock_hz(link.swd->ctx, settings.swclk_hz);
    job_init(&service->job, &link, &file, &options, &service->job_report);
    job_on_progress(&service->job, on_progress, service);
    job_on_data(&service->job, store_read_data, service);
    status = job_run(&service->job);
    memset(service->job_image_key, 0, sizeof service->job_image_key);
    if (request->action == SERVICE_ACTION_READ) {
        service_lock(service);
        status = end_read_image_locked(service, record, status);
        service_unlock(service);
    }
    return status;
}

bool service_job_run(struct service *service)
{
    service_lock(service);
    struct service_job_record *record = active_record_locked(service);
    if (record == NULL || record->state != SERVICE_JOB_QUEUED) {
        service_unlock(service);
        return false;
    }
    bool cancelled = record->cancel_requested;
    record->state = cancelled ? SERVICE_JOB_CANCELLED : SERVICE_JOB_RUNNING;
    record->progress.phase = JOB_PHASE_COUNT;
    service->running = cancelled ? NULL : record;
    service->last_progress_step = 0;
    status_clear(&service->job_report);
    if (cancelled) {
        /* Cancelled while queued: it ends like a job stopped at its first block, nothing touched. */
        record->status = STATUS_CANCELLED;
        record->result.failed_phase = JOB_PHASE_PLAN;
        snprintf(record->detail, sizeof record->detail, "cancelled before it started");
        service->job_active = false;
    }
    job_event_locked(service, record);
    service_unlock(service);
    if (cancelled) {
        service_log(service, "job %lu %s: cancelled before it started", (unsigned long)record->id,
                    service_action_name(record->request.action));
        return true;
    }
    service_log(service, "job %lu %s%s%s: started", (unsigned long)record->id,
                service_action_name(record->request.action), record->image_name[0] ? " " : "", record->image_name);

    enum status status = run_locked_out(service, record);

    service_lock(service);
    bool programmed =
        record->request.action == SERVICE_ACTION_FLASH || record->request.action == SERVICE_ACTION_ROLLBACK;
    if (status == STATUS_OK && programmed) {
        /* The target holds the image now: only now do the store's roles change. */
        status = store_record_flash(service->store, service->job_slot, record->request.verify);
        if (status != STATUS_OK)
            service_copy_report(&service->job_report, &service->store_report, status);
    }
    record->status = status;
    record->result = service->job.result;
    record->part = service->job.target.part;
    if (record->part != NULL) {
        record->cpuid = service->job.target.cpuid;
        record->flash_size = service->job.target.flash_size;
        record->dev_id = stm32_dev_id(&service->job.target);
        record->rev_id = stm32_rev_id(&service->job.target);
    }
    memcpy(record->detail, service->job_report.detail, sizeof record->detail);
    record->state = status == STATUS_OK          ? SERVICE_JOB_DONE
                    : status == STATUS_CANCELLED ? SERVICE_JOB_CANCELLED
                                                 : SERVICE_JOB_FAILED;
    job_event_locked(service, record);
    char line[SERVICE_LOG_TEXT_MAX];
    if (status == STATUS_OK)
        snprintf(line, sizeof line, "job %lu %s%s%s: done in %lu.%02lu s chip time", (unsigned long)record->id,
                 service_action_name(record->request.action), record->image_name[0] ? " " : "", record->image_name,
                 (unsigned long)(record->result.total_us / 1000000u),
                 (unsigned long)(record->result.total_us / 10000u % 100u));
    else
        snprintf(line, sizeof line, "job %lu %s%s%s: %s in %s: %s", (unsigned long)record->id,
                 service_action_name(record->request.action), record->image_name[0] ? " " : "", record->image_name,
                 service_job_state_name(record->state), job_phase_name(record->result.failed_phase),
                 status_name(status));
    service_log_locked(service, line);
    service->running = NULL;
    service->job_active = false;
    service_unlock(service);
    return true;
}
