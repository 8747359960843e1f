/* rt_precision_recall.h - improved precision and recall (Kynkaanniemi,
 * Karras, Laine, Lehtinen & Aila, NeurIPS 2019): how much of what the
 * generator makes looks real, and how much of the real data it can make.
 *
 * Each set's manifold is the union of balls around its rows, each ball's
 * radius the distance from its row to the row's k-th nearest other row of
 * the same set (rt_knn.h; the paper uses k = 3).  Precision is the share
 * of fake rows inside the real manifold, recall the share of real rows
 * inside the fake manifold; a row on a ball's boundary is inside (<=, as
 * in the authors' code).  Distances are Euclidean in the given features,
 * in float (rt_distances.h): a row whose decision turns on a difference
 * below float rounding may go either way.
 * Time: (nr + nf)^2 dim multiply-adds in rt_sgemm and as many comparisons:
 * about 1 s for 10,000 and 10,000 rows of 64 features on one core with
 * AVX-512, 1.6 s with AVX2 (make bench-metrics).  Memory: a centred copy of both sets, a radius
 * and a flag per row, one tile of distances and k floats per tile row:
 * never a matrix of all the distances.
 * Leaves out: density and coverage (Naeem et al. 2020), realism scores per
 * row, threads, subsampling (pass fewer rows).
 */
#ifndef RT_PRECISION_RECALL_H
#define RT_PRECISION_RECALL_H

#include <stddef.h>

#include "core/rt_err.h"

/* real: nr rows, fake: nf rows, each `dim` floats every `stride` floats;
 * 1 <= k < nr and k < nf (every row needs k other rows of its set); every
 * value finite.  0 with *precision and *recall in [0, 1], or -1 with err. */
int rt_precision_recall(const float *real, size_t nr, const float *fake, size_t nf,
                        size_t stride, int dim, int k, double *precision, double *recall,
                        rt_err *err);

#endif
