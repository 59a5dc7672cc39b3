/*
 * sim_bootloader.c - the ROM bootloader's USART command loop (ST AN3155), one received byte at a time.
 *
 * Every frame the host sends after a command's ACK is protected by an XOR over its bytes (a lone byte by its
 * complement), so each frame phase keeps a running XOR: a good frame XORs to 0x00, a lone byte with its complement
 * to 0xFF. Nothing is written or erased before the whole frame has arrived and checked, as in ROM.
 */
#include "sim_bootloader.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Fixed STM32 memory map (every reference manual of the table: "Memory map"). */
#define STM32_FLASH_BASE 0x08000000u
#define STM32_SRAM_BASE  0x20000000u

/* AN3155 command codes. */
enum bootloader_command {
    COMMAND_GET = 0x00,
    COMMAND_GET_VERSION = 0x01,
    COMMAND_GET_ID = 0x02,
    COMMAND_READ_MEMORY = 0x11,
    COMMAND_GO = 0x21,
    COMMAND_WRITE_MEMORY = 0x31,
    COMMAND_ERASE = 0x43,
    COMMAND_EXTENDED_ERASE = 0x44,
    COMMAND_WRITE_PROTECT = 0x63,
    COMMAND_WRITE_UNPROTECT = 0x73,
    COMMAND_READOUT_PROTECT = 0x82,
    COMMAND_READOUT_UNPROTECT = 0x92,
};

/* Erase 0x43: N = 0xFF (followed by its complement 0x00) is the global erase. */
#define ERASE_GLOBAL 0xFFu
/* Extended Erase 0x44: codes from 0xFFF0 up are special; the three below are defined, the rest reserved. */
#define EXTENDED_ERASE_MASS          0xFFFFu
#define EXTENDED_ERASE_BANK1         0xFFFEu
#define EXTENDED_ERASE_BANK2         0xFFFDu
#define EXTENDED_ERASE_SPECIAL_FIRST 0xFFF0u

/* Get answers with the version and the command codes in this order (AN3155 "Get command"); Erase stands for
 * Extended Erase on parts that have it. */
static const uint8_t offered_commands[] = {
    COMMAND_GET,
    COMMAND_GET_VERSION,
    COMMAND_GET_ID,
    COMMAND_READ_MEMORY,
    COMMAND_GO,
    COMMAND_WRITE_MEMORY,
    COMMAND_ERASE,
    COMMAND_WRITE_PROTECT,
    COMMAND_WRITE_UNPROTECT,
    COMMAND_READOUT_PROTECT,
    COMMAND_READOUT_UNPROTECT,
};
#define OFFERED_COMMAND_COUNT (sizeof offered_commands / sizeof offered_commands[0])

enum region { REGION_NONE, REGION_FLASH, REGION_SRAM, REGION_SYSTEM_MEMORY, REGION_OPTION_BYTES };

/* Which regions each addressed command accepts (AN3155: Read Memory any, Write Memory RAM, flash and option bytes,
 * Go flash and SRAM). */
#define ACCEPTS(region) (1u << (region))
#define READ_REGIONS                                                                                                   \
    (ACCEPTS(REGION_FLASH) | ACCEPTS(REGION_SRAM) | ACCEPTS(REGION_SYSTEM_MEMORY) | ACCEPTS(REGION_OPTION_BYTES))
#define WRITE_REGIONS (ACCEPTS(REGION_FLASH) | ACCEPTS(REGION_SRAM) | ACCEPTS(REGION_OPTION_BYTES))
#define GO_REGIONS    (ACCEPTS(REGION_FLASH) | ACCEPTS(REGION_SRAM))

