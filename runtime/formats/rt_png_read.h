/* rt_png_read.h - a PNG decoder for training images and the sampler's
 * image inputs.
 *
 * Reads what image tools write for small data sets: bit depth 8 or 16,
 * gray, gray + alpha, RGB, RGBA and palette images, without interlace.
 * Every chunk's CRC is checked, the image data must inflate to exactly the
 * size IHDR announces, and nothing is read past the buffer's end, so a
 * truncated or bit-flipped file is refused with a message naming it.
 * The result has 1 channel (gray, gray + alpha) or 3 (the others): alpha
 * is dropped, 16-bit samples keep their high byte, palettes are expanded.
 * The image data is inflated by core/rt_zlib.h's rt_zlib_decode: zlib's in
 * the trainer, the runtime's own (sample/rt_inflate.c) in the sampler, so
 * both libraries hold this file and decode alike.
 * Spec: PNG (ISO/IEC 15948).
 * Leaves out: Adam7 interlace, bit depths below 8, gamma and colour profiles.
 */
#ifndef RT_PNG_READ_H
#define RT_PNG_READ_H

#include <stddef.h>

#include "core/rt_err.h"

/* images larger than this many pixels are refused, not allocated */
#define RT_PNG_MAX_PIXELS ((size_t)1 << 26)

typedef struct {
    int width, height;
    int channels;          /* 1 (gray) or 3 (RGB) */
    unsigned char *pixels; /* height rows of width * channels bytes; malloc'd */
} rt_png_image;

/* Decodes a PNG held in memory; `name` (a path) starts every error message.
 * On success the caller owns out->pixels (free it). */
int rt_png_decode(const unsigned char *buf, size_t len, const char *name, rt_png_image *out,
                  rt_err *err);
/* Reads and decodes the file at path. */
int rt_png_read(const char *path, rt_png_image *out, rt_err *err);

#endif
