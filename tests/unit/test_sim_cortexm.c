/*
 * test_sim_cortexm.c - the simulated Cortex-M core: reset, time, the debug registers a debugger drives (halt, step,
 * registers, breakpoints, watchpoints, vector catch), SysTick and interrupts, faults and lockup, and stores into
 * flash reaching the flash model.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sim_cortexm.h"
#include "sim_memory.h"

/* Test programs, assembled for Cortex-M3 (arm-none-eabi-as), placed at PROGRAM; literals are PC-relative.
 *   +0x00 count_loop:   movs r0,#0 / 1: adds r0,#1 / b 1b
 *   +0x06 bkpt_prog:    movs r1,#5 / bkpt #7 / movs r1,#6 / b .
 *   +0x0E store_prog:   ldr r2,=0x20000100 / movs r3,#42 / adds r3,#1 / str r3,[r2] / movs r4,#9 / b .
 *   +0x1A sysreset:     ldr r0,=0xE000ED0C / ldr r1,=0x05FA0004 / str r1,[r0] / b .
 *   +0x22 systick_prog: ldr r0,=0xE000E010 / movw r1,#999 / str r1,[r0,#4] / movs r1,#0 / str r1,[r0,#8]
 *                       movs r1,#7 / str r1,[r0] / 2: wfi / b 2b
 *   +0x36 counting handler: ldr r0,=0x20000200 / ldr r1,[r0] / adds r1,#1 / str r1,[r0] / bx lr
 *   +0x40 irq_prog:     ldr r0,=0xE000E100 / movs r1,#8 / str r1,[r0] (enable IRQ 3) / cpsid i / b .
 *   +0x4A unmapped:     mov.w r0,#0x30000000 / ldr r1,[r0] / b .
 *   +0x52 hardfault:    ldr r0,=0x20000300 / movw r1,#0xFA17 / str r1,[r0] / b .
 *   +0x5C bad handler:  mov.w r0,#0x30000000 / ldr r1,[r0] / b .
 *   +0x64 thumb2_prog:  movw r5,#0x1234 / b .
 *   +0x6A flash_store:  ldr r0,=0x08001000 / movs r1,#1 / strh r1,[r0] / b .
 *   +0x72 literal pool */
static const uint16_t program[] = {
    0x2000, 0x3001, 0xE7FD, 0x2105, 0xBE07, 0x2106, 0xE7FE, 0x4A19, 0x232A, 0x3301, 0x6013, 0x2409, 0xE7FE,
    0x4817, 0x4917, 0x6001, 0xE7FE, 0x4817, 0xF240, 0x31E7, 0x6041, 0x2100, 0x6081, 0x2107, 0x6001, 0xBF30,
    0xE7FD, 0x4813, 0x6801, 0x3101, 0x6001, 0x4770, 0x4811, 0x2108, 0x6001, 0xB672, 0xE7FE, 0xF04F, 0x5040,
    0x6801, 0xE7FE, 0x480E, 0xF64F, 0x2117, 0x6001, 0xE7FE, 0xF04F, 0x5040, 0x6801, 0xE7FE, 0xF241, 0x2534,
    0xE7FE, 0x4809, 0x2101, 0x8001, 0xE7FE, 0x0000, 0x0100, 0x2000, 0xED0C, 0xE000, 0x0004, 0x05FA, 0xE010,
    0xE000, 0x0200, 0x2000, 0xE100, 0xE000, 0x0300, 0x2000, 0x1000, 0x0800,
};