/* Option byte area of bank 1, per family (RM0091, RM0008, RM0316, RM0368/RM0383, RM0351, RM0444, RM0440). */
static uint32_t option_bytes_size(enum sim_family family)
{
    switch (family) {
    case SIM_FAMILY_F0:
    case SIM_FAMILY_F1:
    case SIM_FAMILY_F3: return 16;   /* eight option bytes, each followed by its complement */
    case SIM_FAMILY_F4: return 16;   /* two double words: USER/RDP, then nWRP */
    case SIM_FAMILY_F7: return 32;   /* USER/RDP, nWRP, BOOT_ADD0, BOOT_ADD1 (RM0385 §3.4.1) */
    case SIM_FAMILY_L4:
    case SIM_FAMILY_G4: return 0x28; /* five double words: USER/RDP, PCROP start and end, WRP A and B */
    case SIM_FAMILY_G0: return 0x80; /* [estimate] the whole option block as mapped */
    case SIM_FAMILY_H7: return 0;    /* no option area on the bus: the option registers hold them (RM0433 §4.4) */
    case SIM_FAMILY_L0: return 0x20; /* RM0367 §3.4.1: eight words of a value and its complement */
    case SIM_FAMILY_L1: return 0x20; /* RM0038 §3.9.1: the same words (WRPR4's at 0x80 on Cat.5/6 aside) */
    }
    return 0;
}

/* How much of the system memory the ROM's Read Memory takes. On L4, G0 and G4 the flash size register, the UID and
 * the package data (0x1FFF7500 on) lie past the area the bootloader reads (AN2606: system memory 0x1FFF0000-
 * 0x1FFF6FFF; an L43x's ROM v3.1 is reported to NACK 0x1FFF75E0; assumed the same on G0 and G4), which the bus
 * still has for the core and the debugger. */
static uint32_t readable_system_memory(const struct sim_part *part)
{
    switch (part->family) {
    case SIM_FAMILY_L4:
    case SIM_FAMILY_G0:
    case SIM_FAMILY_G4: return part->system_memory_size < 0x7000u ? part->system_memory_size : 0x7000u;
    default: return part->system_memory_size;
    }
}

void sim_bootloader_config_from_part(const struct sim_part *part, struct sim_bootloader_config *out)
{
    memset(out, 0, sizeof *out);
    out->pid = part->bootloader_pid;
    out->version = part->bootloader_version;
    out->extended_erase = part->bootloader_extended_erase;
    out->dual_bank = part->dual_bank;
    out->erase_unit_count = sim_part_erase_units(part) * (part->dual_bank ? 2u : 1u);
    out->flash_base = STM32_FLASH_BASE;
    out->flash_size = part->flash_size;
    out->sram_base = STM32_SRAM_BASE;
    out->sram_size = part->sram_size;
    out->system_memory_base = part->system_memory_base;
    out->system_memory_size = readable_system_memory(part);
    out->option_bytes_base = part->option_bytes_base;
    out->option_bytes_size = option_bytes_size(part->family);
}

void sim_bootloader_init(struct sim_bootloader *bl, const struct sim_bootloader_config *config,
                         const struct sim_bootloader_host *host)
{
    memset(bl, 0, sizeof *bl);
    bl->config = *config;
    bl->host = *host;
    bl->phase = SIM_BOOTLOADER_WAIT_SYNC;
}

void sim_bootloader_reset(struct sim_bootloader *bl)
{
    /* busy_until_ps survives: the reset happens at the end of the operation that caused it, not before. */
    bl->phase = SIM_BOOTLOADER_WAIT_SYNC;
    bl->frame_received = 0;
    bl->page_count = 0;
}

const char *sim_bootloader_last_refusal(const struct sim_bootloader *bl)
{
    return bl->refusal;
}

/* ---- answers ---- */

static void transmit(struct sim_bootloader *bl, uint8_t byte, uint64_t at_ps)
{
    if (bl->host.transmit != NULL)
        bl->host.transmit(bl->host.ctx, byte, at_ps);
}

static void acknowledge(struct sim_bootloader *bl, uint64_t at_ps)
{
    transmit(bl, SIM_BOOTLOADER_ACK, at_ps);
}

