/*
 * sim_stm32_rom.c - system memory and the ROM bootloader's hands on the chip.
 *
 * System memory holds what a debugger or the firmware reads there: the flash size register, and a vector table
 * whose reset handler is a WFI loop, so that a core booted into the ROM idles where a real one would be. The
 * emulator cannot fetch from system memory (its page is shared with the option bytes' registers), so the chip puts
 * the core to sleep at that loop instead of running it. The bootloader itself is the C model of sim_bootloader.c; this file gives it the chip's
 * memories and flash service, its UART, Go and the system reset.
 */
#include "sim_stm32.h"

#include <string.h>

#define ROM_LOOP_OFFSET 0x40u
#define THUMB_WFI 0xBF30u
#define THUMB_BRANCH_BACK_TO_WFI 0xE7FDu

static void put_le(uint8_t *bytes, uint32_t value, unsigned len)
{
    for (unsigned i = 0; i < len; i++)
        bytes[i] = (uint8_t)(value >> (8 * i));
}

bool sim_stm32_rom_create(struct sim_stm32 *stm32)
{
    const struct sim_part *part = stm32->part;
    struct sim_memory *rom = sim_memory_create(part->system_memory_size, false);
    if (rom == NULL)
        return false;
    stm32->system_memory = rom;
    if (!sim_memory_map(rom, sim_target_bus(stm32->target), part->system_memory_base, "system memory"))
        return false;
    uint8_t *bytes = sim_memory_data(rom);
    put_le(bytes, SIM_STM32_SRAM_BASE + part->sram_size, 4);
    put_le(bytes + 4, part->system_memory_base + ROM_LOOP_OFFSET + 1u, 4);
    put_le(bytes + ROM_LOOP_OFFSET, THUMB_WFI, 2);
    put_le(bytes + ROM_LOOP_OFFSET + 2, THUMB_BRANCH_BACK_TO_WFI, 2);
    uint32_t size_kb = part->flash_size / 1024u;
    if (part->flash_size_register - part->system_memory_base < part->system_memory_size) {
        put_le(bytes + (part->flash_size_register - part->system_memory_base), size_kb, 2);
        return true;
    }
    /* L0/L1: the register sits in the factory data after the option bytes, away from the boot ROM. */
    struct sim_memory *size_register = sim_memory_create(4, false);
    stm32->flash_size_memory = size_register;
    if (size_register == NULL ||
        !sim_memory_map(size_register, sim_target_bus(stm32->target), part->flash_size_register, "flash size"))
        return false;
    put_le(sim_memory_data(size_register), size_kb, 2);
    return true;
}

/* ---- the bootloader's host ---- */

static bool inside(uint32_t addr, uint32_t len, uint32_t base, uint32_t size)
{
    return addr >= base && len <= size && addr - base <= size - len;
}

static bool rom_read(void *ctx, uint32_t addr, uint8_t *out, uint32_t len)
{
    struct sim_stm32 *stm32 = ctx;
    uint64_t now = sim_target_now_ps(stm32->target);
    for (uint32_t i = 0; i < len; i++) {
        uint32_t value;
        uint64_t done;
        if (sim_bus_read(sim_target_bus(stm32->target), SIM_BUS_MASTER_BOOTLOADER, addr + i, 1, &value, now,
                         &done) != SIM_BUS_OK)
            return false;
        out[i] = (uint8_t)value;
    }
    return true;
}

static bool rom_write(void *ctx, uint32_t addr, const uint8_t *data, uint32_t len, uint64_t now_ps, uint64_t *done_ps)
{
    struct sim_stm32 *stm32 = ctx;
    *done_ps = now_ps;
    if (inside(addr, len, SIM_FLASH_BASE, sim_flash_size(stm32->flash)))
        return sim_flash_program(stm32->flash, addr, data, len, now_ps, done_ps);
    if (inside(addr, len, SIM_STM32_SRAM_BASE, sim_memory_size(stm32->sram))) {
        memcpy(sim_memory_data(stm32->sram) + (addr - SIM_STM32_SRAM_BASE), data, len);
        sim_cortexm_code_changed(stm32->cpu, addr, len);
        return true;
    }
    return false;
}

