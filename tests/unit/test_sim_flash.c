/*
 * test_sim_flash.c - the simulated flash controllers refuse what silicon refuses and take the datasheet's time:
 * locked writes, wrong keys (locked out until reset), wrong widths, programming what is not erased, ECC double words
 * programmed twice, write protection, debug reads under read protection, and BSY stalls of the bus.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "sim_flash.h"

#define KEY1 0x45670123u
#define KEY2 0xCDEF89ABu
#define OPTKEY1 0x08192A3Bu
#define OPTKEY2 0x4C5D6E7Fu
#define FPEC 0x40022000u
#define F4_FPEC 0x40023C00u
#define US 1000000ull
#define MS 1000000000ull

struct bench {
    const struct sim_part *part;
    struct sim_flash *flash;
    struct sim_bus bus;
    uint64_t now;
    unsigned changes;
    uint32_t last_change_addr;
    unsigned reset_requests;
};

static void count_change(void *ctx, uint32_t addr, uint32_t len)
{
    struct bench *b = ctx;
    (void)len;
    b->changes++;
    b->last_change_addr = addr;
}

static void count_reset_request(void *ctx, uint64_t now_ps)
{
    struct bench *b = ctx;
    (void)now_ps;
    b->reset_requests++;
}

static void bench_open(struct bench *b, const char *part)
{
    memset(b, 0, sizeof *b);
    b->part = sim_part_find(part);
    assert_non_null(b->part);
    b->flash = sim_flash_create(b->part);
    assert_non_null(b->flash);
    sim_bus_init(&b->bus);
    assert_true(sim_flash_map(b->flash, &b->bus));
    sim_flash_on_change(b->flash, count_change, b);
    sim_flash_on_reset_request(b->flash, count_reset_request, b);
}

static void bench_close(struct bench *b)
{
    sim_flash_destroy(b->flash);
}

static void bench_reset_kind(struct bench *b, enum sim_reset_kind kind)
{
    struct sim_device device = sim_flash_device(b->flash);
    device.ops->reset(device.ctx, kind, b->now);
}

static void bench_reset(struct bench *b)
{
    bench_reset_kind(b, SIM_RESET_SYSTEM);
}

/* Each access happens when the previous one completed, as a debugger's would. */
static enum sim_bus_status bus_write(struct bench *b, uint32_t addr, unsigned size, uint32_t value)
{
    uint64_t done;
    enum sim_bus_status status = sim_bus_write(&b->bus, SIM_BUS_MASTER_DEBUG, addr, size, value, b->now, &done);
    b->now = done;
    return status;
}

static uint32_t bus_read(struct bench *b, uint32_t addr, unsigned size, enum sim_bus_status *status)
{
    uint32_t value = 0;
    uint64_t done;
    *status = sim_bus_read(&b->bus, SIM_BUS_MASTER_DEBUG, addr, size, &value, b->now, &done);
    b->now = done;
    return value;
}

static uint32_t reg(struct bench *b, uint32_t addr)
{
    enum sim_bus_status status;
    uint32_t value = bus_read(b, addr, 4, &status);
    assert_int_equal(status, SIM_BUS_OK);
    return value;
}

static void wait_idle(struct bench *b)
{
    uint64_t until = sim_flash_busy_until_ps(b->flash);
    if (b->now < until)
        b->now = until;
}

static void unlock(struct bench *b, uint32_t keyr)
{
    assert_int_equal(bus_write(b, keyr, 4, KEY1), SIM_BUS_OK);
    assert_int_equal(bus_write(b, keyr, 4, KEY2), SIM_BUS_OK);
}

/* ---- F0/F1 ---- */

static void test_f1_locked_flash_refuses_writes(void **state)
{
    (void)state;
    struct bench b;
    bench_open(&b, "stm32f103c8");
    assert_int_equal(reg(&b, FPEC + 0x10) & 0x80, 0x80); /* LOCK */
    assert_int_equal(bus_write(&b, 0x08000000, 2, 0x1234), SIM_BUS_ERROR);
    assert_int_equal(bus_write(&b, FPEC + 0x10, 4, 0x1), SIM_BUS_OK); /* PG: ignored while locked */
    assert_int_equal(bus_write(&b, 0x08000000, 2, 0x1234), SIM_BUS_ERROR);
    assert_int_equal(sim_flash_array(b.flash)[0], 0xFF);
    assert_int_equal(b.changes, 0);
    bench_close(&b);
}

static void test_f1_programs_halfwords_only_and_streams_at_tprog(void **state)
{
    (void)state;
    struct bench b;
    bench_open(&b, "stm32f103c8");
    unlock(&b, FPEC + 0x04);
    assert_int_equal(bus_write(&b, FPEC + 0x10, 4, 0x1), SIM_BUS_OK);
    assert_int_equal(bus_write(&b, 0x08000000, 4, 0x11223344), SIM_BUS_ERROR);
    assert_int_equal(bus_write(&b, 0x08000000, 1, 0x44), SIM_BUS_ERROR);
    uint64_t start = b.now;
    for (uint32_t i = 0; i < 4; i++)
        assert_int_equal(bus_write(&b, 0x08000000 + 2 * i, 2, 0xA000 + i), SIM_BUS_OK);
    /* The bus stalls while BSY: the fourth store is taken after three programming times. */
    assert_int_equal(b.now - start, 3 * 52500000ull);
    assert_int_equal(reg(&b, FPEC + 0x0C) & 0x1, 1); /* BSY */
    wait_idle(&b);
    assert_int_equal(reg(&b, FPEC + 0x0C), 0x20); /* EOP */
    assert_int_equal(sim_flash_array(b.flash)[6], 0x03);
    assert_int_equal(sim_flash_array(b.flash)[7], 0xA0);
    assert_int_equal(b.last_change_addr, 0x08000006);
    bench_close(&b);
}

