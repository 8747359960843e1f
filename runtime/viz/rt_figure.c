/* rt_figure.c - charts in a grid, as a PNG (see rt_figure.h). */
#include "viz/rt_figure.h"

#include "formats/rt_png.h"
#include "viz/rt_text.h"

#define TITLE_BAND 28

static const rt_rgb BACKGROUND = { 246, 246, 243 };
static const rt_rgb INK = { 20, 20, 20 };

int rt_figure_cols(int n)
{
    return n <= 1 ? 1 : n <= 4 ? 2 : 3;
}

int rt_figure_png(const char *path, const char *title, const rt_chart *charts, int n,
                  int cols, int panel_w, int panel_h, rt_err *err)
{
    rt_assert(n >= 1 && cols >= 1);
    cols = cols > n ? n : cols;
    int rows = (n + cols - 1) / cols, top = title ? TITLE_BAND : 0;
    rt_canvas c;
    rt_canvas_init(&c, cols * panel_w, top + rows * panel_h, BACKGROUND);
    if (title) {
        int tw = rt_text_width(title, 2), scale = tw <= c.w - 16 ? 2 : 1;
        tw = rt_text_width(title, scale);
        rt_canvas_text(&c, tw <= c.w - 16 ? (c.w - tw) / 2 : 8,
                       (TITLE_BAND - rt_text_height(scale)) / 2 + 2, title, scale, INK);
    }
    for (int i = 0; i < n; i++)
        rt_chart_draw(&c, (i % cols) * panel_w, top + (i / cols) * panel_h, panel_w, panel_h,
                      &charts[i]);
    int rc = rt_png_write(path, c.px, c.w, c.h, 3, err);
    rt_canvas_free(&c);
    return rc;
}
