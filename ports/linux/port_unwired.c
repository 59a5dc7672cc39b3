/*
 * port_unwired.c - SWD pins with nothing attached.
 */
#include "port_unwired.h"

static void port_unwired_set_swdio_output(void *ctx, bool drive)
{
    (void)ctx;
    (void)drive;
}

static void port_unwired_write_bit(void *ctx, bool bit)
{
    struct port_unwired *port = ctx;
    (void)bit;
    port->cycles++;
}

static bool port_unwired_read_bit(void *ctx)
{
    struct port_unwired *port = ctx;
    port->cycles++;
    return true; /* the pull-up */
}

void port_unwired_init(struct port_unwired *port)
{
    *port = (struct port_unwired){0};
    port->swd = (struct hal_swd){
        .ctx = port,
        .set_swdio_output = port_unwired_set_swdio_output,
        .write_bit = port_unwired_write_bit,
        .read_bit = port_unwired_read_bit,
    };
}
