/*
 * remote_bitbang.c - the remote_bitbang server: a non-blocking listening socket, at most one client, and the pin
 * state that client has set.
 *
 * TDO follows the JTAG timing that OpenOCD's bit-bang driver relies on: it changes on the falling edge of TCK. A
 * rising edge clocks the target, whose answer is the TDO of the following falling edge; 'R' reports the level of
 * the last falling edge, so a read with TCK high still sees the bit that edge is about to shift out.
 */
#define _DEFAULT_SOURCE
#include "remote_bitbang.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define PIN_TCK    0x4u
#define PIN_TMS    0x2u
#define PIN_TDI    0x1u
#define RESET_TRST 0x2u
#define RESET_SRST 0x1u

#define RECEIVE_CHUNK    4096u
#define REPLY_BUFFER     1024u
#define FLUSH_TIMEOUT_MS 10000 /* a client that reads none of its answers for this long is dropped */

struct remote_bitbang {
    struct sim_target *target;
    int listen_fd;
    int client_fd;
    uint16_t port;
    bool client_failed; /* the client's socket failed during this poll: close it afterwards */

    /* The lines as the client drives them. */
    bool tck;
    bool trst;
    bool srst;
    bool tdo;            /* since the last falling edge of TCK: what 'R' answers */
    bool tdo_after_fall; /* what the next falling edge will show */

    char replies[REPLY_BUFFER];
    size_t reply_count;
};

static bool set_non_blocking(int fd)
{
    int flags = fcntl(fd, F_GETFL);
    return flags >= 0 && fcntl(fd, F_SETFL, flags | O_NONBLOCK) == 0;
}

static int open_listener(uint16_t port, uint16_t *bound_port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return -1;
    int one = 1;
    struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = htons(port)};
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof(address);
    if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
        bind(fd, (struct sockaddr *)&address, sizeof(address)) != 0 || listen(fd, 1) != 0 || !set_non_blocking(fd) ||
        getsockname(fd, (struct sockaddr *)&address, &length) != 0) {
        int saved = errno;
        close(fd);
        errno = saved;
        return -1;
    }
    *bound_port = ntohs(address.sin_port);
    return fd;
}

struct remote_bitbang *remote_bitbang_create(uint16_t port, struct sim_target *target)
{
    struct remote_bitbang *server = calloc(1, sizeof(*server));
    if (server == NULL)
        return NULL;
    server->target = target;
    server->client_fd = -1;
    server->listen_fd = open_listener(port, &server->port);
    if (server->listen_fd < 0) {
        int saved = errno;
        free(server);
        errno = saved;
        return NULL;
    }
    return server;
}

uint16_t remote_bitbang_port(const struct remote_bitbang *server)
{
    return server->port;
}

int remote_bitbang_fd(const struct remote_bitbang *server)
{
    return server->client_fd >= 0 ? server->client_fd : server->listen_fd;
}

bool remote_bitbang_connected(const struct remote_bitbang *server)
{
    return server->client_fd >= 0;
}

/* A new client starts with TCK low and no reset asserted, and sees the TDO the target drives now. */
static void start_client(struct remote_bitbang *server, int fd)
{
    int one = 1;
    (void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)); /* answers are single bytes */
    server->client_fd = fd;
    server->client_failed = false;
    server->tck = false;
    server->trst = false;
    server->srst = false;
    server->tdo = sim_target_jtag_tdo(server->target);
    server->tdo_after_fall = server->tdo;
    server->reply_count = 0;
}

/* The client is gone: its reset lines float back to released. */
static void close_client(struct remote_bitbang *server)
{
    if (server->client_fd < 0)
        return;
    close(server->client_fd);
    server->client_fd = -1;
    if (server->srst)
        sim_target_set_nrst(server->target, false);
    server->srst = false;
    server->trst = false;
}

void remote_bitbang_destroy(struct remote_bitbang *server)
{
    if (server == NULL)
        return;
    close_client(server);
    close(server->listen_fd);
    free(server);
}

static bool wait_writable(int fd)
{
    struct pollfd pfd = {.fd = fd, .events = POLLOUT};
    int ready;
    do {
        ready = poll(&pfd, 1, FLUSH_TIMEOUT_MS);
    } while (ready < 0 && errno == EINTR);
    return ready > 0 && (pfd.revents & POLLOUT);
}

