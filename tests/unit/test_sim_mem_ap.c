/*
 * test_sim_mem_ap.c - the simulated AHB-AP through the wire: TAR auto-increment and its 1 KB wrap, byte lanes of
 * 8- and 16-bit accesses, alignment, banked data registers, CSW fields, identification registers.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "sim_mem_ap.h"
#include "sim_memory.h"
#include "sim_wire_driver.h"

#define CSW_PROT     0x23000000u
#define CSW_8        (CSW_PROT | 0x0u)
#define CSW_16       (CSW_PROT | 0x1u)
#define CSW_32       (CSW_PROT | 0x2u)
#define CSW_SINGLE   0x10u
#define CSW_PACKED   0x20u
#define CSW_DEVICEEN 0x40u

static uint8_t *sram(struct sim_target *target)
{
    return sim_memory_data(sim_target_bus(target)->regions[0].ctx);
}

static struct sim_target *connected_target(const struct sim_target_config *config)
{
    struct sim_target *target = wire_target_with_sram(config);
    wire_connect(target);
    return target;
}

static void test_tar_wraps_inside_1k_block(void **state)
{
    (void)state;
    struct sim_target *target = connected_target(NULL);
    wire_ap_write(target, WIRE_AP_CSW, CSW_32 | CSW_SINGLE);
    wire_ap_write(target, WIRE_AP_TAR, WIRE_SRAM_BASE + 0x3FC);
    wire_ap_write(target, WIRE_AP_DRW, 0xAAAAAAAA);
    wire_ap_write(target, WIRE_AP_DRW, 0xBBBBBBBB);
    assert_int_equal(wire_ap_read(target, WIRE_AP_TAR), WIRE_SRAM_BASE + 4);
    assert_memory_equal(sram(target) + 0x3FC, &(uint32_t){0xAAAAAAAA}, 4);
    assert_memory_equal(sram(target) + 0x000, &(uint32_t){0xBBBBBBBB}, 4);
    assert_memory_equal(sram(target) + 0x400, &(uint32_t){0}, 4);
    wire_target_destroy(target);
}

static void test_tar_increments_by_access_size(void **state)
{
    (void)state;
    struct sim_target *target = connected_target(NULL);
    const uint32_t csw[] = {CSW_8, CSW_16, CSW_32};
    for (unsigned size = 0; size < 3; size++) {
        wire_ap_write(target, WIRE_AP_CSW, csw[size] | CSW_SINGLE);
        wire_ap_write(target, WIRE_AP_TAR, WIRE_SRAM_BASE + 0x40);
        wire_ap_write(target, WIRE_AP_DRW, 0);
        wire_ap_write(target, WIRE_AP_DRW, 0);
        assert_int_equal(wire_ap_read(target, WIRE_AP_TAR), WIRE_SRAM_BASE + 0x40 + 2 * (1u << size));
    }
    wire_target_destroy(target);
}

static void test_tar_stays_without_auto_increment(void **state)
{
    (void)state;
    struct sim_target *target = connected_target(NULL);
    wire_ap_write(target, WIRE_AP_CSW, CSW_32);
    wire_ap_write(target, WIRE_AP_TAR, WIRE_SRAM_BASE + 8);
    wire_ap_write(target, WIRE_AP_DRW, 1);
    wire_ap_write(target, WIRE_AP_DRW, 2);
    assert_int_equal(wire_ap_read(target, WIRE_AP_TAR), WIRE_SRAM_BASE + 8);
    assert_memory_equal(sram(target) + 8, &(uint32_t){2}, 4);
    wire_target_destroy(target);
}

static void test_byte_write_travels_on_its_lane(void **state)
{
    (void)state;
    struct sim_target *target = connected_target(NULL);
    memset(sram(target), 0x55, 8);
    wire_ap_write(target, WIRE_AP_CSW, CSW_8 | CSW_SINGLE);
    wire_ap_write(target, WIRE_AP_TAR, WIRE_SRAM_BASE + 1);
    wire_ap_write(target, WIRE_AP_DRW, 0x0000AB00); /* byte 1 on lane 1 */
    wire_ap_write(target, WIRE_AP_DRW, 0x000000CD); /* byte 2 put on lane 0 by mistake: lane 2 holds 0 */
    const uint8_t expected[8] = {0x55, 0xAB, 0x00, 0x55, 0x55, 0x55, 0x55, 0x55};
    assert_memory_equal(sram(target), expected, 8);
    wire_target_destroy(target);
}

