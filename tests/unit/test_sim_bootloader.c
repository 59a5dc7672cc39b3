/*
 * test_sim_bootloader.c - the ROM bootloader model speaks AN3155 to a host byte for byte: autobaud, the information
 * commands, reads, writes and erases with their checksums, read protection, the resetting commands and Go. The chip
 * is a fake: a 64 KB flash that refuses to program bytes that are not erased, an SRAM, and a recorder of what the
 * bootloader transmits and when.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "sim_bootloader.h"
#include "sim_parts.h"

#define ACK  SIM_BOOTLOADER_ACK
#define NACK SIM_BOOTLOADER_NACK

#define FLASH_BASE         0x08000000u
#define FLASH_SIZE         (64u * 1024u)
#define PAGE_SIZE          1024u
#define PAGE_COUNT         (FLASH_SIZE / PAGE_SIZE)
#define SRAM_BASE          0x20000000u
#define SRAM_SIZE          (20u * 1024u)
#define SYSTEM_MEMORY_BASE 0x1FFFF000u
#define SYSTEM_MEMORY_SIZE 0x800u
#define OPTION_BYTES_BASE  0x1FFFF800u
#define OPTION_BYTES_SIZE  16u

#define US_PS 1000000ull
#define MS_PS 1000000000ull
/* One 8E1 byte at 115200 baud: 11 bits. */
#define BYTE_PS (11ull * 1000000000000ull / 115200ull)
/* The fake's flash timing, F103 figures: one half-word programmed in 52.5 us, a page or the array erased in 30 ms. */
#define PROGRAM_HALF_WORD_PS (52500ull * 1000ull)
#define ERASE_PS             (30ull * MS_PS)
#define OPTION_BYTES_PS      (200ull * US_PS)

#define MAX_TRANSMITTED 4096

struct fake_chip {
    uint8_t flash[FLASH_SIZE];
    uint8_t sram[SRAM_SIZE];
    uint8_t system_memory[SYSTEM_MEMORY_SIZE];
    uint8_t option_bytes[OPTION_BYTES_SIZE];
    unsigned rdp_level, rdp_level_after_reset;
    bool write_protected, write_protected_after_reset;
    uint8_t protected_sectors[256];
    unsigned protected_sector_count;

    uint64_t now_ps; /* when the next byte from the host completes */
    uint8_t transmitted[MAX_TRANSMITTED];
    uint64_t transmitted_at_ps[MAX_TRANSMITTED];
    unsigned transmitted_count;

    unsigned writes, mass_erases, unit_erase_commands, bank_erases;
    uint16_t erased_units[SIM_BOOTLOADER_MAX_ERASE_PAGES];
    unsigned erased_unit_count;
    unsigned erased_bank;
    unsigned resets;
    uint64_t reset_at_ps;
    bool went;
    uint32_t go_addr;

    struct sim_bootloader bl;
};

static struct fake_chip chip;

/* ---- the fake chip behind the host operations ---- */

static uint8_t *fake_memory(struct fake_chip *fake, uint32_t addr, uint32_t len)
{
    if (addr >= FLASH_BASE && addr - FLASH_BASE + (uint64_t)len <= FLASH_SIZE)
        return &fake->flash[addr - FLASH_BASE];
    if (addr >= SRAM_BASE && addr - SRAM_BASE + (uint64_t)len <= SRAM_SIZE)
        return &fake->sram[addr - SRAM_BASE];
    if (addr >= SYSTEM_MEMORY_BASE && addr - SYSTEM_MEMORY_BASE + (uint64_t)len <= SYSTEM_MEMORY_SIZE)
        return &fake->system_memory[addr - SYSTEM_MEMORY_BASE];
    if (addr >= OPTION_BYTES_BASE && addr - OPTION_BYTES_BASE + (uint64_t)len <= OPTION_BYTES_SIZE)
        return &fake->option_bytes[addr - OPTION_BYTES_BASE];
    return NULL;
}

static bool fake_read(void *ctx, uint32_t addr, uint8_t *out, uint32_t len)
{
    uint8_t *memory = fake_memory(ctx, addr, len);
    if (memory == NULL)
        return false;
    memcpy(out, memory, len);
    return true;
}

static bool fake_write(void *ctx, uint32_t addr, const uint8_t *data, uint32_t len, uint64_t now_ps, uint64_t *done_ps)
{
    struct fake_chip *fake = ctx;
    uint8_t *memory = fake_memory(fake, addr, len);
    if (memory == NULL)
        return false;
    if (memory >= fake->flash && memory < fake->flash + FLASH_SIZE) {
        if (fake->write_protected)
            return false;
        for (uint32_t i = 0; i < len; i++) {
            if (memory[i] != 0xFF)
                return false; /* programming a byte that is not erased */
        }
        *done_ps = now_ps + (len + 1) / 2 * PROGRAM_HALF_WORD_PS;
    } else if (memory >= fake->option_bytes && memory < fake->option_bytes + OPTION_BYTES_SIZE) {
        *done_ps = now_ps + OPTION_BYTES_PS;
    }
    memcpy(memory, data, len);
    fake->writes++;
    return true;
}

