/*
 * image_plan.c - collects, places, merges and pads the address ranges of an image.
 */
#include "image/image_plan.h"

#include <string.h>

enum status image_plan_init(struct image_plan *plan, const struct image_target *target, struct status_report *report)
{
    memset(plan, 0, sizeof *plan);
    plan->report = report;
    enum status status = image_target_check(target, report);
    if (status == STATUS_OK)
        plan->target = target; /* left NULL otherwise: the plan refuses all data */
    return status;
}

static enum status plan_sink_data(void *ctx, uint32_t address, const uint8_t *bytes, uint32_t len, uint32_t file_offset)
{
    (void)bytes;
    return image_plan_add_segment(ctx, address, len, file_offset);
}

static void plan_sink_entry(void *ctx, uint32_t address)
{
    struct image_plan *plan = ctx;
    plan->has_entry = true;
    plan->entry = address;
}

struct image_sink image_plan_sink(struct image_plan *plan)
{
    return (struct image_sink){.data = plan_sink_data, .entry = plan_sink_entry, .ctx = plan};
}

static uint64_t segment_end(const struct image_segment *segment)
{
    return (uint64_t)segment->address + segment->size;
}

/* Index of the first segment whose address is above address (so the one before it, if any, starts at or below). */
static unsigned plan_upper_bound(const struct image_segment *list, unsigned count, uint32_t address)
{
    unsigned low = 0, high = count;
    while (low < high) {
        unsigned middle = low + (high - low) / 2;
        if (list[middle].address <= address)
            low = middle + 1;
        else
            high = middle;
    }
    return low;
}

static enum status plan_overlap(struct image_plan *plan, uint32_t address, uint32_t size, uint32_t file_offset,
                                const struct image_segment *other)
{
    return status_fail(plan->report, STATUS_IMAGE_OVERLAP,
                       "0x%08lX..0x%08lX (offset 0x%lX) overlaps 0x%08lX..0x%08lX (offset 0x%lX)",
                       (unsigned long)address, (unsigned long)(address + (size - 1)), (unsigned long)file_offset,
                       (unsigned long)other->address, (unsigned long)(other->address + (other->size - 1)),
                       (unsigned long)other->file_offset);
}

/* Inserts a piece into a sorted list of separate segments, merging it with the neighbours it touches. */
static enum status plan_insert(struct image_plan *plan, struct image_segment *list, uint16_t *count, unsigned capacity,
                               const char *what, uint32_t address, uint32_t size, uint32_t file_offset)
{
    unsigned i = plan_upper_bound(list, *count, address);
    uint64_t end = (uint64_t)address + size;
    struct image_segment *before = i > 0 ? &list[i - 1] : NULL;
    struct image_segment *after = i < *count ? &list[i] : NULL;
    if (before != NULL && segment_end(before) > address)
        return plan_overlap(plan, address, size, file_offset, before);
    if (after != NULL && end > after->address)
        return plan_overlap(plan, address, size, file_offset, after);

    bool joins_before = before != NULL && segment_end(before) == address;
    bool joins_after = after != NULL && end == after->address;
    if (joins_before && joins_after) {
        before->size += size + after->size;
        memmove(&list[i], &list[i + 1], (*count - i - 1) * sizeof *list);
        (*count)--;
    } else if (joins_before) {
        before->size += size;
    } else if (joins_after) {
        after->address = address;
        after->size += size;
        after->file_offset = file_offset;
    } else {
        if (*count == capacity)
            return status_fail(plan->report, STATUS_IMAGE_TOO_COMPLEX,
                               "more than %u separate %s ranges, at 0x%08lX (offset 0x%lX)", capacity, what,
                               (unsigned long)address, (unsigned long)file_offset);
        memmove(&list[i + 1], &list[i], (*count - i) * sizeof *list);
        list[i] = (struct image_segment){address, size, file_offset};
        (*count)++;
    }
    return STATUS_OK;
}

static enum status plan_out_of_range(struct image_plan *plan, uint32_t address, uint64_t end, uint32_t file_offset)
{
    const struct image_range flash = plan->target->flash;
    /* An address below the flash size is likely an offset into flash: a HEX file without 04 records, or a binary
     * given base 0. */
    bool looks_like_offset = flash.base != 0 && address < flash.size;
    return status_fail(plan->report, STATUS_IMAGE_OUT_OF_RANGE,
                       "0x%08lX..0x%08lX (offset 0x%lX) is outside flash 0x%08lX..0x%08lX%s", (unsigned long)address,
                       (unsigned long)(end - 1), (unsigned long)file_offset, (unsigned long)flash.base,
                       (unsigned long)(flash.base + (flash.size - 1)),
                       looks_like_offset ? ": an offset, not an address?" : "");
}

