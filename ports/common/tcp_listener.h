/*
 * tcp_listener.h - a listening TCP socket that hands over one client at a time, for byte-stream servers that are
 * not HTTP (the GDB remote protocol): the owner reads and writes the client's socket itself. BSD sockets, as Linux
 * and lwIP (the ESP8266) both offer them.
 */
#ifndef AIRSWD_TCP_LISTENER_H
#define AIRSWD_TCP_LISTENER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A client that answers no keepalive probe is gone after IDLE + INTERVAL x PROBES seconds of silence. */
#define TCP_CLIENT_KEEPALIVE_IDLE_S 10
#define TCP_CLIENT_KEEPALIVE_INTERVAL_S 5
#define TCP_CLIENT_KEEPALIVE_PROBES 3
/* A client that takes none of what is sent for this long counts as gone (the sender never blocks for longer). */
#define TCP_CLIENT_WRITE_TIMEOUT_MS 10000

struct tcp_listener {
    int fd; /* -1: closed */
    uint16_t port;
};

/* Listens on address_ipv4 (host byte order) and port (0: the system chooses). Returns 0, or -1 with errno set. */
int tcp_listener_open(struct tcp_listener *listener, uint32_t address_ipv4, uint16_t port);
bool tcp_listener_is_open(const struct tcp_listener *listener);
void tcp_listener_close(struct tcp_listener *listener);

/* Waits up to timeout_ms for a client; returns its socket (blocking, Nagle off, TCP keepalive on), or -1 when none
 * came. */
int tcp_listener_accept(struct tcp_listener *listener, int timeout_ms);

/* Waits up to timeout_ms for bytes from a client: > 0 bytes read, 0 none yet, -1 the client is gone. */
long tcp_client_read(int fd, uint8_t *buf, size_t len, int timeout_ms);
/* Sends all of bytes; false when the client is gone or took nothing for TCP_CLIENT_WRITE_TIMEOUT_MS. */
bool tcp_client_write(int fd, const uint8_t *bytes, size_t len);

#endif /* AIRSWD_TCP_LISTENER_H */
