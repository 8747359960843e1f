/* test_rt_metrics.c - runtime/metrics/ on cases whose answers are known
 * exactly: the eigendecomposition's identities, Frechet distances of
 * Gaussians with diagonal or singular covariances, precision and recall of
 * subsets, copies and far-apart clusters, class histograms, and every
 * argument error's message.  Comparisons with numpy on random data are
 * tests/metrics_numpy.py's. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/rt_rng.h"
#include "kernels/rt_cpu.h"
#include "kernels/rt_gemm.h"
#include "metrics/rt_distances.h"
#include "metrics/rt_eigen.h"
#include "metrics/rt_metrics.h"

static float *normal_rows(uint64_t seed, size_t n, int dim, float mean, float std)
{
    float *x = malloc(n * (size_t)dim * sizeof *x);
    rt_rng r;
    rt_rng_seed(&r, seed);
    rt_rng_fill_normal(&r, x, n * (size_t)dim, mean, std);
    return x;
}

/* ---- eigendecomposition ---- */

static void test_eigen_two_by_two(void **state)
{
    (void)state;
    double a[4] = { 2, 1, 1, 2 }, w[2], v[4];
    rt_err err;
    assert_int_equal(rt_symmetric_eigen(a, 2, w, v, &err), 0);
    assert_true(fabs(w[0] - 1) < 1e-15 && fabs(w[1] - 3) < 1e-15);
    /* (1, -1)/sqrt 2 for 1 and (1, 1)/sqrt 2 for 3, up to sign */
    assert_true(fabs(fabs(v[0]) - sqrt(0.5)) < 1e-15 && fabs(v[0] + v[1]) < 1e-15);
    assert_true(fabs(fabs(v[2]) - sqrt(0.5)) < 1e-15 && fabs(v[2] - v[3]) < 1e-15);
}

/* A V^T = V^T diag(w) and V V^T = I for a random symmetric matrix, with
 * the result written over the input (vecs == a). */
static void test_eigen_identities(void **state)
{
    (void)state;
    enum { N = 60 };
    static double a[N * N], v[N * N], w[N];
    rt_rng r;
    rt_rng_seed(&r, 7);
    for (int i = 0; i < N; i++)
        for (int j = 0; j <= i; j++)
            a[i * N + j] = a[j * N + i] = rt_rng_normal(&r);
    memcpy(v, a, sizeof v);
    rt_err err;
    assert_int_equal(rt_symmetric_eigen(v, N, w, v, &err), 0);
    double worst_av = 0, worst_orth = 0;
    for (int i = 0; i < N; i++) {
        if (i > 0)
            assert_true(w[i - 1] <= w[i]);
        for (int r2 = 0; r2 < N; r2++) {
            double av = 0, dot = 0;
            for (int k = 0; k < N; k++) {
                av += a[r2 * N + k] * v[i * N + k];
                dot += v[r2 * N + k] * v[i * N + k];
            }
            worst_av = fmax(worst_av, fabs(av - w[i] * v[i * N + r2]));
            worst_orth = fmax(worst_orth, fabs(dot - (r2 == i)));
        }
    }
    assert_true(worst_av < 1e-12);
    assert_true(worst_orth < 1e-13);
}

static void test_eigen_refuses_nan(void **state)
{
    (void)state;
    double a[4] = { 1, NAN, NAN, 1 }, w[2], v[4];
    rt_err err;
    assert_int_equal(rt_symmetric_eigen(a, 2, w, v, &err), -1);
    assert_string_equal(err.msg, "eigendecomposition: element (0, 1) of the matrix is nan");
}

/* ---- Frechet distance ---- */

static double fd_of(const float *a, size_t na, const float *b, size_t nb, size_t stride, int dim)
{
    double fd = -1;
    rt_err err;
    int rc = rt_frechet_distance(a, na, b, nb, stride, dim, &fd, &err);
    if (rc)
        fprintf(stderr, "%s\n", err.msg);
    assert_int_equal(rc, 0);
    return fd;
}

static void test_fd_identical_sets(void **state)
{
    (void)state;
    float *a = normal_rows(1, 2000, 32, 5.0f, 2.0f);
    double fd = fd_of(a, 2000, a, 2000, 32, 32);   /* tr(S) is about 32 * 4 */
    assert_true(fd >= 0 && fd < 1e-10);
    free(a);
}

/* b = a + shift, exactly (the values are multiples of 1/64 below 2^10):
 * the same covariance, so the distance is |shift|^2 */
