/*
 * cli_image.c - the image file that flash and verify take (locally and through a device): --format, the checks that
 * the file can be read as an image, and its format, given or detected.
 */
#include "cli.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

bool cli_parse_format(const char *text, enum image_format *format)
{
    if (image_format_from_key(text, format))
        return true;
    fprintf(stderr, "airswd: --format is bin, hex, elf or container, not '%s'\n", text);
    return false;
}

bool cli_parse_base(const char *text, uint32_t *base)
{
    bool octal = text[0] == '0' && text[1] >= '0' && text[1] <= '9';
    if (octal) {
        fprintf(stderr, "airswd: --base %s: a leading 0 makes a number octal in C notation; write the address in hex, "
                        "such as 0x08000000\n", text);
        return false;
    }
    if (!cli_parse_u32(text, base)) {
        fprintf(stderr, "airswd: --base takes an address such as 0x08000000, not '%s'\n", text);
        return false;
    }
    if (*base == 0) {
        fprintf(stderr, "airswd: --base 0 is the boot alias, where the chip shows its flash at reset; an image goes to "
                        "the flash's own address: --base 0x08000000\n");
        return false;
    }
    return true;
}

int cli_image_check(const char *path, bool format_given, enum image_format *format)
{
    struct stat info;
    FILE *file = NULL;
    if (stat(path, &info) != 0 || (S_ISREG(info.st_mode) && (file = fopen(path, "rb")) == NULL)) {
        fprintf(stderr, "airswd: cannot open %s: %s\n", path, strerror(errno));
        return 2;
    }
    if (!S_ISREG(info.st_mode)) {
        fprintf(stderr, "airswd: %s is %s, not a regular file: the image is read more than once, so save it to a file "
                        "first\n",
                path, S_ISDIR(info.st_mode) ? "a directory" : S_ISFIFO(info.st_mode) ? "a pipe" : "a device");
        return 2;
    }
    uint8_t head[IMAGE_FORMAT_DETECT_BYTES];
    size_t got = fread(head, 1, sizeof head, file);
    fclose(file);
    if (format_given)
        return 0;
    struct status_report report;
    status_clear(&report);
    if (image_format_detect(head, got, format, &report) != STATUS_OK) {
        char text[AIRSWD_STATUS_DETAIL_MAX + 256];
        fprintf(stderr, "airswd: %s: %s\n", path, status_format(&report, text, sizeof text));
        fprintf(stderr, "airswd: if the file is an image all the same, name its format: --format bin|hex|elf\n");
        return 1;
    }
    return 0;
}
