/*
 * status.h - the one status type of the core, and the words a user reads when something fails.
 *
 * Every fallible call returns an enum status. The layer that detects a failure also fills a status_report with a
 * short detail (which register, which address, what was expected); status_format() joins the detail with the
 * status's own sentence, which says what probably went wrong and what to do about it.
 */
#ifndef AIRSWD_STATUS_H
#define AIRSWD_STATUS_H

#include <stddef.h>

#include "airswd_config.h"

enum status {
    STATUS_OK = 0,
    /* Wire (src/swd) */
    STATUS_NO_RESPONSE,      /* ACK 0b111: nobody drives SWDIO */
    STATUS_PROTOCOL_ERROR,   /* an ACK that is none of OK/WAIT/FAULT */
    STATUS_PARITY_ERROR,     /* read data failed its parity check */
    STATUS_WAIT_TIMEOUT,     /* target answered WAIT for longer than the limit */
    STATUS_FAULT,            /* target answered FAULT: a sticky error flag is set */
    /* Debug port and access port (src/adi) */
    STATUS_BUS_ERROR,        /* STICKYERR: the memory access failed on the target's bus */
    STATUS_WRITE_DATA_ERROR, /* WDATAERR: the target saw bad parity on data we wrote */
    STATUS_POWERUP_TIMEOUT,  /* debug power domain never acknowledged */
    STATUS_NO_MEM_AP,        /* no usable memory access port */
    STATUS_ALIGNMENT,        /* address not aligned to the access size */
    /* General */
    STATUS_INVALID_ARGUMENT,
    STATUS_UNSUPPORTED,
    STATUS_TIMEOUT,
    STATUS_CANCELLED,
    /* Firmware images (src/image) */
    STATUS_IMAGE_FORMAT,       /* the bytes break the rules of their format */
    STATUS_IMAGE_CHECKSUM,     /* an Intel HEX record failed its checksum */
    STATUS_IMAGE_TRUNCATED,    /* the file ends before its format says it does */
    STATUS_IMAGE_OVERLAP,      /* two parts of the image write the same address */
    STATUS_IMAGE_OUT_OF_RANGE, /* data outside the target's flash, option bytes and RAM */
    STATUS_IMAGE_TOO_COMPLEX,  /* the image needs more state than the fixed buffers hold */
    STATUS_IMAGE_EMPTY,        /* nothing to program */
    STATUS_IMAGE_CHANGED,      /* the programming pass saw data the checking pass did not */
    STATUS_IMAGE_ENCRYPTED,    /* the payload is encrypted and no image key was given */
    STATUS_IMAGE_UNTRUSTED_KEY, /* signed by a key the device does not trust (or not signed) */
    STATUS_IMAGE_SIGNATURE,    /* the signature does not match the header */
    STATUS_IMAGE_ROLLBACK,     /* security version below the device's minimum */
    STATUS_IMAGE_HASH,         /* the payload is not the one the signed header describes */
    STATUS_IMAGE_UNSIGNED,     /* a plain image where the policy accepts signed containers only */
    STATUS_FLASH_ERROR,        /* the flash controller reported a programming or erase error */
    STATUS_FLASH_PROTECTED,    /* write protection or read protection refused the operation */
    STATUS_VERIFY_MISMATCH,    /* flash does not hold what was programmed */
    STATUS_FLASH_DIFFERS,      /* a verify alone found the flash holding other data than the image */
    STATUS_TARGET_MISMATCH,    /* the image or the request does not fit the connected part */
    /* Core control (src/cortexm) */
    STATUS_CORE_NOT_HALTED,    /* the operation needs a halted core */
    STATUS_CORE_FAULT,         /* code run on the target faulted, stopped elsewhere than planned, or locked up */
    /* Staging store (src/service/store) */
    STATUS_STORE_IO,              /* the store's flash failed to read, program or erase */
    STATUS_STORE_TOO_LARGE,       /* the image is larger than the whole store */
    STATUS_STORE_NO_FREE_SLOT,    /* every entry of the journal describes an image the store must keep */
    STATUS_STORE_CRC_MISMATCH,    /* the received image is not the one the client announced */
    STATUS_STORE_CORRUPT,         /* stored bytes no longer match their CRC, or the journal breaks its rules */
    STATUS_STORE_UNKNOWN_UPLOAD,  /* no upload with that id to resume or continue */
    STATUS_STORE_NO_IMAGE,        /* the image, current or previous image asked for does not exist */
    STATUS_STORE_BUSY,            /* another upload is in progress */
    STATUS_STORE_LAYOUT,          /* the journal describes another layout or a newer format */
    STATUS_STORE_NO_ROOM_FOR_ROLLBACK, /* the image fits only if the rollback (or current) image gives up its room */
    STATUS_STORE_FULL,            /* staged images take the room the image needs */
    /* Programmer firmware update (src/service/firmware_update) */
    STATUS_FIRMWARE_TOO_LARGE, /* the firmware is larger than the programmer's update slot */
    /* Security state (src/service/service_security.c) */
    STATUS_SETUP_DONE,       /* first-boot setup was done already */
    STATUS_SECURITY_SAVE,    /* the security state could not be saved: nothing changed */
    STATUS_SECURITY_DAMAGED, /* the saved security state is damaged or unreadable: only a factory reset helps */
    /* Network engines (src/net) */
    STATUS_OUTPUT_FULL, /* a connection's output buffer has no room: its client reads slower than we write */
    /* ROM bootloader on the UART (src/uartboot) */
    STATUS_BOOTLOADER_SILENT,  /* nothing answered 0x7F: the ROM bootloader is not running or not connected */
    STATUS_BOOTLOADER_REFUSED, /* the ROM bootloader answered NACK to a well-formed command */
    STATUS_BOOTLOADER_LINE,    /* bytes kept getting lost or garbled on the line in the middle of an exchange */
    STATUS_COUNT
};

struct status_report {
    enum status status;
    char detail[AIRSWD_STATUS_DETAIL_MAX];
};

/* The sentence for a status: cause and remedy, never a bare code. Never NULL. */
const char *status_message(enum status status);

/* Short identifier of a status ("no-response"), for logs and JSON. Never NULL. */
const char *status_name(enum status status);

/* Records a failure in report (which may be NULL) and returns status, so a caller can write
 * `return status_fail(r, STATUS_X, "reading %s", what);`. The detail is printf-formatted and truncated to fit. */
enum status status_fail(struct status_report *report, enum status status, const char *detail_format, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

void status_clear(struct status_report *report);

/* "<detail>: <message>" (or the message alone when there is no detail) into out; returns out. */
char *status_format(const struct status_report *report, char *out, size_t out_size);

#endif /* AIRSWD_STATUS_H */
