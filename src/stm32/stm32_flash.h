/*
 * stm32_flash.h - the flash of an identified STM32: one operations table per controller generation (the family
 * descriptor of stm32_family.h points at it), and what they share (waiting for BSY, decoding error flags into words).
 *
 * Programming streams the data straight into flash through the MEM-AP, one program unit per bus write, with PG set:
 * the flash controller stalls the bus while it programs (WAIT on the wire), so the wire carries each unit once and
 * the flash, not the host, sets the pace wherever the wire is faster than tPROG. (A RAM loader cannot beat that: the
 * same bytes cross the same wire; docs/flash.md has the measurements.) After each block the status register is read,
 * so an error is reported with the block's address.
 */
#ifndef AIRSWD_STM32_FLASH_H
#define AIRSWD_STM32_FLASH_H

#include <stdint.h>

#include "stm32/stm32_target.h"

/* Bytes streamed between two status checks (and yields). */
#define STM32_FLASH_BLOCK 1024u

struct stm32_flash_status_register;
struct stm32_option_bytes; /* stm32_options.h */

struct stm32_flash_ops {
    /* The generation's status register (for decoding the error flags a loader returns). */
    const struct stm32_flash_status_register *status_register;
    enum status (*unlock)(struct stm32_target *target);
    enum status (*lock)(struct stm32_target *target);
    /* Erases erase unit index (its range as the memory description has it) and waits for the end. */
    enum status (*erase_unit)(struct stm32_target *target, uint32_t index, struct image_range unit);
    enum status (*mass_erase)(struct stm32_target *target);
    /* Erases bank 0 or 1 of a dual-bank part; NULL where banks are not erased apart. */
    enum status (*erase_bank)(struct stm32_target *target, unsigned bank);
    /* Programs len bytes (whole program units, aligned) at address, erased beforehand. */
    enum status (*program)(struct stm32_target *target, uint32_t address, const uint8_t *bytes, uint32_t len);
    /* Writes len bytes of the data EEPROM from address (any alignment), leaving alone the words that already hold
     * them (the EEPROM wears); *written: how many of the bytes lay in words that were written. Waits for the end and
     * checks the error flags whatever the job's verify. NULL where the family has no data EEPROM. */
    enum status (*write_eeprom)(struct stm32_target *target, uint32_t address, const uint8_t *bytes, uint32_t len,
                                uint32_t *written);
    /* Read protection level as loaded (0, 1 or 2). */
    enum status (*read_protection)(struct stm32_target *target, unsigned *level);

    /* Option bytes (stm32_options.h has the model and when they take effect). */
    /* Reads them as loaded; works under read protection (option registers stay readable). */
    enum status (*read_options)(struct stm32_target *target, struct stm32_option_bytes *options);
    /* Programs them and makes the chip load them (a reset: the core is left halted at its reset vector). Refuses
     * RDP level 2, and level 1 -> 0 (that is remove_read_protection). */
    enum status (*write_options)(struct stm32_target *target, const struct stm32_option_bytes *options);
    /* RDP level 1 -> 0: the chip mass-erases its flash; then the option bytes are loaded (a reset, core halted).
     * Does nothing at level 0; refuses level 2 (permanent). The other option bytes are kept. */
    enum status (*remove_read_protection)(struct stm32_target *target);
    /* Loads the option bytes as they are (OBL_LAUNCH; a system reset where that is how they load), which also
     * refreshes the boot's flash-empty check; returns with the core halted at its reset vector. */
    enum status (*load_options)(struct stm32_target *target);
    /* The generation's write protection words, unit by unit (stm32_option_bytes_unit_protected() and
     * stm32_option_bytes_protect_units() call these). */
    bool (*unit_write_protected)(const struct stm32_target *target, const struct stm32_option_bytes *options,
                                 uint32_t unit);
    void (*protect_units)(const struct stm32_target *target, struct stm32_option_bytes *options, uint32_t first,
                          uint32_t count);
};

/* The operations of the target's family. */
static inline const struct stm32_flash_ops *stm32_flash_ops(const struct stm32_target *target)
{
    return stm32_part_family(target->part)->ops;
}

extern const struct stm32_flash_ops stm32_flash_f1_ops;
extern const struct stm32_flash_ops stm32_flash_f4_ops;
extern const struct stm32_flash_ops stm32_flash_l4_ops;
extern const struct stm32_flash_ops stm32_flash_h7_ops;
extern const struct stm32_flash_ops stm32_flash_l0_ops;

/* ---- shared by the generations ---- */

/* A generation's status register: where it is, its BSY bit, and its error flags with their meaning. */
struct stm32_flash_error_flag {
    uint32_t mask;
    const char *name; /* "PGERR: a halfword that was not erased" */
    enum status status;
};

