/* rt_transform.c - the transforms of a data source's images (see
 * rt_transform.h).  Sobel edges follow the usual 3x3 kernels (Gonzalez and
 * Woods, "Digital Image Processing", 3.6.4) with the border repeated, so
 * that an image's frame is no edge of its own. */
#include "data/rt_transform.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* The largest image side a transform may make: as ganc's own limit on a
 * data shape (model_parse.c), so that sizes stay far from overflow. */
enum { SIDE_MAX = 1 << 14 };

static const char *kind_name(int kind)
{
    switch (kind) {
    case RT_TRANSFORM_DOWNSAMPLE: return "downsample";
    case RT_TRANSFORM_UPSAMPLE: return "upsample";
    case RT_TRANSFORM_MASK: return "mask";
    case RT_TRANSFORM_MASK_RANDOM: return "random mask";
    case RT_TRANSFORM_EDGES: return "edges";
    default: return "unknown";
    }
}

/* One transform against the current shape s (updated): 0, or -1 with err. */
static int step_shape(const rt_transform *t, int *s, rt_err *err)
{
    int h = t->size[0], w = t->size[1];
    switch (t->kind) {
    case RT_TRANSFORM_DOWNSAMPLE:
        if (h < 1 || w < 1 || s[1] % h || s[2] % w)
            return rt_errf(err, "downsample to %dx%d: expected a size that divides the "
                           "image's %dx%d (area averaging takes whole blocks)", h, w, s[1], s[2]);
        break;
    case RT_TRANSFORM_UPSAMPLE:
        if (h < s[1] || w < s[2] || h > SIDE_MAX || w > SIDE_MAX)
            return rt_errf(err, "upsample to %dx%d: expected a size from the image's %dx%d up "
                           "to %dx%d", h, w, s[1], s[2], SIDE_MAX, SIDE_MAX);
        break;
    case RT_TRANSFORM_MASK:
        if (h < 1 || w < 1 || t->at[0] < 0 || t->at[1] < 0 || t->at[0] > s[1] - h ||
            t->at[1] > s[2] - w)
            return rt_errf(err, "mask box at row %d, column %d, %dx%d: expected a box of at "
                           "least 1x1 inside the %dx%d image", t->at[0], t->at[1], h, w, s[1],
                           s[2]);
        return 0;
    case RT_TRANSFORM_MASK_RANDOM:
        if (h < 1 || w < 1 || h > s[1] || w > s[2])
            return rt_errf(err, "random mask of %dx%d: expected a box of at least 1x1 that "
                           "fits the %dx%d image", h, w, s[1], s[2]);
        return 0;
    case RT_TRANSFORM_EDGES:
        if (!(t->value >= 0 && isfinite(t->value)))
            return rt_errf(err, "edges: expected a threshold >= 0, found %g", (double)t->value);
        return 0;
    default:
        return rt_errf(err, "unknown transform kind %d: expected downsample, upsample, mask "
                       "or edges", t->kind);
    }
    s[1] = h;
    s[2] = w;
    return 0;
}

int rt_transform_shape(const rt_transform *t, int n, const int in[3], int out[3],
                       const char *what, rt_err *err)
{
    int s[3] = { in[0], in[1], in[2] };
    if (n > 0 && !t)
        return rt_errf(err, "%s: %d transforms, but no list of them", what, n);
    for (int i = 0; i < n; i++) {
        rt_err e = { "" };
        if (step_shape(&t[i], s, &e) != 0)
            return rt_errf(err, "%s: transform %d (%s): %s", what, i + 1, kind_name(t[i].kind),
                           e.msg);
    }
    memcpy(out, s, sizeof s);
    return 0;
}

int rt_transform_first_random(const rt_transform *t, int n)
{
    for (int i = 0; i < n; i++)
        if (t[i].kind == RT_TRANSFORM_MASK_RANDOM)
            return i;
    return n;
}

size_t rt_transform_max_size(const rt_transform *t, int n, const int in[3])
{
    int s[3] = { in[0], in[1], in[2] };
    size_t most = (size_t)s[0] * (size_t)s[1] * (size_t)s[2];
    for (int i = 0; i < n; i++) {
        rt_err e;
        int rc = step_shape(&t[i], s, &e);   /* outside the assert: it updates s */
        rt_assert(rc == 0);
        (void)rc;
        size_t size = (size_t)s[0] * (size_t)s[1] * (size_t)s[2];
        most = size > most ? size : most;
    }
    return most;
}

/* Each output pixel the mean of its f x g block */
static void downsample(const float *in, const int s[3], float *out, int h, int w)
{
    int f = s[1] / h, g = s[2] / w;
    float scale = 1.0f / (float)(f * g);
    for (int c = 0; c < s[0]; c++)
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++) {
                const float *p = in + ((size_t)c * s[1] + (size_t)y * f) * s[2] + (size_t)x * g;
                float sum = 0;
                for (int i = 0; i < f; i++)
                    for (int j = 0; j < g; j++)
                        sum += p[(size_t)i * s[2] + j];
                out[((size_t)c * h + y) * w + x] = sum * scale;
            }
}

