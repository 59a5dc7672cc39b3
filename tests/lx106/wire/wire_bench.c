/*
 * wire_bench.c - instructions per SWD bit of the port's wire, counted in QEMU's instruction trace of the production
 * object code, and the SWCLK that follows on the chip by esp8266_swd.h's cost model.
 *
 * The trace (-singlestep -d exec,nochain) has one line per executed instruction. A store the model performs for
 * QEMU (wire_model.c) shows once: QEMU logs it, stops before it, and the model moves PC past it. The program's
 * commands all come from one store instruction, so its n-th appearance in the trace is the n-th command the model
 * received; a benchmark packet's window lies between its WIRE_BENCH_BEGIN and WIRE_BENCH_END. Inside a window only
 * the instructions in IRAM (the wire) count. The data phase is measured from rising edge to rising edge: for a read
 * from the 13th (data bit 0 sampled just before it) to the 45th, for a write from the 14th to the 46th: 32 bits.
 * Each of the wire's loops (enum esp8266_swd_loop) is measured where no deadline makes it wait.
 *
 * Output: one line per measurement, as bench/ prints them: what, the figure, its unit, the reference, the ratio.
 */
#define _GNU_SOURCE
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "esp8266_swd.h"
#include "wire_model.h"

#define PACKET_BITS    46u
#define DATA_BITS      32u
#define GOAL_SWCLK_MHZ 4.0
#define WORD_BYTES     4u

static const char *const loop_names[ESP8266_SWD_LOOP_COUNT] = {"fast", "held", "paced", "paced-open"};
static const char *const direction_names[ESP8266_SWD_DIRECTION_COUNT] = {"read", "write"};

void bench_command(struct model *model, uint32_t command, uint32_t direction, uint32_t loop)
{
    if (direction >= ESP8266_SWD_DIRECTION_COUNT || loop >= ESP8266_SWD_LOOP_COUNT) {
        model_fail(model, "benchmark command for direction %u, loop %u", direction, loop);
        return;
    }
    struct bench_window *window = &model->windows[direction][loop];
    if (command == WIRE_BENCH_BEGIN) {
        window->seen = true;
        window->begin_command = model->commands_count;
        window->gpio_stores_at_begin = model->gpio_stores;
    } else {
        window->end_command = model->commands_count;
        window->gpio_stores = model->gpio_stores - window->gpio_stores_at_begin;
    }
}

/* ---- The wire's code: each instruction's length and whether it is a memw ----
 * Decoded from the bytes at each executed PC, not from a disassembly: objdump's linear sweep loses its way after the
 * padding the assembler leaves behind a jump, and misreads the loop that follows. On the lx106 (no FLIX, no wide
 * branches) an instruction's length is in its first nibble, op0: 8 to 13 are the 16-bit density forms, the rest
 * 24-bit. memw is the 24-bit word 0x0020C0. */

struct code_map {
    uint32_t start, end;
    uint8_t *bytes; /* by address - start */
};

static bool code_map_load(struct code_map *map, const char *objdump, const char *elf)
{
    size_t size = map->end - map->start;
    map->bytes = calloc(size + 4, 1);
    char command[1024];
    snprintf(command, sizeof command, "'%s' -s --start-address=0x%x --stop-address=0x%x '%s'", objdump, map->start,
             map->end, elf);
    FILE *pipe = popen(command, "r");
    if (!pipe || !map->bytes)
        return false;
    char line[512];
    size_t loaded = 0;
    while (fgets(line, sizeof line, pipe)) {
        /* " 40100010 12b82278 012852c9 b1d9a1e9 91f98149  ..\"x.(R........I" */
        unsigned long address;
        int used;
        if (sscanf(line, " %lx%n", &address, &used) != 1 || address < map->start || address >= map->end)
            continue;
        const char *hex = line + used;
        for (unsigned group = 0; group < 4; group++) {
            char word[9];
            if (sscanf(hex, " %8[0-9a-f]%n", word, &used) != 1 || strlen(word) % 2)
                break;
            hex += used;
            for (size_t i = 0; i < strlen(word) / 2 && address < map->end; i++, address++, loaded++) {
                unsigned byte;
                sscanf(word + 2 * i, "%2x", &byte);
                map->bytes[address - map->start] = (uint8_t)byte;
            }
        }
    }
    pclose(pipe);
    return loaded == size;
}

