/*
 * stm32_options.h - the option bytes of an identified STM32 in one portable model: read protection, the USER bits
 * and write protection, read and written by each controller generation (stm32_options_f1.c, _f4.c, _l4.c through
 * the operations of stm32_flash.h), with the names and unit ranges a user reads.
 *
 * Option bytes are programmed into their own flash area and only take effect when the chip loads them:
 *   F0/F3, L4/G0   FLASH_CR.OBL_LAUNCH, which resets the chip (L0: FLASH_PECR.OBL_LAUNCH);
 *   F1, F2/F4      a system reset (AIRCR.SYSRESETREQ);
 *   H7             OPTCR.OPTSTART applies them at once (a system reset follows all the same).
 * write_options and remove_read_protection do that load themselves, then reset the chip once more with the reset
 * vector caught: they return with the new option bytes in effect and the core halted before its first instruction.
 *
 * Read protection:
 *   level 0  no protection;
 *   level 1  the debugger cannot read flash (a bus error), the firmware still runs. Going back to level 0 makes the
 *            chip erase its whole flash first (and so removes the secrets level 1 protects): that is
 *            remove_read_protection, never write_options;
 *   level 2  permanent: the debug port is disabled for good. airswd refuses to set it, and reports a chip found at
 *            level 2 (it cannot be unlocked by anyone).
 */
#ifndef AIRSWD_STM32_OPTIONS_H
#define AIRSWD_STM32_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "stm32/stm32_target.h"

#define STM32_OPTION_WRP_WORDS 4

struct stm32_option_bytes {
    unsigned rdp_level; /* 0, 1 or 2, as loaded */
    /* The USER bits, raw, where the generation keeps them:
     *   F0/F1   the USER option byte (bits 7:0);
     *   F2/F4/F7 FLASH_OPTCR without OPTLOCK, OPTSTRT, RDP and nWRP (BOR_LEV 3:2, WDG_SW 5, ..., SPRMOD 31; the
     *           line's option_user_mask);
     *   L4/G0   FLASH_OPTR without RDP (bits 31:8);
     *   H7      FLASH_OPTSR_CUR without OPT_BUSY, RDP and OPTCHANGEERR;
     *   L0/L1   FLASH_OBR without RDP: WPRMOD (bit 8, L0), USER (bits 31:16; L1: 23:16). */
    uint32_t user;
    /* F0/F1 only: the two user data bytes, Data0 | Data1 << 8 (free for the firmware); 0 elsewhere. */
    uint32_t user_data;
    /* Write protection, raw, generation-specific (stm32_option_bytes_unit_protected() interprets it):
     *   F0/F1   [0] = FLASH_WRPR: WRP0..WRP3 packed, a clear bit protects 4 KB, bit 31 everything above 124 KB;
     *   F2/F4   [0] = nWRP: a clear bit i protects sector i;
     *   L4/G0   [0..3] = WRP1AR, WRP1BR, WRP2AR, WRP2BR: areas of pages STRT (7:0) to END (23:16) of bank 1 and 2,
     *           none when STRT > END;
     *   H7      [0..1] = WPSN of bank 1 and 2: a clear bit i protects sector i of its bank;
     *   L0/L1   [0] = FLASH_WRPROT1, [1] = FLASH_WRPROT2 (L07x/L08x), L1: [0..3] = FLASH_WRPR1-4: a set bit
     *           protects its 4 KB sector, sectors 0-31 in [0], 32-63 in [1]... (WPRMOD = 0). */
    uint32_t write_protection[STM32_OPTION_WRP_WORDS];
};

/* A named field of the USER bits: its mask within stm32_option_bytes.user. Lists end with a NULL name. */
struct stm32_option_field {
    const char *name;
    uint32_t mask;
};

