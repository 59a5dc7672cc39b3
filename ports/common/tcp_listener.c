/*
 * tcp_listener.c - tcp_listener.h over BSD sockets: Linux's, or lwIP's on the ESP8266.
 */
#if defined(__linux__)
#define _POSIX_C_SOURCE 200809L
#endif
#include "tcp_listener.h"

#include <errno.h>
#include <string.h>

#include "bsd_sockets.h"

int tcp_listener_open(struct tcp_listener *listener, uint32_t address_ipv4, uint16_t port)
{
    listener->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (listener->fd < 0)
        return -1;
    int one = 1;
    setsockopt(listener->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = htons(port),
                                  .sin_addr.s_addr = htonl(address_ipv4)};
    socklen_t size = sizeof address;
    if (bind(listener->fd, (struct sockaddr *)&address, sizeof address) != 0 || listen(listener->fd, 2) != 0 ||
        getsockname(listener->fd, (struct sockaddr *)&address, &size) != 0) {
        int error = errno;
        close(listener->fd);
        listener->fd = -1;
        errno = error;
        return -1;
    }
    listener->port = ntohs(address.sin_port);
    return 0;
}

bool tcp_listener_is_open(const struct tcp_listener *listener)
{
    return listener->fd >= 0;
}

void tcp_listener_close(struct tcp_listener *listener)
{
    if (listener->fd >= 0)
        close(listener->fd);
    listener->fd = -1;
}

int tcp_listener_accept(struct tcp_listener *listener, int timeout_ms)
{
    struct pollfd waiting = {.fd = listener->fd, .events = POLLIN};
    if (listener->fd < 0 || poll(&waiting, 1, timeout_ms) <= 0)
        return -1;
    int fd = accept(listener->fd, NULL, NULL);
    if (fd >= 0) {
        int one = 1, idle_s = TCP_CLIENT_KEEPALIVE_IDLE_S, interval_s = TCP_CLIENT_KEEPALIVE_INTERVAL_S,
            probes = TCP_CLIENT_KEEPALIVE_PROBES;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one); /* packets are small and answered at once */
        /* A client whose host vanished (cable, WiFi, power) sends no FIN: probes find it gone. */
        setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof one);
        setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle_s, sizeof idle_s);
        setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &interval_s, sizeof interval_s);
        setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &probes, sizeof probes);
    }
    return fd;
}

long tcp_client_read(int fd, uint8_t *buf, size_t len, int timeout_ms)
{
    struct pollfd waiting = {.fd = fd, .events = POLLIN};
    int ready = poll(&waiting, 1, timeout_ms);
    if (ready < 0)
        return errno == EINTR ? 0 : -1;
    if (ready == 0)
        return 0;
    ssize_t got = recv(fd, buf, len, 0);
    if (got < 0 && (errno == EINTR || errno == EAGAIN))
        return 0;
    return got > 0 ? (long)got : -1;
}

bool tcp_client_write(int fd, const uint8_t *bytes, size_t len)
{
    while (len != 0) {
        ssize_t sent = send(fd, bytes, len, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (sent < 0 && errno == EINTR)
            continue;
        if (sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            struct pollfd room = {.fd = fd, .events = POLLOUT};
            if (poll(&room, 1, TCP_CLIENT_WRITE_TIMEOUT_MS) <= 0)
                return false; /* a client that reads nothing for that long is gone */
            continue;
        }
        if (sent <= 0)
            return false;
        bytes += sent;
        len -= (size_t)sent;
    }
    return true;
}
