/*
 * test_sim_rcc.c - the simulated RCC: reset values, the oscillator and PLL ready flags, the system clock switch of
 * every family, registers that read back as written, and what each kind of reset restores.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "sim_bus.h"
#include "sim_parts.h"
#include "sim_rcc.h"

#define CR          0x00u
#define HSEON       (1u << 16)
#define HSERDY      (1u << 17)
#define PLLON       (1u << 24)
#define PLLRDY      (1u << 25)
#define LSxON       (1u << 0)
#define LSxRDY      (1u << 1)
#define RESET_FLAGS 0xFF000000u /* CSR */

/* How one family lays out what every family has: HSI, HSE, the PLL and the clock switch. */
struct family_case {
    const char *part;
    uint32_t cr_reset;
    uint32_t hsion, hsirdy;
    uint32_t cfgr;
    uint32_t sw_hse, sw_pll;
    uint32_t sw_mask;
    unsigned sws_shift;
    uint32_t bdcr, csr, csr_reset;
    uint32_t rmvf; /* CSR: clears the reset flags */
    uint32_t pllcfgr;   /* F4/L4/G0/G4: where PLLCFGR is */
    uint32_t pll_64mhz; /* a PLLCFGR that makes 64 MHz of the 16 MHz HSI at the system clock output */
    uint32_t pll_ren;   /* L4/G0/G4: that output's enable bit (PLLREN) */
};

static const struct family_case f1_case = {
    .part = "stm32f103c8",
    .cr_reset = 0x00000083,
    .hsion = 1u << 0,
    .hsirdy = 1u << 1,
    .cfgr = 0x04,
    .sw_hse = 1,
    .sw_pll = 2,
    .sw_mask = 0x3,
    .sws_shift = 2,
    .bdcr = 0x20,
    .csr = 0x24,
    .csr_reset = 0x0C000000,
    .rmvf = 1u << 24,
};

static const struct family_case f0_case = {
    .part = "stm32f030r8",
    .cr_reset = 0x00000083,
    .hsion = 1u << 0,
    .hsirdy = 1u << 1,
    .cfgr = 0x04,
    .sw_hse = 1,
    .sw_pll = 2,
    .sw_mask = 0x3,
    .sws_shift = 2,
    .bdcr = 0x20,
    .csr = 0x24,
    .csr_reset = 0x0C000000,
    .rmvf = 1u << 24,
};

static const struct family_case f4_case = {
    .part = "stm32f411ce",
    .cr_reset = 0x00000083,
    .hsion = 1u << 0,
    .hsirdy = 1u << 1,
    .cfgr = 0x08,
    .sw_hse = 1,
    .sw_pll = 2,
    .sw_mask = 0x3,
    .sws_shift = 2,
    .bdcr = 0x70,
    .csr = 0x74,
    .csr_reset = 0x0E000000,
    .rmvf = 1u << 24,
    .pllcfgr = 0x04,
    .pll_64mhz = 16u | (128u << 6), /* RM0383 §6.3.2: M 16, N 128, P 2, HSI */
};

static const struct family_case l4_case = {
    .part = "stm32l476rg",
    .cr_reset = 0x00000063,
    .hsion = 1u << 8,
    .hsirdy = 1u << 10,
    .cfgr = 0x08,
    .sw_hse = 2,
    .sw_pll = 3,
    .sw_mask = 0x3,
    .sws_shift = 2,
    .bdcr = 0x90,
    .csr = 0x94,
    .csr_reset = 0x0C000600,
    .rmvf = 1u << 23,
    .pllcfgr = 0x0C,
    .pll_64mhz = 0x2u | (8u << 8) | (1u << 24), /* RM0351 §6.4.4: M 1, N 8, R 2 */
    .pll_ren = 1u << 24,
};

static const struct family_case g0_case = {
    .part = "stm32g071rb",
    .cr_reset = 0x00000500,
    .hsion = 1u << 8,
    .hsirdy = 1u << 10,
    .cfgr = 0x08,
    .sw_hse = 1,
    .sw_pll = 2,
    .sw_mask = 0x7,
    .sws_shift = 3,
    .bdcr = 0x5C,
    .csr = 0x60,
    .csr_reset = 0x0C000000,
    .rmvf = 1u << 23,
    .pllcfgr = 0x0C,
    .pll_64mhz = 0x2u | (8u << 8) | (1u << 28) | (1u << 29), /* RM0444 §5.4.4: M 1, N 8, R 2 */
    .pll_ren = 1u << 28,
};

