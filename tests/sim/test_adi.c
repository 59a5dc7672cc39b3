/*
 * test_adi.c - src/adi against the simulated STM32, through the core's per-bit path and the port's packet routine.
 * The simulator's memory is the ground truth: what the host wrote is checked there, not only by reading it back.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sim_session.h"

#define SRAM_BASE 0x20000000u
#define SRAM_SIZE (20u * 1024u)

struct fixture {
    struct sim_session session;
    unsigned tar_writes;
    unsigned yields_before_cancel; /* 0: never cancel */
    unsigned yields;
    struct sim_memory *extra; /* a memory a test maps; freed after the target */
};

static void count_tar_writes(void *user, const struct swd_trace_event *event)
{
    struct fixture *fixture = user;
    if (event->kind == SWD_TRACE_PACKET && event->port == SWD_AP && !event->read && event->addr == ADI_AP_TAR &&
        event->ack == HAL_SWD_ACK_OK)
        fixture->tar_writes++;
}

static int fixture_setup(void **state, bool whole_packet)
{
    struct fixture *fixture = calloc(1, sizeof *fixture);
    assert_non_null(fixture);
    assert_true(sim_session_create(&fixture->session, "stm32f103c8", whole_packet));
    assert_int_equal(sim_session_attach(&fixture->session), STATUS_OK);
    fixture->session.swd.trace = count_tar_writes;
    fixture->session.swd.trace_user = fixture;
    *state = fixture;
    return 0;
}

static int setup_per_bit(void **state)
{
    return fixture_setup(state, false);
}

static int setup_whole_packet(void **state)
{
    return fixture_setup(state, true);
}

static int teardown(void **state)
{
    struct fixture *fixture = *state;
    assert_int_equal(sim_target_wire_stats(fixture->session.stm32->target)->contention_cycles, 0);
    sim_session_destroy(&fixture->session);
    sim_memory_destroy(fixture->extra);
    free(fixture);
    return 0;
}

static uint8_t *sram(struct fixture *fixture)
{
    return sim_memory_data(fixture->session.stm32->sram);
}

static void fill_random(uint8_t *data, size_t len, unsigned seed)
{
    srand(seed);
    for (size_t i = 0; i < len; i++)
        data[i] = (uint8_t)rand();
}

static void test_attach_identifies_the_debug_port_and_powers_it_up(void **state)
{
    struct fixture *fixture = *state;
    struct adi_dp *dp = &fixture->session.dp;
    assert_int_equal(dp->dpidr, 0x1BA01477);
    struct adi_dpidr_fields id = adi_dpidr_decode(dp->dpidr);
    assert_int_equal(id.designer, ADI_DESIGNER_ARM);
    assert_int_equal(id.version, 1);
    assert_int_equal(id.partno, 0xBA);
    uint32_t ctrl_stat;
    assert_int_equal(adi_dp_read(dp, ADI_DP_CTRL_STAT, &ctrl_stat), STATUS_OK);
    assert_int_equal(ctrl_stat & ADI_CTRL_STAT_POWERUP_ACK, ADI_CTRL_STAT_POWERUP_ACK);
    assert_int_equal(ctrl_stat & ADI_CTRL_STAT_STICKY_FLAGS, 0);
}

static void test_mem_ap_discovery_reads_identity_and_sub_word_support(void **state)
{
    struct fixture *fixture = *state;
    struct adi_mem_ap *ap = &fixture->session.ap;
    assert_int_equal(ap->apsel, 0);
    assert_int_equal(ap->idr, 0x24770011);
    assert_string_equal(adi_ap_type_name(ap->idr), "AHB3");
    assert_int_equal(ap->base, 0xE00FF003);
    assert_true(ap->sub_word);
}

