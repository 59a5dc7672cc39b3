/*
 * cli_remote_image_key.c - `airswd --device URL image-key KEY.hex`: installs or replaces the device's key of
 * encrypted containers after setup (PUT /api/v1/image-key, signed), so that an owner who set the device up without
 * one, or who changes it, does not need a factory reset.
 */
#define _POSIX_C_SOURCE 200809L
#include "remote.h"

#include <stdio.h>
#include <string.h>

#include "secure/secure_auth.h"

int cli_remote_image_key(struct remote *remote, const char *command, int argc, char **argv)
{
    if (strcmp(command, "image-key") != 0)
        return -1;
    if (argc != 1) {
        fprintf(stderr, "usage: airswd --device URL image-key KEY.hex   (32 hex digits, as `airswd keygen --aes` "
                        "writes)\n");
        return 2;
    }
    char hex[REMOTE_IMAGE_KEY_HEX_SIZE], body[64];
    if (!remote_file_readable(argv[0]))
        return 2;
    if (!image_key_file(argv[0], hex))
        return 1;
    snprintf(body, sizeof body, "{\"image_key\":\"%s\"}", hex);
    struct http_client_body request = {.content_type = "application/json", .bytes = body, .len = strlen(body)};
    struct http_client_response response;
    bool reached = remote_request(remote, "PUT", "/api/v1/image-key", &request, &response);
    secure_auth_wipe(hex, sizeof hex);
    secure_auth_wipe(body, sizeof body);
    if (!reached)
        return 1;
    int status = 0;
    if (response.status != 200) {
        print_http_error(remote, "image-key", &response);
        status = 1;
    } else if (remote->json) {
        printf("%s\n", response.body);
    } else {
        printf("image key: installed; the device decrypts encrypted containers with it from now on\n");
    }
    http_client_response_free(&response);
    return status;
}
