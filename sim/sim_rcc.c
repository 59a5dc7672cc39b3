/*
 * sim_rcc.c - the simulated RCC: one register file per family layout, with the ready flags and the clock switch
 * status computed on read.
 *
 * Invariants: registers[] holds what was written (ready bits and SWS included, which reads then override); `sws`
 * is the source the system clock switch has settled on, updated after every write (a switch to a source that is
 * off waits until it is switched on, as on silicon).
 */
#include "sim_rcc.h"

#include <stdlib.h>
#include <string.h>

#define RCC_WORDS            (SIM_RCC_REGION_SIZE / 4)
#define RCC_CSR_RESET_FLAGS  0xFF000000u /* cleared by power-on or RMVF only, on every family */
#define RCC_MAX_SOURCES      8u
#define RCC_MAX_READY_FLAGS  8u
#define RCC_MAX_RESET_VALUES 8u

/* Register offsets (RM0008 §7.3, RM0360 §7.4 / RM0091 §6.4, RM0368 / RM0383 §6.3, RM0351 §6.4, RM0444 §5.4). */
#define RCC_CR             0x00u /* every family */
#define RCC_CFGR_F0_F1     0x04u
#define RCC_AHBENR_F0_F1   0x14u
#define RCC_BDCR_F0_F1     0x20u
#define RCC_CSR_F0_F1      0x24u
#define RCC_CR2_F0         0x34u
#define RCC_PLLCFGR_F4     0x04u
#define RCC_CFGR_F4_L4_G0  0x08u
#define RCC_BDCR_F4        0x70u
#define RCC_CSR_F4         0x74u
#define RCC_ICSCR_L4_G0    0x04u
#define RCC_PLLCFGR_L4_G0  0x0Cu
#define RCC_PLLSAI1CFGR_L4 0x10u
#define RCC_PLLSAI2CFGR_L4 0x14u
#define RCC_AHB1ENR_L4     0x48u
#define RCC_BDCR_L4        0x90u
#define RCC_CSR_L4         0x94u
#define RCC_AHBENR_G0      0x38u
#define RCC_BDCR_G0        0x5Cu
#define RCC_CSR_G0         0x60u

/* Enable and ready bit numbers. HSI is in CR bits 0/1 on F0/F1/F4; on L4 MSI is there and HSI16 in bits 8/10, as
 * on G0. HSE and the main PLL are in the same place everywhere. */
#define RCC_CR_HSION_F0_F1_F4  0u
#define RCC_CR_HSIRDY_F0_F1_F4 1u
#define RCC_CR_MSION_L4        0u
#define RCC_CR_MSIRDY_L4       1u
#define RCC_CR_HSION_L4_G0     8u
#define RCC_CR_HSIRDY_L4_G0    10u
#define RCC_CR_HSEON           16u
#define RCC_CR_HSERDY          17u
#define RCC_CR_PLLON           24u
#define RCC_CR_PLLRDY          25u
#define RCC_CR_PLLI2SON_F4     26u
#define RCC_CR_PLLI2SRDY_F4    27u
#define RCC_CR_PLLSAI1ON_L4    26u
#define RCC_CR_PLLSAI1RDY_L4   27u
#define RCC_CR_PLLSAI2ON_L4    28u
#define RCC_CR_PLLSAI2RDY_L4   29u
#define RCC_CR2_HSI14ON_F0     0u
#define RCC_CR2_HSI14RDY_F0    1u
#define RCC_CR2_HSI48ON_F0     16u /* F072 */
#define RCC_CR2_HSI48RDY_F0    17u
#define RCC_LSxON              0u /* BDCR.LSEON and CSR.LSION */
#define RCC_LSxRDY             1u /* BDCR.LSERDY and CSR.LSIRDY */

/* An enable bit and the ready flag that follows it. Unused entries have on_bit == ready_bit. */
struct rcc_ready_flag {
    uint16_t offset;
    uint8_t on_bit, ready_bit;
};

/* What CFGR.SW selects: the source's enable bit. */
struct rcc_source {
    bool exists;
    uint16_t offset;
    uint8_t on_bit;
};

/* Unused entries have value 0 (every register starts from 0). */
struct rcc_reset_value {
    uint16_t offset;
    uint32_t value;
};

