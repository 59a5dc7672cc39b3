/*
 * test_sim_gpio.c - the simulated GPIO ports: reset values of both register styles, output pins configured as the
 * example firmware does (F1 PC13 through CRH, PA5 through MODER), the change reports of ODR, BSRR and BRR writes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "sim_bus.h"
#include "sim_gpio.h"
#include "sim_parts.h"

/* F1 (RM0008 §9.2) */
#define F1_CRL                     0x00u
#define F1_CRH                     0x04u
#define F1_IDR                     0x08u
#define F1_ODR                     0x0Cu
#define F1_BSRR                    0x10u
#define F1_BRR                     0x14u
#define F1_PIN_OUT_PUSH_PULL_2MHZ  0x2u /* CNF 00, MODE 10 */
#define F1_PIN_AF_PUSH_PULL_2MHZ   0xAu /* CNF 10, MODE 10 */
#define F1_PIN_OUT_PUSH_PULL_10MHZ 0x1u
/* MODER style */
#define MODER       0x00u
#define OSPEEDR     0x08u
#define PUPDR       0x0Cu
#define IDR         0x10u
#define ODR         0x14u
#define BSRR        0x18u
#define BRR         0x28u
#define MODE_OUTPUT 1u

struct pin_change {
    char port;
    unsigned pin;
    bool level;
    uint64_t now_ps;
};

struct fixture {
    const struct sim_part *part;
    struct sim_bus bus;
    struct sim_gpio *gpio;
    struct pin_change changes[64];
    unsigned change_count;
};

static void record_change(void *ctx, char port, unsigned pin, bool level, uint64_t now_ps)
{
    struct fixture *fixture = ctx;
    assert_true(fixture->change_count < 64);
    fixture->changes[fixture->change_count++] = (struct pin_change){port, pin, level, now_ps};
}

/* The initial state names the part. */
static int setup(void **state)
{
    struct fixture *fixture = test_calloc(1, sizeof(*fixture));
    fixture->part = sim_part_find(*state);
    assert_non_null(fixture->part);
    sim_bus_init(&fixture->bus);
    fixture->gpio = sim_gpio_create(fixture->part);
    assert_non_null(fixture->gpio);
    assert_true(sim_gpio_map(fixture->gpio, &fixture->bus));
    sim_gpio_on_change(fixture->gpio, record_change, fixture);
    *state = fixture;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *fixture = *state;
    sim_gpio_destroy(fixture->gpio);
    test_free(fixture);
    return 0;
}

static uint32_t port_base(const struct fixture *fixture, char port)
{
    return fixture->part->gpio_base + (uint32_t)(port - 'A') * SIM_GPIO_PORT_SIZE;
}

static uint32_t reg(struct fixture *fixture, char port, uint32_t offset)
{
    uint32_t value;
    uint64_t done;
    assert_int_equal(
        sim_bus_read(&fixture->bus, SIM_BUS_MASTER_CPU, port_base(fixture, port) + offset, 4, &value, 0, &done),
        SIM_BUS_OK);
    return value;
}

static void write_at(struct fixture *fixture, char port, uint32_t offset, unsigned size, uint32_t value,
                     uint64_t now_ps)
{
    uint64_t done;
    assert_int_equal(
        sim_bus_write(&fixture->bus, SIM_BUS_MASTER_CPU, port_base(fixture, port) + offset, size, value, now_ps, &done),
        SIM_BUS_OK);
}

static void set_reg(struct fixture *fixture, char port, uint32_t offset, uint32_t value, uint64_t now_ps)
{
    write_at(fixture, port, offset, 4, value, now_ps);
}

/* mmio_write_field() of the example firmware: read, replace the field, write back. */
static void write_field(struct fixture *fixture, char port, uint32_t offset, uint32_t mask, uint32_t value,
                        uint64_t now_ps)
{
    set_reg(fixture, port, offset, (reg(fixture, port, offset) & ~mask) | (value & mask), now_ps);
}

static void toggle(struct fixture *fixture, char port, uint32_t odr, unsigned pin, uint64_t now_ps)
{
    set_reg(fixture, port, odr, reg(fixture, port, odr) ^ (1u << pin), now_ps);
}

static void assert_change(const struct fixture *fixture, unsigned index, char port, unsigned pin, bool level,
                          uint64_t now_ps)
{
    assert_true(index < fixture->change_count);
    const struct pin_change *change = &fixture->changes[index];
    assert_int_equal(change->port, port);
    assert_int_equal(change->pin, pin);
    assert_int_equal(change->level, level);
    assert_int_equal(change->now_ps, now_ps);
}