static bool fake_erase_units(void *ctx, const uint16_t *units, unsigned count, uint64_t now_ps, uint64_t *done_ps)
{
    struct fake_chip *fake = ctx;
    if (fake->write_protected)
        return false;
    fake->unit_erase_commands++;
    for (unsigned i = 0; i < count; i++) {
        memset(&fake->flash[units[i] * PAGE_SIZE], 0xFF, PAGE_SIZE);
        fake->erased_units[fake->erased_unit_count++] = units[i];
    }
    *done_ps = now_ps + count * ERASE_PS;
    return true;
}

static bool fake_mass_erase(void *ctx, uint64_t now_ps, uint64_t *done_ps)
{
    struct fake_chip *fake = ctx;
    memset(fake->flash, 0xFF, FLASH_SIZE);
    fake->mass_erases++;
    *done_ps = now_ps + ERASE_PS;
    return true;
}

static bool fake_bank_erase(void *ctx, unsigned bank, uint64_t now_ps, uint64_t *done_ps)
{
    struct fake_chip *fake = ctx;
    fake->bank_erases++;
    fake->erased_bank = bank;
    *done_ps = now_ps + ERASE_PS;
    return true;
}

static unsigned fake_rdp_level(void *ctx)
{
    return ((struct fake_chip *)ctx)->rdp_level;
}

/* Like silicon: option byte changes are loaded at the next reset. */
static bool fake_set_read_protection(void *ctx, bool protect, uint64_t now_ps, uint64_t *done_ps)
{
    struct fake_chip *fake = ctx;
    fake->rdp_level_after_reset = protect ? 1 : 0;
    *done_ps = now_ps + OPTION_BYTES_PS;
    return true;
}

static bool fake_set_write_protection(void *ctx, bool protect, const uint8_t *sectors, unsigned count, uint64_t now_ps,
                                      uint64_t *done_ps)
{
    struct fake_chip *fake = ctx;
    fake->write_protected_after_reset = protect;
    fake->protected_sector_count = count;
    if (count > 0)
        memcpy(fake->protected_sectors, sectors, count);
    *done_ps = now_ps + OPTION_BYTES_PS;
    return true;
}

static void fake_go(void *ctx, uint32_t addr, uint64_t now_ps)
{
    struct fake_chip *fake = ctx;
    (void)now_ps;
    fake->went = true;
    fake->go_addr = addr;
}

/* BOOT0 stays high: the chip comes back into the bootloader. */
static void fake_system_reset(void *ctx, uint64_t now_ps)
{
    struct fake_chip *fake = ctx;
    fake->resets++;
    fake->reset_at_ps = now_ps;
    fake->rdp_level = fake->rdp_level_after_reset;
    fake->write_protected = fake->write_protected_after_reset;
    sim_bootloader_reset(&fake->bl);
}

static void fake_transmit(void *ctx, uint8_t byte, uint64_t at_ps)
{
    struct fake_chip *fake = ctx;
    assert_true(fake->transmitted_count < MAX_TRANSMITTED);
    if (fake->transmitted_count > 0) /* the UART sends in order */
        assert_true(at_ps >= fake->transmitted_at_ps[fake->transmitted_count - 1]);
    fake->transmitted_at_ps[fake->transmitted_count] = at_ps;
    fake->transmitted[fake->transmitted_count++] = byte;
}

static const struct sim_bootloader_host fake_host = {
    .ctx = &chip,
    .read = fake_read,
    .write = fake_write,
    .erase_units = fake_erase_units,
    .mass_erase = fake_mass_erase,
    .bank_erase = fake_bank_erase,
    .rdp_level = fake_rdp_level,
    .set_read_protection = fake_set_read_protection,
    .set_write_protection = fake_set_write_protection,
    .go = fake_go,
    .system_reset = fake_system_reset,
    .transmit = fake_transmit,
};

/* An STM32F103C8 as its ROM (v2.2, Erase 0x43) sees it. */
static const struct sim_bootloader_config f1_config = {
    .pid = 0x410,
    .version = 0x22,
    .extended_erase = false,
    .dual_bank = false,
    .erase_unit_count = PAGE_COUNT,
    .flash_base = FLASH_BASE,
    .flash_size = FLASH_SIZE,
    .sram_base = SRAM_BASE,
    .sram_size = SRAM_SIZE,
    .system_memory_base = SYSTEM_MEMORY_BASE,
    .system_memory_size = SYSTEM_MEMORY_SIZE,
    .option_bytes_base = OPTION_BYTES_BASE,
    .option_bytes_size = OPTION_BYTES_SIZE,
};

static void start_chip(const struct sim_bootloader_config *config)
{
    memset(&chip, 0, sizeof chip);
    memset(chip.flash, 0xFF, sizeof chip.flash);
    memset(chip.option_bytes, 0xFF, sizeof chip.option_bytes);
    chip.now_ps = 100 * MS_PS;
    sim_bootloader_init(&chip.bl, config, &fake_host);
}

