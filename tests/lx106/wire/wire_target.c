/*
 * wire_target.c - the wire test program for the ESP8266's CPU, run under qemu-system-xtensa by wire_model.c.
 *
 * The port's SWD wire (ports/esp8266/main/esp8266_swd.c, compiled as for the firmware: -O2 -mlongcalls, in IRAM) drives
 * `wire_io`, RAM that stands in for the GPIO block; the host model plays the registers and a simulated STM32 behind
 * them (wire_protocol.h). Every scenario runs twice from the same state, once through the core's per-bit path
 * (src/swd over write_bit/read_bit) and once through the port's whole-packet transfer; this program checks that the
 * ACKs and data agree with each other and with what the target must answer, and the model checks that the edges on
 * the pins are the same.
 *
 * Usage (semihosting arguments): wire_target          the scenarios under every setting
 *                                wire_target bench    the packets `make bench` counts instructions in
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "esp8266_swd.h"
#include "swd/swd.h"
#include "wire_protocol.h"

/* The GPIO block and the mailbox, in data RAM, away from any code page. */
volatile uint32_t wire_io[WIRE_IO_WORDS] __attribute__((aligned(64), section(".data.wire_io"))) = {0};

/* One store carries every command, so that the benchmark finds the commands in the instruction trace by its PC. */
static __attribute__((noinline)) void wire_command(enum wire_command command, uint32_t arg0, uint32_t arg1,
                                                   uint32_t arg2)
{
    wire_io[WIRE_IO_ARGUMENT] = arg0;
    wire_io[WIRE_IO_ARGUMENT + 1] = arg1;
    wire_io[WIRE_IO_ARGUMENT + 2] = arg2;
    wire_io[WIRE_IO_COMMAND] = (uint32_t)command;
}

static uint32_t cycle_count(void)
{
    uint32_t count;
    __asm__ volatile("rsr.ccount %0" : "=r"(count));
    return count;
}

/* ---- One run of a scenario: the packets' outcomes ---- */

#define RUN_MAX_PACKETS 48

struct run {
    unsigned count;
    unsigned results[RUN_MAX_PACKETS];
    uint32_t data[RUN_MAX_PACKETS];
    uint32_t cycles[RUN_MAX_PACKETS]; /* CCOUNT cycles the packet took, its idle cycles included */
    bool read[RUN_MAX_PACKETS];
};

struct bench {
    struct swd swd;
    struct run *run;
};

static unsigned packet(struct bench *bench, enum swd_port port, bool read, uint8_t addr, uint32_t value)
{
    struct run *run = bench->run;
    uint8_t request = swd_request(port, read, addr);
    wire_command(WIRE_PACKET, request, 0, 0);
    uint32_t data = value, start = cycle_count();
    unsigned result = swd_packet(&bench->swd, request, &data);
    uint32_t cycles = cycle_count() - start;
    wire_command(WIRE_PACKET_END, result, 0, 0);
    if (run->count < RUN_MAX_PACKETS) {
        run->results[run->count] = result;
        run->data[run->count] = data;
        run->cycles[run->count] = cycles;
        run->read[run->count] = read;
        run->count++;
    }
    return result;
}

/* DP registers and values (ADIv5). */
#define DP_DPIDR           0x0u
#define DP_ABORT           0x0u
#define DP_CTRL_STAT       0x4u
#define DP_SELECT          0x8u
#define DP_RDBUFF          0xCu
#define AP_IDR_BANK_SELECT 0x000000F0u /* APSEL 0, APBANKSEL 0xF */
#define AP_IDR             0xCu        /* 0xFC in bank 0xF */
#define CTRL_STAT_POWER_UP 0x50000000u /* CSYSPWRUPREQ | CDBGPWRUPREQ */
#define ABORT_CLEAR_ALL    0x1Eu
#define WAIT_RETRIES       32u
/* Rising edges from a packet's start bit to the target's launch of ACK bit 1 and of data bit 3 (swd_packet.c). */
#define EDGE_ACK_BIT_1  9u
#define EDGE_DATA_BIT_3 14u

