/*
 * dns_message.h - the few pieces of a DNS message (RFC 1035) that mDNS and DNS-SD (RFC 6762, RFC 6763) need:
 * the header, names with compression, questions and the records PTR, SRV, TXT and A. Shared by `airswd list` (the
 * browser) and airswdd's responder. The reader takes hostile packets: every read is checked against the packet's
 * length (and a record's data against its RDLENGTH), a compression pointer must point before the labels it comes
 * from (so no chain of pointers can loop), and a name is at most 255 bytes on the wire.
 */
#ifndef AIRSWD_DNS_MESSAGE_H
#define AIRSWD_DNS_MESSAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DNS_HEADER_SIZE 12
#define DNS_NAME_MAX    256 /* a name as dotted text with its NUL: 255 bytes on the wire give at most 253 characters */
#define DNS_LABEL_MAX   63

#define DNS_TYPE_A   1
#define DNS_TYPE_PTR 12
#define DNS_TYPE_TXT 16
#define DNS_TYPE_SRV 33
#define DNS_TYPE_ANY 255
#define DNS_CLASS_IN 1
/* The class's top bit: in a question, "unicast response wanted" (QU); in a record, "cache flush" (RFC 6762 §5.4,
 * §10.2). */
#define DNS_CLASS_TOP_BIT 0x8000u

#define DNS_FLAG_RESPONSE      0x8000u /* QR */
#define DNS_FLAG_OPCODE        0x7800u /* 0: a standard query */
#define DNS_FLAG_AUTHORITATIVE 0x0400u /* AA: every mDNS response sets it */
#define DNS_FLAG_TRUNCATED     0x0200u /* TC */
#define DNS_FLAG_RCODE         0x000Fu

struct dns_header {
    uint16_t id, flags, questions, answers, authorities, additionals;
};

/* A packet being read: every read stays inside packet[0, len). */
struct dns_reader {
    const uint8_t *packet;
    size_t len;
    size_t pos; /* the next section entry */
};

struct dns_question {
    char name[DNS_NAME_MAX];
    uint16_t type, class_code; /* class_code with its top bit */
};

struct dns_record {
    char name[DNS_NAME_MAX];
    uint16_t type, class_code;
    uint32_t ttl;
    size_t data, data_len; /* RDATA's offset in the packet and its length, checked to lie inside it */
};

struct dns_srv {
    uint16_t priority, weight, port;
    char target[DNS_NAME_MAX];
};

/* Starts reading packet: its header; false when it is shorter than one. */
bool dns_read_header(struct dns_reader *reader, const uint8_t *packet, size_t len, struct dns_header *header);
/* The next question or record; false when the packet ends, lies, or holds a name this reader refuses. Names are
 * dotted text; a label holding a dot, a backslash or a control character is refused, so that a name printed is what
 * it says and splits back into its labels. */
bool dns_read_question(struct dns_reader *reader, struct dns_question *question);
bool dns_read_record(struct dns_reader *reader, struct dns_record *record);

/* A record's data, read inside its RDLENGTH; false when it does not hold what its type says. */
bool dns_record_ptr(const struct dns_reader *reader, const struct dns_record *record, char target[DNS_NAME_MAX]);
bool dns_record_srv(const struct dns_reader *reader, const struct dns_record *record, struct dns_srv *srv);
bool dns_record_a(const struct dns_reader *reader, const struct dns_record *record, uint8_t address[4]);
/* The value of the TXT item "key=value" (key compared in any case, RFC 6763 §6.4) as text of printable ASCII: true
 * and value filled when found and valid; false when absent, malformed, too long for value_size or not printable. */
bool dns_record_txt_value(const struct dns_reader *reader, const struct dns_record *record, const char *key,
                          char *value, size_t value_size);

/* Two names are the same name in any ASCII case (RFC 1035 §2.3.3). */
bool dns_name_equal(const char *a, const char *b);

/* A message being written into buf: a write that does not fit sets overflow and writes nothing more. */
struct dns_writer {
    uint8_t *buf;
    size_t size, len;
    bool overflow;
};
void dns_writer_init(struct dns_writer *writer, uint8_t *buf, size_t size);
void dns_put_header(struct dns_writer *writer, const struct dns_header *header);
/* A name as labels: label (NULL: none), which may hold dots, followed by the dotted name rest (NULL or "": the
 * root). A label that is empty or longer than 63 bytes sets overflow. */
void dns_put_name(struct dns_writer *writer, const char *label, const char *rest);
void dns_put_question(struct dns_writer *writer, const char *label, const char *rest, uint16_t type,
                      uint16_t class_code);
/* A record's name, type, class and TTL, and room for its RDLENGTH: the data follows (dns_put_*), then
 * dns_record_end with what dns_record_begin returned fills RDLENGTH in. */
size_t dns_record_begin(struct dns_writer *writer, const char *label, const char *rest, uint16_t type,
                        uint16_t class_code, uint32_t ttl);
void dns_record_end(struct dns_writer *writer, size_t begun);
void dns_put_u16(struct dns_writer *writer, uint16_t value);
void dns_put_bytes(struct dns_writer *writer, const void *bytes, size_t len);
/* One TXT item (a character-string of at most 255 bytes). */
void dns_put_txt_item(struct dns_writer *writer, const char *item);

#endif /* AIRSWD_DNS_MESSAGE_H */
