/* rt_raster.h - a tiny RGB canvas for the runtime's plots.
 *
 * Pixel (0, 0) is the top-left corner; coordinates are in pixels, doubles
 * so that dots land between pixel centres.  Drawing clips to the canvas.
 * Leaves out: anti-aliasing, text, lines other than axis-parallel ones.
 */
#ifndef RT_RASTER_H
#define RT_RASTER_H

typedef struct {
    int w, h;
    unsigned char *px;   /* h rows of w RGB triples */
} rt_canvas;

typedef struct {
    unsigned char r, g, b;
} rt_rgb;

void rt_canvas_init(rt_canvas *c, int w, int h, rt_rgb background);
void rt_canvas_free(rt_canvas *c);
/* Blends colour over the pixels whose centres lie within radius of (x, y);
 * alpha in [0, 1] (1 = opaque). */
void rt_canvas_dot(rt_canvas *c, double x, double y, double radius, rt_rgb colour,
                   double alpha);
void rt_canvas_hline(rt_canvas *c, int y, rt_rgb colour);   /* full width */
void rt_canvas_vline(rt_canvas *c, int x, rt_rgb colour);   /* full height */

#endif
