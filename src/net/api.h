/*
 * api.h - the REST API v1 (docs/api.md) as routes of the HTTP engine (http.h) over the device service
 * (service/service.h).
 *
 * The handlers live here, in src/net, because they are the network face of the service: the service knows jobs,
 * images and settings and nothing of HTTP; these files turn requests into service calls and answers into JSON.
 * Everything here runs on the port's network task.
 *
 * The port serves api->http (an http_config) and calls api_pump() after each turn of its loop, which writes the
 * service's new events to the event streams.
 */
#ifndef AIRSWD_API_H
#define AIRSWD_API_H

#include <stdbool.h>
#include <stdint.h>

#include "airswd_config.h"
#include "json/json.h"
#include "net/http.h"
#include "secure/secure_auth.h"
#include "secure/secure_crypto.h"
#include "service/firmware_update.h"
#include "service/service.h"

/* Event streams served at once. */
#define API_EVENT_STREAMS AIRSWD_API_EVENT_STREAMS
/* Requests with a JSON body or a streamed list in progress at once. */
#define API_EXCHANGES AIRSWD_API_EXCHANGES
/* Largest JSON request body: first-boot setup with a PEM key is the longest. */
#define API_BODY_MAX 384

/* Who may read a protected GET route without a signature (api_access.c), in the bits of http_route.flags that the
 * engine leaves to the application. A protected route with neither needs a signed request. */
#define API_ROUTE_OPEN_SUMMARY (HTTP_ROUTE_APPLICATION << 0) /* anyone: a summary unsigned, the whole when signed */
#define API_ROUTE_BENCH_STATUS (HTTP_ROUTE_APPLICATION << 1) /* anyone while the owner's public_status is on */

struct api;

/* A file of the web page as the port stores it (web/web_assets.h on both ports). */
struct api_file {
    const char *content_type;
    const uint8_t *bytes;
    uint32_t len;
    bool gzip;        /* bytes are gzip-compressed: sent with Content-Encoding: gzip */
    const char *etag; /* quoted */
};
/* The port's lookup of the file at path ("/" is the page itself); false when there is none. */
typedef bool (*api_file_lookup)(const char *path, struct api_file *file);

/* The device's board: what a port with WiFi and pins of its own (the ESP8266) lets the owner see and set through
 * GET and PUT /api/v1/board, and the physical-presence rule of its first-boot setup. NULL on a port without them
 * (airswdd runs on the host's network). The callbacks run on the network task. */
#define API_WIFI_SSID_MAX     32
#define API_WIFI_PASSWORD_MAX 64
#define API_PIN_NONE          (-1)

struct api_board_settings {
    char wifi_ssid[API_WIFI_SSID_MAX + 1];         /* "": no station network (the setup access point only) */
    char wifi_password[API_WIFI_PASSWORD_MAX + 1]; /* set only: never answered */
    int8_t pin_swclk, pin_swdio, pin_nrst, pin_boot0; /* GPIO numbers; API_PIN_NONE: not wired */
};

struct api_board_status {
    bool station_connected, setup_ap;
    char station_address[16]; /* dotted quad, "" without one */
    int rssi;                 /* dBm, 0 when not connected */
    char hostname[33];        /* the mDNS name, without ".local" */
};

struct api_board {
    void *ctx;
    /* May first-boot setup be done over this request's connection? False refuses it (403 setup-closed) with the
     * sentence the port writes into why. NULL: always. Where it is true, GET /api/v1/device also shows the setup
     * code while setup is open (the ESP8266: to a client of its own setup access point, soon after power-on). */
    bool (*setup_allowed)(void *ctx, const struct http_request *req, char *why, size_t size);
    /* The settings (the password left empty) and the network's state. */
    void (*get)(void *ctx, struct api_board_settings *settings, struct api_board_status *status);
    /* Checks and keeps new settings; the port applies them after the answer has gone out. STATUS_INVALID_ARGUMENT
     * with a sentence for settings it cannot take (a pin that holds the flash). */
    enum status (*set)(void *ctx, const struct api_board_settings *settings, struct status_report *report);
};

/* Files sent at once, and where each one is. */
#define API_STATIC_BODIES 4
struct api_static_body {
    const struct http_connection *holder; /* NULL: free */
    const uint8_t *bytes;
    uint32_t len, sent;
};

