/*
 * sim_target.c - assembles the simulated debug port (SWJ/SW-DP front end, DP, AHB-AP and bus, an APB-AP and its
 * debug bus where the part has one) on one timeline and draws the pins into the trace.
 *
 * Trace waveform of one SWCLK cycle of period T starting at t: the host's bit is on SWDIO from t (the target's
 * previous bit if it still drives), SWCLK rises at t+T/4, the target's new bit appears at t+T/2, SWCLK falls at
 * t+3T/4. The probe sits at the host: host bits appear as driven, target bits as the host receives them.
 */
#include "sim_target.h"

#include <stdlib.h>

#include "sim_clock.h"
#include "sim_dap.h"
#include "sim_fault_injector.h"
#include "sim_jtag.h"
#include "sim_mem_ap.h"
#include "sim_swdp.h"
#include "sim_vcd.h"

#define PS_PER_NS 1000u

struct sim_target {
    struct sim_target_config config;
    struct sim_bus bus;
    struct sim_clock clock;
    struct sim_fault_injector faults;
    struct sim_mem_ap mem_ap;
    struct sim_bus apb_bus;    /* behind apb_ap, when config.apb_apsel is not 0 */
    struct sim_mem_ap apb_ap;
    struct sim_dap dap;
    struct sim_swdp swdp;
    struct sim_jtag jtag; /* clocked only while the SWJ-DP is in JTAG mode and the part has a JTAG port */
    struct sim_vcd *vcd;
    bool host_drives; /* during the last cycle */
    bool host_bit;
    bool nrst_asserted;
    struct sim_target_hooks hooks;
};

void sim_target_default_config(struct sim_target_config *config)
{
    *config = (struct sim_target_config){
        .dpidr = 0x1BA01477,
        .targetid = 0,
        .dormant_capable = false,
        .power_on_mode = SIM_SWJ_JTAG,
        .ap_idr = 0x24770011,
        .ap_base = 0xE00FF003,
        .ap_csw_reset = 0x03000040,
        .ap_sub_word = true,
        .swclk_hz = 4000000,
        .powerup_delay_ns = 2000,
        .jtag_idcode = 0x3BA00477,
        .jtag_bs_idcode = 0x06410041,
    };
}

static bool config_valid(const struct sim_target_config *config)
{
    if (config == NULL || config->swclk_hz == 0)
        return false;
    switch (config->power_on_mode) {
    case SIM_SWJ_JTAG:
    case SIM_SWJ_SWD: return true;
    case SIM_SWJ_DORMANT: return config->dormant_capable;
    }
    return false;
}

struct sim_target *sim_target_create(const struct sim_target_config *config)
{
    if (!config_valid(config))
        return NULL;
    struct sim_target *target = calloc(1, sizeof(*target));
    if (target == NULL)
        return NULL;
    target->config = *config;
    sim_bus_init(&target->bus);
    sim_clock_init(&target->clock, config->swclk_hz);
    sim_fault_injector_init(&target->faults);

    struct sim_mem_ap_config ap_config = {.idr = config->ap_idr,
                                          .base = config->ap_base,
                                          .csw_reset = config->ap_csw_reset,
                                          .sub_word = config->ap_sub_word,
                                          .autoinc_block = config->ap_autoinc_block};
    sim_mem_ap_init(&target->mem_ap, &ap_config, &target->bus);