#define FLASH_BASE 0x08000000u
#define FLASH_SIZE 0x10000u
#define SRAM_BASE 0x20000000u
#define SRAM_SIZE 0x5000u
#define PROGRAM (FLASH_BASE + 0x100u)
#define COUNT_LOOP (PROGRAM + 0x00)
#define BKPT_PROG (PROGRAM + 0x06)
#define STORE_PROG (PROGRAM + 0x0E)
#define SYSRESET_PROG (PROGRAM + 0x1A)
#define SYSTICK_PROG (PROGRAM + 0x22)
#define COUNTING_HANDLER (PROGRAM + 0x36)
#define IRQ_PROG (PROGRAM + 0x40)
#define UNMAPPED_PROG (PROGRAM + 0x4A)
#define HARDFAULT_HANDLER (PROGRAM + 0x52)
#define BAD_HARDFAULT_HANDLER (PROGRAM + 0x5C)
#define THUMB2_PROG (PROGRAM + 0x64)
#define FLASH_STORE_PROG (PROGRAM + 0x6A)

#define CLOCK_HZ 8000000u
#define US 1000000ull /* picoseconds */
#define MS (1000 * US)

#define DHCSR 0xE000EDF0u
#define DCRSR 0xE000EDF4u
#define DCRDR 0xE000EDF8u
#define DEMCR 0xE000EDFCu
#define DFSR 0xE000ED30u
#define HFSR 0xE000ED2Cu
#define KEY 0xA05F0000u
#define C_DEBUGEN 1u
#define C_HALT 2u
#define C_STEP 4u
#define S_HALT (1u << 17)
#define S_LOCKUP (1u << 19)

/* A flash stand-in: reads come from its bytes, stores program erased (0xFFFF) halfwords and are counted. */
struct recording_flash {
    uint8_t *bytes;
    unsigned stores;
};

static enum sim_bus_status recording_flash_read(void *ctx, struct sim_bus_access *access)
{
    struct recording_flash *flash = ctx;
    access->value = 0;
    for (unsigned i = 0; i < access->size; i++)
        access->value |= (uint32_t)flash->bytes[access->offset + i] << (8 * i);
    return SIM_BUS_OK;
}

static enum sim_bus_status recording_flash_write(void *ctx, struct sim_bus_access *access)
{
    struct recording_flash *flash = ctx;
    flash->stores++;
    if (access->size != 2)
        return SIM_BUS_ERROR;
    flash->bytes[access->offset] &= (uint8_t)access->value;
    flash->bytes[access->offset + 1] &= (uint8_t)(access->value >> 8);
    return SIM_BUS_OK;
}

static const struct sim_bus_region_ops recording_flash_ops = {.read = recording_flash_read,
                                                              .write = recording_flash_write};

struct fixture {
    struct sim_bus bus;
    uint8_t flash_bytes[FLASH_SIZE];
    struct recording_flash flash;
    struct sim_memory *sram;
    struct sim_cortexm *cpu;
    bool reset_requested;
};

static void put32(uint8_t *bytes, uint32_t offset, uint32_t value)
{
    for (unsigned i = 0; i < 4; i++)
        bytes[offset + i] = (uint8_t)(value >> (8 * i));
}

static uint32_t sram32(struct fixture *f, uint32_t offset)
{
    const uint8_t *bytes = sim_memory_data(f->sram) + offset;
    return (uint32_t)bytes[0] | (uint32_t)bytes[1] << 8 | (uint32_t)bytes[2] << 16 | (uint32_t)bytes[3] << 24;
}

static void on_reset_request(void *ctx, uint64_t now_ps)
{
    (void)now_ps;
    struct fixture *f = ctx;
    f->reset_requested = true;
}

/* A chip with flash (and its boot alias at 0), SRAM, and the core; the vector table points at `entry`. */
static struct fixture *make_chip(enum sim_core core, uint32_t entry, uint32_t hardfault_handler)
{
    struct fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    memset(f->flash_bytes, 0xFF, sizeof f->flash_bytes);
    put32(f->flash_bytes, 0x00, SRAM_BASE + SRAM_SIZE);
    put32(f->flash_bytes, 0x04, entry | 1u);
    put32(f->flash_bytes, 0x0C, hardfault_handler | 1u);
    put32(f->flash_bytes, 0x3C, COUNTING_HANDLER | 1u);        /* SysTick */
    put32(f->flash_bytes, 4 * (16 + 3), COUNTING_HANDLER | 1u); /* IRQ 3 */
    memcpy(f->flash_bytes + (PROGRAM - FLASH_BASE), program, sizeof program);
    f->flash.bytes = f->flash_bytes;