struct api_stream {
    struct http_connection *conn; /* NULL: free */
    uint32_t next_seq;            /* the next event to send */
    /* Asked for the console (GET /api/v1/events?console=FROM, signed): the next byte of its output owed, and what
     * the client was last told of the console: API_CONSOLE_SAID_*. */
#if AIRSWD_API_CONSOLE
    bool console;
    uint8_t console_said;
    uint64_t console_cursor;
#endif
};

#define API_CONSOLE_SAID_CLOSED 1 /* debug mode is off: no output, and POST /api/v1/console refused */
#define API_CONSOLE_SAID_OPEN   2

/* The target's serial console, where a port bridges one (airswdd; docs/console.md): its output, a position in
 * everything the target sent since start, and the line into it. The API serves it in debug mode only. NULL: none.
 * The callbacks run on the network task. */
struct api_console {
    void *ctx;
    /* Copies up to len bytes from *cursor on, moving *cursor past them; a cursor older than what the port keeps
     * first jumps to its oldest byte. Also tells the port that someone reads (a simulated chip then runs). */
    size_t (*read)(void *ctx, uint64_t *cursor, uint8_t *bytes, size_t len);
    /* Queues as many bytes as the line takes now (the rest waits for the client's next request); returns them. */
    size_t (*write)(void *ctx, const uint8_t *bytes, size_t len);
    /* Sets the line's baud rate when baud is not 0; returns the rate it runs at. */
    uint32_t (*line_baud)(void *ctx, uint32_t baud);
};

/* The state of one request whose body is collected or whose answer is streamed. */
struct api_exchange {
    bool used;
    bool failed; /* an answer was already given (an upload refused halfway) */
    char body[API_BODY_MAX + 1];
    uint32_t body_len;
    bool body_too_long;
    bool check_body; /* the request was authorized: the body must hash to declared_body */
    uint8_t declared_body[SECURE_AUTH_HASH_SIZE];
    /* A streamed list: the next item, the last one, and the text not yet taken by the engine. */
    uint32_t next_seq, last_seq;
    uint8_t stage; /* 0: "[" not yet written; 1: items; 2: "]" written */
    bool wrote_item;
    struct api *api;
    char pending[SERVICE_LOG_TEXT_MAX * 6 + 64];
    uint32_t pending_len, pending_at;
    /* A download: the image and where it is. */
    uint32_t image_id, image_offset, image_length;
};

/* The one-time code first-boot setup asks for: hex digits of random bytes, drawn at start while setup is open. */
#define API_SETUP_CODE_BYTES 8
#define API_SETUP_CODE_SIZE  (2 * API_SETUP_CODE_BYTES + 1) /* with the NUL */

/* Names besides IP literals and localhost that the device answers to in Host (api_guard.c). */
#define API_HOST_NAMES 2

struct api {
    struct service *service;
    struct http_config http;
    struct api_stream streams[API_EVENT_STREAMS];
    struct api_exchange exchanges[API_EXCHANGES];
    struct http_request *upload; /* the request whose body goes into the store */
    bool upload_check;           /* the upload was authorized: its bytes must hash to upload_declared */
    uint8_t upload_declared[SECURE_AUTH_HASH_SIZE];
    struct secure_sha256 upload_sha256;
    /* Authentication (api_enable_auth): the request authorize just admitted with a body, and the body's declared
     * hash, until its handler takes it. */
    struct secure_auth auth;
    struct http_request *verified; /* the request authorize last admitted with a good signature, with a body or not */
    struct http_request *authorized;
    uint8_t authorized_body[SECURE_AUTH_HASH_SIZE];
    char setup_code[API_SETUP_CODE_SIZE]; /* "" once setup is done */
    const char *host_names[API_HOST_NAMES]; /* NULL: none; the strings are the port's */
    api_file_lookup files;       /* NULL: no web page */
    const struct api_board *board; /* NULL: no board settings */
    struct firmware_update *firmware; /* NULL: the programmer's firmware is not updated over the network */
    const struct api_console *console; /* NULL: no serial console */
    struct api_static_body static_bodies[API_STATIC_BODIES];
    char scratch[AIRSWD_HTTP_OUTPUT_MAX];
    struct status_report report;
};

