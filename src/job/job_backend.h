/*
 * job_backend.h - the programmer under the job's phases: how a job reaches the target. SWD through the debug port
 * (job_backend_swd.c) and the ROM bootloader on the UART (job_backend_uart.c, ST AN3155) fill the same table; what
 * only one of them can do is in its capability mask, and the job asks before it relies on it.
 */
#ifndef AIRSWD_JOB_BACKEND_H
#define AIRSWD_JOB_BACKEND_H

#include <stdint.h>

#include "image/image_target.h"
#include "status.h"

struct job;

enum job_capability {
    JOB_CAN_RUN_ON_TARGET = 1u << 0, /* routines run on the core: CRC-32 verify, --skip-unchanged, the RAM loader */
    JOB_CAN_OPTION_BYTES = 1u << 1,  /* option bytes are read: write protection is found before anything is erased */
    JOB_CAN_FREEZE_WATCHDOG = 1u << 2, /* the watchdogs stop while the job holds the core */
    JOB_CAN_WRITE_EEPROM = 1u << 3,    /* the family's write_eeprom drives the data EEPROM (stm32_flash.h) */
};

/* Which backend a job uses; AUTO: SWD, and the bootloader when SWD does not answer. */
enum job_transport { JOB_TRANSPORT_SWD, JOB_TRANSPORT_UART, JOB_TRANSPORT_AUTO };

struct job_backend {
    const char *name; /* "SWD", "ROM bootloader (UART)" */
    unsigned capabilities;
    enum status (*connect)(struct job *job);
    /* Fills job->target: the part, its flash size and memory. Read protection fails here, with the remedy. */
    enum status (*identify)(struct job *job);
    /* Around erasing and programming (the flash controller unlocked, then locked again); may be NULL. */
    enum status (*flash_begin)(struct job *job);
    enum status (*flash_end)(struct job *job);
    /* Erase unit index (its range as the memory description has it), and waits for the end. */
    enum status (*erase_unit)(struct job *job, uint32_t index, struct image_range unit);
    /* count consecutive units from first in one operation; NULL: unit by unit. */
    enum status (*erase_run)(struct job *job, uint32_t first, uint32_t count);
    enum status (*mass_erase)(struct job *job);
    /* Bank 0 or 1 of a dual-bank part; NULL where banks are not erased apart. */
    enum status (*erase_bank)(struct job *job, unsigned bank);
    /* Whole program units, erased beforehand. */
    enum status (*program)(struct job *job, uint32_t address, const uint8_t *bytes, uint32_t len);
    /* Any address and length (SWD reads whole words where both are multiples of 4). */
    enum status (*read)(struct job *job, uint32_t address, uint8_t *bytes, uint32_t len);
    /* The part runs its firmware. */
    enum status (*reset_run)(struct job *job);
    /* At the end of every job that connected, whatever happened: pins set for this job go back (BOOT0 low, so the
     * part's next power-up starts its firmware). May be NULL. */
    void (*release)(struct job *job);
};

extern const struct job_backend job_backend_swd;
extern const struct job_backend job_backend_uart;

const char *job_transport_name(enum job_transport transport);

#endif /* AIRSWD_JOB_BACKEND_H */