static void test_f1_non_erased_halfword_sets_pgerr_but_zero_is_allowed(void **state)
{
    (void)state;
    struct bench b;
    bench_open(&b, "stm32f103c8");
    unlock(&b, FPEC + 0x04);
    bus_write(&b, FPEC + 0x10, 4, 0x1);
    bus_write(&b, 0x08000010, 2, 0x1234);
    wait_idle(&b);
    bus_write(&b, 0x08000010, 2, 0x0034);
    wait_idle(&b);
    assert_int_equal(reg(&b, FPEC + 0x0C) & 0x4, 0x4); /* PGERR */
    assert_int_equal(sim_flash_array(b.flash)[0x11], 0x12);
    bus_write(&b, FPEC + 0x0C, 4, 0x34); /* clear */
    bus_write(&b, 0x08000010, 2, 0x0000);
    wait_idle(&b);
    assert_int_equal(reg(&b, FPEC + 0x0C) & 0x4, 0);
    assert_int_equal(sim_flash_array(b.flash)[0x11], 0x00);
    bench_close(&b);
}

static void test_wrong_key_locks_until_reset(void **state)
{
    (void)state;
    static const struct {
        const char *part;
        uint32_t keyr, cr;
        uint32_t lock;
    } cases[] = {
        {"stm32f103c8", FPEC + 0x04, FPEC + 0x10, 1u << 7},
        {"stm32f030r8", FPEC + 0x04, FPEC + 0x10, 1u << 7},
        {"stm32f411ce", F4_FPEC + 0x04, F4_FPEC + 0x10, 1u << 31},
        {"stm32l476rg", FPEC + 0x08, FPEC + 0x14, 1u << 31},
        {"stm32g071rb", FPEC + 0x08, FPEC + 0x14, 1u << 31},
        {"stm32f303cc", FPEC + 0x04, FPEC + 0x10, 1u << 7},
        {"stm32g431rb", FPEC + 0x08, FPEC + 0x14, 1u << 31},
    };
    for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct bench b;
        bench_open(&b, cases[i].part);
        assert_int_equal(bus_write(&b, cases[i].keyr, 4, KEY1), SIM_BUS_OK);
        assert_int_equal(bus_write(&b, cases[i].keyr, 4, 0xBADBAD), SIM_BUS_ERROR);
        assert_int_equal(bus_write(&b, cases[i].keyr, 4, KEY1), SIM_BUS_ERROR);
        assert_int_equal(bus_write(&b, cases[i].keyr, 4, KEY2), SIM_BUS_ERROR);
        assert_int_equal(reg(&b, cases[i].cr) & cases[i].lock, cases[i].lock);
        bench_reset(&b);
        unlock(&b, cases[i].keyr);
        assert_int_equal(reg(&b, cases[i].cr) & cases[i].lock, 0);
        bench_close(&b);
    }
}

static void test_f1_page_erase_takes_its_time_and_stalls_array_reads(void **state)
{
    (void)state;
    struct bench b;
    bench_open(&b, "stm32f103c8");
    unlock(&b, FPEC + 0x04);
    bus_write(&b, FPEC + 0x10, 4, 0x1);
    bus_write(&b, 0x08000400, 2, 0x0000);
    wait_idle(&b);
    bus_write(&b, FPEC + 0x10, 4, 0x2);       /* PER */
    bus_write(&b, FPEC + 0x14, 4, 0x08000402); /* any address in page 1 */
    uint64_t start = b.now;
    bus_write(&b, FPEC + 0x10, 4, 0x42); /* PER|STRT */
    assert_int_equal(reg(&b, FPEC + 0x0C) & 1, 1);
    enum sim_bus_status status;
    assert_int_equal(bus_read(&b, 0x08000400, 2, &status), 0xFFFF);
    assert_int_equal(status, SIM_BUS_OK);
    assert_int_equal(b.now - start, 30 * MS); /* the read waited for the erase */
    bench_close(&b);
}

static void f1_program_option(struct bench *b, uint32_t offset, uint16_t value)
{
    bus_write(b, FPEC + 0x10, 4, (1u << 9) | (1u << 4)); /* OPTWRE|OPTPG */
    assert_int_equal(bus_write(b, 0x1FFFF800 + offset, 2, value), SIM_BUS_OK);
    wait_idle(b);
}

static void f1_erase_options(struct bench *b)
{
    assert_int_equal(bus_write(b, FPEC + 0x08, 4, KEY1), SIM_BUS_OK);
    assert_int_equal(bus_write(b, FPEC + 0x08, 4, KEY2), SIM_BUS_OK);
    assert_int_equal(reg(b, FPEC + 0x10) & (1u << 9), 1u << 9); /* OPTWRE */
    bus_write(b, FPEC + 0x10, 4, (1u << 9) | (1u << 5));
    bus_write(b, FPEC + 0x10, 4, (1u << 9) | (1u << 5) | (1u << 6)); /* OPTER|STRT */
    wait_idle(b);
}

static void test_f1_read_protection_blocks_debug_reads_and_removal_mass_erases(void **state)
{
    (void)state;
    struct bench b;
    bench_open(&b, "stm32f103c8");
    sim_flash_array(b.flash)[0x100] = 0x5A;
    unlock(&b, FPEC + 0x04);
    f1_erase_options(&b);
    f1_program_option(&b, 0, 0x00); /* RDP: anything but 0xA5 is level 1 */
    bench_reset(&b);
    assert_int_equal(sim_flash_rdp_level(b.flash), 1);
    assert_int_equal(reg(&b, FPEC + 0x1C) & 0x2, 0x2); /* OBR.RDPRT */
    enum sim_bus_status status;
    bus_read(&b, 0x08000100, 4, &status);
    assert_int_equal(status, SIM_BUS_ERROR);
    uint32_t value;
    uint64_t done;
    assert_int_equal(sim_bus_read(&b.bus, SIM_BUS_MASTER_CPU, 0x08000100, 1, &value, b.now, &done), SIM_BUS_OK);
    assert_int_equal(value, 0x5A);

    unlock(&b, FPEC + 0x04);
    f1_erase_options(&b);
    f1_program_option(&b, 0, 0xA5);
    assert_int_equal(sim_flash_array(b.flash)[0x100], 0xFF); /* the secret went first */
    bench_reset(&b);
    assert_int_equal(sim_flash_rdp_level(b.flash), 0);
    assert_int_equal(bus_read(&b, 0x08000100, 4, &status), 0xFFFFFFFF);
    assert_int_equal(status, SIM_BUS_OK);
    bench_close(&b);
}

