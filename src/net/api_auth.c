/*
 * api_auth.c - who may do what: the authorize hook of every [auth] route (docs/auth.md), the nonce that each signed
 * request consumes, the check that a body is the one its signature declared, first-boot setup, the trusted signing
 * keys, and the gate of debug mode.
 *
 * Order of a protected request: authorize (headers only: the MAC binds method, path, nonce and the declared body
 * hash) -> the handler takes the declared hash (api_auth_take_body) -> the body arrives and is hashed -> the handler
 * acts only when the hashes match. A request without a body is settled in authorize.
 */
#include "net/api.h"

#include <stdio.h>
#include <string.h>

#include "secure/secure_crypto.h"

/* SHA-256 of the empty string: the declared body hash of a request without one. */
static const uint8_t EMPTY_BODY_SHA256[SECURE_AUTH_HASH_SIZE] = {
    0xe3, 0xb0, 0xc4, 0x42, 0x98, 0xfc, 0x1c, 0x14, 0x9a, 0xfb, 0xf4, 0xc8, 0x99, 0x6f, 0xb9, 0x24,
    0x27, 0xae, 0x41, 0xe4, 0x64, 0x9b, 0x93, 0x4c, 0xa4, 0x95, 0x99, 0x1b, 0x78, 0x52, 0xb8, 0x55};

static bool has_body(const struct http_request *req)
{
    return req->chunked || req->content_length > 0;
}

static void respond_auth_refusal(struct api *api, struct http_request *req, enum secure_auth_result result,
                                 uint32_t retry_after_s)
{
    if (result == SECURE_AUTH_MISSING)
        http_response_header(req->connection, "WWW-Authenticate", SECURE_AUTH_SCHEME);
    if (result == SECURE_AUTH_THROTTLED) {
        char seconds[12];
        snprintf(seconds, sizeof seconds, "%lu", (unsigned long)retry_after_s);
        http_response_header(req->connection, "Retry-After", seconds);
    }
    struct json_writer writer;
    json_writer_init(&writer, api->scratch, sizeof api->scratch);
    json_object_begin(&writer);
    json_key(&writer, "error");
    json_string(&writer, secure_auth_result_name(result));
    json_key(&writer, "detail");
    char throttled[96];
    snprintf(throttled, sizeof throttled, "too many failed attempts: wait %lu s, then try again",
             (unsigned long)retry_after_s);
    json_string(&writer, result == SECURE_AUTH_THROTTLED ? throttled : secure_auth_result_message(result));
    json_object_end(&writer);
    api_respond_writer(req, (int)secure_auth_result_http_status(result), &writer);
}

/* The hook of http_config.authorize. */
static bool authorize(void *ctx, struct http_request *req)
{
    struct api *api = ctx;
    api->authorized = NULL;
    api->verified = NULL;
    if (api_access_unsigned(api, req))
        return true;
    /* A damaged security state signs nothing: no key can be trusted until a factory reset. */
    status_clear(&api->report);
    if (service_security_damaged(api->service, &api->report)) {
        api_respond_status(api, req, STATUS_SECURITY_DAMAGED, &api->report);
        return false;
    }
    /* The signed target: the (decoded) path, and "?" with the query as sent when there is one. */
    char *target = api->scratch;
    int len = snprintf(target, sizeof api->scratch, "%s%s%s", req->path, req->query[0] ? "?" : "", req->query);
    if (len < 0 || (size_t)len >= sizeof api->scratch) {
        respond_auth_refusal(api, req, SECURE_AUTH_MALFORMED, 0);
        return false;
    }
    uint8_t declared[SECURE_AUTH_HASH_SIZE];
    uint32_t retry_after_s = 0;
    enum secure_auth_result result =
        secure_auth_verify(&api->auth, req->connection->peer_address, http_method_name(req->method), target,
                           http_request_header(req, "Authorization"), req->connection->now_us, declared,
                           &retry_after_s);
    if (result != SECURE_AUTH_OK) {
        respond_auth_refusal(api, req, result, retry_after_s);
        return false;
    }
    api->verified = req;
    if (!has_body(req)) {
        if (!secure_equal(declared, EMPTY_BODY_SHA256, sizeof declared)) {
            api_respond_error(api, req, 400, "body-mismatch",
                              "the Authorization header declares a body, and the request has none");
            return false;
        }
        return true;
    }
    api->authorized = req;
    memcpy(api->authorized_body, declared, sizeof declared);
    return true;
}

