/*
 * gdb_registers.c - the register file as the target description numbers it (gdb_query.c writes the same order):
 * r0-r12, sp, lr, pc (0-15), xpsr (16), msp (17), psp (18), then on a part with an FPU d0-d15 (19-34, each two S
 * registers) and fpscr (35). Values travel in target byte order (little-endian hex).
 */
#include <string.h>

#include "gdb/gdb_server.h"

#define GDB_REG_XPSR 16u
#define GDB_REG_MSP 17u
#define GDB_REG_PSP 18u
#define GDB_REG_D0 19u
#define GDB_REG_FPSCR 35u
#define GDB_CORE_REGISTERS 19u
#define GDB_FPU_REGISTERS 36u
#define GDB_ERROR_REGISTER 0x04u

static unsigned gdb_register_count(const struct gdb_server *server)
{
    return server->core.has_fpu ? GDB_FPU_REGISTERS : GDB_CORE_REGISTERS;
}

/* Bytes of register n: 8 for the D registers, 4 for the others. */
static unsigned gdb_register_size(unsigned n)
{
    return n >= GDB_REG_D0 && n < GDB_REG_FPSCR ? 8u : 4u;
}

static unsigned gdb_register_selector(unsigned n)
{
    if (n < GDB_REG_XPSR)
        return n;
    if (n == GDB_REG_XPSR)
        return CORTEXM_REG_XPSR;
    if (n == GDB_REG_MSP)
        return CORTEXM_REG_MSP;
    if (n == GDB_REG_PSP)
        return CORTEXM_REG_PSP;
    return CORTEXM_REG_FPSCR;
}

static void gdb_put32(uint8_t *out, uint32_t value)
{
    for (unsigned i = 0; i < 4; i++)
        out[i] = (uint8_t)(value >> (8 * i));
}

static uint32_t gdb_get32(const uint8_t *in)
{
    return (uint32_t)in[0] | (uint32_t)in[1] << 8 | (uint32_t)in[2] << 16 | (uint32_t)in[3] << 24;
}

static enum status gdb_read_register(struct gdb_server *server, unsigned n, uint8_t *out)
{
    if (n >= GDB_REG_D0 && n < GDB_REG_FPSCR) {
        unsigned s = CORTEXM_REG_S0 + 2 * (n - GDB_REG_D0);
        uint32_t low = 0, high = 0;
        enum status status = cortexm_read_reg(&server->core, s, &low);
        if (status == STATUS_OK)
            status = cortexm_read_reg(&server->core, s + 1, &high);
        gdb_put32(out, low);
        gdb_put32(out + 4, high);
        return status;
    }
    uint32_t value = 0;
    enum status status = cortexm_read_reg(&server->core, gdb_register_selector(n), &value);
    gdb_put32(out, value);
    return status;
}

static enum status gdb_write_register(struct gdb_server *server, unsigned n, const uint8_t *in)
{
    if (n >= GDB_REG_D0 && n < GDB_REG_FPSCR) {
        unsigned s = CORTEXM_REG_S0 + 2 * (n - GDB_REG_D0);
        enum status status = cortexm_write_reg(&server->core, s, gdb_get32(in));
        return status == STATUS_OK ? cortexm_write_reg(&server->core, s + 1, gdb_get32(in + 4)) : status;
    }
    return cortexm_write_reg(&server->core, gdb_register_selector(n), gdb_get32(in));
}

/* A register the core would not give or take: the reason where the client can read it, and an error. */
static void gdb_register_failure(struct gdb_server *server, const char *doing)
{
    gdb_console_failure(server, doing);
    gdb_send_error(server, GDB_ERROR_REGISTER);
}

void gdb_registers_read_all(struct gdb_server *server)
{
    size_t len = 0;
    for (unsigned n = 0; n < gdb_register_count(server); n++) {
        if (gdb_read_register(server, n, server->data + len) != STATUS_OK) {
            gdb_register_failure(server, "reading registers");
            return;
        }
        len += gdb_register_size(n);
    }
    char *body = (char *)server->rx;
    gdb_hex_encode(server->data, len, body);
    gdb_send_packet(server, body, 2 * len);
}

void gdb_registers_write_all(struct gdb_server *server, const char *hex)
{
    size_t digits = strlen(hex), offset = 0;
    for (unsigned n = 0; n < gdb_register_count(server) && offset < digits; n++) {
        unsigned size = gdb_register_size(n);
        uint8_t value[8];
        if (offset + 2 * size > digits || !gdb_hex_decode(hex + offset, 2 * size, value)) {
            gdb_send_error(server, GDB_ERROR_REGISTER);
            return;
        }
        if (gdb_write_register(server, n, value) != STATUS_OK) {
            gdb_register_failure(server, "writing registers");
            return;
        }
        offset += 2 * size;
    }
    gdb_send_ok(server);
}

/* p N */
void gdb_register_read(struct gdb_server *server, const char *args)
{
    uint32_t n;
    uint8_t value[8];
    char body[16];
    if (!gdb_parse_hex(&args, &n, 0) || *args != '\0' || n >= gdb_register_count(server)) {
        gdb_send_error(server, GDB_ERROR_REGISTER);
        return;
    }
    if (gdb_read_register(server, n, value) != STATUS_OK) {
        gdb_register_failure(server, "reading a register");
        return;
    }
    gdb_hex_encode(value, gdb_register_size(n), body);
    gdb_send_packet(server, body, 2 * gdb_register_size(n));
}

/* P N=VALUE */
void gdb_register_write(struct gdb_server *server, const char *args)
{
    uint32_t n;
    uint8_t value[8];
    if (!gdb_parse_hex(&args, &n, '=') || n >= gdb_register_count(server) ||
        strlen(args) != 2 * gdb_register_size(n) || !gdb_hex_decode(args, 2 * gdb_register_size(n), value)) {
        gdb_send_error(server, GDB_ERROR_REGISTER);
        return;
    }
    if (gdb_write_register(server, n, value) != STATUS_OK) {
        gdb_register_failure(server, "writing a register");
        return;
    }
    gdb_send_ok(server);
}