static void connect(struct bench *bench)
{
    swd_jtag_to_swd(&bench->swd);
    packet(bench, SWD_DP, true, DP_DPIDR, 0);
}

static void power_up(struct bench *bench)
{
    packet(bench, SWD_DP, false, DP_CTRL_STAT, CTRL_STAT_POWER_UP);
    packet(bench, SWD_DP, true, DP_CTRL_STAT, 0);
}

static void repeat_while_wait(struct bench *bench, enum swd_port port, uint8_t addr)
{
    for (unsigned i = 0; i < WAIT_RETRIES; i++) {
        if (packet(bench, port, true, addr, 0) != HAL_SWD_ACK_WAIT)
            return;
    }
}

static void scenario_run(struct bench *bench, enum wire_scenario scenario)
{
    switch (scenario) {
    case WIRE_SCENARIO_IDCODE: connect(bench); break;
    case WIRE_SCENARIO_DP_WRITE:
        connect(bench);
        power_up(bench);
        packet(bench, SWD_DP, false, DP_ABORT, ABORT_CLEAR_ALL);
        break;
    case WIRE_SCENARIO_AP_READ:
        connect(bench);
        power_up(bench);
        packet(bench, SWD_DP, false, DP_SELECT, AP_IDR_BANK_SELECT);
        packet(bench, SWD_AP, true, AP_IDR, 0);
        packet(bench, SWD_DP, true, DP_RDBUFF, 0);
        break;
    case WIRE_SCENARIO_WAIT_STORM:
        connect(bench);
        power_up(bench);
        packet(bench, SWD_DP, false, DP_SELECT, AP_IDR_BANK_SELECT);
        repeat_while_wait(bench, SWD_AP, AP_IDR);
        repeat_while_wait(bench, SWD_DP, DP_RDBUFF);
        break;
    case WIRE_SCENARIO_FAULT:
        connect(bench);
        packet(bench, SWD_DP, false, DP_SELECT, AP_IDR_BANK_SELECT);
        packet(bench, SWD_AP, true, AP_IDR, 0);            /* accepted, fails on the bus: STICKYERR */
        packet(bench, SWD_DP, true, DP_RDBUFF, 0);         /* FAULT */
        packet(bench, SWD_AP, false, AP_IDR, 0x12345678u); /* FAULT, a write this time */
        packet(bench, SWD_DP, false, DP_ABORT, ABORT_CLEAR_ALL);
        break;
    case WIRE_SCENARIO_NO_ANSWER:
        packet(bench, SWD_DP, true, DP_DPIDR, 0);
        packet(bench, SWD_DP, false, DP_SELECT, 0xA5A5A5A5u);
        break;
    case WIRE_SCENARIO_PARITY:
        connect(bench);
        wire_command(WIRE_FLIP_READ, EDGE_DATA_BIT_3, 0, 0);
        packet(bench, SWD_DP, true, DP_DPIDR, 0);
        break;
    case WIRE_SCENARIO_GARBLED_ACK:
        connect(bench);
        wire_command(WIRE_FLIP_READ, EDGE_ACK_BIT_1, 0, 0);
        packet(bench, SWD_DP, true, DP_DPIDR, 0);
        break;
    case WIRE_SCENARIO_COUNT: break;
    }
}

/* ---- What each scenario must have seen, whichever the path ---- */

static int failures;

static bool expect(bool condition, const char *where, const char *what)
{
    if (!condition) {
        printf("FAIL  %s: %s\n", where, what);
        failures++;
    }
    return condition;
}

static unsigned count_results(const struct run *run, unsigned result)
{
    unsigned n = 0;
    for (unsigned i = 0; i < run->count; i++)
        n += run->results[i] == result;
    return n;
}

