/*
 * airswdd_mdns_answer.c - what airswdd's mDNS responder answers (airswdd_mdns.h), without sockets, so that it can
 * be fuzzed: queries are read with the reader of dns_message.c, which takes hostile packets.
 */
#include "airswdd_mdns.h"

#include <stdio.h>
#include <string.h>

#include "mdns_browse.h"

/* TTLs of RFC 6762 §10: records that name a host, 120 s; the others, 75 minutes; legacy answers, 10 s at most. */
#define TTL_HOST_RECORDS  120u
#define TTL_OTHER_RECORDS 4500u
#define TTL_LEGACY        10u
/* At most this many questions are read from one query. */
#define QUESTIONS_MAX 16u

enum record_bit {
    RECORD_PTR = 1u << 0,          /* _http._tcp.local -> the instance */
    RECORD_SRV = 1u << 1,          /* the instance -> host and port */
    RECORD_TXT = 1u << 2,          /* the instance -> path, api, airswd */
    RECORD_A = 1u << 3,            /* the host -> address */
    RECORD_SERVICE_TYPE = 1u << 4, /* _services._dns-sd._udp.local -> _http._tcp.local */
};

bool airswdd_mdns_identity_init(struct airswdd_mdns_identity *identity, const char *name, uint16_t http_port,
                                const char *version)
{
    memset(identity, 0, sizeof *identity);
    size_t len = 0;
    for (const char *c = name; *c != '\0' && *c != '.' && len < DNS_LABEL_MAX; c++)
        if ((unsigned char)*c >= 0x20 && *c != 0x7F && *c != '\\')
            identity->instance[len++] = *c;
    identity->instance[len] = '\0';
    snprintf(identity->host, sizeof identity->host, "%s.local", identity->instance);
    identity->http_port = http_port;
    identity->version = version;
    return len > 0;
}

/* The record of bit, with the instance's names. */
static void put_record(struct dns_writer *writer, const struct airswdd_mdns_identity *identity,
                       const uint8_t address[4], unsigned bit, bool legacy, bool goodbye)
{
    /* Unique records carry the cache-flush bit, but not in a legacy answer (RFC 6762 §10.2). */
    uint16_t unique_class = DNS_CLASS_IN | (legacy ? 0u : DNS_CLASS_TOP_BIT);
    uint32_t host_ttl = goodbye ? 0 : legacy ? TTL_LEGACY : TTL_HOST_RECORDS;
    uint32_t other_ttl = goodbye ? 0 : legacy ? TTL_LEGACY : TTL_OTHER_RECORDS;
    size_t begun;
    switch (bit) {
    case RECORD_PTR:
        begun = dns_record_begin(writer, NULL, MDNS_SERVICE, DNS_TYPE_PTR, DNS_CLASS_IN, other_ttl);
        dns_put_name(writer, identity->instance, MDNS_SERVICE);
        break;
    case RECORD_SRV:
        begun = dns_record_begin(writer, identity->instance, MDNS_SERVICE, DNS_TYPE_SRV, unique_class, host_ttl);
        dns_put_u16(writer, 0); /* priority */
        dns_put_u16(writer, 0); /* weight */
        dns_put_u16(writer, identity->http_port);
        dns_put_name(writer, NULL, identity->host);
        break;
    case RECORD_TXT: {
        begun = dns_record_begin(writer, identity->instance, MDNS_SERVICE, DNS_TYPE_TXT, unique_class, other_ttl);
        char airswd[sizeof MDNS_TXT_AIRSWD + MDNS_VERSION_MAX];
        snprintf(airswd, sizeof airswd, "%s=%s", MDNS_TXT_AIRSWD, identity->version);
        dns_put_txt_item(writer, "path=/");
        dns_put_txt_item(writer, "api=/api/v1");
        dns_put_txt_item(writer, airswd);
        break;
    }
    case RECORD_A:
        begun = dns_record_begin(writer, NULL, identity->host, DNS_TYPE_A, unique_class, host_ttl);
        dns_put_bytes(writer, address, 4);
        break;
    default: /* RECORD_SERVICE_TYPE */
        begun = dns_record_begin(writer, NULL, MDNS_SERVICE_TYPES, DNS_TYPE_PTR, DNS_CLASS_IN, other_ttl);
        dns_put_name(writer, NULL, MDNS_SERVICE);
        break;
    }
    dns_record_end(writer, begun);
}

static unsigned count_bits(unsigned set)
{
    unsigned count = 0;
    for (; set != 0; set &= set - 1)
        count++;
    return count;
}

