/* rt_gemm.h - single-precision GEMM of the runtime's own, for executables
 * that must not depend on a BLAS library (the sampler: libc and libm only).
 *
 * rt_sgemm computes C = alpha op(A) op(B) + beta C on row-major matrices,
 * like cblas_sgemm(CblasRowMajor, ...): op(A) is M x K, op(B) is K x N;
 * trans_a says A is stored K x M (so op(A) = A^T), trans_b likewise.
 * With beta = 0, C is not read (it may hold anything, NaN included).
 * Method: op(B) packed into panels of 32 columns and op(A) into panels of 6
 * rows, per block of K; a 6 x 32 register tile accumulates each panel pair.
 * Fewer than 6 rows (a generator at batch 1) skip the packing: rows of C
 * come straight from A and B.  The tile is written with GCC's vector
 * extensions and compiled for AVX-512, AVX2 and the base target, one chosen
 * at run time (rt_cpu.h; GANC_CPU=avx2 or base forces a lower one).  The
 * order of every sum is fixed, so a call gives the same bits each time on
 * one path; paths differ by rounding (fused multiply-adds, and the few-row
 * dot products' partial sums).
 * Thread-safe: each thread has its own packing buffers, grown as needed
 * and kept (they are not freed when a thread ends).
 * Leaves out: threads, complex and double precision.
 */
#ifndef RT_GEMM_H
#define RT_GEMM_H

#include <stddef.h>

void rt_sgemm(int trans_a, int trans_b, int m, int n, int k, float alpha, const float *a,
              int lda, const float *b, int ldb, float beta, float *c, int ldc);

/* The same product with op(B) (K x N) given by a function instead of a
 * matrix: an implicit GEMM, such as a convolution whose im2col columns are
 * gathered from the image straight into the packed panels (rt_conv.h),
 * never written out whole.  gather(ctx, p0, kc, j0, w, panel) writes rows
 * p0 .. p0+kc-1 and columns j0 .. j0+w-1 of op(B) into panel: kc rows of
 * RT_GEMM_NR floats each, zero past w.  Every m >= 1 takes the packed
 * path. */
enum { RT_GEMM_NR = 32, RT_GEMM_MR = 6 };   /* the register tile; fewer rows: no packing */
typedef void rt_gather_b(const void *ctx, int p0, int kc, int j0, int w, float *panel);
void rt_sgemm_gather(int trans_a, int m, int n, int k, float alpha, const float *a, int lda,
                     rt_gather_b *gather, const void *ctx, float beta, float *c, int ldc);

/* A constant op(B) (a sampler's weights) packed once, then multiplied by
 * many A without packing it again: rt_sgemm_pack_b fills packed, of
 * rt_sgemm_packed_b_floats(k, n) floats, with op(B) (K x N, transposed as
 * trans_b says) in the panels rt_sgemm would make on every call;
 * rt_sgemm_packed_b then computes the same C as rt_sgemm, bit for bit,
 * for any m >= 1 (no few-row path). */
size_t rt_sgemm_packed_b_floats(int k, int n);
void rt_sgemm_pack_b(int trans_b, int k, int n, const float *b, int ldb, float *packed);
void rt_sgemm_packed_b(int trans_a, int m, int n, int k, float alpha, const float *a, int lda,
                       const float *packed_b, float beta, float *c, int ldc);
/* The same for a constant op(A) (M x K): rt_sgemm_packed_a_floats(m, k)
 * floats, 64-byte aligned; rt_sgemm_packed_a gives rt_sgemm's bits for
 * m >= RT_GEMM_MR (fewer rows: the packed path all the same). */
size_t rt_sgemm_packed_a_floats(int m, int k);
void rt_sgemm_pack_a(int trans_a, int m, int k, const float *a, int lda, float *packed);
void rt_sgemm_packed_a(int trans_b, int m, int n, int k, float alpha, const float *packed_a,
                       const float *b, int ldb, float beta, float *c, int ldc);

#endif
