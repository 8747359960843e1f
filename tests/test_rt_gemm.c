/* test_rt_gemm.c - the runtime's SGEMM (runtime/rt_gemm.c) against a plain
 * double-precision product: all four transpose combinations, sizes around
 * the tile and block edges, leading dimensions larger than needed, alpha
 * and beta (beta = 0 must ignore NaN in C), and the same bits twice; op(B)
 * or op(A) packed once (rt_sgemm_packed_b, _a) giving rt_sgemm's bits; and
 * the implicit GEMM of a convolution (rt_sgemm_gather with rt_conv_gather)
 * against a direct convolution, whole and in column blocks. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "kernels/rt_conv.h"
#include "kernels/rt_cpu.h"
#include "kernels/rt_gemm.h"

static float value(unsigned i)
{
    return (float)((i * 2654435761u) % 2001u) / 1000.0f - 1.0f;
}

/* op(A)(i,p) and op(B)(p,j) as rt_sgemm reads them */
static double at(const float *x, int trans, int ld, int r, int c)
{
    return trans ? x[(size_t)c * ld + r] : x[(size_t)r * ld + c];
}

/* 64-byte aligned room for n packed floats, and one more holding a
 * sentinel that packing must leave alone */
enum { SENTINEL = 12345 };
static float *packed_room(size_t n)
{
    float *p = aligned_alloc(64, (n * 4 + 64) / 64 * 64);
    p[n] = SENTINEL;
    return p;
}

