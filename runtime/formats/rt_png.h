/* rt_png.h - a PNG writer.
 *
 * The encoder writes 8-bit grayscale or RGB, no interlace, filter 0 on every
 * row, and the pixels as the zlib stream of core/rt_zlib.h: deflated in the
 * trainer (which links zlib), stored blocks in the sampler (which does not;
 * larger files, 512x512 RGB is about 770 KiB, that every decoder reads).
 * The file is written atomically (core/rt_file.h).
 * Spec: PNG (ISO/IEC 15948), RFC 1950 (zlib), RFC 1951 (deflate).
 * Leaves out: alpha, 16-bit, palettes, row filters other than none, reading
 * PNGs (formats/rt_png_read.h).
 */
#ifndef RT_PNG_H
#define RT_PNG_H

#include "core/rt_err.h"

/* pixels: h rows of w*channels bytes, channels 1 (gray) or 3 (RGB). */
int rt_png_write(const char *path, const unsigned char *pixels, int w, int h,
                 int channels, rt_err *err);

#endif
