/*
 * lx106_runtime.h - the test runtime for the ESP8266's CPU under QEMU (tests/lx106/runtime).
 */
#ifndef LX106_RUNTIME_H
#define LX106_RUNTIME_H

#include <stddef.h>
#include <stdint.h>

/* Reports an exception and exits with 128 + cause (start.S calls it). */
void lx106_exception(uint32_t cause, uint32_t pc, uint32_t address);
void lx106_start(void);

/* The most stack the program has used (bytes from the top of the stack to the deepest word written) since it
 * started or since the last lx106_stack_repaint(), which forgets what was used below the caller. With the
 * environment variable LX106_STACK_REPORT set, a program prints its high-water mark when it exits, and the cmocka
 * runner (tests/lx106/cmocka) the one of each test. */
size_t lx106_stack_used(void);
void lx106_stack_repaint(void);

#endif
