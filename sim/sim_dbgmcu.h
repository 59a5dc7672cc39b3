/*
 * sim_dbgmcu.h - the simulated MCU debug component (DBGMCU): the device identity a debugger reads first, and the
 * debug configuration that survives system resets.
 *
 * IDCODE (offset 0x00, read-only: REV_ID[31:16], DEV_ID[11:0]) and CR (0x04) on every family; the peripheral
 * freeze registers after them where the family has them: APB1_FZ 0x08 and APB2_FZ 0x0C on F0, F4 and G0 (APB_FZ1,
 * APB_FZ2), APB1FZR1 0x08, APB1FZR2 0x0C and APB2FZR 0x10 on L4 (the DBGMCU section of the "Debug support"
 * chapter of RM0008, RM0360, RM0383, RM0351 and RM0444). F1 keeps its freeze bits in CR. The block sits at the part
 * table's dbgmcu_base (0xE0042000, or 0x40015800 on F0 and G0).
 *
 * CR and the freeze registers are in the debug domain: only a power-on resets them. On F0 and G0 they take writes
 * only while the DBGMCU's clock is on in the RCC (F0 RCC_APB2ENR.DBGMCUEN, G0 RCC_APBENR1.DBGEN); IDCODE is always
 * readable. The IWDG freeze bit stops the watchdog while the core is halted (sim_iwdg.h); the other freeze bits and
 * low-power debug support are storage. The F1 erratum "debug registers cannot be read by user software" (the CPU
 * reads 0 outside debug mode) is not modelled.
 */
#ifndef SIM_DBGMCU_H
#define SIM_DBGMCU_H

#include <stdbool.h>
#include <stdint.h>

#include "sim_bus.h"
#include "sim_chip.h"
#include "sim_parts.h"

struct sim_dbgmcu;

/* The part's DBGMCU after power-on. NULL when out of host memory. */
struct sim_dbgmcu *sim_dbgmcu_create(const struct sim_part *part);
void sim_dbgmcu_destroy(struct sim_dbgmcu *dbgmcu);

/* Maps the registers (and nothing past the last one) at the part's dbgmcu_base. False as sim_bus_map(). */
bool sim_dbgmcu_map(struct sim_dbgmcu *dbgmcu, struct sim_bus *bus);
/* Maps the same registers a second time, at base on another bus (H7: 0xE00E1000 on APB-D, RM0433 §60.5.8). */
bool sim_dbgmcu_map_at(struct sim_dbgmcu *dbgmcu, struct sim_bus *bus, uint32_t base);

/* Power-on clears CR and the freeze registers; a system reset keeps them. */
struct sim_device sim_dbgmcu_device(struct sim_dbgmcu *dbgmcu);

struct sim_rcc;
/* Wires the F0/G0 clock gate to the chip's RCC (other families ignore it). */
void sim_dbgmcu_gate_clock(struct sim_dbgmcu *dbgmcu, const struct sim_rcc *rcc);

/* Whether DBG_IWDG_STOP is set (F1: in CR; elsewhere in the first APB freeze register). */
bool sim_dbgmcu_freezes_iwdg(const struct sim_dbgmcu *dbgmcu);

/* Gives the part the IDCODE of another member of its line, for tests of what a debugger makes of it. */
void sim_dbgmcu_set_idcode(struct sim_dbgmcu *dbgmcu, uint32_t idcode);

/* DBGMCU_CR as the firmware and the debugger see it. */
uint32_t sim_dbgmcu_cr(const struct sim_dbgmcu *dbgmcu);

#endif /* SIM_DBGMCU_H */
