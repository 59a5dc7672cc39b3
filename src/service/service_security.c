/*
 * service_security.c - what first-boot setup establishes and the port keeps: whether the device is set up, the
 * admin key K of docs/auth.md, debug mode, and the image policy (trusted keys, image key, anti-rollback minimum).
 *
 * Two records, each with its own CRC, which the port saves whole and gives back at start (struct service_persist):
 * - the security record (service_security_encode, layout below): everything above, saved at each change;
 * - the anti-rollback record: the minimum alone, saved when it rises, at setup and at a factory reset. The minimum
 *   in force is the highest of the two records' (the security record keeps a copy), so damage to one record never
 *   lowers it. It also witnesses that setup was done once: a security record missing beside it is damage.
 * Every change is saved first and takes effect only once saved: a failed save changes nothing, in RAM either.
 * A record that is there and fails its CRC, does not parse, or cannot be read, is damage: the device then refuses
 * setup and every change of its security state (and the API every protected request) until a factory reset, which
 * someone with the device in hand makes. It never falls back to "not set up".
 *
 * The salt of the clients' key derivation is kept beside K: drawn while setup is open, fixed by setup.
 *
 * Invariants: plain images are accepted only in debug mode (service->signed_only == !debug); the anti-rollback
 * minimum only rises, and survives a factory reset.
 */
#include "service/service.h"

#include <stdio.h>
#include <string.h>

#include "byte_order.h"
#include "crc32.h"
#include "secure/secure_auth.h"

/* The record, little-endian. */
#define RECORD_MAGIC "ASEC"
#define RECORD_VERSION 2u /* 2: the salt; a record of version 1 holds a K derived without it */
#define OFFSET_VERSION 4
#define OFFSET_FLAGS 5
#define OFFSET_KEY_COUNT 6
#define OFFSET_MIN_VERSION 8
#define OFFSET_ADMIN_KEY 12
#define OFFSET_AES_KEY (OFFSET_ADMIN_KEY + SERVICE_ADMIN_KEY_SIZE)
#define OFFSET_KEYS (OFFSET_AES_KEY + SECURE_AES_KEY_SIZE)
#define OFFSET_SALT (OFFSET_KEYS + SECURE_IMAGE_MAX_KEYS * SECURE_P256_POINT_SIZE)
#define OFFSET_CRC (OFFSET_SALT + SERVICE_SALT_SIZE)
#define FLAG_CONFIGURED 0x01u
#define FLAG_DEBUG 0x02u
#define FLAG_AES_KEY 0x04u

_Static_assert(SERVICE_ADMIN_KEY_SIZE == SECURE_AUTH_KEY_SIZE, "K is the key of docs/auth.md");
_Static_assert(OFFSET_CRC + 4 == SERVICE_SECURITY_RECORD_SIZE, "the record layout and its size disagree");

void service_security_encode(const struct service_security *security, const struct secure_image_policy *policy,
                             uint8_t record[SERVICE_SECURITY_RECORD_SIZE])
{
    memset(record, 0, SERVICE_SECURITY_RECORD_SIZE);
    memcpy(record, RECORD_MAGIC, 4);
    record[OFFSET_VERSION] = RECORD_VERSION;
    record[OFFSET_FLAGS] = (uint8_t)((security->configured ? FLAG_CONFIGURED : 0u) |
                                     (security->debug ? FLAG_DEBUG : 0u) | (policy->has_aes_key ? FLAG_AES_KEY : 0u));
    record[OFFSET_KEY_COUNT] = policy->key_count;
    le_put_u32(record + OFFSET_MIN_VERSION, policy->min_security_version);
    memcpy(record + OFFSET_ADMIN_KEY, security->admin_key, SERVICE_ADMIN_KEY_SIZE);
    if (policy->has_aes_key)
        memcpy(record + OFFSET_AES_KEY, policy->aes_key, SECURE_AES_KEY_SIZE);
    for (unsigned i = 0; i < policy->key_count && i < SECURE_IMAGE_MAX_KEYS; i++)
        memcpy(record + OFFSET_KEYS + i * SECURE_P256_POINT_SIZE, policy->keys[i].point, SECURE_P256_POINT_SIZE);
    memcpy(record + OFFSET_SALT, security->salt, SERVICE_SALT_SIZE);
    le_put_u32(record + OFFSET_CRC, crc32_update(0, record, OFFSET_CRC));
}

