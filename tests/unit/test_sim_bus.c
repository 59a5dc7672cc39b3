/*
 * test_sim_bus.c - the simulated bus and plain memory: mapping rules, access checks, byte order, read-only
 * memory, latency.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "sim_bus.h"
#include "sim_memory.h"

struct fixture {
    struct sim_bus bus;
    struct sim_memory *sram;
    struct sim_memory *rom;
};

static int setup(void **state)
{
    struct fixture *fixture = test_malloc(sizeof(*fixture));
    sim_bus_init(&fixture->bus);
    fixture->sram = sim_memory_create(0x1000, true);
    fixture->rom = sim_memory_create(0x1000, false);
    assert_true(sim_bus_map(&fixture->bus, 0x20000000, 0x1000, &sim_memory_ops, fixture->sram, "sram"));
    assert_true(sim_bus_map(&fixture->bus, 0x08000000, 0x1000, &sim_memory_ops, fixture->rom, "rom"));
    *state = fixture;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *fixture = *state;
    sim_memory_destroy(fixture->sram);
    sim_memory_destroy(fixture->rom);
    test_free(fixture);
    return 0;
}

static void test_map_rejects_overlapping_regions(void **state)
{
    struct fixture *fixture = *state;
    assert_false(sim_bus_map(&fixture->bus, 0x20000FFC, 0x10, &sim_memory_ops, fixture->sram, "overlap"));
    assert_false(sim_bus_map(&fixture->bus, 0x1FFFFFF0, 0x20, &sim_memory_ops, fixture->sram, "overlap"));
    assert_true(sim_bus_map(&fixture->bus, 0x20001000, 0x10, &sim_memory_ops, fixture->sram, "adjacent"));
    assert_false(sim_bus_map(&fixture->bus, 0x30000000, 0, &sim_memory_ops, fixture->sram, "empty"));
}

static void test_map_refuses_more_than_the_table_holds(void **state)
{
    struct fixture *fixture = *state;
    unsigned mapped = fixture->bus.region_count;
    for (unsigned i = mapped; i < SIM_BUS_MAX_REGIONS; i++)
        assert_true(sim_bus_map(&fixture->bus, 0x40000000 + 0x100 * i, 0x100, &sim_memory_ops, fixture->sram, "p"));
    assert_false(sim_bus_map(&fixture->bus, 0x50000000, 0x100, &sim_memory_ops, fixture->sram, "one too many"));
}

static void test_region_may_end_at_top_of_address_space(void **state)
{
    struct fixture *fixture = *state;
    assert_true(sim_bus_map(&fixture->bus, 0xFFFFF000, 0x1000, &sim_memory_ops, fixture->sram, "top"));
    uint32_t value;
    uint64_t done;
    assert_int_equal(sim_bus_read(&fixture->bus, SIM_BUS_MASTER_DEBUG, 0xFFFFFFFC, 4, &value, 0, &done), SIM_BUS_OK);
    assert_string_equal(sim_bus_find(&fixture->bus, 0xFFFFFFFF)->name, "top");
}

static void test_find_returns_the_region_holding_an_address(void **state)
{
    struct fixture *fixture = *state;
    assert_string_equal(sim_bus_find(&fixture->bus, 0x20000FFF)->name, "sram");
    assert_null(sim_bus_find(&fixture->bus, 0x20001000));
}

static void test_unmapped_misaligned_and_odd_sized_accesses_fail(void **state)
{
    struct fixture *fixture = *state;
    uint32_t value;
    uint64_t done;
    assert_int_equal(sim_bus_read(&fixture->bus, SIM_BUS_MASTER_DEBUG, 0x60000000, 4, &value, 0, &done), SIM_BUS_ERROR);
    assert_int_equal(sim_bus_read(&fixture->bus, SIM_BUS_MASTER_DEBUG, 0x20000002, 4, &value, 0, &done), SIM_BUS_ERROR);
    assert_int_equal(sim_bus_read(&fixture->bus, SIM_BUS_MASTER_DEBUG, 0x20000001, 2, &value, 0, &done), SIM_BUS_ERROR);
    assert_int_equal(sim_bus_read(&fixture->bus, SIM_BUS_MASTER_DEBUG, 0x20000000, 3, &value, 0, &done), SIM_BUS_ERROR);
    assert_int_equal(sim_bus_write(&fixture->bus, SIM_BUS_MASTER_DEBUG, 0x20000003, 2, 0, 0, &done), SIM_BUS_ERROR);
    assert_int_equal(sim_bus_read(&fixture->bus, SIM_BUS_MASTER_DEBUG, 0x20000001, 1, &value, 0, &done), SIM_BUS_OK);
}

static void test_memory_is_little_endian(void **state)
{
    struct fixture *fixture = *state;
    uint64_t done;
    assert_int_equal(sim_bus_write(&fixture->bus, SIM_BUS_MASTER_DEBUG, 0x20000010, 4, 0x44332211, 0, &done),
                     SIM_BUS_OK);
    const uint8_t expected[4] = {0x11, 0x22, 0x33, 0x44};
    assert_memory_equal(sim_memory_data(fixture->sram) + 0x10, expected, 4);
    uint32_t value;
    assert_int_equal(sim_bus_read(&fixture->bus, SIM_BUS_MASTER_DEBUG, 0x20000012, 2, &value, 0, &done), SIM_BUS_OK);
    assert_int_equal(value, 0x4433);
    assert_int_equal(sim_bus_read(&fixture->bus, SIM_BUS_MASTER_DEBUG, 0x20000011, 1, &value, 0, &done), SIM_BUS_OK);
    assert_int_equal(value, 0x22);
    assert_int_equal(sim_bus_write(&fixture->bus, SIM_BUS_MASTER_DEBUG, 0x20000013, 1, 0xAA, 0, &done), SIM_BUS_OK);
    assert_int_equal(sim_memory_data(fixture->sram)[0x13], 0xAA);
}

static void test_read_only_memory_rejects_bus_writes(void **state)
{
    struct fixture *fixture = *state;
    sim_memory_data(fixture->rom)[0] = 0x5A;
    uint64_t done;
    assert_int_equal(sim_bus_write(&fixture->bus, SIM_BUS_MASTER_DEBUG, 0x08000000, 1, 0, 0, &done), SIM_BUS_ERROR);
    assert_int_equal(sim_memory_data(fixture->rom)[0], 0x5A);
    uint32_t value;
    assert_int_equal(sim_bus_read(&fixture->bus, SIM_BUS_MASTER_DEBUG, 0x08000000, 1, &value, 0, &done), SIM_BUS_OK);
    assert_int_equal(value, 0x5A);
    assert_int_equal(sim_memory_size(fixture->rom), 0x1000);
}

static void test_latency_sets_completion_time(void **state)
{
    struct fixture *fixture = *state;
    uint32_t value;
    uint64_t done;
    assert_int_equal(sim_bus_read(&fixture->bus, SIM_BUS_MASTER_DEBUG, 0x20000000, 4, &value, 1000, &done), SIM_BUS_OK);
    assert_int_equal(done, 1000);
    sim_memory_set_latency_ps(fixture->sram, 5000);
    assert_int_equal(sim_bus_write(&fixture->bus, SIM_BUS_MASTER_DEBUG, 0x20000000, 4, 0, 1000, &done), SIM_BUS_OK);
    assert_int_equal(done, 6000);
    sim_memory_set_latency_ps(fixture->sram, UINT64_MAX);
    assert_int_equal(sim_bus_read(&fixture->bus, SIM_BUS_MASTER_DEBUG, 0x20000000, 4, &value, 1000, &done), SIM_BUS_OK);
    assert_true(done == UINT64_MAX);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_map_rejects_overlapping_regions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_map_refuses_more_than_the_table_holds, setup, teardown),
        cmocka_unit_test_setup_teardown(test_region_may_end_at_top_of_address_space, setup, teardown),
        cmocka_unit_test_setup_teardown(test_find_returns_the_region_holding_an_address, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unmapped_misaligned_and_odd_sized_accesses_fail, setup, teardown),
        cmocka_unit_test_setup_teardown(test_memory_is_little_endian, setup, teardown),
        cmocka_unit_test_setup_teardown(test_read_only_memory_rejects_bus_writes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_latency_sets_completion_time, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
