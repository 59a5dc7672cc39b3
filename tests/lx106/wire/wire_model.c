/*
 * wire_model.c - the host half of the lx106 wire test: starts QEMU on wire_target.elf, plays the ESP8266's GPIO
 * registers and a simulated STM32 behind them through QEMU's gdbstub, and compares the edges of the two paths.
 *
 * QEMU's sim machine has no GPIO, so the model must see every store the wire makes into `wire_io` (the RAM that
 * stands in for the GPIO block) and answer on the IN word before the next instruction runs. A write watchpoint
 * (Z2) covers the block. QEMU's xtensa stub stops before the store, so the model performs it: it reads the
 * registers, decodes the s32i/s32i.n at PC, applies the GPIO register's meaning (OUT sets every latch, W1TS sets,
 * W1TC clears, ENABLE W1TS/W1TC drive or release), moves PC past the store, writes the new OUT, ENABLE and IN words
 * into the target's RAM, and continues. On each rising edge of SWCLK the simulated target (sim/, the project's SW-DP
 * with its fault injector) clocks one cycle, and what it drives becomes SWDIO's bit in IN while the wire has SWDIO
 * released. OUT starts with a pattern in the other pins' latches, which no store may change.
 *
 * A store to OUT that takes SWCLK low and changes SWDIO is recorded as two changes, the falling edge and then SWDIO:
 * the target samples SWDIO only on rising edges, so the two orders are the same wire to it, and the per-bit path makes
 * them in that order. A store that changes SWDIO (its latch or its driver) and leaves SWCLK high, or raises it, fails.
 *
 * The model also reads PS at every store: a store to OUT must be made with interrupts masked (PS.INTLEVEL >= 1), so
 * must every store of a transfer packet up to its last rising edge in the loops that write OUT; the per-bit path and
 * PACED_OPEN mask nothing, and no command reaches the mailbox with interrupts masked. Between WIRE_PACKET and
 * WIRE_PACKET_END it counts the stores up to each rising edge: through OUT a host bit takes two, one to OUT and one
 * to W1TS, so the request's bits 1-7 take 14 stores and a write's data bits 1-31 and parity 64.
 *
 * For each scenario the program announces a run (WIRE_BEGIN); the model brings up a fresh simulated target and
 * records every change of SWCLK, SWDIO's latch and SWDIO's driver until WIRE_END. The run through the port's
 * transfer must record exactly the changes of the run through the core's per-bit path.
 *
 * With --bench, QEMU also writes an instruction trace (-singlestep -d exec,nochain), and the model counts the
 * instructions of the benchmark packets in it (wire_bench.c); with --check-cost it also fails when esp8266_swd.h's cost
 * constants no longer match them.
 *
 * Usage: lx106_wire_model [--bench | --check-cost] ELF [QEMU [NM [OBJDUMP]]]   (default: the Debian names)
 * Exit status: 0 pass, 1 fail, 77 skipped (the program could not be built here: the reason is printed).
 * WIRE_MODEL_TRACE=1 in the environment prints every store the model serves (PC, value, address) on stderr.
 */
#define _GNU_SOURCE
#include "wire_model.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "esp8266_swd.h"
#include "sim_target.h"
#include "swd/swd.h"
#include "test_skip.h"

/* QEMU's lx106 register order in the 'g' packet: a0-a15, pc, then special registers, PS the 22nd (QEMU 7.2: the
 * session checks it reads PS's reset value, 0x1F, before the program runs). */
#define XTENSA_REGISTER_PC 16u
#define XTENSA_REGISTER_PS 21u
#define XTENSA_REGISTERS   22u
#define XTENSA_PS_RESET    0x1Fu
#define XTENSA_PS_INTLEVEL 0xFu

#define GDB_REPLY_TIMEOUT_MS 20000
#define QEMU_EXIT_TIMEOUT_MS 10000

/* The IN word's bits of pins the wire does not drive: a pattern, so that a wire that forgets its mask reads junk. */
#define IN_OTHER_PINS 0x5A5AA5A5u
/* OUT as the program finds it: other pins' latches (and the upper half, BT_SEL on the chip) that the wire must write
 * back unchanged. */
#define OUT_OTHER_PINS 0x3C5A96A5u

void model_fail(struct model *model, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    printf("FAIL  ");
    vprintf(format, args);
    printf("\n");
    va_end(args);
    model->failures++;
}

/* ---- The programs it runs ---- */

