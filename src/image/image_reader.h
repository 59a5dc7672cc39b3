/*
 * image_reader.h - one interface over the four formats, for code that takes whatever file a user uploads.
 *
 * The format comes from the caller (an upload's declared type, a user's --format) or from image_format_detect() on
 * the file's first bytes. A binary needs a base address (for STM32 flash, 0x08000000); the other formats carry their
 * own addresses.
 */
#ifndef AIRSWD_IMAGE_READER_H
#define AIRSWD_IMAGE_READER_H

#include "image/image_bin.h"
#include "image/image_container.h"
#include "image/image_elf.h"
#include "image/image_hex.h"

enum image_format { IMAGE_FORMAT_BIN, IMAGE_FORMAT_HEX, IMAGE_FORMAT_ELF, IMAGE_FORMAT_CONTAINER };

/* Bytes image_format_detect() looks at: the first this many of the file. */
#define IMAGE_FORMAT_DETECT_BYTES 64

/* The format the first bytes of a file show. head holds the file's first bytes: the whole file when there are fewer
 * than IMAGE_FORMAT_DETECT_BYTES, and only that many are looked at.
 * - ELF and the signed container by their magic numbers;
 * - Intel HEX: text whose first character, after an optional UTF-8 byte order mark and blank lines, is ':';
 * - a raw binary: bytes that are not text (an STM32 image begins with its vector table, whose stack pointer and
 *   reset vector always hold bytes below 0x09), and an empty file (nothing to program, said later).
 * Anything else fails with STATUS_IMAGE_FORMAT and a sentence that names it: Motorola S-records, text that is not
 * Intel HEX (a map file, a HEX file with a comment line), a file of blank space, more blank space than the bytes
 * looked at. Text is printable ASCII, tab, CR, LF, VT, FF and well-formed UTF-8. Raw bytes that happen to look like
 * text are flashed only when the caller declares them a binary instead of detecting. */
enum status image_format_detect(const uint8_t *head, size_t len, enum image_format *format,
                                struct status_report *report);

/* "binary", "Intel HEX", "ELF", "signed container". */
const char *image_format_name(enum image_format format);

/* "bin", "hex", "elf", "container": how the API and the command line name a format. */
const char *image_format_key(enum image_format format);
/* The format a key names; false for anything else. */
bool image_format_from_key(const char *key, enum image_format *format);

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
