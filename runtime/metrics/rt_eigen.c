/* rt_eigen.c - symmetric eigendecomposition: Householder tridiagonalisation
 * and implicit QL (see rt_eigen.h).  The steps follow EISPACK's tred2 and
 * tql2 in the public-domain form of JAMA's EigenvalueDecomposition. */
#include "metrics/rt_eigen.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/rt_alloc.h"

/* The work matrix is column-major: column c of V is v[c*n .. c*n + n), the
 * eigenvector that ends up as row c of the caller's vecs. */
#define V(i, j) v[(size_t)(j) * (size_t)n + (size_t)(i)]

enum { QL_MAX_ITERATIONS = 30 };   /* per eigenvalue, EISPACK's limit */

/* One Householder step: zeroes row i left of the subdiagonal, with d
 * holding row i on entry; leaves the reflector in row i and column i of V
 * and d[i] = its scale h, e[i] = the new subdiagonal element. */
static void householder_row(double *v, int n, int i, double *d, double *e)
{
    double scale = 0.0, h = 0.0;
    for (int k = 0; k < i; k++)
        scale += fabs(d[k]);
    if (scale == 0.0) {   /* the row is already zero: nothing to reflect */
        e[i] = d[i - 1];
        for (int j = 0; j < i; j++) {
            d[j] = V(i - 1, j);
            V(i, j) = 0.0;
            V(j, i) = 0.0;
        }
        d[i] = 0.0;
        return;
    }
    for (int k = 0; k < i; k++) {   /* scaled, so that h cannot overflow */
        d[k] /= scale;
        h += d[k] * d[k];
    }
    double f = d[i - 1];
    double g = f > 0 ? -sqrt(h) : sqrt(h);   /* the sign that avoids cancellation */
    e[i] = scale * g;
    h -= f * g;
    d[i - 1] = f - g;
    for (int j = 0; j < i; j++)
        e[j] = 0.0;
    for (int j = 0; j < i; j++) {   /* e = A u, from the lower triangle */
        f = d[j];
        V(j, i) = f;
        g = e[j] + V(j, j) * f;
        for (int k = j + 1; k < i; k++) {
            g += V(k, j) * d[k];
            e[k] += V(k, j) * f;
        }
        e[j] = g;
    }
    f = 0.0;
    for (int j = 0; j < i; j++) {
        e[j] /= h;
        f += e[j] * d[j];
    }
    double hh = f / (h + h);
    for (int j = 0; j < i; j++)
        e[j] -= hh * d[j];
    for (int j = 0; j < i; j++) {   /* A -= u e^T + e u^T, lower triangle */
        f = d[j];
        g = e[j];
        for (int k = j; k < i; k++)
            V(k, j) -= f * e[k] + g * d[k];
        d[j] = V(i - 1, j);
        V(i, j) = 0.0;
    }
    d[i] = h;
}

/* V (holding the matrix's lower triangle) becomes the orthogonal Q of
 * A = Q T Q^T; d and e the diagonal and subdiagonal (e[i] below d[i]) of T. */
static void tridiagonalize(double *v, int n, double *d, double *e)
{
    for (int j = 0; j < n; j++)
        d[j] = V(n - 1, j);
    for (int i = n - 1; i > 0; i--)
        householder_row(v, n, i, d, e);
    /* the reflectors, applied to the identity from the last one back */
    for (int i = 0; i < n - 1; i++) {
        V(n - 1, i) = V(i, i);
        V(i, i) = 1.0;
        double h = d[i + 1];
        if (h != 0.0) {
            for (int k = 0; k <= i; k++)
                d[k] = V(k, i + 1) / h;
            for (int j = 0; j <= i; j++) {
                double g = 0.0;
                for (int k = 0; k <= i; k++)
                    g += V(k, i + 1) * V(k, j);
                for (int k = 0; k <= i; k++)
                    V(k, j) -= g * d[k];
            }
        }
        for (int k = 0; k <= i; k++)
            V(k, i + 1) = 0.0;
    }
    for (int j = 0; j < n; j++) {
        d[j] = V(n - 1, j);
        V(n - 1, j) = 0.0;
    }
    V(n - 1, n - 1) = 1.0;
    e[0] = 0.0;
}

