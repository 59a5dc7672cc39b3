/*
 * image_reader.c - format detection and dispatch to the parser of the format.
 */
#include "image/image_reader.h"

#include <string.h>

enum image_format image_format_detect(const uint8_t *head, size_t len)
{
    if (len >= 4 && head[0] == 0x7F && head[1] == 'E' && head[2] == 'L' && head[3] == 'F')
        return IMAGE_FORMAT_ELF;
    if (len >= IMAGE_CONTAINER_MAGIC_SIZE && memcmp(head, IMAGE_CONTAINER_MAGIC, IMAGE_CONTAINER_MAGIC_SIZE) == 0)
        return IMAGE_FORMAT_CONTAINER;
    for (size_t i = 0; i < len && i < IMAGE_FORMAT_DETECT_BYTES; i++) {
        uint8_t c = head[i];
        if (c == ':')
            return IMAGE_FORMAT_HEX;
        if (c != ' ' && c != '\t' && c != '\r' && c != '\n')
            break;
    }
    return IMAGE_FORMAT_BIN;
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
