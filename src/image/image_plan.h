/*
 * image_plan.h - the segment plan: what an image will write, checked against a target before anything is written.
 *
 * The plan is the sink of a first reading of the image. It keeps address ranges, never data: each piece the parser
 * reports is placed (main flash, option bytes, RAM, or nothing), and
 *   - flash pieces go into a sorted list where touching pieces merge; any overlap is an error naming both ranges
 *     and where in the file they came from (two records that write the same bytes are still refused: the plan
 *     does not keep data to compare, and such a file is almost always two builds merged by mistake);
 *   - option-byte pieces go into a list of their own, never merged with flash, and are not padded (their
 *     programming has its own rules, see src/stm32);
 *   - data EEPROM pieces likewise (touching pieces merge, overlaps are refused as in flash): the EEPROM is written
 *     byte for byte after the flash and never erased;
 *   - RAM pieces (the LMA of an ELF segment in RAM, a HEX file that preloads RAM) are not flash content: they are
 *     counted in ram_bytes so the job can say so, and skipped;
 *   - anything else is STATUS_IMAGE_OUT_OF_RANGE, naming the address and the file offset.
 * image_plan_finish() then widens the flash ranges to whole program units (padding reads as erased flash), merges
 * ranges that share or touch a unit, so no unit is ever programmed twice, and lists the erase units touched as runs
 * of unit indexes, noting those only partly covered by the image (erasing them loses whatever else they hold;
 * F4/F7/H7 sectors are large enough for that to matter).
 *
 * The second reading, the programming, goes through image_writer.h, which asks the plan where each piece belongs
 * (image_plan_locate) and which bytes of a unit are image data (image_plan_unit_mask).
 */
#ifndef AIRSWD_IMAGE_PLAN_H
#define AIRSWD_IMAGE_PLAN_H

#include <stdbool.h>

#include "image/image.h"
#include "image/image_target.h"

struct image_segment {
    uint32_t address;
    uint32_t size;
    uint32_t file_offset; /* where the piece at its lowest address came from */
};

/* Erase units first..first+count-1 (indexes as in image_target_erase_unit()). */
struct image_erase_span {
    uint32_t first;
    uint32_t count;
};

struct image_plan {
    const struct image_target *target;
    struct status_report *report;
    bool finished;

    /* Collected from the sink, in address order. */
    struct image_segment data[AIRSWD_IMAGE_MAX_SEGMENTS]; /* flash bytes of the image, touching pieces merged */
    uint16_t data_count;
    struct image_segment options[AIRSWD_IMAGE_MAX_OPTION_SEGMENTS];
    uint16_t option_count;
    struct image_segment eeprom[AIRSWD_IMAGE_MAX_EEPROM_SEGMENTS];
    uint16_t eeprom_count;
    uint32_t ram_bytes;  /* bytes skipped because they load into RAM */
    uint32_t ram_lowest; /* their lowest and highest address, when ram_bytes > 0 */
    uint32_t ram_highest;
    bool has_entry;
    uint32_t entry;

    /* Computed by image_plan_finish(). */
    struct image_range program[AIRSWD_IMAGE_MAX_SEGMENTS]; /* whole program units, sorted, none sharing a unit */
    uint16_t program_count;
    uint32_t program_bytes;                                   /* sum of program[].size */
    uint32_t option_bytes;                                    /* sum of options[].size */
    uint32_t eeprom_bytes;                                    /* sum of eeprom[].size */
    struct image_erase_span erase[AIRSWD_IMAGE_MAX_SEGMENTS]; /* sorted, separate */
    uint16_t erase_count;
    uint32_t erase_units;         /* sum of erase[].count */
    uint32_t partial_erase_units; /* erase units the image only partly covers */
    uint32_t first_partial_erase_unit;
};

/* Starts an empty plan for target, which must outlive it. STATUS_INVALID_ARGUMENT when the target description is
 * inconsistent (image_target_check). */
enum status image_plan_init(struct image_plan *plan, const struct image_target *target, struct status_report *report);

/* A sink that feeds image_plan_add_segment(); its ctx is plan. */
struct image_sink image_plan_sink(struct image_plan *plan);

/* Places size bytes at address that came from file_offset of the image. */
enum status image_plan_add_segment(struct image_plan *plan, uint32_t address, uint32_t size, uint32_t file_offset);

/* The image has been read: pads, merges and lists erase units. STATUS_IMAGE_EMPTY when nothing is left to write
 * to flash, data EEPROM or option bytes. */
enum status image_plan_finish(struct image_plan *plan);

/* For the programming pass: where size bytes at address belong. IMAGE_PLACE_FLASH, IMAGE_PLACE_EEPROM and
 * IMAGE_PLACE_OPTION_BYTES only when one collected segment (returned through *segment, which may be NULL) holds
 * all of them; IMAGE_PLACE_RAM when they lie in a RAM range; IMAGE_PLACE_NONE when the plan never saw them. */
enum image_place image_plan_locate(const struct image_plan *plan, uint32_t address, uint32_t size,
                                   const struct image_segment **segment);

/* Which bytes of the program unit at unit_address (aligned) are image data: bit i for byte i. The others are
 * padding. */
uint32_t image_plan_unit_mask(const struct image_plan *plan, uint32_t unit_address);

#endif /* AIRSWD_IMAGE_PLAN_H */
