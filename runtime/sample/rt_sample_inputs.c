/* rt_sample_inputs.c - the sampler's latents, classes and data inputs
 * (see rt_sample_inputs.h); labels files and data inputs are read by
 * parts that only the models with such inputs link (rt_sample_parts.h),
 * PNG images by rt_sample_images.c, so that only they link a PNG decoder. */
#include "sample/rt_sample_inputs.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/rt_alloc.h"
#include "core/rt_file.h"
#include "model/rt_latent.h"
#include "sample/rt_sample_images.h"
#include "sample/rt_sample_parts.h"

#define DEFAULT_N 64
#define DEFAULT_STEPS 10   /* --interpolate */

/* The first input of kind k, or -1; *count receives how many there are. */
static int find_input(const rt_sampler_model *m, int k, int *count)
{
    int first = -1;
    *count = 0;
    for (int i = 0; i < m->n_inputs; i++)
        if (m->inputs[i].kind == k) {
            first = first < 0 ? i : first;
            ++*count;
        }
    return first;
}

/* The fewest classes of the CLASS inputs (0: none). */
static int classes_of(const rt_sampler_model *m)
{
    int c = 0;
    for (int i = 0; i < m->n_inputs; i++)
        if (m->inputs[i].kind == RT_VAR_CLASS && (c == 0 || m->inputs[i].classes < c))
            c = m->inputs[i].classes;
    return c;
}

/* "(2, 3)", "(5,)"; with lead, "(N, 2, 3)" */
static void shape_text(char *buf, size_t cap, const char *lead, int ndim, const size_t *shape)
{
    size_t k = (size_t)snprintf(buf, cap, "(%s%s", lead ? lead : "", lead && ndim ? ", " : "");
    for (int d = 0; d < ndim && k < cap; d++)
        k += (size_t)snprintf(buf + k, cap - k, "%s%zu", d ? ", " : "", shape[d]);
    if (k < cap)
        snprintf(buf + k, cap - k, "%s)", ndim == 1 ? "," : "");
}

/* Flags that this model's inputs cannot take. */
static int check_flags(const rt_sampler_model *m, const rt_sample_opts *o, rt_err *err)
{
    int n_latent, n_class, n_data;
    find_input(m, RT_VAR_LATENT, &n_latent);
    find_input(m, RT_VAR_CLASS, &n_class);
    int data = find_input(m, RT_VAR_DATA, &n_data);
    const char *latent_flag = o->latent ? "--latent" : o->interpolate ? "--interpolate"
                            : o->truncation > 0 ? "--truncation" : NULL;
    if (latent_flag && !n_latent)
        return rt_errf(err, "%s: this model's network reads no latent input", latent_flag);
    if (o->latent && o->truncation > 0)
        return rt_errf(err, "--truncation: not with --latent, whose latents are used as "
                       "they are");
    if (o->seed2_given && !o->interpolate)
        return rt_errf(err, "--seed2: only with --interpolate (the second end's seed)");
    if ((o->class_k >= 0 || o->labels || o->class_all) && !n_class)
        return rt_errf(err, "%s: this model's network reads no class input",
                       o->labels ? "--labels" : "--class");
    if (o->class_k >= 0 && o->labels)
        return rt_errf(err, "--class: not with --labels, which gives each sample's class");
    if (o->class_k >= classes_of(m) && o->class_k >= 0)
        return rt_errf(err, "--class %ld: expected a class from 0 to %d", o->class_k,
                       classes_of(m) - 1);
    if (n_data > 1)
        return rt_errf(err, "this sampler feeds one data input, the network reads %d", n_data);
    if (o->input && !n_data)
        return rt_errf(err, "--input: this model's network reads no data input");
    if (!o->input && n_data)
        return rt_errf(err, "--input: expected a .npy or PNG images for the network's input "
                       "'%s' (N samples of %zu floats), found none", m->inputs[data].name,
                       m->inputs[data].size);
    return 0;
}

/* o->n from a file of `rows` samples: all sources and -n must agree. */
static int agree(rt_sample_opts *o, const char *file, size_t rows, const char **by, rt_err *err)
{
    if (o->n_given && (size_t)o->n != rows)
        return rt_errf(err, "-n %ld: expected the number of rows of %s, found %zu rows", o->n,
                       file, rows);
    if (*by && (size_t)o->n != rows)
        return rt_errf(err, "%s: %zu rows, expected the %ld of %s", file, rows, o->n, *by);
    o->n = (long)rows;
    *by = file;
    return 0;
}