static void test_f1_write_protected_pages_refuse_program_and_erase(void **state)
{
    (void)state;
    struct bench b;
    bench_open(&b, "stm32f103c8");
    unlock(&b, FPEC + 0x04);
    f1_erase_options(&b);
    f1_program_option(&b, 0, 0xA5);
    f1_program_option(&b, 8, 0xFE); /* WRP0 bit 0: pages 0-3 */
    bench_reset(&b);
    assert_int_equal(reg(&b, FPEC + 0x20) & 0xFF, 0xFE);
    unlock(&b, FPEC + 0x04);
    bus_write(&b, FPEC + 0x10, 4, 0x1);
    bus_write(&b, 0x08000C00, 2, 0x0);
    assert_int_equal(reg(&b, FPEC + 0x0C) & 0x10, 0x10); /* WRPRTERR */
    assert_int_equal(sim_flash_array(b.flash)[0xC00], 0xFF);
    bus_write(&b, 0x08001000, 2, 0x0); /* page 4 is not protected */
    wait_idle(&b);
    assert_int_equal(sim_flash_array(b.flash)[0x1000], 0x00);
    bus_write(&b, FPEC + 0x0C, 4, 0x34);
    bus_write(&b, FPEC + 0x10, 4, 0x4);
    bus_write(&b, FPEC + 0x10, 4, 0x44); /* MER|STRT */
    assert_int_equal(reg(&b, FPEC + 0x0C) & 0x10, 0x10);
    assert_int_equal(sim_flash_array(b.flash)[0x1000], 0x00);
    bench_close(&b);
}

static void test_f0_obl_launch_requests_a_reset(void **state)
{
    (void)state;
    struct bench b;
    bench_open(&b, "stm32f030r8");
    unlock(&b, FPEC + 0x04);
    bus_write(&b, FPEC + 0x10, 4, 1u << 13);
    assert_int_equal(b.reset_requests, 1);
    bench_close(&b);
}

/* ---- F2/F4 ---- */

static void test_f4_program_width_follows_psize(void **state)
{
    (void)state;
    struct bench b;
    bench_open(&b, "stm32f411ce");
    assert_int_equal(bus_write(&b, 0x08000000, 4, 0), SIM_BUS_OK); /* no bus error, but PGSERR */
    assert_int_equal(reg(&b, F4_FPEC + 0x0C) & 0x80, 0x80);
    assert_int_equal(sim_flash_array(b.flash)[0], 0xFF);
    unlock(&b, F4_FPEC + 0x04);
    bus_write(&b, F4_FPEC + 0x0C, 4, 0xF3);
    bus_write(&b, F4_FPEC + 0x10, 4, (2u << 8) | 1u); /* PSIZE x32, PG */
    bus_write(&b, 0x08000000, 2, 0x1234);
    assert_int_equal(reg(&b, F4_FPEC + 0x0C) & 0x40, 0x40); /* PGPERR */
    bus_write(&b, 0x08000000, 4, 0x11223344);
    assert_int_equal(reg(&b, F4_FPEC + 0x0C) & 0x80, 0x80); /* refused until the error is cleared */
    bus_write(&b, F4_FPEC + 0x0C, 4, 0xF3);
    uint64_t start = b.now;
    bus_write(&b, 0x08000000, 4, 0x11223344);
    bus_write(&b, 0x08000004, 4, 0x55667788);
    assert_int_equal(b.now - start, 16 * US);
    wait_idle(&b);
    assert_int_equal(reg(&b, F4_FPEC + 0x0C), 0); /* EOP only with EOPIE */
    assert_memory_equal(sim_flash_array(b.flash), "\x44\x33\x22\x11\x88\x77\x66\x55", 8);
    /* No ECC on F4: programming again clears bits. */
    bus_write(&b, 0x08000000, 4, 0x01020304);
    wait_idle(&b);
    assert_int_equal(sim_flash_array(b.flash)[0], 0x04 & 0x44);
    bench_close(&b);
}

static void test_f4_sector_erase_uses_the_sector_layout(void **state)
{
    (void)state;
    struct bench b;
    bench_open(&b, "stm32f411ce");
    memset(sim_flash_array(b.flash) + 0x10000, 0, 0x20000 + 16);
    unlock(&b, F4_FPEC + 0x04);
    uint64_t start = b.now;
    bus_write(&b, F4_FPEC + 0x10, 4, (4u << 3) | 2u | (1u << 16)); /* SER sector 4 (64 KB) |STRT */
    assert_int_equal(sim_flash_busy_until_ps(b.flash) - start, 550 * MS);
    wait_idle(&b);
    assert_int_equal(sim_flash_array(b.flash)[0x10000], 0xFF);
    assert_int_equal(sim_flash_array(b.flash)[0x1FFFF], 0xFF);
    assert_int_equal(sim_flash_array(b.flash)[0x20000], 0x00); /* sector 5 */
    bench_close(&b);
}

/* The F7 (RM0385 §3.3.1): sector 4 is 128 KB at 0x08020000, sector 5 256 KB; the ITCM alias at 0x00200000 reads
 * the array and refuses stores; OPTCR from the factory 0xC0FFAAFD (OPTLOCK, every USER bit, level 0, no nWRP
 * cleared: bits 23:16 cover the F7's eight sectors, the model keeps the F4's twelve). */
