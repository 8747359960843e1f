/* rt_data.h - training data sources behind one interface.
 *
 *   ring8, grid25  endless fresh samples from the PacGAN mixtures
 *                  (rt_mixture.h); need 2 floats per sample
 *   CSV            the whole file in memory (rt_csv.h), one sample per row,
 *                  rows visited in a new random order every epoch; a batch
 *                  that crosses the end of an epoch continues in the next
 *   IDX            gray images from an IDX file (rt_idx.h), in memory,
 *                  shuffled every epoch like CSV
 *   PNG_DIR        every *.png of a folder (rt_png_dir.h), gray or RGB,
 *                  in memory, shuffled every epoch like CSV
 * A file source may carry class labels (rt_data_labels): an IDX label file
 * beside IDX images, a column of the CSV, or PNG subfolders as classes;
 * rt_data_next_batch hands out each row's label with it.
 * Two file sources can be paired (rows aligned by index): rt_data_next_rows
 * of the first picks the rows, rt_data_copy_rows copies them from each.
 * All randomness comes from the caller's rng (borrowed; it must outlive
 * the source), so a run is reproducible from its seed.
 * A file source's position can be saved and restored (rt_data_pos).
 * Rows already in memory make a source too (rt_data_from_rows: a file's
 * rows filtered and transformed, rt_sources.h), whose samples may be
 * transformed again as each is drawn (a random mask).
 * Leaves out: streaming from disk.
 */
#ifndef RT_DATA_H
#define RT_DATA_H

#include <stddef.h>
#include <stdint.h>

#include "core/rt_err.h"
#include "core/rt_rng.h"
#include "model/rt_model.h"

typedef struct rt_data rt_data;

/* The labels of a file source: kind is enum rt_labels_kind (rt_model.h). */
typedef struct {
    int kind;
    const char *path;     /* RT_LABELS_IDX */
    int column;           /* RT_LABELS_CSV_COLUMN */
    int classes;          /* every label must lie in [0, classes) */
} rt_data_labels;

/* kind: enum rt_data_kind (rt_model.h); path may be NULL for the mixtures;
 * shape[0..ndim) is the sample shape (product == sample_size); labels may
 * be NULL (or of kind RT_LABELS_NONE).
 * Returns NULL and fills err when the source cannot be used. */
rt_data *rt_data_open(int kind, const char *path, size_t sample_size, int ndim,
                      const int *shape, const rt_data_labels *labels, rt_rng *rng,
                      rt_err *err);
/* Writes batch samples (batch * sample_size floats) into out and, when
 * labels is not NULL (a source opened with labels only), each sample's
 * class label as a float into labels. */
void rt_data_next_batch(rt_data *d, float *out, float *labels, int batch);
/* Paired sources (a file source's rows aligned with another's by index):
 * the rows of d's next batch in its shuffled order, as rt_data_next_batch
 * would take them (an array d owns, valid until the next call) ... */
const size_t *rt_data_next_rows(rt_data *d, int batch);
/* ... and those rows of any source of at least as many rows copied into
 * out (and their labels into labels, when not NULL), each through the
 * source's draw transforms (rt_data_draw_transforms), if any. */
void rt_data_copy_rows(rt_data *d, const size_t *rows, int batch, float *out, float *labels);
/* The same, with the draw transforms' randomness from rng instead of the
 * source's: rows shown outside training (the trainer's pictures) leave the
 * training stream as it is. */
void rt_data_copy_rows_rng(rt_data *d, const size_t *rows, int batch, float *out,
                           float *labels, rt_rng *rng);
/* Human-readable description, e.g. "ring8" or "data.csv (1000 rows)". */
const char *rt_data_describe(const rt_data *d);
size_t rt_data_rows(const rt_data *d);   /* rows of a file source, 0 if endless */
void rt_data_close(rt_data *d);

/* A source of n_rows rows (n_rows > 0) of row_size floats held in memory:
 * rows and labels (n_rows class labels, or NULL) are malloc'd arrays the
 * source owns from then on; describe is copied (cut at 319 bytes).  Its
 * first epoch is shuffled from rng, as rt_data_open's are. */
rt_data *rt_data_from_rows(float *rows, unsigned char *labels, size_t n_rows, size_t row_size,
                           const char *describe, rt_rng *rng);
/* From now on each sample drawn goes through t[0..n) (borrowed: it must
 * outlive d; checked against shape, the rows' shape, by the caller with
 * rt_transform_shape), e.g. a random mask placed from the source's rng:
 * samples are then of the shape the transforms make. */
void rt_data_draw_transforms(rt_data *d, const rt_transform *t, int n, const int shape[3]);
/* Row r of a file source, and its labels (NULL without): borrowed, valid
 * while d is open. */
const float *rt_data_row(const rt_data *d, size_t r);
const unsigned char *rt_data_row_labels(const rt_data *d);

/* Where a file source stands, for checkpoints: the rng state its current
 * epoch was shuffled from and the next sample's place in that epoch.
 * Endless sources (the mixtures) have no position: they draw from the
 * caller's rng, which the checkpoint saves anyway. */
typedef struct {
    rt_rng epoch_rng;
    uint64_t next;
} rt_data_pos;

void rt_data_get_pos(const rt_data *d, rt_data_pos *pos);
/* Restores a position from rt_data_get_pos; refuses one past the end. */
int rt_data_set_pos(rt_data *d, const rt_data_pos *pos, rt_err *err);

/* "ring8", "grid25", "csv", "idx", "png_dir" */
const char *rt_data_kind_name(int kind);

#endif