    sim_bus_init(&f->bus);
    for (uint32_t base = 0; base <= FLASH_BASE; base += FLASH_BASE) {
        struct sim_bus_region *region =
            sim_bus_map(&f->bus, base, FLASH_SIZE, &recording_flash_ops, &f->flash, base ? "flash" : "boot alias");
        assert_non_null(region);
        region->direct = f->flash_bytes;
    }
    f->sram = sim_memory_create(SRAM_SIZE, true);
    assert_non_null(sim_memory_map(f->sram, &f->bus, SRAM_BASE, "sram"));

    static const uint32_t cpuids[] = {[SIM_CORE_M0] = 0x410CC200, [SIM_CORE_M0PLUS] = 0x410CC601,
                                      [SIM_CORE_M3] = 0x411FC231, [SIM_CORE_M4] = 0x410FC241};
    struct sim_cortexm_config config = {.core = core, .cpuid = cpuids[core], .clock_hz = CLOCK_HZ, .irq_count = 32};
    f->cpu = sim_cortexm_create(&config, &f->bus);
    assert_non_null(f->cpu);
    assert_true(sim_cortexm_attach_memory(f->cpu));
    sim_cortexm_on_reset_request(f->cpu, on_reset_request, f);
    sim_cortexm_reset(f->cpu, SIM_RESET_POWER_ON, 0);
    return f;
}

static void destroy_chip(struct fixture *f)
{
    sim_cortexm_destroy(f->cpu);
    sim_memory_destroy(f->sram);
    free(f);
}

static void debug_write(struct fixture *f, uint32_t address, uint32_t value)
{
    uint64_t done;
    assert_int_equal(sim_bus_write(&f->bus, SIM_BUS_MASTER_DEBUG, address, 4, value, sim_cortexm_now_ps(f->cpu),
                                   &done),
                     SIM_BUS_OK);
}

static uint32_t debug_read(struct fixture *f, uint32_t address)
{
    uint64_t done;
    uint32_t value = 0;
    assert_int_equal(sim_bus_read(&f->bus, SIM_BUS_MASTER_DEBUG, address, 4, &value, sim_cortexm_now_ps(f->cpu),
                                  &done),
                     SIM_BUS_OK);
    return value;
}

static uint32_t debug_read_register(struct fixture *f, unsigned selector)
{
    debug_write(f, DCRSR, selector);
    return debug_read(f, DCRDR);
}

static void debug_write_register(struct fixture *f, unsigned selector, uint32_t value)
{
    debug_write(f, DCRDR, value);
    debug_write(f, DCRSR, selector | (1u << 16));
}

static void run_for(struct fixture *f, uint64_t ps)
{
    sim_cortexm_run_until(f->cpu, sim_cortexm_now_ps(f->cpu) + ps);
}

/* ---- tests ---- */

static void test_reset_loads_sp_and_pc_from_the_vector_table(void **state)
{
    (void)state;
    struct fixture *f = make_chip(SIM_CORE_M3, COUNT_LOOP, HARDFAULT_HANDLER);
    assert_int_equal(sim_cortexm_reg(f->cpu, SIM_CORTEXM_REG_MSP), SRAM_BASE + SRAM_SIZE);
    assert_int_equal(sim_cortexm_reg(f->cpu, SIM_CORTEXM_REG_PC), COUNT_LOOP);
    assert_int_equal(sim_cortexm_state(f->cpu), SIM_CORTEXM_RUNNING);
    assert_int_equal(debug_read(f, 0xE000ED00), 0x411FC231); /* CPUID through the bus */
    assert_int_equal(debug_read(f, 0xE00FF000), 0xFFF0F003); /* ROM table entry for the SCS */
    destroy_chip(f);
}

