/*
 * sim_flash.h - the simulated flash memory and its controller (FPEC), for three generations: F0/F1/F3, F2/F4/F7
 * and L4/G0/G4, driven by the part table.
 *
 * What silicon refuses, this refuses: a locked controller, a wrong key (which locks until reset), the wrong
 * programming width, programming a unit that is not erased (or an ECC double word twice), write-protected units,
 * debug reads under read protection. Operations take their datasheet time in simulated time: BSY is set that long,
 * and an access to the array while BSY stalls the bus (WAIT on the wire, a stalled CPU).
 */
#ifndef SIM_FLASH_H
#define SIM_FLASH_H

#include <stdbool.h>
#include <stdint.h>

#include "sim_bus.h"
#include "sim_chip.h"
#include "sim_parts.h"

#define SIM_FLASH_BASE 0x08000000u
#define SIM_EEPROM_BASE 0x08080000u /* L0/L1 data EEPROM */

struct sim_flash;

/* An erased flash with factory option bytes (read protection level 0, no write protection). NULL on failure. */
struct sim_flash *sim_flash_create(const struct sim_part *part);
void sim_flash_destroy(struct sim_flash *flash);

/* Maps the array at 0x08000000, the controller registers, the option bytes and the data EEPROM (L0/L1). */
bool sim_flash_map(struct sim_flash *flash, struct sim_bus *bus);
/* The array's bus operations and context, to map it again at the boot alias 0x00000000. */
extern const struct sim_bus_region_ops sim_flash_array_ops;

/* Resets lock the controller, clear its flags, and load the option bytes. */
struct sim_device sim_flash_device(struct sim_flash *flash);

/* Called with the changed range after every program and erase (the chip flushes the CPU's code cache). */
void sim_flash_on_change(struct sim_flash *flash, void (*fn)(void *ctx, uint32_t addr, uint32_t len), void *ctx);
/* OBL_LAUNCH: the chip performs a system reset, which reloads the option bytes. */
void sim_flash_on_reset_request(struct sim_flash *flash, void (*fn)(void *ctx, uint64_t now_ps), void *ctx);

uint8_t *sim_flash_array(struct sim_flash *flash);
uint32_t sim_flash_size(const struct sim_flash *flash);
/* The option byte area as stored (FLASH_OPTION_AREA_SIZE bytes at the part's option_bytes_base), to keep it
 * between runs; the chip must be reset after changing it. */
uint8_t *sim_flash_options(struct sim_flash *flash);
#define SIM_FLASH_OPTION_AREA_SIZE 0x88u
/* The data EEPROM as stored (sim_flash_eeprom_size bytes at SIM_EEPROM_BASE; 0 bytes on parts without one). Reads
 * 0x00 erased; kept by resets and option loads, erased by the RDP 1 -> 0 regression. */
uint8_t *sim_flash_eeprom(struct sim_flash *flash);
uint32_t sim_flash_eeprom_size(const struct sim_flash *flash);
/* Fault injection: the next count stores into the data EEPROM are refused with the error flag a locked EEPROM
 * raises (L0/L1 WRPERR), the word left as it was; a test proves with it that a programmer checks the flags. */
void sim_flash_refuse_eeprom_stores(struct sim_flash *flash, unsigned count);
/* Which datasheet figures the operations take: typical (the default, what the benchmarks compare against) or the
 * maxima, in which every wait of a programmer must still hold. */
enum sim_flash_timing { SIM_FLASH_TIMING_TYPICAL, SIM_FLASH_TIMING_MAXIMUM };
void sim_flash_set_timing(struct sim_flash *flash, enum sim_flash_timing timing);
/* AIRSWD_SIM_TIMING=max in the environment selects the maxima for every simulated chip (sim_stm32_create). */
enum sim_flash_timing sim_flash_timing_from_environment(void);

/* Read protection as loaded at the last reset: 0, 1 or 2. */
unsigned sim_flash_rdp_level(const struct sim_flash *flash);
/* The loaded user option selects the hardware watchdog (WDG_SW / IWDG_SW = 0): the IWDG runs from every reset. */
bool sim_flash_hardware_watchdog(const struct sim_flash *flash);
/* What erased flash reads: 0xFF, 0x00 on L0. */
uint8_t sim_flash_erased_value(const struct sim_flash *flash);
/* Until when the controller is busy. */
uint64_t sim_flash_busy_until_ps(const struct sim_flash *flash);

/* ---- what the ROM bootloader uses (it runs from system memory: master SIM_BUS_MASTER_BOOTLOADER) ---- */
/* Each returns the time at which the operation completes in *done_ps, and false when silicon would refuse it
 * (protection, not erased, out of range). Same rules and timings as the register path. */
bool sim_flash_program(struct sim_flash *flash, uint32_t addr, const uint8_t *data, uint32_t len, uint64_t now_ps,
                       uint64_t *done_ps);
bool sim_flash_erase_unit(struct sim_flash *flash, uint32_t unit, uint64_t now_ps, uint64_t *done_ps);
bool sim_flash_mass_erase(struct sim_flash *flash, uint64_t now_ps, uint64_t *done_ps);
/* Bank 0 or 1 of a dual-bank part, in one mass erase's time; false elsewhere or when write-protected. */
bool sim_flash_erase_bank(struct sim_flash *flash, unsigned bank, uint64_t now_ps, uint64_t *done_ps);
uint32_t sim_flash_unit_count(const struct sim_flash *flash);
/* Address and size of an erase unit (page or sector), numbered across banks; false past the last. */
bool sim_flash_unit_bounds(const struct sim_flash *flash, uint32_t unit, uint32_t *addr, uint32_t *size);
/* Sets read protection 0 or 1 in the option bytes; going from 1 to 0 mass-erases first. Takes effect at reset. */
bool sim_flash_set_rdp(struct sim_flash *flash, unsigned level, uint64_t now_ps, uint64_t *done_ps);
/* Protects (or unprotects) every unit against writing. Takes effect at reset. */
bool sim_flash_set_write_protection(struct sim_flash *flash, bool protect, uint64_t now_ps, uint64_t *done_ps);

#endif /* SIM_FLASH_H */
