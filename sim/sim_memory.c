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

static enum sim_bus_status memory_read(void *ctx, uint32_t offset, unsigned size, uint32_t *value, uint64_t now_ps,
                                       uint64_t *done_ps)
{
    struct sim_memory *memory = ctx;
    *done_ps = completion_time(memory, now_ps);
    if (!inside(memory, offset, size))
        return SIM_BUS_ERROR;
    uint32_t result = 0;
    for (unsigned i = 0; i < size; i++)
        result |= (uint32_t)memory->data[offset + i] << (8 * i);
    *value = result;
    return SIM_BUS_OK;
}

static enum sim_bus_status memory_write(void *ctx, uint32_t offset, unsigned size, uint32_t value, uint64_t now_ps,
                                        uint64_t *done_ps)
{
    struct sim_memory *memory = ctx;
    *done_ps = completion_time(memory, now_ps);
    if (!memory->writable || !inside(memory, offset, size))
        return SIM_BUS_ERROR;
    for (unsigned i = 0; i < size; i++)
        memory->data[offset + i] = (uint8_t)(value >> (8 * i));
    return SIM_BUS_OK;
}

const struct sim_bus_region_ops sim_memory_ops = {.read = memory_read, .write = memory_write};