/* The same memory with the v3.1 command set (Extended Erase 0x44). */
static void start_chip_with_extended_erase(bool dual_bank)
{
    struct sim_bootloader_config config = f1_config;
    config.version = 0x31;
    config.extended_erase = true;
    config.dual_bank = dual_bank;
    start_chip(&config);
}

static int setup_f1(void **state)
{
    (void)state;
    start_chip(&f1_config);
    return 0;
}

/* ---- the host side of the line ---- */

static void send_byte(uint8_t byte)
{
    sim_bootloader_receive(&chip.bl, byte, chip.now_ps);
    chip.now_ps += BYTE_PS;
}

static void send_bytes(const uint8_t *bytes, size_t count)
{
    for (size_t i = 0; i < count; i++)
        send_byte(bytes[i]);
}

static void send_command(uint8_t command)
{
    send_byte(command);
    send_byte((uint8_t)~command);
}

/* Bytes followed by their XOR. */
static void send_checked(const uint8_t *bytes, size_t count)
{
    uint8_t checksum = 0;
    for (size_t i = 0; i < count; i++)
        checksum ^= bytes[i];
    send_bytes(bytes, count);
    send_byte(checksum);
}

static void send_address(uint32_t addr)
{
    const uint8_t bytes[] = {(uint8_t)(addr >> 24), (uint8_t)(addr >> 16), (uint8_t)(addr >> 8), (uint8_t)addr};
    send_checked(bytes, sizeof bytes);
}

/* What the bootloader sent since the last call equals expected; forgets it. */
static void expect_transmitted(const uint8_t *expected, unsigned count)
{
    assert_int_equal(chip.transmitted_count, count);
    assert_memory_equal(chip.transmitted, expected, count);
    chip.transmitted_count = 0;
}

static void expect_one(uint8_t byte)
{
    expect_transmitted(&byte, 1);
}

static void expect_nothing(void)
{
    assert_int_equal(chip.transmitted_count, 0);
}

static void synchronise(void)
{
    send_byte(SIM_BOOTLOADER_SYNC);
    expect_one(ACK);
}

static void read_memory(uint32_t addr, uint8_t *out, unsigned len)
{
    send_command(0x11);
    expect_one(ACK);
    send_address(addr);
    expect_one(ACK);
    send_byte((uint8_t)(len - 1));
    send_byte((uint8_t) ~(len - 1));
    assert_int_equal(chip.transmitted_count, 1 + len);
    assert_int_equal(chip.transmitted[0], ACK);
    memcpy(out, &chip.transmitted[1], len);
    chip.transmitted_count = 0;
}

/* Write Memory up to the data frame; returns what was answered to it. */
static uint8_t write_memory(uint32_t addr, const uint8_t *data, unsigned len)
{
    send_command(0x31);
    expect_one(ACK);
    send_address(addr);
    expect_one(ACK);
    uint8_t frame[1 + SIM_BOOTLOADER_MAX_BLOCK];
    frame[0] = (uint8_t)(len - 1);
    memcpy(&frame[1], data, len);
    send_checked(frame, 1 + len);
    assert_int_equal(chip.transmitted_count, 1);
    chip.transmitted_count = 0;
    return chip.transmitted[0];
}

/* ---- tests ---- */

static void test_bytes_before_autobaud_are_ignored(void **state)
{
    (void)state;
    send_command(0x00);
    send_command(0x02);
    send_byte(0x00);
    expect_nothing();
    synchronise();
    send_command(0x02);
    const uint8_t id[] = {ACK, 0x01, 0x04, 0x10, ACK};
    expect_transmitted(id, sizeof id);
}

static void test_autobaud_answers_ack_at_the_byte_time(void **state)
{
    (void)state;
    uint64_t sync_ps = chip.now_ps;
    synchronise();
    assert_int_equal(chip.transmitted_at_ps[0], sync_ps);
}

static void test_second_sync_byte_is_a_command_and_gets_nack(void **state)
{
    (void)state;
    /* stm32flash's resynchronisation: 0x7F once more gets no answer, twice gets NACK (0x7F is not ~0x7F). */
    synchronise();
    send_byte(SIM_BOOTLOADER_SYNC);
    expect_nothing();
    send_byte(SIM_BOOTLOADER_SYNC);
    expect_one(NACK);
    send_command(0x01);
    const uint8_t version[] = {ACK, 0x22, 0x00, 0x00, ACK};
    expect_transmitted(version, sizeof version);
}

static void test_get_lists_version_and_the_erase_command_of_the_part(void **state)
{
    (void)state;
    synchronise();
    send_command(0x00);
    const uint8_t v22[] = {ACK, 11, 0x22, 0x00, 0x01, 0x02, 0x11, 0x21, 0x31, 0x43, 0x63, 0x73, 0x82, 0x92, ACK};
    expect_transmitted(v22, sizeof v22);

    start_chip_with_extended_erase(false);
    synchronise();
    send_command(0x00);
    const uint8_t v31[] = {ACK, 11, 0x31, 0x00, 0x01, 0x02, 0x11, 0x21, 0x31, 0x44, 0x63, 0x73, 0x82, 0x92, ACK};
    expect_transmitted(v31, sizeof v31);
}

