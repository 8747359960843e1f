/* rt_moments.c - mean and covariance of feature rows (see rt_moments.h). */
#include "metrics/rt_moments.h"

#include <stdlib.h>
#include <string.h>

#include "core/rt_alloc.h"
#include "core/rt_err.h"

enum { ROWS_AT_ONCE = 4 };

static void mean_of(const float *rows, size_t n, size_t stride, int dim, double *mean)
{
    memset(mean, 0, (size_t)dim * sizeof *mean);
    for (size_t i = 0; i < n; i++)
        for (int j = 0; j < dim; j++)
            mean[j] += rows[i * stride + (size_t)j];
    for (int j = 0; j < dim; j++)
        mean[j] /= (double)n;
}

/* c[i][j] += sum over the `count` centred rows x of x[i] x[j], j >= i:
 * the upper triangle, row by row, so the inner loop runs along memory. */
static void add_products(const double *x, int count, int dim, double *cov)
{
    const double *x0 = x, *x1 = x + dim, *x2 = x + 2 * dim, *x3 = x + 3 * dim;
    for (int i = 0; i < dim; i++) {
        double *restrict c = cov + (size_t)i * (size_t)dim;
        if (count == ROWS_AT_ONCE) {
            double a0 = x0[i], a1 = x1[i], a2 = x2[i], a3 = x3[i];
            for (int j = i; j < dim; j++)
                c[j] += a0 * x0[j] + a1 * x1[j] + a2 * x2[j] + a3 * x3[j];
        } else {
            for (int r = 0; r < count; r++) {
                const double *xr = x + (size_t)r * (size_t)dim;
                for (int j = i; j < dim; j++)
                    c[j] += xr[i] * xr[j];
            }
        }
    }
}

void rt_feature_moments(const float *rows, size_t n, size_t stride, int dim, double *mean,
                        double *cov)
{
    rt_assert(n >= 2 && dim >= 1 && stride >= (size_t)dim);
    size_t d = (size_t)dim;
    mean_of(rows, n, stride, dim, mean);
    memset(cov, 0, d * d * sizeof *cov);
    double *x = rt_xmalloc(ROWS_AT_ONCE * d * sizeof *x);   /* the next rows, centred */
    for (size_t i0 = 0; i0 < n; i0 += ROWS_AT_ONCE) {
        int count = n - i0 < ROWS_AT_ONCE ? (int)(n - i0) : ROWS_AT_ONCE;
        for (int r = 0; r < count; r++)
            for (size_t j = 0; j < d; j++)
                x[(size_t)r * d + j] = rows[(i0 + (size_t)r) * stride + j] - mean[j];
        add_products(x, count, dim, cov);
    }
    free(x);
    for (size_t i = 0; i < d; i++)
        for (size_t j = i; j < d; j++) {
            cov[i * d + j] /= (double)(n - 1);
            cov[j * d + i] = cov[i * d + j];
        }
}