bool service_security_decode(const uint8_t *record, size_t len, struct service_security *security,
                             struct secure_image_policy *policy)
{
    if (len != SERVICE_SECURITY_RECORD_SIZE || memcmp(record, RECORD_MAGIC, 4) != 0 ||
        record[OFFSET_VERSION] != RECORD_VERSION || record[OFFSET_KEY_COUNT] > SECURE_IMAGE_MAX_KEYS ||
        le_get_u32(record + OFFSET_CRC) != crc32_update(0, record, OFFSET_CRC))
        return false;
    memset(security, 0, sizeof *security);
    memset(policy, 0, sizeof *policy);
    uint8_t flags = record[OFFSET_FLAGS];
    security->configured = (flags & FLAG_CONFIGURED) != 0;
    security->debug = (flags & FLAG_DEBUG) != 0;
    memcpy(security->admin_key, record + OFFSET_ADMIN_KEY, SERVICE_ADMIN_KEY_SIZE);
    memcpy(security->salt, record + OFFSET_SALT, SERVICE_SALT_SIZE);
    policy->min_security_version = le_get_u32(record + OFFSET_MIN_VERSION);
    policy->has_aes_key = (flags & FLAG_AES_KEY) != 0;
    if (policy->has_aes_key)
        memcpy(policy->aes_key, record + OFFSET_AES_KEY, SECURE_AES_KEY_SIZE);
    for (unsigned i = 0; i < record[OFFSET_KEY_COUNT]; i++)
        secure_image_policy_add_key(policy, record + OFFSET_KEYS + i * SECURE_P256_POINT_SIZE);
    return true;
}

/* The anti-rollback record: magic, minimum, CRC-32 of the 8 bytes before it, little-endian. */
#define ROLLBACK_MAGIC "AMIN"
#define ROLLBACK_OFFSET_MIN 4
#define ROLLBACK_OFFSET_CRC 8
_Static_assert(ROLLBACK_OFFSET_CRC + 4 == SERVICE_ROLLBACK_RECORD_SIZE, "the rollback record's layout and size");

static void rollback_encode(uint32_t min_version, uint8_t record[SERVICE_ROLLBACK_RECORD_SIZE])
{
    memcpy(record, ROLLBACK_MAGIC, 4);
    le_put_u32(record + ROLLBACK_OFFSET_MIN, min_version);
    le_put_u32(record + ROLLBACK_OFFSET_CRC, crc32_update(0, record, ROLLBACK_OFFSET_CRC));
}

static bool rollback_decode(const uint8_t record[SERVICE_ROLLBACK_RECORD_SIZE], uint32_t *min_version)
{
    if (memcmp(record, ROLLBACK_MAGIC, 4) != 0 ||
        le_get_u32(record + ROLLBACK_OFFSET_CRC) != crc32_update(0, record, ROLLBACK_OFFSET_CRC))
        return false;
    *min_version = le_get_u32(record + ROLLBACK_OFFSET_MIN);
    return true;
}

/* Saves a security state through the port (true without persistence); the record on the stack is wiped: it holds
 * K. */
static bool save_security_locked(struct service *service, const struct service_security *security,
                                 const struct secure_image_policy *policy)
{
    const struct service_persist *persist = service->config.persist;
    if (persist == NULL || persist->save_security == NULL)
        return true;
    uint8_t record[SERVICE_SECURITY_RECORD_SIZE];
    service_security_encode(security, policy, record);
    bool saved = persist->save_security(service->config.persist_ctx, record, sizeof record);
    secure_auth_wipe(record, sizeof record);
    return saved;
}

