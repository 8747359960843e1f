/* rt_chart.h - a line chart drawn into a rectangle of an rt_canvas.
 *
 * A chart has a title (2x text, or 1x when that does not fit), an x and a
 * y axis label, ticks at nice numbers with their values and a light grid
 * (rt_ticks.h), any number of series, and a legend of the series that
 * have a name, put in the corner of the plotting area that hides the
 * fewest points.  The y axis is linear, or logarithmic when asked or, by
 * default, when every value is above 0 and they span more than two
 * decades (rt_wants_log_scale); the y label then says "(log)".  Ranges fit
 * the data with a small margin, unless the x range is given; the lines
 * are clipped to the plotting area.  A chart without a single value says so in its middle.
 * The caller owns every array and string; nothing is kept after drawing.
 * Leaves out: a second y axis, bars, error bands, log x.
 */
#ifndef RT_CHART_H
#define RT_CHART_H

#include <stddef.h>

#include "viz/rt_raster.h"

typedef struct {
    const char *name;       /* the legend's entry; NULL: not in the legend */
    const double *x, *y;    /* n points, drawn in order; a y that is NaN is a
                             * missing value, left out (the line joins its neighbours) */
    size_t n;
    rt_rgb colour;
    double width, alpha;    /* the line's width in pixels, its opacity in [0, 1] */
    double dot;             /* > 0: a dot of this radius at every point */
} rt_series;

enum { RT_SCALE_AUTO, RT_SCALE_LINEAR, RT_SCALE_LOG };

typedef struct {
    const char *title, *x_label, *y_label;   /* NULL: none */
    const rt_series *series;
    int n_series;
    int y_scale;            /* RT_SCALE_*; LOG leaves out values <= 0 */
    double x_min, x_max;    /* x_min < x_max: the x axis spans them (panels
                             * of one figure alike); else it fits the data */
} rt_chart;

/* The chart in the rectangle (x, y, w, h) of c; at least 160 x 120. */
void rt_chart_draw(rt_canvas *c, int x, int y, int w, int h, const rt_chart *ch);

/* The palette for series: ten colours, easy to tell apart (Tableau 10,
 * as matplotlib's default); i wraps around. */
rt_rgb rt_chart_colour(int i);

#endif
