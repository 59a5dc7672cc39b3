/*
 * http_server.c - poll() loop that moves bytes between TCP sockets and the HTTP engine's connections: BSD sockets as
 * Linux and lwIP (the ESP8266) both offer them.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* POLLRDHUP on Linux */
#endif
#include "http_server.h"

#include <errno.h>
#include <string.h>

#include "bsd_sockets.h"

/* Linux tells that a client shut its side while nothing is read from it (an event stream's reader going away);
 * lwIP does not, and such a client is seen at its next send or timeout instead. */
#ifndef POLLRDHUP
#define POLLRDHUP 0
#endif

#ifndef HTTP_SERVER_RECEIVE_CHUNK
#define HTTP_SERVER_RECEIVE_CHUNK 4096u /* on the stack of the loop's task */
#endif
#define RECEIVE_CHUNK  HTTP_SERVER_RECEIVE_CHUNK
#define POLL_TICK_MS   50   /* longest wait while a connection is open: the engine's timers need ticks */
#define LINGER_MS      1000 /* how long a closing connection keeps reading what the client still sends */
#define RECEIVE_ROUNDS 16   /* reads per connection per poll, so that one client cannot starve the others */
#define LISTEN_BACKLOG 16

static uint64_t server_now_us(const struct http_server *server)
{
    return server->system->now_us(server->system->ctx);
}

static bool set_nonblocking(int fd)
{
    int flags = fcntl(fd, F_GETFL, 0);
    return flags >= 0 && fcntl(fd, F_SETFL, flags | O_NONBLOCK) == 0;
}

int http_server_open(struct http_server *server, const struct http_config *config, const struct hal_system *system,
                     uint32_t address_ipv4, uint16_t port)
{
    memset(server, 0, sizeof *server);
    server->config = config;
    server->system = system;
    for (size_t i = 0; i < HTTP_SERVER_CONNECTIONS; i++)
        server->slots[i].fd = -1;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return -1;
    int one = 1;
    struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = htons(port)};
    address.sin_addr.s_addr = htonl(address_ipv4);
    socklen_t length = sizeof address;
    if (!set_nonblocking(fd) || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
        bind(fd, (struct sockaddr *)&address, sizeof address) != 0 || listen(fd, LISTEN_BACKLOG) != 0 ||
        getsockname(fd, (struct sockaddr *)&address, &length) != 0) {
        int saved = errno;
        close(fd);
        errno = saved;
        return -1;
    }
    server->listen_fd = fd;
    server->port = ntohs(address.sin_port);
    return 0;
}

uint16_t http_server_port(const struct http_server *server)
{
    return server->port;
}

static void release(struct http_server_slot *slot)
{
    close(slot->fd);
    slot->fd = -1;
    slot->lingering = false;
    slot->peer_done = false;
}

/* The engine is done with the connection: half-close and read until the client closes. */
static void start_linger(struct http_server_slot *slot, uint64_t now_us)
{
    (void)shutdown(slot->fd, SHUT_WR);
    slot->lingering = true;
    slot->linger_deadline_us = now_us + (uint64_t)LINGER_MS * 1000u;
}

static void linger(struct http_server_slot *slot, uint64_t now_us)
{
    uint8_t discard[RECEIVE_CHUNK];
    for (;;) {
        ssize_t got = recv(slot->fd, discard, sizeof discard, 0);
        if (got > 0)
            continue;
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) && now_us < slot->linger_deadline_us)
            return;
        release(slot);
        return;
    }
}

/* Sends what the engine has; a socket error ends the connection. */
static void flush(struct http_server_slot *slot)
{
    const uint8_t *bytes;
    size_t len;
    while (http_connection_output(&slot->conn, &bytes, &len)) {
        ssize_t sent = send(slot->fd, bytes, len, MSG_NOSIGNAL);
        if (sent > 0) {
            http_connection_consumed(&slot->conn, (size_t)sent);
        } else if (sent < 0 && errno == EINTR) {
            continue;
        } else if (sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            return;
        } else {
            http_connection_close(&slot->conn);
            return;
        }
    }
}