static unsigned code_length(const struct code_map *map, uint32_t pc)
{
    unsigned op0 = map->bytes[pc - map->start] & 0xFu;
    return op0 >= 8 && op0 <= 13 ? 2 : 3;
}

static bool code_memw(const struct code_map *map, uint32_t pc)
{
    const uint8_t *code = &map->bytes[pc - map->start];
    return code[0] == 0xC0 && code[1] == 0x20 && code[2] == 0x00;
}

/* ---- A window of the trace ---- */

struct window_trace {
    uint32_t *pcs; /* the wire's instructions, in execution order */
    size_t count, capacity;
};

static void window_add(struct window_trace *window, uint32_t pc)
{
    if (window->count == window->capacity) {
        window->capacity = window->capacity ? 2 * window->capacity : 4096;
        window->pcs = realloc(window->pcs, window->capacity * sizeof *window->pcs);
        if (!window->pcs) {
            perror("realloc");
            exit(1);
        }
    }
    window->pcs[window->count++] = pc;
}

/* Splits the trace into the benchmark windows. */
static bool trace_read(struct model *model, const char *path,
                       struct window_trace windows[ESP8266_SWD_DIRECTION_COUNT][ESP8266_SWD_LOOP_COUNT])
{
    FILE *trace = fopen(path, "r");
    if (!trace)
        return false;
    char line[256];
    unsigned commands = 0; /* commands issued so far */
    while (fgets(line, sizeof line, trace)) {
        /* "Trace 0: 0x7f... [00000000/40100010/00018004/ff000201] " */
        const char *bracket = strchr(line, '[');
        unsigned long flags, pc;
        if (!bracket || sscanf(bracket, "[%lx/%lx/", &flags, &pc) != 2)
            continue;
        if (pc == model->command_pc) {
            commands++;
            continue;
        }
        if (pc < model->iram_start || pc >= model->iram_end)
            continue;
        for (unsigned d = 0; d < ESP8266_SWD_DIRECTION_COUNT; d++) {
            for (unsigned loop = 0; loop < ESP8266_SWD_LOOP_COUNT; loop++) {
                const struct bench_window *window = &model->windows[d][loop];
                /* After the BEGIN command's store (number begin_command + 1), before the END's. */
                if (window->seen && commands > window->begin_command && commands <= window->end_command)
                    window_add(&windows[d][loop], (uint32_t)pc);
            }
        }
    }
    fclose(trace);
    return commands == model->commands_count;
}

struct counts {
    double instructions, accesses, taken;
};

static struct counts count_range(const struct code_map *map, const struct window_trace *window, size_t from, size_t to)
{
    struct counts counts = {0};
    for (size_t i = from; i < to; i++) {
        uint32_t pc = window->pcs[i];
        counts.instructions++;
        counts.accesses += code_memw(map, pc);
        if (i + 1 < window->count && window->pcs[i + 1] != pc + code_length(map, pc))
            counts.taken++;
    }
    return counts;
}

static struct counts per_bit(struct counts counts, double bits)
{
    return (struct counts){counts.instructions / bits, counts.accesses / bits, counts.taken / bits};
}

struct packet_figures {
    struct counts packet; /* the whole packet, per bit */
    struct counts data;   /* the data phase, per bit */
};

static bool measure(struct model *model, const struct code_map *map, const struct window_trace *window,
                    unsigned direction, unsigned loop, struct packet_figures *figures)
{
    const char *name = direction_names[direction];
    size_t rising[PACKET_BITS + 1], edges = 0;
    unsigned long stores = 0;
    for (size_t i = 0; i < window->count; i++) {
        stores += model_pc_in(&model->gpio_store_pcs, window->pcs[i]);
        if (model_pc_in(&model->rising_pcs, window->pcs[i]) && edges <= PACKET_BITS)
            rising[edges++] = i;
    }
    if (edges != PACKET_BITS) {
        model_fail(model, "benchmark %s (%s loop): %zu rising edges in the trace, not %u", name, loop_names[loop],
                   edges, PACKET_BITS);
        return false;
    }
    /* Each store the model served must show once: otherwise the counts below would be off. */
    const struct bench_window *served = &model->windows[direction][loop];
    if (stores != served->gpio_stores) {
        model_fail(model, "benchmark %s: %lu GPIO stores in the trace, the model served %lu", name, stores,
                   served->gpio_stores);
        return false;
    }
    size_t first = direction == ESP8266_SWD_READ ? 12 : 13;
    figures->packet = per_bit(count_range(map, window, 0, window->count), PACKET_BITS);
    figures->data = per_bit(count_range(map, window, rising[first], rising[first + DATA_BITS]), DATA_BITS);
    return true;
}

