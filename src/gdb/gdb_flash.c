/*
 * gdb_flash.c - `load` through vFlashErase, vFlashWrite and vFlashDone, with the flash drivers a flash job uses
 * (stm32_flash_ops). Data is programmed as it arrives, straight from the packet buffer: only the bytes short of a
 * whole program unit wait for the next write, and vFlashDone pads the last unit with the erased value. Each
 * contiguous run programmed keeps the CRC-32 of its bytes; vFlashDone compares it with the CRC the stub of a flash
 * job's verify computes on the target (stubs/crc32.c), so no image is held in RAM and no flash is read back.
 */
#include <string.h>

#include "crc32.h"
#include "gdb/gdb_server.h"
#include "stm32/stm32_flash.h"
#include "stm32/stm32_options.h"
#include "stm32/stm32_stubs.h"

#define GDB_ERROR_FLASH 0x07u
/* The CRC stub's stack above its image (as job_crc.c places it), and its time limit: 8 cycles a byte at a 4 MHz
 * clock, the slowest any STM32 resets to, and a margin. */
#define GDB_STUB_STACK_TOP                                                                                            \
    (STM32_STUB_LOAD_ADDRESS + ((STM32_STUB_CRC32_RAM_SIZE + STM32_STUB_CRC32_STACK_SIZE + 64u + 7u) & ~7u))
#define GDB_STUB_US_PER_KB 2048u
#define GDB_STUB_MARGIN_US 50000u

static const struct stm32_flash_ops *gdb_flash_ops(struct gdb_server *server)
{
    return stm32_flash_ops(&server->target);
}

static enum status gdb_flash_open(struct gdb_server *server)
{
    if (server->flash_open)
        return STATUS_OK;
    enum status status = gdb_flash_ops(server)->unlock(&server->target);
    server->flash_open = status == STATUS_OK;
    server->flash_pending_len = 0;
    server->flash_started_us = server->config.system->now_us(server->config.system->ctx);
    server->load_bytes = server->load_units = 0;
    server->flash_run_count = 0;
    server->flash_runs_lost = false;
    return status;
}

/* vFlashErase:ADDR,LENGTH: every erase unit the range touches (the client asks for whole units). A range over the
 * whole flash is one mass erase, which costs about one page's time instead of every page's. */
static enum status gdb_flash_erase(struct gdb_server *server, const char *args)
{
    uint32_t address, length, first, last;
    const struct image_target *memory = &server->target.memory;
    if (!gdb_parse_hex(&args, &address, ',') || !gdb_parse_hex(&args, &length, 0) || length == 0 ||
        !image_target_erase_unit_index(memory, address, &first) ||
        !image_target_erase_unit_index(memory, address + length - 1u, &last))
        return status_fail(&server->report, STATUS_INVALID_ARGUMENT, "vFlashErase outside the flash");
    enum status status = gdb_flash_open(server);
    if (status == STATUS_OK && first == 0 && last + 1u == image_target_erase_unit_count(memory)) {
        server->load_units += last + 1u;
        return gdb_flash_ops(server)->mass_erase(&server->target);
    }
    for (uint32_t index = first; status == STATUS_OK && index <= last; index++) {
        struct image_range unit;
        image_target_erase_unit(memory, index, &unit);
        status = gdb_flash_ops(server)->erase_unit(&server->target, index, unit);
        server->load_units++;
    }
    return status;
}

/* Programs whole units and adds them to the run they continue (or to a new one). */
static enum status gdb_flash_program(struct gdb_server *server, uint32_t address, const uint8_t *bytes, uint32_t len)
{
    struct gdb_flash_run *run = server->flash_run_count != 0 ? &server->flash_runs[server->flash_run_count - 1] : NULL;
    if (run == NULL || run->base + run->len != address) {
        run = NULL;
        if (server->flash_run_count < GDB_FLASH_RUNS) {
            run = &server->flash_runs[server->flash_run_count++];
            *run = (struct gdb_flash_run){.base = address};
        } else {
            server->flash_runs_lost = true;
        }
    }
    if (run != NULL) {
        run->crc = crc32_update(run->crc, bytes, len);
        run->len += len;
    }
    return gdb_flash_ops(server)->program(&server->target, address, bytes, len);
}

/* Every run's CRC-32 on the target, by the stub a flash job verifies with (it overwrites the start of SRAM, which
 * the reset after a load gives back to the firmware). */
static enum status gdb_flash_verify(struct gdb_server *server)
{
    if (server->flash_runs_lost) {
        gdb_console(server, "flash written in more than %u pieces: not verified\n", GDB_FLASH_RUNS);
        return STATUS_OK;
    }
    if (server->flash_run_count == 0)
        return STATUS_OK;
    uint8_t stub[(STM32_STUB_CRC32_SIZE + 3u) & ~3u] = {0};
    for (uint32_t i = 0; i < STM32_STUB_CRC32_SIZE; i++)
        stub[i] = stm32_stub_crc32[i];
    enum status status = cortexm_reset_halt(&server->core, CORTEXM_RESET_SYSRESETREQ);
    if (status == STATUS_OK)
        status = adi_mem_write(&server->ap, STM32_STUB_LOAD_ADDRESS, stub, sizeof stub, 4);
    for (unsigned i = 0; i < server->flash_run_count && status == STATUS_OK; i++) {
        const struct gdb_flash_run *run = &server->flash_runs[i];
        const struct cortexm_routine_call call = {
            .entry = STM32_STUB_LOAD_ADDRESS + STM32_STUB_CRC32_ENTRY,
            .stack_top = GDB_STUB_STACK_TOP,
            .args = {run->base, run->len, 0, stm32_line_iwdg_key_register(server->target.part->line)},
        };
        uint32_t crc = 0;
        status = cortexm_run_routine(&server->core, &call, run->len / 1024u * GDB_STUB_US_PER_KB + GDB_STUB_MARGIN_US,
                                     &crc);
        if (status == STATUS_OK && crc != run->crc)
            return status_fail(&server->report, STATUS_VERIFY_MISMATCH,
                               "flash at 0x%08lx..0x%08lx does not hold what was written", (unsigned long)run->base,
                               (unsigned long)(run->base + run->len - 1u));
    }
    return status;
}

