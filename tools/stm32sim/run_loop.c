/*
 * run_loop.c - stm32sim's service loop: JTAG cycles from OpenOCD, bytes from the pty, and the passing of time.
 *
 * While a debugger is attached, simulated time is its TCK cycles (1/f each), however fast or slow the host is,
 * plus the pauses it makes on purpose (OpenOCD sleeps a millisecond between polls of a busy flash): a gap of at
 * least DEBUGGER_PAUSE_PS between its bytes counts as time the chip runs. Without a debugger the chip runs in step
 * with the wall clock, so firmware blinks and prints in real time. With --uart-baud the UART sets the pace instead:
 * a host byte arrives one frame after the line is free (the host waited for the chip's answer, which itself took
 * its frames on the line), and no wall time counts, so the session's chip time is the line's and the chip's.
 */
#define _POSIX_C_SOURCE 200809L
#include "stm32sim.h"

#include <poll.h>
#include <time.h>

#define POLL_MS 1
#define MAX_IDLE_STEP_PS 10000000000ull /* 10 ms: a stalled host does not make the chip jump ahead */
#define DEBUGGER_PAUSE_PS 200000000ull  /* 200 us without a byte: the debugger is waiting, not streaming */

static uint64_t wall_ps(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (uint64_t)now.tv_sec * 1000000000000ull + (uint64_t)now.tv_nsec * 1000ull;
}

/* With --uart-baud: a byte from the host ends one frame after the line and the chip's answers are done. */
static void pace_host_byte(struct stm32sim *sim)
{
    uint64_t now = sim_stm32_now_ps(sim->chip);
    uint64_t start = now > sim->uart_line_free_ps ? now : sim->uart_line_free_ps;
    if (!sim->uart_seen)
        sim->uart_first_ps = start;
    sim->uart_seen = true;
    sim->uart_line_free_ps = start + sim->uart_frame_ps;
    sim->uart_last_ps = sim->uart_line_free_ps;
    sim_stm32_run_for(sim->chip, sim->uart_line_free_ps - now);
}

static void serve_pty(struct stm32sim *sim)
{
    uint8_t bytes[256];
    long got;
    while ((got = pty_link_read(&sim->pty, bytes, sizeof bytes)) > 0) {
        for (long i = 0; i < got; i++) {
            if (sim->uart_frame_ps > 0)
                pace_host_byte(sim);
            sim_stm32_uart_receive(sim->chip, 1, bytes[i]);
        }
    }
}

static void count_sessions(struct stm32sim *sim, bool *was_connected, uint64_t *session_start_ps,
                           uint64_t *session_start_cycles)
{
    bool connected = remote_bitbang_connected(sim->rbb);
    uint64_t now = sim_stm32_now_ps(sim->chip);
    uint64_t cycles = sim_target_swclk_cycles(sim->chip->target);
    if (connected && !*was_connected) {
        *session_start_ps = now;
        *session_start_cycles = cycles;
    } else if (!connected && *was_connected) {
        sim->sessions++;
        printf("stm32sim: session %u simulated %.6f s, %llu TCK cycles\n", sim->sessions,
               (double)(now - *session_start_ps) / 1e12, (unsigned long long)(cycles - *session_start_cycles));
        fflush(stdout);
    }
    *was_connected = connected;
}

/* How long the chip runs on its own after an iteration: with no debugger, all the wall time that passed; with one,
 * only its pauses (the debugger waited for something), not the host's own latency between its bytes. */
static uint64_t idle_time(bool debugger_attached, uint64_t since_last_ps, uint64_t waited_ps)
{
    uint64_t idle = debugger_attached ? (waited_ps >= DEBUGGER_PAUSE_PS ? waited_ps : 0) : since_last_ps;
    return idle < MAX_IDLE_STEP_PS ? idle : MAX_IDLE_STEP_PS;
}

void stm32sim_run(struct stm32sim *sim, volatile const int *stop)
{
    uint64_t last_wall = wall_ps();
    bool was_connected = false;
    uint64_t session_start_ps = 0, session_start_cycles = 0;
    while (!*stop) {
        struct pollfd fds[2];
        nfds_t count = 0;
        if (sim->rbb != NULL)
            fds[count++] = (struct pollfd){.fd = remote_bitbang_fd(sim->rbb), .events = POLLIN};
        if (sim->pty_open)
            fds[count++] = (struct pollfd){.fd = sim->pty.master_fd, .events = POLLIN};
        uint64_t poll_start = wall_ps();
        poll(fds, count, POLL_MS);
        uint64_t waited = wall_ps() - poll_start;

        bool debugger_attached = sim->rbb != NULL && remote_bitbang_connected(sim->rbb);
        if (sim->rbb != NULL) {
            if (remote_bitbang_poll(sim->rbb, 0) < 0) {
                fprintf(stderr, "stm32sim: the remote_bitbang socket failed\n");
                return;
            }
            count_sessions(sim, &was_connected, &session_start_ps, &session_start_cycles);
        }
        if (sim->pty_open)
            serve_pty(sim);

        uint64_t wall = wall_ps();
        uint64_t idle = sim->uart_frame_ps > 0 ? 0 : idle_time(debugger_attached, wall - last_wall, waited);
        last_wall = wall;
        if (idle > 0)
            sim_stm32_run_for(sim->chip, idle);
    }
}
