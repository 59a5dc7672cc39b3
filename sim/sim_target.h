/*
 * sim_target.h - a simulated STM32 as seen from its debug pins: SWJ-DP (SW-DP wire front end), the DAP's debug
 * port registers, an AHB-AP, and the memory bus behind it, in one simulated timeline. A part may have an APB-AP as
 * well, onto a debug bus of its own that the system bus does not reach (the H7's AP2 onto APB-D).
 *
 * Wire model, one call per SWCLK cycle (matches ARM ADIv5, the timing of hal.h and sigrok's swd decoder):
 *   - the host sets SWDIO (or releases it) while SWCLK is low, then SWCLK rises;
 *   - on the rising edge the target samples SWDIO if it is not driving, advances its state machine, and launches
 *     its own next bit, which stays on the line until the next rising edge;
 *   - sim_target_swdio() is the level the host samples before the next rising edge: the target's bit when it
 *     drives, else the host's bit when the host drives, else 1 (pull-up).
 * A read answered OK takes 46 cycles: request 0-7, ACK launched on edges 8-10, data 11-42, parity 43, and the
 * target ignores edges 44-45 (its release and the turnaround); the next request starts on edge 46. A write answered
 * OK: ACK on 8-10, edges 11-12 ignored, data sampled on 13-44, parity on 45. WAIT or FAULT: ACK on 8-10, edges
 * 11-12 ignored.
 *
 * Simulated time: every cycle advances the clock by 1/swclk_hz; sim_target_idle() advances it without clocking.
 *
 * JTAG (sim_jtag.h): TCK is SWCLK and TMS is SWDIO. sim_target_jtag_cycle() is one TCK cycle: the SWJ-DP's
 * sequence detector and the SW-DP see TMS as they would see SWDIO (so the JTAG-to-SWD sequence sent on TMS switches
 * the port to SWD), and while the port is in JTAG mode the TAP chain is clocked with TMS and TDI. The trace shows
 * TCK and TMS as swclk and swdio; TDI and TDO are not traced.
 */
#ifndef SIM_TARGET_H
#define SIM_TARGET_H

#include <stdbool.h>
#include <stdint.h>

#include "sim_bus.h"
#include "sim_faults.h"

/* State of the SWJ-DP's shared pins. STM32 parts power up in JTAG mode. */
enum sim_swj_mode { SIM_SWJ_JTAG, SIM_SWJ_SWD, SIM_SWJ_DORMANT };

struct sim_target_config {
    uint32_t dpidr;              /* e.g. 0x1BA01477 (STM32F1); VERSION[15:12] selects DPv1 or DPv2 behaviour */
    uint32_t targetid;           /* DPv2 TARGETID (DPBANKSEL 2), also what TARGETSEL must match; 0 on DPv1 */
    bool dormant_capable;        /* the SWJ-DP implements the dormant state (DPv2 parts) */
    enum sim_swj_mode power_on_mode;
    uint32_t ap_idr;             /* AP0 IDR, e.g. 0x24770011 (Cortex-M3/M4 AHB-AP) */
    uint32_t ap_base;            /* AP0 BASE (ROM table), e.g. 0xE00FF003 */
    uint32_t ap_csw_reset;       /* AP0 CSW after reset */
    bool ap_sub_word;            /* AP0 supports 8- and 16-bit accesses */
    uint32_t ap_autoinc_block;   /* AP0's TAR auto-increment block: 1 KB (0 means so), 4 KB on Cortex-M3/M4 */
    uint32_t swclk_hz;           /* simulated SWCLK frequency (time per cycle) */
    uint32_t powerup_delay_ns;   /* CDBGPWRUPREQ/CSYSPWRUPREQ to their ACKs */
    uint32_t jtag_idcode;        /* JTAG-DP IDCODE, e.g. 0x3BA00477; 0: no JTAG port (Cortex-M0/M0+ parts) */
    uint32_t jtag_bs_idcode;     /* the boundary-scan TAP before the JTAG-DP in the chain, e.g. 0x06410041 */
    /* A second MEM-AP, an APB-AP onto a debug bus of its own (H7: AP2 onto APB-D). apb_apsel 0: none. */
    uint8_t apb_apsel;
    uint32_t apb_ap_idr;         /* e.g. 0x54770002 (CoreSight SoC-400 APB-AP) */
    uint32_t apb_ap_base;        /* its BASE (the ROM table of that bus) */
};