/* NACK, say why, and wait for the next command (AN3155, notes to the command table: a denied command or an error
 * is NACKed and the bootloader goes back to command checking). */
__attribute__((format(printf, 3, 4))) static void refuse(struct sim_bootloader *bl, uint64_t at_ps, const char *format,
                                                         ...)
{
    va_list args;
    va_start(args, format);
    vsnprintf(bl->refusal, sizeof bl->refusal, format, args);
    va_end(args);
    transmit(bl, SIM_BOOTLOADER_NACK, at_ps);
    bl->phase = SIM_BOOTLOADER_WAIT_COMMAND;
}

/* Commands that change option bytes end with ACK and a system reset; the ROM then starts over at autobaud. The
 * phase changes first so that a host that re-enters the model from system_reset() sees the new state. */
static void acknowledge_and_reset(struct sim_bootloader *bl, uint64_t at_ps)
{
    acknowledge(bl, at_ps);
    bl->phase = SIM_BOOTLOADER_WAIT_SYNC;
    if (bl->host.system_reset != NULL)
        bl->host.system_reset(bl->host.ctx, at_ps);
}

/* The ROM answers an operation when it completes and takes no byte before then. */
static uint64_t occupy_until(struct sim_bootloader *bl, uint64_t now_ps, uint64_t done_ps)
{
    uint64_t at_ps = done_ps > now_ps ? done_ps : now_ps;
    if (at_ps > bl->busy_until_ps)
        bl->busy_until_ps = at_ps;
    return at_ps;
}

/* ---- memory regions ---- */

static bool region_holds(uint32_t base, uint32_t size, uint32_t addr, uint32_t len)
{
    return size > 0 && addr >= base && (uint64_t)(addr - base) + len <= size;
}

/* The region holding [addr, addr + len), or REGION_NONE when the range is not inside one region. */
static enum region region_of(const struct sim_bootloader_config *config, uint32_t addr, uint32_t len)
{
    if (region_holds(config->flash_base, config->flash_size, addr, len))
        return REGION_FLASH;
    if (region_holds(config->sram_base, config->sram_size, addr, len))
        return REGION_SRAM;
    if (region_holds(config->system_memory_base, config->system_memory_size, addr, len))
        return REGION_SYSTEM_MEMORY;
    if (region_holds(config->option_bytes_base, config->option_bytes_size, addr, len))
        return REGION_OPTION_BYTES;
    return REGION_NONE;
}

static bool region_accepted(enum region region, unsigned accepted)
{
    return region != REGION_NONE && (accepted & ACCEPTS(region)) != 0;
}

/* ---- commands ---- */

static const char *command_name(uint8_t command)
{
    switch (command) {
    case COMMAND_GET: return "Get";
    case COMMAND_GET_VERSION: return "Get Version";
    case COMMAND_GET_ID: return "Get ID";
    case COMMAND_READ_MEMORY: return "Read Memory";
    case COMMAND_GO: return "Go";
    case COMMAND_WRITE_MEMORY: return "Write Memory";
    case COMMAND_ERASE: return "Erase";
    case COMMAND_EXTENDED_ERASE: return "Extended Erase";
    case COMMAND_WRITE_PROTECT: return "Write Protect";
    case COMMAND_WRITE_UNPROTECT: return "Write Unprotect";
    case COMMAND_READOUT_PROTECT: return "Readout Protect";
    case COMMAND_READOUT_UNPROTECT: return "Readout Unprotect";
    }
    return "unknown command";
}

/* The command list with the erase command the part's bootloader has. */
static uint8_t offered_command(const struct sim_bootloader *bl, unsigned index)
{
    uint8_t command = offered_commands[index];
    if (command == COMMAND_ERASE && bl->config.extended_erase)
        return COMMAND_EXTENDED_ERASE;
    return command;
}

static bool offers(const struct sim_bootloader *bl, uint8_t command)
{
    for (unsigned i = 0; i < OFFERED_COMMAND_COUNT; i++) {
        if (offered_command(bl, i) == command)
            return true;
    }
    return false;
}

