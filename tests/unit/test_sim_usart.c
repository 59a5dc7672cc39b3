/*
 * test_sim_usart.c - the simulated USART in both register styles: frame timing on the line, TXE/TC sequencing,
 * reception with RXNE and ORE, the interrupt line, byte and halfword accesses, reset.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "sim_bus.h"
#include "sim_usart.h"

#define USART_BASE         0x40013800u
#define USART_IRQ          37u
#define CLOCK_HZ           8000000u
#define BRR_115200_AT_8MHZ 69u
#define FRAME_PS           86250000u /* 10 bits of 69 clocks at 8 MHz: 86.25 us */

/* F1/F4 (RM0008 §27.6) */
#define SR  0x00u
#define DR  0x04u
#define BRR 0x08u
#define CR1 0x0Cu
#define CR2 0x10u
/* F0/L4/G0 (RM0360 "USART registers") */
#define ISR_CR1 0x00u
#define ISR_BRR 0x0Cu
#define ISR     0x1Cu
#define ICR     0x20u
#define RDR     0x24u
#define TDR     0x28u

#define ORE           (1u << 3)
#define RXNE          (1u << 5)
#define TC            (1u << 6)
#define TXE           (1u << 7)
#define TEACK         (1u << 21)
#define REACK         (1u << 22)
#define CR1_RE        (1u << 2)
#define CR1_TE        (1u << 3)
#define CR1_RXNEIE    (1u << 5)
#define CR1_TCIE      (1u << 6)
#define CR1_TXEIE     (1u << 7)
#define CR1_PCE       (1u << 10)
#define CR1_M         (1u << 12)
#define CR1_OVER8     (1u << 15)
#define CR1_UE        (1u << 13)
#define ISR_CR1_UE    (1u << 0)
#define ISR_CR1_M1    (1u << 28)
#define CR2_STOP_HALF (1u << 12)
#define CR2_STOP_TWO  (2u << 12)

struct sent_byte {
    uint8_t byte;
    uint64_t at_ps;
};

struct fixture {
    struct sim_bus bus;
    struct sim_usart *usart;
    struct sent_byte sent[16];
    unsigned sent_count;
    bool irq_level;
    unsigned irq_changes;
};

static void record_byte(void *ctx, uint8_t byte, uint64_t at_ps)
{
    struct fixture *fixture = ctx;
    assert_true(fixture->sent_count < 16);
    fixture->sent[fixture->sent_count++] = (struct sent_byte){byte, at_ps};
}

static void record_irq(void *ctx, unsigned irq, bool level)
{
    struct fixture *fixture = ctx;
    assert_int_equal(irq, USART_IRQ);
    fixture->irq_level = level;
    fixture->irq_changes++;
}

static int setup_family(void **state, enum sim_family family)
{
    struct fixture *fixture = test_calloc(1, sizeof(*fixture));
    sim_bus_init(&fixture->bus);
    struct sim_usart_config config = {
        .family = family, .clock_hz = CLOCK_HZ, .irq = {.set = record_irq, .ctx = fixture, .irq = USART_IRQ}};
    fixture->usart = sim_usart_create(&config);
    assert_non_null(fixture->usart);
    assert_true(sim_usart_map(fixture->usart, &fixture->bus, USART_BASE, "USART1"));
    sim_usart_on_transmit(fixture->usart, record_byte, fixture);
    *state = fixture;
    return 0;
}

static int setup_f1(void **state)
{
    return setup_family(state, SIM_FAMILY_F1);
}

static int setup_f4(void **state)
{
    return setup_family(state, SIM_FAMILY_F4);
}

static int setup_f0(void **state)
{
    return setup_family(state, SIM_FAMILY_F0);
}

static int teardown(void **state)
{
    struct fixture *fixture = *state;
    sim_usart_destroy(fixture->usart);
    test_free(fixture);
    return 0;
}

