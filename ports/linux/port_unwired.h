/*
 * port_unwired.h - SWD pins with nothing attached: SWDIO floats high, so every read returns 1. The error paths of a
 * missing or unpowered target are tested with it.
 */
#ifndef AIRSWD_PORT_UNWIRED_H
#define AIRSWD_PORT_UNWIRED_H

#include <stdint.h>

#include "hal.h"

struct port_unwired {
    uint64_t cycles;   /* SWCLK cycles clocked into nothing */
    struct hal_swd swd;
};

void port_unwired_init(struct port_unwired *port);

#endif /* AIRSWD_PORT_UNWIRED_H */
