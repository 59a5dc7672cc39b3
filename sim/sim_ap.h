/*
 * sim_ap.h - what the debug port sees of an access port: 32-bit registers at byte offsets 0x00-0xFC
 * (APBANKSEL[7:4] and A[3:2] of the request), each access completing at a time the AP reports.
 *
 * The debug port owns the transaction timing (WAIT while an access is pending, posted read data, sticky errors);
 * an AP only performs the access and says when its memory port is done with it.
 */
#ifndef SIM_AP_H
#define SIM_AP_H

#include <stdint.h>

#include "sim_bus.h"

struct sim_ap_ops {
    /* `done_ps` is preset to now_ps; an access that waits on the bus sets it later. SIM_BUS_ERROR becomes
     * STICKYERR at the debug port when the access completes. */
    enum sim_bus_status (*read)(void *ctx, uint8_t offset, uint64_t now_ps, uint32_t *value, uint64_t *done_ps);
    enum sim_bus_status (*write)(void *ctx, uint8_t offset, uint32_t value, uint64_t now_ps, uint64_t *done_ps);
    /* DAPABORT: the debug port abandons the access in progress. May be NULL. */
    void (*abort)(void *ctx);
};

struct sim_ap {
    const struct sim_ap_ops *ops; /* NULL: no AP at this APSEL (IDR reads 0, every register RAZ/WI) */
    void *ctx;
};

#endif /* SIM_AP_H */