static uint32_t read_at(struct fixture *fixture, uint32_t offset, unsigned size, uint64_t now_ps)
{
    uint32_t value;
    uint64_t done;
    assert_int_equal(sim_bus_read(&fixture->bus, SIM_BUS_MASTER_CPU, USART_BASE + offset, size, &value, now_ps, &done),
                     SIM_BUS_OK);
    return value;
}

static void write_at(struct fixture *fixture, uint32_t offset, unsigned size, uint32_t value, uint64_t now_ps)
{
    uint64_t done;
    assert_int_equal(sim_bus_write(&fixture->bus, SIM_BUS_MASTER_CPU, USART_BASE + offset, size, value, now_ps, &done),
                     SIM_BUS_OK);
}

static uint32_t reg(struct fixture *fixture, uint32_t offset, uint64_t now_ps)
{
    return read_at(fixture, offset, 4, now_ps);
}

static void set_reg(struct fixture *fixture, uint32_t offset, uint32_t value, uint64_t now_ps)
{
    write_at(fixture, offset, 4, value, now_ps);
}

static void advance(struct fixture *fixture, uint64_t now_ps)
{
    struct sim_device device = sim_usart_device(fixture->usart);
    device.ops->advance(device.ctx, now_ps);
}

static uint64_t next_event(struct fixture *fixture)
{
    struct sim_device device = sim_usart_device(fixture->usart);
    return device.ops->next_event_ps(device.ctx);
}

static void reset(struct fixture *fixture, uint64_t now_ps)
{
    struct sim_device device = sim_usart_device(fixture->usart);
    device.ops->reset(device.ctx, SIM_RESET_SYSTEM, now_ps);
}

/* As the example firmware's usart_init() does on F1/F4. */
static void enable_f1(struct fixture *fixture, uint32_t cr1_extra)
{
    set_reg(fixture, CR1, 0, 0);
    set_reg(fixture, BRR, BRR_115200_AT_8MHZ, 0);
    set_reg(fixture, CR1, CR1_UE | CR1_TE | cr1_extra, 0);
}

static void enable_f0(struct fixture *fixture, uint32_t cr1_extra)
{
    set_reg(fixture, ISR_BRR, BRR_115200_AT_8MHZ, 0);
    set_reg(fixture, ISR_CR1, ISR_CR1_UE | CR1_TE | cr1_extra, 0);
}

/* ---- F1/F4 style ---- */

static void test_status_resets_to_txe_and_tc(void **state)
{
    struct fixture *fixture = *state;
    assert_int_equal(reg(fixture, SR, 0), TXE | TC);
    assert_int_equal(reg(fixture, CR1, 0), 0);
    assert_true(next_event(fixture) == SIM_NEVER);
}

static void test_byte_at_115200_takes_ten_bit_times(void **state)
{
    struct fixture *fixture = *state;
    enable_f1(fixture, 0);
    set_reg(fixture, DR, 'h', 1000);
    assert_int_equal(reg(fixture, SR, 1000), TXE); /* the shift register took it; TC waits for the stop bit */
    assert_int_equal(next_event(fixture), 1000 + FRAME_PS);

    advance(fixture, 1000 + FRAME_PS - 1);
    assert_int_equal(fixture->sent_count, 0);
    advance(fixture, 1000 + FRAME_PS);
    assert_int_equal(fixture->sent_count, 1);
    assert_int_equal(fixture->sent[0].byte, 'h');
    assert_int_equal(fixture->sent[0].at_ps, 1000 + FRAME_PS);
    assert_int_equal(reg(fixture, SR, 1000 + FRAME_PS), TXE | TC);
    assert_true(next_event(fixture) == SIM_NEVER);
}

