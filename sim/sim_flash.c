/*
 * sim_flash.c - the flash array, its timing and its place on the bus; the register semantics live in one file per
 * controller generation.
 *
 * Bus timing: while an operation runs (BSY), an access to the array or the controller's CR waits for its end, which
 * the access port sees as a stalled bus (WAIT on the wire) and the CPU as stalled cycles. The access then happens at
 * that later moment, so a debugger that streams halfwords with PG set programs one unit per tPROG, as on silicon.
 */
#include "sim_flash_internal.h"

#include <stdlib.h>
#include <string.h>

static const struct flash_generation *generation_of(enum sim_family family)
{
    switch (family) {
    case SIM_FAMILY_F0:
    case SIM_FAMILY_F1:
    case SIM_FAMILY_F3:
        return &flash_generation_f1;
    case SIM_FAMILY_F4:
    case SIM_FAMILY_F7:
        return &flash_generation_f4;
    case SIM_FAMILY_L4:
    case SIM_FAMILY_G0:
    case SIM_FAMILY_G4:
        return &flash_generation_l4;
    case SIM_FAMILY_H7:
        return &flash_generation_h7;
    case SIM_FAMILY_L0:
    case SIM_FAMILY_L1:
        return &flash_generation_l0;
    }
    return NULL;
}

struct sim_flash *sim_flash_create(const struct sim_part *part)
{
    struct sim_flash *flash = calloc(1, sizeof *flash);
    if (flash == NULL)
        return NULL;
    flash->part = part;
    flash->generation = generation_of(part->family);
    flash->size = part->flash_size;
    flash->units = sim_part_erase_units(part) * (part->dual_bank ? 2u : 1u);
    flash->array = malloc(flash->size);
    flash->eeprom_size = part->eeprom_size;
    flash->eeprom = calloc(flash->eeprom_size > 0 ? flash->eeprom_size : 1u, 1); /* erased: 0x00 */
    if (flash->generation == NULL || flash->array == NULL || flash->eeprom == NULL || flash->units > FLASH_MAX_UNITS) {
        sim_flash_destroy(flash);
        return NULL;
    }
    memset(flash->array, flash->generation->erased_value, flash->size);
    flash->generation->factory_options(flash);
    flash->generation->reset(flash);
    flash->generation->load_options(flash);
    return flash;
}

void sim_flash_destroy(struct sim_flash *flash)
{
    if (flash == NULL)
        return;
    free(flash->array);
    free(flash->eeprom);
    free(flash);
}

/* ---- geometry ---- */

static uint32_t bank_size(const struct sim_flash *flash)
{
    return flash->part->dual_bank ? flash->size / 2 : flash->size;
}

static uint64_t scaled_erase_ps(const struct sim_flash *flash, uint32_t typical_us)
{
    uint64_t ps = (uint64_t)typical_us * PS_PER_US;
    return flash->timing == SIM_FLASH_TIMING_MAXIMUM ? ps * flash->part->erase_max_percent / 100u : ps;
}

bool flash_unit_bounds(const struct sim_flash *flash, uint32_t unit, uint32_t *start, uint32_t *size,
                       uint64_t *erase_ps)
{
    uint32_t per_bank = sim_part_erase_units(flash->part);
    if (unit >= flash->units)
        return false;
    uint32_t offset = (unit / per_bank) * bank_size(flash);
    uint32_t index = unit % per_bank;
    for (unsigned run = 0; run < SIM_PART_MAX_ERASE_RUNS; run++) {
        const struct sim_erase_run *r = &flash->part->erase_runs[run];
        if (index < r->count) {
            *start = offset + index * r->size;
            *size = r->size;
            *erase_ps = scaled_erase_ps(flash, r->erase_us);
            return true;
        }
        index -= r->count;
        offset += r->count * r->size;
    }
    return false;
}