static void test_get_version_answers_version_and_two_zero_bytes(void **state)
{
    (void)state;
    synchronise();
    send_command(0x01);
    const uint8_t version[] = {ACK, 0x22, 0x00, 0x00, ACK};
    expect_transmitted(version, sizeof version);
}

static void test_get_id_answers_pid_0410_msb_first(void **state)
{
    (void)state;
    synchronise();
    send_command(0x02);
    const uint8_t id[] = {ACK, 0x01, 0x04, 0x10, ACK};
    expect_transmitted(id, sizeof id);
}

static void test_bad_complement_is_nacked_and_the_next_command_works(void **state)
{
    (void)state;
    synchronise();
    send_byte(0x02);
    send_byte(0xFC);
    expect_one(NACK);
    assert_non_null(strstr(sim_bootloader_last_refusal(&chip.bl), "complement"));
    send_command(0x02);
    const uint8_t id[] = {ACK, 0x01, 0x04, 0x10, ACK};
    expect_transmitted(id, sizeof id);
}

static void test_unknown_command_is_nacked(void **state)
{
    (void)state;
    synchronise();
    send_command(0xA1); /* Get Checksum: not in v2.2 */
    expect_one(NACK);
    send_command(0x44); /* Extended Erase on a part with Erase */
    expect_one(NACK);

    start_chip_with_extended_erase(false);
    synchronise();
    send_command(0x43);
    expect_one(NACK);
}

static void test_read_memory_returns_the_flash_pattern(void **state)
{
    (void)state;
    for (unsigned i = 0; i < FLASH_SIZE; i++)
        chip.flash[i] = (uint8_t)(i * 7 + 3);
    synchronise();
    uint8_t data[256];
    read_memory(FLASH_BASE + 0x100, data, sizeof data);
    assert_memory_equal(data, &chip.flash[0x100], sizeof data);

    read_memory(FLASH_BASE + 0x3, data, 1);
    assert_int_equal(data[0], chip.flash[3]);
}

static void test_read_memory_reaches_sram_system_memory_and_option_bytes(void **state)
{
    (void)state;
    chip.sram[0x200] = 0x5A;
    chip.system_memory[0x10] = 0xA5;
    chip.option_bytes[0] = 0xA5;
    chip.option_bytes[1] = 0x5A;
    synchronise();
    uint8_t data[16];
    read_memory(SRAM_BASE + 0x200, data, 1);
    assert_int_equal(data[0], 0x5A);
    read_memory(SYSTEM_MEMORY_BASE + 0x10, data, 1);
    assert_int_equal(data[0], 0xA5);
    read_memory(OPTION_BYTES_BASE, data, 16);
    assert_int_equal(data[0], 0xA5);
    assert_int_equal(data[1], 0x5A);
}

static void test_read_memory_of_unmapped_address_is_nacked(void **state)
{
    (void)state;
    synchronise();
    send_command(0x11);
    expect_one(ACK);
    send_address(0x60000000);
    expect_one(NACK);
    assert_non_null(strstr(sim_bootloader_last_refusal(&chip.bl), "0x60000000"));
    /* Back to commands. */
    send_command(0x02);
    assert_int_equal(chip.transmitted_count, 5);
}

static void test_read_memory_past_the_end_of_flash_is_nacked(void **state)
{
    (void)state;
    synchronise();
    send_command(0x11);
    expect_one(ACK);
    send_address(FLASH_BASE + FLASH_SIZE - 0x80);
    expect_one(ACK);
    send_byte(0xFF);
    send_byte(0x00);
    expect_one(NACK);
}

static void test_read_memory_with_bad_address_checksum_is_nacked(void **state)
{
    (void)state;
    synchronise();
    send_command(0x11);
    expect_one(ACK);
    const uint8_t address[] = {0x08, 0x00, 0x00, 0x00, 0x00}; /* checksum should be 0x08 */
    send_bytes(address, sizeof address);
    expect_one(NACK);
}

static void test_read_memory_count_without_complement_is_nacked(void **state)
{
    (void)state;
    synchronise();
    send_command(0x11);
    expect_one(ACK);
    send_address(FLASH_BASE);
    expect_one(ACK);
    send_byte(0x0F);
    send_byte(0x0F);
    expect_one(NACK);
}