static void test_second_byte_waits_for_the_shift_register(void **state)
{
    struct fixture *fixture = *state;
    enable_f1(fixture, 0);
    set_reg(fixture, DR, 'a', 0);
    set_reg(fixture, DR, 'b', 10);
    assert_int_equal(reg(fixture, SR, 10), 0);

    advance(fixture, FRAME_PS);
    assert_int_equal(fixture->sent_count, 1);
    assert_int_equal(reg(fixture, SR, FRAME_PS), TXE); /* 'b' moved to the shift register */
    assert_int_equal(next_event(fixture), 2ull * FRAME_PS);

    advance(fixture, 2ull * FRAME_PS);
    assert_int_equal(fixture->sent_count, 2);
    assert_int_equal(fixture->sent[1].byte, 'b');
    assert_int_equal(fixture->sent[1].at_ps, 2ull * FRAME_PS); /* back to back: no gap between frames */
    assert_int_equal(reg(fixture, SR, 2ull * FRAME_PS), TXE | TC);
}

/* The example firmware's usart_putc(): poll TXE, then write. Reads bring the model up to their own time. */
static void test_polling_firmware_sends_back_to_back_without_advance(void **state)
{
    struct fixture *fixture = *state;
    enable_f1(fixture, 0);
    const char *text = "hi!";
    uint64_t now_ps = 0;
    for (const char *c = text; *c != '\0'; c++) {
        while ((reg(fixture, SR, now_ps) & TXE) == 0)
            now_ps += 1000000; /* one poll per microsecond */
        set_reg(fixture, DR, (uint8_t)*c, now_ps);
    }
    while ((reg(fixture, SR, now_ps) & TC) == 0)
        now_ps += 1000000;
    assert_int_equal(fixture->sent_count, 3);
    for (unsigned i = 0; i < 3; i++) {
        assert_int_equal(fixture->sent[i].byte, (uint8_t)text[i]);
        assert_int_equal(fixture->sent[i].at_ps, (i + 1) * (uint64_t)FRAME_PS);
    }
}

static void test_writes_while_transmitter_disabled_are_dropped(void **state)
{
    struct fixture *fixture = *state;
    set_reg(fixture, BRR, BRR_115200_AT_8MHZ, 0);
    set_reg(fixture, CR1, CR1_UE, 0);
    set_reg(fixture, DR, 'x', 0);
    set_reg(fixture, CR1, CR1_TE, 0);
    set_reg(fixture, DR, 'y', 0);
    assert_true(next_event(fixture) == SIM_NEVER);
    advance(fixture, 10ull * FRAME_PS);
    assert_int_equal(fixture->sent_count, 0);
    assert_int_equal(reg(fixture, SR, 10ull * FRAME_PS), TXE | TC);
}

static void test_frame_length_follows_word_length_stop_bits_and_clock(void **state)
{
    struct fixture *fixture = *state;
    enable_f1(fixture, 0);
    assert_int_equal(sim_usart_frame_ps(fixture->usart), FRAME_PS);
    set_reg(fixture, CR1, CR1_UE | CR1_TE | CR1_PCE, 0); /* parity takes the word's last bit */
    assert_int_equal(sim_usart_frame_ps(fixture->usart), FRAME_PS);
    set_reg(fixture, CR1, CR1_UE | CR1_TE | CR1_M, 0);
    assert_int_equal(sim_usart_frame_ps(fixture->usart), FRAME_PS / 10 * 11);
    set_reg(fixture, CR1, CR1_UE | CR1_TE, 0);
    set_reg(fixture, CR2, CR2_STOP_TWO, 0);
    assert_int_equal(sim_usart_frame_ps(fixture->usart), FRAME_PS / 10 * 11);
    set_reg(fixture, CR2, CR2_STOP_HALF, 0);
    assert_int_equal(sim_usart_frame_ps(fixture->usart), FRAME_PS / 20 * 19);
    set_reg(fixture, CR2, 0, 0);
    sim_usart_set_clock_hz(fixture->usart, 2 * CLOCK_HZ);
    assert_int_equal(sim_usart_frame_ps(fixture->usart), FRAME_PS / 2);
    sim_usart_set_clock_hz(fixture->usart, 0);
    assert_true(sim_usart_frame_ps(fixture->usart) == SIM_NEVER);
}