/* Fills api->http with the routes and the screen of every request (api_guard.c); authorize stays NULL (every
 * request admitted) until api_enable_auth. */
void api_init(struct api *api, struct service *service);
/* Requires AIRSWD-HMAC-SHA256 (docs/auth.md) on every [auth] route, with the service's admin key (none before
 * setup: those routes then answer 403 not-configured). */
void api_enable_auth(struct api *api);
/* Sends the service's new events to the event streams. */
void api_pump(struct api *api);
/* The code first-boot setup needs while it is open (NULL once it is done): the port shows it only where someone
 * with the device in hand reads it (airswdd's console, the ESP8266's serial log and setup access point). */
const char *api_setup_code(const struct api *api);
/* One more name the device answers to in Host ("airswd-1a2b3c", "airswd-1a2b3c.local"); the string must outlive the
 * api. False when API_HOST_NAMES are taken already. */
bool api_add_host_name(struct api *api, const char *name);
/* True for a Host value (with or without its port) that names this device: an IP literal, localhost, or a name
 * given to api_add_host_name, in any case. */
bool api_host_is_known(const struct api *api, const char *host);

/* ---- shared by the api_*.c files ---- */
extern const struct http_route api_routes[];
extern const size_t api_route_count;
/* The header fields of every answer (api_guard.c). */
extern const char API_RESPONSE_FIELDS[];
/* http_config.screen (api_guard.c): Host, Origin and the body's Content-Type of every request. */
bool api_screen(void *ctx, struct http_request *req);

void api_static_get(void *ctx, struct http_request *req);
void api_static_finish(void *ctx, struct http_request *req, bool completed);
/* GET /api/v1/device: api_device_summary_get is the route (a summary or the whole, as api_access_full_status says);
 * api_device_get answers the whole (setup and the keys' routes answer with it). */
void api_device_summary_get(void *ctx, struct http_request *req);
void api_device_get(void *ctx, struct http_request *req);
void api_target_get(void *ctx, struct http_request *req);
void api_settings_get(void *ctx, struct http_request *req);
void api_settings_put(void *ctx, struct http_request *req);
void api_log_get(void *ctx, struct http_request *req);
void api_images_get(void *ctx, struct http_request *req);
void api_images_post(void *ctx, struct http_request *req);
size_t api_images_post_body(void *ctx, struct http_request *req, const uint8_t *bytes, size_t len);
void api_images_post_end(void *ctx, struct http_request *req);
void api_images_post_finish(void *ctx, struct http_request *req, bool completed);
void api_image_delete(void *ctx, struct http_request *req);
void api_image_data_get(void *ctx, struct http_request *req);
void api_jobs_post(void *ctx, struct http_request *req);
void api_job_get(void *ctx, struct http_request *req);
void api_job_delete(void *ctx, struct http_request *req);
void api_events_get(void *ctx, struct http_request *req);
void api_events_finish(void *ctx, struct http_request *req, bool completed);
void api_nonce_get(void *ctx, struct http_request *req);
void api_auth_check_get(void *ctx, struct http_request *req);
void api_setup_begin(void *ctx, struct http_request *req);
void api_setup_post(void *ctx, struct http_request *req);
void api_keys_post(void *ctx, struct http_request *req);
void api_key_delete(void *ctx, struct http_request *req);
void api_image_key_put(void *ctx, struct http_request *req);
void api_board_get(void *ctx, struct http_request *req);
void api_board_put_begin(void *ctx, struct http_request *req);
void api_board_put(void *ctx, struct http_request *req);
size_t api_console_body(void *ctx, struct http_request *req, const uint8_t *bytes, size_t len);
void api_console_post(void *ctx, struct http_request *req);
void api_console_put(void *ctx, struct http_request *req);
/* GET /api/v1/events?console=FROM (with AIRSWD_API_CONSOLE): the stream carries the console from FROM on (api_console.c); false when it was
 * refused (answered). */
bool api_console_stream_begin(struct api *api, struct http_request *req, struct api_stream *stream);
/* The console's new output as events of a stream that asked for it. */
void api_console_pump(struct api *api, struct api_stream *stream);
void api_firmware_post(void *ctx, struct http_request *req);
size_t api_firmware_post_body(void *ctx, struct http_request *req, const uint8_t *bytes, size_t len);
void api_firmware_post_end(void *ctx, struct http_request *req);
void api_firmware_post_finish(void *ctx, struct http_request *req, bool completed);

