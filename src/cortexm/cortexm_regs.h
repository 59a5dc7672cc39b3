/*
 * cortexm_regs.h - the Cortex-M registers a debugger drives through the MEM-AP: the system control block, the debug
 * registers, the breakpoint unit (FPB, or BPU on ARMv6-M) and the DWT.
 * ARMv7-M Architecture Reference Manual (ARM DDI 0403) B3.2 and C1; ARMv6-M (ARM DDI 0419) B3.2 and C1.
 */
#ifndef AIRSWD_CORTEXM_REGS_H
#define AIRSWD_CORTEXM_REGS_H

#include <stdint.h>

/* ---- System control block (B3.2.2) ---- */
#define CORTEXM_CPUID 0xE000ED00u
#define CORTEXM_AIRCR 0xE000ED0Cu
#define CORTEXM_CFSR 0xE000ED28u  /* ARMv7-M only */
#define CORTEXM_HFSR 0xE000ED2Cu  /* ARMv7-M only */
#define CORTEXM_DFSR 0xE000ED30u
#define CORTEXM_MVFR0 0xE000EF40u /* ARMv7-M with a floating-point unit; reads 0 without */

/* CPUID (B3.2.3) */
#define CORTEXM_CPUID_IMPLEMENTER_SHIFT 24
#define CORTEXM_CPUID_IMPLEMENTER_ARM 0x41u
#define CORTEXM_CPUID_ARCHITECTURE_SHIFT 16
#define CORTEXM_CPUID_ARCHITECTURE_MASK 0xFu
#define CORTEXM_CPUID_ARCHITECTURE_V6M 0xCu
#define CORTEXM_CPUID_ARCHITECTURE_V7M 0xFu /* also ARMv8-M */
#define CORTEXM_CPUID_PARTNO_SHIFT 4
#define CORTEXM_CPUID_PARTNO_MASK 0xFFFu
#define CORTEXM_PARTNO_V8M_MASK 0xFF0u /* Cortex-M23/M33/M55...: 0xD2x */
#define CORTEXM_PARTNO_V8M 0xD20u

/* AIRCR (B3.2.6): writes need the key in the upper half. */
#define CORTEXM_AIRCR_VECTKEY 0x05FA0000u
#define CORTEXM_AIRCR_SYSRESETREQ (1u << 2)

/* DFSR (C1.6.1): why the core halted. Bits are cleared by writing 1. */
#define CORTEXM_DFSR_HALTED (1u << 0)   /* halt request or step */
#define CORTEXM_DFSR_BKPT (1u << 1)     /* BKPT instruction or FPB match */
#define CORTEXM_DFSR_DWTTRAP (1u << 2)  /* watchpoint */
#define CORTEXM_DFSR_VCATCH (1u << 3)   /* vector catch (reset, fault) */
#define CORTEXM_DFSR_EXTERNAL (1u << 4) /* EDBGRQ */
#define CORTEXM_DFSR_ALL 0x1Fu

/* ---- Debug registers (C1.6) ---- */
#define CORTEXM_DHCSR 0xE000EDF0u
#define CORTEXM_DCRSR 0xE000EDF4u
#define CORTEXM_DCRDR 0xE000EDF8u
#define CORTEXM_DEMCR 0xE000EDFCu

/* DHCSR (C1.6.2): writes are ignored without the key; S_RETIRE_ST and S_RESET_ST clear when read. */
#define CORTEXM_DHCSR_DBGKEY 0xA05F0000u
#define CORTEXM_DHCSR_C_DEBUGEN (1u << 0)
#define CORTEXM_DHCSR_C_HALT (1u << 1)
#define CORTEXM_DHCSR_C_STEP (1u << 2)
#define CORTEXM_DHCSR_C_MASKINTS (1u << 3)
#define CORTEXM_DHCSR_S_REGRDY (1u << 16)
#define CORTEXM_DHCSR_S_HALT (1u << 17)
#define CORTEXM_DHCSR_S_SLEEP (1u << 18)
#define CORTEXM_DHCSR_S_LOCKUP (1u << 19)
#define CORTEXM_DHCSR_S_RETIRE_ST (1u << 24)
#define CORTEXM_DHCSR_S_RESET_ST (1u << 25)

/* DCRSR (C1.6.3) */
#define CORTEXM_DCRSR_REGWNR (1u << 16)