/* The main PLL's system clock output when the 16 MHz HSI feeds it, read from PLLCFGR: the input divider M (field +
 * m_plus), the multiplier N, the output divider ((field + 1) * out_scale) and, where the output has one, its enable
 * bit. F4/F7 (RM0090 §6.3.2, RM0385 §5.3.2): PLLSRC bit 22 clear, PLLM 5:0, PLLN 14:6, PLLP 17:16 (2, 4, 6, 8);
 * L4/G4 (RM0351 §6.4.4, RM0440 §7.4.4): PLLSRC 1:0 = 10, PLLM from bit 4 (+1), PLLN 14:8, PLLR 26:25 (2-8),
 * PLLREN 24;
 * G0 (RM0444 §5.4.4): the same but PLLR 31:29 (field + 1, 000 reserved) and PLLREN 28. sw: the SW value that selects
 * it; 0 where the PLL is not modelled (the clock stays as it was). */
#define RCC_PLL_NO_ENABLE 0xFFu
struct rcc_pll {
    uint16_t pllcfgr;
    uint32_t sw, src_mask, src_hsi;
    uint32_t m_mask, n_mask; /* in place */
    uint8_t m_shift, m_plus, n_shift;
    uint8_t out_shift, out_mask, out_scale, enable_bit;
};

struct rcc_layout {
    uint16_t cfgr, bdcr, csr;
    unsigned csr_rmvf_bit; /* writing 1 clears the reset flags */
    uint32_t sw_mask;      /* SW is CFGR's lowest field */
    unsigned sws_shift;
    uint32_t reset_sw; /* the source SW selects after reset: 0 everywhere but on G4 (HSI16 is 01 there) */
    struct rcc_source sources[RCC_MAX_SOURCES]; /* by SW value */
    struct rcc_ready_flag ready[RCC_MAX_READY_FLAGS];
    struct rcc_reset_value resets[RCC_MAX_RESET_VALUES];
    struct rcc_pll pll;
    bool hsi16_at_sw1; /* SW 01 selects the 16 MHz HSI16 (L4, L0, L1; L0's HSI16DIVEN, /4, is not modelled) */
};

/* The L4's and the G4's PLL, whose PLLM fields differ in width. */
#define RCC_PLL_L4_G4(m_mask_)                                                                                         \
    {.pllcfgr = RCC_PLLCFGR_L4_G0, .sw = 3, .src_mask = 0x3u, .src_hsi = 0x2u, .m_mask = (m_mask_),                  \
     .n_mask = 0x7F00u, .m_shift = 4, .m_plus = 1, .n_shift = 8, .out_shift = 25, .out_mask = 0x3, .out_scale = 2,   \
     .enable_bit = 24}

/* The members of a struct rcc_ready_flag for the pairs most layouts share (braces at the use). */
#define RCC_HSI_F0_F1_F4 RCC_CR, RCC_CR_HSION_F0_F1_F4, RCC_CR_HSIRDY_F0_F1_F4
#define RCC_HSI_L4_G0    RCC_CR, RCC_CR_HSION_L4_G0, RCC_CR_HSIRDY_L4_G0
#define RCC_HSE          RCC_CR, RCC_CR_HSEON, RCC_CR_HSERDY
#define RCC_PLL          RCC_CR, RCC_CR_PLLON, RCC_CR_PLLRDY
#define RCC_LSE(bdcr)    (bdcr), RCC_LSxON, RCC_LSxRDY
#define RCC_LSI(csr)     (csr), RCC_LSxON, RCC_LSxRDY

/* F1: SW 00 HSI, 01 HSE, 10 PLL. CR reset: HSITRIM 16, HSIRDY, HSION; HSICAL (CR[15:8]) is factory-trimmed on
 * silicon and 0 here. AHBENR reset: SRAMEN, FLITFEN. CSR reset: PORRSTF, PINRSTF. */