static bool model_have_program(const char *name)
{
    if (strchr(name, '/'))
        return access(name, X_OK) == 0;
    const char *path = getenv("PATH");
    while (path && *path) {
        const char *end = strchrnul(path, ':');
        char candidate[1024];
        snprintf(candidate, sizeof candidate, "%.*s/%s", (int)(end - path), path, name);
        if (access(candidate, X_OK) == 0)
            return true;
        path = *end ? end + 1 : NULL;
    }
    return false;
}

static bool model_symbol(const char *nm, const char *elf, const char *name, uint32_t *address)
{
    char command[1024];
    snprintf(command, sizeof command, "'%s' '%s'", nm, elf);
    FILE *pipe = popen(command, "r");
    if (!pipe)
        return false;
    char line[512];
    bool found = false;
    while (!found && fgets(line, sizeof line, pipe)) {
        unsigned long value;
        char type, symbol[256];
        if (sscanf(line, "%lx %c %255s", &value, &type, symbol) == 3 && strcmp(symbol, name) == 0) {
            *address = (uint32_t)value;
            found = true;
        }
    }
    pclose(pipe);
    return found;
}

void model_pc_add(struct model_pcs *set, uint32_t pc)
{
    for (unsigned i = 0; i < set->count; i++) {
        if (set->pcs[i] == pc)
            return;
    }
    if (set->count == MODEL_MAX_PCS) {
        /* A PC left out would make the benchmark miscount its stores: stop instead. */
        fprintf(stderr, "wire_model: more than %d distinct store PCs; raise MODEL_MAX_PCS\n", MODEL_MAX_PCS);
        exit(1);
    }
    set->pcs[set->count++] = pc;
}

bool model_pc_in(const struct model_pcs *set, uint32_t pc)
{
    for (unsigned i = 0; i < set->count; i++) {
        if (set->pcs[i] == pc)
            return true;
    }
    return false;
}

/* ---- The GPIO registers ---- */

static uint32_t model_swdio_line(struct model *model)
{
    /* Nobody drives the line before the simulator's first cycle: the pull-up. */
    bool level = model->target ? sim_target_swdio(model->target) : true;
    return (level != model->flip_now) ? model->dio : 0;
}

static uint32_t model_in(struct model *model)
{
    uint32_t driven = model->out & model->enable;
    uint32_t in = driven | (IN_OTHER_PINS & ~model->enable & ~(model->clk | model->dio));
    if (model->dio && !(model->enable & model->dio))
        in |= model_swdio_line(model);
    return in;
}

/* The state of the wire's pins that the edge record holds. */
static uint8_t model_pins(const struct model *model)
{
    return (uint8_t)(((model->out & model->clk) ? EDGE_SWCLK : 0) | ((model->enable & model->clk) ? EDGE_SWCLK_OE : 0) |
                     ((model->out & model->dio) ? EDGE_SWDIO : 0) | ((model->enable & model->dio) ? EDGE_SWDIO_OE : 0));
}

static void edges_add(struct edges *edges, uint8_t state)
{
    if (edges->count == edges->capacity) {
        edges->capacity = edges->capacity ? 2 * edges->capacity : 1024;
        edges->states = realloc(edges->states, edges->capacity);
        if (!edges->states) {
            perror("realloc");
            exit(1);
        }
    }
    edges->states[edges->count++] = state;
}

static struct edges *model_recording(struct model *model)
{
    return model->recording ? &model->records[model->setting][model->scenario][model->path] : NULL;
}

static void model_rising_edge(struct model *model)
{
    model->rising_edges++;
    if (model->target)
        sim_target_swd_cycle(model->target, (model->enable & model->dio) != 0, (model->out & model->dio) != 0);
    /* The injected bit error lasts from the chosen rising edge to the next one. */
    model->flip_now = model->flip_armed && model->rising_edges - 1 == model->flip_edge;
    if (model->flip_now)
        model->flip_armed = false;
}

static bool model_masked(const struct model *model)
{
    return (model->ps & XTENSA_PS_INTLEVEL) != 0;
}

static const char *model_path_name(const struct model *model)
{
    return model->path == WIRE_PATH_PER_BIT ? "per-bit path" : "transfer";
}

