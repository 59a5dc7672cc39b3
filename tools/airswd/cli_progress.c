/*
 * cli_progress.c - a job's progress on stderr, local or on a device: on a terminal one bar per phase, redrawn in
 * place and ended once at 100 %; otherwise (a log) a plain line at each quarter of the phase.
 */
#include "cli.h"

#include <stdio.h>
#include <string.h>

#define BAR_WIDTH 30

static void draw_bar(struct cli_progress *shown, unsigned long long done, unsigned long long total,
                     unsigned long long phase_us)
{
    unsigned percent = (unsigned)(done * 100 / total);
    unsigned filled = percent * BAR_WIDTH / 100;
    fprintf(stderr, "\r%-8s [%.*s%*s] %3u%%  %llu/%llu  %.3f s", shown->phase, (int)filled,
            "##############################", (int)(BAR_WIDTH - filled), "", percent, done, total,
            (double)phase_us / 1e6);
    shown->bar_open = done != total;
    if (done == total)
        fputc('\n', stderr);
}

void cli_progress_show(struct cli_progress *shown, const char *phase, unsigned long long done,
                       unsigned long long total, unsigned long long phase_us)
{
    if (strcmp(phase, shown->phase) != 0) {
        cli_progress_end(shown, true); /* a job moves on only once a phase succeeded: it ended full */
        snprintf(shown->phase, sizeof shown->phase, "%s", phase);
        shown->last_quarter = 0;
        shown->done = ~0ull;
    }
    if (total == 0 || done > total || done == shown->done)
        return; /* the same figure again (a phase reports its end once more) is not drawn twice */
    shown->done = done;
    shown->total = total;
    shown->phase_us = phase_us;
    if (shown->terminal) {
        draw_bar(shown, done, total, phase_us);
        return;
    }
    unsigned quarter = (unsigned)(done * 100 / total) / 25;
    if (quarter != shown->last_quarter) {
        fprintf(stderr, "%s %u%% (%llu of %llu)\n", phase, (unsigned)(done * 100 / total), done, total);
        shown->last_quarter = quarter;
    }
}

void cli_progress_end(struct cli_progress *shown, bool completed)
{
    if (!shown->bar_open)
        return;
    if (completed) /* the last report came before the phase's end: the bar ends full, as the phase did */
        draw_bar(shown, shown->total, shown->total, shown->phase_us);
    else
        fputc('\n', stderr);
    shown->bar_open = false;
}
