/*
 * cli_remote_admin.c - the owner's commands to a device (docs/security.md): first-boot setup, debug mode, the
 * trusted signing keys, and an Authorization header for scripts that speak the API with curl.
 */
#define _POSIX_C_SOURCE 200809L
#include "remote.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "secure/secure_auth.h"
#include "secure/secure_crypto.h"

/* Setup refuses shorter passphrases: one signed request is enough to test guesses offline (docs/auth.md). */
#define PASSPHRASE_MIN 12
/* The longest JSON body sent: setup with a PEM key (the device takes up to 384 bytes). */
#define API_SETUP_BODY_MAX 512

/* A public key file (PEM or DER, checked) as a JSON string value: PEM text escaped, or the hex of the DER. */
static bool key_file_json(const char *path, char *out, size_t size)
{
    uint8_t text[4096], point[SECURE_P256_POINT_SIZE], id[SECURE_KEY_ID_SIZE];
    FILE *file = fopen(path, "rb");
    size_t len = file ? fread(text, 1, sizeof text - 1, file) : 0;
    if (file)
        fclose(file);
    text[len] = '\0';
    if (len == 0 || !secure_parse_public_key(text, len, point, id)) {
        fprintf(stderr, "airswd: %s is not a P-256 public key (PEM or DER, as `airswd keygen` writes)\n", path);
        return false;
    }
    bool pem = strncmp((const char *)text, "-----BEGIN", 10) == 0;
    size_t n = 0;
    out[n++] = '"';
    for (size_t i = 0; i < len && n + 4 < size; i++) {
        if (!pem) {
            n += (size_t)snprintf(out + n, size - n, "%02x", text[i]);
        } else if (text[i] == '\n') {
            out[n++] = '\\';
            out[n++] = 'n';
        } else if (text[i] != '\r') {
            out[n++] = (char)text[i];
        }
    }
    out[n++] = '"';
    out[n] = '\0';
    return n + 1 < size;
}

/* A file holding an AES-128 key as 32 hex digits (`airswd keygen --aes`). */
bool image_key_file(const char *path, char hex[2 * SECURE_AES_KEY_SIZE + 1])
{
    char text[80] = "";
    uint8_t key[SECURE_AES_KEY_SIZE];
    FILE *file = fopen(path, "r");
    bool ok = file != NULL && fscanf(file, "%79s", text) == 1 && strlen(text) == 2 * SECURE_AES_KEY_SIZE &&
              secure_auth_hex_decode(text, key, sizeof key);
    if (file)
        fclose(file);
    if (!ok)
        fprintf(stderr, "airswd: %s does not hold an AES-128 key as 32 hex digits\n", path);
    else
        memcpy(hex, text, 2 * SECURE_AES_KEY_SIZE + 1);
    return ok;
}

/* Sends a JSON body and prints what the device says about its security afterwards. */
static int send_json(struct remote *remote, const char *what, const char *method, const char *path, const char *body)
{
    struct http_client_body request = {.content_type = "application/json", .bytes = body, .len = body ? strlen(body) : 0};
    struct http_client_response response;
    if (!remote_request(remote, method, path, body ? &request : NULL, &response))
        return 1;
    int status = 0;
    if (response.status != 200) {
        print_http_error(remote, what, &response);
        status = 1;
    } else if (remote->json) {
        cli_json_body(response.body);
    } else {
        char *policy = json_object(response.body, "policy");
        const char *keys = policy ? json_get(policy, "trusted_keys") : NULL;
        printf("%s: done; debug mode %s", what,
               json_true(response.body, "debug_mode") || json_true(response.body, "debug") ? "on" : "off");
        if (keys != NULL)
            printf("; trusted keys %.*s", (int)(json_skip(keys) - keys), keys);
        if (keys != NULL && strncmp(keys, "[]", 2) == 0)
            printf("\nno signing key is trusted: nothing can be flashed until one is added (`airswd --device URL trust "
                   "PUB.pem`; debug mode flashes plain images)");
        printf("\n");
        free(policy);
    }
    http_client_response_free(&response);
    return status;
}

/* The setup code as the device showed it: 16 lowercase hex digits, whatever case and spaces or dashes a person
 * typed. */
static bool setup_code_text(const char *given, char *out, size_t size)
{
    size_t n = 0;
    for (const char *c = given; *c != '\0'; c++) {
        if (*c == ' ' || *c == '-')
            continue;
        if (n + 1 >= size || strchr("0123456789abcdefABCDEF", *c) == NULL)
            return false;
        out[n++] = (char)(*c >= 'A' && *c <= 'F' ? *c - 'A' + 'a' : *c);
    }
    out[n] = '\0';
    return n == 16;
}