static void test_byte_read_returns_the_whole_word_on_its_lanes(void **state)
{
    (void)state;
    struct sim_target *target = connected_target(NULL);
    const uint8_t bytes[4] = {0x11, 0x22, 0x33, 0x44};
    memcpy(sram(target), bytes, 4);
    wire_ap_write(target, WIRE_AP_CSW, CSW_8);
    for (unsigned offset = 0; offset < 4; offset++) {
        wire_ap_write(target, WIRE_AP_TAR, WIRE_SRAM_BASE + offset);
        uint32_t drw = wire_ap_read(target, WIRE_AP_DRW);
        assert_int_equal(drw, 0x44332211);
        assert_int_equal((drw >> (8 * offset)) & 0xFF, bytes[offset]);
    }
    wire_target_destroy(target);
}

static void test_halfword_travels_on_its_lane(void **state)
{
    (void)state;
    struct sim_target *target = connected_target(NULL);
    wire_ap_write(target, WIRE_AP_CSW, CSW_16 | CSW_SINGLE);
    wire_ap_write(target, WIRE_AP_TAR, WIRE_SRAM_BASE);
    wire_ap_write(target, WIRE_AP_DRW, 0x1111CAFE);
    wire_ap_write(target, WIRE_AP_DRW, 0xBEEF2222);
    const uint8_t expected[4] = {0xFE, 0xCA, 0xEF, 0xBE};
    assert_memory_equal(sram(target), expected, 4);
    wire_ap_write(target, WIRE_AP_TAR, WIRE_SRAM_BASE + 2);
    assert_int_equal(wire_ap_read(target, WIRE_AP_DRW), 0xBEEFCAFE);
    wire_target_destroy(target);
}

static void test_unaligned_tar_is_aligned_down_to_access_size(void **state)
{
    (void)state;
    struct sim_target *target = connected_target(NULL);
    wire_ap_write(target, WIRE_AP_CSW, CSW_32);
    wire_ap_write(target, WIRE_AP_TAR, WIRE_SRAM_BASE + 0x13);
    wire_ap_write(target, WIRE_AP_DRW, 0x76543210);
    assert_memory_equal(sram(target) + 0x10, &(uint32_t){0x76543210}, 4);
    wire_ap_write(target, WIRE_AP_CSW, CSW_16);
    wire_ap_write(target, WIRE_AP_TAR, WIRE_SRAM_BASE + 0x21);
    wire_ap_write(target, WIRE_AP_DRW, 0x0000ABCD);
    assert_memory_equal(sram(target) + 0x20, &(uint16_t){0xABCD}, 2);
    wire_target_destroy(target);
}

static void test_banked_data_reaches_16_byte_block_without_moving_tar(void **state)
{
    (void)state;
    struct sim_target *target = connected_target(NULL);
    wire_ap_write(target, WIRE_AP_CSW, CSW_8 | CSW_SINGLE); /* BDn are 32-bit whatever CSW.Size says */
    wire_ap_write(target, WIRE_AP_TAR, WIRE_SRAM_BASE + 0x34);
    wire_expect_write(target, false, WIRE_DP_SELECT, WIRE_AP_BD0 & 0xF0, WIRE_ACK_OK); /* APBANKSEL 1 */
    for (uint8_t n = 0; n < 4; n++)
        wire_ap_write(target, (uint8_t)(4 * n), 0xB0B0B0B0u + n);
    for (uint32_t n = 0; n < 4; n++)
        assert_memory_equal(sram(target) + 0x30 + 4 * n, &(uint32_t){0xB0B0B0B0u + n}, 4);
    assert_int_equal(wire_ap_read(target, 8), 0xB0B0B0B2u);
    wire_expect_write(target, false, WIRE_DP_SELECT, 0, WIRE_ACK_OK);
    assert_int_equal(wire_ap_read(target, WIRE_AP_TAR), WIRE_SRAM_BASE + 0x34);
    wire_target_destroy(target);
}

