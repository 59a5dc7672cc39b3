/*
 * sim_parts.c - the table of simulated parts.
 *
 * Sources: reference manuals RM0360 (F030), RM0091 (F072), RM0008 (F103), RM0316 (F303), RM0368 (F401), RM0401
 * (F410), RM0383 (F411), RM0430 (F413), RM0385 (F746), RM0351 (L476), RM0444 (G071), RM0440 (G431, G474), RM0433
 * (H743), RM0367 (L053), RM0376 (L072) for addresses and layouts; datasheets DS9773 (F030), DS5319 (F103x8/xB),
 * DS5792 (F103xE), DS9118 (F303xB/C), DS9716 (F401xC), DS11144 (F410), DS10314 (F411xE), DS11581 (F413), DS10916
 * (F746), DS10198 (L476), DS12232 (G071), DS12589 (G431), DS12288 (G474), DS12110 (H743), DS10152 (L053) for
 * timings; ARM ADIv5 and the Cortex-M TRMs for DPIDR, AP IDR and CPUID; AN2606 for the ROM bootloader's product IDs.
 * Where a datasheet gives only a range, the midpoint is used and marked so; where it gives nothing for this part, the
 * figure is scaled from its family and marked [estimate].
 */
#include "sim_parts.h"

#include <string.h>

#define KB 1024u

/* Debug identity of each core as STM32 integrates it. */
#define AP_IDR_CORTEX_M0 0x04770021u
#define AP_IDR_CORTEX_M0PLUS 0x04770031u
#define AP_IDR_CORTEX_M3_M4 0x24770011u
#define CPUID_CORTEX_M0_R0P0 0x410CC200u
#define CPUID_CORTEX_M0PLUS_R0P1 0x410CC601u
#define CPUID_CORTEX_M3_R1P1 0x411FC231u
#define CPUID_CORTEX_M3_R2P0 0x412FC230u
#define CPUID_CORTEX_M4_R0P1 0x410FC241u
/* The M7's AHB-AP (AHB5): revision 7 on the F7's r0p1 core, 8 on the H7's r1p0. */
#define AP_IDR_CORTEX_M7_R0P1 0x74770001u
#define CPUID_CORTEX_M7_R0P1 0x410FC271u
#define AP_IDR_CORTEX_M7_R1P0 0x84770001u
#define CPUID_CORTEX_M7_R1P0 0x411FC270u

/* The F2/F4/F7 flash controller at PSIZE x32 (tPROG 16 us typical, 100 us max; erase maxima twice the typical
 * figures), and the peripherals around it at the F4's addresses. */
#define F4_CONTROLLER                                                                                                  \
    .program_unit = 4, .program_ns = 16000, .program_ns_max = 100000, .erase_max_percent = 200,                      \
    .flash_controller_base = 0x40023C00
#define F4_PERIPHERALS                                                                                                 \
    .rcc_base = 0x40023800, .gpio_base = 0x40020000, .usart1_base = 0x40011000, .usart2_base = 0x40004400,           \
    .usart1_irq = 37, .usart2_irq = 38

/* What the F746 and F767 share (RM0385, RM0410): the Cortex-M7 and its debug ports, the F4's controller and
 * peripherals, the flash's ITCM alias, system memory up to the flash size register, ports A-K, and the mass erase
 * time [unconfirmed: 8 s per MB as on the F4]. */
#define F7_PART                                                                                                        \
    .family = SIM_FAMILY_F7, .core = SIM_CORE_M7, .reset_clock_hz = 16000000, .dpidr = 0x5BA02477,                   \
    .jtag_idcode = 0x5BA00477, .ap_idr = AP_IDR_CORTEX_M7_R0P1, .cpuid = CPUID_CORTEX_M7_R0P1,                        \
    .dbgmcu_base = 0xE0042000, F4_CONTROLLER, .mass_erase_us = 8000000, .flash_size_register = 0x1FF0F442,           \
    .flash_itcm_alias = 0x00200000, .option_bytes_base = 0x1FFF0000, .system_memory_base = 0x1FF00000,                \
    .system_memory_size = 0xF444, F4_PERIPHERALS, .gpio_ports = 11, .bootloader_extended_erase = true

/* What the F401, F410, F411 and F413 share: the core and its debug ports, the system memory up to the flash size
 * register (RM0368, RM0401, RM0383, RM0430), the controller and peripherals at the F4's addresses, ports A-H. */
