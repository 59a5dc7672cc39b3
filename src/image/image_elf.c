/*
 * image_elf.c - ELF header, program header table, then segment data as it streams past.
 */
#include "image/image_elf.h"

#include <string.h>

/* Elf32_Ehdr fields (System V ABI, ELF32). */
#define ELF_IDENT_CLASS   4
#define ELF_IDENT_DATA    5
#define ELF_IDENT_VERSION 6
#define ELF_TYPE          16
#define ELF_MACHINE       18
#define ELF_ENTRY         24
#define ELF_PHOFF         28
#define ELF_PHENTSIZE     42
#define ELF_PHNUM         44

#define ELFCLASS32  1
#define ELFCLASS64  2
#define ELFDATA2LSB 1
#define EV_CURRENT  1
#define ET_REL      1
#define ET_EXEC     2
#define ET_DYN      3
#define EM_ARM      40
#define PN_XNUM     0xFFFFu /* the real count lives in section header 0: never seen in firmware */

/* Elf32_Phdr fields. */
#define PHDR_TYPE   0
#define PHDR_OFFSET 4
#define PHDR_VADDR  8
#define PHDR_PADDR  12
#define PHDR_FILESZ 16
#define PHDR_MEMSZ  20
#define PT_LOAD     1

static uint16_t elf_u16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t elf_u32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

void image_elf_init(struct image_elf *elf, const struct image_sink *sink, struct status_report *report)
{
    memset(elf, 0, sizeof *elf);
    elf->sink = *sink;
    elf->report = report;
}

uint32_t image_elf_load_address(const struct image_elf *elf, const struct image_elf_load *load)
{
    return elf->use_vaddr ? load->vaddr : load->paddr;
}

static enum status elf_fail(struct image_elf *elf, enum status status)
{
    elf->failure = status;
    return status;
}

static enum status elf_check_header(struct image_elf *elf)
{
    const uint8_t *h = elf->buffer;
    struct status_report *report = elf->report;
    if (memcmp(h,
               "\x7F"
               "ELF",
               4) != 0)
        return elf_fail(elf, status_fail(report, STATUS_IMAGE_FORMAT,
                                         "no ELF magic (7F 'E' 'L' 'F') at offset 0: not an ELF file"));
    if (h[ELF_IDENT_CLASS] == ELFCLASS64)
        return elf_fail(elf, status_fail(report, STATUS_IMAGE_FORMAT,
                                         "64-bit ELF: STM32 firmware is 32-bit, is this the right build output?"));
    if (h[ELF_IDENT_CLASS] != ELFCLASS32)
        return elf_fail(elf,
                        status_fail(report, STATUS_IMAGE_FORMAT, "ELF class %u is not ELFCLASS32", h[ELF_IDENT_CLASS]));
    if (h[ELF_IDENT_DATA] != ELFDATA2LSB)
        return elf_fail(elf, status_fail(report, STATUS_IMAGE_FORMAT,
                                         "big-endian ELF (data encoding %u): STM32 firmware is little-endian",
                                         h[ELF_IDENT_DATA]));
    if (h[ELF_IDENT_VERSION] != EV_CURRENT)
        return elf_fail(elf,
                        status_fail(report, STATUS_IMAGE_FORMAT, "ELF version %u, expected 1", h[ELF_IDENT_VERSION]));
    uint16_t machine = elf_u16(h + ELF_MACHINE);
    if (machine != EM_ARM)
        return elf_fail(elf, status_fail(report, STATUS_IMAGE_FORMAT,
                                         "ELF for machine %u, not ARM (40): built for another processor", machine));
    uint16_t type = elf_u16(h + ELF_TYPE);
    if (type == ET_REL)
        return elf_fail(
            elf, status_fail(report, STATUS_IMAGE_FORMAT, "relocatable object (ET_REL): link it into a program first"));
    if (type != ET_EXEC && type != ET_DYN)
        return elf_fail(elf, status_fail(report, STATUS_IMAGE_FORMAT, "ELF type %u is not an executable", type));
    uint16_t entry_size = elf_u16(h + ELF_PHENTSIZE);
    elf->table_offset = elf_u32(h + ELF_PHOFF);
    elf->table_count = elf_u16(h + ELF_PHNUM);
    elf->entry = elf_u32(h + ELF_ENTRY);
    if (elf->table_count == 0)
        return elf_fail(elf, status_fail(report, STATUS_IMAGE_FORMAT, "no program headers: nothing to load"));
    if (elf->table_count == PN_XNUM)
        return elf_fail(elf, status_fail(report, STATUS_IMAGE_TOO_COMPLEX, "more than 65534 program headers"));
    if (entry_size != IMAGE_ELF_PHDR_SIZE)
        return elf_fail(elf, status_fail(report, STATUS_IMAGE_FORMAT, "program header size %u, expected %u", entry_size,
                                         IMAGE_ELF_PHDR_SIZE));
    if (elf->table_offset < IMAGE_ELF_HEADER_SIZE)
        return elf_fail(elf, status_fail(report, STATUS_IMAGE_FORMAT,
                                         "program header table at offset 0x%lX overlaps the ELF header",
                                         (unsigned long)elf->table_offset));
    if ((uint64_t)elf->table_offset + (uint64_t)elf->table_count * IMAGE_ELF_PHDR_SIZE > UINT32_MAX)
        return elf_fail(elf,
                        status_fail(report, STATUS_IMAGE_FORMAT, "program header table at offset 0x%lX runs past 4 GB",
                                    (unsigned long)elf->table_offset));
    if (elf->entry != 0 && elf->sink.entry != NULL)
        elf->sink.entry(elf->sink.ctx, elf->entry);
    return STATUS_OK;
}