static bool all_ok(const struct run *run)
{
    return count_results(run, HAL_SWD_ACK_OK) == run->count;
}

static void scenario_check(enum wire_scenario scenario, const struct run *run, const char *where)
{
    const unsigned last = run->count - 1;
    switch (scenario) {
    case WIRE_SCENARIO_IDCODE:
        expect(run->count == 1 && all_ok(run), where, "DPIDR read answered OK");
        expect(run->data[0] == WIRE_EXPECTED_DPIDR, where, "DPIDR is the target's");
        break;
    case WIRE_SCENARIO_DP_WRITE:
        expect(run->count == 4 && all_ok(run), where, "every packet answered OK");
        expect((run->data[2] & CTRL_STAT_POWER_UP) == CTRL_STAT_POWER_UP, where,
               "CTRL/STAT reads back the power-up requests");
        break;
    case WIRE_SCENARIO_AP_READ:
        expect(run->count == 6 && all_ok(run), where, "every packet answered OK");
        expect(run->data[last] == WIRE_EXPECTED_AP_IDR, where, "RDBUFF holds the AP's IDR");
        break;
    case WIRE_SCENARIO_WAIT_STORM:
        expect(count_results(run, HAL_SWD_ACK_WAIT) >= 2, where, "the injector's WAITs came through");
        expect(run->results[last] == HAL_SWD_ACK_OK && run->data[last] == WIRE_EXPECTED_AP_IDR, where,
               "after the storm RDBUFF holds the AP's IDR");
        break;
    case WIRE_SCENARIO_FAULT:
        expect(run->count == 6, where, "six packets");
        expect(run->results[2] == HAL_SWD_ACK_OK, where, "the failing AP read is accepted");
        expect(run->results[3] == HAL_SWD_ACK_FAULT && run->results[4] == HAL_SWD_ACK_FAULT, where,
               "the next read and write answered FAULT");
        expect(run->results[5] == HAL_SWD_ACK_OK, where, "ABORT answered OK");
        break;
    case WIRE_SCENARIO_NO_ANSWER:
        expect(run->count == 2 && count_results(run, HAL_SWD_ACK_NONE) == 2, where,
               "a read and a write both see ACK 0b111");
        break;
    case WIRE_SCENARIO_PARITY:
        expect(run->results[last] == (HAL_SWD_ACK_OK | HAL_SWD_PARITY_ERROR), where,
               "the flipped bit is reported as a parity error");
        expect(run->data[last] == (WIRE_EXPECTED_DPIDR ^ 0x8u), where, "the data carries the flipped bit 3");
        break;
    case WIRE_SCENARIO_GARBLED_ACK: expect(run->results[last] == 0x3u, where, "the ACK reads 0b011"); break;
    case WIRE_SCENARIO_COUNT: break;
    }
}

/* A paced wire never clocks faster than its setting: a packet answered OK has 46 cycles, 92 phases. A held transfer
 * never clocks its host bits faster: a write answered OK has 39 host bits that follow another one (7 of the request,
 * 31 data bits and the parity), a read 7. (write_bit holds nothing: through the core each bit costs a call too.) */
static void pace_check(const struct run *run, const struct esp8266_swd *wire, unsigned path, const char *where)
{
    for (unsigned i = 0; i < run->count; i++) {
        if (run->results[i] != HAL_SWD_ACK_OK)
            continue;
        uint32_t host_period = path == WIRE_PATH_TRANSFER ? wire->host_period : 0;
        uint32_t least = wire->half_period ? 91u * wire->half_period : (run->read[i] ? 7u : 39u) * host_period;
        if (run->cycles[i] < least) {
            printf("FAIL  %s: packet %u took %lu CCOUNT cycles, less than the %lu its pace asks\n", where, i,
                   (unsigned long)run->cycles[i], (unsigned long)least);
            failures++;
        }
    }
}

