/*
 * mdns_browse.c - the answers of a DNS-SD browse for _http._tcp.local joined into airswd devices (mdns_browse.h).
 */
#include "mdns_browse.h"

#include <stdlib.h>
#include <string.h>

void mdns_browse_init(struct mdns_browse *browse, uint16_t query_id)
{
    memset(browse, 0, sizeof *browse);
    browse->query_id = query_id;
}

/* A query from an ephemeral port with the QU bit off: responders answer it by unicast to that port, with its ID and
 * question repeated (RFC 6762 §6.7). */
static void put_query_header(struct dns_writer *writer, uint16_t id, uint16_t questions)
{
    const struct dns_header header = {.id = id, .questions = questions};
    dns_put_header(writer, &header);
}

size_t mdns_browse_query(const struct mdns_browse *browse, uint8_t *buf, size_t size)
{
    struct dns_writer writer;
    dns_writer_init(&writer, buf, size);
    put_query_header(&writer, browse->query_id, 1);
    dns_put_question(&writer, NULL, MDNS_SERVICE, DNS_TYPE_PTR, DNS_CLASS_IN);
    return writer.overflow ? 0 : writer.len;
}

/* The length of the instance's own label when name is LABEL._http._tcp.local (a label never holds a dot:
 * dns_message.h), else 0. */
static size_t instance_label_len(const char *name)
{
    size_t len = strlen(name), service_len = strlen(MDNS_SERVICE);
    if (len < service_len + 2 || name[len - service_len - 1] != '.' ||
        !dns_name_equal(name + len - service_len, MDNS_SERVICE))
        return 0;
    size_t label_len = len - service_len - 1;
    return memchr(name, '.', label_len) == NULL && label_len <= DNS_LABEL_MAX ? label_len : 0;
}

static struct mdns_instance *instance_of(struct mdns_browse *browse, const char *name)
{
    if (instance_label_len(name) == 0)
        return NULL;
    for (unsigned i = 0; i < browse->instance_count; i++)
        if (dns_name_equal(browse->instances[i].name, name))
            return &browse->instances[i];
    if (browse->instance_count == MDNS_BROWSE_INSTANCES)
        return NULL;
    struct mdns_instance *instance = &browse->instances[browse->instance_count++];
    memset(instance, 0, sizeof *instance);
    strcpy(instance->name, name); /* both DNS_NAME_MAX */
    return instance;
}

static const struct mdns_host *host_of(const struct mdns_browse *browse, const char *name)
{
    for (unsigned i = 0; i < browse->host_count; i++)
        if (dns_name_equal(browse->hosts[i].name, name))
            return &browse->hosts[i];
    return NULL;
}

/* One record: checked (apply false) or taken. False when its data does not hold what its type says. */
static bool take_record(struct mdns_browse *browse, const struct dns_reader *reader, const struct dns_record *record,
                        bool apply)
{
    char target[DNS_NAME_MAX];
    struct dns_srv srv;
    uint8_t address[4];
    struct mdns_instance *instance;
    /* Goodbyes (TTL 0) and other classes say nothing about a device there now. */
    bool counts = (record->class_code & ~DNS_CLASS_TOP_BIT) == DNS_CLASS_IN && record->ttl != 0;
    switch (record->type) {
    case DNS_TYPE_PTR:
        if (!dns_record_ptr(reader, record, target))
            return false;
        if (apply && counts && dns_name_equal(record->name, MDNS_SERVICE) &&
            (instance = instance_of(browse, target)) != NULL)
            instance->pointed = true;
        return true;
    case DNS_TYPE_SRV:
        if (!dns_record_srv(reader, record, &srv))
            return false;
        if (apply && counts && srv.port != 0 && (instance = instance_of(browse, record->name)) != NULL) {
            instance->has_srv = true;
            instance->port = srv.port;
            strcpy(instance->host, srv.target);
        }
        return true;
    case DNS_TYPE_TXT: {
        char version[MDNS_VERSION_MAX];
        bool airswd = dns_record_txt_value(reader, record, MDNS_TXT_AIRSWD, version, sizeof version);
        if (apply && counts && (instance = instance_of(browse, record->name)) != NULL) {
            instance->has_txt = true;
            instance->airswd = airswd;
            if (airswd)
                strcpy(instance->version, version);
        }
        return true;
    }
    case DNS_TYPE_A:
        if (!dns_record_a(reader, record, address))
            return false;
        if (apply && counts && host_of(browse, record->name) == NULL && browse->host_count < MDNS_BROWSE_HOSTS) {
            struct mdns_host *host = &browse->hosts[browse->host_count++];
            strcpy(host->name, record->name);
            memcpy(host->address, address, sizeof address);
        }
        return true;
    default: return true; /* AAAA, NSEC...: read past */
    }
}