static void test_written_flash_reads_back_and_ack_waits_for_programming(void **state)
{
    (void)state;
    synchronise();
    uint8_t data[16];
    for (unsigned i = 0; i < sizeof data; i++)
        data[i] = (uint8_t)(0xC0 + i);
    uint64_t last_byte_ps = chip.now_ps + (2 + 5 + 1 + sizeof data) * BYTE_PS; /* the checksum byte */
    assert_int_equal(write_memory(FLASH_BASE + 0x400, data, sizeof data), ACK);
    assert_int_equal(chip.transmitted_at_ps[0], last_byte_ps + 8 * PROGRAM_HALF_WORD_PS);
    assert_memory_equal(&chip.flash[0x400], data, sizeof data);

    uint8_t back[16];
    read_memory(FLASH_BASE + 0x400, back, sizeof back);
    assert_memory_equal(back, data, sizeof data);
}

static void test_write_of_256_bytes_to_sram(void **state)
{
    (void)state;
    synchronise();
    uint8_t data[256];
    for (unsigned i = 0; i < sizeof data; i++)
        data[i] = (uint8_t)(255 - i);
    assert_int_equal(write_memory(SRAM_BASE + 0x1000, data, sizeof data), ACK);
    assert_memory_equal(&chip.sram[0x1000], data, sizeof data);
}

static void test_write_with_wrong_checksum_is_nacked_and_writes_nothing(void **state)
{
    (void)state;
    synchronise();
    send_command(0x31);
    expect_one(ACK);
    send_address(FLASH_BASE);
    expect_one(ACK);
    const uint8_t frame[] = {0x03, 0x11, 0x22, 0x33, 0x44, 0x00}; /* checksum should be 0x47 */
    send_bytes(frame, sizeof frame);
    expect_one(NACK);
    assert_int_equal(chip.writes, 0);
    assert_int_equal(chip.flash[0], 0xFF);
    assert_non_null(strstr(sim_bootloader_last_refusal(&chip.bl), "checksum"));
}

static void test_write_to_flash_that_is_not_erased_is_nacked(void **state)
{
    (void)state;
    chip.flash[0x10] = 0x00;
    synchronise();
    const uint8_t data[4] = {1, 2, 3, 4};
    assert_int_equal(write_memory(FLASH_BASE + 0x10, data, sizeof data), NACK);
    assert_int_equal(chip.flash[0x11], 0xFF);
}

static void test_write_outside_writable_memory_is_nacked_at_the_address(void **state)
{
    (void)state;
    synchronise();
    send_command(0x31);
    expect_one(ACK);
    send_address(SYSTEM_MEMORY_BASE); /* readable, not writable */
    expect_one(NACK);
}

static void test_write_to_option_bytes_resets_the_chip(void **state)
{
    (void)state;
    synchronise();
    const uint8_t user[4] = {0xA5, 0x5A, 0xFF, 0x00};
    uint64_t last_byte_ps = chip.now_ps + (2 + 5 + 1 + sizeof user) * BYTE_PS;
    assert_int_equal(write_memory(OPTION_BYTES_BASE, user, sizeof user), ACK);
    assert_memory_equal(chip.option_bytes, user, sizeof user);
    assert_int_equal(chip.resets, 1);
    assert_int_equal(chip.reset_at_ps, last_byte_ps + OPTION_BYTES_PS);
    /* After the reset the ROM waits for autobaud again. */
    send_command(0x02);
    expect_nothing();
    synchronise();
}

static void test_erase_0x43_erases_the_listed_pages(void **state)
{
    (void)state;
    memset(chip.flash, 0x00, sizeof chip.flash);
    synchronise();
    send_command(0x43);
    expect_one(ACK);
    const uint8_t pages[] = {0x01, 2, 5}; /* two pages */
    send_checked(pages, sizeof pages);
    uint64_t last_byte_ps = chip.now_ps - BYTE_PS;
    expect_one(ACK);
    assert_int_equal(chip.transmitted_at_ps[0], last_byte_ps + 2 * ERASE_PS);
    assert_int_equal(chip.erased_unit_count, 2);
    assert_int_equal(chip.erased_units[0], 2);
    assert_int_equal(chip.erased_units[1], 5);
    assert_int_equal(chip.flash[2 * PAGE_SIZE], 0xFF);
    assert_int_equal(chip.flash[5 * PAGE_SIZE + PAGE_SIZE - 1], 0xFF);
    assert_int_equal(chip.flash[3 * PAGE_SIZE], 0x00);
    assert_int_equal(chip.mass_erases, 0);
}

static void test_erase_0x43_global(void **state)
{
    (void)state;
    memset(chip.flash, 0x00, sizeof chip.flash);
    synchronise();
    send_command(0x43);
    expect_one(ACK);
    send_byte(0xFF);
    send_byte(0x00);
    expect_one(ACK);
    assert_int_equal(chip.mass_erases, 1);
    assert_int_equal(chip.flash[FLASH_SIZE - 1], 0xFF);
}

