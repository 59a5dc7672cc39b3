/*
 * stm32_target.c - identification of the STM32 behind a MEM-AP.
 */
#include "stm32/stm32_target.h"

#define CPUID_ADDRESS 0xE000ED00u
#define CPUID_PARTNO(cpuid) (((cpuid) >> 4) & 0xFFFu)
#define PARTNO_CORTEX_M0 0xC20u
#define PARTNO_CORTEX_M0PLUS 0xC60u
#define PARTNO_CORTEX_M3 0xC23u
#define PARTNO_CORTEX_M4 0xC24u
#define PARTNO_CORTEX_M7 0xC27u
#define DEV_ID_MASK 0xFFFu

const char *stm32_core_name(uint32_t cpuid)
{
    switch (CPUID_PARTNO(cpuid)) {
    case PARTNO_CORTEX_M0: return "Cortex-M0";
    case PARTNO_CORTEX_M0PLUS: return "Cortex-M0+";
    case PARTNO_CORTEX_M3: return "Cortex-M3";
    case PARTNO_CORTEX_M4: return "Cortex-M4";
    case PARTNO_CORTEX_M7: return "Cortex-M7";
    default: return "Cortex-M?";
    }
}

uint16_t stm32_dev_id(const struct stm32_target *target)
{
    return (uint16_t)(target->idcode & DEV_ID_MASK);
}

uint16_t stm32_rev_id(const struct stm32_target *target)
{
    return (uint16_t)(target->idcode >> 16);
}

enum status stm32_yield(struct stm32_target *target, const char *doing)
{
    if (target->system->yield(target->system->ctx))
        return status_fail(target->report, STATUS_CANCELLED, "%s", doing);
    return STATUS_OK;
}

/* An IDCODE register that is absent reads as an error or as 0; a known DEV_ID is the only proof. */
static enum status read_idcode(struct stm32_target *target, uint32_t address, const struct stm32_part **part)
{
    uint32_t idcode = 0;
    enum status status = adi_mem_read32(target->ap, address, &idcode);
    if (status == STATUS_OK) {
        target->idcode = idcode;
        *part = stm32_part_find((uint16_t)(idcode & DEV_ID_MASK));
    }
    return status;
}

/* DBGMCU_IDCODE is on the APB (Cortex-M0/M0+), the PPB (M3/M4) or the D3 domain's APB (H7's M7): the core's own
 * place is read first. */
#define IDCODE_PLACES 3
static enum status find_part(struct stm32_target *target)
{
    uint32_t partno = CPUID_PARTNO(target->cpuid);
    bool armv6m = partno == PARTNO_CORTEX_M0 || partno == PARTNO_CORTEX_M0PLUS;
    const uint32_t addresses[IDCODE_PLACES] = {
        armv6m ? STM32_DBGMCU_IDCODE_APB : partno == PARTNO_CORTEX_M7 ? STM32_DBGMCU_IDCODE_D3 : STM32_DBGMCU_IDCODE_PPB,
        armv6m ? STM32_DBGMCU_IDCODE_PPB : STM32_DBGMCU_IDCODE_APB,
        partno == PARTNO_CORTEX_M7 ? STM32_DBGMCU_IDCODE_PPB : STM32_DBGMCU_IDCODE_D3};
    const struct stm32_part *part = NULL;
    uint32_t first_idcode = 0;
    for (unsigned i = 0; i < IDCODE_PLACES && part == NULL; i++) {
        enum status status = read_idcode(target, addresses[i], &part);
        if (status != STATUS_OK && !adi_status_is_retryable(status) && status != STATUS_BUS_ERROR)
            return status;
        if (status == STATUS_BUS_ERROR)
            adi_dp_recover(target->ap->dp, status);
        if (i == 0)
            first_idcode = target->idcode;
    }
    if (part == NULL)
        return status_fail(target->report, STATUS_UNSUPPORTED,
                           "unknown STM32 (%s, DBGMCU_IDCODE 0x%08lX at 0x%08lX, 0x%08lX at 0x%08lX): not in the part "
                           "table",
                           stm32_core_name(target->cpuid), (unsigned long)first_idcode, (unsigned long)addresses[0],
                           (unsigned long)target->idcode, (unsigned long)addresses[IDCODE_PLACES - 1]);
    target->part = part;
    return STATUS_OK;
}

enum status stm32_identify(struct stm32_target *target, struct adi_mem_ap *ap, const struct hal_system *system,
                           struct status_report *report)
{
    *target = (struct stm32_target){.ap = ap, .system = system, .report = report};
    enum status status = adi_mem_read32(ap, CPUID_ADDRESS, &target->cpuid);
    if (status != STATUS_OK)
        return status;
    status = find_part(target);
    if (status != STATUS_OK)
        return status;
    uint16_t size_kb = 0;
    status = adi_mem_read16(ap, target->part->line->flash_size_register, &size_kb);
    if (status != STATUS_OK)
        return status;
    if (target->part->line->flash_size_bits != 0)
        size_kb &= (uint16_t)((1u << target->part->line->flash_size_bits) - 1u);
    target->flash_size = (uint32_t)size_kb * 1024u;
    if (size_kb == 0 || size_kb == 0xFFFF || !stm32_part_describe(target->part, target->flash_size, &target->memory))
        return status_fail(report, STATUS_UNSUPPORTED, "%s: flash size register 0x%08lX reads %u KB, a size the part "
                           "table lacks", target->part->name, (unsigned long)target->part->line->flash_size_register,
                           (unsigned)size_kb);
    return STATUS_OK;
}