static bool rom_erase_units(void *ctx, const uint16_t *units, unsigned count, uint64_t now_ps, uint64_t *done_ps)
{
    struct sim_stm32 *stm32 = ctx;
    *done_ps = now_ps;
    for (unsigned i = 0; i < count; i++) {
        if (!sim_flash_erase_unit(stm32->flash, units[i], *done_ps, done_ps))
            return false;
    }
    return true;
}

static bool rom_mass_erase(void *ctx, uint64_t now_ps, uint64_t *done_ps)
{
    struct sim_stm32 *stm32 = ctx;
    return sim_flash_mass_erase(stm32->flash, now_ps, done_ps);
}

/* The bootloader numbers banks from 1; the controller erases one in a mass erase's time, not page by page. */
static bool rom_bank_erase(void *ctx, unsigned bank, uint64_t now_ps, uint64_t *done_ps)
{
    struct sim_stm32 *stm32 = ctx;
    return sim_flash_erase_bank(stm32->flash, bank - 1, now_ps, done_ps);
}

static unsigned rom_rdp_level(void *ctx)
{
    struct sim_stm32 *stm32 = ctx;
    return sim_flash_rdp_level(stm32->flash);
}

static bool rom_set_read_protection(void *ctx, bool protect, uint64_t now_ps, uint64_t *done_ps)
{
    struct sim_stm32 *stm32 = ctx;
    return sim_flash_set_rdp(stm32->flash, protect ? 1 : 0, now_ps, done_ps);
}

/* The ROM protects or unprotects the whole array; per-sector codes are not modelled. */
static bool rom_set_write_protection(void *ctx, bool protect, const uint8_t *sectors, unsigned count,
                                     uint64_t now_ps, uint64_t *done_ps)
{
    struct sim_stm32 *stm32 = ctx;
    (void)sectors;
    (void)count;
    return sim_flash_set_write_protection(stm32->flash, protect, now_ps, done_ps);
}

static void rom_go(void *ctx, uint32_t addr, uint64_t now_ps)
{
    struct sim_stm32 *stm32 = ctx;
    uint8_t vectors[8];
    if (!rom_read(stm32, addr, vectors, sizeof vectors))
        return;
    uint32_t sp = (uint32_t)vectors[0] | (uint32_t)vectors[1] << 8 | (uint32_t)vectors[2] << 16 |
                  (uint32_t)vectors[3] << 24;
    uint32_t pc = (uint32_t)vectors[4] | (uint32_t)vectors[5] << 8 | (uint32_t)vectors[6] << 16 |
                  (uint32_t)vectors[7] << 24;
    (void)now_ps;
    stm32->boot_from_rom = false; /* the application owns USART1 now */
    sim_cortexm_start_at(stm32->cpu, sp, pc);
}

static void rom_system_reset(void *ctx, uint64_t now_ps)
{
    sim_stm32_option_load_reset(ctx, "bootloader", now_ps); /* it resets only after an option change */
}

static void rom_transmit(void *ctx, uint8_t byte, uint64_t at_ps)
{
    struct sim_stm32 *stm32 = ctx;
    if (stm32->events.uart_tx != NULL)
        stm32->events.uart_tx(stm32->events.ctx, 1, byte, at_ps);
}

void sim_stm32_rom_attach_bootloader(struct sim_stm32 *stm32)
{
    struct sim_bootloader_config config;
    sim_bootloader_config_from_part(stm32->part, &config);
    const struct sim_bootloader_host host = {
        .ctx = stm32,
        .read = rom_read,
        .write = rom_write,
        .erase_units = rom_erase_units,
        .mass_erase = rom_mass_erase,
        .bank_erase = rom_bank_erase,
        .rdp_level = rom_rdp_level,
        .set_read_protection = rom_set_read_protection,
        .set_write_protection = rom_set_write_protection,
        .go = rom_go,
        .system_reset = rom_system_reset,
        .transmit = rom_transmit,
    };
    sim_bootloader_init(&stm32->bootloader, &config, &host);
}