/* With every slot taken and a client waiting to connect, the slot that gives way to it: one lingering after its
 * exchange, else the engine's choice (http_connection_eviction: idle, then slow bodies, slow readers, event
 * streams, the longest in its class first); NULL when every connection is busy with a request that moves. */
static struct http_server_slot *evictable(struct http_server *server, uint64_t now_us)
{
    struct http_server_slot *chosen = NULL;
    enum http_eviction chosen_class = HTTP_EVICTION_NONE;
    uint64_t chosen_since = 0;
    for (size_t i = 0; i < HTTP_SERVER_CONNECTIONS; i++) {
        struct http_server_slot *slot = &server->slots[i];
        if (slot->fd < 0)
            continue;
        if (slot->lingering)
            return slot; /* its answer has gone: only the client's last bytes are awaited */
        uint64_t since;
        enum http_eviction class = http_connection_eviction(&slot->conn, now_us, &since);
        if (class == HTTP_EVICTION_NONE)
            continue;
        if (chosen == NULL || class > chosen_class || (class == chosen_class && since < chosen_since)) {
            chosen = slot;
            chosen_class = class;
            chosen_since = since;
        }
    }
    return chosen;
}

static void accept_clients(struct http_server *server, uint64_t now_us)
{
    /* Every slot taken: one idle or slow connection or event stream makes room for one client (the rest wait). */
    bool full = true;
    for (size_t i = 0; i < HTTP_SERVER_CONNECTIONS && full; i++)
        full = server->slots[i].fd >= 0;
    if (full) {
        struct http_server_slot *victim = evictable(server, now_us);
        if (victim == NULL)
            return;
        if (victim->lingering) {
            linger(victim, UINT64_MAX); /* what the client sent is read first, so that the close is not a reset */
        } else {
            http_connection_evict(&victim->conn);
            flush(victim); /* an event stream's last chunk */
            http_connection_close(&victim->conn);
            release(victim);
        }
    }

    for (size_t i = 0; i < HTTP_SERVER_CONNECTIONS; i++) {
        struct http_server_slot *slot = &server->slots[i];
        if (slot->fd >= 0)
            continue;
        struct sockaddr_in local, peer;
        socklen_t local_length = sizeof local, peer_length = sizeof peer;
        int fd = accept(server->listen_fd, (struct sockaddr *)&peer, &peer_length);
        if (fd < 0)
            return;
        if (!set_nonblocking(fd) || getsockname(fd, (struct sockaddr *)&local, &local_length) != 0) {
            close(fd);
            return;
        }
        int one = 1;
        (void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one); /* small answers and events go out now */
        slot->fd = fd;
        slot->local_ipv4 = ntohl(local.sin_addr.s_addr);
        slot->lingering = false;
        slot->peer_done = false;
        http_connection_init(&slot->conn, server->config, now_us);
        slot->conn.user = slot;
        slot->conn.peer_address = peer.sin_family == AF_INET ? ntohl(peer.sin_addr.s_addr) : 0;
    }
}

static void receive(struct http_server_slot *slot, uint64_t now_us)
{
    uint8_t buffer[RECEIVE_CHUNK];
    for (unsigned round = 0; round < RECEIVE_ROUNDS && http_connection_wants_input(&slot->conn); round++) {
        ssize_t got = recv(slot->fd, buffer, sizeof buffer, MSG_PEEK);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return;
        if (got < 0) {
            http_connection_close(&slot->conn);
            return;
        }
        if (got == 0) {
            http_connection_end_of_input(&slot->conn, now_us);
            return;
        }
        size_t used = http_connection_feed(&slot->conn, buffer, (size_t)got, now_us);
        if (used > 0 && recv(slot->fd, buffer, used, 0) != (ssize_t)used) {
            http_connection_close(&slot->conn); /* the peeked bytes are gone: cannot happen on a stream socket */
            return;
        }
        flush(slot);
    }
}

