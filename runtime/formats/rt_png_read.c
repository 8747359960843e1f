/* rt_png_read.c - the PNG decoder (see rt_png_read.h). */
#include "formats/rt_png_read.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/rt_alloc.h"
#include "core/rt_file.h"
#include "core/rt_le.h"
#include "core/rt_zlib.h"

static const unsigned char png_signature[8] = { 137, 'P', 'N', 'G', '\r', '\n', 26, '\n' };

typedef struct {
    const char *name;
    int width, height, depth, color;
    int samples;             /* per pixel in the file: 1, 2, 3 or 4 */
    unsigned char palette[256 * 3];
    int palette_size;
    unsigned char *idat;     /* the concatenated IDAT chunks */
    size_t idat_len, idat_cap;
} png_state;

static const char *color_name(int color)
{
    switch (color) {
    case 0: return "gray";
    case 2: return "RGB";
    case 3: return "palette";
    case 4: return "gray + alpha";
    case 6: return "RGBA";
    default: return "unknown";
    }
}

static int read_ihdr(png_state *s, const unsigned char *d, uint32_t len, rt_err *err)
{
    if (len != 13)
        return rt_errf(err, "%s: corrupt PNG: IHDR chunk of %u bytes, expected 13", s->name,
                       len);
    uint32_t w = rt_be32(d), h = rt_be32(d + 4);
    s->depth = d[8];
    s->color = d[9];
    if (w == 0 || h == 0 || w > (1u << 24) || h > (1u << 24) ||
        (size_t)w * h > RT_PNG_MAX_PIXELS)
        return rt_errf(err, "%s: PNG of %ux%u pixels: expected 1 to %zu pixels", s->name, w, h,
                       RT_PNG_MAX_PIXELS);
    s->width = (int)w;
    s->height = (int)h;
    static const int samples_of[7] = { 1, 0, 3, 1, 2, 0, 4 };
    if (s->color > 6 || samples_of[s->color] == 0)
        return rt_errf(err, "%s: corrupt PNG: colour type %d (expected 0, 2, 3, 4 or 6)",
                       s->name, s->color);
    s->samples = samples_of[s->color];
    if (s->depth != 8 && !(s->depth == 16 && s->color != 3))
        return rt_errf(err, "%s: %d-bit %s PNG: expected 8-bit (or 16-bit non-palette) images; "
                       "convert it, e.g. with `convert IN -depth 8 OUT`", s->name, s->depth,
                       color_name(s->color));
    if (d[10] != 0 || d[11] != 0)
        return rt_errf(err, "%s: corrupt PNG: compression %d, filter %d (expected 0, 0)",
                       s->name, d[10], d[11]);
    if (d[12] != 0)
        return rt_errf(err, "%s: interlaced PNG: expected a non-interlaced image; convert it, "
                       "e.g. with `convert IN -interlace none OUT`", s->name);
    return 0;
}

static int add_idat(png_state *s, const unsigned char *d, uint32_t len)
{
    if (s->idat_len + len > s->idat_cap) {
        s->idat_cap = (s->idat_len + len) * 2;
        s->idat = rt_xrealloc(s->idat, s->idat_cap);
    }
    memcpy(s->idat + s->idat_len, d, len);
    s->idat_len += len;
    return 0;
}

/* Walks the chunks up to IEND, checking each CRC and collecting IHDR, PLTE
 * and IDAT. */
static int read_chunks(png_state *s, const unsigned char *buf, size_t len, rt_err *err)
{
    if (len < 8 || memcmp(buf, png_signature, 8) != 0)
        return rt_errf(err, "%s: not a PNG file (no PNG signature)", s->name);
    size_t at = 8;
    int seen_ihdr = 0;
    for (;;) {
        if (len - at < 12)
            return rt_errf(err, "%s: truncated PNG: file ends at byte %zu before IEND", s->name,
                           len);
        uint32_t n = rt_be32(buf + at);
        const unsigned char *type = buf + at + 4, *data = buf + at + 8;
        if (n > len - at - 12)
            return rt_errf(err, "%s: truncated PNG: chunk '%.4s' at byte %zu needs %u bytes, "
                           "the file has %zu", s->name, (const char *)type, at, n,
                           len - at - 12);
        uint32_t crc = rt_crc32(0, type, (size_t)n + 4);
        if (crc != rt_be32(data + n))
            return rt_errf(err, "%s: corrupt PNG: CRC mismatch in chunk '%.4s' at byte %zu",
                           s->name, (const char *)type, at);
        if (!seen_ihdr && memcmp(type, "IHDR", 4) != 0)
            return rt_errf(err, "%s: corrupt PNG: first chunk is '%.4s', expected IHDR",
                           s->name, (const char *)type);
        if (memcmp(type, "IHDR", 4) == 0) {
            if (seen_ihdr)
                return rt_errf(err, "%s: corrupt PNG: a second IHDR chunk", s->name);
            seen_ihdr = 1;
            if (read_ihdr(s, data, n, err))
                return -1;
        } else if (memcmp(type, "PLTE", 4) == 0) {
            if (n % 3 || n == 0 || n > 768)
                return rt_errf(err, "%s: corrupt PNG: PLTE chunk of %u bytes", s->name, n);
            memcpy(s->palette, data, n);
            s->palette_size = (int)(n / 3);
        } else if (memcmp(type, "IDAT", 4) == 0) {
            add_idat(s, data, n);
        } else if (memcmp(type, "IEND", 4) == 0) {
            break;
        } else if (!(type[0] & 0x20)) {
            return rt_errf(err, "%s: PNG with critical chunk '%.4s' this reader does not know",
                           s->name, (const char *)type);
        }
        at += 12 + (size_t)n;
    }
    if (s->idat_len == 0)
        return rt_errf(err, "%s: corrupt PNG: no IDAT chunk", s->name);
    if (s->color == 3 && s->palette_size == 0)
        return rt_errf(err, "%s: corrupt PNG: palette image without PLTE chunk", s->name);
    return 0;
}

