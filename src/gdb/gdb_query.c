/*
 * gdb_query.c - `q` and `Q` packets: what the server supports, the target description and memory map documents
 * (qXfer, read in slices at the client's offsets), the one thread, and monitor commands (qRcmd).
 *
 * The documents are written again for each slice by a writer that keeps only the bytes the slice asks for, so no
 * buffer holds a whole document. They contain no byte that qXfer's binary reply would have to escape.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "gdb/gdb_server.h"

#define GDB_ERROR_QUERY 0x06u

/* Writes the bytes of a document that fall in [skip, skip + room) into out. */
struct gdb_slice {
    char *out;
    uint32_t skip, room, position, written;
};

static void gdb_slice_write(struct gdb_slice *slice, const char *format, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
static void gdb_slice_write(struct gdb_slice *slice, const char *format, ...)
{
    char text[384]; /* longer than any piece below */
    va_list args;
    va_start(args, format);
    int len = vsnprintf(text, sizeof text, format, args);
    va_end(args);
    for (int i = 0; i < len && i < (int)sizeof text - 1; i++, slice->position++)
        if (slice->position >= slice->skip && slice->written < slice->room)
            slice->out[slice->written++] = text[i];
}

static void gdb_target_description(struct gdb_server *server, struct gdb_slice *slice)
{
    gdb_slice_write(slice, "<?xml version=\"1.0\"?><!DOCTYPE target SYSTEM \"gdb-target.dtd\"><target>"
                           "<architecture>arm</architecture><feature name=\"org.gnu.gdb.arm.m-profile\">");
    for (unsigned n = 0; n <= 12; n++)
        gdb_slice_write(slice, "<reg name=\"r%u\" bitsize=\"32\" regnum=\"%u\"/>", n, n);
    gdb_slice_write(slice, "<reg name=\"sp\" bitsize=\"32\" type=\"data_ptr\"/><reg name=\"lr\" bitsize=\"32\"/>"
                           "<reg name=\"pc\" bitsize=\"32\" type=\"code_ptr\"/><reg name=\"xpsr\" bitsize=\"32\"/>"
                           "</feature><feature name=\"org.gnu.gdb.arm.m-system\">"
                           "<reg name=\"msp\" bitsize=\"32\" type=\"data_ptr\"/>"
                           "<reg name=\"psp\" bitsize=\"32\" type=\"data_ptr\"/></feature>");
    if (server->core.has_fpu) {
        gdb_slice_write(slice, "<feature name=\"org.gnu.gdb.arm.vfp\">");
        for (unsigned n = 0; n < 16; n++)
            gdb_slice_write(slice, "<reg name=\"d%u\" bitsize=\"64\" type=\"ieee_double\"/>", n);
        gdb_slice_write(slice, "<reg name=\"fpscr\" bitsize=\"32\" type=\"int\" group=\"float\"/></feature>");
    }
    gdb_slice_write(slice, "</target>");
}

/* Flash with its erase units (one region per run of equal units), RAM, and the peripheral and system spaces as
 * RAM too: a memory map makes the client refuse any address it does not list. */
static void gdb_memory_map(struct gdb_server *server, struct gdb_slice *slice)
{
    const struct image_target *memory = &server->target.memory;
    gdb_slice_write(slice, "<?xml version=\"1.0\"?><!DOCTYPE memory-map PUBLIC \"+//IDN gnu.org//DTD GDB Memory Map "
                           "V1.0//EN\" \"http://sourceware.org/gdb/gdb-memory-map.dtd\"><memory-map>");
    uint32_t base = memory->flash.base;
    for (unsigned i = 0; i < AIRSWD_IMAGE_MAX_ERASE_RUNS && memory->erase_runs[i].count != 0; i++) {
        const struct image_erase_run *run = &memory->erase_runs[i];
        gdb_slice_write(slice,
                        "<memory type=\"flash\" start=\"0x%lx\" length=\"0x%lx\"><property name=\"blocksize\">0x%lx"
                        "</property></memory>",
                        (unsigned long)base, (unsigned long)(run->unit_size * run->count),
                        (unsigned long)run->unit_size);
        base += run->unit_size * run->count;
    }
    for (unsigned i = 0; i < AIRSWD_IMAGE_MAX_RAM_RANGES; i++)
        if (memory->ram[i].size != 0)
            gdb_slice_write(slice, "<memory type=\"ram\" start=\"0x%lx\" length=\"0x%lx\"/>",
                            (unsigned long)memory->ram[i].base, (unsigned long)memory->ram[i].size);
    gdb_slice_write(slice, "<memory type=\"ram\" start=\"0x40000000\" length=\"0x20000000\"/>"
                           "<memory type=\"ram\" start=\"0xe0000000\" length=\"0x20000000\"/></memory-map>");
}

/* qXfer:OBJECT:read:ANNEX:OFFSET,LENGTH */
static void gdb_xfer(struct gdb_server *server, const char *args, bool features)
{
    uint32_t offset, length;
    if (!gdb_parse_hex(&args, &offset, ',') || !gdb_parse_hex(&args, &length, 0)) {
        gdb_send_error(server, GDB_ERROR_QUERY);
        return;
    }
    if (!server->connected) {
        gdb_send_error(server, GDB_ERROR_QUERY); /* no part yet: the client asks again after attach */
        return;
    }
    char *body = (char *)server->data; /* data and the reply never meet: the document is written, then sent */
    uint32_t room = sizeof server->data - 1;
    struct gdb_slice slice = {.out = body + 1, .skip = offset, .room = length < room ? length : room};
    if (features)
        gdb_target_description(server, &slice);
    else
        gdb_memory_map(server, &slice);
    body[0] = slice.position > offset + slice.written ? 'm' : 'l';
    gdb_send_packet(server, body, 1 + slice.written);
}

static void gdb_supported(struct gdb_server *server, const char *features)
{
    server->client_swbreak = strstr(features, "swbreak+") != NULL;
    server->client_hwbreak = strstr(features, "hwbreak+") != NULL;
    char body[160];
    snprintf(body, sizeof body,
             "PacketSize=%x;qXfer:features:read+;qXfer:memory-map:read+;QStartNoAckMode+;vContSupported+;"
             "swbreak+;hwbreak+",
             GDB_PACKET_MAX);
    gdb_send_text(server, body);
}

static void gdb_rcmd(struct gdb_server *server, const char *hex)
{
    size_t digits = strlen(hex);
    if (digits / 2 >= sizeof server->data || !gdb_hex_decode(hex, digits, server->data)) {
        gdb_send_error(server, GDB_ERROR_QUERY);
        return;
    }
    char *command = (char *)server->data;
    command[digits / 2] = '\0';
    server->console_open = true;
    gdb_monitor_command(server, command);
    server->console_open = false;
}

static bool gdb_starts(const char *body, const char *prefix)
{
    return strncmp(body, prefix, strlen(prefix)) == 0;
}

void gdb_query_packet(struct gdb_server *server, const char *body)
{
    if (gdb_starts(body, "qSupported")) {
        gdb_supported(server, body);
    } else if (strcmp(body, "QStartNoAckMode") == 0) {
        gdb_send_ok(server); /* acknowledged with the last ack: from the next packet on there are none */
        server->no_ack = true;
    } else if (gdb_starts(body, "qXfer:features:read:target.xml:")) {
        gdb_xfer(server, body + strlen("qXfer:features:read:target.xml:"), true);
    } else if (gdb_starts(body, "qXfer:memory-map:read::")) {
        gdb_xfer(server, body + strlen("qXfer:memory-map:read::"), false);
    } else if (gdb_starts(body, "qRcmd,")) {
        gdb_rcmd(server, body + strlen("qRcmd,"));
    } else if (strcmp(body, "qAttached") == 0) {
        gdb_send_text(server, "1"); /* attached to an existing process: detach, not kill, when the client quits */
    } else if (strcmp(body, "qC") == 0) {
        gdb_send_text(server, "QC1");
    } else if (strcmp(body, "qfThreadInfo") == 0) {
        gdb_send_text(server, server->attached ? "m1" : "l");
    } else if (strcmp(body, "qsThreadInfo") == 0) {
        gdb_send_text(server, "l");
    } else if (strcmp(body, "qOffsets") == 0) {
        gdb_send_text(server, "Text=0;Data=0;Bss=0");
    } else if (gdb_starts(body, "qSymbol")) {
        gdb_send_ok(server); /* no symbols wanted */
    } else {
        gdb_send_text(server, ""); /* qCRC, qTStatus and the rest: not supported, the client has fallbacks */
    }
}