/* The waiting partial unit, padded with the erased value. */
static enum status gdb_flash_flush(struct gdb_server *server)
{
    uint32_t unit = server->target.memory.program_unit;
    if (server->flash_pending_len == 0)
        return STATUS_OK;
    memset(server->flash_pending + server->flash_pending_len, server->target.memory.erased_value,
           unit - server->flash_pending_len);
    server->flash_pending_len = 0;
    return gdb_flash_program(server, server->flash_pending_address, server->flash_pending, unit);
}

/* Bytes into the partial unit while they continue it; returns how many it took. */
static uint32_t gdb_flash_gather(struct gdb_server *server, uint32_t address, const uint8_t *bytes, uint32_t len)
{
    uint32_t unit = server->target.memory.program_unit;
    uint32_t end = server->flash_pending_address + server->flash_pending_len;
    if (server->flash_pending_len == 0 || address != end)
        return 0;
    uint32_t take = unit - server->flash_pending_len;
    take = take < len ? take : len;
    memcpy(server->flash_pending + server->flash_pending_len, bytes, take);
    server->flash_pending_len += take;
    return take;
}

/* vFlashWrite:ADDR:BINARY */
static enum status gdb_flash_write(struct gdb_server *server, const char *args, size_t len)
{
    const char *start = args;
    uint32_t address;
    if (!gdb_parse_hex(&args, &address, ':'))
        return status_fail(&server->report, STATUS_INVALID_ARGUMENT, "vFlashWrite without an address");
    uint8_t *bytes = (uint8_t *)args;
    uint32_t count = (uint32_t)gdb_unescape_binary(bytes, len - (size_t)(args - start));
    uint32_t unit = server->target.memory.program_unit;
    enum status status = gdb_flash_open(server);
    server->load_bytes += count;
    uint32_t taken = status == STATUS_OK ? gdb_flash_gather(server, address, bytes, count) : 0;
    address += taken, bytes += taken, count -= taken;
    if (status == STATUS_OK && (server->flash_pending_len == unit || (count != 0 && server->flash_pending_len != 0)))
        status = gdb_flash_flush(server); /* complete, or the new data does not continue it */
    if (status == STATUS_OK && count != 0 && (address & (unit - 1u)) != 0) {
        /* An unaligned start: the unit begins with erased bytes. */
        server->flash_pending_address = address & ~(unit - 1u);
        server->flash_pending_len = address - server->flash_pending_address;
        memset(server->flash_pending, server->target.memory.erased_value, server->flash_pending_len);
        taken = gdb_flash_gather(server, address, bytes, count);
        address += taken, bytes += taken, count -= taken;
        if (server->flash_pending_len == unit)
            status = gdb_flash_flush(server);
    }
    uint32_t whole = count & ~(unit - 1u);
    if (status == STATUS_OK && whole != 0)
        status = gdb_flash_program(server, address, bytes, whole);
    if (status == STATUS_OK && count > whole) {
        server->flash_pending_address = address + whole;
        server->flash_pending_len = count - whole;
        memcpy(server->flash_pending, bytes + whole, count - whole);
    }
    return status;
}

static enum status gdb_flash_done(struct gdb_server *server)
{
    if (!server->flash_open)
        return STATUS_OK;
    enum status status = gdb_flash_flush(server);
    enum status locked = gdb_flash_ops(server)->lock(&server->target);
    server->flash_open = false;
    if (status == STATUS_OK)
        status = locked;
    if (status == STATUS_OK)
        status = gdb_flash_verify(server);
    /* After a blank chip's load the empty-flash boot check would start the ROM: refreshed, as a flash job does. */
    if (status == STATUS_OK)
        status = stm32_options_refresh_boot_check(&server->target);
    server->load_us = server->config.system->now_us(server->config.system->ctx) - server->flash_started_us;
    /* The new firmware from its reset state: the stack pointer and every register as the vector table sets them
     * (the client then writes PC, the entry point, and nothing else). */
    return status == STATUS_OK ? cortexm_reset_halt(&server->core, CORTEXM_RESET_SYSRESETREQ) : status;
}

void gdb_flash_packet(struct gdb_server *server, const char *body, size_t len)
{
    status_clear(&server->report);
    enum status status;
    if (strncmp(body, "vFlashErase:", 12) == 0) {
        status = gdb_flash_erase(server, body + 12);
    } else if (strncmp(body, "vFlashWrite:", 12) == 0) {
        status = gdb_flash_write(server, body + 12, len - 12);
    } else if (strcmp(body, "vFlashDone") == 0) {
        status = gdb_flash_done(server);
    } else {
        gdb_send_text(server, "");
        return;
    }
    if (status != STATUS_OK) {
        gdb_console_failure(server, "flash");
        if (server->flash_open)
            (void)gdb_flash_ops(server)->lock(&server->target);
        server->flash_open = false;
        server->flash_pending_len = 0;
        gdb_send_error(server, GDB_ERROR_FLASH);
        return;
    }
    gdb_send_ok(server);
}