/* A store of value into register `offset` of the GPIO block. */
static void model_gpio_store(struct model *model, uint32_t offset, uint32_t value, uint32_t pc)
{
    uint32_t wire_pins = model->clk | model->dio;
    if (model->in_packet) {
        model->packet_stores++;
        model->packet_masked += model_masked(model);
    }
    if (model->recording && (value & ~wire_pins) && offset != ESP8266_SWD_GPIO_IN && offset != ESP8266_SWD_GPIO_OUT) {
        model_fail(model, "store of 0x%08x to GPIO register 0x%02x at PC 0x%08x touches pins the wire does not own",
                   value, offset, pc);
    }
    uint8_t before = model_pins(model);
    switch (offset) {
    case ESP8266_SWD_GPIO_OUT:
        if ((value ^ model->out) & ~wire_pins)
            model_fail(model,
                       "store of 0x%08x to OUT at PC 0x%08x changes latches the wire does not own (OUT was 0x%08x)",
                       value, pc, model->out);
        if (!model_masked(model))
            model_fail(model,
                       "store to OUT at PC 0x%08x with interrupts on (PS 0x%08x): another task or interrupt "
                       "could change a pin between the wire's read of OUT and this store",
                       pc, model->ps);
        model->out = value;
        break;
    case ESP8266_SWD_GPIO_OUT_W1TS: model->out |= value; break;
    case ESP8266_SWD_GPIO_OUT_W1TC: model->out &= ~value; break;
    case ESP8266_SWD_GPIO_ENABLE_W1TS: model->enable |= value; break;
    case ESP8266_SWD_GPIO_ENABLE_W1TC: model->enable &= ~value; break;
    default:
        /* ENABLE itself would change the other pins' drivers; IN is read-only. */
        model_fail(model,
                   "store of 0x%08x to GPIO register 0x%02x at PC 0x%08x: the wire writes OUT and the W1TS/W1TC "
                   "registers only",
                   value, offset, pc);
        return;
    }
    uint8_t after = model_pins(model);
    if (after == before)
        return;
    const uint8_t clock_on = EDGE_SWCLK | EDGE_SWCLK_OE;
    bool swdio_changes = ((before ^ after) & (EDGE_SWDIO | EDGE_SWDIO_OE)) != 0;
    if (swdio_changes && (after & clock_on) == clock_on)
        model_fail(model, "store of 0x%08x to GPIO register 0x%02x at PC 0x%08x changes SWDIO while SWCLK is high",
                   value, offset, pc);
    struct edges *edges = model_recording(model);
    if (edges && swdio_changes && (before & EDGE_SWCLK) && !(after & EDGE_SWCLK))
        edges_add(edges, (uint8_t)(before & ~EDGE_SWCLK)); /* the falling edge, then SWDIO (see the top) */
    if (!(before & EDGE_SWCLK) && (after & clock_on) == clock_on) {
        model_pc_add(&model->rising_pcs, pc);
        model_rising_edge(model);
        if (model->in_packet && model->packet_edges < MODEL_PACKET_EDGES) {
            model->packet_edges++;
            model->stores_at_edge[model->packet_edges] = model->packet_stores;
            model->masked_at_edge[model->packet_edges] = model->packet_masked;
        }
    }
    if (edges)
        edges_add(edges, after);
}

/* WIRE_PACKET_END: what the packet's stores must have been, by its path, the setting's loop and its answer. */
static void model_packet_end(struct model *model, uint32_t result)
{
    if (!model->in_packet)
        return;
    model->in_packet = false;
    if (!model->recording)
        return;
    bool ok = (result & 0x7u) == HAL_SWD_ACK_OK;
    unsigned last = ok ? MODEL_PACKET_EDGES : 13u;
    enum esp8266_swd_loop loop = wire_settings[model->setting].loop;
    const char *where_setting = wire_settings[model->setting].name, *where = wire_scenario_names[model->scenario];
    if (model->packet_edges < last) {
        model_fail(model, "%s, %s, %s: a packet answered 0x%x with %u rising edges, not %u", where_setting, where,
                   model_path_name(model), result, model->packet_edges, last);
        return;
    }
    if (model->path == WIRE_PATH_PER_BIT || loop == ESP8266_SWD_LOOP_PACED_OPEN) {
        if (model->packet_masked)
            model_fail(model,
                       "%s, %s, %s: %lu stores of a packet with interrupts masked, where nothing should mask them",
                       where_setting, where, model_path_name(model), model->packet_masked);
        return;
    }
    unsigned long unmasked = model->stores_at_edge[last] - model->masked_at_edge[last];
    if (unmasked)
        model_fail(model, "%s, %s: %lu stores of a transfer packet, up to its last rising edge, with interrupts on",
                   where_setting, where, unmasked);
    unsigned long request = model->stores_at_edge[8] - model->stores_at_edge[1];
    if (request != 2u * 7u)
        model_fail(model, "%s, %s: request bits 1-7 took %lu GPIO stores, not 2 a bit", where_setting, where, request);
    if (ok && !(model->packet_request & SWD_REQUEST_RNW)) {
        /* From data bit 0's rising edge (the 14th) to the parity's (the 46th): 31 data bits and the parity. */
        unsigned long data = model->stores_at_edge[46] - model->stores_at_edge[14];
        if (data != 2u * 32u)
            model_fail(model, "%s, %s: a write's data bits 1-31 and parity took %lu GPIO stores, not 2 a bit",
                       where_setting, where, data);
    }
    model->packets_checked++;
}