static void test_fd_shifted_mean(void **state)
{
    (void)state;
    enum { N = 500, D = 8 };
    float *a = normal_rows(2, N, D, 0.0f, 3.0f), b[N * D];
    const float shift[D] = { 0.5f, -0.25f, 1, 0, 0, 2, -1.5f, 0.125f };
    double want = 0;
    for (int j = 0; j < D; j++)
        want += (double)shift[j] * shift[j];
    for (int i = 0; i < N * D; i++) {
        a[i] = roundf(a[i] * 64) / 64;
        b[i] = a[i] + shift[i % D];
    }
    assert_true(fabs(fd_of(a, N, b, N, D, D) - want) < 1e-10);
    free(a);
}

/* Rows +c_j e_j and -c_j e_j: mean 0 and covariance diag(2 c_j^2 / (n - 1))
 * exactly, so for two such sets (the second shifted by m) the distance is
 * |m|^2 + sum_j (sqrt(var_a_j) - sqrt(var_b_j))^2 (commuting covariances). */
static void test_fd_diagonal_covariances(void **state)
{
    (void)state;
    enum { D = 5, N = 2 * D };
    const float c[D] = { 1, 2, 3, 0.5f, 4 }, s[D] = { 2, 2, 1, 0.5f, 0 }, m[D] = { 1, 0, 0, 0, -2 };
    float a[N * D] = { 0 }, b[N * D] = { 0 };
    double want = 0;
    for (int j = 0; j < D; j++) {
        for (int sign = 0; sign < 2; sign++) {
            a[(2 * j + sign) * D + j] = sign ? -c[j] : c[j];
            b[(2 * j + sign) * D + j] = sign ? -s[j] : s[j];
        }
        for (int i = 0; i < N; i++)
            b[i * D + j] += m[j];
        double diff = sqrt(2.0 / (N - 1)) * (c[j] - s[j]);
        want += (double)m[j] * m[j] + diff * diff;
    }
    assert_true(fabs(fd_of(a, N, b, N, D, D) - want) < 1e-12);
}

/* 3 rows of 10 features, variation along feature 0 only in a and along
 * feature 1 only in b: both covariances of rank 1, Sa^1/2 Sb Sa^1/2 = 0,
 * so FD = |mu_a - mu_b|^2 + var_a + var_b; the features are read out of
 * rows of 12 floats whose last two are NaN (never read). */
static void test_fd_singular_covariances(void **state)
{
    (void)state;
    enum { N = 3, D = 10, STRIDE = 12 };
    float a[N * STRIDE], b[N * STRIDE];
    const float x[N] = { 1, 2, 6 }, y[N] = { -1, 0, 4 };
    for (int i = 0; i < N * STRIDE; i++)
        a[i] = b[i] = i % STRIDE >= D ? NAN : 0.5f;
    for (int i = 0; i < N; i++) {
        a[i * STRIDE] = x[i];
        b[i * STRIDE + 1] = y[i];
    }
    double mx = 3, my = 1, var_x = (4 + 1 + 9) / 2.0, var_y = (4 + 1 + 9) / 2.0;
    double want = (mx - 0.5) * (mx - 0.5) + (0.5 - my) * (0.5 - my) + var_x + var_y;
    double fd = fd_of(a, N, b, N, STRIDE, D);
    assert_true(isfinite(fd) && fabs(fd - want) < 1e-9);
}

static void test_fd_errors(void **state)
{
    (void)state;
    float a[8] = { 1, 2, 3, 4, 5, 6, 7, 8 }, bad[8] = { 1, 2, 3, 4, 5, INFINITY, 7, 8 };
    double fd;
    rt_err err;
    assert_int_equal(rt_frechet_distance(a, 1, a, 4, 2, 2, &fd, &err), -1);
    assert_string_equal(err.msg, "Frechet distance: first set: 1 row, at least 2 needed");
    assert_int_equal(rt_frechet_distance(a, 4, a, 0, 2, 2, &fd, &err), -1);
    assert_string_equal(err.msg, "Frechet distance: second set: 0 rows, at least 2 needed");
    assert_int_equal(rt_frechet_distance(a, 2, a, 2, 2, 3, &fd, &err), -1);
    assert_string_equal(err.msg, "Frechet distance: first set: rows of 3 features start every "
                                 "2 floats: the stride must be at least the number of features");
    assert_int_equal(rt_frechet_distance(a, 2, a, 2, 2, 0, &fd, &err), -1);
    assert_string_equal(err.msg, "Frechet distance: first set: 0 features per row, at least 1 "
                                 "needed");
    assert_int_equal(rt_frechet_distance(a, 4, bad, 4, 2, 2, &fd, &err), -1);
    assert_string_equal(err.msg, "Frechet distance: second set: row 2, feature 1 is inf");
}

/* ---- precision and recall ---- */

