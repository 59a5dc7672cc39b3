/*
 * sim_wire_driver.h - a minimal SWD host for the simulator's unit tests, written from the host schedule of
 * sim_target.h and hal.h: a write bit drives SWDIO then pulses SWCLK; a read bit samples SWDIO then pulses SWCLK
 * with SWDIO released. A packet is 8 request bits, one turnaround read, 3 ACK reads, then for a read 33 data
 * reads and one turnaround read, for a write one turnaround read and 33 driven bits, and after WAIT, FAULT or no
 * answer one turnaround read (46 cycles for an OK packet, 13 otherwise).
 *
 * The wire_expect_* helpers assert with cmocka; the plain ones return what the wire said.
 */
#ifndef SIM_WIRE_DRIVER_H
#define SIM_WIRE_DRIVER_H

#include <stdbool.h>
#include <stdint.h>

#include "sim_target.h"

#define WIRE_ACK_OK       0x1u
#define WIRE_ACK_WAIT     0x2u
#define WIRE_ACK_FAULT    0x4u
#define WIRE_ACK_NONE     0x7u
#define WIRE_PARITY_ERROR 0x8u /* or-ed into a read's result when the data failed its parity check */

/* Options of wire_packet(). */
#define WIRE_DATA_PHASE_ALWAYS  0x1u /* WAIT and FAULT are followed by a data phase (ORUNDETECT=1) */
#define WIRE_IGNORE_ACK         0x2u /* run the data phase whatever the ACK says (TARGETSEL) */
#define WIRE_BAD_PARITY         0x4u /* send the wrong parity after write data */
#define WIRE_BAD_REQUEST_PARITY 0x8u /* send the wrong request parity */

/* DP and AP register addresses as the tests use them. An AP offset goes on the wire as APBANKSEL (SELECT[7:4])
 * and A[3:2]; wire_request() takes A[3:2] only. */
#define WIRE_DP_DPIDR     0x0u
#define WIRE_DP_ABORT     0x0u
#define WIRE_DP_CTRL_STAT 0x4u
#define WIRE_DP_RESEND    0x8u
#define WIRE_DP_SELECT    0x8u
#define WIRE_DP_RDBUFF    0xCu
#define WIRE_DP_TARGETSEL 0xCu

#define WIRE_AP_CSW  0x00u
#define WIRE_AP_TAR  0x04u
#define WIRE_AP_DRW  0x0Cu
#define WIRE_AP_BD0  0x10u
#define WIRE_AP_CFG  0xF4u
#define WIRE_AP_BASE 0xF8u
#define WIRE_AP_IDR  0xFCu

#define WIRE_CTRL_ORUNDETECT   (1u << 0)
#define WIRE_CTRL_STICKYORUN   (1u << 1)
#define WIRE_CTRL_STICKYERR    (1u << 5)
#define WIRE_CTRL_READOK       (1u << 6)
#define WIRE_CTRL_WDATAERR     (1u << 7)
#define WIRE_CTRL_CDBGRSTREQ   (1u << 26)
#define WIRE_CTRL_CDBGRSTACK   (1u << 27)
#define WIRE_CTRL_CDBGPWRUPREQ (1u << 28)
#define WIRE_CTRL_CDBGPWRUPACK (1u << 29)
#define WIRE_CTRL_CSYSPWRUPREQ (1u << 30)
#define WIRE_CTRL_CSYSPWRUPACK (1u << 31)

#define WIRE_ABORT_DAPABORT  (1u << 0)
#define WIRE_ABORT_CLEAR_ALL 0x1Eu

void wire_write_bit(struct sim_target *target, bool bit);
bool wire_read_bit(struct sim_target *target);
/* `count` bits of `bits`, LSB first, driven. */
void wire_write_bits(struct sim_target *target, uint64_t bits, unsigned count);
void wire_high(struct sim_target *target, unsigned cycles);
void wire_idle(struct sim_target *target, unsigned cycles);
/* 60 ones and 2 idle cycles. */
void wire_line_reset(struct sim_target *target);
/* 60 ones, 0xE79E, then a line reset. */
void wire_jtag_to_swd(struct sim_target *target);

uint8_t wire_request(bool ap, bool rnw, uint8_t addr);
/* One packet; returns the ACK bits as received (bit 0 first), or-ed with WIRE_PARITY_ERROR. */
unsigned wire_packet(struct sim_target *target, uint8_t request, uint32_t *data, unsigned options);
unsigned wire_read(struct sim_target *target, bool ap, uint8_t addr, uint32_t *data);
unsigned wire_write(struct sim_target *target, bool ap, uint8_t addr, uint32_t data);

/* Asserting helpers. */
uint32_t wire_expect_read(struct sim_target *target, bool ap, uint8_t addr, unsigned ack);
void wire_expect_write(struct sim_target *target, bool ap, uint8_t addr, uint32_t data, unsigned ack);
/* JTAG-to-SWD, DPIDR read, stickies cleared, debug and system power up (waits for the ACKs). */
void wire_connect(struct sim_target *target);
/* A whole AP read: the posted AP read, then RDBUFF for its result. */
uint32_t wire_ap_read(struct sim_target *target, uint8_t addr);
void wire_ap_write(struct sim_target *target, uint8_t addr, uint32_t value);
/* A target with the default configuration and 64 KB of SRAM at 0x20000000 (freed with the target). */
struct sim_target *wire_target_with_sram(const struct sim_target_config *config);
void wire_target_destroy(struct sim_target *target);

#define WIRE_SRAM_BASE 0x20000000u
#define WIRE_SRAM_SIZE 0x10000u

#endif /* SIM_WIRE_DRIVER_H */
