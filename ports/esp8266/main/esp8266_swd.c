/*
 * esp8266_swd.c - the SWD wire of the ESP8266 (esp8266_swd.h): GPIO register stores and loads in IRAM, paced by CCOUNT.
 *
 * One packet goes out exactly as the core's per-bit path builds it (src/swd/swd_packet.c), edge for edge:
 *   request: 8 x (SWDIO, SWCLK up, SWCLK down); SWDIO released; turnaround pulse; ACK: 3 x (sample, up, down);
 *   read OK: 32 data and 1 parity x (sample, up, down), turnaround pulse, SWDIO driven;
 *   write OK: turnaround pulse, SWDIO driven, 32 data and 1 parity x (SWDIO, up, down);
 *   any other ACK: turnaround pulse, SWDIO driven, and the packet ends.
 * A bit's SWDIO store is left out when the latch already holds that level: it would change no pin.
 *
 * Builds inside the ESP8266_RTOS_SDK (ESP_PLATFORM defined, IRAM_ATTR from esp_attr.h) and standalone for the
 * lx106 test under QEMU (tests/lx106/wire), which places the same .iram1.* sections in its own IRAM.
 */
#include "esp8266_swd.h"

#if defined(ESP_PLATFORM)
#include "esp_attr.h"
#define ESP8266_SWD_IRAM IRAM_ATTR
#else
/* What the SDK's IRAM_ATTR does (esp_attr.h): a section .iram1.<n> of its own, which the SDK's linker fragments
 * (".iram1+") gather into IRAM. */
#define ESP8266_SWD_SECTION_NAME(counter) ".iram1." #counter
#define ESP8266_SWD_SECTION(counter)      __attribute__((section(ESP8266_SWD_SECTION_NAME(counter))))
#define ESP8266_SWD_IRAM                  ESP8266_SWD_SECTION(__COUNTER__)
#endif

#define ESP8266_SWD_INLINE static inline __attribute__((always_inline))

/* Request bits that decide the packet's shape (ARM ADIv5 B4.2; the same as SWD_REQUEST_RNW in src/swd/swd.h). */
#define ESP8266_SWD_REQUEST_RNW  0x04u
#define ESP8266_SWD_REQUEST_BITS 8u
#define ESP8266_SWD_DATA_BITS    32u

/* ---- The instructions the wire is made of ----
 * Each GPIO access is preceded by memw: the Xtensa ISA lets loads and stores to different addresses complete in any
 * order, and the wire needs its accesses in program order (SWDIO before the rising edge, the rising edge before the
 * falling one, the falling edge before the next sample). */

ESP8266_SWD_INLINE void gpio_store(uint32_t address, uint32_t value)
{
    __asm__ volatile("memw\n\ts32i %0, %1, 0" : : "r"(value), "r"(address) : "memory");
}

/* The same at register `offset` of the block at `base`, offset a constant (ESP8266_SWD_GPIO_*) that rides in the
 * instruction: one base register serves every register of the block, which leaves the loops registers to spare.
 * Macros, so that the offset is a constant at any optimisation level. */
#define GPIO_STORE(base, offset, value)                                                                                \
    __asm__ volatile("memw\n\ts32i %0, %1, %2" : : "r"(value), "r"(base), "i"(offset) : "memory")
#define GPIO_LOAD(base, offset, value)                                                                                 \
    __asm__ volatile("memw\n\tl32i %0, %1, %2" : "=r"(value) : "r"(base), "i"(offset) : "memory")

ESP8266_SWD_INLINE uint32_t cycle_count(void)
{
    uint32_t count;
    __asm__ volatile("rsr.ccount %0" : "=r"(count));
    return count;
}

/* ---- The line: the wire's state while a packet or a bit is clocked, held in registers ---- */

