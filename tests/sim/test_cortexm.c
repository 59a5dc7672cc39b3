/*
 * test_cortexm.c - src/cortexm against the simulated parts: a Cortex-M3 (STM32F103C8), a Cortex-M4F (STM32F411CE)
 * and a Cortex-M0+ (STM32G071RB). Every test runs on each of them.
 *
 * The simulator is the ground truth: the core's state is checked there (sim_cortexm_reg, sim_cortexm_state), the
 * firmware's output is what its USART shifted out, and resets are the chip's own reset events. Tests that need the
 * example firmware (examples/firmware, built when arm-none-eabi-gcc is installed) are skipped without it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cortexm/cortexm.h"
#include "cortexm/cortexm_regs.h"
#include "sim_session.h"
#include "test_skip.h"

#define PS_PER_MS      1000000000ull
#define FLASH_BASE     0x08000000u
#define SRAM_BASE      0x20000000u
#define CODE_ADDR      (SRAM_BASE + 0x400u) /* routines are written here */
#define DATA_ADDR      (SRAM_BASE + 0x800u)
#define STACK_TOP      (SRAM_BASE + 0x1000u)
#define VECTOR_SYSTICK 15u

/* Thumb instructions of the test routines. */
#define THUMB_ADDS_R0_R0_R1 0x1840u
#define THUMB_LDR_R0_R1     0x6808u /* ldr r0, [r1] */
#define THUMB_STR_R1_R0     0x6001u /* str r1, [r0] */
#define THUMB_ADDS_R2_1     0x3201u
#define THUMB_SUBS_R0_1     0x3801u
#define THUMB_BNE_MINUS_8   0xD1FCu /* back two instructions */
#define THUMB_MOVS_R0_R2    0x0010u
#define THUMB_MOVS_R0_1     0x2001u
#define THUMB_MOVS_R0_2     0x2002u
#define THUMB_B_SELF        0xE7FEu
#define THUMB_BX_LR         0x4770u
#define THUMB_BKPT_0        0xBE00u

struct board {
    const char *part, *family;
    bool armv6m, fpu;
    unsigned fpb_comparators, dwt_comparators;
};

static const struct board f103 = {"stm32f103c8", "f1", false, false, 6, 4};
static const struct board f411 = {"stm32f411ce", "f4", false, true, 6, 4};
static const struct board g071 = {"stm32g071rb", "g0", true, false, 4, 2};

struct fixture {
    const struct board *board;
    struct sim_session session;
    struct cortexm core;
    char uart[256];
    size_t uart_len;
    unsigned resets;
    char last_reset_cause[32];
    /* A system whose yield asks for cancellation after a number of calls. */
    struct hal_system cancelling;
    unsigned yields, yields_before_cancel;
};

/* ---- fixture ---- */

static void on_uart(void *ctx, unsigned usart, uint8_t byte, uint64_t at_ps)
{
    struct fixture *fixture = ctx;
    (void)usart;
    (void)at_ps;
    if (fixture->uart_len + 1 < sizeof fixture->uart)
        fixture->uart[fixture->uart_len++] = (char)byte;
}

static void on_reset(void *ctx, const char *cause, bool into_bootloader, uint64_t at_ps)
{
    struct fixture *fixture = ctx;
    (void)into_bootloader;
    (void)at_ps;
    fixture->resets++;
    snprintf(fixture->last_reset_cause, sizeof fixture->last_reset_cause, "%s", cause);
}

static int setup(void **state)
{
    struct fixture *fixture = calloc(1, sizeof *fixture);
    assert_non_null(fixture);
    fixture->board = *state;
    assert_true(sim_session_create(&fixture->session, fixture->board->part, true));
    struct sim_stm32_events events = {.ctx = fixture, .uart_tx = on_uart, .reset = on_reset};
    sim_stm32_set_events(fixture->session.stm32, &events);
    *state = fixture;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *fixture = *state;
    sim_session_destroy(&fixture->session);
    free(fixture);
    return 0;
}

static void clear_uart(struct fixture *fixture)
{
    fixture->uart_len = 0;
    memset(fixture->uart, 0, sizeof fixture->uart);
}

static void run_ms(struct fixture *fixture, unsigned ms)
{
    for (unsigned i = 0; i < ms; i++)
        sim_stm32_run_for(fixture->session.stm32, PS_PER_MS);
}

/* Attaches the wire, the MEM-AP and the core, with the port's NRST. */
static void attach(struct fixture *fixture)
{
    struct sim_session *session = &fixture->session;
    assert_int_equal(sim_session_attach(session), STATUS_OK);
    enum status status =
        cortexm_attach(&fixture->core, &session->ap, &session->port.system, &session->port.pins, &session->report);
    if (status != STATUS_OK)
        fail_msg("%s", sim_session_error(session));
}

/* Loads build/examples/firmware/<family>/hello_<family>.bin into the flash array and powers the chip on, so that it
 * runs the firmware; false when the firmware was not built. */
static bool boot_firmware(struct fixture *fixture)
{
    struct sim_stm32 *stm32 = fixture->session.stm32;
    const char *build = getenv("AIRSWD_BINARY_DIR");
    char path[512];
    snprintf(path, sizeof path, "%s/examples/firmware/%s/hello_%s.bin", build ? build : ".", fixture->board->family,
             fixture->board->family);
    FILE *file = fopen(path, "rb");
    if (file == NULL) {
        print_message("%s: not built\n", path);
        return false;
    }
    size_t size = fread(sim_flash_array(stm32->flash), 1, sim_flash_size(stm32->flash), file);
    fclose(file);
    assert_true(size > 64);
    sim_stm32_power_on_reset(stm32);
    return true;
}

#define BOOT_FIRMWARE_OR_SKIP(fixture)                                                                                 \
    do {                                                                                                               \
        if (!boot_firmware(fixture))                                                                                   \
            SKIP_TEST("example firmware not built (arm-none-eabi-gcc missing)");                                      \
    } while (0)

/* Word n of the firmware's vector table, as flashed. */
static uint32_t vector(struct fixture *fixture, unsigned n)
{
    const uint8_t *flash = sim_flash_array(fixture->session.stm32->flash) + 4 * n;
    return (uint32_t)flash[0] | (uint32_t)flash[1] << 8 | (uint32_t)flash[2] << 16 | (uint32_t)flash[3] << 24;
}