static double bit_cycles(struct counts counts, uint32_t cpu_hz)
{
    return ESP8266_SWD_BIT_CYCLES(counts.instructions, counts.accesses, counts.taken, cpu_hz);
}

static void report_loop(const struct packet_figures figures[ESP8266_SWD_DIRECTION_COUNT], unsigned loop)
{
    for (unsigned d = 0; d < ESP8266_SWD_DIRECTION_COUNT; d++) {
        char label[96];
        const struct counts *whole = &figures[d].packet, *data = &figures[d].data;
        const struct esp8266_swd_cost *header = &esp8266_swd_costs[loop][d];
        snprintf(label, sizeof label, "lx106 SWD %s packet, %s loop", direction_names[d], loop_names[loop]);
        printf("%-46s %6.2f instructions/bit  (%.0f in 46 bits)\n", label, whole->instructions,
               whole->instructions * PACKET_BITS);
        snprintf(label, sizeof label, "lx106 SWD %s data phase, %s loop", direction_names[d], loop_names[loop]);
        printf("%-46s %6.2f instructions/bit  %.2f GPIO accesses, %.2f taken branches  esp8266_swd.h %u/%u/%u  ratio "
               "%.3f\n",
               label, data->instructions, data->accesses, data->taken, header->instructions, header->gpio_accesses,
               header->taken_branches, data->instructions / header->instructions);
    }
}

/* The fast loop's bits and words on the chip, by esp8266_swd.h's cost model. A block-read or block-write word is a
 * DRW read or write answered OK: a 46-cycle packet, the wire's own instructions all counted (the mask, OUT's read,
 * the request, the ACK, the turnarounds); the core's work between packets is not. */
static void report_swclk(const struct packet_figures figures[ESP8266_SWD_DIRECTION_COUNT])
{
    static const uint32_t clocks[] = {80000000u, 160000000u};
    for (unsigned c = 0; c < 2; c++) {
        char label[96];
        for (unsigned d = 0; d < ESP8266_SWD_DIRECTION_COUNT; d++) {
            double cycles = bit_cycles(figures[d].data, clocks[c]), mhz = clocks[c] / cycles / 1e6;
            snprintf(label, sizeof label, "SWCLK on the chip, CPU %u MHz, %s bit", clocks[c] / 1000000u,
                     direction_names[d]);
            printf("%-46s %6.2f MHz estimate  (%.1f cycles/bit)  goal >= %.0f MHz  ratio %.2f\n", label, mhz, cycles,
                   GOAL_SWCLK_MHZ, mhz / GOAL_SWCLK_MHZ);
        }
        for (unsigned d = 0; d < ESP8266_SWD_DIRECTION_COUNT; d++) {
            double word = bit_cycles(figures[d].packet, clocks[c]) * PACKET_BITS;
            double mhz = clocks[c] / (word / PACKET_BITS) / 1e6;
            snprintf(label, sizeof label, "SWCLK on the chip, CPU %u MHz, block-%s word", clocks[c] / 1000000u,
                     direction_names[d]);
            printf("%-46s %6.2f MHz estimate  (%.0f cycles a 46-cycle packet, %.2f us, %.0f KB/s)  goal >= %.0f MHz  "
                   "ratio %.2f\n",
                   label, mhz, word, word / clocks[c] * 1e6, WORD_BYTES * clocks[c] / word / 1024.0, GOAL_SWCLK_MHZ,
                   mhz / GOAL_SWCLK_MHZ);
        }
    }
    printf("%-46s %6u cycles     (7 cycles of the 80 MHz bus, assumed; memw included)  esp8266_swd.h\n",
           "GPIO register access, CPU 160 MHz", ESP8266_SWD_GPIO_ACCESS_CYCLES(160000000u));
    /* How much the answer at 160 MHz rests on that assumption: the same loop if an access took 7 CPU cycles. */
    for (unsigned i = 0; i < 2 * ESP8266_SWD_DIRECTION_COUNT; i++) {
        unsigned d = i % ESP8266_SWD_DIRECTION_COUNT;
        bool word = i >= ESP8266_SWD_DIRECTION_COUNT;
        const struct counts *counts = word ? &figures[d].packet : &figures[d].data;
        double cycles = counts->instructions + counts->accesses * (ESP8266_SWD_GPIO_ACCESS_BUS_CYCLES - 2.0) +
                        counts->taken * ESP8266_SWD_BRANCH_TAKEN_EXTRA;
        char label[96];
        snprintf(label, sizeof label, "  if an access took 7 CPU cycles, %s%s%s", word ? "block-" : "",
                 direction_names[d], word ? " word" : " bit");
        printf("%-46s %6.2f MHz estimate  (%.1f cycles/bit)  goal >= %.0f MHz  ratio %.2f\n", label, 160.0 / cycles,
               cycles, GOAL_SWCLK_MHZ, 160.0 / cycles / GOAL_SWCLK_MHZ);
    }
}

