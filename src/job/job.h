/*
 * job.h - a flash job: put an image into an STM32's flash and prove it is there.
 *
 *   plan      read the file once against a generic STM32 memory: a malformed file fails before the wire is touched
 *   connect   SWD: debug port, MEM-AP, the core halted (by reset when asked) and its watchdogs frozen; or the ROM
 *             bootloader on the UART: BOOT0 high, NRST, autobaud (job_backend.h: the programmer under the phases)
 *   identify  DBGMCU_IDCODE (the bootloader's PID), flash size: the part's real memory description
 *   check     read the file again against that description (out of flash, option bytes, overlaps), then rehearse
 *             the programming pass, so nothing is erased for an image that cannot be written whole
 *   erase     exactly the erase units the image touches (one mass erase when it covers them all and is quicker);
 *             never the data EEPROM
 *   program   the third reading, unit by unit, streamed into flash; then, when the image has data EEPROM bytes
 *             (L0/L1), a reading for them alone: each EEPROM word that differs is written (erased and programmed
 *             in one operation), the others are left alone
 *   verify    a fourth reading compared with the flash (CRC-32 computed on the target, or read back)
 *   reset     the core runs the new firmware (through the bootloader: BOOT0 low and NRST)
 * Each phase's chip time (the port's clock: simulated time on the simulator) is in the result. Cancellation (the
 * port's yield returning true) stops at the next block; a job stopped or failed after the erase leaves the flash
 * partly programmed, and says so.
 *
 * The job never holds the image: it reads the file through job_file as often as it needs, in chunks.
 */
#ifndef AIRSWD_JOB_H
#define AIRSWD_JOB_H

#include <stdbool.h>
#include <stdint.h>

#include "adi/adi_mem_ap.h"
#include "cortexm/cortexm.h"
#include "hal.h"
#include "image/image_plan.h"
#include "image/image_reader.h"
#include "image/image_writer.h"
#include "job/job_backend.h"
#include "status.h"
#include "stm32/stm32_target.h"
#include "swd/swd.h"
#include "uartboot/uartboot.h"

/* The image file, read from the start as many times as the job needs. */
struct job_file {
    void *ctx;
    /* Copies up to len bytes from offset; returns how many (0 at the end), or -1 when the file cannot be read. */
    long (*read)(void *ctx, uint32_t offset, uint8_t *buf, uint32_t len);
};

/* What the job reaches the target with. */
struct job_link {
    const struct hal_swd *swd;          /* may be NULL for JOB_TRANSPORT_UART */
    const struct hal_system *system;
    const struct hal_target_pins *pins; /* may be NULL */
    enum job_transport transport;       /* SWD unless asked */
    const struct hal_uart *uart;        /* the target's USART1 (PA9/PA10): its ROM bootloader; may be NULL */
    uint32_t uart_baud;                 /* 0: UARTBOOT_DEFAULT_BAUD */
};

/* How program units reach the flash (docs/flash.md has the measurements behind the automatic choice). */
enum job_program_method {
    JOB_PROGRAM_AUTO,   /* the loader where the target runs code (the faster one on every part), else direct */
    JOB_PROGRAM_DIRECT, /* each unit written straight into flash; the flash stalls the bus while it programs */
    JOB_PROGRAM_LOADER, /* the ring-buffer loader runs on the target and the host streams into its ring */
};

/* What a job does. A flash job is the default; the others share its connection, identification and reporting. */
enum job_action {
    JOB_ACTION_FLASH,  /* plan ... reset, as above */
    JOB_ACTION_VERIFY, /* plan, connect, identify, check, verify: compare the flash with the image, change nothing */
    JOB_ACTION_ERASE,  /* connect, identify, erase the whole flash (one mass erase when quicker or asked for) */
    JOB_ACTION_READ,   /* connect, identify, read: target memory to the data callback (job_on_data) */
    JOB_ACTION_RESET,  /* connect, reset: the part runs its firmware */
};

struct job_options {
    enum job_action action;
    enum job_program_method method;
    enum image_format format;
    uint32_t bin_base; /* a raw binary's address (0x08000000 when 0) */
    bool verify;
    bool reset_after;   /* reset and run the new firmware (always for JOB_ACTION_RESET) */
    bool reset_by_nrst; /* reset with a pulse on NRST instead of SYSRESETREQ */
    bool mass_erase;    /* JOB_ACTION_ERASE: one mass erase even when unit by unit would be quicker */
    struct image_range read; /* JOB_ACTION_READ: what to read */
    const uint8_t *image_key; /* AES-128 key of an encrypted signed container; NULL: none */
    /* Called at the end of the check phase, once the part is known and before anything is erased: a refusal stops
     * the job with the flash untouched (the device service checks a signed container here). May be NULL. */
    enum status (*admit)(void *ctx, const struct stm32_target *target, struct status_report *report);
    void *admit_ctx;
    bool skip_unchanged; /* erase and program only the units whose content differs (CRC on the target) */
    bool connect_under_reset;
    /* A failure's detail may quote what the target's memory holds (the byte that differs, a CRC-32 of the flash).
     * True where whoever reads the detail may read the memory anyway: a local probe, or the device in debug mode.
     * False: the detail names where, never what (docs/security.md). */
    bool quote_memory;
};

