/*
 * service_persist_flash.c - struct service_persist on persist_flash (service_persist_flash.h).
 */
#include "service/service_persist_flash.h"

#include <string.h>

#include "byte_order.h"

/* Settings blob, version 1. A later version appends fields and raises the version; it never moves one. */
#define SETTINGS_VERSION          1u
#define SETTINGS_OFFSET_VERSION   0
#define SETTINGS_OFFSET_FLAGS     1 /* bit 0 connect under reset, bit 1 verify, bit 2 public status, bits 3-4 the
                                     * transport + 1 (0: none saved, the port's default); other bits: later
                                     * versions' (a version 1 blob has bit 2 clear: private, as before) */
#define SETTINGS_OFFSET_SWCLK_HZ  4
#define SETTINGS_FLAG_UNDER_RESET 0x01u
#define SETTINGS_FLAG_VERIFY      0x02u
#define SETTINGS_FLAG_PUBLIC      0x04u
#define SETTINGS_TRANSPORT_SHIFT  3
#define SETTINGS_TRANSPORT_MASK   0x18u

/* A log entry: the line's number, its time and its text without the terminator. */
#define LOG_OFFSET_SEQ  0
#define LOG_OFFSET_TIME 4
#define LOG_OFFSET_TEXT 8
_Static_assert(LOG_OFFSET_TEXT + SERVICE_LOG_TEXT_MAX - 1 <= PERSIST_FLASH_LOG_ENTRY_MAX,
               "a log line must fit a log entry");
_Static_assert(SERVICE_PERSIST_SETTINGS_BYTES <= PERSIST_FLASH_BLOB_MAX, "settings must fit a blob");

size_t service_persist_settings_encode(const struct service_settings *settings, uint8_t *blob)
{
    memset(blob, 0, SERVICE_PERSIST_SETTINGS_BYTES);
    blob[SETTINGS_OFFSET_VERSION] = SETTINGS_VERSION;
    blob[SETTINGS_OFFSET_FLAGS] = (uint8_t)((settings->connect_under_reset ? SETTINGS_FLAG_UNDER_RESET : 0) |
                                            (settings->verify ? SETTINGS_FLAG_VERIFY : 0) |
                                            (settings->public_status ? SETTINGS_FLAG_PUBLIC : 0) |
                                            ((settings->transport + 1u) << SETTINGS_TRANSPORT_SHIFT));
    le_put_u32(blob + SETTINGS_OFFSET_SWCLK_HZ, settings->swclk_hz);
    return SERVICE_PERSIST_SETTINGS_BYTES;
}

bool service_persist_settings_decode(const uint8_t *blob, size_t len, struct service_settings *settings)
{
    if (len < SETTINGS_OFFSET_FLAGS + 1 || blob[SETTINGS_OFFSET_VERSION] == 0)
        return false;
    settings->connect_under_reset = (blob[SETTINGS_OFFSET_FLAGS] & SETTINGS_FLAG_UNDER_RESET) != 0;
    settings->verify = (blob[SETTINGS_OFFSET_FLAGS] & SETTINGS_FLAG_VERIFY) != 0;
    settings->public_status = (blob[SETTINGS_OFFSET_FLAGS] & SETTINGS_FLAG_PUBLIC) != 0;
    unsigned transport = (blob[SETTINGS_OFFSET_FLAGS] & SETTINGS_TRANSPORT_MASK) >> SETTINGS_TRANSPORT_SHIFT;
    if (transport != 0)
        settings->transport = (uint8_t)(transport - 1u);
    if (len >= SETTINGS_OFFSET_SWCLK_HZ + 4)
        settings->swclk_hz = le_get_u32(blob + SETTINGS_OFFSET_SWCLK_HZ);
    return true;
}

/* A failed write leaves the keeper unmounted; the next save mounts it again (which recovers what the failure
 * left) before it writes. */
static bool ready(struct service_persist_flash *persist)
{
    struct persist_flash *keeper = &persist->keeper;
    return keeper->mounted || service_persist_flash_mount(persist, keeper->storage, keeper->first_sector,
                                                          keeper->sector_count) == STATUS_OK;
}

static bool load_settings(void *ctx, struct service_settings *settings)
{
    struct service_persist_flash *persist = ctx;
    uint8_t blob[PERSIST_FLASH_BLOB_MAX];
    size_t len;
    return persist_flash_get(&persist->keeper, PERSIST_TAG_SERVICE_SETTINGS, blob, sizeof blob, &len) == STATUS_OK &&
           service_persist_settings_decode(blob, len, settings);
}

static void save_settings(void *ctx, const struct service_settings *settings)
{
    struct service_persist_flash *persist = ctx;
    uint8_t blob[SERVICE_PERSIST_SETTINGS_BYTES];
    size_t len = service_persist_settings_encode(settings, blob);
    if (ready(persist))
        persist_flash_put(&persist->keeper, PERSIST_TAG_SERVICE_SETTINGS, blob, len);
}

static void append_log(void *ctx, const struct service_log_line *line)
{
    struct service_persist_flash *persist = ctx;
    uint8_t entry[LOG_OFFSET_TEXT + SERVICE_LOG_TEXT_MAX];
    const char *end = memchr(line->text, '\0', SERVICE_LOG_TEXT_MAX - 1);
    size_t text_len = end != NULL ? (size_t)(end - line->text) : SERVICE_LOG_TEXT_MAX - 1;
    le_put_u32(entry + LOG_OFFSET_SEQ, line->seq);
    le_put_u32(entry + LOG_OFFSET_TIME, line->time_s);
    memcpy(entry + LOG_OFFSET_TEXT, line->text, text_len);
    if (ready(persist))
        persist_flash_log_append(&persist->keeper, entry, LOG_OFFSET_TEXT + text_len);
}

struct log_load {
    struct service_log_line *lines;
    unsigned count, max;
};

static void load_entry(void *ctx, const uint8_t *bytes, size_t len)
{
    struct log_load *load = ctx;
    if (len < LOG_OFFSET_TEXT || load->count == load->max)
        return;
    struct service_log_line *line = &load->lines[load->count++];
    memset(line, 0, sizeof *line);
    line->seq = le_get_u32(bytes + LOG_OFFSET_SEQ);
    line->time_s = le_get_u32(bytes + LOG_OFFSET_TIME);
    size_t text_len =
        len - LOG_OFFSET_TEXT < SERVICE_LOG_TEXT_MAX - 1 ? len - LOG_OFFSET_TEXT : SERVICE_LOG_TEXT_MAX - 1;
    memcpy(line->text, bytes + LOG_OFFSET_TEXT, text_len);
}

static unsigned load_log(void *ctx, struct service_log_line *lines, unsigned max)
{
    struct service_persist_flash *persist = ctx;
    unsigned total = persist_flash_log_read(&persist->keeper, 0, NULL, NULL);
    struct log_load load = {.lines = lines, .max = max};
    persist_flash_log_read(&persist->keeper, total > max ? total - max : 0, load_entry, &load);
    return load.count;
}

/* A record of the service's (it checks its own CRC) under tag. No record under the tag is none; a keeper that cannot
 * be mounted, or a record that fails its CRC or has another size, is unreadable (never "none": that would open setup
 * again). */
static enum service_record_load load_record(struct service_persist_flash *persist, unsigned tag, uint8_t *record,
                                            size_t size)
{
    if (!ready(persist))
        return SERVICE_RECORD_UNREADABLE;
    size_t len = 0;
    enum status status = persist_flash_get(&persist->keeper, tag, record, size, &len);
    if (status == STATUS_STORE_NO_IMAGE)
        return SERVICE_RECORD_NONE;
    return status == STATUS_OK && len == size ? SERVICE_RECORD_LOADED : SERVICE_RECORD_UNREADABLE;
}

static bool save_record(struct service_persist_flash *persist, unsigned tag, const uint8_t *record, size_t size)
{
    return ready(persist) && persist_flash_put(&persist->keeper, tag, record, size) == STATUS_OK;
}

static enum service_record_load load_security(void *ctx, uint8_t *record, size_t size)
{
    return load_record(ctx, PERSIST_TAG_SECURITY, record, size);
}

static bool save_security(void *ctx, const uint8_t *record, size_t size)
{
    return save_record(ctx, PERSIST_TAG_SECURITY, record, size);
}

static enum service_record_load load_rollback(void *ctx, uint8_t *record, size_t size)
{
    return load_record(ctx, PERSIST_TAG_ANTI_ROLLBACK, record, size);
}

static bool save_rollback(void *ctx, const uint8_t *record, size_t size)
{
    return save_record(ctx, PERSIST_TAG_ANTI_ROLLBACK, record, size);
}

const struct service_persist service_persist_flash_ops = {
    .load_settings = load_settings,
    .save_settings = save_settings,
    .load_log = load_log,
    .append_log = append_log,
    .load_security = load_security,
    .save_security = save_security,
    .load_rollback = load_rollback,
    .save_rollback = save_rollback,
};

enum status service_persist_flash_mount(struct service_persist_flash *persist, const struct hal_storage *storage,
                                        uint32_t first_sector, uint32_t sector_count)
{
    status_clear(&persist->report);
    return persist_flash_mount(&persist->keeper, storage, first_sector, sector_count, &persist->report);
}
