/*
 * image_writer.c - whole program units out of pieces in file order.
 */
#include "image/image_writer.h"

#include <string.h>

enum status image_writer_init(struct image_writer *writer, const struct image_plan *plan,
                              const struct image_writer_output *output, struct status_report *report)
{
    memset(writer, 0, sizeof *writer);
    writer->plan = plan;
    writer->report = report;
    writer->rehearsal = output == NULL;
    if (output != NULL)
        writer->output = *output;
    if (!plan->finished)
        return writer->failure = status_fail(report, STATUS_INVALID_ARGUMENT, "image plan not finished");
    if (output != NULL && output->program == NULL)
        return writer->failure = status_fail(report, STATUS_INVALID_ARGUMENT, "writer output without program");
    return STATUS_OK;
}

static enum status writer_fail(struct image_writer *writer, enum status status)
{
    writer->failure = status;
    return status;
}

static enum status writer_changed(struct image_writer *writer, uint32_t address, uint32_t file_offset, const char *what)
{
    return writer_fail(writer, status_fail(writer->report, STATUS_IMAGE_CHANGED, "0x%08lX (offset 0x%lX): %s",
                                           (unsigned long)address, (unsigned long)file_offset, what));
}

/* Hands out count units from address. */
static enum status writer_program(struct image_writer *writer, uint32_t address, const uint8_t *bytes, uint32_t count)
{
    uint32_t unit = writer->plan->target->program_unit;
    writer->units_done += count;
    if (writer->rehearsal)
        return STATUS_OK;
    enum status status = writer->output.program(writer->output.ctx, address, bytes, count * unit);
    return status == STATUS_OK ? STATUS_OK : writer_fail(writer, status);
}

static struct image_writer_pending *writer_pending_at(struct image_writer *writer, uint32_t unit_address)
{
    for (unsigned i = 0; i < AIRSWD_IMAGE_PENDING_UNITS; i++) {
        if (writer->pending[i].used && writer->pending[i].address == unit_address)
            return &writer->pending[i];
    }
    return NULL;
}

/* Whether a unit in address..address+len-1 is pending: bytes for it came before, so it is not whole here. */
static bool writer_pending_within(const struct image_writer *writer, uint32_t address, uint32_t len)
{
    for (unsigned i = 0; i < AIRSWD_IMAGE_PENDING_UNITS; i++) {
        if (writer->pending[i].used && writer->pending[i].address - address < len)
            return true;
    }
    return false;
}

/* Adds len bytes (inside one unit) to the unit's pending slot; hands the unit out once its image bytes are in. */
static enum status writer_add_partial(struct image_writer *writer, uint32_t address, const uint8_t *bytes, uint32_t len,
                                      uint32_t file_offset)
{
    uint32_t unit = writer->plan->target->program_unit;
    uint32_t unit_address = address & ~(unit - 1u);
    uint32_t shift = address - unit_address;
    uint32_t bits = (len >= 32 ? UINT32_MAX : (1u << len) - 1u) << shift;
    struct image_writer_pending *slot = writer_pending_at(writer, unit_address);
    if (slot == NULL) {
        for (unsigned i = 0; i < AIRSWD_IMAGE_PENDING_UNITS && slot == NULL; i++) {
            if (!writer->pending[i].used)
                slot = &writer->pending[i];
        }
        if (slot == NULL)
            return writer_fail(writer, status_fail(writer->report, STATUS_IMAGE_TOO_COMPLEX,
                                                   "0x%08lX (offset 0x%lX): more than %u program units partly "
                                                   "written at once",
                                                   (unsigned long)address, (unsigned long)file_offset,
                                                   (unsigned)AIRSWD_IMAGE_PENDING_UNITS));
        slot->used = true;
        slot->address = unit_address;
        slot->expected = image_plan_unit_mask(writer->plan, unit_address);
        slot->filled = 0;
        memset(slot->bytes, writer->plan->target->erased_value, sizeof slot->bytes);
        writer->pending_count++;
        if (writer->pending_count > writer->pending_peak)
            writer->pending_peak = writer->pending_count;
    }
    if ((slot->filled & bits) != 0)
        return writer_changed(writer, address, file_offset, "these bytes came twice");
    if ((bits & ~slot->expected) != 0)
        return writer_changed(writer, address, file_offset, "bytes the checked image did not have");
    memcpy(slot->bytes + shift, bytes, len);
    slot->filled |= bits;
    if (slot->filled != slot->expected)
        return STATUS_OK;
    slot->used = false;
    writer->pending_count--;
    return writer_program(writer, unit_address, slot->bytes, 1);
}