static uint32_t sim_reg(struct fixture *fixture, unsigned reg)
{
    return sim_cortexm_reg(fixture->session.stm32->cpu, reg);
}

static enum sim_cortexm_state sim_state(struct fixture *fixture)
{
    return sim_cortexm_state(fixture->session.stm32->cpu);
}

static uint32_t read32(struct fixture *fixture, uint32_t addr)
{
    uint32_t value;
    assert_int_equal(adi_mem_read32(&fixture->session.ap, addr, &value), STATUS_OK);
    return value;
}

static bool is_halted(struct fixture *fixture)
{
    bool halted;
    assert_int_equal(cortexm_is_halted(&fixture->core, &halted), STATUS_OK);
    return halted;
}

static enum cortexm_halt_reason halt_reason(struct fixture *fixture)
{
    enum cortexm_halt_reason reason;
    assert_int_equal(cortexm_halt_reason(&fixture->core, &reason), STATUS_OK);
    return reason;
}

static uint32_t read_reg(struct fixture *fixture, unsigned reg)
{
    uint32_t value;
    enum status status = cortexm_read_reg(&fixture->core, reg, &value);
    if (status != STATUS_OK)
        fail_msg("register %u: %s", reg, sim_session_error(&fixture->session));
    return value;
}

static void expect_ok(struct fixture *fixture, enum status status)
{
    if (status != STATUS_OK)
        fail_msg("%s", sim_session_error(&fixture->session));
}

/* Writes a routine (Thumb halfwords) at CODE_ADDR through the MEM-AP. */
static void write_code(struct fixture *fixture, const uint16_t *code, size_t count)
{
    uint8_t bytes[64];
    assert_true(count * 2 <= sizeof bytes && count % 2 == 0);
    for (size_t i = 0; i < count; i++) {
        bytes[2 * i] = (uint8_t)code[i];
        bytes[2 * i + 1] = (uint8_t)(code[i] >> 8);
    }
    assert_int_equal(adi_mem_write(&fixture->session.ap, CODE_ADDR, bytes, count * 2, 4), STATUS_OK);
}

/* Puts a vector table in flash whose every entry but the stack pointer leads to a `b .` loop, and powers the chip on:
 * the smallest firmware. */
static void program_vector_table(struct fixture *fixture)
{
    struct sim_stm32 *stm32 = fixture->session.stm32;
    uint8_t *flash = sim_flash_array(stm32->flash);
    const uint32_t loop = FLASH_BASE + 0x40u;
    for (unsigned n = 0; n < 16; n++) {
        uint32_t entry = n == 0 ? STACK_TOP : loop | 1u;
        for (unsigned i = 0; i < 4; i++)
            flash[4 * n + i] = (uint8_t)(entry >> (8 * i));
    }
    flash[0x40] = (uint8_t)THUMB_B_SELF;
    flash[0x41] = (uint8_t)(THUMB_B_SELF >> 8);
    sim_stm32_power_on_reset(stm32);
}

/* A halted core with no firmware: reset-halt of a blank part. */
static void attach_halted(struct fixture *fixture)
{
    attach(fixture);
    expect_ok(fixture, cortexm_reset_halt(&fixture->core, CORTEXM_RESET_SYSRESETREQ));
}

static bool detail_has(struct fixture *fixture, const char *text)
{
    if (strstr(fixture->session.report.detail, text) != NULL)
        return true;
    print_message("detail \"%s\" lacks \"%s\"\n", fixture->session.report.detail, text);
    return false;
}

/* ---- attach ---- */

static void test_attach_reads_the_cpuid_and_the_debug_units(void **state)
{
    struct fixture *fixture = *state;
    attach(fixture);
    struct cortexm *core = &fixture->core;
    assert_int_equal(core->cpuid, fixture->session.stm32->part->cpuid);
    assert_int_equal(core->armv6m, fixture->board->armv6m);
    assert_false(core->armv8m);
    assert_int_equal(core->has_fpu, fixture->board->fpu);
    assert_int_equal(core->fpb_comparators, fixture->board->fpb_comparators);
    assert_int_equal(core->fpb_revision, 0);
    assert_int_equal(core->dwt_comparators, fixture->board->dwt_comparators);
    print_message("%s: %s, CPUID 0x%08X\n", fixture->board->part, cortexm_core_name(core->cpuid),
                  (unsigned)core->cpuid);
    uint32_t dhcsr = read32(fixture, CORTEXM_DHCSR);
    assert_true(dhcsr & CORTEXM_DHCSR_C_DEBUGEN);
    assert_true(read32(fixture, CORTEXM_DEMCR) & CORTEXM_DEMCR_TRCENA);
}

static void test_attach_keeps_a_running_core_running(void **state)
{
    struct fixture *fixture = *state;
    BOOT_FIRMWARE_OR_SKIP(fixture);
    run_ms(fixture, 20);
    attach(fixture);
    assert_false(is_halted(fixture));
    assert_int_not_equal(sim_state(fixture), SIM_CORTEXM_HALTED);
}

/* ---- run control ---- */

static void test_halt_stops_the_firmware_in_flash_and_resume_lets_it_go_on(void **state)
{
    struct fixture *fixture = *state;
    BOOT_FIRMWARE_OR_SKIP(fixture);
    run_ms(fixture, 20);
    assert_non_null(strstr(fixture->uart, "hello from airswd"));
    attach(fixture);
    uint32_t flash_end = FLASH_BASE + fixture->session.stm32->part->flash_size;

    for (unsigned round = 0; round < 2; round++) {
        expect_ok(fixture, cortexm_halt(&fixture->core));
        assert_true(is_halted(fixture));
        assert_int_equal(sim_state(fixture), SIM_CORTEXM_HALTED);
        assert_int_equal(halt_reason(fixture), CORTEXM_HALT_REQUEST);
        uint32_t pc = read_reg(fixture, CORTEXM_REG_PC);
        assert_int_equal(pc, sim_reg(fixture, CORTEXM_REG_PC));
        assert_true(pc >= FLASH_BASE && pc < flash_end);
        /* Halted, time passes without the core. */
        run_ms(fixture, 5);
        assert_int_equal(read_reg(fixture, CORTEXM_REG_PC), pc);

        expect_ok(fixture, cortexm_resume(&fixture->core));
        assert_int_equal(halt_reason(fixture), CORTEXM_HALT_NONE);
        run_ms(fixture, 5);
        assert_false(is_halted(fixture));
        /* Halting a halted core is harmless. */
        expect_ok(fixture, cortexm_halt(&fixture->core));
        expect_ok(fixture, cortexm_halt(&fixture->core));
        expect_ok(fixture, cortexm_resume(&fixture->core));
    }
}

