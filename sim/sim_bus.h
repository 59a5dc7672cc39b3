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

/* Who makes an access. Some regions answer differently: flash under read protection refuses the debugger. */
enum sim_bus_master {
    SIM_BUS_MASTER_DEBUG,      /* the AHB-AP, on behalf of the debugger */
    SIM_BUS_MASTER_CPU,        /* the Cortex-M core */
    SIM_BUS_MASTER_BOOTLOADER, /* the ROM bootloader model, which stands for code running in system memory */
};

/* One access as a region sees it. */
struct sim_bus_access {
    uint32_t offset;            /* from the region's base; the access lies wholly inside the region */
    unsigned size;              /* 1, 2 or 4, naturally aligned */
    uint32_t value;             /* write: the value; read: the region stores the value here (right-aligned) */
    enum sim_bus_master master;
    uint64_t now_ps;
    uint64_t done_ps;           /* preset to now_ps; a region that stalls the bus sets it later */
};

struct sim_bus_region_ops {
    enum sim_bus_status (*read)(void *ctx, struct sim_bus_access *access);
    enum sim_bus_status (*write)(void *ctx, struct sim_bus_access *access);
};

#define SIM_BUS_MAX_REGIONS 32

struct sim_bus_region {
    uint32_t base;
    uint32_t size;
    const struct sim_bus_region_ops *ops;
    void *ctx;
    const char *name;
    /* Optional: the bytes behind the region, little-endian, when reading them has no side effect and needs no
     * permission check for the CPU (SRAM, flash). The CPU model maps them for speed; writes still go through ops. */
    uint8_t *direct;
    /* The CPU may also store straight into `direct` (SRAM). False: every store goes through ops (flash). */
    bool direct_writable;
};

struct sim_bus {
    struct sim_bus_region regions[SIM_BUS_MAX_REGIONS];
    unsigned region_count;
};

void sim_bus_init(struct sim_bus *bus);

/* Adds a region; returns it, or NULL when it overlaps another region or the table is full. */
struct sim_bus_region *sim_bus_map(struct sim_bus *bus, uint32_t base, uint32_t size,
                                   const struct sim_bus_region_ops *ops, void *ctx, const char *name);

/* The region holding addr, or NULL. */
const struct sim_bus_region *sim_bus_find(const struct sim_bus *bus, uint32_t addr);

/* One access as a bus master makes it. size is 1, 2 or 4; addr must be aligned to size (else SIM_BUS_ERROR).
 * An unmapped address is SIM_BUS_ERROR. done_ps receives the completion time (>= now_ps). */
enum sim_bus_status sim_bus_read(struct sim_bus *bus, enum sim_bus_master master, uint32_t addr, unsigned size,
                                 uint32_t *value, uint64_t now_ps, uint64_t *done_ps);
enum sim_bus_status sim_bus_write(struct sim_bus *bus, enum sim_bus_master master, uint32_t addr, unsigned size,
                                  uint32_t value, uint64_t now_ps, uint64_t *done_ps);

/* Peripheral registers are 32-bit words; a byte or halfword access reaches the lanes of the word holding it.
 * What a read at `offset` returns of register value `reg` (the bus masks it to the access size): */
static inline uint32_t sim_bus_register_slice(uint32_t reg, uint32_t offset)
{
    return reg >> (8 * (offset & 3u));
}

/* The word a write of `size` bytes at `offset` leaves in a register that held `reg`: the written lanes replaced,
 * the others kept. */
static inline uint32_t sim_bus_register_merge(uint32_t reg, uint32_t offset, unsigned size, uint32_t value)
{
    if (size >= 4)
        return value;
    unsigned shift = 8 * (offset & 3u);
    uint32_t lanes = ((UINT32_C(1) << (8 * size)) - 1) << shift;
    return (reg & ~lanes) | ((value << shift) & lanes);
}

#endif /* SIM_BUS_H */
