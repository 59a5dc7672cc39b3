/*
 * test_sim_faults.c - the wire fault injector: reproducible from its seed, flips only driven bits, counts each
 * flip in the packet field it fell in (and the ones parity cannot see), WAIT storms on AP and RDBUFF accesses.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "sim_memory.h"
#include "sim_wire_driver.h"

#define CSW_32_SINGLE 0x23000012u

static uint8_t *sram(struct sim_target *target)
{
    return sim_memory_data(sim_target_bus(target)->regions[0].ctx);
}

static void set_bit_errors(struct sim_target *target, double rate)
{
    struct sim_fault_config config = {.seed = 1, .bit_error_rate = rate};
    sim_target_set_faults(target, &config);
}

static const struct sim_fault_stats *faults(struct sim_target *target)
{
    return sim_target_fault_stats(target);
}

static struct sim_target *connected_target(void)
{
    struct sim_target *target = wire_target_with_sram(NULL);
    wire_connect(target);
    return target;
}

/* Back to a known protocol state after a packet was left half-done: a data phase may still be running. */
static void recover(struct sim_target *target)
{
    wire_line_reset(target);
    wire_line_reset(target);
    wire_expect_read(target, false, WIRE_DP_DPIDR, WIRE_ACK_OK);
}

/* A write packet whose data bits [first, first + count) are sent while every driven bit flips. */
static void write_with_flipped_data_bits(struct sim_target *target, bool ap, uint8_t addr, uint32_t data,
                                         unsigned first, unsigned count)
{
    wire_write_bits(target, wire_request(ap, false, addr), 8);
    for (unsigned i = 0; i < 5; i++)
        wire_read_bit(target); /* turnaround, ACK (OK), turnaround */
    bool parity = false;
    for (unsigned i = 0; i < 33; i++) {
        set_bit_errors(target, i >= first && i < first + count ? 1.0 : 0.0);
        bool bit = i < 32 ? (data >> i) & 1 : parity;
        parity ^= i < 32 && bit;
        wire_write_bit(target, bit);
    }
    set_bit_errors(target, 0.0);
}

static void test_flipped_ack_counts_as_corrupted_ack(void **state)
{
    (void)state;
    struct sim_target *target = connected_target();
    wire_write_bits(target, wire_request(false, true, WIRE_DP_DPIDR), 8);
    set_bit_errors(target, 1.0);
    wire_read_bit(target); /* edges 8-10 launch the ACK */
    unsigned ack = 0;
    for (unsigned i = 0; i < 2; i++)
        ack |= (unsigned)wire_read_bit(target) << i;
    set_bit_errors(target, 0.0);
    ack |= (unsigned)wire_read_bit(target) << 2;
    assert_int_equal(ack, 0x6); /* OK (0b001) with all three bits flipped */
    assert_int_equal(faults(target)->flipped_bits, 3);
    assert_int_equal(faults(target)->corrupted_acks, 1);
    assert_int_equal(faults(target)->corrupted_requests + faults(target)->corrupted_read_data +
                         faults(target)->corrupted_write_data + faults(target)->corrupted_other,
                     0);
    recover(target);
    wire_target_destroy(target);
}

static void test_two_flips_in_write_data_pass_parity_unseen(void **state)
{
    (void)state;
    struct sim_target *target = connected_target();
    wire_ap_write(target, WIRE_AP_CSW, CSW_32_SINGLE);
    wire_ap_write(target, WIRE_AP_TAR, WIRE_SRAM_BASE);
    write_with_flipped_data_bits(target, true, WIRE_AP_DRW, 0x00000000, 4, 2);
    assert_memory_equal(sram(target), &(uint32_t){0x00000030}, 4); /* silently wrong */
    assert_int_equal(faults(target)->corrupted_write_data, 1);
    assert_int_equal(faults(target)->parity_blind, 1);
    assert_int_equal(sim_target_wire_stats(target)->write_parity_errors, 0);
    wire_target_destroy(target);
}

static void test_one_flip_in_write_data_raises_wdataerr(void **state)
{
    (void)state;
    struct sim_target *target = connected_target();
    write_with_flipped_data_bits(target, false, WIRE_DP_SELECT, 0x000000F0, 32, 1); /* the parity bit itself */
    assert_int_equal(faults(target)->corrupted_write_data, 1);
    assert_int_equal(faults(target)->parity_blind, 0);
    assert_int_equal(sim_target_wire_stats(target)->write_parity_errors, 1);
    uint32_t ctrl = wire_expect_read(target, false, WIRE_DP_CTRL_STAT, WIRE_ACK_OK);
    assert_true(ctrl & WIRE_CTRL_WDATAERR);
    wire_target_destroy(target);
}

