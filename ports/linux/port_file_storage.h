/*
 * port_file_storage.h - block storage in a file, for the staging store of the Linux daemon (in its state directory).
 *
 * It behaves like the ESP8266's SPI flash, so that the store runs the same way on both: 4096-byte erase sectors,
 * erased bytes read 0xFF, and a program only clears bits (the file receives old AND new). Every program and erase
 * reaches the disk (fdatasync) before it returns, so that the order of the store's writes, on which its power-cut
 * safety rests, survives a crash of the host too.
 */
#ifndef AIRSWD_PORT_FILE_STORAGE_H
#define AIRSWD_PORT_FILE_STORAGE_H

#include <stdbool.h>
#include <stdint.h>

#include "hal.h"
#include "status.h"

#define PORT_FILE_STORAGE_SECTOR_SIZE 4096u

struct port_file_storage {
    struct hal_storage hal; /* what the store is given; hal.ctx points here */
    int fd;
    uint32_t replaced_sectors; /* the size of a file of another size that open replaced; 0 when there was none */
};

/* Opens the file at path. A missing file is created with sector_count erased sectors (written aside and renamed
 * into place, so that a half-created file never appears). An existing file of another whole number of sectors is
 * replaced the same way by an erased file of sector_count sectors: what it held is lost (replaced_sectors says so);
 * a file that is not a whole number of sectors is refused. The file is locked: a second process opening it fails.
 * On failure returns STATUS_STORE_IO, STATUS_STORE_BUSY (or STATUS_INVALID_ARGUMENT) with the reason in report. */
enum status port_file_storage_open(struct port_file_storage *storage, const char *path, uint32_t sector_count,
                                   struct status_report *report);
void port_file_storage_close(struct port_file_storage *storage);

#endif /* AIRSWD_PORT_FILE_STORAGE_H */