static void test_single_accesses_travel_on_their_byte_lanes(void **state)
{
    struct fixture *fixture = *state;
    struct adi_mem_ap *ap = &fixture->session.ap;
    uint8_t *memory = sram(fixture);
    memset(memory, 0, 16);
    for (uint32_t i = 0; i < 4; i++)
        assert_int_equal(adi_mem_write8(ap, SRAM_BASE + i, (uint8_t)(0x11 * (i + 1))), STATUS_OK);
    assert_int_equal(adi_mem_write16(ap, SRAM_BASE + 4, 0xBEEF), STATUS_OK);
    assert_int_equal(adi_mem_write16(ap, SRAM_BASE + 6, 0xDEAD), STATUS_OK);
    assert_int_equal(adi_mem_write32(ap, SRAM_BASE + 8, 0x01234567), STATUS_OK);
    static const uint8_t expected[12] = {0x11, 0x22, 0x33, 0x44, 0xEF, 0xBE, 0xAD, 0xDE, 0x67, 0x45, 0x23, 0x01};
    assert_memory_equal(memory, expected, sizeof expected);

    for (uint32_t i = 0; i < 4; i++) {
        uint8_t byte;
        assert_int_equal(adi_mem_read8(ap, SRAM_BASE + i, &byte), STATUS_OK);
        assert_int_equal(byte, 0x11 * (i + 1));
    }
    uint16_t half;
    assert_int_equal(adi_mem_read16(ap, SRAM_BASE + 6, &half), STATUS_OK);
    assert_int_equal(half, 0xDEAD);
    uint32_t word;
    assert_int_equal(adi_mem_read32(ap, SRAM_BASE + 4, &word), STATUS_OK);
    assert_int_equal(word, 0xDEADBEEF);
}

static void test_unaligned_or_odd_sized_requests_are_refused(void **state)
{
    struct fixture *fixture = *state;
    uint8_t data[8] = {0};
    assert_int_equal(adi_mem_write(&fixture->session.ap, SRAM_BASE + 2, data, 4, 4), STATUS_ALIGNMENT);
    assert_int_equal(adi_mem_read(&fixture->session.ap, SRAM_BASE, data, 3, 2), STATUS_ALIGNMENT);
    assert_int_equal(adi_mem_read(&fixture->session.ap, SRAM_BASE, data, 4, 3), STATUS_INVALID_ARGUMENT);
}

/* Blocks of every width at unaligned offsets and odd lengths, crossing 1 KB boundaries: TAR is written once per
 * 1 KB block touched and the simulator's memory holds exactly the data. */
static void test_blocks_cross_1k_boundaries_with_one_tar_write_per_block(void **state)
{
    struct fixture *fixture = *state;
    struct adi_mem_ap *ap = &fixture->session.ap;
    static const struct {
        uint32_t offset, len;
        unsigned width;
    } cases[] = {
        {0x3F0, 0x20, 4}, {0x000, 0x400, 4}, {0x004, 0x1000, 4}, {0x3FE, 0x406, 2},
        {0x7FF, 0x803, 1}, {0x1234, 0x2468, 4}, {0x4000, 0x1000, 2}, {0x0, 4, 4},
    };
    static uint8_t data[SRAM_SIZE], back[SRAM_SIZE];
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        uint32_t addr = SRAM_BASE + cases[c].offset, len = cases[c].len;
        unsigned blocks = (unsigned)((addr + len - 1) / 0x400 - addr / 0x400 + 1);
        fill_random(data, len, (unsigned)c + 1);
        memset(sram(fixture), 0, SRAM_SIZE);

        ap->tar_valid = false;
        fixture->tar_writes = 0;
        assert_int_equal(adi_mem_write(ap, addr, data, len, cases[c].width), STATUS_OK);
        assert_int_equal(fixture->tar_writes, blocks);
        assert_memory_equal(sram(fixture) + cases[c].offset, data, len);
        if (cases[c].offset + len < SRAM_SIZE)
            assert_int_equal(sram(fixture)[cases[c].offset + len], 0); /* nothing past the end */

        ap->tar_valid = false;
        fixture->tar_writes = 0;
        memset(back, 0, len);
        assert_int_equal(adi_mem_read(ap, addr, back, len, cases[c].width), STATUS_OK);
        assert_int_equal(fixture->tar_writes, blocks);
        assert_memory_equal(back, data, len);
    }
}

static void test_block_transfers_cost_at_most_47_swclk_cycles_per_word(void **state)
{
    struct fixture *fixture = *state;
    struct sim_target *target = fixture->session.stm32->target;
    static uint8_t data[16 * 1024];
    fill_random(data, sizeof data, 7);
    const unsigned words = sizeof data / 4;

    uint64_t before = sim_target_swclk_cycles(target);
    assert_int_equal(adi_mem_write(&fixture->session.ap, SRAM_BASE, data, sizeof data, 4), STATUS_OK);
    uint64_t write_cycles = sim_target_swclk_cycles(target) - before;
    before = sim_target_swclk_cycles(target);
    assert_int_equal(adi_mem_read(&fixture->session.ap, SRAM_BASE, data, sizeof data, 4), STATUS_OK);
    uint64_t read_cycles = sim_target_swclk_cycles(target) - before;

    assert_true(write_cycles <= 47u * words);
    assert_true(read_cycles <= 47u * words);
    assert_true(write_cycles >= 46u * words); /* nothing is skipped either */
}

