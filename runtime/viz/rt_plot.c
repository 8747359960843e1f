/* rt_plot.c - the runtime's two pictures: a 2D scatter plot and an image
 * grid (see rt_plot.h).  Drawing uses rt_raster, output rt_png_write. */
#include "viz/rt_plot.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/rt_alloc.h"
#include "core/rt_err.h"
#include "formats/rt_png.h"
#include "viz/rt_raster.h"

#define SCATTER_SIZE 512
#define GRID_PAD 2

static const rt_rgb BACKGROUND = { 250, 250, 247 };
static const rt_rgb AXES = { 200, 200, 200 };
static const rt_rgb REAL = { 150, 175, 215 };    /* light grey-blue */
static const rt_rgb FAKE = { 230, 85, 13 };      /* orange-red */
static const unsigned char GRID_PAD_GRAY = 128;

static void draw_points(rt_canvas *c, const float *pts, size_t n, double extent,
                        double radius, rt_rgb colour, double alpha)
{
    double scale = (SCATTER_SIZE / 2.0) / extent;
    for (size_t i = 0; i < n; i++) {
        double x = pts[2 * i], y = pts[2 * i + 1];
        if (fabs(x) > extent || fabs(y) > extent)
            continue;
        rt_canvas_dot(c, SCATTER_SIZE / 2.0 + x * scale, SCATTER_SIZE / 2.0 - y * scale,
                      radius, colour, alpha);
    }
}

int rt_scatter_png(const char *path, const float *real_pts, size_t n_real,
                   const float *fake_pts, size_t n_fake, double extent, rt_err *err)
{
    rt_assert(extent > 0);
    rt_canvas c;
    rt_canvas_init(&c, SCATTER_SIZE, SCATTER_SIZE, BACKGROUND);
    rt_canvas_hline(&c, SCATTER_SIZE / 2, AXES);
    rt_canvas_vline(&c, SCATTER_SIZE / 2, AXES);
    draw_points(&c, real_pts, n_real, extent, 2.5, REAL, 0.8);
    draw_points(&c, fake_pts, n_fake, extent, 1.8, FAKE, 0.7);
    int rc = rt_png_write(path, c.px, c.w, c.h, 3, err);
    rt_canvas_free(&c);
    return rc;
}

static unsigned char to_byte(float v)
{
    if (!(v > -1.0f))   /* also catches NaN */
        v = -1.0f;
    if (v > 1.0f)
        v = 1.0f;
    /* lroundf's value for the float in [0, 255], without a call per pixel:
     * in double, adding 0.5 is exact wherever it matters */
    return (unsigned char)((double)((v + 1.0f) * 127.5f) + 0.5);
}

int rt_image_grid_png(const char *path, const float *imgs, int n, int c, int h, int w,
                      int cols, rt_err *err)
{
    return rt_image_grid_png_scaled(path, imgs, n, c, h, w, cols, 1, err);
}

int rt_image_grid_png_scaled(const char *path, const float *imgs, int n, int c, int h, int w,
                             int cols, int scale, rt_err *err)
{
    rt_assert(n > 0 && (c == 1 || c == 3) && h > 0 && w > 0 && cols > 0 && scale >= 1);
    int sh = h * scale, sw = w * scale;
    if (cols > n)
        cols = n;
    int rows = (n + cols - 1) / cols;
    int gw = cols * (sw + GRID_PAD) + GRID_PAD, gh = rows * (sh + GRID_PAD) + GRID_PAD;
    size_t image = (size_t)c * (size_t)h * (size_t)w;
    unsigned char *px = rt_xmalloc((size_t)gw * (size_t)gh * (size_t)c);
    memset(px, GRID_PAD_GRAY, (size_t)gw * (size_t)gh * (size_t)c);
    for (int i = 0; i < n; i++) {
        int ox = GRID_PAD + (i % cols) * (sw + GRID_PAD);
        int oy = GRID_PAD + (i / cols) * (sh + GRID_PAD);
        const float *img = imgs + (size_t)i * image;
        for (int ch = 0; ch < c; ch++)
            for (int y = 0; y < sh; y++)
                for (int x = 0; x < sw; x++)
                    px[((size_t)(oy + y) * (size_t)gw + (size_t)(ox + x)) * (size_t)c +
                       (size_t)ch] = to_byte(img[((size_t)ch * (size_t)h + (size_t)(y / scale)) *
                                                 (size_t)w + (size_t)(x / scale)]);
    }
    int rc = rt_png_write(path, px, gw, gh, c, err);
    free(px);
    return rc;
}
