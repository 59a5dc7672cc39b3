/*
 * image_container.c - the signed container, chunk by chunk.
 */
#include "image/image_container.h"

#include <string.h>

#include "decimal.h"

/* Decryption works on a copy of this many bytes at a time, on the stack. */
#define CONTAINER_DECRYPT_CHUNK 64

static uint16_t container_le16(const uint8_t *p)
{
    return (uint16_t)(p[0] | (p[1] << 8));
}

static uint32_t container_le32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

static void container_put16(uint8_t *p, uint16_t value)
{
    p[0] = (uint8_t)value;
    p[1] = (uint8_t)(value >> 8);
}

static void container_put32(uint8_t *p, uint32_t value)
{
    container_put16(p, (uint16_t)value);
    container_put16(p + 2, (uint16_t)(value >> 16));
}

static bool container_all_zero(const uint8_t *p, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (p[i] != 0)
            return false;
    return true;
}

static enum status container_decode_entries(const uint8_t *raw, struct image_container_header *header,
                                            struct status_report *report)
{
    for (unsigned i = 0; i < IMAGE_CONTAINER_MAX_TARGETS; i++) {
        const uint8_t *entry = raw + IMAGE_CONTAINER_AT_TARGETS + i * IMAGE_CONTAINER_TARGET_SIZE;
        struct image_container_target target = {container_le16(entry), container_le16(entry + 2)};
        if (i >= header->target_count) {
            if (target.dev_id != 0 || target.min_flash_kb != 0)
                return status_fail(report, STATUS_IMAGE_FORMAT, "container target entry %u is used but the count is %u",
                                   i, header->target_count);
            continue;
        }
        if (target.dev_id == 0 || target.dev_id > 0xFFF)
            return status_fail(report, STATUS_IMAGE_FORMAT, "container target %u has DEV_ID 0x%X (1 to 0xFFF)", i,
                               target.dev_id);
        header->targets[i] = target;
    }
    uint64_t total = 0, previous_end = 0;
    for (unsigned i = 0; i < IMAGE_CONTAINER_MAX_SEGMENTS; i++) {
        const uint8_t *entry = raw + IMAGE_CONTAINER_AT_SEGMENTS + i * IMAGE_CONTAINER_SEGMENT_SIZE;
        struct image_range segment = {container_le32(entry), container_le32(entry + 4)};
        if (i >= header->segment_count) {
            if (segment.base != 0 || segment.size != 0)
                return status_fail(report, STATUS_IMAGE_FORMAT,
                                   "container segment entry %u is used but the count is %u", i, header->segment_count);
            continue;
        }
        if (segment.size == 0)
            return status_fail(report, STATUS_IMAGE_FORMAT, "container segment %u at 0x%08lX is empty", i,
                               (unsigned long)segment.base);
        if (image_range_end(segment) > (uint64_t)UINT32_MAX + 1)
            return status_fail(report, STATUS_IMAGE_FORMAT, "container segment %u at 0x%08lX runs past 0xFFFFFFFF",
                               i, (unsigned long)segment.base);
        /* Sorted and apart: a payload byte belongs to exactly one address. */
        if (i > 0 && segment.base < previous_end)
            return status_fail(report, STATUS_IMAGE_OVERLAP,
                               "container segment %u at 0x%08lX starts at or before the last byte of segment %u "
                               "(0x%08lX)", i, (unsigned long)segment.base, i - 1, (unsigned long)(previous_end - 1));
        previous_end = image_range_end(segment);
        total += segment.size;
        header->segments[i] = segment;
    }
    if (total != header->payload_size) {
        char held[DECIMAL_MAX];
        decimal_u64(total, held);
        return status_fail(report, STATUS_IMAGE_FORMAT,
                           "container segments hold %s bytes but the payload length is %lu", held,
                           (unsigned long)header->payload_size);
    }
    return STATUS_OK;
}

