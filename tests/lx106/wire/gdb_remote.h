/*
 * gdb_remote.h - the client side of the GDB remote serial protocol, as much as the wire test needs to drive QEMU's
 * gdbstub: packets out and in, memory, registers, watchpoints, continue.
 *
 * QEMU's system-mode stub does not wait for acknowledgements and sends no run-length encoding; every packet it
 * gets while the CPU runs stops the CPU, so a client sends nothing between a continue and the stop reply.
 */
#ifndef GDB_REMOTE_H
#define GDB_REMOTE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GDB_REMOTE_PACKET_MAX 4096

struct gdb_remote {
    int fd;
    int timeout_ms; /* for each reply */
    char in[GDB_REMOTE_PACKET_MAX * 2];
    size_t in_len;
    char out[GDB_REMOTE_PACKET_MAX];
    size_t out_len;                        /* queued packets, sent by gdb_remote_flush() */
    char registers[GDB_REMOTE_PACKET_MAX]; /* the last 'g' reply, the base of a 'G' write */
    char error[160];                       /* why the last call failed */
};

void gdb_remote_init(struct gdb_remote *gdb, int fd, int timeout_ms);

/* Queues one packet (payload without $ and checksum); gdb_remote_flush() sends everything queued in one write. */
bool gdb_remote_queue(struct gdb_remote *gdb, const char *payload);
bool gdb_remote_flush(struct gdb_remote *gdb);

/* Receives the next packet's payload into out (NUL-terminated). Returns its length, or -1 on timeout, end of
 * connection (error says which) or a bad checksum. */
int gdb_remote_receive(struct gdb_remote *gdb, char *out, size_t max);

/* Queues, sends, and expects "OK". */
bool gdb_remote_command(struct gdb_remote *gdb, const char *payload);

/* Reads len bytes of target memory. */
bool gdb_remote_read_memory(struct gdb_remote *gdb, uint32_t address, void *data, size_t len);

/* Queues a memory write (little-endian words are the caller's business); its "OK" is read by
 * gdb_remote_expect_ok(). */
bool gdb_remote_queue_write_memory(struct gdb_remote *gdb, uint32_t address, const void *data, size_t len);

/* Queues a write of every register (G packet) as the last gdb_remote_read_registers() read them, with 32-bit
 * register `number` changed to value; its "OK" is read by gdb_remote_expect_ok(). QEMU takes the single-register
 * P packet only from clients that read its target description, which its xtensa stub has none of. */
bool gdb_remote_queue_write_register(struct gdb_remote *gdb, unsigned number, uint32_t value);

/* Reads the next reply and checks it is "OK". */
bool gdb_remote_expect_ok(struct gdb_remote *gdb);

/* The 'g' packet: up to count 32-bit registers in the stub's order. Returns how many were read, -1 on failure. */
int gdb_remote_read_registers(struct gdb_remote *gdb, uint32_t *registers, unsigned count);

/* Hex of len bytes into out (2 * len + 1 bytes); and back (returns false on a non-hex digit). */
void gdb_remote_hex(const void *data, size_t len, char *out);
bool gdb_remote_unhex(const char *hex, void *data, size_t len);

#endif /* GDB_REMOTE_H */