static void test_f7_doubled_sectors_itcm_alias_and_factory_optcr(void **state)
{
    (void)state;
    struct bench b;
    bench_open(&b, "stm32f746zg");
    assert_int_equal(reg(&b, F4_FPEC + 0x14), 0xC0FFAAFDu | (0xFu << 24));
    memset(sim_flash_array(b.flash) + 0x20000, 0, 0x20000 + 16);
    enum sim_bus_status status;
    assert_int_equal(bus_read(&b, 0x00220000, 4, &status), 0);
    assert_int_equal(status, SIM_BUS_OK);
    assert_int_equal(bus_write(&b, 0x00200000, 4, 0), SIM_BUS_ERROR);
    unlock(&b, F4_FPEC + 0x04);
    uint64_t start = b.now;
    bus_write(&b, F4_FPEC + 0x10, 4, (2u << 8) | (4u << 3) | 2u | (1u << 16)); /* x32, SER sector 4 (128 KB), STRT */
    assert_int_equal(sim_flash_busy_until_ps(b.flash) - start, 550 * MS);
    wait_idle(&b);
    assert_int_equal(bus_read(&b, 0x00220000, 4, &status), 0xFFFFFFFFu);
    assert_int_equal(sim_flash_array(b.flash)[0x3FFFF], 0xFF);
    assert_int_equal(sim_flash_array(b.flash)[0x40000], 0x00); /* sector 5 */
    bench_close(&b);
}

static void test_f4_cr_write_while_busy_stalls(void **state)
{
    (void)state;
    struct bench b;
    bench_open(&b, "stm32f401cc");
    unlock(&b, F4_FPEC + 0x04);
    bus_write(&b, F4_FPEC + 0x10, 4, 2u | (1u << 16)); /* SER sector 0 |STRT: 250 ms */
    uint64_t start = b.now;
    bus_write(&b, F4_FPEC + 0x10, 4, 0);
    assert_int_equal(b.now - start, 250 * MS);
    bench_close(&b);
}

static void test_f4_read_protection_set_and_removed_through_optcr(void **state)
{
    (void)state;
    struct bench b;
    bench_open(&b, "stm32f411ce");
    sim_flash_array(b.flash)[0] = 0x42;
    assert_int_equal(reg(&b, F4_FPEC + 0x14), 0x0FFFAAED);
    unlock(&b, F4_FPEC + 0x04);
    bus_write(&b, F4_FPEC + 0x08, 4, OPTKEY1);
    bus_write(&b, F4_FPEC + 0x08, 4, OPTKEY2);
    bus_write(&b, F4_FPEC + 0x14, 4, 0x0FFF55EC);
    bus_write(&b, F4_FPEC + 0x14, 4, 0x0FFF55EE); /* OPTSTRT */
    wait_idle(&b);
    bench_reset(&b);
    assert_int_equal(sim_flash_rdp_level(b.flash), 1);
    enum sim_bus_status status;
    bus_read(&b, 0x08000000, 4, &status);
    assert_int_equal(status, SIM_BUS_ERROR);
    unlock(&b, F4_FPEC + 0x04);
    bus_write(&b, F4_FPEC + 0x08, 4, OPTKEY1);
    bus_write(&b, F4_FPEC + 0x08, 4, OPTKEY2);
    bus_write(&b, F4_FPEC + 0x14, 4, 0x0FFFAAEE);
    wait_idle(&b);
    bench_reset(&b);
    assert_int_equal(sim_flash_rdp_level(b.flash), 0);
    assert_int_equal(sim_flash_array(b.flash)[0], 0xFF);
    bench_close(&b);
}

/* ---- L4/G0 ---- */

static void l4_program(struct bench *b, uint32_t addr, uint32_t low, uint32_t high)
{
    bus_write(b, addr, 4, low);
    bus_write(b, addr + 4, 4, high);
    wait_idle(b);
}

static void test_l4_double_words_once_with_ecc(void **state)
{
    (void)state;
    static const char *parts[] = {"stm32l476rg", "stm32g071rb"};
    for (unsigned i = 0; i < 2; i++) {
        struct bench b;
        bench_open(&b, parts[i]);
        unlock(&b, FPEC + 0x08);
        bus_write(&b, FPEC + 0x14, 4, 1u); /* PG */
        bus_write(&b, 0x08000000, 2, 0x1234);
        assert_int_equal(reg(&b, FPEC + 0x10) & 0x40, 0x40); /* SIZERR */
        bus_write(&b, FPEC + 0x10, 4, 0xFFFF);
        bus_write(&b, 0x08000004, 4, 0x1);
        assert_int_equal(reg(&b, FPEC + 0x10) & 0x20, 0x20); /* PGAERR: starts mid double word */
        bus_write(&b, FPEC + 0x10, 4, 0xFFFF);
        uint64_t start = b.now;
        l4_program(&b, 0x08000000, 0x11111111, 0x22222222);
        assert_int_equal(b.now - start, b.part->program_ns * 1000ull);
        assert_int_equal(reg(&b, FPEC + 0x10) & 0xFFFF, 0);
        l4_program(&b, 0x08000000, 0x01010101, 0x02020202);
        assert_int_equal(reg(&b, FPEC + 0x10) & 0x8, 0x8); /* PROGERR: programmed twice */
        assert_int_equal(sim_flash_array(b.flash)[0], 0x11);
        l4_program(&b, 0x08000008, 0x33333333, 0x44444444);
        assert_int_equal(reg(&b, FPEC + 0x10) & 0x80, 0x80); /* PGSERR until the error is cleared */
        assert_int_equal(sim_flash_array(b.flash)[8], 0xFF);
        bus_write(&b, FPEC + 0x10, 4, 0xFFFF);
        l4_program(&b, 0x08000000, 0, 0); /* all zeros is allowed */
        assert_int_equal(reg(&b, FPEC + 0x10) & 0xFFFF, 0);
        assert_int_equal(sim_flash_array(b.flash)[0], 0x00);
        bench_close(&b);
    }
}

/* Bank 2 starts at half the flash: 0x08080000 on the 1 MB L476, 0x08040000 on the 512 KB G474 with DBANK=1 (RM0440
 * §3.3.1). */
