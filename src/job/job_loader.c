/*
 * job_loader.c - programming through the ring-buffer loader (stubs/loader.c): the host streams the image into a
 * ring in SRAM while the loader, running on the target, hands each unit to the flash controller. Where a program
 * unit takes more than one bus write (the L4/G0 double word), the wire's second write no longer sits between two
 * programming operations, and the flash runs back to back (docs/flash.md has the measurements).
 *
 * Memory from STM32_STUB_LOAD_ADDRESS: the loader, its stack, then the ring (header and data).
 * A session programs one run of consecutive units inside one bank (the loader drives the register set of one bank:
 * F1 XL and H7 give bank 2 its own); output that does not continue it, or that reaches the next bank, ends the
 * session and starts another where the new output begins. Ending a session asks the loader to stop once it has
 * programmed everything queued, waits for it, and checks that it got exactly to the end of what was queued: the
 * writer hands each unit out once, so a unit the loader left behind would stay erased.
 */
#include "job/job_internal.h"

#include "stm32/stm32_stubs.h"

#define RING_MAX (16u * 1024u)
#define RING_HEADER STM32_STUB_LOADER_RING_DATA
/* How long the ring may stay full before the loader is taken for stuck (the slowest operation, L0's half page, takes
 * about 3.2 ms). */
#define RING_STALL_US 200000u

static uint32_t align8(uint32_t value)
{
    return (value + 7u) & ~7u;
}

static uint32_t ring_data(const struct job *job)
{
    return job->loader.ring + RING_HEADER;
}

static enum status write_word(struct job *job, uint32_t address, uint32_t value)
{
    return adi_mem_write32(&job->ap, address, value);
}

/* Loads the loader and lays out its stack and ring in the SRAM every member of the line has. */
enum status job_loader_prepare(struct job *job)
{
    const struct stm32_loader_stub *loader = &stm32_part_family(job->target.part)->loader;
    uint8_t padded[512] = {0};
    if (loader->size > sizeof padded)
        return status_fail(job->report, STATUS_UNSUPPORTED, "the flash loader is larger than its load buffer");
    for (uint32_t i = 0; i < loader->size; i++)
        padded[i] = loader->image[i];
    job->loader.stack_top = align8(STM32_STUB_LOAD_ADDRESS + loader->ram_size + loader->stack_size + 64u);
    job->loader.ring = job->loader.stack_top;
    uint32_t sram_end = STM32_SRAM_BASE + job->target.part->sram_min;
    uint32_t room = sram_end > job->loader.ring + RING_HEADER + 64u ? sram_end - job->loader.ring - RING_HEADER : 0;
    /* The data area holds whole units (no unit straddles the wrap) and halves into whole units (chunk_max). */
    uint32_t unit = job->target.memory.program_unit;
    room = (room < RING_MAX ? room : RING_MAX) / (2u * unit) * (2u * unit) & ~7u;
    if (room < 256u)
        return status_fail(job->report, STATUS_UNSUPPORTED, "%s has too little SRAM for the flash loader's ring",
                           job->target.part->name);
    job->loader.ring_end = ring_data(job) + room;
    job->loader.active = false;
    return adi_mem_write(&job->ap, STM32_STUB_LOAD_ADDRESS, padded, (loader->size + 3u) & ~3u, 4);
}

static uint32_t ring_size(const struct job *job)
{
    return job->loader.ring_end - ring_data(job);
}

/* Bytes the host may still write: the ring keeps one unit free so that full and empty differ. */
static uint32_t ring_free(const struct job *job, uint32_t rp)
{
    uint32_t used = (job->loader.wp + ring_size(job) - rp) % ring_size(job);
    return ring_size(job) - used - job->target.memory.program_unit;
}

/* The loader has halted on its BKPT with result r0: it must have programmed up to where the host's queue ended.
 * Result 0 means it programmed its whole range; after a stop r1 says how far it got. */
static enum status check_session_end(struct job *job, uint32_t result)
{
    if (result != 0 && result != STM32_STUB_LOADER_STOPPED)
        return stm32_flash_check_errors(&job->target, stm32_flash_ops(&job->target)->status_register, result,
                                        "programming through the loader");
    uint32_t reached = job->loader.end;
    enum status status = STATUS_OK;
    if (result == STM32_STUB_LOADER_STOPPED)
        status = cortexm_read_reg(&job->core, CORTEXM_REG_R0 + 1u, &reached);
    if (status == STATUS_OK && reached != job->loader.next)
        status = status_fail(job->report, STATUS_CORE_FAULT,
                             "the flash loader stopped at 0x%08lX, short of 0x%08lX: queued data not programmed",
                             (unsigned long)reached, (unsigned long)job->loader.next);
    return status;
}

