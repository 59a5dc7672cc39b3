/*
 * image_target.h - what the image code needs to know about a target's memory: where main flash is, its program
 * unit and erase layout, where RAM and the option bytes are. The part table fills one in for each part.
 *
 * Program unit: the smallest amount flash is programmed in (2 bytes on F0/F1/F3, 4 on F2/F4 at x32, 8 with ECC on
 * L4/G0/G4/WB, 32 on H7). Erased flash reads erased_value: 0xFF on most families, 0x00 on L0/L1. A unit is
 * programmed once: with ECC a second write corrupts it, without it the bits of the second write can only move away
 * from the erased value. Erase layout: runs of equal erase units (pages or sectors) from the flash base
 * up, e.g. F4's 4 x 16 KB, 1 x 64 KB, 7 x 128 KB; units are numbered from 0 across all runs.
 *
 * Data EEPROM (L0/L1 at 0x08080000): written a byte, half word or word at a time, each write erasing what it
 * replaces, so it has no program unit, no padding and no erase layout; an image's bytes there are written as they
 * are, after the flash (src/job).
 */
#ifndef AIRSWD_IMAGE_TARGET_H
#define AIRSWD_IMAGE_TARGET_H

#include <stdbool.h>

#include "image/image.h"

struct image_erase_run {
    uint32_t unit_size; /* bytes, a multiple of the program unit */
    uint32_t count;     /* 0 ends the list */
};

struct image_target {
    struct image_range flash;                                       /* main flash, all banks */
    uint32_t program_unit;                                          /* power of two, 1..AIRSWD_IMAGE_MAX_PROGRAM_UNIT */
    uint8_t erased_value; /* what erased flash reads (0xFF; 0x00 on L0/L1): padding and blank checks use it */
    struct image_erase_run erase_runs[AIRSWD_IMAGE_MAX_ERASE_RUNS]; /* must add up to flash.size */
    struct image_range ram[AIRSWD_IMAGE_MAX_RAM_RANGES];            /* size 0: unused */
    struct image_range option_bytes[AIRSWD_IMAGE_MAX_OPTION_RANGES]; /* size 0: unused */
    struct image_range eeprom;                                       /* data EEPROM; size 0: none */
};

/* Where an address lies. Flash is looked at first, then the data EEPROM, option bytes, RAM. */
enum image_place { IMAGE_PLACE_NONE, IMAGE_PLACE_FLASH, IMAGE_PLACE_OPTION_BYTES, IMAGE_PLACE_RAM, IMAGE_PLACE_EEPROM };

/* "flash", "option bytes", "RAM", "data EEPROM", "nothing". */
const char *image_place_name(enum image_place place);

/* STATUS_INVALID_ARGUMENT (with the reason) unless the description is consistent: unit size, alignment of flash
 * to the unit, erase runs adding up to the flash size in multiples of the unit. */
enum status image_target_check(const struct image_target *target, struct status_report *report);

/* The functions below expect a description that passed image_target_check(). */

/* The place of address, and the region (flash, the data EEPROM, one option-byte range or one RAM range) that
 * holds it. */
enum image_place image_target_place(const struct image_target *target, uint32_t address, struct image_range *region);

/* address..address+size-1 widened to whole program units. */
struct image_range image_target_padded(const struct image_target *target, uint32_t address, uint32_t size);

/* Erase units in all runs. */
uint32_t image_target_erase_unit_count(const struct image_target *target);

/* The address range of erase unit index; false past the last one. */
bool image_target_erase_unit(const struct image_target *target, uint32_t index, struct image_range *unit);

/* The index of the erase unit holding address; false outside flash. */
bool image_target_erase_unit_index(const struct image_target *target, uint32_t address, uint32_t *index);

#endif /* AIRSWD_IMAGE_TARGET_H */
