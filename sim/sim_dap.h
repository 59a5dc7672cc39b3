/*
 * sim_dap.h - the debug port's registers and its side of the AP transactions (ADIv5.2 chapter B2), independent of
 * the wire: the SW-DP front end (and later a JTAG-DP front end) turns packets into the calls below.
 *
 * An access is decided when its request arrives (OK, WAIT or FAULT); a write's data comes later and is applied by
 * sim_dap_write() only when the front end received it intact. AP reads are posted: each returns the result of the
 * previous AP read and starts a new transaction, which keeps the AP busy (WAIT) until its completion time.
 */
#ifndef SIM_DAP_H
#define SIM_DAP_H

#include <stdbool.h>
#include <stdint.h>

#include "sim_ap.h"
#include "sim_bus.h"
#include "sim_fault_injector.h"

/* DP register addresses (A[3:2] of a request), ADIv5.2 B2.2. */
#define SIM_DP_DPIDR     0x0u /* read */
#define SIM_DP_ABORT     0x0u /* write */
#define SIM_DP_CTRL_STAT 0x4u /* read/write, banked by SELECT.DPBANKSEL (DPv1: SELECT.CTRLSEL) */
#define SIM_DP_RESEND    0x8u /* read */
#define SIM_DP_SELECT    0x8u /* write */
#define SIM_DP_RDBUFF    0xCu /* read */
#define SIM_DP_TARGETSEL 0xCu /* write, DPv2 */

/* ABORT bits. */
#define SIM_DP_ABORT_DAPABORT   (1u << 0)
#define SIM_DP_ABORT_STKCMPCLR  (1u << 1)
#define SIM_DP_ABORT_STKERRCLR  (1u << 2)
#define SIM_DP_ABORT_WDERRCLR   (1u << 3)
#define SIM_DP_ABORT_ORUNERRCLR (1u << 4)

/* CTRL/STAT bits. */
#define SIM_DP_CTRL_ORUNDETECT   (1u << 0)
#define SIM_DP_CTRL_STICKYORUN   (1u << 1)
#define SIM_DP_CTRL_STICKYCMP    (1u << 4)
#define SIM_DP_CTRL_STICKYERR    (1u << 5)
#define SIM_DP_CTRL_READOK       (1u << 6)
#define SIM_DP_CTRL_WDATAERR     (1u << 7)
#define SIM_DP_CTRL_CDBGRSTREQ   (1u << 26)
#define SIM_DP_CTRL_CDBGRSTACK   (1u << 27)
#define SIM_DP_CTRL_CDBGPWRUPREQ (1u << 28)
#define SIM_DP_CTRL_CDBGPWRUPACK (1u << 29)
#define SIM_DP_CTRL_CSYSPWRUPREQ (1u << 30)
#define SIM_DP_CTRL_CSYSPWRUPACK (1u << 31)
#define SIM_DP_CTRL_STICKY_FLAGS                                                                                       \
    (SIM_DP_CTRL_STICKYORUN | SIM_DP_CTRL_STICKYCMP | SIM_DP_CTRL_STICKYERR | SIM_DP_CTRL_WDATAERR)

/* SELECT fields. DPv1 has CTRLSEL in bit 0 where DPv2 has DPBANKSEL[3:0]. */
#define SIM_DP_SELECT_APSEL_SHIFT    24
#define SIM_DP_SELECT_APBANKSEL_MASK 0xF0u
#define SIM_DP_SELECT_CTRLSEL        0x1u
#define SIM_DP_SELECT_DPBANKSEL_MASK 0xFu

/* Registers behind DP 0x4 in banks 1-4 (DPv1: CTRLSEL reaches bank 1 only). */
#define SIM_DP_BANK_CTRL_STAT 0u
#define SIM_DP_BANK_DLCR      1u
#define SIM_DP_BANK_TARGETID  2u
#define SIM_DP_BANK_DLPIDR    3u
#define SIM_DP_BANK_EVENTSTAT 4u

