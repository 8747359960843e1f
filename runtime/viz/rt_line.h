/* rt_line.h - anti-aliased lines of any slope and width on an rt_canvas.
 *
 * A pixel's coverage is how far its centre lies inside the stroke: 1 up to
 * width/2 - 1/2 from the segment, falling linearly to 0 at width/2 + 1/2
 * (a one-pixel ramp, the usual cheap approximation of box filtering); the
 * ends are round.  A polyline blends each pixel once, with the largest
 * coverage any of its segments gives it, so a translucent line shows no
 * darker beads where its segments meet.
 * Leaves out: dashes, mitred joins, sub-pixel exactness (coverage is the
 * ramp above, not an area integral).
 */
#ifndef RT_LINE_H
#define RT_LINE_H

#include <stddef.h>

#include "viz/rt_raster.h"

/* A segment from (x0, y0) to (x1, y1). */
void rt_canvas_line(rt_canvas *c, double x0, double y0, double x1, double y1, double width,
                    rt_rgb colour, double alpha);

/* The line through the n points (xs[i], ys[i]) in order; a point with a
 * coordinate that is not finite is left out and the line joins its
 * neighbours.  One point alone draws nothing. */
void rt_canvas_polyline(rt_canvas *c, const double *xs, const double *ys, size_t n,
                        double width, rt_rgb colour, double alpha);

#endif
