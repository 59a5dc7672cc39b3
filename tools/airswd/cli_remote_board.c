/*
 * cli_remote_board.c - the programmer itself, through `airswd --device URL`: its own firmware (update-firmware, a
 * container signed with `airswd sign --target esp8266`) and its board settings (board: WiFi network and pins).
 */
#define _POSIX_C_SOURCE 200809L
#include "remote.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int update_firmware(struct remote *remote, int argc, char **argv)
{
    if (argc != 1) {
        fprintf(stderr, "usage: airswd --device URL update-firmware FIRMWARE.airswd   (airswd sign --target esp8266)\n");
        return 2;
    }
    FILE *file = remote_file_readable(argv[0]) ? fopen(argv[0], "rb") : NULL;
    if (file == NULL)
        return 2;
    struct http_client_body body = {.content_type = "application/octet-stream", .file = file};
    struct http_client_response response;
    bool reached = remote_request(remote, "POST", "/api/v1/firmware", &body, &response);
    fclose(file);
    if (!reached)
        return 1;
    int status = 0;
    if (response.status != 200) {
        print_http_error(remote, "update-firmware", &response);
        status = 1;
    } else if (remote->json) {
        cli_json_body(response.body);
    } else {
        printf("firmware: security version %llu, %llu bytes, checked by the device; %s\n",
               json_u64_or(response.body, "security_version", 0), json_u64_or(response.body, "size", 0),
               json_true(response.body, "restarting")
                   ? "it restarts into it, which must confirm itself within a minute or the previous firmware "
                     "comes back"
                   : "kept in its update slot");
    }
    http_client_response_free(&response);
    return status;
}

/* board [--wifi SSID] [--wifi-password-file FILE] [--pin-swclk N] [--pin-swdio N] [--pin-nrst N|none]
 * [--pin-boot0 N|none]: shows the board's settings, after changing those given. */
static int board(struct remote *remote, int argc, char **argv)
{
    static const char *const pins[] = {"swclk", "swdio", "nrst", "boot0"};
    char body[512];
    size_t n = 0;
    for (int i = 0; i < argc; i++) {
        const char *arg = argv[i], *value = i + 1 < argc ? argv[i + 1] : NULL;
        bool known = false;
        if (value != NULL && strcmp(arg, "--wifi") == 0 && strlen(value) <= 32 && strchr(value, '"') == NULL &&
            strchr(value, '\\') == NULL) {
            n += (size_t)snprintf(body + n, sizeof body - n, "%s\"wifi_ssid\":\"%s\"", n ? "," : "{", value);
            known = true;
        } else if (value != NULL && strcmp(arg, "--wifi-password-file") == 0) {
            char password[80] = "";
            FILE *file = fopen(value, "r");
            bool ok = file != NULL && fgets(password, sizeof password, file) != NULL;
            if (file)
                fclose(file);
            password[strcspn(password, "\r\n")] = '\0';
            if (!ok || strlen(password) > 64 || strchr(password, '"') || strchr(password, '\\')) {
                fprintf(stderr, "airswd: %s must hold the WiFi password (up to 64 characters, no quotes) on its "
                                "first line\n", value);
                return 2;
            }
            n += (size_t)snprintf(body + n, sizeof body - n, "%s\"wifi_password\":\"%s\"", n ? "," : "{", password);
            memset(password, 0, sizeof password);
            known = true;
        }
        for (size_t p = 0; value != NULL && !known && p < sizeof pins / sizeof pins[0]; p++) {
            char option[16];
            snprintf(option, sizeof option, "--pin-%s", pins[p]);
            char *end;
            long gpio = strtol(value, &end, 10);
            if (strcmp(arg, option) != 0 || (strcmp(value, "none") != 0 && (*end != '\0' || gpio < 0 || gpio > 16)))
                continue;
            if (strcmp(value, "none") == 0)
                n += (size_t)snprintf(body + n, sizeof body - n, "%s\"pin_%s\":null", n ? "," : "{", pins[p]);
            else
                n += (size_t)snprintf(body + n, sizeof body - n, "%s\"pin_%s\":%ld", n ? "," : "{", pins[p], gpio);
            known = true;
        }
        if (!known) {
            fprintf(stderr, "usage: airswd --device URL board [--wifi SSID] [--wifi-password-file FILE] "
                            "[--pin-swclk N] [--pin-swdio N] [--pin-nrst N|none] [--pin-boot0 N|none]\n");
            return 2;
        }
        i++;
    }
    struct http_client_body request = {.content_type = "application/json", .bytes = body};
    if (n > 0) {
        snprintf(body + n, sizeof body - n, "}");
        request.len = strlen(body);
    }
    struct http_client_response response;
    bool reached = remote_request(remote, n > 0 ? "PUT" : "GET", "/api/v1/board", n > 0 ? &request : NULL, &response);
    memset(body, 0, sizeof body);
    if (!reached)
        return 1;
    int status = 0;
    if (response.status != 200) {
        print_http_error(remote, "board", &response);
        status = 1;
    } else if (remote->json) {
        cli_json_body(response.body);
    } else {
        printf("%s\n", response.body);
    }
    http_client_response_free(&response);
    return status;
}

int cli_remote_board(struct remote *remote, const char *command, int argc, char **argv)
{
    if (strcmp(command, "update-firmware") == 0)
        return update_firmware(remote, argc, argv);
    if (strcmp(command, "board") == 0)
        return board(remote, argc, argv);
    return -1;
}
