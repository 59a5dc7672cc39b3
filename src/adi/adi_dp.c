/*
 * adi_dp.c - the ADIv5 debug port over SWD.
 */
#include "adi/adi_dp.h"

/* Accesses repeated while recovering CTRL/STAT itself. */
#define ADI_RECOVER_ATTEMPTS 4

struct adi_dpidr_fields adi_dpidr_decode(uint32_t dpidr)
{
    return (struct adi_dpidr_fields){
        .designer = (dpidr >> ADI_DPIDR_DESIGNER_SHIFT) & ADI_DPIDR_DESIGNER_MASK,
        .version = (dpidr >> ADI_DPIDR_VERSION_SHIFT) & ADI_DPIDR_VERSION_MASK,
        .partno = (dpidr >> ADI_DPIDR_PARTNO_SHIFT) & ADI_DPIDR_PARTNO_MASK,
        .revision = dpidr >> ADI_DPIDR_REVISION_SHIFT,
        .min_dp = (dpidr & ADI_DPIDR_MIN) != 0,
    };
}

bool adi_status_is_retryable(enum status status)
{
    switch (status) {
    case STATUS_PARITY_ERROR:
    case STATUS_PROTOCOL_ERROR:
    case STATUS_NO_RESPONSE:
    case STATUS_FAULT:
    case STATUS_WRITE_DATA_ERROR:
    case STATUS_BUS_ERROR:
        return true;
    default:
        return false;
    }
}

static enum status adi_dp_write_select(struct adi_dp *dp, uint32_t select)
{
    if (dp->select_valid && dp->select == select)
        return STATUS_OK;
    enum status status = swd_write(dp->swd, SWD_DP, ADI_DP_REG_ADDR(ADI_DP_SELECT), select);
    dp->select_valid = status == STATUS_OK;
    dp->select = select;
    return status;
}

/* SELECT for a DP register: only address 0x4 is banked, the AP fields are kept. */
static enum status adi_dp_select_bank(struct adi_dp *dp, uint8_t reg)
{
    if (ADI_DP_REG_ADDR(reg) != 0x4)
        return STATUS_OK;
    uint32_t select = dp->select_valid ? dp->select : 0;
    select = (select & ~ADI_SELECT_DPBANKSEL_MASK) | ADI_DP_REG_BANK(reg);
    return adi_dp_write_select(dp, select);
}

enum status adi_dp_select_ap(struct adi_dp *dp, uint8_t apsel, uint8_t reg)
{
    /* DPBANKSEL stays 0 outside of adi_dp_read/write of a banked register, so CTRL/STAT is always reachable. */
    uint32_t select = ((uint32_t)apsel << ADI_SELECT_APSEL_SHIFT) | ((uint32_t)(reg >> 4) << ADI_SELECT_APBANKSEL_SHIFT);
    return adi_dp_write_select(dp, select);
}

static enum status adi_dp_power_up_once(struct adi_dp *dp);

/* Reads CTRL/STAT while the port may be in trouble: bank 0 is assumed (see adi_dp_select_ap). */
static enum status adi_dp_read_ctrl_stat_raw(struct adi_dp *dp, uint32_t *ctrl_stat)
{
    enum status status = STATUS_NO_RESPONSE;
    for (unsigned attempt = 0; attempt < ADI_RECOVER_ATTEMPTS; attempt++) {
        status = swd_read(dp->swd, SWD_DP, ADI_DP_REG_ADDR(ADI_DP_CTRL_STAT), ctrl_stat);
        if (status == STATUS_OK || status == STATUS_CANCELLED || status == STATUS_WAIT_TIMEOUT)
            return status;
        if (status == STATUS_PROTOCOL_ERROR || status == STATUS_NO_RESPONSE) {
            dp->stats.resyncs++;
            enum status resync = swd_resync(dp->swd);
            if (resync != STATUS_OK)
                return resync;
        }
    }
    return status;
}

enum status adi_dp_recover(struct adi_dp *dp, enum status cause)
{
    struct swd *swd = dp->swd;
    dp->stats.recoveries++;
    dp->select_valid = false;