/* AN3155, notes to the command table: with read protection active only these are served (Readout Unprotect is
 * what lifts it). */
static bool served_under_read_protection(uint8_t command)
{
    return command == COMMAND_GET || command == COMMAND_GET_VERSION || command == COMMAND_GET_ID ||
           command == COMMAND_READOUT_UNPROTECT;
}

static bool read_protected(const struct sim_bootloader *bl)
{
    return bl->host.rdp_level != NULL && bl->host.rdp_level(bl->host.ctx) > 0;
}

static void begin_frame(struct sim_bootloader *bl, enum sim_bootloader_phase phase, uint32_t header_length)
{
    bl->phase = phase;
    bl->frame_length = header_length;
    bl->frame_received = 0;
    bl->frame_xor = 0;
    bl->page_count = 0;
}

static void send_get(struct sim_bootloader *bl, uint64_t at_ps)
{
    acknowledge(bl, at_ps);
    transmit(bl, (uint8_t)OFFERED_COMMAND_COUNT, at_ps); /* bytes that follow, minus one: version + commands - 1 */
    transmit(bl, bl->config.version, at_ps);
    for (unsigned i = 0; i < OFFERED_COMMAND_COUNT; i++)
        transmit(bl, offered_command(bl, i), at_ps);
    acknowledge(bl, at_ps);
}

static void send_version(struct sim_bootloader *bl, uint64_t at_ps)
{
    acknowledge(bl, at_ps);
    transmit(bl, bl->config.version, at_ps);
    /* Formerly the read protection enable and disable counts; 0x00 on every current ROM. */
    transmit(bl, 0x00, at_ps);
    transmit(bl, 0x00, at_ps);
    acknowledge(bl, at_ps);
}

static void send_id(struct sim_bootloader *bl, uint64_t at_ps)
{
    acknowledge(bl, at_ps);
    transmit(bl, 1, at_ps); /* N = bytes - 1 */
    transmit(bl, (uint8_t)(bl->config.pid >> 8), at_ps);
    transmit(bl, (uint8_t)bl->config.pid, at_ps);
    acknowledge(bl, at_ps);
}

static void write_unprotect(struct sim_bootloader *bl, uint64_t at_ps)
{
    acknowledge(bl, at_ps);
    uint64_t done_ps = at_ps;
    bool ok = bl->host.set_write_protection != NULL &&
              bl->host.set_write_protection(bl->host.ctx, false, NULL, 0, at_ps, &done_ps);
    at_ps = occupy_until(bl, at_ps, done_ps);
    if (!ok) {
        refuse(bl, at_ps, "Write Unprotect: the option bytes could not be changed");
        return;
    }
    acknowledge_and_reset(bl, at_ps);
}

static void readout_protect(struct sim_bootloader *bl, uint64_t at_ps)
{
    acknowledge(bl, at_ps);
    uint64_t done_ps = at_ps;
    bool ok = bl->host.set_read_protection != NULL && bl->host.set_read_protection(bl->host.ctx, true, at_ps, &done_ps);
    at_ps = occupy_until(bl, at_ps, done_ps);
    if (!ok) {
        refuse(bl, at_ps, "Readout Protect: the option bytes could not be changed");
        return;
    }
    acknowledge_and_reset(bl, at_ps);
}

/* AN3155: ACK, erase all flash, then clear read protection; a failed erase leaves protection on and is NACKed. */
static void readout_unprotect(struct sim_bootloader *bl, uint64_t at_ps)
{
    acknowledge(bl, at_ps);
    uint64_t done_ps = at_ps;
    bool erased = bl->host.mass_erase != NULL && bl->host.mass_erase(bl->host.ctx, at_ps, &done_ps);
    at_ps = occupy_until(bl, at_ps, done_ps);
    if (!erased) {
        refuse(bl, at_ps, "Readout Unprotect: mass erase failed; read protection stays");
        return;
    }
    done_ps = at_ps;
    bool cleared =
        bl->host.set_read_protection != NULL && bl->host.set_read_protection(bl->host.ctx, false, at_ps, &done_ps);
    at_ps = occupy_until(bl, at_ps, done_ps);
    if (!cleared) {
        refuse(bl, at_ps, "Readout Unprotect: flash erased but the option bytes could not be changed");
        return;
    }
    acknowledge_and_reset(bl, at_ps);
}

