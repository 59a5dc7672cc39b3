/*
 * test_cortexm_writeback.c - a debugged run of code with base-register writeback (push, pop, ldm!, stm!) ends in the
 * same state as an un-debugged one, on the simulated F103 (Cortex-M3), F411 (Cortex-M4F) and G071 (Cortex-M0+).
 *
 * A debugger stops the core before an instruction (an FPB comparator) or after one (a step). If the simulated core
 * ran part of an instruction block again after such a stop, every instruction with writeback in that block would
 * move its base register twice: the stack pointer would drift and stores would land one slot off. The reference is
 * the same code run freely to its BKPT.
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
#include "sim_session.h"

#define FLASH_BASE 0x08000000u
#define SRAM_BASE  0x20000000u
#define CODE_ADDR  (FLASH_BASE + 0x100u) /* in flash: an FPB of revision 1 breaks only there */
#define DATA_ADDR  (SRAM_BASE + 0x800u)
#define STACK_TOP  (SRAM_BASE + 0x1000u)
#define LOOP_ADDR  (FLASH_BASE + 0x40u)
#define DATA_WORDS 8u
#define THUMB_B_SELF 0xE7FEu

/* Thumb-1 (runs on ARMv6-M too); r5 points at DATA_ADDR when it starts. */
static const uint16_t thumb1_code[] = {
    0x2001u, /* movs r0, #1 */
    0x2102u, /* movs r1, #2 */
    0x2203u, /* movs r2, #3 */
    0xB407u, /* push {r0-r2} */
    0xC507u, /* stmia r5!, {r0-r2} */
    0x3D0Cu, /* subs r5, #12 */
    0xCD07u, /* ldmia r5!, {r0-r2} */
    0xBC58u, /* pop {r3, r4, r6} */
    0x1840u, /* adds r0, r0, r1 */
    0xB403u, /* push {r0, r1} */
    0xC503u, /* stmia r5!, {r0, r1} */
    0xBC0Cu, /* pop {r2, r3} */
    0x3D14u, /* subs r5, #20 */
    0xCD18u, /* ldmia r5!, {r3, r4} */
    0xBE00u, /* bkpt #0: the end */
};

/* The same with ARMv7-M's 32-bit encodings: pre- and post-indexed loads and stores, push.w, ldm.w, stmdb. */
static const uint16_t thumb2_code[] = {
    0x2001u,          /* movs r0, #1 */
    0x2102u,          /* movs r1, #2 */
    0xE92Du, 0x0007u, /* push.w {r0-r2} */
    0xF845u, 0x0B04u, /* str.w r0, [r5], #4 */
    0xF845u, 0x1F04u, /* str.w r1, [r5, #4]! */
    0xE925u, 0x0003u, /* stmdb r5!, {r0, r1} */
    0xF855u, 0x2B04u, /* ldr.w r2, [r5], #4 */
    0xE8B5u, 0x0018u, /* ldmia.w r5!, {r3, r4} */
    0xE8BDu, 0x0007u, /* pop.w {r0-r2} */
    0xF855u, 0x6D08u, /* ldr.w r6, [r5, #-8]! */
    0xB403u,          /* push {r0, r1} */
    0xBC0Cu,          /* pop {r2, r3} */
    0xBE00u,          /* bkpt #0: the end */
};

/* A loop that calls a function with push/pop and a store with writeback, long enough to cross many slice
 * deadlines of the simulated core. */
static const uint16_t loop_code[] = {
    0x26C8u,          /* movs r6, #200 */
    0xF000u, 0xF804u, /* loop: bl function */
    0x3E01u,          /* subs r6, #1 */
    0xD1FBu,          /* bne loop */
    0xBE00u,          /* bkpt #0: the end */
    0xBF00u,          /* nop */
    0xB510u,          /* function: push {r4, lr} */
    0xC501u,          /* stmia r5!, {r0} */
    0x3D04u,          /* subs r5, #4 */
    0x3001u,          /* adds r0, #1 */
    0xBD10u,          /* pop {r4, pc} */
};

struct program {
    const uint16_t *halfwords;
    unsigned count;
    uint32_t starts[32]; /* the instructions' addresses */
    unsigned instructions;
    uint32_t end; /* the BKPT that ends it */
};

