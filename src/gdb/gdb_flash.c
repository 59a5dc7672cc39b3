/*
 * gdb_flash.c - `load` through vFlashErase, vFlashWrite and vFlashDone, with the flash drivers a flash job uses
 * (stm32_flash_ops). Data is programmed as it arrives, straight from the packet buffer: only the bytes short of a
 * whole program unit wait for the next write, and vFlashDone pads the last unit with the erased value.
 */
#include <string.h>

#include "gdb/gdb_server.h"
#include "stm32/stm32_flash.h"

#define GDB_ERROR_FLASH 0x07u
#define GDB_FLASH_ERASED 0xFFu

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

/* The waiting partial unit, padded with the erased value. */
static enum status gdb_flash_flush(struct gdb_server *server)
{
    uint32_t unit = server->target.memory.program_unit;
    if (server->flash_pending_len == 0)
        return STATUS_OK;
    memset(server->flash_pending + server->flash_pending_len, GDB_FLASH_ERASED, unit - server->flash_pending_len);
    server->flash_pending_len = 0;
    return gdb_flash_ops(server)->program(&server->target, server->flash_pending_address, server->flash_pending, unit);
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
        memset(server->flash_pending, GDB_FLASH_ERASED, server->flash_pending_len);
        taken = gdb_flash_gather(server, address, bytes, count);
        address += taken, bytes += taken, count -= taken;
        if (server->flash_pending_len == unit)
            status = gdb_flash_flush(server);
    }
    uint32_t whole = count & ~(unit - 1u);
    if (status == STATUS_OK && whole != 0)
        status = gdb_flash_ops(server)->program(&server->target, address, bytes, whole);
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