static bool save_rollback_locked(struct service *service, uint32_t min_version)
{
    const struct service_persist *persist = service->config.persist;
    if (persist == NULL || persist->save_rollback == NULL)
        return true;
    uint8_t record[SERVICE_ROLLBACK_RECORD_SIZE];
    rollback_encode(min_version, record);
    return persist->save_rollback(service->config.persist_ctx, record, sizeof record);
}

static enum status damaged_locked(struct service *service, struct status_report *report)
{
    const char *how = service->config.factory_reset_how ? service->config.factory_reset_how : "a factory reset";
    return status_fail(report, STATUS_SECURITY_DAMAGED,
                       "setup and all protected requests refused until %s: %s is damaged or unreadable", how,
                       service->security_damage);
}

/* Makes (security, policy) the state once it is saved. */
static enum status commit_locked(struct service *service, const struct service_security *security,
                                 const struct secure_image_policy *policy, struct status_report *report)
{
    if (service->security_damage != NULL)
        return damaged_locked(service, report);
    if (!save_security_locked(service, security, policy))
        return status_fail(report, STATUS_SECURITY_SAVE, "saving the security record failed");
    service->security = *security;
    service->policy = *policy;
    service->signed_only = !security->debug;
    return STATUS_OK;
}

static void note_damage_locked(struct service *service, const char *what)
{
    service->security_damage = what;
    struct status_report report = {0};
    damaged_locked(service, &report);
    service_log_locked(service, report.detail);
}

/* While setup is open the salt is drawn anew: nothing derived with an earlier one is kept. */
static void draw_salt_locked(struct service *service, struct service_security *security)
{
    const struct hal_system *system = service->config.system;
    system->random(system->ctx, security->salt, SERVICE_SALT_SIZE);
}

void service_security_load_locked(struct service *service)
{
    memset(&service->security, 0, sizeof service->security);
    memset(&service->policy, 0, sizeof service->policy);
    service->security_damage = NULL;
    service->signed_only = true;
    const struct service_persist *persist = service->config.persist;
    if (persist == NULL || persist->load_security == NULL)
        return;
    void *ctx = service->config.persist_ctx;
    uint8_t record[SERVICE_SECURITY_RECORD_SIZE];
    enum service_record_load found = persist->load_security(ctx, record, sizeof record);
    bool sound = found == SERVICE_RECORD_LOADED &&
                 service_security_decode(record, sizeof record, &service->security, &service->policy);
    secure_auth_wipe(record, sizeof record);
    uint32_t min_version = sound ? service->policy.min_security_version : 0;
    bool security_missing = found == SERVICE_RECORD_NONE;
    if (found != SERVICE_RECORD_NONE && !sound) {
        secure_auth_wipe(&service->security, sizeof service->security);
        secure_auth_wipe(&service->policy, sizeof service->policy);
        note_damage_locked(service, "the security record");
    }
    if (persist->load_rollback != NULL) {
        uint8_t rollback[SERVICE_ROLLBACK_RECORD_SIZE];
        uint32_t saved_min = 0;
        found = persist->load_rollback(ctx, rollback, sizeof rollback);
        if (found == SERVICE_RECORD_LOADED && rollback_decode(rollback, &saved_min)) {
            min_version = saved_min > min_version ? saved_min : min_version;
            if (security_missing)
                note_damage_locked(service, "the security record (missing)");
        } else if (found != SERVICE_RECORD_NONE) {
            note_damage_locked(service, "the anti-rollback record");
        } else if (!security_missing) {
            save_rollback_locked(service, min_version); /* saved by a firmware that kept it in one record */
        }
    }
    service->policy.min_security_version = min_version;
    if (!service->security.configured)
        draw_salt_locked(service, &service->security);
    service->signed_only = !service->security.debug;
}

void service_security_salt(struct service *service, uint8_t salt[SERVICE_SALT_SIZE])
{
    service_lock(service);
    memcpy(salt, service->security.salt, SERVICE_SALT_SIZE);
    service_unlock(service);
}

bool service_security_admin_key(struct service *service, uint8_t key[SERVICE_ADMIN_KEY_SIZE])
{
    service_lock(service);
    bool configured = service->security.configured;
    if (configured)
        memcpy(key, service->security.admin_key, SERVICE_ADMIN_KEY_SIZE);
    service_unlock(service);
    return configured;
}

