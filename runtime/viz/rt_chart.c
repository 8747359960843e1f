/* rt_chart.c - a line chart in a rectangle (see rt_chart.h): ranges, the
 * y scale, axes with ticks and labels, the series; the legend is
 * rt_legend.c's. */
#include "viz/rt_chart.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/rt_alloc.h"
#include "core/rt_err.h"
#include "viz/rt_legend.h"
#include "viz/rt_line.h"
#include "viz/rt_text.h"
#include "viz/rt_ticks.h"

#define MAX_TICKS 16
#define TICK_LEN 4
#define PAD 6

static const rt_rgb PLOT_BACKGROUND = { 255, 255, 255 };
static const rt_rgb GRID = { 232, 232, 232 };
static const rt_rgb FRAME = { 150, 150, 150 };
static const rt_rgb INK = { 40, 40, 40 };
static const rt_rgb SOFT_INK = { 90, 90, 90 };

rt_rgb rt_chart_colour(int i)
{
    static const rt_rgb palette[10] = {
        { 31, 119, 180 }, { 255, 127, 14 }, { 44, 160, 44 }, { 214, 39, 40 },
        { 148, 103, 189 }, { 140, 86, 75 }, { 227, 119, 194 }, { 127, 127, 127 },
        { 188, 189, 34 }, { 23, 190, 207 },
    };
    return palette[(i % 10 + 10) % 10];
}

/* The data's ranges: x over the points that are drawn, y as drawn (log10
 * of it on a log scale). */
typedef struct {
    double x0, x1, y0, y1;
    int log_y, empty;
} ranges;

static int drawn(const rt_chart *ch, int log_y, size_t s, size_t i)
{
    double x = ch->series[s].x[i], y = ch->series[s].y[i];
    return isfinite(x) && isfinite(y) && (!log_y || y > 0);
}

static void data_extent(const rt_chart *ch, int log_y, ranges *r)
{
    r->x0 = r->y0 = INFINITY;
    r->x1 = r->y1 = -INFINITY;
    for (int s = 0; s < ch->n_series; s++)
        for (size_t i = 0; i < ch->series[s].n; i++)
            if (drawn(ch, log_y, (size_t)s, i)) {
                double x = ch->series[s].x[i], y = ch->series[s].y[i];
                r->x0 = fmin(r->x0, x), r->x1 = fmax(r->x1, x);
                r->y0 = fmin(r->y0, y), r->y1 = fmax(r->y1, y);
            }
    r->empty = !(r->x0 <= r->x1);
}

/* A range of zero width grows to show its one value in the middle. */
static void widen(double *lo, double *hi, double margin)
{
    if (*hi <= *lo) {
        double d = *lo != 0 ? fabs(*lo) * 0.1 : 1;
        *lo -= d, *hi += d;
    } else {
        double d = (*hi - *lo) * margin;
        *lo -= d, *hi += d;
    }
}

static ranges find_ranges(const rt_chart *ch)
{
    ranges r;
    data_extent(ch, 0, &r);
    int log_y = ch->y_scale == RT_SCALE_LOG ||
                (ch->y_scale == RT_SCALE_AUTO && !r.empty && rt_wants_log_scale(r.y0, r.y1));
    if (log_y && ch->y_scale == RT_SCALE_LOG)
        data_extent(ch, 1, &r);
    r.log_y = log_y;
    if (r.empty)
        return r;
    if (log_y)
        r.y0 = log10(r.y0), r.y1 = log10(r.y1);
    if (ch->x_min < ch->x_max)   /* false for NaN */
        r.x0 = ch->x_min, r.x1 = ch->x_max;
    widen(&r.x0, &r.x1, 0.02);
    widen(&r.y0, &r.y1, 0.05);
    return r;
}

/* The plotting area and how data maps into it. */
typedef struct {
    int left, top, right, bottom;   /* pixels: [left, right) x [top, bottom) */
    int label_x;                    /* the y label's left edge */
    ranges r;
} frame;

static double to_px(const frame *f, double x)
{
    return f->left + (x - f->r.x0) / (f->r.x1 - f->r.x0) * (f->right - f->left);
}

static double to_py(const frame *f, double y)
{
    double v = f->r.log_y ? log10(y) : y;
    return f->bottom - (v - f->r.y0) / (f->r.y1 - f->r.y0) * (f->bottom - f->top);
}