/* 115200 baud at 8 MHz with 8x oversampling: USARTDIV 138, BRR 0x85 (BRR[2:0] = USARTDIV[3:1]). */
#define BRR_115200_AT_8MHZ_OVER8 0x85u

static void test_f1_has_no_over8(void **state)
{
    struct fixture *fixture = *state;
    set_reg(fixture, BRR, BRR_115200_AT_8MHZ_OVER8, 0);
    set_reg(fixture, CR1, CR1_UE | CR1_TE | CR1_OVER8, 0);
    assert_int_equal(sim_usart_frame_ps(fixture->usart), 10ull * BRR_115200_AT_8MHZ_OVER8 * 1000000 / 8);
}

static void test_f4_over8_counts_bits_in_eighths(void **state)
{
    struct fixture *fixture = *state;
    set_reg(fixture, BRR, BRR_115200_AT_8MHZ_OVER8, 0);
    set_reg(fixture, CR1, CR1_UE | CR1_TE | CR1_OVER8, 0);
    assert_int_equal(sim_usart_frame_ps(fixture->usart), FRAME_PS);
}

static void test_received_byte_sets_rxne_until_dr_is_read(void **state)
{
    struct fixture *fixture = *state;
    assert_false(sim_usart_receive(fixture->usart, 0x55, 0)); /* receiver off */
    set_reg(fixture, CR1, CR1_UE | CR1_RE, 0);
    assert_true(sim_usart_receive(fixture->usart, 0x55, 100));
    assert_int_equal(reg(fixture, SR, 200), TXE | TC | RXNE);
    assert_int_equal(reg(fixture, DR, 300), 0x55);
    assert_int_equal(reg(fixture, SR, 400), TXE | TC);
}

static void test_overrun_keeps_the_unread_byte_until_sr_then_dr_clears_ore(void **state)
{
    struct fixture *fixture = *state;
    set_reg(fixture, CR1, CR1_UE | CR1_RE, 0);
    assert_true(sim_usart_receive(fixture->usart, 1, 0));
    assert_false(sim_usart_receive(fixture->usart, 2, 0));
    assert_int_equal(reg(fixture, SR, 0) & (RXNE | ORE), RXNE | ORE);
    assert_int_equal(reg(fixture, DR, 0), 1);
    assert_int_equal(reg(fixture, SR, 0) & (RXNE | ORE), 0);

    /* DR alone clears RXNE but not ORE */
    assert_true(sim_usart_receive(fixture->usart, 3, 0));
    assert_false(sim_usart_receive(fixture->usart, 4, 0));
    assert_int_equal(reg(fixture, DR, 0), 3);
    assert_int_equal(reg(fixture, SR, 0) & (RXNE | ORE), ORE);
    assert_int_equal(reg(fixture, DR, 0), 3);
    assert_int_equal(reg(fixture, SR, 0) & (RXNE | ORE), 0);
}

static void test_interrupt_line_follows_enabled_flags(void **state)
{
    struct fixture *fixture = *state;
    set_reg(fixture, BRR, BRR_115200_AT_8MHZ, 0);
    set_reg(fixture, CR1, CR1_UE | CR1_TE | CR1_RE | CR1_RXNEIE, 0);
    assert_false(fixture->irq_level);
    sim_usart_receive(fixture->usart, 'r', 0);
    assert_true(fixture->irq_level);
    assert_true(sim_usart_irq_level(fixture->usart));
    reg(fixture, DR, 0);
    assert_false(fixture->irq_level);

    sim_usart_receive(fixture->usart, 1, 0);
    sim_usart_receive(fixture->usart, 2, 0);
    reg(fixture, DR, 0); /* RXNE clear, ORE still set: RXNEIE covers it */
    assert_true(fixture->irq_level);
    reg(fixture, SR, 0);
    reg(fixture, DR, 0);
    assert_false(fixture->irq_level);

    set_reg(fixture, CR1, CR1_UE | CR1_TE | CR1_TXEIE, 0);
    assert_true(fixture->irq_level); /* TXE is set */
    set_reg(fixture, CR1, CR1_UE | CR1_TE | CR1_TCIE, 0);
    assert_true(fixture->irq_level); /* so is TC */
    set_reg(fixture, DR, 'x', 0);
    assert_false(fixture->irq_level); /* TC cleared by the write */
    advance(fixture, FRAME_PS);
    assert_true(fixture->irq_level);
    set_reg(fixture, SR, ~TC, FRAME_PS); /* rc_w0 */
    assert_false(fixture->irq_level);
    assert_int_equal(reg(fixture, SR, FRAME_PS), TXE);
}

