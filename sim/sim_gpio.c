/*
 * sim_gpio.c - the simulated GPIO ports: a register file per port, the output pins it configures, and the change
 * reports an observer (a LED on the bench) sees.
 *
 * Invariant: a port's registers[] holds every stored register at its word slot (offset / 4); IDR, BSRR and BRR
 * store nothing: IDR is computed, BSRR and BRR act on ODR. Every write compares the driven outputs before and
 * after, so a change is reported however it came about (ODR, BSRR, BRR, or a mode change).
 */
#include "sim_gpio.h"

#include <stdlib.h>
#include <string.h>

#define GPIO_PINS      16u
#define GPIO_PIN_MASK  0xFFFFu
#define GPIO_LCKR_MASK 0x1FFFFu /* LCKK and 16 lock bits */

/* F1, RM0008 §9.2.1-9.2.7: CRL 0x00, CRH 0x04, IDR 0x08, ODR 0x0C, BSRR 0x10, BRR 0x14, LCKR 0x18. Each pin has a
 * 4-bit field in CRL (pins 0-7) or CRH (8-15): MODE[1:0] 00 input, else output; CNF[1] set: alternate function. */
#define GPIO_F1_CRL_SLOT      0u
#define GPIO_F1_ODR_SLOT      3u
#define GPIO_F1_CR_RESET      0x44444444u /* every pin a floating input */
#define GPIO_F1_MODE_MASK     0x3u
#define GPIO_F1_CNF_ALTERNATE 0x8u

/* MODER style, RM0360 §8.4 / RM0383 §8.4 / RM0351 §8.5 / RM0444 §7.4: MODER 0x00, OTYPER 0x04, OSPEEDR 0x08,
 * PUPDR 0x0C, IDR 0x10, ODR 0x14, BSRR 0x18, LCKR 0x1C, AFRL 0x20, AFRH 0x24, BRR 0x28 (not on F4). */
#define GPIO_MODER_SLOT     0u
#define GPIO_OSPEEDR_SLOT   2u
#define GPIO_PUPDR_SLOT     3u
#define GPIO_MODER_ODR_SLOT 5u
#define GPIO_MODER_BRR_SLOT 10u
#define GPIO_MODER_OUTPUT   1u

enum gpio_register { GPIO_RESERVED = 0, GPIO_CONFIG, GPIO_IDR, GPIO_ODR, GPIO_BSRR, GPIO_BRR };

struct gpio_slot {
    enum gpio_register reg;
    uint32_t mask; /* the implemented bits of a stored register */
};

#define GPIO_SLOTS 11u

static const struct gpio_slot gpio_f1_slots[GPIO_SLOTS] = {
    {GPIO_CONFIG, UINT32_MAX},
    {GPIO_CONFIG, UINT32_MAX},
    {GPIO_IDR, 0},
    {GPIO_ODR, GPIO_PIN_MASK},
    {GPIO_BSRR, 0},
    {GPIO_BRR, 0},
    {GPIO_CONFIG, GPIO_LCKR_MASK},
};

static const struct gpio_slot gpio_moder_slots[GPIO_SLOTS] = {
    {GPIO_CONFIG, UINT32_MAX},
    {GPIO_CONFIG, GPIO_PIN_MASK},
    {GPIO_CONFIG, UINT32_MAX},
    {GPIO_CONFIG, UINT32_MAX},
    {GPIO_IDR, 0},
    {GPIO_ODR, GPIO_PIN_MASK},
    {GPIO_BSRR, 0},
    {GPIO_CONFIG, GPIO_LCKR_MASK},
    {GPIO_CONFIG, UINT32_MAX},
    {GPIO_CONFIG, UINT32_MAX},
    {GPIO_BRR, 0},
};

/* Ports whose reset state differs from the family's default: the debug pins come out of reset in their alternate
 * function (SWD on F0/G0, JTAG on F4/L4) with their pulls; L476 port H has only PH0 and PH1 (the other MODER
 * fields are reserved). */
struct gpio_reset_exception {
    enum sim_family family;
    char port;
    uint32_t moder, ospeedr, pupdr;
};