/* Ends the session: with stop, asks the loader to stop once it has programmed what is queued (where the queue ends
 * first, then wp = 0); without, it ends by itself (its range is done, or it failed). Waits for it either way, then
 * checks how far it got. */
static enum status finish_session(struct job *job, bool stop)
{
    if (!job->loader.active)
        return STATUS_OK;
    job->loader.active = false;
    enum status status = STATUS_OK;
    if (stop)
        status = write_word(job, job->loader.ring + STM32_STUB_LOADER_RING_LAST, job->loader.wp);
    if (stop && status == STATUS_OK)
        status = write_word(job, job->loader.ring + STM32_STUB_LOADER_RING_WP, 0);
    const struct hal_system *system = job->link.system;
    uint64_t deadline =
        system->now_us(system->ctx) + RING_STALL_US +
        (uint64_t)ring_size(job) / job->target.memory.program_unit * stm32_part_loader_unit_ns(job->target.part) / 1000u;
    bool finished = false;
    uint32_t result = 0, last_rp = 0;
    while (status == STATUS_OK && !finished) {
        status = cortexm_poll_routine(&job->core, &finished, &result);
        if (status != STATUS_OK || finished)
            break;
        /* Past the time the queue takes at the typical tPROG, the loader gets more as long as it still moves (a
         * part at its datasheet maximum takes several times longer). */
        if (system->now_us(system->ctx) > deadline) {
            uint32_t rp = 0;
            status = adi_mem_read32(&job->ap, job->loader.ring + STM32_STUB_LOADER_RING_RP, &rp);
            if (status == STATUS_OK && rp == last_rp)
                status = status_fail(job->report, STATUS_TIMEOUT, "the flash loader did not finish programming");
            if (status != STATUS_OK)
                break;
            last_rp = rp;
            deadline = system->now_us(system->ctx) + RING_STALL_US;
        }
        system->delay_us(system->ctx, stm32_part_loader_unit_ns(job->target.part) / 1000u + 1u);
    }
    if (status != STATUS_OK) {
        cortexm_abort_routine(&job->core);
        return status;
    }
    return check_session_end(job, result);
}

/* The end of the program range of the plan that holds address, or of its bank if that comes first: a session never
 * runs past it. */
static uint32_t session_end(const struct job *job, uint32_t address)
{
    uint64_t bank_end = stm32_flash_bank_end(&job->target, address);
    for (uint16_t i = 0; i < job->plan.program_count; i++) {
        uint64_t end = image_range_end(job->plan.program[i]);
        if (address >= job->plan.program[i].base && address < end)
            return (uint32_t)(end < bank_end ? end : bank_end);
    }
    return address;
}

static enum status start_session(struct job *job, uint32_t address)
{
    uint32_t end = session_end(job, address);
    uint32_t ring = job->loader.ring;
    job->loader.wp = ring_data(job);
    job->loader.rp = ring_data(job);
    job->loader.next = address;
    job->loader.end = end;
    uint32_t registers = stm32_flash_bank_register(&job->target, stm32_flash_bank_of(&job->target, address), 0);
    uint32_t header[6] = {ring_data(job), ring_data(job), registers, 0, job->target.part->line->loader_program_size, 0};
    enum status status = adi_mem_write(&job->ap, ring, (const uint8_t *)header, sizeof header, 4);
    struct cortexm_routine_call call = {
        .entry = STM32_STUB_LOAD_ADDRESS,
        .stack_top = job->loader.stack_top,
        .args = {ring, job->loader.ring_end, address, end - address},
    };
    if (status == STATUS_OK)
        status = cortexm_start_routine(&job->core, &call);
    job->loader.active = status == STATUS_OK;
    return status;
}

/* Waits until the loader has freed room for len bytes; its pace is the flash's, so the host sleeps in between.
 * Where the rp last read leaves room already, nothing is read: on a wire slower than the flash each read of rp
 * would take the time of a word of data. (A loader stopped on an error is then noticed at the next read, or when
 * the session ends.) */