static void test_reset_restores_registers_and_drops_the_frame(void **state)
{
    struct fixture *fixture = *state;
    enable_f1(fixture, CR1_TXEIE);
    set_reg(fixture, DR, 'a', 0);
    assert_true(fixture->irq_level);
    reset(fixture, 1000);
    assert_false(fixture->irq_level);
    assert_int_equal(reg(fixture, SR, 1000), TXE | TC);
    assert_int_equal(reg(fixture, CR1, 1000), 0);
    assert_int_equal(reg(fixture, BRR, 1000), 0);
    assert_true(next_event(fixture) == SIM_NEVER);
    advance(fixture, 10ull * FRAME_PS);
    assert_int_equal(fixture->sent_count, 0);
}

static void test_byte_and_halfword_accesses_reach_their_register(void **state)
{
    struct fixture *fixture = *state;
    write_at(fixture, BRR, 2, BRR_115200_AT_8MHZ, 0);
    write_at(fixture, CR1, 2, CR1_UE | CR1_TE | CR1_RE, 0);
    assert_int_equal(read_at(fixture, CR1 + 1, 1, 0), (CR1_UE | CR1_TE | CR1_RE) >> 8);
    write_at(fixture, DR, 1, 'z', 0);
    advance(fixture, FRAME_PS);
    assert_int_equal(fixture->sent_count, 1);
    assert_int_equal(fixture->sent[0].byte, 'z');

    sim_usart_receive(fixture->usart, 0xA5, FRAME_PS);
    assert_int_equal(read_at(fixture, SR, 1, FRAME_PS), TXE | TC | RXNE);
    assert_int_equal(read_at(fixture, DR, 2, FRAME_PS), 0xA5);
    assert_int_equal(read_at(fixture, SR, 2, FRAME_PS), TXE | TC);
    assert_int_equal(read_at(fixture, 0x3FC, 4, FRAME_PS), 0); /* past the registers */
}

/* ---- F0/L4/G0 style ---- */

static void test_isr_style_transmits_through_tdr(void **state)
{
    struct fixture *fixture = *state;
    assert_int_equal(reg(fixture, ISR, 0), TXE | TC);
    enable_f0(fixture, 0);
    assert_int_equal(reg(fixture, ISR, 0), TEACK | TXE | TC);
    set_reg(fixture, TDR, 'A', 500);
    set_reg(fixture, TDR, 'B', 600);
    assert_int_equal(reg(fixture, ISR, 600), TEACK);
    advance(fixture, 500 + 2ull * FRAME_PS);
    assert_int_equal(fixture->sent_count, 2);
    assert_int_equal(fixture->sent[0].at_ps, 500 + FRAME_PS);
    assert_int_equal(fixture->sent[1].byte, 'B');
    assert_int_equal(fixture->sent[1].at_ps, 500 + 2ull * FRAME_PS);
    assert_int_equal(reg(fixture, ISR, 500 + 2ull * FRAME_PS), TEACK | TXE | TC);
    set_reg(fixture, ICR, TC, 500 + 2ull * FRAME_PS); /* TCCF */
    assert_int_equal(reg(fixture, ISR, 500 + 2ull * FRAME_PS), TEACK | TXE);
}

