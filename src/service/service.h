/*
 * service.h - the device service: what airswdd and the ESP8266 firmware serve under /api/v1, without HTTP.
 *
 * It holds the staging store, runs flash jobs one at a time, remembers the last few jobs, keeps a bounded event
 * log, and the settings. The REST handlers (src/net/api_*.c) call the functions below; they know nothing of
 * sockets or threads.
 *
 * Threads: the port runs jobs in their own task (service_job_run, when config.job_queued told it one is waiting)
 * while its network task keeps calling everything else. Every function here takes the port's lock around what it
 * touches, and job_run itself runs without it, so the network side stays responsive during a long flash. The store,
 * which is single-task, is only ever called with the lock held.
 *
 * Memory: all of it is in struct service (a flash job's buffers included), owned by the caller.
 */
#ifndef AIRSWD_SERVICE_H
#define AIRSWD_SERVICE_H

#include <stdbool.h>
#include <stdint.h>

#include "airswd_config.h"
#include "hal.h"
#include "image/image_plan.h"
#include "image/image_reader.h"
#include "image/image_target.h"
#include "job/job.h"
#include "secure/secure_image.h"
#include "service/store.h"
#include "stm32/stm32_options.h"
#include "status.h"

/* Sizes, from airswd_config.h. */
#define SERVICE_JOB_RECORDS AIRSWD_SERVICE_JOB_RECORDS
#define SERVICE_LOG_LINES AIRSWD_SERVICE_LOG_LINES
#define SERVICE_LOG_TEXT_MAX AIRSWD_SERVICE_LOG_TEXT_MAX
#define SERVICE_EVENTS AIRSWD_SERVICE_EVENTS
#define SERVICE_EVENT_NAME_MAX 15
#define SERVICE_EVENT_DATA_MAX AIRSWD_SERVICE_EVENT_DATA_MAX

/* What a job does (docs/api.md): flash an image, roll back to the previous one, verify the flash against an image,
 * erase the flash, read target memory into a new image, reset the target. */
enum service_action {
    SERVICE_ACTION_FLASH,
    SERVICE_ACTION_ROLLBACK,
    SERVICE_ACTION_VERIFY,
    SERVICE_ACTION_ERASE,
    SERVICE_ACTION_READ,
    SERVICE_ACTION_RESET,
    SERVICE_ACTION_COUNT
};
enum service_job_state {
    SERVICE_JOB_QUEUED,
    SERVICE_JOB_RUNNING,
    SERVICE_JOB_DONE,
    SERVICE_JOB_FAILED,
    SERVICE_JOB_CANCELLED,
};

const char *service_action_name(enum service_action action);
/* False for an unknown name (or an action this service cannot run yet). */
bool service_action_from_name(const char *name, enum service_action *action);
const char *service_job_state_name(enum service_job_state state);

struct service_job_request {
    enum service_action action;
    uint32_t image_id; /* flash, verify: the image (0: the current one) */
    bool verify;
    bool reset;
    bool skip_unchanged;
    bool mass;           /* erase: one mass erase */
    bool nrst;           /* reset: by a pulse on NRST */
    struct image_range read; /* read: the target memory to copy into a new image */
};

struct service_job_record {
    uint32_t id; /* 0: an unused record */
    struct service_job_request request;
    enum service_job_state state;
    char image_name[STORE_NAME_MAX + 1];
    enum image_format image_format; /* of the image a flash, rollback or verify job takes */
    struct job_progress progress; /* the latest */
    struct job_result result;
    enum status status;                   /* of a finished job */
    char detail[AIRSWD_STATUS_DETAIL_MAX]; /* the failing layer's detail */
    bool detail_quotes_memory;            /* the job ran in debug mode: its detail may quote target memory */
    bool cancel_requested;
    uint8_t transport; /* enum job_transport: the transport setting the job ran with */
    uint32_t data_image; /* read: the image that holds what was read (0 until it is complete) */
    /* The part the job identified (NULL when it did not get that far): clients print it as a local job does. */
    const struct stm32_part *part;
    uint32_t cpuid, flash_size;
    uint16_t dev_id, rev_id;
};

