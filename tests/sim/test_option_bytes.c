/*
 * test_option_bytes.c - option bytes and read protection (src/stm32/stm32_options*.c) against the simulated parts of
 * every controller generation: F0 (OBL_LAUNCH) and F1, F4 (with the F413's 15 nWRP bits), L4 (dual bank) and G0.
 * The simulated flash is the judge: its loaded read protection level, its array, and the resets the chip reports.
 *   - factory option bytes read as level 0 without write protection;
 *   - a write (USER bit, F0/F1 data bytes, protection of unit 2) reads back whole, also after a power cycle;
 *   - a write-protected unit fails a flash job with STATUS_FLASH_PROTECTED and the flash stays as it was; a unit
 *     outside the protection is programmed; removing the protection lets the job through;
 *   - level 1 cuts the debugger off the flash and the L0/L1 data EEPROM (bus error) and stops a job before anything
 *     is erased; removing it mass-erases the flash (and the data EEPROM), keeps the other option bytes, and leaves
 *     the core halted;
 *   - level 2 is never written, level 1 -> 0 is never done by write_options, and a chip at level 2 does not answer
 *     the debugger at all.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cortexm/cortexm.h"
#include "job/job.h"
#include "sim_session.h"
#include "stm32/stm32_flash.h"
#include "stm32/stm32_options.h"

#define IMAGE_BYTES    300u
#define PROTECTED_UNIT 2u
#define FREE_UNIT      5u /* outside the protection of unit 2 on every part (F0/F1 protect 4 KB groups) */

struct board {
    const char *part;
    uint32_t factory_user;
    bool has_level2;    /* F1 has no level 2 */
    bool option_launch; /* the option bytes are loaded by OBL_LAUNCH (a reset the chip calls "option bytes") */
    const char *standby_field; /* the USER bit that resets the chip on entering standby; NULL: nRST_STDBY */
    bool erased_zero;   /* erased flash reads 0x00 (L0), not 0xFF */
    uint32_t free_unit; /* a unit outside the protection of PROTECTED_UNIT's group and the image; 0: FREE_UNIT */
};

static const char *standby_field(const struct board *board)
{
    return board->standby_field != NULL ? board->standby_field : "nRST_STDBY";
}

static const struct board boards[] = {
    {"stm32f072rb", 0xFFu, true, true, NULL, false, 0},
    {"stm32f103c8", 0xFFu, false, false, NULL, false, 0},
    {"stm32f103zg", 0xFFu, false, false, NULL, false, 0},
    {"stm32f410r8", 0xECu, true, false, NULL, false, 3}, /* four sectors: unit 3 is free */
    {"stm32f411ce", 0xECu, true, false, NULL, false, 0},
    {"stm32f413zh", 0xECu, true, false, NULL, false, 0},
    {"stm32l476rg", 0xFFEFF800u, true, true, NULL, false, 0},
    {"stm32g071rb", 0xDFFFE100u, true, true, NULL, false, 0},
    {"stm32f303cc", 0xFFu, true, true, NULL, false, 0},
    {"stm32g431rb", 0xFFEFF800u, true, true, NULL, false, 0},
    {"stm32g474re", 0xFFEFF800u, true, true, NULL, false, 0},
    {"stm32f746zg", 0xC00000FCu, true, false, NULL, false, 0},
    {"stm32f767zi", 0xF00000FCu, true, false, NULL, false, 0},
    {"stm32h743zi", 0x000600D0u, true, false, "NRST_STBY_D1", false, 0},
    /* L0: a WRPROT1 bit protects 4 KB, 32 pages of 128 bytes: unit 64 lies in the third sector. */
    {"stm32l053r8", 0x80700000u, true, true, NULL, true, 64},
    {"stm32l072cz", 0x80700000u, true, true, NULL, true, 64},
    /* L1: a WRPR1 bit protects 4 KB, 16 pages of 256 bytes: unit 32 lies in the third sector. */
    {"stm32l152re", 0x00700000u, true, true, NULL, true, 32},
};
#define BOARD_COUNT (sizeof boards / sizeof boards[0])

static uint8_t erased_byte(const struct board *board)
{
    return board->erased_zero ? 0x00 : 0xFF;
}

