/*
 * sim_parts.h - the simulated parts: one row per part with every fact the models need, from the reference manuals
 * and datasheets named in sim_parts.c. Models take what they need from the row; nothing else knows part numbers.
 */
#ifndef SIM_PARTS_H
#define SIM_PARTS_H

#include <stdbool.h>
#include <stdint.h>

/* Flash controller generation and peripheral register style go with the family. */
enum sim_family {
    SIM_FAMILY_F0,
    SIM_FAMILY_F1,
    SIM_FAMILY_F3,
    SIM_FAMILY_F4,
    SIM_FAMILY_F7, /* the F4's flash controller, RCC and GPIO; USARTs with ISR/TDR as on F0 and L4 */
    SIM_FAMILY_L4,
    SIM_FAMILY_G0,
    SIM_FAMILY_G4,
    SIM_FAMILY_H7,
    SIM_FAMILY_L0,
    SIM_FAMILY_L1, /* the L0's flash controller at 0x40023C00 with 256-byte pages; F4-style GPIO, USART SR/DR */
};

enum sim_core { SIM_CORE_M0, SIM_CORE_M0PLUS, SIM_CORE_M3, SIM_CORE_M4, SIM_CORE_M7 };

/* A run of equal erase units (pages or sectors) from the start of a bank. */
struct sim_erase_run {
    uint32_t size;     /* bytes per unit */
    uint32_t count;
    uint32_t erase_us; /* typical erase time of one unit */
};

#define SIM_PART_MAX_ERASE_RUNS 3

/* An APB-AP on the DAP beside the core's AHB-AP at AP0, onto a debug bus that carries the DBGMCU again (H7: AP2
 * onto APB-D, where a debugger reaches the DBGMCU and the trace components with the system held in reset). */
struct sim_part_apb_ap {
    uint8_t apsel;            /* 0: the part has no such AP */
    uint32_t idr;
    uint32_t base;            /* BASE: the bus's ROM table, present */
    uint32_t dbgmcu_base;     /* the DBGMCU on that bus: the registers the core reaches at dbgmcu_base */
    uint32_t swo_funnel_base; /* the SWO trace funnel (SWTF) on that bus; 0: none */
};

struct sim_part {
    const char *name;        /* "stm32f103c8" */
    const char *description; /* "STM32F103C8 (F1 medium density, Blue Pill)" */
    enum sim_family family;
    enum sim_core core;
    uint32_t reset_clock_hz; /* SYSCLK after reset (HSI or MSI) */
    unsigned irq_count;      /* external interrupt lines of the NVIC */

    /* Debug */
    uint32_t dpidr;           /* SW-DP */
    uint32_t jtag_idcode;     /* JTAG-DP IDCODE; 0: no JTAG port (Cortex-M0/M0+ parts) */
    uint32_t jtag_bs_idcode;  /* the boundary-scan TAP STM32 puts in the chain before the JTAG-DP */
    uint32_t ap_idr;
    uint32_t cpuid;
    uint32_t dbgmcu_base;     /* DBGMCU_IDCODE address; DBGMCU_CR follows at +4 */
    /* The IWDG freeze bit: in the DBGMCU register at this offset (F1: CR bit 8; H7: APB4FZ1 at 0x54, bit 18) */
    uint32_t dbgmcu_iwdg_freeze_offset, dbgmcu_iwdg_freeze_bit;
    uint32_t dbgmcu_idcode;   /* REV_ID[31:16], DEV_ID[11:0] */
    struct sim_part_apb_ap apb_ap;

    /* Flash (main array at 0x08000000) */
    uint32_t flash_size;
    bool dual_bank;                    /* two banks of flash_size / 2 */
    struct sim_erase_run erase_runs[SIM_PART_MAX_ERASE_RUNS]; /* per bank; unused runs have count 0 */
    uint32_t mass_erase_us;            /* 0: no mass erase bit (L0: the ROM and RDP regression erase every page) */
    unsigned program_unit;             /* bytes per programming operation (F4: at PSIZE x32) */
    uint32_t program_ns;               /* typical time of one programming operation */
    uint32_t half_page;                /* L0/L1: bytes one operation programs with FPRG (64, 128); 0: one unit */
    /* The datasheet's maxima, for the maximum timing mode (sim_flash_set_timing): one programming operation, and
     * every erase time as a percentage of its typical figure. */
    uint32_t program_ns_max;
    uint32_t erase_max_percent;
    uint32_t flash_controller_base;
    /* F1 XL density and H7: the array offset where bank 2 begins, which is unlocked, erased and programmed through
     * a second set of registers (F1 XL: KEYR2, SR2, CR2, AR2, 0x40 past bank 1's, RM0008 §3, PM0068; H7: 0x100 past,
     * RM0433 §4.9); 0: one set. */
    uint32_t bank2_registers_from;
    uint32_t flash_size_register;      /* 16-bit flash size in KB */
    /* F7: where the flash can be read too, through the ITCM (0x00200000, RM0385 §2.3.2); it is programmed through
     * 0x08000000 only, so a store there is a bus error. 0: no such alias. */
    uint32_t flash_itcm_alias;
    /* F7: OPTCR's USER bits (0: the F74x's, 0xC00000FC; F76x/F77x: nDBOOT and nDBANK too, 0xF00000FC). */
    uint32_t optcr_user_mask;
    /* F2/F4/F7 OPTCR: the nWRP bits from bit 16 (0: 12, sectors 0-11, no protection past them). F413/F423 (RM0430):
     * 15, bits 16-30, the last protecting sectors 14 and 15 together. */
    unsigned optcr_nwrp_bits;
    uint32_t option_bytes_base; /* 0: not on the bus (H7: the option registers are all there is) */
    uint32_t option_bytes_size; /* bytes of the option area on the bus; 0: 0x40 (L1 Cat.5: 0x88, up to WRPR4) */
    uint32_t eeprom_size;       /* L0/L1 data EEPROM at SIM_EEPROM_BASE (bytes); 0: none */

    /* RAM and system memory */
    uint32_t sram_size;                /* at 0x20000000 */
    uint32_t ccm_size;                 /* core-coupled SRAM at 0x10000000 apart from SRAM (F303); 0: none */
    uint32_t system_memory_base;       /* ROM bootloader */
    uint32_t system_memory_size;

    /* Peripherals */
    uint32_t rcc_base;
    uint32_t gpio_base;                /* port A; port n at gpio_base + n * 0x400 */
    unsigned gpio_ports;
    uint32_t usart1_base, usart2_base;
    unsigned usart1_irq, usart2_irq;
    uint32_t iwdg_base;                /* 0: SIM_IWDG_BASE (0x40003000) */

    /* ROM bootloader (AN2606, AN3155) */
    uint16_t bootloader_pid;
    uint8_t bootloader_version;
    bool bootloader_extended_erase;    /* command 0x44 instead of 0x43 */
    bool bootloader_when_flash_empty;  /* G0: nBOOT_SEL=1 from the factory ignores BOOT0; empty flash boots ROM */
    /* F04x/F07x/F09x: BOOT0 low still boots the ROM when the flash was empty (AN2606's empty check). On both the
     * check is made only when the option bytes load (power-on, OBL_LAUNCH): a system reset keeps its answer. */
    bool bootloader_when_flash_empty_or_boot0;
};

extern const struct sim_part sim_parts[];
extern const unsigned sim_part_count;

/* The part with this name, or NULL. */
const struct sim_part *sim_part_find(const char *name);

/* Total erase units of one bank and the unit holding an offset from the bank start (for models and tests). */
uint32_t sim_part_erase_units(const struct sim_part *part);

#endif /* SIM_PARTS_H */
