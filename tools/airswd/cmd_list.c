/*
 * cmd_list.c - `airswd list [--timeout SECONDS] [--mdns-server ADDRESS:PORT]`: the airswd devices of the local
 * network, found by mDNS. One one-shot query (RFC 6762 §5.1) for _http._tcp.local goes from an ephemeral port to
 * the multicast group, so that responders answer by unicast to that port; what the answers leave out (an SRV, a
 * TXT, an address) is asked for while the answers are collected. Only instances whose TXT holds airswd=VERSION are
 * listed (the ESP8266 and airswdd announce it).
 */
#define _DEFAULT_SOURCE /* getentropy */

#include "cli.h"
#include "mdns_browse.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define LIST_TIMEOUT_MS_DEFAULT 2000
#define LIST_TIMEOUT_MS_MAX     60000
#define LIST_DEVICES_MAX        MDNS_BROWSE_INSTANCES

static struct mdns_browse browse; /* large: one browse per run */

static long long now_ms(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (long long)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

/* --mdns-server ADDRESS:PORT: an IPv4 address and a port from 1 to 65535. */
static bool parse_server(const char *text, struct sockaddr_in *server)
{
    const char *colon = strrchr(text, ':');
    char host[INET_ADDRSTRLEN];
    size_t host_len = colon != NULL ? (size_t)(colon - text) : 0;
    char *end = NULL;
    unsigned long port = colon != NULL ? strtoul(colon + 1, &end, 10) : 0;
    memset(server, 0, sizeof *server);
    server->sin_family = AF_INET;
    if (colon == NULL || host_len == 0 || host_len >= sizeof host || end == colon + 1 || *end != '\0' || port == 0 ||
        port > 65535)
        return false;
    memcpy(host, text, host_len);
    host[host_len] = '\0';
    server->sin_port = htons((uint16_t)port);
    return inet_pton(AF_INET, host, &server->sin_addr) == 1;
}

static bool parse_timeout(const char *text, int *timeout_ms)
{
    char *end;
    double seconds = strtod(text, &end);
    if (end == text || *end != '\0' || !(seconds > 0) || seconds * 1000 > LIST_TIMEOUT_MS_MAX)
        return false;
    *timeout_ms = (int)(seconds * 1000 + 0.5);
    return *timeout_ms > 0;
}

static bool send_to(int fd, const uint8_t *bytes, size_t len, const struct sockaddr_in *to)
{
    return len > 0 && sendto(fd, bytes, len, 0, (const struct sockaddr *)to, sizeof *to) == (ssize_t)len;
}

/* Sends what the answers so far leave out. */
static void ask_follow_ups(int fd, const struct sockaddr_in *to)
{
    uint8_t query[512];
    size_t len;
    while ((len = mdns_browse_follow_up(&browse, query, sizeof query)) != 0)
        (void)send_to(fd, query, len, to);
}

/* Answers from where the query went: with --mdns-server, that address and port; on the group, any responder,
 * whose answers come from port 5353 (RFC 6762 §6). */
static bool from_expected(const struct sockaddr_in *from, const struct sockaddr_in *to, bool unicast)
{
    if (unicast)
        return from->sin_addr.s_addr == to->sin_addr.s_addr && from->sin_port == to->sin_port;
    return from->sin_port == htons(MDNS_PORT);
}

/* Collects answers for timeout_ms; the query is sent again halfway, for a responder that missed it. */
static void collect(int fd, const struct sockaddr_in *to, bool unicast, int timeout_ms, const uint8_t *query,
                    size_t query_len)
{
    long long start = now_ms(), deadline = start + timeout_ms, again = start + timeout_ms / 2;
    static uint8_t packet[MDNS_PACKET_MAX];
    for (long long now = start; now < deadline; now = now_ms()) {
        if (again != 0 && now >= again) {
            (void)send_to(fd, query, query_len, to);
            again = 0;
        }
        long long wait = (again != 0 ? again : deadline) - now;
        struct pollfd watch = {.fd = fd, .events = POLLIN};
        if (poll(&watch, 1, (int)(wait > 0 ? wait : 0)) <= 0)
            continue;
        struct sockaddr_in from;
        socklen_t from_len = sizeof from;
        ssize_t got = recvfrom(fd, packet, sizeof packet, 0, (struct sockaddr *)&from, &from_len);
        if (got <= 0 || from_len != sizeof from || !from_expected(&from, to, unicast))
            continue;
        mdns_browse_take(&browse, packet, (size_t)got);
        ask_follow_ups(fd, to);
    }
}

static void device_url(const struct mdns_device *device, char *url, size_t size)
{
    snprintf(url, size, "http://%u.%u.%u.%u:%u", device->address[0], device->address[1], device->address[2],
             device->address[3], device->port);
}

static void print_devices(const struct mdns_device *devices, unsigned count, bool json)
{
    char url[64];
    if (json)
        printf("{\"ok\":true,\"devices\":[");
    for (unsigned i = 0; i < count; i++) {
        device_url(&devices[i], url, sizeof url);
        if (!json) {
            printf("%-24s %-32s %-26s %s\n", devices[i].name, devices[i].host, url, devices[i].version);
            continue;
        }
        printf("%s{\"name\":", i > 0 ? "," : "");
        cli_json_string(devices[i].name);
        printf(",\"host\":");
        cli_json_string(devices[i].host);
        printf(",\"url\":");
        cli_json_string(url);
        printf(",\"version\":");
        cli_json_string(devices[i].version);
        printf("}");
    }
    if (json)
        printf("]}\n");
}

int cmd_list(const struct cli_options *options, int argc, char **argv)
{
    int timeout_ms = LIST_TIMEOUT_MS_DEFAULT;
    const char *server_text = NULL;
    struct sockaddr_in to;
    for (int i = 0; i < argc; i++) {
        bool has_value = i + 1 < argc;
        if (strcmp(argv[i], "--timeout") == 0 && has_value) {
            if (!parse_timeout(argv[++i], &timeout_ms)) {
                fprintf(stderr,
                        "airswd: list --timeout takes seconds, more than 0 and at most %d (such as 2 or "
                        "0.5), not '%s'\n",
                        LIST_TIMEOUT_MS_MAX / 1000, argv[i]);
                return 2;
            }
        } else if (strcmp(argv[i], "--mdns-server") == 0 && has_value) {
            server_text = argv[++i];
            if (!parse_server(server_text, &to)) {
                fprintf(stderr,
                        "airswd: list --mdns-server takes an IPv4 ADDRESS:PORT such as 192.168.1.20:5353, "
                        "not '%s'\n",
                        server_text);
                return 2;
            }
        } else {
            fprintf(stderr, "airswd: list: unexpected '%s' (airswd list --help)\n", argv[i]);
            return 2;
        }
    }
    bool unicast = server_text != NULL;
    if (!unicast) {
        memset(&to, 0, sizeof to);
        to.sin_family = AF_INET;
        to.sin_port = htons(MDNS_PORT);
        inet_pton(AF_INET, MDNS_GROUP, &to.sin_addr);
    }
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    unsigned char ttl = 255; /* RFC 6762 §11: receivers may check that mDNS packets come from the local link */
    struct sockaddr_in any = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_ANY)};
    if (fd < 0 || bind(fd, (const struct sockaddr *)&any, sizeof any) != 0 ||
        (!unicast && setsockopt(fd, IPPROTO_IP, IP_MULTICAST_TTL, &ttl, sizeof ttl) != 0)) {
        fprintf(stderr, "airswd: list: cannot open a UDP socket: %s\n", strerror(errno));
        if (fd >= 0)
            close(fd);
        return 1;
    }
    uint16_t id;
    if (getentropy(&id, sizeof id) != 0)
        id = (uint16_t)(getpid() ^ now_ms());
    mdns_browse_init(&browse, id != 0 ? id : 1); /* 0 is what multicast answers carry */
    uint8_t query[512];
    size_t query_len = mdns_browse_query(&browse, query, sizeof query);
    const char *where = unicast ? server_text : MDNS_GROUP ":5353";
    if (!send_to(fd, query, query_len, &to)) {
        fprintf(stderr, "airswd: list: cannot send the mDNS query to %s: %s%s\n", where, strerror(errno),
                unicast ? "" : " (no network with multicast here? --mdns-server ADDRESS:PORT asks one responder)");
        close(fd);
        return 1;
    }
    collect(fd, &to, unicast, timeout_ms, query, query_len);
    close(fd);
    static struct mdns_device devices[LIST_DEVICES_MAX];
    unsigned count = mdns_browse_devices(&browse, devices, LIST_DEVICES_MAX);
    print_devices(devices, count, options->json);
    if (count == 0)
        fprintf(stderr, "airswd: no airswd device answered on %s within %g s (%s)\n", where, timeout_ms / 1000.0,
                unicast ? "is the responder there, and is it an airswd device?"
                        : "a network that filters multicast hides them: airswd --device http://ADDRESS:PORT "
                          "reaches a device by its address");
    return 0;
}
