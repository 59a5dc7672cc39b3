/* The program the GDB session tests debug (tests/gdb/test_gdb_session.sh), built with -O0 -g on the example
 * firmware's startup, clocks and USART: a loop that adds, writes a watched global, reads another, prints a number
 * the debugger may change, and faults through a bad pointer when the debugger asks it to. */
#include <stdint.h>

#include "baud.h"
#include "board.h"
#include "family.h"
#include "mmio.h"
#include "usart.h"

int main(void);
uint32_t add_step(uint32_t value, uint32_t step);
void report(uint32_t number);
void touch_bad_pointer(void);

volatile uint32_t counter;         /* written once per round: a `watch` stops at the writing line */
uint32_t step_size = 3;            /* read once per round: an `rwatch` stops there */
uint32_t message_number = 7;       /* printed each round: `set var` changes what the USART shows */
volatile uint32_t fault_requested; /* set by the debugger: the next round writes through a bad pointer */
volatile float gain = 1.5f;        /* a float global: on a part with an FPU it lives in S registers when used */

#define BAD_ADDRESS 0xFFFFFFF0u /* nothing answers there: the write is a bus fault */
#define CPACR 0xE000ED88u          /* coprocessor access (ARMv7-M B3.2.20): CP10 and CP11 are the FPU */
#define CPACR_FPU_FULL_ACCESS (0xFu << 20)

static void print_decimal(uint32_t number)
{
    char digits[10];
    unsigned count = 0;
    do {
        digits[count++] = (char)('0' + number % 10u);
        number /= 10u;
    } while (number != 0u);
    while (count != 0u)
        usart_putc(digits[--count]);
}

uint32_t add_step(uint32_t value, uint32_t step)
{
    uint32_t sum = value + step;
    return sum;
}

void report(uint32_t number)
{
    usart_puts("number ");
    print_decimal(number);
    usart_puts("\r\n");
}

void touch_bad_pointer(void)
{
    volatile uint32_t *bad = (volatile uint32_t *)BAD_ADDRESS;
    *bad = 1u;
}

int main(void)
{
#if defined(__ARM_FP)
    MMIO32(CPACR) |= CPACR_FPU_FULL_ACCESS; /* before the first floating-point instruction */
#endif
    board_clocks_enable();
    board_pins_init();
    usart_init(FW_BRR(FAMILY_CLOCK_HZ));
    usart_puts("debug target ready\r\n");
    uint32_t total = 0;
    for (;;) {
        total = add_step(total, step_size);
        counter = total;
        float scaled = gain * (float)total;
        report(message_number + (uint32_t)scaled * 0u);
        if (fault_requested != 0u)
            touch_bad_pointer();
    }
}