static void test_erase_0x43_with_bad_checksum_or_page_erases_nothing(void **state)
{
    (void)state;
    memset(chip.flash, 0x00, sizeof chip.flash);
    synchronise();
    send_command(0x43);
    expect_one(ACK);
    const uint8_t bad_checksum[] = {0x00, 0x04, 0x05};
    send_bytes(bad_checksum, sizeof bad_checksum);
    expect_one(NACK);

    send_command(0x43);
    expect_one(ACK);
    const uint8_t missing_page[] = {0x01, 3, PAGE_COUNT}; /* page 64 of 0..63 */
    send_checked(missing_page, sizeof missing_page);
    expect_one(NACK);
    assert_non_null(strstr(sim_bootloader_last_refusal(&chip.bl), "page 64"));

    send_command(0x43);
    expect_one(ACK);
    send_byte(0xFF);
    send_byte(0xFF); /* global erase needs 0x00 */
    expect_one(NACK);

    assert_int_equal(chip.unit_erase_commands + chip.mass_erases, 0);
    assert_int_equal(chip.flash[3 * PAGE_SIZE], 0x00);
}

static void test_extended_erase_0x44_erases_pages_msb_first(void **state)
{
    (void)state;
    start_chip_with_extended_erase(false);
    memset(chip.flash, 0x00, sizeof chip.flash);
    synchronise();
    send_command(0x44);
    expect_one(ACK);
    const uint8_t pages[] = {0x00, 0x02, 0x00, 0x00, 0x00, 0x21, 0x00, 0x3F}; /* three pages */
    send_checked(pages, sizeof pages);
    expect_one(ACK);
    assert_int_equal(chip.erased_unit_count, 3);
    assert_int_equal(chip.erased_units[0], 0);
    assert_int_equal(chip.erased_units[1], 0x21);
    assert_int_equal(chip.erased_units[2], 0x3F);
    assert_int_equal(chip.flash[0x21 * PAGE_SIZE], 0xFF);
    assert_int_equal(chip.flash[0x20 * PAGE_SIZE], 0x00);
}

static void test_extended_erase_0x44_mass(void **state)
{
    (void)state;
    start_chip_with_extended_erase(false);
    memset(chip.flash, 0x00, sizeof chip.flash);
    synchronise();
    send_command(0x44);
    expect_one(ACK);
    const uint8_t mass[] = {0xFF, 0xFF};
    send_checked(mass, sizeof mass);
    expect_one(ACK);
    assert_int_equal(chip.mass_erases, 1);
    assert_int_equal(chip.flash[0], 0xFF);
}

static void test_extended_erase_0x44_bank_codes_need_a_dual_bank_part(void **state)
{
    (void)state;
    start_chip_with_extended_erase(false);
    synchronise();
    send_command(0x44);
    expect_one(ACK);
    const uint8_t bank1[] = {0xFF, 0xFE};
    send_checked(bank1, sizeof bank1);
    expect_one(NACK);
    assert_int_equal(chip.bank_erases, 0);

    start_chip_with_extended_erase(true);
    synchronise();
    send_command(0x44);
    expect_one(ACK);
    const uint8_t bank2[] = {0xFF, 0xFD};
    send_checked(bank2, sizeof bank2);
    expect_one(ACK);
    assert_int_equal(chip.bank_erases, 1);
    assert_int_equal(chip.erased_bank, 2);

    send_command(0x44);
    expect_one(ACK);
    const uint8_t reserved[] = {0xFF, 0xF0};
    send_checked(reserved, sizeof reserved);
    expect_one(NACK);
}

static void test_extended_erase_0x44_with_bad_checksum_erases_nothing(void **state)
{
    (void)state;
    start_chip_with_extended_erase(false);
    synchronise();
    send_command(0x44);
    expect_one(ACK);
    const uint8_t pages[] = {0x00, 0x00, 0x00, 0x07, 0x00}; /* checksum should be 0x07 */
    send_bytes(pages, sizeof pages);
    expect_one(NACK);
    assert_int_equal(chip.unit_erase_commands, 0);
    /* The frame ended where the host thinks it did: the next command is understood. */
    send_command(0x02);
    assert_int_equal(chip.transmitted_count, 5);
}

static void test_extended_erase_list_longer_than_the_buffer_is_nacked_after_the_frame(void **state)
{
    (void)state;
    start_chip_with_extended_erase(false);
    synchronise();
    send_command(0x44);
    expect_one(ACK);
    unsigned count = SIM_BOOTLOADER_MAX_ERASE_PAGES + 1;
    uint8_t checksum = 0;
    uint8_t header[] = {(uint8_t)((count - 1) >> 8), (uint8_t)(count - 1)};
    send_bytes(header, sizeof header);
    checksum ^= header[0] ^ header[1];
    for (unsigned i = 0; i < count; i++) {
        send_byte(0x00);
        send_byte((uint8_t)(i % PAGE_COUNT));
        checksum ^= (uint8_t)(i % PAGE_COUNT);
    }
    expect_nothing();
    send_byte(checksum);
    expect_one(NACK);
    assert_int_equal(chip.unit_erase_commands, 0);
}

