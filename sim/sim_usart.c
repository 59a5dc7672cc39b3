/*
 * sim_usart.c - the simulated USART: registers of both styles over one state, and frames timed on the line.
 *
 * Invariants: `shifting` is true exactly while a frame is on the line, ending at shift_end_ps; a byte waits in the
 * data register (TXE clear) only behind a frame on the line; `now_ps` is the latest time the model has been
 * brought to, and every frame ending by then has been handed to the transmit callback. Back-to-back frames start
 * at the previous frame's end, not at the moment the model notices it, so the line timing does not depend on how
 * often the model is advanced.
 */
#include "sim_usart.h"

#include <stdlib.h>

/* Status bits: the same positions in SR (F1/F4) and ISR (F0/L4/G0) */
#define USART_ORE       (1u << 3)
#define USART_RXNE      (1u << 5)
#define USART_TC        (1u << 6)
#define USART_TXE       (1u << 7)
#define USART_ISR_TEACK (1u << 21)
#define USART_ISR_REACK (1u << 22)

/* CR1: the same positions in both styles except UE and M1 */
#define USART_CR1_RE          (1u << 2)
#define USART_CR1_TE          (1u << 3)
#define USART_CR1_RXNEIE      (1u << 5)
#define USART_CR1_TCIE        (1u << 6)
#define USART_CR1_TXEIE       (1u << 7)
#define USART_CR1_M0          (1u << 12) /* M on F1/F4 */
#define USART_CR1_OVER8       (1u << 15) /* reserved on F1 */
#define USART_CR1_UE_F1_F4    (1u << 13)
#define USART_CR1_UE_F0_L4_G0 (1u << 0)
#define USART_CR1_M1          (1u << 28) /* F0/L4/G0 */

#define USART_CR2_STOP_SHIFT 12 /* 00: 1 stop bit, 01: 0.5, 10: 2, 11: 1.5 */
#define USART_ICR_ORECF      (1u << 3)
#define USART_ICR_TCCF       (1u << 6)
#define USART_RQR_RXFRQ      (1u << 3)
#define USART_DATA_MASK      0x1FFu /* 9-bit words at most */
#define USART_BRR_MASK       0xFFFFu

#define PS_PER_SECOND 1000000000000ull

/* What sits at each word offset of the register block. */
enum usart_register {
    USART_RESERVED = 0,
    USART_STATUS,  /* SR or ISR */
    USART_DATA,    /* F1/F4 DR: reads the received byte, writes one to send */
    USART_RX_DATA, /* RDR */
    USART_TX_DATA, /* TDR */
    USART_CLEAR,   /* ICR */
    USART_REQUEST, /* RQR */
    USART_CR1,
    USART_CR2,
    USART_CR3,
    USART_BRR,
    USART_STORAGE, /* GTPR, RTOR, PRESC: kept, no effect */
};

#define USART_SLOTS 12u

/* RM0008 §27.6: SR 0x00, DR 0x04, BRR 0x08, CR1 0x0C, CR2 0x10, CR3 0x14, GTPR 0x18 (F4 the same). */
static const enum usart_register usart_f1_f4_map[USART_SLOTS] = {
    USART_STATUS, USART_DATA, USART_BRR, USART_CR1, USART_CR2, USART_CR3, USART_STORAGE,
};

/* RM0360/RM0351/RM0444: CR1 0x00, CR2 0x04, CR3 0x08, BRR 0x0C, GTPR 0x10, RTOR 0x14, RQR 0x18, ISR 0x1C,
 * ICR 0x20, RDR 0x24, TDR 0x28, PRESC 0x2C (G0). */
static const enum usart_register usart_f0_l4_g0_map[USART_SLOTS] = {
    USART_CR1,     USART_CR2,    USART_CR3,   USART_BRR,     USART_STORAGE, USART_STORAGE,
    USART_REQUEST, USART_STATUS, USART_CLEAR, USART_RX_DATA, USART_TX_DATA, USART_STORAGE,
};

struct sim_usart {
    /* Configuration */
    bool isr_style; /* F0/L4/G0 registers */
    bool has_over8;
    const char *name;
    uint32_t clock_hz;
    struct sim_irq_line irq;
    void (*tx_fn)(void *ctx, uint8_t byte, uint64_t at_ps);
    void *tx_ctx;

    /* Registers */
    uint32_t cr1, cr2, cr3, brr;
    uint32_t storage[USART_SLOTS];
    uint16_t rdr, tdr;
    bool txe, tc, rxne, ore;
    bool ore_clear_armed; /* F1/F4: SR was read with ORE set; the next DR read clears ORE */

