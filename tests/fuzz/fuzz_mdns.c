/*
 * fuzz_mdns.c - a packet from the network into both ends of mDNS: `airswd list`'s browser (tools/airswd/mdns_browse.c,
 * as the answer to a query with the packet's own ID, so that the ID check lets it in) and airswdd's responder
 * (tools/airswdd/airswdd_mdns_answer.c, as a legacy query and as a multicast one), both over the reader of
 * tools/airswd/dns_message.c. Checks: no read outside the bytes; what the browser keeps and lists stays inside its
 * tables, with names and versions of printable characters that fit; its follow-up queries and the responder's
 * answers parse whole again with the same reader, the answers as responses that repeat a legacy query's ID.
 */
#define _POSIX_C_SOURCE 200809L /* strnlen */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "airswdd_mdns.h"
#include "dns_message.h"
#include "mdns_browse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_printable(const char *text, size_t size)
{
    size_t len = strnlen(text, size);
    if (len == size)
        abort();
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)text[i] < 0x20 || text[i] == 0x7F)
            abort();
}

/* A message this code wrote: it parses whole, every record inside it. */
static void check_parses(const uint8_t *packet, size_t len, bool response)
{
    struct dns_reader reader;
    struct dns_header header;
    if (!dns_read_header(&reader, packet, len, &header) || ((header.flags & DNS_FLAG_RESPONSE) != 0) != response)
        abort();
    for (unsigned i = 0; i < header.questions; i++) {
        struct dns_question question;
        if (!dns_read_question(&reader, &question))
            abort();
    }
    for (unsigned i = 0; i < (unsigned)header.answers + header.additionals; i++) {
        struct dns_record record;
        if (!dns_read_record(&reader, &record))
            abort();
    }
    if (reader.pos != len)
        abort();
}

static void browse_packet(const uint8_t *data, size_t size)
{
    static struct mdns_browse browse;
    static struct mdns_device devices[MDNS_BROWSE_INSTANCES];
    static uint8_t query[512];
    mdns_browse_init(&browse, size >= 2 ? (uint16_t)(data[0] << 8 | data[1]) : 1);
    mdns_browse_take(&browse, data, size);
    if (browse.instance_count > MDNS_BROWSE_INSTANCES || browse.host_count > MDNS_BROWSE_HOSTS)
        abort();
    size_t len;
    while ((len = mdns_browse_follow_up(&browse, query, sizeof query)) != 0)
        check_parses(query, len, false);
    unsigned count = mdns_browse_devices(&browse, devices, MDNS_BROWSE_INSTANCES);
    for (unsigned i = 0; i < count; i++) {
        check_printable(devices[i].name, sizeof devices[i].name);
        check_printable(devices[i].host, sizeof devices[i].host);
        check_printable(devices[i].version, sizeof devices[i].version);
        if (devices[i].name[0] == '\0' || devices[i].version[0] == '\0' || devices[i].port == 0)
            abort();
    }
}

static void answer_packet(const uint8_t *data, size_t size)
{
    static uint8_t answer[MDNS_PACKET_MAX];
    static const uint8_t address[4] = {192, 168, 1, 20};
    struct airswdd_mdns_identity identity;
    if (!airswdd_mdns_identity_init(&identity, "bench", 8080, "0.4.0"))
        abort();
    for (int legacy = 0; legacy < 2; legacy++) {
        bool unicast;
        size_t len = airswdd_mdns_answer(&identity, address, data, size, legacy, &unicast, answer, sizeof answer);
        if (len == 0)
            continue;
        check_parses(answer, len, true);
        if (legacy && (size < 2 || memcmp(answer, data, 2) != 0))
            abort(); /* a legacy answer repeats the query's ID */
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    browse_packet(data, size);
    answer_packet(data, size);
    return 0;
}
