/* rt_raster.c - RGB canvas: background, clipping, blended pixels, dots,
 * rectangles, axis lines (see rt_raster.h). */
#include "viz/rt_raster.h"

#include <math.h>
#include <stdlib.h>

#include "core/rt_alloc.h"
#include "core/rt_err.h"

void rt_canvas_init(rt_canvas *c, int w, int h, rt_rgb background)
{
    rt_assert(w > 0 && h > 0);
    c->w = w;
    c->h = h;
    c->px = rt_xmalloc((size_t)w * (size_t)h * 3);
    for (size_t i = 0; i < (size_t)w * (size_t)h; i++) {
        c->px[3 * i] = background.r;
        c->px[3 * i + 1] = background.g;
        c->px[3 * i + 2] = background.b;
    }
    rt_canvas_clip_off(c);
}

void rt_canvas_free(rt_canvas *c)
{
    free(c->px);
    c->px = NULL;
}

static int clamp(int v, int lo, int hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

void rt_canvas_clip(rt_canvas *c, int x, int y, int w, int h)
{
    c->cx0 = clamp(x, 0, c->w);
    c->cy0 = clamp(y, 0, c->h);
    c->cx1 = clamp(x + w, c->cx0, c->w);
    c->cy1 = clamp(y + h, c->cy0, c->h);
}

void rt_canvas_clip_off(rt_canvas *c)
{
    rt_canvas_clip(c, 0, 0, c->w, c->h);
}

static unsigned char blend(unsigned char under, unsigned char over, double alpha)
{
    return (unsigned char)lround(under + (over - under) * alpha);
}

void rt_canvas_blend(rt_canvas *c, int x, int y, rt_rgb colour, double alpha)
{
    if (x < c->cx0 || y < c->cy0 || x >= c->cx1 || y >= c->cy1)
        return;
    unsigned char *p = c->px + 3 * ((size_t)y * (size_t)c->w + (size_t)x);
    p[0] = blend(p[0], colour.r, alpha);
    p[1] = blend(p[1], colour.g, alpha);
    p[2] = blend(p[2], colour.b, alpha);
}

void rt_canvas_dot(rt_canvas *c, double x, double y, double radius, rt_rgb colour,
                   double alpha)
{
    if (!isfinite(x) || !isfinite(y))
        return;
    int x0 = (int)floor(x - radius), x1 = (int)ceil(x + radius);
    int y0 = (int)floor(y - radius), y1 = (int)ceil(y + radius);
    if (x1 < 0 || y1 < 0 || x0 >= c->w || y0 >= c->h)
        return;
    for (int py = y0; py <= y1; py++)
        for (int px = x0; px <= x1; px++) {
            double dx = px + 0.5 - x, dy = py + 0.5 - y;
            if (dx * dx + dy * dy <= radius * radius)
                rt_canvas_blend(c, px, py, colour, alpha);
        }
}

void rt_canvas_fill(rt_canvas *c, int x, int y, int w, int h, rt_rgb colour, double alpha)
{
    int x0 = clamp(x, c->cx0, c->cx1), x1 = clamp(x + w, c->cx0, c->cx1);
    int y0 = clamp(y, c->cy0, c->cy1), y1 = clamp(y + h, c->cy0, c->cy1);
    for (int py = y0; py < y1; py++)
        for (int px = x0; px < x1; px++)
            rt_canvas_blend(c, px, py, colour, alpha);
}

void rt_canvas_hline(rt_canvas *c, int y, rt_rgb colour)
{
    for (int x = 0; x < c->w; x++)
        rt_canvas_blend(c, x, y, colour, 1.0);
}

void rt_canvas_vline(rt_canvas *c, int x, rt_rgb colour)
{
    for (int y = 0; y < c->h; y++)
        rt_canvas_blend(c, x, y, colour, 1.0);
}