static void test_csw_keeps_size_increment_and_prot_and_reads_device_enabled(void **state)
{
    (void)state;
    struct sim_target *target = connected_target(NULL);
    assert_int_equal(wire_ap_read(target, WIRE_AP_CSW), 0x03000040);
    wire_ap_write(target, WIRE_AP_CSW, CSW_32 | CSW_SINGLE);
    assert_int_equal(wire_ap_read(target, WIRE_AP_CSW), CSW_32 | CSW_SINGLE | CSW_DEVICEEN);
    /* Packed increment is not implemented: it reads back as off. */
    wire_ap_write(target, WIRE_AP_CSW, CSW_16 | CSW_PACKED);
    assert_int_equal(wire_ap_read(target, WIRE_AP_CSW), CSW_16 | CSW_DEVICEEN);
    /* Bits outside the implemented fields read as zero. */
    wire_ap_write(target, WIRE_AP_CSW, 0xFFFFFFFF);
    assert_int_equal(wire_ap_read(target, WIRE_AP_CSW), 0xFF000042);
    wire_target_destroy(target);
}

static void test_ap_without_sub_word_support_only_does_32_bit(void **state)
{
    (void)state;
    struct sim_target_config config;
    sim_target_default_config(&config);
    config.ap_sub_word = false;
    config.ap_csw_reset = 0x03000040;
    struct sim_target *target = connected_target(&config);
    assert_int_equal(wire_ap_read(target, WIRE_AP_CSW), 0x03000042);
    wire_ap_write(target, WIRE_AP_CSW, CSW_8 | CSW_SINGLE);
    assert_int_equal(wire_ap_read(target, WIRE_AP_CSW), CSW_32 | CSW_SINGLE | CSW_DEVICEEN);
    wire_ap_write(target, WIRE_AP_TAR, WIRE_SRAM_BASE);
    wire_ap_write(target, WIRE_AP_DRW, 0x01020304);
    assert_memory_equal(sram(target), &(uint32_t){0x01020304}, 4);
    wire_target_destroy(target);
}

static void test_identification_registers_come_from_config(void **state)
{
    (void)state;
    struct sim_target_config config;
    sim_target_default_config(&config);
    config.ap_idr = 0x04770031;
    config.ap_base = 0xF0000003;
    struct sim_target *target = connected_target(&config);
    wire_expect_write(target, false, WIRE_DP_SELECT, 0xF0, WIRE_ACK_OK);
    assert_int_equal(wire_ap_read(target, WIRE_AP_IDR & 0xF), 0x04770031);
    assert_int_equal(wire_ap_read(target, WIRE_AP_BASE & 0xF), 0xF0000003);
    assert_int_equal(wire_ap_read(target, WIRE_AP_CFG & 0xF), 0);
    /* Read-only: writes are ignored. */
    wire_ap_write(target, WIRE_AP_IDR & 0xF, 0);
    assert_int_equal(wire_ap_read(target, WIRE_AP_IDR & 0xF), 0x04770031);
    wire_target_destroy(target);
}

static void test_reserved_ap_registers_read_as_zero(void **state)
{
    (void)state;
    struct sim_target *target = connected_target(NULL);
    wire_ap_write(target, 0x8, 0xFFFFFFFF);
    assert_int_equal(wire_ap_read(target, 0x8), 0);
    wire_expect_write(target, false, WIRE_DP_SELECT, 0x20, WIRE_ACK_OK);
    assert_int_equal(wire_ap_read(target, 0x4), 0);
    wire_target_destroy(target);
}

