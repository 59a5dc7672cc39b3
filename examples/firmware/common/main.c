/* The example program, the same on every family: hello on USART1, then the LED blinks from SysTick while the
 * core sleeps. */
#include "baud.h"
#include "board.h"
#include "family.h"
#include "systick.h"
#include "usart.h"

int main(void);

int main(void)
{
    board_clocks_enable();
    board_pins_init();
    usart_init(FW_BRR(FAMILY_CLOCK_HZ));
    usart_puts("hello from airswd example firmware (STM32" FAMILY_NAME ")\r\n");
    systick_start(FAMILY_CLOCK_HZ / FW_TICK_HZ);
    for (;;) {
        __asm__ volatile("wfi");
    }
}
