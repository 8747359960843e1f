/* metrics_eval.c - runtime/metrics/ on arrays from .npy files, for
 * tests/metrics_numpy.py to compare with numpy:
 *   metrics_eval fd A.npy B.npy [DIM]         Frechet distance
 *   metrics_eval pr REAL.npy FAKE.npy K [DIM] precision, recall
 *   metrics_eval eigen M.npy                  eigenvalues of a symmetric matrix
 *   metrics_eval iq A.npy B.npy C H W         mean |a - b|, PSNR and SSIM of each
 *                                             row pair, rows (C, H, W) images
 * Arrays are 2-D float32 (rows x width); DIM (default: the width) features
 * are read from the start of each row, the stride being the width.
 * Prints the results with 17 digits, one per line; exit 2 on an error. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/rt_alloc.h"
#include "formats/rt_npy.h"
#include "metrics/rt_eigen.h"
#include "metrics/rt_image_quality.h"
#include "metrics/rt_metrics.h"

typedef struct {
    float *x;
    size_t rows, width;
} matrix;

static int load(const char *path, matrix *m, rt_err *err)
{
    int ndim;
    size_t shape[RT_NPY_MAX_NDIM];
    if (rt_npy_read_f32(path, &m->x, &ndim, shape, err))
        return -1;
    if (ndim != 2) {
        free(m->x);
        return rt_errf(err, "%s: %d dimensions, expected 2", path, ndim);
    }
    m->rows = shape[0];
    m->width = shape[1];
    return 0;
}

static int eigen(const matrix *m, rt_err *err)
{
    size_t n = m->rows;
    if (m->width != n)
        return rt_errf(err, "eigen: a %zu x %zu matrix is not square", n, m->width);
    double *a = rt_xmalloc(n * n * sizeof *a), *w = rt_xmalloc(n * sizeof *w);
    for (size_t i = 0; i < n * n; i++)
        a[i] = m->x[i];
    int rc = rt_symmetric_eigen(a, (int)n, w, a, err);
    for (size_t i = 0; rc == 0 && i < n; i++)
        printf("%.17g\n", w[i]);
    free(a);
    free(w);
    return rc;
}

/* fd or pr on sets a and b, with DIM (when given) at argv[dim_at] */
static int two_sets(const char *what, const matrix *a, const matrix *b, int k, int argc,
                    char **argv, int dim_at, rt_err *err)
{
    if (b->width != a->width)
        return rt_errf(err, "%s: rows of %zu and %zu floats", what, a->width, b->width);
    int dim = argc > dim_at ? atoi(argv[dim_at]) : (int)a->width;
    double x, y;
    if (!strcmp(what, "fd")) {
        if (rt_frechet_distance(a->x, a->rows, b->x, b->rows, a->width, dim, &x, err))
            return -1;
        printf("%.17g\n", x);
        return 0;
    }
    if (rt_precision_recall(a->x, a->rows, b->x, b->rows, a->width, dim, k, &x, &y, err))
        return -1;
    printf("%.17g\n%.17g\n", x, y);
    return 0;
}

/* one line per row pair: mean absolute difference, PSNR, SSIM */
static int image_quality(const matrix *a, const matrix *b, int c, int h, int w, rt_err *err)
{
    size_t n = (size_t)c * (size_t)h * (size_t)w;
    if (a->width != n || b->width != n || a->rows != b->rows || !rt_ssim_fits(h, w))
        return rt_errf(err, "iq: rows of %zu and %zu floats for images (%d, %d, %d)", a->width,
                       b->width, c, h, w);
    for (size_t i = 0; i < a->rows; i++) {
        const float *x = a->x + i * n, *y = b->x + i * n;
        printf("%.17g %.17g %.17g\n", rt_mean_abs_diff(x, y, n), rt_psnr(x, y, n),
               rt_ssim(x, y, c, h, w));
    }
    return 0;
}

int main(int argc, char **argv)
{
    int is_fd = argc >= 4 && !strcmp(argv[1], "fd"), is_pr = argc >= 5 && !strcmp(argv[1], "pr");
    int is_eigen = argc == 3 && !strcmp(argv[1], "eigen");
    int is_iq = argc == 7 && !strcmp(argv[1], "iq");
    if (!is_fd && !is_pr && !is_eigen && !is_iq) {
        fprintf(stderr, "usage: metrics_eval fd A.npy B.npy [DIM] | pr REAL.npy FAKE.npy K [DIM]"
                        " | eigen M.npy | iq A.npy B.npy C H W\n");
        return 2;
    }
    matrix a = { 0 }, b = { 0 };
    rt_err err;
    int rc = load(argv[2], &a, &err);
    if (rc == 0 && is_eigen)
        rc = eigen(&a, &err);
    else if (rc == 0 && (rc = load(argv[3], &b, &err)) == 0 && is_iq)
        rc = image_quality(&a, &b, atoi(argv[4]), atoi(argv[5]), atoi(argv[6]), &err);
    else if (rc == 0)
        rc = two_sets(argv[1], &a, &b, is_pr ? atoi(argv[4]) : 0, argc, argv, is_pr ? 5 : 4,
                      &err);
    free(a.x);
    free(b.x);
    if (rc)
        fprintf(stderr, "metrics_eval: %s\n", err.msg);
    return rc ? 2 : 0;
}
