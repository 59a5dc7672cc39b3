/*
 * sim_bootloader.h - the STM32 ROM bootloader's USART protocol (ST AN3155), as a byte-in, byte-out model.
 *
 * The model is the program in system memory, not the chip: it reaches flash, RAM and the option bytes only through
 * a host-operations struct, so a chip model wires it to its flash controller and a test wires it to an array. Frame
 * format (8E1) and baud rate belong to the UART in front of it; it sees whole bytes with the time they arrived and
 * answers whole bytes with the time they are sent.
 *
 * Protocol as the ROM runs it:
 * - After reset it ignores everything until 0x7F (autobaud), which it answers with ACK 0x79. A later 0x7F is an
 *   ordinary command byte: a host that repeats 0x7F to resynchronise gets NACK 0x1F for the pair.
 * - A command is its code and the complement. Get 0x00, Get Version 0x01, Get ID 0x02, Read Memory 0x11, Go 0x21,
 *   Write Memory 0x31, Erase 0x43 or Extended Erase 0x44 (exclusive, from the part), Write Protect 0x63, Write
 *   Unprotect 0x73, Readout Protect 0x82, Readout Unprotect 0x92. A bad complement, an unknown or unoffered command,
 *   a bad checksum, an invalid address, or an operation the host refuses is answered NACK and the ROM waits for the
 *   next command.
 * - With read protection active (rdp_level() > 0) only Get, Get Version, Get ID and Readout Unprotect are served;
 *   everything else is NACKed at the command.
 * - An ACK that follows a flash or option-byte operation is sent at the time the host reports the operation
 *   complete. Bytes that arrive while the ROM is still busy are taken when it finishes, so transmitted times never
 *   go backwards.
 * - Write Protect, Write Unprotect, Readout Protect, Readout Unprotect and a Write Memory into the option bytes end
 *   with the ACK and a system reset that loads the option bytes (host system_reset() at the ACK's time, as the
 *   ROM launches the option byte loading); the model then waits for 0x7F again.
 * - Go ACKs a flash or SRAM address and calls host go(); the model then ignores the line until
 *   sim_bootloader_reset().
 *
 * Not modelled: byte timeouts (a partial frame waits for ever), the RAM the ROM reserves for itself, Get Checksum
 * (0xA1) and the special commands of newer protocol versions, the I2C/SPI/CAN variants with their BUSY byte.
 */
#ifndef SIM_BOOTLOADER_H
#define SIM_BOOTLOADER_H

#include <stdbool.h>
#include <stdint.h>

#include "sim_parts.h"

#define SIM_BOOTLOADER_ACK  0x79u
#define SIM_BOOTLOADER_NACK 0x1Fu
#define SIM_BOOTLOADER_SYNC 0x7Fu /* autobaud */

/* Read Memory and Write Memory move at most this many bytes per command (AN3155). */
#define SIM_BOOTLOADER_MAX_BLOCK 256u
/* Pages one Extended Erase may list. stm32flash sends at most 512 per command; more is NACKed (after the whole
 * frame, so the line stays in step). */
#define SIM_BOOTLOADER_MAX_ERASE_PAGES 2048u

/*
 * What the ROM needs from the chip. Times are simulated picoseconds. An operation that takes time returns its
 * completion time in *done_ps (the model presets it to now_ps). A false return is silicon refusing (protected, not
 * erased, out of range); the model answers NACK. Any member but ctx may be NULL: a NULL operation refuses, a NULL
 * notification (go, system_reset, transmit) does nothing, a NULL rdp_level reads as level 0.
 */