    struct sim_dap_config dap_config = {.dpidr = config->dpidr,
                                        .targetid = config->targetid,
                                        .powerup_delay_ps = (uint64_t)config->powerup_delay_ns * PS_PER_NS};
    sim_dap_init(&target->dap, &dap_config, &target->faults);
    sim_dap_attach_ap(&target->dap, 0, &sim_mem_ap_ops, &target->mem_ap);
    if (config->apb_apsel != 0) {
        /* The CoreSight SoC-400 APB-AP: 32-bit transfers only, DbgSwEnable (set at reset) its one CSW bit above 23 */
        struct sim_mem_ap_config apb_config = {.idr = config->apb_ap_idr,
                                               .base = config->apb_ap_base,
                                               .csw_reset = SIM_MEM_AP_CSW_DBGSWENABLE | SIM_MEM_AP_CSW_SIZE_32,
                                               .sub_word = false,
                                               .csw_prot_mask = SIM_MEM_AP_CSW_DBGSWENABLE};
        sim_bus_init(&target->apb_bus);
        sim_mem_ap_init(&target->apb_ap, &apb_config, &target->apb_bus);
        sim_dap_attach_ap(&target->dap, config->apb_apsel, &sim_mem_ap_ops, &target->apb_ap);
    }

    sim_swdp_init(&target->swdp, config->power_on_mode, config->dormant_capable, &target->dap, &target->faults);
    sim_jtag_init(&target->jtag, &target->dap, config->jtag_idcode, config->jtag_bs_idcode);
    return target;
}

static uint64_t ps_to_ns(uint64_t ps)
{
    return (ps + PS_PER_NS / 2) / PS_PER_NS;
}

void sim_target_destroy(struct sim_target *target)
{
    if (target == NULL)
        return;
    sim_target_trace_stop(target);
    free(target);
}

struct sim_bus *sim_target_bus(struct sim_target *target)
{
    return &target->bus;
}

struct sim_bus *sim_target_apb_bus(struct sim_target *target)
{
    return target->config.apb_apsel != 0 ? &target->apb_bus : NULL;
}

/* The level on SWDIO: the target wins a contention (its driver is the stronger one in our model). */
static bool line_level(bool host_drives, bool host_bit, bool target_drives, bool target_bit)
{
    if (target_drives)
        return target_bit;
    return host_drives ? host_bit : true;
}

static void trace_cycle(struct sim_target *target, uint64_t start_ps, uint64_t end_ps, bool host_drives, bool host_bit,
                        bool target_drove, bool target_bit_before)
{
    uint64_t period = end_ps - start_ps;
    const struct sim_swdp *swdp = &target->swdp;
    sim_vcd_set(target->vcd, ps_to_ns(start_ps), SIM_VCD_SWDIO,
                line_level(host_drives, host_bit, target_drove, target_bit_before));
    sim_vcd_set(target->vcd, ps_to_ns(start_ps + period / 4), SIM_VCD_SWCLK, true);
    sim_vcd_set(target->vcd, ps_to_ns(start_ps + period / 2), SIM_VCD_SWDIO,
                line_level(host_drives, host_bit, swdp->drive, swdp->out));
    sim_vcd_set(target->vcd, ps_to_ns(start_ps + period * 3 / 4), SIM_VCD_SWCLK, false);
}

void sim_target_swd_cycle(struct sim_target *target, bool host_drives, bool host_bit)
{
    enum sim_swj_mode mode_before = target->swdp.swj.mode;
    uint64_t start_ps = sim_clock_now_ps(&target->clock);
    bool target_drove = target->swdp.drive;
    bool target_bit_before = target->swdp.out;
    sim_clock_tick(&target->clock);
    uint64_t end_ps = sim_clock_now_ps(&target->clock);
    sim_swdp_clock(&target->swdp, host_drives, host_bit, end_ps);
    target->host_drives = host_drives;
    target->host_bit = host_bit;
    if (target->vcd != NULL)
        trace_cycle(target, start_ps, end_ps, host_drives, host_bit, target_drove, target_bit_before);
    /* The TAPs see no clock outside JTAG mode: they come back in Test-Logic-Reset. */
    if (mode_before != SIM_SWJ_JTAG && target->swdp.swj.mode == SIM_SWJ_JTAG)
        sim_jtag_reset(&target->jtag);
}

static bool has_jtag_port(const struct sim_target *target)
{
    return target->config.jtag_idcode != 0;
}

