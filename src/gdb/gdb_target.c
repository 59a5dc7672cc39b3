/*
 * gdb_target.c - the session's hold on the STM32: the wire, the MEM-AP, the core and the part, memory of any size
 * and alignment, and the stop reply that says why the core halted.
 */
#include <stdio.h>
#include <string.h>

#include "cortexm/cortexm_regs.h"
#include "gdb/gdb_server.h"

#define GDB_SIGNAL_INT 2u
#define GDB_SIGNAL_TRAP 5u
#define GDB_SIGNAL_SEGV 11u
#define GDB_BFAR 0xE000ED38u
#define GDB_EXC_RETURN_PSP (1u << 2) /* EXC_RETURN: the frame is on the process stack (ARMv7-M B1.5.8) */ /* BusFault address (ARMv7-M B3.2.18) */

enum status gdb_target_connect(struct gdb_server *server)
{
    const struct gdb_config *config = &server->config;
    status_clear(&server->report);
    server->connected = false;
    server->attached = false;
    swd_init(&server->swd, config->swd, config->system, &server->report);
    if (config->swclk_hz != 0 && config->swd->set_clock_hz != NULL)
        (void)swd_set_clock_hz(&server->swd, config->swclk_hz);
    enum status status;
    if (server->connect_under_reset) {
        status = cortexm_attach_under_reset(&server->core, &server->ap, &server->dp, &server->swd, config->system,
                                            config->pins, &server->report);
    } else {
        status = adi_dp_attach(&server->dp, &server->swd);
        if (status == STATUS_OK)
            status = adi_mem_ap_find(&server->ap, &server->dp);
        if (status == STATUS_OK)
            status = cortexm_attach(&server->core, &server->ap, config->system, config->pins, &server->report);
    }
    if (status == STATUS_OK)
        status = stm32_identify(&server->target, &server->ap, config->system, &server->report);
    if (status != STATUS_OK)
        return status;
    memset(server->hardware_breakpoints, 0, sizeof server->hardware_breakpoints);
    memset(server->software_breakpoints, 0, sizeof server->software_breakpoints);
    memset(server->watchpoints, 0, sizeof server->watchpoints);
    server->connected = true;
    return STATUS_OK;
}

/* Halted, with watchdogs frozen while it stays halted and every fault caught before its handler runs, so that the
 * client sees the fault where it happened. */
enum status gdb_target_attach(struct gdb_server *server)
{
    enum status status = server->connected ? STATUS_OK : gdb_target_connect(server);
    if (status == STATUS_OK && cortexm_halt(&server->core) != STATUS_OK) {
        /* Locked up (a blank part faults at once) or stuck: a reset halts it before its first instruction. */
        status_clear(&server->report);
        status = cortexm_reset_halt(&server->core, CORTEXM_RESET_SYSRESETREQ);
    }
    const struct stm32_part *part = server->target.part;
    uint32_t value = 0;
    if (status == STATUS_OK)
        status = adi_mem_read32(&server->ap, part->line->watchdog_freeze_register, &value);
    if (status == STATUS_OK)
        status = adi_mem_write32(&server->ap, part->line->watchdog_freeze_register,
                                 value | part->line->watchdog_freeze_bits);
    uint32_t catches = server->core.armv6m ? CORTEXM_DEMCR_VC_HARDERR : CORTEXM_DEMCR_VC_FAULTS_V7M;
    if (status == STATUS_OK)
        status = adi_mem_read32(&server->ap, CORTEXM_DEMCR, &value);
    if (status == STATUS_OK)
        status = adi_mem_write32(&server->ap, CORTEXM_DEMCR, value | catches | CORTEXM_DEMCR_TRCENA);
    if (status != STATUS_OK) {
        server->connected = false;
        return status;
    }
    server->attached = true;
    return STATUS_OK;
}

/* The largest access width that address and len allow. */
static unsigned gdb_access_width(uint32_t address, uint32_t len)
{
    if ((address & 3u) == 0 && len >= 4)
        return 4;
    if ((address & 1u) == 0 && len >= 2)
        return 2;
    return 1;
}

/* Unaligned heads and tails in bytes and halfwords, the middle in words: registers of peripherals see the width
 * the client meant when it asks for one aligned register. Writes take from out, reads fill in. */
static enum status gdb_memory_transfer(struct gdb_server *server, uint32_t address, const uint8_t *out, uint8_t *in,
                                       uint32_t len)
{
    status_clear(&server->report);
    for (uint32_t done = 0; done < len;) {
        unsigned width = gdb_access_width(address + done, len - done);
        uint32_t chunk = width == 4 ? ((len - done) & ~3u) : width;
        enum status status = out != NULL ? adi_mem_write(&server->ap, address + done, out + done, chunk, width)
                                         : adi_mem_read(&server->ap, address + done, in + done, chunk, width);
        if (status != STATUS_OK)
            return status;
        done += chunk;
    }
    return STATUS_OK;
}