static const struct rcc_layout rcc_layout_f1 = {
    .cfgr = RCC_CFGR_F0_F1,
    .bdcr = RCC_BDCR_F0_F1,
    .csr = RCC_CSR_F0_F1,
    .sw_mask = 0x3,
    .sws_shift = 2,
    .csr_rmvf_bit = 24,
    .sources = {{true, RCC_CR, RCC_CR_HSION_F0_F1_F4}, {true, RCC_CR, RCC_CR_HSEON}, {true, RCC_CR, RCC_CR_PLLON}},
    .ready = {{RCC_HSI_F0_F1_F4}, {RCC_HSE}, {RCC_PLL}, {RCC_LSE(RCC_BDCR_F0_F1)}, {RCC_LSI(RCC_CSR_F0_F1)}},
    .resets = {{RCC_CR, 0x00000083}, {RCC_AHBENR_F0_F1, 0x00000014}, {RCC_CSR_F0_F1, 0x0C000000}},
};

/* F0: F1's layout plus CR2 (HSI14, and HSI48 on F072) and SW 11 for HSI48. CR2 reset: HSI14TRIM 16. */
static const struct rcc_layout rcc_layout_f0 = {
    .cfgr = RCC_CFGR_F0_F1,
    .bdcr = RCC_BDCR_F0_F1,
    .csr = RCC_CSR_F0_F1,
    .sw_mask = 0x3,
    .sws_shift = 2,
    .csr_rmvf_bit = 24,
    .sources = {{true, RCC_CR, RCC_CR_HSION_F0_F1_F4},
                {true, RCC_CR, RCC_CR_HSEON},
                {true, RCC_CR, RCC_CR_PLLON},
                {true, RCC_CR2_F0, RCC_CR2_HSI48ON_F0}},
    .ready = {{RCC_HSI_F0_F1_F4},
              {RCC_HSE},
              {RCC_PLL},
              {RCC_LSE(RCC_BDCR_F0_F1)},
              {RCC_LSI(RCC_CSR_F0_F1)},
              {RCC_CR2_F0, RCC_CR2_HSI14ON_F0, RCC_CR2_HSI14RDY_F0},
              {RCC_CR2_F0, RCC_CR2_HSI48ON_F0, RCC_CR2_HSI48RDY_F0}},
    .resets = {{RCC_CR, 0x00000083},
               {RCC_AHBENR_F0_F1, 0x00000014},
               {RCC_CSR_F0_F1, 0x0C000000},
               {RCC_CR2_F0, 0x00000080}},
};

/* F4: SW 00 HSI, 01 HSE, 10 PLL (11 not allowed on F401/F411). PLLCFGR reset: PLLQ 4, PLLN 192, PLLM 16. CSR
 * reset: PORRSTF, PINRSTF, BORRSTF. */
static const struct rcc_layout rcc_layout_f4 = {
    .cfgr = RCC_CFGR_F4_L4_G0,
    .bdcr = RCC_BDCR_F4,
    .csr = RCC_CSR_F4,
    .sw_mask = 0x3,
    .sws_shift = 2,
    .csr_rmvf_bit = 24,
    .sources = {{true, RCC_CR, RCC_CR_HSION_F0_F1_F4}, {true, RCC_CR, RCC_CR_HSEON}, {true, RCC_CR, RCC_CR_PLLON}},
    .ready = {{RCC_HSI_F0_F1_F4},
              {RCC_HSE},
              {RCC_PLL},
              {RCC_CR, RCC_CR_PLLI2SON_F4, RCC_CR_PLLI2SRDY_F4},
              {RCC_LSE(RCC_BDCR_F4)},
              {RCC_LSI(RCC_CSR_F4)}},
    .resets = {{RCC_CR, 0x00000083}, {RCC_PLLCFGR_F4, 0x24003010}, {RCC_CSR_F4, 0x0E000000}},
    .pll = {.pllcfgr = RCC_PLLCFGR_F4, .sw = 2, .src_mask = 1u << 22, .src_hsi = 0, .m_mask = 0x3Fu, .n_mask = 0x7FC0u,
            .m_shift = 0, .m_plus = 0, .n_shift = 6, .out_shift = 16, .out_mask = 0x3, .out_scale = 2,
            .enable_bit = RCC_PLL_NO_ENABLE},
};

/* L4: SW 00 MSI, 01 HSI16, 10 HSE, 11 PLL. CR reset: MSIRANGE 6 (4 MHz), MSIRDY, MSION. ICSCR: HSITRIM 16. PLL
 * configuration registers: PLLN 16. AHB1ENR: FLASHEN. CSR: BORRSTF, PINRSTF, MSISRANGE 6. */
