/*
 * image_elf.h - streaming reader of 32-bit little-endian ARM ELF executables.
 *
 * What is loaded: each PT_LOAD program header with p_filesz > 0, p_filesz bytes from p_offset, at its load address
 * p_paddr (the LMA; the p_memsz - p_filesz tail is .bss, zeroed by the startup code, never written). When every
 * PT_LOAD has p_paddr 0 and there are several of them, the linker did not fill in load addresses and p_vaddr is
 * used instead. Whether a load address is flash, RAM or nothing is the plan's business, not the reader's.
 *
 * One pass in bounded memory: the ELF header, then the program header table (only its PT_LOAD entries with file
 * data are kept, up to AIRSWD_IMAGE_ELF_MAX_LOADS), then segment data, which may come in any order and may even be
 * shared by two segments, as long as it lies after the table: every chunk is matched against all kept segments.
 * This is how ld and lld lay out a firmware ELF. Segment data that lies before the end of the table (a segment
 * that loads the ELF headers themselves, or a table written at the end of the file) would need buffering, and is
 * refused as STATUS_IMAGE_TOO_COMPLEX; section headers and everything not inside a segment are skipped unread.
 *
 * Checked: magic, ELFCLASS32, little endian, EM_ARM, an executable (not a .o), e_phentsize, a non-empty table,
 * segment ranges that fit in 32 bits, p_filesz <= p_memsz, and, at the end, that the file held every byte the
 * table promised (STATUS_IMAGE_TRUNCATED naming the segment and the offset).
 */
#ifndef AIRSWD_IMAGE_ELF_H
#define AIRSWD_IMAGE_ELF_H

#include <stdbool.h>

#include "image/image.h"

#define IMAGE_ELF_HEADER_SIZE 52 /* Elf32_Ehdr */
#define IMAGE_ELF_PHDR_SIZE   32 /* Elf32_Phdr */

/* A PT_LOAD program header with file data. */
struct image_elf_load {
    uint32_t offset; /* p_offset */
    uint32_t size;   /* p_filesz */
    uint32_t paddr;  /* p_paddr: where the bytes are stored (LMA) */
    uint32_t vaddr;  /* p_vaddr: where the program uses them */
    uint16_t index;  /* position in the program header table, for messages */
};

enum image_elf_stage {
    IMAGE_ELF_HEADER,       /* collecting the ELF header */
    IMAGE_ELF_BEFORE_TABLE, /* skipping to e_phoff */
    IMAGE_ELF_TABLE,        /* collecting program headers one at a time */
    IMAGE_ELF_DATA,         /* passing segment data to the sink */
};

struct image_elf {
    struct image_sink sink;
    struct status_report *report;
    enum status failure; /* sticky: once set, every call returns it */
    enum image_elf_stage stage;
    uint32_t offset;        /* file offset of the next byte */
    uint32_t table_offset;  /* e_phoff */
    uint16_t table_count;   /* e_phnum */
    uint16_t headers_read;  /* program headers parsed so far */
    uint16_t pt_load_count; /* every PT_LOAD, with or without file data */
    bool any_paddr;         /* some PT_LOAD has p_paddr != 0 */
    bool use_vaddr;         /* decided at the end of the table */
    uint8_t load_count;
    uint8_t buffer_fill;
    uint8_t buffer[IMAGE_ELF_HEADER_SIZE]; /* the ELF header, then one program header at a time */
    uint32_t entry;                        /* e_entry */
    uint32_t data_end;                     /* end of the last byte any kept segment needs */
    struct image_elf_load loads[AIRSWD_IMAGE_ELF_MAX_LOADS];
};

void image_elf_init(struct image_elf *elf, const struct image_sink *sink, struct status_report *report);

/* Parses len more bytes of the file. */
enum status image_elf_feed(struct image_elf *elf, const uint8_t *bytes, size_t len);

/* The file has ended: every segment must have been complete. */
enum status image_elf_finish(struct image_elf *elf);

/* The load address of a kept segment: p_paddr, or p_vaddr when the table had no load addresses. */
uint32_t image_elf_load_address(const struct image_elf *elf, const struct image_elf_load *load);

#endif /* AIRSWD_IMAGE_ELF_H */