static uint32_t free_unit_of(const struct board *board)
{
    return board->free_unit ? board->free_unit : FREE_UNIT;
}

struct fixture {
    const struct board *board;
    struct sim_session session;
    struct cortexm core;
    struct stm32_target target;
    const struct stm32_flash_ops *ops;
    unsigned option_load_resets, system_resets;
};

static void on_reset(void *ctx, const char *cause, bool into_bootloader, uint64_t at_ps)
{
    struct fixture *fixture = ctx;
    (void)into_bootloader;
    (void)at_ps;
    if (strcmp(cause, "option bytes") == 0)
        fixture->option_load_resets++;
    else if (strcmp(cause, "SYSRESETREQ") == 0)
        fixture->system_resets++;
}

static void check(struct fixture *fixture, enum status status, const char *what)
{
    if (status != STATUS_OK)
        fail_msg("%s: %s: %s", fixture->board->part, what, sim_session_error(&fixture->session));
}

static void connect(struct fixture *fixture)
{
    check(fixture, sim_session_attach(&fixture->session), "attach");
    check(fixture,
          cortexm_attach(&fixture->core, &fixture->session.ap, &fixture->session.port.system, NULL,
                         &fixture->session.report),
          "core");
    check(
        fixture,
        stm32_identify(&fixture->target, &fixture->session.ap, &fixture->session.port.system, &fixture->session.report),
        "identify");
    fixture->ops = stm32_flash_ops(&fixture->target);
}

static void open_board(struct fixture *fixture, const struct board *board)
{
    memset(fixture, 0, sizeof *fixture);
    fixture->board = board;
    assert_true(sim_session_create(&fixture->session, board->part, true));
    struct sim_stm32_events events = {.ctx = fixture, .reset = on_reset};
    sim_stm32_set_events(fixture->session.stm32, &events);
    connect(fixture);
}

static void close_board(struct fixture *fixture)
{
    sim_session_destroy(&fixture->session);
}

static struct stm32_option_bytes read_options(struct fixture *fixture)
{
    struct stm32_option_bytes options;
    check(fixture, fixture->ops->read_options(&fixture->target, &options), "read_options");
    return options;
}

static void assert_options_equal(const struct fixture *fixture, const struct stm32_option_bytes *got,
                                 const struct stm32_option_bytes *want)
{
    if (got->rdp_level != want->rdp_level || got->user != want->user || got->user_data != want->user_data ||
        memcmp(got->write_protection, want->write_protection, sizeof got->write_protection) != 0)
        fail_msg("%s: option bytes read rdp %u user 0x%08x data 0x%04x wrp 0x%08x 0x%08x, expected rdp %u user "
                 "0x%08x data 0x%04x wrp 0x%08x 0x%08x",
                 fixture->board->part, got->rdp_level, (unsigned)got->user, (unsigned)got->user_data,
                 (unsigned)got->write_protection[0], (unsigned)got->write_protection[1], want->rdp_level,
                 (unsigned)want->user, (unsigned)want->user_data, (unsigned)want->write_protection[0],
                 (unsigned)want->write_protection[1]);
}

static struct image_range unit_range(const struct fixture *fixture, uint32_t unit)
{
    struct image_range range;
    assert_true(image_target_erase_unit(&fixture->target.memory, unit, &range));
    return range;
}

/* Old content the tests expect to survive, written straight into the simulated array. */
static uint8_t *fill_flash(struct fixture *fixture)
{
    uint8_t *flash = sim_flash_array(fixture->session.stm32->flash);
    uint32_t size = sim_flash_size(fixture->session.stm32->flash);
    for (uint32_t i = 0; i < size; i++)
        flash[i] = (uint8_t)(i * 7u + 3u);
    uint8_t *copy = malloc(size);
    assert_non_null(copy);
    memcpy(copy, flash, size);
    return copy;
}

static void assert_flash_unchanged(const struct fixture *fixture, const uint8_t *before, const char *when)
{
    const uint8_t *flash = sim_flash_array(fixture->session.stm32->flash);
    uint32_t size = sim_flash_size(fixture->session.stm32->flash);
    for (uint32_t i = 0; i < size; i++) {
        if (flash[i] != before[i])
            fail_msg("%s: %s: flash at 0x%08x changed from 0x%02x to 0x%02x", fixture->board->part, when,
                     (unsigned)(0x08000000u + i), before[i], flash[i]);
    }
}