bool flash_unit_of(const struct sim_flash *flash, uint32_t offset, uint32_t *unit)
{
    for (uint32_t u = 0; u < flash->units; u++) {
        uint32_t start, size;
        uint64_t erase_ps;
        flash_unit_bounds(flash, u, &start, &size, &erase_ps);
        if (offset >= start && offset - start < size) {
            *unit = u;
            return true;
        }
    }
    return false;
}

uint64_t flash_program_ps(const struct sim_flash *flash)
{
    uint32_t ns = flash->timing == SIM_FLASH_TIMING_MAXIMUM ? flash->part->program_ns_max : flash->part->program_ns;
    return (uint64_t)ns * PS_PER_NS;
}

uint64_t flash_mass_erase_ps(const struct sim_flash *flash)
{
    if (flash->part->mass_erase_us == 0) { /* no mass erase bit: every page in turn */
        uint32_t start, size;
        uint64_t erase_ps = 0;
        flash_unit_bounds(flash, 0, &start, &size, &erase_ps);
        return erase_ps * flash->units;
    }
    return scaled_erase_ps(flash, flash->part->mass_erase_us);
}

void sim_flash_set_timing(struct sim_flash *flash, enum sim_flash_timing timing)
{
    flash->timing = timing;
}

enum sim_flash_timing sim_flash_timing_from_environment(void)
{
    const char *value = getenv("AIRSWD_SIM_TIMING");
    return value != NULL && strcmp(value, "max") == 0 ? SIM_FLASH_TIMING_MAXIMUM : SIM_FLASH_TIMING_TYPICAL;
}

/* ---- operations ---- */

void flash_begin(struct sim_flash *flash, uint64_t now_ps, uint64_t duration_ps)
{
    flash->busy_until_ps = now_ps + duration_ps;
    flash->operation_pending = true;
}

bool flash_busy(const struct sim_flash *flash, uint64_t now_ps)
{
    return now_ps < flash->busy_until_ps;
}

/* Reports the end of the operation once time has passed it. */
static void settle(struct sim_flash *flash, uint64_t now_ps)
{
    if (flash->operation_pending && !flash_busy(flash, now_ps)) {
        flash->operation_pending = false;
        flash->generation->operation_done(flash);
    }
}

static void notify_change(struct sim_flash *flash, uint32_t offset, uint32_t len)
{
    if (flash->change_fn != NULL)
        flash->change_fn(flash->change_ctx, SIM_FLASH_BASE + offset, len);
}

void flash_store(struct sim_flash *flash, uint32_t offset, const uint8_t *bytes, uint32_t len)
{
    bool erased_ones = flash->generation->erased_value != 0;
    for (uint32_t i = 0; i < len; i++) {
        if (erased_ones)
            flash->array[offset + i] &= bytes[i];
        else
            flash->array[offset + i] |= bytes[i];
    }
    notify_change(flash, offset, len);
}

void flash_erase(struct sim_flash *flash, uint32_t offset, uint32_t len)
{
    memset(flash->array + offset, flash->generation->erased_value, len);
    notify_change(flash, offset, len);
}

void flash_erase_eeprom(struct sim_flash *flash)
{
    memset(flash->eeprom, 0, flash->eeprom_size);
}

void flash_erase_all(struct sim_flash *flash)
{
    flash_erase(flash, 0, flash->size);
}

bool flash_is_erased(const struct sim_flash *flash, uint32_t offset, uint32_t len)
{
    for (uint32_t i = 0; i < len; i++) {
        if (flash->array[offset + i] != flash->generation->erased_value)
            return false;
    }
    return true;
}

bool flash_range_protected(const struct sim_flash *flash, uint32_t offset, uint32_t len)
{
    uint32_t first, last;
    if (!flash_unit_of(flash, offset, &first) || !flash_unit_of(flash, offset + len - 1, &last))
        return true;
    for (uint32_t unit = first; unit <= last; unit++) {
        if (flash->unit_protected[unit])
            return true;
    }
    return false;
}

bool flash_debug_locked(const struct sim_flash *flash)
{
    return flash->rdp_level > 0 && flash->debugger_connected;
}