/* DEMCR (C1.6.5). On ARMv6-M only VC_CORERESET, VC_HARDERR and DWTENA (bit 24) exist. */
#define CORTEXM_DEMCR_VC_CORERESET (1u << 0)
#define CORTEXM_DEMCR_VC_MMERR (1u << 4)
#define CORTEXM_DEMCR_VC_NOCPERR (1u << 5)
#define CORTEXM_DEMCR_VC_CHKERR (1u << 6)
#define CORTEXM_DEMCR_VC_STATERR (1u << 7)
#define CORTEXM_DEMCR_VC_BUSERR (1u << 8)
#define CORTEXM_DEMCR_VC_INTERR (1u << 9)
#define CORTEXM_DEMCR_VC_HARDERR (1u << 10)
#define CORTEXM_DEMCR_TRCENA (1u << 24)
#define CORTEXM_DEMCR_VC_ALL_V7M                                                                                    \
    (CORTEXM_DEMCR_VC_CORERESET | CORTEXM_DEMCR_VC_MMERR | CORTEXM_DEMCR_VC_NOCPERR | CORTEXM_DEMCR_VC_CHKERR |     \
     CORTEXM_DEMCR_VC_STATERR | CORTEXM_DEMCR_VC_BUSERR | CORTEXM_DEMCR_VC_INTERR | CORTEXM_DEMCR_VC_HARDERR)
/* Every fault, caught on its way into its handler. */
#define CORTEXM_DEMCR_VC_FAULTS_V7M (CORTEXM_DEMCR_VC_ALL_V7M & ~CORTEXM_DEMCR_VC_CORERESET)

/* xPSR (B1.4.2): the Thumb bit must be set; IPSR is the active exception number. */
#define CORTEXM_XPSR_T (1u << 24)
#define CORTEXM_XPSR_IPSR_MASK 0x1FFu

/* Exception numbers (B1.5.2) */
#define CORTEXM_EXCEPTION_NMI 2u
#define CORTEXM_EXCEPTION_HARDFAULT 3u
#define CORTEXM_EXCEPTION_MEMMANAGE 4u
#define CORTEXM_EXCEPTION_BUSFAULT 5u
#define CORTEXM_EXCEPTION_USAGEFAULT 6u

/* Exception frame (B1.5.6): the return address is the seventh word. */
#define CORTEXM_FRAME_PC_OFFSET 24u

/* Thumb BKPT #imm8 (A7.7.17): 0xBEnn. */
#define CORTEXM_THUMB_BKPT 0xBE00u
#define CORTEXM_THUMB_BKPT_MASK 0xFF00u

/* ---- Flash patch and breakpoint unit (C1.11; ARMv6-M BPU C1.8) ---- */
#define CORTEXM_FP_CTRL 0xE0002000u
#define CORTEXM_FP_COMP(n) (0xE0002008u + 4u * (uint32_t)(n))

#define CORTEXM_FP_CTRL_ENABLE (1u << 0)
#define CORTEXM_FP_CTRL_KEY (1u << 1) /* a write changes ENABLE only with KEY set */
#define CORTEXM_FP_CTRL_NUM_CODE_LOW_SHIFT 4
#define CORTEXM_FP_CTRL_NUM_CODE_LOW_MASK 0xFu
#define CORTEXM_FP_CTRL_NUM_CODE_HIGH_SHIFT 12
#define CORTEXM_FP_CTRL_NUM_CODE_HIGH_MASK 0x7u
#define CORTEXM_FP_CTRL_REV_SHIFT 28
#define CORTEXM_FP_CTRL_REV_MASK 0xFu

/* Revision 0 (ARMv6-M BPU, ARMv7-M FPBv1): a comparator matches a word of the code region (below 0x20000000);
 * REPLACE picks the halfword that breaks. */
#define CORTEXM_FP_COMP_ENABLE (1u << 0)
#define CORTEXM_FP_COMP_ADDRESS_MASK 0x1FFFFFFCu
#define CORTEXM_FP_COMP_BREAK_LOWER (1u << 30)
#define CORTEXM_FP_COMP_BREAK_UPPER (2u << 30)
#define CORTEXM_FP_CODE_REGION_END 0x20000000u
/* Revision 1 (FPBv2, Cortex-M7 and ARMv8-M): BPADDR[31:1] and BE (breakpoint enable) in bit 0, any address. */
#define CORTEXM_FP_COMP_V2_ENABLE (1u << 0)

/* ---- Data watchpoint and trace unit (C1.8; ARMv6-M C1.7) ---- */
#define CORTEXM_DWT_CTRL 0xE0001000u
#define CORTEXM_DWT_COMP(n) (0xE0001020u + 16u * (uint32_t)(n))
#define CORTEXM_DWT_MASK(n) (0xE0001024u + 16u * (uint32_t)(n))
#define CORTEXM_DWT_FUNCTION(n) (0xE0001028u + 16u * (uint32_t)(n))

#define CORTEXM_DWT_CTRL_NUMCOMP_SHIFT 28
#define CORTEXM_DWT_FUNCTION_DISABLED 0x0u
#define CORTEXM_DWT_FUNCTION_READ 0x5u   /* data address, read: halt */
#define CORTEXM_DWT_FUNCTION_WRITE 0x6u  /* data address, write: halt */
#define CORTEXM_DWT_FUNCTION_ACCESS 0x7u /* data address, read or write: halt */

#endif /* AIRSWD_CORTEXM_REGS_H */