enum status image_container_header_decode(const uint8_t raw[IMAGE_CONTAINER_HEADER_SIZE],
                                          struct image_container_header *header, struct status_report *report)
{
    memset(header, 0, sizeof *header);
    if (memcmp(raw + IMAGE_CONTAINER_AT_MAGIC, IMAGE_CONTAINER_MAGIC, IMAGE_CONTAINER_MAGIC_SIZE) != 0)
        return status_fail(report, STATUS_IMAGE_FORMAT, "not a signed container (no %s magic)",
                           IMAGE_CONTAINER_MAGIC);
    unsigned version = raw[IMAGE_CONTAINER_AT_VERSION];
    if (version != IMAGE_CONTAINER_VERSION)
        return status_fail(report, STATUS_IMAGE_FORMAT,
                           "container format version %u; this firmware reads version %u only", version,
                           IMAGE_CONTAINER_VERSION);
    unsigned header_size = container_le16(raw + IMAGE_CONTAINER_AT_HEADER_SIZE);
    if (header_size != IMAGE_CONTAINER_HEADER_SIZE)
        return status_fail(report, STATUS_IMAGE_FORMAT, "container header length %u; version 1 has %u", header_size,
                           IMAGE_CONTAINER_HEADER_SIZE);
    header->flags = raw[IMAGE_CONTAINER_AT_FLAGS];
    if ((header->flags & ~(IMAGE_CONTAINER_FLAG_ENCRYPTED | IMAGE_CONTAINER_FLAG_PROGRAMMER)) != 0)
        return status_fail(report, STATUS_IMAGE_FORMAT, "container flags 0x%02X: unknown flags set", header->flags);
    if (container_le16(raw + IMAGE_CONTAINER_AT_RESERVED1) != 0 ||
        container_le32(raw + IMAGE_CONTAINER_AT_RESERVED2) != 0 ||
        !container_all_zero(raw + IMAGE_CONTAINER_AT_RESERVED3, IMAGE_CONTAINER_HEADER_SIZE - IMAGE_CONTAINER_AT_RESERVED3))
        return status_fail(report, STATUS_IMAGE_FORMAT, "container reserved header fields are not zero");
    header->security_version = container_le32(raw + IMAGE_CONTAINER_AT_SECURITY_VERSION);
    header->flash_base = container_le32(raw + IMAGE_CONTAINER_AT_FLASH_BASE);
    header->target_count = raw[IMAGE_CONTAINER_AT_TARGET_COUNT];
    header->segment_count = raw[IMAGE_CONTAINER_AT_SEGMENT_COUNT];
    header->payload_size = container_le32(raw + IMAGE_CONTAINER_AT_PAYLOAD_SIZE);
    memcpy(header->payload_sha256, raw + IMAGE_CONTAINER_AT_PAYLOAD_SHA256, SECURE_SHA256_SIZE);
    memcpy(header->iv, raw + IMAGE_CONTAINER_AT_IV, SECURE_AES_BLOCK_SIZE);
    memcpy(header->key_id, raw + IMAGE_CONTAINER_AT_KEY_ID, SECURE_KEY_ID_SIZE);
    if (header->target_count > IMAGE_CONTAINER_MAX_TARGETS)
        return status_fail(report, STATUS_IMAGE_FORMAT, "container names %u targets (at most %u)",
                           header->target_count, IMAGE_CONTAINER_MAX_TARGETS);
    if (header->segment_count == 0 || header->segment_count > IMAGE_CONTAINER_MAX_SEGMENTS)
        return status_fail(report, STATUS_IMAGE_FORMAT, "container has %u segments (1 to %u)", header->segment_count,
                           IMAGE_CONTAINER_MAX_SEGMENTS);
    if (!(header->flags & IMAGE_CONTAINER_FLAG_ENCRYPTED) && !container_all_zero(header->iv, SECURE_AES_BLOCK_SIZE))
        return status_fail(report, STATUS_IMAGE_FORMAT, "container has an AES IV but its payload is not encrypted");
    enum status status = container_decode_entries(raw, header, report);
    if (status != STATUS_OK || !(header->flags & IMAGE_CONTAINER_FLAG_PROGRAMMER))
        return status;
    /* The programmer's firmware is one plain app image for the update slot, for no STM32. */
    if (header->target_count != 0 || header->flash_base != 0 || header->segment_count != 1 ||
        header->segments[0].base != 0 || (header->flags & IMAGE_CONTAINER_FLAG_ENCRYPTED))
        return status_fail(report, STATUS_IMAGE_FORMAT,
                           "a programmer firmware container has no targets, flash base 0, one plain segment at 0");
    return STATUS_OK;
}