/* The command and its complement have arrived. */
static void start_command(struct sim_bootloader *bl, uint64_t at_ps)
{
    uint8_t command = bl->command;
    if (!offers(bl, command)) {
        refuse(bl, at_ps, "command 0x%02X (%s): not offered by this bootloader", command, command_name(command));
        return;
    }
    if (!served_under_read_protection(command) && read_protected(bl)) {
        refuse(bl, at_ps, "%s: refused while read protection is active", command_name(command));
        return;
    }
    switch (command) {
    case COMMAND_GET:
        send_get(bl, at_ps);
        bl->phase = SIM_BOOTLOADER_WAIT_COMMAND;
        return;
    case COMMAND_GET_VERSION:
        send_version(bl, at_ps);
        bl->phase = SIM_BOOTLOADER_WAIT_COMMAND;
        return;
    case COMMAND_GET_ID:
        send_id(bl, at_ps);
        bl->phase = SIM_BOOTLOADER_WAIT_COMMAND;
        return;
    case COMMAND_READ_MEMORY:
    case COMMAND_GO:
    case COMMAND_WRITE_MEMORY:
        acknowledge(bl, at_ps);
        begin_frame(bl, SIM_BOOTLOADER_ADDRESS, 5);
        return;
    case COMMAND_ERASE:
        acknowledge(bl, at_ps);
        begin_frame(bl, SIM_BOOTLOADER_ERASE_LIST, 1);
        return;
    case COMMAND_EXTENDED_ERASE:
        acknowledge(bl, at_ps);
        begin_frame(bl, SIM_BOOTLOADER_EXTENDED_ERASE_LIST, 2);
        return;
    case COMMAND_WRITE_PROTECT:
        acknowledge(bl, at_ps);
        begin_frame(bl, SIM_BOOTLOADER_WRITE_PROTECT_LIST, 1);
        return;
    case COMMAND_WRITE_UNPROTECT: write_unprotect(bl, at_ps); return;
    case COMMAND_READOUT_PROTECT: readout_protect(bl, at_ps); return;
    case COMMAND_READOUT_UNPROTECT: readout_unprotect(bl, at_ps); return;
    }
}

/* ---- frames after a command's ACK ---- */

static void address_received(struct sim_bootloader *bl, uint64_t at_ps)
{
    const char *name = command_name(bl->command);
    if (bl->frame_xor != 0) {
        refuse(bl, at_ps, "%s: address checksum does not match", name);
        return;
    }
    uint32_t addr =
        (uint32_t)bl->frame[0] << 24 | (uint32_t)bl->frame[1] << 16 | (uint32_t)bl->frame[2] << 8 | bl->frame[3];
    enum region region = region_of(&bl->config, addr, 1);
    switch (bl->command) {
    case COMMAND_READ_MEMORY:
        if (!region_accepted(region, READ_REGIONS)) {
            refuse(bl, at_ps, "%s at 0x%08" PRIX32 ": not in flash, SRAM, system memory or option bytes", name, addr);
            return;
        }
        bl->address = addr;
        acknowledge(bl, at_ps);
        begin_frame(bl, SIM_BOOTLOADER_READ_COUNT, 2);
        return;
    case COMMAND_WRITE_MEMORY:
        if (!region_accepted(region, WRITE_REGIONS)) {
            refuse(bl, at_ps, "%s at 0x%08" PRIX32 ": not in flash, SRAM or option bytes", name, addr);
            return;
        }
        bl->address = addr;
        acknowledge(bl, at_ps);
        begin_frame(bl, SIM_BOOTLOADER_WRITE_DATA, 1);
        return;
    case COMMAND_GO:
        if (!region_accepted(region, GO_REGIONS)) {
            refuse(bl, at_ps, "%s to 0x%08" PRIX32 ": not in flash or SRAM", name, addr);
            return;
        }
        acknowledge(bl, at_ps);
        bl->phase = SIM_BOOTLOADER_DETACHED;
        if (bl->host.go != NULL)
            bl->host.go(bl->host.ctx, addr, at_ps);
        return;
    }
}