/* L1 (RM0038 §6.3): MSI at reset (CR bits 8/9), HSI in CR bits 0/1 as on F1/F4 and selected by SW 01, CFGR at 0x08;
 * no BDCR: LSE and LSI are in CSR (0x34), which keeps the reset flags (RMVF 24). */
static const struct family_case l1_case = {
    .part = "stm32l152re",
    .cr_reset = 0x00000300,
    .hsion = 1u << 0,
    .hsirdy = 1u << 1,
    .cfgr = 0x08,
    .sw_hse = 2,
    .sw_pll = 3,
    .sw_mask = 0x3,
    .sws_shift = 2,
    .bdcr = 0x34,
    .csr = 0x34,
    .csr_reset = 0x0C000000,
    .rmvf = 1u << 24,
};

/* G4 (RM0440 §7.4): L4's offsets without MSI; HSI16 is SW 01 and selected at reset (CFGR reads 0x5). Not in the
 * every-family tests, which expect the reset clock at SW 0. */
static const struct family_case g4_case = {
    .part = "stm32g431rb",
    .cr_reset = 0x00000500,
    .hsion = 1u << 8,
    .hsirdy = 1u << 10,
    .cfgr = 0x08,
    .sw_hse = 2,
    .sw_pll = 3,
    .sw_mask = 0x3,
    .sws_shift = 2,
    .bdcr = 0x90,
    .csr = 0x94,
    .csr_reset = 0x0C000000,
    .rmvf = 1u << 23,
    .pllcfgr = 0x0C,
    .pll_64mhz = 0x2u | (3u << 4) | (32u << 8) | (1u << 24), /* RM0440 §7.4.4: M 4, N 32, R 2 */
    .pll_ren = 1u << 24,
};

struct fixture {
    const struct family_case *family;
    const struct sim_part *part;
    struct sim_bus bus;
    struct sim_rcc *rcc;
};

/* The initial state is the family case. */
static int setup(void **state)
{
    struct fixture *fixture = test_calloc(1, sizeof(*fixture));
    fixture->family = *state;
    fixture->part = sim_part_find(fixture->family->part);
    assert_non_null(fixture->part);
    sim_bus_init(&fixture->bus);
    fixture->rcc = sim_rcc_create(fixture->part);
    assert_non_null(fixture->rcc);
    assert_true(sim_rcc_map(fixture->rcc, &fixture->bus));
    *state = fixture;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *fixture = *state;
    sim_rcc_destroy(fixture->rcc);
    test_free(fixture);
    return 0;
}

static uint32_t reg(struct fixture *fixture, uint32_t offset)
{
    uint32_t value;
    uint64_t done;
    assert_int_equal(
        sim_bus_read(&fixture->bus, SIM_BUS_MASTER_CPU, fixture->part->rcc_base + offset, 4, &value, 0, &done),
        SIM_BUS_OK);
    return value;
}

static void write_at(struct fixture *fixture, uint32_t offset, unsigned size, uint32_t value)
{
    uint64_t done;
    assert_int_equal(
        sim_bus_write(&fixture->bus, SIM_BUS_MASTER_CPU, fixture->part->rcc_base + offset, size, value, 0, &done),
        SIM_BUS_OK);
}

static void set_reg(struct fixture *fixture, uint32_t offset, uint32_t value)
{
    write_at(fixture, offset, 4, value);
}

static void set_bits(struct fixture *fixture, uint32_t offset, uint32_t bits)
{
    set_reg(fixture, offset, reg(fixture, offset) | bits);
}

static void clear_bits(struct fixture *fixture, uint32_t offset, uint32_t bits)
{
    set_reg(fixture, offset, reg(fixture, offset) & ~bits);
}

static uint32_t sws(struct fixture *fixture)
{
    const struct family_case *family = fixture->family;
    return (reg(fixture, family->cfgr) >> family->sws_shift) & family->sw_mask;
}

static void reset(struct fixture *fixture, enum sim_reset_kind kind)
{
    struct sim_device device = sim_rcc_device(fixture->rcc);
    device.ops->reset(device.ctx, kind, 0);
}

/* ---- every family ---- */

static void test_reset_clock_is_on_and_selected(void **state)
{
    struct fixture *fixture = *state;
    assert_int_equal(reg(fixture, CR), fixture->family->cr_reset);
    assert_int_equal(reg(fixture, fixture->family->cfgr), 0);
    assert_int_equal(reg(fixture, fixture->family->csr), fixture->family->csr_reset);
    assert_int_equal(sim_rcc_register(fixture->rcc, CR), fixture->family->cr_reset);
}