static void test_halt_of_a_core_held_in_reset_says_so(void **state)
{
    struct fixture *fixture = *state;
    attach(fixture);
    sim_target_set_nrst(fixture->session.stm32->target, true);
    enum status status = cortexm_halt(&fixture->core);
    sim_target_set_nrst(fixture->session.stm32->target, false);
    assert_int_equal(status, STATUS_TIMEOUT);
    print_message("%s\n", sim_session_error(&fixture->session));
    assert_true(detail_has(fixture, "held in reset"));
    /* Released, the chip resets and the halt request (which survives the reset) stops it. */
    expect_ok(fixture, cortexm_halt(&fixture->core));
}

static void test_step_executes_one_instruction(void **state)
{
    struct fixture *fixture = *state;
    attach_halted(fixture);
    static const uint16_t code[] = {THUMB_MOVS_R0_1, THUMB_MOVS_R0_2, THUMB_B_SELF, THUMB_B_SELF};
    write_code(fixture, code, 4);
    expect_ok(fixture, cortexm_write_reg(&fixture->core, CORTEXM_REG_PC, CODE_ADDR));
    expect_ok(fixture, cortexm_write_reg(&fixture->core, CORTEXM_REG_XPSR, CORTEXM_XPSR_THUMB));
    expect_ok(fixture, cortexm_write_reg(&fixture->core, CORTEXM_REG_SPECIAL, 1)); /* PRIMASK */
    expect_ok(fixture, cortexm_write_reg(&fixture->core, CORTEXM_REG_MSP, STACK_TOP));

    expect_ok(fixture, cortexm_step(&fixture->core));
    assert_int_equal(read_reg(fixture, CORTEXM_REG_PC), CODE_ADDR + 2);
    assert_int_equal(read_reg(fixture, CORTEXM_REG_R0), 1);
    assert_int_equal(halt_reason(fixture), CORTEXM_HALT_REQUEST);
    expect_ok(fixture, cortexm_step(&fixture->core));
    assert_int_equal(read_reg(fixture, CORTEXM_REG_PC), CODE_ADDR + 4);
    assert_int_equal(read_reg(fixture, CORTEXM_REG_R0), 2);
    /* Stepping leaves the core halted: time passes, PC stays. */
    run_ms(fixture, 1);
    assert_true(is_halted(fixture));
    assert_int_equal(read_reg(fixture, CORTEXM_REG_PC), CODE_ADDR + 4);

    expect_ok(fixture, cortexm_resume(&fixture->core));
    run_ms(fixture, 1);
    assert_int_equal(cortexm_step(&fixture->core), STATUS_CORE_NOT_HALTED);
}

/* An interrupt that is pending when the debugger steps waits for the next resume: the step runs the stopped code. */
static void test_step_runs_the_stopped_code_not_a_pending_interrupt(void **state)
{
    struct fixture *fixture = *state;
    BOOT_FIRMWARE_OR_SKIP(fixture);
    run_ms(fixture, 10); /* hello, then SysTick every millisecond */
    attach(fixture);
    expect_ok(fixture, cortexm_halt(&fixture->core));
    /* Out of the SysTick handler if the halt landed in it: into thread mode. */
    for (unsigned i = 0; i < 200 && (read_reg(fixture, CORTEXM_REG_XPSR) & CORTEXM_XPSR_IPSR_MASK) != 0; i++)
        expect_ok(fixture, cortexm_step(&fixture->core));
    assert_int_equal(read_reg(fixture, CORTEXM_REG_XPSR) & CORTEXM_XPSR_IPSR_MASK, 0);

    uint32_t handler = vector(fixture, VECTOR_SYSTICK) & ~1u;
    assert_int_equal(adi_mem_write32(&fixture->session.ap, 0xE000ED04u, 1u << 26), STATUS_OK); /* ICSR.PENDSTSET */
    expect_ok(fixture, cortexm_step(&fixture->core));
    assert_int_equal(read_reg(fixture, CORTEXM_REG_XPSR) & CORTEXM_XPSR_IPSR_MASK, 0);
    assert_int_not_equal(read_reg(fixture, CORTEXM_REG_PC), handler);
    assert_int_equal(read32(fixture, CORTEXM_DHCSR) & CORTEXM_DHCSR_C_MASKINTS, 0);

    /* The resume takes it. */
    expect_ok(fixture, cortexm_set_breakpoint(&fixture->core, 0, handler));
    expect_ok(fixture, cortexm_resume(&fixture->core));
    run_ms(fixture, 1);
    assert_true(is_halted(fixture));
    assert_int_equal(read_reg(fixture, CORTEXM_REG_PC), handler);
    expect_ok(fixture, cortexm_clear_breakpoint(&fixture->core, 0));
}

/* ---- reset ---- */

static void check_halted_at_reset_vector(struct fixture *fixture, const char *cause)
{
    assert_int_equal(sim_state(fixture), SIM_CORTEXM_HALTED);
    assert_string_equal(fixture->last_reset_cause, cause);
    assert_int_equal(read_reg(fixture, CORTEXM_REG_PC), vector(fixture, 1) & ~1u);
    assert_int_equal(read_reg(fixture, CORTEXM_REG_MSP), vector(fixture, 0));
    assert_int_equal(halt_reason(fixture), CORTEXM_HALT_VECTOR_CATCH);
    /* The catch is disarmed again, and the firmware does not run while the core stays halted. */
    assert_int_equal(read32(fixture, CORTEXM_DEMCR) & CORTEXM_DEMCR_VC_CORERESET, 0);
    run_ms(fixture, 20);
    assert_true(is_halted(fixture));
    assert_int_equal(fixture->uart_len, 0);
}

