/*
 * sim_bus.h - the simulated target's memory bus: the address map into which memories and peripherals plug.
 *
 * A region answers reads and writes of 1, 2 or 4 bytes at an offset from its base (values are right-aligned: a
 * byte read returns the byte in bits 7:0). It also says when the access completes: a region that stalls the bus
 * (a flash controller while BSY, a slow peripheral) reports a completion time later than `now_ps`, and the access
 * port that issued the access stays busy until then, which the host sees as WAIT on the wire.
 */
#ifndef SIM_BUS_H
#define SIM_BUS_H

#include <stdbool.h>
#include <stdint.h>

enum sim_bus_status {
    SIM_BUS_OK = 0,
    SIM_BUS_ERROR, /* the access failed on the bus (unmapped, protected, wrong size): STICKYERR at the DAP */
};

struct sim_bus_region_ops {
    /* `done_ps` is preset to now_ps; a region that stalls sets it later. */
    enum sim_bus_status (*read)(void *ctx, uint32_t offset, unsigned size, uint32_t *value, uint64_t now_ps,
                                uint64_t *done_ps);
    enum sim_bus_status (*write)(void *ctx, uint32_t offset, unsigned size, uint32_t value, uint64_t now_ps,
                                 uint64_t *done_ps);
};

#define SIM_BUS_MAX_REGIONS 32

struct sim_bus_region {
    uint32_t base;
    uint32_t size;
    const struct sim_bus_region_ops *ops;
    void *ctx;
    const char *name;
};

struct sim_bus {
    struct sim_bus_region regions[SIM_BUS_MAX_REGIONS];
    unsigned region_count;
};

void sim_bus_init(struct sim_bus *bus);

/* Adds a region; returns false when it overlaps another region or the table is full. */
bool sim_bus_map(struct sim_bus *bus, uint32_t base, uint32_t size, const struct sim_bus_region_ops *ops, void *ctx,
                 const char *name);

/* The region holding addr, or NULL. */
const struct sim_bus_region *sim_bus_find(const struct sim_bus *bus, uint32_t addr);

/* One access as a bus master makes it. size is 1, 2 or 4; addr must be aligned to size (else SIM_BUS_ERROR).
 * An unmapped address is SIM_BUS_ERROR. done_ps receives the completion time (>= now_ps). */
enum sim_bus_status sim_bus_read(struct sim_bus *bus, uint32_t addr, unsigned size, uint32_t *value, uint64_t now_ps,
                                 uint64_t *done_ps);
enum sim_bus_status sim_bus_write(struct sim_bus *bus, uint32_t addr, unsigned size, uint32_t value, uint64_t now_ps,
                                  uint64_t *done_ps);

#endif /* SIM_BUS_H */
