/*
 * image_bin.c - a raw binary, chunk by chunk.
 */
#include "image/image_bin.h"

#include <string.h>

void image_bin_init(struct image_bin *bin, uint32_t base, const struct image_sink *sink, struct status_report *report)
{
    memset(bin, 0, sizeof *bin);
    bin->sink = *sink;
    bin->report = report;
    bin->base = base;
}

enum status image_bin_feed(struct image_bin *bin, const uint8_t *bytes, size_t len)
{
    if (bin->failure != STATUS_OK)
        return bin->failure;
    if (len == 0)
        return STATUS_OK;
    uint64_t last = (uint64_t)bin->base + bin->offset + len - 1;
    if (last > UINT32_MAX) {
        bin->failure = status_fail(bin->report, STATUS_IMAGE_OUT_OF_RANGE,
                                   "binary at base 0x%08lX runs past address 0xFFFFFFFF after file offset 0x%lX",
                                   (unsigned long)bin->base, (unsigned long)(UINT32_MAX - bin->base));
        return bin->failure;
    }
    enum status status = bin->sink.data(bin->sink.ctx, bin->base + bin->offset, bytes, (uint32_t)len, bin->offset);
    if (status != STATUS_OK) {
        bin->failure = status;
        return status;
    }
    bin->offset += (uint32_t)len;
    return STATUS_OK;
}

enum status image_bin_finish(struct image_bin *bin)
{
    return bin->failure;
}
