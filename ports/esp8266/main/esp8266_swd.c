/*
 * esp8266_swd.c - the SWD wire of the ESP8266 (esp8266_swd.h): GPIO register stores and loads in IRAM, paced by CCOUNT.
 *
 * One packet goes out exactly as the core's per-bit path builds it (src/swd/swd_packet.c), edge for edge:
 *   request: 8 x (SWDIO, SWCLK up, SWCLK down); SWDIO released; turnaround pulse; ACK: 3 x (sample, up, down);
 *   read OK: 32 data and 1 parity x (sample, up, down), turnaround pulse, SWDIO driven;
 *   write OK: turnaround pulse, SWDIO driven, 32 data and 1 parity x (SWDIO, up, down);
 *   any other ACK: turnaround pulse, SWDIO driven, and the packet ends.
 * The host's bits (request, write data, parity) take two GPIO accesses each instead of three: one store to OUT sets
 * SWDIO's level and takes SWCLK low at once (for the first bit of a run SWCLK is low already; for the others it is the
 * falling edge of the bit before, the edge where SWD hosts change SWDIO), one store to W1TS raises SWCLK. SWDIO thus
 * changes only while SWCLK is low or at its falling edge, never while it is high, and the levels go through the
 * per-bit path's sequence. OUT holds every GPIO's output latch: the packet reads it once, with interrupts masked, and
 * writes the other pins' latches back as they were; the mask keeps any other code from changing a GPIO output between
 * that read and the packet's last store (docs/esp8266.md, "Interrupts", says why that is harmless).
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

/* Masks interrupts: raises PS.INTLEVEL to 1 and returns PS as it was. On the lx106 every maskable interrupt is at level
 * 1 (the level the SDK's portDISABLE_INTERRUPTS raises to); the NMI stays on, as nothing can mask it. */
ESP8266_SWD_INLINE uint32_t interrupts_mask(void)
{
    uint32_t ps;
    __asm__ volatile("rsil %0, 1" : "=r"(ps) : : "memory");
    return ps;
}

/* Restores PS as interrupts_mask() returned it; rsync makes the new level hold before the next instruction. */
ESP8266_SWD_INLINE void interrupts_restore(uint32_t ps)
{
    __asm__ volatile("wsr.ps %0\n\trsync" : : "r"(ps) : "memory");
}

/* ---- The line: the wire's state while a packet or a bit is clocked, held in registers ---- */

struct line {
    uint32_t base;
    uint32_t clk;    /* SWCLK's mask */
    uint32_t dio;    /* SWDIO's mask */
    uint32_t latch;  /* SWDIO's output latch: dio or 0 */
    uint32_t half;   /* CCOUNT cycles per phase, paced loop only */
    uint32_t period; /* CCOUNT cycles from a host bit's rising edge to the next one's, held host bits only */
    uint32_t deadline;
    uint32_t low; /* OUT as read at the packet's start, SWCLK and SWDIO low: host bits through OUT only */
};

ESP8266_SWD_INLINE struct line line_load(const struct esp8266_swd *wire)
{
    return (struct line){wire->gpio_base,   wire->swclk_mask,  wire->swdio_mask, wire->swdio_latch,
                         wire->half_period, wire->host_period, wire->deadline,   0};
}

ESP8266_SWD_INLINE void line_save(struct esp8266_swd *wire, const struct line *line)
{
    wire->swdio_latch = line->latch;
    wire->deadline = line->deadline;
}

/* Spins until the deadline, then schedules the next one `interval` cycles after this edge. The deadline follows the
 * edge as it happened, so a phase stretched by an interrupt never makes the next one shorter. */
ESP8266_SWD_INLINE void line_wait(struct line *line, uint32_t interval)
{
    uint32_t now;
    do {
        now = cycle_count();
    } while ((int32_t)(now - line->deadline) < 0);
    line->deadline = now + interval;
}

