/*
 * wire_model.h - the state of the host model of the lx106 wire test (wire_model.c) and the benchmark that reads
 * its instruction trace (wire_bench.c).
 */
#ifndef WIRE_MODEL_H
#define WIRE_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gdb_remote.h"
#include "wire_protocol.h"

struct sim_target;

/* What the edge record holds of the pins, one byte per change. */
#define EDGE_SWCLK    0x1u
#define EDGE_SWCLK_OE 0x2u
#define EDGE_SWDIO    0x4u /* SWDIO's output latch */
#define EDGE_SWDIO_OE 0x8u /* SWDIO driven */

struct edges {
    uint8_t *states;
    size_t count, capacity;
};

#define MODEL_MAX_PCS 256
struct model_pcs {
    uint32_t pcs[MODEL_MAX_PCS];
    unsigned count;
};

#define MODEL_CODE_CACHE 128
struct model_code {
    uint32_t pc;
    uint8_t bytes[4];
};

#define MODEL_MAX_COMMANDS 1024

/* Rising edges of a packet answered OK; a packet that ends at its ACK has 13. */
#define MODEL_PACKET_EDGES 46u

/* The instruction window of one benchmark packet: between two commands of the program. */
struct bench_window {
    bool seen;
    unsigned begin_command, end_command; /* indexes into the command sequence */
    unsigned long gpio_stores;           /* stores into the GPIO registers the model served in the window */
    unsigned long gpio_stores_at_begin;
};

struct model {
    struct gdb_remote gdb;
    uint32_t io, iram_start, iram_end;
    unsigned pending_oks; /* replies to queued writes not read yet */
    struct model_code code_cache[MODEL_CODE_CACHE];
    unsigned code_cache_count;

    /* The GPIO block as the pins are. */
    uint32_t out, enable;
    uint32_t ps;                        /* the CPU's PS at the store being served */
    uint32_t image[WIRE_IO_GPIO_WORDS]; /* what the target's RAM holds of it */
    uint32_t io_words[WIRE_IO_WORDS];   /* the mailbox as written */
    uint32_t clk, dio;                  /* the run's pins */
    unsigned long stores, gpio_stores;

    /* The run being recorded. */
    struct sim_target *target;
    bool recording;
    unsigned scenario, path, setting;
    struct edges records[WIRE_SETTING_COUNT][WIRE_SCENARIO_COUNT][WIRE_PATH_COUNT];
    unsigned rising_edges;
    bool flip_armed, flip_now;
    unsigned flip_edge;
    uint32_t others_at_begin; /* OUT's latches of the pins the run's wire does not own */

    /* The packet between WIRE_PACKET and WIRE_PACKET_END: its stores, and how many were made with interrupts masked,
     * counted up to each of its rising edges. */
    bool in_packet;
    uint32_t packet_request;
    unsigned packet_edges;
    unsigned long packet_stores, packet_masked;
    unsigned long stores_at_edge[MODEL_PACKET_EDGES + 1], masked_at_edge[MODEL_PACKET_EDGES + 1];
    unsigned packets_checked; /* packets of the run whose host bits and mask were checked */

    /* What the benchmark needs to find its way in the trace. */
    bool benchmark; /* a benchmark run: one path only, nothing to compare */
    uint32_t command_pc;
    uint32_t commands[MODEL_MAX_COMMANDS];
    unsigned commands_count;
    struct model_pcs rising_pcs;     /* stores that raised SWCLK */
    struct model_pcs gpio_store_pcs; /* every store into the GPIO registers */
    struct bench_window windows[ESP8266_SWD_DIRECTION_COUNT][ESP8266_SWD_LOOP_COUNT];

    int failures;
};

void model_fail(struct model *model, const char *format, ...) __attribute__((format(printf, 2, 3)));
void model_pc_add(struct model_pcs *set, uint32_t pc);
bool model_pc_in(const struct model_pcs *set, uint32_t pc);

/* wire_bench.c: a WIRE_BENCH_BEGIN or _END command; the report once the program has ended. */
void bench_command(struct model *model, uint32_t command, uint32_t direction, uint32_t loop);
void bench_report(struct model *model, const char *trace, const char *objdump, const char *elf, bool check);

#endif /* WIRE_MODEL_H */
