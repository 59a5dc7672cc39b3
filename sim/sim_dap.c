/*
 * sim_dap.c - DP registers, sticky flags, power-up handshake, and the posted AP transaction.
 *
 * Invariants: at most one AP transaction is in flight; its result (read data or bus error) takes effect lazily,
 * the first time the DP looks at it at or after its completion time. While any sticky flag is set, nothing but a
 * DPIDR read, a CTRL/STAT read or an ABORT write gets through (FAULT), so a host never loses an error silently.
 */
#include "sim_dap.h"

#include <string.h>

/* TARGETSEL.TINSTANCE[31:28] must equal this DP's instance; the rest must equal TARGETID[27:0]. */
#define TARGETSEL_INSTANCE_SHIFT 28
#define TARGETSEL_ID_MASK        0x0FFFFFFFu
#define DP_INSTANCE              0u

/* CTRL/STAT bits a write changes; on a SW-DP the sticky flags are cleared through ABORT only. */
#define CTRL_STAT_WRITABLE                                                                                             \
    (SIM_DP_CTRL_ORUNDETECT | SIM_DP_CTRL_CDBGRSTREQ | SIM_DP_CTRL_CDBGPWRUPREQ | SIM_DP_CTRL_CSYSPWRUPREQ)

void sim_dap_init(struct sim_dap *dap, const struct sim_dap_config *config, struct sim_fault_injector *faults)
{
    memset(dap, 0, sizeof(*dap));
    dap->config = *config;
    dap->faults = faults;
}

void sim_dap_attach_ap(struct sim_dap *dap, uint8_t apsel, const struct sim_ap_ops *ops, void *ctx)
{
    dap->aps[apsel] = (struct sim_ap){.ops = ops, .ctx = ctx};
}

unsigned sim_dap_version(const struct sim_dap *dap)
{
    return (dap->config.dpidr >> SIM_DP_DPIDR_VERSION_SHIFT) & SIM_DP_DPIDR_VERSION_MASK;
}

bool sim_dap_overrun_detect(const struct sim_dap *dap)
{
    return (dap->ctrl_stat & SIM_DP_CTRL_ORUNDETECT) != 0;
}

bool sim_dap_targetsel_matches(const struct sim_dap *dap, uint32_t value)
{
    return (value & TARGETSEL_ID_MASK) == (dap->config.targetid & TARGETSEL_ID_MASK) &&
           (value >> TARGETSEL_INSTANCE_SHIFT) == DP_INSTANCE;
}

static bool sticky(const struct sim_dap *dap)
{
    return (dap->ctrl_stat & SIM_DP_CTRL_STICKY_FLAGS) != 0;
}

static bool acknowledged(uint32_t ctrl_stat, uint32_t request, uint64_t requested_ps, uint64_t delay_ps,
                         uint64_t now_ps)
{
    if ((ctrl_stat & request) == 0)
        return false;
    return requested_ps <= UINT64_MAX - delay_ps && now_ps >= requested_ps + delay_ps;
}

static bool debug_powered(const struct sim_dap *dap, uint64_t now_ps)
{
    return acknowledged(dap->ctrl_stat, SIM_DP_CTRL_CDBGPWRUPREQ, dap->debug_powerup_requested_ps,
                        dap->config.powerup_delay_ps, now_ps);
}

/* Applies the result of a transaction that has completed by now. */
static void settle(struct sim_dap *dap, uint64_t now_ps)
{
    struct sim_dap_transaction *transaction = &dap->transaction;
    if (!transaction->pending || now_ps < transaction->done_ps)
        return;
    transaction->pending = false;
    bool ok = transaction->status == SIM_BUS_OK;
    if (!ok)
        dap->ctrl_stat |= SIM_DP_CTRL_STICKYERR;
    if (transaction->is_read)
        dap->read_buffer = ok ? transaction->value : 0;
}

uint32_t sim_dap_ctrl_stat(struct sim_dap *dap, uint64_t now_ps)
{
    settle(dap, now_ps);
    uint32_t value = dap->ctrl_stat;
    if (value & SIM_DP_CTRL_CDBGRSTREQ)
        value |= SIM_DP_CTRL_CDBGRSTACK;
    if (debug_powered(dap, now_ps))
        value |= SIM_DP_CTRL_CDBGPWRUPACK;
    if (acknowledged(dap->ctrl_stat, SIM_DP_CTRL_CSYSPWRUPREQ, dap->system_powerup_requested_ps,
                     dap->config.powerup_delay_ps, now_ps))
        value |= SIM_DP_CTRL_CSYSPWRUPACK;
    return value;
}