/* Output pixel (y, x) is input pixel (y H / h, x W / w), rounded down */
static void upsample(const float *in, const int s[3], float *out, int h, int w)
{
    for (int c = 0; c < s[0]; c++)
        for (int y = 0; y < h; y++) {
            const float *row = in + ((size_t)c * s[1] + (size_t)((int64_t)y * s[1] / h)) * s[2];
            for (int x = 0; x < w; x++)
                out[((size_t)c * h + y) * w + x] = row[(int64_t)x * s[2] / w];
        }
}

static void mask_box(float *img, const int s[3], int y0, int x0, int h, int w, float value)
{
    for (int c = 0; c < s[0]; c++)
        for (int y = y0; y < y0 + h; y++)
            for (int x = x0; x < x0 + w; x++)
                img[((size_t)c * s[1] + y) * s[2] + x] = value;
}

/* Sobel: gx = right column - left column, rows weighted 1 2 1; gy the
 * same turned.  |g| / 8 > T is tested as gx^2 + gy^2 > (8 T)^2. */
static void edges(const float *in, const int s[3], float *out, float threshold)
{
    int h = s[1], w = s[2];
    float limit = (8 * threshold) * (8 * threshold);
    for (int c = 0; c < s[0]; c++) {
        const float *p = in + (size_t)c * h * w;
        for (int y = 0; y < h; y++) {
            int u = y > 0 ? y - 1 : 0, d = y < h - 1 ? y + 1 : h - 1;
            for (int x = 0; x < w; x++) {
                int l = x > 0 ? x - 1 : 0, r = x < w - 1 ? x + 1 : w - 1;
                float gx = (p[u * w + r] + 2 * p[y * w + r] + p[d * w + r]) -
                           (p[u * w + l] + 2 * p[y * w + l] + p[d * w + l]);
                float gy = (p[d * w + l] + 2 * p[d * w + x] + p[d * w + r]) -
                           (p[u * w + l] + 2 * p[u * w + x] + p[u * w + r]);
                out[((size_t)c * h + y) * w + x] = gx * gx + gy * gy > limit ? 1.0f : -1.0f;
            }
        }
    }
}

void rt_transform_one(const rt_transform *t, const float *in, const int s[3], float *out,
                      rt_rng *rng)
{
    size_t size = (size_t)s[0] * (size_t)s[1] * (size_t)s[2];
    switch (t->kind) {
    case RT_TRANSFORM_DOWNSAMPLE:
        downsample(in, s, out, t->size[0], t->size[1]);
        return;
    case RT_TRANSFORM_UPSAMPLE:
        upsample(in, s, out, t->size[0], t->size[1]);
        return;
    case RT_TRANSFORM_MASK:
        memcpy(out, in, size * sizeof *out);
        mask_box(out, s, t->at[0], t->at[1], t->size[0], t->size[1], t->value);
        return;
    case RT_TRANSFORM_MASK_RANDOM: {
        rt_assert(rng && "rt_transform_one: a random mask needs an rng");
        /* the row first, then the column: the order is part of a run's
         * reproducibility */
        int y = (int)rt_rng_below(rng, (uint64_t)(s[1] - t->size[0] + 1));
        int x = (int)rt_rng_below(rng, (uint64_t)(s[2] - t->size[1] + 1));
        memcpy(out, in, size * sizeof *out);
        mask_box(out, s, y, x, t->size[0], t->size[1], t->value);
        return;
    }
    case RT_TRANSFORM_EDGES:
        edges(in, s, out, t->value);
        return;
    default:
        rt_assert(!"rt_transform_one: unknown transform kind");
    }
}

void rt_transform_chain(const rt_transform *t, int n, const int in[3], const float *src,
                        float *out, float *work, rt_rng *rng)
{
    int s[3] = { in[0], in[1], in[2] };
    size_t most = rt_transform_max_size(t, n, in);
    float *buf[2] = { work, work + most };
    const float *cur = src;
    for (int i = 0; i < n; i++) {
        float *dst = buf[i % 2];
        rt_transform_one(&t[i], cur, s, dst, rng);
        rt_err e;
        int rc = step_shape(&t[i], s, &e);
        rt_assert(rc == 0);
        (void)rc;
        cur = dst;
    }
    size_t size = (size_t)s[0] * (size_t)s[1] * (size_t)s[2];
    if (cur != out)
        memmove(out, cur, size * sizeof *out);
}

const char *rt_transform_describe(const rt_transform *t, int n, char *buf, size_t cap)
{
    size_t k = 0;
    buf[0] = 0;
    for (int i = 0; i < n && k < cap; i++) {
        const rt_transform *x = &t[i];
        const char *sep = i ? ", " : "";
        int m;
        if (x->kind == RT_TRANSFORM_DOWNSAMPLE || x->kind == RT_TRANSFORM_UPSAMPLE)
            m = snprintf(buf + k, cap - k, "%s%s to %dx%d", sep, kind_name(x->kind), x->size[0],
                         x->size[1]);
        else if (x->kind == RT_TRANSFORM_MASK)
            m = snprintf(buf + k, cap - k, "%smask %dx%d at (%d, %d)", sep, x->size[0],
                         x->size[1], x->at[0], x->at[1]);
        else if (x->kind == RT_TRANSFORM_MASK_RANDOM)
            m = snprintf(buf + k, cap - k, "%smask %dx%d at random", sep, x->size[0],
                         x->size[1]);
        else
            m = snprintf(buf + k, cap - k, "%sedges over %g", sep, (double)x->value);
        k += m > 0 ? (size_t)m : 0;
    }
    return buf;
}
