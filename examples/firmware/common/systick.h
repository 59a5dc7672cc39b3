/* SysTick: a 1 ms interrupt from the processor clock; the LED toggles every 100 ticks. */
#ifndef FW_SYSTICK_H
#define FW_SYSTICK_H

#include <stdint.h>

#define FW_TICK_HZ          1000u
#define FW_LED_PERIOD_TICKS 100u

/* Times the LED has been toggled since reset. */
extern volatile uint32_t led_toggles;
/* Milliseconds since systick_start. */
extern volatile uint32_t ticks_ms;

/* cycles_per_tick: processor clock / FW_TICK_HZ, a compile-time constant (no divider on Cortex-M0). */
void systick_start(uint32_t cycles_per_tick);
void SysTick_Handler(void);

#endif
