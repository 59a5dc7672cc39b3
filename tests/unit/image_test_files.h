/*
 * image_test_files.h - what the src/image tests share: a sink that records what a parser reports, a target
 * memory that records what the writer programs, and builders of Intel HEX records and ELF files.
 */
#ifndef AIRSWD_IMAGE_TEST_FILES_H
#define AIRSWD_IMAGE_TEST_FILES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "image/image.h"

/* ---- A sink that records every call ---- */

#define RECORDING_MAX_CALLS 4096
#define RECORDING_MAX_BYTES (1024 * 1024)

struct recorded_call {
    uint32_t address;
    uint32_t len;
    uint32_t file_offset;
    uint32_t byte_index; /* where its bytes start in recording.bytes */
};

struct recording {
    struct recorded_call calls[RECORDING_MAX_CALLS];
    size_t call_count;
    uint8_t bytes[RECORDING_MAX_BYTES];
    size_t byte_count;
    bool has_entry;
    uint32_t entry;
    enum status answer;           /* what the data callback returns */
    struct status_report *report; /* where a refusal is reported (may be NULL) */
};

void recording_clear(struct recording *recording);
struct image_sink recording_sink(struct recording *recording);

/* The byte the recording holds for address (the last one given), or -1. */
int recording_byte_at(const struct recording *recording, uint32_t address);

/* Whether two recordings hold the same bytes at the same addresses, however they were cut into calls. */
bool recordings_same_memory(const struct recording *a, const struct recording *b);

/* ---- Intel HEX ---- */

/* Appends one record (":LLAAAATT<data>CC" + line_end) to out at *len; returns the new length. */
size_t hex_append_record(char *out, size_t len, uint8_t type, uint16_t address, const uint8_t *data, unsigned count,
                         const char *line_end);

/* Appends records for count bytes at address the way objcopy writes them: a 04 record, then data records of up
 * to 16 bytes, and a new 04 record where the upper 16 address bits change. */
size_t hex_append_data(char *out, size_t len, uint32_t address, const uint8_t *bytes, size_t count);

/* ---- ELF ---- */

#define TEST_ELF_MAX_HEADERS 24

struct test_elf_header {
    uint32_t type; /* PT_LOAD = 1 */
    uint32_t offset;
    uint32_t vaddr;
    uint32_t paddr;
    uint32_t filesz;
    uint32_t memsz;
    const uint8_t *data; /* filesz bytes placed at offset (NULL: left as they are) */
};

struct test_elf {
    uint8_t elf_class;  /* 1: 32-bit */
    uint8_t data_order; /* 1: little endian */
    uint16_t machine;   /* 40: ARM */
    uint16_t type;      /* 2: executable */
    uint16_t phentsize; /* 32 */
    uint32_t phoff;     /* 52 */
    uint32_t entry;
    unsigned header_count;
    struct test_elf_header headers[TEST_ELF_MAX_HEADERS];
    size_t file_size; /* 0: up to the end of the last thing placed */
};

/* A well-formed ARM executable header, program headers at offset 52 and no segments yet. */
struct test_elf test_elf_arm(void);

/* Lays the file out into out (zero-filled); returns its size. */
size_t test_elf_build(const struct test_elf *elf, uint8_t *out, size_t capacity);

#endif /* AIRSWD_IMAGE_TEST_FILES_H */
