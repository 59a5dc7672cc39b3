/*
 * http_server.h - the HTTP engine of src/net/http.h served over TCP: non-blocking BSD sockets (Linux's, or lwIP's on
 * the ESP8266), one poll() loop, and a fixed array of connections, each a struct http_connection. No threads and no
 * allocation: the owner keeps the struct http_server and calls http_server_poll() from its loop; everything the engine's handlers do runs
 * inside that call.
 *
 * Input is read with MSG_PEEK and dropped from the socket only once the engine has taken it, so the engine's
 * backpressure (a response still draining, a handler that cannot take more body yet) leaves unread bytes in the
 * kernel's buffer rather than in ours. A connection the engine closes is half-closed first (shutdown of our side)
 * and read until the client closes or a second passes, so that the client reads the last response instead of a
 * reset (RFC 9112 section 9.6).
 */
#ifndef AIRSWD_HTTP_SERVER_H
#define AIRSWD_HTTP_SERVER_H

#include <stdbool.h>
#include <stdint.h>

#include "hal.h"
#include "net/http.h"

/* Connections served at once; a client beyond them waits in the listen backlog, or takes the place of an idle or
 * slow connection or an event stream (http_connection_eviction in src/net/http.h). */
#ifndef HTTP_SERVER_CONNECTIONS
#define HTTP_SERVER_CONNECTIONS 8
#endif

struct http_server_slot {
    int fd;         /* -1: free */
    bool lingering; /* the engine is done: reading until the client closes, then close */
    bool peer_done; /* the client shut its side; seen before the engine could take all its bytes */
    uint64_t linger_deadline_us;
    uint32_t local_ipv4;         /* the address the client reached (which interface), host byte order */
    struct http_connection conn; /* conn.user points to this slot */
};

struct http_server {
    int listen_fd;
    uint16_t port;
    const struct http_config *config;
    const struct hal_system *system; /* its clock times the connections */
    struct http_server_slot slots[HTTP_SERVER_CONNECTIONS];
};

/* Listens on address_ipv4 (host byte order: INADDR_LOOPBACK, INADDR_ANY) and port (0: the system chooses; see
 * http_server_port). Returns 0, or -1 with errno set. The config and the system must outlive the server. */
int http_server_open(struct http_server *server, const struct http_config *config, const struct hal_system *system,
                     uint32_t address_ipv4, uint16_t port);

uint16_t http_server_port(const struct http_server *server);

/* Waits up to timeout_ms (-1: until something happens) for clients, bytes or room to send, then serves what is
 * ready and runs every connection's timers. While a connection is open the wait is at most 50 ms, so timeouts and
 * streamed bodies move on. Returns the number of open connections, or -1 when the listening socket failed. */
int http_server_poll(struct http_server *server, int timeout_ms);

/* Closes every connection (their exchanges end as failed) and the listening socket. */
void http_server_close(struct http_server *server);

#endif /* AIRSWD_HTTP_SERVER_H */