static void reset_halt_stops_at_the_reset_vector(struct fixture *fixture, enum cortexm_reset_method method,
                                                 const char *cause)
{
    BOOT_FIRMWARE_OR_SKIP(fixture);
    run_ms(fixture, 20);
    attach(fixture);
    clear_uart(fixture);
    unsigned resets = fixture->resets;
    expect_ok(fixture, cortexm_reset_halt(&fixture->core, method));
    assert_int_equal(fixture->resets, resets + 1);
    assert_true(fixture->core.reset_seen);
    check_halted_at_reset_vector(fixture, cause);

    /* Resuming from there runs the firmware from its start. */
    expect_ok(fixture, cortexm_resume(&fixture->core));
    run_ms(fixture, 20);
    assert_non_null(strstr(fixture->uart, "hello from airswd"));
}

static void test_reset_halt_by_sysresetreq_stops_at_the_reset_vector(void **state)
{
    reset_halt_stops_at_the_reset_vector(*state, CORTEXM_RESET_SYSRESETREQ, "SYSRESETREQ");
}

static void test_reset_halt_by_nrst_stops_at_the_reset_vector(void **state)
{
    reset_halt_stops_at_the_reset_vector(*state, CORTEXM_RESET_NRST, "NRST");
}

static void test_reset_halt_of_a_halted_core_still_resets_it(void **state)
{
    struct fixture *fixture = *state;
    BOOT_FIRMWARE_OR_SKIP(fixture);
    run_ms(fixture, 20);
    attach(fixture);
    expect_ok(fixture, cortexm_halt(&fixture->core));
    unsigned resets = fixture->resets;
    expect_ok(fixture, cortexm_reset_halt(&fixture->core, CORTEXM_RESET_SYSRESETREQ));
    assert_int_equal(fixture->resets, resets + 1);
    clear_uart(fixture);
    check_halted_at_reset_vector(fixture, "SYSRESETREQ");
}

static void test_reset_by_nrst_needs_the_nrst_pin(void **state)
{
    struct fixture *fixture = *state;
    attach(fixture);
    fixture->core.pins = NULL;
    assert_int_equal(cortexm_reset_halt(&fixture->core, CORTEXM_RESET_NRST), STATUS_UNSUPPORTED);
    assert_true(detail_has(fixture, "NRST is not wired"));
    assert_int_equal(cortexm_reset_run(&fixture->core, CORTEXM_RESET_NRST), STATUS_UNSUPPORTED);
    struct sim_session *session = &fixture->session;
    assert_int_equal(cortexm_attach_under_reset(&fixture->core, &session->ap, &session->dp, &session->swd,
                                                &session->port.system, NULL, &session->report),
                     STATUS_UNSUPPORTED);
}

/* NRST of a programmer whose wire does not reach the target. */
static void set_nrst_of_nothing(void *ctx, bool asserted)
{
    (void)ctx;
    (void)asserted;
}

static const struct hal_target_pins pins_to_nowhere = {.set_nrst = set_nrst_of_nothing};

static void test_reset_halt_reports_an_nrst_that_does_not_reach_the_target(void **state)
{
    struct fixture *fixture = *state;
    attach(fixture);
    fixture->core.pins = &pins_to_nowhere;
    assert_int_equal(cortexm_reset_halt(&fixture->core, CORTEXM_RESET_NRST), STATUS_TIMEOUT);
    print_message("%s\n", sim_session_error(&fixture->session));
    assert_true(detail_has(fixture, "check that NRST reaches the target"));
    assert_int_equal(fixture->resets, 0);
}

static void test_attach_under_reset_reports_an_nrst_that_does_not_reach_the_target(void **state)
{
    struct fixture *fixture = *state;
    BOOT_FIRMWARE_OR_SKIP(fixture);
    run_ms(fixture, 20);
    /* The power-on reset was never read out of DHCSR: the first read shows S_RESET_ST though NRST did nothing. */
    struct sim_session *session = &fixture->session;
    assert_int_equal(cortexm_attach_under_reset(&fixture->core, &session->ap, &session->dp, &session->swd,
                                                &session->port.system, &pins_to_nowhere, &session->report),
                     STATUS_TIMEOUT);
    print_message("%s\n", sim_session_error(session));
    assert_true(detail_has(fixture, "check that NRST reaches the target"));
    /* Once that flag is read, the missing reset shows at once. */
    assert_int_equal(cortexm_attach_under_reset(&fixture->core, &session->ap, &session->dp, &session->swd,
                                                &session->port.system, &pins_to_nowhere, &session->report),
                     STATUS_TIMEOUT);
    assert_true(detail_has(fixture, "reports no reset"));
}

static void test_attach_under_reset_halts_before_the_firmware_runs(void **state)
{
    struct fixture *fixture = *state;
    BOOT_FIRMWARE_OR_SKIP(fixture);
    run_ms(fixture, 20);
    assert_non_null(strstr(fixture->uart, "hello from airswd"));
    clear_uart(fixture);
    /* Nothing was attached before: the firmware could have turned off the SWD pins. */
    struct sim_session *session = &fixture->session;
    enum status status = cortexm_attach_under_reset(&fixture->core, &session->ap, &session->dp, &session->swd,
                                                    &session->port.system, &session->port.pins, &session->report);
    expect_ok(fixture, status);
    assert_int_equal(fixture->core.cpuid, session->stm32->part->cpuid);
    check_halted_at_reset_vector(fixture, "NRST");
}

static void test_reset_run_lets_the_firmware_run_outside_debug(void **state)
{
    struct fixture *fixture = *state;
    BOOT_FIRMWARE_OR_SKIP(fixture);
    run_ms(fixture, 20);
    attach(fixture);
    static const enum cortexm_reset_method methods[] = {CORTEXM_RESET_SYSRESETREQ, CORTEXM_RESET_NRST};
    static const char *const causes[] = {"SYSRESETREQ", "NRST"};
    for (unsigned i = 0; i < 2; i++) {
        expect_ok(fixture, cortexm_reset_halt(&fixture->core, methods[i]));
        expect_ok(fixture, cortexm_set_breakpoint(&fixture->core, 0, vector(fixture, VECTOR_SYSTICK) & ~1u));
        clear_uart(fixture);
        unsigned resets = fixture->resets;
        expect_ok(fixture, cortexm_reset_run(&fixture->core, methods[i]));
        assert_int_equal(fixture->resets, resets + 1);
        assert_string_equal(fixture->last_reset_cause, causes[i]);
        run_ms(fixture, 20);
        /* It ran: hello came out, SysTick fired past the disabled breakpoint, and debug is off. */
        assert_non_null(strstr(fixture->uart, "hello from airswd"));
        assert_false(is_halted(fixture));
        assert_int_equal(read32(fixture, CORTEXM_DHCSR) & CORTEXM_DHCSR_C_DEBUGEN, 0);
        assert_int_equal(read32(fixture, CORTEXM_FP_CTRL) & CORTEXM_FP_CTRL_ENABLE, 0);
        /* And halting takes it back. */
        expect_ok(fixture, cortexm_halt(&fixture->core));
        assert_true(is_halted(fixture));
    }
}

