/*
 * api_device.c - GET /api/v1/device (a summary to whoever asks unsigned, the whole to a signed request or while the
 * status is public: api_access.c), GET /api/v1/target, GET/PUT /api/v1/settings.
 */
#include "net/api.h"

#include <stdio.h>
#include <string.h>

/* The setup code is shown only where the board says first-boot setup may be done over this very connection (the
 * ESP8266's own access point, soon after power-on): on airswdd, never. */
static bool setup_code_visible(struct api *api, struct http_request *req)
{
    char why[160];
    return api_setup_code(api) != NULL && api->board != NULL && api->board->setup_allowed != NULL &&
           api->board->setup_allowed(api->board->ctx, req, why, sizeof why);
}

/* "auth": whether [auth] routes need a signature, whether the device still waits for its first-boot setup or has a
 * damaged security state, the salt clients derive K with, and the setup code where setup_code_visible says. */
static void write_auth(struct api *api, struct http_request *req, struct json_writer *writer)
{
    json_key(writer, "auth");
    json_object_begin(writer);
    json_key(writer, "required");
    json_bool(writer, api->http.authorize != NULL);
    struct status_report damage;
    bool damaged = service_security_damaged(api->service, &damage);
    json_key(writer, "setup_required");
    json_bool(writer, api->http.authorize != NULL && !secure_auth_is_configured(&api->auth) && !damaged);
    json_key(writer, "security_damaged");
    json_bool(writer, damaged);
    json_key(writer, "scheme");
    json_string(writer, SECURE_AUTH_SCHEME);
    uint8_t salt[SERVICE_SALT_SIZE];
    char salt_hex[2 * SERVICE_SALT_SIZE + 1];
    service_security_salt(api->service, salt);
    secure_auth_hex_encode(salt, sizeof salt, salt_hex);
    json_key(writer, "salt");
    json_string(writer, salt_hex);
    if (setup_code_visible(api, req)) {
        json_key(writer, "setup_code");
        json_string(writer, api_setup_code(api));
    }
    json_object_end(writer);
}

/* The fields every answer of GET /api/v1/device begins with: all that an unsigned client reads (the summary). What a
 * client needs before it can sign: the setup state, and "board", by which the page's setup asks for a WiFi network. */
static void write_summary(struct api *api, struct http_request *req, struct json_writer *writer)
{
    json_key(writer, "name");
    json_string(writer, "airswd");
    json_key(writer, "version");
    json_string(writer, api->service->config.version);
    json_key(writer, "board");
    json_bool(writer, api->board != NULL);
    write_auth(api, req, writer);
}

void api_device_summary_get(void *ctx, struct http_request *req)
{
    struct api *api = ctx;
    if (api_access_full_status(api, req)) {
        api_device_get(ctx, req);
        return;
    }
    struct json_writer writer;
    json_writer_init(&writer, api->scratch, sizeof api->scratch);
    json_object_begin(&writer);
    write_summary(api, req, &writer);
    json_object_end(&writer);
    api_respond_writer(req, 200, &writer);
}