static void test_erase_waits_before_answering_the_next_command(void **state)
{
    (void)state;
    synchronise();
    send_command(0x43);
    expect_one(ACK);
    send_byte(0xFF);
    uint64_t erase_start_ps = chip.now_ps;
    send_byte(0x00);
    send_command(0x02); /* sent while the erase runs */
    assert_int_equal(chip.transmitted_count, 6);
    for (unsigned i = 0; i < chip.transmitted_count; i++)
        assert_true(chip.transmitted_at_ps[i] >= erase_start_ps + ERASE_PS);
}

static void test_read_under_read_protection_is_nacked_but_identification_works(void **state)
{
    (void)state;
    chip.rdp_level = 1;
    synchronise();
    send_command(0x11);
    expect_one(NACK);
    assert_non_null(strstr(sim_bootloader_last_refusal(&chip.bl), "read protection"));
    static const uint8_t refused[] = {0x21, 0x31, 0x43, 0x63, 0x73, 0x82};
    for (unsigned i = 0; i < sizeof refused; i++) {
        send_command(refused[i]);
        expect_one(NACK);
    }
    send_command(0x02);
    const uint8_t id[] = {ACK, 0x01, 0x04, 0x10, ACK};
    expect_transmitted(id, sizeof id);
    send_command(0x01);
    assert_int_equal(chip.transmitted_count, 5);
    chip.transmitted_count = 0;
    send_command(0x00);
    assert_int_equal(chip.transmitted_count, 15);
    assert_int_equal(chip.writes + chip.mass_erases + chip.unit_erase_commands, 0);
}

static void test_readout_unprotect_mass_erases_and_resets(void **state)
{
    (void)state;
    chip.rdp_level = chip.rdp_level_after_reset = 1;
    memset(chip.flash, 0x00, sizeof chip.flash);
    synchronise();
    uint64_t command_ps = chip.now_ps + BYTE_PS; /* the complement */
    send_command(0x92);
    const uint8_t answers[] = {ACK, ACK};
    expect_transmitted(answers, sizeof answers);
    assert_int_equal(chip.transmitted_at_ps[0], command_ps);
    assert_int_equal(chip.transmitted_at_ps[1], command_ps + ERASE_PS + OPTION_BYTES_PS);
    assert_int_equal(chip.mass_erases, 1);
    assert_int_equal(chip.flash[0], 0xFF);
    assert_int_equal(chip.resets, 1);
    assert_int_equal(chip.reset_at_ps, command_ps + ERASE_PS + OPTION_BYTES_PS);
    assert_int_equal(chip.rdp_level, 0);

    /* The chip reset: only 0x7F is heard, then reads work. */
    send_command(0x11);
    expect_nothing();
    synchronise();
    uint8_t data[4];
    read_memory(FLASH_BASE, data, sizeof data);
}

static void test_readout_protect_takes_effect_after_the_reset(void **state)
{
    (void)state;
    synchronise();
    send_command(0x82);
    const uint8_t answers[] = {ACK, ACK};
    expect_transmitted(answers, sizeof answers);
    assert_int_equal(chip.resets, 1);
    assert_int_equal(chip.rdp_level, 1);
    synchronise();
    send_command(0x11);
    expect_one(NACK);
    send_command(0x82); /* already protected */
    expect_one(NACK);
}

static void test_write_protect_passes_the_sectors_and_resets(void **state)
{
    (void)state;
    synchronise();
    send_command(0x63);
    expect_one(ACK);
    const uint8_t sectors[] = {0x01, 0x00, 0x03};
    send_checked(sectors, sizeof sectors);
    expect_one(ACK);
    assert_int_equal(chip.protected_sector_count, 2);
    assert_int_equal(chip.protected_sectors[0], 0x00);
    assert_int_equal(chip.protected_sectors[1], 0x03);
    assert_int_equal(chip.resets, 1);
    assert_true(chip.write_protected);

    synchronise();
    const uint8_t data[2] = {0x12, 0x34};
    assert_int_equal(write_memory(FLASH_BASE, data, sizeof data), NACK);

    send_command(0x73);
    const uint8_t answers[] = {ACK, ACK};
    expect_transmitted(answers, sizeof answers);
    assert_int_equal(chip.resets, 2);
    assert_false(chip.write_protected);
    synchronise();
    assert_int_equal(write_memory(FLASH_BASE, data, sizeof data), ACK);
}

static void test_go_jumps_to_the_address_and_leaves_the_line(void **state)
{
    (void)state;
    synchronise();
    send_command(0x21);
    expect_one(ACK);
    send_address(FLASH_BASE);
    expect_one(ACK);
    assert_true(chip.went);
    assert_int_equal(chip.go_addr, FLASH_BASE);
    /* The application owns the UART now. */
    send_byte(SIM_BOOTLOADER_SYNC);
    send_command(0x00);
    expect_nothing();
    /* Until the chip is reset into the bootloader again. */
    sim_bootloader_reset(&chip.bl);
    synchronise();
}

static void test_go_outside_flash_and_sram_is_nacked(void **state)
{
    (void)state;
    synchronise();
    send_command(0x21);
    expect_one(ACK);
    send_address(0x40013800);
    expect_one(NACK);
    assert_false(chip.went);
    send_command(0x21);
    expect_one(ACK);
    send_address(SRAM_BASE + 0x200);
    expect_one(ACK);
    assert_int_equal(chip.go_addr, SRAM_BASE + 0x200);
}

