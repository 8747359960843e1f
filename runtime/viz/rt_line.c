/* rt_line.c - anti-aliased wide lines and polylines (see rt_line.h).
 * A polyline's coverage goes into a mask over its bounding box (cut to the
 * clip rectangle), keeping each pixel's largest; the mask is blended last. */
#include "viz/rt_line.h"

#include <math.h>
#include <stdlib.h>

#include "core/rt_alloc.h"

typedef struct {
    int x0, y0, w, h;   /* the box it covers, inside the clip rectangle */
    float *cov;         /* h rows of w coverages in [0, 1] */
} mask;

/* Distance from (px, py) to the segment (ax, ay)-(bx, by). */
static double segment_distance(double px, double py, double ax, double ay, double bx,
                               double by)
{
    double dx = bx - ax, dy = by - ay, len2 = dx * dx + dy * dy;
    double t = len2 > 0 ? ((px - ax) * dx + (py - ay) * dy) / len2 : 0;
    t = t < 0 ? 0 : t > 1 ? 1 : t;
    double ex = ax + t * dx - px, ey = ay + t * dy - py;
    return sqrt(ex * ex + ey * ey);
}

static void mask_segment(mask *m, double ax, double ay, double bx, double by, double width)
{
    double r = width / 2 + 0.5;
    int x0 = (int)floor(fmin(ax, bx) - r), x1 = (int)ceil(fmax(ax, bx) + r);
    int y0 = (int)floor(fmin(ay, by) - r), y1 = (int)ceil(fmax(ay, by) + r);
    x0 = x0 < m->x0 ? m->x0 : x0;
    y0 = y0 < m->y0 ? m->y0 : y0;
    x1 = x1 > m->x0 + m->w ? m->x0 + m->w : x1;
    y1 = y1 > m->y0 + m->h ? m->y0 + m->h : y1;
    for (int y = y0; y < y1; y++)
        for (int x = x0; x < x1; x++) {
            double cov = r - segment_distance(x + 0.5, y + 0.5, ax, ay, bx, by);
            float *p = &m->cov[(size_t)(y - m->y0) * (size_t)m->w + (size_t)(x - m->x0)];
            if (cov > 1)
                cov = 1;
            if (cov > *p)
                *p = (float)cov;
        }
}

/* The box of the finite points, widened by the stroke, cut to the clip
 * rectangle; w or h 0 when nothing shows. */
static mask mask_for(const rt_canvas *c, const double *xs, const double *ys, size_t n,
                     double width)
{
    double lo_x = INFINITY, lo_y = INFINITY, hi_x = -INFINITY, hi_y = -INFINITY;
    for (size_t i = 0; i < n; i++)
        if (isfinite(xs[i]) && isfinite(ys[i])) {
            lo_x = fmin(lo_x, xs[i]), hi_x = fmax(hi_x, xs[i]);
            lo_y = fmin(lo_y, ys[i]), hi_y = fmax(hi_y, ys[i]);
        }
    mask m = { 0, 0, 0, 0, NULL };
    double r = width / 2 + 1;
    if (!(lo_x <= hi_x))
        return m;
    double x0 = fmax(lo_x - r, c->cx0), x1 = fmin(hi_x + r, c->cx1);
    double y0 = fmax(lo_y - r, c->cy0), y1 = fmin(hi_y + r, c->cy1);
    if (x0 >= x1 || y0 >= y1)
        return m;
    m.x0 = (int)floor(x0), m.y0 = (int)floor(y0);
    m.w = (int)ceil(x1) - m.x0, m.h = (int)ceil(y1) - m.y0;
    m.cov = rt_xcalloc((size_t)m.w * (size_t)m.h, sizeof *m.cov);
    return m;
}

void rt_canvas_polyline(rt_canvas *c, const double *xs, const double *ys, size_t n,
                        double width, rt_rgb colour, double alpha)
{
    mask m = mask_for(c, xs, ys, n, width);
    if (!m.cov)
        return;
    size_t prev = n;   /* the last finite point, n while none */
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(xs[i]) || !isfinite(ys[i]))
            continue;
        if (prev < n)
            mask_segment(&m, xs[prev], ys[prev], xs[i], ys[i], width);
        prev = i;
    }
    for (int y = 0; y < m.h; y++)
        for (int x = 0; x < m.w; x++) {
            float cov = m.cov[(size_t)y * (size_t)m.w + (size_t)x];
            if (cov > 0)
                rt_canvas_blend(c, m.x0 + x, m.y0 + y, colour, alpha * cov);
        }
    free(m.cov);
}

void rt_canvas_line(rt_canvas *c, double x0, double y0, double x1, double y1, double width,
                    rt_rgb colour, double alpha)
{
    double xs[2] = { x0, x1 }, ys[2] = { y0, y1 };
    rt_canvas_polyline(c, xs, ys, 2, width, colour, alpha);
}