static enum status elf_add_program_header(struct image_elf *elf)
{
    const uint8_t *p = elf->buffer;
    unsigned index = elf->headers_read;
    if (elf_u32(p + PHDR_TYPE) != PT_LOAD)
        return STATUS_OK;
    struct image_elf_load load = {
        .offset = elf_u32(p + PHDR_OFFSET),
        .size = elf_u32(p + PHDR_FILESZ),
        .paddr = elf_u32(p + PHDR_PADDR),
        .vaddr = elf_u32(p + PHDR_VADDR),
        .index = (uint16_t)index,
    };
    uint32_t memory_size = elf_u32(p + PHDR_MEMSZ);
    elf->pt_load_count++;
    elf->any_paddr |= load.paddr != 0;
    if (load.size == 0) /* all .bss: nothing in the file */
        return STATUS_OK;
    if (load.size > memory_size)
        return elf_fail(elf, status_fail(elf->report, STATUS_IMAGE_FORMAT,
                                         "segment %u: file size 0x%lX exceeds its memory size 0x%lX", index,
                                         (unsigned long)load.size, (unsigned long)memory_size));
    if ((uint64_t)load.offset + load.size > UINT32_MAX)
        return elf_fail(elf, status_fail(elf->report, STATUS_IMAGE_FORMAT,
                                         "segment %u: file range 0x%lX + 0x%lX runs past 4 GB", index,
                                         (unsigned long)load.offset, (unsigned long)load.size));
    if (elf->load_count == AIRSWD_IMAGE_ELF_MAX_LOADS)
        return elf_fail(elf, status_fail(elf->report, STATUS_IMAGE_TOO_COMPLEX,
                                         "more than %u loadable segments with file data (segment %u)",
                                         (unsigned)AIRSWD_IMAGE_ELF_MAX_LOADS, index));
    elf->loads[elf->load_count++] = load;
    return STATUS_OK;
}

/* The whole table has been read: choose the addresses, and check that all data is still ahead of us. */
static enum status elf_table_done(struct image_elf *elf)
{
    elf->use_vaddr = !elf->any_paddr && elf->pt_load_count > 1;
    elf->data_end = elf->offset;
    for (unsigned i = 0; i < elf->load_count; i++) {
        const struct image_elf_load *load = &elf->loads[i];
        uint32_t address = image_elf_load_address(elf, load);
        if ((uint64_t)address + load->size - 1 > UINT32_MAX)
            return elf_fail(elf, status_fail(elf->report, STATUS_IMAGE_OUT_OF_RANGE,
                                             "segment %u at 0x%08lX (0x%lX bytes) runs past address 0xFFFFFFFF",
                                             load->index, (unsigned long)address, (unsigned long)load->size));
        if (load->offset < elf->offset)
            return elf_fail(elf, status_fail(elf->report, STATUS_IMAGE_TOO_COMPLEX,
                                             "ELF segment %u data at offset 0x%lX is before the end of the program "
                                             "headers (0x%lX)",
                                             load->index, (unsigned long)load->offset, (unsigned long)elf->offset));
        if (load->offset + load->size > elf->data_end)
            elf->data_end = load->offset + load->size;
    }
    elf->stage = IMAGE_ELF_DATA;
    return STATUS_OK;
}

/* Gives every kept segment its share of the chunk that starts at file offset elf->offset. */
static enum status elf_pass_data(struct image_elf *elf, const uint8_t *bytes, uint32_t len)
{
    uint64_t chunk_start = elf->offset, chunk_end = chunk_start + len;
    for (unsigned i = 0; i < elf->load_count; i++) {
        const struct image_elf_load *load = &elf->loads[i];
        uint64_t start = load->offset > chunk_start ? load->offset : chunk_start;
        uint64_t end = (uint64_t)load->offset + load->size;
        if (end > chunk_end)
            end = chunk_end;
        if (start >= end)
            continue;
        uint32_t address = image_elf_load_address(elf, load) + (uint32_t)(start - load->offset);
        enum status status = elf->sink.data(elf->sink.ctx, address, bytes + (start - chunk_start),
                                            (uint32_t)(end - start), (uint32_t)start);
        if (status != STATUS_OK)
            return elf_fail(elf, status);
    }
    return STATUS_OK;
}