static bool runs_equal(const struct run *a, const struct run *b)
{
    return a->count == b->count && memcmp(a->results, b->results, a->count * sizeof a->results[0]) == 0 &&
           memcmp(a->data, b->data, a->count * sizeof a->data[0]) == 0;
}

static void wire_start(struct esp8266_swd *wire, const struct wire_setting *setting)
{
    struct esp8266_swd_config config = {
        .gpio_base = (uint32_t)(uintptr_t)wire_io,
        .swclk_gpio = (uint8_t)setting->swclk_gpio,
        .swdio_gpio = (uint8_t)setting->swdio_gpio,
        .cpu_hz = WIRE_CPU_HZ,
        .swclk_hz = setting->swclk_hz,
    };
    if (!esp8266_swd_init(wire, &config)) {
        printf("FAIL  esp8266_swd_init refused %s\n", setting->name);
        exit(1);
    }
    if (wire->loop != setting->loop) {
        printf("FAIL  %s: set_clock_hz picked loop %u, the setting is there for loop %u\n", setting->name,
               (unsigned)wire->loop, (unsigned)setting->loop);
        exit(1);
    }
}

static uint32_t cost_cycles(enum esp8266_swd_loop loop, enum esp8266_swd_direction direction, uint32_t cpu_hz)
{
    return ESP8266_SWD_COST_CYCLES(esp8266_swd_costs[loop][direction], cpu_hz);
}

/* What set_clock_hz must do with one request: never answer above it; take the fastest loop's write rate for 0 and
 * anything above that rate; leave the paced loops' waits in charge where it paces, and keep interrupts on for a
 * packet longer than ESP8266_SWD_MASKED_PACKET_MAX_US. */
static void check_clock(struct esp8266_swd *wire, uint32_t cpu_hz, uint32_t hz, uint32_t fastest)
{
    char where[64];
    snprintf(where, sizeof where, "set_clock_hz(%lu), CPU %lu MHz", (unsigned long)hz,
             (unsigned long)(cpu_hz / 1000000u));
    uint32_t answer = esp8266_swd_set_clock_hz(wire, hz);
    expect(answer > 0 && (hz == 0 || answer <= hz), where, "answers at most the request");
    if (hz == 0 || hz >= fastest) {
        expect(answer == fastest && wire->loop == ESP8266_SWD_LOOP_FAST, where, "the fast loop, at its write rate");
        return;
    }
    uint32_t wanted = (cpu_hz + hz - 1) / hz;
    bool paced = wire->loop == ESP8266_SWD_LOOP_PACED || wire->loop == ESP8266_SWD_LOOP_PACED_OPEN;
    expect(paced == (wanted > cost_cycles(ESP8266_SWD_LOOP_FAST, ESP8266_SWD_READ, cpu_hz)), where,
           "paces where the fast loop's reads would exceed the request, only there");
    /* Where a wait decides the host bits' rate, the answer is as close as whole CCOUNT cycles allow: the period, or
     * two half periods, at most one cycle longer than the request's. */
    uint32_t waited = 0;
    if (wire->loop == ESP8266_SWD_LOOP_HELD) {
        expect(wire->host_period == wanted, where, "holds host bits to the request's period");
        waited = wire->host_period;
    }
    if (paced) {
        uint64_t packet_ns = (uint64_t)ESP8266_SWD_PACKET_CYCLES * 2u * wire->half_period * 1000000000u / cpu_hz;
        expect((wire->loop == ESP8266_SWD_LOOP_PACED) == (packet_ns <= ESP8266_SWD_MASKED_PACKET_MAX_US * 1000u), where,
               "masks interrupts for a packet only while it is short");
        waited = 2 * wire->half_period;
    }
    if (waited >= cost_cycles(wire->loop, ESP8266_SWD_WRITE, cpu_hz))
        expect(answer >= cpu_hz / (wanted + 1), where, "as close to the request as whole cycles allow");
}

