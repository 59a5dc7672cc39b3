/*
 * sim_dbgmcu.c - the simulated DBGMCU: a read-only identity word followed by debug-domain storage.
 */
#include "sim_dbgmcu.h"

#include <stdlib.h>
#include <string.h>

#include "sim_rcc.h"

#define DBGMCU_IDCODE_OFFSET 0x00u
#define DBGMCU_CR_OFFSET     0x04u
#define DBGMCU_MAX_WORDS     23u /* H7: IDCODE to APB4FZ1 at 0x54 (RM0433 §60.5.8) */
#define DBGMCU_FZ1_OFFSET    0x08u
#define DBG_IWDG_STOP_F1     (1u << 8)  /* in CR (RM0008 §31.16.3) */
#define DBG_IWDG_STOP        (1u << 12) /* in the first APB freeze register elsewhere */
/* The DBGMCU's clock enable: RCC_APB2ENR.DBGMCUEN on F0 (RM0360 §7.4.7), RCC_APBENR1.DBGEN on G0 (RM0444 §5.4.15) */
#define RCC_APB2ENR_F0       0x18u
#define RCC_DBGMCUEN_F0      (1u << 22)
#define RCC_APBENR1_G0       0x3Cu
#define RCC_DBGEN_G0         (1u << 27)
#define RCC_APB2ENR_L0       0x34u /* RM0367 §7.3.16: DBGMCUEN, bit 22 as on F0 */

struct sim_dbgmcu {
    uint32_t base;
    uint32_t idcode;
    unsigned words;                     /* registers mapped, IDCODE included */
    uint32_t storage[DBGMCU_MAX_WORDS]; /* CR onwards, by word; storage[0] is unused */
    enum sim_family family;
    uint32_t iwdg_freeze_offset, iwdg_freeze_bit; /* the part's, where it names them */
    const struct sim_rcc *rcc;          /* NULL: the clock is always on */
};

/* F0, G0 and L0 gate the DBGMCU's clock in the RCC: without it writes to CR and the freeze registers are ignored
 * (IDCODE stays readable, which is how debuggers identify the part before they touch anything). */
static bool dbgmcu_clock_on(const struct sim_dbgmcu *dbgmcu)
{
    if (dbgmcu->rcc == NULL)
        return true;
    if (dbgmcu->family == SIM_FAMILY_F0)
        return (sim_rcc_register(dbgmcu->rcc, RCC_APB2ENR_F0) & RCC_DBGMCUEN_F0) != 0;
    if (dbgmcu->family == SIM_FAMILY_G0)
        return (sim_rcc_register(dbgmcu->rcc, RCC_APBENR1_G0) & RCC_DBGEN_G0) != 0;
    if (dbgmcu->family == SIM_FAMILY_L0)
        return (sim_rcc_register(dbgmcu->rcc, RCC_APB2ENR_L0) & RCC_DBGMCUEN_F0) != 0;
    return true;
}

/* IDCODE and CR everywhere; two freeze registers on F0, F4 and G0; three on L4. */
static unsigned dbgmcu_words(enum sim_family family)
{
    switch (family) {
    case SIM_FAMILY_F1: return 2;
    case SIM_FAMILY_L4:
    case SIM_FAMILY_G4: return 5; /* RM0440 §46.6: APB1FZR1, APB1FZR2, APB2FZR as on L4 */
    case SIM_FAMILY_H7: return 23; /* RM0433 §60.5.8: up to APB4FZ1 at 0x54 */
    default: return 4;
    }
}

static enum sim_bus_status dbgmcu_bus_read(void *ctx, struct sim_bus_access *access)
{
    const struct sim_dbgmcu *dbgmcu = ctx;
    unsigned word = access->offset / 4;
    uint32_t value = word == DBGMCU_IDCODE_OFFSET / 4 ? dbgmcu->idcode : dbgmcu->storage[word];
    access->value = sim_bus_register_slice(value, access->offset);
    return SIM_BUS_OK;
}

