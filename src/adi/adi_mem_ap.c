/*
 * adi_mem_ap.c - MEM-AP discovery and single accesses.
 */
#include "adi/adi_mem_ap.h"

const char *adi_ap_type_name(uint32_t idr)
{
    switch (idr & ADI_IDR_TYPE_MASK) {
    case ADI_AP_TYPE_AHB3: return "AHB3";
    case ADI_AP_TYPE_APB: return "APB";
    case ADI_AP_TYPE_AXI: return "AXI";
    case ADI_AP_TYPE_AHB5: return "AHB5";
    default: return "unknown bus";
    }
}

static bool adi_ap_is_ahb(uint32_t idr)
{
    uint32_t type = idr & ADI_IDR_TYPE_MASK;
    return type == ADI_AP_TYPE_AHB3 || type == ADI_AP_TYPE_AHB5;
}

enum status adi_mem_ap_open(struct adi_mem_ap *ap, struct adi_dp *dp, uint8_t apsel)
{
    struct status_report *report = dp->swd->report;
    *ap = (struct adi_mem_ap){.dp = dp, .apsel = apsel};

    enum status status = adi_ap_read(dp, apsel, ADI_AP_IDR, &ap->idr);
    if (status != STATUS_OK)
        return status;
    if (ap->idr == 0)
        return status_fail(report, STATUS_NO_MEM_AP, "AP%u: no access port (IDR reads 0)", apsel);
    if (((ap->idr >> ADI_IDR_CLASS_SHIFT) & ADI_IDR_CLASS_MASK) != ADI_IDR_CLASS_MEM_AP)
        return status_fail(report, STATUS_NO_MEM_AP, "AP%u: IDR 0x%08lX is not a MEM-AP", apsel,
                           (unsigned long)ap->idr);

    uint32_t csw;
    status = adi_ap_read(dp, apsel, ADI_AP_CFG, &ap->cfg);
    if (status == STATUS_OK)
        status = adi_ap_read(dp, apsel, ADI_AP_BASE, &ap->base);
    if (status == STATUS_OK)
        status = adi_ap_read(dp, apsel, ADI_AP_CSW, &csw);
    if (status != STATUS_OK)
        return status;
    /* Cortex-M AHB-APs need privileged data accesses as the debug master; other APs keep what they reset to. */
    ap->csw_base = adi_ap_is_ahb(ap->idr) ? ADI_CSW_AHB_DEBUG_MASTER : (csw & ADI_CSW_PROT_MASK);

    /* A MEM-AP that only does 32-bit accesses reads Size back as 32-bit whatever was written. */
    status = adi_ap_write(dp, apsel, ADI_AP_CSW, ap->csw_base | ADI_CSW_SIZE_8);
    if (status == STATUS_OK)
        status = adi_ap_read(dp, apsel, ADI_AP_CSW, &csw);
    if (status != STATUS_OK)
        return status;
    ap->sub_word = (csw & ADI_CSW_SIZE_MASK) == ADI_CSW_SIZE_8;
    ap->csw = csw;
    ap->csw_valid = true;
    return STATUS_OK;
}

enum status adi_mem_ap_find(struct adi_mem_ap *ap, struct adi_dp *dp)
{
    for (uint8_t apsel = 0; apsel < ADI_MAX_APS; apsel++) {
        enum status status = adi_mem_ap_open(ap, dp, apsel);
        if (status == STATUS_OK && adi_ap_is_ahb(ap->idr))
            return STATUS_OK;
        if (status != STATUS_OK && status != STATUS_NO_MEM_AP)
            return status;
        /* APs are numbered from 0 without gaps: an absent one ends the list. */
        if (ap->idr == 0)
            break;
    }
    return status_fail(dp->swd->report, STATUS_NO_MEM_AP, "no AHB MEM-AP among the first %u access ports",
                       ADI_MAX_APS);
}

enum status adi_mem_read32(struct adi_mem_ap *ap, uint32_t addr, uint32_t *value)
{
    uint8_t bytes[4];
    enum status status = adi_mem_read(ap, addr, bytes, sizeof bytes, 4);
    *value = (uint32_t)bytes[0] | (uint32_t)bytes[1] << 8 | (uint32_t)bytes[2] << 16 | (uint32_t)bytes[3] << 24;
    return status;
}

enum status adi_mem_read16(struct adi_mem_ap *ap, uint32_t addr, uint16_t *value)
{
    uint8_t bytes[2];
    enum status status = adi_mem_read(ap, addr, bytes, sizeof bytes, 2);
    *value = (uint16_t)(bytes[0] | bytes[1] << 8);
    return status;
}

enum status adi_mem_read8(struct adi_mem_ap *ap, uint32_t addr, uint8_t *value)
{
    return adi_mem_read(ap, addr, value, 1, 1);
}

enum status adi_mem_write32(struct adi_mem_ap *ap, uint32_t addr, uint32_t value)
{
    uint8_t bytes[4] = {(uint8_t)value, (uint8_t)(value >> 8), (uint8_t)(value >> 16), (uint8_t)(value >> 24)};
    return adi_mem_write(ap, addr, bytes, sizeof bytes, 4);
}

enum status adi_mem_write16(struct adi_mem_ap *ap, uint32_t addr, uint16_t value)
{
    uint8_t bytes[2] = {(uint8_t)value, (uint8_t)(value >> 8)};
    return adi_mem_write(ap, addr, bytes, sizeof bytes, 2);
}

enum status adi_mem_write8(struct adi_mem_ap *ap, uint32_t addr, uint8_t value)
{
    return adi_mem_write(ap, addr, &value, 1, 1);
}
