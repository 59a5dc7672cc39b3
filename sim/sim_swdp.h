/*
 * sim_swdp.h - the SW-DP's wire front end (ADIv5.2 chapter B4): packets clocked bit by bit, turnaround, ACK,
 * parity, line reset, lockout after a protocol error, the reset state that only a DPIDR read (or on DPv2 a
 * TARGETSEL write) leaves, and the SWJ mode the shared pins are in.
 *
 * Edge numbers count rising edges from the start bit of a packet (edge 0). The target samples SWDIO on an edge
 * only when it is not driving, then launches its output for the cycle:
 *   request  sampled on 0-7 (start, APnDP, RnW, A2, A3, parity, stop, park)
 *   ACK      launched on 8-10 (bit 0 first); a TARGETSEL gets none
 *   read     data launched on 11-42, parity on 43, released on 44, edge 45 ignored
 *   write    released on 11, edge 12 ignored, data sampled on 13-44, parity on 45
 *   WAIT/FAULT  released on 11, edge 12 ignored (with ORUNDETECT: a read- or write-shaped data phase follows)
 */
#ifndef SIM_SWDP_H
#define SIM_SWDP_H

#include <stdbool.h>
#include <stdint.h>

#include "sim_dap.h"
#include "sim_fault_injector.h"
#include "sim_swj.h"
#include "sim_target.h"

/* Consecutive ones that make a line reset. */
#define SIM_SWDP_LINE_RESET_HIGH 50u

enum sim_swdp_phase {
    SIM_SWDP_IDLE,     /* between packets: a 0 is an idle bit, a 1 a start bit */
    SIM_SWDP_REQUEST,  /* collecting the request header */
    SIM_SWDP_RESPONSE, /* ACK and data phase of a decoded request */
    SIM_SWDP_LOCKOUT,  /* protocol error, deselected, or not yet reset: ignores everything until a line reset */
};

enum sim_swdp_response {
    SIM_SWDP_ACK_ONLY,   /* WAIT or FAULT without overrun detection */
    SIM_SWDP_READ_DATA,  /* ACK, then 32 bits and parity driven by the target */
    SIM_SWDP_WRITE_DATA, /* ACK, turnaround, then 32 bits and parity from the host */
    SIM_SWDP_TARGETSEL,  /* no ACK, then 32 bits and parity from the host */
};

/* Bit flips that fell in the packet field being transferred, for the fault counters. */
struct sim_swdp_tally {
    bool open;
    enum sim_fault_field field;
    unsigned flips;
    unsigned covered_flips;
};

struct sim_swdp {
    struct sim_swj swj;
    struct sim_dap *dap;
    struct sim_fault_injector *faults;
    struct sim_wire_stats stats;
    bool dpv2;
    bool reset_state; /* a line reset happened and no DPIDR read was answered since */
    bool disabled;    /* the chip turned its debug port off (read protection level 2): no packet is answered */

    enum sim_swdp_phase phase;
    unsigned edge;
    uint8_t request;
    bool ap_access;
    uint8_t addr;
    enum sim_swdp_response response;
    unsigned ack_bits; /* as driven, bit 0 first */
    bool apply_write;  /* the write was answered OK: its data go to the DAP if intact */
    bool selecting;    /* a TARGETSEL received in the reset state */
    uint32_t data;

    struct sim_swdp_tally tally;
    bool sample_flipped; /* this edge's sample was flipped and no field has counted it yet */

    bool drive; /* the target's output since its last rising edge */
    bool out;
};

void sim_swdp_init(struct sim_swdp *swdp, enum sim_swj_mode mode, bool dormant_capable, struct sim_dap *dap,
                   struct sim_fault_injector *faults);

/* One SWCLK cycle: the host's SWDIO (driven or released), then the rising edge at now_ps. */
void sim_swdp_clock(struct sim_swdp *swdp, bool host_drives, bool host_bit, uint64_t now_ps);

#endif /* SIM_SWDP_H */