struct service_settings {
    uint32_t swclk_hz;
    bool connect_under_reset;
    bool verify; /* a job request without "verify" verifies when this is true */
    bool public_status; /* the status and the log answer unsigned reads (a bench screen); off after a factory reset */
    /* enum job_transport: how jobs reach the target (SWD, the ROM bootloader, or SWD and else the bootloader); the
     * port's wiring (service_config.target.transport) until the owner sets it. */
    uint8_t transport;
};

struct service_log_line {
    uint32_t seq;
    uint32_t time_s; /* since the service started */
    char text[SERVICE_LOG_TEXT_MAX];
};

struct service_event {
    uint32_t seq;
    char name[SERVICE_EVENT_NAME_MAX + 1]; /* "progress", "job", "log" */
    char data[SERVICE_EVENT_DATA_MAX];     /* a JSON object */
};

/* What loading a saved record found. */
enum service_record_load {
    SERVICE_RECORD_NONE,       /* none was ever saved (a fresh device) */
    SERVICE_RECORD_LOADED,     /* size bytes, as saved (the service checks its own CRC) */
    SERVICE_RECORD_UNREADABLE, /* there is one, and it cannot be read whole: it counts as damaged */
};

/* Optional persistence, given by a port that has somewhere to keep them: the settings and the event log then
 * survive a restart. Called with the service's lock held; each should be quick and must not call the service. A port
 * with flash but no files uses service_persist_flash.h. */
struct service_persist {
    /* False when nothing was saved (the defaults stay). */
    bool (*load_settings)(void *ctx, struct service_settings *settings);
    void (*save_settings)(void *ctx, const struct service_settings *settings);
    /* Up to max of the newest saved lines, oldest first; returns how many. */
    unsigned (*load_log)(void *ctx, struct service_log_line *lines, unsigned max);
    void (*append_log)(void *ctx, const struct service_log_line *line);
    /* The security record (service_security_encode: setup, admin key, debug mode, trusted keys, image key, a copy
     * of the anti-rollback minimum), SERVICE_SECURITY_RECORD_SIZE bytes, saved whole. It holds the admin key: the
     * port keeps it where only the device reads it. save returns false when the record is not saved whole (the old
     * one must then still load); the service then changes nothing. May both be NULL (the device then forgets its
     * setup at each restart). */
    enum service_record_load (*load_security)(void *ctx, uint8_t *record, size_t size);
    bool (*save_security)(void *ctx, const uint8_t *record, size_t size);
    /* The anti-rollback record (SERVICE_ROLLBACK_RECORD_SIZE bytes): the minimum on its own, so that no damage to
     * the security record lowers it. Same rules; NULL with the security record's functions only. */
    enum service_record_load (*load_rollback)(void *ctx, uint8_t *record, size_t size);
    bool (*save_rollback)(void *ctx, const uint8_t *record, size_t size);
};

/* What first-boot setup establishes (docs/security.md); the image policy beside it is struct secure_image_policy. */
#define SERVICE_ADMIN_KEY_SIZE 32
#define SERVICE_SALT_SIZE 16
#define SERVICE_SECURITY_RECORD_SIZE 340
#define SERVICE_ROLLBACK_RECORD_SIZE 12
struct service_security {
    bool configured;                           /* setup is done: the admin key is set and setup is closed */
    uint8_t admin_key[SERVICE_ADMIN_KEY_SIZE]; /* K of docs/auth.md; never leaves the device */
    uint8_t salt[SERVICE_SALT_SIZE]; /* of the clients' derivation of K: random, drawn while setup is open */
    bool debug;                                /* debug mode: unsigned images and target memory reads allowed */
};