struct state {
    uint32_t regs[8]; /* r0-r7 */
    uint32_t sp, pc;
    uint32_t data[DATA_WORDS];
    uint32_t stack[DATA_WORDS]; /* the words below STACK_TOP */
};

struct fixture {
    const char *part;
    struct sim_session session;
    struct cortexm core;
    struct program program;
};

/* The instruction starts of a program: a halfword whose top five bits are 0b11101 or above begins a 32-bit one. */
static void load_program(struct program *program, const uint16_t *halfwords, unsigned count)
{
    program->halfwords = halfwords;
    program->count = count;
    program->instructions = 0;
    program->end = 0;
    for (unsigned i = 0; i < count; i++) {
        program->starts[program->instructions++] = CODE_ADDR + 2 * i;
        if (halfwords[i] == 0xBE00u && program->end == 0)
            program->end = CODE_ADDR + 2 * i;
        if ((halfwords[i] >> 11) >= 0x1Du)
            i++;
    }
}

/* Every program this part runs: the Thumb-1 one everywhere, the 32-bit encodings beside it on ARMv7-M. */
static unsigned programs_for(struct fixture *fixture)
{
    return strcmp(fixture->part, "stm32g071rb") == 0 ? 1 : 2;
}

static void select_program(struct fixture *fixture, unsigned which)
{
    if (which == 0)
        load_program(&fixture->program, thumb1_code, sizeof thumb1_code / sizeof thumb1_code[0]);
    else
        load_program(&fixture->program, thumb2_code, sizeof thumb2_code / sizeof thumb2_code[0]);
}

/* One fixture at a time: cmocka runs the tests one after the other. */
static struct fixture the_fixture;

static int setup(void **state)
{
    memset(&the_fixture, 0, sizeof the_fixture);
    the_fixture.part = *state;
    *state = &the_fixture;
    return sim_session_create(&the_fixture.session, the_fixture.part, true) ? 0 : -1;
}

static int teardown(void **state)
{
    sim_session_destroy(&((struct fixture *)*state)->session);
    return 0;
}

static void expect_ok(struct fixture *fixture, enum status status)
{
    if (status != STATUS_OK)
        fail_msg("%s", sim_session_error(&fixture->session));
}

static void put16(uint8_t *at, uint32_t value)
{
    at[0] = (uint8_t)value;
    at[1] = (uint8_t)(value >> 8);
}

/* A vector table whose entries lead to a `b .`, the code under test, and a halted core at its first instruction. */
static void prepare(struct fixture *fixture)
{
    struct sim_stm32 *stm32 = fixture->session.stm32;
    uint8_t *flash = sim_flash_array(stm32->flash);
    for (unsigned n = 0; n < 16; n++) {
        uint32_t entry = n == 0 ? STACK_TOP : LOOP_ADDR | 1u;
        put16(flash + 4 * n, entry & 0xFFFFu);
        put16(flash + 4 * n + 2, entry >> 16);
    }
    put16(flash + (LOOP_ADDR - FLASH_BASE), THUMB_B_SELF);
    for (unsigned i = 0; i < fixture->program.count; i++)
        put16(flash + (CODE_ADDR - FLASH_BASE) + 2 * i, fixture->program.halfwords[i]);
    sim_stm32_power_on_reset(stm32);

    assert_int_equal(sim_session_attach(&fixture->session), STATUS_OK);
    struct sim_session *session = &fixture->session;
    expect_ok(fixture, cortexm_attach(&fixture->core, &session->ap, &session->port.system, &session->port.pins,
                                      &session->report));
    expect_ok(fixture, cortexm_reset_halt(&fixture->core, CORTEXM_RESET_SYSRESETREQ));
    uint8_t zero[4 * DATA_WORDS] = {0};
    expect_ok(fixture, adi_mem_write(&session->ap, DATA_ADDR, zero, sizeof zero, 4));
    expect_ok(fixture, adi_mem_write(&session->ap, STACK_TOP - sizeof zero, zero, sizeof zero, 4));
    expect_ok(fixture, cortexm_write_reg(&fixture->core, CORTEXM_REG_SPECIAL, 1)); /* PRIMASK: no interrupts */
    expect_ok(fixture, cortexm_write_reg(&fixture->core, CORTEXM_REG_MSP, STACK_TOP));
    expect_ok(fixture, cortexm_write_reg(&fixture->core, 5, DATA_ADDR));
    expect_ok(fixture, cortexm_write_reg(&fixture->core, CORTEXM_REG_PC, CODE_ADDR));
}

