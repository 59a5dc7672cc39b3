/*
 * image_test_files.c - recording sink and file builders for the src/image tests.
 */
#include "image_test_files.h"

#include <stdio.h>
#include <string.h>

static enum status recording_data(void *ctx, uint32_t address, const uint8_t *bytes, uint32_t len, uint32_t file_offset)
{
    struct recording *recording = ctx;
    if (recording->answer != STATUS_OK)
        return status_fail(recording->report, recording->answer, "refused by the sink");
    if (recording->call_count == RECORDING_MAX_CALLS || recording->byte_count + len > RECORDING_MAX_BYTES)
        return STATUS_INVALID_ARGUMENT;
    recording->calls[recording->call_count++] =
        (struct recorded_call){address, len, file_offset, (uint32_t)recording->byte_count};
    memcpy(recording->bytes + recording->byte_count, bytes, len);
    recording->byte_count += len;
    return STATUS_OK;
}

static void recording_entry(void *ctx, uint32_t address)
{
    struct recording *recording = ctx;
    recording->has_entry = true;
    recording->entry = address;
}

void recording_clear(struct recording *recording)
{
    recording->call_count = 0;
    recording->byte_count = 0;
    recording->has_entry = false;
    recording->entry = 0;
    recording->answer = STATUS_OK;
    recording->report = NULL;
}

struct image_sink recording_sink(struct recording *recording)
{
    return (struct image_sink){.data = recording_data, .entry = recording_entry, .ctx = recording};
}

int recording_byte_at(const struct recording *recording, uint32_t address)
{
    int value = -1;
    for (size_t i = 0; i < recording->call_count; i++) {
        const struct recorded_call *call = &recording->calls[i];
        if (address - call->address < call->len)
            value = recording->bytes[call->byte_index + (address - call->address)];
    }
    return value;
}

/* Every byte of a is in b with the same value, and both hold as many bytes. */
bool recordings_same_memory(const struct recording *a, const struct recording *b)
{
    if (a->byte_count != b->byte_count)
        return false;
    for (size_t i = 0; i < a->call_count; i++) {
        const struct recorded_call *call = &a->calls[i];
        for (uint32_t k = 0; k < call->len; k++) {
            if (recording_byte_at(b, call->address + k) != a->bytes[call->byte_index + k])
                return false;
        }
    }
    return true;
}

size_t hex_append_record(char *out, size_t len, uint8_t type, uint16_t address, const uint8_t *data, unsigned count,
                         const char *line_end)
{
    uint8_t sum = (uint8_t)(count + (address >> 8) + (address & 0xFF) + type);
    len += (size_t)sprintf(out + len, ":%02X%04X%02X", count, address, type);
    for (unsigned i = 0; i < count; i++) {
        len += (size_t)sprintf(out + len, "%02X", data[i]);
        sum = (uint8_t)(sum + data[i]);
    }
    len += (size_t)sprintf(out + len, "%02X%s", (uint8_t)(0x100 - sum), line_end);
    return len;
}

size_t hex_append_data(char *out, size_t len, uint32_t address, const uint8_t *bytes, size_t count)
{
    uint32_t upper = UINT32_MAX;
    for (size_t done = 0; done < count;) {
        uint32_t at = address + (uint32_t)done;
        if (at >> 16 != upper) {
            upper = at >> 16;
            uint8_t value[2] = {(uint8_t)(upper >> 8), (uint8_t)upper};
            len = hex_append_record(out, len, 0x04, 0, value, 2, "\n");
        }
        size_t take = count - done < 16 ? count - done : 16;
        uint32_t to_boundary = 0x10000u - (at & 0xFFFFu);
        if (take > to_boundary)
            take = to_boundary;
        len = hex_append_record(out, len, 0x00, (uint16_t)at, bytes + done, (unsigned)take, "\n");
        done += take;
    }
    return len;
}

struct test_elf test_elf_arm(void)
{
    return (struct test_elf){.elf_class = 1, .data_order = 1, .machine = 40, .type = 2, .phentsize = 32, .phoff = 52};
}

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

size_t test_elf_build(const struct test_elf *elf, uint8_t *out, size_t capacity)
{
    memset(out, 0, capacity);
    size_t end = 52;
    memcpy(out,
           "\x7F"
           "ELF",
           4);
    out[4] = elf->elf_class;
    out[5] = elf->data_order;
    out[6] = 1;
    put16(out + 16, elf->type);
    put16(out + 18, elf->machine);
    put32(out + 20, 1);
    put32(out + 24, elf->entry);
    put32(out + 28, elf->phoff);
    put16(out + 40, 52);
    put16(out + 42, elf->phentsize);
    put16(out + 44, (uint16_t)elf->header_count);
    for (unsigned i = 0; i < elf->header_count; i++) {
        const struct test_elf_header *h = &elf->headers[i];
        uint8_t *p = out + elf->phoff + 32u * i;
        put32(p + 0, h->type);
        put32(p + 4, h->offset);
        put32(p + 8, h->vaddr);
        put32(p + 12, h->paddr);
        put32(p + 16, h->filesz);
        put32(p + 20, h->memsz);
        put32(p + 24, 7);
        put32(p + 28, 4);
        if (elf->phoff + 32u * (i + 1) > end)
            end = elf->phoff + 32u * (i + 1);
        if (h->data != NULL) {
            memcpy(out + h->offset, h->data, h->filesz);
            if (h->offset + h->filesz > end)
                end = h->offset + h->filesz;
        }
    }
    return elf->file_size != 0 ? elf->file_size : end;
}
