/*
 * sim_stm32.c - a simulated STM32 assembled from the part table: the memory map, the timeline that keeps the core
 * and the peripherals in step with the wire, and the resets.
 *
 * Invariant: the core and every device have been brought up to stm32->now_ps and no further; the wire's time
 * (sim_target_now_ps) is never behind it.
 */
#include "sim_stm32.h"

#include "sim_mem_ap.h"

#include <stdlib.h>
#include <string.h>

/* The longest the core runs without the devices catching up: bounds how stale a polled flag can be. */
#define SLICE_PS 20000000ull /* 20 us */

static void chip_advance(struct sim_stm32 *stm32, uint64_t t_ps)
{
    while (stm32->now_ps < t_ps) {
        uint64_t next = t_ps;
        if (next - stm32->now_ps > SLICE_PS)
            next = stm32->now_ps + SLICE_PS;
        for (unsigned i = 0; i < stm32->device_count; i++) {
            const struct sim_device *device = &stm32->devices[i];
            if (device->ops->next_event_ps == NULL)
                continue;
            uint64_t event = device->ops->next_event_ps(device->ctx);
            if (event > stm32->now_ps && event < next)
                next = event;
        }
        sim_cortexm_run_until(stm32->cpu, next);
        stm32->now_ps = next;
        for (unsigned i = 0; i < stm32->device_count; i++) {
            const struct sim_device *device = &stm32->devices[i];
            if (device->ops->advance != NULL)
                device->ops->advance(device->ctx, next);
        }
    }
}

static void chip_sync(void *ctx, uint64_t now_ps)
{
    chip_advance(ctx, now_ps);
}

/* ---- resets and boot ---- */

static bool flash_is_empty(struct sim_stm32 *stm32)
{
    static const uint8_t erased[4] = {0xFF, 0xFF, 0xFF, 0xFF};
    return memcmp(sim_flash_array(stm32->flash), erased, sizeof erased) == 0;
}

/* BOOT0 picks system memory; G0 parts from the factory ignore BOOT0 and boot the ROM while flash is empty, and
 * F04x/F07x/F09x boot it for an empty flash too. The emptiness is the answer of the check made at the last option
 * byte load (RM0444 §2.5, RM0091 §2.5), not the flash as it is now. */
static bool boots_from_rom(struct sim_stm32 *stm32)
{
    if (stm32->part->bootloader_when_flash_empty)
        return stm32->flash_empty_at_load;
    if (stm32->part->bootloader_when_flash_empty_or_boot0)
        return stm32->boot0 || stm32->flash_empty_at_load;
    return stm32->boot0;
}

static void reset_everything(struct sim_stm32 *stm32, enum sim_reset_kind kind, const char *cause, uint64_t now_ps)
{
    chip_advance(stm32, now_ps);
    for (unsigned i = 0; i < stm32->device_count; i++)
        stm32->devices[i].ops->reset(stm32->devices[i].ctx, kind, now_ps);
    if (kind != SIM_RESET_SYSTEM)
        stm32->flash_empty_at_load = flash_is_empty(stm32);
    sim_target_set_debug_port_enabled(stm32->target, sim_flash_rdp_level(stm32->flash) != 2);
    stm32->boot_from_rom = boots_from_rom(stm32);
    sim_bootloader_reset(&stm32->bootloader);
    if (stm32->nrst_held) {
        sim_cortexm_hold_in_reset(stm32->cpu, true);
    } else {
        sim_cortexm_reset(stm32->cpu, kind, now_ps);
        if (stm32->boot_from_rom)
            sim_cortexm_sleep(stm32->cpu); /* the ROM's idle loop: the C model does the work */
    }
    if (stm32->events.reset != NULL)
        stm32->events.reset(stm32->events.ctx, cause, stm32->boot_from_rom, now_ps);
}

void sim_stm32_system_reset(struct sim_stm32 *stm32, const char *cause, uint64_t now_ps)
{
    reset_everything(stm32, SIM_RESET_SYSTEM, cause, now_ps);
}

void sim_stm32_power_on_reset(struct sim_stm32 *stm32)
{
    reset_everything(stm32, SIM_RESET_POWER_ON, "power-on", sim_target_now_ps(stm32->target));
}

static void on_sysresetreq(void *ctx, uint64_t now_ps)
{
    sim_stm32_system_reset(ctx, "SYSRESETREQ", now_ps);
}

