/*
 * sim_flash_internal.h - the state shared by the flash model's files: the array, its timing and the bus plumbing
 * (sim_flash.c), the bootloader's service path (sim_flash_service.c) and one register model per controller
 * generation (sim_flash_f1.c, sim_flash_f4.c, sim_flash_l4.c, sim_flash_l0.c).
 *
 * Invariants: the array and the option area change only through flash_store/flash_erase/flash_store_options,
 * which also tell the chip; `busy_until_ps` is the end of the operation in progress (or in the past), and nothing
 * starts before it; the loaded option state (rdp_level, unit_protected) changes only at reset, as silicon loads
 * option bytes at reset.
 */
#ifndef SIM_FLASH_INTERNAL_H
#define SIM_FLASH_INTERNAL_H

#include "sim_flash.h"

#define FLASH_KEY1 0x45670123u
#define FLASH_KEY2 0xCDEF89ABu
#define FLASH_OPTKEY1_F4_L4 0x08192A3Bu
#define FLASH_OPTKEY2_F4_L4 0x4C5D6E7Fu
#define FLASH_MAX_UNITS 2048u
#define FLASH_OPTION_AREA_SIZE SIM_FLASH_OPTION_AREA_SIZE
#define FLASH_REGISTER_BLOCK_SIZE 0x400u
#define PS_PER_NS 1000ull
#define PS_PER_US 1000000ull

/* Progress of a two-key unlock sequence. A wrong key locks the sequence out until the next reset. */
enum flash_key_state { FLASH_KEYS_NONE, FLASH_KEYS_FIRST, FLASH_KEYS_LOCKED_OUT };

struct sim_flash;

struct flash_generation {
    void (*reset)(struct sim_flash *flash);
    uint32_t (*read_register)(struct sim_flash *flash, uint32_t offset, uint64_t now_ps);
    /* A register write, at a moment the controller is not busy. */
    enum sim_bus_status (*write_register)(struct sim_flash *flash, uint32_t offset, uint32_t value, uint64_t now_ps);
    /* A store into the array at a moment the controller is not busy (with buffers_writes: at any moment; a store
     * that must wait for the controller moves access->done_ps on, which stalls the bus). */
    enum sim_bus_status (*write_array)(struct sim_flash *flash, struct sim_bus_access *access);
    /* A store into the option byte area (F0/F1 OPTPG); NULL: the area is read-only on the bus. */
    enum sim_bus_status (*write_options)(struct sim_flash *flash, const struct sim_bus_access *access);
    /* A store into the data EEPROM (L0/L1), at a moment the controller is not busy; NULL: none. */
    enum sim_bus_status (*write_eeprom)(struct sim_flash *flash, const struct sim_bus_access *access);
    /* The operation that set BSY ended. */
    void (*operation_done)(struct sim_flash *flash);
    /* Writes the option area as the factory leaves it: read protection level 0, no write protection. */
    void (*factory_options)(struct sim_flash *flash);
    /* Loads the option area into the effective state (rdp_level, unit_protected) and the option registers; called
     * after reset() when the reset loads option bytes. */
    void (*load_options)(struct sim_flash *flash);
    /* Writes the option area for an RDP level or a write protection change (bootloader service). */
    void (*store_rdp)(struct sim_flash *flash, unsigned level);
    void (*store_write_protection)(struct sim_flash *flash, bool protect);
    /* Whether programming may clear bits of a unit that is not erased (F2/F4: it ANDs; others refuse). */
    bool programs_over_data;
    /* Whether read protection with a debugger connected refuses every program and erase (F2/F4, L4/G0: RM0090
     * §3.7.3, RM0351 §3.5.1, RM0444 §3.5.1); F0/F1 refuse program and page erase and keep mass erase (PM0075 §2.4.1),
     * in their own file. */
    bool debug_lock_refuses_all;
    /* Whether a system reset loads the option bytes (F1: RM0008 §2.5; L4/G0 load them only at power-on and
     * OBL_LAUNCH: RM0351 §3.4.2, RM0444 §3.4.2). */
    bool loads_options_at_system_reset;
    /* Whether stores into the array go to a write buffer that fills while the previous unit programs (H7: only the
     * store that completes a flash word waits for the controller; RM0433 §4.3.9). */
    bool buffers_writes;
    /* What erased flash reads: 0xFF, 0x00 on L0. */
    uint8_t erased_value;
};

extern const struct flash_generation flash_generation_f1;
extern const struct flash_generation flash_generation_f4;
extern const struct flash_generation flash_generation_l4;
extern const struct flash_generation flash_generation_h7;
extern const struct flash_generation flash_generation_l0;

struct sim_flash {
    const struct sim_part *part;
    const struct flash_generation *generation;
    uint8_t *array;
    uint32_t size;
    uint8_t *eeprom; /* L0/L1 data EEPROM, eeprom_size bytes (0: none) */
    uint32_t eeprom_size;
    unsigned eeprom_stores_refused; /* sim_flash_refuse_eeprom_stores: stores still to refuse */
    uint32_t units;                           /* erase units over all banks */
    uint8_t options[FLASH_OPTION_AREA_SIZE]; /* the option byte area as stored */
    uint64_t busy_until_ps;
    enum sim_flash_timing timing;
    bool operation_pending; /* an operation started; its end is still to be reported */

