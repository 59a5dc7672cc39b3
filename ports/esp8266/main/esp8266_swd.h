/*
 * esp8266_swd.h - the SWD wire of the ESP8266: SWCLK and SWDIO driven through the GPIO registers, whole packets clocked
 * by a loop in IRAM and paced by the CPU's cycle counter (CCOUNT).
 *
 * esp8266_swd_bind() fills a struct hal_swd (src/hal.h) with all five callbacks: `transfer` clocks a whole packet in one
 * call, with exactly the edges the core's per-bit path (src/swd) would produce through write_bit/read_bit;
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
 * Every callback runs on the task that runs the core operation; none disables interrupts.
 */
#ifndef ESP8266_SWD_H
#define ESP8266_SWD_H

#include <stdbool.h>
#include <stdint.h>

#include "hal.h"

/* GPIO block of the ESP8266 (base 0x60000300): byte offsets of the registers the wire uses. One store to a W1TS
 * (write 1 to set) or W1TC (write 1 to clear) register changes only the pins whose bits are 1. */
#define ESP8266_SWD_GPIO_BASE        0x60000300u
#define ESP8266_SWD_GPIO_OUT         0x00u /* not written by the wire: a store there changes every pin */
#define ESP8266_SWD_GPIO_OUT_W1TS    0x04u
#define ESP8266_SWD_GPIO_OUT_W1TC    0x08u
#define ESP8266_SWD_GPIO_ENABLE      0x0Cu /* not written by the wire either */
#define ESP8266_SWD_GPIO_ENABLE_W1TS 0x10u
#define ESP8266_SWD_GPIO_ENABLE_W1TC 0x14u
#define ESP8266_SWD_GPIO_IN          0x18u
/* GPIO0-15 live in this block; GPIO16 is an RTC pin with registers of its own. */
#define ESP8266_SWD_GPIO_COUNT 16u

/* SWCLK and SWDIO on the HSPI clock and MOSI pins: free on NodeMCU and Wemos boards, and an SPI-driven wire stays
 * possible later. */
#define ESP8266_SWD_DEFAULT_SWCLK_GPIO 14u
#define ESP8266_SWD_DEFAULT_SWDIO_GPIO 13u

/* ---- Cost of the loop, for set_clock_hz (docs/esp8266.md, "The SWD wire", gives the sources) ----
 * Measured in QEMU on this file's object code (-O2 -mlongcalls), per SWD bit of a packet's data phase, the worse of a
 * read and a write whose every bit changes SWDIO: instructions executed, the GPIO register accesses among them (each
 * a memw and one load or store: two instructions), and the branches taken. `make bench` measures them again and the
 * lx106 wire test fails when the code no longer matches. FAST: the unpaced loop; PACED: the paced loop when no
 * deadline makes it wait, the least a paced bit costs. */
#define ESP8266_SWD_FAST_INSTRUCTIONS_PER_BIT    12u
#define ESP8266_SWD_FAST_GPIO_ACCESSES_PER_BIT   3u
#define ESP8266_SWD_FAST_TAKEN_BRANCHES_PER_BIT  1u
#define ESP8266_SWD_PACED_INSTRUCTIONS_PER_BIT   20u
#define ESP8266_SWD_PACED_GPIO_ACCESSES_PER_BIT  3u
#define ESP8266_SWD_PACED_TAKEN_BRANCHES_PER_BIT 1u

/* Assumed on the chip: a GPIO register access with its memw lasts 7 cycles of the 80 MHz peripheral bus (87.5 ns,
 * whatever the CPU clock); any other instruction takes one CPU cycle, a taken branch two more. */
#define ESP8266_SWD_BUS_HZ                 80000000u
#define ESP8266_SWD_GPIO_ACCESS_BUS_CYCLES 7u
#define ESP8266_SWD_BRANCH_TAKEN_EXTRA     2u
#define ESP8266_SWD_GPIO_ACCESS_CYCLES(cpu_hz)                                                                             \
    ((uint32_t)(((uint64_t)ESP8266_SWD_GPIO_ACCESS_BUS_CYCLES * (cpu_hz) + ESP8266_SWD_BUS_HZ - 1u) / ESP8266_SWD_BUS_HZ))
/* CPU cycles of one bit by that model. */
#define ESP8266_SWD_BIT_CYCLES(instructions, accesses, taken_branches, cpu_hz)                                             \
    ((instructions) + (accesses) * (ESP8266_SWD_GPIO_ACCESS_CYCLES(cpu_hz) - 2u) +                                         \
     ESP8266_SWD_BRANCH_TAKEN_EXTRA * (taken_branches))

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
    uint32_t half_period; /* CCOUNT cycles per SWCLK phase at least; 0: no pacing, the fast loop */
    uint32_t deadline;    /* CCOUNT value before which the next edge may not come (paced loop) */
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
