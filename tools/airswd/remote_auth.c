/*
 * remote_auth.c - the requests of `airswd --device URL`, signed as docs/auth.md says where the API needs it: a nonce
 * from GET /api/v1/auth/nonce, the SHA-256 of the body, the HMAC with K derived from the admin passphrase and the
 * device's salt (PBKDF2, once per run).
 */
#define _POSIX_C_SOURCE 200809L
#include "remote.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "passphrase_key.h"
#include "secure/secure_auth.h"
#include "secure/secure_crypto.h"

bool remote_passphrase(const struct cli_options *options, char *out, size_t size)
{
    if (options->passphrase_file != NULL) {
        FILE *file = fopen(options->passphrase_file, "r");
        bool ok = file != NULL && fgets(out, (int)size, file) != NULL;
        if (file != NULL)
            fclose(file);
        if (!ok)
            return false;
        out[strcspn(out, "\r\n")] = '\0';
        return true;
    }
    const char *env = getenv("AIRSWD_PASSPHRASE");
    if (env == NULL || env[0] == '\0')
        return false;
    snprintf(out, size, "%s", env);
    return true;
}

bool remote_file_readable(const char *path)
{
    FILE *file = fopen(path, "rb");
    if (file == NULL) {
        fprintf(stderr, "airswd: cannot open %s: %s\n", path, strerror(errno));
        return false;
    }
    fclose(file);
    return true;
}

bool remote_open(struct remote *remote, const char *url, const struct cli_options *options)
{
    memset(remote, 0, sizeof *remote);
    remote->url_text = url;
    if (strstr(url, "://") == NULL) { /* HOST:PORT: the devices speak plain HTTP */
        snprintf(remote->url_with_scheme, sizeof remote->url_with_scheme, "http://%s", url);
        remote->url_text = remote->url_with_scheme;
    }
    remote->json = options->json;
    if (!http_url_parse(remote->url_text, &remote->url)) {
        fprintf(stderr, "airswd: --device wants a URL such as http://127.0.0.1:8080 or 127.0.0.1:8080, not '%s' "
                        "(only http:// is spoken)\n", url);
        return false;
    }
    if (remote_passphrase(options, remote->passphrase, sizeof remote->passphrase)) {
        remote->has_passphrase = true;
    } else if (options->passphrase_file != NULL) {
        fprintf(stderr, "airswd: cannot read the passphrase from %s\n", options->passphrase_file);
        return false;
    }
    return true;
}

bool remote_key(struct remote *remote)
{
    if (remote->has_key)
        return true;
    char error[256], salt_hex[2 * SECURE_AUTH_SALT_SIZE + 8] = "";
    uint8_t salt[SECURE_AUTH_SALT_SIZE];
    struct http_client_response response;
    if (!http_client_request(&remote->url, "GET", "/api/v1/device", NULL, NULL, &response, error, sizeof error)) {
        fprintf(stderr, "airswd: cannot reach the device at %s: %s\n", remote->url_text, error);
        return false;
    }
    char *auth = response.status == 200 ? json_object(response.body, "auth") : NULL;
    if (auth != NULL)
        json_text(auth, "salt", salt_hex, sizeof salt_hex);
    free(auth);
    http_client_response_free(&response);
    if (strlen(salt_hex) != 2 * SECURE_AUTH_SALT_SIZE || !secure_auth_hex_decode(salt_hex, salt, sizeof salt)) {
        fprintf(stderr, "airswd: the device at %s gave no salt to derive the admin key with (GET /api/v1/device)\n",
                remote->url_text);
        return false;
    }
    if (!passphrase_key_derive(remote->passphrase, strlen(remote->passphrase), salt, remote->key)) {
        fprintf(stderr, "airswd: cannot derive the admin key (out of memory)\n");
        return false;
    }
    secure_auth_wipe(remote->passphrase, sizeof remote->passphrase);
    remote->has_key = true;
    return true;
}

