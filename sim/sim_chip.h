/*
 * sim_chip.h - what the models of one simulated chip share: resets, interrupt lines, and devices that live in time.
 *
 * The chip (sim_stm32.c) owns one timeline. The wire side advances it (every SWCLK or TCK cycle is 1/f); the CPU
 * and the devices are brought up to the wire's time lazily, before anything observes them, in slices. A device
 * never runs ahead of the time it is given; it reports when it next needs attention, so that a sleeping CPU can
 * skip to that moment.
 */
#ifndef SIM_CHIP_H
#define SIM_CHIP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum sim_reset_kind {
    SIM_RESET_POWER_ON, /* everything, the debug domain included */
    SIM_RESET_SYSTEM,   /* NRST, SYSRESETREQ, a watchdog: core and peripherals, not the debug domain; the option
                           bytes are reloaded only where the family does so (F0/F1/F4, not L4/G0) */
    SIM_RESET_OPTION_LOAD, /* OBL_LAUNCH: a system reset that loads the option bytes on every family */
};

/* An interrupt request into the NVIC. Level-sensitive: a peripheral holds it high while its condition lasts. */
struct sim_irq_line {
    void (*set)(void *ctx, unsigned irq, bool level);
    void *ctx;
    unsigned irq;
};

static inline void sim_irq_line_set(const struct sim_irq_line *line, bool level)
{
    if (line->set != NULL)
        line->set(line->ctx, line->irq, level);
}

#define SIM_NEVER UINT64_MAX

/* A model that reacts to resets and to the passing of time (a USART shifting bits out, a watchdog counting). */
struct sim_device_ops {
    void (*reset)(void *ctx, enum sim_reset_kind kind, uint64_t now_ps);
    /* Time has reached now_ps: complete what was due by then (emit bytes, raise interrupt lines). May be NULL. */
    void (*advance)(void *ctx, uint64_t now_ps);
    /* The earliest time at which advance() has something to do, or SIM_NEVER. May be NULL (never). */
    uint64_t (*next_event_ps)(void *ctx);
};

struct sim_device {
    const struct sim_device_ops *ops;
    void *ctx;
    const char *name;
};

#endif /* SIM_CHIP_H */
