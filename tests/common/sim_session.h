/*
 * sim_session.h - a simulated STM32 with the whole host stack attached: port, wire, debug port, MEM-AP.
 * Shared by the simulator-backed tests, the interop tests and the benchmarks.
 */
#ifndef AIRSWD_SIM_SESSION_H
#define AIRSWD_SIM_SESSION_H

#include <stdbool.h>

#include "adi/adi_mem_ap.h"
#include "port_sim.h"
#include "sim_stm32.h"
#include "swd/swd.h"

struct sim_session {
    struct sim_stm32 *stm32;
    struct port_sim port;
    struct status_report report;
    struct swd swd;
    struct adi_dp dp;
    struct adi_mem_ap ap;
};

/* Creates the part and binds the port, without touching the wire. whole_packet selects the port's packet routine
 * instead of the core's per-bit path. Returns false when the part cannot be created. */
bool sim_session_create(struct sim_session *session, const char *part, bool whole_packet);

/* Attaches the debug port and opens the first AHB MEM-AP; returns the first failing status. */
enum status sim_session_attach(struct sim_session *session);

void sim_session_destroy(struct sim_session *session);

/* "<detail>: <message>" of the last failure, in a static buffer (tests only). */
const char *sim_session_error(const struct sim_session *session);

#endif /* AIRSWD_SIM_SESSION_H */