static void test_a_millisecond_runs_the_clock_s_cycles(void **state)
{
    (void)state;
    struct fixture *f = make_chip(SIM_CORE_M3, COUNT_LOOP, HARDFAULT_HANDLER);
    sim_cortexm_run_until(f->cpu, MS);
    assert_in_range(sim_cortexm_cycles(f->cpu), CLOCK_HZ / 1000 - 4, CLOCK_HZ / 1000 + 4);
    /* Each iteration is 4 bytes of code: 2 cycles. */
    assert_in_range(sim_cortexm_reg(f->cpu, 0), 3990, 4002);
    assert_true(sim_cortexm_now_ps(f->cpu) >= MS);
    destroy_chip(f);
}

static void test_debugger_halts_steps_and_resumes_the_core(void **state)
{
    (void)state;
    struct fixture *f = make_chip(SIM_CORE_M3, COUNT_LOOP, HARDFAULT_HANDLER);
    run_for(f, 10 * US);
    debug_write(f, DHCSR, KEY | C_DEBUGEN | C_HALT);
    assert_true(debug_read(f, DHCSR) & S_HALT);
    assert_int_equal(debug_read(f, DFSR) & 1u, 1u); /* HALTED */
    uint32_t r0 = debug_read_register(f, 0);
    run_for(f, 10 * US);
    assert_int_equal(debug_read_register(f, 0), r0); /* halted: time passes, nothing runs */

    /* Two steps: the adds and the branch (in some order), so r0 grows by exactly one. */
    for (int i = 0; i < 2; i++) {
        debug_write(f, DHCSR, KEY | C_DEBUGEN | C_STEP);
        run_for(f, 1 * US);
        assert_true(debug_read(f, DHCSR) & S_HALT);
    }
    assert_int_equal(debug_read_register(f, 0), r0 + 1);

    debug_write(f, DHCSR, KEY | C_DEBUGEN);
    run_for(f, 10 * US);
    assert_false(debug_read(f, DHCSR) & S_HALT);
    assert_true(sim_cortexm_reg(f->cpu, 0) > r0 + 30);
    destroy_chip(f);
}

static void test_core_registers_round_trip_through_dcrsr(void **state)
{
    (void)state;
    struct fixture *f = make_chip(SIM_CORE_M4, COUNT_LOOP, HARDFAULT_HANDLER);
    debug_write(f, DHCSR, KEY | C_DEBUGEN | C_HALT);
    for (unsigned r = 0; r <= 12; r++) {
        debug_write_register(f, r, 0x1000 + r);
        assert_int_equal(debug_read_register(f, r), 0x1000 + r);
    }
    debug_write_register(f, SIM_CORTEXM_REG_LR, 0xFFFFFFFF);
    debug_write_register(f, SIM_CORTEXM_REG_PC, BKPT_PROG);
    debug_write_register(f, SIM_CORTEXM_REG_MSP, 0x20004000);
    debug_write_register(f, SIM_CORTEXM_REG_PSP, 0x20003000);
    assert_int_equal(debug_read_register(f, SIM_CORTEXM_REG_LR), 0xFFFFFFFF);
    assert_int_equal(debug_read_register(f, SIM_CORTEXM_REG_PC), BKPT_PROG);
    assert_int_equal(debug_read_register(f, SIM_CORTEXM_REG_MSP), 0x20004000);
    assert_int_equal(debug_read_register(f, SIM_CORTEXM_REG_SP), 0x20004000); /* thread mode on MSP */
    assert_int_equal(debug_read_register(f, SIM_CORTEXM_REG_PSP), 0x20003000);
    assert_int_equal(debug_read_register(f, SIM_CORTEXM_REG_XPSR) & (1u << 24), 1u << 24);
    debug_write_register(f, SIM_CORTEXM_REG_SPECIAL, 0x00001001); /* BASEPRI 0x10, PRIMASK 1 */
    assert_int_equal(debug_read_register(f, SIM_CORTEXM_REG_SPECIAL), 0x00001001);
    for (unsigned s = 0; s < 32; s++)
        debug_write_register(f, SIM_CORTEXM_REG_S0 + s, 0x3F800000 + s);
    for (unsigned s = 0; s < 32; s++)
        assert_int_equal(debug_read_register(f, SIM_CORTEXM_REG_S0 + s), 0x3F800000 + s);
    debug_write_register(f, SIM_CORTEXM_REG_FPSCR, 0x03000000);
    assert_int_equal(debug_read_register(f, SIM_CORTEXM_REG_FPSCR), 0x03000000);
    assert_int_equal(debug_read(f, 0xE000EF40), 0x10110021); /* MVFR0: the FPU is there */
    destroy_chip(f);
}