/* ---- registers ---- */

static void test_core_registers_round_trip(void **state)
{
    struct fixture *fixture = *state;
    attach_halted(fixture);
    struct cortexm *core = &fixture->core;
    for (unsigned reg = CORTEXM_REG_R0; reg <= CORTEXM_REG_R12; reg++)
        expect_ok(fixture, cortexm_write_reg(core, reg, 0x11111111u * (reg % 15u) + reg));
    expect_ok(fixture, cortexm_write_reg(core, CORTEXM_REG_LR, 0x0800ABCDu));
    expect_ok(fixture, cortexm_write_reg(core, CORTEXM_REG_PC, 0x20000124u));
    expect_ok(fixture, cortexm_write_reg(core, CORTEXM_REG_XPSR, 0xA1000000u));
    for (unsigned reg = CORTEXM_REG_R0; reg <= CORTEXM_REG_R12; reg++) {
        assert_int_equal(read_reg(fixture, reg), 0x11111111u * (reg % 15u) + reg);
        assert_int_equal(sim_reg(fixture, reg), 0x11111111u * (reg % 15u) + reg);
    }
    assert_int_equal(read_reg(fixture, CORTEXM_REG_LR), 0x0800ABCDu);
    assert_int_equal(read_reg(fixture, CORTEXM_REG_PC), 0x20000124u);
    assert_int_equal(sim_reg(fixture, CORTEXM_REG_PC), 0x20000124u);
    assert_int_equal(read_reg(fixture, CORTEXM_REG_XPSR), 0xA1000000u);

    /* PC's bit 0 (a Thumb address as in a BX) is dropped. */
    expect_ok(fixture, cortexm_write_reg(core, CORTEXM_REG_PC, 0x20000131u));
    assert_int_equal(read_reg(fixture, CORTEXM_REG_PC), 0x20000130u);

    /* SP is the main stack in thread mode with CONTROL.SPSEL clear. */
    expect_ok(fixture, cortexm_write_reg(core, CORTEXM_REG_SPECIAL, 0));
    expect_ok(fixture, cortexm_write_reg(core, CORTEXM_REG_SP, 0x20001FF0u));
    assert_int_equal(read_reg(fixture, CORTEXM_REG_SP), 0x20001FF0u);
    assert_int_equal(read_reg(fixture, CORTEXM_REG_MSP), 0x20001FF0u);
    expect_ok(fixture, cortexm_write_reg(core, CORTEXM_REG_MSP, 0x20001000u));
    assert_int_equal(read_reg(fixture, CORTEXM_REG_SP), 0x20001000u);
    expect_ok(fixture, cortexm_write_reg(core, CORTEXM_REG_PSP, 0x20000800u));
    assert_int_equal(read_reg(fixture, CORTEXM_REG_PSP), 0x20000800u);
    assert_int_equal(sim_reg(fixture, CORTEXM_REG_PSP), 0x20000800u);

    /* PRIMASK everywhere; BASEPRI and FAULTMASK on ARMv7-M. */
    uint32_t special = core->armv6m ? 0x00000001u : 0x00012001u;
    expect_ok(fixture, cortexm_write_reg(core, CORTEXM_REG_SPECIAL, special));
    assert_int_equal(read_reg(fixture, CORTEXM_REG_SPECIAL), special);

    if (core->has_fpu) {
        uint32_t value;
        assert_int_equal(cortexm_read_reg(core, CORTEXM_REG_FPSCR, &value), STATUS_OK);
    } else {
        uint32_t value;
        assert_int_equal(cortexm_read_reg(core, CORTEXM_REG_FPSCR, &value), STATUS_INVALID_ARGUMENT);
    }
    uint32_t value;
    assert_int_equal(cortexm_read_reg(core, 19, &value), STATUS_INVALID_ARGUMENT);
    assert_int_equal(cortexm_read_reg(core, 0x7F, &value), STATUS_INVALID_ARGUMENT);
}

static void test_registers_of_a_running_core_are_refused(void **state)
{
    struct fixture *fixture = *state;
    BOOT_FIRMWARE_OR_SKIP(fixture);
    attach(fixture);
    run_ms(fixture, 5);
    uint32_t value;
    assert_int_equal(cortexm_read_reg(&fixture->core, CORTEXM_REG_PC, &value), STATUS_CORE_NOT_HALTED);
    assert_int_equal(cortexm_write_reg(&fixture->core, CORTEXM_REG_R0, 1), STATUS_CORE_NOT_HALTED);
    assert_true(detail_has(fixture, "core register"));
    struct cortexm_routine_call call = {.entry = CODE_ADDR, .stack_top = STACK_TOP};
    assert_int_equal(cortexm_start_routine(&fixture->core, &call), STATUS_CORE_NOT_HALTED);
}

/* ---- routines ---- */

static void test_routine_returns_its_result(void **state)
{
    struct fixture *fixture = *state;
    attach_halted(fixture);
    static const uint16_t code[] = {THUMB_ADDS_R0_R0_R1, THUMB_BKPT_0};
    write_code(fixture, code, 2);
    uint32_t demcr = read32(fixture, CORTEXM_DEMCR);

    struct cortexm_routine_call call = {.entry = CODE_ADDR | 1u, .stack_top = STACK_TOP, .args = {40, 2, 7, 9}};
    uint32_t result = 0;
    expect_ok(fixture, cortexm_run_routine(&fixture->core, &call, 10000, &result));
    assert_int_equal(result, 42);
    assert_true(is_halted(fixture));
    assert_int_equal(read_reg(fixture, CORTEXM_REG_PC), CODE_ADDR + 2);
    assert_int_equal(read_reg(fixture, CORTEXM_REG_R0 + 2), 7);
    assert_int_equal(read_reg(fixture, CORTEXM_REG_R0 + 3), 9);
    assert_int_equal(read_reg(fixture, CORTEXM_REG_SPECIAL) & 1u, 1); /* PRIMASK */
    assert_int_equal(read32(fixture, CORTEXM_DEMCR), demcr);
    assert_false(fixture->core.routine_running);

    /* Again, with other arguments: the core starts clean each time. */
    call.args[0] = 0xFFFFFFFFu;
    call.args[1] = 3;
    expect_ok(fixture, cortexm_run_routine(&fixture->core, &call, 10000, &result));
    assert_int_equal(result, 2);
}

