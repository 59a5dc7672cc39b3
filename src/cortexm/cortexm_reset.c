/*
 * cortexm_reset.c - resetting the chip into a known state: halted before the first instruction (reset vector
 * catch), running its firmware outside debug control, or reached with NRST held low (connect under reset).
 *
 * A reset is seen in DHCSR.S_RESET_ST, which is sticky and clears when DHCSR is read (ARMv7-M C1.6.2): DHCSR is read
 * once before the reset so that the flag says afterwards whether a reset happened since then. Halting debug
 * (DHCSR, DEMCR, FPB, DWT) is only reset at power-on, so C_DEBUGEN, C_HALT and the vector catch survive a system
 * reset, by SYSRESETREQ or by NRST alike.
 */
#include "cortexm/cortexm_internal.h"

#define US_PER_MS 1000u

static bool cortexm_has_nrst(const struct cortexm *core)
{
    return core->pins != NULL && core->pins->set_nrst != NULL;
}

static enum status cortexm_check_method(struct cortexm *core, enum cortexm_reset_method method, const char *what)
{
    if (method == CORTEXM_RESET_NRST && !cortexm_has_nrst(core))
        return status_fail(core->report, STATUS_UNSUPPORTED,
                           "%s by NRST: NRST is not wired to this programmer; reset by SYSRESETREQ instead", what);
    if (method != CORTEXM_RESET_NRST && method != CORTEXM_RESET_SYSRESETREQ)
        return status_fail(core->report, STATUS_INVALID_ARGUMENT, "%s: reset method %d", what, (int)method);
    return STATUS_OK;
}

/* From here on, core->reset_seen says whether the core was reset after this point. */
static enum status cortexm_forget_reset(struct cortexm *core)
{
    uint32_t dhcsr;
    enum status status = cortexm_read_dhcsr(core, &dhcsr);
    core->reset_seen = false;
    return status;
}

/* Releases NRST and, when the port can read the pin back, waits until it is high: a capacitor on NRST (100 nF is
 * common) takes milliseconds to charge, and something else (a supervisor, a button) may still hold it low. */
static enum status cortexm_release_nrst(struct cortexm *core)
{
    const struct hal_target_pins *pins = core->pins;
    const struct hal_system *system = core->system;
    pins->set_nrst(pins->ctx, false);
    if (pins->read_nrst == NULL)
        return STATUS_OK;
    uint64_t start_us = system->now_us(system->ctx);
    while (!pins->read_nrst(pins->ctx)) {
        if (cortexm_elapsed_us(core, start_us) >= AIRSWD_CORTEXM_RESET_TIMEOUT_MS * US_PER_MS)
            return status_fail(core->report, STATUS_TIMEOUT,
                               "NRST still low %u ms after release: something else holds it (a reset supervisor, "
                               "a button, a short)",
                               AIRSWD_CORTEXM_RESET_TIMEOUT_MS);
        if (system->yield(system->ctx))
            return status_fail(core->report, STATUS_CANCELLED, "waiting for NRST to rise");
        system->delay_us(system->ctx, AIRSWD_CORTEXM_POLL_INTERVAL_US);
    }
    return STATUS_OK;
}

/* Resets the chip; what the core does afterwards was set up before (vector catch, C_HALT). */
static enum status cortexm_trigger_reset(struct cortexm *core, enum cortexm_reset_method method)
{
    enum status status = cortexm_forget_reset(core);
    if (status != STATUS_OK)
        return status;
    if (method == CORTEXM_RESET_NRST) {
        core->pins->set_nrst(core->pins->ctx, true);
        core->system->delay_us(core->system->ctx, AIRSWD_CORTEXM_NRST_PULSE_US);
        return cortexm_release_nrst(core);
    }
    /* The chip may reset before it acknowledges the write on the wire, so a failure here proves nothing: whether a
     * reset happened is decided by S_RESET_ST. */
    status = adi_mem_write32(core->ap, CORTEXM_AIRCR, CORTEXM_AIRCR_VECTKEY | CORTEXM_AIRCR_SYSRESETREQ);
    return status == STATUS_CANCELLED ? status : STATUS_OK;
}