static void test_l4_bank_two_page_erase_with_bker(void **state)
{
    (void)state;
    static const struct {
        const char *part;
        uint32_t bank2;
    } cases[] = {{"stm32l476rg", 0x80000}, {"stm32g474re", 0x40000}};
    for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct bench b;
        bench_open(&b, cases[i].part);
        uint32_t bank2 = cases[i].bank2;
        memset(sim_flash_array(b.flash), 0, sim_flash_size(b.flash));
        unlock(&b, FPEC + 0x08);
        bus_write(&b, FPEC + 0x14, 4, 2u | (3u << 3) | (1u << 11) | (1u << 16)); /* PER page 3 of bank 2 |STRT */
        wait_idle(&b);
        assert_int_equal(sim_flash_array(b.flash)[bank2 + 3 * 2048], 0xFF);
        assert_int_equal(sim_flash_array(b.flash)[bank2 + 4 * 2048], 0x00);
        assert_int_equal(sim_flash_array(b.flash)[3 * 2048], 0x00);
        bus_write(&b, FPEC + 0x14, 4, (1u << 15) | (1u << 16)); /* MER2 |STRT */
        wait_idle(&b);
        assert_int_equal(sim_flash_array(b.flash)[bank2], 0xFF);
        assert_int_equal(sim_flash_array(b.flash)[bank2 - 1], 0x00);
        assert_int_equal(sim_flash_array(b.flash)[0], 0x00);
        bench_close(&b);
    }
}

static void test_l4_options_rdp_wrp_and_obl_launch(void **state)
{
    (void)state;
    struct bench b;
    bench_open(&b, "stm32l476rg");
    sim_flash_array(b.flash)[0x800] = 0x42;
    unlock(&b, FPEC + 0x08);
    bus_write(&b, FPEC + 0x0C, 4, OPTKEY1);
    bus_write(&b, FPEC + 0x0C, 4, OPTKEY2);
    assert_int_equal(reg(&b, FPEC + 0x14) & (1u << 30), 0);
    bus_write(&b, FPEC + 0x20, 4, 0xFFEFF8BB);            /* RDP level 1 */
    bus_write(&b, FPEC + 0x2C, 4, (2u << 16) | 1u);        /* WRP1A: pages 1-2 */
    bus_write(&b, FPEC + 0x14, 4, 1u << 17);               /* OPTSTRT */
    bus_write(&b, FPEC + 0x14, 4, 1u << 27);               /* OBL_LAUNCH */
    assert_int_equal(b.reset_requests, 1);
    wait_idle(&b);
    bench_reset_kind(&b, SIM_RESET_OPTION_LOAD);
    assert_int_equal(sim_flash_rdp_level(b.flash), 1);
    assert_int_equal(reg(&b, FPEC + 0x2C), (2u << 16) | 1u);
    unlock(&b, FPEC + 0x08);
    bus_write(&b, FPEC + 0x14, 4, 2u | (1u << 3) | (1u << 16)); /* erase page 1: protected */
    assert_int_equal(reg(&b, FPEC + 0x10) & 0x10, 0x10);
    assert_int_equal(sim_flash_array(b.flash)[0x800], 0x42);
    bus_write(&b, FPEC + 0x0C, 4, OPTKEY1);
    bus_write(&b, FPEC + 0x0C, 4, OPTKEY2);
    bus_write(&b, FPEC + 0x20, 4, 0xFFEFF8AA);
    bus_write(&b, FPEC + 0x2C, 4, 0xFF);
    bus_write(&b, FPEC + 0x14, 4, 1u << 17);
    wait_idle(&b);
    assert_int_equal(sim_flash_array(b.flash)[0x800], 0xFF); /* leaving level 1 mass-erased */
    bench_reset(&b);
    assert_int_equal(sim_flash_rdp_level(b.flash), 1); /* a system reset does not load option bytes */
    bench_reset_kind(&b, SIM_RESET_OPTION_LOAD);
    assert_int_equal(sim_flash_rdp_level(b.flash), 0);
    bench_close(&b);
}


/* RM0351 §3.4.2, RM0444 §3.4.2: option bytes load at power-on and OBL_LAUNCH only; until then OPTR reads the loaded
 * value again after a system reset. F1 loads them at every system reset. */
static void test_l4_g0_system_reset_keeps_the_loaded_option_bytes(void **state)
{
    (void)state;
    static const char *parts[] = {"stm32l476rg", "stm32g071rb"};
    for (unsigned i = 0; i < 2; i++) {
        struct bench b;
        bench_open(&b, parts[i]);
        uint32_t factory = reg(&b, FPEC + 0x20);
        unlock(&b, FPEC + 0x08);
        bus_write(&b, FPEC + 0x0C, 4, OPTKEY1);
        bus_write(&b, FPEC + 0x0C, 4, OPTKEY2);
        bus_write(&b, FPEC + 0x20, 4, factory & ~(1u << 16)); /* IWDG_SW cleared: a hardware watchdog */
        bus_write(&b, FPEC + 0x14, 4, 1u << 17);               /* OPTSTRT */
        wait_idle(&b);
        bench_reset(&b);
        assert_int_equal(reg(&b, FPEC + 0x20), factory);
        bench_reset_kind(&b, SIM_RESET_OPTION_LOAD);
        assert_int_equal(reg(&b, FPEC + 0x20), factory & ~(1u << 16));
        bench_reset_kind(&b, SIM_RESET_POWER_ON);
        assert_int_equal(reg(&b, FPEC + 0x20), factory & ~(1u << 16));
        bench_close(&b);
    }
}

static void test_g0_lock_sets_optlock_too(void **state)
{
    (void)state;
    static const struct {
        const char *part;
        bool optlock_follows;
    } cases[] = {{"stm32g071rb", true}, {"stm32l476rg", false}};
    for (unsigned i = 0; i < 2; i++) {
        struct bench b;
        bench_open(&b, cases[i].part);
        unlock(&b, FPEC + 0x08);
        bus_write(&b, FPEC + 0x0C, 4, OPTKEY1);
        bus_write(&b, FPEC + 0x0C, 4, OPTKEY2);
        assert_int_equal(reg(&b, FPEC + 0x14) & (3u << 30), 0);
        bus_write(&b, FPEC + 0x14, 4, 1u << 31); /* LOCK alone */
        assert_int_equal(reg(&b, FPEC + 0x14) & (1u << 30), cases[i].optlock_follows ? 1u << 30 : 0);
        bench_close(&b);
    }
}

