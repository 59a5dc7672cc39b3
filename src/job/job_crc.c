/*
 * job_crc.c - the CRC-32 stub on the target (stubs/crc32.c), and the faster clock it runs at where the part's
 * reset clock is slow. Used to verify, and to find erase units that already hold the image.
 */
#include "job/job_internal.h"

#include "stm32/stm32_stubs.h"

/* The stub's own bytes and tables, then its stack. */
#define STUB_STACK_TOP (STM32_STUB_LOAD_ADDRESS + ((STM32_STUB_CRC32_RAM_SIZE + STM32_STUB_CRC32_STACK_SIZE + 64u + 7u) & ~7u))
/* Time limit of one stub run: 8 cycles a byte at 2.1 MHz (the L0's MSI, the slowest clock any STM32 here resets
 * to), and a margin. */
#define STUB_US_PER_KB 4096u
#define STUB_MARGIN_US 50000u

enum status job_crc_load(struct job *job)
{
    uint8_t padded[(STM32_STUB_CRC32_SIZE + 3u) & ~3u] = {0};
    for (uint32_t i = 0; i < STM32_STUB_CRC32_SIZE; i++)
        padded[i] = stm32_stub_crc32[i];
    if (STUB_STACK_TOP > STM32_SRAM_BASE + job->target.part->sram_min)
        return STATUS_UNSUPPORTED;
    return adi_mem_write(&job->ap, STM32_STUB_LOAD_ADDRESS, padded, sizeof padded, 4);
}

enum status job_crc_run(struct job *job, uint32_t address, uint32_t len, uint32_t *crc)
{
    struct cortexm_routine_call call = {
        .entry = STM32_STUB_LOAD_ADDRESS + STM32_STUB_CRC32_ENTRY,
        .stack_top = STUB_STACK_TOP,
        .args = {address, len, 0, stm32_line_iwdg_key_register(job->target.part->line)},
    };
    return cortexm_run_routine(&job->core, &call, len / 1024u * STUB_US_PER_KB + STUB_MARGIN_US, crc);
}

/* Raises the clock for the CRC where the part's reset clock is slow (the part table says how); saved[] keeps the
 * registers' old values to put back. */
enum status job_clock_boost(struct job *job, uint32_t saved[STM32_CLOCK_BOOST_STEPS], unsigned *changed)
{
    const struct stm32_part *part = job->target.part;
    *changed = 0;
    for (unsigned i = 0; i < part->line->clock_boost_steps; i++) {
        const struct stm32_register_change *change = &part->line->clock_boost[i];
        enum status status = adi_mem_read32(&job->ap, change->address, &saved[i]);
        if (status == STATUS_OK)
            status = adi_mem_write32(&job->ap, change->address, (saved[i] & ~change->mask) | change->value);
        if (status != STATUS_OK)
            return status;
        *changed = i + 1;
    }
    return STATUS_OK;
}

enum status job_clock_restore(struct job *job, const uint32_t saved[STM32_CLOCK_BOOST_STEPS], unsigned changed)
{
    enum status status = STATUS_OK;
    while (changed > 0 && status == STATUS_OK) {
        changed--;
        status = adi_mem_write32(&job->ap, job->target.part->line->clock_boost[changed].address, saved[changed]);
    }
    return status;
}

