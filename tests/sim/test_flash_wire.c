/*
 * test_flash_wire.c - the simulated flash seen from the wire through the host stack (src/swd, src/adi): a stream of
 * halfwords with PG set is paced by the flash itself (WAIT answers while BSY, one halfword per tPROG), a locked
 * controller refuses stores with a bus error the debugger sees as a FAULT, and under read protection the array
 * cannot be read by the debugger while the rest of the chip still answers.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sim_session.h"

#define FLASH_BASE 0x08000000u
#define FPEC 0x40022000u
#define FLASH_KEYR (FPEC + 0x04)
#define FLASH_OPTKEYR (FPEC + 0x08)
#define FLASH_SR (FPEC + 0x0C)
#define FLASH_CR (FPEC + 0x10)
#define CR_PG 0x1u
#define CR_OPTPG (1u << 4)
#define CR_OPTER (1u << 5)
#define CR_STRT (1u << 6)
#define CR_OPTWRE (1u << 9)
#define SR_BSY 0x1u
#define KEY1 0x45670123u
#define KEY2 0xCDEF89ABu
#define TPROG_PS 52500000ull

static int setup(void **state)
{
    struct sim_session *session = calloc(1, sizeof *session);
    assert_non_null(session);
    assert_true(sim_session_create(session, "stm32f103c8", true));
    assert_int_equal(sim_session_attach(session), STATUS_OK);
    *state = session;
    return 0;
}

static int teardown(void **state)
{
    struct sim_session *session = *state;
    sim_session_destroy(session);
    free(session);
    return 0;
}

static void unlock(struct sim_session *session)
{
    assert_int_equal(adi_mem_write32(&session->ap, FLASH_KEYR, KEY1), STATUS_OK);
    assert_int_equal(adi_mem_write32(&session->ap, FLASH_KEYR, KEY2), STATUS_OK);
}

static void wait_not_busy(struct sim_session *session)
{
    uint32_t sr;
    do {
        assert_int_equal(adi_mem_read32(&session->ap, FLASH_SR, &sr), STATUS_OK);
    } while (sr & SR_BSY);
}

static void test_streamed_halfwords_are_paced_by_tprog_through_wait(void **state)
{
    struct sim_session *session = *state;
    struct sim_target *target = session->stm32->target;
    unlock(session);
    assert_int_equal(adi_mem_write32(&session->ap, FLASH_CR, CR_PG), STATUS_OK);
    uint8_t block[1024];
    for (size_t i = 0; i < sizeof block; i++)
        block[i] = (uint8_t)(i * 7 + 3);
    uint64_t waits_before = sim_target_wire_stats(target)->packets_wait;
    uint64_t start = sim_target_now_ps(target);
    assert_int_equal(adi_mem_write(&session->ap, FLASH_BASE, block, sizeof block, 2), STATUS_OK);
    wait_not_busy(session);
    uint64_t elapsed = sim_target_now_ps(target) - start;
    uint64_t waits = sim_target_wire_stats(target)->packets_wait - waits_before;
    print_message("1 KB streamed: %.3f ms chip time, %llu WAIT answers\n", (double)elapsed / 1e9,
                  (unsigned long long)waits);
    assert_memory_equal(sim_flash_array(session->stm32->flash), block, sizeof block);
    assert_true(elapsed >= 512 * TPROG_PS);             /* the flash is the bottleneck */
    assert_true(elapsed <= 512 * TPROG_PS * 105 / 100); /* and nothing else is */
    assert_true(waits > 0);
}

static void test_locked_flash_store_faults_and_changes_nothing(void **state)
{
    struct sim_session *session = *state;
    assert_int_not_equal(adi_mem_write16(&session->ap, FLASH_BASE + 0x100, 0x1234), STATUS_OK);
    assert_int_equal(sim_flash_array(session->stm32->flash)[0x100], 0xFF);
    /* The debug port recovers: the rest of the chip still answers. */
    uint32_t sr;
    assert_int_equal(adi_mem_read32(&session->ap, FLASH_SR, &sr), STATUS_OK);
}

static void test_wrong_key_faults_and_locks_out_until_reset(void **state)
{
    struct sim_session *session = *state;
    assert_int_equal(adi_mem_write32(&session->ap, FLASH_KEYR, KEY1), STATUS_OK);
    assert_int_not_equal(adi_mem_write32(&session->ap, FLASH_KEYR, 0x12345678), STATUS_OK);
    assert_int_not_equal(adi_mem_write32(&session->ap, FLASH_KEYR, KEY1), STATUS_OK);
    uint32_t cr;
    assert_int_equal(adi_mem_read32(&session->ap, FLASH_CR, &cr), STATUS_OK);
    assert_int_equal(cr & 0x80, 0x80); /* still LOCK */
    sim_target_set_nrst(session->stm32->target, true);
    sim_target_set_nrst(session->stm32->target, false);
    unlock(session);
    assert_int_equal(adi_mem_read32(&session->ap, FLASH_CR, &cr), STATUS_OK);
    assert_int_equal(cr & 0x80, 0);
}

static void program_option(struct sim_session *session, uint32_t addr, uint16_t value)
{
    assert_int_equal(adi_mem_write32(&session->ap, FLASH_CR, CR_OPTWRE | CR_OPTPG), STATUS_OK);
    assert_int_equal(adi_mem_write16(&session->ap, addr, value), STATUS_OK);
    wait_not_busy(session);
}

static void test_read_protection_hides_flash_from_the_debugger(void **state)
{
    struct sim_session *session = *state;
    memcpy(sim_flash_array(session->stm32->flash) + 0x200, "secret", 6);
    unlock(session);
    assert_int_equal(adi_mem_write32(&session->ap, FLASH_OPTKEYR, KEY1), STATUS_OK);
    assert_int_equal(adi_mem_write32(&session->ap, FLASH_OPTKEYR, KEY2), STATUS_OK);
    assert_int_equal(adi_mem_write32(&session->ap, FLASH_CR, CR_OPTWRE | CR_OPTER), STATUS_OK);
    assert_int_equal(adi_mem_write32(&session->ap, FLASH_CR, CR_OPTWRE | CR_OPTER | CR_STRT), STATUS_OK);
    wait_not_busy(session);
    program_option(session, 0x1FFFF800, 0x00); /* RDP: level 1 */
    sim_target_set_nrst(session->stm32->target, true);
    sim_target_set_nrst(session->stm32->target, false);

    uint8_t data[6];
    assert_int_not_equal(adi_mem_read(&session->ap, FLASH_BASE + 0x200, data, sizeof data, 1), STATUS_OK);
    print_message("debug read under RDP 1: %s\n", sim_session_error(session));
    uint32_t idcode;
    assert_int_equal(adi_mem_read32(&session->ap, 0xE0042000, &idcode), STATUS_OK);
    assert_int_equal(idcode & 0xFFF, 0x410);
    uint32_t sram_word;
    assert_int_equal(adi_mem_read32(&session->ap, 0x20000000, &sram_word), STATUS_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_streamed_halfwords_are_paced_by_tprog_through_wait, setup, teardown),
        cmocka_unit_test_setup_teardown(test_locked_flash_store_faults_and_changes_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_wrong_key_faults_and_locks_out_until_reset, setup, teardown),
        cmocka_unit_test_setup_teardown(test_read_protection_hides_flash_from_the_debugger, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