/* RM0351 §3.3.7: PGSERR is set when an erase starts while an error flag from an earlier operation is still set. */
static void test_l4_g0_strt_with_an_error_flag_set_erases_nothing(void **state)
{
    (void)state;
    static const char *parts[] = {"stm32l476rg", "stm32g071rb"};
    for (unsigned i = 0; i < 2; i++) {
        struct bench b;
        bench_open(&b, parts[i]);
        sim_flash_array(b.flash)[0x10] = 0x42;
        unlock(&b, FPEC + 0x08);
        bus_write(&b, FPEC + 0x14, 4, 1u); /* PG */
        bus_write(&b, 0x08000004, 4, 0x1); /* PGAERR */
        assert_int_equal(reg(&b, FPEC + 0x10) & 0x20, 0x20);
        bus_write(&b, FPEC + 0x14, 4, 2u | (1u << 16)); /* PER page 0, STRT */
        wait_idle(&b);
        assert_int_equal(reg(&b, FPEC + 0x10) & 0x80, 0x80);
        assert_int_equal(sim_flash_array(b.flash)[0x10], 0x42);
        bus_write(&b, FPEC + 0x10, 4, 0xFFFF);
        bus_write(&b, FPEC + 0x14, 4, 2u | (1u << 16));
        wait_idle(&b);
        assert_int_equal(reg(&b, FPEC + 0x10) & 0xFFFF, 0);
        assert_int_equal(sim_flash_array(b.flash)[0x10], 0xFF);
        bench_close(&b);
    }
}

/* The F4 and L4 drivers of OpenOCD and Black Magic Probe note it: keys written to an unlocked controller are a bus
 * error and lock it until reset, like a wrong key. */
static void test_keys_while_unlocked_lock_until_reset(void **state)
{
    (void)state;
    static const struct {
        const char *part;
        uint32_t keyr, cr;
    } cases[] = {
        {"stm32f411ce", F4_FPEC + 0x04, F4_FPEC + 0x10},
        {"stm32l476rg", FPEC + 0x08, FPEC + 0x14},
        {"stm32g071rb", FPEC + 0x08, FPEC + 0x14},
    };
    for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct bench b;
        bench_open(&b, cases[i].part);
        unlock(&b, cases[i].keyr);
        assert_int_equal(reg(&b, cases[i].cr) & (1u << 31), 0);
        assert_int_equal(bus_write(&b, cases[i].keyr, 4, KEY1), SIM_BUS_ERROR);
        assert_int_equal(reg(&b, cases[i].cr) & (1u << 31), 1u << 31);
        assert_int_equal(bus_write(&b, cases[i].keyr, 4, KEY1), SIM_BUS_ERROR);
        bench_reset(&b);
        unlock(&b, cases[i].keyr);
        assert_int_equal(reg(&b, cases[i].cr) & (1u << 31), 0);
        bench_close(&b);
    }
}

static void test_f4_mer_with_ser_erases_nothing(void **state)
{
    (void)state;
    struct bench b;
    bench_open(&b, "stm32f411ce");
    sim_flash_array(b.flash)[0] = 0x42;
    unlock(&b, F4_FPEC + 0x04);
    bus_write(&b, F4_FPEC + 0x10, 4, (1u << 1) | (1u << 2) | (1u << 16)); /* SER | MER | STRT */
    wait_idle(&b);
    assert_int_equal(sim_flash_array(b.flash)[0], 0x42);
    bench_close(&b);
}

/* RM0008 §3.4.6: OPTERR flags a byte that does not match its complement; an erased pair reads 0xFF without it. F0
 * (RM0360 §3.5.7) has its own OBR layout: RDPRT in bits 2:1, USER at 15:8. */
static void test_f0_f1_option_byte_register(void **state)
{
    (void)state;
    static const struct {
        const char *part;
        uint32_t user_shift;
    } cases[] = {{"stm32f103c8", 2}, {"stm32f030r8", 8}, {"stm32f303cc", 8} /* RM0316 §4.5.8: F0's layout */};
    for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct bench b;
        bench_open(&b, cases[i].part);
        uint8_t *options = sim_flash_options(b.flash);
        options[2] = 0x7E; /* USER, its complement 0x81 */
        options[3] = 0x81;
        options[4] = 0xFF; /* Data0 erased */
        options[5] = 0xFF;
        bench_reset(&b);
        uint32_t obr = reg(&b, FPEC + 0x1C);
        assert_int_equal(obr & 1u, 0); /* no OPTERR */
        assert_int_equal((obr >> cases[i].user_shift) & 0xFF, 0x7E);
        assert_int_equal((obr >> (cases[i].user_shift + 8)) & 0xFF, 0xFF);
        options[6] = 0x12; /* Data1 against a wrong complement */
        options[7] = 0x34;
        bench_reset(&b);
        assert_int_equal(reg(&b, FPEC + 0x1C) & 1u, 1u);
        bench_close(&b);
    }
}

/* The maximum timing mode takes the datasheet's maxima: G0 tPROG 125 us and a page erase of 40 ms (DS12232). */
/* ---- H7 ---- */

#define H7_FPEC 0x52002000u
#define H7_BANK2 0x100u
#define H7_KEYR 0x04u
#define H7_CR 0x0Cu
#define H7_SR 0x10u
#define H7_CCR 0x14u
#define H7_CR_PG_X64 0x32u /* PG, PSIZE x64 */

/* Stores eight words of a flash word from value up, at word address addr. */
static void h7_program_word(struct bench *b, uint32_t addr, uint32_t value)
{
    for (unsigned i = 0; i < 8; i++)
        assert_int_equal(bus_write(b, addr + 4 * i, 4, value + i), SIM_BUS_OK);
}