bool service_security_damaged(struct service *service, struct status_report *report)
{
    service_lock(service);
    bool damaged = service->security_damage != NULL;
    if (damaged)
        damaged_locked(service, report);
    service_unlock(service);
    return damaged;
}

/* Adds point to policy unless it is there; false when the policy is full. */
static bool trust_key(struct secure_image_policy *policy, const uint8_t point[SECURE_P256_POINT_SIZE], bool *added)
{
    uint8_t id[SECURE_KEY_ID_SIZE];
    secure_key_id(point, id);
    *added = false;
    for (unsigned i = 0; i < policy->key_count; i++)
        if (memcmp(policy->keys[i].id, id, SECURE_KEY_ID_SIZE) == 0)
            return true;
    return *added = secure_image_policy_add_key(policy, point);
}

static enum status keys_full(struct status_report *report)
{
    return status_fail(report, STATUS_INVALID_ARGUMENT, "the device already trusts %u keys: remove one first",
                       (unsigned)SECURE_IMAGE_MAX_KEYS);
}

static void log_key_locked(struct service *service, const uint8_t point[SECURE_P256_POINT_SIZE])
{
    uint8_t id[SECURE_KEY_ID_SIZE];
    secure_key_id(point, id);
    char id_text[2 * SECURE_KEY_ID_SIZE + 1], line[SERVICE_LOG_TEXT_MAX];
    secure_key_id_format(id, id_text);
    snprintf(line, sizeof line, "security: images signed by key %s are trusted", id_text);
    service_log_locked(service, line);
}

enum status service_security_setup(struct service *service, const uint8_t key[SERVICE_ADMIN_KEY_SIZE],
                                   const uint8_t *point, const uint8_t *image_key, struct status_report *report)
{
    service_lock(service);
    struct service_security security = service->security;
    struct secure_image_policy policy = service->policy;
    bool added = false;
    enum status status = STATUS_OK;
    if (service->security_damage != NULL)
        status = damaged_locked(service, report);
    else if (security.configured)
        status = status_fail(report, STATUS_SETUP_DONE, "setup is closed");
    else if (point != NULL && !trust_key(&policy, point, &added))
        status = keys_full(report);
    if (status == STATUS_OK) {
        memcpy(security.admin_key, key, SERVICE_ADMIN_KEY_SIZE);
        security.configured = true;
        if (image_key != NULL) {
            policy.has_aes_key = true;
            memcpy(policy.aes_key, image_key, SECURE_AES_KEY_SIZE);
        }
        status = commit_locked(service, &security, &policy, report);
    }
    if (status == STATUS_OK) {
        /* The witness that setup was done (after the security record, so that a setup that failed leaves none). */
        save_rollback_locked(service, service->policy.min_security_version);
        service_log_locked(service, "setup done: requests that change something now need the admin passphrase");
        if (added)
            log_key_locked(service, point);
        if (image_key != NULL)
            service_log_locked(service, "security: a new image key decrypts encrypted containers");
    }
    secure_auth_wipe(&security, sizeof security);
    secure_auth_wipe(&policy, sizeof policy);
    service_unlock(service);
    return status;
}

enum status service_security_add_key(struct service *service, const uint8_t point[SECURE_P256_POINT_SIZE],
                                     struct status_report *report)
{
    service_lock(service);
    struct secure_image_policy policy = service->policy;
    bool added;
    enum status status = STATUS_OK;
    if (!trust_key(&policy, point, &added))
        status = keys_full(report);
    else if (added)
        status = commit_locked(service, &service->security, &policy, report);
    if (status == STATUS_OK && added)
        log_key_locked(service, point);
    secure_auth_wipe(&policy, sizeof policy);
    service_unlock(service);
    return status;
}