static void model_packet_begin(struct model *model, uint32_t request)
{
    model->in_packet = true;
    model->packet_request = request;
    model->packet_edges = 0;
    model->packet_stores = model->packet_masked = 0;
}

/* ---- Runs and their comparison ---- */

static void model_describe(uint8_t state, char *out, size_t len)
{
    snprintf(out, len, "SWCLK %d%s SWDIO %d %s", (state & EDGE_SWCLK) != 0, (state & EDGE_SWCLK_OE) ? "" : " (off)",
             (state & EDGE_SWDIO) != 0, (state & EDGE_SWDIO_OE) ? "driven" : "released");
}

static void model_compare(struct model *model, unsigned setting, unsigned scenario)
{
    const struct edges *a = &model->records[setting][scenario][WIRE_PATH_PER_BIT];
    const struct edges *b = &model->records[setting][scenario][WIRE_PATH_TRANSFER];
    size_t n = a->count < b->count ? a->count : b->count, first = n;
    for (size_t i = 0; i < n; i++) {
        if (a->states[i] != b->states[i]) {
            first = i;
            break;
        }
    }
    const char *where_setting = wire_settings[setting].name, *where = wire_scenario_names[scenario];
    if (first == n && a->count == b->count) {
        unsigned cycles = 0;
        for (size_t i = 1; i < a->count; i++)
            cycles += !(a->states[i - 1] & EDGE_SWCLK) && (a->states[i] & EDGE_SWCLK);
        printf("ok    %s, %s: transfer makes the per-bit path's %zu edges (%u SWCLK cycles)", where_setting, where,
               a->count, cycles);
        if (model->packets_checked)
            printf("; %u packets masked, 2 stores a host bit", model->packets_checked);
        printf("\n");
        return;
    }
    model_fail(model, "%s, %s: the edges differ from change %zu on (per-bit path %zu changes, transfer %zu)",
               where_setting, where, first, a->count, b->count);
    size_t from = first > 4 ? first - 4 : 0;
    for (size_t i = from; i < first + 4; i++) {
        char left[64] = "-", right[64] = "-";
        if (i < a->count)
            model_describe(a->states[i], left, sizeof left);
        if (i < b->count)
            model_describe(b->states[i], right, sizeof right);
        printf("      %s%6zu  per-bit: %-34s transfer: %s\n", i == first ? ">" : " ", i, left, right);
    }
}

/* The simulator behind a run: a Blue Pill's debug port, with the scenario's faults. */
static void model_begin(struct model *model, uint32_t scenario, uint32_t path, uint32_t setting)
{
    if (scenario >= WIRE_SCENARIO_COUNT || path >= WIRE_PATH_COUNT || setting >= WIRE_SETTING_COUNT) {
        model_fail(model, "WIRE_BEGIN with scenario %u, path %u, setting %u", scenario, path, setting);
        return;
    }
    if (model->target)
        sim_target_destroy(model->target);
    struct sim_target_config config;
    sim_target_default_config(&config);
    model->target = sim_target_create(&config);
    if (!model->target) {
        fprintf(stderr, "wire_model: cannot create the simulated target\n");
        exit(1);
    }
    if (scenario == WIRE_SCENARIO_WAIT_STORM) {
        /* The same seed for both paths: the same WAITs at the same packets. */
        struct sim_fault_config faults = {.seed = 2, .wait_storm_rate = 0.5, .wait_storm_max = 4};
        sim_target_set_faults(model->target, &faults);
    }
    model->scenario = scenario;
    model->path = path;
    model->setting = setting;
    model->clk = 1u << wire_settings[setting].swclk_gpio;
    model->dio = 1u << wire_settings[setting].swdio_gpio;
    model->flip_armed = model->flip_now = false;
    model->others_at_begin = model->out & ~(model->clk | model->dio);
    model->packets_checked = 0;
    model->in_packet = false;
    struct edges *edges = &model->records[setting][scenario][path];
    edges->count = 0;
    model->recording = true;
    edges_add(edges, model_pins(model));
}