static enum status wait_for_room(struct job *job, uint32_t len)
{
    if (ring_free(job, job->loader.rp) >= len)
        return STATUS_OK;
    const struct hal_system *system = job->link.system;
    uint64_t stalled_since = system->now_us(system->ctx);
    uint32_t last_rp = 0;
    for (;;) {
        uint32_t rp;
        enum status status = adi_mem_read32(&job->ap, job->loader.ring + STM32_STUB_LOADER_RING_RP, &rp);
        if (status != STATUS_OK)
            return status;
        if (rp == 0) /* the loader stopped on an error: its result says which */
            return finish_session(job, false);
        job->loader.rp = rp;
        if (ring_free(job, rp) >= len)
            return STATUS_OK;
        uint64_t now = system->now_us(system->ctx);
        if (rp != last_rp)
            stalled_since = now;
        else if (now - stalled_since > RING_STALL_US)
            return status_fail(job->report, STATUS_TIMEOUT, "the flash loader stopped taking data");
        last_rp = rp;
        uint32_t units = (len - ring_free(job, rp)) / job->target.memory.program_unit + 1u;
        system->delay_us(system->ctx, units * (stm32_part_loader_unit_ns(job->target.part) / 1000u));
        if (system->yield(system->ctx))
            return status_fail(job->report, STATUS_CANCELLED, "programming through the loader");
    }
}

/* Writes len bytes at address in the ring: words, and a halfword at either end where halfword units (F0/F1/F3)
 * leave the piece off a word boundary. */
static enum status write_ring(struct job *job, uint32_t address, const uint8_t *bytes, uint32_t len)
{
    enum status status = STATUS_OK;
    uint32_t head = address % 4u != 0 && len >= 2u ? 2u : 0u;
    if (head > 0)
        status = adi_mem_write(&job->ap, address, bytes, head, 2);
    uint32_t words = (len - head) & ~3u;
    if (status == STATUS_OK && words > 0)
        status = adi_mem_write(&job->ap, address + head, bytes + head, words, 4);
    if (status == STATUS_OK && head + words < len)
        status = adi_mem_write(&job->ap, address + head + words, bytes + head + words, len - head - words, 2);
    return status;
}

/* Writes len bytes at wp, in two pieces where the ring wraps, then publishes the new wp. */
static enum status put_in_ring(struct job *job, const uint8_t *bytes, uint32_t len)
{
    uint32_t first = job->loader.ring_end - job->loader.wp;
    if (first > len)
        first = len;
    enum status status = write_ring(job, job->loader.wp, bytes, first);
    if (status == STATUS_OK && first < len)
        status = write_ring(job, ring_data(job), bytes + first, len - first);
    job->loader.wp = first < len ? ring_data(job) + (len - first) : job->loader.wp + len;
    if (job->loader.wp == job->loader.ring_end)
        job->loader.wp = ring_data(job);
    if (status == STATUS_OK)
        status = write_word(job, job->loader.ring + STM32_STUB_LOADER_RING_WP, job->loader.wp);
    return status;
}

enum status job_loader_program(struct job *job, uint32_t address, const uint8_t *bytes, uint32_t len)
{
    enum status status = STATUS_OK;
    uint32_t chunk_max = ring_size(job) / 2u;
    while (status == STATUS_OK && len > 0) {
        if (job->loader.active && address != job->loader.next)
            status = finish_session(job, true);
        if (status == STATUS_OK && !job->loader.active)
            status = start_session(job, address);
        if (status != STATUS_OK)
            break;
        uint32_t left = job->loader.end - address; /* the session ends at a bank's end */
        uint32_t chunk = len < chunk_max ? len : chunk_max;
        if (chunk > left)
            chunk = left;
        status = wait_for_room(job, chunk);
        if (status == STATUS_OK && job->loader.active)
            status = put_in_ring(job, bytes, chunk);
        else if (status == STATUS_OK)
            status = status_fail(job->report, STATUS_FLASH_ERROR, "the flash loader stopped before 0x%08lX",
                                 (unsigned long)address);
        address += chunk;
        bytes += chunk;
        len -= chunk;
        job->loader.next = address;
        if (status == STATUS_OK && job->loader.next == job->loader.end)
            status = finish_session(job, false);
    }
    return status;
}

enum status job_loader_finish(struct job *job)
{
    return finish_session(job, true);
}

void job_loader_abandon(struct job *job)
{
    if (!job->loader.active)
        return;
    job->loader.active = false;
    cortexm_abort_routine(&job->core);
}
