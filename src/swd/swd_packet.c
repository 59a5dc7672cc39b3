/*
 * swd_packet.c - one SWD packet: request, turnaround, ACK, data phase (ARM ADIv5 B4.2).
 *
 * Cycle schedule of the per-bit path, counted in SWCLK rising edges from the start bit (it matches hal.h, the
 * simulator and sigrok's decoder; 46 cycles for a packet answered OK):
 *   0-7   request, driven by the host
 *   8     turnaround: the host has released SWDIO; the target launches ACK bit 0
 *   9-11  ACK bits sampled
 *   read OK:  12-43 data sampled, 44 parity sampled, 45 turnaround back to the host
 *   write OK: 12 turnaround, then 13-44 data and 45 parity driven by the host
 *   other ACK: 12 turnaround, and the packet ends.
 */
#include "swd.h"
#include "swd_bits.h"

bool swd_parity32(uint32_t value)
{
    value ^= value >> 16;
    value ^= value >> 8;
    value ^= value >> 4;
    return (0x6996u >> (value & 0xFu)) & 1u;
}

uint8_t swd_request(enum swd_port port, bool read, uint8_t addr)
{
    uint8_t request = SWD_REQUEST_START | SWD_REQUEST_PARK;
    if (port == SWD_AP)
        request |= SWD_REQUEST_APNDP;
    if (read)
        request |= SWD_REQUEST_RNW;
    if (addr & 0x4u)
        request |= SWD_REQUEST_A2;
    if (addr & 0x8u)
        request |= SWD_REQUEST_A3;
    /* Parity covers APnDP, RnW, A2 and A3 (bits 1-4). */
    if (swd_parity32((request >> 1) & 0xFu))
        request |= SWD_REQUEST_PARITY;
    return request;
}

static unsigned swd_packet_bitbang(const struct hal_swd *pins, uint8_t request, uint32_t *data)
{
    swd_bits_write(pins, request, 8);
    pins->set_swdio_output(pins->ctx, false);
    (void)pins->read_bit(pins->ctx); /* turnaround */
    unsigned ack = swd_bits_read(pins, 3);
    bool read = (request & SWD_REQUEST_RNW) != 0;

    if (ack == HAL_SWD_ACK_OK && read) {
        uint32_t value = swd_bits_read(pins, 32);
        bool parity = pins->read_bit(pins->ctx);
        (void)pins->read_bit(pins->ctx); /* turnaround */
        pins->set_swdio_output(pins->ctx, true);
        *data = value;
        return parity == swd_parity32(value) ? ack : ack | HAL_SWD_PARITY_ERROR;
    }

    (void)pins->read_bit(pins->ctx); /* turnaround */
    pins->set_swdio_output(pins->ctx, true);
    if (ack == HAL_SWD_ACK_OK) {
        swd_bits_write(pins, *data, 32);
        pins->write_bit(pins->ctx, swd_parity32(*data));
    }
    return ack;
}

static void swd_trace_packet(struct swd *swd, uint8_t request, unsigned result, uint32_t data)
{
    struct swd_trace_event event = {
        .kind = SWD_TRACE_PACKET,
        .port = (request & SWD_REQUEST_APNDP) ? SWD_AP : SWD_DP,
        .read = (request & SWD_REQUEST_RNW) != 0,
        .addr = (uint8_t)(((request & SWD_REQUEST_A2) ? 0x4u : 0u) | ((request & SWD_REQUEST_A3) ? 0x8u : 0u)),
        .ack = result & 0x7u,
        .data = data,
        .parity_error = (result & HAL_SWD_PARITY_ERROR) != 0,
    };
    swd->trace(swd->trace_user, &event);
}

unsigned swd_packet(struct swd *swd, uint8_t request, uint32_t *data)
{
    const struct hal_swd *pins = swd->pins;
    unsigned result =
        pins->transfer ? pins->transfer(pins->ctx, request, data) : swd_packet_bitbang(pins, request, data);
    if (swd->idle_cycles)
        swd_bits_repeat(pins, false, swd->idle_cycles);

    swd->stats.packets++;
    switch (result & 0x7u) {
    case HAL_SWD_ACK_OK:
        if (result & HAL_SWD_PARITY_ERROR)
            swd->stats.parity_errors++;
        break;
    case HAL_SWD_ACK_WAIT: swd->stats.waits++; break;
    case HAL_SWD_ACK_FAULT: swd->stats.faults++; break;
    case HAL_SWD_ACK_NONE: swd->stats.no_response++; break;
    default: swd->stats.protocol_errors++; break;
    }
    if (swd->trace)
        swd_trace_packet(swd, request, result, *data);
    return result;
}