void api_enable_auth(struct api *api)
{
    const struct hal_system *system = api->service->config.system;
    uint8_t key[SECURE_AUTH_KEY_SIZE], secret[SECURE_AUTH_SECRET_SIZE], code[API_SETUP_CODE_BYTES];
    system->random(system->ctx, secret, sizeof secret);
    bool configured = service_security_admin_key(api->service, key);
    secure_auth_init(&api->auth, configured ? key : NULL, secret);
    api->setup_code[0] = '\0';
    if (!configured) {
        system->random(system->ctx, code, sizeof code);
        secure_auth_hex_encode(code, sizeof code, api->setup_code);
    }
    secure_auth_wipe(key, sizeof key);
    secure_auth_wipe(secret, sizeof secret);
    secure_auth_wipe(code, sizeof code);
    api->http.authorize = authorize;
}

const char *api_setup_code(const struct api *api)
{
    return api->setup_code[0] != '\0' ? api->setup_code : NULL;
}

bool api_auth_take_body(struct api *api, struct http_request *req, uint8_t declared[SECURE_AUTH_HASH_SIZE])
{
    if (api->authorized != req)
        return false;
    api->authorized = NULL;
    memcpy(declared, api->authorized_body, SECURE_AUTH_HASH_SIZE);
    return true;
}

bool api_auth_body_matches(struct api *api, struct http_request *req, const uint8_t declared[SECURE_AUTH_HASH_SIZE],
                           const uint8_t actual[SECURE_AUTH_HASH_SIZE])
{
    if (secure_equal(declared, actual, SECURE_AUTH_HASH_SIZE))
        return true;
    api_respond_error(api, req, 400, "body-mismatch",
                      "the body is not the one the Authorization header declared: nothing was done");
    return false;
}

bool api_require_debug(struct api *api, struct http_request *req, const char *what)
{
    if (service_security_debug(api->service))
        return true;
    char detail[160];
    snprintf(detail, sizeof detail, "%s needs debug mode, which is off: `airswd --device URL debug on`, or the "
             "page's Debug mode switch", what);
    api_respond_error(api, req, 403, "debug-mode-off", detail);
    return false;
}

void api_nonce_get(void *ctx, struct http_request *req)
{
    struct api *api = ctx;
    char nonce[SECURE_AUTH_NONCE_HEX_SIZE];
    secure_auth_issue_nonce(&api->auth, req->connection->now_us, nonce);
    struct json_writer writer;
    json_writer_init(&writer, api->scratch, sizeof api->scratch);
    json_object_begin(&writer);
    json_key(&writer, "nonce");
    json_string(&writer, nonce);
    json_key(&writer, "lifetime_s");
    json_uint(&writer, SECURE_AUTH_NONCE_LIFETIME_US / 1000000u);
    json_object_end(&writer);
    api_respond_writer(req, 200, &writer);
}

/* GET /api/v1/auth/check [auth]: reached only with a good signature, so a client learns that its passphrase is right
 * (a login) without reading or changing anything. */
void api_auth_check_get(void *ctx, struct http_request *req)
{
    struct api *api = ctx;
    struct json_writer writer;
    json_writer_init(&writer, api->scratch, sizeof api->scratch);
    json_object_begin(&writer);
    json_key(&writer, "authorized");
    json_bool(&writer, true);
    json_key(&writer, "debug_mode");
    json_bool(&writer, service_security_debug(api->service));
    json_object_end(&writer);
    api_respond_writer(req, 200, &writer);
}

/* A public key given as PEM text or as the hex of its DER; false after a 400. */
static bool parse_signing_key(struct api *api, struct http_request *req, const struct json_field *field,
                              uint8_t point[SECURE_P256_POINT_SIZE])
{
    uint8_t der[160], id[SECURE_KEY_ID_SIZE];
    bool ok = false;
    if (field->type == JSON_TYPE_STRING) {
        size_t len = strlen(field->string);
        if (strncmp(field->string, "-----BEGIN", 10) == 0)
            ok = secure_parse_public_key((const uint8_t *)field->string, len, point, id);
        else if (len % 2 == 0 && len / 2 <= sizeof der && secure_auth_hex_decode(field->string, der, len / 2))
            ok = secure_parse_public_key(der, len / 2, point, id);
    }
    if (!ok)
        api_respond_error(api, req, 400, "bad-request",
                          "\"signing_key\" must be a P-256 public key: PEM text, or the hex of its DER");
    return ok;
}