static void wait_halted(struct fixture *fixture)
{
    for (unsigned i = 0; i < 100; i++) {
        bool halted = false;
        expect_ok(fixture, cortexm_is_halted(&fixture->core, &halted));
        if (halted)
            return;
        sim_stm32_run_for(fixture->session.stm32, 1000000ull);
    }
    fail_msg("the core did not halt");
}

static uint32_t pc_of(struct fixture *fixture)
{
    uint32_t pc = 0;
    expect_ok(fixture, cortexm_read_reg(&fixture->core, CORTEXM_REG_PC, &pc));
    return pc;
}

static void capture(struct fixture *fixture, struct state *state)
{
    for (unsigned r = 0; r < 8; r++)
        expect_ok(fixture, cortexm_read_reg(&fixture->core, r, &state->regs[r]));
    expect_ok(fixture, cortexm_read_reg(&fixture->core, CORTEXM_REG_SP, &state->sp));
    state->pc = pc_of(fixture);
    expect_ok(fixture, adi_mem_read(&fixture->session.ap, DATA_ADDR, (uint8_t *)state->data, sizeof state->data, 4));
    expect_ok(fixture, adi_mem_read(&fixture->session.ap, STACK_TOP - sizeof state->stack, (uint8_t *)state->stack,
                                    sizeof state->stack, 4));
}

static void expect_same(const struct state *got, const struct state *want)
{
    for (unsigned r = 0; r < 8; r++)
        if (got->regs[r] != want->regs[r])
            fail_msg("r%u is 0x%08x, the free run left 0x%08x", r, (unsigned)got->regs[r], (unsigned)want->regs[r]);
    assert_int_equal(got->sp, want->sp);
    assert_int_equal(got->pc, want->pc);
    assert_memory_equal(got->data, want->data, sizeof want->data);
    assert_memory_equal(got->stack, want->stack, sizeof want->stack);
}

/* Lets the core run to the BKPT that ends the program (from where it is, or on it already) and compares. */
static void expect_end_as(struct fixture *fixture, const struct state *want)
{
    struct state got;
    expect_ok(fixture, cortexm_resume(&fixture->core));
    wait_halted(fixture);
    capture(fixture, &got);
    expect_same(&got, want);
}

static void run_freely(struct fixture *fixture, struct state *state)
{
    prepare(fixture);
    expect_ok(fixture, cortexm_resume(&fixture->core));
    wait_halted(fixture);
    capture(fixture, state);
    assert_int_equal(state->pc, fixture->program.end); /* at the BKPT */
    assert_int_equal(state->sp, STACK_TOP);            /* every push popped */
}

static void single_steps_match_a_free_run(struct fixture *fixture)
{
    struct state want;
    run_freely(fixture, &want);

    prepare(fixture);
    for (unsigned i = 0; i + 1 < fixture->program.instructions; i++) {
        assert_int_equal(pc_of(fixture), fixture->program.starts[i]);
        expect_ok(fixture, cortexm_step(&fixture->core));
    }
    expect_end_as(fixture, &want);
}

/* A comparator on each instruction in turn, as a debugger's `break` then `continue` does, with the previous one
 * still enabled on the instruction the core resumes from. */
static void breakpoints_one_by_one_match_a_free_run(struct fixture *fixture)
{
    struct state want;
    run_freely(fixture, &want);

    prepare(fixture);
    unsigned comparators = fixture->core.fpb_comparators;
    for (unsigned i = 1; i + 1 < fixture->program.instructions; i++) {
        uint32_t at = fixture->program.starts[i];
        expect_ok(fixture, cortexm_set_breakpoint(&fixture->core, i % comparators, at));
        expect_ok(fixture, cortexm_resume(&fixture->core));
        wait_halted(fixture);
        enum cortexm_halt_reason reason;
        expect_ok(fixture, cortexm_halt_reason(&fixture->core, &reason));
        assert_int_equal(reason, CORTEXM_HALT_BREAKPOINT);
        assert_int_equal(pc_of(fixture), at);
    }
    expect_end_as(fixture, &want);
}

/* Every comparator armed at once, on consecutive instructions past the first block boundary the emulator may have
 * chosen: each continue runs exactly one instruction. Then steps with the comparators still armed. */
