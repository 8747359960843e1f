/* rt_png.h - a PNG writer without zlib, plus the pictures the runtime draws.
 *
 * The encoder writes 8-bit grayscale or RGB, no interlace, filter 0 on every
 * row, and a zlib stream made of stored (uncompressed) deflate blocks, with
 * the CRC-32 and Adler-32 of rt_checksum.h.  Files are larger than compressed PNGs
 * (512x512 RGB is about 770 KiB) but every decoder reads them.
 * The pictures (rt_scatter_png, rt_image_grid_png) are drawn with the raster
 * helpers of rt_raster.h and written atomically.
 * Spec: PNG (ISO/IEC 15948), RFC 1950 (zlib), RFC 1951 (deflate).
 * Leaves out: compression, alpha, 16-bit, palettes, reading PNGs.
 */
#ifndef RT_PNG_H
#define RT_PNG_H

#include <stddef.h>
#include <stdint.h>

#include "rt_checksum.h"
#include "rt_err.h"


/* pixels: h rows of w*channels bytes, channels 1 (gray) or 3 (RGB). */
int rt_png_write(const char *path, const unsigned char *pixels, int w, int h,
                 int channels, rt_err *err);

/* 512x512 scatter plot of 2D points (x0 y0 x1 y1 ...) over
 * [-extent, extent]^2: light background, axes at 0, real points light
 * grey-blue underneath, generated points orange-red on top; points outside
 * the square are not drawn.  Either set may be empty (n = 0, pts NULL). */
int rt_scatter_png(const char *path, const float *real_pts, size_t n_real,
                   const float *fake_pts, size_t n_fake, double extent, rt_err *err);

/* A grid of n images (each c x h x w, channel-major, values in [-1, 1],
 * clamped, mapped to 0..255), `cols` per row, 2 px grey padding around
 * every image; c = 1 writes a gray PNG, c = 3 an RGB one. */
int rt_image_grid_png(const char *path, const float *imgs, int n, int c, int h, int w,
                      int cols, rt_err *err);
/* The same with every image enlarged scale times (nearest neighbour), so
 * small images such as 28x28 are easy to see. */
int rt_image_grid_png_scaled(const char *path, const float *imgs, int n, int c, int h, int w,
                             int cols, int scale, rt_err *err);
/* The enlargement the trainer and sampler use: about 84 pixels per image. */
static inline int rt_grid_scale(int h, int w)
{
    int m = h > w ? h : w, s = 84 / m;
    return s < 1 ? 1 : s;
}

#endif