/* What the connection waits for. */
static short wanted_events(struct http_server_slot *slot)
{
    if (slot->lingering)
        return POLLIN;
    short events = 0;
    if (http_connection_wants_input(&slot->conn))
        events |= POLLIN;
    else if (!slot->peer_done)
        events |= POLLRDHUP; /* a reader of an event stream that goes away */
    const uint8_t *bytes;
    size_t len;
    if (http_connection_output(&slot->conn, &bytes, &len))
        events |= POLLOUT;
    return events;
}

/* The client shut its side while the engine was not reading: with nothing left unread it is the end of input;
 * with bytes still unread, the end is seen when they have been taken (recv returns 0 then). */
static void peer_shut(struct http_server_slot *slot, uint64_t now_us)
{
    uint8_t byte;
    ssize_t got = recv(slot->fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT);
    if (got == 0)
        http_connection_end_of_input(&slot->conn, now_us);
    else if (got < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
        http_connection_close(&slot->conn);
    slot->peer_done = true;
}

int http_server_poll(struct http_server *server, int timeout_ms)
{
    struct pollfd fds[1 + HTTP_SERVER_CONNECTIONS];
    struct http_server_slot *polled[1 + HTTP_SERVER_CONNECTIONS];
    size_t count = 1;
    bool room = false, open = false;
    for (size_t i = 0; i < HTTP_SERVER_CONNECTIONS; i++) {
        struct http_server_slot *slot = &server->slots[i];
        if (slot->fd < 0) {
            room = true;
            continue;
        }
        open = true;
        fds[count] = (struct pollfd){.fd = slot->fd, .events = wanted_events(slot)};
        polled[count++] = slot;
    }
    if (!room && open)
        room = evictable(server, server_now_us(server)) != NULL;
    fds[0] = (struct pollfd){.fd = server->listen_fd, .events = room ? POLLIN : 0};
    if (open && (timeout_ms < 0 || timeout_ms > POLL_TICK_MS))
        timeout_ms = POLL_TICK_MS;
    int ready = poll(fds, count, timeout_ms);
    if (ready < 0 && errno != EINTR)
        return -1;
    uint64_t now_us = server_now_us(server);
    if (ready > 0 && (fds[0].revents & (POLLERR | POLLNVAL)))
        return -1;

    for (size_t i = 1; i < count; i++) {
        struct http_server_slot *slot = polled[i];
        short revents = ready > 0 ? fds[i].revents : 0;
        if (slot->lingering) {
            linger(slot, now_us);
            continue;
        }
        if (revents & (POLLERR | POLLNVAL))
            http_connection_close(&slot->conn);
        else if (revents & POLLIN)
            receive(slot, now_us);
        else if (revents & (POLLRDHUP | POLLHUP))
            peer_shut(slot, now_us);
        http_connection_tick(&slot->conn, now_us);
        flush(slot);
        if (http_connection_wants_input(&slot->conn) && slot->peer_done)
            receive(slot, now_us); /* bytes left behind when the client shut its side */
        if (http_connection_state(&slot->conn) == HTTP_CONNECTION_CLOSED)
            start_linger(slot, now_us);
    }
    if (ready > 0 && (fds[0].revents & POLLIN))
        accept_clients(server, now_us);

    int open_count = 0;
    for (size_t i = 0; i < HTTP_SERVER_CONNECTIONS; i++)
        open_count += server->slots[i].fd >= 0;
    return open_count;
}

void http_server_close(struct http_server *server)
{
    for (size_t i = 0; i < HTTP_SERVER_CONNECTIONS; i++) {
        struct http_server_slot *slot = &server->slots[i];
        if (slot->fd < 0)
            continue;
        if (!slot->lingering)
            http_connection_close(&slot->conn);
        release(slot);
    }
    if (server->listen_fd >= 0)
        close(server->listen_fd);
    server->listen_fd = -1;
}
