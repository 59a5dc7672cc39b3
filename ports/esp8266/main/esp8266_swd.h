/*
 * esp8266_swd.h - the SWD wire of the ESP8266: SWCLK and SWDIO driven through the GPIO registers, whole packets clocked
 * by a loop in IRAM and paced by the CPU's cycle counter (CCOUNT).
 *
 * esp8266_swd_bind() fills a struct hal_swd (src/hal.h) with all five callbacks: `transfer` clocks a whole packet in
 * one call, with exactly the edges the core's per-bit path (src/swd) would produce through write_bit/read_bit;
 * write_bit, read_bit and set_swdio_output serve the line sequences the core clocks bit by bit (line reset,
 * JTAG-to-SWD, dormant wake-up, idle cycles); set_clock_hz picks the SWCLK pace. The loop's design, its timing,
 * its interrupt policy and its test are in docs/esp8266.md, "The SWD wire".
 *
 * What the port does before esp8266_swd_init(), for each of the two pins (not done here, on purpose: the IOMUX
 * registers and their functions belong to the port's pin setup):
 *   - select the GPIO function in the pin's IOMUX register (GPIO12-15 and GPIO1/3/9/10 do not default to it:
 *     GPIO13 is MTCK, GPIO14 MTMS);
 *   - SWDIO: enable the IOMUX pull-up, so that a released line that nobody drives reads 1 (hal.h's contract: a
 *     target that does not answer reads as ACK 0b111);
 *   - both: the pad driver in push-pull mode (GPIO_PINn.PAD_DRIVER = 0) and the pin interrupt off;
 *   - mind the strapping pins (GPIO0, GPIO2 high at boot, GPIO15 low at boot), see docs/esp8266.md, and leave
 *     GPIO6-11 alone: on almost every module they carry the SPI flash the code runs from (GPIO9/10 only in QIO).
 * Nothing else on the ESP8266 may drive the two pins while the wire is in use.
 *
 * Every callback runs on the task that runs the core operation. `transfer` masks interrupts for the length of one
 * packet (at most ESP8266_SWD_MASKED_PACKET_MAX_US), because it writes the OUT register, which holds every GPIO's
 * output latch: no other code may change a GPIO output during the packet. The mask leaves one interrupt on, the NMI
 * (the WiFi MAC's), which changes no GPIO in this firmware; the SDK's PWM and IR-TX drivers switch GPIOs from it and
 * must not be used beside the wire. The other callbacks store to W1TS/W1TC only and mask nothing.
 */
#ifndef ESP8266_SWD_H
#define ESP8266_SWD_H

#include <stdbool.h>
#include <stdint.h>

#include "hal.h"

/* GPIO block of the ESP8266 (base 0x60000300): byte offsets of the registers the wire uses. One store to a W1TS
 * (write 1 to set) or W1TC (write 1 to clear) register changes only the pins whose bits are 1. */
#define ESP8266_SWD_GPIO_BASE        0x60000300u
#define ESP8266_SWD_GPIO_OUT         0x00u /* every pin's output latch: written only inside a masked packet */
#define ESP8266_SWD_GPIO_OUT_W1TS    0x04u
#define ESP8266_SWD_GPIO_OUT_W1TC    0x08u
#define ESP8266_SWD_GPIO_ENABLE      0x0Cu /* not written by the wire: a store there changes every driver */
#define ESP8266_SWD_GPIO_ENABLE_W1TS 0x10u
#define ESP8266_SWD_GPIO_ENABLE_W1TC 0x14u
#define ESP8266_SWD_GPIO_IN          0x18u
/* GPIO0-15 live in this block; GPIO16 is an RTC pin with registers of its own. */
#define ESP8266_SWD_GPIO_COUNT 16u

/* SWCLK and SWDIO on the HSPI clock and MOSI pins: free on NodeMCU and Wemos boards, and an SPI-driven wire stays
 * possible later. */
#define ESP8266_SWD_DEFAULT_SWCLK_GPIO 14u
#define ESP8266_SWD_DEFAULT_SWDIO_GPIO 13u

/* ---- The loops, and what a bit costs in each (docs/esp8266.md, "The SWD wire", gives the sources) ----
 * set_clock_hz picks one loop for the wire from the request:
 *   FAST        nothing waits: target bits as fast as the instructions go, host bits through OUT (two accesses);
 *   HELD        the same, but each host bit's rising edge waits until the CCOUNT period has passed since the last
 *               one: for requests the target bits already keep but the host bits would exceed;
 *   PACED       every edge waits for its deadline, host bits through OUT: paces whose packet lasts at most
 *               ESP8266_SWD_MASKED_PACKET_MAX_US;
 *   PACED_OPEN  every edge paced, host bits through W1TS/W1TC with interrupts on: slower paces.
 * The first three clock a whole packet with interrupts masked (host bits through OUT need it, see esp8266_swd.c). */
enum esp8266_swd_loop {
    ESP8266_SWD_LOOP_FAST,
    ESP8266_SWD_LOOP_HELD,
    ESP8266_SWD_LOOP_PACED,
    ESP8266_SWD_LOOP_PACED_OPEN,
    ESP8266_SWD_LOOP_COUNT
};
enum esp8266_swd_direction { ESP8266_SWD_READ, ESP8266_SWD_WRITE, ESP8266_SWD_DIRECTION_COUNT };

/* Measured in QEMU on this file's object code (-O2 -mlongcalls), per SWD bit of a packet's data phase, for a read and
 * for a write whose every bit changes SWDIO: instructions executed, the GPIO register accesses among them (each a memw
 * and one load or store: two instructions), and the branches taken. HELD and the paced loops are measured where no
 * deadline makes them wait: the least a bit costs there. `make bench` measures them again and the lx106 wire test
 * fails when the code no longer matches. */
