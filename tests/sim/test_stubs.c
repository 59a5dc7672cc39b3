/*
 * test_stubs.c - the SRAM stubs of src/stm32/stm32_stubs.c run on the simulated parts as the host runs them: image
 * at 0x20000000, arguments in r0-r3, halting debug enabled so that the final BKPT halts the core. crc32 gives zlib's
 * value for any alignment and length and chains; each flash loader programs what the host streams through its ring
 * on its family's parts, at close to the flash's own speed, and reports errors and stops as documented.
 *
 * Figures printed here are simulated chip time (the simulated core counts one cycle per 16 bits of code executed).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "sim_stm32.h"
#include "stm32/stm32_stubs.h"

#define US 1000000ull /* picoseconds */
#define MS 1000000000ull

#define DHCSR              0xE000EDF0u
#define DHCSR_DEBUGEN_HALT 0xA05F0003u /* DBGKEY | C_HALT | C_DEBUGEN */
#define DEMCR              0xE000EDFCu
#define DEMCR_VC_CORERESET 1u
#define AIRCR              0xE000ED0Cu
#define AIRCR_SYSRESETREQ  0x05FA0004u

#define KEY1  0x45670123u
#define KEY2  0xCDEF89ABu

/* ---- the chip, driven as a debugger would ---- */

static struct sim_bus *bus_of(struct sim_stm32 *stm32)
{
    return sim_target_bus(stm32->target);
}

/* A write through the AHB-AP; time moves on to when it completes. */
static void debug_write(struct sim_stm32 *stm32, uint32_t addr, uint32_t value)
{
    uint64_t now = sim_stm32_now_ps(stm32), done;
    assert_int_equal(sim_bus_write(bus_of(stm32), SIM_BUS_MASTER_DEBUG, addr, 4, value, now, &done), SIM_BUS_OK);
    if (done > now)
        sim_stm32_run_for(stm32, done - now);
}

static uint32_t debug_read(struct sim_stm32 *stm32, uint32_t addr)
{
    uint64_t now = sim_stm32_now_ps(stm32), done;
    uint32_t value = 0;
    assert_int_equal(sim_bus_read(bus_of(stm32), SIM_BUS_MASTER_DEBUG, addr, 4, &value, now, &done), SIM_BUS_OK);
    if (done > now)
        sim_stm32_run_for(stm32, done - now);
    return value;
}

/* A part halted at its reset vector with halting debug enabled, so that a BKPT halts it (without C_DEBUGEN it
 * escalates to HardFault). */
static struct sim_stm32 *halted_chip(const char *part)
{
    struct sim_stm32 *stm32 = sim_stm32_create(part, 0);
    assert_non_null(stm32);
    debug_write(stm32, DHCSR, DHCSR_DEBUGEN_HALT);
    debug_write(stm32, DEMCR, DEMCR_VC_CORERESET);
    debug_write(stm32, AIRCR, AIRCR_SYSRESETREQ);
    debug_write(stm32, DEMCR, 0);
    assert_int_equal(sim_cortexm_state(stm32->cpu), SIM_CORTEXM_HALTED);
    return stm32;
}

static uint8_t *sram_at(struct sim_stm32 *stm32, uint32_t addr)
{
    assert_true(addr >= SIM_STM32_SRAM_BASE && addr - SIM_STM32_SRAM_BASE < sim_memory_size(stm32->sram));
    return sim_memory_data(stm32->sram) + (addr - SIM_STM32_SRAM_BASE);
}

static void sram_write32(struct sim_stm32 *stm32, uint32_t addr, uint32_t value)
{
    uint8_t *p = sram_at(stm32, addr);
    for (unsigned i = 0; i < 4; i++)
        p[i] = (uint8_t)(value >> (8 * i));
}