static const struct gpio_reset_exception gpio_reset_exceptions[] = {
    {SIM_FAMILY_F0, 'A', 0x28000000u, 0x0C000000u, 0x24000000u}, /* RM0360 §8.4.1, §8.4.3, §8.4.4 */
    {SIM_FAMILY_F4, 'A', 0xA8000000u, 0x0C000000u, 0x64000000u}, /* RM0383 §8.4.1, §8.4.3, §8.4.4 */
    {SIM_FAMILY_F4, 'B', 0x00000280u, 0x000000C0u, 0x00000100u},
    {SIM_FAMILY_F7, 'A', 0xA8000000u, 0x0C000000u, 0x64000000u}, /* RM0385 §6.4.1, §6.4.3, §6.4.4 */
    {SIM_FAMILY_F7, 'B', 0x00000280u, 0x000000C0u, 0x00000100u},
    {SIM_FAMILY_L4, 'A', 0xABFFFFFFu, 0x0C000000u, 0x64000000u}, /* RM0351 §8.5.1, §8.5.3, §8.5.4 */
    {SIM_FAMILY_L4, 'B', 0xFFFFFEBFu, 0x00000000u, 0x00000100u},
    {SIM_FAMILY_L4, 'H', 0x0000000Fu, 0x00000000u, 0x00000000u},
    {SIM_FAMILY_F3, 'A', 0xA8000000u, 0x0C000000u, 0x64000000u}, /* RM0316 §11.4.1, §11.4.3, §11.4.4 */
    {SIM_FAMILY_F3, 'B', 0x00000280u, 0x000000C0u, 0x00000100u},
    {SIM_FAMILY_G4, 'A', 0xABFFFFFFu, 0x0C000000u, 0x64000000u}, /* RM0440 §9.4.1, §9.4.3, §9.4.4 */
    {SIM_FAMILY_G4, 'B', 0xFFFFFEBFu, 0x00000000u, 0x00000100u},
    {SIM_FAMILY_G0, 'A', 0xEBFFFFFFu, 0x0C000000u, 0x24000000u}, /* RM0444 §7.4.1, §7.4.3, §7.4.4 */
    {SIM_FAMILY_L1, 'A', 0xA8000000u, 0x0C000000u, 0x64000000u}, /* RM0038 §7.4.1, §7.4.3, §7.4.4 */
    {SIM_FAMILY_L1, 'B', 0x00000280u, 0x000000C0u, 0x00000100u},
    {SIM_FAMILY_H7, 'A', 0xABFFFFFFu, 0x0C000000u, 0x64000000u}, /* RM0433 §11.4.1, §11.4.3, §11.4.4 */
    {SIM_FAMILY_H7, 'B', 0xFFFFFEBFu, 0x000000C0u, 0x00000100u},
};

struct gpio_port {
    uint32_t registers[GPIO_SLOTS];
};

struct sim_gpio {
    enum sim_family family;
    bool f1_style;
    unsigned port_count;
    uint32_t base;
    unsigned odr_slot;
    struct gpio_port ports[SIM_GPIO_MAX_PORTS];
    void (*change_fn)(void *ctx, char port, unsigned pin, bool level, uint64_t now_ps);
    void *change_ctx;
};

/* ---- reset ---- */

/* Analog mode (MODER 11 everywhere) after reset on L4, G0, G4 and H7; input on F0 and F4. */
static uint32_t gpio_default_moder(enum sim_family family)
{
    return (family == SIM_FAMILY_L4 || family == SIM_FAMILY_G0 || family == SIM_FAMILY_G4 || family == SIM_FAMILY_H7)
               ? UINT32_MAX
               : 0;
}

static void gpio_reset_moder_port(struct sim_gpio *gpio, struct gpio_port *port, char letter)
{
    port->registers[GPIO_MODER_SLOT] = gpio_default_moder(gpio->family);
    for (size_t i = 0; i < sizeof gpio_reset_exceptions / sizeof gpio_reset_exceptions[0]; i++) {
        const struct gpio_reset_exception *exception = &gpio_reset_exceptions[i];
        if (exception->family == gpio->family && exception->port == letter) {
            port->registers[GPIO_MODER_SLOT] = exception->moder;
            port->registers[GPIO_OSPEEDR_SLOT] = exception->ospeedr;
            port->registers[GPIO_PUPDR_SLOT] = exception->pupdr;
        }
    }
}

