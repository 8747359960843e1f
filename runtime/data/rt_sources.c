/* rt_sources.c - a model's data sources opened, each file once (see
 * rt_sources.h). */
#include "data/rt_sources.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/rt_alloc.h"
#include "data/rt_transform.h"

/* A source that is not simply its own file's rows */
static int prepared(const rt_data_source *s)
{
    return s->from || s->n_keep_classes > 0 || s->n_transforms > 0;
}

/* The samples as the file holds them */
static int file_shape(const rt_data_source *s, int shape[3])
{
    int ndim = s->file_ndim ? s->file_ndim : s->sample_ndim;
    const int *from = s->file_ndim ? s->file_shape : s->sample_shape;
    for (int i = 0; i < 3; i++)
        shape[i] = i < ndim ? from[i] : 1;
    return ndim;
}

static size_t numel(const int s[3])
{
    return (size_t)s[0] * (size_t)s[1] * (size_t)s[2];
}

int rt_sources_file_of(const rt_data_source *src, int n, int s, rt_err *err)
{
    if (!src[s].from)
        return s;
    for (int t = 0; t < n; t++) {
        if (strcmp(src[t].name, src[s].from) != 0)
            continue;
        if (t == s)
            return rt_errf(err, "data source '%s': 'from' names the source itself: expected "
                           "another source, whose file it reads", src[s].name);
        if (src[t].from)
            return rt_errf(err, "data source '%s': 'from' names '%s', which reads the file of "
                           "'%s': expected a source that reads its own file", src[s].name,
                           src[t].name, src[t].from);
        return t;
    }
    return rt_errf(err, "data source '%s': 'from' names '%s', which is no source of this "
                   "model", src[s].name, src[s].from);
}

/* Source s (reading the file of source f) against that file: its classes
 * and its transforms; the shape after the transforms made once, in mid. */
static int check_source(const rt_data_source *s, const rt_data_source *f, int k, int mid[3],
                        rt_err *err)
{
    char what[80];
    snprintf(what, sizeof what, "data source '%.40s'", s->name);
    if (s->n_keep_classes && (f->labels_kind == RT_LABELS_NONE || !s->keep_classes))
        return rt_errf(err, "%s: keep_classes keeps the rows of some classes, and its data "
                       "has no labels", what);
    for (int i = 0; i < s->n_keep_classes; i++)
        if (s->keep_classes[i] < 0 || s->keep_classes[i] >= f->classes)
            return rt_errf(err, "%s: keep_classes: class %d is not one of the data's %d "
                           "classes (0..%d)", what, s->keep_classes[i], f->classes,
                           f->classes - 1);
    int fs[3], out[3];
    int ndim = file_shape(f, fs);
    if (s->n_transforms && ndim != 3)
        return rt_errf(err, "%s: transforms work on images (CHANNELS, HEIGHT, WIDTH); the "
                       "data's samples are vectors of %d", what, fs[0]);
    if (rt_transform_shape(s->transforms, s->n_transforms, fs, out, what, err) != 0 ||
        rt_transform_shape(s->transforms, k, fs, mid, what, err) != 0)
        return -1;
    if (s->sample_ndim != ndim || numel(out) != s->sample_size ||
        (ndim == 3 && memcmp(out, s->sample_shape, sizeof out) != 0))
        return rt_errf(err, "%s: the data's samples become %dx%dx%d, expected the source's "
                       "sample shape (%zu floats)", what, out[0], out[1], out[2],
                       s->sample_size);
    return 0;
}

/* "the file of 'photos', a.gz (60000 images) -> classes 7 kept: 6000 rows
 * -> downsample to 14x14" */
static void describe(const rt_data_source *s, const rt_data *file, size_t kept, char *buf,
                     size_t cap)
{
    int n = snprintf(buf, cap, "%s%.40s%s%s", s->from ? "the file of '" : "",
                     s->from ? s->from : "", s->from ? "', " : "", rt_data_describe(file));
    for (int i = 0; i < s->n_keep_classes && n > 0 && (size_t)n < cap; i++)
        n += snprintf(buf + n, cap - (size_t)n, "%s%d", i ? ", " : " -> classes ",
                      s->keep_classes[i]);
    if (s->n_keep_classes && n > 0 && (size_t)n < cap)
        n += snprintf(buf + n, cap - (size_t)n, " kept: %zu rows", kept);
    if (s->n_transforms && n > 0 && (size_t)n < cap) {
        char t[256];
        snprintf(buf + n, cap - (size_t)n, " -> %s",
                 rt_transform_describe(s->transforms, s->n_transforms, t, sizeof t));
    }
}

/* The rows source s keeps of the file (keep[c]: class c is kept; all
 * rows without keep_classes): their count, or 0 with err. */
static size_t count_kept(const rt_data_source *s, const rt_data *file, const unsigned char *keep,
                         rt_err *err)
{
    size_t n = rt_data_rows(file), kept = 0;
    const unsigned char *lab = rt_data_row_labels(file);
    if (n == 0) {
        rt_errf(err, "data source '%s': %s data is drawn fresh: it has no rows to keep, "
                "transform or share", s->name, rt_data_describe(file));
        return 0;
    }
    for (size_t r = 0; r < n; r++)
        kept += !s->n_keep_classes || keep[lab[r]];
    if (kept == 0)
        rt_errf(err, "data source '%s': keep_classes keeps none of the rows of %s: no row is "
                "of those classes", s->name, rt_data_describe(file));
    return kept;
}