enum status gdb_memory_read(struct gdb_server *server, uint32_t address, uint8_t *bytes, uint32_t len)
{
    return gdb_memory_transfer(server, address, NULL, bytes, len);
}

enum status gdb_memory_write(struct gdb_server *server, uint32_t address, const uint8_t *bytes, uint32_t len)
{
    return gdb_memory_transfer(server, address, bytes, NULL, len);
}

/* A fault caught on its way into its handler: where it came from, on the console. The exception frame holds the
 * faulting instruction's address, on the stack EXC_RETURN in LR names (bit 2: PSP); the fault status registers say
 * what happened (ARMv7-M). */
static void gdb_report_fault(struct gdb_server *server, uint32_t exception)
{
    static const char *const names[] = {"", "", "NMI", "HardFault", "MemManage fault", "BusFault", "UsageFault"};
    uint32_t lr = 0, sp = 0, frame_pc = 0, cfsr = 0, hfsr = 0, bfar = 0;
    enum status status = cortexm_read_reg(&server->core, CORTEXM_REG_LR, &lr);
    if (status == STATUS_OK)
        status = cortexm_read_reg(&server->core, (lr & GDB_EXC_RETURN_PSP) ? CORTEXM_REG_PSP : CORTEXM_REG_MSP, &sp);
    if (status == STATUS_OK)
        status = adi_mem_read32(&server->ap, sp + CORTEXM_FRAME_PC_OFFSET, &frame_pc);
    if (status == STATUS_OK && !server->core.armv6m) {
        (void)adi_mem_read32(&server->ap, CORTEXM_CFSR, &cfsr);
        (void)adi_mem_read32(&server->ap, CORTEXM_HFSR, &hfsr);
        (void)adi_mem_read32(&server->ap, GDB_BFAR, &bfar);
    }
    const char *name = exception < sizeof names / sizeof names[0] ? names[exception] : "fault";
    if (server->core.armv6m)
        gdb_console(server, "%s at 0x%08lx\n", name, (unsigned long)frame_pc);
    else
        gdb_console(server, "%s at 0x%08lx (CFSR 0x%08lx, HFSR 0x%08lx, BFAR 0x%08lx)\n", name,
                    (unsigned long)frame_pc, (unsigned long)cfsr, (unsigned long)hfsr, (unsigned long)bfar);
}

static bool gdb_software_breakpoint_at(struct gdb_server *server, uint32_t pc)
{
    for (unsigned i = 0; i < GDB_SOFTWARE_BREAKPOINTS; i++)
        if (server->software_breakpoints[i].address == pc)
            return true;
    return false;
}

void gdb_stop_reply(struct gdb_server *server)
{
    enum cortexm_halt_reason reason = CORTEXM_HALT_REQUEST;
    uint32_t pc = 0, xpsr = 0;
    enum status status = cortexm_halt_reason(&server->core, &reason);
    if (status == STATUS_OK)
        status = cortexm_read_reg(&server->core, CORTEXM_REG_PC, &pc);
    if (status == STATUS_OK)
        status = cortexm_read_reg(&server->core, CORTEXM_REG_XPSR, &xpsr);
    if (status != STATUS_OK)
        gdb_console_failure(server, "reading why the core stopped");

    char body[64];
    snprintf(body, sizeof body, "T%02x", GDB_SIGNAL_TRAP);
    uint32_t address = 0;
    unsigned kind = 0;
    uint32_t exception = xpsr & CORTEXM_XPSR_IPSR_MASK;
    if (reason == CORTEXM_HALT_WATCHPOINT && gdb_watchpoint_hit(server, &address, &kind)) {
        static const char *const names[] = {"", "", "watch", "rwatch", "awatch"};
        snprintf(body, sizeof body, "T05%s:%lx;", names[kind], (unsigned long)address);
    } else if (reason == CORTEXM_HALT_VECTOR_CATCH && exception >= CORTEXM_EXCEPTION_HARDFAULT &&
               exception <= CORTEXM_EXCEPTION_USAGEFAULT) {
        gdb_report_fault(server, exception);
        snprintf(body, sizeof body, "T%02x", GDB_SIGNAL_SEGV);
    } else if (reason == CORTEXM_HALT_REQUEST && server->interrupted) {
        snprintf(body, sizeof body, "T%02x", GDB_SIGNAL_INT);
    } else if (reason == CORTEXM_HALT_BREAKPOINT) {
        bool software = gdb_software_breakpoint_at(server, pc);
        if (software && server->client_swbreak)
            strcpy(body, "T05swbreak:;");
        else if (!software && server->client_hwbreak)
            strcpy(body, "T05hwbreak:;");
    }
    server->interrupted = false;
    size_t len = strlen(body);
    snprintf(body + len, sizeof body - len, "thread:1;"); /* the client tracks the one thread by it */
    gdb_send_text(server, body);
}
