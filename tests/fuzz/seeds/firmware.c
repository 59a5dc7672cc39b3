/*
 * firmware.c - a small STM32F103 program whose toolchain outputs (ELF, Intel HEX, binary) seed the fuzz corpora
 * and let tests/unit/test_image_formats.c check that the three formats describe the same flash contents.
 * It has what real firmware has: a vector table, code, constants, initialised data copied from flash to RAM, and
 * zeroed data.
 */
#include <stdint.h>

extern uint32_t _estack, _sidata, _sdata, _edata, _sbss, _ebss;

static volatile uint32_t counter = 0x12345678u; /* .data: stored in flash, copied to RAM */
static uint32_t zeroed[64];                     /* .bss: never in the file */
static const char banner[] = "airswd seed firmware";

int main(void);
void Reset_Handler(void);
void Default_Handler(void);

void Default_Handler(void)
{
    for (;;) {
    }
}

void Reset_Handler(void)
{
    uint32_t *from = &_sidata;
    for (uint32_t *to = &_sdata; to < &_edata;)
        *to++ = *from++;
    for (uint32_t *to = &_sbss; to < &_ebss;)
        *to++ = 0;
    (void)main();
    Default_Handler();
}

int main(void)
{
    for (unsigned i = 0; i < sizeof banner; i++)
        zeroed[i % 64] += (uint32_t)banner[i] * counter;
    return (int)zeroed[3];
}

__attribute__((section(".isr_vector"), used)) static void (*const vectors[16])(void) = {
    (void (*)(void))&_estack, Reset_Handler, Default_Handler, Default_Handler, Default_Handler, Default_Handler,
    Default_Handler,         0,             0,               0,               0,               Default_Handler,
    Default_Handler,         0,             Default_Handler, Default_Handler,
};