void api_device_get(void *ctx, struct http_request *req)
{
    struct api *api = ctx;
    struct service *service = api->service;
    struct service_settings settings;
    service_settings_get(service, &settings);
    struct json_writer writer;
    json_writer_init(&writer, api->scratch, sizeof api->scratch);
    json_object_begin(&writer);
    write_summary(api, req, &writer);
    json_key(&writer, "public_status");
    json_bool(&writer, api_access_public_status(api));
    json_key(&writer, "uptime_s");
    json_uint(&writer, service_uptime_s(service));
    json_key(&writer, "target");
    json_string(&writer, service->config.target_name);
    json_key(&writer, "swclk_hz");
    json_uint(&writer, settings.swclk_hz);
    json_key(&writer, "debug_mode");
    json_bool(&writer, service_security_debug(service));
    json_key(&writer, "firmware_update");
    json_bool(&writer, api->firmware != NULL);
    json_key(&writer, "console");
    json_bool(&writer, api->console != NULL);
    struct secure_image_policy policy;
    bool signed_only;
    service_image_policy(service, &policy, &signed_only);
    json_key(&writer, "policy");
    json_object_begin(&writer);
    json_key(&writer, "signed_only");
    json_bool(&writer, signed_only);
    json_key(&writer, "trusted_keys");
    json_array_begin(&writer);
    for (unsigned i = 0; i < policy.key_count; i++) {
        char id[2 * SECURE_KEY_ID_SIZE + 1];
        secure_key_id_format(policy.keys[i].id, id);
        json_string(&writer, id);
    }
    json_array_end(&writer);
    json_key(&writer, "image_key");
    json_bool(&writer, policy.has_aes_key);
    json_key(&writer, "min_security_version");
    json_uint(&writer, policy.min_security_version);
    json_object_end(&writer);
    json_key(&writer, "store");
    json_object_begin(&writer);
    json_key(&writer, "capacity");
    json_uint(&writer, service_store_capacity(service));
    json_key(&writer, "room");
    json_uint(&writer, service_store_room(service, STORE_KEEP_ROLLBACK));
    json_key(&writer, "room_without_rollback");
    json_uint(&writer, service_store_room(service, STORE_DROP_ROLLBACK));
    json_key(&writer, "max_images");
    json_uint(&writer, STORE_MAX_SLOTS);
    json_object_end(&writer);
    json_object_end(&writer);
    api_respond_writer(req, 200, &writer);
}

/* "option_bytes": the USER bits by name and raw, and the write-protected erase units as [first, last] runs. */
static void write_option_bytes(struct json_writer *writer, const struct stm32_target *target,
                               const struct stm32_option_bytes *options)
{
    char user[160];
    json_key(writer, "option_bytes");
    json_object_begin(writer);
    json_key(writer, "user");
    json_string(writer, stm32_option_bytes_format_user(target, options, user, sizeof user));
    json_key(writer, "user_raw");
    json_uint(writer, options->user);
    json_key(writer, "write_protected");
    json_array_begin(writer);
    uint32_t unit = 0, first, last;
    while (stm32_option_bytes_next_protected_run(target, options, &unit, &first, &last)) {
        json_array_begin(writer);
        json_uint(writer, first);
        json_uint(writer, last);
        json_array_end(writer);
    }
    json_array_end(writer);
    json_object_end(writer);
}

void api_target_get(void *ctx, struct http_request *req)
{
    struct api *api = ctx;
    struct stm32_target target;
    struct stm32_option_bytes options;
    status_clear(&api->report);
    enum status status = service_target_identify(api->service, &target, &options, &api->report);
    if (status != STATUS_OK) {
        api_respond_status(api, req, status, &api->report);
        return;
    }
    struct json_writer writer;
    json_writer_init(&writer, api->scratch, sizeof api->scratch);
    json_object_begin(&writer);
    json_key(&writer, "part");
    json_string(&writer, target.part->name);
    json_key(&writer, "core");
    json_string(&writer, stm32_core_name(target.cpuid));
    json_key(&writer, "dev_id");
    json_uint(&writer, stm32_dev_id(&target));
    json_key(&writer, "rev_id");
    json_uint(&writer, stm32_rev_id(&target));
    json_key(&writer, "flash_size");
    json_uint(&writer, target.flash_size);
    json_key(&writer, "erase_units");
    json_uint(&writer, image_target_erase_unit_count(&target.memory));
    json_key(&writer, "program_unit");
    json_uint(&writer, target.memory.program_unit);
    json_key(&writer, "rdp_level");
    json_uint(&writer, options.rdp_level);
    write_option_bytes(&writer, &target, &options);
    json_object_end(&writer);
    api_respond_writer(req, 200, &writer);
}

