/*
 * remote.h - what the files of `airswd --device URL` share: the device, its requests (signed with the admin
 * passphrase where docs/api.md marks [auth]), and just enough JSON to read its answers.
 */
#ifndef AIRSWD_REMOTE_H
#define AIRSWD_REMOTE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cli.h"
#include "http_client.h"

#define REMOTE_KEY_SIZE 32

struct remote {
    const char *url_text;         /* as given, with http:// in front when it had no scheme */
    char url_with_scheme[320];
    struct http_url url;
    bool json;
    bool has_passphrase;          /* a passphrase was given: requests that need it are signed */
    char passphrase[512];         /* until K is derived from it (remote_key), then wiped */
    bool has_key;
    uint8_t key[REMOTE_KEY_SIZE]; /* K of docs/auth.md, derived from the passphrase and the device's salt */
};

/* Sets up remote for url; the passphrase comes from options->passphrase_file, else from $AIRSWD_PASSPHRASE, else
 * there is none. False (after a message) for a bad URL or an unreadable passphrase file. */
bool remote_open(struct remote *remote, const char *url, const struct cli_options *options);
/* The passphrase as given, without its line end, into out; false when none was given. */
bool remote_passphrase(const struct cli_options *options, char *out, size_t size);
/* K from the passphrase and the salt the device serves (GET /api/v1/device), derived once; false after a message.
 * The passphrase is wiped afterwards. */
bool remote_key(struct remote *remote);

/* One request; those that need authentication are signed with a fresh nonce (and signed again once on a stale
 * nonce). quiet: false and error when the device cannot be reached. */
bool remote_request_quiet(struct remote *remote, const char *method, const char *path,
                          const struct http_client_body *body, struct http_client_response *response, char *error,
                          size_t error_size);
/* The same, saying on stderr when the device cannot be reached. */
bool remote_request(struct remote *remote, const char *method, const char *path, const struct http_client_body *body,
                    struct http_client_response *response);
/* The Authorization value for a request, with a nonce fetched from the device; false after a message. */
bool remote_authorization(struct remote *remote, const char *method, const char *path,
                          const struct http_client_body *body, char *out, size_t size);

/* An HTTP error from the device: its JSON error's name, detail and message, on stderr (and as JSON with --json). */
void print_http_error(struct remote *remote, const char *what, const struct http_client_response *response);

/* JSON (remote_json.c). Members of the top-level object only. */
const char *json_skip(const char *p);
const char *json_get(const char *json, const char *key);
bool json_u64(const char *json, const char *key, unsigned long long *value);
unsigned long long json_u64_or(const char *json, const char *key, unsigned long long otherwise);
bool json_true(const char *json, const char *key);
/* A string member, unescaped; "" when absent or not a string. */
const char *json_text(const char *json, const char *key, char *out, size_t size);
/* The object member key, copied (malloc'd, the caller frees it); NULL when absent or null. */
char *json_object(const char *json, const char *key);

/* `airswd --device URL setup|debug|trust|untrust|auth-header` (cli_remote_admin.c). Returns the exit status, or -1
 * when command is none of them. */
int cli_remote_admin(struct remote *remote, const char *command, int argc, char **argv);

/* A file that holds an AES-128 key as 32 hex digits (`airswd keygen --aes`) into hex, NUL-terminated; false after a
 * message (cli_remote_admin.c). */
#define REMOTE_IMAGE_KEY_HEX_SIZE 33
bool image_key_file(const char *path, char hex[REMOTE_IMAGE_KEY_HEX_SIZE]);
/* `airswd --device URL image-key KEY.hex` (cli_remote_image_key.c): the exit status, or -1 for another command. */
int cli_remote_image_key(struct remote *remote, const char *command, int argc, char **argv);

/* `airswd --device URL settings [KEY=VALUE...]` (cli_remote_settings.c): the exit status. */
int cli_remote_settings(struct remote *remote, int argc, char **argv);

/* A file named on the command line opens for reading; false after saying why (the caller exits 2). */
bool remote_file_readable(const char *path);

/* `airswd --device URL update-firmware|board` (cli_remote_board.c): the exit status, or -1 for another command. */
int cli_remote_board(struct remote *remote, const char *command, int argc, char **argv);

#endif /* AIRSWD_REMOTE_H */
