/*
 * fuzz_image_hex.c - libFuzzer target: Intel HEX through the parser, the plan and the writer.
 */
#include "fuzz_image_harness.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_image_run(IMAGE_FORMAT_HEX, data, size);
}