static uint32_t sram_read32(struct sim_stm32 *stm32, uint32_t addr)
{
    const uint8_t *p = sram_at(stm32, addr);
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

struct stub {
    const uint8_t *image;
    uint32_t size, entry, ram_size, stack_size;
};

/* What stm32_stubs.h says of the stub stm32_stub_<name>, whose macros are STM32_STUB_<NAME>_*. */
#define STUB(name, NAME)                                                                                               \
    {                                                                                                                  \
        .image = stm32_stub_##name, .size = STM32_STUB_##NAME##_SIZE, .entry = STM32_STUB_##NAME##_ENTRY,              \
        .ram_size = STM32_STUB_##NAME##_RAM_SIZE, .stack_size = STM32_STUB_##NAME##_STACK_SIZE                         \
    }

static const struct stub crc32_stub = STUB(crc32, CRC32);

static void load_stub(struct sim_stm32 *stm32, const struct stub *stub)
{
    assert_true(stub->ram_size >= stub->size);
    memcpy(sram_at(stm32, STM32_STUB_LOAD_ADDRESS), stub->image, stub->size);
    sim_cortexm_code_changed(stm32->cpu, STM32_STUB_LOAD_ADDRESS, stub->size);
}

/* Sets the calling convention's registers and lets the halted core go; returns the cycle count at the start. */
static uint64_t start_stub(struct sim_stm32 *stm32, const struct stub *stub, const uint32_t args[4], uint32_t sp)
{
    struct sim_cortexm *cpu = stm32->cpu;
    assert_int_equal(sim_cortexm_state(cpu), SIM_CORTEXM_HALTED);
    assert_true(sp >= STM32_STUB_LOAD_ADDRESS + stub->ram_size + stub->stack_size && sp % 8 == 0);
    for (unsigned r = 0; r < 4; r++)
        sim_cortexm_set_reg(cpu, r, args[r]);
    sim_cortexm_set_reg(cpu, SIM_CORTEXM_REG_XPSR, 0x01000000u);
    sim_cortexm_set_reg(cpu, SIM_CORTEXM_REG_SPECIAL, 1u); /* PRIMASK */
    uint64_t cycles = sim_cortexm_cycles(cpu);
    sim_cortexm_start_at(cpu, sp, STM32_STUB_LOAD_ADDRESS + stub->entry);
    return cycles;
}

static bool stub_done(struct sim_stm32 *stm32)
{
    enum sim_cortexm_state state = sim_cortexm_state(stm32->cpu);
    assert_int_not_equal(state, SIM_CORTEXM_LOCKED_UP);
    if (state != SIM_CORTEXM_HALTED)
        return false;
    /* Halted on the stub's BKPT, not anywhere else. */
    uint32_t pc = sim_cortexm_reg(stm32->cpu, SIM_CORTEXM_REG_PC);
    assert_true(pc >= STM32_STUB_LOAD_ADDRESS && pc < STM32_STUB_LOAD_ADDRESS + 0x800);
    uint16_t instruction;
    memcpy(&instruction, sram_at(stm32, pc), sizeof instruction);
    assert_int_equal(instruction, 0xBE00); /* BKPT #0 */
    return true;
}

static uint32_t stack_top(struct sim_stm32 *stm32)
{
    return SIM_STM32_SRAM_BASE + sim_memory_size(stm32->sram);
}

/* ---- crc32 ---- */

/* The reference: bitwise, as zlib defines it. */
static uint32_t reference_crc32(uint32_t crc, const uint8_t *data, size_t length)
{
    crc = ~crc;
    for (size_t i = 0; i < length; i++) {
        crc ^= data[i];
        for (unsigned bit = 0; bit < 8; bit++)
            crc = crc >> 1 ^ (0xEDB88320u & -(crc & 1u));
    }
    return ~crc;
}

struct crc_run {
    uint32_t crc;
    uint64_t cycles;
};

static struct crc_run run_crc32(struct sim_stm32 *stm32, uint32_t address, uint32_t length, uint32_t initial)
{
    const uint32_t iwdg_kr = stm32->part->iwdg_base != 0 ? stm32->part->iwdg_base : SIM_IWDG_BASE;
    const uint32_t args[4] = {address, length, initial, iwdg_kr};
    uint64_t start = start_stub(stm32, &crc32_stub, args, stack_top(stm32));
    for (unsigned slices = 0; !stub_done(stm32); slices++) {
        assert_true(slices < 100000);
        sim_stm32_run_for(stm32, 100 * US);
    }
    return (struct crc_run){sim_cortexm_reg(stm32->cpu, 0), sim_cortexm_cycles(stm32->cpu) - start};
}

/* Pseudo-random bytes, the same on every run. */
static void fill_pattern(uint8_t *data, size_t length, uint32_t seed)
{
    uint32_t x = seed | 1u;
    for (size_t i = 0; i < length; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        data[i] = (uint8_t)(x >> 24);
    }
}

static void test_crc32_matches_zlib_for_any_alignment_and_length(void **state)
{
    (void)state;
    static const char *parts[] = {"stm32f030r8", "stm32f103c8", "stm32f303cc", "stm32f411ce", "stm32l476rg",
                                  "stm32g071rb", "stm32g431rb", "stm32g474re", "stm32f746zg", "stm32h743zi"};
    for (unsigned p = 0; p < sizeof parts / sizeof parts[0]; p++) {
        struct sim_stm32 *stm32 = halted_chip(parts[p]);
        load_stub(stm32, &crc32_stub);
        uint8_t *flash = sim_flash_array(stm32->flash);
        fill_pattern(flash, 4096, 7 + p);

        /* The check value of CRC-32/ISO-HDLC, from SRAM. */
        const uint32_t text = STM32_STUB_LOAD_ADDRESS + 0x800;
        memcpy(sram_at(stm32, text), "123456789", 9);
        assert_int_equal(run_crc32(stm32, text, 9, 0).crc, 0xCBF43926u);

        static const struct {
            uint32_t offset, length;
        } ranges[] = {{0, 0}, {0, 1}, {1, 3}, {3, 1}, {2, 7}, {0, 16}, {0, 64}, {1, 63}, {3, 77}, {4, 4092}, {5, 4001}};
        for (unsigned i = 0; i < sizeof ranges / sizeof ranges[0]; i++) {
            uint32_t offset = ranges[i].offset, length = ranges[i].length;
            uint32_t expected = reference_crc32(0, flash + offset, length);
            assert_int_equal(run_crc32(stm32, SIM_FLASH_BASE + offset, length, 0).crc, expected);
        }
        /* A length of zero leaves the CRC as it was. */
        assert_int_equal(run_crc32(stm32, SIM_FLASH_BASE, 0, 0x12345678u).crc, 0x12345678u);
        sim_stm32_destroy(stm32);
    }
}

static void test_crc32_chains(void **state)
{
    (void)state;
    struct sim_stm32 *stm32 = halted_chip("stm32f030r8");
    load_stub(stm32, &crc32_stub);
    uint8_t *flash = sim_flash_array(stm32->flash);
    fill_pattern(flash, 3000, 99);
    uint32_t whole = reference_crc32(0, flash, 3000);
    static const uint32_t splits[] = {0, 1, 3, 4, 1000, 1027, 2999, 3000};
    for (unsigned i = 0; i < sizeof splits / sizeof splits[0]; i++) {
        uint32_t split = splits[i];
        uint32_t first = run_crc32(stm32, SIM_FLASH_BASE, split, 0).crc;
        assert_int_equal(first, reference_crc32(0, flash, split));
        assert_int_equal(run_crc32(stm32, SIM_FLASH_BASE + split, 3000 - split, first).crc, whole);
    }
    /* Three pieces. */
    uint32_t crc = run_crc32(stm32, SIM_FLASH_BASE, 7, 0).crc;
    crc = run_crc32(stm32, SIM_FLASH_BASE + 7, 2000, crc).crc;
    crc = run_crc32(stm32, SIM_FLASH_BASE + 2007, 993, crc).crc;
    assert_int_equal(crc, whole);
    sim_stm32_destroy(stm32);
}

static void test_crc32_speed(void **state)
{
    (void)state;
    static const char *parts[] = {"stm32f103c8", "stm32f030r8"};
    for (unsigned p = 0; p < sizeof parts / sizeof parts[0]; p++) {
        struct sim_stm32 *stm32 = halted_chip(parts[p]);
        load_stub(stm32, &crc32_stub);
        uint32_t length = sim_flash_size(stm32->flash); /* 64 KB */
        fill_pattern(sim_flash_array(stm32->flash), length, 1234);
        struct crc_run empty = run_crc32(stm32, SIM_FLASH_BASE, 0, 0);
        struct crc_run full = run_crc32(stm32, SIM_FLASH_BASE, length, 0);
        assert_int_equal(full.crc, reference_crc32(0, sim_flash_array(stm32->flash), length));
        double per_byte = (double)(full.cycles - empty.cycles) / length;
        double hz = (double)stm32->part->reset_clock_hz;
        print_message("crc32 on %s (simulated): %.3f cycles/byte, %llu cycles fixed (table); %u KB in %.1f ms at "
                      "%.0f MHz\n",
                      parts[p], per_byte, (unsigned long long)empty.cycles, length / 1024,
                      1e3 * (double)full.cycles / hz, hz / 1e6);
        /* A byte-at-a-time table CRC costs five instructions per byte on Thumb-1; six would mean a regression. */
        assert_true(per_byte < 6.0);
        assert_true(empty.cycles < 3000);
        sim_stm32_destroy(stm32);
    }
}

/* ---- flash loaders ---- */

struct family {
    const char *part;
    const struct stub loader;
    uint32_t unit, errors;
    uint32_t fpec, keyr, sr, cr; /* the flash controller and its register offsets */
    uint32_t operation;          /* bytes the loader programs in one operation of tPROG (L0: a half page) */
    uint8_t erased;              /* what erased flash reads */
    uint32_t pg;                 /* the control register's programming bits (PG; L0's PECR: PROG and FPRG) */
};

/* Flash controller registers: PM0075 (F0/F1/F3), RM0090 chapter 3 (F4), RM0351 chapter 3 (L4/G0/G4). */
#define FAMILY_F1                                                                                                      \
    .loader = STUB(loader_f1, LOADER_F1), .unit = STM32_STUB_LOADER_F1_UNIT, .errors = STM32_STUB_LOADER_F1_ERRORS,    \
    .fpec = 0x40022000u, .keyr = 0x04, .sr = 0x0C, .cr = 0x10, .operation = 2, .erased = 0xFF, .pg = 1
#define FAMILY_F4                                                                                                      \
    .loader = STUB(loader_f4, LOADER_F4), .unit = STM32_STUB_LOADER_F4_UNIT, .errors = STM32_STUB_LOADER_F4_ERRORS,    \
    .fpec = 0x40023C00u, .keyr = 0x04, .sr = 0x0C, .cr = 0x10, .operation = 4, .erased = 0xFF, .pg = 1
#define FAMILY_L4                                                                                                      \
    .loader = STUB(loader_l4, LOADER_L4), .unit = STM32_STUB_LOADER_L4_UNIT, .errors = STM32_STUB_LOADER_L4_ERRORS,    \
    .fpec = 0x40022000u, .keyr = 0x08, .sr = 0x10, .cr = 0x14, .operation = 8, .erased = 0xFF, .pg = 1
/* RM0433 chapter 4 (H7): bank 1's KEYR 0x04, CR 0x0C (PG bit 1), SR 0x10. */
#define FAMILY_H7                                                                                                      \
    .loader = STUB(loader_h7, LOADER_H7), .unit = STM32_STUB_LOADER_H7_UNIT, .errors = STM32_STUB_LOADER_H7_ERRORS,    \
    .fpec = 0x52002000u, .keyr = 0x04, .sr = 0x10, .cr = 0x0C, .operation = 32, .erased = 0xFF, .pg = 2
/* RM0367 chapter 3 (L0): PEKEYR 0x0C (PRGKEYR follows at 0x10), SR 0x18, PECR 0x04; erased flash reads 0x00. */
#define FAMILY_L0                                                                                                      \
    .loader = STUB(loader_l0, LOADER_L0), .unit = STM32_STUB_LOADER_L0_UNIT, .errors = STM32_STUB_LOADER_L0_ERRORS,    \
    .fpec = 0x40022000u, .keyr = 0x0C, .sr = 0x18, .cr = 0x04, .operation = 64, .erased = 0x00,                      \
    .pg = (1u << 3) | (1u << 10)
/* RM0038 chapter 3 (L1): the same registers at 0x40023C00, half pages of 128 bytes. */
#define FAMILY_L1                                                                                                      \
    .loader = STUB(loader_l0, LOADER_L0), .unit = STM32_STUB_LOADER_L0_UNIT, .errors = STM32_STUB_LOADER_L0_ERRORS,    \
    .fpec = 0x40023C00u, .keyr = 0x0C, .sr = 0x18, .cr = 0x04, .operation = 128, .erased = 0x00,                     \
    .pg = (1u << 3) | (1u << 10)

static const struct family families[] = {
    {.part = "stm32f030r8", FAMILY_F1}, {.part = "stm32f103c8", FAMILY_F1}, {.part = "stm32f303cc", FAMILY_F1},
    {.part = "stm32f411ce", FAMILY_F4}, {.part = "stm32l476rg", FAMILY_L4}, {.part = "stm32g071rb", FAMILY_L4},
    {.part = "stm32g431rb", FAMILY_L4}, {.part = "stm32f746zg", FAMILY_F4}, {.part = "stm32l053r8", FAMILY_L0},
    {.part = "stm32h743zi", FAMILY_H7}, {.part = "stm32l152re", FAMILY_L1},
};

static const struct family *family_of(const char *part)
{
    for (unsigned i = 0; i < sizeof families / sizeof families[0]; i++)
        if (strcmp(families[i].part, part) == 0)
            return &families[i];
    fail();
    return NULL;
}

static void wait_flash_idle(struct sim_stm32 *stm32)
{
    uint64_t until = sim_flash_busy_until_ps(stm32->flash), now = sim_stm32_now_ps(stm32);
    if (until > now)
        sim_stm32_run_for(stm32, until - now);
}

static void unlock_flash(struct sim_stm32 *stm32, const struct family *f)
{
    if (stm32->part->family == SIM_FAMILY_L0 || stm32->part->family == SIM_FAMILY_L1) {
        debug_write(stm32, f->fpec + f->keyr, 0x89ABCDEF);     /* PEKEY1, PEKEY2: PELOCK */
        debug_write(stm32, f->fpec + f->keyr, 0x02030405);
        debug_write(stm32, f->fpec + f->keyr + 4, 0x8C9DAEBF); /* PRGKEY1, PRGKEY2: PRGLOCK */
        debug_write(stm32, f->fpec + f->keyr + 4, 0x13141516);
        return;
    }
    debug_write(stm32, f->fpec + f->keyr, KEY1);
    debug_write(stm32, f->fpec + f->keyr, KEY2);
}

/* Erases the units holding [SIM_FLASH_BASE, +length) through the controller's registers, as the host does. */
static void erase_flash(struct sim_stm32 *stm32, const struct family *f, uint32_t length)
{
    uint32_t cr = f->fpec + f->cr;
    switch (stm32->part->family) {
    case SIM_FAMILY_F0:
    case SIM_FAMILY_F1:
    case SIM_FAMILY_F3:
        for (uint32_t page = 0; page * 1024 < length; page++) {
            debug_write(stm32, cr, 0x2);                                      /* PER */
            debug_write(stm32, f->fpec + 0x14, SIM_FLASH_BASE + page * 1024); /* AR */
            debug_write(stm32, cr, 0x42);                                     /* PER | STRT */
            wait_flash_idle(stm32);
        }
        break;
    case SIM_FAMILY_F4:
    case SIM_FAMILY_F7:
        assert_true(length <= stm32->part->erase_runs[0].size);
        debug_write(stm32, cr, (2u << 8) | 0x2);              /* PSIZE x32 | SER, sector 0 */
        debug_write(stm32, cr, (2u << 8) | 0x2 | (1u << 16)); /* STRT */
        wait_flash_idle(stm32);
        break;
    case SIM_FAMILY_L4:
    case SIM_FAMILY_G0:
    case SIM_FAMILY_G4:
        for (uint32_t page = 0; page * 2048 < length; page++) {
            debug_write(stm32, cr, 0x2 | (page << 3) | (1u << 16)); /* PER | PNB | STRT */
            wait_flash_idle(stm32);
        }
        break;
    case SIM_FAMILY_H7:
        assert_true(length <= 128 * 1024);
        debug_write(stm32, cr, 0x34);        /* PSIZE x64 | SER, sector 0 */
        debug_write(stm32, cr, 0x34 | 0x80); /* START */
        wait_flash_idle(stm32);
        break;
    case SIM_FAMILY_L0:
    case SIM_FAMILY_L1: {
        uint32_t page_size = stm32->part->erase_runs[0].size; /* 128 on L0, 256 on L1 */
        debug_write(stm32, cr, (1u << 9) | (1u << 3));        /* ERASE | PROG */
        for (uint32_t page = 0; page * page_size < length; page++) {
            debug_write(stm32, SIM_FLASH_BASE + page * page_size, 0);
            wait_flash_idle(stm32);
        }
        break;
    }
    }
    debug_write(stm32, cr, 0);
    for (uint32_t i = 0; i < length; i++)
        assert_int_equal(sim_flash_array(stm32->flash)[i], f->erased);
}

/* The host's side of the ring. */
struct ring_host {
    struct sim_stm32 *stm32;
    uint32_t ring, end, data_start;
    uint32_t wp;
    const uint8_t *data;
    uint32_t length, sent;
    uint32_t unit;
};

static void ring_init(struct ring_host *host, struct sim_stm32 *stm32, const struct family *f, uint32_t ring,
                      uint32_t data_size, const uint8_t *data, uint32_t length)
{
    *host = (struct ring_host){.stm32 = stm32,
                               .ring = ring,
                               .end = ring + STM32_STUB_LOADER_RING_DATA + data_size,
                               .data_start = ring + STM32_STUB_LOADER_RING_DATA,
                               .data = data,
                               .length = length,
                               .unit = f->unit};
    host->wp = host->data_start;
    sram_write32(stm32, ring + STM32_STUB_LOADER_RING_WP, host->wp);
    sram_write32(stm32, ring + STM32_STUB_LOADER_RING_RP, host->data_start);
    sram_write32(stm32, ring + STM32_STUB_LOADER_RING_FLASH_REGS, f->fpec);
    sram_write32(stm32, ring + STM32_STUB_LOADER_RING_LAST, 0);
    sram_write32(stm32, ring + STM32_STUB_LOADER_RING_OPERATION, f->operation);
}

/* Writes up to max_bytes more of the data into the free part of the ring, then moves wp: data before pointer. */
static void ring_feed(struct ring_host *host, uint32_t max_bytes)
{
    uint32_t rp = sram_read32(host->stm32, host->ring + STM32_STUB_LOADER_RING_RP);
    if (rp == 0)
        return; /* the loader failed */
    uint32_t size = host->end - host->data_start;
    uint32_t used = (host->wp + size - rp) % size;
    uint32_t n = size - host->unit - used;
    if (n > host->length - host->sent)
        n = host->length - host->sent;
    if (n > max_bytes)
        n = max_bytes;
    n -= n % host->unit;
    while (n > 0) {
        uint32_t chunk = host->end - host->wp < n ? host->end - host->wp : n;
        memcpy(sram_at(host->stm32, host->wp), host->data + host->sent, chunk);
        host->sent += chunk;
        host->wp += chunk;
        if (host->wp == host->end)
            host->wp = host->data_start;
        n -= chunk;
    }
    sram_write32(host->stm32, host->ring + STM32_STUB_LOADER_RING_WP, host->wp);
}

struct loader_run {
    uint32_t status, next_address;
    uint64_t cycles;
};

/* Starts the loader and plays the host: every slice, as much data as max_bytes_per_slice allows; stop_after (when
 * not 0) asks the loader to stop once that many bytes were sent (last = wp, then wp = 0), and sends no more. */
static struct loader_run run_loader(struct ring_host *host, const struct family *f, uint32_t flash_address,
                                    uint64_t slice_ps, uint32_t max_bytes_per_slice, uint32_t stop_after)
{
    struct sim_stm32 *stm32 = host->stm32;
    load_stub(stm32, &f->loader);
    ring_feed(host, max_bytes_per_slice);
    const uint32_t args[4] = {host->ring, host->end, flash_address, host->length};
    uint64_t start = start_stub(stm32, &f->loader, args, stack_top(stm32));
    for (unsigned slices = 0; !stub_done(stm32); slices++) {
        assert_true(slices < 1000000);
        sim_stm32_run_for(stm32, slice_ps);
        if (stop_after != 0 && host->sent >= stop_after) {
            sram_write32(stm32, host->ring + STM32_STUB_LOADER_RING_LAST, host->wp);
            sram_write32(stm32, host->ring + STM32_STUB_LOADER_RING_WP, 0);
        } else
            ring_feed(host, max_bytes_per_slice);
    }
    struct loader_run run = {sim_cortexm_reg(stm32->cpu, 0), sim_cortexm_reg(stm32->cpu, 1),
                             sim_cortexm_cycles(stm32->cpu) - start};
    assert_int_equal(debug_read(stm32, f->fpec + f->cr) & f->pg, 0); /* PG cleared */
    return run;
}

/* A ring placed after the stub, away from the stack at the top of SRAM. */
static uint32_t ring_address(const struct family *f)
{
    return (STM32_STUB_LOAD_ADDRESS + f->loader.ram_size + 7u) & ~7u;
}

static void test_loaders_program_what_the_host_streams(void **state)
{
    (void)state;
    enum { LENGTH = 4096, RING_DATA = 1024 };
    static uint8_t data[LENGTH];
    for (unsigned i = 0; i < sizeof families / sizeof families[0]; i++) {
        const struct family *f = &families[i];
        struct sim_stm32 *stm32 = halted_chip(f->part);
        fill_pattern(sim_flash_array(stm32->flash), LENGTH, 5); /* an old image, erased first */
        unlock_flash(stm32, f);
        erase_flash(stm32, f, LENGTH);
        fill_pattern(data, LENGTH, 1000 + i);

        struct ring_host host;
        ring_init(&host, stm32, f, ring_address(f), RING_DATA, data, LENGTH);
        /* A host faster than the flash: the ring never runs dry, the flash sets the pace. */
        struct loader_run run = run_loader(&host, f, SIM_FLASH_BASE, 50 * US, RING_DATA, 0);
        assert_int_equal(run.status, 0);
        assert_int_equal(run.next_address, SIM_FLASH_BASE + LENGTH);
        assert_memory_equal(sim_flash_array(stm32->flash), data, LENGTH);
        assert_int_equal(sim_flash_array(stm32->flash)[LENGTH], f->erased);
        uint32_t rp = sram_read32(stm32, host.ring + STM32_STUB_LOADER_RING_RP);
        assert_int_equal(rp, host.wp); /* everything taken */
        assert_int_equal(rp, host.data_start + LENGTH % RING_DATA);
        assert_int_equal(debug_read(stm32, f->fpec + f->sr) & f->errors, 0);

        double units = (double)LENGTH / f->unit;
        double seconds = (double)run.cycles / stm32->part->reset_clock_hz;
        double flash_seconds = (double)LENGTH / f->operation * stm32->part->program_ns * 1e-9;
        print_message("loader on %s (simulated, %.0f MHz): %u B in %.2f ms, %.2f us per %u-byte unit; flash "
                      "tPROG %.2f us: ratio %.3f; 64 KB would take %.0f ms\n",
                      f->part, stm32->part->reset_clock_hz / 1e6, (unsigned)LENGTH, seconds * 1e3,
                      seconds / units * 1e6, f->unit, stm32->part->program_ns / 1e3, seconds / flash_seconds,
                      seconds * 65536.0 / LENGTH * 1e3);
        /* Between two units only the error check and the next store: within 10% of the flash's own time. */
        assert_true(seconds < flash_seconds * 1.10);
        sim_stm32_destroy(stm32);
    }
}

static void test_loader_waits_for_a_slow_host_and_wraps(void **state)
{
    (void)state;
    enum { LENGTH = 600, RING_DATA = 64 };
    static uint8_t data[LENGTH];
    static const char *parts[] = {"stm32f103c8", "stm32f411ce", "stm32g071rb", "stm32l053r8", "stm32l152re"};
    for (unsigned i = 0; i < sizeof parts / sizeof parts[0]; i++) {
        const struct family *f = family_of(parts[i]);
        struct sim_stm32 *stm32 = halted_chip(f->part);
        unlock_flash(stm32, f);
        fill_pattern(data, LENGTH, 77 + i);
        struct ring_host host;
        ring_init(&host, stm32, f, ring_address(f), RING_DATA, data, LENGTH);
        /* One unit per slice, each slice longer than a programming time: the loader waits on an empty ring. */
        struct loader_run run = run_loader(&host, f, SIM_FLASH_BASE + 0x100, 200 * US, f->unit, 0);
        assert_int_equal(run.status, 0);
        assert_int_equal(run.next_address, SIM_FLASH_BASE + 0x100 + LENGTH);
        assert_memory_equal(sim_flash_array(stm32->flash) + 0x100, data, LENGTH);
        assert_int_equal(sim_flash_array(stm32->flash)[0xFF], f->erased);
        assert_int_equal(sim_flash_array(stm32->flash)[0x100 + LENGTH], f->erased);
        sim_stm32_destroy(stm32);
    }
}

static void test_loader_stops_at_a_unit_that_fails(void **state)
{
    (void)state;
    enum { LENGTH = 1024, RING_DATA = 256, BAD = 0x208 };
    static uint8_t data[LENGTH];
    static const struct {
        const char *part;
        uint32_t expected; /* the flags the controller sets for a unit that is not erased */
    } cases[] = {
        {"stm32l476rg", 0x08}, /* PROGERR */
        {"stm32g071rb", 0x08}, /* PROGERR */
        {"stm32f103c8", 0x04}, /* PGERR */
        {"stm32f303cc", 0x04}, /* PGERR */
        {"stm32g431rb", 0x08}, /* PROGERR */
        {"stm32l053r8", 0x10000}, /* NOTZEROERR, for the half page that holds the unit */
        {"stm32h743zi", 0x40000}, /* PGSERR: the simulated H7 refuses a flash word that is not erased */
    };
    for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const struct family *f = family_of(cases[i].part);
        struct sim_stm32 *stm32 = halted_chip(f->part);
        unlock_flash(stm32, f);
        fill_pattern(data, LENGTH, 3);
        memset(data + BAD, 0x5A, f->unit);
        sim_flash_array(stm32->flash)[BAD + 1] = 0x12; /* not erased, and data that is not all zeros */

        struct ring_host host;
        ring_init(&host, stm32, f, ring_address(f), RING_DATA, data, LENGTH);
        struct loader_run run = run_loader(&host, f, SIM_FLASH_BASE, 50 * US, RING_DATA, 0);
        assert_int_equal(run.status, cases[i].expected);
        assert_int_equal(run.status & ~f->errors, 0);
        uint32_t failed = BAD - BAD % f->operation; /* the operation that held the unit */
        assert_int_equal(run.next_address, SIM_FLASH_BASE + failed);
        assert_int_equal(sram_read32(stm32, host.ring + STM32_STUB_LOADER_RING_RP), 0);
        assert_memory_equal(sim_flash_array(stm32->flash), data, failed); /* everything before it is programmed */
        assert_int_equal(sim_flash_array(stm32->flash)[BAD + f->unit], f->erased); /* nothing after it */
        assert_int_equal(debug_read(stm32, f->fpec + f->sr) & cases[i].expected, cases[i].expected); /* left set */
        print_message("loader on %s: a unit not erased at 0x%08X gives r0 = 0x%X, r1 = 0x%08X, rp = 0\n", f->part,
                      SIM_FLASH_BASE + BAD, run.status, run.next_address);
        sim_stm32_destroy(stm32);
    }
}

