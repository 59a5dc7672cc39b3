/*
 * cortexm.h - a Cortex-M core driven through its MEM-AP: halt and resume, reset into a known state, core registers,
 * routines run in the target's RAM (flash loaders), hardware breakpoints (FPB) and watchpoints (DWT).
 *
 * Everything here is a read or write of the core's debug registers in the System Control Space (DHCSR, DCRSR, DCRDR,
 * DEMCR, DFSR, AIRCR; cortexm_regs.h), so it works the same on ARMv6-M (Cortex-M0/M0+) and ARMv7-M (M3/M4/M7).
 *
 * Waits are bounded by the limits of airswd_config.h, measured with hal_system.now_us (chip time on the simulator),
 * and every one of them yields and honours cancellation. A failure fills the caller's status_report: this module's
 * own failures with what the core was doing (DHCSR, PC, fault registers); failures of a memory access keep the
 * detail the MEM-AP wrote (the AP and the wire report into their own status_report, normally the same one).
 *
 * Halting debug belongs to the debugger while a struct cortexm is attached: attach sets DHCSR.C_DEBUGEN and takes
 * over the breakpoint and watchpoint comparators; cortexm_reset_run() gives the core back to its firmware.
 */
#ifndef AIRSWD_CORTEXM_H
#define AIRSWD_CORTEXM_H

#include <stdbool.h>
#include <stdint.h>

#include "adi/adi_mem_ap.h"
#include "hal.h"
#include "status.h"

/* Core register selectors, as DCRSR.REGSEL numbers them (ARMv7-M C1.6.3). */
#define CORTEXM_REG_R0      0u /* r0..r12 are 0..12 */
#define CORTEXM_REG_R12     12u
#define CORTEXM_REG_SP      13u /* the stack pointer in use (MSP or PSP) */
#define CORTEXM_REG_LR      14u
#define CORTEXM_REG_PC      15u /* the debug return address: where the core resumes */
#define CORTEXM_REG_XPSR    16u
#define CORTEXM_REG_MSP     17u
#define CORTEXM_REG_PSP     18u
#define CORTEXM_REG_SPECIAL 20u   /* CONTROL[31:24] FAULTMASK[23:16] BASEPRI[15:8] PRIMASK[7:0] */
#define CORTEXM_REG_FPSCR   0x21u /* floating-point unit only */
#define CORTEXM_REG_S0      0x40u /* S0..S31 are 0x40..0x5F, floating-point unit only */

/* xPSR of a core running Thumb code in thread mode with clear flags. */
#define CORTEXM_XPSR_THUMB 0x01000000u

struct cortexm {
    struct adi_mem_ap *ap;
    const struct hal_system *system;
    const struct hal_target_pins *pins; /* NULL: NRST is not wired */
    struct status_report *report;

    /* What attach found. */
    uint32_t cpuid;
    bool armv6m;              /* Cortex-M0/M0+: no CFSR/HFSR, fewer vector catches */
    bool armv8m;              /* Cortex-M23/M33/...: DWT comparators work differently (not supported here) */
    bool has_fpu;             /* floating-point registers reachable through DCRSR */
    unsigned fpb_comparators; /* instruction address comparators of the FPB (BPU on ARMv6-M) */
    unsigned fpb_revision;    /* FP_CTRL.REV: 0 breaks in the code region only, 1 anywhere */
    unsigned dwt_comparators;

    /* Set whenever a DHCSR read shows S_RESET_ST (which clears on read): the core was reset, by us or by something
     * else (a watchdog, the firmware). Whoever wants to know clears it. */
    bool reset_seen;

    /* A routine started by cortexm_start_routine() and not yet finished. */
    bool routine_running;
    uint32_t routine_entry;
    uint32_t routine_saved_demcr; /* DEMCR before the routine's vector catches, put back when it ends */
};

/* ---- Attach ---- */

/* Reads CPUID (0xE000ED00) and what the core has (FPU, FPB and DWT comparators), enables halting debug
 * (DHCSR.C_DEBUGEN, keeping a halted core halted), turns on the DWT (DEMCR.TRCENA) and clears the breakpoint and
 * watchpoint comparators a previous session may have left. The core keeps running or stays halted as it was.
 * ap must be open (adi_mem_ap_find). pins may be NULL when NRST is not wired. STATUS_UNSUPPORTED when the CPUID is not
 * an ARM Cortex-M or halting debug stays disabled. */