static void gpio_reset_ports(struct sim_gpio *gpio)
{
    for (unsigned index = 0; index < gpio->port_count; index++) {
        struct gpio_port *port = &gpio->ports[index];
        memset(port->registers, 0, sizeof port->registers);
        if (gpio->f1_style) {
            port->registers[GPIO_F1_CRL_SLOT] = GPIO_F1_CR_RESET;
            port->registers[GPIO_F1_CRL_SLOT + 1] = GPIO_F1_CR_RESET;
        } else {
            gpio_reset_moder_port(gpio, port, (char)('A' + index));
        }
    }
}

/* ---- pins ---- */

static bool gpio_pin_is_output(const struct sim_gpio *gpio, const struct gpio_port *port, unsigned pin)
{
    if (gpio->f1_style) {
        uint32_t field = (port->registers[GPIO_F1_CRL_SLOT + pin / 8] >> ((pin % 8) * 4)) & 0xFu;
        return (field & GPIO_F1_MODE_MASK) != 0 && (field & GPIO_F1_CNF_ALTERNATE) == 0;
    }
    return ((port->registers[GPIO_MODER_SLOT] >> (pin * 2)) & 3u) == GPIO_MODER_OUTPUT;
}

static uint32_t gpio_output_pins(const struct sim_gpio *gpio, const struct gpio_port *port)
{
    uint32_t outputs = 0;
    for (unsigned pin = 0; pin < GPIO_PINS; pin++) {
        if (gpio_pin_is_output(gpio, port, pin))
            outputs |= 1u << pin;
    }
    return outputs;
}

/* Outputs that started being driven, and outputs whose ODR bit flipped. */
static void gpio_report_changes(struct sim_gpio *gpio, unsigned index, uint32_t outputs_before, uint32_t odr_before,
                                uint64_t now_ps)
{
    const struct gpio_port *port = &gpio->ports[index];
    uint32_t outputs = gpio_output_pins(gpio, port);
    uint32_t odr = port->registers[gpio->odr_slot];
    uint32_t changed = outputs & (~outputs_before | (odr ^ odr_before));
    for (unsigned pin = 0; pin < GPIO_PINS && gpio->change_fn != NULL; pin++) {
        if (changed & (1u << pin))
            gpio->change_fn(gpio->change_ctx, (char)('A' + index), pin, (odr >> pin) & 1u, now_ps);
    }
}

/* ---- registers ---- */

static struct gpio_slot gpio_slot_at(const struct sim_gpio *gpio, unsigned slot)
{
    if (slot >= GPIO_SLOTS)
        return (struct gpio_slot){GPIO_RESERVED, 0};
    if ((gpio->family == SIM_FAMILY_F4 || gpio->family == SIM_FAMILY_F7) && slot == GPIO_MODER_BRR_SLOT)
        return (struct gpio_slot){GPIO_RESERVED, 0}; /* RM0383, RM0385: no GPIOx_BRR on F4 and F7 */
    return gpio->f1_style ? gpio_f1_slots[slot] : gpio_moder_slots[slot];
}

static uint32_t gpio_peek(const struct sim_gpio *gpio, const struct gpio_port *port, unsigned slot)
{
    switch (gpio_slot_at(gpio, slot).reg) {
    case GPIO_CONFIG:
    case GPIO_ODR: return port->registers[slot];
    case GPIO_IDR: return port->registers[gpio->odr_slot] & gpio_output_pins(gpio, port);
    default: return 0; /* BSRR and BRR are write-only */
    }
}

/* BSRR: bits 15:0 set, 31:16 reset; a pin with both set is set (RM0008 §9.2.5). */
static void gpio_store(const struct sim_gpio *gpio, struct gpio_port *port, unsigned slot, uint32_t value)
{
    struct gpio_slot kind = gpio_slot_at(gpio, slot);
    uint32_t *odr = &port->registers[gpio->odr_slot];
    switch (kind.reg) {
    case GPIO_CONFIG:
    case GPIO_ODR: port->registers[slot] = value & kind.mask; break;
    case GPIO_BSRR: *odr = (*odr & ~(value >> 16)) | (value & GPIO_PIN_MASK); break;
    case GPIO_BRR: *odr &= ~(value & GPIO_PIN_MASK); break;
    default: break;
    }
}