static void test_unmapped_address_is_a_bus_error_naming_the_address(void **state)
{
    struct fixture *fixture = *state;
    uint32_t value;
    assert_int_equal(adi_mem_read32(&fixture->session.ap, 0x30000000, &value), STATUS_BUS_ERROR);
    assert_non_null(strstr(fixture->session.report.detail, "0x30000000"));
    assert_non_null(strstr(sim_session_error(&fixture->session), "not mapped"));
    assert_int_equal(adi_mem_write32(&fixture->session.ap, 0x30000010, 1), STATUS_BUS_ERROR);
    assert_non_null(strstr(fixture->session.report.detail, "0x30000010"));
    /* The sticky error was cleared: the next access works. */
    assert_int_equal(adi_mem_read32(&fixture->session.ap, SRAM_BASE, &value), STATUS_OK);
}

static void test_bus_error_inside_a_block_names_the_first_failing_word(void **state)
{
    struct fixture *fixture = *state;
    uint8_t data[64] = {0};
    uint32_t start = SRAM_BASE + SRAM_SIZE - 16;
    assert_int_equal(adi_mem_read(&fixture->session.ap, start, data, sizeof data, 4), STATUS_BUS_ERROR);
    assert_non_null(strstr(fixture->session.report.detail, "reading 0x20005000"));
    assert_int_equal(adi_mem_write(&fixture->session.ap, start, data, sizeof data, 4), STATUS_BUS_ERROR);
    assert_non_null(strstr(fixture->session.report.detail, "writing 0x20005000"));
    /* The words before the failure were written. */
    memset(sram(fixture) + SRAM_SIZE - 16, 0xAA, 16);
    assert_int_equal(adi_mem_write(&fixture->session.ap, start, data, sizeof data, 4), STATUS_BUS_ERROR);
    for (unsigned i = 0; i < 16; i++)
        assert_int_equal(sram(fixture)[SRAM_SIZE - 16 + i], 0);
}

static void test_slow_memory_is_waited_for(void **state)
{
    struct fixture *fixture = *state;
    struct sim_memory *slow = fixture->extra = sim_memory_create(4096, true);
    assert_non_null(slow);
    sim_memory_set_latency_ps(slow, 20u * 1000u * 1000u); /* 20 us: a few WAITs per access at 4 MHz */
    assert_true(sim_memory_map(slow, sim_target_bus(fixture->session.stm32->target), 0x60000000, "slow"));
    uint8_t data[256], back[256];
    fill_random(data, sizeof data, 3);
    uint32_t waits_before = fixture->session.swd.stats.waits;
    assert_int_equal(adi_mem_write(&fixture->session.ap, 0x60000000, data, sizeof data, 4), STATUS_OK);
    assert_int_equal(adi_mem_read(&fixture->session.ap, 0x60000000, back, sizeof back, 4), STATUS_OK);
    assert_memory_equal(back, data, sizeof data);
    assert_memory_equal(sim_memory_data(slow), data, sizeof data);
    assert_true(fixture->session.swd.stats.waits - waits_before > 2 * 64);
}

static void test_stalled_bus_times_out_and_dapabort_frees_the_port(void **state)
{
    struct fixture *fixture = *state;
    struct sim_memory *stuck = fixture->extra = sim_memory_create(4096, true);
    assert_non_null(stuck);
    sim_memory_set_latency_ps(stuck, UINT64_C(10) * 1000 * 1000 * 1000 * 1000); /* 10 s */
    assert_true(sim_memory_map(stuck, sim_target_bus(fixture->session.stm32->target), 0x60000000, "stuck"));
    struct sim_target *target = fixture->session.stm32->target;
    uint64_t start_ps = sim_target_now_ps(target);
    uint32_t value;
    assert_int_equal(adi_mem_read32(&fixture->session.ap, 0x60000000, &value), STATUS_WAIT_TIMEOUT);
    uint64_t elapsed_ms = (sim_target_now_ps(target) - start_ps) / 1000000000u;
    assert_in_range(elapsed_ms, 250, 260);
    assert_non_null(strstr(fixture->session.report.detail, "0x60000000"));
    assert_int_equal(fixture->session.dp.stats.aborts, 1);
    assert_int_equal(adi_mem_read32(&fixture->session.ap, SRAM_BASE, &value), STATUS_OK);
}

