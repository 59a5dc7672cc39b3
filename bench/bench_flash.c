/*
 * bench_flash.c - the programming engine against the flash itself: simulated chip time of a whole flash job
 * (erase + program + verify, connect and reset apart) for a random image, next to the datasheet limit for that
 * image: every program unit's typical tPROG plus the shortest erase that clears what the image touches (its units
 * one by one, or a bank or mass erase where the image covers the bank or the chip).
 *
 * The same bytes as a raw binary, as the Intel HEX that `objcopy -O ihex` writes (16-byte records) and as an ELF
 * with one segment: the file's format must not change the chip time.
 *
 * One line per measurement: part, SWCLK, image size, format, the chip time per phase, the limit, the ratio.
 * Usage: bench_flash [PART...]   (every simulated part when none is named)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../tests/unit/image_test_files.h"
#include "job/job.h"
#include "memory_job_file.h"
#include "sim_session.h"

#define KB 1024u
/* What the engine must reach at SWCLK 4 MHz with its own choice of method (issue 17). */
#define GOAL_RATIO 1.04

/* The datasheet limit for size bytes from the start of flash on this simulated part. */
static double limit_seconds(const struct sim_part *part, uint32_t size)
{
    /* L0: one operation programs a half page (64 bytes) in the time of a word. */
    uint32_t operation = part->half_page ? part->half_page : part->program_unit;
    double program = (double)size / operation * part->program_ns / 1e9;
    uint32_t bank = part->dual_bank ? part->flash_size / 2 : part->flash_size;
    double units = 0;
    uint32_t covered = 0;
    /* The runs describe one bank: an image larger than a bank goes on into the second. */
    for (unsigned b = 0; b < (part->dual_bank ? 2u : 1u) && covered < size; b++) {
        for (unsigned run = 0; run < SIM_PART_MAX_ERASE_RUNS && covered < size; run++) {
            for (uint32_t i = 0; i < part->erase_runs[run].count && covered < size; i++) {
                units += part->erase_runs[run].erase_us / 1e6;
                covered += part->erase_runs[run].size;
            }
        }
    }
    double whole = size >= bank && part->mass_erase_us ? (double)part->mass_erase_us / 1e6 * (size > bank ? 2 : 1) : units;
    return program + (whole < units ? whole : units);
}

/* The image's size bytes at the start of flash, as a file of the format: BIN, HEX or ELF. */
static struct memory_job_file image_file(enum image_format format, const uint8_t *image, uint32_t size)
{
    static uint8_t file[3 * 512 * KB];
    size_t len = size;
    if (format == IMAGE_FORMAT_BIN) {
        memcpy(file, image, size);
    } else if (format == IMAGE_FORMAT_HEX) {
        len = hex_append_data((char *)file, 0, 0x08000000, image, size);
        len = hex_append_record((char *)file, len, 0x01, 0, NULL, 0, "\n");
    } else {
        struct test_elf elf = test_elf_arm();
        elf.entry = 0x08000101;
        elf.header_count = 1;
        elf.headers[0] = (struct test_elf_header){.type = 1, .offset = 0x100, .vaddr = 0x08000000, .paddr = 0x08000000,
                                                  .filesz = size, .memsz = size, .data = image};
        len = test_elf_build(&elf, file, sizeof file);
    }
    return (struct memory_job_file){.bytes = file, .size = (uint32_t)len};
}

static void bench(const char *part_name, uint32_t swclk_hz, uint32_t size, const uint8_t *image,
                  enum image_format format, enum job_program_method method)
{
    struct sim_session session;
    if (!sim_session_create(&session, part_name, true)) {
        fprintf(stderr, "bench_flash: cannot create %s\n", part_name);
        exit(1);
    }
    sim_target_set_swclk_hz(session.stm32->target, swclk_hz);
    struct memory_job_file file = image_file(format, image, size);
    const struct job_link link = {.swd = &session.port.swd, .system = &session.port.system, .pins = &session.port.pins};
    const struct job_file job_file = memory_job_file(&file);
    const struct job_options options = {.format = format, .bin_base = 0x08000000, .verify = true, .method = method};
    static struct job job;
    job_init(&job, &link, &job_file, &options, &session.report);
    if (job_run(&job) != STATUS_OK || memcmp(sim_flash_array(session.stm32->flash), image, size) != 0) {
        fprintf(stderr, "bench_flash: %s: %s\n", part_name, sim_session_error(&session));
        exit(1);
    }
    const uint64_t *us = job.result.phase_us;
    double erase = us[JOB_PHASE_ERASE] / 1e6, program = us[JOB_PHASE_PROGRAM] / 1e6, verify = us[JOB_PHASE_VERIFY] / 1e6;
    double total = erase + program + verify;
    double limit = limit_seconds(session.stm32->part, size);
    char label[64];
    static const char *const methods[] = {"", " direct", " loader"};
    snprintf(label, sizeof label, "%s %4u KB %s SWCLK %.0f MHz%s", part_name, size / KB,
             format == IMAGE_FORMAT_BIN ? "BIN" : format == IMAGE_FORMAT_HEX ? "HEX" : "ELF", swclk_hz / 1e6,
             methods[method]);
    printf("%-47s erase %6.3f + program %6.3f + verify %5.3f = %6.3f s chip time   limit %6.3f s   ratio %.3f%s\n",
           label, erase, program, verify, total, limit, total / limit,
           method == JOB_PROGRAM_AUTO && swclk_hz >= 4000000 && total / limit > GOAL_RATIO ? "  (over the 1.04 goal)" : "");
    sim_session_destroy(&session);
}