static void test_two_flips_in_request_address_go_unseen(void **state)
{
    (void)state;
    struct sim_target *target = connected_target();
    wire_ap_write(target, WIRE_AP_CSW, CSW_32_SINGLE);
    wire_ap_read(target, WIRE_AP_CSW); /* RESEND now returns the CSW value */
    /* CTRL/STAT read with A2 and A3 flipped arrives as a RESEND read: parity still even. */
    uint8_t request = wire_request(false, true, WIRE_DP_CTRL_STAT);
    wire_write_bits(target, request, 3);
    set_bit_errors(target, 1.0);
    wire_write_bits(target, request >> 3, 2);
    set_bit_errors(target, 0.0);
    wire_write_bits(target, request >> 5, 3);
    wire_read_bit(target);
    unsigned ack = 0;
    for (unsigned i = 0; i < 3; i++)
        ack |= (unsigned)wire_read_bit(target) << i;
    assert_int_equal(ack, WIRE_ACK_OK);
    uint32_t data = 0;
    for (unsigned i = 0; i < 32; i++)
        data |= (uint32_t)wire_read_bit(target) << i;
    wire_read_bit(target);
    wire_read_bit(target);
    assert_int_equal(data, CSW_32_SINGLE | 0x40);
    assert_int_equal(faults(target)->corrupted_requests, 1);
    assert_int_equal(faults(target)->parity_blind, 1);
    assert_int_equal(sim_target_wire_stats(target)->protocol_errors, 0);
    wire_target_destroy(target);
}

static void test_one_flip_in_request_is_a_protocol_error(void **state)
{
    (void)state;
    struct sim_target *target = connected_target();
    uint8_t request = wire_request(false, true, WIRE_DP_DPIDR);
    wire_write_bits(target, request, 2);
    set_bit_errors(target, 1.0);
    wire_write_bits(target, request >> 2, 1); /* RnW */
    set_bit_errors(target, 0.0);
    wire_write_bits(target, request >> 3, 5);
    assert_int_equal(faults(target)->corrupted_requests, 1);
    assert_int_equal(faults(target)->parity_blind, 0);
    assert_int_equal(sim_target_wire_stats(target)->protocol_errors, 1);
    recover(target);
    wire_target_destroy(target);
}

static void test_flipped_read_data_fails_host_parity_check(void **state)
{
    (void)state;
    struct sim_target *target = connected_target();
    wire_write_bits(target, wire_request(false, true, WIRE_DP_DPIDR), 8);
    for (unsigned i = 0; i < 4; i++)
        wire_read_bit(target); /* turnaround and ACK; data bit 0 launched on edge 11 */
    uint32_t data = 0;
    bool parity = false;
    for (unsigned i = 0; i < 32; i++) {
        set_bit_errors(target, i == 7 ? 1.0 : 0.0); /* the cycle whose edge launches data bit 8 */
        bool bit = wire_read_bit(target);
        data |= (uint32_t)bit << i;
        parity ^= bit;
    }
    set_bit_errors(target, 0.0);
    bool parity_bit = wire_read_bit(target);
    wire_read_bit(target);
    assert_int_equal(data, 0x1BA01477u ^ (1u << 8));
    assert_true(parity_bit != parity);
    assert_int_equal(faults(target)->corrupted_read_data, 1);
    assert_int_equal(faults(target)->parity_blind, 0);
    wire_target_destroy(target);
}

static void test_flips_outside_packets_count_as_other(void **state)
{
    (void)state;
    struct sim_target *target = wire_target_with_sram(NULL); /* JTAG mode: no SWD packet is parsed */
    set_bit_errors(target, 1.0);
    wire_idle(target, 10);
    assert_int_equal(faults(target)->flipped_bits, 10);
    assert_int_equal(faults(target)->corrupted_other, 10);
    assert_int_equal(faults(target)->corrupted_requests, 0);
    wire_target_destroy(target);
}

static void test_bits_nobody_drives_never_flip(void **state)
{
    (void)state;
    struct sim_target *target = connected_target();
    set_bit_errors(target, 1.0);
    for (unsigned i = 0; i < 100; i++)
        assert_true(wire_read_bit(target));
    assert_int_equal(faults(target)->flipped_bits, 0);
    wire_target_destroy(target);
}

/* A host that only retries: a fixed script, so whatever differs between two runs comes from the injector. */
static void noisy_session(struct sim_target *target, uint64_t seed)
{
    struct sim_fault_config config = {
        .seed = seed, .bit_error_rate = 0.002, .wait_storm_rate = 0.05, .wait_storm_max = 5};
    sim_target_set_faults(target, &config);
    uint32_t data = 0;
    for (unsigned i = 0; i < 400; i++) {
        if (i % 40 == 0) {
            wire_line_reset(target);
            wire_line_reset(target);
            wire_read(target, false, WIRE_DP_DPIDR, &data);
            wire_write(target, false, WIRE_DP_ABORT, WIRE_ABORT_CLEAR_ALL);
        }
        switch (i % 4) {
        case 0: wire_write(target, true, WIRE_AP_TAR, WIRE_SRAM_BASE + 4 * i); break;
        case 1: wire_write(target, true, WIRE_AP_DRW, 0xA5A50000u + i); break;
        case 2: wire_read(target, true, WIRE_AP_DRW, &data); break;
        default: wire_read(target, false, WIRE_DP_RDBUFF, &data); break;
        }
    }
}