static void test_lost_debug_power_is_restored_by_recovery(void **state)
{
    struct fixture *fixture = *state;
    assert_int_equal(adi_dp_write(&fixture->session.dp, ADI_DP_CTRL_STAT, 0), STATUS_OK);
    sram(fixture)[0] = 0x5A;
    uint8_t byte = 0;
    assert_int_equal(adi_mem_read8(&fixture->session.ap, SRAM_BASE, &byte), STATUS_OK);
    assert_int_equal(byte, 0x5A);
    assert_true(fixture->session.dp.stats.recoveries >= 1);
}

static void test_attach_clears_sticky_flags_left_behind(void **state)
{
    struct fixture *fixture = *state;
    /* A raw AP read of an unmapped address, never cleared: STICKYERR stays set as another tool might leave it. */
    struct swd *swd = &fixture->session.swd;
    uint32_t value;
    assert_int_equal(swd_write(swd, SWD_AP, ADI_AP_TAR, 0x30000000), STATUS_OK);
    assert_int_equal(swd_read(swd, SWD_AP, ADI_AP_DRW, &value), STATUS_OK);
    assert_int_equal(swd_read(swd, SWD_DP, 0xC, &value), STATUS_FAULT);
    assert_int_equal(sim_session_attach(&fixture->session), STATUS_OK);
    assert_int_equal(adi_mem_read32(&fixture->session.ap, SRAM_BASE, &value), STATUS_OK);
}

static bool cancel_after_some_yields(void *ctx)
{
    struct fixture *fixture = ctx;
    return ++fixture->yields > fixture->yields_before_cancel;
}

static void test_cancellation_stops_a_long_transfer(void **state)
{
    struct fixture *fixture = *state;
    static uint8_t data[16 * 1024];
    fixture->session.port.system.yield = cancel_after_some_yields;
    fixture->session.port.system.ctx = fixture;
    fixture->yields_before_cancel = 3;
    assert_int_equal(adi_mem_read(&fixture->session.ap, SRAM_BASE, data, sizeof data, 4), STATUS_CANCELLED);
    assert_int_equal(fixture->yields, 4); /* one yield per 1 KB block: it stopped at the fourth */
}

/* ---- the H7's APB-AP (AP2) onto the APB-D debug bus ---- */

#define H7_DBGMCU_CPU     0x5C001000u /* the DBGMCU as the core (and AP0) reach it */
#define H7_DBGMCU_APBD    0xE00E1000u /* the same registers through AP2 */
#define H7_SWTF_APBD      0xE00E4000u
#define H7_APBD_ROM_TABLE 0xE00E0000u
#define DBGMCU_CR         0x04u
#define DBGMCU_APB4FZ1    0x54u
#define DBG_IWDG1         (1u << 18)

static int setup_h7(void **state)
{
    struct fixture *fixture = calloc(1, sizeof *fixture);
    assert_non_null(fixture);
    assert_true(sim_session_create(&fixture->session, "stm32h743zi", false));
    assert_int_equal(sim_session_attach(&fixture->session), STATUS_OK);
    *state = fixture;
    return 0;
}

static void open_ap2(struct fixture *fixture, struct adi_mem_ap *ap2)
{
    assert_int_equal(adi_mem_ap_open(ap2, &fixture->session.dp, 2), STATUS_OK);
}

static void expect_word(struct adi_mem_ap *ap, uint32_t addr, uint32_t expected)
{
    uint32_t value;
    assert_int_equal(adi_mem_read32(ap, addr, &value), STATUS_OK);
    assert_int_equal(value, expected);
}