/* The header's cost of each loop and direction against the measurement (per-bit averages over 32 bits: a loop branch
 * that falls just outside the window shows as 0.97 or 1.03, hence the rounding); and, exactly, the two GPIO accesses a
 * write bit takes through OUT. */
static void check_header(struct model *model, const struct packet_figures figures[ESP8266_SWD_DIRECTION_COUNT],
                         unsigned loop)
{
    for (unsigned d = 0; d < ESP8266_SWD_DIRECTION_COUNT; d++) {
        const struct counts *data = &figures[d].data;
        const struct esp8266_swd_cost *header = &esp8266_swd_costs[loop][d];
        unsigned instructions = (unsigned)lround(data->instructions), accesses = (unsigned)lround(data->accesses),
                 taken = (unsigned)lround(data->taken);
        if (instructions != header->instructions || accesses != header->gpio_accesses ||
            taken != header->taken_branches)
            model_fail(model,
                       "esp8266_swd.h's cost of a %s bit in the %s loop (%u instructions, %u GPIO accesses, %u taken "
                       "branches) is not the code's (%u, %u, %u): update it, set_clock_hz relies on it",
                       direction_names[d], loop_names[loop], header->instructions, header->gpio_accesses,
                       header->taken_branches, instructions, accesses, taken);
        else
            printf("ok    esp8266_swd.h's cost of a %s bit in the %s loop matches the code: %u instructions, %u GPIO "
                   "accesses, %u taken branches\n",
                   direction_names[d], loop_names[loop], instructions, accesses, taken);
    }
    double write_accesses = figures[ESP8266_SWD_WRITE].data.accesses * DATA_BITS;
    if (loop != ESP8266_SWD_LOOP_PACED_OPEN && write_accesses != 2.0 * DATA_BITS)
        model_fail(model, "a write's data phase in the %s loop takes %.0f GPIO accesses for %u bits, not 2 a bit",
                   loop_names[loop], write_accesses, DATA_BITS);
}

void bench_report(struct model *model, const char *trace, const char *objdump, const char *elf, bool check)
{
    struct code_map map = {.start = model->iram_start, .end = model->iram_end};
    static struct window_trace windows[ESP8266_SWD_DIRECTION_COUNT][ESP8266_SWD_LOOP_COUNT];
    if (!code_map_load(&map, objdump, elf)) {
        model_fail(model, "cannot disassemble the wire's IRAM (%s)", objdump);
        return;
    }
    if (!trace_read(model, trace, windows)) {
        model_fail(model, "the instruction trace %s does not hold the %u commands the model received", trace,
                   model->commands_count);
        return;
    }
    struct packet_figures figures[ESP8266_SWD_LOOP_COUNT][ESP8266_SWD_DIRECTION_COUNT];
    for (unsigned loop = 0; loop < ESP8266_SWD_LOOP_COUNT; loop++) {
        for (unsigned d = 0; d < ESP8266_SWD_DIRECTION_COUNT; d++) {
            if (!model->windows[d][loop].seen || !measure(model, &map, &windows[d][loop], d, loop, &figures[loop][d]))
                return;
        }
    }
    for (unsigned loop = 0; loop < ESP8266_SWD_LOOP_COUNT; loop++) {
        if (check)
            check_header(model, figures[loop], loop);
        else
            report_loop(figures[loop], loop);
    }
    if (check)
        return;
    report_swclk(figures[ESP8266_SWD_LOOP_FAST]);
    printf("%-46s %6u bytes      (the SDK app of the reference: 22.6 KB of IRAM left)\n", "IRAM taken by the wire",
           model->iram_end - model->iram_start);
}