/* Paced loop: every edge half a period after the one before. */
ESP8266_SWD_INLINE void line_pace(struct line *line, bool paced)
{
    if (paced)
        line_wait(line, line->half);
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

/* ---- Host bits through OUT: two accesses a bit, inside a masked packet only ---- */

/* The OUT word that puts SWDIO at `level` (nonzero: high) with SWCLK low and every other pin as the packet found it. */
ESP8266_SWD_INLINE uint32_t line_out_word(const struct line *line, uint32_t level)
{
    return level ? line->low | line->dio : line->low;
}

/* A host bit's rising edge. Paced, it waits half a period after the falling edge; held, a period after the last host
 * bit's rising edge (the target's bits cost more than that period and need no wait). */
ESP8266_SWD_INLINE void line_host_rise(struct line *line, bool paced, bool held)
{
    if (paced)
        line_wait(line, line->half);
    else if (held)
        line_wait(line, line->period);
    GPIO_STORE(line->base, ESP8266_SWD_GPIO_OUT_W1TS, line->clk);
}

/* The next host bit while SWCLK is high: one store to OUT is the falling edge and the bit's SWDIO, then the rising
 * edge. Returns with SWCLK high. */
ESP8266_SWD_INLINE void line_host_next(struct line *line, uint32_t word, bool paced, bool held)
{
    line_pace(line, paced);
    GPIO_STORE(line->base, ESP8266_SWD_GPIO_OUT, word);
    line_host_rise(line, paced, held);
}

/* count (1-32) host bits of value, LSB first, starting with SWCLK low: the first bit's store to OUT only sets SWDIO,
 * as the per-bit path's does, and waits for nothing. Returns with SWCLK high, SWDIO at the last bit. The bits after
 * the first leave from the bottom of `rest`, above a 1 that ends the loop when it gets to bit 0: one register holds
 * the bits and the count. */
ESP8266_SWD_INLINE void line_host_bits(struct line *line, uint32_t value, unsigned count, bool paced, bool held)
{
    uint32_t bits = count < 32 ? value & ((1u << count) - 1u) : value;
    GPIO_STORE(line->base, ESP8266_SWD_GPIO_OUT, line_out_word(line, bits & 1u));
    line_host_rise(line, paced, held);
    for (uint32_t rest = (bits >> 1) | (1u << (count - 1)); rest != 1u; rest >>= 1)
        line_host_next(line, line_out_word(line, rest & 1u), paced, held);
    line->latch = (bits >> (count - 1)) & 1u ? line->dio : 0;
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

/* The host's part of a packet: count bits of value, then (with_parity) the parity bit of value; SWCLK low at the end.
 * Through OUT (out_writes: inside a masked packet), held to the period when `held`; through W1TS/W1TC otherwise. */
ESP8266_SWD_INLINE void line_send(struct line *line, uint32_t value, unsigned count, bool with_parity, bool paced,
                                  bool out_writes, bool held)
{
    uint32_t parity = parity32(value); /* before the bits: the last data bit's cycle waits for no computation */
    if (!out_writes) {
        line_write_bits(line, value, count, paced);
        if (with_parity)
            line_write_bits(line, parity, 1, paced);
        return;
    }
    line_host_bits(line, value, count, paced, held);
    if (with_parity) {
        line_host_next(line, line_out_word(line, parity), paced, held);
        line->latch = parity ? line->dio : 0;
    }
    line_clock_down(line, paced);
}

/* The host's part, with `held` a constant in each copy: the held and the free loop are two loops, not one that tests
 * the period at every bit. */
ESP8266_SWD_INLINE void line_host_part(struct line *line, uint32_t value, unsigned count, bool with_parity, bool paced,
                                       bool out_writes)
{
    if (!paced && line->period)
        line_send(line, value, count, with_parity, false, true, true);
    else
        line_send(line, value, count, with_parity, paced, out_writes, false);
}

/* One packet, the schedule of src/swd/swd_packet.c (see the top of this file). The request and a write's data leave
 * through the same copy of the host's part, so that each loop is in IRAM once: the body below runs once for a read or
 * a packet that ends at its ACK, twice for a write answered OK. */
ESP8266_SWD_INLINE unsigned line_packet(struct line *line, uint8_t request, uint32_t *data, bool paced, bool out_writes)
{
    uint32_t value = request;
    unsigned count = ESP8266_SWD_REQUEST_BITS, ack = 0;
    for (bool data_phase = false;; data_phase = true) {
        line_host_part(line, value, count, data_phase, paced, out_writes);
        if (data_phase)
            return ack;
        line_drive(line, false);
        line_pulse(line, paced); /* turnaround: the target takes SWDIO */
        ack = line_read_bits(line, 3, paced);

        if (ack == HAL_SWD_ACK_OK && (request & ESP8266_SWD_REQUEST_RNW)) {
            uint32_t read = line_read_bits(line, ESP8266_SWD_DATA_BITS, paced);
            uint32_t parity = line_read(line, paced) ? 1u : 0u;
            line_pulse(line, paced); /* turnaround: the host takes SWDIO back */
            line_drive(line, true);
            *data = read;
            return parity == parity32(read) ? ack : ack | HAL_SWD_PARITY_ERROR;
        }

        line_pulse(line, paced); /* turnaround */
        line_drive(line, true);
        if (ack != HAL_SWD_ACK_OK)
            return ack;
        value = *data;
        count = ESP8266_SWD_DATA_BITS;
    }
}

/* A packet. With host bits through OUT (every loop but PACED_OPEN) interrupts stay masked from the read of OUT to the
 * packet's last store, so that the other pins' latches it writes back are still theirs. */
ESP8266_SWD_INLINE unsigned wire_packet(struct esp8266_swd *wire, uint8_t request, uint32_t *data, bool paced)
{
    struct line line = line_load(wire);
    bool out_writes = !paced || wire->loop != ESP8266_SWD_LOOP_PACED_OPEN;
    uint32_t ps = 0;
    if (out_writes) {
        ps = interrupts_mask();
        GPIO_LOAD(line.base, ESP8266_SWD_GPIO_OUT, line.low);
        line.low &= ~(line.clk | line.dio);
    }
    unsigned result = line_packet(&line, request, data, paced, out_writes);
    if (out_writes)
        interrupts_restore(ps);
    line_save(wire, &line);
    return result;
}

/* The two functions: the same schedule, unpaced (FAST, HELD) and paced (PACED, PACED_OPEN). Not inlined, so that each
 * is one piece of IRAM. */
static ESP8266_SWD_IRAM __attribute__((noinline)) unsigned esp8266_swd_packet_fast(struct esp8266_swd *wire,
                                                                                   uint8_t request, uint32_t *data)
{
    return wire_packet(wire, request, data, false);
}

static ESP8266_SWD_IRAM __attribute__((noinline)) unsigned esp8266_swd_packet_paced(struct esp8266_swd *wire,
                                                                                    uint8_t request, uint32_t *data)
{
    return wire_packet(wire, request, data, true);
}

ESP8266_SWD_IRAM unsigned esp8266_swd_transfer(void *ctx, uint8_t request, uint32_t *data)
{
    struct esp8266_swd *wire = ctx;
    return wire->half_period ? esp8266_swd_packet_paced(wire, request, data)
                             : esp8266_swd_packet_fast(wire, request, data);
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

static uint32_t bit_cycles(enum esp8266_swd_loop loop, enum esp8266_swd_direction direction, uint32_t cpu_hz)
{
    return ESP8266_SWD_COST_CYCLES(esp8266_swd_costs[loop][direction], cpu_hz);
}

/* Each phase by its own cost. A target's bit costs more than a host's in every loop, so that the host's bits are the
 * fastest the wire clocks, and the answer is their rate. */
uint32_t esp8266_swd_set_clock_hz(void *ctx, uint32_t hz)
{
    struct esp8266_swd *wire = ctx;
    uint32_t cpu_hz = wire->cpu_hz;
    /* Cycles per bit that keep SWCLK at or below hz; 0 asks for the fastest. */
    uint32_t wanted = hz ? (uint32_t)(((uint64_t)cpu_hz + hz - 1) / hz) : 0;
    if (wanted <= bit_cycles(ESP8266_SWD_LOOP_FAST, ESP8266_SWD_READ, cpu_hz)) {
        /* Unpaced: the target's bits never run faster than hz; the host's, where they would, wait for the period. */
        uint32_t host = bit_cycles(ESP8266_SWD_LOOP_FAST, ESP8266_SWD_WRITE, cpu_hz);
        wire->half_period = 0;
        wire->host_period = 0;
        wire->loop = ESP8266_SWD_LOOP_FAST;
        if (wanted > host) {
            uint32_t held = bit_cycles(ESP8266_SWD_LOOP_HELD, ESP8266_SWD_WRITE, cpu_hz);
            wire->host_period = wanted;
            wire->loop = ESP8266_SWD_LOOP_HELD;
            host = wanted > held ? wanted : held;
        }
        wire->clock_hz = cpu_hz / host;
        return wire->clock_hz;
    }
    /* Paced: every phase at least half a period. Interrupts stay masked for a packet only while it is short. */
    uint32_t half = (wanted + 1) / 2;
    uint64_t packet_cycles = (uint64_t)ESP8266_SWD_PACKET_CYCLES * 2u * half;
    bool masked = packet_cycles * 1000000u <= (uint64_t)ESP8266_SWD_MASKED_PACKET_MAX_US * cpu_hz;
    wire->loop = masked ? ESP8266_SWD_LOOP_PACED : ESP8266_SWD_LOOP_PACED_OPEN;
    uint32_t host = bit_cycles(wire->loop, ESP8266_SWD_WRITE, cpu_hz);
    wire->half_period = half;
    wire->host_period = 0;
    wire->deadline = cycle_count();
    wire->clock_hz = cpu_hz / (2 * half > host ? 2 * half : host);
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
