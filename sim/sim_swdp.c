/*
 * sim_swdp.c - the SW-DP packet state machine, one rising edge at a time.
 *
 * A line reset is recognised on any edge where the target is not driving, whatever the protocol is doing, because
 * it is the host's way out of every state. Bits nobody drives read as 1 (pull-up); noise only flips driven bits.
 */
#include "sim_swdp.h"

#define EDGE_PARK             7u
#define EDGE_ACK_FIRST        8u
#define EDGE_ACK_LAST         10u
#define EDGE_READ_DATA_FIRST  11u
#define EDGE_READ_PARITY      43u
#define EDGE_READ_LAST        45u
#define EDGE_SHORT_LAST       12u
#define EDGE_WRITE_DATA_FIRST 13u
#define EDGE_WRITE_PARITY     45u

/* Request header bits, ADIv5.2 B4.2. */
#define REQUEST_APNDP  1u
#define REQUEST_RNW    2u
#define REQUEST_A2     3u
#define REQUEST_A3     4u
#define REQUEST_PARITY 5u
#define REQUEST_STOP   6u

#define ACK_OK    0x1u
#define ACK_WAIT  0x2u
#define ACK_FAULT 0x4u

static bool parity32(uint32_t value)
{
    value ^= value >> 16;
    value ^= value >> 8;
    value ^= value >> 4;
    value ^= value >> 2;
    value ^= value >> 1;
    return value & 1;
}

static bool request_bit(const struct sim_swdp *swdp, unsigned bit)
{
    return (swdp->request >> bit) & 1;
}

static void tally_close(struct sim_swdp *swdp)
{
    struct sim_swdp_tally *tally = &swdp->tally;
    if (!tally->open)
        return;
    sim_fault_injector_count_field(swdp->faults, tally->field, tally->flips, tally->covered_flips);
    *tally = (struct sim_swdp_tally){.open = false};
}

static void tally_open(struct sim_swdp *swdp, enum sim_fault_field field)
{
    tally_close(swdp);
    swdp->tally = (struct sim_swdp_tally){.open = true, .field = field};
}

static void tally_flip(struct sim_swdp *swdp, bool covered)
{
    swdp->tally.flips++;
    if (covered)
        swdp->tally.covered_flips++;
}

/* The sample of this edge became part of the open field. */
static void take_sample(struct sim_swdp *swdp, bool covered)
{
    if (swdp->sample_flipped)
        tally_flip(swdp, covered);
    swdp->sample_flipped = false;
}

/* Drives one bit for the host to sample before the next rising edge. */
static void launch(struct sim_swdp *swdp, bool bit, bool covered)
{
    bool flipped = sim_fault_injector_flip(swdp->faults);
    if (flipped)
        tally_flip(swdp, covered);
    swdp->drive = true;
    swdp->out = bit != flipped;
}

void sim_swdp_init(struct sim_swdp *swdp, enum sim_swj_mode mode, bool dormant_capable, struct sim_dap *dap,
                   struct sim_fault_injector *faults)
{
    *swdp = (struct sim_swdp){.dap = dap, .faults = faults};
    sim_swj_init(&swdp->swj, mode, dormant_capable);
    swdp->dpv2 = sim_dap_version(dap) >= 2;
    /* Whatever the power-on mode, SWD needs a line reset before its first packet. */
    swdp->reset_state = true;
    swdp->phase = SIM_SWDP_LOCKOUT;
}

static void line_reset(struct sim_swdp *swdp)
{
    tally_close(swdp);
    swdp->reset_state = true;
    swdp->phase = SIM_SWDP_IDLE;
}

static void mode_changed(struct sim_swdp *swdp)
{
    tally_close(swdp);
    swdp->reset_state = true;
    swdp->phase = SIM_SWDP_LOCKOUT;
}

