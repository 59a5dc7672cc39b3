/*
 * bsd_sockets.h - the BSD socket calls the servers of ports/common use, from Linux's headers or from lwIP's (the
 * ESP8266), under the same names.
 */
#ifndef AIRSWD_BSD_SOCKETS_H
#define AIRSWD_BSD_SOCKETS_H

#if defined(__linux__)
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>
#else /* lwIP */
#include "lwip/sockets.h"
#ifndef poll /* the ESP8266 SDK maps the other calls to lwIP's, not this one */
#define poll(fds, count, timeout) lwip_poll(fds, count, timeout)
#endif
#define SOCK_CLOEXEC 0 /* nothing is executed there */
#endif

#endif /* AIRSWD_BSD_SOCKETS_H */
