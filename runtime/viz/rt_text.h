/* rt_text.h - one line of text on an rt_canvas, in the font of rt_font.h.
 *
 * Each character takes a cell of RT_GLYPH_CELL_W x RT_GLYPH_CELL_H font
 * pixels, each font pixel a scale x scale square of the canvas (1: small
 * labels, 2: titles).  A string's box is rt_text_width wide (its last
 * cell's spacing column dropped) and rt_text_height tall (the glyph rows,
 * descenders included); (x, y) is the box's top-left corner.  Pixels are
 * set, not blended, so text stays crisp at 1x.
 * Leaves out: line breaks, bold, anti-aliased scaling.
 */
#ifndef RT_TEXT_H
#define RT_TEXT_H

#include "viz/rt_raster.h"

int rt_text_width(const char *s, int scale);
int rt_text_height(int scale);

/* Left to right, the box's top-left corner at (x, y). */
void rt_canvas_text(rt_canvas *c, int x, int y, const char *s, int scale, rt_rgb colour);
/* Turned a quarter anticlockwise, read from bottom to top (a y axis's
 * label): the box, rt_text_height wide and rt_text_width tall, has its
 * top-left corner at (x, y). */
void rt_canvas_text_up(rt_canvas *c, int x, int y, const char *s, int scale, rt_rgb colour);

#endif
