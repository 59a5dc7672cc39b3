/*
 * stm32_target.h - an STM32 at the end of the wire, identified: its line (the part table's row), its flash size and
 * memory description, as read from the chip itself (DBGMCU_IDCODE, the flash size register, CPUID).
 */
#ifndef AIRSWD_STM32_TARGET_H
#define AIRSWD_STM32_TARGET_H

#include <stdbool.h>
#include <stdint.h>

#include "adi/adi_mem_ap.h"
#include "hal.h"
#include "image/image_target.h"
#include "status.h"
#include "stm32/stm32_part.h"

struct stm32_target {
    struct adi_mem_ap *ap;
    const struct hal_system *system;
    struct status_report *report;
    const struct stm32_part *part;
    uint32_t cpuid;
    uint32_t idcode; /* DBGMCU_IDCODE: REV_ID[31:16], DEV_ID[11:0] */
    uint32_t flash_size;
    struct image_target memory;
};

/* Reads CPUID, DBGMCU_IDCODE (at the address the core type suggests first, then the other) and the flash size
 * register, and finds the part. STATUS_UNSUPPORTED names an unknown DEV_ID; the other failures are the wire's. */
enum status stm32_identify(struct stm32_target *target, struct adi_mem_ap *ap, const struct hal_system *system,
                           struct status_report *report);

uint16_t stm32_dev_id(const struct stm32_target *target);
uint16_t stm32_rev_id(const struct stm32_target *target);
/* "Cortex-M0", "Cortex-M0+", "Cortex-M3", "Cortex-M4", "Cortex-M7" or "Cortex-M?" from CPUID. */
const char *stm32_core_name(uint32_t cpuid);

/* Lets the rest of the system run; STATUS_CANCELLED (with what was going on) when the operation is to stop. */
enum status stm32_yield(struct stm32_target *target, const char *doing);

#endif /* AIRSWD_STM32_TARGET_H */