/* ---- a flash job on a raw binary ---- */

struct memory_file {
    uint8_t bytes[IMAGE_BYTES];
};

static long memory_file_read(void *ctx, uint32_t offset, uint8_t *buf, uint32_t len)
{
    const struct memory_file *file = ctx;
    if (offset >= IMAGE_BYTES)
        return 0;
    uint32_t n = IMAGE_BYTES - offset < len ? IMAGE_BYTES - offset : len;
    memcpy(buf, file->bytes + offset, n);
    return (long)n;
}

static enum status flash_image(struct fixture *fixture, const struct memory_file *file, uint32_t address)
{
    static struct job job;
    const struct job_link link = {.swd = &fixture->session.port.swd,
                                  .system = &fixture->session.port.system,
                                  .pins = &fixture->session.port.pins};
    const struct job_file job_file = {.ctx = (void *)file, .read = memory_file_read};
    const struct job_options options = {.format = IMAGE_FORMAT_BIN, .bin_base = address, .verify = true};
    job_init(&job, &link, &job_file, &options, &fixture->session.report);
    enum status status = job_run(&job);
    /* A refusal for protection comes before the erase: the job must say the flash was not touched. */
    if (status == STATUS_FLASH_PROTECTED)
        assert_false(job.result.erased);
    /* The job drove the wire with its own debug port state: the fixture's caches (SELECT, CSW, TAR) are stale. */
    struct status_report report = fixture->session.report;
    connect(fixture);
    fixture->session.report = report;
    return status;
}

static void make_image(struct memory_file *file, uint8_t seed)
{
    for (uint32_t i = 0; i < IMAGE_BYTES; i++)
        file->bytes[i] = (uint8_t)(i * 13u + seed);
}

/* ---- tests ---- */

static void test_factory_option_bytes_are_level0_without_write_protection(void **state)
{
    (void)state;
    for (size_t b = 0; b < BOARD_COUNT; b++) {
        struct fixture fixture;
        open_board(&fixture, &boards[b]);
        struct stm32_option_bytes options = read_options(&fixture);
        assert_int_equal(options.rdp_level, 0);
        assert_int_equal(options.user, boards[b].factory_user);
        uint32_t unit = 0, first, last;
        assert_false(stm32_option_bytes_next_protected_run(&fixture.target, &options, &unit, &first, &last));
        char user[256], set[32];
        stm32_option_bytes_format_user(&fixture.target, &options, user, sizeof user);
        snprintf(set, sizeof set, "%s=1", standby_field(&boards[b]));
        if (strstr(user, set) == NULL)
            fail_msg("%s: user bits read \"%s\"", boards[b].part, user);
        close_board(&fixture);
    }
}

static void clear_user_field(const struct fixture *fixture, struct stm32_option_bytes *options, const char *name)
{
    for (const struct stm32_option_field *field = fixture->target.part->line->user_fields; field->name; field++) {
        if (strcmp(field->name, name) == 0) {
            options->user &= ~field->mask;
            return;
        }
    }
    fail_msg("%s: no USER field %s", fixture->board->part, name);
}

static void test_option_bytes_round_trip_and_survive_a_power_cycle(void **state)
{
    (void)state;
    for (size_t b = 0; b < BOARD_COUNT; b++) {
        struct fixture fixture;
        open_board(&fixture, &boards[b]);
        struct stm32_option_bytes factory = read_options(&fixture), wanted = factory;
        check(&fixture, stm32_option_bytes_protect_units(&fixture.target, &wanted, PROTECTED_UNIT, 1), "protect");
        clear_user_field(&fixture, &wanted, standby_field(&boards[b]));
        if (stm32_part_family(fixture.target.part)->options_have_user_data)
            wanted.user_data = 0x5AA5u;
        check(&fixture, fixture.ops->write_options(&fixture.target, &wanted), "write_options");
        struct stm32_option_bytes got = read_options(&fixture);
        assert_options_equal(&fixture, &got, &wanted);
        assert_true(stm32_option_bytes_unit_protected(&fixture.target, &got, PROTECTED_UNIT));
        assert_false(stm32_option_bytes_unit_protected(&fixture.target, &got, free_unit_of(&boards[b])));
        /* Loaded the way the generation loads them. */
        if (boards[b].option_launch)
            assert_true(fixture.option_load_resets >= 1);
        else
            assert_int_equal(fixture.option_load_resets, 0);

        sim_stm32_power_on_reset(fixture.session.stm32);
        connect(&fixture);
        got = read_options(&fixture);
        assert_options_equal(&fixture, &got, &wanted);

        check(&fixture, fixture.ops->write_options(&fixture.target, &factory), "write_options (factory)");
        got = read_options(&fixture);
        assert_options_equal(&fixture, &got, &factory);
        close_board(&fixture);
    }
}

