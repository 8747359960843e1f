/* rt_metrics.h - the quality metrics of a GAN's samples (issue 15, "judge a
 * GAN without leaving ganc"): the one header `ganc eval` and the trainer
 * include.  Pure computation on arrays the caller owns and keeps: no file,
 * no printing, no global state; every function is safe to call from
 * several threads at once on different arrays.
 *
 *   rt_frechet.h            Frechet distance of Gaussians fitted to two sets (FID)
 *   rt_precision_recall.h   improved precision and recall, k nearest neighbours
 *   rt_classes.h            entropy of predicted classes, accuracy against labels
 *
 * Feature rows are `dim` floats starting every `stride` floats (stride >=
 * dim), so features can be read straight out of a wider output row.  A
 * function whose inputs come from the world (row counts, values) returns 0,
 * or -1 with an rt_err naming the set, row and feature at fault; broken
 * contracts (a negative class count) are rt_asserts.
 * Parts: rt_moments.h (mean, covariance), rt_eigen.h (symmetric
 * eigendecomposition), rt_distances.h and rt_knn.h (tiles of distances,
 * k-th neighbour radii), rt_feature_rows.h (the shared checks).
 * Leaves out: the feature extractors themselves (an Inception network is
 * a model like any other), kernel inception distance, the Inception Score.
 */
#ifndef RT_METRICS_H
#define RT_METRICS_H

#include "core/rt_err.h"
#include "metrics/rt_classes.h"
#include "metrics/rt_frechet.h"
#include "metrics/rt_precision_recall.h"

#endif