static void test_hse_and_pll_report_ready_as_soon_as_switched_on(void **state)
{
    struct fixture *fixture = *state;
    set_bits(fixture, CR, HSEON);
    assert_int_equal(reg(fixture, CR) & (HSEON | HSERDY), HSEON | HSERDY);
    set_bits(fixture, CR, PLLON);
    assert_int_equal(reg(fixture, CR) & (PLLON | PLLRDY), PLLON | PLLRDY);
    clear_bits(fixture, CR, HSEON | PLLON);
    assert_int_equal(reg(fixture, CR) & (HSERDY | PLLRDY), 0);
}

static void test_ready_flags_cannot_be_written(void **state)
{
    struct fixture *fixture = *state;
    const struct family_case *family = fixture->family;
    set_reg(fixture, CR, family->hsion | HSERDY | PLLRDY); /* HSIRDY written 0, the others 1 */
    assert_int_equal(reg(fixture, CR) & (family->hsirdy | HSERDY | PLLRDY), family->hsirdy);
}

static void test_clock_switch_waits_for_the_source_to_be_on(void **state)
{
    struct fixture *fixture = *state;
    const struct family_case *family = fixture->family;
    set_reg(fixture, family->cfgr, family->sw_pll);
    assert_int_equal(sws(fixture), 0); /* PLL off: still on the reset clock */
    set_bits(fixture, CR, PLLON);
    assert_int_equal(sws(fixture), family->sw_pll);

    set_bits(fixture, CR, HSEON);
    set_reg(fixture, family->cfgr, family->sw_hse);
    assert_int_equal(sws(fixture), family->sw_hse);
    assert_int_equal(reg(fixture, family->cfgr) & family->sw_mask, family->sw_hse); /* SW reads back */
}

static void test_lse_and_lsi_report_ready(void **state)
{
    struct fixture *fixture = *state;
    set_bits(fixture, fixture->family->bdcr, LSxON);
    set_bits(fixture, fixture->family->csr, LSxON);
    assert_int_equal(reg(fixture, fixture->family->bdcr) & (LSxON | LSxRDY), LSxON | LSxRDY);
    assert_int_equal(reg(fixture, fixture->family->csr) & (LSxON | LSxRDY), LSxON | LSxRDY);
}

static void test_system_reset_keeps_the_backup_domain_and_reset_flags(void **state)
{
    struct fixture *fixture = *state;
    const struct family_case *family = fixture->family;
    set_bits(fixture, CR, HSEON | PLLON);
    set_reg(fixture, family->cfgr, family->sw_pll);
    set_bits(fixture, family->bdcr, LSxON);
    set_bits(fixture, family->csr, LSxON | family->rmvf);
    assert_int_equal(reg(fixture, family->csr), (family->csr_reset & ~RESET_FLAGS) | LSxON | LSxRDY);

    reset(fixture, SIM_RESET_SYSTEM);
    assert_int_equal(reg(fixture, CR), family->cr_reset);
    assert_int_equal(reg(fixture, family->cfgr), 0);
    assert_int_equal(reg(fixture, family->bdcr), LSxON | LSxRDY);
    assert_int_equal(reg(fixture, family->csr), family->csr_reset & ~RESET_FLAGS); /* LSION off, flags still clear */

    reset(fixture, SIM_RESET_POWER_ON);
    assert_int_equal(reg(fixture, family->bdcr), 0);
    assert_int_equal(reg(fixture, family->csr), family->csr_reset);
}

/* ---- one family each ---- */

#define F1_AHBENR      0x14u
#define F1_APB2ENR     0x18u
#define F0_CFGR        0x04u
#define F0_CR2         0x34u
#define F0_CR2_HSI14ON (1u << 0)
#define F0_CR2_HSI48ON (1u << 16)
#define F4_PLLCFGR     0x04u
#define F4_CFGR        0x08u
#define L4_G0_CFGR     0x08u
#define L4_AHB1ENR     0x48u
#define L4_CR_HSION    (1u << 8)
#define L4_CR_HSIRDY   (1u << 10)
#define G0_CSR         0x60u

static void test_f1_enables_read_back_as_written(void **state)
{
    struct fixture *fixture = *state;
    assert_int_equal(reg(fixture, F1_AHBENR), 0x00000014);             /* SRAMEN, FLITFEN */
    set_bits(fixture, F1_APB2ENR, (1u << 2) | (1u << 4) | (1u << 14)); /* IOPAEN, IOPCEN, USART1EN as the example */
    assert_int_equal(reg(fixture, F1_APB2ENR), 0x00004014);
    reset(fixture, SIM_RESET_SYSTEM);
    assert_int_equal(reg(fixture, F1_APB2ENR), 0);
}