/* Waits for S_RESET_ST and, when halt is set, S_HALT; says what did not happen. */
static enum status cortexm_wait_reset(struct cortexm *core, enum cortexm_reset_method method, bool halt)
{
    struct cortexm_wait wait = {
        .what = "reset",
        .mask = halt ? CORTEXM_DHCSR_S_HALT : 0u,
        .value = halt ? CORTEXM_DHCSR_S_HALT : 0u,
        .after_reset = true,
        .timeout_us = AIRSWD_CORTEXM_RESET_TIMEOUT_MS * US_PER_MS,
        .poll_interval_us = AIRSWD_CORTEXM_POLL_INTERVAL_US,
        .through_reset = true,
    };
    uint32_t dhcsr;
    enum status status = cortexm_wait_dhcsr(core, &wait, &dhcsr);
    if (status != STATUS_TIMEOUT)
        return status;
    if (!core->reset_seen && method == CORTEXM_RESET_NRST)
        return status_fail(core->report, STATUS_TIMEOUT,
                           "no reset within %u ms of an NRST pulse (DHCSR 0x%08lX): check that NRST reaches the "
                           "target",
                           AIRSWD_CORTEXM_RESET_TIMEOUT_MS, (unsigned long)dhcsr);
    if (!core->reset_seen)
        return status_fail(core->report, STATUS_TIMEOUT,
                           "no reset within %u ms of SYSRESETREQ (DHCSR 0x%08lX): reset by NRST instead",
                           AIRSWD_CORTEXM_RESET_TIMEOUT_MS, (unsigned long)dhcsr);
    return status_fail(core->report, STATUS_TIMEOUT,
                       "reset, but the core did not halt at its reset vector within %u ms (DHCSR 0x%08lX)",
                       AIRSWD_CORTEXM_RESET_TIMEOUT_MS, (unsigned long)dhcsr);
}

/* Halts the core (without waiting: a locked-up core may only stop at the reset) and arms the reset vector catch;
 * *demcr receives DEMCR as it was. */
static enum status cortexm_arm_reset_catch(struct cortexm *core, uint32_t *demcr)
{
    enum status status = adi_mem_read32(core->ap, CORTEXM_DEMCR, demcr);
    if (status == STATUS_OK)
        status = cortexm_write_dhcsr(core, CORTEXM_DHCSR_C_DEBUGEN | CORTEXM_DHCSR_C_HALT);
    if (status == STATUS_OK)
        status = adi_mem_write32(core->ap, CORTEXM_DEMCR, *demcr | CORTEXM_DEMCR_VC_CORERESET);
    /* A fresh DFSR lets cortexm_halt_reason() tell the vector catch. */
    if (status == STATUS_OK)
        status = adi_mem_write32(core->ap, CORTEXM_DFSR, CORTEXM_DFSR_ALL);
    return status;
}

enum status cortexm_reset_halt(struct cortexm *core, enum cortexm_reset_method method)
{
    enum status status = cortexm_check_method(core, method, "reset and halt");
    if (status == STATUS_OK)
        status = cortexm_routine_forget(core);
    if (status != STATUS_OK)
        return status;

    uint32_t demcr;
    status = cortexm_arm_reset_catch(core, &demcr);
    if (status == STATUS_OK)
        status = cortexm_trigger_reset(core, method);
    if (status == STATUS_OK)
        status = cortexm_wait_reset(core, method, true);
    /* The catch is disarmed whatever happened, so that a later reset by someone else lets the firmware run. */
    enum status restored = adi_mem_write32(core->ap, CORTEXM_DEMCR, demcr);
    return status != STATUS_OK ? status : restored;
}

enum status cortexm_reset_run(struct cortexm *core, enum cortexm_reset_method method)
{
    enum status status = cortexm_check_method(core, method, "reset and run");
    if (status == STATUS_OK)
        status = cortexm_routine_forget(core);
    if (status != STATUS_OK)
        return status;