/* What a port gives the service. */
struct service_config {
    const struct hal_system *system; /* the port's clock, yield, random and log (not the target's) */
    struct job_link target;          /* how jobs reach the STM32 */
    const char *target_name;         /* "sim:stm32f103c8" */
    const char *version;
    /* Mutual exclusion between the network task and the job task. May be NULL for a single-task port. */
    void (*lock)(void *ctx);
    void (*unlock)(void *ctx);
    void *lock_ctx;
    /* A job was queued: the port wakes its job task, which calls service_job_run(). */
    void (*job_queued)(void *ctx);
    void *job_queued_ctx;
    /* May be NULL: the settings and the log are then in memory only. */
    const struct service_persist *persist;
    void *persist_ctx;
    /* How someone with the device in hand makes a factory reset ("a restart with --factory-reset"), short: it is
     * named in a status detail when the saved security state is damaged. NULL: "a factory reset". */
    const char *factory_reset_how;
};

struct service_image {
    uint32_t id;
    unsigned slot;
    struct store_entry entry;
};

struct service {
    struct service_config config;
    struct store *store;
    struct service_settings settings;
    uint64_t started_us;
    struct status_report store_report; /* the store reports here; copied out under the lock */

    struct service_job_record jobs[SERVICE_JOB_RECORDS];
    uint32_t last_job_id;
    bool job_active; /* a job is queued or running */
    /* The link to the target belongs to a job (job_active), to a debug session (a GDB client), or to nobody; never
     * to both (service_link.c). */
    bool debug_session;

    struct service_log_line log[SERVICE_LOG_LINES];
    uint32_t log_seq; /* of the newest line; 0: none */
    struct service_event events[SERVICE_EVENTS];
    uint32_t event_seq; /* of the newest event; 0: none */
    uint8_t last_progress_step; /* progress events are sent at phase changes and every 5 % */

    /* Setup, and what images the device accepts: signed_only (always !security.debug) refuses plain images; the
     * policy's keys, image key and anti-rollback minimum check signed containers. */
    struct service_security security;
    struct secure_image_policy policy;
    bool signed_only;
    /* The record that loaded damaged or unreadable (or a factory reset that could not be saved); NULL: none. While
     * set, setup and every change of the security state are refused (STATUS_SECURITY_DAMAGED). */
    const char *security_damage;

    /* The job task's. */
    struct job job;
    struct secure_image_work secure_work;
    struct status_report job_report;
    struct hal_system job_system; /* the target's system with a yield that honours cancellation */
    uint8_t job_image_key[SECURE_AES_KEY_SIZE]; /* the image key as the job started */
    unsigned job_slot;
    struct service_job_record *running;

    /* The network task's: the check of an uploaded image. */
    struct {
        bool active;
        struct store_image_info info;
        enum store_room_policy policy;
        uint8_t head[IMAGE_FORMAT_DETECT_BYTES]; /* the first bytes, held until the format is known */
        uint32_t head_len;
        bool detect_format;
        bool begun;
        struct image_target memory;
        struct image_plan plan;
        struct image_reader reader;
        uint8_t chunk[AIRSWD_JOB_CHUNK];
    } upload;
};

/* Takes a mounted store, which must outlive the service (it now belongs to the service: call it only through
 * here). The store must have been mounted with &service->store_report as its report, or with NULL. */
void service_init(struct service *service, const struct service_config *config, struct store *store);
uint32_t service_uptime_s(struct service *service);

/* ---- the link to the target (service_link.c) ---- */

/* A debug session takes the link: refused with STATUS_STORE_BUSY, naming the job, while a job is queued or runs.
 * Until service_debug_session_end(), jobs are refused the same way, naming the session. */
enum status service_debug_session_begin(struct service *service, struct status_report *report);
void service_debug_session_end(struct service *service);
/* Neither a job nor a debug session holds the link: the port may let the target run (a simulated chip). */
bool service_link_free(struct service *service);

/* ---- security (service_security.c, service_policy.c) ---- */