static void test_f1_byte_write_reaches_one_lane(void **state)
{
    struct fixture *fixture = *state;
    write_at(fixture, CR + 2, 1, HSEON >> 16);
    assert_int_equal(reg(fixture, CR), 0x00000083 | HSEON | HSERDY);
}

static void test_f0_hsi14_and_hsi48(void **state)
{
    struct fixture *fixture = *state;
    assert_int_equal(reg(fixture, F0_CR2), 0x00000080); /* HSI14TRIM 16 */
    set_bits(fixture, F0_CR2, F0_CR2_HSI14ON | F0_CR2_HSI48ON);
    assert_int_equal(reg(fixture, F0_CR2), 0x00030083);
    set_reg(fixture, F0_CFGR, 3); /* SW: HSI48 */
    assert_int_equal(sws(fixture), 3);
}

static void test_f4_pllcfgr_reset_value(void **state)
{
    struct fixture *fixture = *state;
    assert_int_equal(reg(fixture, F4_PLLCFGR), 0x24003010);
    set_reg(fixture, F4_CFGR, 3); /* SW 11: not allowed on F411 */
    assert_int_equal(sws(fixture), 0);
}

static void test_l4_msi_and_hsi16(void **state)
{
    struct fixture *fixture = *state;
    assert_int_equal(reg(fixture, L4_AHB1ENR), 0x00000100); /* FLASHEN */
    set_bits(fixture, CR, L4_CR_HSION);
    assert_int_equal(reg(fixture, CR) & L4_CR_HSIRDY, L4_CR_HSIRDY);
    set_reg(fixture, L4_G0_CFGR, 1); /* SW: HSI16 */
    assert_int_equal(sws(fixture), 1);
    set_reg(fixture, L4_G0_CFGR, 0); /* back to MSI */
    clear_bits(fixture, CR, L4_CR_HSION);
    assert_int_equal(reg(fixture, CR), 0x00000063);
    assert_int_equal(sws(fixture), 0);
}

static void test_g4_resets_to_hsi16_and_back(void **state)
{
    struct fixture *fixture = *state;
    assert_int_equal(reg(fixture, CR), 0x00000500);
    assert_int_equal(reg(fixture, L4_G0_CFGR), 0x00000005); /* SW and SWS: HSI16 */
    assert_int_equal(reg(fixture, L4_AHB1ENR), 0x00000100); /* FLASHEN */
    assert_int_equal(sim_rcc_sysclk_hz(fixture->rcc), 16000000u);
    set_reg(fixture, L4_G0_CFGR, 0); /* 00 is reserved: the switch stays on HSI16 */
    assert_int_equal(sws(fixture), 1);
    set_bits(fixture, CR, HSEON);
    set_reg(fixture, L4_G0_CFGR, 2); /* SW: HSE */
    assert_int_equal(sws(fixture), 2);
    reset(fixture, SIM_RESET_SYSTEM);
    assert_int_equal(reg(fixture, L4_G0_CFGR), 0x00000005);
    assert_int_equal(sim_rcc_sysclk_hz(fixture->rcc), 16000000u);
}

/* L1: the 2.097 MHz MSI at reset, the 16 MHz HSI at SW 01 once it is on (the flash job's clock boost), and back. */
static void test_l1_msi_then_hsi(void **state)
{
    struct fixture *fixture = *state;
    assert_int_equal(sim_rcc_sysclk_hz(fixture->rcc), 2097152u);
    assert_int_equal(reg(fixture, 0x04), 0x0000B000); /* ICSCR: MSIRANGE 5 */
    set_reg(fixture, 0x08, 1);                          /* SW: HSI, still off */
    assert_int_equal(sws(fixture), 0);
    set_bits(fixture, CR, 1u << 0); /* HSION */
    assert_int_equal(reg(fixture, CR), 0x00000303);
    assert_int_equal(sws(fixture), 1);
    assert_int_equal(sim_rcc_sysclk_hz(fixture->rcc), 16000000u);
    set_reg(fixture, 0x08, 0);
    clear_bits(fixture, CR, 1u << 0);
    assert_int_equal(reg(fixture, CR), 0x00000300);
    assert_int_equal(sim_rcc_sysclk_hz(fixture->rcc), 2097152u);
}