static enum sim_bus_status gpio_bus_read(void *ctx, struct sim_bus_access *access)
{
    const struct sim_gpio *gpio = ctx;
    const struct gpio_port *port = &gpio->ports[access->offset / SIM_GPIO_PORT_SIZE];
    uint32_t offset = access->offset % SIM_GPIO_PORT_SIZE;
    access->value = sim_bus_register_slice(gpio_peek(gpio, port, offset / 4), offset);
    return SIM_BUS_OK;
}

static enum sim_bus_status gpio_bus_write(void *ctx, struct sim_bus_access *access)
{
    struct sim_gpio *gpio = ctx;
    unsigned index = access->offset / SIM_GPIO_PORT_SIZE;
    struct gpio_port *port = &gpio->ports[index];
    uint32_t offset = access->offset % SIM_GPIO_PORT_SIZE;
    unsigned slot = offset / 4;
    uint32_t value = sim_bus_register_merge(gpio_peek(gpio, port, slot), offset, access->size, access->value);
    uint32_t outputs_before = gpio_output_pins(gpio, port);
    uint32_t odr_before = port->registers[gpio->odr_slot];
    gpio_store(gpio, port, slot, value);
    gpio_report_changes(gpio, index, outputs_before, odr_before, access->now_ps);
    return SIM_BUS_OK;
}

static const struct sim_bus_region_ops gpio_region_ops = {.read = gpio_bus_read, .write = gpio_bus_write};

/* ---- life cycle and observation ---- */

struct sim_gpio *sim_gpio_create(const struct sim_part *part)
{
    if (part->gpio_ports == 0 || part->gpio_ports > SIM_GPIO_MAX_PORTS)
        return NULL;
    struct sim_gpio *gpio = calloc(1, sizeof(*gpio));
    if (gpio == NULL)
        return NULL;
    gpio->family = part->family;
    gpio->f1_style = part->family == SIM_FAMILY_F1;
    gpio->port_count = part->gpio_ports;
    gpio->base = part->gpio_base;
    gpio->odr_slot = gpio->f1_style ? GPIO_F1_ODR_SLOT : GPIO_MODER_ODR_SLOT;
    gpio_reset_ports(gpio);
    return gpio;
}

void sim_gpio_destroy(struct sim_gpio *gpio)
{
    free(gpio);
}

bool sim_gpio_map(struct sim_gpio *gpio, struct sim_bus *bus)
{
    return sim_bus_map(bus, gpio->base, gpio->port_count * SIM_GPIO_PORT_SIZE, &gpio_region_ops, gpio, "GPIO") != NULL;
}

void sim_gpio_on_change(struct sim_gpio *gpio,
                        void (*on_change)(void *ctx, char port, unsigned pin, bool level, uint64_t now_ps), void *ctx)
{
    gpio->change_fn = on_change;
    gpio->change_ctx = ctx;
}

static const struct gpio_port *gpio_port_named(const struct sim_gpio *gpio, char port, unsigned pin)
{
    if (port < 'A' || (unsigned)(port - 'A') >= gpio->port_count || pin >= GPIO_PINS)
        return NULL;
    return &gpio->ports[port - 'A'];
}

bool sim_gpio_is_output(const struct sim_gpio *gpio, char port, unsigned pin)
{
    const struct gpio_port *named = gpio_port_named(gpio, port, pin);
    return named != NULL && gpio_pin_is_output(gpio, named, pin);
}

bool sim_gpio_output_level(const struct sim_gpio *gpio, char port, unsigned pin)
{
    const struct gpio_port *named = gpio_port_named(gpio, port, pin);
    return named != NULL && gpio_pin_is_output(gpio, named, pin) && ((named->registers[gpio->odr_slot] >> pin) & 1u);
}

static void gpio_device_reset(void *ctx, enum sim_reset_kind kind, uint64_t now_ps)
{
    (void)kind;
    (void)now_ps;
    gpio_reset_ports(ctx);
}

static const struct sim_device_ops gpio_device_ops = {.reset = gpio_device_reset};

struct sim_device sim_gpio_device(struct sim_gpio *gpio)
{
    return (struct sim_device){.ops = &gpio_device_ops, .ctx = gpio, .name = "GPIO"};
}