static void test_bkpt_halts_under_debug_and_faults_without(void **state)
{
    (void)state;
    struct fixture *f = make_chip(SIM_CORE_M3, BKPT_PROG, HARDFAULT_HANDLER);
    debug_write(f, DHCSR, KEY | C_DEBUGEN);
    run_for(f, 10 * US);
    assert_int_equal(sim_cortexm_state(f->cpu), SIM_CORTEXM_HALTED);
    assert_int_equal(debug_read_register(f, SIM_CORTEXM_REG_PC), BKPT_PROG + 2);
    assert_int_equal(debug_read_register(f, 1), 5);
    assert_true(debug_read(f, DFSR) & 2u); /* BKPT */
    destroy_chip(f);

    f = make_chip(SIM_CORE_M3, BKPT_PROG, HARDFAULT_HANDLER);
    run_for(f, 10 * US);
    assert_int_equal(sram32(f, 0x300), 0xFA17);
    destroy_chip(f);
}

static void test_fpb_breakpoint_halts_before_the_instruction(void **state)
{
    (void)state;
    struct fixture *f = make_chip(SIM_CORE_M3, COUNT_LOOP, HARDFAULT_HANDLER);
    debug_write(f, DHCSR, KEY | C_DEBUGEN);
    debug_write(f, 0xE0002000, 3);                                /* FP_CTRL: KEY | ENABLE */
    debug_write(f, 0xE0002008, (COUNT_LOOP + 2) | 1u | (2u << 30)); /* upper halfword of the word: the adds */
    run_for(f, 10 * US);
    assert_int_equal(sim_cortexm_state(f->cpu), SIM_CORTEXM_HALTED);
    assert_int_equal(debug_read_register(f, SIM_CORTEXM_REG_PC), COUNT_LOOP + 2);
    uint32_t r0 = debug_read_register(f, 0);
    debug_write(f, DHCSR, KEY | C_DEBUGEN); /* resume: runs the adds, comes round, stops again */
    run_for(f, 10 * US);
    assert_int_equal(sim_cortexm_state(f->cpu), SIM_CORTEXM_HALTED);
    assert_int_equal(debug_read_register(f, 0), r0 + 1);
    destroy_chip(f);
}

static void test_dwt_watchpoint_halts_after_the_store(void **state)
{
    (void)state;
    struct fixture *f = make_chip(SIM_CORE_M3, STORE_PROG, HARDFAULT_HANDLER);
    debug_write(f, DHCSR, KEY | C_DEBUGEN);
    debug_write(f, DEMCR, 1u << 24); /* TRCENA */
    debug_write(f, 0xE0001020, SRAM_BASE + 0x100);
    debug_write(f, 0xE0001024, 0);
    debug_write(f, 0xE0001028, 6); /* write */
    run_for(f, 10 * US);
    assert_int_equal(sim_cortexm_state(f->cpu), SIM_CORTEXM_HALTED);
    assert_int_equal(sram32(f, 0x100), 43);
    assert_true(debug_read(f, DFSR) & 4u);                /* DWTTRAP */
    assert_true(debug_read(f, 0xE0001028) & (1u << 24));  /* MATCHED, cleared by the read */
    assert_false(debug_read(f, 0xE0001028) & (1u << 24));
    destroy_chip(f);
}

