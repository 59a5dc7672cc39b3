/*
 * image_reader.c - format detection and dispatch to the parser of the format.
 */
#include "image/image_reader.h"

#include <string.h>

static const uint8_t utf8_byte_order_mark[] = {0xEF, 0xBB, 0xBF};

/* What the Intel HEX parser reads past around records: spaces, tabs and line ends. */
static bool is_blank(uint8_t c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Whether bytes are text; a UTF-8 sequence cut by the end counts when more of the file follows. */
static bool is_text(const uint8_t *bytes, size_t len, bool whole_file)
{
    for (size_t i = 0; i < len;) {
        uint8_t c = bytes[i++];
        if ((c >= '\t' && c <= '\r') || (c >= 0x20 && c < 0x7F))
            continue;
        /* A lead byte of a 2, 3 or 4 byte sequence (no overlong 0xC0/0xC1, nothing past U+10FFFF). */
        size_t continuation = c >= 0xC2 && c <= 0xDF ? 1 : c >= 0xE0 && c <= 0xEF ? 2 : c >= 0xF0 && c <= 0xF4 ? 3 : 0;
        if (continuation == 0)
            return false;
        for (; continuation > 0; continuation--, i++) {
            if (i == len)
                return !whole_file;
            if ((bytes[i] & 0xC0) != 0x80)
                return false;
        }
    }
    return true;
}

/* The first line of text from start, printable ASCII only, for a message. */
static void first_line(const uint8_t *bytes, size_t len, char *out, size_t size)
{
    size_t n = 0;
    for (size_t i = 0; i < len && bytes[i] != '\r' && bytes[i] != '\n' && n + 1 < size; i++)
        out[n++] = bytes[i] >= 0x20 && bytes[i] < 0x7F && bytes[i] != '"' ? (char)bytes[i] : '?';
    out[n] = '\0';
}

enum status image_format_detect(const uint8_t *head, size_t len, enum image_format *format,
                                struct status_report *report)
{
    bool whole_file = len < IMAGE_FORMAT_DETECT_BYTES;
    if (!whole_file)
        len = IMAGE_FORMAT_DETECT_BYTES;
    *format = IMAGE_FORMAT_BIN;
    if (len >= 4 && head[0] == 0x7F && head[1] == 'E' && head[2] == 'L' && head[3] == 'F') {
        *format = IMAGE_FORMAT_ELF;
        return STATUS_OK;
    }
    if (len >= IMAGE_CONTAINER_MAGIC_SIZE && memcmp(head, IMAGE_CONTAINER_MAGIC, IMAGE_CONTAINER_MAGIC_SIZE) == 0) {
        *format = IMAGE_FORMAT_CONTAINER;
        return STATUS_OK;
    }
    if (len == 0 || !is_text(head, len, whole_file))
        return STATUS_OK;
    size_t start = 0;
    if (len >= sizeof utf8_byte_order_mark && memcmp(head, utf8_byte_order_mark, sizeof utf8_byte_order_mark) == 0)
        start = sizeof utf8_byte_order_mark;
    while (start < len && is_blank(head[start]))
        start++;
    if (start == len && whole_file)
        return status_fail(report, STATUS_IMAGE_FORMAT,
                           "the file holds nothing but blank space (%lu bytes): a build step that failed may have "
                           "left it",
                           (unsigned long)len);
    if (start == len)
        return status_fail(report, STATUS_IMAGE_FORMAT,
                           "the file begins with more than %u bytes of blank space: remove the blank lines before its "
                           "first record",
                           IMAGE_FORMAT_DETECT_BYTES);
    if (head[start] == ':') {
        *format = IMAGE_FORMAT_HEX;
        return STATUS_OK;
    }
    char line[24];
    first_line(head + start, len - start, line, sizeof line);
    if (head[start] == 'S' && start + 1 < len && head[start + 1] >= '0' && head[start + 1] <= '9')
        return status_fail(report, STATUS_IMAGE_FORMAT,
                           "Motorola S-records (\"%s\"): convert them to Intel HEX with `objcopy -I srec -O ihex`",
                           line);
    return status_fail(report, STATUS_IMAGE_FORMAT,
                       "text, not an image (first line \"%s\"); if it is raw data, declare its format as bin", line);
}

const char *image_format_name(enum image_format format)
{
    switch (format) {
    case IMAGE_FORMAT_HEX: return "Intel HEX";
    case IMAGE_FORMAT_ELF: return "ELF";
    case IMAGE_FORMAT_CONTAINER: return "signed container";
    default: return "binary";
    }
}

static const char *const format_keys[] = {
    [IMAGE_FORMAT_BIN] = "bin", [IMAGE_FORMAT_HEX] = "hex", [IMAGE_FORMAT_ELF] = "elf",
    [IMAGE_FORMAT_CONTAINER] = "container"};

const char *image_format_key(enum image_format format)
{
    return (unsigned)format < sizeof format_keys / sizeof format_keys[0] ? format_keys[format] : "bin";
}

bool image_format_from_key(const char *key, enum image_format *format)
{
    for (unsigned i = 0; i < sizeof format_keys / sizeof format_keys[0]; i++) {
        if (strcmp(key, format_keys[i]) == 0) {
            *format = (enum image_format)i;
            return true;
        }
    }
    return false;
}

void image_reader_init(struct image_reader *reader, enum image_format format, uint32_t bin_base,
                       const struct image_sink *sink, struct status_report *report)
{
    reader->format = format;
    switch (format) {
    case IMAGE_FORMAT_HEX: image_hex_init(&reader->as.hex, sink, report); break;
    case IMAGE_FORMAT_ELF: image_elf_init(&reader->as.elf, sink, report); break;
    case IMAGE_FORMAT_CONTAINER: image_container_init(&reader->as.container, sink, report); break;
    default: image_bin_init(&reader->as.bin, bin_base, sink, report); break;
    }
}

void image_reader_set_key(struct image_reader *reader, const uint8_t key[SECURE_AES_KEY_SIZE])
{
    if (reader->format == IMAGE_FORMAT_CONTAINER)
        image_container_set_key(&reader->as.container, key);
}

enum status image_reader_feed(struct image_reader *reader, const uint8_t *bytes, size_t len)
{
    switch (reader->format) {
    case IMAGE_FORMAT_HEX: return image_hex_feed(&reader->as.hex, bytes, len);
    case IMAGE_FORMAT_ELF: return image_elf_feed(&reader->as.elf, bytes, len);
    case IMAGE_FORMAT_CONTAINER: return image_container_feed(&reader->as.container, bytes, len);
    default: return image_bin_feed(&reader->as.bin, bytes, len);
    }
}

enum status image_reader_finish(struct image_reader *reader)
{
    switch (reader->format) {
    case IMAGE_FORMAT_HEX: return image_hex_finish(&reader->as.hex);
    case IMAGE_FORMAT_ELF: return image_elf_finish(&reader->as.elf);
    case IMAGE_FORMAT_CONTAINER: return image_container_finish(&reader->as.container);
    default: return image_bin_finish(&reader->as.bin);
    }
}