/* Edge 7: the header is complete. Decides the answer and what the rest of the packet looks like. */
static void decode_request(struct sim_swdp *swdp, uint64_t now_ps)
{
    tally_close(swdp);
    bool ap = request_bit(swdp, REQUEST_APNDP);
    bool rnw = request_bit(swdp, REQUEST_RNW);
    bool a2 = request_bit(swdp, REQUEST_A2);
    bool a3 = request_bit(swdp, REQUEST_A3);
    bool parity_ok = request_bit(swdp, REQUEST_PARITY) == (ap ^ rnw ^ a2 ^ a3);
    if (!parity_ok || request_bit(swdp, REQUEST_STOP)) {
        swdp->stats.protocol_errors++;
        swdp->phase = SIM_SWDP_LOCKOUT;
        return;
    }
    if (swdp->disabled) {
        swdp->stats.packets_unanswered++;
        swdp->phase = SIM_SWDP_LOCKOUT;
        return;
    }
    swdp->ap_access = ap;
    swdp->addr = (uint8_t)((a2 ? 0x4u : 0) | (a3 ? 0x8u : 0));
    swdp->phase = SIM_SWDP_RESPONSE;
    swdp->ack_bits = 0;
    swdp->apply_write = false;
    swdp->data = 0;

    if (swdp->dpv2 && !ap && !rnw && swdp->addr == SIM_DP_TARGETSEL) {
        swdp->response = SIM_SWDP_TARGETSEL;
        swdp->selecting = swdp->reset_state;
        return;
    }
    /* After a line reset only a DPIDR read is answered; anything else leaves the target deaf until the next one. */
    if (swdp->reset_state) {
        if (ap || !rnw || swdp->addr != SIM_DP_DPIDR) {
            swdp->stats.packets_unanswered++;
            swdp->phase = SIM_SWDP_LOCKOUT;
            return;
        }
        swdp->reset_state = false;
    }

    enum sim_dap_ack answer = rnw ? sim_dap_read(swdp->dap, ap, swdp->addr, now_ps, &swdp->data)
                                  : sim_dap_write_ack(swdp->dap, ap, swdp->addr, now_ps);
    switch (answer) {
    case SIM_DAP_ACK_OK:
        swdp->stats.packets_ok++;
        swdp->ack_bits = ACK_OK;
        swdp->response = rnw ? SIM_SWDP_READ_DATA : SIM_SWDP_WRITE_DATA;
        swdp->apply_write = !rnw;
        return;
    case SIM_DAP_ACK_WAIT:
        swdp->stats.packets_wait++;
        swdp->ack_bits = ACK_WAIT;
        break;
    case SIM_DAP_ACK_FAULT:
        swdp->stats.packets_fault++;
        swdp->ack_bits = ACK_FAULT;
        break;
    }
    /* With overrun detection a refused packet keeps its data phase: zeros for a read, ignored for a write. */
    if (sim_dap_overrun_detect(swdp->dap))
        swdp->response = rnw ? SIM_SWDP_READ_DATA : SIM_SWDP_WRITE_DATA;
    else
        swdp->response = SIM_SWDP_ACK_ONLY;
}

/* Edge 45 of a host data phase: the parity bit arrived. */
static void complete_write(struct sim_swdp *swdp, bool parity_bit, uint64_t now_ps)
{
    bool parity_ok = parity32(swdp->data) == parity_bit;
    swdp->phase = SIM_SWDP_IDLE;
    if (swdp->response == SIM_SWDP_TARGETSEL) {
        /* Outside the reset state a TARGETSEL is ignored; in it, any other target stops listening. */
        if (swdp->selecting && !(parity_ok && sim_dap_targetsel_matches(swdp->dap, swdp->data)))
            swdp->phase = SIM_SWDP_LOCKOUT;
        return;
    }
    if (!swdp->apply_write)
        return;
    if (!parity_ok) {
        swdp->stats.write_parity_errors++;
        sim_dap_write_data_error(swdp->dap);
        return;
    }
    sim_dap_write(swdp->dap, swdp->ap_access, swdp->addr, swdp->data, now_ps);
}