static void test_protecting_units_past_the_flash_is_refused(void **state)
{
    (void)state;
    for (size_t b = 0; b < BOARD_COUNT; b++) {
        struct fixture fixture;
        open_board(&fixture, &boards[b]);
        struct stm32_option_bytes options = read_options(&fixture), before = options;
        uint32_t units = image_target_erase_unit_count(&fixture.target.memory);
        assert_int_equal(stm32_option_bytes_protect_units(&fixture.target, &options, units - 1, 2),
                         STATUS_INVALID_ARGUMENT);
        assert_int_equal(stm32_option_bytes_protect_units(&fixture.target, &options, units, 1),
                         STATUS_INVALID_ARGUMENT);
        assert_options_equal(&fixture, &options, &before);
        /* Every unit, and nothing. */
        check(&fixture, stm32_option_bytes_protect_units(&fixture.target, &options, 0, units), "protect all");
        uint32_t unit = 0, first, last;
        assert_true(stm32_option_bytes_next_protected_run(&fixture.target, &options, &unit, &first, &last));
        assert_int_equal(first, 0);
        assert_int_equal(last, units - 1);
        check(&fixture, stm32_option_bytes_protect_units(&fixture.target, &options, 0, 0), "protect none");
        unit = 0;
        assert_false(stm32_option_bytes_next_protected_run(&fixture.target, &options, &unit, &first, &last));
        close_board(&fixture);
    }
}

static void test_write_protected_unit_fails_the_job_and_leaves_the_flash_intact(void **state)
{
    (void)state;
    static struct memory_file image;
    for (size_t b = 0; b < BOARD_COUNT; b++) {
        struct fixture fixture;
        open_board(&fixture, &boards[b]);
        struct stm32_option_bytes options = read_options(&fixture);
        check(&fixture, stm32_option_bytes_protect_units(&fixture.target, &options, PROTECTED_UNIT, 1), "protect");
        check(&fixture, fixture.ops->write_options(&fixture.target, &options), "write_options");
        uint8_t *before = fill_flash(&fixture);

        make_image(&image, 1);
        uint32_t protected_address = unit_range(&fixture, PROTECTED_UNIT).base + 100;
        enum status status = flash_image(&fixture, &image, protected_address);
        if (status != STATUS_FLASH_PROTECTED)
            fail_msg("%s: a job on the protected unit returned %s: %s", boards[b].part, status_name(status),
                     sim_session_error(&fixture.session));
        assert_flash_unchanged(&fixture, before, "after the refused job");

        /* A unit outside the protection is programmed; the rest stays. */
        struct image_range free_unit = unit_range(&fixture, free_unit_of(&boards[b]));
        check(&fixture, flash_image(&fixture, &image, free_unit.base), "job on a free unit");
        uint8_t *flash = sim_flash_array(fixture.session.stm32->flash);
        uint32_t offset = free_unit.base - 0x08000000u;
        assert_memory_equal(flash + offset, image.bytes, IMAGE_BYTES);
        uint32_t touched = (IMAGE_BYTES + free_unit.size - 1) / free_unit.size * free_unit.size; /* whole units */
        for (uint32_t i = offset + IMAGE_BYTES; i < offset + touched; i++)
            assert_int_equal(flash[i], erased_byte(&boards[b]));
        memset(before + offset, erased_byte(&boards[b]), touched);
        memcpy(before + offset, image.bytes, IMAGE_BYTES);
        assert_flash_unchanged(&fixture, before, "after the job on a free unit");

        /* Without the protection the first job goes through. */
        check(&fixture, stm32_option_bytes_protect_units(&fixture.target, &options, 0, 0), "unprotect");
        check(&fixture, fixture.ops->write_options(&fixture.target, &options), "write_options (none)");
        check(&fixture, flash_image(&fixture, &image, protected_address), "job once unprotected");
        assert_memory_equal(flash + (protected_address - 0x08000000u), image.bytes, IMAGE_BYTES);
        free(before);
        close_board(&fixture);
    }
}