/* RM0433 §4.3.9: a flash word is programmed once its 32 bytes are in the write buffer, and once only after an erase;
 * a partial word waits (WBNE) until FW forces it, and breaking one off sets PGSERR (PG cleared) or INCERR (a store
 * into another word). The next word's stores fill the buffer while the previous word programs: only the store that
 * completes a word waits. */
static void test_h7_flash_words_through_the_write_buffer(void **state)
{
    (void)state;
    struct bench b;
    bench_open(&b, "stm32h743zi");
    uint32_t sr = H7_FPEC + H7_SR, ccr = H7_FPEC + H7_CCR, cr = H7_FPEC + H7_CR;
    bus_write(&b, 0x08000000, 4, 0x1);
    assert_int_equal(reg(&b, sr) & (1u << 18), 1u << 18); /* PGSERR: locked, no PG */
    bus_write(&b, ccr, 4, 0xFFFFFFFFu);
    unlock(&b, H7_FPEC + H7_KEYR);
    bus_write(&b, cr, 4, H7_CR_PG_X64);
    uint64_t start = b.now;
    h7_program_word(&b, 0x08000000, 0x11111111);
    assert_int_equal(reg(&b, sr) & 0x5u, 0x5u); /* BSY, QW */
    h7_program_word(&b, 0x08000020, 0x22222222); /* the last store waits for the first word */
    assert_true(b.now - start >= b.part->program_ns * 1000ull);
    wait_idle(&b);
    assert_int_equal(reg(&b, sr) & 0x7u, 0);
    assert_int_equal(sim_flash_array(b.flash)[0], 0x11);
    assert_int_equal(sim_flash_array(b.flash)[0x3C], 0x29);
    /* Programmed twice: refused, as ECC would not survive it. */
    h7_program_word(&b, 0x08000000, 0);
    wait_idle(&b);
    assert_int_equal(reg(&b, sr) & (1u << 18), 1u << 18);
    assert_int_equal(sim_flash_array(b.flash)[0], 0x11);
    bus_write(&b, ccr, 4, 0xFFFFFFFFu);
    /* A partial word: WBNE, nothing programmed; clearing PG drops it with PGSERR. */
    bus_write(&b, 0x08000040, 4, 0x33333333);
    assert_int_equal(reg(&b, sr) & 0x2u, 0x2u);
    assert_int_equal(sim_flash_array(b.flash)[0x40], 0xFF);
    bus_write(&b, cr, 4, 0);
    assert_int_equal(reg(&b, sr) & ((1u << 18) | 0x2u), 1u << 18);
    bus_write(&b, ccr, 4, 0xFFFFFFFFu);
    /* A store into another word while one is partial: INCERR. */
    bus_write(&b, cr, 4, H7_CR_PG_X64);
    bus_write(&b, 0x08000040, 4, 0x33333333);
    bus_write(&b, 0x08000060, 4, 0x44444444);
    assert_int_equal(reg(&b, sr) & (1u << 21), 1u << 21);
    bus_write(&b, ccr, 4, 0xFFFFFFFFu);
    /* FW programs a partial word, the rest erased. */
    bus_write(&b, 0x08000040, 4, 0x55555555);
    bus_write(&b, cr, 4, H7_CR_PG_X64 | 0x40u);
    wait_idle(&b);
    assert_int_equal(reg(&b, sr) & 0x7u, 0);
    assert_int_equal(sim_flash_array(b.flash)[0x40], 0x55);
    assert_int_equal(sim_flash_array(b.flash)[0x44], 0xFF);
    bench_close(&b);
}

/* Bank 2 (0x08100000) has its own KEYR, CR, SR and CCR 0x100 further on: bank 1's PG does not program it, its own
 * does, and a sector erase through its CR erases bank 2's sector, not bank 1's. A wrong key locks the bank until
 * reset. */
static void test_h7_bank_two_through_its_own_registers(void **state)
{
    (void)state;
    struct bench b;
    bench_open(&b, "stm32h743zi");
    uint32_t cr1 = H7_FPEC + H7_CR, cr2 = cr1 + H7_BANK2, sr2 = H7_FPEC + H7_SR + H7_BANK2;
    unlock(&b, H7_FPEC + H7_KEYR);
    bus_write(&b, cr1, 4, H7_CR_PG_X64);
    h7_program_word(&b, 0x08100000, 0x11111111);
    assert_int_equal(reg(&b, sr2) & (1u << 18), 1u << 18); /* bank 2 is locked and without PG */
    assert_int_equal(sim_flash_array(b.flash)[0x100000], 0xFF);
    bus_write(&b, H7_FPEC + H7_CCR + H7_BANK2, 4, 0xFFFFFFFFu);
    unlock(&b, H7_FPEC + H7_KEYR + H7_BANK2);
    bus_write(&b, cr2, 4, H7_CR_PG_X64);
    h7_program_word(&b, 0x08100000, 0x11111111);
    h7_program_word(&b, 0x08000000, 0x22222222);
    wait_idle(&b);
    assert_int_equal(sim_flash_array(b.flash)[0x100000], 0x11);
    assert_int_equal(sim_flash_array(b.flash)[0], 0x22);
    bus_write(&b, cr2, 4, 0x34u);          /* SER, PSIZE x64, sector 0 of bank 2 */
    bus_write(&b, cr2, 4, 0x34u | 0x80u); /* START */
    assert_int_equal(reg(&b, sr2) & 0x1u, 0x1u);
    wait_idle(&b);
    assert_int_equal(sim_flash_array(b.flash)[0x100000], 0xFF);
    assert_int_equal(sim_flash_array(b.flash)[0], 0x22);
    /* A key while unlocked counts as a wrong one: a bus error, and locked until reset. */
    assert_int_equal(bus_write(&b, H7_FPEC + H7_KEYR + H7_BANK2, 4, KEY1), SIM_BUS_ERROR);
    assert_int_equal(reg(&b, cr2) & 1u, 1u);
    assert_int_equal(bus_write(&b, H7_FPEC + H7_KEYR + H7_BANK2, 4, KEY1), SIM_BUS_ERROR);
    bench_reset(&b);
    unlock(&b, H7_FPEC + H7_KEYR + H7_BANK2);
    assert_int_equal(reg(&b, cr2) & 1u, 0);
    bench_close(&b);
}