/* DLCR: TURNROUND[9:8] = 0 (one cycle), bit 6 reserved as one (the old WCR.WIREMODE = synchronous). */
#define SIM_DP_DLCR_VALUE 0x00000040u
/* DLPIDR: PROTVSN[3:0] = 1 (SWD protocol version 2), TINSTANCE[31:28] = 0. */
#define SIM_DP_DLPIDR_VALUE 0x00000001u

/* DPIDR.VERSION[15:12]. */
#define SIM_DP_DPIDR_VERSION_SHIFT 12
#define SIM_DP_DPIDR_VERSION_MASK  0xFu

#define SIM_DAP_AP_COUNT 256u

enum sim_dap_ack { SIM_DAP_ACK_OK, SIM_DAP_ACK_WAIT, SIM_DAP_ACK_FAULT };

struct sim_dap_config {
    uint32_t dpidr;
    uint32_t targetid;
    uint64_t powerup_delay_ps; /* CDBGPWRUPREQ/CSYSPWRUPREQ to their ACKs */
};

/* The AP access the DP last started; it keeps the AP busy until done_ps. */
struct sim_dap_transaction {
    bool pending;
    bool is_read;
    uint8_t apsel;
    enum sim_bus_status status;
    uint32_t value;
    uint64_t done_ps;
};

struct sim_dap {
    struct sim_dap_config config;
    struct sim_ap aps[SIM_DAP_AP_COUNT];
    struct sim_fault_injector *faults; /* WAIT storms; may be NULL */
    uint32_t ctrl_stat;                /* stored bits: requests, ORUNDETECT, sticky flags, READOK */
    uint32_t select;
    uint64_t debug_powerup_requested_ps;
    uint64_t system_powerup_requested_ps;
    struct sim_dap_transaction transaction;
    uint32_t read_buffer;    /* result of the last completed AP read: what RDBUFF and the next AP read return */
    uint32_t last_read_data; /* what the last AP read or RDBUFF read returned: what RESEND returns */
};

void sim_dap_init(struct sim_dap *dap, const struct sim_dap_config *config, struct sim_fault_injector *faults);
void sim_dap_attach_ap(struct sim_dap *dap, uint8_t apsel, const struct sim_ap_ops *ops, void *ctx);

/* DPIDR.VERSION: 1 for DPv1, 2 for DPv2 (TARGETSEL, DPBANKSEL, DLPIDR). */
unsigned sim_dap_version(const struct sim_dap *dap);

/* A read request arrives; on OK *data is what the data phase carries (0 otherwise). */
enum sim_dap_ack sim_dap_read(struct sim_dap *dap, bool ap, uint8_t addr, uint64_t now_ps, uint32_t *data);

/* A write request arrives: the answer. Only after OK may sim_dap_write() follow. */
enum sim_dap_ack sim_dap_write_ack(struct sim_dap *dap, bool ap, uint8_t addr, uint64_t now_ps);
/* The data of a write answered OK arrived intact. */
void sim_dap_write(struct sim_dap *dap, bool ap, uint8_t addr, uint32_t value, uint64_t now_ps);
/* The data of a write answered OK failed its parity check: WDATAERR, and the write is dropped. */
void sim_dap_write_data_error(struct sim_dap *dap);

/* CTRL/STAT.ORUNDETECT: WAIT and FAULT answers are followed by a data phase. */
bool sim_dap_overrun_detect(const struct sim_dap *dap);

/* TARGETSEL data selects this DP: TPARTNO/TDESIGNER/bit 0 equal TARGETID[27:0] and TINSTANCE is ours (0). */
bool sim_dap_targetsel_matches(const struct sim_dap *dap, uint32_t value);

/* CTRL/STAT as a read would return it now, without counting as an access. */
uint32_t sim_dap_ctrl_stat(struct sim_dap *dap, uint64_t now_ps);

#endif /* SIM_DAP_H */
