/* rt_raster.h - a tiny RGB canvas for the runtime's plots.
 *
 * Pixel (0, 0) is the top-left corner; coordinates are in pixels, doubles
 * so that dots land between pixel centres.  Drawing clips to the clip
 * rectangle, the whole canvas unless rt_canvas_clip narrows it (a chart's
 * lines stay inside its plotting area).
 * Lines of any slope are viz/rt_line.h's, text viz/rt_text.h's.
 * Leaves out: alpha channels in the picture, anti-aliased dots.
 */
#ifndef RT_RASTER_H
#define RT_RASTER_H

typedef struct {
    int w, h;
    unsigned char *px;   /* h rows of w RGB triples */
    int cx0, cy0, cx1, cy1;   /* the clip rectangle: x in [cx0, cx1), y in [cy0, cy1) */
} rt_canvas;

typedef struct {
    unsigned char r, g, b;
} rt_rgb;

void rt_canvas_init(rt_canvas *c, int w, int h, rt_rgb background);
void rt_canvas_free(rt_canvas *c);
/* Drawing from now on stays inside the rectangle (x, y, w, h), itself cut
 * to the canvas; rt_canvas_clip_off restores the whole canvas. */
void rt_canvas_clip(rt_canvas *c, int x, int y, int w, int h);
void rt_canvas_clip_off(rt_canvas *c);
/* Blends colour over pixel (x, y); alpha in [0, 1] (1 = opaque). */
void rt_canvas_blend(rt_canvas *c, int x, int y, rt_rgb colour, double alpha);
/* Blends colour over the pixels whose centres lie within radius of (x, y). */
void rt_canvas_dot(rt_canvas *c, double x, double y, double radius, rt_rgb colour,
                   double alpha);
/* Blends colour over the rectangle (x, y, w, h). */
void rt_canvas_fill(rt_canvas *c, int x, int y, int w, int h, rt_rgb colour, double alpha);
void rt_canvas_hline(rt_canvas *c, int y, rt_rgb colour);   /* full width */
void rt_canvas_vline(rt_canvas *c, int x, rt_rgb colour);   /* full height */

#endif
