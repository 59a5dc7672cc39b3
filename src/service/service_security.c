/*
 * service_security.c - what first-boot setup establishes and the port keeps: whether the device is set up, the
 * admin key K of docs/auth.md, debug mode, and the image policy (trusted keys, image key, anti-rollback minimum).
 *
 * All of it is one record (service_security_encode, layout below) that the port saves whole at each change and
 * gives back at start (service_persist.load_security/save_security). A record that fails its CRC or does not parse
 * counts as none: the device then offers setup again, which is what a factory reset does on purpose.
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
#define RECORD_VERSION 1u
#define OFFSET_VERSION 4
#define OFFSET_FLAGS 5
#define OFFSET_KEY_COUNT 6
#define OFFSET_MIN_VERSION 8
#define OFFSET_ADMIN_KEY 12
#define OFFSET_AES_KEY (OFFSET_ADMIN_KEY + SERVICE_ADMIN_KEY_SIZE)
#define OFFSET_KEYS (OFFSET_AES_KEY + SECURE_AES_KEY_SIZE)
#define OFFSET_CRC (OFFSET_KEYS + SECURE_IMAGE_MAX_KEYS * SECURE_P256_POINT_SIZE)
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
    policy->min_security_version = le_get_u32(record + OFFSET_MIN_VERSION);
    policy->has_aes_key = (flags & FLAG_AES_KEY) != 0;
    if (policy->has_aes_key)
        memcpy(policy->aes_key, record + OFFSET_AES_KEY, SECURE_AES_KEY_SIZE);
    for (unsigned i = 0; i < record[OFFSET_KEY_COUNT]; i++)
        secure_image_policy_add_key(policy, record + OFFSET_KEYS + i * SECURE_P256_POINT_SIZE);
    return true;
}

/* Writes the state through the port; the record on the stack is wiped, as it holds K. */
static void save_locked(struct service *service)
{
    const struct service_persist *persist = service->config.persist;
    if (persist == NULL || persist->save_security == NULL)
        return;
    uint8_t record[SERVICE_SECURITY_RECORD_SIZE];
    service_security_encode(&service->security, &service->policy, record);
    persist->save_security(service->config.persist_ctx, record, sizeof record);
    secure_auth_wipe(record, sizeof record);
}

void service_security_load_locked(struct service *service)
{
    memset(&service->security, 0, sizeof service->security);
    memset(&service->policy, 0, sizeof service->policy);
    const struct service_persist *persist = service->config.persist;
    uint8_t record[SERVICE_SECURITY_RECORD_SIZE];
    if (persist != NULL && persist->load_security != NULL &&
        persist->load_security(service->config.persist_ctx, record, sizeof record) &&
        !service_security_decode(record, sizeof record, &service->security, &service->policy)) {
        memset(&service->security, 0, sizeof service->security);
        memset(&service->policy, 0, sizeof service->policy);
        service_log_locked(service, "security: the saved configuration is damaged; the device offers setup again");
    }
    secure_auth_wipe(record, sizeof record);
    service->signed_only = !service->security.debug;
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

bool service_security_setup(struct service *service, const uint8_t key[SERVICE_ADMIN_KEY_SIZE])
{
    service_lock(service);
    bool open = !service->security.configured;
    if (open) {
        memcpy(service->security.admin_key, key, SERVICE_ADMIN_KEY_SIZE);
        service->security.configured = true;
        save_locked(service);
        service_log_locked(service, "setup done: requests that change something now need the admin passphrase");
    }
    service_unlock(service);
    return open;
}

enum status service_security_add_key(struct service *service, const uint8_t point[SECURE_P256_POINT_SIZE],
                                     struct status_report *report)
{
    uint8_t id[SECURE_KEY_ID_SIZE];
    secure_key_id(point, id);
    char id_text[2 * SECURE_KEY_ID_SIZE + 1];
    secure_key_id_format(id, id_text);
    service_lock(service);
    enum status status = STATUS_OK;
    bool known = false;
    for (unsigned i = 0; i < service->policy.key_count; i++)
        known = known || memcmp(service->policy.keys[i].id, id, SECURE_KEY_ID_SIZE) == 0;
    if (!known && !secure_image_policy_add_key(&service->policy, point)) {
        status = status_fail(report, STATUS_INVALID_ARGUMENT, "the device already trusts %u keys: remove one first",
                             (unsigned)SECURE_IMAGE_MAX_KEYS);
    } else if (!known) {
        save_locked(service);
        char line[SERVICE_LOG_TEXT_MAX];
        snprintf(line, sizeof line, "security: images signed by key %s are trusted", id_text);
        service_log_locked(service, line);
    }
    service_unlock(service);
    return status;
}

bool service_security_remove_key(struct service *service, const uint8_t id[SECURE_KEY_ID_SIZE])
{
    service_lock(service);
    struct secure_image_policy *policy = &service->policy;
    bool found = false;
    for (unsigned i = 0; i < policy->key_count; i++) {
        if (!found && memcmp(policy->keys[i].id, id, SECURE_KEY_ID_SIZE) == 0)
            found = true;
        else if (found)
            policy->keys[i - 1] = policy->keys[i];
    }
    if (found) {
        policy->key_count--;
        save_locked(service);
        char id_text[2 * SECURE_KEY_ID_SIZE + 1], line[SERVICE_LOG_TEXT_MAX];
        secure_key_id_format(id, id_text);
        snprintf(line, sizeof line, "security: key %s is no longer trusted", id_text);
        service_log_locked(service, line);
    }
    service_unlock(service);
    return found;
}

void service_security_set_image_key(struct service *service, const uint8_t key[SECURE_AES_KEY_SIZE])
{
    service_lock(service);
    if (!service->policy.has_aes_key || memcmp(service->policy.aes_key, key, SECURE_AES_KEY_SIZE) != 0) {
        service->policy.has_aes_key = true;
        memcpy(service->policy.aes_key, key, SECURE_AES_KEY_SIZE);
        save_locked(service);
        service_log_locked(service, "security: a new image key decrypts encrypted containers");
    }
    service_unlock(service);
}

void service_security_set_debug(struct service *service, bool debug)
{
    service_lock(service);
    if (service->security.debug != debug) {
        service->security.debug = debug;
        service->signed_only = !debug;
        save_locked(service);
        service_log_locked(service, debug ? "debug mode on: unsigned images and memory reads are allowed"
                                          : "debug mode off: signed images only");
    }
    service_unlock(service);
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
    uint32_t min_version = service->policy.min_security_version;
    secure_auth_wipe(&service->security, sizeof service->security);
    secure_auth_wipe(&service->policy, sizeof service->policy);
    service->policy.min_security_version = min_version;
    service->signed_only = true;
    save_locked(service);
    service_log_locked(service, "factory reset: setup is open again (the anti-rollback minimum is kept)");
    service_unlock(service);
}

enum status service_raise_min_version(struct service *service, uint32_t version, struct status_report *report)
{
    (void)report;
    service_lock(service);
    if (version > service->policy.min_security_version) {
        service->policy.min_security_version = version;
        save_locked(service);
        char line[SERVICE_LOG_TEXT_MAX];
        snprintf(line, sizeof line, "anti-rollback: images below security version %lu are refused from now on",
                 (unsigned long)version);
        service_log_locked(service, line);
    }
    service_unlock(service);
    return STATUS_OK;
}