static void read_count_received(struct sim_bootloader *bl, uint64_t at_ps)
{
    uint32_t len = bl->frame[0] + 1u;
    if (bl->frame_xor != 0xFF) {
        refuse(bl, at_ps, "Read Memory at 0x%08" PRIX32 ": byte count without its complement", bl->address);
        return;
    }
    if (!region_accepted(region_of(&bl->config, bl->address, len), READ_REGIONS)) {
        refuse(bl, at_ps, "Read Memory of %" PRIu32 " bytes at 0x%08" PRIX32 ": runs past the end of its region", len,
               bl->address);
        return;
    }
    uint8_t data[SIM_BOOTLOADER_MAX_BLOCK];
    if (bl->host.read == NULL || !bl->host.read(bl->host.ctx, bl->address, data, len)) {
        refuse(bl, at_ps, "Read Memory of %" PRIu32 " bytes at 0x%08" PRIX32 ": not readable", len, bl->address);
        return;
    }
    acknowledge(bl, at_ps);
    for (uint32_t i = 0; i < len; i++)
        transmit(bl, data[i], at_ps);
    bl->phase = SIM_BOOTLOADER_WAIT_COMMAND;
}

static void write_data_received(struct sim_bootloader *bl, uint64_t at_ps)
{
    uint32_t len = bl->frame[0] + 1u;
    if (bl->frame_xor != 0) {
        refuse(bl, at_ps, "Write Memory at 0x%08" PRIX32 ": data checksum does not match", bl->address);
        return;
    }
    enum region region = region_of(&bl->config, bl->address, len);
    if (!region_accepted(region, WRITE_REGIONS)) {
        refuse(bl, at_ps, "Write Memory of %" PRIu32 " bytes at 0x%08" PRIX32 ": runs past the end of its region", len,
               bl->address);
        return;
    }
    uint64_t done_ps = at_ps;
    bool ok = bl->host.write != NULL && bl->host.write(bl->host.ctx, bl->address, &bl->frame[1], len, at_ps, &done_ps);
    at_ps = occupy_until(bl, at_ps, done_ps);
    if (!ok) {
        refuse(bl, at_ps, "Write Memory of %" PRIu32 " bytes at 0x%08" PRIX32 ": refused (protected or not erased)",
               len, bl->address);
        return;
    }
    /* AN3155: a write into the option bytes ends with a system reset, which loads them. */
    if (region == REGION_OPTION_BYTES) {
        acknowledge_and_reset(bl, at_ps);
        return;
    }
    acknowledge(bl, at_ps);
    bl->phase = SIM_BOOTLOADER_WAIT_COMMAND;
}

static void erase_done(struct sim_bootloader *bl, bool ok, uint64_t at_ps, uint64_t done_ps, const char *what)
{
    at_ps = occupy_until(bl, at_ps, done_ps);
    if (!ok) {
        refuse(bl, at_ps, "%s: %s refused (write-protected or failed)", command_name(bl->command), what);
        return;
    }
    acknowledge(bl, at_ps);
    bl->phase = SIM_BOOTLOADER_WAIT_COMMAND;
}

static void mass_erase(struct sim_bootloader *bl, uint64_t at_ps)
{
    uint64_t done_ps = at_ps;
    bool ok = bl->host.mass_erase != NULL && bl->host.mass_erase(bl->host.ctx, at_ps, &done_ps);
    erase_done(bl, ok, at_ps, done_ps, "mass erase");
}

