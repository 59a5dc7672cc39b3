/*
 * stm32sim.h - the stm32sim program: one simulated STM32 served to outside tools. OpenOCD reaches its JTAG port
 * over remote_bitbang, stm32flash or a terminal its USART1 through a pty; what the chip does (UART bytes, pin
 * changes, resets) goes to log files.
 */
#ifndef STM32SIM_H
#define STM32SIM_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "pty_link.h"
#include "remote_bitbang.h"
#include "sim_stm32.h"

struct stm32sim_options {
    const char *part;
    const char *flash_file;  /* loaded at start if it exists, written back at exit */
    const char *jtag_rbb;    /* HOST:PORT */
    const char *uart_pty;    /* symlink to create */
    const char *uart_log;    /* USART1 bytes as they leave the chip */
    const char *event_log;   /* one line per pin change and reset */
    const char *trace;       /* VCD of the debug wire */
    bool boot0;
    uint32_t tck_hz;
    uint32_t uart_baud;      /* 0: the pty moves bytes at the host's pace; else each byte costs its 8E1 frame */
};

struct stm32sim {
    struct stm32sim_options options;
    struct sim_stm32 *chip;
    struct remote_bitbang *rbb; /* NULL without --jtag-rbb */
    struct pty_link pty;
    bool pty_open;
    FILE *uart_log;
    FILE *event_log;
    uint64_t uart_bytes;
    /* --uart-baud: the line's own time (run_loop.c) */
    uint64_t uart_frame_ps;
    uint64_t uart_line_free_ps; /* the chip's last byte has reached the host then */
    uint64_t uart_first_ps, uart_last_ps; /* the first byte from the host, the last byte of either side */
    bool uart_seen;
    uint64_t gpio_changes;
    unsigned sessions;
};

/* Parses argv; prints usage and returns false on a bad command line. */
bool stm32sim_parse(int argc, char **argv, struct stm32sim_options *options);

/* The chip's events into the logs and the pty. */
void stm32sim_attach_events(struct stm32sim *sim);

/* Serves until *stop becomes true (SIGTERM, SIGINT). */
void stm32sim_run(struct stm32sim *sim, volatile const int *stop);

#endif /* STM32SIM_H */
