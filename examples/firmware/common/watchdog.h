/* The independent watchdog (IWDG at 0x40003000 on every family here; RM0360 §22, RM0444 §25): once started it
 * resets the chip unless refreshed within its timeout. It counts LSI / 32 ticks. */
#ifndef FW_WATCHDOG_H
#define FW_WATCHDOG_H

#include <stdint.h>

#define FW_WATCHDOG_MS 50u /* far shorter than any flash job, so a job that does not freeze it is caught */

void watchdog_start(uint32_t timeout_ms);
void watchdog_refresh(void);

#endif