/* The listed pages, all checked before any is erased. */
static void erase_pages(struct sim_bootloader *bl, uint64_t at_ps)
{
    const char *name = command_name(bl->command);
    if (bl->page_count > SIM_BOOTLOADER_MAX_ERASE_PAGES) {
        refuse(bl, at_ps, "%s: %" PRIu32 " pages in one command, more than the %u this bootloader takes", name,
               bl->page_count, SIM_BOOTLOADER_MAX_ERASE_PAGES);
        return;
    }
    for (uint32_t i = 0; i < bl->page_count; i++) {
        if (bl->pages[i] >= bl->config.erase_unit_count) {
            refuse(bl, at_ps, "%s: page %u does not exist (the part has %" PRIu32 ")", name, bl->pages[i],
                   bl->config.erase_unit_count);
            return;
        }
    }
    uint64_t done_ps = at_ps;
    bool ok = bl->host.erase_units != NULL &&
              bl->host.erase_units(bl->host.ctx, bl->pages, (unsigned)bl->page_count, at_ps, &done_ps);
    erase_done(bl, ok, at_ps, done_ps, "page erase");
}

static void erase_list_received(struct sim_bootloader *bl, uint64_t at_ps)
{
    if (bl->frame[0] == ERASE_GLOBAL) {
        if (bl->frame_xor != 0xFF) {
            refuse(bl, at_ps, "Erase: global erase code 0xFF without its complement");
            return;
        }
        mass_erase(bl, at_ps);
        return;
    }
    if (bl->frame_xor != 0) {
        refuse(bl, at_ps, "Erase: page list checksum does not match");
        return;
    }
    erase_pages(bl, at_ps);
}

static void extended_erase_list_received(struct sim_bootloader *bl, uint64_t at_ps)
{
    if (bl->frame_xor != 0) {
        refuse(bl, at_ps, "Extended Erase: checksum does not match");
        return;
    }
    unsigned code = (unsigned)bl->frame[0] << 8 | bl->frame[1];
    if (code < EXTENDED_ERASE_SPECIAL_FIRST) {
        erase_pages(bl, at_ps);
        return;
    }
    if (code == EXTENDED_ERASE_MASS) {
        mass_erase(bl, at_ps);
        return;
    }
    if (code != EXTENDED_ERASE_BANK1 && code != EXTENDED_ERASE_BANK2) {
        refuse(bl, at_ps, "Extended Erase: special code 0x%04X is reserved", code);
        return;
    }
    if (!bl->config.dual_bank) {
        refuse(bl, at_ps, "Extended Erase: bank erase code 0x%04X on a single-bank part", code);
        return;
    }
    unsigned bank = code == EXTENDED_ERASE_BANK1 ? 1 : 2;
    uint64_t done_ps = at_ps;
    bool ok = bl->host.bank_erase != NULL && bl->host.bank_erase(bl->host.ctx, bank, at_ps, &done_ps);
    erase_done(bl, ok, at_ps, done_ps, bank == 1 ? "bank 1 erase" : "bank 2 erase");
}

static void write_protect_list_received(struct sim_bootloader *bl, uint64_t at_ps)
{
    if (bl->frame_xor != 0) {
        refuse(bl, at_ps, "Write Protect: sector list checksum does not match");
        return;
    }
    unsigned count = bl->frame[0] + 1u;
    uint64_t done_ps = at_ps;
    bool ok = bl->host.set_write_protection != NULL &&
              bl->host.set_write_protection(bl->host.ctx, true, &bl->frame[1], count, at_ps, &done_ps);
    at_ps = occupy_until(bl, at_ps, done_ps);
    if (!ok) {
        refuse(bl, at_ps, "Write Protect: the option bytes could not be changed");
        return;
    }
    acknowledge_and_reset(bl, at_ps);
}

