/*
 * image_writer.h - the programming pass: turns a second reading of a planned image into whole program units, each
 * handed out exactly once, in constant memory.
 *
 * The writer is the sink of the second reading (any of the parsers, fed the same file again). Pieces arrive in file
 * order; a program unit that one piece covers entirely goes out at once, straight from the parser's buffer (runs of
 * such units go out as one call). A unit a piece covers only in part (a record that ends mid-unit, two segments
 * sharing an ECC unit, a gap padded with the erased value) is held in one of AIRSWD_IMAGE_PENDING_UNITS slots until
 * every image byte of it has arrived (the plan says which bytes those are), then goes out padded. A file in address
 * order needs one slot; records far out of order may need more than there are, which is STATUS_IMAGE_TOO_COMPLEX.
 *
 * Since that can only be known by reading the file, a job first rehearses: it runs the whole second reading with
 * no output (image_writer_init with output NULL), which checks everything the real pass will do, then connects,
 * erases the plan's units and reads the file a third time with the real output. Both passes must read the file in
 * the same chunks (ELF and binary pieces end where chunks end, and so may leave units partly filled); they then
 * see the same pieces, and the real pass cannot fail where the rehearsal succeeded, except in the output itself.
 *
 * Data the plan did not approve, a byte given twice, or a unit still incomplete at the end mean the file changed
 * between readings: STATUS_IMAGE_CHANGED. This is a safety net, not a substitute for checking the stored copy's
 * hash between passes.
 */
#ifndef AIRSWD_IMAGE_WRITER_H
#define AIRSWD_IMAGE_WRITER_H

#include <stdbool.h>

#include "image/image.h"
#include "image/image_plan.h"

#if AIRSWD_IMAGE_MAX_PROGRAM_UNIT > 32
#error "AIRSWD_IMAGE_MAX_PROGRAM_UNIT: a pending unit tracks its bytes in a 32-bit mask"
#endif

struct image_writer_output {
    /* len bytes, a whole number of program units from address (unit-aligned), inside one program range of the
     * plan. Every unit of the plan comes exactly once, in file order. */
    enum status (*program)(void *ctx, uint32_t address, const uint8_t *bytes, uint32_t len);
    /* Option-byte data as the file has it, unpadded. NULL: an image with option bytes fails (STATUS_UNSUPPORTED);
     * a job that does not program them should refuse such an image after the plan already. */
    enum status (*option_bytes)(void *ctx, uint32_t address, const uint8_t *bytes, uint32_t len);
    /* Data EEPROM bytes as the file has them, unpadded, in file order. NULL: left out of this pass (a job writes
     * them in a pass of their own, after the flash). */
    enum status (*eeprom)(void *ctx, uint32_t address, const uint8_t *bytes, uint32_t len);
    void *ctx;
};

/* A program unit waiting for the rest of its bytes. */
struct image_writer_pending {
    bool used;
    uint32_t address;  /* of the unit */
    uint32_t expected; /* bit i: byte i is image data (the plan's unit mask) */
    uint32_t filled;   /* bit i: byte i has arrived */
    uint8_t bytes[AIRSWD_IMAGE_MAX_PROGRAM_UNIT];
};

struct image_writer {
    const struct image_plan *plan;
    struct image_writer_output output;
    bool rehearsal; /* no output: only check */
    struct status_report *report;
    enum status failure; /* sticky */
    uint32_t units_done; /* program units handed out (or that would have been) */
    uint32_t option_bytes_done;
    uint32_t eeprom_bytes_done;
    uint16_t pending_count;
    uint16_t pending_peak; /* most units held at once */
    struct image_writer_pending pending[AIRSWD_IMAGE_PENDING_UNITS];
};

/* Starts a programming pass (or with output NULL, a rehearsal) of a finished plan, which must outlive it. */
enum status image_writer_init(struct image_writer *writer, const struct image_plan *plan,
                              const struct image_writer_output *output, struct status_report *report);

/* A sink that feeds the writer; its ctx is writer. */
struct image_sink image_writer_sink(struct image_writer *writer);

/* The file has ended: every unit of the plan must have gone out. */
enum status image_writer_finish(struct image_writer *writer);

#endif /* AIRSWD_IMAGE_WRITER_H */
