/*
 * test_sim_parts.c - the part table agrees with itself: layouts add up, identities match across the registers that
 * report them, and Cortex-M0/M0+ parts have no JTAG port.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "sim_parts.h"

static void test_erase_units_cover_each_bank_exactly(void **state)
{
    (void)state;
    for (unsigned i = 0; i < sim_part_count; i++) {
        const struct sim_part *part = &sim_parts[i];
        uint32_t bank_bytes = 0;
        for (unsigned r = 0; r < SIM_PART_MAX_ERASE_RUNS; r++) {
            bank_bytes += part->erase_runs[r].size * part->erase_runs[r].count;
            if (part->erase_runs[r].count)
                assert_true(part->erase_runs[r].erase_us > 0);
        }
        assert_int_equal(bank_bytes * (part->dual_bank ? 2 : 1), part->flash_size);
        assert_true(sim_part_erase_units(part) > 0);
    }
}

static void test_device_id_agrees_between_dbgmcu_and_bootloader(void **state)
{
    (void)state;
    for (unsigned i = 0; i < sim_part_count; i++)
        assert_int_equal(sim_parts[i].dbgmcu_idcode & 0xFFF, sim_parts[i].bootloader_pid);
}

static void test_only_cortex_m3_m4_and_m7_parts_have_jtag(void **state)
{
    (void)state;
    for (unsigned i = 0; i < sim_part_count; i++) {
        const struct sim_part *part = &sim_parts[i];
        bool has_jtag = part->core == SIM_CORE_M3 || part->core == SIM_CORE_M4 || part->core == SIM_CORE_M7;
        assert_int_equal(part->jtag_idcode != 0, has_jtag);
        assert_int_equal(part->jtag_bs_idcode != 0, has_jtag);
        /* DPIDR bit 0 and the JTAG IDCODE bit 0 are always 1; the designer is ARM. */
        assert_int_equal(part->dpidr & 0xFFF, 0x477);
        if (has_jtag)
            assert_int_equal(part->jtag_idcode & 0xFFF, 0x477);
        /* CPUID part number matches the core. */
        unsigned partno = (part->cpuid >> 4) & 0xFFF;
        static const unsigned partnos[] = {[SIM_CORE_M0] = 0xC20, [SIM_CORE_M0PLUS] = 0xC60,
                                           [SIM_CORE_M3] = 0xC23, [SIM_CORE_M4] = 0xC24, [SIM_CORE_M7] = 0xC27};
        assert_int_equal(partno, partnos[part->core]);
    }
}

static void test_parts_are_found_by_name(void **state)
{
    (void)state;
    static const char *const required[] = {"stm32f030r8", "stm32f072rb", "stm32f103c8", "stm32f103re",
                                           "stm32f401cc", "stm32f410r8", "stm32f411ce", "stm32f413zh", "stm32l476rg", "stm32g071rb",
                                           "stm32f303cc", "stm32g431rb", "stm32g474re", "stm32f746zg",
                                           "stm32f767zi"};
    for (size_t i = 0; i < sizeof required / sizeof required[0]; i++) {
        const struct sim_part *part = sim_part_find(required[i]);
        assert_non_null(part);
        assert_string_equal(part->name, required[i]);
    }
    assert_null(sim_part_find("stm32f999zz"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_erase_units_cover_each_bank_exactly),
        cmocka_unit_test(test_device_id_agrees_between_dbgmcu_and_bootloader),
        cmocka_unit_test(test_only_cortex_m3_m4_and_m7_parts_have_jtag),
        cmocka_unit_test(test_parts_are_found_by_name),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
