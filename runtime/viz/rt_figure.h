/* rt_figure.h - several charts in one picture: a grid of panels, written
 * as a PNG (formats/rt_png.h: deflated where the program links zlib, the
 * trainer and ganc; stored in the sampler, which draws no figures).
 *
 * Panels fill the grid row by row, `cols` to a row, each panel_w x
 * panel_h pixels; an optional title takes a band across the top.
 * The file is written atomically (temporary name, then rename).
 * Leaves out: panels of different sizes, shared axes between panels.
 */
#ifndef RT_FIGURE_H
#define RT_FIGURE_H

#include "core/rt_err.h"
#include "viz/rt_chart.h"

/* 400 x 260: a chart readable at a glance, tick labels at 1x text */
#define RT_PANEL_W 400
#define RT_PANEL_H 260

/* Columns for n panels: 1, 2 up to 4 panels, 3 beyond. */
int rt_figure_cols(int n);

/* n >= 1 charts; title NULL for none.  0, or -1 with err (the file). */
int rt_figure_png(const char *path, const char *title, const rt_chart *charts, int n,
                  int cols, int panel_w, int panel_h, rt_err *err);

#endif
