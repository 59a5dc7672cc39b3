/*
 * sim_bus.c - the address map of the simulated target: regions are looked up linearly (a few dozen at most) and
 * every access is checked for size, natural alignment and containment before a region sees it.
 */
#include "sim_bus.h"

#include <stddef.h>

typedef enum sim_bus_status (*sim_bus_region_op)(void *ctx, struct sim_bus_access *access);

static uint64_t region_end(const struct sim_bus_region *region)
{
    return (uint64_t)region->base + region->size;
}

void sim_bus_init(struct sim_bus *bus)
{
    bus->region_count = 0;
}

struct sim_bus_region *sim_bus_map(struct sim_bus *bus, uint32_t base, uint32_t size,
                                   const struct sim_bus_region_ops *ops, void *ctx, const char *name)
{
    if (bus->region_count == SIM_BUS_MAX_REGIONS || size == 0 || ops == NULL)
        return NULL;
    uint64_t end = (uint64_t)base + size;
    if (end > (uint64_t)UINT32_MAX + 1)
        return NULL;
    for (unsigned i = 0; i < bus->region_count; i++) {
        const struct sim_bus_region *other = &bus->regions[i];
        if (base < region_end(other) && other->base < end)
            return NULL;
    }
    struct sim_bus_region *region = &bus->regions[bus->region_count++];
    *region = (struct sim_bus_region){.base = base, .size = size, .ops = ops, .ctx = ctx, .name = name};
    return region;
}

const struct sim_bus_region *sim_bus_find(const struct sim_bus *bus, uint32_t addr)
{
    for (unsigned i = 0; i < bus->region_count; i++) {
        const struct sim_bus_region *region = &bus->regions[i];
        if (addr >= region->base && addr < region_end(region))
            return region;
    }
    return NULL;
}

/* The region that can take the whole access, or NULL when the access is malformed or falls outside the map. */
static const struct sim_bus_region *region_for_access(const struct sim_bus *bus, uint32_t addr, unsigned size)
{
    if (size != 1 && size != 2 && size != 4)
        return NULL;
    if ((addr & (size - 1)) != 0)
        return NULL;
    const struct sim_bus_region *region = sim_bus_find(bus, addr);
    if (region == NULL || (uint64_t)addr + size > region_end(region))
        return NULL;
    return region;
}

static uint32_t size_mask(unsigned size)
{
    return size == 4 ? UINT32_MAX : (UINT32_C(1) << (8 * size)) - 1;
}

/* Runs one access through the region that holds it; done_ps never lies before now_ps. */
static enum sim_bus_status bus_access(struct sim_bus *bus, bool write, enum sim_bus_master master, uint32_t addr,
                                      unsigned size, uint32_t *value, uint64_t now_ps, uint64_t *done_ps)
{
    *done_ps = now_ps;
    const struct sim_bus_region *region = region_for_access(bus, addr, size);
    sim_bus_region_op op = NULL;
    if (region != NULL)
        op = write ? region->ops->write : region->ops->read;
    if (op == NULL)
        return SIM_BUS_ERROR;
    struct sim_bus_access access = {.offset = addr - region->base,
                                    .size = size,
                                    .value = write ? *value & size_mask(size) : 0,
                                    .master = master,
                                    .now_ps = now_ps,
                                    .done_ps = now_ps};
    enum sim_bus_status status = op(region->ctx, &access);
    *done_ps = access.done_ps < now_ps ? now_ps : access.done_ps;
    if (!write)
        *value = access.value & size_mask(size);
    return status;
}

enum sim_bus_status sim_bus_read(struct sim_bus *bus, enum sim_bus_master master, uint32_t addr, unsigned size,
                                 uint32_t *value, uint64_t now_ps, uint64_t *done_ps)
{
    *value = 0;
    return bus_access(bus, false, master, addr, size, value, now_ps, done_ps);
}

enum sim_bus_status sim_bus_write(struct sim_bus *bus, enum sim_bus_master master, uint32_t addr, unsigned size,
                                  uint32_t value, uint64_t now_ps, uint64_t *done_ps)
{
    return bus_access(bus, true, master, addr, size, &value, now_ps, done_ps);
}
