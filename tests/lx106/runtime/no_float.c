/*
 * no_float.c - the soft-float helpers that newlib's printf links for %f, %e and %g. On the chip the ESP8266's ROM
 * provides them; the core formats no floating-point number, so under QEMU each one stops the test program loudly
 * instead of being implemented: a test that reaches one fails with the name of the helper.
 */
#include <stdio.h>
#include <stdlib.h>

#define NO_FLOAT(name)                                                                                               \
    void name(void);                                                                                                 \
    void name(void)                                                                                                  \
    {                                                                                                                \
        fputs("lx106: " #name " called: floating point is not available under QEMU (the ESP8266 ROM has it)\n",      \
              stderr);                                                                                               \
        abort();                                                                                                     \
    }

NO_FLOAT(__adddf3)
NO_FLOAT(__subdf3)
NO_FLOAT(__muldf3)
NO_FLOAT(__divdf3)
NO_FLOAT(__fixdfsi)
NO_FLOAT(__fixunsdfsi)
NO_FLOAT(__truncdfsf2)
NO_FLOAT(__floatsidf)
NO_FLOAT(__floatunsidf)
