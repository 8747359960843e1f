/* rt_legend.h - a chart's legend (internal to viz/: rt_chart.c draws it).
 *
 * A box of one line per named series, a short stroke in its colour, width
 * and opacity (and a dot if it has dots), then its name, on a white box
 * that lets a little of the chart show through.  It goes in the corner of
 * the plotting area that hides the fewest of the series' points.
 * Leaves out: several columns of entries (a name too long is cut at the
 * plotting area's edge).
 */
#ifndef RT_LEGEND_H
#define RT_LEGEND_H

#include "viz/rt_chart.h"

/* The plotting area (x, y, w, h); series with their points in pixels. */
void rt_legend_draw(rt_canvas *c, int x, int y, int w, int h, const rt_series *in_pixels,
                    int n_series);

#endif
