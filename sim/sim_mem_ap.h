/*
 * sim_mem_ap.h - an ADIv5 MEM-AP in front of the simulated bus, as the AHB-AP of a Cortex-M3/M4 behaves:
 * CSW/TAR/DRW with byte lanes, TAR auto-increment that wraps inside its block (1 KB, or 4 KB on Cortex-M3/M4), banked data BD0-BD3, CFG/BASE/IDR.
 * Configured 32-bit only and with DbgSwEnable as its one CSW bit above 23, it is the CoreSight SoC-400 APB-AP.
 */
#ifndef SIM_MEM_AP_H
#define SIM_MEM_AP_H

#include <stdbool.h>
#include <stdint.h>

#include "sim_ap.h"
#include "sim_bus.h"

/* Register offsets, ADIv5.2 C2.6 (MEM-AP programmers' model). */
#define SIM_MEM_AP_CSW  0x00u
#define SIM_MEM_AP_TAR  0x04u
#define SIM_MEM_AP_DRW  0x0Cu
#define SIM_MEM_AP_BD0  0x10u
#define SIM_MEM_AP_BD3  0x1Cu
#define SIM_MEM_AP_CFG  0xF4u
#define SIM_MEM_AP_BASE 0xF8u
#define SIM_MEM_AP_IDR  0xFCu

/* CSW fields. */
#define SIM_MEM_AP_CSW_SIZE_MASK      0x7u
#define SIM_MEM_AP_CSW_SIZE_8         0x0u
#define SIM_MEM_AP_CSW_SIZE_16        0x1u
#define SIM_MEM_AP_CSW_SIZE_32        0x2u
#define SIM_MEM_AP_CSW_ADDRINC_SHIFT  4
#define SIM_MEM_AP_CSW_ADDRINC_MASK   (0x3u << SIM_MEM_AP_CSW_ADDRINC_SHIFT)
#define SIM_MEM_AP_CSW_ADDRINC_OFF    (0x0u << SIM_MEM_AP_CSW_ADDRINC_SHIFT)
#define SIM_MEM_AP_CSW_ADDRINC_SINGLE (0x1u << SIM_MEM_AP_CSW_ADDRINC_SHIFT)
#define SIM_MEM_AP_CSW_DEVICEEN       (1u << 6)
#define SIM_MEM_AP_CSW_TRINPROG       (1u << 7)
#define SIM_MEM_AP_CSW_PROT_MASK      0xFF000000u /* Prot[30:24] and DbgSwEnable[31], stored as written */
#define SIM_MEM_AP_CSW_DBGSWENABLE    (1u << 31)

/* TAR auto-increment carries inside a block of at least 1 KB (ADIv5.2 C2.2.2): the Cortex-M0/M0+ AHB-APs stop
 * there, the Cortex-M3/M4 AHB-AP at 4 KB (ARM IHI 0031C §7.2.2); debuggers rely on both. */
#define SIM_MEM_AP_AUTOINC_BLOCK 0x400u
#define SIM_MEM_AP_AUTOINC_BLOCK_CORTEX_M3_M4 0x1000u

struct sim_mem_ap_config {
    uint32_t idr;
    uint32_t base;
    uint32_t csw_reset;
    bool sub_word; /* 8- and 16-bit accesses; without them CSW.Size always reads 32-bit */
    uint32_t autoinc_block; /* a power of two >= SIM_MEM_AP_AUTOINC_BLOCK; 0 means that minimum */
    uint32_t csw_prot_mask; /* the CSW bits of SIM_MEM_AP_CSW_PROT_MASK the AP implements (the others RAZ/WI); 0: all */
};

struct sim_mem_ap {
    struct sim_mem_ap_config config;
    struct sim_bus *bus;
    uint32_t csw; /* only the stored fields: Size, AddrInc, Prot */
    uint32_t tar;
    uint64_t busy_until_ps; /* the memory port is busy with a transfer until then (TrInProg) */
    void (*sync)(void *ctx, uint64_t now_ps); /* called before every bus access; may be NULL */
    void *sync_ctx;
};

void sim_mem_ap_init(struct sim_mem_ap *ap, const struct sim_mem_ap_config *config, struct sim_bus *bus);

/* The AP interface, with a struct sim_mem_ap as ctx. */
/* Registers what brings the rest of the chip up to the time of a bus access before it is made. */
void sim_mem_ap_set_sync(struct sim_mem_ap *ap, void (*sync)(void *ctx, uint64_t now_ps), void *ctx);

extern const struct sim_ap_ops sim_mem_ap_ops;

#endif /* SIM_MEM_AP_H */