/* Every request is signed (after setup the device answers reads of its work to signed requests only, and GET
 * /device its whole state, policy included), except the ones made before a client can sign: setup and the nonce.
 * The salt comes from an unsigned GET /device of its own (remote_key). */
static bool needs_auth(const char *method, const char *path)
{
    if (strcmp(method, "POST") == 0 && strcmp(path, "/api/v1/setup") == 0)
        return false;
    return strcmp(method, "GET") != 0 || strcmp(path, "/api/v1/auth/nonce") != 0;
}

static bool body_sha256(const struct http_client_body *body, uint8_t digest[SECURE_SHA256_SIZE])
{
    struct secure_sha256 sha;
    secure_sha256_start(&sha);
    bool ok = true;
    if (body != NULL && body->file != NULL) {
        uint8_t buffer[8192];
        size_t got;
        ok = fseek(body->file, 0, SEEK_SET) == 0;
        while (ok && (got = fread(buffer, 1, sizeof buffer, body->file)) > 0)
            secure_sha256_update(&sha, buffer, got);
        ok = ok && !ferror(body->file) && fseek(body->file, 0, SEEK_SET) == 0;
    } else if (body != NULL) {
        secure_sha256_update(&sha, body->bytes, body->len);
    }
    secure_sha256_finish(&sha, digest);
    return ok;
}

bool remote_authorization(struct remote *remote, const char *method, const char *path,
                          const struct http_client_body *body, char *out, size_t size)
{
    char error[256], nonce[SECURE_AUTH_NONCE_HEX_SIZE + 8], target[1024];
    struct http_client_response response;
    if (!remote_key(remote))
        return false;
    if (!http_client_request(&remote->url, "GET", "/api/v1/auth/nonce", NULL, NULL, &response, error, sizeof error)) {
        fprintf(stderr, "airswd: cannot reach the device at %s: %s\n", remote->url_text, error);
        return false;
    }
    json_text(response.body, "nonce", nonce, sizeof nonce);
    int status = response.status;
    http_client_response_free(&response);
    uint8_t digest[SECURE_SHA256_SIZE];
    snprintf(target, sizeof target, "%s%s", remote->url.prefix, path);
    if (status != 200 || strlen(nonce) != SECURE_AUTH_NONCE_HEX_SIZE - 1) {
        fprintf(stderr, "airswd: the device at %s gave no nonce to sign with (HTTP %d)\n", remote->url_text, status);
        return false;
    }
    if (!body_sha256(body, digest)) {
        fprintf(stderr, "airswd: cannot read the file to send\n");
        return false;
    }
    return secure_auth_sign(remote->key, method, target, nonce, digest, out, size);
}

bool remote_request_quiet(struct remote *remote, const char *method, const char *path,
                          const struct http_client_body *body, struct http_client_response *response, char *error,
                          size_t error_size)
{
    bool sign = remote->has_passphrase && needs_auth(method, path);
    for (int attempt = 0;; attempt++) {
        char authorization[SECURE_AUTH_HEADER_MAX + 1];
        if (sign && !remote_authorization(remote, method, path, body, authorization, sizeof authorization)) {
            snprintf(error, error_size, "could not sign the request");
            return false;
        }
        if (!http_client_request(&remote->url, method, path, sign ? authorization : NULL, body, response, error,
                                 error_size))
            return false;
        char name[32];
        /* A nonce that expired between the two requests: once more with a new one. */
        if (!sign || attempt > 0 || response->status != 401 ||
            strcmp(json_text(response->body, "error", name, sizeof name), "stale-nonce") != 0)
            return true;
        http_client_response_free(response);
    }
}

bool remote_request(struct remote *remote, const char *method, const char *path, const struct http_client_body *body,
                    struct http_client_response *response)
{
    char error[256];
    if (remote_request_quiet(remote, method, path, body, response, error, sizeof error))
        return true;
    fprintf(stderr, "airswd: cannot reach the device at %s: %s\n", remote->url_text, error);
    return false;
}
