/* SysTick (ARMv6-M / ARMv7-M architecture manuals, "The system timer, SysTick"): SYST_CSR 0xE000E010,
 * SYST_RVR 0xE000E014, SYST_CVR 0xE000E018. The counter counts RVR..0 and raises the exception on reaching 0,
 * so RVR = clock / tick rate - 1. */
#include "systick.h"

#include "board.h"
#include "mmio.h"

#define SYST_CSR           0xE000E010u
#define SYST_RVR           0xE000E014u
#define SYST_CVR           0xE000E018u
#define SYST_CSR_ENABLE    (1u << 0)
#define SYST_CSR_TICKINT   (1u << 1)
#define SYST_CSR_CLKSOURCE (1u << 2) /* 1: processor clock */

volatile uint32_t led_toggles;
volatile uint32_t ticks_ms;

static uint32_t ticks_to_toggle = FW_LED_PERIOD_TICKS;

void systick_start(uint32_t cycles_per_tick)
{
    MMIO32(SYST_CSR) = 0;
    MMIO32(SYST_RVR) = cycles_per_tick - 1u;
    MMIO32(SYST_CVR) = 0;
    MMIO32(SYST_CSR) = SYST_CSR_CLKSOURCE | SYST_CSR_TICKINT | SYST_CSR_ENABLE;
}

void SysTick_Handler(void)
{
    ticks_ms = ticks_ms + 1u;
    if (--ticks_to_toggle == 0u) {
        ticks_to_toggle = FW_LED_PERIOD_TICKS;
        board_led_toggle();
        led_toggles = led_toggles + 1u;
    }
}
