/* rt_frechet.h - the Frechet distance between Gaussians fitted to two sets
 * of feature rows: FID (Heusel et al. 2017) when the features are an
 * Inception network's, or any feature extractor's (a classifier's
 * penultimate layer, the raw samples of a small model).
 *
 *   FD = |mu_a - mu_b|^2 + tr(Sa) + tr(Sb) - 2 tr((Sa^1/2 Sb Sa^1/2)^1/2)
 *
 * Means and unbiased covariances (n - 1, rt_moments.h) are computed in
 * double.  Sa^1/2 Sb Sa^1/2 has the eigenvalues of D C D, where
 * Sa = V^T D^2 V (rt_eigen.h, rows of V its eigenvectors) and C = V Sb V^T,
 * so the trace is sum_i sqrt(lambda_i(D C D)): two symmetric
 * eigendecompositions and two matrix products, no general matrix square
 * root (scipy.linalg.sqrtm's Schur method, which pytorch-fid uses, gives
 * the same value up to rounding and a small imaginary part it drops).
 * Eigenvalues below 0, rounding's doing in a covariance of rank below dim
 * (fewer rows than features, or features that are constant), are taken as
 * 0, and a distance below 0 (two sets alike, up to rounding) as 0.
 * Time: n dim^2 / 2 multiply-adds for each covariance, about 25 dim^3
 * flops for the rest: 0.3 s for two sets of 10,000 rows of 256 features on
 * one core, two thirds of it the covariances (make bench-metrics).
 * Memory: 6 dim^2 + 3 dim doubles, freed on return.
 * Leaves out: threads, a cache of one set's statistics (the real set's,
 * reused between evaluations: compute them once with rt_moments.h if it
 * matters), the bias correction of FID-infinity (Chong & Forsyth 2020).
 */
#ifndef RT_FRECHET_H
#define RT_FRECHET_H

#include <stddef.h>

#include "core/rt_err.h"

/* Rows are `dim` floats starting every `stride` floats (stride >= dim), so
 * features can be read straight out of a wider output row.  na, nb >= 2,
 * every value finite.  0 with *fd set, or -1 with err (too few rows, a bad
 * dim or stride, a NaN or infinity: the set, row and feature named). */
int rt_frechet_distance(const float *a, size_t na, const float *b, size_t nb, size_t stride,
                        int dim, double *fd, rt_err *err);

/* The distance between two Gaussians given by their means (dim) and
 * covariances (dim x dim, symmetric, row-major): what rt_frechet_distance
 * computes once it has fitted them.  0, or -1 with err. */
int rt_frechet_gaussians(const double *mu_a, const double *cov_a, const double *mu_b,
                         const double *cov_b, int dim, double *fd, rt_err *err);

#endif