void image_container_header_encode(const struct image_container_header *header,
                                   uint8_t raw[IMAGE_CONTAINER_HEADER_SIZE])
{
    memset(raw, 0, IMAGE_CONTAINER_HEADER_SIZE);
    memcpy(raw + IMAGE_CONTAINER_AT_MAGIC, IMAGE_CONTAINER_MAGIC, IMAGE_CONTAINER_MAGIC_SIZE);
    container_put16(raw + IMAGE_CONTAINER_AT_HEADER_SIZE, IMAGE_CONTAINER_HEADER_SIZE);
    raw[IMAGE_CONTAINER_AT_VERSION] = IMAGE_CONTAINER_VERSION;
    raw[IMAGE_CONTAINER_AT_FLAGS] = header->flags;
    container_put32(raw + IMAGE_CONTAINER_AT_SECURITY_VERSION, header->security_version);
    container_put32(raw + IMAGE_CONTAINER_AT_FLASH_BASE, header->flash_base);
    raw[IMAGE_CONTAINER_AT_TARGET_COUNT] = header->target_count;
    raw[IMAGE_CONTAINER_AT_SEGMENT_COUNT] = header->segment_count;
    container_put32(raw + IMAGE_CONTAINER_AT_PAYLOAD_SIZE, header->payload_size);
    memcpy(raw + IMAGE_CONTAINER_AT_PAYLOAD_SHA256, header->payload_sha256, SECURE_SHA256_SIZE);
    memcpy(raw + IMAGE_CONTAINER_AT_IV, header->iv, SECURE_AES_BLOCK_SIZE);
    memcpy(raw + IMAGE_CONTAINER_AT_KEY_ID, header->key_id, SECURE_KEY_ID_SIZE);
    for (unsigned i = 0; i < header->target_count && i < IMAGE_CONTAINER_MAX_TARGETS; i++) {
        uint8_t *entry = raw + IMAGE_CONTAINER_AT_TARGETS + i * IMAGE_CONTAINER_TARGET_SIZE;
        container_put16(entry, header->targets[i].dev_id);
        container_put16(entry + 2, header->targets[i].min_flash_kb);
    }
    for (unsigned i = 0; i < header->segment_count && i < IMAGE_CONTAINER_MAX_SEGMENTS; i++) {
        uint8_t *entry = raw + IMAGE_CONTAINER_AT_SEGMENTS + i * IMAGE_CONTAINER_SEGMENT_SIZE;
        container_put32(entry, header->segments[i].base);
        container_put32(entry + 4, header->segments[i].size);
    }
}

void image_container_init(struct image_container *container, const struct image_sink *sink,
                          struct status_report *report)
{
    memset(container, 0, sizeof *container);
    container->sink = *sink;
    container->report = report;
}

void image_container_allow_programmer(struct image_container *container)
{
    container->programmer_allowed = true;
}

void image_container_set_key(struct image_container *container, const uint8_t key[SECURE_AES_KEY_SIZE])
{
    memcpy(container->key, key, SECURE_AES_KEY_SIZE);
    container->has_key = true;
}

static enum status container_fail(struct image_container *container, enum status status)
{
    container->failure = status;
    return status;
}

/* The header is complete: check it and get ready for the signature block. */
static enum status container_header_done(struct image_container *container)
{
    struct image_container_header header;
    enum status status = image_container_header_decode(container->header, &header, container->report);
    if (status != STATUS_OK)
        return status;
    if ((header.flags & IMAGE_CONTAINER_FLAG_PROGRAMMER) && !container->programmer_allowed)
        return status_fail(container->report, STATUS_TARGET_MISMATCH,
                           "this container holds the programmer's own firmware (signed for esp8266), not an STM32 "
                           "image: send it with update-firmware (POST /api/v1/firmware)");
    container->encrypted = (header.flags & IMAGE_CONTAINER_FLAG_ENCRYPTED) != 0;
    if (container->encrypted) {
        if (!container->has_key)
            return status_fail(container->report, STATUS_IMAGE_ENCRYPTED,
                               "its header marks the payload as AES-128 encrypted");
        secure_aes_ctr_init(&container->aes, container->key);
    }
    container->payload_size = header.payload_size;
    container->segment_count = header.segment_count;
    container->stage = IMAGE_CONTAINER_SIGNATURE_LENGTH;
    return STATUS_OK;
}

static struct image_range container_segment(const struct image_container *container, unsigned index)
{
    const uint8_t *entry = container->header + IMAGE_CONTAINER_AT_SEGMENTS + index * IMAGE_CONTAINER_SEGMENT_SIZE;
    return (struct image_range){container_le32(entry), container_le32(entry + 4)};
}