static void pr_of(const float *real, size_t nr, const float *fake, size_t nf, int dim, int k,
                  double *p, double *r)
{
    rt_err err;
    int rc = rt_precision_recall(real, nr, fake, nf, (size_t)dim, dim, k, p, r, &err);
    if (rc)
        fprintf(stderr, "%s\n", err.msg);
    assert_int_equal(rc, 0);
}

static void test_pr_same_set(void **state)
{
    (void)state;
    float *x = normal_rows(3, 1500, 16, 1.0f, 1.0f);   /* two tiles of columns */
    double p, r;
    pr_of(x, 1500, x, 1500, 16, 3, &p, &r);
    assert_true(p == 1.0 && r == 1.0);
    free(x);
}

/* Mode dropping: real rows in two far-apart clusters of 1000, fake rows
 * copied from 200 of the first.  Each fake row is at distance 0 from its
 * original, inside that row's ball, so precision is 1; the fake balls
 * reach into the first cluster only, so recall is at most one half. */
static void test_pr_subset_of_real(void **state)
{
    (void)state;
    float *real = normal_rows(4, 2000, 8, 0.0f, 1.0f);
    for (int i = 1000 * 8; i < 2000 * 8; i++)
        real[i] += 40.0f;
    double p, r;
    pr_of(real, 2000, real, 200, 8, 3, &p, &r);
    assert_true(p == 1.0);
    assert_true(r > 0.25 && r <= 0.5);
    free(real);
}

static void test_pr_disjoint_clusters(void **state)
{
    (void)state;
    float *real = normal_rows(5, 300, 4, 0.0f, 1.0f), *fake = normal_rows(6, 200, 4, 50.0f, 1.0f);
    double p, r;
    pr_of(real, 300, fake, 200, 4, 3, &p, &r);
    assert_true(p == 0.0 && r == 0.0);
    free(real);
    free(fake);
}

/* Duplicates are neighbours at distance 0: a real row with k copies of
 * itself has a ball of radius 0, which still holds a fake row equal to it.
 * Far from 0 (features near 1000), where |a|^2 + |b|^2 - 2 a.b would
 * cancel badly without centring. */
static void test_pr_duplicates(void **state)
{
    (void)state;
    enum { D = 6 };
    float real[10 * D], fake[5 * D];
    rt_rng g;
    rt_rng_seed(&g, 8);
    for (int i = 0; i < 10 * D; i++)   /* rows 0..3 the same, the rest spread out */
        real[i] = i < 4 * D ? 1000.0f + (float)(i % D) : 1000.0f + 30.0f * (float)rt_rng_normal(&g);
    for (int i = 0; i < 5 * D; i++)   /* fake 0 equal to real 0; the others far away */
        fake[i] = i < D ? real[i] : -5000.0f - (float)i;
    double p, r;
    pr_of(real, 10, fake, 5, D, 3, &p, &r);
    assert_true(p == 0.2);
    /* the real manifold's balls with radius 0 (rows 0..3) hold fake 0 only;
     * the fake balls (radius: the distance to the farthest other fake row)
     * reach far enough to hold every real row */
    assert_true(r == 1.0);
}

/* the rounding of |a|^2 + |b|^2 - 2 a.b for equal rows, on each rt_sgemm
 * path, stays well below RT_DUPLICATE_SCALE */
static void test_duplicate_scale(void **state)
{
    (void)state;
    enum { N = 100, D = 512 };
    float *x = normal_rows(9, N, D, 3.0f, 2.0f);
    static float tile[N * N];
    static double centre[D];
    rt_point_set s;
    rt_point_set_init(&s, x, N, D, D, centre);   /* centred on 0: the norms at their largest */
    for (int level = RT_CPU_AVX512; level >= RT_CPU_BASE; level--) {
        rt_cpu_level_cap((rt_cpu_level)level);
        rt_sgemm(0, 1, N, N, D, -2.0f, s.rows, D, s.rows, D, 0.0f, tile, N);
        for (int i = 0; i < N; i++) {
            double sum = 2.0 * s.norms[i];
            assert_true(fabs(sum + tile[i * N + i]) <= RT_DUPLICATE_SCALE / 2 * sum);
        }
        rt_distance_tile(&s, 0, N, &s, 0, N, tile);
        for (int i = 0; i < N; i++)
            assert_true(tile[i * N + i] == 0.0f);
    }
    rt_cpu_level_cap(RT_CPU_AVX512);
    rt_point_set_free(&s);
    free(x);
}