/* One implicit QL sweep over the unreduced block l..m, its shift chosen
 * from the leading 2 x 2 block; *shift accumulates the shifts taken. */
static void ql_sweep(double *v, int n, int l, int m, double *d, double *e, double *shift)
{
    double g = d[l];
    double p = (d[l + 1] - g) / (2.0 * e[l]);
    double r = copysign(hypot(p, 1.0), p);
    d[l] = e[l] / (p + r);
    d[l + 1] = e[l] * (p + r);
    double dl1 = d[l + 1];
    double h = g - d[l];
    for (int i = l + 2; i < n; i++)
        d[i] -= h;
    *shift += h;
    p = d[m];
    double c = 1.0, c2 = 1.0, c3 = 1.0, s = 0.0, s2 = 0.0;
    double el1 = e[l + 1];
    for (int i = m - 1; i >= l; i--) {   /* Givens rotations chase the bulge up */
        c3 = c2;
        c2 = c;
        s2 = s;
        g = c * e[i];
        h = c * p;
        r = hypot(p, e[i]);
        e[i + 1] = s * r;
        s = e[i] / r;
        c = p / r;
        p = c * d[i] - s * g;
        d[i + 1] = h + s * (c * g + s * d[i]);
        double *restrict vi = &V(0, i), *restrict vi1 = &V(0, i + 1);
        for (int k = 0; k < n; k++) {
            double t = vi1[k];
            vi1[k] = s * vi[k] + c * t;
            vi[k] = c * vi[k] - s * t;
        }
    }
    p = -s * s2 * c3 * el1 * e[l] / dl1;
    e[l] = s * p;
    d[l] = c * p;
}

/* The tridiagonal T (d, e) diagonalised in place, rotations applied to V. */
static int ql_implicit(double *v, int n, double *d, double *e)
{
    for (int i = 1; i < n; i++)
        e[i - 1] = e[i];
    e[n - 1] = 0.0;
    const double eps = 0x1p-52;
    double shift = 0.0, norm = 0.0;
    for (int l = 0; l < n; l++) {
        norm = fmax(norm, fabs(d[l]) + fabs(e[l]));
        for (int iter = 0;; iter++) {
            int m = l;   /* the first negligible subdiagonal; e[n - 1] = 0 ends it */
            while (m < n - 1 && fabs(e[m]) > eps * norm)
                m++;
            if (m == l)   /* d[l] split off: an eigenvalue, less the shifts */
                break;
            if (iter == QL_MAX_ITERATIONS)
                return -1;
            ql_sweep(v, n, l, m, d, e, &shift);
        }
        d[l] += shift;
        e[l] = 0.0;
    }
    return 0;
}

/* Ascending eigenvalues, their vectors (columns of V) moved with them. */
static void sort_ascending(double *v, int n, double *d)
{
    for (int i = 0; i < n - 1; i++) {
        int min = i;
        for (int j = i + 1; j < n; j++)
            if (d[j] < d[min])
                min = j;
        if (min == i)
            continue;
        double t = d[i];
        d[i] = d[min];
        d[min] = t;
        for (int k = 0; k < n; k++) {
            t = V(k, i);
            V(k, i) = V(k, min);
            V(k, min) = t;
        }
    }
}

int rt_symmetric_eigen(const double *a, int n, double *w, double *vecs, rt_err *err)
{
    rt_assert(n >= 1);
    size_t count = (size_t)n * (size_t)n;
    for (size_t i = 0; i < count; i++)
        if (!isfinite(a[i]) && i % (size_t)n >= i / (size_t)n)
            return rt_errf(err, "eigendecomposition: element (%zu, %zu) of the matrix is %g",
                           i / (size_t)n, i % (size_t)n, a[i]);
    if (vecs != a)
        memcpy(vecs, a, count * sizeof *vecs);   /* symmetric: row- and column-major alike */
    double *e = rt_xmalloc((size_t)n * sizeof *e);
    tridiagonalize(vecs, n, w, e);
    int rc = ql_implicit(vecs, n, w, e);
    free(e);
    if (rc)
        return rt_errf(err, "eigendecomposition of a %d x %d matrix: the QL iteration did not "
                            "converge in %d steps", n, n, QL_MAX_ITERATIONS);
    sort_ascending(vecs, n, w);
    return 0;
}