/* The kept rows of the file (of shape fs) through t[0..k), into rows (of
 * `out` floats each) and their labels into labels (when not NULL) */
static void fill_rows(const rt_data_source *s, const rt_data *file, const unsigned char *keep,
                      int k, const int fs[3], float *rows, size_t out, unsigned char *labels)
{
    const unsigned char *lab = rt_data_row_labels(file);
    float *work = k ? rt_xmalloc(2 * rt_transform_max_size(s->transforms, k, fs) * sizeof *work)
                    : NULL;
    for (size_t r = 0, j = 0; r < rt_data_rows(file); r++) {
        if (s->n_keep_classes && !keep[lab[r]])
            continue;
        if (k)
            rt_transform_chain(s->transforms, k, fs, rt_data_row(file, r), rows + j * out, work,
                               NULL);
        else
            memcpy(rows + j * out, rt_data_row(file, r), out * sizeof *rows);
        if (labels)
            labels[j] = lab[r];
        j++;
    }
    free(work);
}

/* Source s made from the rows of file (source fsrc's): the rows of its
 * classes, through its first k transforms (the rest run at each draw). */
static rt_data *make_source(const rt_data_source *s, const rt_data_source *fsrc,
                            const rt_data *file, rt_rng *rng, rt_err *err)
{
    int k = rt_transform_first_random(s->transforms, s->n_transforms), fs[3], mid[3];
    if (check_source(s, fsrc, k, mid, err) != 0)
        return NULL;
    unsigned char keep[256] = { 0 };   /* labels are bytes */
    for (int i = 0; i < s->n_keep_classes; i++)
        keep[s->keep_classes[i]] = 1;
    size_t kept = count_kept(s, file, keep, err), out = numel(mid);
    char what[96];
    snprintf(what, sizeof what, "data source '%.40s'", s->name);
    if (kept == 0 || rt_mem_check(what, kept, "rows", out * sizeof(float), err) != 0)
        return NULL;
    file_shape(fsrc, fs);
    float *rows = rt_xmalloc(kept * out * sizeof *rows);
    unsigned char *labels = rt_data_row_labels(file) ? rt_xmalloc(kept) : NULL;
    fill_rows(s, file, keep, k, fs, rows, out, labels);
    char text[320];
    describe(s, file, kept, text, sizeof text);
    rt_data *d = rt_data_from_rows(rows, labels, kept, out, text, rng);
    if (k < s->n_transforms)
        rt_data_draw_transforms(d, s->transforms + k, s->n_transforms - k, mid);
    return d;
}

/* The file of source s as it holds it (shape: the file's) */
static rt_data *open_file(const rt_data_source *s, const char *path, const char *labels,
                          rt_rng *rng, rt_err *err)
{
    int shape[3];
    int ndim = file_shape(s, shape);
    rt_data_labels lab = { s->labels_kind, labels, s->labels_column, s->classes };
    return rt_data_open(s->kind, path, numel(shape), ndim, shape, &lab, rng, err);
}

int rt_sources_open(const rt_data_source *src, int n, const char *const *paths,
                    const char *const *labels, rt_rng *rng, rt_data **data, rt_err *err)
{
    rt_assert(n >= 1 && n <= RT_DATA_SOURCES_MAX);
    rt_data *files[RT_DATA_SOURCES_MAX] = { NULL };   /* read only to make others */
    const rt_data *file_of[RT_DATA_SOURCES_MAX] = { NULL };
    int of[RT_DATA_SOURCES_MAX];
    rt_rng private_rng;
    rt_rng_seed(&private_rng, 0);
    int rc = 0;
    memset(data, 0, (size_t)n * sizeof *data);
    for (int s = 0; s < n && rc == 0; s++)
        rc = (of[s] = rt_sources_file_of(src, n, s, err)) < 0 ? -1 : 0;
    /* each file once: a source that is its file's rows as they are opens
     * it with the training rng, as before transforms were; a file only
     * read to make sources of it, with the private one */
    for (int s = 0; s < n && rc == 0; s++) {
        if (of[s] != s)
            continue;
        if (prepared(&src[s]))
            file_of[s] = files[s] = open_file(&src[s], paths[s], labels[s], &private_rng, err);
        else
            file_of[s] = data[s] = open_file(&src[s], paths[s], labels[s], rng, err);
        rc = file_of[s] ? 0 : -1;
    }
    for (int s = 0; s < n && rc == 0; s++)
        if (!data[s]) {
            data[s] = make_source(&src[s], &src[of[s]], file_of[of[s]], rng, err);
            rc = data[s] ? 0 : -1;
        }
    for (int s = 0; s < n; s++) {
        rt_data_close(files[s]);
        if (rc != 0) {
            rt_data_close(data[s]);
            data[s] = NULL;
        }
    }
    return rc;
}
