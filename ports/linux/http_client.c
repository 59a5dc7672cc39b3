/*
 * http_client.c - the blocking HTTP/1.1 client (http_client.h).
 */
#define _POSIX_C_SOURCE 200809L
#include "http_client.h"

#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>

#define HTTP_CLIENT_TIMEOUT_MS 30000

bool http_url_parse(const char *url, struct http_url *parsed)
{
    memset(parsed, 0, sizeof *parsed);
    const char *scheme = "http://";
    if (strncmp(url, scheme, strlen(scheme)) != 0)
        return false;
    const char *host = url + strlen(scheme);
    size_t host_len;
    const char *rest;
    if (*host == '[') { /* [IPv6] */
        const char *close = strchr(host, ']');
        if (close == NULL)
            return false;
        host++;
        host_len = (size_t)(close - host);
        rest = close + 1;
    } else {
        host_len = strcspn(host, ":/");
        rest = host + host_len;
    }
    if (host_len == 0 || host_len >= sizeof parsed->host)
        return false;
    memcpy(parsed->host, host, host_len);
    strcpy(parsed->port, "80");
    if (*rest == ':') {
        rest++;
        size_t port_len = strcspn(rest, "/");
        char *end;
        unsigned long port = strtoul(rest, &end, 10);
        if (port_len == 0 || end != rest + port_len || port == 0 || port > 65535)
            return false;
        snprintf(parsed->port, sizeof parsed->port, "%lu", port);
        rest += port_len;
    }
    size_t prefix_len = strlen(rest);
    while (prefix_len > 0 && rest[prefix_len - 1] == '/')
        prefix_len--;
    if (prefix_len >= sizeof parsed->prefix)
        return false;
    memcpy(parsed->prefix, rest, prefix_len);
    return true;
}

static int connect_to(const struct http_url *url, char *error, size_t error_size)
{
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM}, *found;
    int rc = getaddrinfo(url->host, url->port, &hints, &found);
    if (rc != 0) {
        snprintf(error, error_size, "%s", gai_strerror(rc));
        return -1;
    }
    int fd = -1, last_errno = 0;
    for (struct addrinfo *each = found; each != NULL && fd < 0; each = each->ai_next) {
        fd = socket(each->ai_family, each->ai_socktype, each->ai_protocol);
        if (fd < 0) {
            last_errno = errno;
            continue;
        }
        if (connect(fd, each->ai_addr, each->ai_addrlen) != 0) {
            last_errno = errno;
            close(fd);
            fd = -1;
        }
    }
    freeaddrinfo(found);
    if (fd < 0)
        snprintf(error, error_size, "%s", strerror(last_errno));
    return fd;
}

static bool send_all(int fd, const void *bytes, size_t len)
{
    const uint8_t *at = bytes;
    while (len > 0) {
        ssize_t sent = send(fd, at, len, MSG_NOSIGNAL);
        if (sent < 0 && errno == EINTR)
            continue;
        if (sent <= 0)
            return false;
        at += sent;
        len -= (size_t)sent;
    }
    return true;
}

/* Reads what is there, waiting up to timeout_ms: the count, 0 at the close, -1 on an error or the timeout. */
static ssize_t recv_some(int fd, void *buffer, size_t size, int timeout_ms)
{
    struct pollfd pfd = {.fd = fd, .events = POLLIN};
    for (;;) {
        int ready = poll(&pfd, 1, timeout_ms);
        if (ready < 0 && errno == EINTR)
            continue;
        if (ready <= 0)
            return -1;
        ssize_t got = recv(fd, buffer, size, 0);
        if (got < 0 && errno == EINTR)
            continue;
        return got;
    }
}

/* A growing byte buffer, never larger than the largest answer the client takes. */
struct bytes {
    uint8_t *data;
    size_t len, cap;
};