static const struct rcc_layout rcc_layout_l4 = {
    .cfgr = RCC_CFGR_F4_L4_G0,
    .bdcr = RCC_BDCR_L4,
    .csr = RCC_CSR_L4,
    .sw_mask = 0x3,
    .sws_shift = 2,
    .csr_rmvf_bit = 23,
    .sources = {{true, RCC_CR, RCC_CR_MSION_L4},
                {true, RCC_CR, RCC_CR_HSION_L4_G0},
                {true, RCC_CR, RCC_CR_HSEON},
                {true, RCC_CR, RCC_CR_PLLON}},
    .ready = {{RCC_CR, RCC_CR_MSION_L4, RCC_CR_MSIRDY_L4},
              {RCC_HSI_L4_G0},
              {RCC_HSE},
              {RCC_PLL},
              {RCC_CR, RCC_CR_PLLSAI1ON_L4, RCC_CR_PLLSAI1RDY_L4},
              {RCC_CR, RCC_CR_PLLSAI2ON_L4, RCC_CR_PLLSAI2RDY_L4},
              {RCC_LSE(RCC_BDCR_L4)},
              {RCC_LSI(RCC_CSR_L4)}},
    .resets = {{RCC_CR, 0x00000063},
               {RCC_ICSCR_L4_G0, 0x10000000},
               {RCC_PLLCFGR_L4_G0, 0x00001000},
               {RCC_PLLSAI1CFGR_L4, 0x00001000},
               {RCC_PLLSAI2CFGR_L4, 0x00001000},
               {RCC_AHB1ENR_L4, 0x00000100},
               {RCC_CSR_L4, 0x0C000600}},
    .pll = RCC_PLL_L4_G4(0x70u),
    .hsi16_at_sw1 = true,
};

/* L0 (RM0367 §7.3): SW[1:0] 00 MSI, 01 HSI16, 10 HSE, 11 PLL in CFGR (0x0C), SWS in CFGR[3:2]. CR: HSI16ON 0,
 * HSI16RDYF 2, MSION 8, MSIRDY 9. No BDCR: LSE (bits 8/9) and LSI (0/1) are in CSR (0x50), which also keeps the
 * reset flags (RMVF 23). CR reset: MSIRDY, MSION. ICSCR: MSIRANGE 5 (2.097 MHz). */
#define RCC_CFGR_L0 0x0Cu
#define RCC_CSR_L0  0x50u
static const struct rcc_layout rcc_layout_l0 = {
    .cfgr = RCC_CFGR_L0,
    .bdcr = RCC_CSR_L0,
    .csr = RCC_CSR_L0,
    .sw_mask = 0x3,
    .sws_shift = 2,
    .csr_rmvf_bit = 23,
    .sources = {{true, RCC_CR, 8}, {true, RCC_CR, 0}, {true, RCC_CR, RCC_CR_HSEON}, {true, RCC_CR, RCC_CR_PLLON}},
    .ready = {{RCC_CR, 8, 9}, {RCC_CR, 0, 2}, {RCC_HSE}, {RCC_PLL}, {RCC_CSR_L0, 8, 9}, {RCC_LSI(RCC_CSR_L0)}},
    .resets = {{RCC_CR, 0x00000300}, {RCC_ICSCR_L4_G0, 0x0000B000}, {RCC_CSR_L0, 0x0C000000}},
    .hsi16_at_sw1 = true,
};

/* L1 (RM0038 §6.3): SW[1:0] 00 MSI, 01 HSI (16 MHz), 10 HSE, 11 PLL in CFGR (0x08), SWS in CFGR[3:2]. CR: HSION 0,
 * HSIRDY 1, MSION 8, MSIRDY 9. No BDCR: LSE (bits 8/9) and LSI (0/1) are in CSR (0x34), which also keeps the reset
 * flags (RMVF 24). CR reset: MSIRDY, MSION. ICSCR: MSIRANGE 5 (2.097 MHz). CSR: PORRSTF, PINRSTF. */