/* F413 (RM0430): sectors 12-15 have their nWRP bits in OPTCR too (28-30), and the last, bit 30, protects sectors 14
 * and 15 together. An option write that protects a low sector must leave them free; protecting sector 15 protects 14
 * and no other. */
static void test_f413_sectors_12_to_15(void **state)
{
    (void)state;
    static struct memory_file image;
    static const struct board f413 = {"stm32f413zh", 0xECu, true, false, NULL, false, 0};
    struct fixture fixture;
    open_board(&fixture, &f413);
    assert_int_equal(image_target_erase_unit_count(&fixture.target.memory), 16);
    struct stm32_option_bytes factory = read_options(&fixture), options = factory;
    make_image(&image, 3);

    check(&fixture, stm32_option_bytes_protect_units(&fixture.target, &options, PROTECTED_UNIT, 1), "protect");
    check(&fixture, fixture.ops->write_options(&fixture.target, &options), "write_options");
    for (uint32_t unit = 12; unit < 16; unit++) {
        assert_false(stm32_option_bytes_unit_protected(&fixture.target, &options, unit));
        check(&fixture, flash_image(&fixture, &image, unit_range(&fixture, unit).base), "job past sector 11");
    }

    check(&fixture, stm32_option_bytes_protect_units(&fixture.target, &options, 15, 1), "protect 15");
    check(&fixture, fixture.ops->write_options(&fixture.target, &options), "write_options (15)");
    struct stm32_option_bytes got = read_options(&fixture);
    assert_options_equal(&fixture, &got, &options);
    uint32_t unit = 0, first, last;
    assert_true(stm32_option_bytes_next_protected_run(&fixture.target, &got, &unit, &first, &last));
    assert_int_equal(first, 14);
    assert_int_equal(last, 15);
    for (uint32_t u = 13; u < 16; u++) {
        enum status status = flash_image(&fixture, &image, unit_range(&fixture, u).base);
        if (status != (u == 13 ? STATUS_OK : STATUS_FLASH_PROTECTED))
            fail_msg("stm32f413zh: a job on sector %u returned %s: %s", (unsigned)u, status_name(status),
                     sim_session_error(&fixture.session));
    }

    check(&fixture, fixture.ops->write_options(&fixture.target, &factory), "write_options (factory)");
    check(&fixture, flash_image(&fixture, &image, unit_range(&fixture, 15).base), "job once unprotected");
    close_board(&fixture);
}

