/*
 * image.h - what every image parser hands on: address ranges of bytes, in file order, to a sink.
 *
 * The parsers (image_hex.h, image_elf.h, image_bin.h) are fed a file in chunks of any size, one byte at a time if
 * need be, and keep no copy of the data beyond one HEX record; each piece of data goes to the sink the moment its
 * address is known. The same parser feeds two sinks in turn: the plan (image_plan.h), which checks the whole image
 * against the target before anything is written, and then the writer (image_writer.h), which turns a second
 * reading of the same file into whole program units.
 *
 * Work is proportional to the chunk fed, so the caller's read loop is where a long parse yields and is cancelled.
 */
#ifndef AIRSWD_IMAGE_H
#define AIRSWD_IMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "status.h"

/* An address range of the target; size 0 is empty. base + size may be 2^32 (a range that ends the address space),
 * so compute ends in 64 bits (image_range_end). */
struct image_range {
    uint32_t base;
    uint32_t size;
};

static inline uint64_t image_range_end(struct image_range range)
{
    return (uint64_t)range.base + range.size;
}

struct image_sink {
    /* len > 0 bytes of the image that belong at address..address+len-1, in file order (not address order).
     * file_offset says where they came from, for messages: the offset of the first byte (ELF, binary) or of the
     * record's ':' (HEX). bytes are only valid during the call. A status other than STATUS_OK stops the parse: the
     * parser returns it from then on, and the sink has filled the report. */
    enum status (*data)(void *ctx, uint32_t address, const uint8_t *bytes, uint32_t len, uint32_t file_offset);
    /* The entry point the file names (HEX record 03 or 05, ELF e_entry when not 0). May be NULL. */
    void (*entry)(void *ctx, uint32_t address);
    void *ctx;
};

/* Whether a failure is about the image file itself (its format, its addresses), rather than about its target. */
static inline bool image_status_is_about_the_file(enum status status)
{
    switch (status) {
    case STATUS_IMAGE_FORMAT:
    case STATUS_IMAGE_CHECKSUM:
    case STATUS_IMAGE_TRUNCATED:
    case STATUS_IMAGE_OVERLAP:
    case STATUS_IMAGE_OUT_OF_RANGE:
    case STATUS_IMAGE_TOO_COMPLEX:
    case STATUS_IMAGE_EMPTY:
    case STATUS_IMAGE_CHANGED:
    case STATUS_IMAGE_SIGNATURE:
    case STATUS_IMAGE_HASH:
    case STATUS_IMAGE_UNSIGNED: return true;
    default: return false;
    }
}

#endif /* AIRSWD_IMAGE_H */
