/*
 * sim_wire_driver.c - the test host. It keeps no state of its own: every cycle goes straight to the target.
 */
#include "sim_wire_driver.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "sim_memory.h"

#define LINE_RESET_ONES 60u

static bool parity32(uint32_t value)
{
    bool parity = false;
    for (; value != 0; value &= value - 1)
        parity = !parity;
    return parity;
}

void wire_write_bit(struct sim_target *target, bool bit)
{
    sim_target_swd_cycle(target, true, bit);
}

bool wire_read_bit(struct sim_target *target)
{
    bool bit = sim_target_swdio(target);
    sim_target_swd_cycle(target, false, false);
    return bit;
}

void wire_write_bits(struct sim_target *target, uint64_t bits, unsigned count)
{
    for (unsigned i = 0; i < count; i++)
        wire_write_bit(target, (bits >> i) & 1);
}

void wire_high(struct sim_target *target, unsigned cycles)
{
    for (unsigned i = 0; i < cycles; i++)
        wire_write_bit(target, true);
}

void wire_idle(struct sim_target *target, unsigned cycles)
{
    for (unsigned i = 0; i < cycles; i++)
        wire_write_bit(target, false);
}

void wire_line_reset(struct sim_target *target)
{
    wire_high(target, LINE_RESET_ONES);
    wire_idle(target, 2);
}

void wire_jtag_to_swd(struct sim_target *target)
{
    wire_high(target, LINE_RESET_ONES);
    wire_write_bits(target, 0xE79E, 16);
    wire_line_reset(target);
}

uint8_t wire_request(bool ap, bool rnw, uint8_t addr)
{
    /* A request carries A[3:2] only: AP offsets above 0xC need APBANKSEL in SELECT. */
    assert_true((addr & ~0xCu) == 0);
    bool a2 = (addr >> 2) & 1;
    bool a3 = (addr >> 3) & 1;
    bool parity = ap ^ rnw ^ a2 ^ a3;
    return (uint8_t)(1u | (unsigned)ap << 1 | (unsigned)rnw << 2 | (unsigned)a2 << 3 | (unsigned)a3 << 4 |
                     (unsigned)parity << 5 | 0u << 6 | 1u << 7);
}

unsigned wire_packet(struct sim_target *target, uint8_t request, uint32_t *data, unsigned options)
{
    if (options & WIRE_BAD_REQUEST_PARITY)
        request ^= 1u << 5;
    wire_write_bits(target, request, 8);
    wire_read_bit(target); /* turnaround */
    unsigned ack = 0;
    for (unsigned i = 0; i < 3; i++)
        ack |= (unsigned)wire_read_bit(target) << i;

    bool refused = ack == WIRE_ACK_WAIT || ack == WIRE_ACK_FAULT;
    bool data_phase =
        ack == WIRE_ACK_OK || (refused && (options & WIRE_DATA_PHASE_ALWAYS)) || (options & WIRE_IGNORE_ACK);
    if (!data_phase) {
        wire_read_bit(target); /* turnaround back to the host */
        return ack;
    }
    bool rnw = (request >> 2) & 1;
    if (rnw) {
        uint32_t value = 0;
        for (unsigned i = 0; i < 32; i++)
            value |= (uint32_t)wire_read_bit(target) << i;
        bool parity = wire_read_bit(target);
        wire_read_bit(target); /* turnaround back to the host */
        *data = value;
        if (parity != parity32(value))
            ack |= WIRE_PARITY_ERROR;
    } else {
        wire_read_bit(target); /* turnaround to the host */
        wire_write_bits(target, *data, 32);
        wire_write_bit(target, parity32(*data) != ((options & WIRE_BAD_PARITY) != 0));
    }
    return ack;
}

unsigned wire_read(struct sim_target *target, bool ap, uint8_t addr, uint32_t *data)
{
    *data = 0;
    return wire_packet(target, wire_request(ap, true, addr), data, 0);
}

unsigned wire_write(struct sim_target *target, bool ap, uint8_t addr, uint32_t data)
{
    return wire_packet(target, wire_request(ap, false, addr), &data, 0);
}

uint32_t wire_expect_read(struct sim_target *target, bool ap, uint8_t addr, unsigned ack)
{
    uint32_t data;
    assert_int_equal(wire_read(target, ap, addr, &data), ack);
    return data;
}

void wire_expect_write(struct sim_target *target, bool ap, uint8_t addr, uint32_t data, unsigned ack)
{
    assert_int_equal(wire_write(target, ap, addr, data), ack);
}

void wire_connect(struct sim_target *target)
{
    wire_jtag_to_swd(target);
    wire_expect_read(target, false, WIRE_DP_DPIDR, WIRE_ACK_OK);
    wire_expect_write(target, false, WIRE_DP_ABORT, WIRE_ABORT_CLEAR_ALL, WIRE_ACK_OK);
    wire_expect_write(target, false, WIRE_DP_SELECT, 0, WIRE_ACK_OK);
    wire_expect_write(target, false, WIRE_DP_CTRL_STAT, WIRE_CTRL_CDBGPWRUPREQ | WIRE_CTRL_CSYSPWRUPREQ, WIRE_ACK_OK);
    uint32_t acks = WIRE_CTRL_CDBGPWRUPACK | WIRE_CTRL_CSYSPWRUPACK;
    for (unsigned attempt = 0; attempt < 1000; attempt++) {
        if ((wire_expect_read(target, false, WIRE_DP_CTRL_STAT, WIRE_ACK_OK) & acks) == acks)
            return;
        wire_idle(target, 8);
    }
    fail_msg("power-up ACKs never came");
}

uint32_t wire_ap_read(struct sim_target *target, uint8_t addr)
{
    wire_expect_read(target, true, addr, WIRE_ACK_OK);
    return wire_expect_read(target, false, WIRE_DP_RDBUFF, WIRE_ACK_OK);
}

void wire_ap_write(struct sim_target *target, uint8_t addr, uint32_t value)
{
    wire_expect_write(target, true, addr, value, WIRE_ACK_OK);
}

/* The SRAM is found again through the bus when the target is destroyed. */
struct sim_target *wire_target_with_sram(const struct sim_target_config *config)
{
    struct sim_target_config defaults;
    sim_target_default_config(&defaults);
    struct sim_target *target = sim_target_create(config != NULL ? config : &defaults);
    assert_non_null(target);
    struct sim_memory *sram = sim_memory_create(WIRE_SRAM_SIZE, true);
    assert_non_null(sram);
    assert_true(sim_memory_map(sram, sim_target_bus(target), WIRE_SRAM_BASE, "sram"));
    return target;
}

void wire_target_destroy(struct sim_target *target)
{
    struct sim_bus *bus = sim_target_bus(target);
    for (unsigned i = 0; i < bus->region_count; i++)
        if (bus->regions[i].ops == &sim_memory_ops)
            sim_memory_destroy(bus->regions[i].ctx);
    sim_target_destroy(target);
}
