/*
 * loader - programs flash from a ring buffer in SRAM that the host keeps filling while the target programs (the
 * asynchronous loader), so that the wire and the flash work at the same time. One build per controller generation:
 * loader_f1 (F0/F1/F3: halfwords), loader_f4 (F2/F4/F7: words, PSIZE x32), loader_l4 (L4/G0/G4/WB: double words),
 * loader_l0 (L0/L1: words, gathered into half pages, 64 bytes on L0 and 128 on L1, where the range and the queue
 * allow, see below), loader_h7 (H74x/H75x: 256-bit flash words). The host has unlocked the controller and erased the
 * destination; the loader never erases.
 *
 *   r0 = ring: its header (below), then the data area from ring + STUB_LOADER_RING_DATA up to r1 (exclusive).
 *        ring 4-byte aligned; the data area's size a multiple of 8 bytes (so no program unit straddles the wrap).
 *   r1 = ring end (exclusive).
 *   r2 = flash address of the first unit, aligned to the program unit.
 *   r3 = number of bytes to program, a multiple of the program unit (a trailing partial unit is not programmed).
 *
 * The ring's header, in 32-bit words:
 *   +0x0 wp    written by the host: the address in the data area of the next byte it will write. The host writes
 *              the data first, then moves wp, by whole program units; wp == rp means empty. The host never fills
 *              the last unit before rp (the ring holds at most its size minus one unit). wp = 0 asks the loader to
 *              stop once it has programmed every unit up to last (below).
 *   +0x4 rp    written by the loader: the address of the next unit it will take. The host sets it to the data
 *              area's start (and wp to the end of what it wrote already) before starting the loader. The loader
 *              advances rp as soon as it has handed a unit to the flash controller, so that the host can reuse the
 *              space; past the last unit before r1 both pointers wrap to the data area's start. On a programming
 *              error the loader writes rp = 0, which tells a host polling rp to stop filling.
 *   +0x8       the register base of the bank the range is in (FLASH_R_BASE; 0x40022000 on F0/F1/F3/L4/G0/G4,
 *              0x40023C00 on F2/F4/F7, 0x52002000 on H7; +0x40 for bank 2 of an F1 XL-density part, +0x100 for bank 2
 *              of an H7), read once at start. A range never crosses into another bank.
 *   +0xC last  written by the host before it writes wp = 0: the wp it replaces, where the units it queued end.
 *   +0x10      the bytes one operation of the controller programs, read once at start: loader_l0 gathers words
 *              into half pages of this size (64 on L0, 128 on L1; a power of two); the other loaders ignore it.
 *   +0x14      reserved, 0 (keeps the data area of an 8-byte aligned ring 8-byte aligned).
 *
 * Result: r0 = 0 when all r3 bytes are programmed; the controller's error flags (SR & STUB_LOADER_<GEN>_ERRORS)
 * when a unit failed; STUB_LOADER_STOPPED when the host asked to stop before r3 bytes. r1 = the flash address of
 * the next unit: the end of the range on success, the unit that failed, or after a stop the end of what the host queued (which the host
 * checks). The loader clears stale error flags before it starts, sets PG (F2/F4: PSIZE x32)
 * for its run and clears it at the end; on an error the flags stay set in SR for the host to report.
 */
#include <stdint.h>

#define STUB_LOADER_RING_WP         0x0u
#define STUB_LOADER_RING_RP         0x4u
#define STUB_LOADER_RING_FLASH_REGS 0x8u
#define STUB_LOADER_RING_LAST       0xCu
#define STUB_LOADER_RING_OPERATION  0x10u
#define STUB_LOADER_RING_DATA       0x18u
#define STUB_LOADER_STOPPED         0x80000000u

/* The independent watchdog's key register (IWDG_KR at 0x40003000 on F0-F4, F7, L0-L4, G0, G4): the stub refreshes
 * it while it runs, because a watchdog frozen for a halted core runs on while the core executes the stub (the
 * hardware watchdog option starts it at every reset). The refresh key only reloads a stopped counter; it never
 * starts the watchdog. */
#define IWDG_KEY_REFRESH 0xAAAAu

