/* rt_moments.h - the mean and covariance of a set of feature rows, in
 * double: the Gaussian that the Frechet distance fits to each set.
 *
 * Two passes (the mean first, then products of centred rows), so that
 * features far from 0 lose nothing to cancellation; the covariance is the
 * unbiased one (divided by n - 1), like numpy.cov and pytorch-fid.  Rows
 * are added four at a time: each pass over the upper triangle then does
 * four products per element loaded, and the order of every sum is fixed
 * (the same bits at every run).
 * Leaves out: weighted rows, streaming (every row is in memory), threads.
 */
#ifndef RT_MOMENTS_H
#define RT_MOMENTS_H

#include <stddef.h>

/* n >= 2 rows of dim floats, one every stride floats; mean[dim] and the
 * full symmetric cov[dim * dim] (row-major) are written. */
void rt_feature_moments(const float *rows, size_t n, size_t stride, int dim, double *mean,
                        double *cov);

#endif
