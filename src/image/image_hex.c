/*
 * image_hex.c - Intel HEX, one byte at a time: a small line state machine that decodes hex digit pairs straight
 * into the record buffer, and checks and dispatches a record when its line ends.
 */
#include "image/image_hex.h"
#include "hex.h"

#include <stdio.h>
#include <string.h>

#define HEX_TYPE_DATA            0x00
#define HEX_TYPE_EOF             0x01
#define HEX_TYPE_SEGMENT_ADDRESS 0x02
#define HEX_TYPE_START_SEGMENT   0x03
#define HEX_TYPE_LINEAR_ADDRESS  0x04
#define HEX_TYPE_START_LINEAR    0x05

/* Byte positions in a decoded record. */
#define HEX_COUNT    0
#define HEX_ADDRESS  1
#define HEX_TYPE     3
#define HEX_DATA     4
#define HEX_OVERHEAD 5 /* count, address (2), type, checksum */

#define HEX_SEGMENT_SIZE 0x10000u

void image_hex_init(struct image_hex *hex, const struct image_sink *sink, struct status_report *report)
{
    memset(hex, 0, sizeof *hex);
    hex->sink = *sink;
    hex->report = report;
    hex->line = 1;
}

static enum status hex_fail(struct image_hex *hex, enum status status)
{
    hex->failure = status;
    return status;
}

static bool hex_is_blank(uint8_t c)
{
    return c == ' ' || c == '\t';
}

/* A byte as it reads in a message: the character when printable, else its code. */
static void hex_describe_byte(uint8_t c, char *out, size_t out_size)
{
    if (c >= 0x21 && c <= 0x7E && c != '\'')
        (void)snprintf(out, out_size, "'%c'", c);
    else
        (void)snprintf(out, out_size, "byte 0x%02X", c);
}

/* Puts "line N: " before the detail a sink wrote, so a plan error also names the line of the record (a flash
 * error from the programming pass is not about the file, and is left as it is). */
static void hex_prefix_line(struct image_hex *hex, uint32_t line)
{
    struct status_report *report = hex->report;
    if (report == NULL)
        return;
    char prefix[24];
    size_t detail_len = strlen(report->detail);
    int prefix_len = snprintf(prefix, sizeof prefix, detail_len > 0 ? "line %lu: " : "line %lu", (unsigned long)line);
    size_t room = sizeof report->detail - 1;
    if (prefix_len <= 0 || (size_t)prefix_len >= room)
        return;
    if (detail_len > room - (size_t)prefix_len)
        detail_len = room - (size_t)prefix_len;
    memmove(report->detail + prefix_len, report->detail, detail_len);
    memcpy(report->detail, prefix, (size_t)prefix_len);
    report->detail[prefix_len + detail_len] = '\0';
}

static enum status hex_emit(struct image_hex *hex, uint32_t address, const uint8_t *bytes, uint32_t len)
{
    enum status status = hex->sink.data(hex->sink.ctx, address, bytes, len, hex->record_offset);
    if (status == STATUS_OK)
        return STATUS_OK;
    if (image_status_is_about_the_file(status))
        hex_prefix_line(hex, hex->record_line);
    return hex_fail(hex, status);
}

static enum status hex_data_record(struct image_hex *hex, uint16_t offset, const uint8_t *bytes, uint32_t len)
{
    if (len == 0)
        return STATUS_OK;
    if (hex->segment_mode) {
        /* The offset wraps inside the 64 KB segment: a record that crosses the wrap goes out in two pieces. */
        uint32_t first = HEX_SEGMENT_SIZE - offset;
        if (first >= len)
            return hex_emit(hex, hex->base + offset, bytes, len);
        enum status status = hex_emit(hex, hex->base + offset, bytes, first);
        if (status != STATUS_OK)
            return status;
        return hex_emit(hex, hex->base, bytes + first, len - first);
    }
    uint64_t last = (uint64_t)hex->base + offset + len - 1;
    if (last > UINT32_MAX)
        return hex_fail(hex, status_fail(hex->report, STATUS_IMAGE_OUT_OF_RANGE,
                                         "line %lu (offset 0x%lX): data runs past address 0xFFFFFFFF",
                                         (unsigned long)hex->record_line, (unsigned long)hex->record_offset));
    return hex_emit(hex, hex->base + offset, bytes, len);
}

static void hex_set_entry(struct image_hex *hex, uint32_t entry)
{
    hex->has_entry = true;
    hex->entry = entry;
    if (hex->sink.entry != NULL)
        hex->sink.entry(hex->sink.ctx, entry);
}