#define F4_PART                                                                                                        \
    .family = SIM_FAMILY_F4, .core = SIM_CORE_M4, .reset_clock_hz = 16000000, .dpidr = 0x2BA01477,                   \
    .jtag_idcode = 0x4BA00477, .ap_idr = AP_IDR_CORTEX_M3_M4, .cpuid = CPUID_CORTEX_M4_R0P1,                          \
    .dbgmcu_base = 0xE0042000, F4_CONTROLLER, .flash_size_register = 0x1FFF7A22, .option_bytes_base = 0x1FFFC000,    \
    .system_memory_base = 0x1FFF0000, .system_memory_size = 0x7A30, F4_PERIPHERALS, .gpio_ports = 8,                 \
    .bootloader_extended_erase = true

/* F0/F1: 20-40 ms page and mass erase with no typical figure: the midpoint. */
#define F0_F1_ERASE_US 30000u

const struct sim_part sim_parts[] = {
    {
        .name = "stm32f030r8", .description = "STM32F030R8 (F0, Cortex-M0, 64 KB)",
        .family = SIM_FAMILY_F0, .core = SIM_CORE_M0, .reset_clock_hz = 8000000, .irq_count = 32,
        .dpidr = 0x0BB11477, .ap_idr = AP_IDR_CORTEX_M0, .cpuid = CPUID_CORTEX_M0_R0P0,
        .dbgmcu_base = 0x40015800, .dbgmcu_idcode = 0x10006440,
        .flash_size = 64 * KB, .erase_runs = {{1 * KB, 64, F0_F1_ERASE_US}}, .mass_erase_us = F0_F1_ERASE_US,
        .program_unit = 2, .program_ns = 53500 /* [unconfirmed] */, .program_ns_max = 70000 /* F1-like */,
        .erase_max_percent = 134 /* F1-like: 40 ms */, .flash_controller_base = 0x40022000,
        .flash_size_register = 0x1FFFF7CC, .option_bytes_base = 0x1FFFF800,
        .sram_size = 8 * KB, .system_memory_base = 0x1FFFEC00, .system_memory_size = 0xC00,
        .rcc_base = 0x40021000, .gpio_base = 0x48000000, .gpio_ports = 6,
        .usart1_base = 0x40013800, .usart2_base = 0x40004400, .usart1_irq = 27, .usart2_irq = 28,
        .bootloader_pid = 0x440, .bootloader_version = 0x31, .bootloader_extended_erase = true,
    },
    {
        .name = "stm32f072rb", .description = "STM32F072RB (F0, Cortex-M0, 128 KB, 2 KB pages)",
        .family = SIM_FAMILY_F0, .core = SIM_CORE_M0, .reset_clock_hz = 8000000, .irq_count = 32,
        .dpidr = 0x0BB11477, .ap_idr = AP_IDR_CORTEX_M0, .cpuid = CPUID_CORTEX_M0_R0P0,
        .dbgmcu_base = 0x40015800, .dbgmcu_idcode = 0x20006448,
        .flash_size = 128 * KB, .erase_runs = {{2 * KB, 64, F0_F1_ERASE_US}}, .mass_erase_us = F0_F1_ERASE_US,
        .program_unit = 2, .program_ns = 53500 /* [unconfirmed] */, .program_ns_max = 70000 /* F1-like */,
        .erase_max_percent = 134 /* F1-like: 40 ms */, .flash_controller_base = 0x40022000,
        .flash_size_register = 0x1FFFF7CC, .option_bytes_base = 0x1FFFF800,
        .sram_size = 16 * KB, .system_memory_base = 0x1FFFC800, .system_memory_size = 0x3000,
        .rcc_base = 0x40021000, .gpio_base = 0x48000000, .gpio_ports = 6,
        .usart1_base = 0x40013800, .usart2_base = 0x40004400, .usart1_irq = 27, .usart2_irq = 28,
        .bootloader_when_flash_empty_or_boot0 = true, .bootloader_pid = 0x448, .bootloader_version = 0x31, .bootloader_extended_erase = true,
    },
    {
        .name = "stm32f103c8", .description = "STM32F103C8 (F1 medium density, Cortex-M3, 64 KB, Blue Pill)",
        .family = SIM_FAMILY_F1, .core = SIM_CORE_M3, .reset_clock_hz = 8000000, .irq_count = 43,
        .dpidr = 0x1BA01477, .jtag_idcode = 0x3BA00477, .jtag_bs_idcode = 0x06410041,
        .ap_idr = AP_IDR_CORTEX_M3_M4, .cpuid = CPUID_CORTEX_M3_R1P1,
        .dbgmcu_base = 0xE0042000, .dbgmcu_idcode = 0x20036410,
        .flash_size = 64 * KB, .erase_runs = {{1 * KB, 64, F0_F1_ERASE_US}}, .mass_erase_us = F0_F1_ERASE_US,
        .program_unit = 2, .program_ns = 52500, .program_ns_max = 70000, .erase_max_percent = 134 /* 40 ms */, .flash_controller_base = 0x40022000,
        .flash_size_register = 0x1FFFF7E0, .option_bytes_base = 0x1FFFF800,
        .sram_size = 20 * KB, .system_memory_base = 0x1FFFF000, .system_memory_size = 0x800,
        .rcc_base = 0x40021000, .gpio_base = 0x40010800, .gpio_ports = 5,
        .usart1_base = 0x40013800, .usart2_base = 0x40004400, .usart1_irq = 37, .usart2_irq = 38,
        .bootloader_pid = 0x410, .bootloader_version = 0x22, .bootloader_extended_erase = false,
    },
    {
        .name = "stm32f103re", .description = "STM32F103RE (F1 high density, Cortex-M3, 512 KB)",
        .family = SIM_FAMILY_F1, .core = SIM_CORE_M3, .reset_clock_hz = 8000000, .irq_count = 60,
        .dpidr = 0x1BA01477, .jtag_idcode = 0x3BA00477, .jtag_bs_idcode = 0x06414041,
        .ap_idr = AP_IDR_CORTEX_M3_M4, .cpuid = CPUID_CORTEX_M3_R1P1,
        .dbgmcu_base = 0xE0042000, .dbgmcu_idcode = 0x10036414,
        .flash_size = 512 * KB, .erase_runs = {{2 * KB, 256, F0_F1_ERASE_US}}, .mass_erase_us = F0_F1_ERASE_US,
        .program_unit = 2, .program_ns = 52500, .program_ns_max = 70000, .erase_max_percent = 134 /* 40 ms */, .flash_controller_base = 0x40022000,
        .flash_size_register = 0x1FFFF7E0, .option_bytes_base = 0x1FFFF800,
        .sram_size = 64 * KB, .system_memory_base = 0x1FFFF000, .system_memory_size = 0x800,
        .rcc_base = 0x40021000, .gpio_base = 0x40010800, .gpio_ports = 7,
        .usart1_base = 0x40013800, .usart2_base = 0x40004400, .usart1_irq = 37, .usart2_irq = 38,
        .bootloader_pid = 0x414, .bootloader_version = 0x22, .bootloader_extended_erase = false,
    },
    {
        .name = "stm32f103zg", .description = "STM32F103ZG (F1 XL density, Cortex-M3, 1 MB in two banks)",
        .family = SIM_FAMILY_F1, .core = SIM_CORE_M3, .reset_clock_hz = 8000000, .irq_count = 60,
        .dpidr = 0x1BA01477, .jtag_idcode = 0x3BA00477, .jtag_bs_idcode = 0x06430041,
        .ap_idr = AP_IDR_CORTEX_M3_M4, .cpuid = CPUID_CORTEX_M3_R1P1,
        .dbgmcu_base = 0xE0042000, .dbgmcu_idcode = 0x10006430,
        .flash_size = 1024 * KB, .erase_runs = {{2 * KB, 512, F0_F1_ERASE_US}}, .mass_erase_us = F0_F1_ERASE_US,
        .program_unit = 2, .program_ns = 52500, .program_ns_max = 70000, .erase_max_percent = 134 /* 40 ms */,
        .flash_controller_base = 0x40022000, .bank2_registers_from = 512 * KB,
        .flash_size_register = 0x1FFFF7E0, .option_bytes_base = 0x1FFFF800,
        .sram_size = 96 * KB, .system_memory_base = 0x1FFFE000, .system_memory_size = 0x1800,
        .rcc_base = 0x40021000, .gpio_base = 0x40010800, .gpio_ports = 7,
        .usart1_base = 0x40013800, .usart2_base = 0x40004400, .usart1_irq = 37, .usart2_irq = 38,
        .bootloader_pid = 0x430, .bootloader_version = 0x21, .bootloader_extended_erase = false,
    },
    {
        .name = "stm32f303cc", .description = "STM32F303CC (F3, Cortex-M4F, 256 KB, 40 KB SRAM + 8 KB CCM)",
        .family = SIM_FAMILY_F3, .core = SIM_CORE_M4, .reset_clock_hz = 8000000, .irq_count = 82,
        .dpidr = 0x2BA01477, .jtag_idcode = 0x4BA00477, .jtag_bs_idcode = 0x06422041,
        .ap_idr = AP_IDR_CORTEX_M3_M4, .cpuid = CPUID_CORTEX_M4_R0P1,
        .dbgmcu_base = 0xE0042000, .dbgmcu_idcode = 0x10036422 /* RM0316 §33.6.1: rev Y */,
        /* RM0316 §4.2: 128 pages of 2 KB; DS9118: tPROG 40-53.5-60 us a halfword, page and mass erase 20-40 ms. */
        .flash_size = 256 * KB, .erase_runs = {{2 * KB, 128, F0_F1_ERASE_US}}, .mass_erase_us = F0_F1_ERASE_US,
        .program_unit = 2, .program_ns = 53500, .program_ns_max = 60000, .erase_max_percent = 134 /* 40 ms */,
        .flash_controller_base = 0x40022000, .flash_size_register = 0x1FFFF7CC, .option_bytes_base = 0x1FFFF800,
        .sram_size = 40 * KB, .ccm_size = 8 * KB, .system_memory_base = 0x1FFFD800, .system_memory_size = 0x2000,
        .rcc_base = 0x40021000, .gpio_base = 0x48000000, .gpio_ports = 6,
        .usart1_base = 0x40013800, .usart2_base = 0x40004400, .usart1_irq = 37, .usart2_irq = 38,
        .bootloader_pid = 0x422, .bootloader_version = 0x31, .bootloader_extended_erase = true,
    },
    {
        .name = "stm32f401cc", .description = "STM32F401CC (F4, Cortex-M4, 256 KB)",
        F4_PART, .irq_count = 85, .jtag_bs_idcode = 0x06423041, .dbgmcu_idcode = 0x10006423, .sram_size = 64 * KB,
        .flash_size = 256 * KB,
        .erase_runs = {{16 * KB, 4, 250000}, {64 * KB, 1, 550000}, {128 * KB, 1, 1000000}},
        .mass_erase_us = 2000000 /* [estimate] RM0090's 8 s per MB, scaled */,
        .bootloader_pid = 0x423, .bootloader_version = 0x31,
    },
    {
        /* RM0401: DEV_ID 0x458 (rev A, REV_ID 0x1000), boundary scan TAP 0x06458041; the F410x8 has only the four
         * 16 KB sectors; 32 KB of SRAM; GPIOA-C and H on silicon (the model answers for ports A-H); 98 IRQs (LPTIM1
         * 97) [unconfirmed]. DS11144: the F411's sector erase figures [unconfirmed]. AN2606: bootloader V11.0
         * [unconfirmed]. */
        .name = "stm32f410r8", .description = "STM32F410R8 (F4, Cortex-M4, 64 KB)",
        F4_PART, .irq_count = 98, .jtag_bs_idcode = 0x06458041, .dbgmcu_idcode = 0x10006458, .sram_size = 32 * KB,
        .flash_size = 64 * KB,
        .erase_runs = {{16 * KB, 4, 250000}},
        /* [estimate] Not 8 s per MB scaled (0.5 s): a chip of 16 KB sectors only erases slower per MB. RM0090's 1 MB
         * mass erase takes 8 s where its sectors one by one take 8.55 s: the four sectors' 1 s, less those 6%. */
        .mass_erase_us = 940000,
        .bootloader_pid = 0x458, .bootloader_version = 0xB1,
    },
    {
        .name = "stm32f411ce", .description = "STM32F411CE (F4, Cortex-M4, 512 KB, Black Pill)",
        F4_PART, .irq_count = 86, .jtag_bs_idcode = 0x06431041, .dbgmcu_idcode = 0x10006431, .sram_size = 128 * KB,
        .flash_size = 512 * KB,
        .erase_runs = {{16 * KB, 4, 250000}, {64 * KB, 1, 550000}, {128 * KB, 3, 1000000}},
        .mass_erase_us = 4000000 /* [estimate] RM0090's 8 s per MB, scaled */,
        .bootloader_pid = 0x431, .bootloader_version = 0x31,
    },
    {
        /* RM0430: DEV_ID 0x463 (rev A, REV_ID 0x1000), boundary scan TAP 0x06463041; one bank of sectors 0-3 16 KB,
         * 4 64 KB, 5-15 128 KB; 320 KB of SRAM (SRAM1 256 KB, SRAM2 64 KB); 102 IRQs (DFSDM2_FLT3 101)
         * [unconfirmed]. DS11581: the F411's sector erase figures [unconfirmed]. AN2606: bootloader V9.0
         * [unconfirmed]. */
        .name = "stm32f413zh", .description = "STM32F413ZH (F4, Cortex-M4, 1.5 MB, Nucleo-F413ZH)",
        F4_PART, .irq_count = 102, .jtag_bs_idcode = 0x06463041, .dbgmcu_idcode = 0x10006463, .sram_size = 320 * KB,
        .flash_size = 1536 * KB,
        .erase_runs = {{16 * KB, 4, 250000}, {64 * KB, 1, 550000}, {128 * KB, 11, 1000000}},
        .optcr_nwrp_bits = 15 /* nWRP14 protects sectors 14 and 15 */,
        .mass_erase_us = 12000000 /* [estimate] RM0090's 8 s per MB, scaled */,
        .bootloader_pid = 0x463, .bootloader_version = 0x90,
    },
    {
        /* RM0385: SW-DP v2, JTAG-DP and boundary scan TAP 0x06449041 (§40.6.2); 320 KB of SRAM from 0x20000000
         * (DTCM 64 KB, SRAM1 240 KB, SRAM2 16 KB); system memory 0x1FF00000, OTP 0x1FF0F000, flash size register
         * 0x1FF0F442. DS10916: x32 programming 16 us typical, 100 us max; the sector erase times are the F4's for
         * the doubled sectors [unconfirmed]. AN2606: bootloader V7.0 [unconfirmed]. */
        .name = "stm32f746zg", .description = "STM32F746ZG (F7, Cortex-M7, 1 MB, Nucleo-F746ZG)",
        F7_PART, .irq_count = 98, .jtag_bs_idcode = 0x06449041, .dbgmcu_idcode = 0x10016449,
        .flash_size = 1024 * KB,
        .erase_runs = {{32 * KB, 4, 250000}, {128 * KB, 1, 550000}, {256 * KB, 3, 1000000}},
        .sram_size = 320 * KB,
        .bootloader_pid = 0x449, .bootloader_version = 0x70,
    },
    {
        /* RM0410, DS11532: the F74x's controller and sectors, 2 MB in single-bank mode (nDBANK set). */
        .name = "stm32f767zi", .description = "STM32F767ZI (F7, Cortex-M7, 2 MB, Nucleo-F767ZI)",
        F7_PART, .irq_count = 110, .jtag_bs_idcode = 0x06451041, .dbgmcu_idcode = 0x10016451,
        .flash_size = 2048 * KB,
        .erase_runs = {{32 * KB, 4, 250000}, {128 * KB, 1, 550000}, {256 * KB, 7, 1000000}},
        .optcr_user_mask = 0xF00000FCu,
        .sram_size = 512 * KB,
        /* AN2606: the F76x/F77x bootloader [unconfirmed: version 0x93] */
        .bootloader_pid = 0x451, .bootloader_version = 0x93,
    },
    {
        .name = "stm32l476rg", .description = "STM32L476RG (L4, Cortex-M4, 1 MB dual bank)",
        .family = SIM_FAMILY_L4, .core = SIM_CORE_M4, .reset_clock_hz = 4000000, .irq_count = 82,
        .dpidr = 0x2BA01477, .jtag_idcode = 0x4BA00477, .jtag_bs_idcode = 0x06415041,
        .ap_idr = AP_IDR_CORTEX_M3_M4, .cpuid = CPUID_CORTEX_M4_R0P1,
        .dbgmcu_base = 0xE0042000, .dbgmcu_idcode = 0x10076415,
        .flash_size = 1024 * KB, .dual_bank = true, .erase_runs = {{2 * KB, 256, 22020}},
        .mass_erase_us = 22020,
        .program_unit = 8, .program_ns = 81690, .program_ns_max = 90760, .erase_max_percent = 112 /* 24.5 ms */, .flash_controller_base = 0x40022000,
        .flash_size_register = 0x1FFF75E0, .option_bytes_base = 0x1FFF7800,
        .sram_size = 128 * KB /* SRAM1 96 KB, then SRAM2 aliased at 0x20018000 */,
        .system_memory_base = 0x1FFF0000, .system_memory_size = 0x7800,
        .rcc_base = 0x40021000, .gpio_base = 0x48000000, .gpio_ports = 8,
        .usart1_base = 0x40013800, .usart2_base = 0x40004400, .usart1_irq = 37, .usart2_irq = 38,
        .bootloader_pid = 0x415, .bootloader_version = 0x31, .bootloader_extended_erase = true,
    },
    {
        .name = "stm32g071rb", .description = "STM32G071RB (G0, Cortex-M0+, 128 KB)",
        .family = SIM_FAMILY_G0, .core = SIM_CORE_M0PLUS, .reset_clock_hz = 16000000, .irq_count = 32,
        .dpidr = 0x0BC11477, .ap_idr = AP_IDR_CORTEX_M0PLUS, .cpuid = CPUID_CORTEX_M0PLUS_R0P1,
        .dbgmcu_base = 0x40015800, .dbgmcu_idcode = 0x10006460,
        .flash_size = 128 * KB, .erase_runs = {{2 * KB, 64, 22000}}, .mass_erase_us = 22000,
        .program_unit = 8, .program_ns = 85000, .program_ns_max = 125000, .erase_max_percent = 182 /* 40 ms */, .flash_controller_base = 0x40022000,
        .flash_size_register = 0x1FFF75E0, .option_bytes_base = 0x1FFF7800,
        .sram_size = 36 * KB, .system_memory_base = 0x1FFF0000, .system_memory_size = 0x7800,
        .rcc_base = 0x40021000, .gpio_base = 0x50000000, .gpio_ports = 6,
        .usart1_base = 0x40013800, .usart2_base = 0x40004400, .usart1_irq = 27, .usart2_irq = 28,
        .bootloader_pid = 0x460, .bootloader_version = 0x31, .bootloader_extended_erase = true,
        .bootloader_when_flash_empty = true,
    },
    {
        .name = "stm32g431rb", .description = "STM32G431RB (G4, Cortex-M4F, 128 KB)",
        .family = SIM_FAMILY_G4, .core = SIM_CORE_M4, .reset_clock_hz = 16000000, .irq_count = 102,
        .dpidr = 0x2BA01477, .jtag_idcode = 0x4BA00477, .jtag_bs_idcode = 0x06468041,
        .ap_idr = AP_IDR_CORTEX_M3_M4, .cpuid = CPUID_CORTEX_M4_R0P1,
        .dbgmcu_base = 0xE0042000, .dbgmcu_idcode = 0x20016468,
        /* RM0440 §3.3.1: category 2, one bank of 64 pages of 2 KB. DS12589: tPROG 81.7/90.8 us a double word, page
         * erase 22.0/24.5 ms, mass erase 22.1 ms [estimate: the page figure]. */
        .flash_size = 128 * KB, .erase_runs = {{2 * KB, 64, 22020}}, .mass_erase_us = 22020,
        .program_unit = 8, .program_ns = 81690, .program_ns_max = 90760, .erase_max_percent = 112 /* 24.5 ms */,
        .flash_controller_base = 0x40022000, .flash_size_register = 0x1FFF75E0, .option_bytes_base = 0x1FFF7800,
        .sram_size = 32 * KB /* SRAM1 16 KB, SRAM2 6 KB, then CCM SRAM aliased at 0x20005800 (RM0440 §2.4) */,
        .system_memory_base = 0x1FFF0000, .system_memory_size = 0x7800 /* ROM, OTP, then the flash size register */,
        .rcc_base = 0x40021000, .gpio_base = 0x48000000, .gpio_ports = 7,
        .usart1_base = 0x40013800, .usart2_base = 0x40004400, .usart1_irq = 37, .usart2_irq = 38,
        .bootloader_pid = 0x468, .bootloader_version = 0x31, .bootloader_extended_erase = true,
    },
    {
        .name = "stm32g474re", .description = "STM32G474RE (G4, Cortex-M4F, 512 KB dual bank)",
        .family = SIM_FAMILY_G4, .core = SIM_CORE_M4, .reset_clock_hz = 16000000, .irq_count = 102,
        .dpidr = 0x2BA01477, .jtag_idcode = 0x4BA00477, .jtag_bs_idcode = 0x06469041,
        .ap_idr = AP_IDR_CORTEX_M3_M4, .cpuid = CPUID_CORTEX_M4_R0P1,
        .dbgmcu_base = 0xE0042000, .dbgmcu_idcode = 0x20016469,
        /* RM0440 §3.3.1: category 3 with DBANK=1 (the factory setting): two banks of 128 pages of 2 KB, bank 2 at
         * 0x08040000. DBANK=0 (one bank of 4 KB pages) is not modelled. DS12288: timings as the G431's. */
        .flash_size = 512 * KB, .dual_bank = true, .erase_runs = {{2 * KB, 128, 22020}}, .mass_erase_us = 22020,
        .program_unit = 8, .program_ns = 81690, .program_ns_max = 90760, .erase_max_percent = 112 /* 24.5 ms */,
        .flash_controller_base = 0x40022000, .flash_size_register = 0x1FFF75E0, .option_bytes_base = 0x1FFF7800,
        .sram_size = 128 * KB /* SRAM1 80 KB, SRAM2 16 KB, then CCM SRAM aliased at 0x20018000 (RM0440 §2.4) */,
        .system_memory_base = 0x1FFF0000, .system_memory_size = 0x7800 /* ROM, OTP, then the flash size register */,
        .rcc_base = 0x40021000, .gpio_base = 0x48000000, .gpio_ports = 7,
        .usart1_base = 0x40013800, .usart2_base = 0x40004400, .usart1_irq = 37, .usart2_irq = 38,
        .bootloader_pid = 0x469, .bootloader_version = 0x31, .bootloader_extended_erase = true,
    },
    {
        .name = "stm32h743zi", .description = "STM32H743ZI (H7, Cortex-M7, 2 MB in two banks, Nucleo-H743ZI)",
        .family = SIM_FAMILY_H7, .core = SIM_CORE_M7, .reset_clock_hz = 64000000 /* HSI */, .irq_count = 150,
        .dpidr = 0x6BA02477, .jtag_idcode = 0x6BA00477, .jtag_bs_idcode = 0x06450041,
        .ap_idr = AP_IDR_CORTEX_M7_R1P0, .cpuid = CPUID_CORTEX_M7_R1P0,
        /* RM0433 §60.5.8: DBGMCU in the D3 domain, rev V; DBGMCU_APB4FZ1.DBG_IWDG1 freezes IWDG1. */
        .dbgmcu_base = 0x5C001000, .dbgmcu_idcode = 0x20036450,
        .dbgmcu_iwdg_freeze_offset = 0x54, .dbgmcu_iwdg_freeze_bit = 1u << 18,
        /* RM0433 §60.2, §60.4: AP2 is a CoreSight SoC-400 APB-AP (AP1, the D3 domain's AHB-AP, is not modelled)
         * onto APB-D: system ROM table 1 at 0xE00E0000, DBGMCU at 0xE00E1000, SWO at 0xE00E3000, SWTF at
         * 0xE00E4000. */
        .apb_ap = {.apsel = 2, .idr = 0x54770002, .base = 0xE00E0003, .dbgmcu_base = 0xE00E1000,
                   .swo_funnel_base = 0xE00E4000},
        /* RM0433 §4.3: two banks of eight 128 KB sectors, bank 2 at 0x08100000 with its registers 0x100 past bank
         * 1's. DS12110: a 256-bit word at x64 100/200 us, a sector 1/2 s, a bank 4 s [estimate]. */
        .flash_size = 2048 * KB, .dual_bank = true, .erase_runs = {{128 * KB, 8, 1000000}},
        .mass_erase_us = 4000000,
        .program_unit = 32, .program_ns = 100000, .program_ns_max = 200000, .erase_max_percent = 200,
        .flash_controller_base = 0x52002000, .bank2_registers_from = 1024 * KB,
        .flash_size_register = 0x1FF1E880, .option_bytes_base = 0,
        .sram_size = 128 * KB /* the DTCM at 0x20000000; AXI SRAM and SRAM1-4 are not modelled */,
        .system_memory_base = 0x1FF00000, .system_memory_size = 0x20000 /* ROM, then the flash size register */,
        .rcc_base = 0x58024400, .gpio_base = 0x58020000, .gpio_ports = 11,
        .usart1_base = 0x40011000, .usart2_base = 0x40004400, .usart1_irq = 37, .usart2_irq = 38,
        .iwdg_base = 0x58004800,
        .bootloader_pid = 0x450, .bootloader_version = 0x90, .bootloader_extended_erase = true,
    },
    {
        .name = "stm32l053r8", .description = "STM32L053R8 (L0, Cortex-M0+, 64 KB)",
        .family = SIM_FAMILY_L0, .core = SIM_CORE_M0PLUS, .reset_clock_hz = 2097152 /* MSI range 5 */, .irq_count = 32,
        .dpidr = 0x0BC11477, .ap_idr = AP_IDR_CORTEX_M0PLUS, .cpuid = CPUID_CORTEX_M0PLUS_R0P1,
        .dbgmcu_base = 0x40015800, .dbgmcu_idcode = 0x10006417,
        /* RM0367 §3.3.1: 512 pages of 128 bytes. DS10152: word, half page and page erase 3.2 ms [unconfirmed]. */
        .flash_size = 64 * KB, .erase_runs = {{128, 512, 3200}}, .mass_erase_us = 0, .eeprom_size = 2 * KB,
        .program_unit = 4, .program_ns = 3200000, .half_page = 64, .program_ns_max = 3200000, .erase_max_percent = 100,
        .flash_controller_base = 0x40022000, .flash_size_register = 0x1FF8007C, .option_bytes_base = 0x1FF80000,
        .sram_size = 8 * KB, .system_memory_base = 0x1FF00000, .system_memory_size = 0x1000,
        .rcc_base = 0x40021000, .gpio_base = 0x50000000, .gpio_ports = 6,
        .usart1_base = 0x40013800, .usart2_base = 0x40004400, .usart1_irq = 27, .usart2_irq = 28,
        .bootloader_pid = 0x417, .bootloader_version = 0x31 /* [unconfirmed] AN2606 */, .bootloader_extended_erase = true,
    },
    {
        .name = "stm32l072cz", .description = "STM32L072CZ (L0, Cortex-M0+, 192 KB in two banks)",
        .family = SIM_FAMILY_L0, .core = SIM_CORE_M0PLUS, .reset_clock_hz = 2097152 /* MSI range 5 */, .irq_count = 32,
        .dpidr = 0x0BC11477, .ap_idr = AP_IDR_CORTEX_M0PLUS, .cpuid = CPUID_CORTEX_M0PLUS_R0P1,
        .dbgmcu_base = 0x40015800, .dbgmcu_idcode = 0x10006447,
        /* RM0376 §3.3.1: two banks of 96 KB (bank 2 from 0x08018000) of 768 pages of 128 bytes each, erased page
         * by page through one register set; 6 KB of data EEPROM in two banks. Timings as the L053's [unconfirmed]. */
        .flash_size = 192 * KB, .dual_bank = true, .erase_runs = {{128, 768, 3200}}, .mass_erase_us = 0,
        .eeprom_size = 6 * KB,
        .program_unit = 4, .program_ns = 3200000, .half_page = 64, .program_ns_max = 3200000, .erase_max_percent = 100,
        .flash_controller_base = 0x40022000, .flash_size_register = 0x1FF8007C, .option_bytes_base = 0x1FF80000,
        .sram_size = 20 * KB, .system_memory_base = 0x1FF00000, .system_memory_size = 0x2000,
        .rcc_base = 0x40021000, .gpio_base = 0x50000000, .gpio_ports = 6,
        .usart1_base = 0x40013800, .usart2_base = 0x40004400, .usart1_irq = 27, .usart2_irq = 28,
        .bootloader_pid = 0x447, .bootloader_version = 0x31 /* [unconfirmed] AN2606 */, .bootloader_extended_erase = true,
    },
    {
        /* RM0038: Cat.5, SWJ-DP (SW-DP and JTAG-DP of the Cortex-M3 r2p0, boundary scan TAP 0x06437041), DBGMCU on
         * the PPB, always clocked. Two banks of 256 KB (bank 2 from 0x08040000) of 1024 pages of 256 bytes, erased
         * page by page through one register set; 80 KB of SRAM; system memory 8 KB at 0x1FF00000, flash size
         * register at 0x1FF800CC, WRPR4's option words at 0x1FF80080, 16 KB of data EEPROM in two banks. DS10110:
         * word, half page (128 bytes) and page erase 3.28 ms typical, 3.94 ms max. */
        .name = "stm32l152re", .description = "STM32L152RE (L1 Cat.5, Cortex-M3, 512 KB in two banks, Nucleo-L152RE)",
        .family = SIM_FAMILY_L1, .core = SIM_CORE_M3, .reset_clock_hz = 2097152 /* MSI range 5 */, .irq_count = 57,
        .dpidr = 0x2BA01477, .jtag_idcode = 0x4BA00477, .jtag_bs_idcode = 0x06437041,
        .ap_idr = AP_IDR_CORTEX_M3_M4, .cpuid = CPUID_CORTEX_M3_R2P0,
        .dbgmcu_base = 0xE0042000, .dbgmcu_idcode = 0x10006437,
        .flash_size = 512 * KB, .dual_bank = true, .erase_runs = {{256, 1024, 3280}}, .mass_erase_us = 0,
        .eeprom_size = 16 * KB,
        .program_unit = 4, .program_ns = 3280000, .half_page = 128, .program_ns_max = 3940000,
        .erase_max_percent = 120 /* 3.94 ms */,
        .flash_controller_base = 0x40023C00, .flash_size_register = 0x1FF800CC, .option_bytes_base = 0x1FF80000,
        .option_bytes_size = 0x88,
        .sram_size = 80 * KB, .system_memory_base = 0x1FF00000, .system_memory_size = 0x2000,
        .rcc_base = 0x40023800, .gpio_base = 0x40020000, .gpio_ports = 6,
        .usart1_base = 0x40013800, .usart2_base = 0x40004400, .usart1_irq = 37, .usart2_irq = 38,
        .bootloader_pid = 0x437, .bootloader_version = 0x45 /* [unconfirmed] AN2606 */, .bootloader_extended_erase = true,
    },
};

const unsigned sim_part_count = sizeof sim_parts / sizeof sim_parts[0];

const struct sim_part *sim_part_find(const char *name)
{
    for (unsigned i = 0; i < sim_part_count; i++) {
        if (strcmp(sim_parts[i].name, name) == 0)
            return &sim_parts[i];
    }
    return NULL;
}

uint32_t sim_part_erase_units(const struct sim_part *part)
{
    uint32_t units = 0;
    for (unsigned i = 0; i < SIM_PART_MAX_ERASE_RUNS; i++)
        units += part->erase_runs[i].count;
    return units;
}