enum status service_security_remove_key(struct service *service, const uint8_t id[SECURE_KEY_ID_SIZE],
                                        struct status_report *report)
{
    service_lock(service);
    struct secure_image_policy policy = service->policy;
    bool found = false;
    for (unsigned i = 0; i < policy.key_count; i++) {
        if (!found && memcmp(policy.keys[i].id, id, SECURE_KEY_ID_SIZE) == 0)
            found = true;
        else if (found)
            policy.keys[i - 1] = policy.keys[i];
    }
    enum status status = status_fail(report, STATUS_STORE_NO_IMAGE, "no trusted key has this id");
    if (found) {
        policy.key_count--;
        status = commit_locked(service, &service->security, &policy, report);
    }
    if (status == STATUS_OK) {
        char id_text[2 * SECURE_KEY_ID_SIZE + 1], line[SERVICE_LOG_TEXT_MAX];
        secure_key_id_format(id, id_text);
        snprintf(line, sizeof line, "security: key %s is no longer trusted", id_text);
        service_log_locked(service, line);
    }
    secure_auth_wipe(&policy, sizeof policy);
    service_unlock(service);
    return status;
}

enum status service_security_set_image_key(struct service *service, const uint8_t key[SECURE_AES_KEY_SIZE],
                                           struct status_report *report)
{
    service_lock(service);
    enum status status = STATUS_OK;
    if (!service->policy.has_aes_key || memcmp(service->policy.aes_key, key, SECURE_AES_KEY_SIZE) != 0) {
        struct secure_image_policy policy = service->policy;
        policy.has_aes_key = true;
        memcpy(policy.aes_key, key, SECURE_AES_KEY_SIZE);
        status = commit_locked(service, &service->security, &policy, report);
        if (status == STATUS_OK)
            service_log_locked(service, "security: a new image key decrypts encrypted containers");
        secure_auth_wipe(&policy, sizeof policy);
    }
    service_unlock(service);
    return status;
}

enum status service_security_set_debug(struct service *service, bool debug, struct status_report *report)
{
    service_lock(service);
    enum status status = STATUS_OK;
    if (service->security.debug != debug) {
        struct service_security security = service->security;
        security.debug = debug;
        status = commit_locked(service, &security, &service->policy, report);
        if (status == STATUS_OK)
            service_log_locked(service, debug ? "debug mode on: unsigned images and memory reads are allowed"
                                              : "debug mode off: signed images only");
        secure_auth_wipe(&security, sizeof security);
    }
    service_unlock(service);
    return status;
}

bool service_security_debug(struct service *service)
{
    service_lock(service);
    bool debug = service->security.debug;
    service_unlock(service);
    return debug;
}

void service_security_factory_reset(struct service *service)
{
    service_lock(service);
    struct service_security security = {0};
    draw_salt_locked(service, &security);
    struct secure_image_policy policy = {.min_security_version = service->policy.min_security_version};
    service->security_damage = NULL;
    struct status_report report = {0};
    if (save_rollback_locked(service, policy.min_security_version) &&
        commit_locked(service, &security, &policy, &report) == STATUS_OK) {
        service_log_locked(service, "factory reset: setup is open again (the anti-rollback minimum is kept)");
    } else {
        secure_auth_wipe(&service->security, sizeof service->security);
        note_damage_locked(service, "the security record (reset not saved)");
    }
    service_unlock(service);
}

enum status service_raise_min_version(struct service *service, uint32_t version, struct status_report *report)
{
    service_lock(service);
    enum status status = STATUS_OK;
    if (service->security_damage != NULL) {
        status = damaged_locked(service, report);
    } else if (version > service->policy.min_security_version) {
        if (!save_rollback_locked(service, version)) {
            status = status_fail(report, STATUS_SECURITY_SAVE, "saving the anti-rollback minimum %lu failed",
                                 (unsigned long)version);
        } else {
            service->policy.min_security_version = version;
            /* The security record's copy, in case the anti-rollback record is damaged one day; the minimum is
             * saved already, so a failure here changes nothing. */
            save_security_locked(service, &service->security, &service->policy);
            char line[SERVICE_LOG_TEXT_MAX];
            snprintf(line, sizeof line, "anti-rollback: images below security version %lu are refused from now on",
                     (unsigned long)version);
            service_log_locked(service, line);
        }
    }
    service_unlock(service);
    return status;
}
