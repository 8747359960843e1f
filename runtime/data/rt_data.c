/* rt_data.c - ring8/grid25/CSV/IDX/PNG-folder training data (see rt_data.h). */
#include "data/rt_data.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/rt_alloc.h"
#include "core/rt_err.h"
#include "data/rt_idx.h"
#include "data/rt_mixture.h"
#include "data/rt_transform.h"
#include "formats/rt_png_dir.h"
#include "formats/rt_csv.h"
#include "model/rt_model.h"

struct rt_data {
    int kind;
    size_t sample_size;   /* floats of a sample handed out */
    rt_rng *rng;
    char describe[320];
    /* file sources */
    float *rows;
    size_t n_rows;
    unsigned char *labels;   /* n_rows class labels, or NULL */
    size_t *order;   /* this epoch's permutation */
    size_t next;     /* position in order */
    size_t *batch_rows;   /* the rows of the last rt_data_next_rows */
    int batch_cap;
    rt_rng epoch_rng;   /* the rng as it was before this epoch's shuffle */
    size_t row_size;    /* floats of a row held: sample_size unless the
                         * transforms of a draw change the shape */
    /* transforms applied as each sample is drawn (borrowed), on rows of
     * shape draw_shape; work is rt_transform_chain's */
    const rt_transform *draw_t;
    int n_draw_t;
    int draw_shape[3];
    float *work;
};

const char *rt_data_kind_name(int kind)
{
    switch (kind) {
    case RT_DATA_RING8: return "ring8";
    case RT_DATA_GRID25: return "grid25";
    case RT_DATA_CSV: return "csv";
    case RT_DATA_IDX: return "idx";
    case RT_DATA_PNG_DIR: return "png_dir";
    default: return "unknown";
    }
}

/* Each epoch's order is a Fisher-Yates shuffle of 0..n-1, so it depends
 * only on the rng state before it: a checkpoint saves that state and the
 * position instead of the whole permutation. */
static void shuffle_with(rt_data *d, rt_rng *rng)
{
    for (size_t i = 0; i < d->n_rows; i++)
        d->order[i] = i;
    for (size_t i = d->n_rows; i > 1; i--) {
        size_t j = (size_t)rt_rng_below(rng, i);
        size_t t = d->order[i - 1];
        d->order[i - 1] = d->order[j];
        d->order[j] = t;
    }
    d->next = 0;
}

static void shuffle(rt_data *d)
{
    d->epoch_rng = *d->rng;
    shuffle_with(d, d->rng);
}

/* The first epoch's order of a file source */
static void start_epochs(rt_data *d)
{
    d->order = rt_xmalloc(d->n_rows * sizeof *d->order);
    shuffle(d);
}

/* Takes column `col` of rows with cols columns out as labels: the rows
 * close up to cols - 1 floats each. */
static int split_label_column(rt_data *d, const char *path, size_t cols, size_t col,
                              int classes, rt_err *err)
{
    d->labels = rt_xmalloc(d->n_rows ? d->n_rows : 1);
    for (size_t r = 0; r < d->n_rows; r++) {
        const float *src = d->rows + r * cols;
        float v = src[col];
        if (!(v >= 0 && v < (float)classes && v == (float)(int)v))
            return rt_errf(err, "%s: row %zu, column %zu (the labels): expected a class "
                           "0..%d, found %g", path, r + 1, col + 1, classes - 1, (double)v);
        d->labels[r] = (unsigned char)v;
        float *dst = d->rows + r * (cols - 1);
        /* dst <= src: the rows close up in place */
        memmove(dst, src, col * sizeof *dst);
        memmove(dst + col, src + col + 1, (cols - 1 - col) * sizeof *dst);
    }
    return 0;
}