void flash_protect_units(struct sim_flash *flash, uint32_t first, uint32_t last)
{
    for (uint32_t unit = first; unit <= last && unit < flash->units; unit++)
        flash->unit_protected[unit] = true;
}

void flash_request_reset(struct sim_flash *flash, uint64_t now_ps)
{
    if (flash->reset_request_fn != NULL)
        flash->reset_request_fn(flash->reset_request_ctx, now_ps);
}

enum sim_bus_status flash_write_key(enum flash_key_state *state, uint32_t value, uint32_t key1, uint32_t key2,
                                    bool *unlocked)
{
    *unlocked = false;
    if (*state == FLASH_KEYS_NONE && value == key1) {
        *state = FLASH_KEYS_FIRST;
        return SIM_BUS_OK;
    }
    if (*state == FLASH_KEYS_FIRST && value == key2) {
        *state = FLASH_KEYS_NONE;
        *unlocked = true;
        return SIM_BUS_OK;
    }
    *state = FLASH_KEYS_LOCKED_OUT;
    return SIM_BUS_ERROR;
}

uint32_t flash_load_le(const uint8_t *bytes, unsigned len)
{
    uint32_t value = 0;
    for (unsigned i = 0; i < len; i++)
        value |= (uint32_t)bytes[i] << (8 * i);
    return value;
}

void flash_store_le(uint8_t *bytes, uint32_t value, unsigned len)
{
    for (unsigned i = 0; i < len; i++)
        bytes[i] = (uint8_t)(value >> (8 * i));
}

void flash_option_halfword_store(struct sim_flash *flash, uint32_t offset, uint8_t value)
{
    flash->options[offset] = value;
    flash->options[offset + 1] = (uint8_t)~value;
}

bool flash_option_halfword_valid(const struct sim_flash *flash, uint32_t offset)
{
    uint8_t complement = (uint8_t)(flash->options[offset] ^ 0xFFu);
    return complement == flash->options[offset + 1];
}

void flash_option_word_store(struct sim_flash *flash, uint32_t offset, uint32_t value)
{
    flash_store_le(flash->options + offset, value, 4);
    flash_store_le(flash->options + offset + 4, ~value, 4);
}

/* ---- the bus ---- */

/* An access that arrives while the controller is busy happens when it is free again. */
static uint64_t wait_until_free(struct sim_flash *flash, struct sim_bus_access *access)
{
    if (access->master == SIM_BUS_MASTER_DEBUG)
        flash->debugger_connected = true;
    if (flash_busy(flash, access->now_ps))
        access->done_ps = flash->busy_until_ps;
    return access->done_ps;
}

/* Read protection: the array and the data EEPROM are cut off from the debugger (RM0008 §2.3.3; RM0090 §3.7.3;
 * RM0351 §3.5.1; RM0367 §3.4.1). */
static enum sim_bus_status read_memory(struct sim_flash *flash, struct sim_bus_access *access, const uint8_t *memory)
{
    settle(flash, wait_until_free(flash, access));
    if (flash->rdp_level > 0 && access->master == SIM_BUS_MASTER_DEBUG)
        return SIM_BUS_ERROR;
    access->value = flash_load_le(memory + access->offset, access->size);
    return SIM_BUS_OK;
}

static enum sim_bus_status array_read(void *ctx, struct sim_bus_access *access)
{
    struct sim_flash *flash = ctx;
    return read_memory(flash, access, flash->array);
}

static enum sim_bus_status array_write(void *ctx, struct sim_bus_access *access)
{
    struct sim_flash *flash = ctx;
    struct sim_bus_access at_free = *access;
    if (flash->generation->buffers_writes) {
        if (access->master == SIM_BUS_MASTER_DEBUG)
            flash->debugger_connected = true;
    } else {
        at_free.now_ps = wait_until_free(flash, access);
    }
    at_free.done_ps = at_free.now_ps;
    settle(flash, at_free.now_ps);
    if (flash->generation->debug_lock_refuses_all && flash_debug_locked(flash))
        return SIM_BUS_ERROR; /* no access to the array at all */
    enum sim_bus_status status = flash->generation->write_array(flash, &at_free);
    if (at_free.done_ps > access->done_ps)
        access->done_ps = at_free.done_ps;
    return status;
}

