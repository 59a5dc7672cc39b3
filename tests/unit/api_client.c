/*
 * api_client.c - an in-process REST API client over a RAM-flash device (api_client.h).
 */
#include "api_client.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "secure/secure_auth.h"
#include "secure/secure_crypto.h"

static uint64_t now_us(void *ctx)
{
    struct api_client *client = ctx;
    return client->now_us += 10; /* time moves, a little, at every look */
}

static void delay_us(void *ctx, uint32_t us)
{
    struct api_client *client = ctx;
    client->now_us += us;
}

static bool yield(void *ctx)
{
    (void)ctx;
    return false;
}

/* Not secure: a test's nonces only need to differ. */
static void random_bytes(void *ctx, void *buf, size_t len)
{
    struct api_client *client = ctx;
    uint8_t *bytes = buf;
    for (size_t i = 0; i < len; i++) {
        client->random_state = client->random_state * 1103515245u + 12345u;
        bytes[i] = (uint8_t)(client->random_state >> 16);
    }
}

/* device_start over the client's storages, as they are. */
static void start_device(struct api_client *client)
{
    const struct device_config config = {
        .system = &client->system,
        .target = client->target,
        .target_name = client->target.swd != NULL ? "sim" : "none",
        .version = "test",
        .store_storage = &client->store.hal,
        .persist_storage = &client->persist.hal,
        .persist_sector_count = API_CLIENT_PERSIST_SECTORS,
        .board = client->board,
        .firmware = client->firmware,
    };
    struct status_report report = {0};
    if (device_start(&client->device, &config, &report) != STATUS_OK)
        abort();
}

static void start(struct api_client *client, const struct job_link *target, const struct api_board *board,
                  const struct firmware_update_port *firmware)
{
    memset(client, 0, sizeof *client);
    client->now_us = 1000000;
    client->random_state = 1;
    client->system = (struct hal_system){.ctx = client, .now_us = now_us, .delay_us = delay_us, .yield = yield,
                                         .random = random_bytes};
    client->target = target != NULL ? *target : (struct job_link){.system = &client->system};
    client->board = board;
    client->firmware = firmware;
    power_cut_storage_init(&client->store, client->store_bytes, 4096, API_CLIENT_STORE_SECTORS, 1);
    power_cut_storage_init(&client->persist, client->persist_bytes, 4096, API_CLIENT_PERSIST_SECTORS, 2);
    start_device(client);
}

void api_client_start(struct api_client *client, const struct api_board *board,
                      const struct firmware_update_port *firmware)
{
    start(client, NULL, board, firmware);
}

void api_client_start_with_target(struct api_client *client, const struct job_link *target)
{
    start(client, target, NULL, NULL);
}

void api_client_restart(struct api_client *client)
{
    power_cut_storage_restart(&client->store);
    power_cut_storage_restart(&client->persist);
    start_device(client);
}

static void receive(struct api_client_stream *stream)
{
    const uint8_t *bytes;
    size_t len;
    while (http_connection_output(&stream->conn, &bytes, &len)) {
        size_t room = sizeof stream->received - 1 - stream->received_len;
        size_t n = len < room ? len : room;
        memcpy(stream->received + stream->received_len, bytes, n);
        stream->received_len += n;
        http_connection_consumed(&stream->conn, len);
    }
    stream->received[stream->received_len] = '\0';
}

/* The answer's status line and body (Content-Length framing: the API's answers to these tests are short). */
static void parse(const struct api_client_stream *stream, struct api_client_response *response)
{
    memset(response, 0, sizeof *response);
    sscanf(stream->received, "HTTP/1.1 %d", &response->status);
    const char *body = strstr(stream->received, "\r\n\r\n");
    if (body != NULL)
        snprintf(response->body, sizeof response->body, "%s", body + 4);
}

void api_client_stream_open(struct api_client *client, struct api_client_stream *stream)
{
    http_connection_init(&stream->conn, &client->device.api.http, client->now_us);
    stream->received_len = 0;
    stream->received[0] = '\0';
}

