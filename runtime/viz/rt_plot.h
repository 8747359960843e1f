/* rt_plot.h - the pictures the trainer and sampler draw: a scatter plot of
 * 2D points and a grid of images, written as PNG files (formats/rt_png.h).
 * Drawn with the canvas of rt_raster.h.
 * Leaves out: titles, tick labels, legends (the colours are documented
 * here); line charts with all of them are rt_chart.h's.
 */
#ifndef RT_PLOT_H
#define RT_PLOT_H

#include <stddef.h>

#include "core/rt_err.h"

/* 512x512 scatter plot of 2D points (x0 y0 x1 y1 ...) over
 * [-extent, extent]^2: light background, axes at 0, real points light
 * grey-blue underneath, generated points orange-red on top; points outside
 * the square are not drawn.  Either set may be empty (n = 0, pts NULL). */
int rt_scatter_png(const char *path, const float *real_pts, size_t n_real,
                   const float *fake_pts, size_t n_fake, double extent, rt_err *err);

/* A grid of n images (each c x h x w, channel-major, values in [-1, 1],
 * clamped, mapped to 0..255), `cols` per row, 2 px grey padding around
 * every image; c = 1 writes a gray PNG, c = 3 an RGB one. */
int rt_image_grid_png(const char *path, const float *imgs, int n, int c, int h, int w,
                      int cols, rt_err *err);
/* The same with every image enlarged scale times (nearest neighbour), so
 * small images such as 28x28 are easy to see. */
int rt_image_grid_png_scaled(const char *path, const float *imgs, int n, int c, int h, int w,
                             int cols, int scale, rt_err *err);
/* The enlargement the trainer and sampler use: about 84 pixels per image. */
static inline int rt_grid_scale(int h, int w)
{
    int m = h > w ? h : w, s = 84 / m;
    return s < 1 ? 1 : s;
}

#endif
