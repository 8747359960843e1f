/* rt_sample_classes.c - what a network with a class input adds to the
 * sampler's output (see rt_sample_parts.h, rt_sample_classes_fns):
 *
 *   --class all   -n samples of every class (the classes in turn, so each
 *                 gets -n); a folder output's default when no flag sets
 *                 the classes (--class K, --labels) or the count (--latent,
 *                 --input, --interpolate);
 *   DIR/          each sample in the subfolder of its class, DIR/K/000000.png
 *                 numbered within it, K zero-padded to the digits of the
 *                 last class so that name order is class order: a png_dir
 *                 source with `labels: folders` reads DIR back as labelled
 *                 data (data augmentation, bench/augment.sh);
 *   X.npy         the samples' classes beside it in X_labels.npy, float32 of
 *                 shape (N,), as --labels reads them;
 *   X.png         a grid of as many columns as classes: with the classes in
 *                 turn (--class all, or no --class), a column per class.
 * Only samplers whose network reads a class input link this file.
 * Leaves out: several class inputs' labels (the first one's are written).
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/rt_alloc.h"
#include "formats/rt_npy.h"
#include "sample/rt_sample_parts.h"
#include "viz/rt_plot.h"

#define DEFAULT_N 64   /* as rt_sample_inputs.c */

static int class_input(const rt_sampler_model *m)
{
    for (int i = 0; i < m->n_inputs; i++)
        if (m->inputs[i].kind == RT_VAR_CLASS)
            return i;
    return -1;
}

static int count_all(const rt_sampler_model *m, rt_sample_opts *o, int folder, rt_err *err)
{
    if (class_input(m) < 0)   /* --class all is refused with the inputs' checks */
        return 0;
    const char *by = o->labels ? "--labels" : o->latent ? "--latent" : o->input ? "--input"
                   : o->interpolate ? "--interpolate" : NULL;
    if (o->class_all && (by || o->class_k >= 0))
        return rt_errf(err, "--class all: not with %s, which sets the samples' count or "
                       "classes", by ? by : "another --class");
    if (!o->class_all && (!folder || o->class_k >= 0 || by))
        return 0;
    long classes = m->inputs[class_input(m)].classes, each = o->n_given ? o->n : DEFAULT_N;
    if (each > LONG_MAX / classes)
        return rt_errf(err, "-n %ld: expected at most %ld samples of each of %ld classes",
                       each, LONG_MAX / classes, classes);
    o->n = each * classes;
    o->n_given = 1;
    o->class_all = 1;
    return 0;
}

static int open_out(rt_sample_classes *c, const rt_sampler_model *m, const rt_sample_opts *o,
                    int folder, rt_err *err)
{
    memset(c, 0, sizeof *c);
    c->ci = class_input(m);
    if (c->ci < 0)
        return 0;
    c->size = m->inputs[c->ci].size;
    c->classes = m->inputs[c->ci].classes;
    if (folder) {
        c->count = rt_xcalloc((size_t)c->classes, sizeof *c->count);
        return 0;
    }
    size_t len = strlen(o->out) - 4;   /* a .npy: the caller checked */
    char *path = rt_xmalloc(len + sizeof "_labels.npy");
    memcpy(path, o->out, len);
    strcpy(path + len, "_labels.npy");
    int rc = rt_wfile_open(&c->labels, path, err);
    free(path);
    if (rc != 0)
        return -1;
    size_t shape[1] = { (size_t)o->n };
    rt_npy_write_header(c->labels.f, 1, shape);
    return 0;
}

static int path_of(rt_sample_classes *c, char *path, size_t cap, const char *dir, size_t g,
                   size_t i, rt_err *err)
{
    const char *sep = dir[strlen(dir) - 1] == '/' ? "" : "/";
    if (!c->cls || !c->count) {
        snprintf(path, cap, "%s%s%06zu.png", dir, sep, g);
        return 0;
    }
    int k = (int)c->cls[i * c->size], digits = 1;
    for (int last = c->classes - 1; last >= 10; last /= 10)
        digits++;
    snprintf(path, cap, "%s%s%0*d", dir, sep, digits, k);
    if (c->count[k] == 0 && rt_mkdir_p(path, err) != 0)
        return -1;
    size_t len = strlen(path);
    snprintf(path + len, cap - len, "/%06ld.png", c->count[k]++);
    return 0;
}

static void chunk(rt_sample_classes *c, float *const *in, size_t k)
{
    c->cls = c->ci >= 0 ? in[c->ci] : NULL;
    for (size_t r = 0; c->labels.f && r < k; r++)
        fwrite(&c->cls[r * c->size], sizeof(float), 1, c->labels.f);
}

static int close_out(rt_sample_classes *c, int status, rt_err *err)
{
    free(c->count);
    c->count = NULL;
    if (!c->labels.f)
        return status;
    if (status != 0) {
        rt_wfile_abort(&c->labels);
        return status;
    }
    return rt_wfile_commit(&c->labels, err) != 0 ? 1 : 0;
}

int rt_sample_class_grid_png(const rt_sampler_model *m, const char *out, const float *x,
                             size_t n, int strip, rt_err *err)
{
    int c = class_input(m);
    if (c < 0)   /* another network of a sampler of several */
        return rt_sample_grid_png(m, out, x, n, strip, err);
    int classes = m->inputs[c].classes;
    int cols = strip || n < (size_t)classes ? (int)n : classes;
    return rt_image_grid_png_scaled(out, x, (int)n, m->out_shape[0], m->out_shape[1],
                                    m->out_shape[2], cols,
                                    rt_grid_scale(m->out_shape[1], m->out_shape[2]), err);
}

const rt_sample_classes_fns rt_sample_classes_part = {
    .count_all = count_all,
    .open = open_out,
    .path = path_of,
    .chunk = chunk,
    .close = close_out,
};