/* Only the parts named on the command line, when any are. */
static bool wanted(int argc, char **argv, const char *part)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], part) == 0)
            return true;
    }
    return argc < 2;
}

int main(int argc, char **argv)
{
    static const struct {
        const char *part;
        uint32_t sizes[2];
    } cases[] = {
        /* Every simulated part: 64 KB, and the largest image that fits in 512 KB of its flash. */
        {"stm32f030r8", {64 * KB, 0}},          {"stm32f072rb", {64 * KB, 128 * KB}},
        {"stm32f103c8", {64 * KB, 0}},          {"stm32f103re", {64 * KB, 512 * KB}},
        {"stm32f103zg", {64 * KB, 512 * KB}},   {"stm32f303cc", {64 * KB, 256 * KB}},
        {"stm32f401cc", {64 * KB, 256 * KB}},   {"stm32f410r8", {64 * KB, 0}},
        {"stm32f411ce", {64 * KB, 512 * KB}},   {"stm32f413zh", {64 * KB, 512 * KB}},
        {"stm32l476rg", {64 * KB, 512 * KB}},   {"stm32g071rb", {64 * KB, 128 * KB}},
        {"stm32g431rb", {64 * KB, 128 * KB}},   {"stm32g474re", {64 * KB, 512 * KB}},
        {"stm32f746zg", {64 * KB, 512 * KB}},   {"stm32f767zi", {64 * KB, 512 * KB}},
        {"stm32h743zi", {64 * KB, 512 * KB}},
        {"stm32l053r8", {64 * KB, 0}},          {"stm32l072cz", {64 * KB, 192 * KB}},
        {"stm32l152re", {64 * KB, 512 * KB}},
    };
    static const uint32_t clocks[] = {4000000, 1000000};
    static const enum image_format formats[] = {IMAGE_FORMAT_BIN, IMAGE_FORMAT_HEX, IMAGE_FORMAT_ELF};
    uint8_t *image = malloc(512 * KB);
    if (image == NULL)
        return 1;
    srand(1);
    for (uint32_t i = 0; i < 512 * KB; i++)
        image[i] = (uint8_t)rand();
    for (unsigned c = 0; c < sizeof clocks / sizeof clocks[0]; c++) {
        for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; i++) {
            if (!wanted(argc, argv, cases[i].part))
                continue;
            for (unsigned s = 0; s < 2 && cases[i].sizes[s]; s++) {
                for (unsigned f = 0; f < sizeof formats / sizeof formats[0]; f++)
                    bench(cases[i].part, clocks[c], cases[i].sizes[s], image, formats[f], JOB_PROGRAM_AUTO);
            }
        }
    }
    /* Both ways of programming on every generation: the automatic choice (job_uses_loader) rests on these. */
    static const char *const generations[] = {"stm32f030r8", "stm32f103c8", "stm32f303cc", "stm32f411ce",
                                              "stm32l476rg", "stm32g071rb", "stm32g431rb", "stm32l053r8",
                                              "stm32l152re"};
    for (unsigned c = 0; c < sizeof clocks / sizeof clocks[0]; c++) {
        for (unsigned i = 0; i < sizeof generations / sizeof generations[0]; i++) {
            if (!wanted(argc, argv, generations[i]))
                continue;
            bench(generations[i], clocks[c], 64 * KB, image, IMAGE_FORMAT_BIN, JOB_PROGRAM_DIRECT);
            bench(generations[i], clocks[c], 64 * KB, image, IMAGE_FORMAT_BIN, JOB_PROGRAM_LOADER);
        }
    }
    free(image);
    return 0;
}