#define RCC_CSR_L1 0x34u
static const struct rcc_layout rcc_layout_l1 = {
    .cfgr = RCC_CFGR_F4_L4_G0,
    .bdcr = RCC_CSR_L1,
    .csr = RCC_CSR_L1,
    .sw_mask = 0x3,
    .sws_shift = 2,
    .csr_rmvf_bit = 24,
    .sources = {{true, RCC_CR, 8}, {true, RCC_CR, RCC_CR_HSION_F0_F1_F4}, {true, RCC_CR, RCC_CR_HSEON},
                {true, RCC_CR, RCC_CR_PLLON}},
    .ready = {{RCC_CR, 8, 9}, {RCC_HSI_F0_F1_F4}, {RCC_HSE}, {RCC_PLL}, {RCC_CSR_L1, 8, 9}, {RCC_LSI(RCC_CSR_L1)}},
    .resets = {{RCC_CR, 0x00000300}, {RCC_ICSCR_L4_G0, 0x0000B000}, {RCC_CSR_L1, 0x0C000000}},
    .hsi16_at_sw1 = true,
};

/* G0: SW[2:0] 000 HSISYS, 001 HSE, 010 PLLRCLK, 011 LSI, 100 LSE; SWS in CFGR[5:3]. CR reset: HSIRDY, HSION
 * (HSIDIV 1). ICSCR: HSITRIM 64. PLLCFGR: PLLN 16. AHBENR: FLASHEN. CSR: PWRRSTF, PINRSTF. */
static const struct rcc_layout rcc_layout_g0 = {
    .cfgr = RCC_CFGR_F4_L4_G0,
    .bdcr = RCC_BDCR_G0,
    .csr = RCC_CSR_G0,
    .sw_mask = 0x7,
    .sws_shift = 3,
    .csr_rmvf_bit = 23,
    .sources = {{true, RCC_CR, RCC_CR_HSION_L4_G0},
                {true, RCC_CR, RCC_CR_HSEON},
                {true, RCC_CR, RCC_CR_PLLON},
                {true, RCC_CSR_G0, RCC_LSxON},
                {true, RCC_BDCR_G0, RCC_LSxON}},
    .ready = {{RCC_HSI_L4_G0}, {RCC_HSE}, {RCC_PLL}, {RCC_LSE(RCC_BDCR_G0)}, {RCC_LSI(RCC_CSR_G0)}},
    .resets = {{RCC_CR, 0x00000500},
               {RCC_ICSCR_L4_G0, 0x00004000},
               {RCC_PLLCFGR_L4_G0, 0x00001000},
               {RCC_AHBENR_G0, 0x00000100},
               {RCC_CSR_G0, 0x0C000000}},
    .pll = {.pllcfgr = RCC_PLLCFGR_L4_G0, .sw = 2, .src_mask = 0x3u, .src_hsi = 0x2u, .m_mask = 0x70u,
            .n_mask = 0x7F00u, .m_shift = 4, .m_plus = 1, .n_shift = 8, .out_shift = 29, .out_mask = 0x7,
            .out_scale = 1, .enable_bit = 28},
};

/* G4 (RM0440 §7.4): L4's offsets without MSI. SW 01 HSI16 (the reset source; 00 is reserved), 10 HSE, 11 PLL. CR
 * reset: HSIRDY, HSION. ICSCR: HSITRIM 64. CFGR: SW and SWS 01. PLLCFGR: PLLN 8. AHB1ENR: FLASHEN. CSR: PINRSTF,
 * BORRSTF. */
static const struct rcc_layout rcc_layout_g4 = {
    .cfgr = RCC_CFGR_F4_L4_G0,
    .bdcr = RCC_BDCR_L4,
    .csr = RCC_CSR_L4,
    .sw_mask = 0x3,
    .sws_shift = 2,
    .reset_sw = 1,
    .csr_rmvf_bit = 23,
    .sources = {{false, 0, 0},
                {true, RCC_CR, RCC_CR_HSION_L4_G0},
                {true, RCC_CR, RCC_CR_HSEON},
                {true, RCC_CR, RCC_CR_PLLON}},
    .ready = {{RCC_HSI_L4_G0}, {RCC_HSE}, {RCC_PLL}, {RCC_LSE(RCC_BDCR_L4)}, {RCC_LSI(RCC_CSR_L4)}},
    .resets = {{RCC_CR, 0x00000500},
               {RCC_ICSCR_L4_G0, 0x40000000},
               {RCC_CFGR_F4_L4_G0, 0x00000001},
               {RCC_PLLCFGR_L4_G0, 0x00001000},
               {RCC_AHB1ENR_L4, 0x00000100},
               {RCC_CSR_L4, 0x0C000000}},
    .pll = RCC_PLL_L4_G4(0xF0u),
};

