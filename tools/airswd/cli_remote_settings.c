/*
 * cli_remote_settings.c - `airswd --device URL settings [KEY=VALUE...]`: the device's settings (GET, or PUT of those
 * given, /api/v1/settings) and the ids of the signing keys it trusts (GET /api/v1/device), so that a person never
 * has to write the API's JSON by hand.
 */
#define _POSIX_C_SOURCE 200809L
#include "remote.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The settings of docs/api.md a command line may change, and what each takes. */
static const struct {
    const char *key;
    bool number;         /* else true|false, or one of choices */
    const char *choices; /* "a|b|c": a JSON string, one of them */
} settings_keys[] = {
    {"swclk_hz", true, NULL},       {"connect_under_reset", false, NULL}, {"verify", false, NULL},
    {"debug", false, NULL},         {"public_status", false, NULL},       {"transport", false, "swd|uart|auto"},
};

/* value is one of "a|b|c". */
static bool is_choice(const char *value, const char *choices)
{
    size_t len = strlen(value);
    for (const char *c = choices; len > 0; c += strcspn(c, "|") + 1) {
        if (strncmp(c, value, len) == 0 && (c[len] == '|' || c[len] == '\0'))
            return true;
        if (c[strcspn(c, "|")] == '\0')
            break;
    }
    return false;
}

static int usage_settings(void)
{
    fprintf(stderr, "usage: airswd --device URL settings [KEY=VALUE...]   (swclk_hz=HZ, connect_under_reset=, "
                    "verify=, debug=, public_status=true|false, transport=swd|uart|auto)\n");
    return 2;
}

/* KEY=VALUE as a JSON member appended to body; false after saying what is wrong. */
static bool add_setting(const char *assignment, char *body, size_t size, size_t *len)
{
    const char *equals = strchr(assignment, '=');
    size_t key_len = equals ? (size_t)(equals - assignment) : 0;
    for (size_t i = 0; equals != NULL && i < sizeof settings_keys / sizeof settings_keys[0]; i++) {
        if (strlen(settings_keys[i].key) != key_len || strncmp(assignment, settings_keys[i].key, key_len) != 0)
            continue;
        const char *value = equals + 1;
        char *end;
        unsigned long number = strtoul(value, &end, 10);
        const char *choices = settings_keys[i].choices;
        bool valid = choices != NULL           ? is_choice(value, choices)
                     : settings_keys[i].number ? value[0] >= '1' && value[0] <= '9' && *end == '\0' &&
                                                     number <= 100000000
                                               : strcmp(value, "true") == 0 || strcmp(value, "false") == 0;
        if (!valid) {
            fprintf(stderr, "airswd: settings: %s takes %s, not '%s'\n", settings_keys[i].key,
                    choices != NULL ? choices : settings_keys[i].number ? "a frequency in Hz" : "true or false", value);
            return false;
        }
        const char *quote = choices != NULL ? "\"" : "";
        *len += (size_t)snprintf(body + *len, size - *len, "%s\"%s\":%s%s%s", *len > 1 ? "," : "",
                                 settings_keys[i].key, quote, value, quote);
        return *len < size;
    }
    fprintf(stderr, "airswd: settings: unknown setting '%s'\n", assignment);
    usage_settings();
    return false;
}

/* Each member of a flat JSON object on a line: "name  value". */
static void print_members(const char *object)
{
    const char *p = object != NULL && *object == '{' ? object + 1 : "";
    while (*p == '"') {
        const char *name = p + 1, *after = json_skip(p);
        const char *value = after + (*after == ':');
        const char *end = json_skip(value);
        printf("%-20.*s %.*s\n", (int)(after - 1 - name), name, (int)(end - value), value);
        p = end + (*end == ',');
    }
}

int cli_remote_settings(struct remote *remote, int argc, char **argv)
{
    char body[384] = "{";
    size_t len = 1;
    for (int i = 0; i < argc; i++)
        if (!add_setting(argv[i], body, sizeof body - 1, &len))
            return 2;
    snprintf(body + len, sizeof body - len, "}");
    struct http_client_body request = {.content_type = "application/json", .bytes = body, .len = strlen(body)};
    struct http_client_response settings, device;
    if (!remote_request(remote, argc > 0 ? "PUT" : "GET", "/api/v1/settings", argc > 0 ? &request : NULL, &settings))
        return 1;
    if (settings.status != 200) {
        print_http_error(remote, "settings", &settings);
        http_client_response_free(&settings);
        return 1;
    }
    bool have_device = remote_request(remote, "GET", "/api/v1/device", NULL, &device);
    char *policy = have_device && device.status == 200 ? json_object(device.body, "policy") : NULL;
    const char *keys = policy != NULL ? json_get(policy, "trusted_keys") : NULL;
    int keys_len = keys != NULL ? (int)(json_skip(keys) - keys) : 2;
    if (remote->json) {
        printf("{\"ok\":true,\"settings\":%s,\"trusted_keys\":%.*s}\n", settings.body, keys_len, keys ? keys : "[]");
    } else {
        print_members(settings.body);
        printf("%-20s %.*s\n", "trusted_keys", keys_len, keys ? keys : "[]");
    }
    free(policy);
    if (have_device)
        http_client_response_free(&device);
    http_client_response_free(&settings);
    return 0;
}
