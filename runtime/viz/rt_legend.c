/* rt_legend.c - the legend of a chart (see rt_legend.h). */
#include "viz/rt_legend.h"

#include "viz/rt_line.h"
#include "viz/rt_text.h"

#define PAD 5
#define SWATCH 16
#define ROW 12

static const rt_rgb BOX = { 255, 255, 255 };
static const rt_rgb BOX_EDGE = { 200, 200, 200 };
static const rt_rgb INK = { 40, 40, 40 };

/* points of the series inside the box (x, y, w, h) */
static long hidden(const rt_series *s, int n, int x, int y, int w, int h)
{
    long count = 0;
    for (int k = 0; k < n; k++)
        for (size_t i = 0; i < s[k].n; i++)
            count += s[k].x[i] >= x && s[k].x[i] < x + w && s[k].y[i] >= y &&
                     s[k].y[i] < y + h;   /* false for NaN */
    return count;
}

static void draw_entry(rt_canvas *c, int x, int y, const rt_series *s)
{
    double mid = y + ROW / 2.0;
    rt_canvas_line(c, x, mid, x + SWATCH, mid, s->width < 1.5 ? 1.5 : s->width, s->colour,
                   s->alpha < 0.35 ? 0.35 : s->alpha);
    if (s->dot > 0)
        rt_canvas_dot(c, x + SWATCH / 2.0, mid, s->dot, s->colour, 1.0);
    rt_canvas_text(c, x + SWATCH + 5, y + 2, s->name, 1, INK);
}

void rt_legend_draw(rt_canvas *c, int x, int y, int w, int h, const rt_series *in_pixels,
                    int n_series)
{
    int rows = 0, name_w = 0;
    for (int k = 0; k < n_series; k++)
        if (in_pixels[k].name) {
            int tw = rt_text_width(in_pixels[k].name, 1);
            name_w = tw > name_w ? tw : name_w;
            rows++;
        }
    if (!rows)
        return;
    int bw = 2 * PAD + SWATCH + 5 + name_w, bh = 2 * PAD + rows * ROW - 2;
    bw = bw > w - 8 ? w - 8 : bw;
    /* top right, top left, bottom right, bottom left: the first that hides least */
    int best_x = 0, best_y = 0;
    long best = -1;
    for (int corner = 0; corner < 4; corner++) {
        int bx = corner % 2 ? x + 4 : x + w - 4 - bw, by = corner < 2 ? y + 4 : y + h - 4 - bh;
        long n = hidden(in_pixels, n_series, bx, by, bw, bh);
        if (best < 0 || n < best)
            best = n, best_x = bx, best_y = by;
    }
    rt_canvas_clip(c, x, y, w, h);
    rt_canvas_fill(c, best_x, best_y, bw, bh, BOX, 0.88);
    rt_canvas_fill(c, best_x, best_y, bw, 1, BOX_EDGE, 1.0);
    rt_canvas_fill(c, best_x, best_y + bh - 1, bw, 1, BOX_EDGE, 1.0);
    rt_canvas_fill(c, best_x, best_y, 1, bh, BOX_EDGE, 1.0);
    rt_canvas_fill(c, best_x + bw - 1, best_y, 1, bh, BOX_EDGE, 1.0);
    rt_canvas_clip(c, best_x, best_y, bw - 1, bh);
    for (int k = 0, row = 0; k < n_series; k++)
        if (in_pixels[k].name)
            draw_entry(c, best_x + PAD, best_y + PAD - 1 + ROW * row++, &in_pixels[k]);
    rt_canvas_clip_off(c);
}
