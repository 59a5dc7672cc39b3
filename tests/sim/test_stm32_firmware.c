/*
 * test_stm32_firmware.c - every simulated part runs its family's example firmware from flash: the hello line comes
 * out of USART1 at 115200 baud in simulated time, and the LED toggles every 100 ms from SysTick interrupts. With
 * BOOT0 high the same chip boots the ROM bootloader instead, which answers the AN3155 sync byte.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "example_firmware.h"
#include "sim_stm32.h"
#include "test_skip.h"

#define MS 1000000000ull /* picoseconds */
#define MAX_TOGGLES 16

struct observer {
    char uart[256];
    size_t uart_len;
    uint64_t first_byte_ps, last_byte_ps;
    char led_port;
    unsigned led_pin;
    unsigned toggles;
    uint64_t toggle_ps[MAX_TOGGLES];
    unsigned resets;
    bool last_reset_into_rom;
};

static void on_uart(void *ctx, unsigned usart, uint8_t byte, uint64_t at_ps)
{
    struct observer *o = ctx;
    assert_int_equal(usart, 1);
    if (o->uart_len == 0)
        o->first_byte_ps = at_ps;
    o->last_byte_ps = at_ps;
    if (o->uart_len + 1 < sizeof o->uart)
        o->uart[o->uart_len++] = (char)byte;
}

static void on_gpio(void *ctx, char port, unsigned pin, bool level, uint64_t at_ps)
{
    struct observer *o = ctx;
    (void)level;
    if (port == o->led_port && pin == o->led_pin && o->toggles < MAX_TOGGLES)
        o->toggle_ps[o->toggles++] = at_ps;
}

static void on_reset(void *ctx, const char *cause, bool into_rom, uint64_t at_ps)
{
    struct observer *o = ctx;
    (void)cause;
    (void)at_ps;
    o->resets++;
    o->last_reset_into_rom = into_rom;
}

static struct sim_stm32 *chip_with_observer(const char *part, struct observer *o)
{
    struct sim_stm32 *stm32 = sim_stm32_create(part, 0);
    assert_non_null(stm32);
    struct sim_stm32_events events = {.ctx = o, .uart_tx = on_uart, .gpio_change = on_gpio, .reset = on_reset};
    sim_stm32_set_events(stm32, &events);
    return stm32;
}

/* Loads build/examples/firmware/<family>/hello_<family>.bin; false (test skipped) when it was not built. */
static bool load_firmware(struct sim_stm32 *stm32, const char *family)
{
    size_t size = example_firmware_load(family, "bin", sim_flash_array(stm32->flash), sim_flash_size(stm32->flash));
    if (size == 0)
        return false;
    assert_true(size > 64);
    return true;
}

static const struct {
    const char *part, *family, *name;
    char led_port;
    unsigned led_pin;
} boards[] = {
    {"stm32f030r8", "f0", "F0", 'A', 5},  {"stm32f072rb", "f0", "F0", 'A', 5},  {"stm32f103c8", "f1", "F1", 'C', 13},
    {"stm32f103re", "f1", "F1", 'C', 13}, {"stm32f103zg", "f1", "F1", 'C', 13}, {"stm32f303cc", "f3", "F3", 'A', 5},
    {"stm32f401cc", "f4", "F4", 'C', 13}, {"stm32f410r8", "f4", "F4", 'C', 13},
    {"stm32f411ce", "f4", "F4", 'C', 13}, {"stm32f413zh", "f4", "F4", 'C', 13}, {"stm32l476rg", "l4", "L4", 'A', 5},
    {"stm32g071rb", "g0", "G0", 'A', 5},  {"stm32g431rb", "g4", "G4", 'A', 5},  {"stm32g474re", "g4", "G4", 'A', 5},
    {"stm32f746zg", "f7", "F7", 'B', 0},  {"stm32f767zi", "f7", "F7", 'B', 0},
    {"stm32h743zi", "h7", "H7", 'B', 0},
    {"stm32l053r8", "l0", "L0", 'A', 5},  {"stm32l072cz", "l0", "L0", 'A', 5},  {"stm32l152re", "l1", "L1", 'A', 5},
};