/* H7 (RM0433 §8.7): SW[2:0] 000 HSI, 001 CSI, 010 HSE, 011 PLL1; SWS in CFGR[5:3]. CR: HSION 0 / HSIRDY 2, CSION 7 /
 * CSIRDY 8, HSI48ON 12 / HSI48RDY 13, HSE and PLL1 as elsewhere; reset HSIDIVF, HSIRDY, HSION. BDCR at 0x70, CSR
 * (LSI) at 0x74. The reset flags live in RCC_RSR (0xD0) on H7: not modelled, CSR's top byte stands in for them. */
static const struct rcc_layout rcc_layout_h7 = {
    .cfgr = 0x10u,
    .bdcr = 0x70u,
    .csr = 0x74u,
    .sw_mask = 0x7,
    .sws_shift = 3,
    .csr_rmvf_bit = 24,
    .sources = {{true, RCC_CR, 0}, {true, RCC_CR, 7}, {true, RCC_CR, RCC_CR_HSEON}, {true, RCC_CR, RCC_CR_PLLON}},
    .ready = {{RCC_CR, 0, 2},
              {RCC_CR, 7, 8},
              {RCC_CR, 12, 13},
              {RCC_HSE},
              {RCC_PLL},
              {RCC_LSE(0x70u)},
              {RCC_LSI(0x74u)}},
    .resets = {{RCC_CR, 0x00000025}},
};

struct sim_rcc {
    const struct rcc_layout *layout;
    const struct sim_part *part;
    uint32_t base;
    uint32_t registers[RCC_WORDS];
    uint32_t sws;
    uint32_t sysclk_hz;
    void (*clock_fn)(void *ctx, uint32_t hz);
    void *clock_ctx;
};

/* ---- the system clock (MSI ranges, the HSI, and the PLL from HSI16 on L4/G0/G4; HSE and the other PLL inputs are
 * not modelled and keep the clock as it was) ---- */

#define RCC_CR_MSIRGSEL_L4 (1u << 3)
#define RCC_CR_MSIRANGE_SHIFT 4
#define RCC_CSR_MSISRANGE_SHIFT 8

/* RM0351 §6.4.1: MSIRANGE 0-11. */
static const uint32_t msi_range_hz[16] = {100000,   200000,   400000,   800000,   1000000, 2000000,
                                          4000000,  8000000,  16000000, 24000000, 32000000, 48000000};

#define RCC_HSI_HZ 16000000u /* F4/F7's HSI and L4/G0/G4's HSI16 */

/* The PLL's output; the current clock where its input is not modelled or the output is off. */
static uint32_t rcc_pll_hz(const struct sim_rcc *rcc)
{
    const struct rcc_pll *pll = &rcc->layout->pll;
    uint32_t cfgr = rcc->registers[pll->pllcfgr / 4];
    uint32_t out = (cfgr >> pll->out_shift) & pll->out_mask;
    uint32_t m = ((cfgr & pll->m_mask) >> pll->m_shift) + pll->m_plus;
    uint32_t n = (cfgr & pll->n_mask) >> pll->n_shift;
    bool enabled = pll->enable_bit == RCC_PLL_NO_ENABLE || ((cfgr >> pll->enable_bit) & 1u);
    if ((cfgr & pll->src_mask) != pll->src_hsi || !enabled || m == 0 || (pll->out_scale == 1 && out == 0))
        return rcc->sysclk_hz; /* G0: PLLR 000 is reserved; F4: PLLM 0 is */
    return (uint32_t)((uint64_t)RCC_HSI_HZ / m * n / ((out + 1u) * pll->out_scale));
}

