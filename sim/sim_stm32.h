/*
 * sim_stm32.h - a simulated STM32 assembled from the simulator's parts: its debug port (SW-DP and, on Cortex-M3/M4
 * parts, JTAG-DP), the Cortex-M core, the flash and its controller, SRAM, system memory with the ROM bootloader,
 * the peripherals firmware uses (RCC, GPIO, USART1/2, IWDG, DBGMCU), all in one timeline.
 *
 * Time: the debug port's clock drives everything. Each SWCLK/TCK cycle, and each idle period, brings the core and
 * the peripherals up to the wire's time before the debugger observes them (sim_target's sync hook).
 *
 * Boot: at every reset the boot pins and the option bytes pick what runs: the firmware in flash (its vector table
 * aliased at 0), or the ROM bootloader (BOOT0 high; on G0 and F07x a flash that was empty when the option bytes
 * last loaded). The ROM bootloader is a C model that
 * speaks AN3155 on USART1; meanwhile the core idles in a WFI loop in system memory, where a debugger would find it.
 */
#ifndef SIM_STM32_H
#define SIM_STM32_H

#include <stdbool.h>
#include <stdint.h>

#include "sim_bootloader.h"
#include "sim_cortexm.h"
#include "sim_dbgmcu.h"
#include "sim_flash.h"
#include "sim_gpio.h"
#include "sim_iwdg.h"
#include "sim_memory.h"
#include "sim_parts.h"
#include "sim_rcc.h"
#include "sim_swtf.h"
#include "sim_target.h"
#include "sim_usart.h"

#define SIM_STM32_MAX_DEVICES 10
#define SIM_STM32_USARTS 2
#define SIM_STM32_SRAM_BASE 0x20000000u
#define SIM_STM32_CCM_BASE 0x10000000u /* F303's CCM SRAM (RM0316 §3.3) */

/* What the chip shows the outside world, for the stm32sim program and tests. Every callback may be NULL. */
struct sim_stm32_events {
    void *ctx;
    /* A byte left USARTn's TX pin (n = 1 or 2; the ROM bootloader speaks on 1). */
    void (*uart_tx)(void *ctx, unsigned usart, uint8_t byte, uint64_t at_ps);
    /* An output pin changed level (an LED). */
    void (*gpio_change)(void *ctx, char port, unsigned pin, bool level, uint64_t at_ps);
    /* The chip was reset; cause says why ("power-on", "NRST", "SYSRESETREQ", "option bytes", "bootloader"). */
    void (*reset)(void *ctx, const char *cause, bool into_bootloader, uint64_t at_ps);
};

/* Bytes that arrive on a USART's RX pin from a line outside the chip, in the chip's timeline. The chip asks
 * next_ps() when the next byte's frame ends (SIM_NEVER: none waiting) and, as time passes, take() for a byte whose
 * frame has ended by now_ps; both run on whichever thread drives the chip, so the source guards its own state. */
struct sim_stm32_rx_source {
    uint64_t (*next_ps)(void *ctx);
    bool (*take)(void *ctx, uint64_t now_ps, uint8_t *byte);
    void *ctx;
};

struct sim_stm32 {
    const struct sim_part *part;
    struct sim_target *target;
    struct sim_cortexm *cpu;
    struct sim_flash *flash;
    struct sim_memory *sram;
    struct sim_memory *ccm; /* NULL where the part has none apart from SRAM */
    struct sim_memory *system_memory; /* a WFI loop for the ROM, and the flash size register */
    struct sim_memory *flash_size_memory; /* the flash size register where it is outside system memory (L0) */
    struct sim_dbgmcu *dbgmcu;
    struct sim_swtf *swtf; /* on the APB-AP's bus where the part has an SWO funnel; else NULL */
    struct sim_rcc *rcc;
    struct sim_gpio *gpio;
    struct sim_iwdg *iwdg;
    struct sim_usart *usart[SIM_STM32_USARTS];
    struct sim_bootloader bootloader;

    struct sim_device devices[SIM_STM32_MAX_DEVICES];
    unsigned device_count;
    uint64_t now_ps;      /* the core and devices have been brought up to here */
    bool boot0;           /* the BOOT0 pin, read at reset */
    bool boot_from_rom;   /* this boot: the alias at 0 shows system memory, the ROM model owns USART1 */
    bool flash_empty_at_load; /* the empty check's answer at the last power-on or option byte load */
    bool nrst_held;
    struct sim_stm32_events events;
    struct sim_stm32_rx_source rx_source; /* take == NULL: none */
    unsigned rx_source_usart;
};

/* Creates the named part, powered on; swclk_hz 0 keeps the default (4 MHz). NULL for an unknown part or when out
 * of host memory. */
struct sim_stm32 *sim_stm32_create(const char *part, uint32_t swclk_hz);
void sim_stm32_destroy(struct sim_stm32 *stm32);

void sim_stm32_set_events(struct sim_stm32 *stm32, const struct sim_stm32_events *events);
/* The BOOT0 pin's level, sampled at the next reset. */
void sim_stm32_set_boot0(struct sim_stm32 *stm32, bool high);
/* Power cycle: everything resets, the debug port too. */
void sim_stm32_power_on_reset(struct sim_stm32 *stm32);

/* Lets time pass without the debugger (the wire idles): the core runs, the USARTs shift. */
void sim_stm32_run_for(struct sim_stm32 *stm32, uint64_t ps);
uint64_t sim_stm32_now_ps(const struct sim_stm32 *stm32);

/* A byte arrives on USARTn's RX pin now (to the ROM bootloader when it owns USART1). */
void sim_stm32_uart_receive(struct sim_stm32 *stm32, unsigned usart, uint8_t byte);
/* Connects source to USARTn's RX pin (to the ROM bootloader when it owns USART1), before the chip runs. False when
 * the chip has no room for another device. */
bool sim_stm32_attach_rx_source(struct sim_stm32 *stm32, unsigned usart, const struct sim_stm32_rx_source *source);

/* ---- inside the chip (sim_stm32*.c) ---- */
void sim_stm32_system_reset(struct sim_stm32 *stm32, const char *cause, uint64_t now_ps);
/* A system reset that also loads the option bytes (OBL_LAUNCH; the ROM bootloader after an option change). */
void sim_stm32_option_load_reset(struct sim_stm32 *stm32, const char *cause, uint64_t now_ps);
bool sim_stm32_rom_create(struct sim_stm32 *stm32);
/* The ROM bootloader's access to the chip. */
void sim_stm32_rom_attach_bootloader(struct sim_stm32 *stm32);

#endif /* SIM_STM32_H */
