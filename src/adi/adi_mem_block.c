/*
 * adi_mem_block.c - block transfers through DRW: auto-increment with TAR rewritten at every 1 KB boundary,
 * pipelined posted reads, and resumption after wire errors.
 */
#include "adi/adi_mem_ap.h"

/* RESEND attempts after a read whose data failed parity. */
#define ADI_RESEND_ATTEMPTS 3

/* Progress of one block transfer, in bytes from its start. */
struct adi_block {
    uint32_t addr;
    size_t len;
    unsigned width;
    size_t done;              /* units below this are complete: written and accepted, or read and stored */
    size_t issued;            /* reads: units whose DRW read was issued (one result is in flight while > done) */
    bool last_write_was_data; /* writes: the last packet accepted was a DRW write (not a TAR or CSW write) */
    size_t progress_mark;     /* furthest `done` reached when the last failure happened */
    unsigned failures;        /* failures since progress_mark */
};

static uint32_t adi_csw_size(unsigned width)
{
    return width == 1 ? ADI_CSW_SIZE_8 : width == 2 ? ADI_CSW_SIZE_16 : ADI_CSW_SIZE_32;
}

/* Sub-word units travel on the byte lanes of their address (C2.2.6): bits 8*(addr%4) and up. */
static unsigned adi_lane_shift(uint32_t addr, unsigned width)
{
    return width == 4 ? 0 : 8u * (addr & 3u);
}

static uint32_t adi_unit_load(const uint8_t *bytes, unsigned width)
{
    uint32_t value = 0;
    for (unsigned i = 0; i < width; i++)
        value |= (uint32_t)bytes[i] << (8 * i);
    return value;
}

static void adi_unit_store(uint8_t *bytes, uint32_t value, unsigned width)
{
    for (unsigned i = 0; i < width; i++)
        bytes[i] = (uint8_t)(value >> (8 * i));
}

static enum status adi_mem_check(const struct adi_mem_ap *ap, uint32_t addr, size_t len, unsigned width,
                                 const char *what)
{
    struct status_report *report = ap->dp->swd->report;
    if (width != 1 && width != 2 && width != 4)
        return status_fail(report, STATUS_INVALID_ARGUMENT, "%s 0x%08lX: access width %u", what,
                           (unsigned long)addr, width);
    if (width < 4 && !ap->sub_word)
        return status_fail(report, STATUS_UNSUPPORTED, "%s 0x%08lX: %u-bit accesses (this MEM-AP is 32-bit only)",
                           what, (unsigned long)addr, 8 * width);
    if ((addr | len) % width != 0)
        return status_fail(report, STATUS_ALIGNMENT, "%s %lu bytes at 0x%08lX in %u-bit units", what,
                           (unsigned long)len, (unsigned long)addr, 8 * width);
    return STATUS_OK;
}

static uint32_t adi_mem_csw_for(const struct adi_mem_ap *ap, unsigned width)
{
    return ap->csw_base | ADI_CSW_ADDRINC_SINGLE | adi_csw_size(width);
}

/* Whether the next DRW access goes to addr with the right size without writing CSW or TAR first. */
static bool adi_mem_is_pointed_at(const struct adi_mem_ap *ap, uint32_t addr, unsigned width)
{
    return ap->csw_valid && ap->csw == adi_mem_csw_for(ap, width) && ap->tar_valid && ap->tar == addr;
}

/* Points CSW and TAR at a stream of width-sized units from addr, writing only what changed. Called at the start
 * of a stream and at every 1 KB boundary, so it is also where long transfers yield and honour cancellation. */
static enum status adi_mem_point_at(struct adi_mem_ap *ap, uint32_t addr, unsigned width)
{
    struct swd *swd = ap->dp->swd;
    if (swd->system->yield(swd->system->ctx))
        return status_fail(swd->report, STATUS_CANCELLED, "memory transfer at 0x%08lX", (unsigned long)addr);

