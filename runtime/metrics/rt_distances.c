/* rt_distances.c - tiles of squared distances through rt_sgemm (see rt_distances.h). */
#include "metrics/rt_distances.h"

#include <math.h>
#include <stdlib.h>

#include "core/rt_alloc.h"
#include "core/rt_err.h"
#include "kernels/rt_gemm.h"


void rt_point_set_init(rt_point_set *s, const float *rows, size_t n, size_t stride, int dim,
                       const double *centre)
{
    rt_assert(dim >= 1 && stride >= (size_t)dim);
    size_t d = (size_t)dim;
    s->n = n;
    s->dim = dim;
    s->rows = rt_xmalloc(n * d * sizeof *s->rows);
    s->norms = rt_xmalloc(n * sizeof *s->norms);
    for (size_t i = 0; i < n; i++) {
        float *x = s->rows + i * d;
        double norm = 0.0;
        for (size_t j = 0; j < d; j++) {
            x[j] = (float)(rows[i * stride + j] - centre[j]);
            norm += (double)x[j] * x[j];
        }
        s->norms[i] = (float)norm;
    }
}

void rt_point_set_free(rt_point_set *s)
{
    free(s->rows);
    free(s->norms);
    s->rows = s->norms = NULL;
}

void rt_distance_tile(const rt_point_set *a, size_t i0, int ni, const rt_point_set *b,
                      size_t j0, int nj, float *tile)
{
    rt_assert(a->dim == b->dim && ni >= 1 && ni <= RT_TILE_ROWS && nj >= 1 &&
              nj <= RT_TILE_COLS && i0 + (size_t)ni <= a->n && j0 + (size_t)nj <= b->n);
    int dim = a->dim;
    rt_sgemm(0, 1, ni, nj, dim, -2.0f, a->rows + i0 * (size_t)dim, dim,
             b->rows + j0 * (size_t)dim, dim, 0.0f, tile, nj);
    const float *restrict nb = b->norms + j0;
    for (int r = 0; r < ni; r++) {
        float na = a->norms[i0 + (size_t)r];
        float *restrict t = tile + (size_t)r * (size_t)nj;
        for (int c = 0; c < nj; c++) {
            float sum = na + nb[c];
            float d2 = sum + t[c];
            t[c] = d2 <= RT_DUPLICATE_SCALE * sum ? 0.0f : d2;
        }
    }
}
