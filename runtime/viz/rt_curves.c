/* rt_curves.c - training runs' logs as a figure of charts (see rt_curves.h):
 * which columns, how each run's column becomes series, the moving average. */
#include "viz/rt_curves.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/rt_alloc.h"
#include "viz/rt_figure.h"

#define FEW_POINTS 40        /* a dot at each point up to this many */

static int is_clock(const char *name)
{
    return strcmp(name, "step") == 0 || strcmp(name, "seconds") == 0 ||
           strcmp(name, "time") == 0;
}

static int in_every_run(const rt_curves_run *runs, int n_runs, const char *name)
{
    for (int r = 0; r < n_runs; r++)
        if (rt_table_column(runs[r].log, name) < 0)
            return 0;
    return 1;
}

/* "a, b, c" of a table's columns, cut to fit */
static void list_columns(const rt_table *t, char *buf, size_t cap)
{
    size_t n = 0;
    buf[0] = 0;
    for (int c = 0; c < t->cols && n < cap; c++)
        n += (size_t)snprintf(buf + n, cap - n, "%s%s", c ? ", " : "", t->names[c]);
}

int rt_curves_columns(const rt_curves_run *runs, int n_runs, const char *const *wanted,
                      int n_wanted, const char ***columns, int *n_columns, rt_err *err)
{
    rt_assert(n_runs >= 1);
    char have[200];
    for (int r = 0; r < n_runs; r++)
        if (rt_table_column(runs[r].log, "step") < 0) {
            list_columns(runs[r].log, have, sizeof have);
            return rt_errf(err, "%s: no 'step' column (its columns: %s)", runs[r].path, have);
        }
    const rt_table *first = runs[0].log;
    int cap = wanted ? n_wanted : first->cols;
    *columns = rt_xcalloc((size_t)cap + 1, sizeof **columns);
    *n_columns = 0;
    for (int i = 0; wanted && i < n_wanted; i++)
        for (int r = 0; r < n_runs; r++)
            if (rt_table_column(runs[r].log, wanted[i]) < 0) {
                list_columns(runs[r].log, have, sizeof have);
                free(*columns);
                *columns = NULL;
                return rt_errf(err, "%s: no column '%s' (its columns: %s)", runs[r].path,
                               wanted[i], have);
            }
    for (int i = 0; i < cap; i++) {
        const char *name = wanted ? wanted[i] : first->names[i];
        if (wanted || (!is_clock(name) && in_every_run(runs, n_runs, name)))
            (*columns)[(*n_columns)++] = name;
    }
    if (*n_columns > 0)
        return 0;
    free(*columns);
    *columns = NULL;
    if (n_runs == 1)
        return rt_errf(err, "%s: no column to draw besides step and the clock", runs[0].path);
    return rt_errf(err, "the runs share no column to draw (%s and %s have no column in common "
                   "besides step and the clock)", runs[0].path, runs[1].path);
}

/* A loss or a term: before `seconds` in log.csv's layout (rt_train_log.h). */
static int is_noisy(const rt_table *t, int col)
{
    int seconds = rt_table_column(t, "seconds");
    if (seconds >= 0)
        return col < seconds;
    size_t n = strlen(t->names[col]);
    return n >= 5 && strcmp(t->names[col] + n - 5, "_loss") == 0;
}

/* The exponential moving average of the present values of y (NaN stays
 * NaN), started at the first one.  Its span is the square root of the
 * number of points: 7 for 50 rows, 158 for 25,000, smooth enough to show
 * the trend, short enough that the average does not lag far behind it. */
static void moving_average(const double *y, size_t n, double *out)
{
    size_t present = 0;
    for (size_t i = 0; i < n; i++)
        present += !isnan(y[i]);
    double a = 2 / (sqrt((double)present) + 1);   /* 1 for one point: itself */
    double avg = NAN;
    for (size_t i = 0; i < n; i++) {
        if (!isnan(y[i]))
            avg = isnan(avg) ? y[i] : avg + a * (y[i] - avg);
        out[i] = isnan(y[i]) ? NAN : avg;
    }
}

/* One run's column as series (2 when noisy: raw, then averaged) into s;
 * arrays[0..2] take the x, y and average arrays (caller frees).  Returns
 * how many series. */