void flash_settle(struct sim_flash *flash, uint64_t now_ps)
{
    settle(flash, now_ps);
}

const struct sim_bus_region_ops sim_flash_array_ops = {.read = array_read, .write = array_write};

static enum sim_bus_status register_read(void *ctx, struct sim_bus_access *access)
{
    struct sim_flash *flash = ctx;
    if (access->master == SIM_BUS_MASTER_DEBUG)
        flash->debugger_connected = true;
    settle(flash, access->now_ps);
    uint32_t word = flash->generation->read_register(flash, access->offset & ~3u, access->now_ps);
    access->value = sim_bus_register_slice(word, access->offset); /* the bus masks it to the access size */
    return SIM_BUS_OK;
}

/* Registers take word writes; a narrower write changes its bytes of the register (the rest read back). */
static enum sim_bus_status register_write(void *ctx, struct sim_bus_access *access)
{
    struct sim_flash *flash = ctx;
    uint64_t at = wait_until_free(flash, access);
    settle(flash, at);
    uint32_t offset = access->offset & ~3u;
    uint32_t value = access->value;
    if (access->size < 4)
        value = sim_bus_register_merge(flash->generation->read_register(flash, offset, at), access->offset,
                                       access->size, value);
    return flash->generation->write_register(flash, offset, value, at);
}

static const struct sim_bus_region_ops register_ops = {.read = register_read, .write = register_write};

static enum sim_bus_status options_read(void *ctx, struct sim_bus_access *access)
{
    struct sim_flash *flash = ctx;
    settle(flash, wait_until_free(flash, access));
    access->value = flash_load_le(flash->options + access->offset, access->size);
    return SIM_BUS_OK;
}

/* A store the generation handles once the controller is free (NULL: a bus error). */
static enum sim_bus_status write_when_free(struct sim_flash *flash, struct sim_bus_access *access,
                                           enum sim_bus_status (*write)(struct sim_flash *flash,
                                                                        const struct sim_bus_access *access))
{
    if (write == NULL)
        return SIM_BUS_ERROR;
    struct sim_bus_access at_free = *access;
    at_free.now_ps = wait_until_free(flash, access);
    settle(flash, at_free.now_ps);
    return write(flash, &at_free);
}

static enum sim_bus_status options_write(void *ctx, struct sim_bus_access *access)
{
    struct sim_flash *flash = ctx;
    return write_when_free(flash, access, flash->generation->write_options);
}

static const struct sim_bus_region_ops options_ops = {.read = options_read, .write = options_write};

static enum sim_bus_status eeprom_read(void *ctx, struct sim_bus_access *access)
{
    struct sim_flash *flash = ctx;
    return read_memory(flash, access, flash->eeprom);
}

static enum sim_bus_status eeprom_write(void *ctx, struct sim_bus_access *access)
{
    struct sim_flash *flash = ctx;
    return write_when_free(flash, access, flash->generation->write_eeprom);
}

static const struct sim_bus_region_ops eeprom_ops = {.read = eeprom_read, .write = eeprom_write};

/* The F7's ITCM alias reads the array and refuses stores (the controller programs through 0x08000000 only). */
static enum sim_bus_status itcm_alias_write(void *ctx, struct sim_bus_access *access)
{
    (void)ctx;
    (void)access;
    return SIM_BUS_ERROR;
}

static const struct sim_bus_region_ops itcm_alias_ops = {.read = array_read, .write = itcm_alias_write};

