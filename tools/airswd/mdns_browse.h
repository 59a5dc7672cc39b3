/*
 * mdns_browse.h - what `airswd list` learns from mDNS answers (RFC 6762, DNS-SD RFC 6763): the instances of
 * _http._tcp.local, their SRV, TXT and the A records of their hosts, joined into the airswd devices found. Sockets
 * are the command's (cmd_list.c); this part only reads packets and writes queries, so that it can be fuzzed.
 */
#ifndef AIRSWD_MDNS_BROWSE_H
#define AIRSWD_MDNS_BROWSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dns_message.h"

#define MDNS_SERVICE       "_http._tcp.local"
#define MDNS_SERVICE_TYPES "_services._dns-sd._udp.local" /* service type enumeration (RFC 6763 §9) */
#define MDNS_PORT          5353
#define MDNS_GROUP         "224.0.0.251"
#define MDNS_PACKET_MAX    9000 /* the largest mDNS message (RFC 6762 §17) */
/* The TXT item that marks an airswd device, with its version: airswd=0.4.0. */
#define MDNS_TXT_AIRSWD  "airswd"
#define MDNS_VERSION_MAX 32
/* What one run keeps, whatever arrives: a flood of answers fills these and the rest is dropped. */
#define MDNS_BROWSE_INSTANCES 64
#define MDNS_BROWSE_HOSTS     64

struct mdns_instance {
    char name[DNS_NAME_MAX]; /* LABEL._http._tcp.local */
    bool pointed;            /* a PTR of the service named it */
    bool has_srv, has_txt, airswd;
    uint16_t port;
    char host[DNS_NAME_MAX];
    char version[MDNS_VERSION_MAX];
    bool asked_srv_txt, asked_a; /* follow-up queries sent */
};

struct mdns_host {
    char name[DNS_NAME_MAX];
    uint8_t address[4];
};

struct mdns_browse {
    uint16_t query_id;
    struct mdns_instance instances[MDNS_BROWSE_INSTANCES];
    unsigned instance_count;
    struct mdns_host hosts[MDNS_BROWSE_HOSTS];
    unsigned host_count;
};

/* An airswd device found: an instance with its SRV, a TXT that holds airswd=VERSION and its host's address, its
 * names in UTF-8 without control characters, its version in printable ASCII. */
struct mdns_device {
    char name[DNS_LABEL_MAX + 1]; /* the instance's own label */
    char host[DNS_NAME_MAX];
    uint8_t address[4];
    uint16_t port;
    char version[MDNS_VERSION_MAX];
};

void mdns_browse_init(struct mdns_browse *browse, uint16_t query_id);
/* The one-shot PTR query for _http._tcp.local (QU bit off); its length, 0 when size is too small. */
size_t mdns_browse_query(const struct mdns_browse *browse, uint8_t *buf, size_t size);
/* Takes what a response says. A packet that is not a response to this query, or that does not parse whole (a name,
 * a record or a record's data that lies), is dropped whole: nothing of it is kept. */
void mdns_browse_take(struct mdns_browse *browse, const uint8_t *packet, size_t len);
/* The next query for what the answers left out (an instance's SRV and TXT, a host's A), marked as asked so that it
 * is sent once; its length, 0 when nothing is missing. */
size_t mdns_browse_follow_up(struct mdns_browse *browse, uint8_t *buf, size_t size);
/* The devices found, sorted by name; how many (at most max). */
unsigned mdns_browse_devices(const struct mdns_browse *browse, struct mdns_device *devices, unsigned max);

#endif /* AIRSWD_MDNS_BROWSE_H */