static int run_series(const rt_curves_run *run, int index, int n_runs, const char *column,
                      rt_series *s, double **arrays)
{
    const rt_table *t = run->log;
    int col = rt_table_column(t, column), step = rt_table_column(t, "step");
    size_t n = t->rows, present = 0;
    double *x = arrays[0] = rt_xmalloc((n ? n : 1) * sizeof *x);
    double *y = arrays[1] = rt_xmalloc((n ? n : 1) * sizeof *y);
    for (size_t i = 0; i < n; i++) {
        x[i] = rt_table_at(t, i, step);
        y[i] = rt_table_at(t, i, col);
        present += !isnan(y[i]);
    }
    rt_rgb colour = rt_chart_colour(index);
    const char *name = n_runs > 1 ? run->name : NULL;
    if (!is_noisy(t, col)) {
        s[0] = (rt_series){ name, x, y, n, colour, 2.0, 1.0, present <= FEW_POINTS ? 3.0 : 0 };
        return 1;
    }
    double *avg = arrays[2] = rt_xmalloc((n ? n : 1) * sizeof *avg);
    moving_average(y, n, avg);
    s[0] = (rt_series){ n_runs > 1 ? NULL : "raw", x, y, n, colour, 1.2, 0.3, 0 };
    s[1] = (rt_series){ n_runs > 1 ? name : "moving average", x, avg, n, colour, 2.2, 1.0,
                        present <= FEW_POINTS ? 2.0 : 0 };
    return 2;
}

/* The steps of all the runs, so that the panels share their x axis
 * (a score logged once still sits where its step is); NaN when none. */
static void step_range(const rt_curves_run *runs, int n_runs, double *lo, double *hi)
{
    *lo = INFINITY, *hi = -INFINITY;
    for (int r = 0; r < n_runs; r++) {
        int step = rt_table_column(runs[r].log, "step");
        for (size_t i = 0; i < runs[r].log->rows; i++) {
            double x = rt_table_at(runs[r].log, i, step);
            *lo = x < *lo ? x : *lo;
            *hi = x > *hi ? x : *hi;
        }
    }
    if (!(*lo < *hi))
        *lo = *hi = NAN;
}

/* Every run's faint raw line under every run's bold one (a stable
 * partition of the panel's series). */
static void raw_first(rt_series *s, int n)
{
    rt_series *tmp = rt_xmalloc((size_t)n * sizeof *tmp);
    int k = 0;
    for (int pass = 0; pass < 2; pass++)
        for (int i = 0; i < n; i++)
            if ((s[i].alpha < 1) == (pass == 0))
                tmp[k++] = s[i];
    memcpy(s, tmp, (size_t)n * sizeof *s);
    free(tmp);
}

int rt_curves_png(const char *path, const char *title, const rt_curves_run *runs, int n_runs,
                  const char *const *columns, int n_columns, rt_err *err)
{
    rt_assert(n_runs >= 1 && n_columns >= 1);
    size_t per_panel = 2 * (size_t)n_runs, n_arrays = 3 * (size_t)n_runs * (size_t)n_columns;
    rt_chart *charts = rt_xcalloc((size_t)n_columns, sizeof *charts);
    rt_series *series = rt_xcalloc((size_t)n_columns * per_panel, sizeof *series);
    double **arrays = rt_xcalloc(n_arrays, sizeof *arrays);
    double x0, x1;
    step_range(runs, n_runs, &x0, &x1);
    for (int c = 0; c < n_columns; c++) {
        rt_series *s = series + (size_t)c * per_panel;
        int k = 0;
        for (int r = 0; r < n_runs; r++)
            k += run_series(&runs[r], r, n_runs, columns[c], s + k,
                            arrays + 3 * ((size_t)c * (size_t)n_runs + (size_t)r));
        raw_first(s, k);
        charts[c] = (rt_chart){ columns[c], "step", columns[c], s, k, RT_SCALE_AUTO, x0, x1 };
    }
    int rc = rt_figure_png(path, title, charts, n_columns, rt_figure_cols(n_columns),
                           RT_PANEL_W, RT_PANEL_H, err);
    for (size_t i = 0; i < n_arrays; i++)
        free(arrays[i]);
    free(arrays);
    free(series);
    free(charts);
    return rc;
}