static uint32_t rcc_compute_sysclk(const struct sim_rcc *rcc)
{
    if (rcc->layout->pll.sw != 0 && rcc->sws == rcc->layout->pll.sw)
        return rcc_pll_hz(rcc);
    if (rcc->layout->hsi16_at_sw1 && rcc->sws == 1)
        return RCC_HSI_HZ;
    if (rcc->part->family != SIM_FAMILY_L4)
        return rcc->sws == rcc->layout->reset_sw ? rcc->part->reset_clock_hz : rcc->sysclk_hz;
    if (rcc->sws != 0)
        return rcc->sysclk_hz;
    uint32_t cr = rcc->registers[RCC_CR / 4];
    unsigned range = (cr & RCC_CR_MSIRGSEL_L4) ? (cr >> RCC_CR_MSIRANGE_SHIFT) & 0xFu
                                               : (rcc->registers[RCC_CSR_L4 / 4] >> RCC_CSR_MSISRANGE_SHIFT) & 0xFu;
    return msi_range_hz[range] ? msi_range_hz[range] : rcc->sysclk_hz;
}

static void rcc_update_sysclk(struct sim_rcc *rcc)
{
    uint32_t hz = rcc_compute_sysclk(rcc);
    if (hz == rcc->sysclk_hz)
        return;
    rcc->sysclk_hz = hz;
    if (rcc->clock_fn != NULL)
        rcc->clock_fn(rcc->clock_ctx, hz);
}

static const struct rcc_layout *rcc_layout_of(enum sim_family family)
{
    switch (family) {
    case SIM_FAMILY_F0: return &rcc_layout_f0;
    case SIM_FAMILY_F1:
    case SIM_FAMILY_F3: return &rcc_layout_f1; /* RM0316 §9.4: F1's offsets, SW and reset values */
    case SIM_FAMILY_F4:
    case SIM_FAMILY_F7: return &rcc_layout_f4; /* RM0385 §5.3: the F4's offsets, SW and reset values */
    case SIM_FAMILY_L4: return &rcc_layout_l4;
    case SIM_FAMILY_G0: return &rcc_layout_g0;
    case SIM_FAMILY_G4: return &rcc_layout_g4;
    case SIM_FAMILY_H7: return &rcc_layout_h7;
    case SIM_FAMILY_L0: return &rcc_layout_l0;
    case SIM_FAMILY_L1: return &rcc_layout_l1;
    }
    return NULL;
}

static bool rcc_bit(const struct sim_rcc *rcc, uint32_t offset, unsigned bit)
{
    return (rcc->registers[offset / 4] >> bit) & 1u;
}

/* ---- the handshakes ---- */

static uint32_t rcc_with_ready_flags(const struct sim_rcc *rcc, uint32_t offset, uint32_t value)
{
    for (unsigned i = 0; i < RCC_MAX_READY_FLAGS; i++) {
        const struct rcc_ready_flag *flag = &rcc->layout->ready[i];
        if (flag->on_bit == flag->ready_bit || flag->offset != offset)
            continue;
        value &= ~(1u << flag->ready_bit);
        value |= ((value >> flag->on_bit) & 1u) << flag->ready_bit;
    }
    return value;
}

static void rcc_update_clock_switch(struct sim_rcc *rcc)
{
    const struct rcc_layout *layout = rcc->layout;
    uint32_t sw = rcc->registers[layout->cfgr / 4] & layout->sw_mask;
    const struct rcc_source *source = &layout->sources[sw];
    if (source->exists && rcc_bit(rcc, source->offset, source->on_bit))
        rcc->sws = sw;
}

/* CSR.RMVF clears the reset flags and reads 0. */
static void rcc_remove_reset_flags(struct sim_rcc *rcc)
{
    const struct rcc_layout *layout = rcc->layout;
    uint32_t *csr = &rcc->registers[layout->csr / 4];
    uint32_t rmvf = 1u << layout->csr_rmvf_bit;
    if (*csr & rmvf)
        *csr &= ~(RCC_CSR_RESET_FLAGS | rmvf);
}

static uint32_t rcc_peek(const struct sim_rcc *rcc, uint32_t offset)
{
    const struct rcc_layout *layout = rcc->layout;
    uint32_t value = rcc_with_ready_flags(rcc, offset, rcc->registers[offset / 4]);
    if (offset == layout->cfgr)
        value = (value & ~(layout->sw_mask << layout->sws_shift)) | (rcc->sws << layout->sws_shift);
    return value;
}

