/* rt_progress.h - the trainer's progress report.
 *
 * On a terminal: one line redrawn in place (carriage return), at most about
 * ten times a second and always at the last step:
 *   step 1200/5000 [#####...............] 812 it/s ETA 4s  d 1.234  g 0.789
 * Elsewhere (a file, a pipe, CI logs): one plain line per log interval and
 * at the last step, without the bar:
 *   step 1200/5000  812 it/s  ETA 4s  d 1.234  g 0.789
 * The losses are named by the caller (the trainer: each update's name).
 * The rate is averaged since rt_progress_init; times use CLOCK_MONOTONIC.
 * rt_progress_note prints a message on its own line without breaking the bar.
 * Leaves out: colours, terminal width detection, several bars at once.
 */
#ifndef RT_PROGRESS_H
#define RT_PROGRESS_H

#include <stdio.h>

#include "core/rt_err.h"

typedef struct {
    FILE *out;
    int tty;            /* redraw in place? */
    long total;
    long log_every;     /* plain mode: print when step % log_every == 0 */
    long start_step;
    double t0;          /* rt_now() at init */
    double last_draw;
    int line_open;      /* a bar is on screen without its newline */
} rt_progress;

/* Seconds from an arbitrary fixed point, CLOCK_MONOTONIC. */
double rt_now(void);

/* tty < 0: decide with isatty(fileno(out)); 0 or 1 forces the mode. */
void rt_progress_init(rt_progress *p, FILE *out, int tty, long start_step, long total,
                      long log_every);
/* n losses, names[i] beside values[i] */
void rt_progress_update(rt_progress *p, long step, int n, const char *const *names,
                        const double *values);
void rt_progress_note(rt_progress *p, const char *fmt, ...) RT_PRINTF(2, 3);
/* Ends the bar's line (terminal mode). */
void rt_progress_finish(rt_progress *p);

#endif