static void test_pr_errors(void **state)
{
    (void)state;
    float x[12] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11 };
    double p, r;
    rt_err err;
    assert_int_equal(rt_precision_recall(x, 1, x, 6, 2, 2, 1, &p, &r, &err), -1);
    assert_string_equal(err.msg, "precision and recall: real: 1 row, at least 2 needed");
    assert_int_equal(rt_precision_recall(x, 6, x, 3, 2, 2, 3, &p, &r, &err), -1);
    assert_string_equal(err.msg, "precision and recall: k = 3 nearest neighbours, but k must be "
                                 "at least 1 and below the rows of each set (6 real, 3 fake)");
    assert_int_equal(rt_precision_recall(x, 6, x, 6, 2, 2, 0, &p, &r, &err), -1);
    assert_true(strstr(err.msg, "k = 0 nearest neighbours") != NULL);
    assert_int_equal(rt_precision_recall(x, 3, x, 3, 3, 4, 1, &p, &r, &err), -1);
    assert_string_equal(err.msg, "precision and recall: real: rows of 4 features start every 3 "
                                 "floats: the stride must be at least the number of features");
    x[9] = NAN;
    assert_int_equal(rt_precision_recall(x, 2, x + 4, 4, 2, 2, 1, &p, &r, &err), -1);
    assert_string_equal(err.msg, "precision and recall: fake: row 2, feature 1 is nan");
}

/* ---- classes ---- */

static void test_class_entropy(void **state)
{
    (void)state;
    /* rows of 3 logits every 4 floats (the 4th, NaN, is never read) */
    const float uniform[] = { 5, 1, 0, NAN, 0, 2, 1, NAN, -1, -2, 3, NAN,
                              0, 0, 0, NAN,    /* a tie: class 0 */
                              1, 9, 9, NAN,    /* a tie: class 1 */
                              0, 0, 1, NAN };
    double hist[3];
    double h = rt_class_entropy(uniform, 6, 4, 3, hist);
    assert_true(fabs(h - log(3.0)) < 1e-15);
    for (int c = 0; c < 3; c++)
        assert_true(hist[c] == 1.0 / 3);
    const float one[] = { 0, 7, -1, 3, 2, -1, NAN, NAN, 9, 4, 2, 9 };   /* NaN: class 0 */
    h = rt_class_entropy(one, 4, 3, 2, hist);                              /* classes 1, 0, 0, 0 */
    assert_true(hist[0] == 0.75 && hist[1] == 0.25);
    assert_true(fabs(h - -(0.75 * log(0.75) + 0.25 * log(0.25))) < 1e-15);
    h = rt_class_entropy(one + 3, 3, 3, 2, hist);
    assert_true(h == 0.0 && hist[0] == 1.0 && hist[1] == 0.0);
    assert_true(isnan(rt_class_entropy(one, 0, 3, 2, hist)) && hist[0] == 0.0);
}

static void test_class_accuracy(void **state)
{
    (void)state;
    const float logits[] = { 1, 0, 0, 1, 0, 2, 3, 0, 0, 5 };   /* classes 0 1 1 0 1 */
    const float labels[] = { 0, 1, 0, 0, 1 }, bad[] = { 0, 1, 2, 0.5f, -1 };
    assert_true(rt_class_accuracy(logits, 5, 2, 2, labels) == 0.8);
    assert_true(rt_class_accuracy(logits, 5, 2, 2, bad) == 0.4);   /* rows 2..4 match nothing */
    assert_true(isnan(rt_class_accuracy(logits, 0, 2, 2, labels)));
    rt_err err;
    assert_int_equal(rt_check_class_labels(labels, 5, 2, &err), 0);
    assert_int_equal(rt_check_class_labels(bad, 5, 2, &err), -1);
    assert_string_equal(err.msg, "label of row 2 is 2: expected an integer class from 0 to 1");
    assert_int_equal(rt_class_argmax(logits + 8, 2), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_eigen_two_by_two),
        cmocka_unit_test(test_eigen_identities),
        cmocka_unit_test(test_eigen_refuses_nan),
        cmocka_unit_test(test_fd_identical_sets),
        cmocka_unit_test(test_fd_shifted_mean),
        cmocka_unit_test(test_fd_diagonal_covariances),
        cmocka_unit_test(test_fd_singular_covariances),
        cmocka_unit_test(test_fd_errors),
        cmocka_unit_test(test_pr_same_set),
        cmocka_unit_test(test_pr_subset_of_real),
        cmocka_unit_test(test_pr_disjoint_clusters),
        cmocka_unit_test(test_pr_duplicates),
        cmocka_unit_test(test_duplicate_scale),
        cmocka_unit_test(test_pr_errors),
        cmocka_unit_test(test_class_entropy),
        cmocka_unit_test(test_class_accuracy),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