static void check(int ta, int tb, int m, int n, int k, float alpha, float beta)
{
    int lda = (ta ? m : k) + 3, ldb = (tb ? k : n) + 2, ldc = n + 5;
    size_t na = (size_t)(ta ? k : m) * lda, nb = (size_t)(tb ? n : k) * ldb;
    size_t nc = (size_t)m * ldc;
    float *a = malloc(na * 4 + 4), *b = malloc(nb * 4 + 4), *c = malloc(nc * 4 + 4);
    float *c2 = malloc(nc * 4 + 4), *c0 = malloc(nc * 4 + 4);
    for (size_t i = 0; i < na; i++)
        a[i] = value((unsigned)i);
    for (size_t i = 0; i < nb; i++)
        b[i] = value((unsigned)i + 7777u);
    for (size_t i = 0; i < nc; i++)
        c0[i] = beta == 0.0f ? NAN : value((unsigned)i + 31u);
    memcpy(c, c0, nc * 4);
    memcpy(c2, c0, nc * 4);
    rt_sgemm(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    rt_sgemm(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c2, ldc);
    assert_memory_equal(c, c2, nc * 4);   /* deterministic */
    /* op(B), op(A) packed once: the same bits where rt_sgemm packs too,
     * and never a float past the packed size */
    size_t np = rt_sgemm_packed_b_floats(k, n), npa = rt_sgemm_packed_a_floats(m, k);
    float *packed = packed_room(np), *packed_a = packed_room(npa);
    float *c3 = malloc(nc * 4 + 4), *c4 = malloc(nc * 4 + 4);
    rt_sgemm_pack_b(tb, k, n, b, ldb, packed);
    rt_sgemm_pack_a(ta, m, k, a, lda, packed_a);
    assert_true(packed[np] == SENTINEL && packed_a[npa] == SENTINEL);
    memcpy(c3, c0, nc * 4);
    memcpy(c4, c0, nc * 4);
    rt_sgemm_packed_b(ta, m, n, k, alpha, a, lda, packed, beta, c3, ldc);
    if (m >= RT_GEMM_MR)
        assert_memory_equal(c, c3, nc * 4);
    /* and op(A) packed once */
    rt_sgemm_packed_a(tb, m, n, k, alpha, packed_a, b, ldb, beta, c4, ldc);
    if (m >= RT_GEMM_MR)
        assert_memory_equal(c, c4, nc * 4);
    else
        assert_memory_equal(c3, c4, nc * 4);   /* both the packed path */
    for (int i = 0; i < m; i++)
        for (int j = 0; j < n; j++) {
            double s = 0, mag = 0;
            for (int p = 0; p < k; p++) {
                double t = at(a, ta, lda, i, p) * at(b, tb, ldb, p, j);
                s += t;
                mag += fabs(t);
            }
            double want = alpha * s + (beta == 0.0f ? 0.0 : beta * c0[(size_t)i * ldc + j]);
            double got = c[(size_t)i * ldc + j], got_packed = c3[(size_t)i * ldc + j];
            if (!(fabs(got - want) <= 1e-5 * (fabs(alpha) * mag + 1.0)))
                fail_msg("ta %d tb %d %dx%dx%d alpha %g beta %g: C[%d][%d] = %.9g, want %.9g",
                         ta, tb, m, n, k, alpha, beta, i, j, got, want);
            if (!(fabs(got_packed - want) <= 1e-5 * (fabs(alpha) * mag + 1.0)))
                fail_msg("packed B: ta %d tb %d %dx%dx%d: C[%d][%d] = %.9g, want %.9g", ta, tb,
                         m, n, k, i, j, got_packed, want);
        }
    /* nothing outside the m x n corner is written */
    for (int i = 0; i < m; i++)
        for (int j = n; j < ldc; j++) {
            assert_memory_equal(&c[(size_t)i * ldc + j], &c0[(size_t)i * ldc + j], 4);
            assert_memory_equal(&c3[(size_t)i * ldc + j], &c0[(size_t)i * ldc + j], 4);
        }
    for (int i = 0; i < m; i++)
        for (int j = n; j < ldc; j++)
            assert_memory_equal(&c4[(size_t)i * ldc + j], &c0[(size_t)i * ldc + j], 4);
    free(a), free(b), free(c), free(c2), free(c0), free(c3), free(packed), free(c4),
        free(packed_a);
}

static void test_transposes_and_edges(void **state)
{
    (void)state;
    static const int sizes[] = { 1, 2, 5, 6, 7, 17, 31, 32, 33, 65, 100 };
    int ns = sizeof sizes / sizeof sizes[0];
    for (int ta = 0; ta < 2; ta++)
        for (int tb = 0; tb < 2; tb++)
            for (int x = 0; x < ns; x++)
                for (int y = 0; y < ns; y += 2)
                    check(ta, tb, sizes[x], sizes[y], sizes[(x + y) % ns], 1.0f, 0.0f);
}

static void test_blocks_alpha_beta(void **state)
{
    (void)state;
    /* K past one block (256) and M past one block (96) */
    check(0, 0, 97, 40, 300, 1.0f, 0.0f);
    check(1, 0, 200, 33, 513, 0.5f, 1.0f);
    check(0, 1, 13, 70, 257, -2.0f, 0.25f);
    check(1, 1, 96, 64, 256, 1.0f, 1.0f);
    check(0, 0, 3, 3, 0, 1.0f, 0.5f);   /* k = 0: C = beta C */
}

/* fewer rows than a register tile take the unpacked path (a generator
 * at batch 1): every transpose, vector and scalar tails, alpha and beta */
static void test_few_rows(void **state)
{
    (void)state;
    for (int ta = 0; ta < 2; ta++)
        for (int tb = 0; tb < 2; tb++)
            for (int m = 1; m < 6; m++) {
                check(ta, tb, m, 6272 / 16 + 3, 100, 1.0f, 0.0f);
                check(ta, tb, m, 70, 37, -0.5f, 0.25f);
                check(ta, tb, m, 4, 16, 2.0f, 1.0f);
            }
}

/* weight[O][C][KH][KW] (*) x[B][C][H][W] with stride and padding, as the
 * product of the weights and rt_conv_gather's columns, columns [from, to)
 * at a time, against the sum written out in double precision */
static void check_conv(int b, int c, int h, int w, int o, int kh, int kw, int s, int p, int split)
{
    int oh = (h + 2 * p - kh) / s + 1, ow = (w + 2 * p - kw) / s + 1;
    int ckk = c * kh * kw, ncol = b * oh * ow;
    float *x = malloc((size_t)b * c * h * w * 4), *wt = malloc((size_t)o * ckk * 4);
    float *y = malloc((size_t)o * ncol * 4);
    for (int i = 0; i < b * c * h * w; i++)
        x[i] = value((unsigned)i);
    for (int i = 0; i < o * ckk; i++)
        wt[i] = value((unsigned)i + 99u);
    for (int i = 0; i < o * ncol; i++)
        y[i] = NAN;   /* beta = 0: never read */
    for (int from = 0; from < ncol; from += split) {
        int to = from + split < ncol ? from + split : ncol;
        rt_conv_src src = { x, c, h, w, kh, kw, s, p, oh, ow, from };
        rt_sgemm_gather(0, o, to - from, ckk, 1.0f, wt, ckk, rt_conv_gather, &src, 0.0f,
                        y + from, ncol);
    }
    for (int oo = 0; oo < o; oo++)
        for (int col = 0; col < ncol; col++) {
            int bb = col / (oh * ow), oy = col / ow % oh, ox = col % ow;
            double want = 0, mag = 0;
            for (int cc = 0; cc < c; cc++)
                for (int ky = 0; ky < kh; ky++)
                    for (int kx = 0; kx < kw; kx++) {
                        int iy = oy * s - p + ky, ix = ox * s - p + kx;
                        if (iy < 0 || iy >= h || ix < 0 || ix >= w)
                            continue;
                        double t = (double)wt[((oo * c + cc) * kh + ky) * kw + kx] *
                                   x[((bb * c + cc) * h + iy) * w + ix];
                        want += t;
                        mag += fabs(t);
                    }
            double got = y[(size_t)oo * ncol + col];
            if (!(fabs(got - want) <= 1e-5 * (mag + 1.0)))
                fail_msg("conv %dx%dx%dx%d o %d k %dx%d s %d p %d split %d: y[%d][%d] = %.9g, "
                         "want %.9g", b, c, h, w, o, kh, kw, s, p, split, oo, col, got, want);
        }
    free(x), free(wt), free(y);
}

static void test_implicit_conv(void **state)
{
    (void)state;
    check_conv(3, 5, 9, 7, 13, 4, 4, 2, 1, 1 << 30);   /* DCGAN-like: k4 s2 p1, edges */
    check_conv(3, 5, 9, 7, 13, 4, 4, 2, 1, 37);        /* in column blocks (threads) */
    check_conv(2, 3, 8, 8, 2, 3, 3, 1, 1, 1 << 30);    /* fewer output channels than a tile */
    check_conv(2, 70, 6, 6, 8, 3, 3, 1, 0, 50);        /* K = 630: several K blocks */
    check_conv(1, 2, 5, 5, 7, 5, 5, 1, 2, 1 << 30);    /* padding wider than the image */
}

/* each group runs the paths up to one level; the CPU may have fewer */
static int cap_base(void **state)
{
    (void)state;
    rt_cpu_level_cap(RT_CPU_BASE);
    return 0;
}

static int cap_avx2(void **state)
{
    (void)state;
    rt_cpu_level_cap(RT_CPU_AVX2);
    return 0;
}

static int cap_none(void **state)
{
    (void)state;
    rt_cpu_level_cap(RT_CPU_AVX512);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_transposes_and_edges),
        cmocka_unit_test(test_blocks_alpha_beta),
        cmocka_unit_test(test_few_rows),
        cmocka_unit_test(test_implicit_conv),
    };
    static const char *const names[] = { "rt_sgemm (base path)", "rt_sgemm (up to AVX2)",
                                         "rt_sgemm (fastest path)" };
    int (*const caps[])(void **) = { cap_base, cap_avx2, cap_none };
    printf("CPU level %d (0 base, 1 AVX2, 2 AVX-512)\n", (int)rt_cpu_level_get());
    int failed = 0;
    for (int i = 0; i < 3; i++)
        failed += cmocka_run_group_tests_name(names[i], tests, caps[i], cap_none);
    return failed;
}
