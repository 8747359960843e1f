/* rt_progress.c - progress bar / progress lines for the trainer (see rt_progress.h). */
#include "train/rt_progress.h"

#include <math.h>
#include <stdarg.h>
#include <time.h>
#include <unistd.h>

#define BAR_WIDTH 20
#define REDRAW_SECONDS 0.1

double rt_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

void rt_progress_init(rt_progress *p, FILE *out, int tty, long start_step, long total,
                      long log_every)
{
    p->out = out;
    p->tty = tty < 0 ? isatty(fileno(out)) : tty;
    p->total = total;
    p->log_every = log_every;
    p->start_step = start_step;
    p->t0 = rt_now();
    p->last_draw = -1e30;
    p->line_open = 0;
}

/* "4s", "3m07s", "2h05m" */
static void format_eta(char *buf, size_t cap, double seconds)
{
    long s = (long)(seconds + 0.5);
    if (s < 60)
        snprintf(buf, cap, "%lds", s);
    else if (s < 3600)
        snprintf(buf, cap, "%ldm%02lds", s / 60, s % 60);
    else
        snprintf(buf, cap, "%ldh%02ldm", s / 3600, s / 60 % 60);
}

static void print_stats(rt_progress *p, long step, int n, const char *const *names,
                        const double *values, double now)
{
    double elapsed = now - p->t0;
    double rate = elapsed > 0 ? (double)(step - p->start_step) / elapsed : 0;
    char eta[32];
    format_eta(eta, sizeof eta, rate > 0 ? (double)(p->total - step) / rate : 0);
    fprintf(p->out, " %.0f it/s  ETA %s", rate, eta);
    for (int i = 0; i < n; i++)
        if (isnan(values[i]))   /* an update outside its phase (rt_update.from, until) */
            fprintf(p->out, "  %s -", names[i]);
        else
            fprintf(p->out, "  %s %.3f", names[i], values[i]);
}

void rt_progress_update(rt_progress *p, long step, int n, const char *const *names,
                        const double *values)
{
    double now = rt_now();
    int last = step >= p->total;
    if (p->tty) {
        if (!last && now - p->last_draw < REDRAW_SECONDS)
            return;
        int filled = p->total > 0 ? (int)(BAR_WIDTH * step / p->total) : BAR_WIDTH;
        char bar[BAR_WIDTH + 1];
        for (int i = 0; i < BAR_WIDTH; i++)
            bar[i] = i < filled ? '#' : '.';
        bar[BAR_WIDTH] = 0;
        fprintf(p->out, "\rstep %ld/%ld [%s]", step, p->total, bar);
        print_stats(p, step, n, names, values, now);
        fputs("\033[K", p->out);   /* clear what a longer previous line left */
        p->line_open = 1;
    } else {
        if (!last && (p->log_every <= 0 || step % p->log_every != 0))
            return;
        fprintf(p->out, "step %ld/%ld ", step, p->total);
        print_stats(p, step, n, names, values, now);
        fputc('\n', p->out);
    }
    p->last_draw = now;
    fflush(p->out);
}

void rt_progress_note(rt_progress *p, const char *fmt, ...)
{
    if (p->line_open) {
        fputs("\r\033[K", p->out);
        p->line_open = 0;
        p->last_draw = -1e30;   /* redraw the bar at the next update */
    }
    va_list ap;
    va_start(ap, fmt);
    vfprintf(p->out, fmt, ap);
    va_end(ap);
    fputc('\n', p->out);
    fflush(p->out);
}

void rt_progress_finish(rt_progress *p)
{
    if (p->line_open) {
        fputc('\n', p->out);
        p->line_open = 0;
    }
    fflush(p->out);
}