static void test_vector_catch_halts_at_the_reset_vector(void **state)
{
    (void)state;
    struct fixture *f = make_chip(SIM_CORE_M3, COUNT_LOOP, HARDFAULT_HANDLER);
    run_for(f, 10 * US);
    debug_write(f, DHCSR, KEY | C_DEBUGEN);
    debug_write(f, DEMCR, 1u); /* VC_CORERESET */
    sim_cortexm_reset(f->cpu, SIM_RESET_SYSTEM, sim_cortexm_now_ps(f->cpu));
    assert_int_equal(sim_cortexm_state(f->cpu), SIM_CORTEXM_HALTED);
    assert_int_equal(debug_read_register(f, SIM_CORTEXM_REG_PC), COUNT_LOOP);
    assert_true(debug_read(f, DFSR) & 8u);                    /* VCATCH */
    assert_true(debug_read(f, DHCSR) & (1u << 25));           /* S_RESET_ST, sticky until read */
    assert_false(debug_read(f, DHCSR) & (1u << 25));
    /* A power-on reset clears the debug logic: no catch. */
    sim_cortexm_reset(f->cpu, SIM_RESET_POWER_ON, sim_cortexm_now_ps(f->cpu));
    assert_int_equal(sim_cortexm_state(f->cpu), SIM_CORTEXM_RUNNING);
    destroy_chip(f);
}

static void test_sysresetreq_from_the_firmware_reaches_the_chip(void **state)
{
    (void)state;
    struct fixture *f = make_chip(SIM_CORE_M3, SYSRESET_PROG, HARDFAULT_HANDLER);
    run_for(f, 10 * US);
    assert_true(f->reset_requested);
    destroy_chip(f);
}

static void test_systick_interrupts_once_per_period_while_the_core_sleeps(void **state)
{
    (void)state;
    struct fixture *f = make_chip(SIM_CORE_M3, SYSTICK_PROG, HARDFAULT_HANDLER);
    run_for(f, 10 * MS); /* a period of 1000 cycles at 8 MHz: 125 us */
    assert_in_range(sram32(f, 0x200), 79, 80);
    assert_int_equal(sim_cortexm_state(f->cpu), SIM_CORTEXM_SLEEPING);
    assert_true(sim_cortexm_next_event_ps(f->cpu) > sim_cortexm_now_ps(f->cpu));
    destroy_chip(f);
}

static void test_external_interrupt_waits_until_primask_is_cleared(void **state)
{
    (void)state;
    struct fixture *f = make_chip(SIM_CORE_M3, IRQ_PROG, HARDFAULT_HANDLER);
    run_for(f, 100 * US);
    sim_cortexm_set_irq(f->cpu, 3, true);
    sim_cortexm_set_irq(f->cpu, 3, false);
    run_for(f, 100 * US);
    assert_int_equal(sram32(f, 0x200), 0); /* masked by cpsid i */
    assert_int_equal(debug_read(f, 0xE000E200), 1u << 3); /* ISPR: pending */
    debug_write(f, DHCSR, KEY | C_DEBUGEN | C_HALT);
    debug_write_register(f, SIM_CORTEXM_REG_SPECIAL, 0);
    debug_write(f, DHCSR, KEY | C_DEBUGEN);
    run_for(f, 100 * US);
    assert_int_equal(sram32(f, 0x200), 1);
    assert_int_equal(debug_read(f, 0xE000E200), 0);
    destroy_chip(f);
}

static void test_unmapped_load_escalates_to_hardfault(void **state)
{
    (void)state;
    struct fixture *f = make_chip(SIM_CORE_M3, UNMAPPED_PROG, HARDFAULT_HANDLER);
    run_for(f, 10 * US);
    assert_int_equal(sram32(f, 0x300), 0xFA17);
    assert_true(debug_read(f, HFSR) & (1u << 30)); /* FORCED: BusFault was not enabled */
    destroy_chip(f);
}

