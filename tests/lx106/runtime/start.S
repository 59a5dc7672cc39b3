/*
 * start.S - reset entry and exception vectors of a test program for the ESP8266's CPU (Tensilica L106, call0 ABI)
 * under `qemu-system-xtensa -M sim -cpu lx106 -semihosting`.
 *
 * QEMU starts the CPU at the loader device's address (_start). PS is set to 0x20 (user vector mode, exceptions
 * enabled): at reset PS.EXCM is 1, and every exception would then go to the double-exception vector. Any exception
 * (an unaligned load or store, an illegal instruction, a load from nowhere) is reported with its cause, PC and
 * address by lx106_exception() and ends the program with status 128 + cause, as the chip would stop with a panic.
 */
#define SIMCALL_EXIT 1

    .section .vectors, "ax"
    .align 256
    .global lx106_vectors
lx106_vectors:
    .org 0x10                       /* level 2 / debug */
    j lx106_trap
    .org 0x20                       /* NMI */
    j lx106_trap
    .org 0x30                       /* kernel exception */
    j lx106_trap
    .org 0x50                       /* user exception: unaligned access, illegal instruction, ... */
    j lx106_trap
    .org 0x70                       /* double exception */
    j lx106_trap

    .section .text.start, "ax"
    .literal_position
    .align 4
lx106_trap:
    rsr.exccause a2
    rsr.epc1 a3
    rsr.excvaddr a4
    movi a1, __stack_top            /* the faulting code's stack may be what failed */
    call0 lx106_exception           /* does not return */
1:  j 1b

    .global _start
    .align 4
_start:
    movi a0, 0
    movi a1, __stack_top
    movi a2, lx106_vectors
    wsr.vecbase a2
    movi a2, 0x20
    wsr.ps a2
    rsync
    call0 lx106_start               /* clears .bss, runs main, exits */
1:  j 1b
