/*
 * sim_rcc.h - the simulated reset and clock control block (RCC) as firmware sees it: a register file with the
 * reset values of the reference manuals (RM0008 §7.3, RM0360 §7.4, RM0383 §6.3, RM0351 §6.4, RM0444 §5.4) and the
 * handshakes firmware waits on. An oscillator or PLL reports ready as soon as it is switched on, and the system
 * clock switch (CFGR.SWS) follows CFGR.SW as soon as the selected source is on.
 *
 * Not modelled: the clocks themselves. The CPU and the peripherals keep running at the part's reset clock whatever
 * is configured here, peripheral clock enables do not gate anything, and reset registers (xxxRSTR) do not reset
 * peripherals. Nor the protections silicon adds: switching off the oscillator that clocks the system, or
 * reconfiguring a running PLL, is accepted.
 */
#ifndef SIM_RCC_H
#define SIM_RCC_H

#include <stdbool.h>
#include <stdint.h>

#include "sim_bus.h"
#include "sim_chip.h"
#include "sim_parts.h"

#define SIM_RCC_REGION_SIZE 0x400u

struct sim_rcc;

/* The part's RCC after power-on. NULL when out of host memory. */
struct sim_rcc *sim_rcc_create(const struct sim_part *part);
void sim_rcc_destroy(struct sim_rcc *rcc);

/* Maps the block at the part's rcc_base. False as sim_bus_map(). */
bool sim_rcc_map(struct sim_rcc *rcc, struct sim_bus *bus);

/* Power-on restores every register; a system reset keeps the backup domain control register (BDCR) and the reset
 * flags in CSR[31:24], which only a power-on clears. The flags do not record the cause of later resets. No
 * time-driven behaviour. */
struct sim_device sim_rcc_device(struct sim_rcc *rcc);

/* SYSCLK as the clock switch and the oscillators' settings make it: the reset clock, the L4's MSI ranges and its
 * HSI16. HSE and PLL settings are not modelled: a switch to them keeps the clock as it was. fn is called with the
 * new frequency whenever it changes (the chip retimes the core and the USARTs). */
void sim_rcc_on_clock_change(struct sim_rcc *rcc, void (*fn)(void *ctx, uint32_t hz), void *ctx);
uint32_t sim_rcc_sysclk_hz(const struct sim_rcc *rcc);

/* The register at offset as a 32-bit read sees it (ready flags and SWS included), for tests and the chip. */
uint32_t sim_rcc_register(const struct sim_rcc *rcc, uint32_t offset);

#endif /* SIM_RCC_H */