/* Up to len payload bytes of the current segment, decrypted, to the sink; returns how many it took in *taken. */
static enum status container_payload(struct image_container *container, const uint8_t *bytes, size_t len,
                                     size_t *taken)
{
    struct image_range segment = container_segment(container, container->segment);
    size_t take = segment.size - container->segment_done;
    if (take > len)
        take = len;
    uint8_t plain[CONTAINER_DECRYPT_CHUNK];
    if (container->encrypted && take > sizeof plain)
        take = sizeof plain;
    const uint8_t *data = bytes;
    if (container->encrypted) {
        memcpy(plain, bytes, take);
        secure_aes_ctr_xor(&container->aes, container->header + IMAGE_CONTAINER_AT_IV,
                           container->offset - container->payload_offset, plain, take);
        data = plain;
    }
    enum status status = container->sink.data(container->sink.ctx, segment.base + container->segment_done, data,
                                              (uint32_t)take, container->offset);
    if (status != STATUS_OK)
        return status;
    *taken = take;
    container->segment_done += (uint32_t)take;
    if (container->segment_done == segment.size) {
        container->segment_done = 0;
        if (++container->segment == container->segment_count)
            container->stage = IMAGE_CONTAINER_END;
    }
    return STATUS_OK;
}

enum status image_container_feed(struct image_container *container, const uint8_t *bytes, size_t len)
{
    if (container->failure != STATUS_OK)
        return container->failure;
    while (len > 0) {
        size_t taken = 0;
        enum status status = STATUS_OK;
        switch (container->stage) {
        case IMAGE_CONTAINER_HEADER: {
            taken = IMAGE_CONTAINER_HEADER_SIZE - container->offset;
            if (taken > len)
                taken = len;
            memcpy(container->header + container->offset, bytes, taken);
            if (container->offset + taken == IMAGE_CONTAINER_HEADER_SIZE)
                status = container_header_done(container);
            break;
        }
        case IMAGE_CONTAINER_SIGNATURE_LENGTH:
            /* little-endian u16, one byte at a time */
            container->signature_size |= (uint16_t)(bytes[0] << (8 * (container->offset - IMAGE_CONTAINER_HEADER_SIZE)));
            taken = 1;
            if (container->offset + 1 == IMAGE_CONTAINER_HEADER_SIZE + IMAGE_CONTAINER_SIGNATURE_LENGTH_SIZE) {
                if (container->signature_size > SECURE_SIGNATURE_MAX) {
                    status = status_fail(container->report, STATUS_IMAGE_FORMAT,
                                         "container signature of %u bytes (a P-256 signature has at most %u)",
                                         container->signature_size, SECURE_SIGNATURE_MAX);
                    break;
                }
                container->payload_offset = container->offset + 1 + container->signature_size;
                container->stage =
                    container->signature_size > 0 ? IMAGE_CONTAINER_SIGNATURE : IMAGE_CONTAINER_PAYLOAD;
            }
            break;
        case IMAGE_CONTAINER_SIGNATURE:
            taken = container->payload_offset - container->offset;
            if (taken > len)
                taken = len;
            if (container->offset + taken == container->payload_offset)
                container->stage = IMAGE_CONTAINER_PAYLOAD;
            break;
        case IMAGE_CONTAINER_PAYLOAD: status = container_payload(container, bytes, len, &taken); break;
        case IMAGE_CONTAINER_END:
            status = status_fail(container->report, STATUS_IMAGE_FORMAT,
                                 "bytes follow the container's payload, from offset 0x%lX",
                                 (unsigned long)container->offset);
            break;
        }
        if (status != STATUS_OK)
            return container_fail(container, status);
        container->offset += (uint32_t)taken;
        bytes += taken;
        len -= taken;
    }
    return STATUS_OK;
}

enum status image_container_finish(struct image_container *container)
{
    if (container->failure != STATUS_OK)
        return container->failure;
    if (container->stage == IMAGE_CONTAINER_END)
        return STATUS_OK;
    const char *where = container->stage == IMAGE_CONTAINER_HEADER             ? "in its header"
                        : container->stage == IMAGE_CONTAINER_PAYLOAD          ? "in its payload"
                                                                               : "in its signature block";
    uint64_t expected = container->stage == IMAGE_CONTAINER_HEADER
                            ? IMAGE_CONTAINER_HEADER_SIZE
                            : (container->stage == IMAGE_CONTAINER_SIGNATURE_LENGTH
                                   ? IMAGE_CONTAINER_HEADER_SIZE + IMAGE_CONTAINER_SIGNATURE_LENGTH_SIZE
                                   : (uint64_t)container->payload_offset + container->payload_size);
    char length[DECIMAL_MAX];
    decimal_u64(expected, length);
    return container_fail(container, status_fail(container->report, STATUS_IMAGE_TRUNCATED,
                                                 "container ends %s after %lu of %s bytes", where,
                                                 (unsigned long)container->offset, length));
}
