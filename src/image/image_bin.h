/*
 * image_bin.h - a raw binary: the file's bytes, in order, from a base address the caller gives (the file has
 * none). Nothing to check but that the image ends inside the 32-bit address space.
 */
#ifndef AIRSWD_IMAGE_BIN_H
#define AIRSWD_IMAGE_BIN_H

#include "image/image.h"

struct image_bin {
    struct image_sink sink;
    struct status_report *report;
    enum status failure; /* sticky: once set, every call returns it */
    uint32_t base;
    uint32_t offset; /* file offset of the next byte */
};

void image_bin_init(struct image_bin *bin, uint32_t base, const struct image_sink *sink, struct status_report *report);

/* Passes len more bytes to the sink, at base + their file offset. */
enum status image_bin_feed(struct image_bin *bin, const uint8_t *bytes, size_t len);

/* Nothing can be missing from a raw binary; kept for symmetry with the other formats. */
enum status image_bin_finish(struct image_bin *bin);

#endif /* AIRSWD_IMAGE_BIN_H */