    /* Controller registers (the generation decides their meaning) */
    uint32_t cr, sr, ar, acr, optcr, wrp_areas[4];
    enum flash_key_state key_state, option_key_state;
    /* F1 XL density: bank 2's CR2, SR2, AR2 and its key sequence, and whether the operation under way is bank 2's
     * (its end sets EOP in SR2) */
    uint32_t cr2, sr2, ar2;
    enum flash_key_state key_state2;
    bool operation_in_bank2;
    bool options_write_enabled;
    /* L4/G0: the first word of a double word, waiting for the second */
    bool half_written;
    uint32_t half_offset, half_value;
    /* H7: the write buffer (the flash word being filled, which of its bytes are, and the bank), the option values
     * waiting for OPTSTART, OPTCHANGEERR, and whether the operation under way is an option change */
    uint32_t word_offset, word_filled;
    uint8_t word[32];
    uint32_t optsr_prg, wpsn_prg[2], option_errors;
    bool option_busy;
    uint32_t half_page[32]; /* L0/L1: the words of the half page being written (16 on L0, 32 on L1) */

    /* Loaded at reset (L4/G0: the option registers as loaded, which a system reset restores) */
    uint32_t loaded_optcr, loaded_wrp_areas[4];
    unsigned rdp_level;
    /* A debugger has accessed the chip since power-on: with read protection, the flash is cut off from program and
     * erase (flash_debug_locked). Only a power-on clears it, as on silicon. */
    bool debugger_connected;
    bool hardware_watchdog; /* the user option WDG_SW / IWDG_SW cleared: the IWDG starts at every reset */
    bool unit_protected[FLASH_MAX_UNITS];

    void (*change_fn)(void *ctx, uint32_t addr, uint32_t len);
    void *change_ctx;
    void (*reset_request_fn)(void *ctx, uint64_t now_ps);
    void *reset_request_ctx;
};

/* Geometry: the erase unit holding an array offset (false outside the array), and a unit's bounds and erase time.
 * Units are numbered across banks: bank 2's first unit follows bank 1's last. */
bool flash_unit_of(const struct sim_flash *flash, uint32_t offset, uint32_t *unit);
bool flash_unit_bounds(const struct sim_flash *flash, uint32_t unit, uint32_t *start, uint32_t *size,
                       uint64_t *erase_ps);
uint64_t flash_program_ps(const struct sim_flash *flash);
uint64_t flash_mass_erase_ps(const struct sim_flash *flash);

/* Operations start at now_ps (the caller made sure the controller is free) and keep it busy for their time. */
void flash_begin(struct sim_flash *flash, uint64_t now_ps, uint64_t duration_ps);
bool flash_busy(const struct sim_flash *flash, uint64_t now_ps);
/* Reports the end of the operation under way once now_ps has passed it. */
void flash_settle(struct sim_flash *flash, uint64_t now_ps);
/* Programming can only move bits away from the erased value: stores old AND new (erased 0xFF) or old OR new (erased
 * 0x00, L0), and tells the chip. */
void flash_store(struct sim_flash *flash, uint32_t offset, const uint8_t *bytes, uint32_t len);
void flash_erase(struct sim_flash *flash, uint32_t offset, uint32_t len);
void flash_erase_all(struct sim_flash *flash);
/* The data EEPROM back to 0x00 (the RDP 1 -> 0 regression; L0/L1). */
void flash_erase_eeprom(struct sim_flash *flash);
bool flash_is_erased(const struct sim_flash *flash, uint32_t offset, uint32_t len);
bool flash_range_protected(const struct sim_flash *flash, uint32_t offset, uint32_t len);
/* Read protection is active and a debugger has been connected since power-on: program and erase are refused. */
bool flash_debug_locked(const struct sim_flash *flash);
void flash_request_reset(struct sim_flash *flash, uint64_t now_ps);

/* A write to a key register: advances the two-key sequence; *unlocked when the pair completes. A wrong key is a
 * bus error and locks the sequence out until reset (RM0008 §3.3.1, RM0090 §3.5.1, RM0351 §3.3.5). */
enum sim_bus_status flash_write_key(enum flash_key_state *state, uint32_t value, uint32_t key1, uint32_t key2,
                                    bool *unlocked);

/* Option area: little-endian values with their complement, as the families store them. */
uint32_t flash_load_le(const uint8_t *bytes, unsigned len);
void flash_store_le(uint8_t *bytes, uint32_t value, unsigned len);
/* A byte and its complement in the byte above it (F0/F1 option halfwords). */
void flash_option_halfword_store(struct sim_flash *flash, uint32_t offset, uint8_t value);
bool flash_option_halfword_valid(const struct sim_flash *flash, uint32_t offset);
/* A 32-bit word and its complement in the next 32 bits (F4 and L4/G0 option double words). */
void flash_option_word_store(struct sim_flash *flash, uint32_t offset, uint32_t value);
/* Protects every unit in [first, last]. */
void flash_protect_units(struct sim_flash *flash, uint32_t first, uint32_t last);

#endif /* SIM_FLASH_INTERNAL_H */