/* Inflates the image data into exactly `want` bytes (filter byte + row,
 * per row) with the library's inflate (core/rt_zlib.h): zlib's in the
 * trainer, the runtime's own in the sampler.  More or less is a corrupt
 * file. */
static int inflate_exact(png_state *s, unsigned char *raw, size_t want, rt_err *err)
{
    size_t got;
    const char *why;
    switch (rt_zlib_decode(s->idat, s->idat_len, raw, want, &got, &why)) {
    case RT_ZLIB_OK:
        return 0;
    case RT_ZLIB_CORRUPT:
        return rt_errf(err, "%s: corrupt PNG: image data does not inflate (%s)", s->name, why);
    case RT_ZLIB_CUT:
        return rt_errf(err, "%s: corrupt PNG: image data cut short after %zu bytes inflated, "
                       "expected %zu for %dx%d %s", s->name, got, want, s->width, s->height,
                       color_name(s->color));
    default:
        return rt_errf(err, "%s: corrupt PNG: image data inflates to %s%zu bytes, expected %zu "
                       "for %dx%d %s", s->name, got < want ? "" : "more than ", got, want,
                       s->width, s->height, color_name(s->color));
    }
}

static int paeth(int a, int b, int c)
{
    int p = a + b - c, pa = abs(p - a), pb = abs(p - b), pc = abs(p - c);
    return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/* Undoes the per-row filters in place; rows of `stride` bytes after their
 * filter byte, bpp bytes per pixel. */
static int unfilter(png_state *s, unsigned char *raw, size_t stride, int bpp, rt_err *err)
{
    const unsigned char *prev = NULL;
    for (int y = 0; y < s->height; y++) {
        unsigned char *row = raw + (size_t)y * (stride + 1);
        int filter = row[0];
        unsigned char *x = row + 1;
        for (size_t i = 0; i < stride; i++) {
            int a = i >= (size_t)bpp ? x[i - bpp] : 0, b = prev ? prev[i] : 0;
            int c = prev && i >= (size_t)bpp ? prev[i - bpp] : 0;
            switch (filter) {
            case 0: break;
            case 1: x[i] = (unsigned char)(x[i] + a); break;
            case 2: x[i] = (unsigned char)(x[i] + b); break;
            case 3: x[i] = (unsigned char)(x[i] + (a + b) / 2); break;
            case 4: x[i] = (unsigned char)(x[i] + paeth(a, b, c)); break;
            default:
                return rt_errf(err, "%s: corrupt PNG: row %d has filter type %d (expected 0-4)",
                               s->name, y, filter);
            }
        }
        prev = x;
    }
    return 0;
}

/* Converts unfiltered rows into 8-bit gray or RGB pixels. */
static int convert(png_state *s, const unsigned char *raw, size_t stride, rt_png_image *out,
                   rt_err *err)
{
    int bytes = s->depth / 8, gray = s->color == 0 || s->color == 4;
    out->width = s->width;
    out->height = s->height;
    out->channels = gray ? 1 : 3;
    out->pixels = rt_xmalloc((size_t)s->width * s->height * out->channels);
    unsigned char *o = out->pixels;
    for (int y = 0; y < s->height; y++) {
        const unsigned char *x = raw + (size_t)y * (stride + 1) + 1;
        for (int i = 0; i < s->width; i++, x += (size_t)s->samples * bytes) {
            if (s->color == 3) {
                if (x[0] >= s->palette_size) {
                    free(out->pixels);
                    out->pixels = NULL;
                    return rt_errf(err, "%s: corrupt PNG: palette index %d at (%d, %d), the "
                                   "palette has %d colours", s->name, x[0], i, y,
                                   s->palette_size);
                }
                memcpy(o, s->palette + 3 * x[0], 3);
                o += 3;
            } else {
                for (int c = 0; c < out->channels; c++)
                    *o++ = x[c * bytes];   /* high byte of 16-bit samples */
            }
        }
    }
    return 0;
}

int rt_png_decode(const unsigned char *buf, size_t len, const char *name, rt_png_image *out,
                  rt_err *err)
{
    png_state s;
    memset(&s, 0, sizeof s);
    s.name = name;
    memset(out, 0, sizeof *out);
    unsigned char *raw = NULL;
    int rc = read_chunks(&s, buf, len, err);
    size_t bpp = rc ? 0 : (size_t)s.samples * (size_t)(s.depth / 8);
    size_t stride = bpp * (size_t)s.width;
    if (rc == 0) {
        raw = rt_xmalloc((stride + 1) * (size_t)s.height);
        rc = inflate_exact(&s, raw, (stride + 1) * (size_t)s.height, err);
    }
    if (rc == 0)
        rc = unfilter(&s, raw, stride, (int)bpp, err);
    if (rc == 0)
        rc = convert(&s, raw, stride, out, err);
    free(raw);
    free(s.idat);
    return rc;
}

int rt_png_read(const char *path, rt_png_image *out, rt_err *err)
{
    unsigned char *data = NULL;
    size_t len = 0;
    memset(out, 0, sizeof *out);
    if (rt_read_file(path, &data, &len, err) != 0)
        return -1;
    int rc = rt_png_decode(data, len, path, out, err);
    free(data);
    return rc;
}