enum status image_plan_add_segment(struct image_plan *plan, uint32_t address, uint32_t size, uint32_t file_offset)
{
    if (plan->target == NULL)
        return status_fail(plan->report, STATUS_INVALID_ARGUMENT, "image plan without a valid target description");
    if (plan->finished)
        return status_fail(plan->report, STATUS_INVALID_ARGUMENT, "image plan already finished");
    if (size == 0)
        return STATUS_OK;
    struct image_range region;
    enum image_place place = image_target_place(plan->target, address, &region);
    uint64_t end = (uint64_t)address + size;
    if (place == IMAGE_PLACE_NONE)
        return plan_out_of_range(plan, address, end, file_offset);
    if (end > image_range_end(region))
        return status_fail(plan->report, STATUS_IMAGE_OUT_OF_RANGE,
                           "0x%08lX..0x%08lX (offset 0x%lX) runs past the end of %s at 0x%08lX", (unsigned long)address,
                           (unsigned long)(end - 1), (unsigned long)file_offset, image_place_name(place),
                           (unsigned long)(image_range_end(region) - 1));
    switch (place) {
    case IMAGE_PLACE_FLASH:
        return plan_insert(plan, plan->data, &plan->data_count, AIRSWD_IMAGE_MAX_SEGMENTS, "flash", address, size,
                           file_offset);
    case IMAGE_PLACE_OPTION_BYTES:
        return plan_insert(plan, plan->options, &plan->option_count, AIRSWD_IMAGE_MAX_OPTION_SEGMENTS, "option-byte",
                           address, size, file_offset);
    case IMAGE_PLACE_EEPROM:
        return plan_insert(plan, plan->eeprom, &plan->eeprom_count, AIRSWD_IMAGE_MAX_EEPROM_SEGMENTS, "data EEPROM",
                           address, size, file_offset);
    default: /* IMAGE_PLACE_RAM */
        if (plan->ram_bytes == 0 || address < plan->ram_lowest)
            plan->ram_lowest = address;
        if (plan->ram_bytes == 0 || end - 1 > plan->ram_highest)
            plan->ram_highest = (uint32_t)(end - 1);
        plan->ram_bytes += size;
        return STATUS_OK;
    }
}

/* Pads every data segment to whole program units; merges padded ranges that share or touch a unit. */
static void plan_pad(struct image_plan *plan)
{
    for (unsigned i = 0; i < plan->data_count; i++) {
        struct image_range padded = image_target_padded(plan->target, plan->data[i].address, plan->data[i].size);
        struct image_range *last = plan->program_count > 0 ? &plan->program[plan->program_count - 1] : NULL;
        if (last != NULL && padded.base <= image_range_end(*last))
            last->size = (uint32_t)(image_range_end(padded) - last->base);
        else
            plan->program[plan->program_count++] = padded;
    }
    for (unsigned i = 0; i < plan->program_count; i++)
        plan->program_bytes += plan->program[i].size;
    for (unsigned i = 0; i < plan->option_count; i++)
        plan->option_bytes += plan->options[i].size;
    for (unsigned i = 0; i < plan->eeprom_count; i++)
        plan->eeprom_bytes += plan->eeprom[i].size;
}

/* Lists the erase units the program ranges touch, and those only partly covered. A unit is fully covered only if
 * one program range holds all of it: two ranges in the same unit have a gap between them, since ranges that
 * touch were merged. */