/* Consumes what it can of bytes[0..len) in the current stage; returns how much through *used. */
static enum status elf_step(struct image_elf *elf, const uint8_t *bytes, uint32_t len, uint32_t *used)
{
    uint32_t take;
    enum status status = STATUS_OK;
    switch (elf->stage) {
    case IMAGE_ELF_HEADER:
    case IMAGE_ELF_TABLE: {
        unsigned want = elf->stage == IMAGE_ELF_HEADER ? IMAGE_ELF_HEADER_SIZE : IMAGE_ELF_PHDR_SIZE;
        take = want - elf->buffer_fill;
        if (take > len)
            take = len;
        memcpy(elf->buffer + elf->buffer_fill, bytes, take);
        elf->buffer_fill = (uint8_t)(elf->buffer_fill + take);
        elf->offset += take;
        if (elf->buffer_fill == want) {
            elf->buffer_fill = 0;
            if (elf->stage == IMAGE_ELF_HEADER) {
                status = elf_check_header(elf);
                elf->stage = IMAGE_ELF_BEFORE_TABLE;
            } else {
                status = elf_add_program_header(elf);
                elf->headers_read++;
            }
        }
        break;
    }
    case IMAGE_ELF_BEFORE_TABLE:
        take = elf->table_offset - elf->offset;
        if (take > len)
            take = len;
        elf->offset += take;
        if (elf->offset == elf->table_offset)
            elf->stage = IMAGE_ELF_TABLE;
        break;
    default: /* IMAGE_ELF_DATA */
        take = len;
        if (elf->offset < elf->data_end) /* past it: symbols, sections, nothing to load */
            status = elf_pass_data(elf, bytes, len);
        elf->offset += take;
        break;
    }
    if (status == STATUS_OK && elf->stage == IMAGE_ELF_TABLE && elf->headers_read == elf->table_count)
        status = elf_table_done(elf);
    *used = take;
    return status;
}

enum status image_elf_feed(struct image_elf *elf, const uint8_t *bytes, size_t len)
{
    if (elf->failure != STATUS_OK)
        return elf->failure;
    if (len > UINT32_MAX - elf->offset)
        return elf_fail(elf, status_fail(elf->report, STATUS_IMAGE_FORMAT, "ELF file larger than 4 GB"));
    uint32_t left = (uint32_t)len;
    while (left > 0) {
        uint32_t used;
        enum status status = elf_step(elf, bytes, left, &used);
        if (status != STATUS_OK)
            return status;
        bytes += used;
        left -= used;
    }
    return STATUS_OK;
}

enum status image_elf_finish(struct image_elf *elf)
{
    if (elf->failure != STATUS_OK)
        return elf->failure;
    unsigned long end = (unsigned long)elf->offset;
    switch (elf->stage) {
    case IMAGE_ELF_HEADER:
        if (elf->offset == 0)
            return elf_fail(elf, status_fail(elf->report, STATUS_IMAGE_TRUNCATED, "empty ELF file"));
        return elf_fail(elf, status_fail(elf->report, STATUS_IMAGE_TRUNCATED,
                                         "file ends at offset 0x%lX, inside the ELF header", end));
    case IMAGE_ELF_BEFORE_TABLE:
    case IMAGE_ELF_TABLE:
        return elf_fail(
            elf, status_fail(elf->report, STATUS_IMAGE_TRUNCATED,
                             "file ends at offset 0x%lX, before the end of the program headers "
                             "(0x%lX..0x%lX)",
                             end, (unsigned long)elf->table_offset,
                             (unsigned long)(elf->table_offset + (uint32_t)elf->table_count * IMAGE_ELF_PHDR_SIZE)));
    default: break;
    }
    for (unsigned i = 0; i < elf->load_count; i++) {
        const struct image_elf_load *load = &elf->loads[i];
        uint32_t load_end = load->offset + load->size;
        if (load_end > elf->offset)
            return elf_fail(elf, status_fail(elf->report, STATUS_IMAGE_TRUNCATED,
                                             "segment %u (at 0x%08lX) needs the file up to offset 0x%lX, it ends at "
                                             "0x%lX",
                                             load->index, (unsigned long)image_elf_load_address(elf, load),
                                             (unsigned long)load_end, end));
    }
    return STATUS_OK;
}