static void test_routine_that_never_ends_times_out_halted(void **state)
{
    struct fixture *fixture = *state;
    attach_halted(fixture);
    static const uint16_t code[] = {THUMB_B_SELF, THUMB_BKPT_0};
    write_code(fixture, code, 2);
    uint32_t demcr = read32(fixture, CORTEXM_DEMCR);
    struct cortexm_routine_call call = {.entry = CODE_ADDR, .stack_top = STACK_TOP};
    uint32_t result = 1;
    uint64_t start_us = fixture->session.port.system.now_us(fixture->session.port.system.ctx);
    assert_int_equal(cortexm_run_routine(&fixture->core, &call, 20000, &result), STATUS_TIMEOUT);
    uint64_t elapsed_us = fixture->session.port.system.now_us(fixture->session.port.system.ctx) - start_us;
    print_message("%s\n", sim_session_error(&fixture->session));
    assert_true(detail_has(fixture, "did not finish within 20 ms"));
    assert_true(elapsed_us >= 20000 && elapsed_us < 25000);
    assert_int_equal(result, 0);
    assert_true(is_halted(fixture));
    assert_int_equal(sim_state(fixture), SIM_CORTEXM_HALTED);
    assert_int_equal(read_reg(fixture, CORTEXM_REG_PC), CODE_ADDR);
    assert_int_equal(read32(fixture, CORTEXM_DEMCR), demcr);
    assert_false(fixture->core.routine_running);
}

static void test_routine_that_faults_is_reported_as_a_fault(void **state)
{
    struct fixture *fixture = *state;
    attach_halted(fixture);
    /* A load from 0x30000000, where nothing is mapped. */
    static const uint16_t load[] = {THUMB_LDR_R0_R1, THUMB_BKPT_0};
    write_code(fixture, load, 2);
    uint32_t demcr = read32(fixture, CORTEXM_DEMCR);
    struct cortexm_routine_call call = {.entry = CODE_ADDR, .stack_top = STACK_TOP, .args = {0, 0x30000000u}};
    uint32_t result;
    assert_int_equal(cortexm_run_routine(&fixture->core, &call, 10000, &result), STATUS_CORE_FAULT);
    print_message("%s\n", sim_session_error(&fixture->session));
    assert_true(detail_has(fixture, "HardFault at 0x20000400"));
    if (!fixture->core.armv6m)
        assert_true(detail_has(fixture, "CFSR 0x"));
    assert_true(is_halted(fixture));
    assert_int_equal(halt_reason(fixture), CORTEXM_HALT_VECTOR_CATCH);
    assert_int_equal(read32(fixture, CORTEXM_DEMCR), demcr);

    /* A routine that returns instead of ending with BKPT faults too. This one runs on a part with a vector table,
     * whose HardFault handler is a loop in flash. */
    static const uint16_t returns[] = {THUMB_BX_LR, THUMB_BKPT_0};
    program_vector_table(fixture);
    attach_halted(fixture);
    write_code(fixture, returns, 2);
    assert_int_equal(cortexm_run_routine(&fixture->core, &call, 10000, &result), STATUS_CORE_FAULT);
    print_message("%s\n", sim_session_error(&fixture->session));
    assert_true(detail_has(fixture, "returned (HardFault at its LR)"));
    assert_true(is_halted(fixture));
}

static void test_routine_stopped_by_a_watchpoint_is_not_a_success(void **state)
{
    struct fixture *fixture = *state;
    attach_halted(fixture);
    static const uint16_t code[] = {THUMB_STR_R1_R0, THUMB_B_SELF};
    write_code(fixture, code, 2);
    expect_ok(fixture, cortexm_set_watchpoint(&fixture->core, 0, DATA_ADDR, 4, CORTEXM_WATCH_WRITE));
    struct cortexm_routine_call call = {.entry = CODE_ADDR, .stack_top = STACK_TOP, .args = {DATA_ADDR, 5}};
    uint32_t result;
    assert_int_equal(cortexm_run_routine(&fixture->core, &call, 10000, &result), STATUS_CORE_FAULT);
    print_message("%s\n", sim_session_error(&fixture->session));
    assert_true(detail_has(fixture, "not at a BKPT"));
}

static void test_routine_started_then_polled_finishes(void **state)
{
    struct fixture *fixture = *state;
    attach_halted(fixture);
    /* r2 counts up while r0 counts down to zero; the result is the number of turns. */
    static const uint16_t code[] = {THUMB_ADDS_R2_1,  THUMB_SUBS_R0_1, THUMB_BNE_MINUS_8,
                                    THUMB_MOVS_R0_R2, THUMB_BKPT_0,    THUMB_BKPT_0};
    write_code(fixture, code, 6);
    struct cortexm_routine_call call = {.entry = CODE_ADDR, .stack_top = STACK_TOP, .args = {20000, 0, 0, 0}};
    expect_ok(fixture, cortexm_start_routine(&fixture->core, &call));
    assert_true(fixture->core.routine_running);
    /* A second start while it runs is refused. */
    assert_int_equal(cortexm_start_routine(&fixture->core, &call), STATUS_INVALID_ARGUMENT);

    const struct hal_system *system = &fixture->session.port.system;
    bool finished = false;
    uint32_t result = 0;
    unsigned polls = 0;
    while (!finished && polls < 10000) {
        expect_ok(fixture, cortexm_poll_routine(&fixture->core, &finished, &result));
        polls++;
        system->delay_us(system->ctx, 100);
    }
    print_message("%s: finished after %u polls\n", fixture->board->part, polls);
    assert_true(finished);
    assert_true(polls > 1);
    assert_int_equal(result, 20000);
    assert_false(fixture->core.routine_running);
    assert_int_equal(cortexm_poll_routine(&fixture->core, &finished, &result), STATUS_INVALID_ARGUMENT);

    /* A routine given up on is halted by abort. */
    call.args[0] = 0; /* 2^32 turns */
    expect_ok(fixture, cortexm_start_routine(&fixture->core, &call));
    system->delay_us(system->ctx, 1000);
    expect_ok(fixture, cortexm_poll_routine(&fixture->core, &finished, &result));
    assert_false(finished);
    expect_ok(fixture, cortexm_abort_routine(&fixture->core));
    assert_true(is_halted(fixture));
    assert_false(fixture->core.routine_running);
}