bool sim_target_jtag_cycle(struct sim_target *target, bool tms, bool tdi)
{
    bool clock_taps =
        has_jtag_port(target) && sim_target_swj_mode(target) == SIM_SWJ_JTAG && !target->swdp.disabled;
    sim_target_swd_cycle(target, true, tms);
    if (!clock_taps)
        return true;
    return sim_jtag_clock(&target->jtag, tms, tdi, sim_target_now_ps(target));
}

void sim_target_set_debug_port_enabled(struct sim_target *target, bool enabled)
{
    target->swdp.disabled = !enabled;
}

bool sim_target_jtag_tdo(const struct sim_target *target)
{
    if (!has_jtag_port(target) || sim_target_swj_mode(target) != SIM_SWJ_JTAG || target->swdp.disabled)
        return true;
    return target->jtag.tdo;
}

void sim_target_jtag_trst(struct sim_target *target)
{
    sim_jtag_reset(&target->jtag);
}

bool sim_target_swdio(const struct sim_target *target)
{
    return line_level(target->host_drives, target->host_bit, target->swdp.drive, target->swdp.out);
}

enum sim_swj_mode sim_target_swj_mode(const struct sim_target *target)
{
    return target->swdp.swj.mode;
}

void sim_target_set_hooks(struct sim_target *target, const struct sim_target_hooks *hooks)
{
    target->hooks = *hooks;
    sim_mem_ap_set_sync(&target->mem_ap, hooks->sync, hooks->ctx);
    sim_mem_ap_set_sync(&target->apb_ap, hooks->sync, hooks->ctx);
}

void sim_target_set_nrst(struct sim_target *target, bool asserted)
{
    bool changed = target->nrst_asserted != asserted;
    target->nrst_asserted = asserted;
    if (target->vcd != NULL)
        sim_vcd_set(target->vcd, ps_to_ns(sim_target_now_ps(target)), SIM_VCD_NRST, !asserted);
    if (changed && target->hooks.nrst != NULL)
        target->hooks.nrst(target->hooks.ctx, asserted, sim_target_now_ps(target));
}

uint64_t sim_target_now_ps(const struct sim_target *target)
{
    return sim_clock_now_ps(&target->clock);
}

uint64_t sim_target_swclk_cycles(const struct sim_target *target)
{
    return target->clock.total_cycles;
}

void sim_target_idle(struct sim_target *target, uint64_t ps)
{
    sim_clock_advance_ps(&target->clock, ps);
    if (target->hooks.sync != NULL)
        target->hooks.sync(target->hooks.ctx, sim_target_now_ps(target));
}

void sim_target_set_swclk_hz(struct sim_target *target, uint32_t hz)
{
    sim_clock_set_hz(&target->clock, hz);
}

uint32_t sim_target_swclk_hz(const struct sim_target *target)
{
    return target->clock.hz;
}

bool sim_target_trace_vcd(struct sim_target *target, const char *path)
{
    sim_target_trace_stop(target);
    bool initial[SIM_VCD_SIGNAL_COUNT] = {
        [SIM_VCD_SWCLK] = false,
        [SIM_VCD_SWDIO] = sim_target_swdio(target),
        [SIM_VCD_NRST] = !target->nrst_asserted,
    };
    target->vcd = sim_vcd_open(path, ps_to_ns(sim_target_now_ps(target)), initial);
    return target->vcd != NULL;
}

void sim_target_trace_stop(struct sim_target *target)
{
    sim_vcd_close(target->vcd, ps_to_ns(sim_target_now_ps(target)));
    target->vcd = NULL;
}

void sim_target_set_faults(struct sim_target *target, const struct sim_fault_config *config)
{
    sim_fault_injector_configure(&target->faults, config);
}

const struct sim_fault_stats *sim_target_fault_stats(const struct sim_target *target)
{
    return &target->faults.stats;
}

const struct sim_wire_stats *sim_target_wire_stats(const struct sim_target *target)
{
    return &target->swdp.stats;
}
