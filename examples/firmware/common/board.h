/* What each family provides to the shared program: clocks, pins and the LED. */
#ifndef FW_BOARD_H
#define FW_BOARD_H

/* Turns on the bus clocks of the GPIO ports used and of USART1 (the reset clock already runs). */
void board_clocks_enable(void);

/* PA9 becomes USART1 TX, the LED pin a push-pull output. */
void board_pins_init(void);

/* Inverts the LED pin. Called only from the SysTick handler. */
void board_led_toggle(void);

#endif
