/*
 * gdb_breakpoints.c - `Z`/`z` 0-4. Breakpoints of either kind go to an FPB comparator when the unit can break at
 * the address (revision 1: below 0x20000000, flash; revision 2: anywhere); a software breakpoint (Z0) elsewhere
 * is a BKPT instruction written into RAM, the replaced halfword kept to be put back. Watchpoints take a DWT
 * comparator over the smallest aligned power-of-two range that covers what the client watches; the stop reports
 * the address the client asked for.
 */
#include <string.h>

#include "cortexm/cortexm_regs.h"
#include "gdb/gdb_server.h"

#define GDB_DWT_FUNCTION_MATCHED (1u << 24)
#define GDB_ERROR_BREAKPOINT 0x05u
#define GDB_IN_USE 1u

static bool gdb_fpb_reaches(const struct gdb_server *server, uint32_t address)
{
    return server->core.fpb_revision == 1 || address < CORTEXM_FP_CODE_REGION_END;
}

static enum status gdb_hardware_breakpoint(struct gdb_server *server, bool insert, uint32_t address, bool *placed)
{
    unsigned count = server->core.fpb_comparators < GDB_MAX_COMPARATORS ? server->core.fpb_comparators
                                                                       : GDB_MAX_COMPARATORS;
    *placed = false;
    for (unsigned i = 0; i < count; i++) {
        uint32_t used = server->hardware_breakpoints[i];
        bool here = used == (address | GDB_IN_USE);
        if (insert ? (here || used == 0) : here) {
            enum status status = insert ? cortexm_set_breakpoint(&server->core, i, address)
                                        : cortexm_clear_breakpoint(&server->core, i);
            if (status == STATUS_OK)
                server->hardware_breakpoints[i] = insert ? address | GDB_IN_USE : 0;
            *placed = status == STATUS_OK;
            return status;
        }
    }
    return STATUS_OK;
}

static enum status gdb_software_breakpoint(struct gdb_server *server, bool insert, uint32_t address, bool *placed)
{
    *placed = false;
    for (unsigned i = 0; i < GDB_SOFTWARE_BREAKPOINTS; i++) {
        struct gdb_software_breakpoint *breakpoint = &server->software_breakpoints[i];
        if (insert ? breakpoint->address != 0 : breakpoint->address != address)
            continue;
        enum status status;
        if (insert) {
            status = adi_mem_read16(&server->ap, address, &breakpoint->saved);
            if (status == STATUS_OK)
                status = adi_mem_write16(&server->ap, address, CORTEXM_THUMB_BKPT);
            uint16_t back = 0;
            if (status == STATUS_OK)
                status = adi_mem_read16(&server->ap, address, &back);
            if (status == STATUS_OK && back != CORTEXM_THUMB_BKPT) /* flash or ROM: the write did nothing */
                return status_fail(&server->report, STATUS_UNSUPPORTED,
                                   "breakpoint at 0x%08lx: the memory there cannot take a BKPT instruction",
                                   (unsigned long)address);
        } else {
            status = adi_mem_write16(&server->ap, address, breakpoint->saved);
        }
        if (status == STATUS_OK)
            breakpoint->address = insert ? address : 0;
        *placed = status == STATUS_OK;
        return status;
    }
    return STATUS_OK;
}

/* The DWT range: a power of two, aligned to itself, that covers address..address+length-1. */
static void gdb_watch_range(uint32_t address, uint32_t length, uint32_t *base, uint32_t *size)
{
    uint32_t span = 1;
    while (span < length && span < 0x80000000u)
        span <<= 1;
    while (span < 0x80000000u && (address & ~(span - 1u)) + span < address + length)
        span <<= 1;
    *base = address & ~(span - 1u);
    *size = span;
}