/* A streamed upload (api_upload.c): an image into the store or the programmer's firmware into its slot, one at a
 * time whatever its route. The sink is where the bytes go. */
struct api_upload_sink {
    enum status (*write)(struct api *api, const uint8_t *bytes, size_t len, struct status_report *report);
    void (*abort)(struct api *api); /* forgets the upload's bytes */
};
/* The first thing an upload's handler does: takes req's declared body hash; when another upload is under way,
 * answers 409 busy (false); else makes req the upload, hashing its body when authorize admitted it with a declared
 * hash. A handler that then refuses the upload before its first byte answers and calls release. */
bool api_upload_claim(struct api *api, struct http_request *req);
void api_upload_release(struct api *api);
/* The route's body hook: hashes the bytes and writes them to the sink; a refusal aborts, answers and ends it. */
size_t api_upload_body(struct api *api, struct http_request *req, const uint8_t *bytes, size_t len,
                       const struct api_upload_sink *sink);
/* At the body's end: true when req is the upload and its body is the one its signature declared, the upload no
 * longer holding the way: the route completes it. Else the upload is over (400 body-mismatch, sink aborted). */
bool api_upload_end(struct api *api, struct http_request *req, const struct api_upload_sink *sink);
/* The route's finish hook: an upload the connection left unfinished is aborted. */
void api_upload_finish(struct api *api, struct http_request *req, const struct api_upload_sink *sink);

/* What may be read without a signature (api_access.c, docs/security.md). Called by authorize before it checks a
 * signature: true admits req unsigned. */
bool api_access_unsigned(struct api *api, const struct http_request *req);
/* The owner's public_status setting, which opens the status and the log to unsigned reads, is on (after setup). */
bool api_access_public_status(struct api *api);
/* May req read the device's status in full: it was signed, the status is public, or authentication is off. */
bool api_access_full_status(struct api *api, const struct http_request *req);

/* The body hash that authorize admitted req with, if it did (once: it is handed over, not copied). */
bool api_auth_take_body(struct api *api, struct http_request *req, uint8_t declared[SECURE_AUTH_HASH_SIZE]);
/* True when actual is declared; otherwise answers 400 body-mismatch. */
bool api_auth_body_matches(struct api *api, struct http_request *req, const uint8_t declared[SECURE_AUTH_HASH_SIZE],
                           const uint8_t actual[SECURE_AUTH_HASH_SIZE]);
/* True in debug mode; otherwise answers 403 debug-mode-off naming what needs it. */
bool api_require_debug(struct api *api, struct http_request *req, const char *what);

/* A JSON body collected into an exchange (for routes with on_body = api_body_collect). */
void api_body_begin(void *ctx, struct http_request *req);
size_t api_body_collect(void *ctx, struct http_request *req, const uint8_t *bytes, size_t len);
void api_exchange_release(void *ctx, struct http_request *req, bool completed);
/* The collected body parsed; on failure a 400 was answered. */
bool api_body_object(struct api *api, struct http_request *req, struct json_object *object);

/* Answers writer's text (status 200...), or 500 when it overflowed. */
void api_respond_writer(struct http_request *req, int status, struct json_writer *writer);
/* {"error", "detail", "message"} for a failed core status, with the HTTP status it maps to. */
void api_respond_status(struct api *api, struct http_request *req, enum status status,
                        const struct status_report *report);
/* The same with a detail of any length (the report's holds AIRSWD_STATUS_DETAIL_MAX bytes). */
void api_respond_status_detail(struct api *api, struct http_request *req, enum status status, const char *detail);
void api_respond_error(struct api *api, struct http_request *req, int http_status, const char *error,
                       const char *detail);
/* A 32-bit number written as C writes one (decimal, 0x hexadecimal or 0 octal) filling the whole text; false for
 * anything else, a negative number or one above 0xFFFFFFFF included. */
bool api_parse_u32(const char *text, uint32_t *value);
/* The {id} of the path as a positive 32-bit number; false (after a 404) when it is not one. */
bool api_path_id(struct api *api, struct http_request *req, uint32_t *id);

#endif /* AIRSWD_API_H */
