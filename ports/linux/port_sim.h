/*
 * port_sim.h - the HAL bound to a simulated STM32: SWD pins clock the simulator's wire, NRST reaches its reset
 * pin, and time is the simulator's time, so that every timeout of the core is measured in chip time.
 */
#ifndef AIRSWD_PORT_SIM_H
#define AIRSWD_PORT_SIM_H

#include <stdbool.h>

#include "hal.h"
#include "sim_stm32.h"
#include "sim_target.h"

struct port_sim {
    struct sim_target *target;
    struct sim_stm32 *chip; /* BOOT0's owner, once wired */
    bool swdio_output;      /* the host drives SWDIO */
    struct hal_swd swd;
    struct hal_system system;
    struct hal_target_pins pins;
};

/* Binds port to target. whole_packet also provides hal_swd.transfer (a packet clocked in one call), so that both
 * the core's per-bit path and its whole-packet path can be exercised. */
void port_sim_init(struct port_sim *port, struct sim_target *target, bool whole_packet);
/* SWCLK and SWDIO cut between the port and the chip (pins not wired, or taken by the firmware): each cycle still
 * takes its time, and SWDIO reads high, as released and pulled up. */
void port_sim_cut_swd(struct port_sim *port);
/* Wires the pins' BOOT0 to the chip (left unwired, the ROM bootloader cannot be selected). */
void port_sim_wire_boot0(struct port_sim *port, struct sim_stm32 *chip);

#endif /* AIRSWD_PORT_SIM_H */