    /* The line */
    bool shifting;
    uint16_t shift_data;
    uint64_t shift_end_ps;
    uint64_t now_ps;
    bool irq_level;
};

static bool usart_enabled(const struct sim_usart *usart)
{
    return (usart->cr1 & (usart->isr_style ? USART_CR1_UE_F0_L4_G0 : USART_CR1_UE_F1_F4)) != 0;
}

static bool usart_transmitter_on(const struct sim_usart *usart)
{
    return usart_enabled(usart) && (usart->cr1 & USART_CR1_TE);
}

static bool usart_receiver_on(const struct sim_usart *usart)
{
    return usart_enabled(usart) && (usart->cr1 & USART_CR1_RE);
}

/* ---- frame timing ---- */

/* The word includes the parity bit when PCE is set (RM0008 §27.3.7), so parity does not lengthen the frame. */
static unsigned usart_word_bits(const struct sim_usart *usart)
{
    if (usart->isr_style && (usart->cr1 & USART_CR1_M1))
        return (usart->cr1 & USART_CR1_M0) ? 8 : 7; /* M1:M0 = 11 is reserved */
    return (usart->cr1 & USART_CR1_M0) ? 9 : 8;
}

static unsigned usart_stop_half_bits(const struct sim_usart *usart)
{
    static const unsigned half_bits[4] = {2, 1, 4, 3};
    return half_bits[(usart->cr2 >> USART_CR2_STOP_SHIFT) & 3u];
}

/* Kernel clocks per bit: BRR with 16x oversampling; with 8x, BRR[3] is unused and BRR[2:0] counts eighths. */
static uint64_t usart_bit_clocks(const struct sim_usart *usart)
{
    uint64_t clocks = usart->brr;
    if (usart->has_over8 && (usart->cr1 & USART_CR1_OVER8))
        clocks = (usart->brr >> 4) * 8u + (usart->brr & 7u);
    return clocks == 0 ? 1 : clocks;
}

uint64_t sim_usart_frame_ps(const struct sim_usart *usart)
{
    if (usart->clock_hz == 0)
        return SIM_NEVER;
    uint64_t half_bits = 2u * (1u + usart_word_bits(usart)) + usart_stop_half_bits(usart);
    uint64_t divisor = 2u * (uint64_t)usart->clock_hz;
    return (half_bits * usart_bit_clocks(usart) * PS_PER_SECOND + divisor / 2) / divisor;
}

uint64_t sim_usart_bit_ps(const struct sim_usart *usart)
{
    if (usart->clock_hz == 0)
        return SIM_NEVER;
    return (usart_bit_clocks(usart) * PS_PER_SECOND + usart->clock_hz / 2) / usart->clock_hz;
}

/* ---- state changes ---- */

static bool usart_irq_condition(const struct sim_usart *usart)
{
    return ((usart->cr1 & USART_CR1_TXEIE) && usart->txe) || ((usart->cr1 & USART_CR1_TCIE) && usart->tc) ||
           ((usart->cr1 & USART_CR1_RXNEIE) && (usart->rxne || usart->ore));
}

static void usart_update_irq(struct sim_usart *usart)
{
    bool level = usart_irq_condition(usart);
    if (level != usart->irq_level) {
        usart->irq_level = level;
        sim_irq_line_set(&usart->irq, level);
    }
}

static void usart_start_frame(struct sim_usart *usart, uint16_t data, uint64_t start_ps)
{
    uint64_t frame_ps = sim_usart_frame_ps(usart);
    usart->shifting = true;
    usart->shift_data = data;
    usart->shift_end_ps = frame_ps > SIM_NEVER - start_ps ? SIM_NEVER : start_ps + frame_ps;
}

/* The frame on the line has ended: the byte is out, and the waiting byte (if any) follows without a gap. */
static void usart_finish_frame(struct sim_usart *usart)
{
    uint64_t end_ps = usart->shift_end_ps;
    usart->shifting = false;
    if (usart->tx_fn != NULL)
        usart->tx_fn(usart->tx_ctx, (uint8_t)usart->shift_data, end_ps);
    if (!usart->txe) {
        usart->txe = true;
        usart_start_frame(usart, usart->tdr, end_ps);
    } else {
        usart->tc = true;
    }
}

static void usart_catch_up(struct sim_usart *usart, uint64_t now_ps)
{
    if (now_ps > usart->now_ps)
        usart->now_ps = now_ps;
    while (usart->shifting && usart->shift_end_ps <= usart->now_ps)
        usart_finish_frame(usart);
    usart_update_irq(usart);
}

