/*
 * sim_swtf.c - the SWO trace funnel's two control registers as debug-domain storage.
 */
#include "sim_swtf.h"

#include <stdlib.h>

#define SWTF_CTRL_RESET    0x00000300u
#define SWTF_CTRL_WRITABLE 0x00000F03u /* ENS0, ENS1, HT[11:8]; the enables of absent ports read 0 */
#define SWTF_PRIO_WRITABLE 0x0000003Fu /* PRIPORT0, PRIPORT1 */
#define SWTF_REGISTERS     2u

struct sim_swtf {
    uint32_t registers[SWTF_REGISTERS]; /* CTRL, PRIO */
};

static const uint32_t writable[SWTF_REGISTERS] = {SWTF_CTRL_WRITABLE, SWTF_PRIO_WRITABLE};

static void power_on(struct sim_swtf *swtf)
{
    swtf->registers[0] = SWTF_CTRL_RESET;
    swtf->registers[1] = 0;
}

struct sim_swtf *sim_swtf_create(void)
{
    struct sim_swtf *swtf = calloc(1, sizeof *swtf);
    if (swtf != NULL)
        power_on(swtf);
    return swtf;
}

void sim_swtf_destroy(struct sim_swtf *swtf)
{
    free(swtf);
}

static enum sim_bus_status swtf_read(void *ctx, struct sim_bus_access *access)
{
    const struct sim_swtf *swtf = ctx;
    access->value = sim_bus_register_slice(swtf->registers[access->offset / 4], access->offset);
    return SIM_BUS_OK;
}

static enum sim_bus_status swtf_write(void *ctx, struct sim_bus_access *access)
{
    struct sim_swtf *swtf = ctx;
    unsigned word = access->offset / 4;
    uint32_t value = sim_bus_register_merge(swtf->registers[word], access->offset, access->size, access->value);
    swtf->registers[word] = value & writable[word];
    return SIM_BUS_OK;
}

static const struct sim_bus_region_ops swtf_region_ops = {.read = swtf_read, .write = swtf_write};

bool sim_swtf_map(struct sim_swtf *swtf, struct sim_bus *bus, uint32_t base)
{
    return sim_bus_map(bus, base, SWTF_REGISTERS * 4u, &swtf_region_ops, swtf, "SWTF") != NULL;
}

static void swtf_reset(void *ctx, enum sim_reset_kind kind, uint64_t now_ps)
{
    (void)now_ps;
    if (kind == SIM_RESET_POWER_ON)
        power_on(ctx);
}

static const struct sim_device_ops swtf_device_ops = {.reset = swtf_reset};

struct sim_device sim_swtf_device(struct sim_swtf *swtf)
{
    return (struct sim_device){.ops = &swtf_device_ops, .ctx = swtf, .name = "SWTF"};
}