static void plan_erase(struct image_plan *plan)
{
    const struct image_target *target = plan->target;
    bool have_last_partial = false;
    uint32_t last_partial = 0;
    for (unsigned i = 0; i < plan->program_count; i++) {
        struct image_range range = plan->program[i];
        uint32_t last_address = (uint32_t)(image_range_end(range) - 1);
        uint32_t first, last;
        struct image_range first_unit, last_unit;
        /* Both lie in flash: the padded range is inside flash, which is whole program units. */
        (void)image_target_erase_unit_index(target, range.base, &first);
        (void)image_target_erase_unit_index(target, last_address, &last);
        (void)image_target_erase_unit(target, first, &first_unit);
        (void)image_target_erase_unit(target, last, &last_unit);

        struct image_erase_span *span = plan->erase_count > 0 ? &plan->erase[plan->erase_count - 1] : NULL;
        if (span != NULL && first <= span->first + span->count) {
            if (last >= span->first + span->count)
                span->count = last - span->first + 1;
        } else {
            plan->erase[plan->erase_count++] = (struct image_erase_span){first, last - first + 1};
        }

        uint32_t partial[2];
        unsigned partial_count = 0;
        if (range.base != first_unit.base)
            partial[partial_count++] = first;
        if (image_range_end(range) != image_range_end(last_unit) && (partial_count == 0 || last != first))
            partial[partial_count++] = last;
        for (unsigned k = 0; k < partial_count; k++) {
            if (have_last_partial && last_partial == partial[k])
                continue;
            if (plan->partial_erase_units == 0)
                plan->first_partial_erase_unit = partial[k];
            plan->partial_erase_units++;
            have_last_partial = true;
            last_partial = partial[k];
        }
    }
    for (unsigned i = 0; i < plan->erase_count; i++)
        plan->erase_units += plan->erase[i].count;
}

enum status image_plan_finish(struct image_plan *plan)
{
    if (plan->finished)
        return STATUS_OK;
    if (plan->target == NULL)
        return status_fail(plan->report, STATUS_INVALID_ARGUMENT, "image plan without a valid target description");
    if (plan->data_count == 0 && plan->option_count == 0 && plan->eeprom_count == 0) {
        if (plan->ram_bytes > 0)
            return status_fail(
                plan->report, STATUS_IMAGE_EMPTY, "only 0x%lX bytes for RAM (0x%08lX..0x%08lX), none for flash",
                (unsigned long)plan->ram_bytes, (unsigned long)plan->ram_lowest, (unsigned long)plan->ram_highest);
        return status_fail(plan->report, STATUS_IMAGE_EMPTY, "the image holds no data");
    }
    plan_pad(plan);
    plan_erase(plan);
    plan->finished = true;
    return STATUS_OK;
}

static const struct image_segment *plan_find(const struct image_segment *list, unsigned count, uint32_t address,
                                             uint32_t size)
{
    unsigned i = plan_upper_bound(list, count, address);
    if (i == 0)
        return NULL;
    const struct image_segment *segment = &list[i - 1];
    return (uint64_t)address + size <= segment_end(segment) ? segment : NULL;
}

enum image_place image_plan_locate(const struct image_plan *plan, uint32_t address, uint32_t size,
                                   const struct image_segment **segment)
{
    const struct image_segment *found = NULL;
    struct image_range region;
    enum image_place place = image_target_place(plan->target, address, &region);
    switch (place) {
    case IMAGE_PLACE_FLASH: found = plan_find(plan->data, plan->data_count, address, size); break;
    case IMAGE_PLACE_OPTION_BYTES: found = plan_find(plan->options, plan->option_count, address, size); break;
    case IMAGE_PLACE_EEPROM: found = plan_find(plan->eeprom, plan->eeprom_count, address, size); break;
    case IMAGE_PLACE_RAM:
        if ((uint64_t)address + size > image_range_end(region))
            place = IMAGE_PLACE_NONE;
        break;
    default: break;
    }
    if (place != IMAGE_PLACE_RAM && found == NULL)
        place = IMAGE_PLACE_NONE;
    if (segment != NULL)
        *segment = found;
    return place;
}

uint32_t image_plan_unit_mask(const struct image_plan *plan, uint32_t unit_address)
{
    uint32_t unit = plan->target->program_unit;
    uint64_t unit_end = (uint64_t)unit_address + unit;
    uint32_t mask = 0;
    unsigned i = plan_upper_bound(plan->data, plan->data_count, unit_address);
    if (i > 0 && segment_end(&plan->data[i - 1]) > unit_address)
        i--; /* the segment that starts below the unit reaches into it */
    for (; i < plan->data_count && plan->data[i].address < unit_end; i++) {
        uint64_t start = plan->data[i].address > unit_address ? plan->data[i].address : unit_address;
        uint64_t end = segment_end(&plan->data[i]) < unit_end ? segment_end(&plan->data[i]) : unit_end;
        for (uint64_t byte = start; byte < end; byte++)
            mask |= 1u << (byte - unit_address);
    }
    return mask;
}