static void test_read_protection_blocks_the_debugger_and_its_removal_mass_erases(void **state)
{
    (void)state;
    static struct memory_file image;
    for (size_t b = 0; b < BOARD_COUNT; b++) {
        struct fixture fixture;
        open_board(&fixture, &boards[b]);
        struct sim_flash *sim_flash = fixture.session.stm32->flash;
        uint8_t *before = fill_flash(&fixture);
        uint32_t eeprom_size = sim_flash_eeprom_size(sim_flash); /* L0/L1: the data EEPROM goes with the flash */
        memset(sim_flash_eeprom(sim_flash), 0xA5, eeprom_size);
        struct stm32_option_bytes factory = read_options(&fixture), wanted = factory;

        /* Nothing to remove at level 0: the flash is left alone. */
        check(&fixture, fixture.ops->remove_read_protection(&fixture.target), "remove at level 0");
        assert_flash_unchanged(&fixture, before, "after a removal at level 0");

        wanted.rdp_level = 1;
        check(&fixture, fixture.ops->write_options(&fixture.target, &wanted), "write_options (rdp 1)");
        assert_int_equal(sim_flash_rdp_level(sim_flash), 1);
        struct stm32_option_bytes got = read_options(&fixture);
        assert_options_equal(&fixture, &got, &wanted);
        unsigned level = 0;
        check(&fixture, fixture.ops->read_protection(&fixture.target, &level), "read_protection");
        assert_int_equal(level, 1);

        uint32_t word = 0;
        assert_int_equal(adi_mem_read32(&fixture.session.ap, 0x08000000u, &word), STATUS_BUS_ERROR);
        adi_dp_recover(&fixture.session.dp, STATUS_BUS_ERROR);
        if (eeprom_size != 0) {
            assert_int_equal(adi_mem_read32(&fixture.session.ap, 0x08080000u, &word), STATUS_BUS_ERROR);
            adi_dp_recover(&fixture.session.dp, STATUS_BUS_ERROR);
        }

        make_image(&image, 2);
        assert_int_equal(flash_image(&fixture, &image, unit_range(&fixture, free_unit_of(&boards[b])).base),
                         STATUS_FLASH_PROTECTED);
        assert_non_null(strstr(fixture.session.report.detail, "unlock --yes"));
        assert_flash_unchanged(&fixture, before, "after a job under read protection");

        /* write_options never lowers the level. */
        assert_int_equal(fixture.ops->write_options(&fixture.target, &factory), STATUS_INVALID_ARGUMENT);
        assert_int_equal(sim_flash_rdp_level(sim_flash), 1);
        assert_flash_unchanged(&fixture, before, "after a refused rdp 1 -> 0");

        check(&fixture, fixture.ops->remove_read_protection(&fixture.target), "remove_read_protection");
        assert_int_equal(sim_flash_rdp_level(sim_flash), 0);
        const uint8_t *flash = sim_flash_array(sim_flash);
        for (uint32_t i = 0; i < sim_flash_size(sim_flash); i++) {
            if (flash[i] != erased_byte(&boards[b]))
                fail_msg("%s: flash at 0x%08x holds 0x%02x after the removal", boards[b].part,
                         (unsigned)(0x08000000u + i), flash[i]);
        }
        for (uint32_t i = 0; i < eeprom_size; i++) {
            if (sim_flash_eeprom(sim_flash)[i] != 0x00)
                fail_msg("%s: data EEPROM at 0x%08x holds 0x%02x after the removal", boards[b].part,
                         (unsigned)(0x08080000u + i), sim_flash_eeprom(sim_flash)[i]);
        }
        got = read_options(&fixture);
        assert_options_equal(&fixture, &got, &factory);
        bool halted = false;
        check(&fixture, cortexm_is_halted(&fixture.core, &halted), "DHCSR");
        assert_true(halted);
        check(&fixture, adi_mem_read32(&fixture.session.ap, 0x08000000u, &word), "read flash");
        assert_int_equal(word, erased_byte(&boards[b]) * 0x01010101u);
        free(before);
        close_board(&fixture);
    }
}

/* Around the engine, straight at the controller: with read protection and a debugger connected the chip refuses
 * program and erase too, not only reads (PM0075 §2.4.1; RM0090 §3.7.3; RM0351 §3.5.1; RM0444 §3.5.1). */
static void test_read_protection_refuses_program_and_erase_to_a_debugger(void **state)
{
    (void)state;
    for (size_t b = 0; b < BOARD_COUNT; b++) {
        struct fixture fixture;
        open_board(&fixture, &boards[b]);
        uint8_t *before = fill_flash(&fixture);
        struct image_range unit = unit_range(&fixture, free_unit_of(&boards[b]));
        /* An erased unit, so that a refused program is told apart from one that meets old data. */
        memset(sim_flash_array(fixture.session.stm32->flash) + (unit.base - 0x08000000u), erased_byte(&boards[b]),
               unit.size);
        memset(before + (unit.base - 0x08000000u), erased_byte(&boards[b]), unit.size);
        struct stm32_option_bytes wanted = read_options(&fixture);
        wanted.rdp_level = 1;
        check(&fixture, fixture.ops->write_options(&fixture.target, &wanted), "write_options (rdp 1)");

        static const uint8_t zeros[64];
        check(&fixture, fixture.ops->unlock(&fixture.target), "unlock");
        assert_int_not_equal(fixture.ops->program(&fixture.target, unit.base, zeros, sizeof zeros), STATUS_OK);
        adi_dp_recover(&fixture.session.dp, STATUS_BUS_ERROR);
        assert_int_not_equal(fixture.ops->erase_unit(&fixture.target, free_unit_of(&boards[b]), unit), STATUS_OK);
        adi_dp_recover(&fixture.session.dp, STATUS_BUS_ERROR);
        assert_flash_unchanged(&fixture, before, "after program and erase under read protection");
        assert_int_equal(sim_flash_rdp_level(fixture.session.stm32->flash), 1);
        free(before);
        close_board(&fixture);
    }
}