struct line {
    uint32_t base;
    uint32_t clk;   /* SWCLK's mask */
    uint32_t dio;   /* SWDIO's mask */
    uint32_t latch; /* SWDIO's output latch: dio or 0 */
    uint32_t half;  /* CCOUNT cycles per phase, paced loop only */
    uint32_t deadline;
};

ESP8266_SWD_INLINE struct line line_load(const struct esp8266_swd *wire)
{
    return (struct line){wire->gpio_base,   wire->swclk_mask,  wire->swdio_mask,
                         wire->swdio_latch, wire->half_period, wire->deadline};
}

ESP8266_SWD_INLINE void line_save(struct esp8266_swd *wire, const struct line *line)
{
    wire->swdio_latch = line->latch;
    wire->deadline = line->deadline;
}

/* Paced loop: spins until the deadline, then schedules the next one half a period after this edge. The deadline
 * follows the edge as it happened, so a phase stretched by an interrupt never makes the next one shorter. */
ESP8266_SWD_INLINE void line_pace(struct line *line, bool paced)
{
    if (!paced)
        return;
    uint32_t now;
    do {
        now = cycle_count();
    } while ((int32_t)(now - line->deadline) < 0);
    line->deadline = now + line->half;
}

ESP8266_SWD_INLINE void line_clock_up(struct line *line, bool paced)
{
    line_pace(line, paced);
    GPIO_STORE(line->base, ESP8266_SWD_GPIO_OUT_W1TS, line->clk);
}

ESP8266_SWD_INLINE void line_clock_down(struct line *line, bool paced)
{
    line_pace(line, paced);
    GPIO_STORE(line->base, ESP8266_SWD_GPIO_OUT_W1TC, line->clk);
}

/* A cycle that samples nothing: the turnarounds. */
ESP8266_SWD_INLINE void line_pulse(struct line *line, bool paced)
{
    line_clock_up(line, paced);
    line_clock_down(line, paced);
}

/* One bit read: the level the target launched on the previous rising edge, sampled as late as the pace allows
 * (just before the next rising edge), then the pulse. Returns dio or 0. */
ESP8266_SWD_INLINE uint32_t line_read(struct line *line, bool paced)
{
    line_pace(line, paced);
    uint32_t level;
    GPIO_LOAD(line->base, ESP8266_SWD_GPIO_IN, level);
    level &= line->dio;
    GPIO_STORE(line->base, ESP8266_SWD_GPIO_OUT_W1TS, line->clk);
    line_clock_down(line, paced);
    return level;
}

ESP8266_SWD_INLINE void line_drive(struct line *line, bool drive)
{
    if (drive)
        GPIO_STORE(line->base, ESP8266_SWD_GPIO_ENABLE_W1TS, line->dio);
    else
        GPIO_STORE(line->base, ESP8266_SWD_GPIO_ENABLE_W1TC, line->dio);
}

/* count (1-32) bits of value driven, LSB first: each is SWDIO while SWCLK is low, then the pulse. SWDIO is stored
 * only where a bit differs from the one before it (the latch, for the first), and every such change flips the level,
 * so the register to store to alternates between W1TS and W1TC without looking at the bit itself. */
ESP8266_SWD_INLINE void line_write_bits(struct line *line, uint32_t value, unsigned count, bool paced)
{
    uint32_t set = line->base + ESP8266_SWD_GPIO_OUT_W1TS, clear = line->base + ESP8266_SWD_GPIO_OUT_W1TC;
    uint32_t changes = value ^ ((value << 1) | (line->latch ? 1u : 0u));
    uint32_t next = line->latch ? clear : set;
    for (unsigned i = count; i > 0; i--, changes >>= 1) {
        if (changes & 1u) {
            gpio_store(next, line->dio);
            next = set + clear - next;
        }
        line_pulse(line, paced);
    }
    line->latch = next == clear ? line->dio : 0;
}