static int remote_setup(struct remote *remote, int argc, char **argv)
{
    const char *key_path = NULL, *image_key_path = NULL, *code_text = NULL;
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--signing-key") == 0 && i + 1 < argc) {
            key_path = argv[++i];
        } else if (strcmp(argv[i], "--image-key") == 0 && i + 1 < argc) {
            image_key_path = argv[++i];
        } else if (strcmp(argv[i], "--code") == 0 && i + 1 < argc) {
            code_text = argv[++i];
        } else {
            fprintf(stderr, "usage: airswd --device URL [--passphrase-file FILE] setup --code CODE "
                            "[--signing-key PUB.pem] [--image-key KEY.hex]\n");
            return 2;
        }
    }
    if ((key_path != NULL && !remote_file_readable(key_path)) ||
        (image_key_path != NULL && !remote_file_readable(image_key_path)))
        return 2;
    char code[32];
    if (code_text == NULL || !setup_code_text(code_text, code, sizeof code)) {
        fprintf(stderr, "airswd: setup needs --code CODE: the 16 hex digits the device showed at start (airswdd's "
                        "console or --setup-code-file; the ESP8266's serial log or its setup access point's page)\n");
        return 2;
    }
    if (!remote->has_passphrase || strlen(remote->passphrase) < PASSPHRASE_MIN) {
        fprintf(stderr, "airswd: setup needs the new admin passphrase, %d characters or more, from "
                        "--passphrase-file FILE or AIRSWD_PASSPHRASE\n", PASSPHRASE_MIN);
        return 2;
    }
    if (!remote_key(remote))
        return 1;
    char body[2 * API_SETUP_BODY_MAX], key_json[API_SETUP_BODY_MAX], image_key[2 * SECURE_AES_KEY_SIZE + 1];
    int n = snprintf(body, sizeof body, "{\"setup_code\":\"%s\",\"admin_key\":\"", code);
    for (int i = 0; i < REMOTE_KEY_SIZE; i++)
        n += snprintf(body + n, sizeof body - (size_t)n, "%02x", remote->key[i]);
    n += snprintf(body + n, sizeof body - (size_t)n, "\"");
    if (key_path != NULL) {
        if (!key_file_json(key_path, key_json, sizeof key_json))
            return 1;
        n += snprintf(body + n, sizeof body - (size_t)n, ",\"signing_key\":%s", key_json);
    }
    if (image_key_path != NULL) {
        if (!image_key_file(image_key_path, image_key))
            return 1;
        n += snprintf(body + n, sizeof body - (size_t)n, ",\"image_key\":\"%s\"", image_key);
    }
    snprintf(body + n, sizeof body - (size_t)n, "}");
    int status = send_json(remote, "setup", "POST", "/api/v1/setup", body);
    secure_auth_wipe(body, sizeof body);
    return status;
}

int cli_remote_admin(struct remote *remote, const char *command, int argc, char **argv)
{
    if (strcmp(command, "setup") == 0)
        return remote_setup(remote, argc, argv);
    if (strcmp(command, "debug") == 0) {
        if (argc != 1 || (strcmp(argv[0], "on") != 0 && strcmp(argv[0], "off") != 0)) {
            fprintf(stderr, "usage: airswd --device URL debug on|off\n");
            return 2;
        }
        return send_json(remote, "debug", "PUT", "/api/v1/settings",
                         strcmp(argv[0], "on") == 0 ? "{\"debug\":true}" : "{\"debug\":false}");
    }
    if (strcmp(command, "trust") == 0) {
        char body[API_SETUP_BODY_MAX + 32], key_json[API_SETUP_BODY_MAX];
        if (argc != 1) {
            fprintf(stderr, "usage: airswd --device URL trust PUB.pem\n");
            return 2;
        }
        if (!remote_file_readable(argv[0]))
            return 2;
        if (!key_file_json(argv[0], key_json, sizeof key_json))
            return 1;
        snprintf(body, sizeof body, "{\"signing_key\":%s}", key_json);
        return send_json(remote, "trust", "POST", "/api/v1/keys", body);
    }
    if (strcmp(command, "untrust") == 0) {
        char path[96];
        if (argc != 1 || strlen(argv[0]) != 2 * SECURE_KEY_ID_SIZE) {
            fprintf(stderr, "usage: airswd --device URL untrust KEY-ID (16 hex digits, as `airswd --device URL "
                            "settings` lists them)\n");
            return 2;
        }
        snprintf(path, sizeof path, "/api/v1/keys/%s", argv[0]);
        return send_json(remote, "untrust", "DELETE", path, NULL);
    }
    if (strcmp(command, "settings") == 0)
        return cli_remote_settings(remote, argc, argv);
    if (strcmp(command, "auth-header") == 0) {
        if (argc < 2 || argc > 3) {
            fprintf(stderr, "usage: airswd --device URL auth-header METHOD PATH [BODY-FILE]\n");
            return 2;
        }
        if (!remote->has_passphrase) {
            fprintf(stderr, "airswd: auth-header needs the admin passphrase: --passphrase-file FILE or "
                            "AIRSWD_PASSPHRASE\n");
            return 2;
        }
        struct http_client_body body = {0};
        if (argc == 3 && (!remote_file_readable(argv[2]) || (body.file = fopen(argv[2], "rb")) == NULL))
            return 2;
        char value[SECURE_AUTH_HEADER_MAX + 1];
        bool ok = remote_authorization(remote, argv[0], argv[1], argc == 3 ? &body : NULL, value, sizeof value);
        if (body.file)
            fclose(body.file);
        if (!ok)
            return 1;
        if (remote->json)
            printf("{\"ok\":true,\"authorization\":\"%s\"}\n", value);
        else
            printf("Authorization: %s\n", value);
        return 0;
    }
    return -1;
}