    if (cause == STATUS_PROTOCOL_ERROR || cause == STATUS_NO_RESPONSE) {
        dp->stats.resyncs++;
        enum status status = swd_resync(swd);
        if (status != STATUS_OK)
            return status;
    }
    if (cause == STATUS_WAIT_TIMEOUT) {
        /* The AP is stuck on a bus access that does not complete; DAPABORT frees it. ABORT never gets WAIT. */
        dp->stats.aborts++;
        enum status status = swd_write(swd, SWD_DP, ADI_DP_REG_ADDR(ADI_DP_ABORT), ADI_ABORT_DAPABORT);
        if (status != STATUS_OK)
            return status;
    }

    uint32_t ctrl_stat;
    enum status status = adi_dp_read_ctrl_stat_raw(dp, &ctrl_stat);
    if (status != STATUS_OK)
        return status;

    enum status found = STATUS_OK;
    if (ctrl_stat & ADI_CTRL_STAT_STICKY_FLAGS) {
        if (ctrl_stat & ADI_CTRL_STAT_STICKYERR) {
            dp->stats.bus_errors++;
            found = STATUS_BUS_ERROR;
        } else if (ctrl_stat & ADI_CTRL_STAT_WDATAERR) {
            dp->stats.write_data_errors++;
            found = STATUS_WRITE_DATA_ERROR;
        }
        status = swd_write(swd, SWD_DP, ADI_DP_REG_ADDR(ADI_DP_ABORT), ADI_ABORT_ALL_STICKY);
        if (status != STATUS_OK)
            return status;
    }
    /* A target reset or a CTRL/STAT write corrupted in a way parity cannot see can drop the power requests or
     * set ORUNDETECT (which changes the packet format): put CTRL/STAT back as adi_dp_power_up() leaves it. */
    if ((ctrl_stat & ADI_CTRL_STAT_POWERUP_ACK) != ADI_CTRL_STAT_POWERUP_ACK ||
        (ctrl_stat & ADI_CTRL_STAT_ORUNDETECT)) {
        status = adi_dp_power_up_once(dp);
        if (status != STATUS_OK)
            return status;
    }
    return found;
}

/* One register access: a DP register (bank selected first), or an AP register completed through RDBUFF. */
struct adi_register_access {
    bool ap;
    bool read;
    uint8_t apsel;
    uint8_t reg;
    uint32_t *value;
};

static enum status adi_register_access_once(struct adi_dp *dp, const struct adi_register_access *access)
{
    struct swd *swd = dp->swd;
    uint32_t ignored;
    if (!access->ap) {
        enum status status = adi_dp_select_bank(dp, access->reg);
        uint8_t addr = ADI_DP_REG_ADDR(access->reg);
        if (status == STATUS_OK)
            status = access->read ? swd_read(swd, SWD_DP, addr, access->value)
                                  : swd_write(swd, SWD_DP, addr, *access->value);
        /* Leave DPBANKSEL at 0 so that recovery can always read CTRL/STAT. */
        if (status == STATUS_OK && ADI_DP_REG_BANK(access->reg) != 0)
            status = adi_dp_select_bank(dp, ADI_DP_CTRL_STAT);
        return status;
    }
    uint8_t addr = access->reg & 0xCu;
    enum status status = adi_dp_select_ap(dp, access->apsel, access->reg);
    if (status == STATUS_OK)
        status = access->read ? swd_read(swd, SWD_AP, addr, &ignored) : swd_write(swd, SWD_AP, addr, *access->value);
    /* The AP read is posted: its result, or the fate of the write, comes with RDBUFF. */
    if (status == STATUS_OK)
        status = swd_read(swd, SWD_DP, ADI_DP_REG_ADDR(ADI_DP_RDBUFF), access->read ? access->value : &ignored);
    return status;
}

/* Repeats a register access after wire errors. Every register reached through here can be read or written twice
 * without harm (DP registers, and AP registers other than DRW: DRW streams go through adi_mem_ap instead). A
 * failure is always followed by a recovery, so the next operation starts with the sticky flags clear. */
static enum status adi_register_access(struct adi_dp *dp, const struct adi_register_access *access)
{
    enum status status = adi_register_access_once(dp, access);
    for (unsigned attempt = 0; status != STATUS_OK && adi_status_is_retryable(status); attempt++) {
        enum status found = adi_dp_recover(dp, status);
        if (found != STATUS_OK && !adi_status_is_retryable(found))
            return found;
        if (attempt == AIRSWD_ADI_WIRE_RETRIES)
            return found == STATUS_OK ? status : found;
        dp->stats.retries++;
        status = adi_register_access_once(dp, access);
    }
    return status;
}

