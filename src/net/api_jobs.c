/*
 * api_jobs.c - POST /api/v1/jobs, GET and DELETE /api/v1/jobs/{id}.
 */
#include "net/api.h"

#include <stdio.h>
#include <string.h>

static void write_uint_member(struct json_writer *writer, const char *key, uint64_t value)
{
    json_key(writer, key);
    json_uint(writer, value);
}

static void write_result(struct json_writer *writer, const struct service_job_record *record)
{
    const struct job_result *result = &record->result;
    json_object_begin(writer);
    if (record->part != NULL) {
        json_key(writer, "part");
        json_string(writer, record->part->name);
        json_key(writer, "core");
        json_string(writer, stm32_core_name(record->cpuid));
        write_uint_member(writer, "dev_id", record->dev_id);
        write_uint_member(writer, "rev_id", record->rev_id);
        write_uint_member(writer, "flash_size", record->flash_size);
    }
    json_key(writer, "phases_us");
    json_object_begin(writer);
    for (enum job_phase phase = JOB_PHASE_PLAN; phase < JOB_PHASE_COUNT; phase++)
        write_uint_member(writer, job_phase_name(phase), result->phase_us[phase]);
    json_object_end(writer);
    write_uint_member(writer, "total_us", result->total_us);
    write_uint_member(writer, "erase_units", result->erase_units);
    write_uint_member(writer, "unchanged_units", result->unchanged_units);
    json_key(writer, "mass_erase");
    json_bool(writer, result->mass_erased);
    write_uint_member(writer, "program_bytes", result->program_bytes);
    write_uint_member(writer, "verified_bytes", result->verified_bytes);
    if (result->eeprom_written + result->eeprom_unchanged > 0) {
        write_uint_member(writer, "eeprom_written_bytes", result->eeprom_written);
        write_uint_member(writer, "eeprom_unchanged_bytes", result->eeprom_unchanged);
    }
    json_key(writer, "verified_on_target");
    json_bool(writer, result->verified_on_target);
    json_object_end(writer);
}

/* The job as docs/api.md shows it; the error's message is left out when it would not fit. */
static void write_job(struct json_writer *writer, const struct service_job_record *record, bool with_message)
{
    bool finished = record->state != SERVICE_JOB_QUEUED && record->state != SERVICE_JOB_RUNNING;
    json_object_begin(writer);
    json_key(writer, "id");
    json_uint(writer, record->id);
    json_key(writer, "action");
    json_string(writer, service_action_name(record->request.action));
    json_key(writer, "image_name");
    json_string(writer, record->image_name);
    if (record->image_name[0] != '\0' && record->request.action != SERVICE_ACTION_READ) {
        json_key(writer, "image_format");
        json_string(writer, image_format_key(record->image_format));
    }
    if (record->request.action == SERVICE_ACTION_READ) {
        json_key(writer, "data");
        if (record->data_image != 0) {
            char path[48];
            snprintf(path, sizeof path, "/api/v1/images/%lu/data", (unsigned long)record->data_image);
            json_string(writer, path);
        } else {
            json_null(writer);
        }
    }
    json_key(writer, "transport");
    json_string(writer, job_transport_name((enum job_transport)record->transport));
    json_key(writer, "backend");
    if (record->result.backend != NULL)
        json_string(writer, record->result.backend);
    else
        json_null(writer);
    json_key(writer, "state");
    json_string(writer, service_job_state_name(record->state));
    json_key(writer, "phase");
    if (record->progress.phase < JOB_PHASE_COUNT)
        json_string(writer, job_phase_name(record->progress.phase));
    else
        json_null(writer);
    json_key(writer, "done");
    json_uint(writer, record->progress.done);
    json_key(writer, "total");
    json_uint(writer, record->progress.total);
    json_key(writer, "phase_us");
    json_uint(writer, record->progress.phase_us);
    json_key(writer, "result");
    if (finished) /* a failed or cancelled job's figures too, up to where it stopped */
        write_result(writer, record);
    else
        json_null(writer);
    json_key(writer, "error");
    if (finished && record->status != STATUS_OK) {
        json_object_begin(writer);
        json_key(writer, "phase");
        json_string(writer, job_phase_name(record->result.failed_phase));
        json_key(writer, "status");
        json_string(writer, status_name(record->status));
        json_key(writer, "detail");
        json_string(writer, record->detail);
        if (with_message) {
            json_key(writer, "message");
            json_string(writer, status_message(record->status));
        }
        json_key(writer, "flash_changed");
        json_bool(writer, record->result.erased);
        json_object_end(writer);
    } else {
        json_null(writer);
    }
    json_object_end(writer);
}

static void respond_job(struct api *api, struct http_request *req, int status, uint32_t id)
{
    struct service_job_record record;
    if (!service_job_get(api->service, id, &record)) {
        api_respond_error(api, req, 404, "not-found",
                          "no job with this id: ids count from 1 since the device started, and it keeps its last few");
        return;
    }
    if (record.detail_quotes_memory && !service_security_debug(api->service))
        snprintf(record.detail, sizeof record.detail,
                 "withheld: the job ran in debug mode and its detail may quote target memory; debug mode shows it");
    struct json_writer writer;
    json_writer_init(&writer, api->scratch, sizeof api->scratch - 256); /* room for the response head */
    write_job(&writer, &record, true);
    if (json_writer_finish(&writer) == NULL) {
        json_writer_init(&writer, api->scratch, sizeof api->scratch - 256);
        write_job(&writer, &record, false);
    }
    api_respond_writer(req, status, &writer);
}

