/*
 * job_backend_uart.c - the job's programmer through the STM32's ROM bootloader on USART1 (ST AN3155,
 * src/uartboot): BOOT0 and NRST select it, Get ID names the part, Read Memory reads the flash size register (or finds
 * where the flash ends, where the ROM refuses that register), Erase, Write Memory and Read Memory do the work, and
 * BOOT0 low with NRST leaves it. No routine runs on the core, so the job verifies by reading back.
 *
 * Waits for the flash are bounded as stm32_flash_wait bounds them: four times the datasheet's typical figure (the
 * part table), on top of the line's own time.
 */
#include "job/job_internal.h"

#define FLASH_SIZE_UNIT 1024u /* the flash size register counts KB */
#define SLOW_FACTOR 4u

static enum status over_uart_connect(struct job *job)
{
    if (job->link.uart == NULL)
        return status_fail(job->report, STATUS_UNSUPPORTED, "this programmer has no UART to the target");
    uartboot_init(&job->uartboot, job->link.uart, job->link.system, job->link.pins, job->link.uart_baud,
                  job->report);
    return uartboot_enter(&job->uartboot);
}

static enum status over_uart_identify(struct job *job)
{
    struct stm32_target *target = &job->target;
    *target = (struct stm32_target){.system = job->link.system, .report = job->report};
    target->part = stm32_part_find(job->uartboot.pid);
    if (target->part == NULL)
        return status_fail(job->report, STATUS_UNSUPPORTED, "the bootloader's PID 0x%03X is not a part airswd knows",
                           job->uartboot.pid);
    target->idcode = job->uartboot.pid;
    enum status status = uartboot_flash_size(&job->uartboot, target->part->line->flash_size_register, STM32_FLASH_BASE,
                                             stm32_part_max_flash_kb(target->part), &target->flash_size);
    if (status == STATUS_FLASH_PROTECTED)
        return status_fail(job->report, STATUS_FLASH_PROTECTED,
                           "%s: read protection is active: `airswd unlock --yes` removes it and erases the chip",
                           target->part->name);
    if (status != STATUS_OK)
        return status;
    if (!stm32_part_describe(target->part, target->flash_size, &target->memory))
        return status_fail(job->report, STATUS_UNSUPPORTED, "%s: a flash size of %lu KB does not fit its layout",
                           target->part->name, (unsigned long)(target->flash_size / FLASH_SIZE_UNIT));
    return STATUS_OK;
}

static enum status over_uart_erase_unit(struct job *job, uint32_t index, struct image_range unit)
{
    uint32_t busy_us = SLOW_FACTOR * stm32_part_erase_us(job->target.part, unit.size);
    return uartboot_erase_units(&job->uartboot, (uint16_t)index, 1, busy_us);
}

/* One Erase command lists them all: the command's bytes on the line are paid once. */
static enum status over_uart_erase_run(struct job *job, uint32_t first, uint32_t count)
{
    uint32_t busy_us = 0;
    for (uint32_t i = 0; i < count; i++) {
        struct image_range unit;
        image_target_erase_unit(&job->target.memory, first + i, &unit);
        busy_us += SLOW_FACTOR * stm32_part_erase_us(job->target.part, unit.size);
    }
    return uartboot_erase_units(&job->uartboot, (uint16_t)first, (uint16_t)count, busy_us);
}

static enum status over_uart_mass_erase(struct job *job)
{
    return uartboot_mass_erase(&job->uartboot, (uint32_t)(SLOW_FACTOR * job_mass_erase_us(job)));
}

static enum status over_uart_erase_bank(struct job *job, unsigned bank)
{
    return uartboot_erase_bank(&job->uartboot, bank, (uint32_t)(SLOW_FACTOR * job_mass_erase_us(job)));
}

static enum status over_uart_program(struct job *job, uint32_t address, const uint8_t *bytes, uint32_t len)
{
    const struct stm32_part *part = job->target.part;
    uint32_t units = UARTBOOT_BLOCK / job->target.memory.program_unit;
    uint32_t block_us = SLOW_FACTOR * (units * part->line->program_ns / 1000u + 1u);
    return uartboot_write(&job->uartboot, address, bytes, len, block_us);
}

static enum status over_uart_read(struct job *job, uint32_t address, uint8_t *bytes, uint32_t len)
{
    return uartboot_read(&job->uartboot, address, bytes, len);
}

static enum status over_uart_reset_run(struct job *job)
{
    if (job->target.part != NULL && job->target.part->boot_checks_empty_flash)
        return uartboot_go_application(&job->uartboot);
    return uartboot_leave(&job->uartboot);
}

/* The part stays where the job left it (in its bootloader after a read or a verify, as SWD leaves the core
 * halted), but BOOT0 goes low for its next reset. */
static void over_uart_release(struct job *job)
{
    const struct hal_target_pins *pins = job->link.pins;
    if (pins != NULL && pins->set_boot0 != NULL)
        pins->set_boot0(pins->ctx, false);
}

const struct job_backend job_backend_uart = {
    .name = "ROM bootloader (UART)",
    .capabilities = 0,
    .connect = over_uart_connect,
    .identify = over_uart_identify,
    .erase_unit = over_uart_erase_unit,
    .erase_run = over_uart_erase_run,
    .mass_erase = over_uart_mass_erase,
    .erase_bank = over_uart_erase_bank,
    .program = over_uart_program,
    .read = over_uart_read,
    .reset_run = over_uart_reset_run,
    .release = over_uart_release,
};