/* ---- reset ---- */

static void rcc_load_reset_values(struct sim_rcc *rcc, enum sim_reset_kind kind)
{
    const struct rcc_layout *layout = rcc->layout;
    uint32_t bdcr = rcc->registers[layout->bdcr / 4];
    uint32_t reset_flags = rcc->registers[layout->csr / 4] & RCC_CSR_RESET_FLAGS;
    memset(rcc->registers, 0, sizeof rcc->registers);
    for (unsigned i = 0; i < RCC_MAX_RESET_VALUES; i++) {
        if (layout->resets[i].value != 0)
            rcc->registers[layout->resets[i].offset / 4] = layout->resets[i].value;
    }
    if (kind != SIM_RESET_POWER_ON) {
        rcc->registers[layout->bdcr / 4] = bdcr;
        rcc->registers[layout->csr / 4] = (rcc->registers[layout->csr / 4] & ~RCC_CSR_RESET_FLAGS) | reset_flags;
    }
    rcc->sws = layout->reset_sw;
}

/* ---- the bus ---- */

static enum sim_bus_status rcc_bus_read(void *ctx, struct sim_bus_access *access)
{
    const struct sim_rcc *rcc = ctx;
    access->value = sim_bus_register_slice(rcc_peek(rcc, access->offset & ~3u), access->offset);
    return SIM_BUS_OK;
}

static enum sim_bus_status rcc_bus_write(void *ctx, struct sim_bus_access *access)
{
    struct sim_rcc *rcc = ctx;
    uint32_t *reg = &rcc->registers[access->offset / 4];
    *reg = sim_bus_register_merge(*reg, access->offset, access->size, access->value);
    rcc_remove_reset_flags(rcc);
    rcc_update_clock_switch(rcc);
    rcc_update_sysclk(rcc);
    return SIM_BUS_OK;
}

static const struct sim_bus_region_ops rcc_region_ops = {.read = rcc_bus_read, .write = rcc_bus_write};

/* ---- life cycle ---- */

struct sim_rcc *sim_rcc_create(const struct sim_part *part)
{
    const struct rcc_layout *layout = rcc_layout_of(part->family);
    if (layout == NULL)
        return NULL;
    struct sim_rcc *rcc = calloc(1, sizeof(*rcc));
    if (rcc == NULL)
        return NULL;
    rcc->layout = layout;
    rcc->part = part;
    rcc->base = part->rcc_base;
    rcc->sysclk_hz = part->reset_clock_hz;
    rcc_load_reset_values(rcc, SIM_RESET_POWER_ON);
    return rcc;
}

void sim_rcc_destroy(struct sim_rcc *rcc)
{
    free(rcc);
}

bool sim_rcc_map(struct sim_rcc *rcc, struct sim_bus *bus)
{
    return sim_bus_map(bus, rcc->base, SIM_RCC_REGION_SIZE, &rcc_region_ops, rcc, "RCC") != NULL;
}

uint32_t sim_rcc_register(const struct sim_rcc *rcc, uint32_t offset)
{
    return offset < SIM_RCC_REGION_SIZE ? rcc_peek(rcc, offset & ~3u) : 0;
}

static void rcc_device_reset(void *ctx, enum sim_reset_kind kind, uint64_t now_ps)
{
    (void)now_ps;
    rcc_load_reset_values(ctx, kind);
    rcc_update_sysclk(ctx);
}

void sim_rcc_on_clock_change(struct sim_rcc *rcc, void (*fn)(void *ctx, uint32_t hz), void *ctx)
{
    rcc->clock_fn = fn;
    rcc->clock_ctx = ctx;
}

uint32_t sim_rcc_sysclk_hz(const struct sim_rcc *rcc)
{
    return rcc->sysclk_hz;
}

static const struct sim_device_ops rcc_device_ops = {.reset = rcc_device_reset};

struct sim_device sim_rcc_device(struct sim_rcc *rcc)
{
    return (struct sim_device){.ops = &rcc_device_ops, .ctx = rcc, .name = "RCC"};
}