static void test_config_from_part_table(void **state)
{
    (void)state;
    struct sim_bootloader_config config;
    sim_bootloader_config_from_part(sim_part_find("stm32f103c8"), &config);
    assert_memory_equal(&config, &f1_config, sizeof config);

    sim_bootloader_config_from_part(sim_part_find("stm32l476rg"), &config);
    assert_int_equal(config.pid, 0x415);
    assert_int_equal(config.version, 0x31);
    assert_true(config.extended_erase);
    assert_true(config.dual_bank);
    assert_int_equal(config.erase_unit_count, 512);
    assert_int_equal(config.flash_size, 1024 * 1024);
    assert_int_equal(config.option_bytes_base, 0x1FFF7800);

    for (unsigned i = 0; i < sim_part_count; i++) {
        sim_bootloader_config_from_part(&sim_parts[i], &config);
        /* An option area wherever the part has one on the bus (not on the H7: its option registers hold them). */
        assert_int_equal(config.option_bytes_size > 0, sim_parts[i].option_bytes_base != 0);
        assert_true(config.erase_unit_count <= SIM_BOOTLOADER_MAX_ERASE_PAGES);
        assert_int_equal(config.extended_erase, sim_parts[i].bootloader_extended_erase);
    }
}

#define BOOTLOADER_TEST(name) cmocka_unit_test_setup(name, setup_f1)

int main(void)
{
    const struct CMUnitTest tests[] = {
        BOOTLOADER_TEST(test_bytes_before_autobaud_are_ignored),
        BOOTLOADER_TEST(test_autobaud_answers_ack_at_the_byte_time),
        BOOTLOADER_TEST(test_second_sync_byte_is_a_command_and_gets_nack),
        BOOTLOADER_TEST(test_get_lists_version_and_the_erase_command_of_the_part),
        BOOTLOADER_TEST(test_get_version_answers_version_and_two_zero_bytes),
        BOOTLOADER_TEST(test_get_id_answers_pid_0410_msb_first),
        BOOTLOADER_TEST(test_bad_complement_is_nacked_and_the_next_command_works),
        BOOTLOADER_TEST(test_unknown_command_is_nacked),
        BOOTLOADER_TEST(test_read_memory_returns_the_flash_pattern),
        BOOTLOADER_TEST(test_read_memory_reaches_sram_system_memory_and_option_bytes),
        BOOTLOADER_TEST(test_read_memory_of_unmapped_address_is_nacked),
        BOOTLOADER_TEST(test_read_memory_past_the_end_of_flash_is_nacked),
        BOOTLOADER_TEST(test_read_memory_with_bad_address_checksum_is_nacked),
        BOOTLOADER_TEST(test_read_memory_count_without_complement_is_nacked),
        BOOTLOADER_TEST(test_written_flash_reads_back_and_ack_waits_for_programming),
        BOOTLOADER_TEST(test_write_of_256_bytes_to_sram),
        BOOTLOADER_TEST(test_write_with_wrong_checksum_is_nacked_and_writes_nothing),
        BOOTLOADER_TEST(test_write_to_flash_that_is_not_erased_is_nacked),
        BOOTLOADER_TEST(test_write_outside_writable_memory_is_nacked_at_the_address),
        BOOTLOADER_TEST(test_write_to_option_bytes_resets_the_chip),
        BOOTLOADER_TEST(test_erase_0x43_erases_the_listed_pages),
        BOOTLOADER_TEST(test_erase_0x43_global),
        BOOTLOADER_TEST(test_erase_0x43_with_bad_checksum_or_page_erases_nothing),
        BOOTLOADER_TEST(test_extended_erase_0x44_erases_pages_msb_first),
        BOOTLOADER_TEST(test_extended_erase_0x44_mass),
        BOOTLOADER_TEST(test_extended_erase_0x44_bank_codes_need_a_dual_bank_part),
        BOOTLOADER_TEST(test_extended_erase_0x44_with_bad_checksum_erases_nothing),
        BOOTLOADER_TEST(test_extended_erase_list_longer_than_the_buffer_is_nacked_after_the_frame),
        BOOTLOADER_TEST(test_erase_waits_before_answering_the_next_command),
        BOOTLOADER_TEST(test_read_under_read_protection_is_nacked_but_identification_works),
        BOOTLOADER_TEST(test_readout_unprotect_mass_erases_and_resets),
        BOOTLOADER_TEST(test_readout_protect_takes_effect_after_the_reset),
        BOOTLOADER_TEST(test_write_protect_passes_the_sectors_and_resets),
        BOOTLOADER_TEST(test_go_jumps_to_the_address_and_leaves_the_line),
        BOOTLOADER_TEST(test_go_outside_flash_and_sram_is_nacked),
        BOOTLOADER_TEST(test_config_from_part_table),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