/* A write to DR/TDR. With the shift register free the byte moves on at once and TXE stays set (silicon sets it
 * again within a clock); otherwise it waits, and a second write before TXE overwrites it. */
static void usart_transmit(struct sim_usart *usart, uint16_t data)
{
    if (!usart_transmitter_on(usart))
        return;
    usart->tdr = data;
    usart->tc = false;
    if (usart->shifting)
        usart->txe = false;
    else
        usart_start_frame(usart, data, usart->now_ps);
}

bool sim_usart_receive(struct sim_usart *usart, uint8_t byte, uint64_t now_ps)
{
    usart_catch_up(usart, now_ps);
    if (!usart_receiver_on(usart))
        return false;
    bool taken = !usart->rxne;
    if (taken) {
        usart->rdr = byte;
        usart->rxne = true;
    } else {
        usart->ore = true; /* RDR keeps the unread byte; the new one is lost */
    }
    usart_update_irq(usart);
    return taken;
}

/* ---- registers ---- */

static enum usart_register usart_register_at(const struct sim_usart *usart, unsigned slot)
{
    if (slot >= USART_SLOTS)
        return USART_RESERVED;
    return usart->isr_style ? usart_f0_l4_g0_map[slot] : usart_f1_f4_map[slot];
}

static uint32_t usart_status(const struct sim_usart *usart)
{
    uint32_t status = (usart->txe ? USART_TXE : 0) | (usart->tc ? USART_TC : 0) | (usart->rxne ? USART_RXNE : 0) |
                      (usart->ore ? USART_ORE : 0);
    if (usart->isr_style && usart_transmitter_on(usart))
        status |= USART_ISR_TEACK;
    if (usart->isr_style && usart_receiver_on(usart))
        status |= USART_ISR_REACK;
    return status;
}

/* A register's value without the side effects of reading it. */
static uint32_t usart_peek(const struct sim_usart *usart, enum usart_register reg, unsigned slot)
{
    switch (reg) {
    case USART_STATUS: return usart_status(usart);
    case USART_DATA:
    case USART_RX_DATA: return usart->rdr;
    case USART_TX_DATA: return usart->tdr;
    case USART_CR1: return usart->cr1;
    case USART_CR2: return usart->cr2;
    case USART_CR3: return usart->cr3;
    case USART_BRR: return usart->brr;
    case USART_STORAGE: return usart->storage[slot];
    default: return 0;
    }
}

/* Reading the received data clears RXNE; on F1/F4, reading SR with ORE set and then DR clears ORE too. */
static void usart_read_effects(struct sim_usart *usart, enum usart_register reg)
{
    if (reg == USART_STATUS && !usart->isr_style) {
        usart->ore_clear_armed = usart->ore;
    } else if (reg == USART_DATA || reg == USART_RX_DATA) {
        usart->rxne = false;
        if (reg == USART_DATA && usart->ore_clear_armed)
            usart->ore = false;
        usart->ore_clear_armed = false;
    }
}

/* F1/F4 SR: RXNE and TC clear when written 0 (rc_w0); writing 1 and the other bits have no effect. */
static void usart_write_status(struct sim_usart *usart, uint32_t value)
{
    if (usart->isr_style)
        return;
    if (!(value & USART_TC))
        usart->tc = false;
    if (!(value & USART_RXNE))
        usart->rxne = false;
}

static void usart_write_clear(struct sim_usart *usart, enum usart_register reg, uint32_t value)
{
    if (reg == USART_CLEAR && (value & USART_ICR_ORECF))
        usart->ore = false;
    if (reg == USART_CLEAR && (value & USART_ICR_TCCF))
        usart->tc = false;
    if (reg == USART_REQUEST && (value & USART_RQR_RXFRQ))
        usart->rxne = false;
}

static void usart_write_register(struct sim_usart *usart, enum usart_register reg, unsigned slot, uint32_t value)
{
    switch (reg) {
    case USART_STATUS: usart_write_status(usart, value); break;
    case USART_DATA:
    case USART_TX_DATA: usart_transmit(usart, (uint16_t)(value & USART_DATA_MASK)); break;
    case USART_CLEAR:
    case USART_REQUEST: usart_write_clear(usart, reg, value); break;
    case USART_CR1: usart->cr1 = value; break;
    case USART_CR2: usart->cr2 = value; break;
    case USART_CR3: usart->cr3 = value; break;
    case USART_BRR: usart->brr = value & USART_BRR_MASK; break;
    case USART_STORAGE: usart->storage[slot] = value; break;
    default: break;
    }
}