/* The host has queued its last units and asks the loader to stop: the loader programs every unit still in the ring
 * before it stops, and says where it got to. The stop comes while the ring is full, so units are still queued. */
static void test_loader_programs_everything_queued_before_it_stops(void **state)
{
    (void)state;
    enum { LENGTH = 2048, RING_DATA = 256, STOP_AFTER = 520 };
    static uint8_t data[LENGTH];
    for (unsigned i = 0; i < sizeof families / sizeof families[0]; i++) {
        const struct family *f = &families[i];
        struct sim_stm32 *stm32 = halted_chip(f->part);
        unlock_flash(stm32, f);
        fill_pattern(data, LENGTH, 11 + i);
        struct ring_host host;
        ring_init(&host, stm32, f, ring_address(f), RING_DATA, data, LENGTH);
        struct loader_run run = run_loader(&host, f, SIM_FLASH_BASE, 50 * US, RING_DATA, STOP_AFTER);
        assert_int_equal(run.status, STM32_STUB_LOADER_STOPPED);
        assert_true(host.sent >= STOP_AFTER && host.sent < LENGTH);
        assert_int_equal(run.next_address, SIM_FLASH_BASE + host.sent);
        assert_memory_equal(sim_flash_array(stm32->flash), data, host.sent);
        assert_int_equal(sim_flash_array(stm32->flash)[host.sent], f->erased);
        assert_int_equal(sram_read32(stm32, host.ring + STM32_STUB_LOADER_RING_RP), host.wp); /* all taken */
        print_message("loader on %s: asked to stop after %u bytes queued, programmed all of them (r1 = 0x%08X)\n",
                      f->part, (unsigned)host.sent, run.next_address);
        sim_stm32_destroy(stm32);
    }
}

