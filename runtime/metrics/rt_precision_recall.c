/* rt_precision_recall.c - improved precision and recall (see rt_precision_recall.h). */
#include "metrics/rt_precision_recall.h"

#include <stdlib.h>

#include "core/rt_alloc.h"
#include "metrics/rt_distances.h"
#include "metrics/rt_feature_rows.h"
#include "metrics/rt_knn.h"

/* The mean of both sets together: the centre of their point sets. */
static double *joint_mean(const float *a, size_t na, const float *b, size_t nb, size_t stride,
                          int dim)
{
    double *mean = rt_xcalloc((size_t)dim, sizeof *mean);
    for (size_t i = 0; i < na + nb; i++) {
        const float *x = i < na ? a + i * stride : b + (i - na) * stride;
        for (int j = 0; j < dim; j++)
            mean[j] += x[j];
    }
    for (int j = 0; j < dim; j++)
        mean[j] /= (double)(na + nb);
    return mean;
}

/* One pass over all distances between rows of a and rows of b: in_a[i]
 * set when row i of a is inside some ball of b (radii rb2), in_b[j] when
 * row j of b is inside some ball of a (radii ra2). */
static void mutual_coverage(const rt_point_set *a, const float *ra2, const rt_point_set *b,
                            const float *rb2, unsigned char *in_a, unsigned char *in_b)
{
    float *tile = rt_xmalloc((size_t)RT_TILE_ROWS * RT_TILE_COLS * sizeof *tile);
    for (size_t i0 = 0; i0 < a->n; i0 += RT_TILE_ROWS) {
        int ni = a->n - i0 < RT_TILE_ROWS ? (int)(a->n - i0) : RT_TILE_ROWS;
        for (size_t j0 = 0; j0 < b->n; j0 += RT_TILE_COLS) {
            int nj = b->n - j0 < RT_TILE_COLS ? (int)(b->n - j0) : RT_TILE_COLS;
            rt_distance_tile(a, i0, ni, b, j0, nj, tile);
            const float *restrict rb = rb2 + j0;
            unsigned char *restrict inb = in_b + j0;
            for (int r = 0; r < ni; r++) {
                const float *restrict d = tile + (size_t)r * (size_t)nj;
                float ra = ra2[i0 + (size_t)r];
                unsigned char inside = 0;
                for (int c = 0; c < nj; c++) {
                    inb[c] |= d[c] <= ra;
                    inside |= d[c] <= rb[c];
                }
                in_a[i0 + (size_t)r] |= inside;
            }
        }
    }
    free(tile);
}

static double share(const unsigned char *flags, size_t n)
{
    size_t count = 0;
    for (size_t i = 0; i < n; i++)
        count += flags[i];
    return (double)count / (double)n;
}

int rt_precision_recall(const float *real, size_t nr, const float *fake, size_t nf,
                        size_t stride, int dim, int k, double *precision, double *recall,
                        rt_err *err)
{
    if (rt_check_feature_rows("real", real, nr, stride, dim, 2, err) ||
        rt_check_feature_rows("fake", fake, nf, stride, dim, 2, err))
        return rt_err_prefix(err, "precision and recall: ");
    if (k < 1 || (size_t)k >= nr || (size_t)k >= nf)
        return rt_errf(err, "precision and recall: k = %d nearest neighbours, but k must be at "
                            "least 1 and below the rows of each set (%zu real, %zu fake)",
                       k, nr, nf);
    double *centre = joint_mean(real, nr, fake, nf, stride, dim);
    rt_point_set r, f;
    rt_point_set_init(&r, real, nr, stride, dim, centre);
    rt_point_set_init(&f, fake, nf, stride, dim, centre);
    free(centre);
    float *radius2 = rt_xmalloc((nr + nf) * sizeof *radius2);   /* real's, then fake's */
    unsigned char *inside = rt_xcalloc(nr + nf, 1);
    rt_knn_radii(&r, k, radius2);
    rt_knn_radii(&f, k, radius2 + nr);
    mutual_coverage(&r, radius2, &f, radius2 + nr, inside, inside + nr);
    *recall = share(inside, nr);
    *precision = share(inside + nr, nf);
    free(inside);
    free(radius2);
    rt_point_set_free(&r);
    rt_point_set_free(&f);
    return 0;
}