/* The image policy, and whether plain images are refused. A flash of a signed container raises the anti-rollback
 * minimum to the container's security version once its checks passed, before the first erase (service_policy.c). */
void service_image_policy(struct service *service, struct secure_image_policy *policy, bool *signed_only);
/* Copies K out for the API's authentication; false (nothing copied) while setup is not done. */
bool service_security_admin_key(struct service *service, uint8_t key[SERVICE_ADMIN_KEY_SIZE]);
/* The saved security state was damaged or unreadable: report gets STATUS_SECURITY_DAMAGED and the sentence that
 * names the factory reset. False when it is sound. */
bool service_security_damaged(struct service *service, struct status_report *report);

/* Every change below is saved before it takes effect: STATUS_SECURITY_SAVE when the port could not save it (nothing
 * changed, in RAM either), STATUS_SECURITY_DAMAGED while the saved state is damaged. */

/* First-boot setup: sets K, trusts point and sets the image key (each may be NULL), and closes setup, as one
 * change. STATUS_SETUP_DONE when setup was already done. */
enum status service_security_setup(struct service *service, const uint8_t key[SERVICE_ADMIN_KEY_SIZE],
                                   const uint8_t *point, const uint8_t *image_key, struct status_report *report);
/* The salt clients derive K with (docs/auth.md): public, served by GET /api/v1/device; drawn anew while setup is
 * open (at start and at a factory reset), kept by setup. */
void service_security_salt(struct service *service, uint8_t salt[SERVICE_SALT_SIZE]);
/* Trusts a signing key (a no-op for one already trusted); STATUS_INVALID_ARGUMENT when SECURE_IMAGE_MAX_KEYS are. */
enum status service_security_add_key(struct service *service, const uint8_t point[SECURE_P256_POINT_SIZE],
                                     struct status_report *report);
/* STATUS_STORE_NO_IMAGE for a key id that is not trusted. */
enum status service_security_remove_key(struct service *service, const uint8_t id[SECURE_KEY_ID_SIZE],
                                        struct status_report *report);
enum status service_security_set_image_key(struct service *service, const uint8_t key[SECURE_AES_KEY_SIZE],
                                           struct status_report *report);
enum status service_security_set_debug(struct service *service, bool debug, struct status_report *report);
bool service_security_debug(struct service *service);
/* Forgets setup, K, debug mode, the keys and the image key (physical access only: the port's reset pin or flag),
 * and a damage: the device offers setup again. The anti-rollback minimum stays (the highest still readable). When
 * the reset cannot be saved, the device stays refusing as if damaged. */
void service_security_factory_reset(struct service *service);
/* The security record (layout in service_security.c); decode is false for anything but a sound record. */
void service_security_encode(const struct service_security *security, const struct secure_image_policy *policy,
                             uint8_t record[SERVICE_SECURITY_RECORD_SIZE]);
bool service_security_decode(const uint8_t *record, size_t len, struct service_security *security,
                             struct secure_image_policy *policy);

/* ---- images ---- */

/* Up to max images in entry order; returns how many. Uploads in progress are left out. */
unsigned service_images(struct service *service, struct service_image *images, unsigned max);
bool service_image_find(struct service *service, uint32_t id, struct service_image *image);
/* The store's data area in bytes (the largest image it takes), and the largest image it takes now (store_room). */
uint32_t service_store_capacity(struct service *service);
uint32_t service_store_room(struct service *service, enum store_room_policy policy);
/* Up to len bytes of image id from offset (*got: how many; 0 at its end). STATUS_STORE_NO_IMAGE when it is gone. */
enum status service_image_read(struct service *service, uint32_t id, uint32_t offset, void *buf, uint32_t len,
                               uint32_t *got);
/* STATUS_STORE_NO_IMAGE for an unknown id; STATUS_STORE_BUSY for the current image or one a job uses. */
enum status service_image_delete(struct service *service, uint32_t id, struct status_report *report);