static void consecutive_breakpoints_match_a_free_run(struct fixture *fixture)
{
    struct state want;
    run_freely(fixture, &want);

    prepare(fixture);
    const struct program *program = &fixture->program;
    unsigned armed = fixture->core.fpb_comparators;
    if (2 * armed + 3 > program->instructions)
        armed = (program->instructions - 3) / 2;
    for (unsigned n = 0; n < armed; n++)
        expect_ok(fixture, cortexm_set_breakpoint(&fixture->core, n, program->starts[n + 2]));
    for (unsigned n = 0; n < armed; n++) {
        expect_ok(fixture, cortexm_resume(&fixture->core));
        wait_halted(fixture);
        assert_int_equal(pc_of(fixture), program->starts[n + 2]);
    }
    /* The rest by steps, each on an instruction a comparator still watches. */
    for (unsigned n = 0; n < armed; n++)
        expect_ok(fixture, cortexm_set_breakpoint(&fixture->core, n, program->starts[n + 2 + armed]));
    for (unsigned i = 1 + armed; i + 1 < program->instructions; i++) {
        if (pc_of(fixture) != program->starts[i])
            fail_msg("step %u: PC 0x%08x, expected 0x%08x", i, (unsigned)pc_of(fixture), (unsigned)program->starts[i]);
        expect_ok(fixture, cortexm_step(&fixture->core));
    }
    expect_end_as(fixture, &want);
}

/* A comparator on an address the code never reaches must change nothing, however the run is cut into slices: the
 * run is advanced in steps of a few nanoseconds, so that the core stops at slice deadlines all through the loop. */
static void test_unreached_breakpoint_in_sliced_run_matches_a_free_run(void **state)
{
    struct fixture *fixture = *state;
    struct state want;
    load_program(&fixture->program, loop_code, sizeof loop_code / sizeof loop_code[0]);
    run_freely(fixture, &want);
    assert_int_equal(want.regs[6], 0);

    prepare(fixture);
    expect_ok(fixture, cortexm_set_breakpoint(&fixture->core, 0, LOOP_ADDR));
    expect_ok(fixture, cortexm_resume(&fixture->core));
    bool halted = false;
    for (unsigned i = 0; i < 100000 && !halted; i++) {
        sim_stm32_run_for(fixture->session.stm32, 7000ull); /* 7 ns: a few instructions at most */
        halted = sim_cortexm_state(fixture->session.stm32->cpu) == SIM_CORTEXM_HALTED;
    }
    assert_true(halted);
    expect_end_as(fixture, &want);
}

static void test_single_steps_through_writeback_match_a_free_run(void **state)
{
    struct fixture *fixture = *state;
    for (unsigned which = 0; which < programs_for(fixture); which++) {
        select_program(fixture, which);
        single_steps_match_a_free_run(fixture);
    }
}

static void test_breakpoints_through_writeback_match_a_free_run(void **state)
{
    struct fixture *fixture = *state;
    for (unsigned which = 0; which < programs_for(fixture); which++) {
        select_program(fixture, which);
        breakpoints_one_by_one_match_a_free_run(fixture);
    }
}

static void test_breakpoints_on_consecutive_instructions_match_a_free_run(void **state)
{
    struct fixture *fixture = *state;
    for (unsigned which = 0; which < programs_for(fixture); which++) {
        select_program(fixture, which);
        consecutive_breakpoints_match_a_free_run(fixture);
    }
}

int main(void)
{
#define FOR_EACH_PART(test)                                                                                            \
    cmocka_unit_test_prestate_setup_teardown(test, setup, teardown, (void *)"stm32f103c8"),                            \
        cmocka_unit_test_prestate_setup_teardown(test, setup, teardown, (void *)"stm32f411ce"),                        \
        cmocka_unit_test_prestate_setup_teardown(test, setup, teardown, (void *)"stm32g071rb")
    const struct CMUnitTest tests[] = {
        FOR_EACH_PART(test_unreached_breakpoint_in_sliced_run_matches_a_free_run),
        FOR_EACH_PART(test_single_steps_through_writeback_match_a_free_run),
        FOR_EACH_PART(test_breakpoints_through_writeback_match_a_free_run),
        FOR_EACH_PART(test_breakpoints_on_consecutive_instructions_match_a_free_run),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
