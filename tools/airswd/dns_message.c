/*
 * dns_message.c - DNS messages as mDNS and DNS-SD use them (dns_message.h): a reader for hostile packets and a
 * writer for the few messages airswd sends.
 */
#include "dns_message.h"

#include <string.h>

#define DNS_POINTER_BITS  0xC0u
#define DNS_NAME_WIRE_MAX 255

static uint16_t get_u16(const uint8_t *bytes)
{
    return (uint16_t)((bytes[0] << 8) | bytes[1]);
}

bool dns_read_header(struct dns_reader *reader, const uint8_t *packet, size_t len, struct dns_header *header)
{
    *reader = (struct dns_reader){.packet = packet, .len = len, .pos = DNS_HEADER_SIZE};
    if (len < DNS_HEADER_SIZE)
        return false;
    *header = (struct dns_header){
        .id = get_u16(packet),
        .flags = get_u16(packet + 2),
        .questions = get_u16(packet + 4),
        .answers = get_u16(packet + 6),
        .authorities = get_u16(packet + 8),
        .additionals = get_u16(packet + 10),
    };
    return true;
}

static bool label_byte_allowed(uint8_t c)
{
    return c >= 0x20 && c != 0x7F && c != '.' && c != '\\';
}

/* The name at *pos, whose labels in place must end before limit (the end of a record's data, or of the packet);
 * *pos moves past it. Each pointer must point before the labels it ends, so every jump goes further back in the
 * packet and a chain of them ends. */
static bool read_name(const struct dns_reader *reader, size_t *pos, size_t limit, char out[DNS_NAME_MAX])
{
    const uint8_t *packet = reader->packet;
    size_t at = *pos, run_start = *pos, after = 0, wire = 0, text = 0;
    bool jumped = false;
    if (limit > reader->len)
        limit = reader->len;
    for (;;) {
        if (at >= limit)
            return false;
        uint8_t length = packet[at];
        if (length == 0) {
            at++;
            break;
        }
        if ((length & DNS_POINTER_BITS) == DNS_POINTER_BITS) {
            if (at + 1 >= limit)
                return false;
            size_t target = ((size_t)(length & ~DNS_POINTER_BITS) << 8) | packet[at + 1];
            if (target >= run_start)
                return false;
            if (!jumped)
                after = at + 2;
            jumped = true;
            at = run_start = target;
            limit = reader->len; /* earlier labels lie anywhere in the packet */
            continue;
        }
        if ((length & DNS_POINTER_BITS) != 0) /* 0x40 and 0x80: label types nobody defined for this */
            return false;
        if (length > limit - at - 1)
            return false;
        wire += 1u + length;
        if (wire + 1 > DNS_NAME_WIRE_MAX) /* with the root's zero byte */
            return false;
        if (text > 0)
            out[text++] = '.';
        for (size_t i = 0; i < length; i++) {
            uint8_t c = packet[at + 1 + i];
            if (!label_byte_allowed(c))
                return false;
            out[text++] = (char)c;
        }
        at += 1u + length;
    }
    out[text] = '\0'; /* text < wire <= 254: it fits */
    *pos = jumped ? after : at;
    return true;
}

bool dns_read_question(struct dns_reader *reader, struct dns_question *question)
{
    size_t pos = reader->pos;
    if (!read_name(reader, &pos, reader->len, question->name) || reader->len - pos < 4)
        return false;
    question->type = get_u16(reader->packet + pos);
    question->class_code = get_u16(reader->packet + pos + 2);
    reader->pos = pos + 4;
    return true;
}

bool dns_read_record(struct dns_reader *reader, struct dns_record *record)
{
    size_t pos = reader->pos;
    if (!read_name(reader, &pos, reader->len, record->name) || reader->len - pos < 10)
        return false;
    const uint8_t *fixed = reader->packet + pos;
    record->type = get_u16(fixed);
    record->class_code = get_u16(fixed + 2);
    record->ttl = (uint32_t)get_u16(fixed + 4) << 16 | get_u16(fixed + 6);
    record->data_len = get_u16(fixed + 8);
    record->data = pos + 10;
    if (record->data_len > reader->len - record->data)
        return false;
    reader->pos = record->data + record->data_len;
    return true;
}

bool dns_record_ptr(const struct dns_reader *reader, const struct dns_record *record, char target[DNS_NAME_MAX])
{
    size_t pos = record->data, end = record->data + record->data_len;
    return record->type == DNS_TYPE_PTR && read_name(reader, &pos, end, target) && pos == end;
}

bool dns_record_srv(const struct dns_reader *reader, const struct dns_record *record, struct dns_srv *srv)
{
    if (record->type != DNS_TYPE_SRV || record->data_len < 7)
        return false;
    const uint8_t *data = reader->packet + record->data;
    srv->priority = get_u16(data);
    srv->weight = get_u16(data + 2);
    srv->port = get_u16(data + 4);
    size_t pos = record->data + 6, end = record->data + record->data_len;
    return read_name(reader, &pos, end, srv->target) && pos == end;
}

