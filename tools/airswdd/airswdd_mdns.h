/*
 * airswdd_mdns.h - airswdd's mDNS responder (RFC 6762, DNS-SD RFC 6763): it answers PTR, SRV, TXT and A questions
 * for its instance of _http._tcp.local, with the TXT items path=/, api=/api/v1 and airswd=VERSION that `airswd
 * list` looks for. On the multicast group 224.0.0.251:5353 when the daemon listens on a LAN address, or on a UDP
 * port of --listen's address for unicast queries (--mdns-port). Names are not probed for conflicts (RFC 6762 §8.1):
 * the instance name is the host's, which the network already holds unique.
 */
#ifndef AIRSWDD_MDNS_H
#define AIRSWDD_MDNS_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dns_message.h"

/* What the responder announces. */
struct airswdd_mdns_identity {
    char instance[DNS_LABEL_MAX + 1]; /* the instance's label, also the host's: NAME */
    char host[DNS_LABEL_MAX + 7];     /* NAME.local */
    uint16_t http_port;
    const char *version;
};

/* The instance and host names from NAME (--hostname, else the host's name): its first label, with the control
 * characters and backslashes a label of this responder never holds; false when nothing is left. */
bool airswdd_mdns_identity_init(struct airswdd_mdns_identity *identity, const char *name, uint16_t http_port,
                                const char *version);

/* The answer to a query packet, into out: its length, 0 when there is nothing to answer (not a query, a question
 * about other names, a packet that does not parse). legacy: the query came from a port other than 5353, so the
 * answer repeats its ID and questions, with TTLs of 10 s and no cache-flush bit (RFC 6762 §6.7). *unicast: every
 * question answered asked for a unicast answer (QU). address: the A record's, in network order. */
size_t airswdd_mdns_answer(const struct airswdd_mdns_identity *identity, const uint8_t address[4], const uint8_t *query,
                           size_t len, bool legacy, bool *unicast, uint8_t *out, size_t size);
/* An unsolicited response with every record (RFC 6762 §8.3), or with TTL 0 (goodbye: §10.1). */
size_t airswdd_mdns_announcement(const struct airswdd_mdns_identity *identity, const uint8_t address[4], bool goodbye,
                                 uint8_t *out, size_t size);

/* The responder's thread. */
struct airswdd_mdns {
    struct airswdd_mdns_identity identity;
    uint32_t address; /* --listen's, host order; INADDR_ANY: the A record holds the address a query came to */
    bool multicast;   /* the group on port 5353, else unicast queries on port */
    uint16_t port;    /* unicast: --mdns-port (0: any), the bound one after open */
    int fd;
    pthread_t thread;
    atomic_bool quit; /* the only field the thread reads that another thread writes while it runs */
};
/* Opens the socket (and joins the group); prints why and returns false when it cannot. */
bool airswdd_mdns_open(struct airswdd_mdns *mdns);
bool airswdd_mdns_start(struct airswdd_mdns *mdns);
/* Says goodbye on the group, joins the thread, closes the socket. */
void airswdd_mdns_stop(struct airswdd_mdns *mdns);

#endif /* AIRSWDD_MDNS_H */
