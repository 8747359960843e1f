/* rt_frechet.c - the Frechet distance of two sets of features (see rt_frechet.h). */
#include "metrics/rt_frechet.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/rt_alloc.h"
#include "metrics/rt_eigen.h"
#include "metrics/rt_feature_rows.h"
#include "metrics/rt_moments.h"

/* c = a b, all n x n row-major; the i-k-j order keeps the inner loop on
 * contiguous rows of b and c. */
static void mat_mul(const double *a, const double *b, int n, double *c)
{
    size_t d = (size_t)n;
    memset(c, 0, d * d * sizeof *c);
    for (size_t i = 0; i < d; i++)
        for (size_t k = 0; k < d; k++) {
            double aik = a[i * d + k];
            const double *restrict bk = b + k * d;
            double *restrict ci = c + i * d;
            for (size_t j = 0; j < d; j++)
                ci[j] += aik * bk[j];
        }
}

static void transpose(const double *a, int n, double *t)
{
    size_t d = (size_t)n;
    for (size_t i = 0; i < d; i++)
        for (size_t j = 0; j < d; j++)
            t[j * d + i] = a[i * d + j];
}

static double trace(const double *a, int n)
{
    double t = 0.0;
    for (size_t i = 0; i < (size_t)n; i++)
        t += a[i * (size_t)n + i];
    return t;
}

/* tr((Sa^1/2 Sb Sa^1/2)^1/2), each of the five work matrices dim x dim. */
static int trace_sqrt_product(const double *cov_a, const double *cov_b, int dim, double *work,
                              double *out, rt_err *err)
{
    size_t d = (size_t)dim, dd = d * d;
    double *vecs = work, *vt = work + dd, *t = work + 2 * dd, *c = work + 3 * dd;
    double *w = work + 4 * dd;   /* dim eigenvalues */
    if (rt_symmetric_eigen(cov_a, dim, w, vecs, err))
        return -1;
    for (size_t i = 0; i < d; i++)   /* D = diag(sqrt(lambda_i(Sa))), clamped */
        w[i] = sqrt(fmax(w[i], 0.0));
    transpose(vecs, dim, vt);
    mat_mul(vecs, cov_b, dim, t);   /* C = V Sb V^T */
    mat_mul(t, vt, dim, c);
    for (size_t i = 0; i < d; i++)   /* D C D, symmetric up to rounding */
        for (size_t j = 0; j < d; j++)
            c[i * d + j] *= w[i] * w[j];
    if (rt_symmetric_eigen(c, dim, w, vecs, err))
        return -1;
    double sum = 0.0;
    for (size_t i = 0; i < d; i++)
        sum += sqrt(fmax(w[i], 0.0));
    *out = sum;
    return 0;
}

int rt_frechet_gaussians(const double *mu_a, const double *cov_a, const double *mu_b,
                         const double *cov_b, int dim, double *fd, rt_err *err)
{
    rt_assert(dim >= 1);
    size_t d = (size_t)dim;
    double *work = rt_xmalloc((4 * d * d + d) * sizeof *work);
    double tr_sqrt = 0.0;
    int rc = trace_sqrt_product(cov_a, cov_b, dim, work, &tr_sqrt, err);
    free(work);
    if (rc)
        return rt_err_prefix(err, "Frechet distance: ");
    double mean_term = 0.0;
    for (size_t j = 0; j < d; j++)
        mean_term += (mu_a[j] - mu_b[j]) * (mu_a[j] - mu_b[j]);
    *fd = fmax(mean_term + trace(cov_a, dim) + trace(cov_b, dim) - 2.0 * tr_sqrt, 0.0);
    return 0;
}

int rt_frechet_distance(const float *a, size_t na, const float *b, size_t nb, size_t stride,
                        int dim, double *fd, rt_err *err)
{
    if (rt_check_feature_rows("first set", a, na, stride, dim, 2, err) ||
        rt_check_feature_rows("second set", b, nb, stride, dim, 2, err))
        return rt_err_prefix(err, "Frechet distance: ");
    size_t d = (size_t)dim;
    double *mu = rt_xmalloc((2 * d + 2 * d * d) * sizeof *mu);
    double *mu_b = mu + d, *cov_a = mu + 2 * d, *cov_b = cov_a + d * d;
    rt_feature_moments(a, na, stride, dim, mu, cov_a);
    rt_feature_moments(b, nb, stride, dim, mu_b, cov_b);
    int rc = rt_frechet_gaussians(mu, cov_a, mu_b, cov_b, dim, fd, err);
    free(mu);
    return rc;
}