static void model_end(struct model *model)
{
    if (!model->recording)
        return;
    model->recording = false;
    uint32_t others = model->out & ~(model->clk | model->dio);
    if (others != model->others_at_begin)
        model_fail(model, "%s, %s, %s: OUT's other latches were 0x%08x at the start, 0x%08x at the end",
                   wire_settings[model->setting].name, wire_scenario_names[model->scenario], model_path_name(model),
                   model->others_at_begin, others);
    /* Host and target never both drive SWDIO, except where the test garbles an ACK on purpose. */
    uint64_t contention = model->target ? sim_target_wire_stats(model->target)->contention_cycles : 0;
    if (contention && model->scenario != WIRE_SCENARIO_GARBLED_ACK)
        model_fail(model, "%s, %s, %s: host and target both drove SWDIO for %llu cycles",
                   wire_settings[model->setting].name, wire_scenario_names[model->scenario], model_path_name(model),
                   (unsigned long long)contention);
    if (model->path == WIRE_PATH_TRANSFER && !model->benchmark)
        model_compare(model, model->setting, model->scenario);
}

static void model_command(struct model *model, uint32_t command, uint32_t pc)
{
    const uint32_t *argument = &model->io_words[WIRE_IO_ARGUMENT];
    if (model->command_pc && model->command_pc != pc)
        model_fail(model, "commands stored from two places (0x%08x, 0x%08x)", model->command_pc, pc);
    model->command_pc = pc;
    if (model_masked(model))
        model_fail(model, "command %u arrives with interrupts masked (PS 0x%08x): the wire did not restore PS", command,
                   model->ps);
    switch (command) {
    case WIRE_BEGIN: model_begin(model, argument[0], argument[1], argument[2]); break;
    case WIRE_END: model_end(model); break;
    case WIRE_FLIP_READ:
        model->flip_armed = true;
        model->flip_edge = argument[0];
        model->rising_edges = 0;
        break;
    case WIRE_BENCH_BEGIN:
    case WIRE_BENCH_END: bench_command(model, command, argument[0], argument[1]); break;
    case WIRE_PACKET: model_packet_begin(model, argument[0]); break;
    case WIRE_PACKET_END: model_packet_end(model, argument[0]); break;
    default: model_fail(model, "unknown command %u", command); return;
    }
    if (model->commands_count < MODEL_MAX_COMMANDS)
        model->commands[model->commands_count++] = command;
}

/* ---- Stores, as QEMU stops before them ---- */

/* s32i.n at, as, imm (RRRN, op0 = 9) and s32i at, as, imm (RRI8, op0 = 2, r = 6): the only stores the wire makes.
 * Returns the instruction's length, 0 for anything else. */
static unsigned model_decode_store(const uint8_t *code, unsigned *value_reg, unsigned *base_reg, uint32_t *offset)
{
    if ((code[0] & 0xF) == 0x9) {
        *value_reg = code[0] >> 4;
        *base_reg = code[1] & 0xF;
        *offset = (uint32_t)(code[1] >> 4) * 4u;
        return 2;
    }
    if ((code[0] & 0xF) == 0x2 && (code[1] >> 4) == 0x6) {
        *value_reg = code[0] >> 4;
        *base_reg = code[1] & 0xF;
        *offset = (uint32_t)code[2] * 4u;
        return 3;
    }
    return 0;
}

static const uint8_t *model_code(struct model *model, uint32_t pc)
{
    for (unsigned i = 0; i < model->code_cache_count; i++) {
        if (model->code_cache[i].pc == pc)
            return model->code_cache[i].bytes;
    }
    if (model->code_cache_count == MODEL_CODE_CACHE)
        model->code_cache_count = 0;
    struct model_code *entry = &model->code_cache[model->code_cache_count];
    if (!gdb_remote_read_memory(&model->gdb, pc, entry->bytes, sizeof entry->bytes))
        return NULL;
    entry->pc = pc;
    model->code_cache_count++;
    return entry->bytes;
}