void sim_stm32_option_load_reset(struct sim_stm32 *stm32, const char *cause, uint64_t now_ps)
{
    reset_everything(stm32, SIM_RESET_OPTION_LOAD, cause, now_ps);
}

static void on_option_load(void *ctx, uint64_t now_ps)
{
    sim_stm32_option_load_reset(ctx, "option bytes", now_ps);
}

/* NRST low holds the core; its release is a system reset. */
static void on_nrst(void *ctx, bool asserted, uint64_t now_ps)
{
    struct sim_stm32 *stm32 = ctx;
    chip_advance(stm32, now_ps);
    stm32->nrst_held = asserted;
    if (asserted)
        sim_cortexm_hold_in_reset(stm32->cpu, true);
    else
        sim_stm32_system_reset(stm32, "NRST", now_ps);
}

/* ---- the boot alias at 0 ---- */

static enum sim_bus_status alias_access(struct sim_stm32 *stm32, struct sim_bus_access *access, bool write)
{
    if (!stm32->boot_from_rom) {
        if (access->offset + access->size > sim_flash_size(stm32->flash))
            return SIM_BUS_ERROR;
        return write ? sim_flash_array_ops.write(stm32->flash, access) : sim_flash_array_ops.read(stm32->flash, access);
    }
    if (access->offset + access->size > sim_memory_size(stm32->system_memory))
        return SIM_BUS_ERROR;
    return write ? sim_memory_ops.write(stm32->system_memory, access)
                 : sim_memory_ops.read(stm32->system_memory, access);
}

static enum sim_bus_status alias_read(void *ctx, struct sim_bus_access *access)
{
    return alias_access(ctx, access, false);
}

static enum sim_bus_status alias_write(void *ctx, struct sim_bus_access *access)
{
    return alias_access(ctx, access, true);
}

static const struct sim_bus_region_ops alias_ops = {.read = alias_read, .write = alias_write};

/* ---- assembly ---- */

static void on_flash_change(void *ctx, uint32_t addr, uint32_t len)
{
    struct sim_stm32 *stm32 = ctx;
    sim_cortexm_code_changed(stm32->cpu, addr, len);
    sim_cortexm_code_changed(stm32->cpu, addr - SIM_FLASH_BASE, len); /* the boot alias */
    if (stm32->part->flash_itcm_alias != 0)
        sim_cortexm_code_changed(stm32->cpu, addr - SIM_FLASH_BASE + stm32->part->flash_itcm_alias, len);
}

/* The debugger loads code into SRAM (flash loaders, checksum routines) where other code ran before. */
static void on_sram_bus_write(void *ctx, uint32_t offset, uint32_t len)
{
    struct sim_stm32 *stm32 = ctx;
    sim_cortexm_code_changed(stm32->cpu, SIM_STM32_SRAM_BASE + offset, len);
}

static void on_usart1_tx(void *ctx, uint8_t byte, uint64_t at_ps)
{
    struct sim_stm32 *stm32 = ctx;
    if (stm32->events.uart_tx != NULL)
        stm32->events.uart_tx(stm32->events.ctx, 1, byte, at_ps);
}

static void on_usart2_tx(void *ctx, uint8_t byte, uint64_t at_ps)
{
    struct sim_stm32 *stm32 = ctx;
    if (stm32->events.uart_tx != NULL)
        stm32->events.uart_tx(stm32->events.ctx, 2, byte, at_ps);
}

static void on_gpio_change(void *ctx, char port, unsigned pin, bool level, uint64_t now_ps)
{
    struct sim_stm32 *stm32 = ctx;
    if (stm32->events.gpio_change != NULL)
        stm32->events.gpio_change(stm32->events.ctx, port, pin, level, now_ps);
}

static void add_device(struct sim_stm32 *stm32, struct sim_device device)
{
    if (stm32->device_count < SIM_STM32_MAX_DEVICES)
        stm32->devices[stm32->device_count++] = device;
}

static struct sim_memory *map_memory(struct sim_stm32 *stm32, uint32_t base, uint32_t size, bool writable,
                                     const char *name)
{
    struct sim_memory *memory = sim_memory_create(size, writable);
    if (memory != NULL && !sim_memory_map(memory, sim_target_bus(stm32->target), base, name)) {
        sim_memory_destroy(memory);
        memory = NULL;
    }
    return memory;
}

