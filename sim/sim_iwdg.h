/*
 * sim_iwdg.h - the simulated independent watchdog (IWDG): RM0008 §19, RM0360 §22, RM0383 §17, RM0351 §32,
 * RM0444 §25.
 *
 * KR 0x00: 0xCCCC starts the watchdog (and its LSI clock), 0xAAAA reloads the counter from RLR, 0x5555 opens PR and
 * RLR (and WINR) for writing, any other key closes them again. PR 0x04 divides LSI by 4 << PR (PR 6 and 7: 256),
 * RLR 0x08 is the 12-bit reload value, SR 0x0C reads 0 (the PVU/RVU updates complete at once). Once started the
 * 12-bit down counter cannot be stopped; when it reaches 0 the chip is reset. While the core is halted by a debugger
 * the counter stands still only if the debugger set the DBGMCU freeze bit for the IWDG (and, on F0 and G0, with the
 * DBGMCU's clock on): the chip answers that through the frozen() callback.
 *
 * With the hardware watchdog option (WDG_SW / IWDG_SW cleared) it runs from every reset, at PR 0 and RLR 0xFFF.
 *
 * Not modelled: the window (WINR is storage), the LSI's spread (the typical figure of the part's datasheet is used),
 * Stop and Standby freezing.
 */
#ifndef SIM_IWDG_H
#define SIM_IWDG_H

#include <stdbool.h>
#include <stdint.h>

#include "sim_bus.h"
#include "sim_chip.h"
#include "sim_parts.h"

#define SIM_IWDG_BASE 0x40003000u /* every simulated family but the H7 (sim_part.iwdg_base) */
#define SIM_IWDG_REGION_SIZE 0x400u

struct sim_iwdg_config {
    uint32_t lsi_hz;
    void *ctx;
    /* Whether the counter stands still now (the core halted and the freeze bit set). */
    bool (*frozen)(void *ctx);
    /* The counter reached 0 at at_ps: the chip resets. */
    void (*expired)(void *ctx, uint64_t at_ps);
    /* Whether the option bytes select the hardware watchdog, which runs from every reset. May be NULL (never). */
    bool (*hardware_mode)(void *ctx);
};

struct sim_iwdg;

/* A stopped watchdog. NULL when out of host memory. */
struct sim_iwdg *sim_iwdg_create(const struct sim_iwdg_config *config);
void sim_iwdg_destroy(struct sim_iwdg *iwdg);
bool sim_iwdg_map(struct sim_iwdg *iwdg, struct sim_bus *bus, uint32_t base); /* base 0: SIM_IWDG_BASE */

/* Every reset restores PR 0 and RLR 0xFFF and stops it, unless the hardware watchdog is selected; advance() counts
 * down (unless frozen) and expires it. The chip must reset the flash (which loads the options) before it. */
struct sim_device sim_iwdg_device(struct sim_iwdg *iwdg);

/* The LSI's typical frequency on a family (datasheets: 40 kHz on F0/F1, 32 kHz on F4/L4/G0). */
uint32_t sim_iwdg_lsi_hz(enum sim_family family);

/* Observation for tests: whether it runs, and the counter's value now. */
bool sim_iwdg_running(const struct sim_iwdg *iwdg);
uint32_t sim_iwdg_counter(const struct sim_iwdg *iwdg);

#endif /* SIM_IWDG_H */