enum job_phase {
    JOB_PHASE_PLAN,
    JOB_PHASE_CONNECT,
    JOB_PHASE_IDENTIFY,
    JOB_PHASE_CHECK,
    JOB_PHASE_ERASE,
    JOB_PHASE_PROGRAM,
    JOB_PHASE_VERIFY,
    JOB_PHASE_READ,
    JOB_PHASE_RESET,
    JOB_PHASE_COUNT
};

const char *job_phase_name(enum job_phase phase);

struct job_progress {
    enum job_phase phase;
    uint32_t done, total; /* bytes (program, verify) or erase units (erase) */
    uint64_t phase_us;    /* chip time in this phase so far */
};

struct job_result {
    bool erased;               /* the flash was changed: a failure now leaves it partly programmed */
    bool mass_erased;
    uint32_t erase_units;
    uint32_t program_bytes;    /* whole program units written */
    uint32_t verified_bytes;
    bool verified_on_target;   /* by CRC-32 computed on the target; false: read back */
    bool programmed_by_loader; /* the ring-buffer loader programmed; false: direct writes */
    uint32_t unchanged_units;  /* erase units that already held the image and were left alone */
    uint32_t eeprom_written;   /* data EEPROM bytes of the image in words that were written */
    uint32_t eeprom_unchanged; /* data EEPROM bytes of the image in words that already held them */
    uint64_t phase_us[JOB_PHASE_COUNT];
    uint64_t total_us;
    enum job_phase failed_phase;
    const char *backend;       /* the programmer that reached the target (job_backend.name), NULL before connect */
    uint32_t line_recoveries;  /* bootloader exchanges repeated (a lost or garbled byte, a NACK) */
};

struct job {
    struct job_link link;
    struct job_options options;
    struct job_file file;
    struct status_report *report;
    void (*progress)(void *ctx, const struct job_progress *progress);
    void *progress_ctx;
    bool (*data)(void *ctx, uint32_t address, const uint8_t *bytes, uint32_t len);
    void *data_ctx;

    /* The connection, built by the job: SWD's layers, or the bootloader client. */
    const struct job_backend *backend;
    struct uartboot uartboot;
    struct swd swd;
    struct adi_dp dp;
    struct adi_mem_ap ap;
    struct cortexm core;
    struct stm32_target target;

    /* The image. */
    struct image_target generic_memory;
    struct image_plan plan;
    struct image_reader reader;
    struct image_writer writer;
    uint8_t chunk[AIRSWD_JOB_CHUNK];
    /* The verify pass reads back into one; the program pass gathers runs in the other (never both at once). */
    union {
        uint8_t readback[AIRSWD_JOB_READBACK_CHUNK + 8]; /* a chunk widened to whole words */
        uint8_t run[AIRSWD_JOB_READBACK_CHUNK + 8];
    };
    /* Program output that continues the last piece is gathered here and programmed as one run: a file of small
     * pieces (16-byte HEX records) costs the flash controller's per-call setup and wait once per run, not per piece. */
    uint32_t run_address, run_len;

    /* --skip-unchanged: erase units that already hold what the image puts there (bit per unit index). */
    uint8_t unchanged[(AIRSWD_JOB_MAX_UNITS + 7) / 8];
    struct {
        bool in_order;      /* the image arrives in address order: the per-unit CRCs can be computed */
        bool open;
        uint32_t unit;      /* index of the unit being summed */
        uint32_t position;  /* next address within it */
        uint32_t crc;
    } scan;

    /* The ring-buffer loader, when it programs. */
    struct {
        bool used;
        bool active; /* a session runs on the target */
        uint32_t stack_top, ring, ring_end;
        uint32_t wp;         /* where the host writes next */
        uint32_t rp;         /* the loader's rp as last read: it only moves on, so the room it leaves is a floor */
        uint32_t next, end;  /* the session's next flash address and its end */
    } loader;

    /* Verification: image bytes that follow each other in flash, checked as one range. */
    struct {
        bool open;
        bool on_target; /* the CRC stub is loaded and answers */
        uint32_t address, len, crc;
        /* Through a backend whose every read is a command (the bootloader's Read Memory), readback holds the flash
         * from here on, read ahead, so that small pieces (16-byte HEX records) cost one read per block. */
        uint32_t ahead_address, ahead_len;
    } verify;

    struct job_result result;
    enum job_phase phase;
    uint64_t phase_start_us;
    uint32_t progress_done, progress_total;
};

/* The memory the plan phase checks a file against before the part is known: any STM32's flash, option bytes and
 * RAM. The device service checks uploads against it too. */
void job_generic_memory(struct image_target *memory);

/* Prepares a job; nothing happens until job_run(). progress may be NULL. */
void job_init(struct job *job, const struct job_link *link, const struct job_file *file,
              const struct job_options *options, struct status_report *report);
void job_on_progress(struct job *job, void (*progress)(void *ctx, const struct job_progress *progress), void *ctx);
/* JOB_ACTION_READ hands the memory read here, in address order, in pieces of at most AIRSWD_JOB_CHUNK bytes; the
 * callback returns false when it cannot take them (the job then fails with its report filled by the callback's
 * owner, or with STATUS_CANCELLED when the report is empty). */
void job_on_data(struct job *job, bool (*data)(void *ctx, uint32_t address, const uint8_t *bytes, uint32_t len),
                 void *ctx);

/* Runs every phase; the first failure stops it (result.failed_phase says where, the report why). */
enum status job_run(struct job *job);

#endif /* AIRSWD_JOB_H */