/* The y ticks (in data units) and their labels' widest width. */
static int y_ticks(const ranges *r, int height, double *ticks, double *step, int *label_w)
{
    int max_ticks = height / 32 < 2 ? 2 : height / 32;
    int n;
    if (r->log_y) {
        n = rt_log_ticks(pow(10, r->y0), pow(10, r->y1), max_ticks, ticks, MAX_TICKS);
        *step = 0;
    } else {
        n = rt_nice_ticks(r->y0, r->y1, max_ticks, ticks, MAX_TICKS);
        *step = rt_nice_step(r->y0, r->y1, max_ticks);
    }
    *label_w = 0;
    for (int i = 0; i < n; i++) {
        char s[32];
        rt_tick_label(ticks[i], *step, s, sizeof s);
        int w = rt_text_width(s, 1);
        *label_w = w > *label_w ? w : *label_w;
    }
    return n;
}

static void draw_y_axis(rt_canvas *c, const frame *f, const double *ticks, int n, double step)
{
    for (int i = 0; i < n; i++) {
        int py = (int)lround(to_py(f, ticks[i]));
        char s[32];
        rt_tick_label(ticks[i], step, s, sizeof s);
        rt_canvas_fill(c, f->left, py, f->right - f->left, 1, GRID, 1.0);
        rt_canvas_fill(c, f->left - TICK_LEN, py, TICK_LEN, 1, FRAME, 1.0);
        rt_canvas_text(c, f->left - TICK_LEN - 3 - rt_text_width(s, 1),
                       py - rt_text_height(1) / 2 + 1, s, 1, INK);
    }
}

static void draw_x_axis(rt_canvas *c, const frame *f)
{
    double ticks[MAX_TICKS];
    int max_ticks = (f->right - f->left) / 64 < 2 ? 2 : (f->right - f->left) / 64;
    int n = rt_nice_ticks(f->r.x0, f->r.x1, max_ticks, ticks, MAX_TICKS);
    double step = rt_nice_step(f->r.x0, f->r.x1, max_ticks);
    for (int i = 0; i < n; i++) {
        int px = (int)lround(to_px(f, ticks[i]));
        char s[32];
        rt_tick_label(ticks[i], step, s, sizeof s);
        rt_canvas_fill(c, px, f->top, 1, f->bottom - f->top, GRID, 1.0);
        rt_canvas_fill(c, px, f->bottom, 1, TICK_LEN, FRAME, 1.0);
        rt_canvas_text(c, px - rt_text_width(s, 1) / 2, f->bottom + TICK_LEN + 3, s, 1, INK);
    }
}

static void draw_box(rt_canvas *c, const frame *f)
{
    int w = f->right - f->left, h = f->bottom - f->top;
    rt_canvas_fill(c, f->left - 1, f->top - 1, w + 2, 1, FRAME, 1.0);
    rt_canvas_fill(c, f->left - 1, f->bottom, w + 2, 1, FRAME, 1.0);
    rt_canvas_fill(c, f->left - 1, f->top, 1, h, FRAME, 1.0);
    rt_canvas_fill(c, f->right, f->top, 1, h, FRAME, 1.0);
}

/* The title centred over the panel: 2x, or 1x when 2x is too wide. */
static void draw_title(rt_canvas *c, int x, int y, int w, const char *title)
{
    int scale = rt_text_width(title, 2) <= w - 2 * PAD ? 2 : 1;
    int tw = rt_text_width(title, scale);
    int tx = tw <= w - 2 * PAD ? x + (w - tw) / 2 : x + PAD;
    rt_canvas_clip(c, x, y, w, 2 * PAD + rt_text_height(2));
    rt_canvas_text(c, tx, y + PAD + (scale == 1 ? 4 : 0), title, scale, INK);
    rt_canvas_clip_off(c);
}

/* Series s with its points in pixels (NaN where not drawn): a copy whose
 * arrays the caller frees. */