static int open_csv(rt_data *d, const char *path, const rt_data_labels *lab, rt_err *err)
{
    if (!path)
        return rt_errf(err, "csv data: expected a file path (set data.path or pass --data), "
                       "found none");
    size_t header;
    size_t cols = d->sample_size + (lab ? 1 : 0);
    if (lab && (lab->column < 0 || (size_t)lab->column >= cols))
        return rt_errf(err, "%s: the label column %d is not one of the %zu columns", path,
                       lab->column + 1, cols);
    if (rt_csv_load(path, cols, &d->rows, &d->n_rows, &header, err) != 0)
        return -1;
    if (lab && split_label_column(d, path, cols, (size_t)lab->column, lab->classes, err) != 0)
        return -1;
    start_epochs(d);
    /* a first line that is not numbers is skipped as a header: say so, in
     * case it was data */
    int n = snprintf(d->describe, sizeof d->describe, "%.250s (%zu rows", path, d->n_rows);
    if (header)
        n += snprintf(d->describe + n, sizeof d->describe - (size_t)n,
                      "; line %zu skipped as a header", header);
    snprintf(d->describe + n, sizeof d->describe - (size_t)n, ")");
    return 0;
}

/* IDX images hold one gray channel: the model's shape must be (1, H, W) */
static int open_idx(rt_data *d, const char *path, int ndim, const int *shape,
                    const rt_data_labels *lab, rt_err *err)
{
    if (!path)
        return rt_errf(err, "idx data: expected a file path (set data.path or pass --data), "
                       "found none");
    if (ndim != 3 || shape[0] != 1)
        return rt_errf(err, "%s: IDX images are gray: expected a model data shape of "
                       "[1, HEIGHT, WIDTH], found %d channel%s", path, ndim == 3 ? shape[0] : 0,
                       ndim == 3 && shape[0] == 1 ? "" : "s");
    if (rt_idx_load_images(path, shape[1], shape[2], &d->rows, &d->n_rows, err) != 0)
        return -1;
    if (lab) {
        size_t n = 0;
        if (rt_idx_load_labels(lab->path, &d->labels, &n, err) != 0)
            return -1;
        if (n != d->n_rows)
            return rt_errf(err, "%s: %zu labels for the %zu images of %s: expected one label "
                           "per image", lab->path, n, d->n_rows, path);
        for (size_t i = 0; i < n; i++)
            if (d->labels[i] >= lab->classes)
                return rt_errf(err, "%s: label %zu is %d: expected a class 0..%d "
                               "(data.classes is %d)", lab->path, i + 1, d->labels[i],
                               lab->classes - 1, lab->classes);
    }
    start_epochs(d);
    snprintf(d->describe, sizeof d->describe, "%.280s (%zu images)", path, d->n_rows);
    return 0;
}

/* A folder of PNGs: the model's shape is (CHANNELS, H, W), 1 or 3 channels */
static int open_png_dir(rt_data *d, const char *path, int ndim, const int *shape,
                        const rt_data_labels *lab, rt_err *err)
{
    if (!path)
        return rt_errf(err, "png_dir data: expected a folder path (set data.path or pass "
                       "--data), found none");
    if (ndim != 3 || (shape[0] != 1 && shape[0] != 3))
        return rt_errf(err, "%s: PNG images are gray or RGB: expected a model data shape of "
                       "[1 or 3, HEIGHT, WIDTH]", path);
    int rc = lab ? rt_png_dir_load_classes(path, lab->classes, shape[0], shape[1], shape[2],
                                           &d->rows, &d->labels, &d->n_rows, err)
                 : rt_png_dir_load(path, shape[0], shape[1], shape[2], &d->rows, &d->n_rows,
                                   err);
    if (rc != 0)
        return -1;
    start_epochs(d);
    snprintf(d->describe, sizeof d->describe, "%.280s (%zu images)", path, d->n_rows);
    return 0;
}