enum status cortexm_attach(struct cortexm *core, struct adi_mem_ap *ap, const struct hal_system *system,
                           const struct hal_target_pins *pins, struct status_report *report);

/* Connect under reset, for a target whose firmware disables the SWD pins, stops their clock or sleeps at once:
 * holds NRST low, attaches the debug port (adi_dp_attach on swd), opens the first AHB MEM-AP into ap and attaches
 * core to it while the firmware cannot run, arms the reset vector catch, releases NRST and waits until the core halts
 * at its reset handler, before its first instruction. On a failure NRST is released. Needs pins with set_nrst. */
enum status cortexm_attach_under_reset(struct cortexm *core, struct adi_mem_ap *ap, struct adi_dp *dp, struct swd *swd,
                                       const struct hal_system *system, const struct hal_target_pins *pins,
                                       struct status_report *report);

/* "Cortex-M3", "Cortex-M0+", ... from a CPUID; "unknown Cortex-M" for a part number not listed. */
const char *cortexm_core_name(uint32_t cpuid);

/* ---- Run control ---- */

/* Requests a halt (DHCSR.C_HALT) and waits for S_HALT for up to AIRSWD_CORTEXM_HALT_TIMEOUT_MS. A core that is
 * locked up or held in reset is reported as such. Halting a halted core is harmless. */
enum status cortexm_halt(struct cortexm *core);

/* Clears DFSR (so the next halt reason is fresh) and lets the core run from its PC (DHCSR.C_HALT cleared). A core
 * halted on a BKPT instruction halts again at once: move PC past it first. */
enum status cortexm_resume(struct cortexm *core);

/* Executes one instruction of a halted core and waits until it halts again (DHCSR.C_STEP). Interrupts are not
 * masked: a pending one is entered and the core stops at its handler's first instruction. */
enum status cortexm_step(struct cortexm *core);

/* *halted = DHCSR.S_HALT. */
enum status cortexm_is_halted(struct cortexm *core, bool *halted);

/* Why the core last halted, from DFSR (cleared by cortexm_resume and cortexm_step). When several bits are set the
 * most specific wins: vector catch, watchpoint, breakpoint, external, request. */
enum cortexm_halt_reason {
    CORTEXM_HALT_NONE,         /* DFSR is clear: not halted since the last resume */
    CORTEXM_HALT_REQUEST,      /* C_HALT or a single step */
    CORTEXM_HALT_BREAKPOINT,   /* a BKPT instruction or an FPB comparator */
    CORTEXM_HALT_WATCHPOINT,   /* a DWT comparator */
    CORTEXM_HALT_VECTOR_CATCH, /* reset, or a fault on its way into its handler */
    CORTEXM_HALT_EXTERNAL,     /* EDBGRQ, another core or a trigger */
};
enum status cortexm_halt_reason(struct cortexm *core, enum cortexm_halt_reason *reason);

/* ---- Reset ---- */

enum cortexm_reset_method {
    CORTEXM_RESET_SYSRESETREQ, /* AIRCR.SYSRESETREQ: the core asks the chip for a system reset; needs no wire */
    CORTEXM_RESET_NRST,        /* a pulse of AIRSWD_CORTEXM_NRST_PULSE_US on the NRST pin (needs pins) */
};

/* Resets the chip and halts the core before the first instruction of its reset handler: PC is the reset vector,
 * SP the initial stack pointer, and no firmware has run. Halts the core first, arms DEMCR.VC_CORERESET, resets,
 * waits (AIRSWD_CORTEXM_RESET_TIMEOUT_MS) for DHCSR.S_RESET_ST and then S_HALT, and puts DEMCR back as it was.
 * A routine still running is abandoned. The breakpoint and watchpoint comparators survive (they are reset by power-on
 * only). */
enum status cortexm_reset_halt(struct cortexm *core, enum cortexm_reset_method method);

/* Resets the chip and leaves the firmware running outside debug control: clears the reset vector catch and C_HALT,
 * disables the breakpoint and watchpoint comparators (with halting debug off they would fault), resets, waits for
 * DHCSR.S_RESET_ST, and clears C_DEBUGEN. cortexm_halt() takes the core back. */
enum status cortexm_reset_run(struct cortexm *core, enum cortexm_reset_method method);

/* ---- Core registers (halted core only) ---- */