static rt_series in_pixels(const frame *f, const rt_series *s)
{
    rt_series p = *s;
    double *px = rt_xmalloc((s->n ? s->n : 1) * sizeof *px);
    double *py = rt_xmalloc((s->n ? s->n : 1) * sizeof *py);
    for (size_t i = 0; i < s->n; i++) {
        int ok = isfinite(s->x[i]) && isfinite(s->y[i]) && (!f->r.log_y || s->y[i] > 0);
        px[i] = ok ? to_px(f, s->x[i]) : NAN;
        py[i] = ok ? to_py(f, s->y[i]) : NAN;
    }
    p.x = px, p.y = py;
    return p;
}

static void draw_series(rt_canvas *c, const rt_series *p)
{
    rt_canvas_polyline(c, p->x, p->y, p->n, p->width, p->colour, p->alpha);
    for (size_t i = 0; p->dot > 0 && i < p->n; i++)
        rt_canvas_dot(c, p->x[i], p->y[i], p->dot, p->colour, p->alpha);
}

/* The frame inside the panel, from the widest y label. */
static frame layout(int x, int y, int w, int h, const ranges *r, int y_label_w, int has_title)
{
    frame f;
    f.r = *r;
    f.label_x = x + PAD;
    f.left = x + PAD + rt_text_height(1) + PAD + y_label_w + TICK_LEN + 4;
    f.right = x + w - 3 * PAD;   /* room for half of the last x label */
    f.top = y + (has_title ? 2 * PAD + rt_text_height(2) + 4 : 2 * PAD);
    f.bottom = y + h - (PAD + 2 * rt_text_height(1) + TICK_LEN + 8);
    return f;
}

static void draw_labels(rt_canvas *c, const frame *f, const rt_chart *ch)
{
    if (ch->x_label)
        rt_canvas_text(c, (f->left + f->right - rt_text_width(ch->x_label, 1)) / 2,
                       f->bottom + TICK_LEN + 6 + rt_text_height(1), ch->x_label, 1, SOFT_INK);
    char y_label[160];
    snprintf(y_label, sizeof y_label, "%s%s", ch->y_label ? ch->y_label : "",
             f->r.log_y ? (ch->y_label ? " (log)" : "log") : "");
    int len = rt_text_width(y_label, 1);
    rt_canvas_text_up(c, f->label_x, (f->top + f->bottom - len) / 2, y_label, 1, SOFT_INK);
}

void rt_chart_draw(rt_canvas *c, int x, int y, int w, int h, const rt_chart *ch)
{
    rt_assert(w >= 160 && h >= 120);
    ranges r = find_ranges(ch);
    double ticks[MAX_TICKS], step = 0;
    int label_w = 0, n_ticks = 0;
    frame f = layout(x, y, w, h, &r, 0, ch->title != NULL);   /* its height, for the ticks */
    if (!r.empty)
        n_ticks = y_ticks(&r, f.bottom - f.top, ticks, &step, &label_w);
    f = layout(x, y, w, h, &r, label_w, ch->title != NULL);
    rt_canvas_fill(c, f.left, f.top, f.right - f.left, f.bottom - f.top, PLOT_BACKGROUND, 1.0);
    if (ch->title)
        draw_title(c, x, y, w, ch->title);
    if (r.empty) {
        static const char none[] = "no values";
        rt_canvas_text(c, (f.left + f.right - rt_text_width(none, 1)) / 2,
                       (f.top + f.bottom) / 2 - 4, none, 1, SOFT_INK);
        draw_box(c, &f);
        return;
    }
    rt_canvas_clip(c, x, y, w, h);   /* long labels stay in their panel */
    draw_y_axis(c, &f, ticks, n_ticks, step);
    draw_x_axis(c, &f);
    draw_labels(c, &f, ch);
    rt_series *drawn_px = rt_xcalloc((size_t)ch->n_series + 1, sizeof *drawn_px);
    for (int s = 0; s < ch->n_series; s++)
        drawn_px[s] = in_pixels(&f, &ch->series[s]);
    rt_canvas_clip(c, f.left, f.top, f.right - f.left, f.bottom - f.top);
    for (int s = 0; s < ch->n_series; s++)
        draw_series(c, &drawn_px[s]);
    rt_canvas_clip_off(c);
    draw_box(c, &f);
    rt_legend_draw(c, f.left, f.top, f.right - f.left, f.bottom - f.top, drawn_px,
                   ch->n_series);
    for (int s = 0; s < ch->n_series; s++) {
        free((double *)drawn_px[s].x);
        free((double *)drawn_px[s].y);
    }
    free(drawn_px);
}
