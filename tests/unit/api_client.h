/*
 * api_client.h - the REST API served in-process to a test: a whole device (src/device) on RAM flash, and an
 * HTTP client that feeds requests to one struct http_connection and parses the answers, signing those that need
 * the admin key as airswd and the page do (docs/auth.md). No sockets and no threads: what a test sends is answered
 * before the call returns.
 */
#ifndef AIRSWD_API_CLIENT_H
#define AIRSWD_API_CLIENT_H

#include <stdbool.h>
#include <stddef.h>

#include "device/device.h"
#include "store_power_cut.h"

#define API_CLIENT_STORE_SECTORS   64
#define API_CLIENT_PERSIST_SECTORS 4

struct api_client_response {
    int status;
    char body[4096]; /* NUL-terminated */
};

/* One connection to the device, driven by the test: several at once make requests that overlap. */
struct api_client_stream {
    struct http_connection conn;
    char received[8192]; /* NUL-terminated */
    size_t received_len;
};

struct api_client {
    struct device device;
    struct hal_system system;
    uint64_t now_us;
    uint32_t random_state;
    struct power_cut_storage store, persist;
    uint8_t store_bytes[API_CLIENT_STORE_SECTORS * 4096], persist_bytes[API_CLIENT_PERSIST_SECTORS * 4096];
    struct api_client_stream stream; /* the one api_client_request uses */
    uint8_t admin_key[32];
    bool signing; /* set by api_client_setup: requests that need it are signed from then on */
    /* What the device was started with, for api_client_restart. */
    struct job_link target;
    const struct api_board *board;
    const struct firmware_update_port *firmware;
};

/* Starts a fresh device (config's store, persistence and system are the client's; board and firmware as given). */
void api_client_start(struct api_client *client, const struct api_board *board,
                      const struct firmware_update_port *firmware);
/* As api_client_start, with jobs reaching target (a simulated STM32: tests/common/sim_session.h). The test runs
 * queued jobs itself (device_run_jobs). */
void api_client_start_with_target(struct api_client *client, const struct job_link *target);
/* Power comes back (after a power cut of either storage) and the device starts again on the same flash, as after a
 * restart; the client keeps its admin key. */
void api_client_restart(struct api_client *client);
/* A signed POST of len bytes of any kind (an image upload), as application/octet-stream. */
void api_client_post_bytes(struct api_client *client, const char *path, const void *bytes, size_t len,
                           struct api_client_response *response);

/* One request: method, path (with its query), a JSON body or NULL. sign: add an Authorization header with the
 * admin key (a nonce fetched first). The answer's status and body. */
void api_client_request(struct api_client *client, const char *method, const char *path, const char *body,
                        bool sign, struct api_client_response *response);
/* First-boot setup with the passphrase; afterwards api_client_request signs when asked to. */
void api_client_setup(struct api_client *client, const char *passphrase, struct api_client_response *response);

/* The value of an Authorization header for a request with that body (len bytes), signed with the admin key. */
void api_client_authorization(struct api_client *client, const char *method, const char *path, const void *body,
                              size_t len, char *out, size_t size);

/* A connection of the test's own: open it, send it bytes as they would arrive (what it answers so far is in
 * stream->received), then close it (end of input) and read the answer. */
void api_client_stream_open(struct api_client *client, struct api_client_stream *stream);
void api_client_stream_send(struct api_client *client, struct api_client_stream *stream, const void *bytes,
                            size_t len);
void api_client_stream_close(struct api_client *client, struct api_client_stream *stream,
                             struct api_client_response *response);

#endif /* AIRSWD_API_CLIENT_H */
