/* Reset and exception entry: the vector table at the start of flash, and the reset handler that copies .data
 * from flash, zeroes .bss and calls main. Symbols come from the linker script (sections.ld). */
#include <stdint.h>

#include "systick.h"

extern uint32_t _sidata[], _sdata[], _edata[], _sbss[], _ebss[], _estack[];

int main(void);
void Reset_Handler(void);
void Default_Handler(void);
void HardFault_Handler(void);

void NMI_Handler(void) __attribute__((weak, alias("Default_Handler")));
void MemManage_Handler(void) __attribute__((weak, alias("Default_Handler")));
void BusFault_Handler(void) __attribute__((weak, alias("Default_Handler")));
void UsageFault_Handler(void) __attribute__((weak, alias("Default_Handler")));
void SVC_Handler(void) __attribute__((weak, alias("Default_Handler")));
void DebugMon_Handler(void) __attribute__((weak, alias("Default_Handler")));
void PendSV_Handler(void) __attribute__((weak, alias("Default_Handler")));

typedef void (*vector_t)(void);

/* The 16 system exception entries shared by ARMv6-M and ARMv7-M; no device interrupt is enabled, so the
 * table stops there. Entry 0 is the initial stack pointer. */
__attribute__((section(".vectors"), used)) const vector_t vector_table[16] = {
    (vector_t)(uintptr_t)_estack,
    Reset_Handler,
    NMI_Handler,
    HardFault_Handler,
    MemManage_Handler,  /* reserved on ARMv6-M */
    BusFault_Handler,   /* reserved on ARMv6-M */
    UsageFault_Handler, /* reserved on ARMv6-M */
    0,
    0,
    0,
    0,
    SVC_Handler,
    DebugMon_Handler, /* reserved on ARMv6-M */
    0,
    PendSV_Handler,
    SysTick_Handler,
};

/* Plain word loops; volatile keeps the compiler from turning them into memcpy/memset calls (no libc here). */
void Reset_Handler(void)
{
    volatile uint32_t *dst = _sdata;
    const uint32_t *src = _sidata;
    while (dst < _edata) {
        *dst++ = *src++;
    }
    for (dst = _sbss; dst < _ebss;) {
        *dst++ = 0;
    }
    main();
    for (;;) {
    }
}

void Default_Handler(void)
{
    for (;;) {
    }
}

void HardFault_Handler(void)
{
    for (;;) {
    }
}