static enum status writer_flash(struct image_writer *writer, uint32_t address, const uint8_t *bytes, uint32_t len,
                                uint32_t file_offset)
{
    uint32_t unit = writer->plan->target->program_unit;
    uint32_t mask = unit - 1u;
    uint64_t end = (uint64_t)address + len;
    uint32_t done = 0;
    while (done < len) {
        uint32_t at = address + done;
        uint64_t whole_end = end & ~(uint64_t)mask;
        if ((at & mask) == 0 && (uint64_t)at + unit <= end) {
            /* Units this piece covers entirely go out straight from the parser's buffer. */
            uint32_t run = (uint32_t)(whole_end - at);
            if (writer_pending_within(writer, at, run))
                return writer_changed(writer, at, file_offset + done, "these bytes came twice");
            enum status status = writer_program(writer, at, bytes + done, run / unit);
            if (status != STATUS_OK)
                return status;
            done += run;
        } else {
            uint64_t unit_end = ((uint64_t)at & ~(uint64_t)mask) + unit;
            uint32_t take = (uint32_t)((unit_end < end ? unit_end : end) - at);
            enum status status = writer_add_partial(writer, at, bytes + done, take, file_offset);
            if (status != STATUS_OK)
                return status;
            done += take;
        }
    }
    return STATUS_OK;
}

/* Bytes handed on as they came (option bytes, data EEPROM), unless rehearsing or nobody takes them. */
static enum status writer_pass_on(struct image_writer *writer,
                                  enum status (*take)(void *ctx, uint32_t address, const uint8_t *bytes, uint32_t len),
                                  uint32_t address, const uint8_t *bytes, uint32_t len)
{
    enum status status = writer->rehearsal || take == NULL ? STATUS_OK : take(writer->output.ctx, address, bytes, len);
    return status == STATUS_OK ? STATUS_OK : writer_fail(writer, status);
}

static enum status writer_sink_data(void *ctx, uint32_t address, const uint8_t *bytes, uint32_t len,
                                    uint32_t file_offset)
{
    struct image_writer *writer = ctx;
    if (writer->failure != STATUS_OK)
        return writer->failure;
    switch (image_plan_locate(writer->plan, address, len, NULL)) {
    case IMAGE_PLACE_FLASH: return writer_flash(writer, address, bytes, len, file_offset);
    case IMAGE_PLACE_OPTION_BYTES:
        writer->option_bytes_done += len;
        if (!writer->rehearsal && writer->output.option_bytes == NULL)
            return writer_fail(writer, status_fail(writer->report, STATUS_UNSUPPORTED,
                                                   "image writes option bytes at 0x%08lX; this job does not",
                                                   (unsigned long)address));
        return writer_pass_on(writer, writer->output.option_bytes, address, bytes, len);
    case IMAGE_PLACE_EEPROM:
        writer->eeprom_bytes_done += len;
        return writer_pass_on(writer, writer->output.eeprom, address, bytes, len);
    case IMAGE_PLACE_RAM: return STATUS_OK; /* not flash content; the plan counted it */
    default: return writer_changed(writer, address, file_offset, "data the checked image did not have");
    }
}

struct image_sink image_writer_sink(struct image_writer *writer)
{
    return (struct image_sink){.data = writer_sink_data, .entry = NULL, .ctx = writer};
}

enum status image_writer_finish(struct image_writer *writer)
{
    if (writer->failure != STATUS_OK)
        return writer->failure;
    const struct image_plan *plan = writer->plan;
    for (unsigned i = 0; i < AIRSWD_IMAGE_PENDING_UNITS; i++) {
        if (writer->pending[i].used)
            return writer_fail(writer, status_fail(writer->report, STATUS_IMAGE_CHANGED,
                                                   "program unit at 0x%08lX never got all its bytes",
                                                   (unsigned long)writer->pending[i].address));
    }
    uint32_t units = plan->program_bytes / plan->target->program_unit;
    if (writer->units_done != units || writer->option_bytes_done != plan->option_bytes ||
        writer->eeprom_bytes_done != plan->eeprom_bytes)
        return writer_fail(writer,
                           status_fail(writer->report, STATUS_IMAGE_CHANGED,
                                       "%lu of %lu program units, %lu of %lu option bytes and %lu of %lu data EEPROM "
                                       "bytes written",
                                       (unsigned long)writer->units_done, (unsigned long)units,
                                       (unsigned long)writer->option_bytes_done, (unsigned long)plan->option_bytes,
                                       (unsigned long)writer->eeprom_bytes_done, (unsigned long)plan->eeprom_bytes));
    return STATUS_OK;
}
