/* The example program with the independent watchdog on: hello on USART1, then the main loop refreshes the IWDG at
 * every SysTick wake-up. Halted by a debugger that does not freeze the IWDG, the chip resets after FW_WATCHDOG_MS
 * and says hello again. */
#include "baud.h"
#include "board.h"
#include "family.h"
#include "systick.h"
#include "usart.h"
#include "watchdog.h"

int main(void);

int main(void)
{
    board_clocks_enable();
    board_pins_init();
    usart_init(FW_BRR(FAMILY_CLOCK_HZ));
    watchdog_start(FW_WATCHDOG_MS);
    usart_puts("hello from airswd example firmware (STM32" FAMILY_NAME ", watchdog on)\r\n");
    systick_start(FAMILY_CLOCK_HZ / FW_TICK_HZ);
    for (;;) {
        watchdog_refresh();
        __asm__ volatile("wfi");
    }
}