/* Puts the chip at level 2 behind the debugger's back, as only firmware or another tool could: in the simulated
 * option area, laid out as the part's controller keeps it. */
static void store_level2(struct fixture *fixture)
{
    uint8_t *area = sim_flash_options(fixture->session.stm32->flash);
    switch (fixture->session.stm32->part->family) {
    case SIM_FAMILY_F0:
    case SIM_FAMILY_F1:
    case SIM_FAMILY_F3:
        area[0] = 0xCC;
        area[1] = 0x33;
        break;
    case SIM_FAMILY_F4:
    case SIM_FAMILY_F7:
    case SIM_FAMILY_H7: area[1] = 0xCC; break; /* H7: RDP in OPTSR's second byte, as the model keeps it */
    case SIM_FAMILY_L4:
    case SIM_FAMILY_G0:
    case SIM_FAMILY_G4:
        area[0] = 0xCC;
        area[4] = 0x33;
        break;
    case SIM_FAMILY_L0: /* RDP 0xCC, WPRMOD 0, then the complement 0xFF33 */
    case SIM_FAMILY_L1:
        area[0] = 0xCC;
        area[1] = 0x00;
        area[2] = 0x33;
        area[3] = 0xFF;
        break;
    }
    sim_stm32_power_on_reset(fixture->session.stm32);
}

static void test_level2_is_never_written_and_never_unlocked(void **state)
{
    (void)state;
    for (size_t b = 0; b < BOARD_COUNT; b++) {
        struct fixture fixture;
        open_board(&fixture, &boards[b]);
        uint8_t area[SIM_FLASH_OPTION_AREA_SIZE];
        memcpy(area, sim_flash_options(fixture.session.stm32->flash), sizeof area);
        struct stm32_option_bytes options = read_options(&fixture);
        options.rdp_level = 2;
        assert_int_equal(fixture.ops->write_options(&fixture.target, &options), STATUS_INVALID_ARGUMENT);
        assert_non_null(strstr(fixture.session.report.detail, "permanent"));
        assert_memory_equal(sim_flash_options(fixture.session.stm32->flash), area, sizeof area);

        if (boards[b].has_level2) {
            /* Level 2 turns the debug port off for good: the chip no longer answers, and the sentence says why
             * that may be. */
            store_level2(&fixture);
            assert_int_equal(sim_flash_rdp_level(fixture.session.stm32->flash), 2);
            assert_int_equal(sim_session_attach(&fixture.session), STATUS_NO_RESPONSE);
            assert_non_null(strstr(sim_session_error(&fixture.session), "level 2"));
            assert_int_equal(sim_flash_rdp_level(fixture.session.stm32->flash), 2);
        }
        close_board(&fixture);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_factory_option_bytes_are_level0_without_write_protection),
        cmocka_unit_test(test_option_bytes_round_trip_and_survive_a_power_cycle),
        cmocka_unit_test(test_protecting_units_past_the_flash_is_refused),
        cmocka_unit_test(test_write_protected_unit_fails_the_job_and_leaves_the_flash_intact),
        cmocka_unit_test(test_f413_sectors_12_to_15),
        cmocka_unit_test(test_read_protection_blocks_the_debugger_and_its_removal_mass_erases),
        cmocka_unit_test(test_read_protection_refuses_program_and_erase_to_a_debugger),
        cmocka_unit_test(test_level2_is_never_written_and_never_unlocked),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
