/*
 * port_serial.h - the HAL's UART on a Linux serial port (a USB serial adapter on the STM32's USART1, or a pty), for
 * the ROM bootloader. Optionally the adapter's modem lines drive the boot pins, as many boards wire them: DTR to
 * NRST and RTS to BOOT0, each asserted (the line's active level) for low NRST and high BOOT0. Without them, BOOT0
 * is set by hand (a jumper) and the bootloader's Go starts the firmware.
 */
#ifndef AIRSWD_PORT_SERIAL_H
#define AIRSWD_PORT_SERIAL_H

#include <stdbool.h>

#include "hal.h"

struct port_serial {
    int fd;
    bool pseudo_terminal; /* a pty (stm32sim --uart-pty): no parity bit */
    struct hal_uart uart;
    struct hal_target_pins pins; /* DTR -> NRST, RTS -> BOOT0 */
};

/* Opens path raw, 115200 8E1 until configured; false with errno set. */
bool port_serial_open(struct port_serial *port, const char *path);
void port_serial_close(struct port_serial *port);

#endif /* AIRSWD_PORT_SERIAL_H */
