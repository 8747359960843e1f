/* rt_text.c - text from the bitmap font (see rt_text.h). */
#include "viz/rt_text.h"

#include <string.h>

#include "viz/rt_font.h"

int rt_text_width(const char *s, int scale)
{
    size_t n = strlen(s);
    return n ? (int)n * RT_GLYPH_CELL_W * scale - (RT_GLYPH_CELL_W - RT_GLYPH_W) * scale : 0;
}

int rt_text_height(int scale)
{
    return RT_GLYPH_H * scale;
}

/* Where a string goes: its box's corner, the scale, and for turned text
 * its length in font pixels (the string's start is the box's bottom). */
typedef struct {
    int x, y, scale, up, len;
} placement;

/* Font pixel (fx, fy) of the string, fx along it and fy down its glyphs,
 * as a scale x scale square. */
static void font_pixel(rt_canvas *c, const placement *p, int fx, int fy, rt_rgb colour)
{
    int ox = p->up ? p->x + fy * p->scale : p->x + fx * p->scale;
    int oy = p->up ? p->y + (p->len - 1 - fx) * p->scale : p->y + fy * p->scale;
    rt_canvas_fill(c, ox, oy, p->scale, p->scale, colour, 1.0);
}

static void draw(rt_canvas *c, const placement *p, const char *s, rt_rgb colour)
{
    for (int i = 0; s[i]; i++) {
        const unsigned char *rows = rt_font_glyph((unsigned char)s[i]);
        for (int row = 0; row < RT_GLYPH_H; row++)
            for (int col = 0; col < RT_GLYPH_W; col++)
                if (rows[row] >> (RT_GLYPH_W - 1 - col) & 1)
                    font_pixel(c, p, i * RT_GLYPH_CELL_W + col, row, colour);
    }
}

void rt_canvas_text(rt_canvas *c, int x, int y, const char *s, int scale, rt_rgb colour)
{
    placement p = { x, y, scale, 0, 0 };
    draw(c, &p, s, colour);
}

void rt_canvas_text_up(rt_canvas *c, int x, int y, const char *s, int scale, rt_rgb colour)
{
    placement p = { x, y, scale, 1, rt_text_width(s, 1) };
    draw(c, &p, s, colour);
}