/* The stop at a store into the block: performs it and resumes. Returns false when the session cannot go on. */
static bool model_store(struct model *model)
{
    uint32_t registers[XTENSA_REGISTERS];
    if (gdb_remote_read_registers(&model->gdb, registers, XTENSA_REGISTERS) != (int)XTENSA_REGISTERS) {
        fprintf(stderr, "wire_model: registers: %s\n", model->gdb.error);
        return false;
    }
    uint32_t pc = registers[XTENSA_REGISTER_PC];
    model->ps = registers[XTENSA_REGISTER_PS];
    const uint8_t *code = model_code(model, pc);
    unsigned value_reg, base_reg;
    uint32_t offset;
    unsigned len = code ? model_decode_store(code, &value_reg, &base_reg, &offset) : 0;
    if (!len) {
        model_fail(model, "a store into the GPIO block at PC 0x%08x that is not s32i/s32i.n", pc);
        return false;
    }
    uint32_t address = registers[base_reg] + offset, value = registers[value_reg];
    if (address < model->io || address >= model->io + 4 * WIRE_IO_WORDS || (address & 3)) {
        model_fail(model, "store at PC 0x%08x to 0x%08x, outside the block's words", pc, address);
        return false;
    }
    uint32_t word = (address - model->io) / 4;
    model->stores++;
    if (getenv("WIRE_MODEL_TRACE"))
        fprintf(stderr, "%lu pc %08x store %08x to %08x\n", model->stores, pc, value, address);
    if (word < WIRE_IO_GPIO_WORDS) {
        model->gpio_stores++;
        model_pc_add(&model->gpio_store_pcs, pc);
        model_gpio_store(model, word * 4, value, pc);
    } else {
        model->io_words[word] = value;
        if (!gdb_remote_queue_write_memory(&model->gdb, address, &value, 4))
            return false;
        model->pending_oks++;
        if (word == WIRE_IO_COMMAND)
            model_command(model, value, pc);
    }
    /* The target reads back what the pins are: OUT, ENABLE and IN as the model has them. */
    uint32_t image[WIRE_IO_GPIO_WORDS] = {0};
    image[ESP8266_SWD_GPIO_OUT / 4] = model->out;
    image[ESP8266_SWD_GPIO_ENABLE / 4] = model->enable;
    image[ESP8266_SWD_GPIO_IN / 4] = model_in(model);
    if (memcmp(image, model->image, sizeof image) != 0) {
        memcpy(model->image, image, sizeof image);
        if (!gdb_remote_queue_write_memory(&model->gdb, model->io, image, sizeof image))
            return false;
        model->pending_oks++;
    }
    if (!gdb_remote_queue_write_register(&model->gdb, XTENSA_REGISTER_PC, pc + len))
        return false;
    model->pending_oks++;
    return true;
}

/* ---- The session ---- */

static int model_listen(uint16_t *port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in address = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof address;
    if (fd < 0 || bind(fd, (struct sockaddr *)&address, sizeof address) != 0 || listen(fd, 1) != 0 ||
        getsockname(fd, (struct sockaddr *)&address, &len) != 0) {
        perror("wire_model: listen on 127.0.0.1");
        exit(1);
    }
    *port = ntohs(address.sin_port);
    return fd;
}

static pid_t model_start_qemu(const char *qemu, const char *elf, uint32_t entry, uint16_t port, const char *trace)
{
    char loader[64], chardev[96], semihosting[96];
    snprintf(loader, sizeof loader, "loader,addr=0x%08x,cpu-num=0", entry);
    snprintf(chardev, sizeof chardev, "socket,id=gdb0,host=127.0.0.1,port=%u,nodelay=on", port);
    snprintf(semihosting, sizeof semihosting, "enable=on,arg=wire_target%s", trace ? ",arg=bench" : "");
    /* -icount: CCOUNT follows the instructions executed, not the host's clock, which runs on while the model
     * serves a store. In a test an instruction lasts 1 ns, a small part of a CCOUNT cycle: a paced loop's waits
     * are real waits, and a missing one shows. In a benchmark it lasts 128 ns, several cycles: a pace of one cycle
     * never waits, and the trace shows the paced loop's own cost. */
    /* clang-format off */
    const char *argv[32] = {qemu, "-M", "sim", "-cpu", "lx106", "-nographic", "-monitor", "none",
                            "-icount", trace ? "shift=7" : "shift=0", "-semihosting-config", semihosting,
                            "-kernel", elf, "-device", loader, "-chardev", chardev, "-gdb", "chardev:gdb0", "-S"};
    /* clang-format on */
    unsigned argc = 21;
    if (trace) {
        const char *more[] = {"-singlestep", "-d", "exec,nochain", "-D", trace};
        for (unsigned i = 0; i < 5; i++)
            argv[argc++] = more[i];
    }
    argv[argc] = NULL;
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL); /* QEMU never outlives the test */
        execvp(qemu, (char *const *)argv);
        fprintf(stderr, "wire_model: cannot run %s: %s\n", qemu, strerror(errno));
        _exit(127);
    }
    if (pid < 0) {
        perror("wire_model: fork");
        exit(1);
    }
    return pid;
}