static bool create_target_and_core(struct sim_stm32 *stm32, uint32_t swclk_hz)
{
    const struct sim_part *part = stm32->part;
    struct sim_target_config config;
    sim_target_default_config(&config);
    config.dpidr = part->dpidr;
    config.ap_idr = part->ap_idr;
    config.jtag_idcode = part->jtag_idcode;
    config.jtag_bs_idcode = part->jtag_bs_idcode;
    config.apb_apsel = part->apb_ap.apsel;
    config.apb_ap_idr = part->apb_ap.idr;
    config.apb_ap_base = part->apb_ap.base;
    /* Cortex-M0/M0+ parts have a SW-DP only; the others power up in JTAG mode. */
    config.power_on_mode = part->jtag_idcode ? SIM_SWJ_JTAG : SIM_SWJ_SWD;
    config.ap_sub_word = true;
    config.ap_autoinc_block = part->core == SIM_CORE_M3 || part->core == SIM_CORE_M4 || part->core == SIM_CORE_M7
                                  ? SIM_MEM_AP_AUTOINC_BLOCK_CORTEX_M3_M4
                                  : 0;
    if (swclk_hz)
        config.swclk_hz = swclk_hz;
    stm32->target = sim_target_create(&config);
    if (stm32->target == NULL)
        return false;
    struct sim_cortexm_config core = {
        .core = part->core, .cpuid = part->cpuid, .clock_hz = part->reset_clock_hz, .irq_count = part->irq_count};
    stm32->cpu = sim_cortexm_create(&core, sim_target_bus(stm32->target));
    if (stm32->cpu == NULL)
        return false;
    sim_cortexm_on_reset_request(stm32->cpu, on_sysresetreq, stm32);
    return true;
}

static bool create_memories(struct sim_stm32 *stm32)
{
    const struct sim_part *part = stm32->part;
    struct sim_bus *bus = sim_target_bus(stm32->target);
    stm32->flash = sim_flash_create(part);
    if (stm32->flash == NULL || !sim_flash_map(stm32->flash, bus))
        return false;
    sim_flash_on_change(stm32->flash, on_flash_change, stm32);
    sim_flash_set_timing(stm32->flash, sim_flash_timing_from_environment());
    sim_flash_on_reset_request(stm32->flash, on_option_load, stm32);
    add_device(stm32, sim_flash_device(stm32->flash));
    uint32_t alias_size = part->flash_size > part->system_memory_size ? part->flash_size : part->system_memory_size;
    if (sim_bus_map(bus, 0, alias_size, &alias_ops, stm32, "boot alias") == NULL)
        return false;
    stm32->sram = map_memory(stm32, SIM_STM32_SRAM_BASE, part->sram_size, true, "sram");
    if (part->ccm_size != 0) {
        stm32->ccm = map_memory(stm32, SIM_STM32_CCM_BASE, part->ccm_size, true, "ccm");
        if (stm32->ccm == NULL)
            return false;
    }
    stm32->dbgmcu = sim_dbgmcu_create(part);
    if (stm32->sram == NULL || stm32->dbgmcu == NULL || !sim_dbgmcu_map(stm32->dbgmcu, bus) ||
        !sim_stm32_rom_create(stm32))
        return false;
    add_device(stm32, sim_dbgmcu_device(stm32->dbgmcu));
    sim_memory_on_bus_write(stm32->sram, on_sram_bus_write, stm32);
    return true;
}

/* The debug bus behind the APB-AP, where the part has one: the DBGMCU again, and the SWO funnel. Addresses there
 * that nothing answers (the ROM tables, SWO, TPIU) are bus errors. */
static bool create_apb_debug_bus(struct sim_stm32 *stm32)
{
    const struct sim_part_apb_ap *apb_ap = &stm32->part->apb_ap;
    struct sim_bus *bus = sim_target_apb_bus(stm32->target);
    if (bus == NULL)
        return true;
    if (!sim_dbgmcu_map_at(stm32->dbgmcu, bus, apb_ap->dbgmcu_base))
        return false;
    if (apb_ap->swo_funnel_base == 0)
        return true;
    stm32->swtf = sim_swtf_create();
    if (stm32->swtf == NULL || !sim_swtf_map(stm32->swtf, bus, apb_ap->swo_funnel_base))
        return false;
    add_device(stm32, sim_swtf_device(stm32->swtf));
    return true;
}

