/*
 * entry.S - how every stub starts and ends. The host writes the stub's image at its link address (0x20000000),
 * sets r0-r3 to the arguments, SP to a stack top above the stub's RAM, PC to the entry (offset 0 of the image),
 * xPSR = 0x01000000 (Thumb) and PRIMASK = 1, and resumes the halted core with C_DEBUGEN set. The stub's C function
 * stub_main() takes r0-r3 as its AAPCS arguments and returns its result in r0 (and r1 for a 64-bit result); then
 * BKPT halts the core, which the host sees in DHCSR.S_HALT with DFSR.BKPT. Without C_DEBUGEN a BKPT escalates to
 * HardFault, so the host must keep halting debug enabled while a stub runs.
 */
    .syntax unified
    .thumb

    .section .text.entry, "ax", %progbits
    .global stub_entry
    .type stub_entry, %function
    .thumb_func
stub_entry:
    bl stub_main
    /* Resuming the core here halts it again rather than running into whatever follows. */
1:  bkpt #0
    b 1b
    .size stub_entry, . - stub_entry
