/*
 * adi_regs.h - ARM Debug Interface v5 register map: debug port (DP) and memory access port (MEM-AP).
 * ARM IHI 0031 (ADIv5.2) chapters B2 (DP) and C2 (MEM-AP).
 */
#ifndef AIRSWD_ADI_REGS_H
#define AIRSWD_ADI_REGS_H

/* DP registers as (DPBANKSEL << 4) | A[3:2]; only address 0x4 is banked. DPv1 has bank 0 and bank 1 (CTRLSEL). */
#define ADI_DP_REG(bank, addr) ((uint8_t)(((bank) << 4) | (addr)))
#define ADI_DP_REG_ADDR(reg) ((uint8_t)((reg) & 0xCu))
#define ADI_DP_REG_BANK(reg) ((uint32_t)((reg) >> 4))

#define ADI_DP_DPIDR ADI_DP_REG(0, 0x0)     /* read */
#define ADI_DP_ABORT ADI_DP_REG(0, 0x0)     /* write */
#define ADI_DP_CTRL_STAT ADI_DP_REG(0, 0x4)
#define ADI_DP_DLCR ADI_DP_REG(1, 0x4)
#define ADI_DP_TARGETID ADI_DP_REG(2, 0x4)  /* DPv2 */
#define ADI_DP_DLPIDR ADI_DP_REG(3, 0x4)    /* DPv2 */
#define ADI_DP_RESEND ADI_DP_REG(0, 0x8)    /* read */
#define ADI_DP_SELECT ADI_DP_REG(0, 0x8)    /* write */
#define ADI_DP_RDBUFF ADI_DP_REG(0, 0xC)    /* read */

/* DPIDR (B2.2.5) */
#define ADI_DPIDR_DESIGNER_SHIFT 1
#define ADI_DPIDR_DESIGNER_MASK 0x7FFu
#define ADI_DPIDR_VERSION_SHIFT 12
#define ADI_DPIDR_VERSION_MASK 0xFu
#define ADI_DPIDR_MIN (1u << 16)
#define ADI_DPIDR_PARTNO_SHIFT 20
#define ADI_DPIDR_PARTNO_MASK 0xFFu
#define ADI_DPIDR_REVISION_SHIFT 28

/* ABORT (B2.2.1) */
#define ADI_ABORT_DAPABORT (1u << 0)
#define ADI_ABORT_STKCMPCLR (1u << 1)
#define ADI_ABORT_STKERRCLR (1u << 2)
#define ADI_ABORT_WDERRCLR (1u << 3)
#define ADI_ABORT_ORUNERRCLR (1u << 4)
#define ADI_ABORT_ALL_STICKY (ADI_ABORT_STKCMPCLR | ADI_ABORT_STKERRCLR | ADI_ABORT_WDERRCLR | ADI_ABORT_ORUNERRCLR)

/* CTRL/STAT (B2.2.3) */
#define ADI_CTRL_STAT_ORUNDETECT (1u << 0)
#define ADI_CTRL_STAT_STICKYORUN (1u << 1)
#define ADI_CTRL_STAT_STICKYCMP (1u << 4)
#define ADI_CTRL_STAT_STICKYERR (1u << 5)
#define ADI_CTRL_STAT_READOK (1u << 6)
#define ADI_CTRL_STAT_WDATAERR (1u << 7)
#define ADI_CTRL_STAT_CDBGRSTREQ (1u << 26)
#define ADI_CTRL_STAT_CDBGRSTACK (1u << 27)
#define ADI_CTRL_STAT_CDBGPWRUPREQ (1u << 28)
#define ADI_CTRL_STAT_CDBGPWRUPACK (1u << 29)
#define ADI_CTRL_STAT_CSYSPWRUPREQ (1u << 30)
#define ADI_CTRL_STAT_CSYSPWRUPACK (1u << 31)
#define ADI_CTRL_STAT_STICKY_FLAGS                                                                                 \
    (ADI_CTRL_STAT_STICKYORUN | ADI_CTRL_STAT_STICKYCMP | ADI_CTRL_STAT_STICKYERR | ADI_CTRL_STAT_WDATAERR)
#define ADI_CTRL_STAT_POWERUP_REQ (ADI_CTRL_STAT_CDBGPWRUPREQ | ADI_CTRL_STAT_CSYSPWRUPREQ)
#define ADI_CTRL_STAT_POWERUP_ACK (ADI_CTRL_STAT_CDBGPWRUPACK | ADI_CTRL_STAT_CSYSPWRUPACK)

/* SELECT (B2.2.9) */
#define ADI_SELECT_APSEL_SHIFT 24
#define ADI_SELECT_APBANKSEL_SHIFT 4
#define ADI_SELECT_DPBANKSEL_MASK 0xFu

/* MEM-AP registers (C2.6), as 8-bit offsets: APBANKSEL = offset[7:4], A[3:2] = offset[3:2]. */
#define ADI_AP_CSW 0x00u
#define ADI_AP_TAR 0x04u
#define ADI_AP_DRW 0x0Cu
#define ADI_AP_BD0 0x10u
#define ADI_AP_CFG 0xF4u
#define ADI_AP_BASE 0xF8u
#define ADI_AP_IDR 0xFCu

/* CSW */
#define ADI_CSW_SIZE_8 0x0u
#define ADI_CSW_SIZE_16 0x1u
#define ADI_CSW_SIZE_32 0x2u
#define ADI_CSW_SIZE_MASK 0x7u
#define ADI_CSW_ADDRINC_SINGLE (1u << 4)
#define ADI_CSW_ADDRINC_MASK (3u << 4)
#define ADI_CSW_DEVICEEN (1u << 6)
#define ADI_CSW_TRINPROG (1u << 7)
/* HPROT1 (privileged), data access, MasterType = debug: the value Cortex-M AHB-APs are driven with. */
#define ADI_CSW_AHB_DEBUG_MASTER 0x23000000u
#define ADI_CSW_PROT_MASK 0xFF000000u

/* IDR (C2.6.8) */
#define ADI_IDR_TYPE_MASK 0xFu
#define ADI_IDR_CLASS_SHIFT 13
#define ADI_IDR_CLASS_MASK 0xFu
#define ADI_IDR_CLASS_MEM_AP 0x8u
#define ADI_IDR_DESIGNER_SHIFT 17
#define ADI_IDR_DESIGNER_MASK 0x7FFu
#define ADI_IDR_REVISION_SHIFT 28
#define ADI_AP_TYPE_AHB3 0x1u
#define ADI_AP_TYPE_APB 0x2u
#define ADI_AP_TYPE_AXI 0x4u
#define ADI_AP_TYPE_AHB5 0x8u

/* BASE (C2.6.2): bit 0 says the entry is present, bits 31:12 hold the ROM table address. */
#define ADI_BASE_PRESENT 0x1u
#define ADI_BASE_ADDRESS_MASK 0xFFFFF000u

/* JEP106 code of ARM Ltd as it appears in DPIDR and IDR designer fields: continuation 4, identity 0x3B. */
#define ADI_DESIGNER_ARM 0x23Bu

/* MEM-AP auto-increment is only guaranteed inside a 1 KB block (C2.2.2): TAR is rewritten at every boundary. */
#define ADI_TAR_AUTOINC_BLOCK 0x400u

#endif /* AIRSWD_ADI_REGS_H */
