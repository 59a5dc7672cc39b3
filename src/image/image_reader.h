/*
 * image_reader.h - one interface over the four formats, for code that takes whatever file a user uploads.
 *
 * The format comes from the caller (an upload's declared type) or from image_format_detect() on the file's first
 * bytes: ELF magic, the signed container's magic, else a ':' as the first non-blank character means Intel HEX, else
 * a raw binary. A binary needs
 * a base address (for STM32 flash, 0x08000000); the other formats carry their own addresses.
 */
#ifndef AIRSWD_IMAGE_READER_H
#define AIRSWD_IMAGE_READER_H

#include "image/image_bin.h"
#include "image/image_container.h"
#include "image/image_elf.h"
#include "image/image_hex.h"

enum image_format { IMAGE_FORMAT_BIN, IMAGE_FORMAT_HEX, IMAGE_FORMAT_ELF, IMAGE_FORMAT_CONTAINER };

/* Bytes image_format_detect() wants to see (fewer work for short files). */
#define IMAGE_FORMAT_DETECT_BYTES 16

enum image_format image_format_detect(const uint8_t *head, size_t len);

/* "binary", "Intel HEX", "ELF", "signed container". */
const char *image_format_name(enum image_format format);

struct image_reader {
    enum image_format format;
    union {
        struct image_bin bin;
        struct image_hex hex;
        struct image_elf elf;
        struct image_container container;
    } as;
};

/* bin_base is used by IMAGE_FORMAT_BIN only. */
void image_reader_init(struct image_reader *reader, enum image_format format, uint32_t bin_base,
                       const struct image_sink *sink, struct status_report *report);
/* The AES-128 key that decrypts an encrypted signed container; call it after image_reader_init() and before the
 * first feed. The other formats ignore it. Without it an encrypted container fails with STATUS_IMAGE_ENCRYPTED. */
void image_reader_set_key(struct image_reader *reader, const uint8_t key[SECURE_AES_KEY_SIZE]);

enum status image_reader_feed(struct image_reader *reader, const uint8_t *bytes, size_t len);
enum status image_reader_finish(struct image_reader *reader);

#endif /* AIRSWD_IMAGE_READER_H */