#if defined(LOADER_F1)
/* PM0075 (F1), RM0360/RM0091 chapter 3 (F0), RM0316 chapter 4 (F3): the flash memory interface. */
#define STUB_LOADER_F1_UNIT   2u
#define STUB_LOADER_F1_ERRORS 0x14u /* PGERR (2) | WRPRTERR (4) */
#define UNIT                  STUB_LOADER_F1_UNIT
#define ERRORS                STUB_LOADER_F1_ERRORS
#define FLASH_SR              0x0Cu
#define FLASH_CR              0x10u
#define SR_BSY_BIT            0u
#define CR_PG                 (1u << 0)
#define CR_PROGRAM            CR_PG
/* PG PER MER OPTPG OPTER STRT: the operation bits, cleared so that only PG is selected. */
#define CR_OPERATIONS 0x77u
#elif defined(LOADER_F4)
/* RM0090 chapter 3 (F4), RM0033 chapter 2 (F2), RM0385 chapter 3 (F7). x32 needs VDD >= 2.7 V. */
#define STUB_LOADER_F4_UNIT   4u
#define STUB_LOADER_F4_ERRORS 0xF0u /* WRPERR (4) | PGAERR (5) | PGPERR (6) | PGSERR (7) */
#define UNIT                  STUB_LOADER_F4_UNIT
#define ERRORS                STUB_LOADER_F4_ERRORS
#define FLASH_SR              0x0Cu
#define FLASH_CR              0x10u
#define SR_BSY_BIT            16u
#define CR_PG                 (1u << 0)
#define CR_PSIZE_X32          (2u << 8)
#define CR_PROGRAM            (CR_PSIZE_X32 | CR_PG)
/* PG SER MER SNB PSIZE MER1 STRT. */
#define CR_OPERATIONS         0x183FFu
#elif defined(LOADER_L4)
/* RM0351 chapter 3 (L4), RM0444 chapter 3 (G0), RM0440 chapter 5 (G4). Each 64-bit double word carries ECC: it
 * is programmed once, by two word stores, the second of which starts the operation. */
#define STUB_LOADER_L4_UNIT   8u
/* OPERR (1) | PROGERR (3) | WRPERR (4) | PGAERR (5) | SIZERR (6) | PGSERR (7) | MISSERR (8) | FASTERR (9) */
#define STUB_LOADER_L4_ERRORS 0x3FAu
#define UNIT                  STUB_LOADER_L4_UNIT
#define ERRORS                STUB_LOADER_L4_ERRORS
#define FLASH_SR              0x10u
#define FLASH_CR              0x14u
#define SR_BSY_BIT            16u
#define CR_PG                 (1u << 0)
#define CR_PROGRAM            CR_PG
/* PG PER MER1 PNB BKER MER2 STRT OPTSTRT FSTPG (bits 0-18; BKER is bit 11 on L4, 13 on G0). */
#define CR_OPERATIONS         0x7FFFFu
#elif defined(LOADER_L0)
/* RM0367/RM0376/RM0377 chapter 3 (L0), RM0038 chapter 3 (L1). The unit is a word, but one word takes a whole
 * operation (~3.2 ms), and a half page (16 words on L0, 32 on L1: the ring header's operation size; FPRG|PROG,
 * written back to back) takes the same time: the loader programs half pages wherever a whole one is aligned, inside
 * the range and queued (or still to come: it waits for it), and single words only at the ends of the range or when
 * the host stops with less than a half page queued. PECR needs no bit for a single word; FPRG|PROG set makes the
 * next stores one half page. */
#define STUB_LOADER_L0_UNIT      4u
/* WRPERR (8) | PGAERR (9) | SIZERR (10) | NOTZEROERR (16) | FWWERR (17); bits 16 and 17 are reserved on L1 (0) */
#define STUB_LOADER_L0_ERRORS    0x30700u
#define UNIT                     STUB_LOADER_L0_UNIT
#define ERRORS                   STUB_LOADER_L0_ERRORS
#define FLASH_SR                 0x18u
#define FLASH_CR                 0x04u /* PECR */
#define SR_BSY_BIT               0u
#define PECR_PROG                (1u << 3)
#define PECR_FPRG                (1u << 10)
#define CR_PROGRAM               0u
/* PROG DATA FIX ERASE FPRG: the operation bits; the lock bits (0-2) are left alone (writing 0 there does not
 * unlock, and writing 1 would lock). */
