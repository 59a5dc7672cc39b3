/*
 * pty_link.h - a pseudo-terminal standing in for the target's UART pins: a host program (stm32flash, a terminal)
 * opens the slave side through a symlink, the simulator reads and writes the master side.
 *
 * A pty has no baud rate and no parity bit: every byte arrives as sent, which is why stm32flash runs with -m 8n1
 * against it. Timing on the simulated side comes from the simulated USART or bootloader, not from the pty.
 */
#ifndef AIRSWD_PTY_LINK_H
#define AIRSWD_PTY_LINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct pty_link {
    int master_fd;         /* non-blocking */
    char slave_path[128];  /* /dev/pts/N */
    char link_path[256];   /* the symlink that points at slave_path, removed by pty_link_close() */
};

/* Opens a raw pty and makes link_path (may be NULL) a symlink to its slave side, replacing an older symlink.
 * Returns false with errno set on failure. */
bool pty_link_open(struct pty_link *link, const char *link_path);
void pty_link_close(struct pty_link *link);

/* Non-blocking I/O on the master side: the number of bytes moved, 0 when nothing is pending (or the slave side is
 * not open yet), -1 on error. */
long pty_link_read(struct pty_link *link, uint8_t *buf, size_t len);
long pty_link_write(struct pty_link *link, const uint8_t *buf, size_t len);

#endif /* AIRSWD_PTY_LINK_H */