/* count (1-32) bits, LSB first. The bit's own mask counts the loop: it shifts out of the word after the 32nd. */
ESP8266_SWD_INLINE uint32_t line_read_bits(struct line *line, unsigned count, bool paced)
{
    uint32_t value = 0, bit = 1, end = count < 32 ? 1u << count : 0;
    do {
        if (line_read(line, paced))
            value |= bit;
        bit <<= 1;
    } while (bit != end);
    return value;
}

/* Even parity of a word, in IRAM like the loop (the core's swd_parity32 is in flash): fold each nibble's parity into
 * its low bit, then let one multiply (MULL) add the eight of them up into the top nibble. */
ESP8266_SWD_INLINE uint32_t parity32(uint32_t value)
{
    value ^= value >> 1;
    value ^= value >> 2;
    value = (value & 0x11111111u) * 0x11111111u;
    return (value >> 28) & 1u;
}

/* One packet, the schedule of src/swd/swd_packet.c (see the top of this file). */
ESP8266_SWD_INLINE unsigned line_packet(struct line *line, uint8_t request, uint32_t *data, bool paced)
{
    line_write_bits(line, request, ESP8266_SWD_REQUEST_BITS, paced);
    line_drive(line, false);
    line_pulse(line, paced); /* turnaround: the target takes SWDIO */
    unsigned ack = line_read_bits(line, 3, paced);

    if (ack == HAL_SWD_ACK_OK && (request & ESP8266_SWD_REQUEST_RNW)) {
        uint32_t value = line_read_bits(line, ESP8266_SWD_DATA_BITS, paced);
        uint32_t parity = line_read(line, paced) ? 1u : 0u;
        line_pulse(line, paced); /* turnaround: the host takes SWDIO back */
        line_drive(line, true);
        *data = value;
        return parity == parity32(value) ? ack : ack | HAL_SWD_PARITY_ERROR;
    }

    line_pulse(line, paced); /* turnaround */
    line_drive(line, true);
    if (ack == HAL_SWD_ACK_OK) {
        uint32_t value = *data;
        line_write_bits(line, value, ESP8266_SWD_DATA_BITS, paced);
        line_write_bits(line, parity32(value), 1, paced);
    }
    return ack;
}

ESP8266_SWD_INLINE unsigned wire_packet(struct esp8266_swd *wire, uint8_t request, uint32_t *data, bool paced)
{
    struct line line = line_load(wire);
    unsigned result = line_packet(&line, request, data, paced);
    line_save(wire, &line);
    return result;
}

/* The two loops: the same schedule, unpaced and paced. Not inlined, so that each is one piece of IRAM. */
static ESP8266_SWD_IRAM __attribute__((noinline)) unsigned esp8266_swd_packet_fast(struct esp8266_swd *wire, uint8_t request,
                                                                           uint32_t *data)
{
    return wire_packet(wire, request, data, false);
}

static ESP8266_SWD_IRAM __attribute__((noinline)) unsigned esp8266_swd_packet_paced(struct esp8266_swd *wire, uint8_t request,
                                                                            uint32_t *data)
{
    return wire_packet(wire, request, data, true);
}

ESP8266_SWD_IRAM unsigned esp8266_swd_transfer(void *ctx, uint8_t request, uint32_t *data)
{
    struct esp8266_swd *wire = ctx;
    return wire->half_period ? esp8266_swd_packet_paced(wire, request, data) : esp8266_swd_packet_fast(wire, request, data);
}

ESP8266_SWD_IRAM void esp8266_swd_set_swdio_output(void *ctx, bool drive)
{
    struct esp8266_swd *wire = ctx;
    struct line line = line_load(wire);
    line_drive(&line, drive);
}

ESP8266_SWD_IRAM void esp8266_swd_write_bit(void *ctx, bool bit)
{
    struct esp8266_swd *wire = ctx;
    struct line line = line_load(wire);
    if (line.half)
        line_write_bits(&line, bit, 1, true);
    else
        line_write_bits(&line, bit, 1, false);
    line_save(wire, &line);
}

