/*
 * cortexm_internal.h - what the files of src/cortexm share: DHCSR access that remembers its sticky reset flag, and
 * the one bounded wait on DHCSR that halting, stepping, resetting and routines are built on. Not part of the API.
 */
#ifndef AIRSWD_CORTEXM_INTERNAL_H
#define AIRSWD_CORTEXM_INTERNAL_H

#include "cortexm/cortexm.h"
#include "cortexm/cortexm_regs.h"

/* Reads DHCSR; a set S_RESET_ST (cleared by this very read) is kept in core->reset_seen. */
enum status cortexm_read_dhcsr(struct cortexm *core, uint32_t *dhcsr);

/* Writes DHCSR with the key; control is a combination of the C_* bits. */
enum status cortexm_write_dhcsr(struct cortexm *core, uint32_t control);

/* What ends a wait on DHCSR. */
struct cortexm_wait {
    const char *what;     /* "halt", "reset": names the wait in a cancellation detail */
    uint32_t mask, value; /* the wait ends when (DHCSR & mask) == value... */
    bool after_reset;     /* ...and, when set, core->reset_seen is too */
    uint32_t timeout_us;
    uint32_t poll_interval_us; /* delay between two reads; 0 reads back to back */
    bool through_reset;        /* a read that fails (the chip is resetting) is retried until the time is up */
    bool cleanup;              /* yield is called but cancellation ignored: the wait puts the core in a safe state */
};

/* Reads DHCSR until the wait's condition holds; *dhcsr is the last value read. Returns STATUS_OK; STATUS_TIMEOUT
 * with the report left for the caller to fill (it knows what did not happen); STATUS_CANCELLED (reported); or the
 * status of a failed read. */
enum status cortexm_wait_dhcsr(struct cortexm *core, const struct cortexm_wait *wait, uint32_t *dhcsr);

/* Microseconds since start_us on the port's clock. */
uint64_t cortexm_elapsed_us(const struct cortexm *core, uint64_t start_us);

/* Reads the breakpoint and watchpoint units' sizes into core and disables every comparator (cortexm_breakpoints.c). */
enum status cortexm_debug_units_attach(struct cortexm *core);

/* Disables the FPB and every DWT comparator, for a core handed back to its firmware (cortexm_breakpoints.c). */
enum status cortexm_debug_units_release(struct cortexm *core);

/* Puts DEMCR back as it was before the running routine, and forgets the routine (cortexm_routine.c). Used by a reset,
 * which abandons a routine. */
enum status cortexm_routine_forget(struct cortexm *core);

#endif /* AIRSWD_CORTEXM_INTERNAL_H */