    enum status status = adi_dp_select_ap(ap->dp, ap->apsel, ADI_AP_CSW);
    uint32_t csw = adi_mem_csw_for(ap, width);
    if (status == STATUS_OK && !(ap->csw_valid && ap->csw == csw)) {
        status = swd_write(swd, SWD_AP, ADI_AP_CSW, csw);
        ap->csw = csw;
        ap->csw_valid = status == STATUS_OK;
    }
    if (status == STATUS_OK && !(ap->tar_valid && ap->tar == addr)) {
        status = swd_write(swd, SWD_AP, ADI_AP_TAR, addr);
        ap->tar = addr;
        ap->tar_valid = status == STATUS_OK;
    }
    return status;
}

/* TAR after an access at addr: auto-increment is only guaranteed inside the 1 KB block, so at its end TAR is no
 * longer trusted and the next access rewrites it. */
static void adi_mem_advance_tar(struct adi_mem_ap *ap, uint32_t addr, unsigned width)
{
    ap->tar = addr + width;
    ap->tar_valid = ap->tar % ADI_TAR_AUTOINC_BLOCK != 0;
}

static enum status adi_mem_write_stream(struct adi_mem_ap *ap, struct adi_block *block, const uint8_t *data)
{
    struct swd *swd = ap->dp->swd;
    while (block->done < block->len) {
        uint32_t addr = block->addr + (uint32_t)block->done;
        if (!adi_mem_is_pointed_at(ap, addr, block->width)) {
            enum status status = adi_mem_point_at(ap, addr, block->width);
            if (status != STATUS_OK)
                return status;
            block->last_write_was_data = false;
        }
        uint32_t value = adi_unit_load(data + block->done, block->width) << adi_lane_shift(addr, block->width);
        enum status status = swd_write(swd, SWD_AP, ADI_AP_DRW, value);
        if (status != STATUS_OK)
            return status;
        adi_mem_advance_tar(ap, addr, block->width);
        block->done += block->width;
        block->last_write_was_data = true;
    }
    /* RDBUFF waits for the last write to complete and answers FAULT if it failed; its data means nothing. */
    uint32_t ignored;
    enum status status = swd_read(swd, SWD_DP, ADI_DP_REG_ADDR(ADI_DP_RDBUFF), &ignored);
    return status == STATUS_PARITY_ERROR ? STATUS_OK : status;
}

/* Fetches the data of the last read again after its parity failed, without repeating the AP access. */
static enum status adi_mem_resend(struct adi_mem_ap *ap, uint32_t *value)
{
    enum status status = STATUS_PARITY_ERROR;
    for (unsigned attempt = 0; attempt < ADI_RESEND_ATTEMPTS && status == STATUS_PARITY_ERROR; attempt++) {
        ap->dp->stats.resends++;
        status = swd_read(ap->dp->swd, SWD_DP, ADI_DP_REG_ADDR(ADI_DP_RESEND), value);
    }
    return status;
}

static enum status adi_mem_read_stream(struct adi_mem_ap *ap, struct adi_block *block, uint8_t *data)
{
    struct swd *swd = ap->dp->swd;
    block->issued = block->done;
    while (block->done < block->len) {
        /* AP reads are posted: what comes back is the result of the previous read, if one is in flight. */
        bool result_due = block->issued > block->done;
        uint32_t value = 0;
        enum status status;
        if (block->issued < block->len) {
            uint32_t addr = block->addr + (uint32_t)block->issued;
            if (!adi_mem_is_pointed_at(ap, addr, block->width)) {
                status = adi_mem_point_at(ap, addr, block->width);
                if (status != STATUS_OK)
                    return status;
            }
            status = swd_read(swd, SWD_AP, ADI_AP_DRW, &value);
            /* A parity error spoils the data returned, not the read the target has started. */
            if (status == STATUS_OK || status == STATUS_PARITY_ERROR) {
                adi_mem_advance_tar(ap, addr, block->width);
                block->issued += block->width;
            }
        } else {
            status = swd_read(swd, SWD_DP, ADI_DP_REG_ADDR(ADI_DP_RDBUFF), &value);
        }
        if (!result_due) {
            if (status == STATUS_OK || status == STATUS_PARITY_ERROR)
                continue;
            return status;
        }
        if (status == STATUS_PARITY_ERROR)
            status = adi_mem_resend(ap, &value);
        if (status != STATUS_OK)
            return status;
        uint32_t done_addr = block->addr + (uint32_t)block->done;
        adi_unit_store(data + block->done, value >> adi_lane_shift(done_addr, block->width), block->width);
        block->done += block->width;
    }
    return STATUS_OK;
}