/* ---- F1 ---- */

static void test_f1_ports_reset_to_floating_inputs(void **state)
{
    struct fixture *fixture = *state;
    for (char port = 'A'; port <= 'E'; port++) {
        assert_int_equal(reg(fixture, port, F1_CRL), 0x44444444);
        assert_int_equal(reg(fixture, port, F1_CRH), 0x44444444);
        assert_int_equal(reg(fixture, port, F1_ODR), 0);
        assert_int_equal(reg(fixture, port, F1_IDR), 0);
    }
    assert_false(sim_gpio_is_output(fixture->gpio, 'C', 13));
    uint32_t value;
    uint64_t done;
    assert_int_equal(sim_bus_read(&fixture->bus, SIM_BUS_MASTER_CPU, port_base(fixture, 'F'), 4, &value, 0, &done),
                     SIM_BUS_ERROR); /* the C8 has ports A to E */
}

static void test_f1_pc13_as_output_reports_every_level_change(void **state)
{
    struct fixture *fixture = *state;
    unsigned shift = (13 - 8) * 4;
    write_field(fixture, 'C', F1_CRH, 0xFu << shift, F1_PIN_OUT_PUSH_PULL_2MHZ << shift, 100);
    assert_int_equal(reg(fixture, 'C', F1_CRH), 0x44244444);
    assert_true(sim_gpio_is_output(fixture->gpio, 'C', 13));
    assert_int_equal(fixture->change_count, 1);
    assert_change(fixture, 0, 'C', 13, false, 100);

    toggle(fixture, 'C', F1_ODR, 13, 200);
    assert_true(sim_gpio_output_level(fixture->gpio, 'C', 13));
    assert_int_equal(reg(fixture, 'C', F1_IDR), 1u << 13);
    toggle(fixture, 'C', F1_ODR, 13, 300);
    set_reg(fixture, 'C', F1_BSRR, 1u << 13, 400);
    set_reg(fixture, 'C', F1_BSRR, 1u << (13 + 16), 500);
    set_reg(fixture, 'C', F1_BRR, 1u << 13, 600);                 /* already low: no change */
    set_reg(fixture, 'C', F1_BSRR, (1u << 13) | (1u << 29), 700); /* set wins over reset */
    assert_int_equal(fixture->change_count, 6);
    assert_change(fixture, 1, 'C', 13, true, 200);
    assert_change(fixture, 2, 'C', 13, false, 300);
    assert_change(fixture, 3, 'C', 13, true, 400);
    assert_change(fixture, 4, 'C', 13, false, 500);
    assert_change(fixture, 5, 'C', 13, true, 700);
    assert_int_equal(reg(fixture, 'C', F1_BSRR), 0); /* write-only */
}

static void test_f1_alternate_function_pin_is_not_a_gpio_output(void **state)
{
    struct fixture *fixture = *state;
    unsigned shift = (9 - 8) * 4;
    write_field(fixture, 'A', F1_CRH, 0xFu << shift, F1_PIN_AF_PUSH_PULL_2MHZ << shift, 0); /* PA9 USART1_TX */
    set_reg(fixture, 'A', F1_ODR, 1u << 9, 0);
    assert_int_equal(fixture->change_count, 0);
    assert_false(sim_gpio_is_output(fixture->gpio, 'A', 9));
    assert_int_equal(reg(fixture, 'A', F1_IDR), 0);
}

static void test_f1_pin_becoming_output_reports_the_level_odr_already_holds(void **state)
{
    struct fixture *fixture = *state;
    set_reg(fixture, 'B', F1_ODR, 1u << 0, 0); /* an input: nothing driven yet */
    assert_int_equal(fixture->change_count, 0);
    write_field(fixture, 'B', F1_CRL, 0xFu, F1_PIN_OUT_PUSH_PULL_10MHZ, 50);
    assert_int_equal(fixture->change_count, 1);
    assert_change(fixture, 0, 'B', 0, true, 50);
    write_field(fixture, 'B', F1_CRL, 0xFu, 0x4u, 60); /* back to input: released, not reported */
    assert_int_equal(fixture->change_count, 1);
    assert_false(sim_gpio_output_level(fixture->gpio, 'B', 0));
}