/* The USER bits of each line, for the part table (reference manual option byte descriptions). */
extern const struct stm32_option_field stm32_user_fields_f0[];
extern const struct stm32_option_field stm32_user_fields_g4[];
extern const struct stm32_option_field stm32_user_fields_f1[];
extern const struct stm32_option_field stm32_user_fields_f4[];
extern const struct stm32_option_field stm32_user_fields_f7[];
extern const struct stm32_option_field stm32_user_fields_f76x[];
extern const struct stm32_option_field stm32_user_fields_l4[];
extern const struct stm32_option_field stm32_user_fields_g0[];
extern const struct stm32_option_field stm32_user_fields_h7[];
extern const struct stm32_option_field stm32_user_fields_l0[];
extern const struct stm32_option_field stm32_user_fields_l1[];

/* The value of a field in user (shifted down). */
uint32_t stm32_option_field_value(const struct stm32_option_field *field, uint32_t user);

/* "WDG_SW=1 nRST_STOP=1 nRST_STDBY=1" for the part's named USER bits; returns out. */
char *stm32_option_bytes_format_user(const struct stm32_target *target, const struct stm32_option_bytes *options,
                                     char *out, size_t out_size);

/* How many words of write_protection the part uses: the family's count per bank, or (L0/L1) one per 32 sectors of
 * its flash. */
unsigned stm32_option_bytes_wrp_words(const struct stm32_target *target);

/* The register name of write_protection[index] on this part ("WRPR", "nWRP", "WRP1AR", ...), or NULL when the part
 * does not use that word. */
const char *stm32_option_bytes_wrp_name(const struct stm32_target *target, unsigned index);

/* Whether the option bytes write-protect erase unit `unit` (numbered as in target->memory). */
bool stm32_option_bytes_unit_protected(const struct stm32_target *target, const struct stm32_option_bytes *options,
                                       uint32_t unit);

/* The next run of write-protected units at or after *unit: true with [*first, *last], and *unit moved past it;
 * false when there is none. */
bool stm32_option_bytes_next_protected_run(const struct stm32_target *target, const struct stm32_option_bytes *options,
                                           uint32_t *unit, uint32_t *first, uint32_t *last);

/* Replaces the write protection of options with one that covers units first..last (count 0: no protection).
 * The hardware protects in groups (F0/F1: 4 KB; L4/G0: one area per bank), so more units than asked may be
 * covered: read the result back with stm32_option_bytes_next_protected_run(). STATUS_INVALID_ARGUMENT for units
 * past the flash. Changes nothing on the chip: write_options does. */
enum status stm32_option_bytes_protect_units(const struct stm32_target *target, struct stm32_option_bytes *options,
                                             uint32_t first, uint32_t count);

/* ---- for the generations (stm32_options_*.c) ---- */

/* Fails unless options asks for a level write_options may program now (current_level is the chip's): never level
 * 2, never 1 -> 0 (remove_read_protection erases first), nothing at all on a chip at level 2. */
enum status stm32_options_check_request(struct stm32_target *target, unsigned current_level,
                                        const struct stm32_option_bytes *options);

/* A generation's way to read its option bytes, and to program them (leaves_level1: RDP goes from 1 to 0, which
 * the chip pays for with a mass erase). */
typedef enum status (*stm32_options_read_fn)(struct stm32_target *target, struct stm32_option_bytes *options);
typedef enum status (*stm32_options_program_fn)(struct stm32_target *target, const struct stm32_option_bytes *options,
                                                bool leaves_level1);

/* Ends a programming (status: how it went) by loading the option bytes with launch at the control register; if
 * anything failed, writes lock there (after a load the reset has locked the controller already). */
enum status stm32_options_launch(struct stm32_target *target, enum status status, uint32_t control, uint32_t launch,
                                 uint32_t lock);

/* write_options for every generation: reads the chip's level, refuses what stm32_options_check_request() refuses,
 * then programs. */
enum status stm32_options_write_checked(struct stm32_target *target, const struct stm32_option_bytes *options,
                                        stm32_options_read_fn read, stm32_options_program_fn program);

/* load_options where a system reset loads them (F2/F4), or where they are in effect already and the reset only
 * leaves the core halted at its reset vector (H7). */
enum status stm32_options_load_by_reset(struct stm32_target *target);

