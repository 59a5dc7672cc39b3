/*
 * port_file_storage.c - block storage in a file, with the rules of NOR flash.
 */
#define _DEFAULT_SOURCE /* flock, fdatasync */
#include "port_file_storage.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

static bool read_fully(int fd, uint64_t offset, uint8_t *buf, size_t len)
{
    while (len > 0) {
        ssize_t got = pread(fd, buf, len, (off_t)offset);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            return false;
        buf += got;
        offset += (uint64_t)got;
        len -= (size_t)got;
    }
    return true;
}

static bool write_fully(int fd, uint64_t offset, const uint8_t *buf, size_t len)
{
    while (len > 0) {
        ssize_t done = pwrite(fd, buf, len, (off_t)offset);
        if (done < 0 && errno == EINTR)
            continue;
        if (done <= 0)
            return false;
        buf += done;
        offset += (uint64_t)done;
        len -= (size_t)done;
    }
    return true;
}

static bool in_range(const struct port_file_storage *storage, uint32_t offset, uint32_t len)
{
    return (uint64_t)offset + len <= (uint64_t)storage->hal.sector_count * storage->hal.sector_size;
}

static bool file_read(void *ctx, uint32_t offset, void *buf, uint32_t len)
{
    struct port_file_storage *storage = ctx;
    return in_range(storage, offset, len) && read_fully(storage->fd, offset, buf, len);
}

static bool file_program(void *ctx, uint32_t offset, const void *buf, uint32_t len)
{
    struct port_file_storage *storage = ctx;
    if (!in_range(storage, offset, len) || len > PORT_FILE_STORAGE_SECTOR_SIZE)
        return false;
    /* NOR: programming clears bits and never sets one. */
    uint8_t merged[PORT_FILE_STORAGE_SECTOR_SIZE];
    if (!read_fully(storage->fd, offset, merged, len))
        return false;
    const uint8_t *data = buf;
    for (uint32_t i = 0; i < len; i++)
        merged[i] &= data[i];
    return write_fully(storage->fd, offset, merged, len) && fdatasync(storage->fd) == 0;
}

static bool file_erase_sector(void *ctx, uint32_t sector)
{
    struct port_file_storage *storage = ctx;
    if (sector >= storage->hal.sector_count)
        return false;
    uint8_t erased[PORT_FILE_STORAGE_SECTOR_SIZE];
    memset(erased, 0xFF, sizeof erased);
    return write_fully(storage->fd, (uint64_t)sector * PORT_FILE_STORAGE_SECTOR_SIZE, erased, sizeof erased) &&
           fdatasync(storage->fd) == 0;
}

/* Writes an erased file aside and renames it into place. */
static enum status create_erased(const char *path, uint32_t sector_count, struct status_report *report)
{
    char aside[4096];
    if (snprintf(aside, sizeof aside, "%s.new", path) >= (int)sizeof aside)
        return status_fail(report, STATUS_INVALID_ARGUMENT, "store file path too long");
    int fd = open(aside, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        return status_fail(report, STATUS_STORE_IO, "creating %s: %s", aside, strerror(errno));
    uint8_t erased[PORT_FILE_STORAGE_SECTOR_SIZE];
    memset(erased, 0xFF, sizeof erased);
    bool ok = true;
    for (uint32_t sector = 0; sector < sector_count && ok; sector++)
        ok = write_fully(fd, (uint64_t)sector * sizeof erased, erased, sizeof erased);
    int saved_errno = errno;
    ok = ok && fsync(fd) == 0;
    close(fd);
    if (!ok || rename(aside, path) != 0) {
        if (ok)
            saved_errno = errno;
        unlink(aside);
        return status_fail(report, STATUS_STORE_IO, "creating %s: %s", path, strerror(saved_errno));
    }
    return STATUS_OK;
}

/* Opens and locks the file; *sectors receives its size in sectors. */
static enum status open_locked(const char *path, int *fd_out, uint32_t *sectors, struct status_report *report)
{
    int fd = open(path, O_RDWR | O_CLOEXEC);
    if (fd < 0)
        return status_fail(report, STATUS_STORE_IO, "opening %s: %s", path, strerror(errno));
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        int saved_errno = errno;
        close(fd);
        if (saved_errno == EWOULDBLOCK)
            return status_fail(report, STATUS_STORE_BUSY, "%s is in use by another process", path);
        return status_fail(report, STATUS_STORE_IO, "locking %s: %s", path, strerror(saved_errno));
    }
    struct stat info;
    if (fstat(fd, &info) != 0) {
        int saved_errno = errno;
        close(fd);
        return status_fail(report, STATUS_STORE_IO, "examining %s: %s", path, strerror(saved_errno));
    }
    uint64_t size = (uint64_t)info.st_size;
    if (size == 0 || size % PORT_FILE_STORAGE_SECTOR_SIZE != 0 || size > UINT32_MAX) {
        close(fd);
        return status_fail(report, STATUS_STORE_IO,
                           "%s holds %llu bytes, not a whole number of 4096-byte sectors: move it away", path,
                           (unsigned long long)size);
    }
    *fd_out = fd;
    *sectors = (uint32_t)(size / PORT_FILE_STORAGE_SECTOR_SIZE);
    return STATUS_OK;
}

enum status port_file_storage_open(struct port_file_storage *storage, const char *path, uint32_t sector_count,
                                   struct status_report *report)
{
    memset(storage, 0, sizeof *storage);
    storage->fd = -1;
    if (sector_count == 0 || (uint64_t)sector_count * PORT_FILE_STORAGE_SECTOR_SIZE > UINT32_MAX)
        return status_fail(report, STATUS_INVALID_ARGUMENT, "store file of %lu sectors: 1 to 1048575",
                           (unsigned long)sector_count);
    if (access(path, F_OK) != 0) {
        enum status status = create_erased(path, sector_count, report);
        if (status != STATUS_OK)
            return status;
    }
    int fd;
    uint32_t sectors;
    enum status status = open_locked(path, &fd, &sectors, report);
    if (status != STATUS_OK)
        return status;
    if (sectors != sector_count) {
        /* Another size: an erased file of the size asked for replaces it, while the lock on the old one keeps
         * another process out. */
        uint32_t old_sectors = sectors;
        status = create_erased(path, sector_count, report);
        close(fd);
        if (status == STATUS_OK)
            status = open_locked(path, &fd, &sectors, report);
        if (status != STATUS_OK)
            return status;
        storage->replaced_sectors = old_sectors;
    }
    storage->fd = fd;
    storage->hal = (struct hal_storage){
        .ctx = storage,
        .sector_size = PORT_FILE_STORAGE_SECTOR_SIZE,
        .sector_count = sectors,
        .read = file_read,
        .program = file_program,
        .erase_sector = file_erase_sector,
    };
    return STATUS_OK;
}

void port_file_storage_close(struct port_file_storage *storage)
{
    if (storage->fd >= 0)
        close(storage->fd); /* releases the lock */
    storage->fd = -1;
}