static void test_reset_restores_ports(void **state)
{
    struct fixture *fixture = *state;
    unsigned shift = (13 - 8) * 4;
    write_field(fixture, 'C', F1_CRH, 0xFu << shift, F1_PIN_OUT_PUSH_PULL_2MHZ << shift, 0);
    set_reg(fixture, 'C', F1_BSRR, 1u << 13, 0);
    struct sim_device device = sim_gpio_device(fixture->gpio);
    device.ops->reset(device.ctx, SIM_RESET_SYSTEM, 1000);
    assert_int_equal(reg(fixture, 'C', F1_CRH), 0x44444444);
    assert_int_equal(reg(fixture, 'C', F1_ODR), 0);
    assert_false(sim_gpio_is_output(fixture->gpio, 'C', 13));
    assert_int_equal(fixture->change_count, 2);
}

static void test_accessors_refuse_pins_that_do_not_exist(void **state)
{
    struct fixture *fixture = *state;
    assert_false(sim_gpio_is_output(fixture->gpio, 'F', 0));
    assert_false(sim_gpio_is_output(fixture->gpio, 'a', 0));
    assert_false(sim_gpio_output_level(fixture->gpio, 'A', 16));
}

/* ---- MODER style ---- */

static void test_moder_pa5_as_output_reports_every_level_change(void **state)
{
    struct fixture *fixture = *state; /* F0 */
    assert_int_equal(reg(fixture, 'A', MODER), 0x28000000);
    write_field(fixture, 'A', MODER, 3u << 10, MODE_OUTPUT << 10, 10);
    toggle(fixture, 'A', ODR, 5, 20);
    assert_int_equal(reg(fixture, 'A', IDR), 1u << 5);
    write_at(fixture, 'A', BSRR + 2, 2, 1u << 5, 30); /* the reset half alone */
    write_at(fixture, 'A', BSRR, 2, 1u << 5, 40);     /* the set half alone */
    set_reg(fixture, 'A', BRR, 1u << 5, 50);
    assert_int_equal(fixture->change_count, 5);
    assert_change(fixture, 0, 'A', 5, false, 10);
    assert_change(fixture, 1, 'A', 5, true, 20);
    assert_change(fixture, 2, 'A', 5, false, 30);
    assert_change(fixture, 3, 'A', 5, true, 40);
    assert_change(fixture, 4, 'A', 5, false, 50);
}

static void test_moder_alternate_function_pin_is_not_a_gpio_output(void **state)
{
    struct fixture *fixture = *state;                        /* F0 */
    write_field(fixture, 'A', MODER, 3u << 18, 2u << 18, 0); /* PA9 AF */
    set_reg(fixture, 'A', ODR, 1u << 9, 0);
    assert_int_equal(fixture->change_count, 0);
    assert_false(sim_gpio_is_output(fixture->gpio, 'A', 9));
}

static void test_moder_byte_write_to_odr_keeps_the_other_byte(void **state)
{
    struct fixture *fixture = *state;            /* F0 */
    set_reg(fixture, 'B', MODER, 0x55555555, 0); /* all outputs */
    assert_int_equal(fixture->change_count, 16);
    set_reg(fixture, 'B', ODR, 0x00FF, 0);
    write_at(fixture, 'B', ODR + 1, 1, 0x80, 0);
    assert_int_equal(reg(fixture, 'B', ODR), 0x80FF);
    assert_int_equal(fixture->change_count, 16 + 8 + 1);
    assert_true(sim_gpio_output_level(fixture->gpio, 'B', 15));
    assert_false(sim_gpio_output_level(fixture->gpio, 'B', 14));
}

static void test_f4_reset_values_and_no_brr(void **state)
{
    struct fixture *fixture = *state; /* F411 */
    assert_int_equal(reg(fixture, 'A', MODER), 0xA8000000);
    assert_int_equal(reg(fixture, 'A', OSPEEDR), 0x0C000000);
    assert_int_equal(reg(fixture, 'A', PUPDR), 0x64000000);
    assert_int_equal(reg(fixture, 'B', MODER), 0x00000280);
    assert_int_equal(reg(fixture, 'B', PUPDR), 0x00000100);
    assert_int_equal(reg(fixture, 'C', MODER), 0);

    write_field(fixture, 'C', MODER, 3u << 26, MODE_OUTPUT << 26, 0); /* PC13, the Black Pill LED */
    set_reg(fixture, 'C', BSRR, 1u << 13, 0);
    set_reg(fixture, 'C', BRR, 1u << 13, 0); /* reserved on F4 */
    assert_true(sim_gpio_output_level(fixture->gpio, 'C', 13));
    assert_int_equal(fixture->change_count, 2);
}

