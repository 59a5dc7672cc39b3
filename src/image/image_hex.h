/*
 * image_hex.h - streaming Intel HEX reader.
 *
 * Record types 00 (data), 01 (end of file), 02 (extended segment address: base = value x 16), 03 (start CS:IP),
 * 04 (extended linear address: upper 16 bits) and 05 (start linear address). Data before any 02 or 04 record lies
 * at 0x0000xxxx. Records may come in any address order and leave gaps; the sink sees each data record as it
 * arrives. Under a 02 record the offset wraps inside its 64 KB segment, as the Intel specification says; under a
 * 04 record addresses simply continue, and data past 0xFFFFFFFF is an error.
 *
 * Checked: a ':' starts every record, hex digits only (either case), the byte count matches the line's length, the
 * checksum (the two's complement of the byte sum), the data length of types 01-05, one end-of-file record and only
 * whitespace after it. Lines end in LF, CR LF or CR; blank lines and spaces or tabs around a record are accepted,
 * and so are a UTF-8 byte order mark at the start and a last line without a line end. Every error names the line
 * and the file offset.
 *
 * State: one decoded record (at most 260 bytes) and a few counters, whatever the size of the file.
 */
#ifndef AIRSWD_IMAGE_HEX_H
#define AIRSWD_IMAGE_HEX_H

#include <stdbool.h>

#include "image/image.h"

/* A record is: byte count, 16-bit address, type, up to 255 data bytes, checksum. */
#define IMAGE_HEX_RECORD_MAX (1 + 2 + 1 + 255 + 1)

enum image_hex_state {
    IMAGE_HEX_LINE_START, /* whitespace until ':' */
    IMAGE_HEX_RECORD,     /* hex digits of a record */
    IMAGE_HEX_RECORD_END, /* whitespace after a record, until the line ends */
    IMAGE_HEX_AFTER_EOF,  /* only whitespace allowed */
};

struct image_hex {
    struct image_sink sink;
    struct status_report *report;
    enum status failure; /* sticky: once set, every call returns it */
    enum image_hex_state state;
    bool after_cr;          /* the previous byte was CR: an LF now belongs to the same line end */
    uint32_t offset;        /* file offset of the next byte */
    uint32_t line;          /* 1-based number of the line being read */
    uint32_t record_offset; /* file offset of the current record's ':' */
    uint32_t record_line;
    uint32_t eof_line; /* line of the end-of-file record, 0 before it */
    uint32_t base;     /* from the last 02 or 04 record */
    bool segment_mode; /* the last base came from a 02 record: offsets wrap at 64 KB */
    bool has_entry;
    uint32_t entry;
    uint16_t digits; /* hex digits of the current record read so far */
    uint8_t mark_bytes; /* bytes of a byte order mark read at the start of the file */
    uint8_t record[IMAGE_HEX_RECORD_MAX];
};

void image_hex_init(struct image_hex *hex, const struct image_sink *sink, struct status_report *report);

/* Parses len more bytes of the file. */
enum status image_hex_feed(struct image_hex *hex, const uint8_t *bytes, size_t len);

/* The file has ended: completes a last line without a line end, and requires the end-of-file record. */
enum status image_hex_finish(struct image_hex *hex);

#endif /* AIRSWD_IMAGE_HEX_H */