/* esp8266_swd_init refuses what is not a wire; set_clock_hz answers as check_clock says, at 80 and 160 MHz, for the
 * requests a user makes and a sweep from 10 kHz to 10 MHz. */
static void check_setup(void)
{
    struct esp8266_swd wire;
    static const struct esp8266_swd_config refused[] = {
        {.swclk_gpio = 16, .swdio_gpio = 13, .cpu_hz = WIRE_CPU_HZ},
        {.swclk_gpio = 14, .swdio_gpio = 16, .cpu_hz = WIRE_CPU_HZ},
        {.swclk_gpio = 14, .swdio_gpio = 14, .cpu_hz = WIRE_CPU_HZ},
        {.swclk_gpio = 14, .swdio_gpio = 13, .cpu_hz = 0},
    };
    for (unsigned i = 0; i < sizeof refused / sizeof refused[0]; i++)
        expect(!esp8266_swd_init(&wire, &refused[i]), "esp8266_swd_init",
               "refuses a pin outside GPIO0-15, one pin twice, no clock");

    static const uint32_t cpus[] = {80000000u, 160000000u};
    static const uint32_t requests[] = {50000000u, 4000000u, 3500000u, 3000000u, 2000000u,
                                        1000000u,  500000u,  100000u,  1000u};
    static const char *const loop_names[ESP8266_SWD_LOOP_COUNT] = {"fast", "held", "paced", "paced, interrupts on"};
    for (unsigned c = 0; c < 2; c++) {
        struct esp8266_swd_config config = {
            .gpio_base = (uint32_t)(uintptr_t)wire_io, .swclk_gpio = 14, .swdio_gpio = 13, .cpu_hz = cpus[c]};
        if (!expect(esp8266_swd_init(&wire, &config), "esp8266_swd_init", "takes GPIO14 and GPIO13"))
            return;
        uint32_t fastest = cpus[c] / cost_cycles(ESP8266_SWD_LOOP_FAST, ESP8266_SWD_WRITE, cpus[c]);
        check_clock(&wire, cpus[c], 0, fastest);
        char answers[768];
        int used = snprintf(answers, sizeof answers, "fastest %lu Hz", (unsigned long)fastest);
        for (unsigned r = 0; r < sizeof requests / sizeof requests[0]; r++) {
            check_clock(&wire, cpus[c], requests[r], fastest);
            if (requests[r] <= 2000000u)
                expect(wire.clock_hz >= requests[r] - requests[r] / 20, "set_clock_hz", "within 5 % from 2 MHz down");
            if (used > 0 && (size_t)used < sizeof answers)
                used += snprintf(answers + used, sizeof answers - (size_t)used, "; %lu Hz asked: %lu Hz (%s)",
                                 (unsigned long)requests[r], (unsigned long)wire.clock_hz, loop_names[wire.loop]);
        }
        printf("ok    set_clock_hz, CPU %lu MHz: %s\n", (unsigned long)(cpus[c] / 1000000u), answers);
        for (uint32_t hz = 10000u; hz <= 10000000u; hz += hz / 64u)
            check_clock(&wire, cpus[c], hz, fastest);
    }
}