static bool bytes_append(struct bytes *b, const void *more, size_t len)
{
    const size_t limit = HTTP_CLIENT_HEAD_MAX + HTTP_CLIENT_BODY_MAX;
    if (len > limit - b->len)
        return false;
    if (b->len + len > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->len + len)
            cap *= 2;
        uint8_t *grown = realloc(b->data, cap);
        if (grown == NULL)
            return false;
        b->data = grown;
        b->cap = cap;
    }
    memcpy(b->data + b->len, more, len);
    b->len += len;
    return true;
}

/* Reads until the connection closes (Connection: close was asked), refusing the answer as soon as its head can be,
 * then takes it apart. */
static bool read_response(int fd, struct http_client_response *response, char *error, size_t error_size)
{
    struct bytes raw = {0};
    uint8_t chunk[4096];
    bool head_complete = false, ok = true;
    while (ok) {
        ssize_t got = recv_some(fd, chunk, sizeof chunk, HTTP_CLIENT_TIMEOUT_MS);
        if (got < 0) {
            ok = false;
            snprintf(error, error_size, "no answer (timeout or connection reset)");
        } else if (got == 0) {
            break;
        } else if (!bytes_append(&raw, chunk, (size_t)got)) {
            ok = false;
            snprintf(error, error_size, "the answer is larger than the %u MiB this client takes",
                     (unsigned)(HTTP_CLIENT_BODY_MAX >> 20));
        } else if (!head_complete) {
            ok = http_client_answer_check(raw.data, raw.len, &head_complete, error, error_size);
        }
    }
    ok = ok && http_client_parse_response(raw.data ? raw.data : (const uint8_t *)"", raw.len, response, error,
                                          error_size);
    free(raw.data);
    return ok;
}

bool http_client_request(const struct http_url *url, const char *method, const char *path, const char *authorization,
                         const struct http_client_body *body, struct http_client_response *response, char *error,
                         size_t error_size)
{
    memset(response, 0, sizeof *response);
    long length = 0;
    if (body && body->file) {
        if (fseek(body->file, 0, SEEK_END) != 0 || (length = ftell(body->file)) < 0 ||
            fseek(body->file, 0, SEEK_SET) != 0) {
            snprintf(error, error_size, "cannot read the file to send");
            return false;
        }
    } else if (body) {
        length = (long)body->len;
    }
    int fd = connect_to(url, error, error_size);
    if (fd < 0)
        return false;
    char head[1024];
    int head_len = snprintf(head, sizeof head,
                            "%s %s%s HTTP/1.1\r\nHost: %s:%s\r\nUser-Agent: airswd\r\nAccept: application/json\r\n"
                            "Connection: close\r\n",
                            method, url->prefix, path, url->host, url->port);
    if (authorization)
        head_len += snprintf(head + head_len, sizeof head - (size_t)head_len, "Authorization: %s\r\n", authorization);
    if (body)
        head_len += snprintf(head + head_len, sizeof head - (size_t)head_len,
                             "Content-Type: %s\r\nContent-Length: %ld\r\n",
                             body->content_type ? body->content_type : "application/octet-stream", length);
    else if (strcmp(method, "POST") == 0 || strcmp(method, "PUT") == 0)
        head_len += snprintf(head + head_len, sizeof head - (size_t)head_len, "Content-Length: 0\r\n");
    head_len += snprintf(head + head_len, sizeof head - (size_t)head_len, "\r\n");
    bool ok = head_len < (int)sizeof head && send_all(fd, head, (size_t)head_len);
    if (ok && body && body->file) {
        char buffer[8192];
        size_t got;
        while (ok && (got = fread(buffer, 1, sizeof buffer, body->file)) > 0)
            ok = send_all(fd, buffer, got);
    } else if (ok && body && body->len) {
        ok = send_all(fd, body->bytes, body->len);
    }
    /* A server may answer (413, 409) and close before it took the whole body: its answer still counts. */
    ok = read_response(fd, response, error, error_size);
    close(fd);
    return ok;
}
