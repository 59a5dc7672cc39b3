/*
 * status.c - words for every status of the core.
 */
#include "status.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

struct status_text {
    const char *name;
    const char *message;
};

static const struct status_text status_texts[STATUS_COUNT] = {
    [STATUS_OK] = {"ok", "success"},
    [STATUS_NO_RESPONSE] = {"no-response",
                            "target not responding: check SWDIO/SWCLK wiring, common ground and target power (a part at "
                            "read protection level 2 never answers a debugger)"},
    [STATUS_PROTOCOL_ERROR] = {"protocol-error",
                               "garbled SWD acknowledge: check wiring length and ground, or lower the SWCLK frequency"},
    [STATUS_PARITY_ERROR] = {"parity-error",
                             "SWD data failed its parity check: signal integrity problem, lower the SWCLK frequency"},
    [STATUS_WAIT_TIMEOUT] = {"wait-timeout",
                             "target kept answering WAIT: its bus is stalled (clock stopped, or in a low-power mode); "
                             "connect under reset (--connect-under-reset; a device's connect_under_reset setting)"},
    [STATUS_FAULT] = {"fault", "target answered FAULT: a previous debug access failed"},
    [STATUS_BUS_ERROR] = {"bus-error",
                          "memory access failed on the target's bus: the address is not mapped, not enabled, or "
                          "protected"},
    [STATUS_WRITE_DATA_ERROR] = {"write-data-error",
                                 "target saw corrupted data on the wire: signal integrity problem, lower the SWCLK "
                                 "frequency"},
    [STATUS_POWERUP_TIMEOUT] = {"powerup-timeout",
                                "debug power domain did not come up: the target may be held in a low-power state or "
                                "its supply is too weak"},
    [STATUS_NO_MEM_AP] = {"no-mem-ap", "no usable memory access port found on this debug port"},
    [STATUS_ALIGNMENT] = {"alignment", "address is not aligned to the access size"},
    [STATUS_INVALID_ARGUMENT] = {"invalid-argument", "invalid argument"},
    [STATUS_UNSUPPORTED] = {"unsupported", "not supported by this target or port"},
    [STATUS_TIMEOUT] = {"timeout", "operation timed out"},
    [STATUS_CANCELLED] = {"cancelled", "operation cancelled"},
    [STATUS_IMAGE_FORMAT] = {"image-format",
                             "the file is not a valid firmware image: check that it is the build output (Intel HEX, "
                             "ARM ELF or raw binary) and that it was not altered on the way"},
    [STATUS_IMAGE_CHECKSUM] = {"image-checksum",
                               "an Intel HEX record failed its checksum: the file is corrupted, export or upload it "
                               "again"},
    [STATUS_IMAGE_TRUNCATED] = {"image-truncated",
                                "the file ends too early: the upload or copy was cut short, send the whole file "
                                "again"},
    [STATUS_IMAGE_OVERLAP] = {"image-overlap",
                              "two parts of the image write the same address: check the linker script, or the tool "
                              "that merged the files"},
    [STATUS_IMAGE_OUT_OF_RANGE] = {"image-out-of-range",
                                   "the image writes outside this target's flash: check that it was built for this "
                                   "part (linker script flash origin and size) and, for a raw binary, its base "
                                   "address"},
    [STATUS_IMAGE_TOO_COMPLEX] = {"image-too-complex",
                                  "the image is laid out in a way the programmer cannot follow in its fixed memory: "
                                  "rewrite it as one piece with `arm-none-eabi-objcopy`, a raw binary (`-O binary`) "
                                  "or Intel HEX with the gaps between its pieces filled (`-O ihex --gap-fill 0xFF`)"},
    [STATUS_IMAGE_EMPTY] = {"image-empty",
                            "the image holds nothing to program into this target's flash: check that it is the "
                            "firmware build output"},
    [STATUS_IMAGE_CHANGED] = {"image-changed",
                              "the image read for programming differs from the one that was checked: the stored copy "
                              "changed, upload it again"},
    [STATUS_IMAGE_ENCRYPTED] = {"image-encrypted",
                                "the image is encrypted and this device has no image key: install the AES key the "
                                "image was encrypted with, or upload an unencrypted image"},
    [STATUS_IMAGE_UNTRUSTED_KEY] = {"image-untrusted-key",
                                    "the image is not signed by a key this device trusts: sign it with one of the "
                                    "device's keys (`airswd sign --key`), or add its public key (`airswd --device URL "
                                    "trust`)"},
    [STATUS_IMAGE_SIGNATURE] = {"image-signature",
                                "the image's signature does not match its header: the file was altered after "
                                "signing, or signed with another key; sign it again"},
    [STATUS_IMAGE_ROLLBACK] = {"image-rollback",
                               "the image is older than this device accepts (anti-rollback): sign the firmware with "
                               "a higher security version (`airswd sign --version`)"},
    [STATUS_IMAGE_HASH] = {"image-hash",
                           "the image's payload does not match the hash in its signed header: the file is corrupted "
                           "or the device's image key is not the one it was encrypted with; upload it again"},
    [STATUS_IMAGE_UNSIGNED] = {"image-unsigned",
                               "this device flashes signed images only: wrap the firmware in a signed container "
                               "(`airswd sign`)"},
    [STATUS_FLASH_ERROR] = {"flash-error",
                            "the flash controller refused to program or erase: the target's supply may be too low, "
                            "or the memory was not erased first"},
    [STATUS_FLASH_PROTECTED] = {"flash-protected",
                                "flash is write- or read-protected: remove the protection with `airswd option-bytes "
                                "--set wrp=none` or `airswd unlock --yes` (unlocking read protection erases the chip)"},
    [STATUS_VERIFY_MISMATCH] = {"verify-mismatch",
                                "flash does not hold what was just programmed: flash again; if it fails again the "
                                "flash may be worn or the wiring unreliable"},
    [STATUS_FLASH_DIFFERS] = {"flash-differs",
                              "the flash holds other data than this image (verify changes nothing): flash the image "
                              "to put it there, or check that it is the image you meant"},
    [STATUS_TARGET_MISMATCH] = {"target-mismatch",
                                "the image does not fit the connected part: check that it was built for this part"},
    [STATUS_CORE_NOT_HALTED] = {"core-not-halted",
                                "the target's core is running: halt it first (registers and loaders need a halted "
                                "core)"},
    [STATUS_CORE_FAULT] = {"core-fault",
                           "code the programmer ran on the target faulted or stopped before its end: the loader may "
                           "not suit this part, or its RAM is smaller than expected; reset the target and try again"},
    [STATUS_STORE_IO] = {"store-io",
                         "the staging store's flash failed to read, program or erase: restart the device; if it "
                         "keeps failing the flash is worn out or the store's file is not writable"},
    [STATUS_STORE_TOO_LARGE] = {"store-too-large",
                                "the image is larger than the whole staging store: build a smaller image, or give the "
                                "store more room (a larger flash partition; airswdd --store-size)"},
    [STATUS_STORE_NO_FREE_SLOT] = {"store-no-free-slot",
                                   "the staging store describes 4 images at most, and each holds one it must keep "
                                   "(current, previous or staged): activate or delete a staged image first"},
    [STATUS_STORE_CRC_MISMATCH] = {"store-crc-mismatch",
                                   "the received image does not match the CRC-32 the client announced: it was "
                                   "corrupted or cut on the way, upload it again"},
    [STATUS_STORE_CORRUPT] = {"store-corrupt",
                              "the staging store holds bytes that no longer match their CRC-32: its flash is failing; "
                              "upload the image again, and format the store if it persists"},
    [STATUS_STORE_UNKNOWN_UPLOAD] = {"store-unknown-upload",
                                     "no interrupted upload with this id: it was finished, aborted, replaced, or cut "
                                     "before its first checkpoint; start the upload again"},
    [STATUS_STORE_NO_IMAGE] = {"store-no-image",
                               "the staging store holds no such image: list the store to see what it holds"},
    [STATUS_STORE_BUSY] = {"store-busy", "another upload is in progress: finish or abort it first"},
    [STATUS_STORE_LAYOUT] = {"store-layout",
                             "the staging store was laid out differently (another storage size or journal, an older "
                             "format) or by a newer firmware: format the store, which deletes its images"},
    [STATUS_STORE_NO_ROOM_FOR_ROLLBACK] = {"store-no-room-for-rollback",
                                           "the image does not fit in the staging store beside the images it keeps "
                                           "for rollback: flash it with --no-rollback (the page offers the same) to "
                                           "give up the rollback copy, or build a smaller image"},
    [STATUS_STORE_FULL] = {"store-full",
                           "staged images take the room the image needs in the staging store, and the store never "
                           "drops them by itself: delete the staged images named, then upload again"},
    [STATUS_FIRMWARE_TOO_LARGE] = {"firmware-too-large",
                                   "the firmware is larger than the programmer's update slot: build it with fewer "
                                   "features, or use a board with more flash"},
    [STATUS_SETUP_DONE] = {"setup-done", "setup was done already: a factory reset opens it again"},
    [STATUS_SECURITY_SAVE] = {"security-save",
                              "the security state could not be saved, so nothing changed: try again, then check the "
                              "device's storage"},
    [STATUS_SECURITY_DAMAGED] = {"security-damaged",
                                 "the saved security state is damaged: everything protected is refused until a "
                                 "factory reset"},
    [STATUS_OUTPUT_FULL] = {"output-full",
                            "the client is not reading fast enough: its connection's output buffer is full; send "
                            "the data again once it has drained, or drop it"},
    [STATUS_BOOTLOADER_SILENT] = {"bootloader-silent",
                                  "the STM32's ROM bootloader does not answer: BOOT0/NRST not wired, or TX/RX swapped "
                                  "(the programmer's TX goes to the STM32's RX, PA10)"},
    [STATUS_BOOTLOADER_REFUSED] = {"bootloader-refused",
                                   "the STM32's ROM bootloader refused the command: the address is outside what it "
                                   "may reach, or the flash is protected"},
    [STATUS_BOOTLOADER_LINE] = {"bootloader-line",
                                "bytes to or from the ROM bootloader kept getting lost or garbled: check the wiring "
                                "and common ground, or lower the baud rate"},
};

static const struct status_text *status_lookup(enum status status)
{
    if ((unsigned)status >= STATUS_COUNT || status_texts[status].name == NULL)
        return NULL;
    return &status_texts[status];
}

const char *status_message(enum status status)
{
    const struct status_text *text = status_lookup(status);
    return text ? text->message : "unknown error";
}

const char *status_name(enum status status)
{
    const struct status_text *text = status_lookup(status);
    return text ? text->name : "unknown";
}

enum status status_fail(struct status_report *report, enum status status, const char *detail_format, ...)
{
    if (report == NULL)
        return status;
    report->status = status;
    va_list args;
    va_start(args, detail_format);
    vsnprintf(report->detail, sizeof report->detail, detail_format, args);
    va_end(args);
    return status;
}

void status_clear(struct status_report *report)
{
    if (report == NULL)
        return;
    report->status = STATUS_OK;
    report->detail[0] = '\0';
}

char *status_format(const struct status_report *report, char *out, size_t out_size)
{
    if (out_size == 0)
        return out;
    if (report->detail[0] != '\0')
        snprintf(out, out_size, "%s: %s", report->detail, status_message(report->status));
    else
        snprintf(out, out_size, "%s", status_message(report->status));
    return out;
}