static void test_maximum_timing_takes_the_datasheet_maxima(void **state)
{
    (void)state;
    struct bench b;
    bench_open(&b, "stm32g071rb");
    sim_flash_set_timing(b.flash, SIM_FLASH_TIMING_MAXIMUM);
    unlock(&b, FPEC + 0x08);
    bus_write(&b, FPEC + 0x14, 4, 1u); /* PG */
    uint64_t start = b.now;
    l4_program(&b, 0x08000000, 0x11111111, 0x22222222);
    assert_int_equal(b.now - start, 125000ull * 1000ull);
    bus_write(&b, FPEC + 0x14, 4, 2u | (1u << 16)); /* PER page 0, STRT */
    start = b.now;
    wait_idle(&b);
    assert_int_equal(b.now - start, 22 * MS * 182 / 100);
    bench_close(&b);
}

/* ---- the bootloader's path ---- */

static void test_service_programs_erases_and_refuses_like_the_registers(void **state)
{
    (void)state;
    struct bench b;
    bench_open(&b, "stm32g071rb");
    static const uint8_t data[12] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
    uint64_t done;
    assert_true(sim_flash_program(b.flash, 0x08000000, data, sizeof data, 0, &done));
    assert_int_equal(done, 2 * 85000000ull); /* two double words; the last padded with 0xFF */
    assert_int_equal(sim_flash_array(b.flash)[12], 0xFF);
    assert_false(sim_flash_program(b.flash, 0x08000008, data, 8, done, &done)); /* programmed twice */
    assert_false(sim_flash_program(b.flash, 0x08000004, data, 8, done, &done)); /* not on a double word */
    uint64_t erase_start = done;
    assert_true(sim_flash_erase_unit(b.flash, 0, erase_start, &done));
    assert_int_equal(done - erase_start, 22 * MS);
    assert_true(sim_flash_program(b.flash, 0x08000008, data, 8, done, &done));
    assert_true(sim_flash_set_rdp(b.flash, 1, done, &done));
    bench_reset_kind(&b, SIM_RESET_OPTION_LOAD);
    assert_int_equal(sim_flash_rdp_level(b.flash), 1);
    assert_true(sim_flash_set_rdp(b.flash, 0, done, &done));
    assert_int_equal(sim_flash_array(b.flash)[8], 0xFF);
    assert_true(sim_flash_set_write_protection(b.flash, true, done, &done));
    bench_reset_kind(&b, SIM_RESET_OPTION_LOAD);
    assert_false(sim_flash_erase_unit(b.flash, 5, done, &done));
    assert_false(sim_flash_mass_erase(b.flash, done, &done));
    bench_close(&b);
}

static void test_unit_bounds_follow_the_part_layout(void **state)
{
    (void)state;
    struct bench b;
    bench_open(&b, "stm32f411ce");
    uint32_t addr, size;
    assert_int_equal(sim_flash_unit_count(b.flash), 8);
    assert_true(sim_flash_unit_bounds(b.flash, 4, &addr, &size));
    assert_int_equal(addr, 0x08010000);
    assert_int_equal(size, 0x10000);
    assert_true(sim_flash_unit_bounds(b.flash, 7, &addr, &size));
    assert_int_equal(addr, 0x08060000);
    assert_false(sim_flash_unit_bounds(b.flash, 8, &addr, &size));
    bench_close(&b);
    bench_open(&b, "stm32l476rg");
    assert_int_equal(sim_flash_unit_count(b.flash), 512);
    assert_true(sim_flash_unit_bounds(b.flash, 256, &addr, &size));
    assert_int_equal(addr, 0x08080000);
    bench_close(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_f1_locked_flash_refuses_writes),
        cmocka_unit_test(test_f1_programs_halfwords_only_and_streams_at_tprog),
        cmocka_unit_test(test_f1_non_erased_halfword_sets_pgerr_but_zero_is_allowed),
        cmocka_unit_test(test_wrong_key_locks_until_reset),
        cmocka_unit_test(test_f1_page_erase_takes_its_time_and_stalls_array_reads),
        cmocka_unit_test(test_f1_read_protection_blocks_debug_reads_and_removal_mass_erases),
        cmocka_unit_test(test_f1_write_protected_pages_refuse_program_and_erase),
        cmocka_unit_test(test_f0_obl_launch_requests_a_reset),
        cmocka_unit_test(test_f4_program_width_follows_psize),
        cmocka_unit_test(test_f4_sector_erase_uses_the_sector_layout),
        cmocka_unit_test(test_f7_doubled_sectors_itcm_alias_and_factory_optcr),
        cmocka_unit_test(test_f4_cr_write_while_busy_stalls),
        cmocka_unit_test(test_f4_read_protection_set_and_removed_through_optcr),
        cmocka_unit_test(test_l4_double_words_once_with_ecc),
        cmocka_unit_test(test_l4_bank_two_page_erase_with_bker),
        cmocka_unit_test(test_l4_options_rdp_wrp_and_obl_launch),
        cmocka_unit_test(test_l4_g0_system_reset_keeps_the_loaded_option_bytes),
        cmocka_unit_test(test_g0_lock_sets_optlock_too),
        cmocka_unit_test(test_l4_g0_strt_with_an_error_flag_set_erases_nothing),
        cmocka_unit_test(test_keys_while_unlocked_lock_until_reset),
        cmocka_unit_test(test_f4_mer_with_ser_erases_nothing),
        cmocka_unit_test(test_f0_f1_option_byte_register),
        cmocka_unit_test(test_h7_flash_words_through_the_write_buffer),
        cmocka_unit_test(test_h7_bank_two_through_its_own_registers),
        cmocka_unit_test(test_maximum_timing_takes_the_datasheet_maxima),
        cmocka_unit_test(test_service_programs_erases_and_refuses_like_the_registers),
        cmocka_unit_test(test_unit_bounds_follow_the_part_layout),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
