/*
 * wire_protocol.h - what the wire test program on the lx106 (wire_target.c) and the model of its pins on the host
 * (wire_model.c) agree on.
 *
 * The program points the wire's GPIO base at `wire_io`, a block of RAM: words 0-7 stand for the GPIO registers at
 * their offsets (esp8266_swd.h), words 8-11 are a mailbox. The model watches every store into the block: it plays the
 * GPIO registers (OUT/W1TS/W1TC/ENABLE semantics, the IN word), clocks a simulated STM32 on SWCLK's rising edges, and
 * records the pins' edges. The program talks to the model through the mailbox: arguments first, the command word
 * last.
 */
#ifndef WIRE_PROTOCOL_H
#define WIRE_PROTOCOL_H

#include "esp8266_swd.h"

#define WIRE_IO_SYMBOL     "wire_io"
#define WIRE_IO_WORDS      16u
#define WIRE_IO_GPIO_WORDS 8u /* 0x00-0x1C: the GPIO registers */
#define WIRE_IO_COMMAND    8u /* word index of the command */
#define WIRE_IO_ARGUMENT   9u /* words 9-11: its arguments */

enum wire_command {
    /* A run starts: argument 0 the scenario, 1 the path, 2 the setting. The model brings up a fresh simulated
     * target for the scenario and records the edges until WIRE_END. */
    WIRE_BEGIN = 1,
    WIRE_END,
    /* From the rising edge after the argument-0-th one from now (counting from 0), until the next rising edge, the
     * model inverts the level the host reads on SWDIO: a bit error on the target's way back. */
    WIRE_FLIP_READ,
    /* The instruction window of a benchmark packet, for `make bench` (argument 0: enum esp8266_swd_direction,
     * 1: enum esp8266_swd_loop). */
    WIRE_BENCH_BEGIN,
    WIRE_BENCH_END,
    /* A packet of a run starts (argument 0: its request) and ends, its idle cycles included (argument 0: what
     * swd_packet returned): the model counts its stores between its rising edges. */
    WIRE_PACKET,
    WIRE_PACKET_END,
};

/* The two ways a packet goes out: the core's per-bit path over write_bit/read_bit, or the port's transfer. */
enum wire_path { WIRE_PATH_PER_BIT, WIRE_PATH_TRANSFER, WIRE_PATH_COUNT };

enum wire_scenario {
    WIRE_SCENARIO_IDCODE,      /* JTAG-to-SWD, line reset, DPIDR read */
    WIRE_SCENARIO_DP_WRITE,    /* power-up request written to CTRL/STAT and read back, ABORT written */
    WIRE_SCENARIO_AP_READ,     /* SELECT, AP IDR read (posted), RDBUFF */
    WIRE_SCENARIO_WAIT_STORM,  /* AP reads answered WAIT by the simulator's fault injector, repeated until OK */
    WIRE_SCENARIO_FAULT,       /* an AP read with the debug domain off fails on the bus; the next one faults */
    WIRE_SCENARIO_NO_ANSWER,   /* the target is still in JTAG mode: nobody drives SWDIO, ACK 0b111 */
    WIRE_SCENARIO_PARITY,      /* a data bit of the DPIDR flipped on its way back: a parity error */
    WIRE_SCENARIO_GARBLED_ACK, /* an ACK bit flipped: an ACK that means nothing */
    WIRE_SCENARIO_COUNT
};

static const char *const wire_scenario_names[WIRE_SCENARIO_COUNT] = {
    [WIRE_SCENARIO_IDCODE] = "DPIDR read",
    [WIRE_SCENARIO_DP_WRITE] = "DP writes and read-back",
    [WIRE_SCENARIO_AP_READ] = "AP read",
    [WIRE_SCENARIO_WAIT_STORM] = "WAIT storm",
    [WIRE_SCENARIO_FAULT] = "FAULT",
    [WIRE_SCENARIO_NO_ANSWER] = "no answer",
    [WIRE_SCENARIO_PARITY] = "read parity error",
    [WIRE_SCENARIO_GARBLED_ACK] = "garbled ACK",
};

/* Wire settings each scenario runs under: pins, SWCLK, idle cycles after each packet, and the loop set_clock_hz must
 * pick for them at WIRE_CPU_HZ: one setting for each loop. */
struct wire_setting {
    unsigned swclk_gpio, swdio_gpio;
    unsigned swclk_hz; /* 0: the fastest */
    unsigned idle_cycles;
    enum esp8266_swd_loop loop;
    const char *name;
};

#define WIRE_SETTING_COUNT 4u
static const struct wire_setting wire_settings[WIRE_SETTING_COUNT] = {
    {14, 13, 0, 0, ESP8266_SWD_LOOP_FAST, "SWCLK GPIO14, SWDIO GPIO13, fastest"},
    {5, 4, 4000000, 0, ESP8266_SWD_LOOP_HELD, "SWCLK GPIO5, SWDIO GPIO4, 4 MHz (host bits held)"},
    {15, 0, 2000000, 2, ESP8266_SWD_LOOP_PACED, "SWCLK GPIO15, SWDIO GPIO0, 2 MHz (paced), 2 idle cycles"},
    {12, 2, 500000, 1, ESP8266_SWD_LOOP_PACED_OPEN,
     "SWCLK GPIO12, SWDIO GPIO2, 500 kHz (paced, interrupts on), 1 idle cycle"},
};

/* The CPU clock the program tells the wire (what CCOUNT counts). */
#define WIRE_CPU_HZ 160000000u

/* What the simulated target answers (sim_target_default_config: a Blue Pill's debug port). */
#define WIRE_EXPECTED_DPIDR  0x1BA01477u
#define WIRE_EXPECTED_AP_IDR 0x24770011u

#endif /* WIRE_PROTOCOL_H */
