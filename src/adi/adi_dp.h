/*
 * adi_dp.h - the ADIv5 debug port: identification, power-up, SELECT caching, sticky errors and their recovery, and
 * access to AP registers.
 *
 * Every access here survives a noisy wire: a garbled acknowledge, bad read parity or a write the target saw with
 * bad parity (WDATAERR) is recovered (resync, sticky flags read and cleared) and the access repeated, up to
 * AIRSWD_ADI_WIRE_RETRIES times. SWD's single parity bit cannot see an even number of flipped bits in one word;
 * such corruption goes through unnoticed here and is caught by the verify step of a flash job.
 */
#ifndef AIRSWD_ADI_DP_H
#define AIRSWD_ADI_DP_H

#include <stdbool.h>
#include <stdint.h>

#include "adi/adi_regs.h"
#include "swd/swd.h"

/* Recovery work done so far; the fault-injection tests print these. */
struct adi_stats {
    uint32_t recoveries;        /* calls of adi_dp_recover() */
    uint32_t resyncs;           /* line resets after a lost or garbled ACK */
    uint32_t write_data_errors; /* WDATAERR found and cleared */
    uint32_t bus_errors;        /* STICKYERR found and cleared */
    uint32_t resends;           /* read data recovered through RESEND after a parity error */
    uint32_t retries;           /* operations (or parts of a block) repeated */
    uint32_t aborts;            /* DAPABORT after a WAIT timeout */
};

struct adi_dp {
    struct swd *swd;
    uint32_t dpidr;
    uint32_t select;            /* last value written to SELECT */
    bool select_valid;
    struct adi_stats stats;
};

/* Fields of a DPIDR. */
struct adi_dpidr_fields {
    unsigned designer, version, partno, revision;
    bool min_dp;                /* MINDP: no pushed operations, no transaction counter */
};
struct adi_dpidr_fields adi_dpidr_decode(uint32_t dpidr);

/* Connects the wire (swd_connect), reads DPIDR, clears sticky flags and powers up the debug and system domains. */
enum status adi_dp_attach(struct adi_dp *dp, struct swd *swd);

/* Requests debug and system power and waits for both acknowledges. */
enum status adi_dp_power_up(struct adi_dp *dp);

/* DP register access; reg is one of the ADI_DP_* constants (banked registers select their bank first). */
enum status adi_dp_read(struct adi_dp *dp, uint8_t reg, uint32_t *value);
enum status adi_dp_write(struct adi_dp *dp, uint8_t reg, uint32_t value);

/* AP register access, completed (the read waits for its result through RDBUFF; the write is confirmed by a RDBUFF
 * read, which reports a failed write as FAULT). reg is the 8-bit register offset. */
enum status adi_ap_read(struct adi_dp *dp, uint8_t apsel, uint8_t reg, uint32_t *value);
enum status adi_ap_write(struct adi_dp *dp, uint8_t apsel, uint8_t reg, uint32_t value);

/* Selects an AP register bank (writes SELECT only when it differs from the cached value). */
enum status adi_dp_select_ap(struct adi_dp *dp, uint8_t apsel, uint8_t reg);

/* After an access failed with `cause`: puts the wire back in step if the ACK was lost, aborts a stalled AP
 * transaction after a WAIT timeout, reads CTRL/STAT and clears the sticky flags, and restores power if it was lost.
 * Returns STATUS_OK when the failure left no trace on the target, STATUS_WRITE_DATA_ERROR when the target had
 * discarded a write (WDATAERR), STATUS_BUS_ERROR when a memory access had failed (STICKYERR), or the status that
 * prevented recovery. The SELECT cache is invalidated. */
enum status adi_dp_recover(struct adi_dp *dp, enum status cause);

/* Whether an access that failed with this status may be repeated after adi_dp_recover() succeeded. */
bool adi_status_is_retryable(enum status status);

#endif /* AIRSWD_ADI_DP_H */