static int open_source(rt_data *d, int kind, const char *path, int ndim, const int *shape,
                       const rt_data_labels *lab, rt_err *err)
{
    if (rt_mixture_is_kind(kind)) {
        snprintf(d->describe, sizeof d->describe, "%s", rt_mixture_name(kind));
        return d->sample_size == 2 ? 0
           : rt_errf(err, "%s data: expected a model whose samples are 2 floats (x, y), "
                     "found %zu floats per sample", rt_mixture_name(kind), d->sample_size);
    }
    if (kind == RT_DATA_CSV)
        return open_csv(d, path, lab, err);
    if (kind == RT_DATA_IDX)
        return open_idx(d, path, ndim, shape, lab, err);
    if (kind == RT_DATA_PNG_DIR)
        return open_png_dir(d, path, ndim, shape, lab, err);
    return rt_errf(err, "data kind %d: expected one of ring8, grid25, csv, idx, png_dir", kind);
}

/* Which labels each file source can carry */
static int labels_fit(int kind, const rt_data_labels *lab, rt_err *err)
{
    static const int source_of[] = { [RT_LABELS_IDX] = RT_DATA_IDX,
                                     [RT_LABELS_CSV_COLUMN] = RT_DATA_CSV,
                                     [RT_LABELS_FOLDERS] = RT_DATA_PNG_DIR };
    static const char *const what[] = { [RT_LABELS_IDX] = "an IDX label file",
                                        [RT_LABELS_CSV_COLUMN] = "a CSV column",
                                        [RT_LABELS_FOLDERS] = "PNG subfolders" };
    if (lab->kind < RT_LABELS_IDX || lab->kind > RT_LABELS_FOLDERS)
        return rt_errf(err, "labels kind %d: expected an IDX file, a CSV column or PNG "
                       "subfolders", lab->kind);
    if (source_of[lab->kind] != kind)
        return rt_errf(err, "%s data cannot carry labels from %s (those label %s data)",
                       rt_data_kind_name(kind), what[lab->kind],
                       rt_data_kind_name(source_of[lab->kind]));
    if (lab->classes < 2 || lab->classes > 256)
        return rt_errf(err, "labels: expected 2..256 classes, found %d", lab->classes);
    if (lab->kind == RT_LABELS_IDX && !lab->path)
        return rt_errf(err, "labels: expected an IDX label file (set data.labels or pass "
                       "--labels), found none");
    return 0;
}

rt_data *rt_data_open(int kind, const char *path, size_t sample_size, int ndim,
                      const int *shape, const rt_data_labels *labels, rt_rng *rng,
                      rt_err *err)
{
    const rt_data_labels *lab = labels && labels->kind != RT_LABELS_NONE ? labels : NULL;
    size_t product = 1;
    for (int i = 0; i < ndim; i++)
        product *= (size_t)shape[i];
    rt_assert(product == sample_size && sample_size > 0);
    rt_data *d = rt_xcalloc(1, sizeof *d);
    d->kind = kind;
    d->sample_size = d->row_size = sample_size;
    d->rng = rng;
    int rc = lab ? labels_fit(kind, lab, err) : 0;
    if (rc == 0)
        rc = open_source(d, kind, path, ndim, shape, lab, err);
    if (rc != 0) {
        rt_data_close(d);
        return NULL;
    }
    return d;
}

const size_t *rt_data_next_rows(rt_data *d, int batch)
{
    rt_assert(d->order && "rt_data_next_rows: a source without rows (the mixtures)");
    if (batch > d->batch_cap) {
        free(d->batch_rows);
        d->batch_rows = rt_xmalloc((size_t)batch * sizeof *d->batch_rows);
        d->batch_cap = batch;
    }
    for (int b = 0; b < batch; b++) {
        if (d->next == d->n_rows)
            shuffle(d);
        d->batch_rows[b] = d->order[d->next++];
    }
    return d->batch_rows;
}

void rt_data_copy_rows(rt_data *d, const size_t *rows, int batch, float *out, float *labels)
{
    rt_data_copy_rows_rng(d, rows, batch, out, labels, d->rng);
}