    uint32_t demcr;
    status = adi_mem_read32(core->ap, CORTEXM_DEMCR, &demcr);
    if (status == STATUS_OK)
        status = adi_mem_write32(core->ap, CORTEXM_DEMCR, demcr & ~CORTEXM_DEMCR_VC_ALL_V7M);
    if (status == STATUS_OK)
        status = cortexm_debug_units_release(core);
    /* C_HALT would survive the reset and stop the core at once. */
    if (status == STATUS_OK)
        status = cortexm_write_dhcsr(core, CORTEXM_DHCSR_C_DEBUGEN);
    if (status == STATUS_OK)
        status = cortexm_trigger_reset(core, method);
    if (status == STATUS_OK)
        status = cortexm_wait_reset(core, method, false);
    /* Outside debug state a BKPT in the firmware is a HardFault, as it is without a debugger. */
    if (status == STATUS_OK)
        status = cortexm_write_dhcsr(core, 0);
    return status;
}

enum status cortexm_attach_under_reset(struct cortexm *core, struct adi_mem_ap *ap, struct adi_dp *dp, struct swd *swd,
                                       const struct hal_system *system, const struct hal_target_pins *pins,
                                       struct status_report *report)
{
    *core = (struct cortexm){.ap = ap, .system = system, .pins = pins, .report = report};
    if (pins == NULL || pins->set_nrst == NULL)
        return status_fail(report, STATUS_UNSUPPORTED,
                           "connect under reset: NRST is not wired to this programmer; wire it, or connect normally");
    pins->set_nrst(pins->ctx, true);
    system->delay_us(system->ctx, AIRSWD_CORTEXM_NRST_PULSE_US);

    /* The debug port and the core's debug registers live outside the reset NRST drives: they answer while the
     * firmware is held, before it can turn off the SWD pins or the clocks. */
    enum status status = adi_dp_attach(dp, swd);
    if (status == STATUS_OK)
        status = adi_mem_ap_find(ap, dp);
    if (status == STATUS_OK)
        status = cortexm_attach(core, ap, system, pins, report);
    /* The first DHCSR read after NRST went low (in cortexm_attach) must show the reset. */
    if (status == STATUS_OK && !core->reset_seen)
        status = status_fail(report, STATUS_TIMEOUT,
                             "NRST held low for %u us but the core reports no reset: check that NRST reaches the "
                             "target",
                             AIRSWD_CORTEXM_NRST_PULSE_US);
    uint32_t demcr = 0;
    if (status == STATUS_OK)
        status = cortexm_arm_reset_catch(core, &demcr);
    if (status != STATUS_OK) {
        pins->set_nrst(pins->ctx, false);
        return status;
    }

    status = cortexm_release_nrst(core);
    if (status == STATUS_OK) {
        /* The core left reset with C_HALT and the catch armed: S_HALT now means it stopped at the reset vector. */
        struct cortexm_wait wait = {
            .what = "reset",
            .mask = CORTEXM_DHCSR_S_HALT,
            .value = CORTEXM_DHCSR_S_HALT,
            .timeout_us = AIRSWD_CORTEXM_RESET_TIMEOUT_MS * US_PER_MS,
            .poll_interval_us = AIRSWD_CORTEXM_POLL_INTERVAL_US,
            .through_reset = true,
        };
        uint32_t dhcsr;
        status = cortexm_wait_dhcsr(core, &wait, &dhcsr);
        if (status == STATUS_TIMEOUT)
            status = status_fail(report, STATUS_TIMEOUT,
                                 "NRST released, but the core did not halt at its reset vector within %u ms "
                                 "(DHCSR 0x%08lX)",
                                 AIRSWD_CORTEXM_RESET_TIMEOUT_MS, (unsigned long)dhcsr);
    }
    /* S_RESET_ST may have been left over from an earlier reset nobody read; the vector catch is the proof that the
     * core came out of a reset, rather than being stopped by C_HALT where it ran. */
    uint32_t dfsr = 0;
    if (status == STATUS_OK)
        status = adi_mem_read32(ap, CORTEXM_DFSR, &dfsr);
    if (status == STATUS_OK && !(dfsr & CORTEXM_DFSR_VCATCH))
        status = status_fail(report, STATUS_TIMEOUT,
                             "NRST pulsed, but the core halted without a reset (DFSR 0x%02lX): check that NRST "
                             "reaches the target",
                             (unsigned long)dfsr);
    enum status restored = adi_mem_write32(ap, CORTEXM_DEMCR, demcr);
    return status != STATUS_OK ? status : restored;
}