/* A complete record has been read: its length, checksum and meaning. */
static enum status hex_record_end(struct image_hex *hex)
{
    unsigned long line = (unsigned long)hex->record_line;
    unsigned long at = (unsigned long)hex->record_offset;
    const uint8_t *r = hex->record;
    if (hex->digits < 2)
        return hex_fail(hex, status_fail(hex->report, STATUS_IMAGE_FORMAT,
                                         "line %lu (offset 0x%lX): record ends after %u hex digits", line, at,
                                         (unsigned)hex->digits));
    unsigned count = r[HEX_COUNT];
    unsigned needed = 2 * (count + HEX_OVERHEAD);
    if (hex->digits != needed)
        return hex_fail(hex, status_fail(hex->report, STATUS_IMAGE_FORMAT,
                                         "line %lu (offset 0x%lX): %u hex digits, byte count 0x%02X needs %u", line, at,
                                         (unsigned)hex->digits, count, needed));
    uint8_t sum = 0;
    for (unsigned i = 0; i < count + HEX_OVERHEAD; i++)
        sum = (uint8_t)(sum + r[i]);
    if (sum != 0) {
        uint8_t stored = r[count + HEX_OVERHEAD - 1];
        uint8_t expected = (uint8_t)(stored - sum);
        return hex_fail(hex, status_fail(hex->report, STATUS_IMAGE_CHECKSUM,
                                         "line %lu (offset 0x%lX): checksum 0x%02X, the record's bytes need 0x%02X",
                                         line, at, stored, expected));
    }

    uint8_t type = r[HEX_TYPE];
    uint16_t offset = (uint16_t)(r[HEX_ADDRESS] << 8 | r[HEX_ADDRESS + 1]);
    const uint8_t *data = r + HEX_DATA;
    static const uint8_t data_length[] = {
        [HEX_TYPE_EOF] = 0,           [HEX_TYPE_SEGMENT_ADDRESS] = 2,
        [HEX_TYPE_START_SEGMENT] = 4, [HEX_TYPE_LINEAR_ADDRESS] = 2,
        [HEX_TYPE_START_LINEAR] = 4,
    };
    if (type > HEX_TYPE_START_LINEAR)
        return hex_fail(hex, status_fail(hex->report, STATUS_IMAGE_FORMAT,
                                         "line %lu (offset 0x%lX): unknown record type 0x%02X", line, at, type));
    if (type != HEX_TYPE_DATA && count != data_length[type])
        return hex_fail(hex, status_fail(hex->report, STATUS_IMAGE_FORMAT,
                                         "line %lu (offset 0x%lX): record type 0x%02X with %u data bytes, not %u", line,
                                         at, type, count, data_length[type]));
    uint32_t value16 = (uint32_t)data[0] << 8 | data[1];
    uint32_t value32 = value16 << 16 | (uint32_t)data[2] << 8 | data[3];
    switch (type) {
    case HEX_TYPE_DATA: return hex_data_record(hex, offset, data, count);
    case HEX_TYPE_EOF: hex->eof_line = hex->record_line; return STATUS_OK;
    case HEX_TYPE_SEGMENT_ADDRESS:
        hex->base = value16 << 4;
        hex->segment_mode = true;
        return STATUS_OK;
    case HEX_TYPE_LINEAR_ADDRESS:
        hex->base = value16 << 16;
        hex->segment_mode = false;
        return STATUS_OK;
    case HEX_TYPE_START_SEGMENT:
        /* CS:IP as a linear address, the way objcopy writes entry points below 1 MB. */
        hex_set_entry(hex, (value16 << 4) + (value32 & 0xFFFFu));
        return STATUS_OK;
    default: /* HEX_TYPE_START_LINEAR */ hex_set_entry(hex, value32); return STATUS_OK;
    }
}

/* The current line has ended (at a line end, or at the end of the file). */
static enum status hex_line_end(struct image_hex *hex)
{
    if (hex->state == IMAGE_HEX_RECORD) {
        enum status status = hex_record_end(hex);
        if (status != STATUS_OK)
            return status;
    }
    hex->state = hex->eof_line != 0 ? IMAGE_HEX_AFTER_EOF : IMAGE_HEX_LINE_START;
    return STATUS_OK;
}

static enum status hex_unexpected(struct image_hex *hex, uint8_t c, const char *what)
{
    char seen[16];
    hex_describe_byte(c, seen, sizeof seen);
    return hex_fail(hex, status_fail(hex->report, STATUS_IMAGE_FORMAT, "line %lu (offset 0x%lX): %s %s",
                                     (unsigned long)hex->line, (unsigned long)hex->offset, seen, what));
}