static enum status gdb_watchpoint(struct gdb_server *server, bool insert, unsigned type, uint32_t address,
                                  uint32_t length, bool *placed)
{
    static const enum cortexm_watch_kind kinds[] = {CORTEXM_WATCH_WRITE, CORTEXM_WATCH_READ, CORTEXM_WATCH_ACCESS};
    unsigned count = server->core.dwt_comparators < GDB_MAX_COMPARATORS ? server->core.dwt_comparators
                                                                       : GDB_MAX_COMPARATORS;
    *placed = false;
    for (unsigned i = 0; i < count; i++) {
        struct gdb_watchpoint *watch = &server->watchpoints[i];
        bool here = watch->kind == type && watch->address == address && watch->length == length;
        if (insert ? watch->kind != 0 : !here)
            continue;
        enum status status;
        if (insert) {
            uint32_t base, size;
            gdb_watch_range(address, length, &base, &size);
            status = cortexm_set_watchpoint(&server->core, i, base, size, kinds[type - 2]);
        } else {
            status = cortexm_clear_watchpoint(&server->core, i);
        }
        if (status == STATUS_OK)
            *watch = insert ? (struct gdb_watchpoint){address, length, (uint8_t)type} : (struct gdb_watchpoint){0};
        *placed = status == STATUS_OK;
        return status;
    }
    return STATUS_OK;
}

/* TYPE,ADDR,KIND */
void gdb_breakpoint_packet(struct gdb_server *server, bool insert, const char *args)
{
    uint32_t type, address, kind;
    if (!gdb_parse_hex(&args, &type, ',') || !gdb_parse_hex(&args, &address, ',') || !gdb_parse_hex(&args, &kind, 0) ||
        type > 4 || (*args != '\0' && *args != ';')) {
        gdb_send_error(server, GDB_ERROR_BREAKPOINT);
        return;
    }
    status_clear(&server->report);
    bool placed = false;
    enum status status = STATUS_OK;
    if (type >= 2) {
        status = gdb_watchpoint(server, insert, type, address, kind, &placed);
    } else {
        address &= ~1u;
        if (gdb_fpb_reaches(server, address))
            status = gdb_hardware_breakpoint(server, insert, address, &placed);
        if (status == STATUS_OK && !placed && type == 0)
            status = gdb_software_breakpoint(server, insert, address, &placed);
    }
    if (status == STATUS_OK && !placed && !insert) {
        gdb_send_ok(server); /* removing what is not there: done */
        return;
    }
    if (status != STATUS_OK || !placed) {
        if (status == STATUS_OK)
            gdb_console(server, "no free %s for 0x%08lx\n", type >= 2 ? "watchpoint comparator" : "breakpoint",
                        (unsigned long)address);
        else
            gdb_console_failure(server, insert ? "inserting a breakpoint" : "removing a breakpoint");
        gdb_send_error(server, GDB_ERROR_BREAKPOINT);
        return;
    }
    gdb_send_ok(server);
}

void gdb_breakpoints_remove_all(struct gdb_server *server)
{
    bool placed;
    for (unsigned i = 0; i < GDB_SOFTWARE_BREAKPOINTS; i++) {
        uint32_t address = server->software_breakpoints[i].address;
        if (address != 0)
            (void)gdb_software_breakpoint(server, false, address, &placed);
    }
    for (unsigned i = 0; i < GDB_MAX_COMPARATORS; i++) {
        if (i < server->core.fpb_comparators)
            (void)cortexm_clear_breakpoint(&server->core, i);
        if (i < server->core.dwt_comparators)
            (void)cortexm_clear_watchpoint(&server->core, i);
    }
    memset(server->hardware_breakpoints, 0, sizeof server->hardware_breakpoints);
    memset(server->watchpoints, 0, sizeof server->watchpoints);
}

bool gdb_watchpoint_hit(struct gdb_server *server, uint32_t *address, unsigned *kind)
{
    bool found = false;
    for (unsigned i = 0; i < GDB_MAX_COMPARATORS && i < server->core.dwt_comparators; i++) {
        uint32_t function = 0;
        /* MATCHED clears when read: every comparator is read, so none carries a stale match into the next stop. */
        if (adi_mem_read32(&server->ap, CORTEXM_DWT_FUNCTION(i), &function) != STATUS_OK)
            continue;
        if (!found && (function & GDB_DWT_FUNCTION_MATCHED) && server->watchpoints[i].kind != 0) {
            *address = server->watchpoints[i].address;
            *kind = server->watchpoints[i].kind;
            found = true;
        }
    }
    return found;
}