/* The records in answers, then those in additionals, after the header (and the questions of a legacy answer). */
static void put_records(struct dns_writer *writer, const struct airswdd_mdns_identity *identity,
                        const uint8_t address[4], unsigned answers, unsigned additionals, bool legacy, bool goodbye)
{
    for (unsigned pass = 0; pass < 2; pass++)
        for (unsigned bit = 1; bit <= RECORD_SERVICE_TYPE; bit <<= 1)
            if (((pass == 0 ? answers : additionals) & bit) != 0)
                put_record(writer, identity, address, bit, legacy, goodbye);
}

/* The records that answer question, and those that go with them (RFC 6763 §12). */
static unsigned records_for(const struct airswdd_mdns_identity *identity, const struct dns_question *question,
                            unsigned *extra)
{
    uint16_t class_code = question->class_code & ~DNS_CLASS_TOP_BIT;
    if (class_code != DNS_CLASS_IN && class_code != DNS_TYPE_ANY) /* class ANY is 255 as well */
        return 0;
    bool any = question->type == DNS_TYPE_ANY;
    unsigned records = 0;
    char instance[DNS_NAME_MAX];
    snprintf(instance, sizeof instance, "%s.%s", identity->instance, MDNS_SERVICE);
    if (dns_name_equal(question->name, MDNS_SERVICE) && (any || question->type == DNS_TYPE_PTR)) {
        records |= RECORD_PTR;
        *extra |= RECORD_SRV | RECORD_TXT | RECORD_A;
    } else if (dns_name_equal(question->name, MDNS_SERVICE_TYPES) && (any || question->type == DNS_TYPE_PTR)) {
        records |= RECORD_SERVICE_TYPE;
    } else if (dns_name_equal(question->name, instance)) {
        if (any || question->type == DNS_TYPE_SRV) {
            records |= RECORD_SRV;
            *extra |= RECORD_A;
        }
        if (any || question->type == DNS_TYPE_TXT)
            records |= RECORD_TXT;
    } else if (dns_name_equal(question->name, identity->host) && (any || question->type == DNS_TYPE_A)) {
        records |= RECORD_A;
    }
    return records;
}

size_t airswdd_mdns_answer(const struct airswdd_mdns_identity *identity, const uint8_t address[4], const uint8_t *query,
                           size_t len, bool legacy, bool *unicast, uint8_t *out, size_t size)
{
    struct dns_reader reader;
    struct dns_header header;
    *unicast = false;
    if (!dns_read_header(&reader, query, len, &header) || (header.flags & (DNS_FLAG_RESPONSE | DNS_FLAG_OPCODE)) != 0 ||
        header.questions == 0)
        return 0;
    struct dns_question questions[QUESTIONS_MAX];
    unsigned count = header.questions < QUESTIONS_MAX ? header.questions : QUESTIONS_MAX;
    unsigned answers = 0, extra = 0;
    bool all_unicast = true;
    for (unsigned i = 0; i < count; i++) {
        if (!dns_read_question(&reader, &questions[i]))
            return 0;
        unsigned records = records_for(identity, &questions[i], &extra);
        answers |= records;
        if (records != 0)
            all_unicast &= (questions[i].class_code & DNS_CLASS_TOP_BIT) != 0;
    }
    if (answers == 0)
        return 0;
    extra &= ~answers;
    *unicast = all_unicast;
    struct dns_writer writer;
    dns_writer_init(&writer, out, size);
    const struct dns_header answer = {
        .id = legacy ? header.id : 0,
        .flags = DNS_FLAG_RESPONSE | DNS_FLAG_AUTHORITATIVE,
        .questions = legacy ? (uint16_t)count : 0,
        .answers = (uint16_t)count_bits(answers),
        .additionals = (uint16_t)count_bits(extra),
    };
    dns_put_header(&writer, &answer);
    for (unsigned i = 0; legacy && i < count; i++)
        dns_put_question(&writer, NULL, questions[i].name, questions[i].type, questions[i].class_code);
    put_records(&writer, identity, address, answers, extra, legacy, false);
    return writer.overflow ? 0 : writer.len;
}

size_t airswdd_mdns_announcement(const struct airswdd_mdns_identity *identity, const uint8_t address[4], bool goodbye,
                                 uint8_t *out, size_t size)
{
    unsigned answers = RECORD_PTR | RECORD_SRV | RECORD_TXT | RECORD_A;
    struct dns_writer writer;
    dns_writer_init(&writer, out, size);
    const struct dns_header header = {.flags = DNS_FLAG_RESPONSE | DNS_FLAG_AUTHORITATIVE,
                                      .answers = (uint16_t)count_bits(answers)};
    dns_put_header(&writer, &header);
    put_records(&writer, identity, address, answers, 0, false, goodbye);
    return writer.overflow ? 0 : writer.len;
}