/* A 32-bit field ("image" must not be 0). */
static bool parse_u32(const struct json_field *field, bool nonzero, uint32_t *value)
{
    if (field->type != JSON_TYPE_INTEGER || field->integer < (nonzero ? 1 : 0) || field->integer > (int64_t)UINT32_MAX)
        return false;
    *value = (uint32_t)field->integer;
    return true;
}

/* {"action": "flash"|"rollback"|"verify"|"erase"|"read"|"reset", "image": ID, "verify": bool, "reset": bool,
 *  "skip_unchanged": bool, "mass": bool, "nrst": bool, "address": N, "length": N} (docs/api.md) */
static bool parse_request(struct api *api, struct http_request *req, const struct json_object *object,
                          struct service_job_request *request)
{
    struct service_settings settings;
    service_settings_get(api->service, &settings);
    *request = (struct service_job_request){.verify = settings.verify};
    bool have_action = false, have_reset = false;
    for (unsigned i = 0; i < object->count; i++) {
        const struct json_field *field = &object->fields[i];
        bool ok = false;
        if (strcmp(field->key, "action") == 0 && field->type == JSON_TYPE_STRING) {
            ok = have_action = service_action_from_name(field->string, &request->action);
        } else if (strcmp(field->key, "image") == 0) {
            ok = parse_u32(field, true, &request->image_id);
        } else if (strcmp(field->key, "address") == 0) {
            ok = parse_u32(field, false, &request->read.base);
        } else if (strcmp(field->key, "length") == 0) {
            ok = parse_u32(field, false, &request->read.size);
        } else if (field->type == JSON_TYPE_BOOL) {
            ok = true;
            if (strcmp(field->key, "verify") == 0)
                request->verify = field->boolean;
            else if (strcmp(field->key, "reset") == 0)
                have_reset = true, request->reset = field->boolean;
            else if (strcmp(field->key, "skip_unchanged") == 0)
                request->skip_unchanged = field->boolean;
            else if (strcmp(field->key, "mass") == 0)
                request->mass = field->boolean;
            else if (strcmp(field->key, "nrst") == 0)
                request->nrst = field->boolean;
            else
                ok = false;
        }
        if (!ok) {
            char detail[96];
            snprintf(detail, sizeof detail, "'%s': unknown field or wrong value", field->key);
            api_respond_error(api, req, 400, "bad-request", detail);
            return false;
        }
    }
    if (!have_action) {
        api_respond_error(api, req, 400, "bad-request",
                          "\"action\" is required: flash, rollback, verify, erase, read or reset");
        return false;
    }
    /* A new image runs by default; a verify, an erase or a read leaves the part as it is unless asked. */
    if (!have_reset)
        request->reset = request->action == SERVICE_ACTION_FLASH || request->action == SERVICE_ACTION_ROLLBACK;
    return true;
}

void api_jobs_post(void *ctx, struct http_request *req)
{
    struct api *api = ctx;
    struct json_object object;
    struct service_job_request request;
    if (!api_body_object(api, req, &object) || !parse_request(api, req, &object, &request))
        return;
    if (request.action == SERVICE_ACTION_READ && !api_require_debug(api, req, "reading target memory"))
        return;
    uint32_t id = 0;
    status_clear(&api->report);
    enum status status = service_job_submit(api->service, &request, &id, &api->report);
    if (status == STATUS_STORE_BUSY) {
        struct json_writer writer;
        json_writer_init(&writer, api->scratch, sizeof api->scratch);
        json_object_begin(&writer);
        json_key(&writer, "error");
        json_string(&writer, "busy");
        json_key(&writer, "detail");
        json_string(&writer, api->report.detail);
        json_key(&writer, "message");
        json_string(&writer, "one job at a time: wait for it or cancel it");
        json_object_end(&writer);
        api_respond_writer(req, 409, &writer);
        return;
    }
    if (status != STATUS_OK) {
        api_respond_status(api, req, status, &api->report);
        return;
    }
    char location[48];
    snprintf(location, sizeof location, "/api/v1/jobs/%lu", (unsigned long)id);
    http_response_header(req->connection, "Location", location);
    respond_job(api, req, 202, id);
}

void api_job_get(void *ctx, struct http_request *req)
{
    struct api *api = ctx;
    uint32_t id;
    if (api_path_id(api, req, &id))
        respond_job(api, req, 200, id);
}

void api_job_delete(void *ctx, struct http_request *req)
{
    struct api *api = ctx;
    uint32_t id;
    if (!api_path_id(api, req, &id))
        return;
    struct service_job_record record;
    if (!service_job_get(api->service, id, &record)) {
        api_respond_error(api, req, 404, "not-found", "no such job");
        return;
    }
    if (!service_job_cancel(api->service, id)) {
        api_respond_error(api, req, 409, "conflict", "the job is over");
        return;
    }
    respond_job(api, req, 202, id);
}
