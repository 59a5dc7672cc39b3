/*
 * sim_iwdg.c - the simulated independent watchdog (sim_iwdg.h).
 *
 * Invariants: `counter` is the counter's value at `counted_to_ps`, with `partial_ps` of the current tick already
 * elapsed; time is counted only between advance() calls in which the watchdog was not frozen.
 */
#include "sim_iwdg.h"

#include <stdlib.h>

#define IWDG_KR 0x00u
#define IWDG_PR 0x04u
#define IWDG_RLR 0x08u
#define IWDG_SR 0x0Cu
#define IWDG_WINR 0x10u

#define IWDG_KEY_START 0xCCCCu
#define IWDG_KEY_RELOAD 0xAAAAu
#define IWDG_KEY_ACCESS 0x5555u
#define IWDG_RLR_RESET 0xFFFu
#define IWDG_PR_MAX_DIVIDER 256u
#define PS_PER_S 1000000000000ull

struct sim_iwdg {
    struct sim_iwdg_config config;
    bool running, writable;
    uint32_t pr, rlr, winr;
    uint32_t counter;
    uint64_t counted_to_ps, partial_ps;
};

uint32_t sim_iwdg_lsi_hz(enum sim_family family)
{
    if (family == SIM_FAMILY_L0)
        return 37000u; /* DS10152: LSI 26-56 kHz, 37 kHz typical */
    if (family == SIM_FAMILY_L1)
        return 38000u; /* DS10110: LSI 26-56 kHz, 38 kHz typical [unconfirmed] */
    return family == SIM_FAMILY_F0 || family == SIM_FAMILY_F1 || family == SIM_FAMILY_F3 ? 40000u : 32000u;
}

static uint64_t tick_ps(const struct sim_iwdg *iwdg)
{
    uint32_t divider = 4u << iwdg->pr;
    if (divider > IWDG_PR_MAX_DIVIDER)
        divider = IWDG_PR_MAX_DIVIDER;
    return PS_PER_S * divider / iwdg->config.lsi_hz;
}

static void iwdg_advance(void *ctx, uint64_t now_ps)
{
    struct sim_iwdg *iwdg = ctx;
    uint64_t elapsed = now_ps > iwdg->counted_to_ps ? now_ps - iwdg->counted_to_ps : 0;
    iwdg->counted_to_ps = now_ps;
    if (!iwdg->running || elapsed == 0 || iwdg->config.frozen(iwdg->config.ctx))
        return;
    uint64_t tick = tick_ps(iwdg);
    uint64_t ticks = (iwdg->partial_ps + elapsed) / tick;
    iwdg->partial_ps = (iwdg->partial_ps + elapsed) % tick;
    if (ticks < iwdg->counter) {
        iwdg->counter -= (uint32_t)ticks;
        return;
    }
    iwdg->counter = 0;
    iwdg->running = false;
    iwdg->config.expired(iwdg->config.ctx, now_ps); /* resets the chip, this watchdog included */
}

static uint64_t iwdg_next_event_ps(void *ctx)
{
    const struct sim_iwdg *iwdg = ctx;
    if (!iwdg->running)
        return SIM_NEVER;
    return iwdg->counted_to_ps + (uint64_t)iwdg->counter * tick_ps(iwdg) - iwdg->partial_ps;
}

static void iwdg_reset(void *ctx, enum sim_reset_kind kind, uint64_t now_ps)
{
    struct sim_iwdg *iwdg = ctx;
    (void)kind;
    iwdg->writable = false;
    iwdg->running = iwdg->config.hardware_mode != NULL && iwdg->config.hardware_mode(iwdg->config.ctx);
    iwdg->pr = 0;
    iwdg->rlr = IWDG_RLR_RESET;
    iwdg->winr = IWDG_RLR_RESET;
    iwdg->counter = IWDG_RLR_RESET;
    iwdg->counted_to_ps = now_ps;
    iwdg->partial_ps = 0;
}

static const struct sim_device_ops iwdg_device_ops = {
    .reset = iwdg_reset, .advance = iwdg_advance, .next_event_ps = iwdg_next_event_ps};

static enum sim_bus_status iwdg_bus_read(void *ctx, struct sim_bus_access *access)
{
    const struct sim_iwdg *iwdg = ctx;
    uint32_t value = 0;
    switch (access->offset & ~3u) {
    case IWDG_PR: value = iwdg->pr; break;
    case IWDG_RLR: value = iwdg->rlr; break;
    case IWDG_WINR: value = iwdg->winr; break;
    default: break; /* KR is write-only; SR: no update pending */
    }
    access->value = sim_bus_register_slice(value, access->offset);
    return SIM_BUS_OK;
}

/* A reload restarts the count from now. It cannot come after the expiry: the chip's slices end at
 * next_event_ps(), so the counter reaching 0 is seen before any later store. */
static void iwdg_key(struct sim_iwdg *iwdg, uint32_t key, uint64_t now_ps)
{
    iwdg->writable = key == IWDG_KEY_ACCESS;
    if (key != IWDG_KEY_START && key != IWDG_KEY_RELOAD)
        return;
    if (key == IWDG_KEY_START)
        iwdg->running = true;
    iwdg->counter = iwdg->rlr;
    iwdg->counted_to_ps = now_ps;
    iwdg->partial_ps = 0;
}

static enum sim_bus_status iwdg_bus_write(void *ctx, struct sim_bus_access *access)
{
    struct sim_iwdg *iwdg = ctx;
    uint32_t value = access->value & 0xFFFFu;
    switch (access->offset & ~3u) {
    case IWDG_KR: iwdg_key(iwdg, value, access->now_ps); break;
    case IWDG_PR: if (iwdg->writable) iwdg->pr = value & 7u; break;
    case IWDG_RLR: if (iwdg->writable) iwdg->rlr = value & IWDG_RLR_RESET; break;
    case IWDG_WINR: if (iwdg->writable) iwdg->winr = value & IWDG_RLR_RESET; break;
    default: break;
    }
    return SIM_BUS_OK;
}

static const struct sim_bus_region_ops iwdg_region_ops = {.read = iwdg_bus_read, .write = iwdg_bus_write};

struct sim_iwdg *sim_iwdg_create(const struct sim_iwdg_config *config)
{
    struct sim_iwdg *iwdg = calloc(1, sizeof *iwdg);
    if (iwdg == NULL)
        return NULL;
    iwdg->config = *config;
    iwdg->config.hardware_mode = NULL; /* the chip is not assembled yet: its first power-on reset asks */
    iwdg_reset(iwdg, SIM_RESET_POWER_ON, 0);
    iwdg->config.hardware_mode = config->hardware_mode;
    return iwdg;
}

void sim_iwdg_destroy(struct sim_iwdg *iwdg)
{
    free(iwdg);
}

bool sim_iwdg_map(struct sim_iwdg *iwdg, struct sim_bus *bus, uint32_t base)
{
    return sim_bus_map(bus, base != 0 ? base : SIM_IWDG_BASE, SIM_IWDG_REGION_SIZE, &iwdg_region_ops, iwdg, "IWDG") != NULL;
}

struct sim_device sim_iwdg_device(struct sim_iwdg *iwdg)
{
    return (struct sim_device){.ops = &iwdg_device_ops, .ctx = iwdg, .name = "IWDG"};
}

bool sim_iwdg_running(const struct sim_iwdg *iwdg)
{
    return iwdg->running;
}

uint32_t sim_iwdg_counter(const struct sim_iwdg *iwdg)
{
    return iwdg->counter;
}