#define CR_OPERATIONS            0x718u
#elif defined(LOADER_H7)
/* RM0433 chapter 4 (H74x/H75x). The unit is a 256-bit flash word with ECC: eight word stores into the bank's write
 * buffer, the eighth of which queues it for programming; QW stays set while a word waits or programs, and the flags
 * are cleared in CCR, not SR. IWDG1's key register is at 0x58004800. */
#define STUB_LOADER_H7_UNIT   32u
/* WRPERR (17) | PGSERR (18) | STRBERR (19) | INCERR (21) | OPERR (22) */
#define STUB_LOADER_H7_ERRORS 0x6E0000u
#define UNIT                  STUB_LOADER_H7_UNIT
#define ERRORS                STUB_LOADER_H7_ERRORS
#define FLASH_SR              0x10u
#define FLASH_CR              0x0Cu
#define FLASH_CLEAR           0x14u /* CCR */
#define SR_BSY_BIT            2u    /* QW */
#define CR_PG                 (1u << 1)
#define CR_PSIZE_X64          (3u << 4)
#define CR_PROGRAM            (CR_PSIZE_X64 | CR_PG)
/* PG SER BER PSIZE FW START SNB (bits 1-10); LOCK (0) is left alone. */
#define CR_OPERATIONS         0x7FEu
#define IWDG_KR_ADDRESS       0x58004800u
#else
#error "define LOADER_F1, LOADER_F4, LOADER_L4, LOADER_L0 or LOADER_H7"
#endif

#ifndef FLASH_CLEAR
#define FLASH_CLEAR FLASH_SR /* write 1 to clear */
#endif
#ifndef IWDG_KR_ADDRESS
#define IWDG_KR_ADDRESS 0x40003000u
#endif
#define IWDG_KR (*(volatile uint32_t *)IWDG_KR_ADDRESS)

struct ring {
    volatile uint32_t wp;
    volatile uint32_t rp;
    uint32_t flash_regs;
    volatile uint32_t last;
    uint32_t operation;
    uint32_t reserved;
};

uint64_t stub_main(struct ring *ring, uint32_t end, uint32_t flash, uint32_t count);

static inline __attribute__((always_inline)) volatile uint32_t *flash_register(uint32_t regs, uint32_t offset)
{
    return (volatile uint32_t *)(regs + offset);
}

/* Returns 1 once the host has queued at least one unit past rp, 0 once the host has asked to stop and every unit
 * it queued is taken. A stop that came with units still queued leaves them to be programmed: the host wrote last
 * before wp = 0, so last is read after it. The waiting loop reads wp alone (three instructions, so that new data
 * is seen soon, with the watchdog's refresh); a stop is taken on the way out of it. */
static inline __attribute__((always_inline)) uint32_t wait_for_data(const struct ring *ring, uint32_t rp)
{
    uint32_t wp;
    while ((wp = ring->wp) == rp)
        IWDG_KR = IWDG_KEY_REFRESH;
    return wp != 0 || ring->last != rp;
}

/* One program unit, as read from the ring; the H7's flash word stays in its slot (its address is what is held), which
 * the loader gives back only once the word is in the controller's buffer. */
#if UNIT == 2
typedef uint16_t unit_data;
#elif UNIT == 4 || UNIT == 32
typedef uint32_t unit_data;
#else
typedef struct {
    uint32_t low, high;
} unit_data;
#endif

/* Where a unit takes several bus writes (L4 double word, H7 flash word), the loader waits for the controller before
 * it writes the next unit, and the flags it reads then are the finished unit's alone. */
#define WAIT_BEFORE_STORE (UNIT >= 8)

static inline __attribute__((always_inline)) unit_data read_unit(uint32_t address)
{
#if UNIT == 8
    return (unit_data){*(const volatile uint32_t *)address, *(const volatile uint32_t *)(address + 4)};
#elif UNIT == 32
    return address;
#else
    return *(const volatile unit_data *)address;
#endif
}

/* Hands one unit to the flash controller, which starts programming it (L4: at the second word, H7: at the
 * eighth). */