struct stm32_flash_status_register {
    uint32_t offset; /* from the controller base */
    uint32_t busy;
    uint32_t clear;  /* the flags that writing 1 clears */
    const struct stm32_flash_error_flag *errors; /* ends with a zero mask */
    uint32_t control; /* CR's offset */
    uint32_t clear_offset; /* where the flags are cleared (H7: CCR); 0: in SR itself */
};

/* Waits until BSY clears (polling, with pauses sized to expected_us, and yields), for at most 4 x expected_us +
 * 100 ms. Then checks the error flags: the first one set fails with its status and "doing: NAME". *value (may be
 * NULL) receives the last SR read. */
enum status stm32_flash_wait(struct stm32_target *target, const struct stm32_flash_status_register *sr,
                             uint32_t expected_us, const char *doing, uint32_t *value);

/* Fails with the first error flag set in value ("doing: NAME"), or returns STATUS_OK. */
enum status stm32_flash_check_errors(struct stm32_target *target, const struct stm32_flash_status_register *sr,
                                     uint32_t value, const char *doing);

/* Writes the two unlock keys to a key register, unless locked_mask bits of the register at control are already
 * clear. A controller that stays locked fails with a hint (a wrong key locks it until reset). */
enum status stm32_flash_unlock_with_keys(struct stm32_target *target, uint32_t key_register, uint32_t control,
                                         uint32_t locked_mask, uint32_t key1, uint32_t key2);

/* Streams len bytes in blocks of STM32_FLASH_BLOCK with bus writes of width bytes, waiting for the controller and
 * checking its flags after each block. */
enum status stm32_flash_stream(struct stm32_target *target, const struct stm32_flash_status_register *sr,
                               uint32_t address, const uint8_t *bytes, uint32_t len, unsigned width);

uint32_t stm32_flash_register(const struct stm32_target *target, uint32_t offset);

/* read_protection for the generations that keep an RDP byte in a controller register (F2/F4/F7 OPTCR, L4/G0/G4 OPTR,
 * L0 OBR, H7 OPTSR_CUR): the byte at bit shift of the register at offset, 0xAA level 0, 0xCC level 2, any other
 * value level 1. */
enum status stm32_flash_read_rdp_byte(struct stm32_target *target, uint32_t offset, unsigned shift, unsigned *level);

/* Clears the error flags (writes sr->clear where the generation clears them). */
enum status stm32_flash_clear_flags(struct stm32_target *target, const struct stm32_flash_status_register *sr);

/* Parts whose line has a second bank with its own register set (stm32_line.bank2_base): 2 where the flash reaches
 * it, else 1; the bank holding an address; a register of a bank (bank 2's sit line->bank2_registers past bank 1's). */
unsigned stm32_flash_bank_count(const struct stm32_target *target);
unsigned stm32_flash_bank_of(const struct stm32_target *target, uint32_t address);
/* Where the register set that programs address stops serving: bank 2's start for an address in bank 1 of such a
 * part, else the end of the address space. */
uint64_t stm32_flash_bank_end(const struct stm32_target *target, uint32_t address);
uint32_t stm32_flash_bank_register(const struct stm32_target *target, unsigned bank, uint32_t offset);

/* Unlocks (the flash keys at key_offset, locked while lock_bit of control_offset is set) or locks (writes lock_bit
 * to control_offset) the register set of every bank. */
enum status stm32_flash_unlock_banks(struct stm32_target *target, uint32_t key_offset, uint32_t control_offset,
                                     uint32_t lock_bit);
enum status stm32_flash_lock_banks(struct stm32_target *target, uint32_t control_offset, uint32_t lock_bit);

/* Programs through the register set of each bank the range covers (status_registers[bank]), splitting a run that
 * crosses into bank 2, with stm32_flash_program_with(). */
enum status stm32_flash_program_banks(struct stm32_target *target, const struct stm32_flash_status_register *sr,
                                      uint32_t program_mode, uint32_t address, const uint8_t *bytes, uint32_t len,
                                      unsigned width);

/* One controller operation: clears the flags, writes setup then start to CR, waits for the end (expected_us),
 * and clears CR again whatever happened. */
enum status stm32_flash_operation(struct stm32_target *target, const struct stm32_flash_status_register *sr,
                                  uint32_t setup, uint32_t start, uint32_t expected_us, const char *doing);

/* Programming: clears the flags, sets CR to program_mode, streams, and clears CR again. */
enum status stm32_flash_program_with(struct stm32_target *target, const struct stm32_flash_status_register *sr,
                                     uint32_t program_mode, uint32_t address, const uint8_t *bytes, uint32_t len,
                                     unsigned width);

/* L0: PEKEYR's two keys, which clear PECR.PELOCK (the option code unlocks with them too). */
enum status stm32_flash_l0_unlock_pecr(struct stm32_target *target);

#define STM32_FLASH_KEY1 0x45670123u
#define STM32_FLASH_KEY2 0xCDEF89ABu

#endif /* AIRSWD_STM32_FLASH_H */
