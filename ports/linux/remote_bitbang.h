/*
 * remote_bitbang.h - a simulated STM32's JTAG pins served to OpenOCD's remote_bitbang adapter driver (OpenOCD 0.12,
 * doc/manual/jtag/drivers/remote_bitbang.txt) over TCP on 127.0.0.1.
 *
 * One ASCII byte per request:
 *   '0'..'7'  set TCK (bit 2), TMS (bit 1) and TDI (bit 0); TCK going 0 -> 1 is one sim_target_jtag_cycle()
 *   'R'       answered '0' or '1': TDO as of the last falling edge of TCK (OpenOCD reads it with TCK low)
 *   'r'..'u'  reset lines, 'r' + 2*trst + srst, 1 = asserted: SRST drives NRST, TRST holds the TAPs in reset
 *   'B' 'b'   blink on/off (ignored)
 *   'Q'       quit: the client is closed and the server listens again
 * Other bytes are ignored; this includes the SWD requests of later OpenOCD versions, so only JTAG is served.
 *
 * One client at a time, no threads: the owner calls remote_bitbang_poll() from its loop. Simulated time advances
 * only with the client's TCK cycles.
 */
#ifndef AIRSWD_REMOTE_BITBANG_H
#define AIRSWD_REMOTE_BITBANG_H

#include <stdbool.h>
#include <stdint.h>

#include "sim_target.h"

struct remote_bitbang;

/* Listens on 127.0.0.1:port; port 0 lets the system choose (see remote_bitbang_port()). NULL with errno set when
 * the socket cannot be opened or bound, or out of memory. */
struct remote_bitbang *remote_bitbang_create(uint16_t port, struct sim_target *target);
/* Closes the client (releasing the reset lines it asserted) and the listening socket. */
void remote_bitbang_destroy(struct remote_bitbang *server);

uint16_t remote_bitbang_port(const struct remote_bitbang *server);
/* The descriptor to wait on for input: the client's while one is connected, else the listening socket. */
int remote_bitbang_fd(const struct remote_bitbang *server);
bool remote_bitbang_connected(const struct remote_bitbang *server);

/* Waits up to timeout_ms (-1: for ever, 0: not at all) for a client or its bytes; accepts a client, or processes
 * every byte the client has sent and sends the answers before returning. Returns the number of TCK cycles clocked,
 * or -1 when the listening socket failed. A client that quits, hangs up or fails leaves the server listening. */
int remote_bitbang_poll(struct remote_bitbang *server, int timeout_ms);

#endif /* AIRSWD_REMOTE_BITBANG_H */