/* The unit whose bus transaction the target worked on last: the last write it accepted, or the last read issued.
 * A WAIT, a bus error or a discarded write concerns this unit. */
static size_t adi_block_last_transaction(const struct adi_block *block, bool writing)
{
    if (writing)
        return block->last_write_was_data ? block->done - block->width : block->done;
    return block->issued > block->done ? block->issued - block->width : block->done;
}

/* After a stream failed with `cause`: recovers the debug port and decides where the stream resumes. Returns
 * STATUS_OK to resume, or the final status of the transfer. */
static enum status adi_mem_resume(struct adi_mem_ap *ap, struct adi_block *block, enum status cause, bool writing)
{
    const char *what = writing ? "writing" : "reading";
    struct swd *swd = ap->dp->swd;
    uint32_t last_addr = block->addr + (uint32_t)adi_block_last_transaction(block, writing);
    ap->tar_valid = false;
    ap->csw_valid = false;

    if (cause == STATUS_WAIT_TIMEOUT) {
        (void)adi_dp_recover(ap->dp, cause); /* DAPABORT, so that the port is usable again */
        return status_fail(swd->report, cause, "%s 0x%08lX: WAIT for %lu ms", what, (unsigned long)last_addr,
                           (unsigned long)swd->wait_timeout_ms);
    }
    if (!adi_status_is_retryable(cause))
        return cause;
    enum status found = adi_dp_recover(ap->dp, cause);
    if (found != STATUS_OK && !adi_status_is_retryable(found))
        return found;

    /* A write the target discarded (WDATAERR) or could not complete (STICKYERR) is done again. A read always
     * resumes at the first unit not stored. */
    if (writing && (found == STATUS_WRITE_DATA_ERROR || found == STATUS_BUS_ERROR))
        block->done = adi_block_last_transaction(block, writing);

    if (block->done > block->progress_mark) {
        block->progress_mark = block->done;
        block->failures = 0;
    }
    if (++block->failures > AIRSWD_ADI_WIRE_RETRIES) {
        enum status final = found != STATUS_OK ? found : cause;
        return status_fail(swd->report, final, "%s 0x%08lX (%u-bit), %u attempts", what, (unsigned long)last_addr,
                           8 * block->width, block->failures);
    }
    ap->dp->stats.retries++;
    return STATUS_OK;
}

enum status adi_mem_write(struct adi_mem_ap *ap, uint32_t addr, const uint8_t *data, size_t len, unsigned width)
{
    enum status status = adi_mem_check(ap, addr, len, width, "writing");
    struct adi_block block = {.addr = addr, .len = len, .width = width};
    while (status == STATUS_OK) {
        status = adi_mem_write_stream(ap, &block, data);
        if (status == STATUS_OK)
            return STATUS_OK;
        status = adi_mem_resume(ap, &block, status, true);
    }
    return status;
}

enum status adi_mem_read(struct adi_mem_ap *ap, uint32_t addr, uint8_t *data, size_t len, unsigned width)
{
    enum status status = adi_mem_check(ap, addr, len, width, "reading");
    struct adi_block block = {.addr = addr, .len = len, .width = width};
    while (status == STATUS_OK) {
        status = adi_mem_read_stream(ap, &block, data);
        if (status == STATUS_OK)
            return STATUS_OK;
        status = adi_mem_resume(ap, &block, status, false);
    }
    return status;
}