static void session_stats(uint64_t seed, struct sim_fault_stats *fault_stats, struct sim_wire_stats *wire_stats)
{
    struct sim_target *target = connected_target();
    wire_ap_write(target, WIRE_AP_CSW, CSW_32_SINGLE);
    noisy_session(target, seed);
    *fault_stats = *sim_target_fault_stats(target);
    *wire_stats = *sim_target_wire_stats(target);
    wire_target_destroy(target);
}

static void test_same_seed_gives_same_faults(void **state)
{
    (void)state;
    struct sim_fault_stats first, second;
    struct sim_wire_stats first_wire, second_wire;
    session_stats(42, &first, &first_wire);
    session_stats(42, &second, &second_wire);
    assert_memory_equal(&first, &second, sizeof(first));
    assert_memory_equal(&first_wire, &second_wire, sizeof(first_wire));
    assert_true(first.flipped_bits > 0);
    assert_true(first.wait_storms > 0);
    /* Every flip was counted somewhere. */
    assert_true(first.corrupted_requests + first.corrupted_acks + first.corrupted_write_data +
                    first.corrupted_read_data + first.corrupted_other >
                0);
    assert_true(first.injected_waits >= first.wait_storms && first.injected_waits <= 5 * first.wait_storms);
}

static void test_different_seeds_give_different_faults(void **state)
{
    (void)state;
    struct sim_fault_stats first, second;
    struct sim_wire_stats first_wire, second_wire;
    session_stats(1, &first, &first_wire);
    session_stats(2, &second, &second_wire);
    assert_memory_not_equal(&first, &second, sizeof(first));
}

static void test_wait_storm_answers_wait_only_to_ap_and_rdbuff(void **state)
{
    (void)state;
    struct sim_target *target = connected_target();
    wire_ap_write(target, WIRE_AP_TAR, WIRE_SRAM_BASE);
    struct sim_fault_config config = {.seed = 3, .wait_storm_rate = 1.0, .wait_storm_max = 1};
    sim_target_set_faults(target, &config);
    wire_expect_read(target, false, WIRE_DP_DPIDR, WIRE_ACK_OK);
    wire_expect_read(target, false, WIRE_DP_CTRL_STAT, WIRE_ACK_OK);
    wire_expect_read(target, false, WIRE_DP_RESEND, WIRE_ACK_OK);
    wire_expect_write(target, false, WIRE_DP_SELECT, 0, WIRE_ACK_OK);
    wire_expect_write(target, false, WIRE_DP_ABORT, 0, WIRE_ACK_OK);
    wire_expect_read(target, false, WIRE_DP_RDBUFF, WIRE_ACK_WAIT);
    wire_expect_read(target, true, WIRE_AP_TAR, WIRE_ACK_WAIT);
    wire_expect_write(target, true, WIRE_AP_TAR, 0x12345678, WIRE_ACK_WAIT);
    assert_int_equal(faults(target)->wait_storms, 3);
    assert_int_equal(faults(target)->injected_waits, 3);
    sim_target_set_faults(target, NULL);
    /* The WAITed write did nothing. */
    assert_int_equal(wire_ap_read(target, WIRE_AP_TAR), WIRE_SRAM_BASE);
    wire_target_destroy(target);
}

static void test_wait_storm_lasts_up_to_its_maximum(void **state)
{
    (void)state;
    struct sim_target *target = connected_target();
    struct sim_fault_config config = {.seed = 9, .wait_storm_rate = 0.2, .wait_storm_max = 4};
    sim_target_set_faults(target, &config);
    uint64_t waits = 0;
    uint32_t data;
    for (unsigned i = 0; i < 300; i++)
        waits += wire_read(target, false, WIRE_DP_RDBUFF, &data) == WIRE_ACK_WAIT;
    assert_int_equal(waits, faults(target)->injected_waits);
    assert_true(faults(target)->wait_storms > 0);
    assert_true(waits >= faults(target)->wait_storms && waits <= 4 * faults(target)->wait_storms);
    wire_target_destroy(target);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_flipped_ack_counts_as_corrupted_ack),
        cmocka_unit_test(test_two_flips_in_write_data_pass_parity_unseen),
        cmocka_unit_test(test_one_flip_in_write_data_raises_wdataerr),
        cmocka_unit_test(test_two_flips_in_request_address_go_unseen),
        cmocka_unit_test(test_one_flip_in_request_is_a_protocol_error),
        cmocka_unit_test(test_flipped_read_data_fails_host_parity_check),
        cmocka_unit_test(test_flips_outside_packets_count_as_other),
        cmocka_unit_test(test_bits_nobody_drives_never_flip),
        cmocka_unit_test(test_same_seed_gives_same_faults),
        cmocka_unit_test(test_different_seeds_give_different_faults),
        cmocka_unit_test(test_wait_storm_answers_wait_only_to_ap_and_rdbuff),
        cmocka_unit_test(test_wait_storm_lasts_up_to_its_maximum),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
