/*
 * fuzz_image_harness.h - what every image fuzz target checks on one input (see fuzz_image_harness.c).
 */
#ifndef AIRSWD_FUZZ_IMAGE_HARNESS_H
#define AIRSWD_FUZZ_IMAGE_HARNESS_H

#include <stddef.h>
#include <stdint.h>

#include "image/image_reader.h"

/* Runs one input through the parser of format, the plan and the writer, and aborts on any broken invariant. */
int fuzz_image_run(enum image_format format, const uint8_t *data, size_t size);

/* libFuzzer's entry point, defined by each target. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif /* AIRSWD_FUZZ_IMAGE_HARNESS_H */
