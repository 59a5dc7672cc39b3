/*
 * sim_swtf.h - the H7's SWO trace funnel (SWTF, a CoreSight trace funnel, RM0433 §60.5): which trace sources reach
 * the SWO. A debugger enables its ports before it takes SWO trace; no trace flows in the simulator, so its control
 * registers are storage.
 *
 * SWTF_CTRL (0x00): ENS0 (bit 0, the Cortex-M7), ENS1 (bit 1), HT[11:8] the minimum hold time; 0x00000300 after
 * power-on. SWTF_PRIO (0x04): PRIPORT0[2:0], PRIPORT1[5:3]; 0 after power-on. Both are in the debug domain: a system
 * reset keeps them. The rest of the funnel's 4 KB (claim tags, lock, the CoreSight identification registers) is not
 * modelled: an access there is a bus error.
 */
#ifndef SIM_SWTF_H
#define SIM_SWTF_H

#include <stdbool.h>
#include <stdint.h>

#include "sim_bus.h"
#include "sim_chip.h"

struct sim_swtf;

/* A funnel after power-on; NULL when out of host memory. */
struct sim_swtf *sim_swtf_create(void);
void sim_swtf_destroy(struct sim_swtf *swtf);

/* Maps SWTF_CTRL and SWTF_PRIO at base. False as sim_bus_map(). */
bool sim_swtf_map(struct sim_swtf *swtf, struct sim_bus *bus, uint32_t base);

/* Power-on restores the reset values; a system reset keeps them. */
struct sim_device sim_swtf_device(struct sim_swtf *swtf);

#endif /* SIM_SWTF_H */