/* A Blue Pill's debug port: DPIDR 0x1BA01477, DPv1, no dormant, JTAG at power-on, AHB-AP 0x24770011, 4 MHz,
 * JTAG-DP IDCODE 0x3BA00477 behind boundary-scan TAP 0x06410041. */
void sim_target_default_config(struct sim_target_config *config);

struct sim_target;

/* Returns NULL when out of host memory or the configuration is invalid. The bus starts empty. */
struct sim_target *sim_target_create(const struct sim_target_config *config);
void sim_target_destroy(struct sim_target *target);

struct sim_bus *sim_target_bus(struct sim_target *target);
/* The bus behind the APB-AP (empty at creation), or NULL when the configuration has none. */
struct sim_bus *sim_target_apb_bus(struct sim_target *target);

/* What the chip around the debug port needs to hear from it. */
struct sim_target_hooks {
    void *ctx;
    /* Before the AP starts a bus access, and after idle time: bring the CPU and the devices up to now_ps, so that
     * the debugger sees the chip as it is at that moment. May be NULL. */
    void (*sync)(void *ctx, uint64_t now_ps);
    /* NRST changed; asserted = driven low. May be NULL. */
    void (*nrst)(void *ctx, bool asserted, uint64_t now_ps);
};
void sim_target_set_hooks(struct sim_target *target, const struct sim_target_hooks *hooks);

/* ---- wire ---- */
void sim_target_swd_cycle(struct sim_target *target, bool host_drives, bool host_bit);
bool sim_target_swdio(const struct sim_target *target);
enum sim_swj_mode sim_target_swj_mode(const struct sim_target *target);
/* NRST as driven by the host (open drain: true = asserted low). Recorded in the trace. */
void sim_target_set_nrst(struct sim_target *target, bool asserted);

/* One TCK cycle with TMS and TDI; returns TDO as the host samples it before the next rising edge (1 whenever the
 * TAPs do not drive it: outside Shift-IR/Shift-DR, outside JTAG mode, or without a JTAG port). */
bool sim_target_jtag_cycle(struct sim_target *target, bool tms, bool tdi);
/* TDO now, as sim_target_jtag_cycle() last returned it (1 before any cycle and after a TAP reset). */
bool sim_target_jtag_tdo(const struct sim_target *target);
/* Read protection level 2 turns the debug port off for good: neither SW-DP nor JTAG answers (RM0008 §2.7,
 * RM0090 §3.7.3, RM0351 §3.5.1, RM0444 §3.5.1). */
void sim_target_set_debug_port_enabled(struct sim_target *target, bool enabled);
/* TRST: the TAPs go to Test-Logic-Reset; the debug port's registers are untouched. */
void sim_target_jtag_trst(struct sim_target *target);

/* ---- time ---- */
uint64_t sim_target_now_ps(const struct sim_target *target);
uint64_t sim_target_swclk_cycles(const struct sim_target *target);
void sim_target_idle(struct sim_target *target, uint64_t ps);
void sim_target_set_swclk_hz(struct sim_target *target, uint32_t hz);
uint32_t sim_target_swclk_hz(const struct sim_target *target);

/* ---- trace ---- */
/* Starts writing a VCD of swclk, swdio and nrst to path (timescale 1 ns); false when the file cannot be opened.
 * The file is complete after sim_target_trace_stop() or sim_target_destroy(). */
bool sim_target_trace_vcd(struct sim_target *target, const char *path);
void sim_target_trace_stop(struct sim_target *target);

/* ---- faults ---- */
void sim_target_set_faults(struct sim_target *target, const struct sim_fault_config *config);
const struct sim_fault_stats *sim_target_fault_stats(const struct sim_target *target);

/* ---- observation for tests ---- */
struct sim_wire_stats {
    uint64_t packets_ok, packets_wait, packets_fault, packets_unanswered;
    uint64_t line_resets;
    uint64_t protocol_errors;       /* bad request parity or stop bit: target went to lockout */
    uint64_t write_parity_errors;   /* WDATAERR raised */
    uint64_t contention_cycles;     /* cycles in which host and target both drove SWDIO: always a host bug */
};
const struct sim_wire_stats *sim_target_wire_stats(const struct sim_target *target);

#endif /* SIM_TARGET_H */