static void test_routine_arguments_are_checked(void **state)
{
    struct fixture *fixture = *state;
    attach_halted(fixture);
    struct cortexm_routine_call call = {.entry = CODE_ADDR, .stack_top = STACK_TOP + 2};
    uint32_t result;
    assert_int_equal(cortexm_run_routine(&fixture->core, &call, 1000, &result), STATUS_ALIGNMENT);
    assert_false(fixture->core.routine_running);
}

/* ---- cancellation ---- */

static uint64_t cancelling_now_us(void *ctx)
{
    struct fixture *fixture = ctx;
    return fixture->session.port.system.now_us(fixture->session.port.system.ctx);
}

static void cancelling_delay_us(void *ctx, uint32_t us)
{
    struct fixture *fixture = ctx;
    fixture->session.port.system.delay_us(fixture->session.port.system.ctx, us);
}

static bool cancelling_yield(void *ctx)
{
    struct fixture *fixture = ctx;
    return ++fixture->yields > fixture->yields_before_cancel;
}

/* The core's system yields "cancel" after some calls; the wire below keeps the port's own. */
static void cancel_after(struct fixture *fixture, unsigned yields)
{
    fixture->cancelling = fixture->session.port.system;
    fixture->cancelling.ctx = fixture;
    fixture->cancelling.now_us = cancelling_now_us;
    fixture->cancelling.delay_us = cancelling_delay_us;
    fixture->cancelling.yield = cancelling_yield;
    fixture->yields = 0;
    fixture->yields_before_cancel = yields;
    fixture->core.system = &fixture->cancelling;
}

static void test_cancellation_stops_a_long_routine_and_leaves_the_core_halted(void **state)
{
    struct fixture *fixture = *state;
    attach_halted(fixture);
    static const uint16_t code[] = {THUMB_B_SELF, THUMB_BKPT_0};
    write_code(fixture, code, 2);
    struct cortexm_routine_call call = {.entry = CODE_ADDR, .stack_top = STACK_TOP};
    cancel_after(fixture, 5);
    uint32_t result;
    assert_int_equal(cortexm_run_routine(&fixture->core, &call, 60u * 1000u * 1000u, &result), STATUS_CANCELLED);
    assert_true(detail_has(fixture, "routine at 0x20000400"));
    assert_true(fixture->yields >= 6);
    assert_true(is_halted(fixture));
    assert_false(fixture->core.routine_running);
}

static void test_cancellation_stops_a_wait_for_a_reset_that_does_not_come(void **state)
{
    struct fixture *fixture = *state;
    attach(fixture);
    fixture->core.pins = &pins_to_nowhere;
    cancel_after(fixture, 3);
    assert_int_equal(cortexm_reset_halt(&fixture->core, CORTEXM_RESET_NRST), STATUS_CANCELLED);
    assert_true(detail_has(fixture, "waiting for the core's reset"));
    assert_int_equal(fixture->yields, 4);
}

/* ---- breakpoints and watchpoints ---- */

static void test_breakpoint_stops_the_firmware_at_its_systick_handler(void **state)
{
    struct fixture *fixture = *state;
    BOOT_FIRMWARE_OR_SKIP(fixture);
    /* As a debugger does it: stop the firmware at its start, set the breakpoint, let it run. */
    attach(fixture);
    expect_ok(fixture, cortexm_reset_halt(&fixture->core, CORTEXM_RESET_SYSRESETREQ));
    uint32_t handler = vector(fixture, VECTOR_SYSTICK) & ~1u;
    unsigned last = fixture->core.fpb_comparators - 1;
    expect_ok(fixture, cortexm_set_breakpoint(&fixture->core, last, handler));
    expect_ok(fixture, cortexm_resume(&fixture->core));
    run_ms(fixture, 10); /* hello, then SysTick starts */

    for (unsigned tick = 0; tick < 3; tick++) {
        assert_true(is_halted(fixture));
        assert_int_equal(halt_reason(fixture), CORTEXM_HALT_BREAKPOINT);
        assert_int_equal(read_reg(fixture, CORTEXM_REG_PC), handler);
        assert_int_equal(read_reg(fixture, CORTEXM_REG_XPSR) & CORTEXM_XPSR_IPSR_MASK, VECTOR_SYSTICK);
        expect_ok(fixture, cortexm_resume(&fixture->core));
        run_ms(fixture, 2); /* SysTick fires every millisecond */
    }

    expect_ok(fixture, cortexm_clear_breakpoint(&fixture->core, last));
    expect_ok(fixture, cortexm_resume(&fixture->core));
    run_ms(fixture, 5);
    assert_false(is_halted(fixture));
}

static void test_breakpoint_requests_are_checked(void **state)
{
    struct fixture *fixture = *state;
    attach(fixture);
    struct cortexm *core = &fixture->core;
    assert_int_equal(cortexm_set_breakpoint(core, core->fpb_comparators, FLASH_BASE), STATUS_INVALID_ARGUMENT);
    assert_int_equal(cortexm_clear_breakpoint(core, core->fpb_comparators), STATUS_INVALID_ARGUMENT);
    assert_int_equal(cortexm_set_breakpoint(core, 0, FLASH_BASE + 1), STATUS_ALIGNMENT);
    assert_int_equal(cortexm_set_breakpoint(core, 0, SRAM_BASE), STATUS_UNSUPPORTED);
    assert_true(detail_has(fixture, "BKPT"));
    /* Upper and lower halfwords of a word use the two REPLACE encodings. */
    expect_ok(fixture, cortexm_set_breakpoint(core, 0, FLASH_BASE + 0x102));
    assert_int_equal(read32(fixture, CORTEXM_FP_COMP(0)), (FLASH_BASE + 0x100) | CORTEXM_FP_COMP_BREAK_UPPER | 1u);
    expect_ok(fixture, cortexm_set_breakpoint(core, 1, FLASH_BASE + 0x100));
    assert_int_equal(read32(fixture, CORTEXM_FP_COMP(1)), (FLASH_BASE + 0x100) | CORTEXM_FP_COMP_BREAK_LOWER | 1u);
    assert_true(read32(fixture, CORTEXM_FP_CTRL) & CORTEXM_FP_CTRL_ENABLE);
    /* A new attach clears what a previous session left. */
    struct sim_session *session = &fixture->session;
    expect_ok(fixture,
              cortexm_attach(core, &session->ap, &session->port.system, &session->port.pins, &session->report));
    assert_int_equal(read32(fixture, CORTEXM_FP_COMP(0)), 0);
    assert_int_equal(read32(fixture, CORTEXM_FP_COMP(1)), 0);
}