static inline __attribute__((always_inline)) void program_unit(uint32_t flash, unit_data data)
{
#if UNIT == 8
    *(volatile uint32_t *)flash = data.low;
    *(volatile uint32_t *)(flash + 4) = data.high;
#elif UNIT == 32
    for (uint32_t offset = 0; offset < UNIT; offset += 4)
        *(volatile uint32_t *)(flash + offset) = *(const volatile uint32_t *)(data + offset);
#else
    *(volatile unit_data *)flash = data;
#endif
}

/* Waits for the controller to finish what it programs and returns SR. BSY shifted into the sign bit: a
 * three-instruction loop, which sees BSY clear sooner than a longer one. */
static inline __attribute__((always_inline)) uint32_t wait_until_idle(volatile uint32_t *sr)
{
    uint32_t flags;
    do {
        flags = *sr;
    } while ((int32_t)(flags << (31u - SR_BSY_BIT)) < 0);
    return flags;
}

#if UNIT == 8
/* Waits for the controller, then hands it the double word at once: the poll and the two stores in assembly, so
 * that nothing the compiler schedules lands between BSY clearing and the store that starts the operation. The
 * branch after the stores ends the straight run there. Returns SR as the poll last read it. */
static inline __attribute__((always_inline)) uint32_t wait_then_program(volatile uint32_t *sr, uint32_t flash,
                                                                        unit_data data)
{
    uint32_t flags, shifted;
    __asm__ volatile(".syntax unified\n"
                     "1: ldr %0, [%2]\n"
                     "   lsls %1, %0, %6\n"
                     "   bmi 1b\n"
                     "   str %4, [%3]\n"
                     "   str %5, [%3, #4]\n"
                     "   b 2f\n"
                     "2:\n"
                     ".syntax divided\n"
                     : "=&l"(flags), "=&l"(shifted)
                     : "l"(sr), "l"(flash), "l"(data.low), "l"(data.high), "i"(31u - SR_BSY_BIT)
                     : "cc", "memory");
    return flags;
}
#elif UNIT == 32
/* The eight stores follow the poll at once: the buffer is empty by then, and the word is queued at the eighth. */
static inline __attribute__((always_inline)) uint32_t wait_then_program(volatile uint32_t *sr, uint32_t flash,
                                                                        unit_data data)
{
    uint32_t flags = wait_until_idle(sr);
    program_unit(flash, data);
    return flags;
}
#endif

#if defined(LOADER_L0)
/* Bytes queued from rp (wp, or last once the host has asked to stop), and whether the host stopped. */
static inline __attribute__((always_inline)) uint32_t queued(const struct ring *ring, uint32_t rp, uint32_t end,
                                                             uint32_t *stopped)
{
    uint32_t wp = ring->wp;
    *stopped = wp == 0;
    if (wp == 0)
        wp = ring->last;
    uint32_t size = end - ((uint32_t)ring + STUB_LOADER_RING_DATA);
    return wp >= rp ? wp - rp : wp + size - rp;
}