/* A string of exactly 2 * size hex digits; false after a 400 naming it. */
static bool parse_hex_field(struct api *api, struct http_request *req, const struct json_field *field, uint8_t *out,
                            size_t size)
{
    if (field->type == JSON_TYPE_STRING && strlen(field->string) == 2 * size &&
        secure_auth_hex_decode(field->string, out, size))
        return true;
    char detail[96];
    snprintf(detail, sizeof detail, "\"%s\" must be %u hex digits", field->key, (unsigned)(2 * size));
    api_respond_error(api, req, 400, "bad-request", detail);
    return false;
}

/* The setup code of the request is the device's; a wrong one counts as a failed guess of its source. False after an
 * answer (403 wrong-setup-code). */
static bool setup_code_matches(struct api *api, struct http_request *req, const struct json_field *field)
{
    struct http_connection *conn = req->connection;
    /* As shown: lowercase hex (the clients fold what a person types). */
    if (field != NULL && field->type == JSON_TYPE_STRING && strlen(field->string) == API_SETUP_CODE_SIZE - 1 &&
        secure_auth_equal((const uint8_t *)field->string, (const uint8_t *)api->setup_code, API_SETUP_CODE_SIZE - 1))
        return true;
    secure_auth_record_failure(&api->auth, conn->peer_address, conn->now_us);
    api_respond_error(api, req, 403, "wrong-setup-code",
                      "\"setup_code\" is not the code the device showed at start (a restart shows a new one)");
    return false;
}

static void respond_setup_done(struct api *api, struct http_request *req)
{
    api_respond_error(api, req, 409, "setup-done",
                      "setup is closed: it was done already (a factory reset opens it again)");
}

/* POST /api/v1/setup, its head: what setup refuses whatever the body says (a damaged security state, done already,
 * not from where the board allows it, a throttled source) is refused before the body is read, so that a body trickled
 * in cannot hold a connection and an exchange for nothing. */
void api_setup_begin(void *ctx, struct http_request *req)
{
    struct api *api = ctx;
    struct http_connection *conn = req->connection;
    char why[160];
    status_clear(&api->report);
    if (service_security_damaged(api->service, &api->report)) { /* names the factory reset */
        api_respond_status(api, req, STATUS_SECURITY_DAMAGED, &api->report);
        return;
    }
    if (api_setup_code(api) == NULL) {
        respond_setup_done(api, req);
        return;
    }
    if (api->board != NULL && api->board->setup_allowed != NULL &&
        !api->board->setup_allowed(api->board->ctx, req, why, sizeof why)) {
        api_respond_error(api, req, 403, "setup-closed", why);
        return;
    }
    uint32_t retry_after_s = 0;
    if (secure_auth_throttled(&api->auth, conn->peer_address, conn->now_us, &retry_after_s)) {
        respond_auth_refusal(api, req, SECURE_AUTH_THROTTLED, retry_after_s);
        return;
    }
    api_body_begin(ctx, req);
}

/* POST /api/v1/setup {"setup_code", "admin_key", "signing_key"?, "image_key"?}, its body: open only until it has
 * succeeded once, and only to a caller who read the setup code where the device shows it (api_setup_begin refused
 * the rest before the body; a setup done meanwhile is refused here). */