enum status adi_dp_read(struct adi_dp *dp, uint8_t reg, uint32_t *value)
{
    struct adi_register_access access = {.read = true, .reg = reg, .value = value};
    return adi_register_access(dp, &access);
}

enum status adi_dp_write(struct adi_dp *dp, uint8_t reg, uint32_t value)
{
    struct adi_register_access access = {.reg = reg, .value = &value};
    return adi_register_access(dp, &access);
}

enum status adi_ap_read(struct adi_dp *dp, uint8_t apsel, uint8_t reg, uint32_t *value)
{
    struct adi_register_access access = {.ap = true, .read = true, .apsel = apsel, .reg = reg, .value = value};
    return adi_register_access(dp, &access);
}

enum status adi_ap_write(struct adi_dp *dp, uint8_t apsel, uint8_t reg, uint32_t value)
{
    struct adi_register_access access = {.ap = true, .apsel = apsel, .reg = reg, .value = &value};
    return adi_register_access(dp, &access);
}

/* Power-up with plain wire accesses (no recovery inside, so that adi_dp_recover() can use it). DPBANKSEL is 0. */
static enum status adi_dp_power_up_once(struct adi_dp *dp)
{
    struct swd *swd = dp->swd;
    enum status status = swd_write(swd, SWD_DP, ADI_DP_REG_ADDR(ADI_DP_CTRL_STAT), ADI_CTRL_STAT_POWERUP_REQ);
    if (status != STATUS_OK)
        return status;

    uint64_t start_us = swd->system->now_us(swd->system->ctx);
    for (;;) {
        uint32_t ctrl_stat;
        status = adi_dp_read_ctrl_stat_raw(dp, &ctrl_stat);
        if (status != STATUS_OK)
            return status;
        if ((ctrl_stat & ADI_CTRL_STAT_POWERUP_ACK) == ADI_CTRL_STAT_POWERUP_ACK)
            return STATUS_OK;
        uint64_t elapsed_ms = (swd->system->now_us(swd->system->ctx) - start_us) / 1000u;
        if (elapsed_ms >= AIRSWD_ADI_POWERUP_TIMEOUT_MS)
            return status_fail(swd->report, STATUS_POWERUP_TIMEOUT,
                               "CTRL/STAT 0x%08lX after %u ms: CDBGPWRUPACK=%u CSYSPWRUPACK=%u",
                               (unsigned long)ctrl_stat, AIRSWD_ADI_POWERUP_TIMEOUT_MS,
                               (ctrl_stat & ADI_CTRL_STAT_CDBGPWRUPACK) ? 1u : 0u,
                               (ctrl_stat & ADI_CTRL_STAT_CSYSPWRUPACK) ? 1u : 0u);
        if (swd->system->yield(swd->system->ctx))
            return status_fail(swd->report, STATUS_CANCELLED, "waiting for debug power-up");
    }
}

enum status adi_dp_power_up(struct adi_dp *dp)
{
    enum status status = adi_dp_power_up_once(dp);
    for (unsigned attempt = 0; attempt < AIRSWD_ADI_WIRE_RETRIES && adi_status_is_retryable(status); attempt++) {
        enum status found = adi_dp_recover(dp, status);
        if (found != STATUS_OK && !adi_status_is_retryable(found))
            return found;
        dp->stats.retries++;
        status = adi_dp_power_up_once(dp);
    }
    return status;
}

enum status adi_dp_attach(struct adi_dp *dp, struct swd *swd)
{
    *dp = (struct adi_dp){.swd = swd};
    enum status status = swd_connect(swd, &dp->dpidr);
    if (status != STATUS_OK)
        return status;
    /* Flags left over from an earlier session would make every access FAULT. */
    status = swd_write(swd, SWD_DP, ADI_DP_REG_ADDR(ADI_DP_ABORT), ADI_ABORT_ALL_STICKY);
    if (status == STATUS_OK)
        status = adi_dp_write_select(dp, 0);
    if (status == STATUS_OK)
        status = adi_dp_power_up(dp);
    return status;
}