/* remove_read_protection for every generation: nothing at level 0, refused at level 2, else the option bytes as
 * they are with RDP level 0. */
enum status stm32_options_remove_protection(struct stm32_target *target, stm32_options_read_fn read,
                                            stm32_options_program_fn program);

/* On a part whose boot checks for an empty flash only when option bytes load (stm32_part.boot_checks_empty_flash),
 * loads them, so that the next reset runs what was just programmed into a blank chip; the core is left halted at
 * its reset vector. Nothing on other parts. */
enum status stm32_options_refresh_boot_check(struct stm32_target *target);

/* Makes the chip load its option bytes and leaves the core halted at its reset vector. launch_register != 0:
 * writes launch_value there (OBL_LAUNCH) and waits for the reset it causes; 0: a system reset. */
enum status stm32_options_load(struct stm32_target *target, uint32_t launch_register, uint32_t launch_value);

/* The generations' implementations, for the operations tables of stm32_flash_*.c. */
enum status stm32_options_f1_read(struct stm32_target *target, struct stm32_option_bytes *options);
enum status stm32_options_f1_write(struct stm32_target *target, const struct stm32_option_bytes *options);
enum status stm32_options_f1_remove_read_protection(struct stm32_target *target);
enum status stm32_options_f1_load(struct stm32_target *target);
bool stm32_options_f1_unit_protected(const struct stm32_target *target, const struct stm32_option_bytes *options,
                                     uint32_t unit);
void stm32_options_f1_protect_units(const struct stm32_target *target, struct stm32_option_bytes *options,
                                    uint32_t first, uint32_t count);

enum status stm32_options_f4_read(struct stm32_target *target, struct stm32_option_bytes *options);
enum status stm32_options_f4_write(struct stm32_target *target, const struct stm32_option_bytes *options);
enum status stm32_options_f4_remove_read_protection(struct stm32_target *target);
bool stm32_options_f4_unit_protected(const struct stm32_target *target, const struct stm32_option_bytes *options,
                                     uint32_t unit);
void stm32_options_f4_protect_units(const struct stm32_target *target, struct stm32_option_bytes *options,
                                    uint32_t first, uint32_t count);

enum status stm32_options_l4_read(struct stm32_target *target, struct stm32_option_bytes *options);
enum status stm32_options_l4_write(struct stm32_target *target, const struct stm32_option_bytes *options);
enum status stm32_options_l4_remove_read_protection(struct stm32_target *target);
enum status stm32_options_l4_load(struct stm32_target *target);
bool stm32_options_l4_unit_protected(const struct stm32_target *target, const struct stm32_option_bytes *options,
                                     uint32_t unit);
void stm32_options_l4_protect_units(const struct stm32_target *target, struct stm32_option_bytes *options,
                                    uint32_t first, uint32_t count);

enum status stm32_options_h7_read(struct stm32_target *target, struct stm32_option_bytes *options);
enum status stm32_options_h7_write(struct stm32_target *target, const struct stm32_option_bytes *options);
enum status stm32_options_h7_remove_read_protection(struct stm32_target *target);
bool stm32_options_h7_unit_protected(const struct stm32_target *target, const struct stm32_option_bytes *options,
                                     uint32_t unit);
void stm32_options_h7_protect_units(const struct stm32_target *target, struct stm32_option_bytes *options,
                                    uint32_t first, uint32_t count);

enum status stm32_options_l0_read(struct stm32_target *target, struct stm32_option_bytes *options);
enum status stm32_options_l0_write(struct stm32_target *target, const struct stm32_option_bytes *options);
enum status stm32_options_l0_remove_read_protection(struct stm32_target *target);
enum status stm32_options_l0_load(struct stm32_target *target);
bool stm32_options_l0_unit_protected(const struct stm32_target *target, const struct stm32_option_bytes *options,
                                     uint32_t unit);
void stm32_options_l0_protect_units(const struct stm32_target *target, struct stm32_option_bytes *options,
                                    uint32_t first, uint32_t count);

#endif /* AIRSWD_STM32_OPTIONS_H */