static void test_watchpoint_stops_the_core_after_a_write(void **state)
{
    struct fixture *fixture = *state;
    attach_halted(fixture);
    struct cortexm *core = &fixture->core;
    static const uint16_t code[] = {THUMB_STR_R1_R0, THUMB_B_SELF};
    write_code(fixture, code, 2);
    uint8_t *sram = sim_memory_data(fixture->session.stm32->sram);

    /* A read watchpoint does not see the write; a write watchpoint does. */
    static const enum cortexm_watch_kind kinds[] = {CORTEXM_WATCH_READ, CORTEXM_WATCH_WRITE, CORTEXM_WATCH_ACCESS};
    for (unsigned i = 0; i < 3; i++) {
        memset(sram + (DATA_ADDR - SRAM_BASE), 0, 8);
        unsigned index = core->dwt_comparators - 1;
        expect_ok(fixture, cortexm_set_watchpoint(core, index, DATA_ADDR, 8, kinds[i]));
        expect_ok(fixture, cortexm_write_reg(core, CORTEXM_REG_XPSR, CORTEXM_XPSR_THUMB));
        expect_ok(fixture, cortexm_write_reg(core, CORTEXM_REG_MSP, STACK_TOP));
        expect_ok(fixture, cortexm_write_reg(core, CORTEXM_REG_R0, DATA_ADDR + 4));
        expect_ok(fixture, cortexm_write_reg(core, CORTEXM_REG_R0 + 1, 0x5A5A0000u + i));
        expect_ok(fixture, cortexm_write_reg(core, CORTEXM_REG_PC, CODE_ADDR));
        expect_ok(fixture, cortexm_resume(core));
        run_ms(fixture, 1);
        assert_int_equal(read32(fixture, DATA_ADDR + 4), 0x5A5A0000u + i);
        if (kinds[i] == CORTEXM_WATCH_READ) {
            assert_false(is_halted(fixture));
            expect_ok(fixture, cortexm_halt(core));
        } else {
            assert_true(is_halted(fixture));
            assert_int_equal(halt_reason(fixture), CORTEXM_HALT_WATCHPOINT);
        }
        expect_ok(fixture, cortexm_clear_watchpoint(core, index));
    }

    assert_int_equal(cortexm_set_watchpoint(core, 0, DATA_ADDR, 3, CORTEXM_WATCH_WRITE), STATUS_INVALID_ARGUMENT);
    assert_int_equal(cortexm_set_watchpoint(core, 0, DATA_ADDR + 4, 8, CORTEXM_WATCH_WRITE), STATUS_ALIGNMENT);
    assert_int_equal(cortexm_set_watchpoint(core, core->dwt_comparators, DATA_ADDR, 4, CORTEXM_WATCH_WRITE),
                     STATUS_INVALID_ARGUMENT);
}

int main(void)
{
#define FOR_EACH_BOARD(test)                                                                                           \
    cmocka_unit_test_prestate_setup_teardown(test, setup, teardown, (void *)&f103),                                    \
        cmocka_unit_test_prestate_setup_teardown(test, setup, teardown, (void *)&f411),                                \
        cmocka_unit_test_prestate_setup_teardown(test, setup, teardown, (void *)&g071)
    const struct CMUnitTest tests[] = {
        FOR_EACH_BOARD(test_attach_reads_the_cpuid_and_the_debug_units),
        FOR_EACH_BOARD(test_attach_keeps_a_running_core_running),
        FOR_EACH_BOARD(test_halt_stops_the_firmware_in_flash_and_resume_lets_it_go_on),
        FOR_EACH_BOARD(test_halt_of_a_core_held_in_reset_says_so),
        FOR_EACH_BOARD(test_step_executes_one_instruction),
        FOR_EACH_BOARD(test_reset_halt_by_sysresetreq_stops_at_the_reset_vector),
        FOR_EACH_BOARD(test_step_runs_the_stopped_code_not_a_pending_interrupt),
        FOR_EACH_BOARD(test_reset_halt_by_nrst_stops_at_the_reset_vector),
        FOR_EACH_BOARD(test_reset_halt_of_a_halted_core_still_resets_it),
        FOR_EACH_BOARD(test_reset_by_nrst_needs_the_nrst_pin),
        FOR_EACH_BOARD(test_reset_halt_reports_an_nrst_that_does_not_reach_the_target),
        FOR_EACH_BOARD(test_attach_under_reset_halts_before_the_firmware_runs),
        FOR_EACH_BOARD(test_attach_under_reset_reports_an_nrst_that_does_not_reach_the_target),
        FOR_EACH_BOARD(test_reset_run_lets_the_firmware_run_outside_debug),
        FOR_EACH_BOARD(test_core_registers_round_trip),
        FOR_EACH_BOARD(test_registers_of_a_running_core_are_refused),
        FOR_EACH_BOARD(test_routine_returns_its_result),
        FOR_EACH_BOARD(test_routine_that_never_ends_times_out_halted),
        FOR_EACH_BOARD(test_routine_that_faults_is_reported_as_a_fault),
        FOR_EACH_BOARD(test_routine_stopped_by_a_watchpoint_is_not_a_success),
        FOR_EACH_BOARD(test_routine_started_then_polled_finishes),
        FOR_EACH_BOARD(test_routine_arguments_are_checked),
        FOR_EACH_BOARD(test_cancellation_stops_a_long_routine_and_leaves_the_core_halted),
        FOR_EACH_BOARD(test_cancellation_stops_a_wait_for_a_reset_that_does_not_come),
        FOR_EACH_BOARD(test_breakpoint_stops_the_firmware_at_its_systick_handler),
        FOR_EACH_BOARD(test_breakpoint_requests_are_checked),
        FOR_EACH_BOARD(test_watchpoint_stops_the_core_after_a_write),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