/* A WAIT or FAULT answer: with overrun detection on it is itself an overrun, and a refused read is not READOK. */
static enum sim_dap_ack refuse(struct sim_dap *dap, enum sim_dap_ack ack, bool is_read)
{
    if (dap->ctrl_stat & SIM_DP_CTRL_ORUNDETECT)
        dap->ctrl_stat |= SIM_DP_CTRL_STICKYORUN;
    if (is_read)
        dap->ctrl_stat &= ~SIM_DP_CTRL_READOK;
    return ack;
}

/* The answer to an access that needs the AP: an AP access or a RDBUFF read. */
static enum sim_dap_ack transaction_answer(struct sim_dap *dap, uint64_t now_ps, bool is_read)
{
    settle(dap, now_ps);
    if (sticky(dap))
        return refuse(dap, SIM_DAP_ACK_FAULT, is_read);
    if (dap->faults != NULL && sim_fault_injector_wait_storm(dap->faults))
        return refuse(dap, SIM_DAP_ACK_WAIT, is_read);
    if (dap->transaction.pending)
        return refuse(dap, SIM_DAP_ACK_WAIT, is_read);
    return SIM_DAP_ACK_OK;
}

static void start_transaction(struct sim_dap *dap, bool is_read, uint8_t addr, uint32_t value, uint64_t now_ps)
{
    uint8_t apsel = (uint8_t)(dap->select >> SIM_DP_SELECT_APSEL_SHIFT);
    uint8_t offset = (uint8_t)((dap->select & SIM_DP_SELECT_APBANKSEL_MASK) | addr);
    const struct sim_ap *ap = &dap->aps[apsel];
    struct sim_dap_transaction *transaction = &dap->transaction;
    *transaction = (struct sim_dap_transaction){
        .pending = true, .is_read = is_read, .apsel = apsel, .status = SIM_BUS_OK, .done_ps = now_ps};
    if (!debug_powered(dap, now_ps))
        transaction->status = SIM_BUS_ERROR; /* the debug power domain is off: the AP cannot answer */
    else if (ap->ops == NULL)
        transaction->value = 0;
    else if (is_read)
        transaction->status = ap->ops->read(ap->ctx, offset, now_ps, &transaction->value, &transaction->done_ps);
    else
        transaction->status = ap->ops->write(ap->ctx, offset, value, now_ps, &transaction->done_ps);
    if (transaction->done_ps < now_ps)
        transaction->done_ps = now_ps;
}

static unsigned dp_bank(const struct sim_dap *dap)
{
    if (sim_dap_version(dap) >= 2)
        return dap->select & SIM_DP_SELECT_DPBANKSEL_MASK;
    return (dap->select & SIM_DP_SELECT_CTRLSEL) ? SIM_DP_BANK_DLCR : SIM_DP_BANK_CTRL_STAT;
}

static uint32_t banked_register(const struct sim_dap *dap, unsigned bank)
{
    switch (bank) {
    case SIM_DP_BANK_DLCR: return SIM_DP_DLCR_VALUE;
    case SIM_DP_BANK_TARGETID: return dap->config.targetid;
    case SIM_DP_BANK_DLPIDR: return SIM_DP_DLPIDR_VALUE;
    default: return 0; /* EVENTSTAT (no event pending) and unimplemented banks */
    }
}

/* A read that returns AP data (AP read or RDBUFF) and was answered OK. */
static uint32_t deliver_read_data(struct sim_dap *dap)
{
    dap->ctrl_stat |= SIM_DP_CTRL_READOK;
    dap->last_read_data = dap->read_buffer;
    return dap->read_buffer;
}

