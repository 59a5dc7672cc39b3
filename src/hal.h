/*
 * hal.h - what a port provides to the core.
 *
 * The core runs on an ESP8266, on Linux against a Raspberry Pi's GPIO or a USB serial adapter, and on Linux against
 * the simulated STM32. Everything it needs from the outside world is one of the groups below. Each group is a small
 * table of callbacks with its own context pointer, filled by the port and passed by pointer to the core modules that
 * need it, so a test can pair the simulated SWD wire with a scripted clock, or run two targets in one process.
 *
 * Rules for every callback:
 * - It is called from the one task that runs the core operation; none is called from an interrupt.
 * - Optional callbacks may be NULL; the core then uses the documented fallback.
 * - The core never keeps a pointer that a callback gave it beyond the call.
 *
 * Network I/O is not here: the protocol engines of src/net work on byte streams, and the port moves the bytes
 * between them and its sockets.
 */
#ifndef AIRSWD_HAL_H
#define AIRSWD_HAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---------------------------------------------------------------------------------------------------------------
 * System: time, cooperative scheduling, randomness, logging. Required by every core module.
 */
enum hal_log_level { HAL_LOG_ERROR, HAL_LOG_WARNING, HAL_LOG_INFO, HAL_LOG_DEBUG };

struct hal_system {
    void *ctx;
    /* Microseconds since an arbitrary start, monotonic, never wrapping in practice. Required.
     * A port driving the simulator returns simulated time, so that timeouts are measured in chip time. */
    uint64_t (*now_us)(void *ctx);
    /* Waits at least `us` microseconds. Required. The simulator port advances simulated time instead. */
    void (*delay_us)(void *ctx, uint32_t us);
    /* Lets the rest of the system run (the ESP8266 watchdog and WiFi stack). Every core loop that can last longer
     * than a few milliseconds calls it. Returns true when the running operation should be cancelled; the core then
     * stops at the next safe point and returns STATUS_CANCELLED. Required. */
    bool (*yield)(void *ctx);
    /* Fills buf with cryptographically strong random bytes. Required by the service layer (nonces). */
    void (*random)(void *ctx, void *buf, size_t len);
    /* One line of text, without a trailing newline. May be NULL (no logging). */
    void (*log)(void *ctx, enum hal_log_level level, const char *line);
};

/* ---------------------------------------------------------------------------------------------------------------
 * SWD pins. The host side of the wire: SWCLK is always driven by the port; SWDIO is driven or released.
 *
 * Timing contract (matches ARM ADIv5 and sigrok's decoder): the port changes SWDIO while SWCLK is low; the target
 * samples host bits on the rising edge of SWCLK and launches its own bits just after a rising edge. A released
 * SWDIO is pulled high, so a target that does not answer reads as all ones.
 */
enum hal_swd_ack {
    HAL_SWD_ACK_OK = 0x1,
    HAL_SWD_ACK_WAIT = 0x2,
    HAL_SWD_ACK_FAULT = 0x4,
    HAL_SWD_ACK_NONE = 0x7, /* line floating high: nobody answered */
};

/* Flag or-ed into the result of hal_swd.transfer when the read data failed its parity check. */
#define HAL_SWD_PARITY_ERROR 0x8u

struct hal_swd {
    void *ctx;
    /* true: the port drives SWDIO; false: the port releases it (input with pull-up). Required. */
    void (*set_swdio_output)(void *ctx, bool drive);
    /* One cycle driving a bit: set SWDIO to bit while SWCLK is low, then one SWCLK pulse. Required. */
    void (*write_bit)(void *ctx, bool bit);
    /* One cycle reading: sample SWDIO (the bit the target launched on the previous rising edge), then one SWCLK
     * pulse. Required. */
    bool (*read_bit)(void *ctx);

    /* Optional whole packet, for ports with a faster path (an IRAM loop, an SPI peripheral). `request` is the
     * complete 8-bit request (start, APnDP, RnW, A[3:2], parity, stop, park). The port clocks the request, the
     * turnaround and the 3 ACK bits. On ACK OK it runs the data phase: for a read it stores the data in *data,
     * checks the parity and clocks the turnaround back to the host; for a write it clocks one turnaround and drives
     * *data and its parity. On any other ACK it clocks one turnaround cycle and stops. It returns the ACK bits as
     * received (bit 0 = first bit), or-ed with HAL_SWD_PARITY_ERROR when read data failed its parity check. Exactly
     * the cycles the per-bit path would produce: 46 for a read or write answered OK.
     * NULL: the core builds every packet from write_bit/read_bit. */
    unsigned (*transfer)(void *ctx, uint8_t request, uint32_t *data);

    /* Sets the SWCLK frequency as closely as the port can without exceeding it; returns the frequency in effect.
     * NULL: the port has one fixed frequency. */
    uint32_t (*set_clock_hz)(void *ctx, uint32_t hz);
};

/* ---------------------------------------------------------------------------------------------------------------
 * Target control pins. NRST is open-drain on every port: asserted means driven low, released means the pin floats
 * and the target's pull-up (or the target itself) decides its level.
 */
struct hal_target_pins {
    void *ctx;
    void (*set_nrst)(void *ctx, bool asserted);
    /* Level seen on NRST (true = high). May be NULL when the port cannot read it back. */
    bool (*read_nrst)(void *ctx);
    /* BOOT0 level for the next reset (true = high: system memory bootloader). May be NULL when not wired. */
    void (*set_boot0)(void *ctx, bool high);
};

/* ---------------------------------------------------------------------------------------------------------------
 * UART to the target: its console, or its ROM bootloader (AN3155 needs 8 data bits, even parity, 1 stop bit).
 */
enum hal_uart_parity { HAL_UART_PARITY_NONE, HAL_UART_PARITY_EVEN };

struct hal_uart {
    void *ctx;
    /* (Re)configures the line; returns false when the port cannot do it. */
    bool (*configure)(void *ctx, uint32_t baud, enum hal_uart_parity parity);
    /* Queues len bytes for transmission; returns how many were accepted (may be fewer when the buffer is full). */
    size_t (*write)(void *ctx, const uint8_t *data, size_t len);
    /* Reads up to len bytes, waiting at most timeout_ms for the first one; returns how many were read (0 on
     * timeout). */
    size_t (*read)(void *ctx, uint8_t *data, size_t len, uint32_t timeout_ms);
    /* Drops everything received and not yet read. May be NULL. */
    void (*flush_input)(void *ctx);
};

/* ---------------------------------------------------------------------------------------------------------------
 * Block storage for the staging store: NOR-like, erased to 0xFF, programmed by clearing bits, erased in sectors.
 * On the ESP8266 this is a partition of its SPI flash (4 KB sectors); on Linux a file, a RAM buffer, or the
 * power-loss emulator of the tests.
 */
struct hal_storage {
    void *ctx;
    uint32_t sector_size;  /* bytes per erase sector, a power of two */
    uint32_t sector_count;
    /* Each returns true on success. Offsets are from the start of the storage; a program never crosses a sector. */
    bool (*read)(void *ctx, uint32_t offset, void *buf, uint32_t len);
    bool (*program)(void *ctx, uint32_t offset, const void *buf, uint32_t len);
    bool (*erase_sector)(void *ctx, uint32_t sector);
};

#endif /* AIRSWD_HAL_H */