/* --latent: shape (N, width), N >= 1 (2 to interpolate between rows 0 and 1). */
static int open_latent(rt_sample_inputs *s, rt_sample_opts *o, const char **by, rt_err *err)
{
    if (rt_npy_open_f32(o->latent, &s->latent, err) != 0)
        return -1;
    const size_t *shape = s->latent.shape;
    size_t least = o->interpolate ? 2 : 1;
    if (s->latent.ndim != 2 || shape[1] != s->width || shape[0] < least) {
        char found[200];
        shape_text(found, sizeof found, NULL, s->latent.ndim, shape);
        return rt_errf(err, "%s: expected latents of shape (N, %zu) with N >= %zu, found "
                       "shape %s", o->latent, s->width, least, found);
    }
    return o->interpolate ? 0 : agree(o, o->latent, shape[0], by, err);
}

/* --input: PNG images, or a .npy of shape (N, the input's shape). */
int rt_sample_open_data(rt_sample_inputs *s, rt_sample_opts *o, const char **by, rt_err *err)
{
    int n;
    const rt_input_info *in = &s->m->inputs[find_input(s->m, RT_VAR_DATA, &n)];
    if (rt_sample_images_named(o->input))
        return rt_sample_images_open(s, in, o->input, err) == 0
             ? agree(o, o->input, s->n_images, by, err) : -1;
    if (rt_npy_open_f32(o->input, &s->data, err) != 0)
        return -1;
    int same = s->data.ndim == in->ndim + 1 && s->data.shape[0] > 0;
    size_t want[3] = { 0 };
    for (int d = 0; d < in->ndim; d++) {
        want[d] = (size_t)in->shape[d];
        same = same && s->data.shape[d + 1] == want[d];
    }
    if (!same) {
        char w[200], found[200];
        shape_text(w, sizeof w, "N", in->ndim, want);
        shape_text(found, sizeof found, NULL, s->data.ndim, s->data.shape);
        return rt_errf(err, "%s: expected samples of input '%s' of shape %s with N >= 1, "
                       "found shape %s", o->input, in->name, w, found);
    }
    return agree(o, o->input, s->data.shape[0], by, err);
}

/* One label: a whole number in [0, classes). */
static int check_label(const char *file, double v, size_t row, int classes, rt_err *err)
{
    if (v >= 0 && v < classes && v == floor(v))
        return 0;
    return rt_errf(err, "%s: expected class labels from 0 to %d, found %g at row %zu", file,
                   classes - 1, v, row);
}

/* --labels FILE.npy: one number per sample (shape (N,) or (N, 1)).  The
 * count is backed by the file's size (rt_npy checks it), so no header can
 * claim more memory than the file holds. */
static int read_npy_labels(rt_sample_inputs *s, const char *file, size_t *n, rt_err *err)
{
    rt_npy_in in;
    if (rt_npy_open_numbers(file, &in, err) != 0)
        return -1;
    size_t item = (size_t)in.item;
    unsigned char *raw = rt_xmalloc(in.count * item + 1);
    int rc = in.ndim == 1 || (in.ndim == 2 && in.shape[1] == 1)
           ? rt_read_at(in.fd, in.data_at, raw, in.count * item, file, err)
           : rt_errf(err, "%s: expected labels of shape (N,) or (N, 1), found %d dimensions",
                     file, in.ndim);
    s->labels = rt_xmalloc((in.count + 1) * sizeof(float));
    for (size_t i = 0; rc == 0 && i < in.count; i++)
        s->labels[i] = (float)rt_npy_value(&in, raw + i * item);
    *n = in.count;
    free(raw);
    close(in.fd);
    return rc;
}

/* --labels FILE (text): one integer a line. */
static int read_text_labels(rt_sample_inputs *s, const char *file, size_t *n, rt_err *err)
{
    size_t size, cap = 0, k = 0, have = 0;
    FILE *f = rt_open_regular(file, &size, err);
    if (!f)
        return -1;
    char *line = NULL;
    int rc = 0;
    while (rc == 0 && getline(&line, &cap, f) > 0) {
        char *end;
        long v = strtol(line, &end, 10);
        end += strspn(end, " \t\r\n");
        if (end == line || *end)
            rc = rt_errf(err, "%s:%zu: expected one whole number on the line", file, k + 1);
        if (k == have) {
            have = have ? 2 * have : 256;
            s->labels = rt_xrealloc(s->labels, have * sizeof(float));
        }
        s->labels[k++] = (float)v;
    }
    free(line);
    fclose(f);
    *n = k;
    return rc;
}