static void test_loader_with_nothing_to_do_returns_at_once(void **state)
{
    (void)state;
    const struct family *f = family_of("stm32l476rg");
    struct sim_stm32 *stm32 = halted_chip(f->part);
    unlock_flash(stm32, f);
    struct ring_host host;
    ring_init(&host, stm32, f, ring_address(f), 64, NULL, 0);
    struct loader_run run = run_loader(&host, f, SIM_FLASH_BASE, 10 * US, 64, 0);
    assert_int_equal(run.status, 0);
    assert_int_equal(run.next_address, SIM_FLASH_BASE);
    sim_stm32_destroy(stm32);
}

static void test_stubs_fit_the_smallest_part(void **state)
{
    (void)state;
    /* STM32F030x8: 8 KB of SRAM for the stub, its ring and its stack. */
    const struct stub *stubs[] = {&crc32_stub, &families[0].loader, &families[2].loader, &families[3].loader};
    for (unsigned i = 0; i < sizeof stubs / sizeof stubs[0]; i++) {
        assert_int_equal(stubs[i]->entry, 0);
        assert_true(stubs[i]->ram_size + stubs[i]->stack_size <= 2048);
        assert_true(stubs[i]->stack_size <= 64);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_crc32_matches_zlib_for_any_alignment_and_length),
        cmocka_unit_test(test_crc32_chains),
        cmocka_unit_test(test_crc32_speed),
        cmocka_unit_test(test_loaders_program_what_the_host_streams),
        cmocka_unit_test(test_loader_waits_for_a_slow_host_and_wraps),
        cmocka_unit_test(test_loader_stops_at_a_unit_that_fails),
        cmocka_unit_test(test_loader_programs_everything_queued_before_it_stops),
        cmocka_unit_test(test_loader_with_nothing_to_do_returns_at_once),
        cmocka_unit_test(test_stubs_fit_the_smallest_part),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
