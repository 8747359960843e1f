/* rt_gen_blas.h - the matrix products of a generated trainer: each split
 * into one block of C's rows or columns per OpenMP thread (the same blocks
 * every run with the same thread count, so results repeat), each block an
 * OpenBLAS call on one thread or a call of the runtime's rt_sgemm, as
 * ganc's cost model chose for the product.  OpenBLAS keeps one thread of
 * its own, so that no two thread pools share the cores.
 *
 * Included by trainers only (after rt_gen.h): it needs cblas.h and links
 * OpenBLAS, which the sampler never does.
 */
#ifndef RT_GEN_BLAS_H
#define RT_GEN_BLAS_H

#include <cblas.h>

#include "kernels/rt_conv.h"
#include "kernels/rt_gemm.h"

/* the blocks of a side of length len: one per thread, in multiples of 16;
 * under 64 a thread, one block */
static inline int gan_parts(int len)
{
    int parts = 1;
#ifdef _OPENMP
    parts = omp_get_max_threads();
#endif
    return len < 64 * parts ? 1 : parts;
}

/* where block p of `parts` starts; block p ends where p + 1 starts */
static inline int gan_part_start(int len, int p, int parts)
{
    return p == parts ? len : (int)((long)len * p / parts / 16 * 16);
}

enum { GAN_OPENBLAS, GAN_OWN };

/* C = op(A) op(B) + beta C, row-major, by `engine`; split along the longer
 * of C's sides. */
static inline void gan_sgemm(int engine, int ta, int tb, int m, int n, int k, const float *a,
                             int lda, const float *b, int ldb, float beta, float *c, int ldc)
{
    const int by_rows = m > n, len = by_rows ? m : n, parts = gan_parts(len);
    GAN_PARALLEL_FOR
    for (int p = 0; p < parts; p++) {
        const int from = gan_part_start(len, p, parts), to = gan_part_start(len, p + 1, parts);
        const int bm = by_rows ? to - from : m, bn = by_rows ? n : to - from;
        const float *ba = by_rows ? (ta ? a + from : a + (long)from * lda) : a;
        const float *bb = by_rows ? b : (tb ? b + (long)from * ldb : b + from);
        float *bc = by_rows ? c + (long)from * ldc : c + from;
        if (engine == GAN_OWN)
            rt_sgemm(ta, tb, bm, bn, k, 1.0f, ba, lda, bb, ldb, beta, bc, ldc);
        else
            cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans,
                        tb ? CblasTrans : CblasNoTrans, bm, bn, k, 1.0f, ba, lda, bb, ldb,
                        beta, bc, ldc);
    }
}

/* C[m x n] = A[m x k] . the im2col columns of src (rt_conv.h), gathered as
 * they are packed: a block of columns per thread. */
static inline void gan_sgemm_conv(int m, int n, int k, const float *a, const rt_conv_src *src,
                                  float *c)
{
    const int parts = gan_parts(n);
    GAN_PARALLEL_FOR
    for (int p = 0; p < parts; p++) {
        const int from = gan_part_start(n, p, parts), to = gan_part_start(n, p + 1, parts);
        rt_conv_src part = *src;
        part.col0 = from;
        rt_sgemm_gather(0, m, to - from, k, 1.0f, a, k, rt_conv_gather, &part, 0.0f, c + from,
                        n);
    }
}

/* the trainer's threads: OpenMP's (gan_sgemm, GAN_PARALLEL_FOR) */
static inline void gan_blas_set_threads(int n)
{
    openblas_set_num_threads(1);
#ifdef _OPENMP
    omp_set_num_threads(n);
#else
    (void)n;
#endif
}

#endif
