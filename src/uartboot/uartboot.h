/*
 * uartboot.h - the host side of the STM32's ROM bootloader on a UART (ST AN3155), with BOOT0 and NRST driven by
 * the programmer.
 *
 *   enter   BOOT0 high, a pulse on NRST, 0x7F for the ROM's autobaud, Get (protocol version, erase command),
 *           Get ID (the part's PID, which is its DBGMCU DEV_ID)
 *   read    Read Memory in blocks of up to 256 bytes
 *   write   Write Memory in blocks of up to 256 bytes, each a multiple of 4 at a word-aligned address
 *   erase   Erase (0x43) or Extended Erase (0x44), whichever the part offers: pages or sectors by number, mass
 *           erase, bank erase
 *   leave   BOOT0 low and a pulse on NRST (Go to the vector table where NRST is not wired)
 * plus Go, Write Protect/Unprotect and Readout Protect/Unprotect.
 *
 * Every exchange is a byte conversation with ACK (0x79) or NACK (0x1F) answers. A lost or garbled byte leaves the
 * ROM waiting in the middle of a frame (it has no timeout), so after a timeout or an answer that is neither, the
 * client feeds it filler bytes until it answers (a frame completed with a bad checksum is NACKed) and repeats the
 * command: a block is written or read again at most UARTBOOT_RETRIES times. A NACK that repeats is the ROM
 * refusing, and becomes a sentence that names the likely cause. Every wait is bounded: by the bytes on the line at
 * the configured baud, plus the flash's own time for writes and erases, which the caller gives (datasheet figures).
 */
#ifndef AIRSWD_UARTBOOT_H
#define AIRSWD_UARTBOOT_H

#include <stdbool.h>
#include <stdint.h>

#include "hal.h"
#include "status.h"

#define UARTBOOT_ACK 0x79u
#define UARTBOOT_NACK 0x1Fu
#define UARTBOOT_SYNC 0x7Fu
/* Bytes one Read Memory or Write Memory moves (AN3155). */
#define UARTBOOT_BLOCK 256u
/* Attempts of one exchange when the line loses or garbles bytes. */
#define UARTBOOT_RETRIES 3u
/* 8 data bits, even parity, 1 stop bit: the frame the ROM's autobaud expects. */
#define UARTBOOT_DEFAULT_BAUD 115200u

struct uartboot {
    const struct hal_uart *uart;
    const struct hal_system *system;
    const struct hal_target_pins *pins; /* may be NULL: BOOT0 and NRST set by hand */
    struct status_report *report;
    uint32_t baud;
    uint8_t version;     /* Get: protocol version, 0x22 = v2.2 */
    bool extended_erase; /* the part offers 0x44 instead of 0x43 */
    uint16_t pid;        /* Get ID */
    uint32_t recovered;  /* exchanges repeated (after a lost or garbled byte, or a NACK) */
};

void uartboot_init(struct uartboot *boot, const struct hal_uart *uart, const struct hal_system *system,
                   const struct hal_target_pins *pins, uint32_t baud, struct status_report *report);

/* Resets the part into its ROM bootloader and learns what it offers (version, erase command, PID). */
enum status uartboot_enter(struct uartboot *boot);
/* Resets the part into its firmware: BOOT0 low and NRST, or Go to the vector table at 0x08000000. */
enum status uartboot_leave(struct uartboot *boot);
/* BOOT0 low and Go to the firmware at 0x08000000, without a reset: on a part whose boot checks for an empty flash
 * only when option bytes load (F04x/F07x/F09x, G0), a reset after programming a blank chip would start the ROM
 * again, until the next power cycle. */
enum status uartboot_go_application(struct uartboot *boot);

/* Any length at any address; NACK of the command: read protection is active. */
enum status uartboot_read(struct uartboot *boot, uint32_t address, uint8_t *bytes, uint32_t len);
/* The flash's size in bytes: its 16-bit flash size register (KB) at size_register, or, where the ROM refuses that
 * address (the L0's and L1's, and by reports the L4's and G0's, lie outside what their bootloader reads), where Read
 * Memory stops taking addresses from flash_base on: the largest number of KB up to max_kb whose last byte reads,
 * found by halving. STATUS_FLASH_PROTECTED under read protection. */
enum status uartboot_flash_size(struct uartboot *boot, uint32_t size_register, uint32_t flash_base, uint32_t max_kb,
                                uint32_t *size);
/* Write Memory takes whole words at word-aligned addresses: bytes before address and after the end, up to the
 * word boundaries, are sent as 0xFF (they stay erased). block_us is the flash's time to program one full block. */
enum status uartboot_write(struct uartboot *boot, uint32_t address, const uint8_t *bytes, uint32_t len,
                           uint32_t block_us);
/* Erase units numbered from 0 across all banks, as the part's reference manual numbers pages or sectors. */
enum status uartboot_erase_units(struct uartboot *boot, uint16_t first, uint16_t count, uint32_t busy_us);
enum status uartboot_mass_erase(struct uartboot *boot, uint32_t busy_us);
/* bank 0 or 1 of a dual-bank part (Extended Erase special codes 0xFFFE and 0xFFFD). */
enum status uartboot_erase_bank(struct uartboot *boot, unsigned bank, uint32_t busy_us);
enum status uartboot_go(struct uartboot *boot, uint32_t address);
/* Option byte commands: the ROM answers, changes the option bytes, and resets the part; the client enters the
 * ROM again. Readout Unprotect mass-erases the flash first (busy_us bounds it). */
enum status uartboot_readout_unprotect(struct uartboot *boot, uint32_t busy_us);
enum status uartboot_readout_protect(struct uartboot *boot, uint32_t busy_us);
enum status uartboot_write_unprotect(struct uartboot *boot, uint32_t busy_us);
enum status uartboot_write_protect(struct uartboot *boot, const uint8_t *sectors, unsigned count, uint32_t busy_us);

#endif /* AIRSWD_UARTBOOT_H */