void api_client_stream_send(struct api_client *client, struct api_client_stream *stream, const void *bytes,
                            size_t len)
{
    size_t done = 0;
    for (unsigned stalls = 0; done < len && stalls < 3;) {
        size_t used = http_connection_feed(&stream->conn, (const uint8_t *)bytes + done, len - done,
                                           client->now_us);
        done += used;
        receive(stream);
        stalls = used == 0 ? stalls + 1 : 0;
    }
}

void api_client_stream_close(struct api_client *client, struct api_client_stream *stream,
                             struct api_client_response *response)
{
    http_connection_end_of_input(&stream->conn, client->now_us);
    receive(stream);
    http_connection_close(&stream->conn);
    parse(stream, response);
}

static void exchange(struct api_client *client, const char *request, struct api_client_response *response)
{
    api_client_stream_open(client, &client->stream);
    api_client_stream_send(client, &client->stream, request, strlen(request));
    api_client_stream_close(client, &client->stream, response);
}

void api_client_authorization(struct api_client *client, const char *method, const char *path, const void *body,
                              size_t len, char *out, size_t size)
{
    struct api_client_response nonce;
    exchange(client, "GET /api/v1/auth/nonce HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n", &nonce);
    const char *at = strstr(nonce.body, "\"nonce\":\"");
    char nonce_hex[64] = "";
    if (at != NULL)
        sscanf(at + 9, "%32[0-9a-f]", nonce_hex);
    uint8_t digest[SECURE_SHA256_SIZE];
    secure_sha256(body, len, digest);
    if (!secure_auth_sign(client->admin_key, method, path, nonce_hex, digest, out, size))
        abort();
}

void api_client_request(struct api_client *client, const char *method, const char *path, const char *body,
                        bool sign, struct api_client_response *response)
{
    char auth[SECURE_AUTH_HEADER_MAX + 32] = "";
    if (sign && client->signing) {
        char value[SECURE_AUTH_HEADER_MAX + 1];
        api_client_authorization(client, method, path, body ? body : "", body ? strlen(body) : 0, value,
                                 sizeof value);
        snprintf(auth, sizeof auth, "Authorization: %s\r\n", value);
    }
    static char request[8192];
    char framing[96] = "";
    if (body != NULL)
        snprintf(framing, sizeof framing, "Content-Type: application/json\r\nContent-Length: %zu\r\n",
                 strlen(body));
    snprintf(request, sizeof request, "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n%s%s\r\n%s", method, path,
             auth, framing, body ? body : "");
    exchange(client, request, response);
}

void api_client_post_bytes(struct api_client *client, const char *path, const void *bytes, size_t len,
                           struct api_client_response *response)
{
    char auth[SECURE_AUTH_HEADER_MAX + 1];
    api_client_authorization(client, "POST", path, bytes, len, auth, sizeof auth);
    char head[1024];
    int n = snprintf(head, sizeof head,
                     "POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nAuthorization: %s\r\n"
                     "Content-Type: application/octet-stream\r\nContent-Length: %zu\r\n\r\n",
                     path, auth, len);
    api_client_stream_open(client, &client->stream);
    api_client_stream_send(client, &client->stream, head, (size_t)n);
    api_client_stream_send(client, &client->stream, bytes, len);
    api_client_stream_close(client, &client->stream, response);
}

void api_client_setup(struct api_client *client, const char *passphrase, struct api_client_response *response)
{
    /* The device keeps whatever K setup gives it; the clients' slow derivation (docs/auth.md) is theirs, and these
     * tests stand in for a client with a plain hash of the passphrase. The setup code is read where the port would
     * show it to the person holding the device. */
    secure_sha256((const uint8_t *)passphrase, strlen(passphrase), client->admin_key);
    const char *code = api_setup_code(&client->device.api);
    char body[160];
    int n = snprintf(body, sizeof body, "{\"setup_code\":\"%s\",\"admin_key\":\"", code != NULL ? code : "");
    for (int i = 0; i < 32; i++)
        n += snprintf(body + n, sizeof body - (size_t)n, "%02x", client->admin_key[i]);
    snprintf(body + n, sizeof body - (size_t)n, "\"}");
    api_client_request(client, "POST", "/api/v1/setup", body, false, response);
    client->signing = response->status == 200;
}