static void test_h7_has_an_apb_ap_at_ap2_and_none_at_ap1(void **state)
{
    struct fixture *fixture = *state;
    struct adi_mem_ap ap2;
    open_ap2(fixture, &ap2);
    assert_int_equal(ap2.idr, 0x54770002);
    assert_string_equal(adi_ap_type_name(ap2.idr), "APB");
    assert_int_equal(ap2.base, H7_APBD_ROM_TABLE | 3u);
    assert_false(ap2.sub_word);
    /* The core's own AHB-AP is still the one the host picks. */
    assert_int_equal(fixture->session.ap.apsel, 0);
    struct adi_mem_ap ap1;
    assert_int_equal(adi_mem_ap_open(&ap1, &fixture->session.dp, 1), STATUS_NO_MEM_AP);
}

static void test_h7_apb_ap_csw_keeps_dbgswenable_and_word_transfers_only(void **state)
{
    struct fixture *fixture = *state;
    struct adi_dp *dp = &fixture->session.dp;
    uint32_t csw;
    assert_int_equal(adi_ap_read(dp, 2, ADI_AP_CSW, &csw), STATUS_OK);
    assert_int_equal(csw & 0xFF000000u, 0x80000000u); /* DbgSwEnable set out of reset */
    assert_int_equal(adi_ap_write(dp, 2, ADI_AP_CSW, 0x7F000000u | ADI_CSW_ADDRINC_SINGLE | ADI_CSW_SIZE_8),
                     STATUS_OK);
    assert_int_equal(adi_ap_read(dp, 2, ADI_AP_CSW, &csw), STATUS_OK);
    assert_int_equal(csw, ADI_CSW_DEVICEEN | ADI_CSW_ADDRINC_SINGLE | ADI_CSW_SIZE_32); /* no Prot, no bytes */
    assert_int_equal(adi_ap_write(dp, 2, ADI_AP_CSW, 0x80000000u | ADI_CSW_SIZE_32), STATUS_OK);
    assert_int_equal(adi_ap_read(dp, 2, ADI_AP_CSW, &csw), STATUS_OK);
    assert_int_equal(csw, 0x80000000u | ADI_CSW_DEVICEEN | ADI_CSW_SIZE_32);
}

static void test_h7_ap2_and_the_core_share_the_dbgmcu(void **state)
{
    struct fixture *fixture = *state;
    struct adi_mem_ap ap2;
    open_ap2(fixture, &ap2);
    struct adi_mem_ap *ap0 = &fixture->session.ap;
    expect_word(&ap2, H7_DBGMCU_APBD, fixture->session.stm32->part->dbgmcu_idcode);

    assert_int_equal(adi_mem_write32(&ap2, H7_DBGMCU_APBD + DBGMCU_CR, 0x0070003F), STATUS_OK);
    expect_word(ap0, H7_DBGMCU_CPU + DBGMCU_CR, 0x0070003F);
    assert_int_equal(sim_dbgmcu_cr(fixture->session.stm32->dbgmcu), 0x0070003F);

    /* The watchdog freeze written through AP2 is the one the IWDG obeys. */
    assert_false(sim_dbgmcu_freezes_iwdg(fixture->session.stm32->dbgmcu));
    assert_int_equal(adi_mem_write32(&ap2, H7_DBGMCU_APBD + DBGMCU_APB4FZ1, DBG_IWDG1), STATUS_OK);
    assert_true(sim_dbgmcu_freezes_iwdg(fixture->session.stm32->dbgmcu));
    assert_int_equal(adi_mem_write32(ap0, H7_DBGMCU_CPU + DBGMCU_APB4FZ1, 0), STATUS_OK);
    expect_word(&ap2, H7_DBGMCU_APBD + DBGMCU_APB4FZ1, 0);
}

static void test_h7_swo_funnel_is_debug_domain_storage(void **state)
{
    struct fixture *fixture = *state;
    struct adi_mem_ap ap2;
    open_ap2(fixture, &ap2);
    expect_word(&ap2, H7_SWTF_APBD, 0x300); /* HT 3, no port enabled */
    assert_int_equal(adi_mem_write32(&ap2, H7_SWTF_APBD, 0xFFFFFFFF), STATUS_OK);
    expect_word(&ap2, H7_SWTF_APBD, 0xF03);
    sim_stm32_system_reset(fixture->session.stm32, "test", sim_stm32_now_ps(fixture->session.stm32));
    expect_word(&ap2, H7_SWTF_APBD, 0xF03);
    sim_stm32_power_on_reset(fixture->session.stm32);
    expect_word(&ap2, H7_SWTF_APBD, 0x300);
}

