/*
 * sim_cortexm.h - the simulated Cortex-M0/M0+/M3/M4 core: instructions executed by Unicorn, and around it what
 * Unicorn does not provide: reset from the vector table, the NVIC and exceptions, SysTick, and the debug logic a
 * debugger drives through the AHB-AP (DHCSR, DCRSR/DCRDR, DEMCR, DFSR, AIRCR, FPB breakpoints, DWT watchpoints).
 *
 * The core lives in the chip's timeline: it runs only when asked to catch up with a time (sim_cortexm_run_until),
 * at clock_hz, counting one cycle per 16 bits of code executed plus the time the bus stalls it (a store to flash
 * while it is busy). The debug registers live on the bus (SCS at 0xE000E000, DWT, FPB, ROM table), so the debugger
 * and the firmware reach them the same way.
 */
#ifndef SIM_CORTEXM_H
#define SIM_CORTEXM_H

#include <stdbool.h>
#include <stdint.h>

#include "sim_bus.h"
#include "sim_chip.h"
#include "sim_parts.h"

struct sim_cortexm_config {
    enum sim_core core;
    uint32_t cpuid;
    uint32_t clock_hz;
    unsigned irq_count; /* external interrupt lines, at most 240 */
};

enum sim_cortexm_state {
    SIM_CORTEXM_RUNNING,
    SIM_CORTEXM_SLEEPING,      /* WFI: waits for an interrupt */
    SIM_CORTEXM_HALTED,        /* in debug state */
    SIM_CORTEXM_HELD_IN_RESET, /* NRST low */
    SIM_CORTEXM_LOCKED_UP,     /* a fault it could not handle */
};

/* DCRSR register selectors (ARMv7-M C1.6.3). */
#define SIM_CORTEXM_REG_SP 13u
#define SIM_CORTEXM_REG_LR 14u
#define SIM_CORTEXM_REG_PC 15u /* the debug return address */
#define SIM_CORTEXM_REG_XPSR 16u
#define SIM_CORTEXM_REG_MSP 17u
#define SIM_CORTEXM_REG_PSP 18u
#define SIM_CORTEXM_REG_SPECIAL 20u /* CONTROL[31:24] FAULTMASK[23:16] BASEPRI[15:8] PRIMASK[7:0] */
#define SIM_CORTEXM_REG_FPSCR 0x21u
#define SIM_CORTEXM_REG_S0 0x40u    /* S0..S31 at 0x40..0x5F (Cortex-M4F) */

struct sim_cortexm;

/* Creates the core and maps its own regions on the bus: SCS, DWT, FPB and a ROM table. NULL on failure. */
struct sim_cortexm *sim_cortexm_create(const struct sim_cortexm_config *config, struct sim_bus *bus);
void sim_cortexm_destroy(struct sim_cortexm *cpu);

/* Maps every region of the bus into the instruction set emulator: regions with direct backing as memory (stores
 * into non-writable ones go to the region's write op, which is how flash gets programmed), the rest as MMIO.
 * Call once, after all regions are on the bus. */
bool sim_cortexm_attach_memory(struct sim_cortexm *cpu);

/* Power-on also clears the debug logic; a system reset keeps it (ARMv7-M: debug is reset by power-on only). Then
 * SP and PC come from the vector table at 0; with C_DEBUGEN and DEMCR.VC_CORERESET the core halts before its first
 * instruction. */
void sim_cortexm_reset(struct sim_cortexm *cpu, enum sim_reset_kind kind, uint64_t now_ps);
/* NRST low: the core does not run (the debugger still reaches the SCS). The chip resets it on release. */
void sim_cortexm_hold_in_reset(struct sim_cortexm *cpu, bool held);
/* Starts execution at pc with MSP = sp, as a bootloader's jump does. */
void sim_cortexm_start_at(struct sim_cortexm *cpu, uint32_t sp, uint32_t pc);

/* The core waits for an interrupt as if it had executed WFI (a running core only). For code the emulator cannot
 * fetch: the ROM bootloader's idle loop, whose page it shares with MMIO. */
void sim_cortexm_sleep(struct sim_cortexm *cpu);

/* Executes until the core's time reaches t_ps. Halted, held, sleeping or locked up, time just passes. */
void sim_cortexm_run_until(struct sim_cortexm *cpu, uint64_t t_ps);
uint64_t sim_cortexm_now_ps(const struct sim_cortexm *cpu);
/* The next moment the core needs attention of its own (a SysTick wrap), or SIM_NEVER. */
uint64_t sim_cortexm_next_event_ps(const struct sim_cortexm *cpu);
void sim_cortexm_set_clock_hz(struct sim_cortexm *cpu, uint32_t hz);

/* Level of external interrupt line irq (a struct sim_irq_line.set for the peripherals). */
void sim_cortexm_set_irq(void *cpu, unsigned irq, bool level);

/* Code at [addr, addr+len) changed behind the emulator's back (flash programmed or erased). */
void sim_cortexm_code_changed(struct sim_cortexm *cpu, uint32_t addr, uint32_t len);

/* AIRCR.SYSRESETREQ: the chip performs the system reset. */
void sim_cortexm_on_reset_request(struct sim_cortexm *cpu, void (*fn)(void *ctx, uint64_t now_ps), void *ctx);

enum sim_cortexm_state sim_cortexm_state(const struct sim_cortexm *cpu);
uint64_t sim_cortexm_cycles(const struct sim_cortexm *cpu);
/* Core registers by DCRSR selector, as the debugger sees them. */
uint32_t sim_cortexm_reg(struct sim_cortexm *cpu, unsigned selector);
void sim_cortexm_set_reg(struct sim_cortexm *cpu, unsigned selector, uint32_t value);

#endif /* SIM_CORTEXM_H */