static void test_every_part_runs_its_example_firmware(void **state)
{
    (void)state;
    for (unsigned i = 0; i < sizeof boards / sizeof boards[0]; i++) {
        struct observer o = {.led_port = boards[i].led_port, .led_pin = boards[i].led_pin};
        struct sim_stm32 *stm32 = chip_with_observer(boards[i].part, &o);
        if (!load_firmware(stm32, boards[i].family)) {
            sim_stm32_destroy(stm32);
            SKIP_TEST("example firmware not built (arm-none-eabi-gcc missing)");
        }
        sim_stm32_power_on_reset(stm32);
        assert_false(o.last_reset_into_rom);
        for (unsigned ms = 0; ms < 360; ms++)
            sim_stm32_run_for(stm32, MS);

        char expected[96];
        snprintf(expected, sizeof expected, "hello from airswd example firmware (STM32%s)\r\n", boards[i].name);
        print_message("%s: \"%.*s\" %u LED toggles\n", boards[i].part, (int)o.uart_len - 2, o.uart, o.toggles);
        assert_string_equal(o.uart, expected);
        /* 115200 baud 8N1: each byte is 10 bit times (86.8 us), within the 2 % a receiver takes: BRR's rounding
         * gives the L0 at 2.097 MHz 116508 baud (85.8 us), 1.1 % fast. */
        uint64_t line_ps = o.last_byte_ps - o.first_byte_ps;
        assert_true(line_ps >= (uint64_t)(strlen(expected) - 1) * 85000000ull);
        assert_true(line_ps <= (uint64_t)(strlen(expected) - 1) * 90000000ull);
        /* The first toggle makes PC13/PA5 an output; then one toggle per 100 ms. */
        assert_true(o.toggles >= 4);
        for (unsigned t = 2; t < o.toggles; t++) {
            uint64_t period = o.toggle_ps[t] - o.toggle_ps[t - 1];
            if (period < 99 * MS || period > 101 * MS)
                fail_msg("%s: toggle %u after %.3f ms", boards[i].part, t, period / 1e9);
        }
        sim_stm32_destroy(stm32);
    }
}

static void test_boot0_starts_the_rom_bootloader(void **state)
{
    (void)state;
    struct observer o = {0};
    struct sim_stm32 *stm32 = chip_with_observer("stm32f103c8", &o);
    if (!load_firmware(stm32, "f1")) {
        sim_stm32_destroy(stm32);
        SKIP_TEST("example firmware not built (arm-none-eabi-gcc missing)");
    }
    sim_stm32_set_boot0(stm32, true);
    sim_stm32_power_on_reset(stm32);
    assert_true(o.last_reset_into_rom);
    sim_stm32_run_for(stm32, 10 * MS);
    assert_int_equal(o.uart_len, 0); /* the firmware does not run */
    uint32_t pc = sim_cortexm_reg(stm32->cpu, SIM_CORTEXM_REG_PC);
    assert_true(pc >= stm32->part->system_memory_base && pc < stm32->part->system_memory_base + 0x100);
    sim_stm32_uart_receive(stm32, 1, 0x7F);
    sim_stm32_run_for(stm32, MS);
    assert_int_equal(o.uart_len, 1);
    assert_int_equal((uint8_t)o.uart[0], 0x79);
    sim_stm32_destroy(stm32);
}

static void test_empty_g0_boots_the_rom_and_programmed_g0_runs_flash(void **state)
{
    (void)state;
    struct observer o = {0};
    struct sim_stm32 *stm32 = chip_with_observer("stm32g071rb", &o);
    assert_true(o.last_reset_into_rom || o.resets == 0); /* events were attached after the power-on */
    assert_true(stm32->boot_from_rom);
    if (!load_firmware(stm32, "g0")) {
        sim_stm32_destroy(stm32);
        SKIP_TEST("example firmware not built (arm-none-eabi-gcc missing)");
    }
    sim_stm32_set_boot0(stm32, true); /* nBOOT_SEL=1: the pin does not matter */
    sim_stm32_power_on_reset(stm32);
    assert_false(o.last_reset_into_rom);
    sim_stm32_destroy(stm32);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_part_runs_its_example_firmware),
        cmocka_unit_test(test_boot0_starts_the_rom_bootloader),
        cmocka_unit_test(test_empty_g0_boots_the_rom_and_programmed_g0_runs_flash),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
