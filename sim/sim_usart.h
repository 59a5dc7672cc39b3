/*
 * sim_usart.h - a simulated STM32 USART in asynchronous mode, in the two register styles of the simulated
 * families: F1/F4 (SR, DR, BRR, CR1-3, GTPR: RM0008 §27.6, RM0368/RM0383 "USART registers") and F0/L4/G0 (CR1-3,
 * BRR, ISR, ICR, RDR, TDR: RM0360/RM0091, RM0351, RM0444 "USART registers").
 *
 * Transmission takes its time on the line: a byte written to the data register waits there (TXE clear) until the
 * shift register is free, then leaves one frame later (start bit, the word, stop bits, each BRR kernel clocks long),
 * when it is handed to the transmit callback with the time its stop bit ends. TC sets when the last frame ends with
 * nothing waiting. Reception is injected whole bytes at a time (sim_usart_receive). The interrupt line is held high
 * while an enabled condition holds: TXEIE and TXE, TCIE and TC, RXNEIE and RXNE or ORE.
 *
 * Not modelled: parity computation and errors (PE, FE, NE), break, idle line, hardware flow control, synchronous,
 * smartcard, IrDA and LIN modes, DMA, the G0 FIFOs and prescaler (PRESC is storage), auto baud rate, wake-up from
 * Stop; clearing UE does not cut short a frame in progress.
 */
#ifndef SIM_USART_H
#define SIM_USART_H

#include <stdbool.h>
#include <stdint.h>

#include "sim_bus.h"
#include "sim_chip.h"
#include "sim_parts.h"

/* Every USART occupies a 1 KB slot of the peripheral bus; offsets past its registers read 0 and ignore writes. */
#define SIM_USART_REGION_SIZE 0x400u

struct sim_usart_config {
    enum sim_family family;  /* picks the register style */
    uint32_t clock_hz;       /* the kernel clock (PCLK after reset, which runs at the part's reset clock) */
    struct sim_irq_line irq; /* set == NULL: not wired */
};

struct sim_usart;

/* A USART in its reset state. NULL when out of host memory. */
struct sim_usart *sim_usart_create(const struct sim_usart_config *config);
void sim_usart_destroy(struct sim_usart *usart);

/* Maps the registers at base (the part table's usart1_base or usart2_base). False as sim_bus_map(). */
bool sim_usart_map(struct sim_usart *usart, struct sim_bus *bus, uint32_t base, const char *name);

/* Resets restore the reset values, drop the frame in progress and lower the interrupt line. advance() completes
 * the frames that end by then; next_event_ps() is the end of the frame on the line. */
struct sim_device sim_usart_device(struct sim_usart *usart);

/* Each byte put on the line, at the end of its frame (at_ps). */
void sim_usart_on_transmit(struct sim_usart *usart, void (*tx)(void *ctx, uint8_t byte, uint64_t at_ps), void *ctx);

/* The kernel clock changed (the chip's clock tree is not modelled yet: callers set it). Frames already on the line
 * keep their length. hz 0 stops the transmitter's clock: frames then never end. */
void sim_usart_set_clock_hz(struct sim_usart *usart, uint32_t hz);

/* A byte has arrived whole at now_ps. The receiver takes it only with UE and RE set; while RXNE is still set the
 * byte is lost and ORE sets, as on silicon. Returns whether the byte reached the data register. */
bool sim_usart_receive(struct sim_usart *usart, uint8_t byte, uint64_t now_ps);

/* Observation for tests and the chip */
bool sim_usart_irq_level(const struct sim_usart *usart);
/* The length of one frame at the current settings, in picoseconds (SIM_NEVER with no clock). */
uint64_t sim_usart_frame_ps(const struct sim_usart *usart);
/* The length of one bit at the current settings, in picoseconds (SIM_NEVER with no clock): 10^12 / baud rate. */
uint64_t sim_usart_bit_ps(const struct sim_usart *usart);

#endif /* SIM_USART_H */