static bool create_usart(struct sim_stm32 *stm32, unsigned index, uint32_t base, unsigned irq,
                         void (*tx)(void *ctx, uint8_t byte, uint64_t at_ps))
{
    struct sim_usart_config config = {
        .family = stm32->part->family,
        .clock_hz = stm32->part->reset_clock_hz,
        .irq = {.set = sim_cortexm_set_irq, .ctx = stm32->cpu, .irq = irq},
    };
    struct sim_usart *usart = sim_usart_create(&config);
    stm32->usart[index] = usart;
    if (usart == NULL || !sim_usart_map(usart, sim_target_bus(stm32->target), base, index ? "USART2" : "USART1"))
        return false;
    sim_usart_on_transmit(usart, tx, stm32);
    add_device(stm32, sim_usart_device(usart));
    return true;
}

/* The core and the USARTs run from SYSCLK (the USARTs' kernel clock follows it on every family here). */
static void on_clock_change(void *ctx, uint32_t hz)
{
    struct sim_stm32 *stm32 = ctx;
    sim_cortexm_set_clock_hz(stm32->cpu, hz);
    for (unsigned i = 0; i < SIM_STM32_USARTS; i++) {
        if (stm32->usart[i] != NULL)
            sim_usart_set_clock_hz(stm32->usart[i], hz);
    }
}

static bool iwdg_frozen(void *ctx)
{
    struct sim_stm32 *stm32 = ctx;
    return sim_cortexm_state(stm32->cpu) == SIM_CORTEXM_HALTED && sim_dbgmcu_freezes_iwdg(stm32->dbgmcu);
}

static void on_iwdg_expired(void *ctx, uint64_t at_ps)
{
    sim_stm32_system_reset(ctx, "IWDG", at_ps);
}

static bool iwdg_hardware_mode(void *ctx)
{
    const struct sim_stm32 *stm32 = ctx;
    return sim_flash_hardware_watchdog(stm32->flash);
}

static bool create_watchdog(struct sim_stm32 *stm32)
{
    struct sim_iwdg_config config = {.lsi_hz = sim_iwdg_lsi_hz(stm32->part->family),
                                     .ctx = stm32,
                                     .frozen = iwdg_frozen,
                                     .expired = on_iwdg_expired,
                                     .hardware_mode = iwdg_hardware_mode};
    stm32->iwdg = sim_iwdg_create(&config);
    if (stm32->iwdg == NULL || !sim_iwdg_map(stm32->iwdg, sim_target_bus(stm32->target), stm32->part->iwdg_base))
        return false;
    add_device(stm32, sim_iwdg_device(stm32->iwdg));
    return true;
}

static bool create_peripherals(struct sim_stm32 *stm32)
{
    const struct sim_part *part = stm32->part;
    struct sim_bus *bus = sim_target_bus(stm32->target);
    stm32->rcc = sim_rcc_create(part);
    stm32->gpio = sim_gpio_create(part);
    if (stm32->rcc == NULL || stm32->gpio == NULL || !sim_rcc_map(stm32->rcc, bus) || !sim_gpio_map(stm32->gpio, bus))
        return false;
    add_device(stm32, sim_rcc_device(stm32->rcc));
    sim_rcc_on_clock_change(stm32->rcc, on_clock_change, stm32);
    sim_dbgmcu_gate_clock(stm32->dbgmcu, stm32->rcc);
    add_device(stm32, sim_gpio_device(stm32->gpio));
    sim_gpio_on_change(stm32->gpio, on_gpio_change, stm32);
    return create_usart(stm32, 0, part->usart1_base, part->usart1_irq, on_usart1_tx) &&
           create_usart(stm32, 1, part->usart2_base, part->usart2_irq, on_usart2_tx) && create_watchdog(stm32);
}

