/* rt_curves.h - the picture of training runs: their log.csv tables
 * (formats/rt_table.h) drawn as a figure of charts (rt_figure.h), one
 * panel per column against `step`, one series per run.  The trainer draws
 * RUN/curves.png with it, `ganc plot` compares runs with it.
 *
 * Columns: those asked for, or by default every column all the runs have
 * in the first run's order, except step and the clock (seconds, time).
 * Losses and terms (the columns before `seconds` in log.csv, or named
 * *_loss in a table without one) are noisy: each run is drawn raw, thin
 * and faint, under its exponential moving average, bold; other columns
 * (mixture scores) are drawn as they are, with a dot at each point when
 * there are few.  A run gets a colour of its own (rt_chart_colour); the
 * legend names the runs when there are several, and says which line is
 * raw and which averaged when there is one.  The average's span is the
 * square root of the number of points (7 for 50, 158 for 25,000).
 * Leaves out: x axes other than step, aligning runs of different steps.
 */
#ifndef RT_CURVES_H
#define RT_CURVES_H

#include "core/rt_err.h"
#include "formats/rt_table.h"

typedef struct {
    const char *name;       /* the legend's name for the run */
    const char *path;       /* its log.csv, for messages */
    const rt_table *log;
} rt_curves_run;

/* The columns to draw: wanted (n_wanted of them, each in every run), or
 * the default above when wanted is NULL.  *columns is a new array of
 * pointers to names the tables own (caller frees the array).  0, or -1
 * with err: a run without `step`, a wanted column a run lacks (naming both),
 * or no column to draw (the runs share none). */
int rt_curves_columns(const rt_curves_run *runs, int n_runs, const char *const *wanted,
                      int n_wanted, const char ***columns, int *n_columns, rt_err *err);

/* The figure of the columns (from rt_curves_columns) at path, atomically;
 * title NULL for none. */
int rt_curves_png(const char *path, const char *title, const rt_curves_run *runs, int n_runs,
                  const char *const *columns, int n_columns, rt_err *err);

#endif
