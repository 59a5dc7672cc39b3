/*
 * sim_memory.h - plain memory for the simulated bus: SRAM, ROM, or a stand-in for a memory whose controller is not
 * modelled yet. Little-endian, any alignment inside the region as long as the access is naturally aligned.
 */
#ifndef SIM_MEMORY_H
#define SIM_MEMORY_H

#include <stdbool.h>
#include <stdint.h>

#include "sim_bus.h"

struct sim_memory;

/* A zero-filled memory of `size` bytes; writable=false makes bus writes fail (SIM_BUS_ERROR) like a ROM.
 * Returns NULL when out of host memory. */
struct sim_memory *sim_memory_create(uint32_t size, bool writable);
void sim_memory_destroy(struct sim_memory *memory);

/* The bus operations to pass to sim_bus_map() together with the memory as ctx. */
extern const struct sim_bus_region_ops sim_memory_ops;

/* Maps the whole memory at base, with its bytes as the region's direct backing unless it has a latency (set the
 * latency before mapping). Returns the region, or NULL as sim_bus_map(). */
struct sim_bus_region *sim_memory_map(struct sim_memory *memory, struct sim_bus *bus, uint32_t base, const char *name);

/* Every bus access takes this long to complete (default 0): a slow memory, to exercise WAIT on the wire.
 * A huge value models a bus that never completes (for WAIT timeouts and DAPABORT). */
void sim_memory_set_latency_ps(struct sim_memory *memory, uint64_t latency_ps);

/* Called after every write that comes through the bus (the debugger's, the bootloader's: the CPU stores into the
 * direct backing and is not reported), so that a CPU can forget code it translated from these bytes. */
void sim_memory_on_bus_write(struct sim_memory *memory, void (*fn)(void *ctx, uint32_t offset, uint32_t len),
                             void *ctx);

/* Direct access for setting up contents and checking results; bypasses the bus and the writable flag. */
uint8_t *sim_memory_data(struct sim_memory *memory);
uint32_t sim_memory_size(const struct sim_memory *memory);

#endif /* SIM_MEMORY_H */