static enum sim_bus_status usart_bus_read(void *ctx, struct sim_bus_access *access)
{
    struct sim_usart *usart = ctx;
    usart_catch_up(usart, access->now_ps);
    unsigned slot = access->offset / 4;
    enum usart_register reg = usart_register_at(usart, slot);
    access->value = sim_bus_register_slice(usart_peek(usart, reg, slot), access->offset);
    usart_read_effects(usart, reg);
    usart_update_irq(usart);
    return SIM_BUS_OK;
}

static enum sim_bus_status usart_bus_write(void *ctx, struct sim_bus_access *access)
{
    struct sim_usart *usart = ctx;
    usart_catch_up(usart, access->now_ps);
    unsigned slot = access->offset / 4;
    enum usart_register reg = usart_register_at(usart, slot);
    uint32_t value = sim_bus_register_merge(usart_peek(usart, reg, slot), access->offset, access->size, access->value);
    usart_write_register(usart, reg, slot, value);
    usart_update_irq(usart);
    return SIM_BUS_OK;
}

static const struct sim_bus_region_ops usart_region_ops = {.read = usart_bus_read, .write = usart_bus_write};

/* ---- life cycle ---- */

/* Reset values: every register 0 but the status, TXE and TC (SR 0x00C0; ISR 0x000000C0 without FIFO). */
static void usart_clear_state(struct sim_usart *usart)
{
    usart->cr1 = usart->cr2 = usart->cr3 = usart->brr = 0;
    for (unsigned i = 0; i < USART_SLOTS; i++)
        usart->storage[i] = 0;
    usart->rdr = usart->tdr = 0;
    usart->txe = usart->tc = true;
    usart->rxne = usart->ore = usart->ore_clear_armed = false;
    usart->shifting = false;
}

struct sim_usart *sim_usart_create(const struct sim_usart_config *config)
{
    struct sim_usart *usart = calloc(1, sizeof(*usart));
    if (usart == NULL)
        return NULL;
    usart->isr_style =
        config->family == SIM_FAMILY_F0 || config->family == SIM_FAMILY_F3 || config->family == SIM_FAMILY_L4 ||
        config->family == SIM_FAMILY_G0 || config->family == SIM_FAMILY_G4 || config->family == SIM_FAMILY_F7 ||
        config->family == SIM_FAMILY_H7 || config->family == SIM_FAMILY_L0;
    usart->has_over8 = config->family != SIM_FAMILY_F1;
    usart->clock_hz = config->clock_hz;
    usart->irq = config->irq;
    usart_clear_state(usart);
    return usart;
}

void sim_usart_destroy(struct sim_usart *usart)
{
    free(usart);
}

bool sim_usart_map(struct sim_usart *usart, struct sim_bus *bus, uint32_t base, const char *name)
{
    usart->name = name;
    return sim_bus_map(bus, base, SIM_USART_REGION_SIZE, &usart_region_ops, usart, name) != NULL;
}

void sim_usart_on_transmit(struct sim_usart *usart, void (*tx)(void *ctx, uint8_t byte, uint64_t at_ps), void *ctx)
{
    usart->tx_fn = tx;
    usart->tx_ctx = ctx;
}

void sim_usart_set_clock_hz(struct sim_usart *usart, uint32_t hz)
{
    usart->clock_hz = hz;
}

bool sim_usart_irq_level(const struct sim_usart *usart)
{
    return usart->irq_level;
}

static void usart_device_reset(void *ctx, enum sim_reset_kind kind, uint64_t now_ps)
{
    struct sim_usart *usart = ctx;
    (void)kind; /* the USART has no state that survives a system reset */
    if (now_ps > usart->now_ps)
        usart->now_ps = now_ps;
    usart_clear_state(usart);
    usart_update_irq(usart);
}

static void usart_device_advance(void *ctx, uint64_t now_ps)
{
    usart_catch_up(ctx, now_ps);
}

static uint64_t usart_device_next_event_ps(void *ctx)
{
    const struct sim_usart *usart = ctx;
    return usart->shifting ? usart->shift_end_ps : SIM_NEVER;
}

static const struct sim_device_ops usart_device_ops = {
    .reset = usart_device_reset,
    .advance = usart_device_advance,
    .next_event_ps = usart_device_next_event_ps,
};

struct sim_device sim_usart_device(struct sim_usart *usart)
{
    return (struct sim_device){.ops = &usart_device_ops, .ctx = usart, .name = usart->name ? usart->name : "USART"};
}