struct sim_bootloader_host {
    void *ctx;
    /* Memory as code in system memory reads it; false: unmapped or unreadable. */
    bool (*read)(void *ctx, uint32_t addr, uint8_t *out, uint32_t len);
    /* RAM, flash or option bytes. Data is passed as received: padding to the program unit is the sender's job. */
    bool (*write)(void *ctx, uint32_t addr, const uint8_t *data, uint32_t len, uint64_t now_ps, uint64_t *done_ps);
    /* Erase units (pages or sectors) numbered from 0 across all banks, as the Erase commands number them. */
    bool (*erase_units)(void *ctx, const uint16_t *units, unsigned count, uint64_t now_ps, uint64_t *done_ps);
    bool (*mass_erase)(void *ctx, uint64_t now_ps, uint64_t *done_ps);
    /* Extended Erase 0xFFFE (bank 1) and 0xFFFD (bank 2); only offered when the config says dual bank. */
    bool (*bank_erase)(void *ctx, unsigned bank, uint64_t now_ps, uint64_t *done_ps);
    /* Read protection level as loaded at the last reset: 0, 1 or 2. */
    unsigned (*rdp_level)(void *ctx);
    /* Changes the option bytes; takes effect at the reset the model requests next. Clearing read protection on
     * silicon also mass-erases; the model has already asked for the mass erase itself. */
    bool (*set_read_protection)(void *ctx, bool protect, uint64_t now_ps, uint64_t *done_ps);
    /* protect: the sector codes received (the part gives them meaning); unprotect: all, with sectors NULL. */
    bool (*set_write_protection)(void *ctx, bool protect, const uint8_t *sectors, unsigned count, uint64_t now_ps,
                                 uint64_t *done_ps);
    /* Jump to the application: MSP from the word at addr, PC from the word at addr + 4. */
    void (*go)(void *ctx, uint32_t addr, uint64_t now_ps);
    /* A system reset (option bytes reload). May call sim_bootloader_reset() or leave the ROM for the application. */
    void (*system_reset)(void *ctx, uint64_t now_ps);
    /* A byte the ROM sends, to leave the UART at at_ps. */
    void (*transmit)(void *ctx, uint8_t byte, uint64_t at_ps);
};

/* The part as the ROM knows it. Addresses outside these regions are NACKed before the host is asked. */
struct sim_bootloader_config {
    uint16_t pid;              /* Get ID */
    uint8_t version;           /* protocol version, 0x22 = v2.2 */
    bool extended_erase;       /* offers 0x44 instead of 0x43 */
    bool dual_bank;            /* Extended Erase accepts the bank codes */
    uint32_t erase_unit_count; /* pages or sectors, all banks */
    uint32_t flash_base, flash_size;
    uint32_t sram_base, sram_size;
    uint32_t system_memory_base, system_memory_size;
    uint32_t option_bytes_base, option_bytes_size;
};

/* Where the ROM is in the conversation; the frame phases collect the bytes after a command's ACK. */
enum sim_bootloader_phase {
    SIM_BOOTLOADER_WAIT_SYNC,
    SIM_BOOTLOADER_WAIT_COMMAND,
    SIM_BOOTLOADER_WAIT_COMPLEMENT,
    SIM_BOOTLOADER_ADDRESS,             /* 4 address bytes MSB first, XOR */
    SIM_BOOTLOADER_READ_COUNT,          /* N-1, complement */
    SIM_BOOTLOADER_WRITE_DATA,          /* N-1, N bytes, XOR */
    SIM_BOOTLOADER_ERASE_LIST,          /* 0xFF 0x00, or N-1, N page bytes, XOR */
    SIM_BOOTLOADER_EXTENDED_ERASE_LIST, /* 16-bit special code and XOR, or N-1, N 16-bit pages, XOR */
    SIM_BOOTLOADER_WRITE_PROTECT_LIST,  /* N-1, N sector codes, XOR */
    SIM_BOOTLOADER_DETACHED,            /* after Go: the application owns the UART */
};

/* Embedded by the caller; members are the model's own. */
struct sim_bootloader {
    struct sim_bootloader_config config;
    struct sim_bootloader_host host;
    enum sim_bootloader_phase phase;
    uint8_t command;
    uint32_t address;
    uint32_t frame_length; /* bytes the current frame phase expects, known once its header has arrived */
    uint32_t frame_received;
    uint8_t frame_xor;
    uint8_t frame_last_byte; /* the byte before this one, for 16-bit page numbers beyond frame[] */
    uint8_t frame[1 + SIM_BOOTLOADER_MAX_BLOCK + 1];
    uint16_t pages[SIM_BOOTLOADER_MAX_ERASE_PAGES];
    uint32_t page_count;    /* pages listed, including those beyond the buffer */
    uint64_t busy_until_ps; /* the last operation completes then */
    char refusal[128];      /* why the last NACK was sent */
};

/* The ROM's view of a part from the part table. */
void sim_bootloader_config_from_part(const struct sim_part *part, struct sim_bootloader_config *out);

/* Copies config and host; the model waits for 0x7F. */
void sim_bootloader_init(struct sim_bootloader *bl, const struct sim_bootloader_config *config,
                         const struct sim_bootloader_host *host);
/* The chip was reset into system memory: back to waiting for 0x7F. */
void sim_bootloader_reset(struct sim_bootloader *bl);
/* One byte from the host, complete at now_ps. */
void sim_bootloader_receive(struct sim_bootloader *bl, uint8_t byte, uint64_t now_ps);

/* Why the last NACK was sent ("read memory at 0x08000000: read protection active"), or "". */
const char *sim_bootloader_last_refusal(const struct sim_bootloader *bl);

#endif /* SIM_BOOTLOADER_H */
