/*
 * adi_mem_ap.h - a MEM-AP: the target's memory as the debugger sees it.
 *
 * Discovery reads the AP's identity and what its CSW supports; accesses of 8, 16 and 32 bits travel on their byte
 * lanes; block transfers stream through DRW with auto-increment, rewriting TAR at every 1 KB boundary, with AP
 * reads pipelined (each read returns the previous one's result) and one RDBUFF read closing the block.
 *
 * Block transfers survive wire errors: a read whose data failed parity is fetched again through RESEND; any other
 * failure is recovered (adi_dp_recover) and the transfer resumes at the first unit not known to be done. A write
 * the target may have discarded is repeated, so a unit can be written twice: harmless for RAM; flash drivers check
 * their error flags and verify.
 */
#ifndef AIRSWD_ADI_MEM_AP_H
#define AIRSWD_ADI_MEM_AP_H

#include <stddef.h>
#include <stdint.h>

#include "adi/adi_dp.h"

/* APs probed by adi_mem_ap_find(); STM32 parts put their AHB-AP at 0 (H7: also 1-3). */
#define ADI_MAX_APS 8

struct adi_mem_ap {
    struct adi_dp *dp;
    uint8_t apsel;
    uint32_t idr;
    uint32_t cfg;
    uint32_t base;           /* ROM table pointer */
    uint32_t csw_base;       /* protection and master bits sent with every CSW value */
    bool sub_word;           /* 8- and 16-bit accesses supported */
    uint32_t csw;            /* cached CSW, valid when csw_valid */
    bool csw_valid;
    uint32_t tar;            /* where TAR points now, valid when tar_valid */
    bool tar_valid;
};

/* Reads IDR, CFG, BASE and CSW of AP apsel and probes sub-word support. STATUS_NO_MEM_AP when the AP is absent or
 * is not a MEM-AP. */
enum status adi_mem_ap_open(struct adi_mem_ap *ap, struct adi_dp *dp, uint8_t apsel);

/* Opens the first AHB MEM-AP among APs 0..ADI_MAX_APS-1. */
enum status adi_mem_ap_find(struct adi_mem_ap *ap, struct adi_dp *dp);

/* Human-readable AP type from an IDR ("AHB3", "APB", ...). */
const char *adi_ap_type_name(uint32_t idr);

/* Block transfers of len bytes in units of width bytes (1, 2 or 4); addr and len must be multiples of width.
 * data is little-endian target memory, any alignment. */
enum status adi_mem_read(struct adi_mem_ap *ap, uint32_t addr, uint8_t *data, size_t len, unsigned width);
enum status adi_mem_write(struct adi_mem_ap *ap, uint32_t addr, const uint8_t *data, size_t len, unsigned width);

/* Single accesses. */
enum status adi_mem_read32(struct adi_mem_ap *ap, uint32_t addr, uint32_t *value);
enum status adi_mem_read16(struct adi_mem_ap *ap, uint32_t addr, uint16_t *value);
enum status adi_mem_read8(struct adi_mem_ap *ap, uint32_t addr, uint8_t *value);
enum status adi_mem_write32(struct adi_mem_ap *ap, uint32_t addr, uint32_t value);
enum status adi_mem_write16(struct adi_mem_ap *ap, uint32_t addr, uint16_t value);
enum status adi_mem_write8(struct adi_mem_ap *ap, uint32_t addr, uint8_t value);

#endif /* AIRSWD_ADI_MEM_AP_H */