int rt_sample_open_labels(rt_sample_inputs *s, rt_sample_opts *o, const char **by,
                          rt_err *err)
{
    const char *f = o->labels, *dot = strrchr(f, '.');
    size_t n = 0;
    int rc = dot && strcmp(dot, ".npy") == 0 ? read_npy_labels(s, f, &n, err)
                                             : read_text_labels(s, f, &n, err);
    for (size_t i = 0; rc == 0 && i < n; i++)
        rc = check_label(f, s->labels[i], i, classes_of(s->m), err);
    if (rc == 0 && n == 0)
        rc = rt_errf(err, "%s: expected at least one label, found none", f);
    return rc == 0 ? agree(o, f, n, by, err) : -1;
}

/* A row of `width` latents from the seed, truncated with --truncation. */
static void draw_row(const rt_sample_inputs *s, rt_rng *rng, float *z)
{
    const rt_sampler_model *m = s->m;
    for (int i = 0; i < m->n_inputs; i++) {
        const rt_input_info *in = &m->inputs[i];
        if (in->kind != RT_VAR_LATENT)
            continue;
        if (s->o->truncation > 0)
            rt_latent_fill_truncated(in->dist, rng, z, in->size, (float)s->o->truncation);
        else
            rt_latent_fill(in->dist, rng, z, in->size);
        z += in->size;
    }
}

/* --interpolate: the two ends, from --latent's first rows or the seeds. */
static int open_ends(rt_sample_inputs *s, rt_err *err)
{
    const rt_sample_opts *o = s->o;
    s->ends = rt_xmalloc(2 * s->width * sizeof(float));
    if (o->latent) {
        size_t i = 0;
        if (rt_read_at(s->latent.fd, s->latent.data_at, s->ends, 2 * s->width * sizeof(float),
                       o->latent, err) != 0)
            return -1;
        while (i < 2 * s->width && isfinite(s->ends[i]))
            i++;
        return i == 2 * s->width ? 0 : rt_errf(err, "%s: expected finite latents, found %g at "
                                              "row %zu, column %zu", o->latent,
                                              (double)s->ends[i], i / s->width, i % s->width);
    }
    rt_rng second;
    rt_rng_seed(&second, o->seed2_given ? o->seed2 : o->seed + 1);
    draw_row(s, &s->rng, s->ends);
    draw_row(s, &second, s->ends + s->width);
    return 0;
}

/* The model's part for a flag its checks let through (rt_sample_parts.h). */
static const rt_sample_parts *parts(const rt_sampler_model *m)
{
    rt_assert(m->parts != NULL);
    return m->parts;
}

int rt_sample_inputs_open(rt_sample_inputs *s, const rt_sampler_model *m, rt_sample_opts *o,
                          rt_err *err)
{
    memset(s, 0, sizeof *s);
    s->m = m;
    s->o = o;
    s->latent.fd = s->data.fd = -1;
    rt_rng_seed(&s->rng, o->seed);
    for (int i = 0; i < m->n_inputs; i++)
        s->width += m->inputs[i].kind == RT_VAR_LATENT ? m->inputs[i].size : 0;
    const char *by = NULL;   /* the file that set the count */
    if (check_flags(m, o, err) != 0 || (o->latent && open_latent(s, o, &by, err) != 0))
        return -1;
    if (o->input) {
        rt_assert(parts(m)->open_data != NULL);
        if (parts(m)->open_data(s, o, &by, err) != 0)
            return -1;
    }
    if (o->labels) {
        rt_assert(parts(m)->open_labels != NULL);
        if (parts(m)->open_labels(s, o, &by, err) != 0)
            return -1;
    }
    if (o->interpolate && open_ends(s, err) != 0)
        return -1;
    if (!by && !o->n_given)
        o->n = o->interpolate ? DEFAULT_STEPS : DEFAULT_N;
    return 0;
}

void rt_sample_inputs_close(rt_sample_inputs *s)
{
    if (s->latent.fd >= 0)
        close(s->latent.fd);
    if (s->data.fd >= 0)
        close(s->data.fd);
    for (size_t i = 0; i < s->n_images; i++)
        free(s->images[i]);
    free(s->images);
    free(s->labels);
    free(s->ends);
    free(s->row);
}

/* out = the point at t between a and b: along the great circle for
 * normal latents (slerp, as for GANs' Gaussian latents), straight for
 * uniform ones or ends nearly parallel. */
