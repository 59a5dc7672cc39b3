/*
 * sim_memory.c - byte-addressed little-endian memory behind the simulated bus, with an optional fixed latency.
 */
#include "sim_memory.h"

#include <stdlib.h>

struct sim_memory {
    uint8_t *data;
    uint32_t size;
    bool writable;
    uint64_t latency_ps;
    void (*on_bus_write)(void *ctx, uint32_t offset, uint32_t len);
    void *on_bus_write_ctx;
};

struct sim_memory *sim_memory_create(uint32_t size, bool writable)
{
    struct sim_memory *memory = calloc(1, sizeof(*memory));
    if (memory == NULL)
        return NULL;
    memory->data = calloc(size == 0 ? 1 : size, 1);
    if (memory->data == NULL) {
        free(memory);
        return NULL;
    }
    memory->size = size;
    memory->writable = writable;
    return memory;
}

void sim_memory_destroy(struct sim_memory *memory)
{
    if (memory == NULL)
        return;
    free(memory->data);
    free(memory);
}

void sim_memory_set_latency_ps(struct sim_memory *memory, uint64_t latency_ps)
{
    memory->latency_ps = latency_ps;
}

void sim_memory_on_bus_write(struct sim_memory *memory, void (*fn)(void *ctx, uint32_t offset, uint32_t len),
                             void *ctx)
{
    memory->on_bus_write = fn;
    memory->on_bus_write_ctx = ctx;
}

uint8_t *sim_memory_data(struct sim_memory *memory)
{
    return memory->data;
}

uint32_t sim_memory_size(const struct sim_memory *memory)
{
    return memory->size;
}

/* Saturates so that a huge latency means "never" instead of wrapping into the past. */
static uint64_t completion_time(const struct sim_memory *memory, uint64_t now_ps)
{
    return now_ps > UINT64_MAX - memory->latency_ps ? UINT64_MAX : now_ps + memory->latency_ps;
}

static bool inside(const struct sim_memory *memory, uint32_t offset, unsigned size)
{
    return (uint64_t)offset + size <= memory->size;
}

static enum sim_bus_status memory_read(void *ctx, struct sim_bus_access *access)
{
    struct sim_memory *memory = ctx;
    access->done_ps = completion_time(memory, access->now_ps);
    if (!inside(memory, access->offset, access->size))
        return SIM_BUS_ERROR;
    uint32_t result = 0;
    for (unsigned i = 0; i < access->size; i++)
        result |= (uint32_t)memory->data[access->offset + i] << (8 * i);
    access->value = result;
    return SIM_BUS_OK;
}

static enum sim_bus_status memory_write(void *ctx, struct sim_bus_access *access)
{
    struct sim_memory *memory = ctx;
    access->done_ps = completion_time(memory, access->now_ps);
    if (!memory->writable || !inside(memory, access->offset, access->size))
        return SIM_BUS_ERROR;
    for (unsigned i = 0; i < access->size; i++)
        memory->data[access->offset + i] = (uint8_t)(access->value >> (8 * i));
    if (memory->on_bus_write != NULL)
        memory->on_bus_write(memory->on_bus_write_ctx, access->offset, access->size);
    return SIM_BUS_OK;
}

const struct sim_bus_region_ops sim_memory_ops = {.read = memory_read, .write = memory_write};

struct sim_bus_region *sim_memory_map(struct sim_memory *memory, struct sim_bus *bus, uint32_t base, const char *name)
{
    struct sim_bus_region *region = sim_bus_map(bus, base, memory->size, &sim_memory_ops, memory, name);
    /* Only a memory without latency may be read behind the bus's back: its timing is the bus's own. */
    if (region != NULL && memory->latency_ps == 0) {
        region->direct = memory->data;
        region->direct_writable = memory->writable;
    }
    return region;
}