static void run_scenarios(void)
{
    check_setup();
    static struct run runs[WIRE_PATH_COUNT];
    for (unsigned s = 0; s < WIRE_SETTING_COUNT; s++) {
        const struct wire_setting *setting = &wire_settings[s];
        for (unsigned scenario = 0; scenario < WIRE_SCENARIO_COUNT; scenario++) {
            for (unsigned path = 0; path < WIRE_PATH_COUNT; path++) {
                struct esp8266_swd wire;
                struct hal_swd pins;
                wire_start(&wire, setting);
                esp8266_swd_bind(&wire, &pins);
                if (path == WIRE_PATH_PER_BIT)
                    pins.transfer = NULL;
                struct bench bench = {.run = &runs[path]};
                memset(bench.run, 0, sizeof *bench.run);
                swd_init(&bench.swd, &pins, NULL, NULL);
                bench.swd.idle_cycles = (uint8_t)setting->idle_cycles;

                wire_command(WIRE_BEGIN, scenario, path, s);
                scenario_run(&bench, scenario);
                wire_command(WIRE_END, 0, 0, 0);

                char where[160];
                snprintf(where, sizeof where, "%s, %s, %s", setting->name, wire_scenario_names[scenario],
                         path == WIRE_PATH_PER_BIT ? "per-bit path" : "transfer");
                scenario_check(scenario, bench.run, where);
                pace_check(bench.run, &wire, path, where);
            }
            char where[160];
            snprintf(where, sizeof where, "%s, %s", setting->name, wire_scenario_names[scenario]);
            if (expect(runs_equal(&runs[WIRE_PATH_PER_BIT], &runs[WIRE_PATH_TRANSFER]), where,
                       "transfer returns the ACKs and data of the per-bit path"))
                printf("ok    %s: %u packets (%u OK, %u WAIT, %u FAULT), same ACKs and data on both paths\n", where,
                       runs[0].count, count_results(&runs[0], HAL_SWD_ACK_OK),
                       count_results(&runs[0], HAL_SWD_ACK_WAIT), count_results(&runs[0], HAL_SWD_ACK_FAULT));
        }
    }
}

/* The packets whose instructions `make bench` counts: a read and a write answered OK, through each loop where no
 * deadline makes it wait (a pace or a period of one CCOUNT cycle has always passed): its least cost. The write's data
 * alternate, so that every data bit changes SWDIO: the most stores a write through W1TS/W1TC takes. */
static void run_bench(void)
{
    static struct run run;
    const struct wire_setting *setting = &wire_settings[0];
    struct esp8266_swd wire;
    struct hal_swd pins;
    wire_start(&wire, setting);
    esp8266_swd_bind(&wire, &pins);
    struct bench bench = {.run = &run};
    swd_init(&bench.swd, &pins, NULL, NULL);

    wire_command(WIRE_BEGIN, WIRE_SCENARIO_IDCODE, WIRE_PATH_TRANSFER, 0);
    connect(&bench);
    for (unsigned loop = 0; loop < ESP8266_SWD_LOOP_COUNT; loop++) {
        wire.loop = (uint8_t)loop;
        wire.half_period = loop == ESP8266_SWD_LOOP_PACED || loop == ESP8266_SWD_LOOP_PACED_OPEN ? 1u : 0u;
        wire.host_period = loop == ESP8266_SWD_LOOP_HELD ? 1u : 0u;
        uint32_t data = 0;
        wire_command(WIRE_BENCH_BEGIN, ESP8266_SWD_READ, loop, 0);
        unsigned read = esp8266_swd_transfer(&wire, swd_request(SWD_DP, true, DP_DPIDR), &data);
        wire_command(WIRE_BENCH_END, ESP8266_SWD_READ, loop, 0);
        expect(read == HAL_SWD_ACK_OK && data == WIRE_EXPECTED_DPIDR, "bench", "DPIDR read");
        data = 0x55555555u;
        wire_command(WIRE_BENCH_BEGIN, ESP8266_SWD_WRITE, loop, 0);
        unsigned write = esp8266_swd_transfer(&wire, swd_request(SWD_DP, false, DP_SELECT), &data);
        wire_command(WIRE_BENCH_END, ESP8266_SWD_WRITE, loop, 0);
        expect(write == HAL_SWD_ACK_OK, "bench", "SELECT write");
    }
    wire_command(WIRE_END, 0, 0, 0);
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "bench") == 0)
        run_bench();
    else
        run_scenarios();
    if (failures)
        printf("%d check(s) failed\n", failures);
    return failures ? 1 : 0;
}