static void test_h7_unmodelled_apb_d_is_a_bus_error_and_not_the_system_bus(void **state)
{
    struct fixture *fixture = *state;
    struct adi_mem_ap ap2;
    open_ap2(fixture, &ap2);
    uint32_t value;
    assert_int_equal(adi_mem_read32(&ap2, H7_APBD_ROM_TABLE, &value), STATUS_BUS_ERROR);
    /* AP2 reaches the debug bus only: flash and SRAM are not behind it. */
    assert_int_equal(adi_mem_read32(&ap2, 0x08000000, &value), STATUS_BUS_ERROR);
    assert_int_equal(adi_mem_read32(&ap2, H7_DBGMCU_APBD, &value), STATUS_OK);
}

static void test_parts_without_one_have_no_ap2(void **state)
{
    struct fixture *fixture = *state;
    struct adi_mem_ap ap2;
    assert_int_equal(adi_mem_ap_open(&ap2, &fixture->session.dp, 2), STATUS_NO_MEM_AP);
}

int main(void)
{
#define ADI_TESTS(setup)                                                                                           \
    cmocka_unit_test_setup_teardown(test_attach_identifies_the_debug_port_and_powers_it_up, setup, teardown),    \
        cmocka_unit_test_setup_teardown(test_mem_ap_discovery_reads_identity_and_sub_word_support, setup,        \
                                        teardown),                                                               \
        cmocka_unit_test_setup_teardown(test_single_accesses_travel_on_their_byte_lanes, setup, teardown),       \
        cmocka_unit_test_setup_teardown(test_unaligned_or_odd_sized_requests_are_refused, setup, teardown),      \
        cmocka_unit_test_setup_teardown(test_blocks_cross_1k_boundaries_with_one_tar_write_per_block, setup,     \
                                        teardown),                                                               \
        cmocka_unit_test_setup_teardown(test_block_transfers_cost_at_most_47_swclk_cycles_per_word, setup,       \
                                        teardown),                                                               \
        cmocka_unit_test_setup_teardown(test_unmapped_address_is_a_bus_error_naming_the_address, setup,          \
                                        teardown),                                                               \
        cmocka_unit_test_setup_teardown(test_bus_error_inside_a_block_names_the_first_failing_word, setup,       \
                                        teardown),                                                               \
        cmocka_unit_test_setup_teardown(test_slow_memory_is_waited_for, setup, teardown),                        \
        cmocka_unit_test_setup_teardown(test_stalled_bus_times_out_and_dapabort_frees_the_port, setup,           \
                                        teardown),                                                               \
        cmocka_unit_test_setup_teardown(test_lost_debug_power_is_restored_by_recovery, setup, teardown),         \
        cmocka_unit_test_setup_teardown(test_attach_clears_sticky_flags_left_behind, setup, teardown),           \
        cmocka_unit_test_setup_teardown(test_cancellation_stops_a_long_transfer, setup, teardown),               \
        cmocka_unit_test_setup_teardown(test_parts_without_one_have_no_ap2, setup, teardown)

    const struct CMUnitTest per_bit[] = {ADI_TESTS(setup_per_bit)};
    const struct CMUnitTest whole_packet[] = {ADI_TESTS(setup_whole_packet)};
    int failures = cmocka_run_group_tests_name("adi over the per-bit path", per_bit, NULL, NULL);
    failures += cmocka_run_group_tests_name("adi over the port's packet routine", whole_packet, NULL, NULL);
    const struct CMUnitTest h7[] = {
        cmocka_unit_test_setup_teardown(test_h7_has_an_apb_ap_at_ap2_and_none_at_ap1, setup_h7, teardown),
        cmocka_unit_test_setup_teardown(test_h7_apb_ap_csw_keeps_dbgswenable_and_word_transfers_only, setup_h7,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_h7_ap2_and_the_core_share_the_dbgmcu, setup_h7, teardown),
        cmocka_unit_test_setup_teardown(test_h7_swo_funnel_is_debug_domain_storage, setup_h7, teardown),
        cmocka_unit_test_setup_teardown(test_h7_unmodelled_apb_d_is_a_bus_error_and_not_the_system_bus, setup_h7,
                                        teardown),
    };
    failures += cmocka_run_group_tests_name("the H7's APB-AP onto APB-D", h7, NULL, NULL);
    return failures;
}