static void add_page(struct sim_bootloader *bl, uint16_t page)
{
    if (bl->page_count < SIM_BOOTLOADER_MAX_ERASE_PAGES)
        bl->pages[bl->page_count] = page;
    bl->page_count++;
}

/* Frame lengths become known from their first byte(s): N-1 counts, or the 16-bit Extended Erase code. */
static void receive_frame_byte(struct sim_bootloader *bl, uint8_t byte, uint64_t at_ps)
{
    uint32_t index = bl->frame_received++;
    if (index < sizeof bl->frame)
        bl->frame[index] = byte;
    bl->frame_xor ^= byte;

    switch (bl->phase) {
    case SIM_BOOTLOADER_WRITE_DATA:
    case SIM_BOOTLOADER_WRITE_PROTECT_LIST:
        if (index == 0)
            bl->frame_length = 1 + (byte + 1u) + 1;
        break;
    case SIM_BOOTLOADER_ERASE_LIST:
        if (index == 0)
            bl->frame_length = byte == ERASE_GLOBAL ? 2 : 1 + (byte + 1u) + 1;
        else if (bl->frame[0] != ERASE_GLOBAL && index + 1 < bl->frame_length)
            add_page(bl, byte);
        break;
    case SIM_BOOTLOADER_EXTENDED_ERASE_LIST:
        if (index == 1) {
            unsigned code = (unsigned)bl->frame[0] << 8 | byte;
            bl->frame_length = code >= EXTENDED_ERASE_SPECIAL_FIRST ? 3 : 2 + 2 * (code + 1u) + 1;
        } else if (index >= 2 && index + 1 < bl->frame_length && (index & 1u) == 1) {
            add_page(bl, (uint16_t)(bl->frame_last_byte << 8 | byte)); /* page numbers MSB first */
        }
        break;
    default: break;
    }
    bl->frame_last_byte = byte;

    if (bl->frame_received < bl->frame_length)
        return;
    switch (bl->phase) {
    case SIM_BOOTLOADER_ADDRESS: address_received(bl, at_ps); break;
    case SIM_BOOTLOADER_READ_COUNT: read_count_received(bl, at_ps); break;
    case SIM_BOOTLOADER_WRITE_DATA: write_data_received(bl, at_ps); break;
    case SIM_BOOTLOADER_ERASE_LIST: erase_list_received(bl, at_ps); break;
    case SIM_BOOTLOADER_EXTENDED_ERASE_LIST: extended_erase_list_received(bl, at_ps); break;
    case SIM_BOOTLOADER_WRITE_PROTECT_LIST: write_protect_list_received(bl, at_ps); break;
    default: break;
    }
}

void sim_bootloader_receive(struct sim_bootloader *bl, uint8_t byte, uint64_t now_ps)
{
    uint64_t at_ps = now_ps > bl->busy_until_ps ? now_ps : bl->busy_until_ps;
    switch (bl->phase) {
    case SIM_BOOTLOADER_WAIT_SYNC:
        if (byte == SIM_BOOTLOADER_SYNC) {
            acknowledge(bl, at_ps);
            bl->phase = SIM_BOOTLOADER_WAIT_COMMAND;
        }
        return;
    case SIM_BOOTLOADER_DETACHED: return;
    case SIM_BOOTLOADER_WAIT_COMMAND:
        bl->command = byte;
        bl->phase = SIM_BOOTLOADER_WAIT_COMPLEMENT;
        return;
    case SIM_BOOTLOADER_WAIT_COMPLEMENT: {
        uint8_t complement = (uint8_t)(bl->command ^ 0xFFu);
        if (byte != complement) {
            refuse(bl, at_ps, "command 0x%02X followed by 0x%02X instead of its complement 0x%02X", bl->command, byte,
                   complement);
            return;
        }
        start_command(bl, at_ps);
        return;
    }
    default: receive_frame_byte(bl, byte, at_ps); return;
    }
}