static void test_fault_in_the_hardfault_handler_locks_up(void **state)
{
    (void)state;
    struct fixture *f = make_chip(SIM_CORE_M3, UNMAPPED_PROG, BAD_HARDFAULT_HANDLER);
    run_for(f, 10 * US);
    assert_int_equal(sim_cortexm_state(f->cpu), SIM_CORTEXM_LOCKED_UP);
    assert_true(debug_read(f, DHCSR) & S_LOCKUP);
    destroy_chip(f);
}

static void test_store_to_flash_goes_to_the_region_write_op(void **state)
{
    (void)state;
    struct fixture *f = make_chip(SIM_CORE_M3, FLASH_STORE_PROG, HARDFAULT_HANDLER);
    run_for(f, 10 * US);
    assert_int_equal(f->flash.stores, 1);
    assert_int_equal(f->flash_bytes[0x1000], 0x01);
    assert_int_equal(f->flash_bytes[0x1001], 0x00);
    assert_int_equal(sram32(f, 0x300), 0); /* accepted: no fault */
    destroy_chip(f);
}

static void test_changed_code_runs_after_code_changed(void **state)
{
    (void)state;
    struct fixture *f = make_chip(SIM_CORE_M3, COUNT_LOOP, HARDFAULT_HANDLER);
    run_for(f, 100 * US);
    uint32_t before = sim_cortexm_reg(f->cpu, 0);
    /* adds r0,#1 becomes subs r0,#1 behind the emulator's back. */
    f->flash_bytes[0x102] = 0x01;
    f->flash_bytes[0x103] = 0x38;
    sim_cortexm_code_changed(f->cpu, COUNT_LOOP + 2, 2);
    sim_cortexm_code_changed(f->cpu, COUNT_LOOP + 2 - FLASH_BASE, 2);
    run_for(f, 100 * US);
    assert_true(sim_cortexm_reg(f->cpu, 0) < before);
    destroy_chip(f);
}

static void test_cortex_m0_faults_on_thumb2_that_m3_runs(void **state)
{
    (void)state;
    struct fixture *f = make_chip(SIM_CORE_M3, THUMB2_PROG, HARDFAULT_HANDLER);
    run_for(f, 10 * US);
    assert_int_equal(sim_cortexm_reg(f->cpu, 5), 0x1234);
    destroy_chip(f);

    /* The M0's HardFault handler must be Thumb-1 too: point it at the counting handler, which is. */
    f = make_chip(SIM_CORE_M0, THUMB2_PROG, COUNTING_HANDLER);
    run_for(f, 10 * US);
    assert_int_not_equal(sim_cortexm_reg(f->cpu, 5), 0x1234);
    assert_true(sram32(f, 0x200) >= 1);
    destroy_chip(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reset_loads_sp_and_pc_from_the_vector_table),
        cmocka_unit_test(test_a_millisecond_runs_the_clock_s_cycles),
        cmocka_unit_test(test_debugger_halts_steps_and_resumes_the_core),
        cmocka_unit_test(test_core_registers_round_trip_through_dcrsr),
        cmocka_unit_test(test_bkpt_halts_under_debug_and_faults_without),
        cmocka_unit_test(test_fpb_breakpoint_halts_before_the_instruction),
        cmocka_unit_test(test_dwt_watchpoint_halts_after_the_store),
        cmocka_unit_test(test_vector_catch_halts_at_the_reset_vector),
        cmocka_unit_test(test_sysresetreq_from_the_firmware_reaches_the_chip),
        cmocka_unit_test(test_systick_interrupts_once_per_period_while_the_core_sleeps),
        cmocka_unit_test(test_external_interrupt_waits_until_primask_is_cleared),
        cmocka_unit_test(test_unmapped_load_escalates_to_hardfault),
        cmocka_unit_test(test_fault_in_the_hardfault_handler_locks_up),
        cmocka_unit_test(test_store_to_flash_goes_to_the_region_write_op),
        cmocka_unit_test(test_changed_code_runs_after_code_changed),
        cmocka_unit_test(test_cortex_m0_faults_on_thumb2_that_m3_runs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