static void test_g0_switch_to_lsi_waits_for_lsion(void **state)
{
    struct fixture *fixture = *state;
    set_reg(fixture, L4_G0_CFGR, 3); /* SW: LSI */
    assert_int_equal(sws(fixture), 0);
    set_bits(fixture, G0_CSR, LSxON);
    assert_int_equal(sws(fixture), 3);
    assert_int_equal(reg(fixture, L4_G0_CFGR), 3u | (3u << 3));
}

/* F4/L4/G0/G4: the PLL fed by the 16 MHz HSI is the system clock once selected (as the flash job's clock boost sets it
 * up); with its output off (PLLREN clear) the switch leaves the clock as it was, and switching back gives the reset
 * clock again. */
static void test_pll_from_hsi_clocks_the_system(void **state)
{
    struct fixture *fixture = *state;
    const struct family_case *family = fixture->family;
    uint32_t reset_hz = sim_rcc_sysclk_hz(fixture->rcc);
    uint32_t reset_sw = reg(fixture, family->cfgr) & family->sw_mask;
    set_bits(fixture, CR, family->hsion);
    set_bits(fixture, CR, PLLON);
    if (family->pll_ren != 0) {
        set_reg(fixture, family->pllcfgr, family->pll_64mhz & ~family->pll_ren);
        set_reg(fixture, family->cfgr, family->sw_pll);
        assert_int_equal(sws(fixture), family->sw_pll);
        assert_int_equal(sim_rcc_sysclk_hz(fixture->rcc), reset_hz); /* PLLR off: no clock modelled from it */
        set_reg(fixture, family->cfgr, reset_sw);
    }
    set_reg(fixture, family->pllcfgr, family->pll_64mhz);
    set_reg(fixture, family->cfgr, family->sw_pll);
    assert_int_equal(sws(fixture), family->sw_pll);
    assert_int_equal(sim_rcc_sysclk_hz(fixture->rcc), 64000000u);
    set_reg(fixture, family->cfgr, reset_sw);
    assert_int_equal(sim_rcc_sysclk_hz(fixture->rcc), reset_hz);
}

/* Named test/family, so that a failure says which family. */
#define RCC_TEST(test, family) ((struct CMUnitTest){#test "/" #family, test, setup, teardown, (void *)&(family)})
/* The families with a backup domain register apart from CSR (L1 keeps LSE and the RTC in CSR). */
#define RCC_TEST_EVERY_BDCR_FAMILY(test)                                                                               \
    RCC_TEST(test, f1_case), RCC_TEST(test, f0_case), RCC_TEST(test, f4_case), RCC_TEST(test, l4_case),                \
        RCC_TEST(test, g0_case)
#define RCC_TEST_EVERY_FAMILY(test) RCC_TEST_EVERY_BDCR_FAMILY(test), RCC_TEST(test, l1_case)

int main(void)
{
    const struct CMUnitTest tests[] = {
        RCC_TEST_EVERY_FAMILY(test_reset_clock_is_on_and_selected),
        RCC_TEST_EVERY_FAMILY(test_hse_and_pll_report_ready_as_soon_as_switched_on),
        RCC_TEST_EVERY_FAMILY(test_ready_flags_cannot_be_written),
        RCC_TEST_EVERY_FAMILY(test_clock_switch_waits_for_the_source_to_be_on),
        RCC_TEST_EVERY_FAMILY(test_lse_and_lsi_report_ready),
        RCC_TEST_EVERY_BDCR_FAMILY(test_system_reset_keeps_the_backup_domain_and_reset_flags),
        RCC_TEST(test_f1_enables_read_back_as_written, f1_case),
        RCC_TEST(test_f1_byte_write_reaches_one_lane, f1_case),
        RCC_TEST(test_f0_hsi14_and_hsi48, f0_case),
        RCC_TEST(test_f4_pllcfgr_reset_value, f4_case),
        RCC_TEST(test_g4_resets_to_hsi16_and_back, g4_case),
        RCC_TEST(test_l4_msi_and_hsi16, l4_case),
        RCC_TEST(test_l1_msi_then_hsi, l1_case),
        RCC_TEST(test_g0_switch_to_lsi_waits_for_lsion, g0_case),
        RCC_TEST(test_pll_from_hsi_clocks_the_system, f4_case),
        RCC_TEST(test_pll_from_hsi_clocks_the_system, l4_case),
        RCC_TEST(test_pll_from_hsi_clocks_the_system, g0_case),
        RCC_TEST(test_pll_from_hsi_clocks_the_system, g4_case),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
