/*
 * test_wire_faults.c - 1 MB of block writes and read-backs over a wire with bit errors (1 in 10,000 driven bits)
 * and WAIT storms of up to 20 WAITs, through both the core's per-bit path and the port's packet routine.
 *
 * What must hold: every block either completes with the right data or fails with an error (and is then done
 * again); a corruption SWD can see (request or data parity, a garbled ACK, WDATAERR) is always detected and
 * recovered from. The only corruptions that get through are those the injector reports as parity-blind (an even
 * number of flips inside one parity-protected field): the read-back comparison, standing in for a flash job's
 * verify step, catches them, and there must never be more of them than the injector produced.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sim_session.h"

#define TEST_RAM_BASE 0x60000000u
#define TEST_RAM_SIZE (64u * 1024u)
#define TOTAL_BYTES (1024u * 1024u)
#define MAX_BLOCK 4096u
#define ATTEMPTS_PER_BLOCK 8

struct outcome {
    unsigned blocks, write_errors, read_errors, verify_mismatches;
};

static uint32_t next_random(uint64_t *state)
{
    *state = *state * 6364136223846793005u + 1442695040888963407u;
    return (uint32_t)(*state >> 33);
}

static void run_with_faults(bool whole_packet, uint64_t seed)
{
    struct sim_session session;
    assert_true(sim_session_create(&session, "stm32f103c8", whole_packet));
    struct sim_memory *ram = sim_memory_create(TEST_RAM_SIZE, true);
    assert_non_null(ram);
    assert_true(sim_memory_map(ram, sim_target_bus(session.stm32->target), TEST_RAM_BASE, "test ram"));
    assert_int_equal(sim_session_attach(&session), STATUS_OK);

    struct sim_fault_config faults = {
        .seed = seed, .bit_error_rate = 1e-4, .wait_storm_rate = 0.002, .wait_storm_max = 20};
    sim_target_set_faults(session.stm32->target, &faults);

    static uint8_t expected[TEST_RAM_SIZE], block[MAX_BLOCK], back[MAX_BLOCK];
    memset(expected, 0, sizeof expected);
    struct outcome outcome = {0};
    uint64_t random_state = seed;
    size_t written = 0;

    while (written < TOTAL_BYTES) {
        uint32_t len = 4 * (1 + next_random(&random_state) % (MAX_BLOCK / 4));
        uint32_t offset = 4 * (next_random(&random_state) % ((TEST_RAM_SIZE - len) / 4 + 1));
        for (uint32_t i = 0; i < len; i++)
            block[i] = (uint8_t)next_random(&random_state);
        memcpy(expected + offset, block, len);
        outcome.blocks++;

        bool verified = false;
        for (int attempt = 0; attempt < ATTEMPTS_PER_BLOCK && !verified; attempt++) {
            if (adi_mem_write(&session.ap, TEST_RAM_BASE + offset, block, len, 4) != STATUS_OK) {
                outcome.write_errors++;
                continue;
            }
            if (adi_mem_read(&session.ap, TEST_RAM_BASE + offset, back, len, 4) != STATUS_OK) {
                outcome.read_errors++;
                continue;
            }
            verified = memcmp(back, block, len) == 0;
            if (!verified)
                outcome.verify_mismatches++;
        }
        if (!verified)
            fail_msg("block %u (%u bytes at 0x%08X) never verified: %s", outcome.blocks, len,
                     TEST_RAM_BASE + offset, sim_session_error(&session));
        written += len;
    }

    const struct sim_fault_stats *injected = sim_target_fault_stats(session.stm32->target);
    const struct swd_stats *wire = &session.swd.stats;
    const struct adi_stats *adi = &session.dp.stats;
    printf("%s, seed %llu: %zu bytes in %u blocks\n", whole_packet ? "port packet routine" : "per-bit path",
           (unsigned long long)seed, written, outcome.blocks);
    printf("  injected:  %llu flipped bits (requests %llu, ACKs %llu, write data %llu, read data %llu, other %llu), "
           "%llu parity-blind; %llu WAIT storms, %llu WAITs\n",
           (unsigned long long)injected->flipped_bits, (unsigned long long)injected->corrupted_requests,
           (unsigned long long)injected->corrupted_acks, (unsigned long long)injected->corrupted_write_data,
           (unsigned long long)injected->corrupted_read_data, (unsigned long long)injected->corrupted_other,
           (unsigned long long)injected->parity_blind, (unsigned long long)injected->wait_storms,
           (unsigned long long)injected->injected_waits);
    printf("  detected:  %u read parity errors, %u garbled ACKs, %u unanswered packets, %u WDATAERR, %u STICKYERR, "
           "%u WAITs\n",
           wire->parity_errors, wire->protocol_errors, wire->no_response, adi->write_data_errors, adi->bus_errors,
           wire->waits);
    printf("  recovered: %u recoveries (%u resyncs), %u RESENDs, %u resumed transfers; operations that still "
           "failed: %u writes, %u reads; read-back mismatches: %u\n",
           adi->recoveries, adi->resyncs, adi->resends, adi->retries, outcome.write_errors, outcome.read_errors,
           outcome.verify_mismatches);

    /* The ground truth: the simulator's memory holds exactly what was written last. */
    assert_memory_equal(sim_memory_data(ram), expected, TEST_RAM_SIZE);
    /* Faults were really injected and really handled. */
    assert_true(injected->flipped_bits > 1000);
    assert_true(injected->wait_storms > 100);
    /* Every injected WAIT reached the host, unless its ACK was flipped on the way. */
    assert_true(wire->waits + injected->corrupted_acks >= injected->injected_waits);
    assert_true(wire->parity_errors > 0 && adi->write_data_errors > 0 && wire->no_response > 0);
    /* A parity error needs a flip in read data; only parity-blind flips go unseen. */
    assert_true(wire->parity_errors <= injected->corrupted_read_data);
    assert_true(outcome.verify_mismatches <= injected->parity_blind);

    sim_session_destroy(&session);
    sim_memory_destroy(ram);
}

static void test_per_bit_path_survives_bit_errors_and_wait_storms(void **state)
{
    (void)state;
    run_with_faults(false, 20261123);
}

static void test_packet_routine_survives_bit_errors_and_wait_storms(void **state)
{
    (void)state;
    run_with_faults(true, 4242);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_per_bit_path_survives_bit_errors_and_wait_storms),
        cmocka_unit_test(test_packet_routine_survives_bit_errors_and_wait_storms),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