static void test_isr_style_receives_through_rdr_and_icr_clears_overrun(void **state)
{
    struct fixture *fixture = *state;
    set_reg(fixture, ISR_CR1, ISR_CR1_UE | CR1_RE | CR1_RXNEIE, 0);
    assert_int_equal(reg(fixture, ISR, 0), REACK | TXE | TC);
    assert_true(sim_usart_receive(fixture->usart, 0x31, 0));
    assert_false(sim_usart_receive(fixture->usart, 0x32, 0));
    assert_true(fixture->irq_level);
    assert_int_equal(reg(fixture, ISR, 0) & (RXNE | ORE), RXNE | ORE);
    assert_int_equal(reg(fixture, RDR, 0), 0x31);
    assert_int_equal(reg(fixture, ISR, 0) & (RXNE | ORE), ORE); /* only ICR clears ORE here */
    assert_true(fixture->irq_level);
    set_reg(fixture, ICR, ORE, 0); /* ORECF */
    assert_int_equal(reg(fixture, ISR, 0) & (RXNE | ORE), 0);
    assert_false(fixture->irq_level);
}

static void test_isr_style_word_length_from_m1_m0(void **state)
{
    struct fixture *fixture = *state;
    enable_f0(fixture, ISR_CR1_M1); /* 7-bit words */
    assert_int_equal(sim_usart_frame_ps(fixture->usart), FRAME_PS / 10 * 9);
    set_reg(fixture, ISR_CR1, ISR_CR1_UE | CR1_TE | CR1_M, 0); /* 9-bit words */
    assert_int_equal(sim_usart_frame_ps(fixture->usart), FRAME_PS / 10 * 11);
}

static void test_isr_style_offset_4_is_cr2_not_a_data_register(void **state)
{
    struct fixture *fixture = *state;
    enable_f0(fixture, 0);
    set_reg(fixture, DR, 'x', 0); /* CR2 on this style */
    assert_true(next_event(fixture) == SIM_NEVER);
    assert_int_equal(reg(fixture, DR, 0), 'x');
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_status_resets_to_txe_and_tc, setup_f1, teardown),
        cmocka_unit_test_setup_teardown(test_byte_at_115200_takes_ten_bit_times, setup_f1, teardown),
        cmocka_unit_test_setup_teardown(test_second_byte_waits_for_the_shift_register, setup_f1, teardown),
        cmocka_unit_test_setup_teardown(test_polling_firmware_sends_back_to_back_without_advance, setup_f1, teardown),
        cmocka_unit_test_setup_teardown(test_writes_while_transmitter_disabled_are_dropped, setup_f1, teardown),
        cmocka_unit_test_setup_teardown(test_frame_length_follows_word_length_stop_bits_and_clock, setup_f1, teardown),
        cmocka_unit_test_setup_teardown(test_f1_has_no_over8, setup_f1, teardown),
        cmocka_unit_test_setup_teardown(test_f4_over8_counts_bits_in_eighths, setup_f4, teardown),
        cmocka_unit_test_setup_teardown(test_received_byte_sets_rxne_until_dr_is_read, setup_f1, teardown),
        cmocka_unit_test_setup_teardown(test_overrun_keeps_the_unread_byte_until_sr_then_dr_clears_ore, setup_f1,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_interrupt_line_follows_enabled_flags, setup_f1, teardown),
        cmocka_unit_test_setup_teardown(test_reset_restores_registers_and_drops_the_frame, setup_f1, teardown),
        cmocka_unit_test_setup_teardown(test_byte_and_halfword_accesses_reach_their_register, setup_f1, teardown),
        cmocka_unit_test_setup_teardown(test_isr_style_transmits_through_tdr, setup_f0, teardown),
        cmocka_unit_test_setup_teardown(test_isr_style_receives_through_rdr_and_icr_clears_overrun, setup_f0, teardown),
        cmocka_unit_test_setup_teardown(test_isr_style_word_length_from_m1_m0, setup_f0, teardown),
        cmocka_unit_test_setup_teardown(test_isr_style_offset_4_is_cr2_not_a_data_register, setup_f0, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