static void flush_replies(struct remote_bitbang *server)
{
    size_t sent = 0;
    while (sent < server->reply_count && !server->client_failed) {
        ssize_t put = send(server->client_fd, server->replies + sent, server->reply_count - sent, MSG_NOSIGNAL);
        if (put > 0)
            sent += (size_t)put;
        else if (put < 0 && errno == EINTR)
            continue;
        else if (put < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) && wait_writable(server->client_fd))
            continue;
        else
            server->client_failed = true;
    }
    server->reply_count = 0;
}

static void reply(struct remote_bitbang *server, char answer)
{
    if (server->reply_count == sizeof(server->replies))
        flush_replies(server);
    server->replies[server->reply_count++] = answer;
}

/* While TRST is asserted the TAPs stay in Test-Logic-Reset whatever TCK and TMS do. */
static void hold_taps_in_reset(struct remote_bitbang *server)
{
    sim_target_jtag_trst(server->target);
    server->tdo_after_fall = sim_target_jtag_tdo(server->target);
}

static void set_pins(struct remote_bitbang *server, unsigned pins, int *cycles)
{
    bool tck = (pins & PIN_TCK) != 0;
    if (tck && !server->tck) {
        server->tdo_after_fall = sim_target_jtag_cycle(server->target, pins & PIN_TMS, pins & PIN_TDI);
        if (server->trst)
            hold_taps_in_reset(server);
        (*cycles)++;
    } else if (!tck && server->tck) {
        server->tdo = server->tdo_after_fall;
    }
    server->tck = tck;
}

static void set_resets(struct remote_bitbang *server, unsigned lines)
{
    bool trst = (lines & RESET_TRST) != 0;
    bool srst = (lines & RESET_SRST) != 0;
    if (trst && !server->trst) {
        hold_taps_in_reset(server);
        server->tdo = server->tdo_after_fall;
    }
    server->trst = trst;
    if (srst != server->srst)
        sim_target_set_nrst(server->target, srst);
    server->srst = srst;
}

/* One request byte; false when it is the client's quit. */
static bool handle(struct remote_bitbang *server, char request, int *cycles)
{
    if (request >= '0' && request <= '7')
        set_pins(server, (unsigned)(request - '0'), cycles);
    else if (request >= 'r' && request <= 'u')
        set_resets(server, (unsigned)(request - 'r'));
    else if (request == 'R')
        reply(server, server->tdo ? '1' : '0');
    else if (request == 'Q')
        return false;
    return true; /* 'B', 'b' and anything unknown: nothing to do */
}

/* Everything the client has sent so far; false when the client is finished (quit, hang-up or error). */
static bool receive_requests(struct remote_bitbang *server, int *cycles)
{
    char chunk[RECEIVE_CHUNK];
    for (;;) {
        ssize_t got = recv(server->client_fd, chunk, sizeof(chunk), 0);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return true;
        if (got <= 0)
            return false;
        for (ssize_t i = 0; i < got; i++)
            if (!handle(server, chunk[i], cycles))
                return false;
        if (server->client_failed)
            return false;
    }
}

static int serve_client(struct remote_bitbang *server)
{
    int cycles = 0;
    bool still_open = receive_requests(server, &cycles);
    flush_replies(server);
    if (!still_open || server->client_failed)
        close_client(server);
    return cycles;
}

static int accept_client(struct remote_bitbang *server)
{
    int fd = accept(server->listen_fd, NULL, NULL);
    if (fd < 0) {
        bool transient = errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR || errno == ECONNABORTED;
        return transient ? 0 : -1;
    }
    if (!set_non_blocking(fd)) {
        close(fd);
        return 0;
    }
    start_client(server, fd);
    return 0;
}

int remote_bitbang_poll(struct remote_bitbang *server, int timeout_ms)
{
    struct pollfd pfd = {.fd = remote_bitbang_fd(server), .events = POLLIN};
    int ready = poll(&pfd, 1, timeout_ms);
    if (ready < 0)
        return errno == EINTR ? 0 : -1;
    if (ready == 0)
        return 0;
    if (server->client_fd < 0)
        return accept_client(server);
    return serve_client(server);
}