static void test_unmapped_access_fails_and_leaves_tar(void **state)
{
    (void)state;
    struct sim_target *target = connected_target(NULL);
    wire_ap_write(target, WIRE_AP_CSW, CSW_32 | CSW_SINGLE);
    wire_ap_write(target, WIRE_AP_TAR, WIRE_SRAM_BASE + WIRE_SRAM_SIZE);
    wire_expect_read(target, true, WIRE_AP_DRW, WIRE_ACK_OK);
    wire_expect_read(target, false, WIRE_DP_RDBUFF, WIRE_ACK_FAULT);
    wire_expect_write(target, false, WIRE_DP_ABORT, WIRE_ABORT_CLEAR_ALL, WIRE_ACK_OK);
    assert_int_equal(wire_ap_read(target, WIRE_AP_TAR), WIRE_SRAM_BASE + WIRE_SRAM_SIZE);
    wire_target_destroy(target);
}

/* TrInProg cannot be seen through SWD while the DP answers WAIT, so the AP is asked directly. */
static void test_csw_shows_transfer_in_progress_until_bus_completes(void **state)
{
    (void)state;
    struct sim_bus bus;
    sim_bus_init(&bus);
    struct sim_memory *slow = sim_memory_create(0x100, true);
    sim_memory_set_latency_ps(slow, 5000);
    assert_true(sim_memory_map(slow, &bus, WIRE_SRAM_BASE, "slow"));
    struct sim_mem_ap ap;
    struct sim_mem_ap_config config = {.idr = 0x24770011, .base = 0, .csw_reset = 0x03000042, .sub_word = true};
    sim_mem_ap_init(&ap, &config, &bus);
    uint32_t value;
    uint64_t done;
    assert_int_equal(sim_mem_ap_ops.write(&ap, SIM_MEM_AP_TAR, WIRE_SRAM_BASE, 0, &done), SIM_BUS_OK);
    assert_int_equal(sim_mem_ap_ops.read(&ap, SIM_MEM_AP_DRW, 1000, &value, &done), SIM_BUS_OK);
    assert_int_equal(done, 6000);
    sim_mem_ap_ops.read(&ap, SIM_MEM_AP_CSW, 5999, &value, &done);
    assert_int_equal(value & SIM_MEM_AP_CSW_TRINPROG, SIM_MEM_AP_CSW_TRINPROG);
    sim_mem_ap_ops.read(&ap, SIM_MEM_AP_CSW, 6000, &value, &done);
    assert_int_equal(value & SIM_MEM_AP_CSW_TRINPROG, 0);
    /* An abort frees the memory port at once. */
    sim_mem_ap_ops.read(&ap, SIM_MEM_AP_DRW, 7000, &value, &done);
    sim_mem_ap_ops.abort(&ap);
    sim_mem_ap_ops.read(&ap, SIM_MEM_AP_CSW, 7000, &value, &done);
    assert_int_equal(value & SIM_MEM_AP_CSW_TRINPROG, 0);
    sim_memory_destroy(slow);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tar_wraps_inside_1k_block),
        cmocka_unit_test(test_tar_increments_by_access_size),
        cmocka_unit_test(test_tar_stays_without_auto_increment),
        cmocka_unit_test(test_byte_write_travels_on_its_lane),
        cmocka_unit_test(test_byte_read_returns_the_whole_word_on_its_lanes),
        cmocka_unit_test(test_halfword_travels_on_its_lane),
        cmocka_unit_test(test_unaligned_tar_is_aligned_down_to_access_size),
        cmocka_unit_test(test_banked_data_reaches_16_byte_block_without_moving_tar),
        cmocka_unit_test(test_csw_keeps_size_increment_and_prot_and_reads_device_enabled),
        cmocka_unit_test(test_ap_without_sub_word_support_only_does_32_bit),
        cmocka_unit_test(test_identification_registers_come_from_config),
        cmocka_unit_test(test_reserved_ap_registers_read_as_zero),
        cmocka_unit_test(test_unmapped_access_fails_and_leaves_tar),
        cmocka_unit_test(test_csw_shows_transfer_in_progress_until_bus_completes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
