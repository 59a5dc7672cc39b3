/*
 * airswdd_mdns.c - the mDNS responder's socket and thread (airswdd_mdns.h); what it answers is
 * airswdd_mdns_answer.c's. On the group it announces itself at start (twice, a second apart: RFC 6762 §8.3) when
 * --listen names one address, and says goodbye at stop.
 */
#define _GNU_SOURCE /* struct in_pktinfo */

#include "airswdd_mdns.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "mdns_browse.h"

#define MDNS_POLL_MS              200
#define MDNS_ANNOUNCE_INTERVAL_MS 1000

static struct sockaddr_in group_address(void)
{
    struct sockaddr_in group = {.sin_family = AF_INET, .sin_port = htons(MDNS_PORT)};
    inet_pton(AF_INET, MDNS_GROUP, &group.sin_addr);
    return group;
}

static bool set_option(int fd, int level, int name, const void *value, socklen_t len)
{
    return setsockopt(fd, level, name, value, len) == 0;
}

bool airswdd_mdns_open(struct airswdd_mdns *mdns)
{
    int one = 1;
    unsigned char ttl = 255; /* RFC 6762 §11: receivers may check that the packet comes from the local link */
    struct in_addr interface = {.s_addr = htonl(mdns->address)};
    struct sockaddr_in local = {.sin_family = AF_INET};
    if (mdns->multicast) {
        local.sin_addr.s_addr = htonl(INADDR_ANY); /* group packets are addressed to the group, not to us */
        local.sin_port = htons(MDNS_PORT);
    } else {
        local.sin_addr = interface;
        local.sin_port = htons(mdns->port);
    }
    mdns->fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    bool ok = mdns->fd >= 0 && set_option(mdns->fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof one);
    if (ok && mdns->multicast) { /* beside the host's own responder, which shares the port the same way */
        struct ip_mreq join = {.imr_interface = interface};
        join.imr_multiaddr = group_address().sin_addr;
        ok = set_option(mdns->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) &&
             set_option(mdns->fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) &&
             bind(mdns->fd, (const struct sockaddr *)&local, sizeof local) == 0 &&
             set_option(mdns->fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &join, sizeof join) &&
             set_option(mdns->fd, IPPROTO_IP, IP_MULTICAST_TTL, &ttl, sizeof ttl) &&
             set_option(mdns->fd, IPPROTO_IP, IP_TTL, &(int){255}, sizeof(int)) &&
             (mdns->address == INADDR_ANY ||
              set_option(mdns->fd, IPPROTO_IP, IP_MULTICAST_IF, &interface, sizeof interface));
    } else if (ok) {
        socklen_t len = sizeof local;
        ok = bind(mdns->fd, (const struct sockaddr *)&local, sizeof local) == 0 &&
             getsockname(mdns->fd, (struct sockaddr *)&local, &len) == 0;
        mdns->port = ntohs(local.sin_port);
    }
    if (!ok) {
        char address[INET_ADDRSTRLEN];
        inet_ntop(AF_INET, &local.sin_addr, address, sizeof address);
        fprintf(stderr, "airswdd: mDNS: cannot %s on %s:%u: %s\n", mdns->multicast ? "join " MDNS_GROUP : "listen",
                address, ntohs(local.sin_port), strerror(errno));
        if (mdns->fd >= 0)
            close(mdns->fd);
        mdns->fd = -1;
    }
    return ok;
}

static long long now_ms(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (long long)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

static void send_packet(int fd, const uint8_t *bytes, size_t len, const struct sockaddr_in *to)
{
    if (len > 0)
        (void)sendto(fd, bytes, len, 0, (const struct sockaddr *)to, sizeof *to);
}

/* The announcement on the group: only with an address of our own to announce. */
static void announce(struct airswdd_mdns *mdns, bool goodbye)
{
    static uint8_t packet[MDNS_PACKET_MAX];
    if (!mdns->multicast || mdns->address == INADDR_ANY)
        return;
    uint32_t address = htonl(mdns->address);
    struct sockaddr_in group = group_address();
    send_packet(mdns->fd, packet,
                airswdd_mdns_announcement(&mdns->identity, (const uint8_t *)&address, goodbye, packet, sizeof packet),
                &group);
}

/* One datagram: answered to its sender (a legacy or QU query, every unicast query) or on the group. */
static void answer_one(struct airswdd_mdns *mdns)
{
    static uint8_t query[MDNS_PACKET_MAX], answer[MDNS_PACKET_MAX];
    struct sockaddr_in from;
    union {
        struct cmsghdr header;
        uint8_t bytes[CMSG_SPACE(sizeof(struct in_pktinfo))];
    } control;
    struct iovec vector = {.iov_base = query, .iov_len = sizeof query};
    struct msghdr message = {.msg_name = &from,
                             .msg_namelen = sizeof from,
                             .msg_iov = &vector,
                             .msg_iovlen = 1,
                             .msg_control = control.bytes,
                             .msg_controllen = sizeof control.bytes};
    ssize_t got = recvmsg(mdns->fd, &message, MSG_DONTWAIT);
    if (got <= 0 || message.msg_namelen != sizeof from)
        return;
    /* The A record: --listen's address, or with every address (0.0.0.0) the one the query came to. */
    uint32_t address = htonl(mdns->address);
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&message); c != NULL && mdns->address == INADDR_ANY;
         c = CMSG_NXTHDR(&message, c)) {
        if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
            struct in_pktinfo info;
            memcpy(&info, CMSG_DATA(c), sizeof info);
            address = info.ipi_spec_dst.s_addr;
        }
    }
    if (address == htonl(INADDR_ANY))
        return;
    bool legacy = from.sin_port != htons(MDNS_PORT), unicast;
    size_t len = airswdd_mdns_answer(&mdns->identity, (const uint8_t *)&address, query, (size_t)got, legacy, &unicast,
                                     answer, sizeof answer);
    struct sockaddr_in group = group_address();
    send_packet(mdns->fd, answer, len, legacy || unicast || !mdns->multicast ? &from : &group);
}

static void *mdns_main(void *ctx)
{
    struct airswdd_mdns *mdns = ctx;
    unsigned announcements = 0;
    long long next_announcement = now_ms();
    while (!atomic_load(&mdns->quit)) {
        if (announcements < 2 && now_ms() >= next_announcement) {
            announce(mdns, false);
            announcements++;
            next_announcement = now_ms() + MDNS_ANNOUNCE_INTERVAL_MS;
        }
        struct pollfd watch = {.fd = mdns->fd, .events = POLLIN};
        if (poll(&watch, 1, MDNS_POLL_MS) > 0)
            answer_one(mdns);
    }
    announce(mdns, true);
    return NULL;
}

bool airswdd_mdns_start(struct airswdd_mdns *mdns)
{
    atomic_init(&mdns->quit, false);
    return pthread_create(&mdns->thread, NULL, mdns_main, mdns) == 0;
}

void airswdd_mdns_stop(struct airswdd_mdns *mdns)
{
    atomic_store(&mdns->quit, true);
    pthread_join(mdns->thread, NULL);
    close(mdns->fd);
    mdns->fd = -1;
}