/* An upload: begin, write the bytes as they come, finish (which checks the image by planning it against a generic
 * STM32, and deletes it when it fails) or abort. format_known false: detected from the first bytes. info->size
 * must be announced. begin refuses an image that does not fit (store_upload_check: STATUS_STORE_TOO_LARGE,
 * STATUS_STORE_NO_ROOM_FOR_ROLLBACK, STATUS_STORE_FULL, ...) before any byte is sent; with STORE_DROP_ROLLBACK the
 * store may free the previous and the current image to make room (logged), but not while a job is queued or
 * running (STATUS_STORE_BUSY): the job may be reading them. */
enum status service_upload_begin(struct service *service, const struct store_image_info *info, bool format_known,
                                 enum store_room_policy policy, struct status_report *report);
/* After begin refused an image for lack of room: the sentence with the sizes and the images in the way
 * (store_room_text; STORE_ROOM_TEXT_MAX bytes hold it). */
size_t service_upload_room_text(struct service *service, uint32_t size, enum store_room_policy policy, char *text,
                                size_t text_size);
enum status service_upload_write(struct service *service, const uint8_t *bytes, size_t len,
                                 struct status_report *report);
enum status service_upload_finish(struct service *service, struct service_image *image, struct status_report *report);
void service_upload_abort(struct service *service);
/* The parser's format for a stored image's. */
enum image_format service_image_format(enum store_image_format format);

/* ---- jobs ---- */

/* Queues a job. STATUS_STORE_BUSY (with "job N (action) is running" in report) while another is queued or running;
 * STATUS_STORE_NO_IMAGE for an unknown image; STATUS_INVALID_ARGUMENT for a read of nothing or of more than the
 * store holds. */
enum status service_job_submit(struct service *service, const struct service_job_request *request, uint32_t *id,
                               struct status_report *report);
/* The job task: runs the queued job, if any, to its end. Returns false when there was none. */
bool service_job_run(struct service *service);
bool service_job_get(struct service *service, uint32_t id, struct service_job_record *record);
/* Asks a queued or running job to stop (at its next block). False for an unknown or finished job. */
bool service_job_cancel(struct service *service, uint32_t id);
/* The running job, if any: for shutdown. */
void service_cancel_all(struct service *service);
/* A job is queued or running (the port must not take the target's pins away now). */
bool service_job_busy(struct service *service);

/* Connects and identifies the target and reads its option bytes (when no job runs): STATUS_STORE_BUSY while a job
 * runs. */
enum status service_target_identify(struct service *service, struct stm32_target *target,
                                    struct stm32_option_bytes *options, struct status_report *report);

/* ---- settings ---- */
void service_settings_get(struct service *service, struct service_settings *settings);
void service_settings_set(struct service *service, const struct service_settings *settings);

/* ---- event log and events ---- */

/* Appends a line to the log (and a "log" event); printf-style. */
void service_log(struct service *service, const char *format, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
/* The line with sequence number seq, if it is still kept. */
bool service_log_get(struct service *service, uint32_t seq, struct service_log_line *line);
uint32_t service_log_last(struct service *service);
/* The event with sequence number seq; false when it is not kept (too old, or not yet). */
bool service_event_get(struct service *service, uint32_t seq, struct service_event *event);
uint32_t service_event_last(struct service *service);

/* Internal, for the service's files. */
void service_lock(struct service *service);
void service_unlock(struct service *service);
void service_event_push_locked(struct service *service, const char *name, const char *data);
void service_log_locked(struct service *service, const char *text);
enum status service_copy_report(struct status_report *to, const struct status_report *from, enum status status);
enum status service_admit_image(void *ctx, const struct stm32_target *target, struct status_report *report);
/* Raises the anti-rollback minimum to version (no-op when it is not higher) and saves it. */
enum status service_raise_min_version(struct service *service, uint32_t version, struct status_report *report);
void service_security_load_locked(struct service *service);

#endif /* AIRSWD_SERVICE_H */
