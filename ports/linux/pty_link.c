/*
 * pty_link.c - a raw pseudo-terminal with a stable symlink to its slave side.
 */
#define _XOPEN_SOURCE 600
#define _DEFAULT_SOURCE
#include "pty_link.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

bool pty_link_open(struct pty_link *link, const char *link_path)
{
    memset(link, 0, sizeof *link);
    link->master_fd = posix_openpt(O_RDWR | O_NOCTTY | O_NONBLOCK);
    if (link->master_fd < 0)
        return false;
    const char *slave = NULL;
    if (grantpt(link->master_fd) != 0 || unlockpt(link->master_fd) != 0 || (slave = ptsname(link->master_fd)) == NULL)
        goto fail;
    snprintf(link->slave_path, sizeof link->slave_path, "%s", slave);

    /* Raw on both sides: no echo, no line editing, no CR/LF translation, 8 data bits. */
    struct termios settings;
    if (tcgetattr(link->master_fd, &settings) != 0)
        goto fail;
    cfmakeraw(&settings);
    if (tcsetattr(link->master_fd, TCSANOW, &settings) != 0)
        goto fail;

    if (link_path != NULL) {
        if (strlen(link_path) >= sizeof link->link_path) {
            errno = ENAMETOOLONG;
            goto fail;
        }
        (void)unlink(link_path);
        if (symlink(link->slave_path, link_path) != 0)
            goto fail;
        snprintf(link->link_path, sizeof link->link_path, "%s", link_path);
    }
    return true;

fail:;
    int saved = errno;
    close(link->master_fd);
    link->master_fd = -1;
    errno = saved;
    return false;
}

void pty_link_close(struct pty_link *link)
{
    if (link->link_path[0] != '\0')
        (void)unlink(link->link_path);
    if (link->master_fd >= 0)
        close(link->master_fd);
    link->master_fd = -1;
    link->link_path[0] = '\0';
}

long pty_link_read(struct pty_link *link, uint8_t *buf, size_t len)
{
    ssize_t got = read(link->master_fd, buf, len);
    if (got >= 0)
        return (long)got;
    /* EIO: no process has the slave side open right now; that is not an error for a link waiting for a client. */
    return (errno == EAGAIN || errno == EWOULDBLOCK || errno == EIO || errno == EINTR) ? 0 : -1;
}

long pty_link_write(struct pty_link *link, const uint8_t *buf, size_t len)
{
    ssize_t put = write(link->master_fd, buf, len);
    if (put >= 0)
        return (long)put;
    return (errno == EAGAIN || errno == EWOULDBLOCK || errno == EIO || errno == EINTR) ? 0 : -1;
}