uint64_t stub_main(struct ring *ring, uint32_t end, uint32_t flash, uint32_t count)
{
    volatile uint32_t *sr = flash_register(ring->flash_regs, FLASH_SR);
    volatile uint32_t *pecr = flash_register(ring->flash_regs, FLASH_CR);
    uint32_t data = (uint32_t)ring + STUB_LOADER_RING_DATA;
    uint32_t rp = ring->rp;
    uint32_t flash_end = flash + (count - count % UNIT);
    uint32_t started = flash; /* the first address of the operation in progress, for an error's report */
    uint32_t status = 0, mode = CR_PROGRAM;
    /* The host keeps one unit free: a ring smaller than a half page and a unit never holds a half page. */
    uint32_t half_page = ring->operation;
    if (end - data < half_page + UNIT)
        half_page = UNIT;

    *flash_register(ring->flash_regs, FLASH_CLEAR) = ERRORS;
    *pecr &= ~CR_OPERATIONS;
    while (flash != flash_end) {
        /* A whole half page where the range has one from here; otherwise a word. */
        uint32_t want = (flash & (half_page - 1u)) == 0 && flash_end - flash >= half_page ? half_page : UNIT;
        uint32_t stopped, have;
        while ((have = queued(ring, rp, end, &stopped)) < want && !stopped)
            IWDG_KR = IWDG_KEY_REFRESH;
        if (have == 0)
            break; /* stopped with nothing left */
        if (have < want)
            want = UNIT;
        status = wait_until_idle(sr) & ERRORS; /* the operation before */
        if (status != 0)
            break;
        uint32_t next_mode = want != UNIT ? (PECR_FPRG | PECR_PROG) : CR_PROGRAM;
        if (next_mode != mode) {
            *pecr = (*pecr & ~CR_OPERATIONS) | next_mode;
            mode = next_mode;
        }
        started = flash;
        for (uint32_t done = 0; done < want; done += UNIT) {
            *(volatile uint32_t *)(flash + done) = *(const volatile uint32_t *)rp;
            rp += UNIT;
            if (rp == end)
                rp = data;
        }
        ring->rp = rp;
        flash += want;
        IWDG_KR = IWDG_KEY_REFRESH;
    }
    if (status == 0)
        status = wait_until_idle(sr) & ERRORS;
    if (status != 0) {
        ring->rp = 0;
        flash = started;
    } else if (flash != flash_end) {
        status = STUB_LOADER_STOPPED;
    }
    *pecr &= ~CR_OPERATIONS;
    return (uint64_t)flash << 32 | status;
}
#else
uint64_t stub_main(struct ring *ring, uint32_t end, uint32_t flash, uint32_t count)
{
    volatile uint32_t *sr = flash_register(ring->flash_regs, FLASH_SR);
    uint32_t rp = ring->rp;
    uint32_t flash_end = flash + (count - count % UNIT);
    uint32_t status = 0;

    /* Write 1 to clear: a stale flag would refuse (F2/F4, L4) or fail the first unit. */
    *flash_register(ring->flash_regs, FLASH_CLEAR) = ERRORS;
    volatile uint32_t *cr = flash_register(ring->flash_regs, FLASH_CR);
    *cr = (*cr & ~CR_OPERATIONS) | CR_PROGRAM;

    /* One unit is in the controller's hands (programming) while the loader publishes rp, waits for the host's next
     * unit and reads it; then the next unit goes to the controller the moment the flash is free, and only then are
     * the finished unit's flags checked: between two units there is nothing but the store. Where a unit is one bus
     * write (F0-F4), the store itself waits: a write to the flash while it is busy stalls the bus until the unit
     * before is done (the debugger's direct writes rely on the same stall). The double word of L4/G0 takes two
     * writes, the second of which starts the operation, so BSY is polled before them (the H7's flash word, eight
     * writes, likewise: QW). more = 0: no next unit,
     * because the range is done or the host stopped giving units. */
    if (flash != flash_end && wait_for_data(ring, rp) != 0) {
        unit_data current = read_unit(rp);
        program_unit(flash, current);
        for (;;) {
            /* The controller holds the unit now: its slot is free while the flash programs it. */
            rp += UNIT;
            if (rp == end)
                rp = (uint32_t)ring + STUB_LOADER_RING_DATA;
            ring->rp = rp;
            IWDG_KR = IWDG_KEY_REFRESH; /* while the flash programs the unit */
            uint32_t more = 0, flags;
            unit_data next = {0};
            if (flash + UNIT != flash_end && (more = wait_for_data(ring, rp)) != 0)
                next = read_unit(rp);
            if (more != 0) {
#if WAIT_BEFORE_STORE
                flags = wait_then_program(sr, flash + UNIT, next);
#else
                program_unit(flash + UNIT, next); /* waits for the unit at flash, whose flags are then final */
                flags = *sr;
#endif
            } else {
                flags = wait_until_idle(sr);
            }
            status = flags & ERRORS;
            if (status != 0) {
                wait_until_idle(sr); /* the next unit, when one was handed over */
#if !WAIT_BEFORE_STORE
                /* The flags were read after the next unit's write: a unit that holds what it was given did not
                 * fail, so the next one did. */
                if (more != 0 && read_unit(flash) == current)
                    flash += UNIT;
#endif
                break;
            }
            if (more == 0)
                break;
            flash += UNIT;
            current = next;
        }
        if (status != 0)
            ring->rp = 0;
        else
            flash += UNIT;
    }
    if (status == 0 && flash != flash_end)
        status = STUB_LOADER_STOPPED;

    cr = flash_register(ring->flash_regs, FLASH_CR);
    *cr &= ~CR_OPERATIONS;
    return (uint64_t)flash << 32 | status;
}
#endif
