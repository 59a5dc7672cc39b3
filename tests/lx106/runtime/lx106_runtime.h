/*
 * lx106_runtime.h - the test runtime for the ESP8266's CPU under QEMU (tests/lx106/runtime).
 */
#ifndef LX106_RUNTIME_H
#define LX106_RUNTIME_H

#include <stdint.h>

/* Reports an exception and exits with 128 + cause (start.S calls it). */
void lx106_exception(uint32_t cause, uint32_t pc, uint32_t address);
void lx106_start(void);

#endif