/* Transfers one register through DCRSR/DCRDR, waiting for DHCSR.S_REGRDY. reg is a CORTEXM_REG_* selector (r0-r12
 * are 0-12); FP selectors need has_fpu. STATUS_CORE_NOT_HALTED when the core runs. Writing PC sets where the core
 * resumes; its bit 0 is cleared (the Thumb state lives in xPSR.T, which must stay set). */
enum status cortexm_read_reg(struct cortexm *core, unsigned reg, uint32_t *value);
enum status cortexm_write_reg(struct cortexm *core, unsigned reg, uint32_t value);

/* ---- Routines in the target's RAM ---- */

/* A routine already written to the target's RAM: Thumb code that takes up to four arguments in r0-r3 (AAPCS),
 * leaves its result in r0 and ends with BKPT (any immediate). It must not return through LR: LR holds an address that
 * cannot be executed, so a routine that returns is reported as such rather than running into whatever follows. */
struct cortexm_routine_call {
    uint32_t entry;     /* first instruction; bit 0 is ignored */
    uint32_t stack_top; /* initial MSP: the top of a stack in RAM, 4-byte aligned (AAPCS code wants 8) */
    uint32_t args[4];   /* r0-r3 */
};

/* Runs a routine on a halted core and waits for up to timeout_us for it to halt on its BKPT; then *result = r0.
 * The core runs privileged in thread mode on MSP, with PRIMASK set (no interrupts; faults still happen) and every
 * fault caught on its way into its handler (DEMCR vector catch, restored afterwards). Fails with
 * - STATUS_TIMEOUT when the routine has not finished in time: the core is then halted, PC in the detail;
 * - STATUS_CORE_FAULT when it faulted or stopped elsewhere than at a BKPT instruction: the detail has the fault,
 *   where it happened and the fault status registers (CFSR/HFSR on ARMv7-M);
 * - STATUS_CANCELLED when yield asked: the core is halted too.
 * Best after cortexm_reset_halt(): a core halted inside an exception handler keeps that exception active. */
enum status cortexm_run_routine(struct cortexm *core, const struct cortexm_routine_call *call, uint32_t timeout_us,
                                uint32_t *result);

/* The same in two steps, for a loader that runs while the host keeps streaming data into its buffers: start sets the
 * registers and resumes the core; poll looks once (no waiting) and sets *finished when the routine has halted, with
 * *result = r0 when it ended on its BKPT or the same failures as cortexm_run_routine() when it did not. The caller
 * keeps time and calls cortexm_abort_routine() when it gives up. */
enum status cortexm_start_routine(struct cortexm *core, const struct cortexm_routine_call *call);
enum status cortexm_poll_routine(struct cortexm *core, bool *finished, uint32_t *result);

/* Halts a running routine and puts DEMCR back. Does nothing when no routine runs. The halt is waited for even when
 * yield asks for cancellation, so that a cancelled operation still leaves the core halted. */
enum status cortexm_abort_routine(struct cortexm *core);

/* ---- Breakpoints and watchpoints ---- */

/* Hardware breakpoint on the instruction at address (halfword aligned) with FPB comparator index
 * (< fpb_comparators); enables the FPB. The core halts before executing it, DFSR.BKPT set. FPB revision 0 (every
 * Cortex-M0/M0+/M3/M4) only breaks below 0x20000000 (flash, not RAM): STATUS_UNSUPPORTED above. */
enum status cortexm_set_breakpoint(struct cortexm *core, unsigned index, uint32_t address);
enum status cortexm_clear_breakpoint(struct cortexm *core, unsigned index);

enum cortexm_watch_kind { CORTEXM_WATCH_READ, CORTEXM_WATCH_WRITE, CORTEXM_WATCH_ACCESS };

/* Data watchpoint with DWT comparator index (< dwt_comparators) on size bytes at address (size a power of two,
 * address aligned to it). The core halts soon after a matching access (DFSR.DWTTRAP); the watchpoint is imprecise:
 * PC may be a few instructions past the access. STATUS_UNSUPPORTED when the comparator cannot cover size bytes, and
 * on ARMv8-M. */
enum status cortexm_set_watchpoint(struct cortexm *core, unsigned index, uint32_t address, uint32_t size,
                                   enum cortexm_watch_kind kind);
enum status cortexm_clear_watchpoint(struct cortexm *core, unsigned index);

#endif /* AIRSWD_CORTEXM_H */