struct esp8266_swd_cost {
    uint8_t instructions, gpio_accesses, taken_branches;
};
static const struct esp8266_swd_cost esp8266_swd_costs[ESP8266_SWD_LOOP_COUNT][ESP8266_SWD_DIRECTION_COUNT] = {
    [ESP8266_SWD_LOOP_FAST] = {[ESP8266_SWD_READ] = {12, 3, 1}, [ESP8266_SWD_WRITE] = {9, 2, 1}},
    [ESP8266_SWD_LOOP_HELD] = {[ESP8266_SWD_READ] = {12, 3, 1}, [ESP8266_SWD_WRITE] = {13, 2, 1}},
    [ESP8266_SWD_LOOP_PACED] = {[ESP8266_SWD_READ] = {20, 3, 1}, [ESP8266_SWD_WRITE] = {17, 2, 1}},
    [ESP8266_SWD_LOOP_PACED_OPEN] = {[ESP8266_SWD_READ] = {20, 3, 1}, [ESP8266_SWD_WRITE] = {19, 3, 1}},
};

/* Assumed on the chip: a GPIO register access with its memw lasts 7 cycles of the 80 MHz peripheral bus (87.5 ns,
 * whatever the CPU clock); any other instruction takes one CPU cycle, a taken branch two more. */
#define ESP8266_SWD_BUS_HZ                 80000000u
#define ESP8266_SWD_GPIO_ACCESS_BUS_CYCLES 7u
#define ESP8266_SWD_BRANCH_TAKEN_EXTRA     2u
#define ESP8266_SWD_GPIO_ACCESS_CYCLES(cpu_hz)                                                                         \
    ((uint32_t)(((uint64_t)ESP8266_SWD_GPIO_ACCESS_BUS_CYCLES * (cpu_hz) + ESP8266_SWD_BUS_HZ - 1u) /                  \
                ESP8266_SWD_BUS_HZ))
/* CPU cycles of one bit by that model. */
#define ESP8266_SWD_BIT_CYCLES(instructions, accesses, taken_branches, cpu_hz)                                         \
    ((instructions) + (accesses) * (ESP8266_SWD_GPIO_ACCESS_CYCLES(cpu_hz) - 2u) +                                     \
     ESP8266_SWD_BRANCH_TAKEN_EXTRA * (taken_branches))
#define ESP8266_SWD_COST_CYCLES(cost, cpu_hz)                                                                          \
    ESP8266_SWD_BIT_CYCLES((cost).instructions, (cost).gpio_accesses, (cost).taken_branches, cpu_hz)

/* The longest a packet may run with interrupts masked: 46 SWCLK cycles at the pace. Faster paces and the unpaced loops
 * stay well below it (a packet of the fast loop lasts some 15 us); slower paces run PACED_OPEN. */
#define ESP8266_SWD_MASKED_PACKET_MAX_US 50u
#define ESP8266_SWD_PACKET_CYCLES        46u

struct esp8266_swd_config {
    uint32_t gpio_base; /* ESP8266_SWD_GPIO_BASE on the chip; a test points it at RAM that a model of the pins serves */
    uint8_t swclk_gpio; /* 0-15 */
    uint8_t swdio_gpio; /* 0-15, not swclk_gpio */
    uint32_t cpu_hz;    /* 80000000 or 160000000: what CCOUNT counts */
    uint32_t swclk_hz;  /* initial SWCLK, as set_clock_hz; 0: as fast as the loop runs */
};

/* The wire's state. Owned by the port, one per wire; read only through the functions below. */
struct esp8266_swd {
    uint32_t gpio_base;
    uint32_t swclk_mask;
    uint32_t swdio_mask;
    uint32_t swdio_latch; /* SWDIO's output latch: swdio_mask when high, 0 when low */
    uint32_t half_period; /* CCOUNT cycles per SWCLK phase at least; 0: no pacing (FAST or HELD) */
    uint32_t host_period; /* HELD: CCOUNT cycles from a host bit's rising edge to the next one's, at least */
    uint32_t deadline;    /* CCOUNT value before which the next paced or held edge may not come */
    uint8_t loop;         /* enum esp8266_swd_loop */
    uint32_t cpu_hz;
    uint32_t clock_hz; /* SWCLK in effect */
};

/* Checks the pins, sets the clock, and puts the pins in their idle state: SWCLK driven low, SWDIO driven high.
 * Call it after the IOMUX setup above. Returns false (touching nothing) when a pin is outside GPIO0-15, the two
 * pins are the same, or cpu_hz is 0. */
bool esp8266_swd_init(struct esp8266_swd *wire, const struct esp8266_swd_config *config);

/* Releases both pins (inputs, outputs disabled), e.g. while no job uses the link. The next use needs
 * esp8266_swd_init() again. */
void esp8266_swd_release(struct esp8266_swd *wire);

/* Points every callback of *pins at this wire. */
void esp8266_swd_bind(struct esp8266_swd *wire, struct hal_swd *pins);

/* The hal_swd callbacks (ctx is the struct esp8266_swd), public so that a test can call them directly. */
unsigned esp8266_swd_transfer(void *ctx, uint8_t request, uint32_t *data);
void esp8266_swd_set_swdio_output(void *ctx, bool drive);
void esp8266_swd_write_bit(void *ctx, bool bit);
bool esp8266_swd_read_bit(void *ctx);
uint32_t esp8266_swd_set_clock_hz(void *ctx, uint32_t hz);

#endif /* ESP8266_SWD_H */