ESP8266_SWD_IRAM bool esp8266_swd_read_bit(void *ctx)
{
    struct esp8266_swd *wire = ctx;
    struct line line = line_load(wire);
    uint32_t level = line.half ? line_read(&line, true) : line_read(&line, false);
    line_save(wire, &line);
    return level != 0;
}

/* ---- Setup and pace: not hot, so in flash ---- */

uint32_t esp8266_swd_set_clock_hz(void *ctx, uint32_t hz)
{
    struct esp8266_swd *wire = ctx;
    uint32_t fast = ESP8266_SWD_BIT_CYCLES(ESP8266_SWD_FAST_INSTRUCTIONS_PER_BIT, ESP8266_SWD_FAST_GPIO_ACCESSES_PER_BIT,
                                       ESP8266_SWD_FAST_TAKEN_BRANCHES_PER_BIT, wire->cpu_hz);
    /* Cycles per bit that keep SWCLK at or below hz; 0 asks for the fastest. */
    uint32_t wanted = hz ? (uint32_t)(((uint64_t)wire->cpu_hz + hz - 1) / hz) : 0;
    if (wanted <= fast) {
        wire->half_period = 0;
        wire->clock_hz = wire->cpu_hz / fast;
        return wire->clock_hz;
    }
    uint32_t half = (wanted + 1) / 2;
    uint32_t paced = ESP8266_SWD_BIT_CYCLES(ESP8266_SWD_PACED_INSTRUCTIONS_PER_BIT, ESP8266_SWD_PACED_GPIO_ACCESSES_PER_BIT,
                                        ESP8266_SWD_PACED_TAKEN_BRANCHES_PER_BIT, wire->cpu_hz);
    wire->half_period = half;
    wire->deadline = cycle_count();
    wire->clock_hz = wire->cpu_hz / (2 * half > paced ? 2 * half : paced);
    return wire->clock_hz;
}

bool esp8266_swd_init(struct esp8266_swd *wire, const struct esp8266_swd_config *config)
{
    if (config->swclk_gpio >= ESP8266_SWD_GPIO_COUNT || config->swdio_gpio >= ESP8266_SWD_GPIO_COUNT ||
        config->swclk_gpio == config->swdio_gpio || config->cpu_hz == 0)
        return false;
    *wire = (struct esp8266_swd){
        .gpio_base = config->gpio_base,
        .swclk_mask = 1u << config->swclk_gpio,
        .swdio_mask = 1u << config->swdio_gpio,
        .swdio_latch = 1u << config->swdio_gpio,
        .cpu_hz = config->cpu_hz,
    };
    /* Levels first, then the drivers: the pins come up at their idle levels without a glitch. */
    gpio_store(wire->gpio_base + ESP8266_SWD_GPIO_OUT_W1TC, wire->swclk_mask);
    gpio_store(wire->gpio_base + ESP8266_SWD_GPIO_OUT_W1TS, wire->swdio_mask);
    gpio_store(wire->gpio_base + ESP8266_SWD_GPIO_ENABLE_W1TS, wire->swclk_mask | wire->swdio_mask);
    esp8266_swd_set_clock_hz(wire, config->swclk_hz);
    return true;
}

void esp8266_swd_release(struct esp8266_swd *wire)
{
    gpio_store(wire->gpio_base + ESP8266_SWD_GPIO_ENABLE_W1TC, wire->swclk_mask | wire->swdio_mask);
}

void esp8266_swd_bind(struct esp8266_swd *wire, struct hal_swd *pins)
{
    *pins = (struct hal_swd){
        .ctx = wire,
        .set_swdio_output = esp8266_swd_set_swdio_output,
        .write_bit = esp8266_swd_write_bit,
        .read_bit = esp8266_swd_read_bit,
        .transfer = esp8266_swd_transfer,
        .set_clock_hz = esp8266_swd_set_clock_hz,
    };
}
