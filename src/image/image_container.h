/*
 * image_container.h - the signed container (docs/image-format.md): a 256-byte header that names the target, the
 * load segments, the security version and the SHA-256 of the payload; a signature block (ECDSA P-256, DER, over the
 * header); then the payload, the segments' bytes one after the other, optionally AES-128-CTR encrypted.
 *
 * The parser is fed the file in chunks of any size like the other formats, keeps the header and nothing else, and
 * hands the payload to the sink, decrypted, at the addresses of its segments. It checks that the header is sane
 * (magic, version, flags, reserved fields, counts, segments sorted and apart, payload length) and that the file
 * holds exactly what the header promises; it does not check the signature nor the payload's hash: that is
 * secure_image_check() (src/secure/secure_image.h), which a device runs on the whole file before anything else.
 */
#ifndef AIRSWD_IMAGE_CONTAINER_H
#define AIRSWD_IMAGE_CONTAINER_H

#include <stdbool.h>

#include "image/image.h"
#include "secure/secure_crypto.h"

#define IMAGE_CONTAINER_MAGIC          "AIRSWDC1"
#define IMAGE_CONTAINER_MAGIC_SIZE     8
#define IMAGE_CONTAINER_HEADER_SIZE    256
#define IMAGE_CONTAINER_VERSION        1
#define IMAGE_CONTAINER_FLAG_ENCRYPTED 0x01u
/* The payload is the programmer's own firmware (airswd sign --target esp8266): an app image for its update slot,
 * never something to write into an STM32. No targets, flash base 0, one segment at 0. */
#define IMAGE_CONTAINER_FLAG_PROGRAMMER 0x02u
#define IMAGE_CONTAINER_MAX_TARGETS    8
#define IMAGE_CONTAINER_MAX_SEGMENTS   16
/* The signature block: a u16 length, then that many bytes of DER signature (0: not signed yet). */
#define IMAGE_CONTAINER_SIGNATURE_LENGTH_SIZE 2

/* Field offsets in the header (little-endian). */
enum image_container_offset {
    IMAGE_CONTAINER_AT_MAGIC = 0,
    IMAGE_CONTAINER_AT_HEADER_SIZE = 8,     /* u16 */
    IMAGE_CONTAINER_AT_VERSION = 10,        /* u8 */
    IMAGE_CONTAINER_AT_FLAGS = 11,          /* u8 */
    IMAGE_CONTAINER_AT_SECURITY_VERSION = 12, /* u32 */
    IMAGE_CONTAINER_AT_FLASH_BASE = 16,     /* u32 */
    IMAGE_CONTAINER_AT_TARGET_COUNT = 20,   /* u8 */
    IMAGE_CONTAINER_AT_SEGMENT_COUNT = 21,  /* u8 */
    IMAGE_CONTAINER_AT_RESERVED1 = 22,      /* u16, zero */
    IMAGE_CONTAINER_AT_PAYLOAD_SIZE = 24,   /* u32 */
    IMAGE_CONTAINER_AT_PAYLOAD_SHA256 = 28, /* 32 bytes */
    IMAGE_CONTAINER_AT_IV = 60,             /* 16 bytes */
    IMAGE_CONTAINER_AT_KEY_ID = 76,         /* 8 bytes */
    IMAGE_CONTAINER_AT_RESERVED2 = 84,      /* u32, zero */
    IMAGE_CONTAINER_AT_TARGETS = 88,        /* 8 x (DEV_ID u16, minimum flash KB u16) */
    IMAGE_CONTAINER_AT_SEGMENTS = 120,      /* 16 x (address u32, length u32) */
    IMAGE_CONTAINER_AT_RESERVED3 = 248,     /* 8 bytes, zero */
};
#define IMAGE_CONTAINER_TARGET_SIZE  4
#define IMAGE_CONTAINER_SEGMENT_SIZE 8

/* A part the image is for: DEV_ID (DBGMCU_IDCODE[11:0]) and, when not 0, the smallest flash it needs. */
struct image_container_target {
    uint16_t dev_id;
    uint16_t min_flash_kb;
};

/* The header, decoded. */
struct image_container_header {
    uint8_t flags;
    uint8_t target_count;
    uint8_t segment_count;
    uint32_t security_version;
    uint32_t flash_base;
    uint32_t payload_size;
    uint8_t payload_sha256[SECURE_SHA256_SIZE];
    uint8_t iv[SECURE_AES_BLOCK_SIZE];
    uint8_t key_id[SECURE_KEY_ID_SIZE];
    struct image_container_target targets[IMAGE_CONTAINER_MAX_TARGETS];
    struct image_range segments[IMAGE_CONTAINER_MAX_SEGMENTS];
};

/* Decodes and checks a header; STATUS_IMAGE_FORMAT or STATUS_IMAGE_OVERLAP with a detail when it breaks a rule. */
enum status image_container_header_decode(const uint8_t raw[IMAGE_CONTAINER_HEADER_SIZE],
                                          struct image_container_header *header, struct status_report *report);

/* Writes a header (reserved fields zero, unused entries zero). It is not checked: decode it to check it. */
void image_container_header_encode(const struct image_container_header *header,
                                   uint8_t raw[IMAGE_CONTAINER_HEADER_SIZE]);

enum image_container_stage {
    IMAGE_CONTAINER_HEADER,           /* collecting the header */
    IMAGE_CONTAINER_SIGNATURE_LENGTH, /* collecting the signature block's length */
    IMAGE_CONTAINER_SIGNATURE,        /* skipping the signature */
    IMAGE_CONTAINER_PAYLOAD,          /* passing decrypted payload to the sink */
    IMAGE_CONTAINER_END,              /* the payload is complete: nothing may follow */
};

struct image_container {
    struct image_sink sink;
    struct status_report *report;
    enum status failure; /* sticky: once set, every call returns it */
    enum image_container_stage stage;
    uint32_t offset;         /* file offset of the next byte */
    uint32_t payload_offset; /* file offset of the payload's first byte */
    uint32_t payload_size;
    uint32_t segment_done;   /* bytes of the current segment passed on */
    uint16_t signature_size;
    uint8_t segment;         /* index of the current segment */
    uint8_t segment_count;
    bool encrypted;
    bool programmer_allowed; /* a container of the programmer's own firmware is read, not refused */
    bool has_key;
    uint8_t key[SECURE_AES_KEY_SIZE];
    struct secure_aes_ctr aes; /* set up at the end of the header when encrypted */
    uint8_t header[IMAGE_CONTAINER_HEADER_SIZE];
};

void image_container_init(struct image_container *container, const struct image_sink *sink,
                          struct status_report *report);
/* A container of the programmer's own firmware (IMAGE_CONTAINER_FLAG_PROGRAMMER) is refused with
 * STATUS_TARGET_MISMATCH by default, since everything else reads containers to program an STM32; the check of a
 * firmware update reads both. */
void image_container_allow_programmer(struct image_container *container);

/* The AES-128 key of encrypted payloads; before the first feed. Without it an encrypted file is refused with
 * STATUS_IMAGE_ENCRYPTED. */
void image_container_set_key(struct image_container *container, const uint8_t key[SECURE_AES_KEY_SIZE]);

enum status image_container_feed(struct image_container *container, const uint8_t *bytes, size_t len);

/* The file has ended: the payload must be complete. */
enum status image_container_finish(struct image_container *container);

/* Whether the header has been read whole (then container->header holds it). */
static inline bool image_container_has_header(const struct image_container *container)
{
    return container->stage != IMAGE_CONTAINER_HEADER;
}

#endif /* AIRSWD_IMAGE_CONTAINER_H */