static int model_accept(int listen_fd, pid_t qemu)
{
    struct pollfd pfd = {.fd = listen_fd, .events = POLLIN};
    if (poll(&pfd, 1, GDB_REPLY_TIMEOUT_MS) != 1) {
        fprintf(stderr, "wire_model: QEMU (pid %d) did not connect to its gdbstub socket\n", (int)qemu);
        return -1;
    }
    int fd = accept(listen_fd, NULL, NULL);
    int one = 1;
    if (fd >= 0)
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return fd;
}

/* Waits for QEMU, the PID this model started, to exit; kills it when it does not. Returns its exit status. */
static int model_reap(pid_t qemu, bool kill_now)
{
    int status = 0;
    if (kill_now)
        kill(qemu, SIGKILL);
    for (int waited = 0;; waited += 10) {
        pid_t done = waitpid(qemu, &status, WNOHANG);
        if (done == qemu)
            break;
        if (done < 0)
            return -1;
        if (waited >= QEMU_EXIT_TIMEOUT_MS) {
            fprintf(stderr, "wire_model: QEMU (pid %d) did not exit: killed\n", (int)qemu);
            kill(qemu, SIGKILL);
            waitpid(qemu, &status, 0);
            return -1;
        }
        struct timespec tick = {0, 10 * 1000 * 1000};
        nanosleep(&tick, NULL);
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

/* Continues until QEMU stops at the next watched store or the program ends. Returns 1 at a store, 0 at the end,
 * -1 on a protocol failure. */
static int model_continue(struct model *model)
{
    if (!gdb_remote_queue(&model->gdb, "c") || !gdb_remote_flush(&model->gdb))
        return -1;
    for (; model->pending_oks > 0; model->pending_oks--) {
        if (!gdb_remote_expect_ok(&model->gdb))
            return -1;
    }
    char reply[GDB_REMOTE_PACKET_MAX];
    if (gdb_remote_receive(&model->gdb, reply, sizeof reply) < 0)
        return strstr(model->gdb.error, "closed") ? 0 : -1;
    if (reply[0] == 'W' || reply[0] == 'X')
        return 0;
    if (reply[0] != 'T' || !strstr(reply, "watch:")) {
        fprintf(stderr, "wire_model: unexpected stop \"%s\"\n", reply);
        return -1;
    }
    return 1;
}

static int model_session(struct model *model, const char *qemu, const char *elf, uint32_t entry, const char *trace)
{
    uint16_t port;
    int listen_fd = model_listen(&port);
    pid_t pid = model_start_qemu(qemu, elf, entry, port, trace);
    int fd = model_accept(listen_fd, pid);
    close(listen_fd);
    if (fd < 0) {
        model_reap(pid, true);
        return -1;
    }
    gdb_remote_init(&model->gdb, fd, GDB_REPLY_TIMEOUT_MS);

    /* The block starts as a chip's GPIO with other pins in use: nothing of the wire's driven, OUT and IN hold the
     * other pins' patterns. */
    model->out = OUT_OTHER_PINS;
    model->image[ESP8266_SWD_GPIO_OUT / 4] = model->out;
    model->image[ESP8266_SWD_GPIO_IN / 4] = model_in(model);
    /* The model knows PS by its place in the 'g' packet: before the program runs, it must read PS's reset value. */
    uint32_t registers[XTENSA_REGISTERS];
    if (gdb_remote_read_registers(&model->gdb, registers, XTENSA_REGISTERS) != (int)XTENSA_REGISTERS ||
        registers[XTENSA_REGISTER_PS] != XTENSA_PS_RESET) {
        model_fail(model,
                   "QEMU's 'g' packet does not hold PS (reset value 0x%x) as register %u: the masked-packet "
                   "checks cannot work",
                   XTENSA_PS_RESET, XTENSA_REGISTER_PS);
        close(fd);
        model_reap(pid, true);
        return -1;
    }
    char watch[48];
    snprintf(watch, sizeof watch, "Z2,%x,%x", model->io, 4 * WIRE_IO_WORDS);
    bool ok = gdb_remote_queue_write_memory(&model->gdb, model->io, model->image, sizeof model->image) &&
              gdb_remote_flush(&model->gdb) && gdb_remote_expect_ok(&model->gdb) &&
              gdb_remote_command(&model->gdb, watch);
    int step = ok ? 1 : -1;
    while (step == 1) {
        step = model_continue(model);
        if (step == 1 && !model_store(model))
            step = -1;
    }
    if (step < 0)
        fprintf(stderr, "wire_model: gdbstub session failed: %s\n", model->gdb.error);
    close(fd);
    int status = model_reap(pid, step < 0);
    if (step < 0)
        return -1;
    return status;
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    enum { RUN_TEST, RUN_BENCH, RUN_CHECK_COST } mode = RUN_TEST;
    int arg = 1;
    if (argc > 1 && strcmp(argv[1], "--bench") == 0) {
        mode = RUN_BENCH;
        arg++;
    } else if (argc > 1 && strcmp(argv[1], "--check-cost") == 0) {
        mode = RUN_CHECK_COST;
        arg++;
    }
    if (argc - arg < 1 || argc - arg > 4) {
        fprintf(stderr, "usage: %s [--bench | --check-cost] ELF [QEMU [NM [OBJDUMP]]]\n", argv[0]);
        return 2;
    }
    const char *elf = argv[arg];
    const char *qemu = argc - arg > 1 ? argv[arg + 1] : "qemu-system-xtensa";
    const char *nm = argc - arg > 2 ? argv[arg + 2] : "xtensa-lx106-elf-nm";
    const char *objdump = argc - arg > 3 ? argv[arg + 3] : "xtensa-lx106-elf-objdump";
    if (!model_have_program(qemu)) {
        char reason[256];
        snprintf(reason, sizeof reason, "%s is not installed (Debian package qemu-system-misc; scripts/install-deps.sh)",
                 qemu);
        return test_skip_status(reason);
    }

    /* build-target.sh leaves the reason beside the program when it could not build it. */
    char unavailable[1024];
    snprintf(unavailable, sizeof unavailable, "%.*s/UNAVAILABLE",
             (int)(strrchr(elf, '/') ? strrchr(elf, '/') - elf : 1), strrchr(elf, '/') ? elf : ".");
    FILE *reason = fopen(unavailable, "r");
    if (reason) {
        char line[512] = "";
        if (!fgets(line, sizeof line, reason))
            line[0] = '\0';
        fclose(reason);
        line[strcspn(line, "\n")] = '\0';
        char why[600];
        snprintf(why, sizeof why, "the lx106 wire test program was not built: %s", line);
        return test_skip_status(why);
    }

    static struct model model;
    uint32_t entry;
    if (!model_symbol(nm, elf, WIRE_IO_SYMBOL, &model.io) || !model_symbol(nm, elf, "_start", &entry) ||
        !model_symbol(nm, elf, "_iram_text_start", &model.iram_start) ||
        !model_symbol(nm, elf, "_iram_text_end", &model.iram_end)) {
        fprintf(stderr, "wire_model: %s lacks %s, _start or _iram_text_start/_end (nm: %s)\n", elf, WIRE_IO_SYMBOL, nm);
        return 1;
    }

    char trace[] = "/tmp/lx106-wire-trace-XXXXXX";
    if (mode != RUN_TEST) {
        int trace_fd = mkstemp(trace);
        if (trace_fd < 0) {
            perror("wire_model: trace file");
            return 1;
        }
        close(trace_fd);
    }
    model.benchmark = mode != RUN_TEST;
    time_t started = time(NULL);
    int status = model_session(&model, qemu, elf, entry, mode == RUN_TEST ? NULL : trace);
    if (status != 0)
        model_fail(&model, "the program on the lx106 ended with status %d", status);

    if (mode == RUN_TEST) {
        printf("%lu stores into the GPIO block served in %ld s\n", model.stores, (long)(time(NULL) - started));
    } else {
        if (!model.failures)
            bench_report(&model, trace, objdump, elf, mode == RUN_CHECK_COST);
        unlink(trace);
    }
    if (model.target)
        sim_target_destroy(model.target);
    return model.failures ? 1 : 0;
}