static void between(const float *a, const float *b, size_t n, double t, int spherical,
                    float *out)
{
    double ab = 0, aa = 0, bb = 0, wa = 1 - t, wb = t;
    for (size_t i = 0; i < n; i++) {
        ab += (double)a[i] * b[i];
        aa += (double)a[i] * a[i];
        bb += (double)b[i] * b[i];
    }
    double c = aa > 0 && bb > 0 ? ab / sqrt(aa * bb) : 1;
    double omega = acos(c < -1 ? -1 : c > 1 ? 1 : c), so = sin(omega);
    if (spherical && so > 1e-6) {
        wa = sin((1 - t) * omega) / so;
        wb = sin(t * omega) / so;
    }
    for (size_t i = 0; i < n; i++)
        out[i] = (float)(wa * a[i] + wb * b[i]);
}

/* Latents of samples [first, first + k): row g of all latent inputs. */
static int latents(rt_sample_inputs *s, size_t first, size_t k, float *const *in, rt_err *err)
{
    const rt_sampler_model *m = s->m;
    const rt_sample_opts *o = s->o;
    size_t w = s->width, count = k * w, i = 0;
    s->row = s->row ? s->row : rt_xmalloc(w * sizeof(float));
    float *rows = NULL;
    if (o->latent && !o->interpolate) {
        rows = rt_xmalloc(count * sizeof(float) + 1);
        if (rt_read_at(s->latent.fd, s->latent.data_at + first * w * sizeof(float), rows,
                       count * sizeof(float), o->latent, err) != 0) {
            free(rows);
            return -1;
        }
        /* a NaN or Inf latent would come out as a silently broken sample */
        while (i < count && isfinite(rows[i]))
            i++;
    }
    int rc = 0;
    if (rows && i < count)
        rc = rt_errf(err, "%s: expected finite latents, found %g at row %zu, column %zu",
                     o->latent, (double)rows[i], first + i / w, i % w);
    for (size_t r = 0; rc == 0 && r < k; r++) {
        double t = o->n > 1 ? (double)(first + r) / (double)(o->n - 1) : 0;
        const float *row = rows ? rows + r * w : s->row;
        if (!rows && !o->interpolate)
            draw_row(s, &s->rng, s->row);
        for (int j = 0, at = 0; j < m->n_inputs; j++) {
            const rt_input_info *x = &m->inputs[j];
            if (x->kind != RT_VAR_LATENT)
                continue;
            float *dst = in[j] + r * x->size;
            if (o->interpolate)
                between(s->ends + at, s->ends + w + at, x->size, t,
                        x->dist == RT_LATENT_NORMAL, dst);
            else
                memcpy(dst, row + at, x->size * sizeof(float));
            at += (int)x->size;
        }
    }
    free(rows);
    return rc;
}

/* Samples [first, first + k) of the data input: decoded images, or a
 * .npy's rows checked finite. */
int rt_sample_data_rows(rt_sample_inputs *s, const rt_input_info *x, size_t first, size_t k,
                        float *dst, rt_err *err)
{
    if (s->images)
        return rt_sample_images_rows(s, x, first, k, dst, err);
    size_t count = k * x->size, i = 0;
    if (rt_read_at(s->data.fd, s->data.data_at + first * x->size * sizeof(float), dst,
                   count * sizeof(float), s->o->input, err) != 0)
        return -1;
    while (i < count && isfinite(dst[i]))
        i++;
    return i == count ? 0 : rt_errf(err, "%s: expected finite values, found %g in sample %zu",
                                    s->o->input, (double)dst[i], first + i / x->size);
}

int rt_sample_inputs_next(rt_sample_inputs *s, size_t first, size_t k, float *const *in,
                          rt_err *err)
{
    const rt_sampler_model *m = s->m;
    const rt_sample_opts *o = s->o;
    if (s->width && latents(s, first, k, in, err) != 0)
        return -1;
    for (int j = 0; j < m->n_inputs; j++) {
        const rt_input_info *x = &m->inputs[j];
        if (x->kind == RT_VAR_DATA) {
            rt_assert(parts(m)->data_rows != NULL);
            if (parts(m)->data_rows(s, x, first, k, in[j], err) != 0)
                return -1;
        }
        for (size_t r = 0; x->kind == RT_VAR_CLASS && r < k; r++) {
            size_t g = first + r;
            float c = o->class_k >= 0 ? (float)o->class_k
                    : s->labels ? s->labels[g]
                    : o->interpolate ? 0.0f : (float)(g % (size_t)x->classes);
            for (size_t e = 0; e < x->size; e++)
                in[j][r * x->size + e] = c;
        }
    }
    return 0;
}