bool dns_record_a(const struct dns_reader *reader, const struct dns_record *record, uint8_t address[4])
{
    if (record->type != DNS_TYPE_A || record->data_len != 4)
        return false;
    memcpy(address, reader->packet + record->data, 4);
    return true;
}

static char lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

bool dns_name_equal(const char *a, const char *b)
{
    for (; *a != '\0' && lower(*a) == lower(*b); a++, b++)
        ;
    return lower(*a) == lower(*b);
}

bool dns_record_txt_value(const struct dns_reader *reader, const struct dns_record *record, const char *key,
                          char *value, size_t value_size)
{
    if (record->type != DNS_TYPE_TXT)
        return false;
    size_t key_len = strlen(key);
    const uint8_t *data = reader->packet + record->data;
    for (size_t at = 0; at < record->data_len;) {
        size_t item_len = data[at++];
        if (item_len > record->data_len - at)
            return false; /* an item that runs past the record: the record is not read further */
        const uint8_t *item = data + at;
        at += item_len;
        if (item_len <= key_len || item[key_len] != '=')
            continue;
        bool same = true;
        for (size_t i = 0; i < key_len && same; i++)
            same = lower((char)item[i]) == lower(key[i]);
        if (!same)
            continue;
        size_t value_len = item_len - key_len - 1;
        if (value_len == 0 || value_len >= value_size)
            return false;
        for (size_t i = 0; i < value_len; i++) {
            uint8_t c = item[key_len + 1 + i];
            if (c < 0x20 || c >= 0x7F)
                return false;
            value[i] = (char)c;
        }
        value[value_len] = '\0';
        return true; /* the first item of a key counts (RFC 6763 §6.4) */
    }
    return false;
}

void dns_writer_init(struct dns_writer *writer, uint8_t *buf, size_t size)
{
    *writer = (struct dns_writer){.buf = buf, .size = size};
}

void dns_put_bytes(struct dns_writer *writer, const void *bytes, size_t len)
{
    if (writer->overflow || len > writer->size - writer->len) {
        writer->overflow = true;
        return;
    }
    memcpy(writer->buf + writer->len, bytes, len);
    writer->len += len;
}

void dns_put_u16(struct dns_writer *writer, uint16_t value)
{
    uint8_t bytes[2] = {(uint8_t)(value >> 8), (uint8_t)value};
    dns_put_bytes(writer, bytes, sizeof bytes);
}

void dns_put_header(struct dns_writer *writer, const struct dns_header *header)
{
    uint16_t fields[] = {header->id,      header->flags,       header->questions,
                         header->answers, header->authorities, header->additionals};
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
        dns_put_u16(writer, fields[i]);
}

static void put_label(struct dns_writer *writer, const char *label, size_t len)
{
    if (len == 0 || len > DNS_LABEL_MAX) {
        writer->overflow = true;
        return;
    }
    uint8_t length = (uint8_t)len;
    dns_put_bytes(writer, &length, 1);
    dns_put_bytes(writer, label, len);
}

void dns_put_name(struct dns_writer *writer, const char *label, const char *rest)
{
    if (label != NULL)
        put_label(writer, label, strlen(label));
    while (rest != NULL && *rest != '\0') {
        size_t len = strcspn(rest, ".");
        put_label(writer, rest, len);
        rest += len;
        if (*rest == '.')
            rest++;
    }
    dns_put_bytes(writer, "", 1);
}

void dns_put_question(struct dns_writer *writer, const char *label, const char *rest, uint16_t type,
                      uint16_t class_code)
{
    dns_put_name(writer, label, rest);
    dns_put_u16(writer, type);
    dns_put_u16(writer, class_code);
}

size_t dns_record_begin(struct dns_writer *writer, const char *label, const char *rest, uint16_t type,
                        uint16_t class_code, uint32_t ttl)
{
    dns_put_question(writer, label, rest, type, class_code);
    dns_put_u16(writer, (uint16_t)(ttl >> 16));
    dns_put_u16(writer, (uint16_t)ttl);
    dns_put_u16(writer, 0);
    return writer->len;
}

void dns_record_end(struct dns_writer *writer, size_t begun)
{
    if (writer->overflow || begun < 2 || writer->len - begun > UINT16_MAX)
        return;
    size_t data_len = writer->len - begun;
    writer->buf[begun - 2] = (uint8_t)(data_len >> 8);
    writer->buf[begun - 1] = (uint8_t)data_len;
}

void dns_put_txt_item(struct dns_writer *writer, const char *item)
{
    size_t len = strlen(item);
    if (len > 255) {
        writer->overflow = true;
        return;
    }
    uint8_t length = (uint8_t)len;
    dns_put_bytes(writer, &length, 1);
    dns_put_bytes(writer, item, len);
}