enum sim_dap_ack sim_dap_read(struct sim_dap *dap, bool ap, uint8_t addr, uint64_t now_ps, uint32_t *data)
{
    *data = 0;
    settle(dap, now_ps);
    if (ap) {
        enum sim_dap_ack ack = transaction_answer(dap, now_ps, true);
        if (ack != SIM_DAP_ACK_OK)
            return ack;
        *data = deliver_read_data(dap);
        start_transaction(dap, true, addr, 0, now_ps);
        return SIM_DAP_ACK_OK;
    }
    switch (addr) {
    case SIM_DP_DPIDR: *data = dap->config.dpidr; return SIM_DAP_ACK_OK;
    case SIM_DP_CTRL_STAT: {
        unsigned bank = dp_bank(dap);
        if (bank == SIM_DP_BANK_CTRL_STAT) {
            *data = sim_dap_ctrl_stat(dap, now_ps);
            return SIM_DAP_ACK_OK;
        }
        if (sticky(dap))
            return refuse(dap, SIM_DAP_ACK_FAULT, false);
        *data = banked_register(dap, bank);
        return SIM_DAP_ACK_OK;
    }
    case SIM_DP_RESEND:
        if (sticky(dap))
            return refuse(dap, SIM_DAP_ACK_FAULT, false);
        *data = dap->last_read_data;
        return SIM_DAP_ACK_OK;
    default: { /* RDBUFF */
        enum sim_dap_ack ack = transaction_answer(dap, now_ps, true);
        if (ack == SIM_DAP_ACK_OK)
            *data = deliver_read_data(dap);
        return ack;
    }
    }
}

enum sim_dap_ack sim_dap_write_ack(struct sim_dap *dap, bool ap, uint8_t addr, uint64_t now_ps)
{
    settle(dap, now_ps);
    if (ap)
        return transaction_answer(dap, now_ps, false);
    if (addr == SIM_DP_ABORT)
        return SIM_DAP_ACK_OK;
    if (sticky(dap))
        return refuse(dap, SIM_DAP_ACK_FAULT, false);
    return SIM_DAP_ACK_OK;
}

static void write_abort(struct sim_dap *dap, uint32_t value)
{
    if ((value & SIM_DP_ABORT_DAPABORT) && dap->transaction.pending) {
        const struct sim_ap *ap = &dap->aps[dap->transaction.apsel];
        if (ap->ops != NULL && ap->ops->abort != NULL)
            ap->ops->abort(ap->ctx);
        dap->transaction.pending = false;
    }
    if (value & SIM_DP_ABORT_STKCMPCLR)
        dap->ctrl_stat &= ~SIM_DP_CTRL_STICKYCMP;
    if (value & SIM_DP_ABORT_STKERRCLR)
        dap->ctrl_stat &= ~SIM_DP_CTRL_STICKYERR;
    if (value & SIM_DP_ABORT_WDERRCLR)
        dap->ctrl_stat &= ~SIM_DP_CTRL_WDATAERR;
    if (value & SIM_DP_ABORT_ORUNERRCLR)
        dap->ctrl_stat &= ~SIM_DP_CTRL_STICKYORUN;
}

/* Each power-up ACK follows its REQ after the configured delay, counted from the write that raised the REQ. */
static void write_ctrl_stat(struct sim_dap *dap, uint32_t value, uint64_t now_ps)
{
    uint32_t raised = value & ~dap->ctrl_stat;
    if (raised & SIM_DP_CTRL_CDBGPWRUPREQ)
        dap->debug_powerup_requested_ps = now_ps;
    if (raised & SIM_DP_CTRL_CSYSPWRUPREQ)
        dap->system_powerup_requested_ps = now_ps;
    dap->ctrl_stat = (dap->ctrl_stat & ~CTRL_STAT_WRITABLE) | (value & CTRL_STAT_WRITABLE);
}

void sim_dap_write(struct sim_dap *dap, bool ap, uint8_t addr, uint32_t value, uint64_t now_ps)
{
    settle(dap, now_ps);
    if (ap) {
        start_transaction(dap, false, addr, value, now_ps);
        return;
    }
    switch (addr) {
    case SIM_DP_ABORT: write_abort(dap, value); break;
    case SIM_DP_CTRL_STAT:
        /* Only bank 0 is writable here: DLCR's one field (TURNROUND) stays at one cycle, the others are RO. */
        if (dp_bank(dap) == SIM_DP_BANK_CTRL_STAT)
            write_ctrl_stat(dap, value, now_ps);
        break;
    case SIM_DP_SELECT: {
        uint32_t bank_mask = sim_dap_version(dap) >= 2 ? SIM_DP_SELECT_DPBANKSEL_MASK : SIM_DP_SELECT_CTRLSEL;
        dap->select = value & ((0xFFu << SIM_DP_SELECT_APSEL_SHIFT) | SIM_DP_SELECT_APBANKSEL_MASK | bank_mask);
        break;
    }
    default: break; /* 0xC: TARGETSEL is the wire front end's business; reserved on DPv1 */
    }
}

void sim_dap_write_data_error(struct sim_dap *dap)
{
    dap->ctrl_stat |= SIM_DP_CTRL_WDATAERR;
}
