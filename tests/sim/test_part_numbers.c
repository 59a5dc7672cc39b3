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
    } codes[] = {{"STM32F103RBT6", 0x410, 128}, {"stm32f103c6", 0x412, 32}, {"stm32f100rc", 0x428, 256},
                 {"stm32f401re", 0x433, 512},   {"stm32f407vg", 0x413, 1024}, {"stm32g031k8", 0x466, 64},
                 {"stm32f042k6", 0x445, 32},    {"stm32l432kc", 0x435, 256},  {"stm32f303vc", 0x422, 256},
                 {"STM32F303RET6", 0x446, 512}, {"stm32f302cb", 0x422, 128},  {"stm32g431kb", 0x468, 128},
                 {"stm32g431c6", 0x468, 32},    {"stm32g474ve", 0x469, 512},  {"stm32g484qe", 0x469, 512}};
    for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++) {
        struct part_number decoded;
        const char *why = NULL;
        assert_true(part_number_decode(codes[i].name, &decoded, &why));
        assert_int_equal(decoded.part->dev_id, codes[i].dev_id);
        assert_int_equal(decoded.flash_size, codes[i].flash_kb * 1024u);
    }
}

static void test_lines_and_sizes_the_core_cannot_program_are_refused(void **state)
{
    (void)state;
    static const char *const refused[] = {"stm32f103zg" /* XL density, bank 2 */, "stm32f413zh" /* 1.5 MB */,
                                          "stm32h743zi", "stm32f103", "stm32f103cx", "esp8266", "",
                                          "stm32g474rc" /* 256 KB: bank 2 at 0x08040000 leaves a hole */,
                                          "stm32f303k8" /* F303x6/8, DEV_ID 0x438 */};
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
        cmocka_unit_test(test_lines_and_sizes_the_core_cannot_program_are_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