void api_setup_post(void *ctx, struct http_request *req)
{
    struct api *api = ctx;
    if (api_setup_code(api) == NULL) {
        respond_setup_done(api, req);
        return;
    }
    struct json_object object;
    if (!api_body_object(api, req, &object))
        return;
    uint8_t admin_key[SECURE_AUTH_KEY_SIZE], point[SECURE_P256_POINT_SIZE], image_key[SECURE_AES_KEY_SIZE];
    bool have_admin = false, have_point = false, have_image_key = false, ok = true;
    const struct json_field *code = NULL;
    for (unsigned i = 0; ok && i < object.count; i++) {
        const struct json_field *field = &object.fields[i];
        if (strcmp(field->key, "setup_code") == 0) {
            code = field;
        } else if (strcmp(field->key, "admin_key") == 0) {
            ok = have_admin = parse_hex_field(api, req, field, admin_key, sizeof admin_key);
        } else if (strcmp(field->key, "signing_key") == 0) {
            ok = have_point = parse_signing_key(api, req, field, point);
        } else if (strcmp(field->key, "image_key") == 0) {
            ok = have_image_key = parse_hex_field(api, req, field, image_key, sizeof image_key);
        } else {
            char detail[96];
            snprintf(detail, sizeof detail, "'%s': unknown field (setup_code, admin_key, signing_key, image_key)",
                     field->key);
            api_respond_error(api, req, 400, "bad-request", detail);
            ok = false;
        }
    }
    if (ok && !have_admin) {
        api_respond_error(api, req, 400, "bad-request", "\"admin_key\" is required: K of docs/auth.md, 64 hex digits");
        ok = false;
    }
    ok = ok && setup_code_matches(api, req, code);
    if (ok) {
        /* One change: the key, the signing key and the image key are saved together, or nothing is. */
        status_clear(&api->report);
        enum status status = service_security_setup(api->service, admin_key, have_point ? point : NULL,
                                                    have_image_key ? image_key : NULL, &api->report);
        if (status != STATUS_OK) {
            api_respond_status(api, req, status, &api->report);
        } else {
            secure_auth_set_key(&api->auth, admin_key);
            secure_auth_wipe(api->setup_code, sizeof api->setup_code);
            api_device_get(ctx, req);
        }
    }
    secure_auth_wipe(admin_key, sizeof admin_key);
    secure_auth_wipe(image_key, sizeof image_key);
}

/* POST /api/v1/keys {"signing_key"} [auth]: one more trusted key. */
void api_keys_post(void *ctx, struct http_request *req)
{
    struct api *api = ctx;
    struct json_object object;
    if (!api_body_object(api, req, &object))
        return;
    uint8_t point[SECURE_P256_POINT_SIZE];
    if (object.count != 1 || strcmp(object.fields[0].key, "signing_key") != 0) {
        api_respond_error(api, req, 400, "bad-request", "the body is {\"signing_key\": PEM text or DER hex}");
        return;
    }
    if (!parse_signing_key(api, req, &object.fields[0], point))
        return;
    status_clear(&api->report);
    enum status status = service_security_add_key(api->service, point, &api->report);
    if (status != STATUS_OK) {
        api_respond_status(api, req, status, &api->report);
        return;
    }
    api_device_get(ctx, req);
}

/* PUT /api/v1/image-key {"image_key"} [auth]: installs or replaces the AES-128 key of encrypted containers. */
void api_image_key_put(void *ctx, struct http_request *req)
{
    struct api *api = ctx;
    struct json_object object;
    if (!api_body_object(api, req, &object))
        return;
    if (object.count != 1 || strcmp(object.fields[0].key, "image_key") != 0) {
        api_respond_error(api, req, 400, "bad-request", "the body is {\"image_key\": 32 hex digits}");
        return;
    }
    uint8_t key[SECURE_AES_KEY_SIZE];
    if (parse_hex_field(api, req, &object.fields[0], key, sizeof key)) {
        status_clear(&api->report);
        enum status status = service_security_set_image_key(api->service, key, &api->report);
        if (status != STATUS_OK)
            api_respond_status(api, req, status, &api->report);
        else
            api_device_get(ctx, req);
    }
    secure_auth_wipe(key, sizeof key);
}

/* DELETE /api/v1/keys/{id} [auth]: id is the key id of GET /api/v1/device (16 hex digits). */
void api_key_delete(void *ctx, struct http_request *req)
{
    struct api *api = ctx;
    size_t len = 0;
    const char *text = http_request_param(req, "id", &len);
    char hex[2 * SECURE_KEY_ID_SIZE + 1];
    uint8_t id[SECURE_KEY_ID_SIZE];
    bool ok = text != NULL && len == 2 * SECURE_KEY_ID_SIZE;
    if (ok) {
        memcpy(hex, text, len);
        hex[len] = '\0';
        ok = secure_auth_hex_decode(hex, id, sizeof id);
    }
    if (!ok) {
        api_respond_error(api, req, 404, "not-found", "no trusted key has this id");
        return;
    }
    status_clear(&api->report);
    enum status status = service_security_remove_key(api->service, id, &api->report);
    if (status != STATUS_OK) {
        api_respond_status(api, req, status, &api->report);
        return;
    }
    api_device_get(ctx, req);
}