struct sim_stm32 *sim_stm32_create(const char *part_name, uint32_t swclk_hz)
{
    const struct sim_part *part = sim_part_find(part_name);
    if (part == NULL)
        return NULL;
    struct sim_stm32 *stm32 = calloc(1, sizeof *stm32);
    if (stm32 == NULL)
        return NULL;
    stm32->part = part;
    if (!create_target_and_core(stm32, swclk_hz) || !create_memories(stm32) || !create_apb_debug_bus(stm32) ||
        !create_peripherals(stm32) || !sim_cortexm_attach_memory(stm32->cpu)) {
        sim_stm32_destroy(stm32);
        return NULL;
    }
    sim_stm32_rom_attach_bootloader(stm32);
    struct sim_target_hooks hooks = {.ctx = stm32, .sync = chip_sync, .nrst = on_nrst};
    sim_target_set_hooks(stm32->target, &hooks);
    sim_stm32_power_on_reset(stm32);
    return stm32;
}

void sim_stm32_destroy(struct sim_stm32 *stm32)
{
    if (stm32 == NULL)
        return;
    sim_target_destroy(stm32->target);
    sim_cortexm_destroy(stm32->cpu);
    sim_flash_destroy(stm32->flash);
    sim_memory_destroy(stm32->sram);
    sim_memory_destroy(stm32->ccm);
    sim_memory_destroy(stm32->system_memory);
    sim_memory_destroy(stm32->flash_size_memory);
    sim_dbgmcu_destroy(stm32->dbgmcu);
    sim_swtf_destroy(stm32->swtf);
    sim_rcc_destroy(stm32->rcc);
    sim_gpio_destroy(stm32->gpio);
    sim_iwdg_destroy(stm32->iwdg);
    for (unsigned i = 0; i < SIM_STM32_USARTS; i++)
        sim_usart_destroy(stm32->usart[i]);
    free(stm32);
}

void sim_stm32_set_events(struct sim_stm32 *stm32, const struct sim_stm32_events *events)
{
    stm32->events = *events;
}

void sim_stm32_set_boot0(struct sim_stm32 *stm32, bool high)
{
    stm32->boot0 = high;
}

void sim_stm32_run_for(struct sim_stm32 *stm32, uint64_t ps)
{
    sim_target_idle(stm32->target, ps);
    chip_advance(stm32, sim_target_now_ps(stm32->target));
}

uint64_t sim_stm32_now_ps(const struct sim_stm32 *stm32)
{
    return sim_target_now_ps(stm32->target);
}

static void deliver_rx(struct sim_stm32 *stm32, unsigned usart, uint8_t byte, uint64_t now_ps)
{
    if (usart == 1 && stm32->boot_from_rom)
        sim_bootloader_receive(&stm32->bootloader, byte, now_ps);
    else if (usart >= 1 && usart <= SIM_STM32_USARTS)
        sim_usart_receive(stm32->usart[usart - 1], byte, now_ps);
}

void sim_stm32_uart_receive(struct sim_stm32 *stm32, unsigned usart, uint8_t byte)
{
    uint64_t now = sim_target_now_ps(stm32->target);
    chip_advance(stm32, now);
    deliver_rx(stm32, usart, byte, now);
}

/* ---- a line into a USART's RX pin, as a device of the timeline ---- */

static void rx_source_reset(void *ctx, enum sim_reset_kind kind, uint64_t now_ps)
{
    (void)ctx, (void)kind, (void)now_ps; /* the line outside the chip does not reset with it */
}

static void rx_source_advance(void *ctx, uint64_t now_ps)
{
    struct sim_stm32 *stm32 = ctx;
    uint8_t byte;
    while (stm32->rx_source.take(stm32->rx_source.ctx, now_ps, &byte))
        deliver_rx(stm32, stm32->rx_source_usart, byte, now_ps);
}

static uint64_t rx_source_next_event_ps(void *ctx)
{
    struct sim_stm32 *stm32 = ctx;
    return stm32->rx_source.next_ps(stm32->rx_source.ctx);
}

static const struct sim_device_ops rx_source_ops = {
    .reset = rx_source_reset,
    .advance = rx_source_advance,
    .next_event_ps = rx_source_next_event_ps,
};

bool sim_stm32_attach_rx_source(struct sim_stm32 *stm32, unsigned usart, const struct sim_stm32_rx_source *source)
{
    if (stm32->device_count == SIM_STM32_MAX_DEVICES || usart < 1 || usart > SIM_STM32_USARTS)
        return false;
    stm32->rx_source = *source;
    stm32->rx_source_usart = usart;
    add_device(stm32, (struct sim_device){.ops = &rx_source_ops, .ctx = stm32, .name = "RX line"});
    return true;
}