static void test_l4_pins_reset_to_analog(void **state)
{
    struct fixture *fixture = *state; /* L476 */
    assert_int_equal(reg(fixture, 'A', MODER), 0xABFFFFFF);
    assert_int_equal(reg(fixture, 'B', MODER), 0xFFFFFEBF);
    assert_int_equal(reg(fixture, 'C', MODER), 0xFFFFFFFF);
    assert_int_equal(reg(fixture, 'H', MODER), 0x0000000F);
    assert_int_equal(reg(fixture, 'A', PUPDR), 0x64000000);
    assert_false(sim_gpio_is_output(fixture->gpio, 'A', 5));
}

static void test_g0_pins_reset_to_analog(void **state)
{
    struct fixture *fixture = *state; /* G071 */
    assert_int_equal(reg(fixture, 'A', MODER), 0xEBFFFFFF);
    assert_int_equal(reg(fixture, 'A', PUPDR), 0x24000000);
    assert_int_equal(reg(fixture, 'B', MODER), 0xFFFFFFFF);
    write_field(fixture, 'A', MODER, 3u << 10, MODE_OUTPUT << 10, 0);
    assert_int_equal(reg(fixture, 'A', MODER), 0xEBFFF7FF);
    assert_true(sim_gpio_is_output(fixture->gpio, 'A', 5));
}

/* F303 (RM0316 §11.4): inputs after reset, the JTAG pins PA13-15 and PB3/PB4 in their alternate function with their
 * pulls; BRR exists (not on F4). */
static void test_f3_pins_reset_to_inputs_with_jtag_pins_in_af(void **state)
{
    struct fixture *fixture = *state; /* F303 */
    assert_int_equal(reg(fixture, 'A', MODER), 0xA8000000);
    assert_int_equal(reg(fixture, 'A', PUPDR), 0x64000000);
    assert_int_equal(reg(fixture, 'B', MODER), 0x00000280);
    assert_int_equal(reg(fixture, 'C', MODER), 0);
    write_field(fixture, 'A', MODER, 3u << 10, MODE_OUTPUT << 10, 10);
    toggle(fixture, 'A', ODR, 5, 20);
    set_reg(fixture, 'A', BRR, 1u << 5, 30);
    assert_int_equal(fixture->change_count, 3);
    assert_change(fixture, 2, 'A', 5, false, 30);
}

/* G4 (RM0440 §9.4): analog after reset but for the debug pins, as on L4. */
static void test_g4_pins_reset_to_analog(void **state)
{
    struct fixture *fixture = *state; /* G431 */
    assert_int_equal(reg(fixture, 'A', MODER), 0xABFFFFFF);
    assert_int_equal(reg(fixture, 'A', PUPDR), 0x64000000);
    assert_int_equal(reg(fixture, 'B', MODER), 0xFFFFFEBF);
    assert_int_equal(reg(fixture, 'C', MODER), 0xFFFFFFFF);
    assert_false(sim_gpio_is_output(fixture->gpio, 'A', 5));
}

#define GPIO_TEST(test, part) cmocka_unit_test_prestate_setup_teardown(test, setup, teardown, (void *)(part))

int main(void)
{
    const struct CMUnitTest tests[] = {
        GPIO_TEST(test_f1_ports_reset_to_floating_inputs, "stm32f103c8"),
        GPIO_TEST(test_f1_pc13_as_output_reports_every_level_change, "stm32f103c8"),
        GPIO_TEST(test_f1_alternate_function_pin_is_not_a_gpio_output, "stm32f103c8"),
        GPIO_TEST(test_f1_pin_becoming_output_reports_the_level_odr_already_holds, "stm32f103c8"),
        GPIO_TEST(test_reset_restores_ports, "stm32f103c8"),
        GPIO_TEST(test_accessors_refuse_pins_that_do_not_exist, "stm32f103c8"),
        GPIO_TEST(test_moder_pa5_as_output_reports_every_level_change, "stm32f030r8"),
        GPIO_TEST(test_moder_alternate_function_pin_is_not_a_gpio_output, "stm32f030r8"),
        GPIO_TEST(test_moder_byte_write_to_odr_keeps_the_other_byte, "stm32f030r8"),
        GPIO_TEST(test_f4_reset_values_and_no_brr, "stm32f411ce"),
        GPIO_TEST(test_l4_pins_reset_to_analog, "stm32l476rg"),
        GPIO_TEST(test_g0_pins_reset_to_analog, "stm32g071rb"),
        GPIO_TEST(test_f3_pins_reset_to_inputs_with_jtag_pins_in_af, "stm32f303cc"),
        GPIO_TEST(test_g4_pins_reset_to_analog, "stm32g431rb"),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