static void respond(struct sim_swdp *swdp, bool bit, uint64_t now_ps)
{
    unsigned edge = swdp->edge;
    if (edge <= EDGE_ACK_LAST) {
        if (swdp->response == SIM_SWDP_TARGETSEL)
            return;
        if (edge == EDGE_ACK_FIRST)
            tally_open(swdp, SIM_FAULT_FIELD_ACK);
        launch(swdp, (swdp->ack_bits >> (edge - EDGE_ACK_FIRST)) & 1, false);
        if (edge == EDGE_ACK_LAST)
            tally_close(swdp);
        return;
    }
    switch (swdp->response) {
    case SIM_SWDP_ACK_ONLY:
        if (edge == EDGE_SHORT_LAST)
            swdp->phase = SIM_SWDP_IDLE;
        return;
    case SIM_SWDP_READ_DATA:
        if (edge == EDGE_READ_DATA_FIRST)
            tally_open(swdp, SIM_FAULT_FIELD_READ_DATA);
        if (edge < EDGE_READ_PARITY) {
            launch(swdp, (swdp->data >> (edge - EDGE_READ_DATA_FIRST)) & 1, true);
        } else if (edge == EDGE_READ_PARITY) {
            launch(swdp, parity32(swdp->data), true);
            tally_close(swdp);
        } else if (edge == EDGE_READ_LAST) {
            swdp->phase = SIM_SWDP_IDLE;
        }
        return;
    case SIM_SWDP_WRITE_DATA:
    case SIM_SWDP_TARGETSEL:
        if (edge < EDGE_WRITE_DATA_FIRST)
            return;
        if (edge == EDGE_WRITE_DATA_FIRST)
            tally_open(swdp, SIM_FAULT_FIELD_WRITE_DATA);
        take_sample(swdp, true);
        if (edge < EDGE_WRITE_PARITY) {
            swdp->data |= (uint32_t)bit << (edge - EDGE_WRITE_DATA_FIRST);
        } else {
            tally_close(swdp);
            complete_write(swdp, bit, now_ps);
        }
        return;
    }
}

/* One edge of the packet parser; `bit` is meaningful only when the target was not driving. */
static void advance(struct sim_swdp *swdp, bool bit, uint64_t now_ps)
{
    switch (swdp->phase) {
    case SIM_SWDP_IDLE:
        if (bit) {
            swdp->phase = SIM_SWDP_REQUEST;
            swdp->edge = 0;
            swdp->request = 1;
            tally_open(swdp, SIM_FAULT_FIELD_REQUEST);
            take_sample(swdp, false);
        }
        break;
    case SIM_SWDP_REQUEST:
        swdp->edge++;
        swdp->request |= (uint8_t)((unsigned)bit << swdp->edge);
        take_sample(swdp, swdp->edge >= REQUEST_APNDP && swdp->edge <= REQUEST_PARITY);
        if (swdp->edge == EDGE_PARK)
            decode_request(swdp, now_ps);
        break;
    case SIM_SWDP_RESPONSE:
        swdp->edge++;
        respond(swdp, bit, now_ps);
        break;
    case SIM_SWDP_LOCKOUT: break;
    }
}

static void sample(struct sim_swdp *swdp, bool bit, uint64_t now_ps)
{
    if (sim_swj_sample(&swdp->swj, bit)) {
        mode_changed(swdp);
        return;
    }
    if (swdp->swj.mode != SIM_SWJ_SWD)
        return;
    unsigned high = sim_swj_high_run(&swdp->swj);
    if (high >= SIM_SWDP_LINE_RESET_HIGH) {
        if (high == SIM_SWDP_LINE_RESET_HIGH)
            swdp->stats.line_resets++;
        line_reset(swdp);
        return;
    }
    advance(swdp, bit, now_ps);
}

void sim_swdp_clock(struct sim_swdp *swdp, bool host_drives, bool host_bit, uint64_t now_ps)
{
    bool drove = swdp->drive;
    swdp->drive = false; /* released unless this edge launches a bit */
    if (drove) {
        sim_swj_interrupt(&swdp->swj);
        advance(swdp, false, now_ps);
    } else {
        bool flipped = host_drives && sim_fault_injector_flip(swdp->faults);
        swdp->sample_flipped = flipped;
        sample(swdp, host_drives ? host_bit != flipped : true, now_ps);
        if (swdp->sample_flipped)
            sim_fault_injector_count_stray_flip(swdp->faults);
        swdp->sample_flipped = false;
    }
    if (host_drives && (drove || swdp->drive))
        swdp->stats.contention_cycles++;
}