/* The whole packet read once (apply false: does it parse?) or taken. */
static bool read_packet(struct mdns_browse *browse, const uint8_t *packet, size_t len, bool apply)
{
    struct dns_reader reader;
    struct dns_header header;
    if (!dns_read_header(&reader, packet, len, &header))
        return false;
    if ((header.flags & DNS_FLAG_RESPONSE) == 0 || (header.flags & (DNS_FLAG_OPCODE | DNS_FLAG_RCODE)) != 0 ||
        (header.id != browse->query_id && header.id != 0))
        return false;
    for (unsigned i = 0; i < header.questions; i++) {
        struct dns_question question;
        if (!dns_read_question(&reader, &question))
            return false;
    }
    unsigned records = (unsigned)header.answers + header.authorities + header.additionals;
    for (unsigned i = 0; i < records; i++) {
        struct dns_record record;
        if (!dns_read_record(&reader, &record) || !take_record(browse, &reader, &record, apply))
            return false;
    }
    return true;
}

void mdns_browse_take(struct mdns_browse *browse, const uint8_t *packet, size_t len)
{
    if (read_packet(browse, packet, len, false))
        (void)read_packet(browse, packet, len, true);
}

size_t mdns_browse_follow_up(struct mdns_browse *browse, uint8_t *buf, size_t size)
{
    struct dns_writer writer;
    dns_writer_init(&writer, buf, size);
    for (unsigned i = 0; i < browse->instance_count; i++) {
        struct mdns_instance *instance = &browse->instances[i];
        if (!instance->pointed || (instance->has_txt && !instance->airswd))
            continue; /* not ours: nothing more to learn */
        if ((!instance->has_srv || !instance->has_txt) && !instance->asked_srv_txt) {
            instance->asked_srv_txt = true;
            put_query_header(&writer, browse->query_id, 2);
            dns_put_question(&writer, NULL, instance->name, DNS_TYPE_SRV, DNS_CLASS_IN);
            dns_put_question(&writer, NULL, instance->name, DNS_TYPE_TXT, DNS_CLASS_IN);
            return writer.overflow ? 0 : writer.len;
        }
        if (instance->has_srv && host_of(browse, instance->host) == NULL && !instance->asked_a) {
            instance->asked_a = true;
            put_query_header(&writer, browse->query_id, 1);
            dns_put_question(&writer, NULL, instance->host, DNS_TYPE_A, DNS_CLASS_IN);
            return writer.overflow ? 0 : writer.len;
        }
    }
    return 0;
}

/* Names are UTF-8 (RFC 6763 §4.1.1): one that is not is no name to print or to put in JSON. Overlong forms,
 * surrogates and code points past U+10FFFF are refused as well. */
static bool utf8_valid(const char *text)
{
    for (const unsigned char *c = (const unsigned char *)text; *c != 0;) {
        unsigned len = *c < 0x80 ? 1 : (*c & 0xE0) == 0xC0 ? 2 : (*c & 0xF0) == 0xE0 ? 3 : (*c & 0xF8) == 0xF0 ? 4 : 0;
        if (len == 0)
            return false;
        uint32_t point = len == 1 ? *c : *c & (0x7Fu >> len);
        for (unsigned i = 1; i < len; i++) {
            if ((c[i] & 0xC0) != 0x80) /* also stops at the NUL */
                return false;
            point = point << 6 | (c[i] & 0x3Fu);
        }
        static const uint32_t shortest[] = {0, 0, 0x80, 0x800, 0x10000};
        if (point < shortest[len] || point > 0x10FFFF || (point >= 0xD800 && point <= 0xDFFF))
            return false;
        c += len;
    }
    return true;
}

static int device_order(const void *a, const void *b)
{
    const struct mdns_device *left = a, *right = b;
    int by_name = strcmp(left->name, right->name);
    return by_name != 0 ? by_name : memcmp(left->address, right->address, sizeof left->address);
}

unsigned mdns_browse_devices(const struct mdns_browse *browse, struct mdns_device *devices, unsigned max)
{
    unsigned count = 0;
    for (unsigned i = 0; i < browse->instance_count && count < max; i++) {
        const struct mdns_instance *instance = &browse->instances[i];
        const struct mdns_host *host = instance->has_srv ? host_of(browse, instance->host) : NULL;
        if (!instance->pointed || !instance->has_txt || !instance->airswd || host == NULL ||
            !utf8_valid(instance->name) || !utf8_valid(instance->host))
            continue;
        struct mdns_device *device = &devices[count++];
        size_t label_len = instance_label_len(instance->name);
        memcpy(device->name, instance->name, label_len);
        device->name[label_len] = '\0';
        strcpy(device->host, instance->host);
        memcpy(device->address, host->address, sizeof device->address);
        device->port = instance->port;
        strcpy(device->version, instance->version);
    }
    qsort(devices, count, sizeof devices[0], device_order);
    return count;
}