/* Writes to IDCODE are ignored, as silicon ignores writes to read-only registers. */
static enum sim_bus_status dbgmcu_bus_write(void *ctx, struct sim_bus_access *access)
{
    struct sim_dbgmcu *dbgmcu = ctx;
    unsigned word = access->offset / 4;
    if (word != DBGMCU_IDCODE_OFFSET / 4 && dbgmcu_clock_on(dbgmcu))
        dbgmcu->storage[word] =
            sim_bus_register_merge(dbgmcu->storage[word], access->offset, access->size, access->value);
    return SIM_BUS_OK;
}

static const struct sim_bus_region_ops dbgmcu_region_ops = {.read = dbgmcu_bus_read, .write = dbgmcu_bus_write};

struct sim_dbgmcu *sim_dbgmcu_create(const struct sim_part *part)
{
    struct sim_dbgmcu *dbgmcu = calloc(1, sizeof(*dbgmcu));
    if (dbgmcu == NULL)
        return NULL;
    dbgmcu->base = part->dbgmcu_base;
    dbgmcu->idcode = part->dbgmcu_idcode;
    dbgmcu->words = dbgmcu_words(part->family);
    dbgmcu->family = part->family;
    dbgmcu->iwdg_freeze_offset = part->dbgmcu_iwdg_freeze_offset;
    dbgmcu->iwdg_freeze_bit = part->dbgmcu_iwdg_freeze_bit;
    return dbgmcu;
}

void sim_dbgmcu_gate_clock(struct sim_dbgmcu *dbgmcu, const struct sim_rcc *rcc)
{
    dbgmcu->rcc = rcc;
}

bool sim_dbgmcu_freezes_iwdg(const struct sim_dbgmcu *dbgmcu)
{
    if (dbgmcu->iwdg_freeze_bit != 0)
        return (dbgmcu->storage[dbgmcu->iwdg_freeze_offset / 4] & dbgmcu->iwdg_freeze_bit) != 0;
    if (dbgmcu->family == SIM_FAMILY_F1)
        return (dbgmcu->storage[DBGMCU_CR_OFFSET / 4] & DBG_IWDG_STOP_F1) != 0;
    return (dbgmcu->storage[DBGMCU_FZ1_OFFSET / 4] & DBG_IWDG_STOP) != 0;
}

void sim_dbgmcu_destroy(struct sim_dbgmcu *dbgmcu)
{
    free(dbgmcu);
}

bool sim_dbgmcu_map_at(struct sim_dbgmcu *dbgmcu, struct sim_bus *bus, uint32_t base)
{
    return sim_bus_map(bus, base, dbgmcu->words * 4u, &dbgmcu_region_ops, dbgmcu, "DBGMCU") != NULL;
}

bool sim_dbgmcu_map(struct sim_dbgmcu *dbgmcu, struct sim_bus *bus)
{
    return sim_dbgmcu_map_at(dbgmcu, bus, dbgmcu->base);
}

void sim_dbgmcu_set_idcode(struct sim_dbgmcu *dbgmcu, uint32_t idcode)
{
    dbgmcu->idcode = idcode;
}

uint32_t sim_dbgmcu_cr(const struct sim_dbgmcu *dbgmcu)
{
    return dbgmcu->storage[DBGMCU_CR_OFFSET / 4];
}

static void dbgmcu_device_reset(void *ctx, enum sim_reset_kind kind, uint64_t now_ps)
{
    struct sim_dbgmcu *dbgmcu = ctx;
    (void)now_ps;
    if (kind == SIM_RESET_POWER_ON)
        memset(dbgmcu->storage, 0, sizeof dbgmcu->storage);
}

static const struct sim_device_ops dbgmcu_device_ops = {.reset = dbgmcu_device_reset};

struct sim_device sim_dbgmcu_device(struct sim_dbgmcu *dbgmcu)
{
    return (struct sim_device){.ops = &dbgmcu_device_ops, .ctx = dbgmcu, .name = "DBGMCU"};
}