static const uint8_t hex_byte_order_mark[] = {0xEF, 0xBB, 0xBF};

static enum status hex_byte(struct image_hex *hex, uint8_t c)
{
    /* A UTF-8 byte order mark before the first line (Windows editors write one) is read past, whole or not at all. */
    if (hex->offset < sizeof hex_byte_order_mark && hex->offset == hex->mark_bytes &&
        c == hex_byte_order_mark[hex->offset]) {
        hex->mark_bytes++;
        return STATUS_OK;
    }
    if (hex->mark_bytes > 0 && hex->mark_bytes < sizeof hex_byte_order_mark)
        return hex_unexpected(hex, c, "inside the byte order mark that starts the file");
    if (c == '\n' && hex->after_cr) { /* the LF of a CR LF */
        hex->after_cr = false;
        return STATUS_OK;
    }
    if (c == '\r' || c == '\n') {
        enum status status = hex_line_end(hex);
        hex->after_cr = c == '\r';
        hex->line++;
        return status;
    }
    hex->after_cr = false;

    switch (hex->state) {
    case IMAGE_HEX_LINE_START:
        if (hex_is_blank(c))
            return STATUS_OK;
        if (c != ':')
            return hex_unexpected(hex, c, "where a record should start with ':'");
        hex->state = IMAGE_HEX_RECORD;
        hex->record_offset = hex->offset;
        hex->record_line = hex->line;
        hex->digits = 0;
        return STATUS_OK;
    case IMAGE_HEX_RECORD: {
        if (hex_is_blank(c)) { /* the record ends here; only blanks may follow on this line */
            enum status status = hex_record_end(hex);
            hex->state = IMAGE_HEX_RECORD_END;
            return status;
        }
        int value = hex_digit_value(c);
        if (value < 0)
            return hex_unexpected(hex, c, "is not a hex digit");
        unsigned index = hex->digits / 2u;
        if (hex->digits >= 2 && hex->digits >= 2u * (hex->record[HEX_COUNT] + HEX_OVERHEAD))
            return hex_fail(hex,
                            status_fail(hex->report, STATUS_IMAGE_FORMAT,
                                        "line %lu (offset 0x%lX): record longer than byte count 0x%02X says",
                                        (unsigned long)hex->line, (unsigned long)hex->offset, hex->record[HEX_COUNT]));
        if (hex->digits % 2u == 0)
            hex->record[index] = (uint8_t)(value << 4);
        else
            hex->record[index] = (uint8_t)(hex->record[index] | value);
        hex->digits++;
        return STATUS_OK;
    }
    case IMAGE_HEX_RECORD_END:
        if (hex_is_blank(c))
            return STATUS_OK;
        return hex_unexpected(hex, c, "after the end of the record");
    default: /* IMAGE_HEX_AFTER_EOF */
        if (hex_is_blank(c))
            return STATUS_OK;
        {
            char seen[16];
            hex_describe_byte(c, seen, sizeof seen);
            return hex_fail(hex, status_fail(hex->report, STATUS_IMAGE_FORMAT,
                                             "line %lu (offset 0x%lX): %s after the end-of-file record of line %lu",
                                             (unsigned long)hex->line, (unsigned long)hex->offset, seen,
                                             (unsigned long)hex->eof_line));
        }
    }
}

enum status image_hex_feed(struct image_hex *hex, const uint8_t *bytes, size_t len)
{
    if (hex->failure != STATUS_OK)
        return hex->failure;
    if (len > UINT32_MAX - hex->offset)
        return hex_fail(hex, status_fail(hex->report, STATUS_IMAGE_FORMAT, "HEX file larger than 4 GB"));
    for (size_t i = 0; i < len; i++) {
        enum status status = hex_byte(hex, bytes[i]);
        if (status != STATUS_OK)
            return status;
        hex->offset++;
    }
    return STATUS_OK;
}

enum status image_hex_finish(struct image_hex *hex)
{
    if (hex->failure != STATUS_OK)
        return hex->failure;
    enum status status = hex_line_end(hex);
    if (status != STATUS_OK)
        return status;
    if (hex->eof_line == 0) {
        if (hex->offset == 0)
            return hex_fail(hex, status_fail(hex->report, STATUS_IMAGE_TRUNCATED, "empty HEX file"));
        return hex_fail(hex, status_fail(hex->report, STATUS_IMAGE_TRUNCATED,
                                         "line %lu (offset 0x%lX): the file ends without an end-of-file record",
                                         (unsigned long)hex->line, (unsigned long)hex->offset));
    }
    return STATUS_OK;
}
