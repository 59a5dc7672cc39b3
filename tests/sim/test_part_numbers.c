/*
 * test_part_numbers.c - the order codes `airswd sign --target` takes (tools/airswd/part_number.c) name the line the
 * core identifies: every simulated part's name decodes to the DEV_ID and flash size the simulated chip reports,
 * other order codes of supported lines decode too, and names of lines or sizes the core cannot program are refused.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "part_number.h"
#include "sim_parts.h"

static void test_every_simulated_part_decodes_to_what_it_reports(void **state)
{
    (void)state;
    for (unsigned i = 0; i < sim_part_count; i++) {
        struct part_number decoded;
        const char *why = NULL;
        assert_true(part_number_decode(sim_parts[i].name, &decoded, &why));
        assert_int_equal(decoded.part->dev_id, sim_parts[i].dbgmcu_idcode & 0xFFFu);
        assert_int_equal(decoded.flash_size, sim_parts[i].flash_size);
    }
}

static void test_order_codes_of_supported_lines(void **state)
{
    (void)state;
    static const struct {
        const char *name;
        uint16_t dev_id;
        uint32_t flash_kb;
    } codes[] = {{"STM32F103RBT6", 0x410, 128}, {"stm32f103c6", 0x412, 32},   {"stm32f100rc", 0x428, 256},
                 {"stm32f401re", 0x433, 512},   {"stm32f407vg", 0x413, 1024}, {"stm32g031k8", 0x466, 64},
                 {"stm32f042k6", 0x445, 32},    {"stm32l432kc", 0x435, 256},  {"stm32f410t8", 0x458, 64},
                 {"stm32f410rb", 0x458, 128},   {"stm32f413zh", 0x463, 1536}, {"stm32f423vh", 0x463, 1536},
                 {"stm32f103zg", 0x430, 1024},  {"stm32f101vf", 0x430, 768},  {"stm32f303vc", 0x422, 256},
                 {"STM32F303RET6", 0x446, 512}, {"stm32f302cb", 0x422, 128},  {"stm32g431kb", 0x468, 128},
                 {"stm32g431c6", 0x468, 32},    {"stm32g474ve", 0x469, 512},  {"stm32g484qe", 0x469, 512},
                 {"stm32f746zg", 0x449, 1024},  {"stm32f745ve", 0x449, 512},  {"stm32f722ze", 0x452, 512},
                 {"stm32f730r8", 0x452, 64},    {"stm32h743zi", 0x450, 2048}, {"STM32H753VIT6", 0x450, 2048},
                 {"stm32l053r8", 0x417, 64},    {"STM32L051K6T6", 0x417, 32}, {"stm32l072cz", 0x447, 192},
                 {"stm32l083cz", 0x447, 192},    {"stm32l152re", 0x437, 512}, {"STM32L151CBT6", 0x416, 128},
                 {"stm32l152rc", 0x427, 256},   {"stm32f767zi", 0x451, 2048}, {"stm32f765vg", 0x451, 1024},
                 {"stm32f779ai", 0x451, 2048},  {"stm32f750n8", 0x449, 64}};
    for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++) {
        struct part_number decoded;
        const char *why = NULL;
        assert_true(part_number_decode(codes[i].name, &decoded, &why));
        assert_int_equal(decoded.part->dev_id, codes[i].dev_id);
        assert_int_equal(decoded.flash_size, codes[i].flash_kb * 1024u);
    }
}

/* The F4 sector rule at both ends: the F410x8 has only the four 16 KB sectors (RM0401), the F413xH/F423xH go on to
 * sector 15 in one bank (16 KB x4, 64 KB, 128 KB x11; RM0430); the F74x has it doubled (32 KB x4, 128 KB, 256 KB
 * x3 for 1 MB, sectors 0-5 for 512 KB; RM0385 §3.3.1; the F750x8 two 32 KB sectors), the F76x/F77x in single-bank
 * mode up to sector 11 for 2 MB (RM0410 §3.3.1), the F72x/F73x as it is (RM0431 §3.3.1). */
static void test_f4_sectors_of_the_smallest_and_largest_lines(void **state)
{
    (void)state;
    static const struct {
        const char *name;
        struct image_erase_run runs[3];
    } lines[] = {{"stm32f410t8", {{16 * 1024u, 4}, {0, 0}, {0, 0}}},
                 {"stm32f410cb", {{16 * 1024u, 4}, {64 * 1024u, 1}, {0, 0}}},
                 {"stm32f413zh", {{16 * 1024u, 4}, {64 * 1024u, 1}, {128 * 1024u, 11}}},
                 {"stm32f746zg", {{32 * 1024u, 4}, {128 * 1024u, 1}, {256 * 1024u, 3}}},
                 {"stm32f746ve", {{32 * 1024u, 4}, {128 * 1024u, 1}, {256 * 1024u, 1}}},
                 {"stm32f750n8", {{32 * 1024u, 2}, {0, 0}, {0, 0}}},
                 {"stm32f767zi", {{32 * 1024u, 4}, {128 * 1024u, 1}, {256 * 1024u, 7}}},
                 {"stm32f765vg", {{32 * 1024u, 4}, {128 * 1024u, 1}, {256 * 1024u, 3}}},
                 {"stm32f723ie", {{16 * 1024u, 4}, {64 * 1024u, 1}, {128 * 1024u, 3}}}};
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
        struct part_number decoded;
        const char *why = NULL;
        struct image_target memory;
        assert_true(part_number_decode(lines[i].name, &decoded, &why));
        assert_true(stm32_part_describe(decoded.part, decoded.flash_size, &memory));
        for (size_t run = 0; run < 3; run++) {
            assert_int_equal(memory.erase_runs[run].unit_size, lines[i].runs[run].unit_size);
            assert_int_equal(memory.erase_runs[run].count, lines[i].runs[run].count);
        }
        assert_int_equal(image_target_erase_unit_count(&memory),
                         lines[i].runs[0].count + lines[i].runs[1].count + lines[i].runs[2].count);
    }
}

static void test_lines_and_sizes_the_core_cannot_program_are_refused(void **state)
{
    (void)state;
    static const char *const refused[] = {
        "stm32f413zi" /* 2 MB */, "stm32h743vg" /* 1 MB: bank 2 stays at 0x08100000 */, "stm32f103", "stm32f103cx",
        "esp8266", "",
        "stm32g474rc" /* 256 KB: bank 2 at 0x08040000 leaves a hole */, "stm32f303k8" /* F303x6/8, DEV_ID 0x438 */};
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        struct part_number decoded;
        const char *why = NULL;
        assert_false(part_number_decode(refused[i], &decoded, &why));
        assert_non_null(why);
        print_message("%s: %s\n", refused[i], why);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_simulated_part_decodes_to_what_it_reports),
        cmocka_unit_test(test_order_codes_of_supported_lines),
        cmocka_unit_test(test_f4_sectors_of_the_smallest_and_largest_lines),
        cmocka_unit_test(test_lines_and_sizes_the_core_cannot_program_are_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