void rt_data_copy_rows_rng(rt_data *d, const size_t *rows, int batch, float *out,
                           float *labels, rt_rng *rng)
{
    rt_assert((!labels || d->labels) && "rt_data_copy_rows: labels of a source without them");
    for (int b = 0; b < batch; b++) {
        rt_assert(rows[b] < d->n_rows);
        const float *row = d->rows + rows[b] * d->row_size;
        float *dst = out + (size_t)b * d->sample_size;
        if (d->n_draw_t)   /* e.g. a random mask: drawn from the rng, sample by sample */
            rt_transform_chain(d->draw_t, d->n_draw_t, d->draw_shape, row, dst, d->work, rng);
        else
            memcpy(dst, row, d->sample_size * sizeof(float));
        if (labels)
            labels[b] = (float)d->labels[rows[b]];
    }
}

void rt_data_next_batch(rt_data *d, float *out, float *labels, int batch)
{
    if (rt_mixture_is_kind(d->kind)) {
        rt_assert(!labels && "rt_data_next_batch: the mixtures have no labels");
        rt_mixture_sample(d->kind, d->rng, out, (size_t)batch);
        return;
    }
    rt_data_copy_rows(d, rt_data_next_rows(d, batch), batch, out, labels);
}

void rt_data_get_pos(const rt_data *d, rt_data_pos *pos)
{
    memset(pos, 0, sizeof *pos);
    if (!d->order)
        return;
    pos->epoch_rng = d->epoch_rng;
    pos->next = d->next;
}

int rt_data_set_pos(rt_data *d, const rt_data_pos *pos, rt_err *err)
{
    if (!d->order)
        return 0;
    if (pos->next > d->n_rows)
        return rt_errf(err, "data position %llu is past the end of %s: was the data changed "
                       "since the checkpoint?", (unsigned long long)pos->next, d->describe);
    rt_rng copy = pos->epoch_rng;
    d->epoch_rng = copy;
    shuffle_with(d, &copy);
    d->next = (size_t)pos->next;
    return 0;
}

rt_data *rt_data_from_rows(float *rows, unsigned char *labels, size_t n_rows, size_t row_size,
                           const char *describe, rt_rng *rng)
{
    rt_assert(rows && n_rows > 0 && row_size > 0);
    rt_data *d = rt_xcalloc(1, sizeof *d);
    d->kind = RT_DATA_CSV;   /* rows in memory, as a file source's */
    d->sample_size = d->row_size = row_size;
    d->rng = rng;
    d->rows = rows;
    d->labels = labels;
    d->n_rows = n_rows;
    snprintf(d->describe, sizeof d->describe, "%s", describe);
    start_epochs(d);
    return d;
}

void rt_data_draw_transforms(rt_data *d, const rt_transform *t, int n, const int shape[3])
{
    rt_assert(d->order && !d->n_draw_t && n > 0);
    size_t in = (size_t)shape[0] * (size_t)shape[1] * (size_t)shape[2];
    rt_assert(in == d->row_size);
    int out[3];
    rt_err err;
    int rc = rt_transform_shape(t, n, shape, out, "rt_data_draw_transforms", &err);
    rt_assert(rc == 0);
    (void)rc;
    d->draw_t = t;
    d->n_draw_t = n;
    memcpy(d->draw_shape, shape, sizeof d->draw_shape);
    d->sample_size = (size_t)out[0] * (size_t)out[1] * (size_t)out[2];
    d->work = rt_xmalloc(2 * rt_transform_max_size(t, n, shape) * sizeof *d->work);
}

const float *rt_data_row(const rt_data *d, size_t r)
{
    rt_assert(r < d->n_rows);
    return d->rows + r * d->row_size;
}

const unsigned char *rt_data_row_labels(const rt_data *d)
{
    return d->labels;
}

const char *rt_data_describe(const rt_data *d)
{
    return d->describe;
}

size_t rt_data_rows(const rt_data *d)
{
    return d->n_rows;
}

void rt_data_close(rt_data *d)
{
    if (!d)
        return;
    free(d->rows);
    free(d->labels);
    free(d->order);
    free(d->batch_rows);
    free(d->work);
    free(d);
}