bool sim_flash_map(struct sim_flash *flash, struct sim_bus *bus)
{
    struct sim_bus_region *array = sim_bus_map(bus, SIM_FLASH_BASE, flash->size, &sim_flash_array_ops, flash, "flash");
    if (array == NULL)
        return false;
    if (flash->part->flash_itcm_alias != 0 &&
        sim_bus_map(bus, flash->part->flash_itcm_alias, flash->size, &itcm_alias_ops, flash, "flash (ITCM)") == NULL)
        return false;
    array->direct = flash->array; /* the CPU fetches straight from it; stores still go through the controller */
    if (sim_bus_map(bus, flash->part->flash_controller_base, FLASH_REGISTER_BLOCK_SIZE, &register_ops, flash,
                    "flash controller") == NULL)
        return false;
    if (flash->eeprom_size != 0 &&
        sim_bus_map(bus, SIM_EEPROM_BASE, flash->eeprom_size, &eeprom_ops, flash, "data EEPROM") == NULL)
        return false;
    uint32_t options_size = flash->part->option_bytes_size != 0 ? flash->part->option_bytes_size : 0x40u;
    return flash->part->option_bytes_base == 0 ||
           sim_bus_map(bus, flash->part->option_bytes_base, options_size, &options_ops, flash, "option bytes") != NULL;
}

/* ---- the chip ---- */

static void device_reset(void *ctx, enum sim_reset_kind kind, uint64_t now_ps)
{
    struct sim_flash *flash = ctx;
    /* A reset aborts the operation in progress; what it had written stays written. */
    if (flash_busy(flash, now_ps))
        flash->busy_until_ps = now_ps;
    flash->operation_pending = false;
    flash->generation->reset(flash);
    if (kind == SIM_RESET_POWER_ON)
        flash->debugger_connected = false;
    if (kind != SIM_RESET_SYSTEM || flash->generation->loads_options_at_system_reset)
        flash->generation->load_options(flash);
}

static const struct sim_device_ops device_ops = {.reset = device_reset};

struct sim_device sim_flash_device(struct sim_flash *flash)
{
    return (struct sim_device){.ops = &device_ops, .ctx = flash, .name = "flash"};
}

void sim_flash_on_change(struct sim_flash *flash, void (*fn)(void *ctx, uint32_t addr, uint32_t len), void *ctx)
{
    flash->change_fn = fn;
    flash->change_ctx = ctx;
}

void sim_flash_on_reset_request(struct sim_flash *flash, void (*fn)(void *ctx, uint64_t now_ps), void *ctx)
{
    flash->reset_request_fn = fn;
    flash->reset_request_ctx = ctx;
}

uint8_t *sim_flash_array(struct sim_flash *flash)
{
    return flash->array;
}

uint32_t sim_flash_size(const struct sim_flash *flash)
{
    return flash->size;
}

unsigned sim_flash_rdp_level(const struct sim_flash *flash)
{
    return flash->rdp_level;
}

bool sim_flash_hardware_watchdog(const struct sim_flash *flash)
{
    return flash->hardware_watchdog;
}

uint8_t sim_flash_erased_value(const struct sim_flash *flash)
{
    return flash->generation->erased_value;
}

uint64_t sim_flash_busy_until_ps(const struct sim_flash *flash)
{
    return flash->busy_until_ps;
}

uint32_t sim_flash_unit_count(const struct sim_flash *flash)
{
    return flash->units;
}

bool sim_flash_unit_bounds(const struct sim_flash *flash, uint32_t unit, uint32_t *addr, uint32_t *size)
{
    uint64_t erase_ps;
    if (!flash_unit_bounds(flash, unit, addr, size, &erase_ps))
        return false;
    *addr += SIM_FLASH_BASE;
    return true;
}

uint8_t *sim_flash_options(struct sim_flash *flash)
{
    return flash->options;
}

uint8_t *sim_flash_eeprom(struct sim_flash *flash)
{
    return flash->eeprom;
}

uint32_t sim_flash_eeprom_size(const struct sim_flash *flash)
{
    return flash->eeprom_size;
}

void sim_flash_refuse_eeprom_stores(struct sim_flash *flash, unsigned count)
{
    flash->eeprom_stores_refused = count;
}
