/*
 * fuzz_image_elf.c - libFuzzer target: ELF through the parser, the plan and the writer.
 */
#include "fuzz_image_harness.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_image_run(IMAGE_FORMAT_ELF, data, size);
}
