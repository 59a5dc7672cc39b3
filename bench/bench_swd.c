/*
 * bench_swd.c - the SWD link: SWCLK cycles per 32-bit word of a 64 KB block write and read (TAR rewrites and the
 * closing RDBUFF included), simulated chip time, and how fast the host runs the simulated link.
 *
 * One line per measurement: what, the figure, its unit, the reference, the ratio.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sim_session.h"

#define BENCH_RAM_BASE 0x60000000u
#define BENCH_BLOCK (64u * 1024u)
#define GOAL_CYCLES_PER_WORD 47.0

static double host_seconds(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)now.tv_sec + (double)now.tv_nsec / 1e9;
}

struct measurement {
    uint64_t cycles;
    uint64_t chip_ps;
    double host_s;
};

static struct measurement measure_block(struct sim_session *session, bool write, uint8_t *data)
{
    struct sim_target *target = session->stm32->target;
    uint64_t cycles = sim_target_swclk_cycles(target), ps = sim_target_now_ps(target);
    session->ap.tar_valid = false; /* count the first TAR write too */
    double start = host_seconds();
    enum status status = write ? adi_mem_write(&session->ap, BENCH_RAM_BASE, data, BENCH_BLOCK, 4)
                               : adi_mem_read(&session->ap, BENCH_RAM_BASE, data, BENCH_BLOCK, 4);
    double host_s = host_seconds() - start;
    if (status != STATUS_OK) {
        fprintf(stderr, "bench_swd: block %s failed: %s\n", write ? "write" : "read", sim_session_error(session));
        exit(1);
    }
    return (struct measurement){sim_target_swclk_cycles(target) - cycles, sim_target_now_ps(target) - ps, host_s};
}

static void report(const char *what, const char *path, struct measurement m, uint32_t swclk_hz)
{
    double words = BENCH_BLOCK / 4.0;
    double per_word = (double)m.cycles / words;
    char label[96];
    snprintf(label, sizeof label, "%s, %s", what, path);
    printf("%-40s %9.2f SWCLK/word                     goal <= %.0f          ratio %.3f\n", label, per_word,
           GOAL_CYCLES_PER_WORD, per_word / GOAL_CYCLES_PER_WORD);
    /* Chip time against the bare wire: 46 cycles per word at this SWCLK, nothing else. */
    double chip_ms = (double)m.chip_ps / 1e9, bare_ms = 46.0 * words / swclk_hz * 1e3;
    printf("%-40s %9.2f ms chip time (simulated)         46 cycles/word %.2f ms  ratio %.3f\n", label, chip_ms,
           bare_ms, chip_ms / bare_ms);
    double mhz = (double)m.cycles / m.host_s / 1e6;
    printf("%-40s %9.2f MHz simulated SWCLK on this host  SWCLK %.1f MHz         ratio %.2f\n", label, mhz,
           swclk_hz / 1e6, mhz / (swclk_hz / 1e6));
}

static void bench_path(bool whole_packet)
{
    struct sim_session session;
    if (!sim_session_create(&session, "stm32f103c8", whole_packet)) {
        fprintf(stderr, "bench_swd: cannot create the simulated part\n");
        exit(1);
    }
    struct sim_memory *ram = sim_memory_create(BENCH_BLOCK, true);
    if (!ram || !sim_memory_map(ram, sim_target_bus(session.stm32->target), BENCH_RAM_BASE, "bench ram") ||
        sim_session_attach(&session) != STATUS_OK) {
        fprintf(stderr, "bench_swd: setup failed: %s\n", sim_session_error(&session));
        exit(1);
    }
    static uint8_t data[BENCH_BLOCK], back[BENCH_BLOCK];
    srand(1);
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (uint8_t)rand();

    uint32_t hz = sim_target_swclk_hz(session.stm32->target);
    const char *path = whole_packet ? "port packet routine" : "core per-bit path";
    report("64 KB block write", path, measure_block(&session, true, data), hz);
    report("64 KB block read", path, measure_block(&session, false, back), hz);
    if (memcmp(data, back, sizeof data) != 0) {
        fprintf(stderr, "bench_swd: read-back differs\n");
        exit(1);
    }
    sim_session_destroy(&session);
    sim_memory_destroy(ram);
}

int main(void)
{
    bench_path(false);
    bench_path(true);
    return 0;
}