static void respond_settings(struct api *api, struct http_request *req)
{
    struct service_settings settings;
    service_settings_get(api->service, &settings);
    struct json_writer writer;
    json_writer_init(&writer, api->scratch, sizeof api->scratch);
    json_object_begin(&writer);
    json_key(&writer, "swclk_hz");
    json_uint(&writer, settings.swclk_hz);
    json_key(&writer, "connect_under_reset");
    json_bool(&writer, settings.connect_under_reset);
    json_key(&writer, "verify");
    json_bool(&writer, settings.verify);
    json_key(&writer, "debug");
    json_bool(&writer, service_security_debug(api->service));
    json_key(&writer, "public_status");
    json_bool(&writer, settings.public_status);
    json_key(&writer, "transport");
    json_string(&writer, job_transport_name((enum job_transport)settings.transport));
    json_object_end(&writer);
    api_respond_writer(req, 200, &writer);
}

void api_settings_get(void *ctx, struct http_request *req)
{
    respond_settings(ctx, req);
}

/* "swd", "uart" or "auto" into *transport (enum job_transport). */
static bool transport_of(const char *name, uint8_t *transport)
{
    for (uint8_t t = JOB_TRANSPORT_SWD; t <= JOB_TRANSPORT_AUTO; t++) {
        if (strcmp(name, job_transport_name((enum job_transport)t)) == 0) {
            *transport = t;
            return true;
        }
    }
    return false;
}

/* PUT: the fields given change, the others stay; an unknown field or a wrong type refuses the whole request. */
void api_settings_put(void *ctx, struct http_request *req)
{
    struct api *api = ctx;
    struct json_object object;
    if (!api_body_object(api, req, &object))
        return;
    struct service_settings settings;
    service_settings_get(api->service, &settings);
    int debug = -1; /* unchanged */
    for (unsigned i = 0; i < object.count; i++) {
        const struct json_field *field = &object.fields[i];
        char detail[192];
        if (strcmp(field->key, "swclk_hz") == 0 && field->type == JSON_TYPE_INTEGER && field->integer >= 0 &&
            field->integer <= 100000000) {
            settings.swclk_hz = (uint32_t)field->integer;
        } else if (strcmp(field->key, "connect_under_reset") == 0 && field->type == JSON_TYPE_BOOL) {
            settings.connect_under_reset = field->boolean;
        } else if (strcmp(field->key, "verify") == 0 && field->type == JSON_TYPE_BOOL) {
            settings.verify = field->boolean;
        } else if (strcmp(field->key, "debug") == 0 && field->type == JSON_TYPE_BOOL) {
            debug = field->boolean;
        } else if (strcmp(field->key, "public_status") == 0 && field->type == JSON_TYPE_BOOL) {
            settings.public_status = field->boolean;
        } else if (strcmp(field->key, "transport") == 0 && field->type == JSON_TYPE_STRING &&
                   transport_of(field->string, &settings.transport)) {
            const struct job_link *link = &api->service->config.target;
            if ((settings.transport != JOB_TRANSPORT_UART && link->swd == NULL) ||
                (settings.transport != JOB_TRANSPORT_SWD && link->uart == NULL)) {
                snprintf(detail, sizeof detail, "transport %s: this device has no %s wired to the target",
                         field->string, link->swd == NULL ? "SWD" : "UART to the ROM bootloader");
                api_respond_error(api, req, 400, "transport-not-wired", detail);
                return;
            }
        } else {
            snprintf(detail, sizeof detail,
                     "'%s': unknown setting or wrong value (swclk_hz 0..100000000, "
                     "connect_under_reset, verify, debug and public_status booleans, transport swd, uart or auto)",
                     field->key);
            api_respond_error(api, req, 400, "bad-request", detail);
            return;
        }
    }
    /* Debug mode first: when it cannot be saved, nothing of the request changes. */
    status_clear(&api->report);
    enum status status = debug >= 0 ? service_security_set_debug(api->service, debug != 0, &api->report) : STATUS_OK;
    if (status != STATUS_OK) {
        api_respond_status(api, req, status, &api->report);
        return;
    }
    bool was_public = api_access_public_status(api);
    service_settings_set(api->service, &settings);
    service_log(api->service, "settings changed");
    if (settings.public_status != was_public)
        service_log(api->service, settings.public_status
                                      ? "status and log public: anyone on the network reads them unsigned"
                                      : "status and log private again: reading them needs a signed request");
    respond_settings(api, req);
}
