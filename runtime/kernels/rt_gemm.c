/* rt_gemm.c - the runtime's own SGEMM (see rt_gemm.h). */
#include "kernels/rt_gemm.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/rt_alloc.h"
#include "core/rt_err.h"
#include "kernels/rt_cpu.h"

enum {
    MR = 6,     /* rows of the register tile: 6 x 2 accumulators + 2 B vectors */
    NR = 32,    /* columns of the register tile: two 16-float vectors */
    KC = 256,   /* K block: a B panel (KC x NR floats, 32 KiB) stays in L1 */
    MC = 96     /* M block, a multiple of MR: the A block (96 KiB) stays in L2 */
};

_Static_assert((int)NR == (int)RT_GEMM_NR, "rt_gemm.h promises panels of RT_GEMM_NR columns");
_Static_assert((int)MR == (int)RT_GEMM_MR, "rt_gemm.h names the few-row threshold");

/* 16 floats, one AVX-512 register; 8 floats, one AVX2 register.  A vector
 * type wider than the target's registers is split by GCC, and badly (50x
 * slower seen), so each path uses the type its registers hold. */
typedef float v16 __attribute__((vector_size(64)));
typedef float v8 __attribute__((vector_size(32)));
/* 16, 8 and 4 floats loaded from or stored to any float address */
typedef float v16u __attribute__((vector_size(64), aligned(4)));
typedef float v8u __attribute__((vector_size(32), aligned(4)));
typedef float v4u __attribute__((vector_size(16), aligned(4)));
typedef float v4 __attribute__((vector_size(16)));

/* Packing buffers, grown when a call needs more; 64-byte aligned for v16.
 * One set per thread: the trainer's threads each multiply a block of one
 * product at the same time. */
static _Thread_local float *a_pack, *b_pack;
static _Thread_local size_t a_cap, b_cap;

static float *grow(float **buf, size_t *cap, size_t floats)
{
    if (floats > *cap) {
        free(*buf);
        *buf = rt_xmalloc_aligned(64, floats * sizeof(float));
        *cap = floats;
    }
    return *buf;
}

/* Four rows of four floats, transposed in registers (SSE's shuffles, which
 * every x86-64 has; GCC and clang spell the shuffle differently). */
#ifdef __clang__
#define SHUF4(x, y, i, j, k, l) __builtin_shufflevector(x, y, i, j, k, l)
#else
typedef int v4i __attribute__((vector_size(16)));
#define SHUF4(x, y, i, j, k, l) __builtin_shuffle(x, y, (v4i){ i, j, k, l })
#endif
static inline void transpose4(const float *src, int ld, float *dst, int ldd)
{
    v4 r0 = *(const v4u *)src, r1 = *(const v4u *)(src + ld);
    v4 r2 = *(const v4u *)(src + 2 * ld), r3 = *(const v4u *)(src + 3 * ld);
    v4 t0 = SHUF4(r0, r1, 0, 4, 1, 5), t1 = SHUF4(r0, r1, 2, 6, 3, 7);
    v4 t2 = SHUF4(r2, r3, 0, 4, 1, 5), t3 = SHUF4(r2, r3, 2, 6, 3, 7);
    *(v4u *)dst = SHUF4(t0, t2, 0, 1, 4, 5);
    *(v4u *)(dst + ldd) = SHUF4(t0, t2, 2, 3, 6, 7);
    *(v4u *)(dst + 2 * ldd) = SHUF4(t1, t3, 0, 1, 4, 5);
    *(v4u *)(dst + 3 * ldd) = SHUF4(t1, t3, 2, 3, 6, 7);
}

/* op(B)[p0 .. p0+kc) x all n columns, as panels of NR columns, k-major
 * inside a panel: panel j holds kc rows of NR floats, zero past n.  Stored
 * N x K (a transposed weight), B is transposed four by four: one float at
 * a time, the gather from 32 rows cost more than the product itself when
 * M is small (seen: 2x the kernel's time at M = 16). */
static void pack_b(int trans, const float *b, int ldb, int p0, int kc, int n, float *out)
{
    for (int j0 = 0; j0 < n; j0 += NR) {
        int w = n - j0 < NR ? n - j0 : NR;
        float *panel = out + (size_t)(j0 / NR) * kc * NR;
        int p = 0;
        if (trans && w == NR)
            for (; p + 4 <= kc; p += 4)
                for (int j = 0; j < NR; j += 4)
                    transpose4(b + (size_t)(j0 + j) * ldb + p0 + p, ldb,
                               panel + (size_t)p * NR + j, NR);
        for (; p < kc; p++) {
            float *row = panel + (size_t)p * NR;
            if (!trans && w == NR) {   /* a loop, not memcpy: that became rep movs */
                const float *src = b + (size_t)(p0 + p) * ldb + j0;
                for (int j = 0; j < NR; j += 4)
                    *(v4u *)(row + j) = *(const v4u *)(src + j);
                continue;
            }
            for (int j = 0; j < w; j++)
                row[j] = trans ? b[(size_t)(j0 + j) * ldb + p0 + p] :
                                 b[(size_t)(p0 + p) * ldb + j0 + j];
            for (int j = w; j < NR; j++)
                row[j] = 0.0f;
        }
    }
}

/* op(A)[i0 .. i0+mc) x [p0 .. p0+kc) as panels of MR rows, k-major inside
 * a panel (MR floats per k), zero past the last row.  Stored K x M (a
 * transposed weight), A is read one row of K at a time, each row's floats
 * going to every panel in turn: walking a panel down K instead would read
 * one short run per row at a stride that, for a power-of-two M, lands every
 * run in the same L1 set. */
static void pack_a(int trans, const float *a, int lda, int i0, int mc, int p0, int kc,
                   float *out)
{
    int full = trans ? mc / MR * MR : 0;   /* rows packed by the row-wise walk */
    for (int p = 0; p < kc && full > 0; p++) {
        const float *src = a + (size_t)(p0 + p) * lda + i0;
        for (int r0 = 0; r0 < full; r0 += MR)
            memcpy(out + (size_t)(r0 / MR) * kc * MR + (size_t)p * MR, src + r0,
                   MR * sizeof(float));
    }
    for (int r0 = full; r0 < mc; r0 += MR) {
        int h = mc - r0 < MR ? mc - r0 : MR;
        float *panel = out + (size_t)(r0 / MR) * kc * MR;
        for (int p = 0; p < kc; p++) {
            float *col = panel + (size_t)p * MR;
            for (int r = 0; r < h; r++) {
                size_t i = (size_t)(i0 + r0 + r), k = (size_t)(p0 + p);
                col[r] = trans ? a[k * lda + i] : a[i * lda + k];
            }
            for (int r = h; r < MR; r++)
                col[r] = 0.0f;
        }
    }
}

/* Where a register tile goes: C's MR x NR corner at c (row stride ldc),
 * as alpha * tile + keep * C, keep being beta on the first K block and 1
 * on the later ones (C unread when keep is 0: it may hold NaN).  The
 * kernels write full tiles themselves, a vector at a time: copying every
 * tile one float at a time cost as much as the product for K under a
 * hundred.  The tile passes through memory (tile, 768 bytes in L1) so that
 * this loop is written once per kernel, not once per register. */
#define TILE_DEST float *tile, float *c, int ldc, float alpha, float keep

#define PUT_TILE(vt)                                                          \
    do {                                                                      \
        enum { PER_ROW = NR / (int)(sizeof(vt) / sizeof(float)) };            \
        for (int r = 0; r < MR; r++)                                          \
            for (int v = 0; v < PER_ROW; v++) {                               \
                vt *to = (vt *)(c + (size_t)r * ldc) + v;                     \
                const vt t = *((const vt *)(tile + r * NR) + v);              \
                *to = keep == 0.0f ? alpha * t : alpha * t + keep * *to;      \
            }                                                                 \
    } while (0)

/* The MR x NR product of one A panel and one B panel over kc, into tile
 * (row stride NR) and, when c is not NULL, into C.  Twelve accumulators
 * and two B vectors fit AVX-512's 32 registers; every accumulator sees k
 * in the same order on every path.  Inlined into one function per
 * instruction set (below). */
static inline __attribute__((always_inline)) void kernel_body(int kc, const float *ap,
                                                              const float *bp, TILE_DEST)
{
    v16 c0a = { 0 }, c0b = { 0 }, c1a = { 0 }, c1b = { 0 }, c2a = { 0 }, c2b = { 0 };
    v16 c3a = { 0 }, c3b = { 0 }, c4a = { 0 }, c4b = { 0 }, c5a = { 0 }, c5b = { 0 };
    for (int p = 0; p < kc; p++) {
        const v16 b0 = *(const v16 *)(bp + (size_t)p * NR);
        const v16 b1 = *(const v16 *)(bp + (size_t)p * NR + 16);
        const float *a = ap + (size_t)p * MR;
        c0a += a[0] * b0;
        c0b += a[0] * b1;
        c1a += a[1] * b0;
        c1b += a[1] * b1;
        c2a += a[2] * b0;
        c2b += a[2] * b1;
        c3a += a[3] * b0;
        c3b += a[3] * b1;
        c4a += a[4] * b0;
        c4b += a[4] * b1;
        c5a += a[5] * b0;
        c5b += a[5] * b1;
    }
    v16 *t = (v16 *)tile;
    t[0] = c0a, t[1] = c0b, t[2] = c1a, t[3] = c1b, t[4] = c2a, t[5] = c2b;
    t[6] = c3a, t[7] = c3b, t[8] = c4a, t[9] = c4b, t[10] = c5a, t[11] = c5b;
    if (c)
        PUT_TILE(v16u);
}

/* The AVX2 form: 16 registers hold half the tile (6 x 16: twelve
 * accumulators, two B vectors), so the panel pair is walked twice, once
 * per half; each accumulator still sees k in order. */
static inline __attribute__((always_inline)) void kernel_body_v8(int kc, const float *ap,
                                                                 const float *bp, TILE_DEST)
{
    for (int half = 0; half < 2; half++) {
        v8 c0a = { 0 }, c0b = { 0 }, c1a = { 0 }, c1b = { 0 }, c2a = { 0 }, c2b = { 0 };
        v8 c3a = { 0 }, c3b = { 0 }, c4a = { 0 }, c4b = { 0 }, c5a = { 0 }, c5b = { 0 };
        const float *bh = bp + half * 16;
        for (int p = 0; p < kc; p++) {
            const v8 b0 = *(const v8 *)(bh + (size_t)p * NR);
            const v8 b1 = *(const v8 *)(bh + (size_t)p * NR + 8);
            const float *a = ap + (size_t)p * MR;
            c0a += a[0] * b0;
            c0b += a[0] * b1;
            c1a += a[1] * b0;
            c1b += a[1] * b1;
            c2a += a[2] * b0;
            c2b += a[2] * b1;
            c3a += a[3] * b0;
            c3b += a[3] * b1;
            c4a += a[4] * b0;
            c4b += a[4] * b1;
            c5a += a[5] * b0;
            c5b += a[5] * b1;
        }
        float *t = tile + half * 16;
        *(v8 *)(t + 0 * NR) = c0a, *(v8 *)(t + 0 * NR + 8) = c0b;
        *(v8 *)(t + 1 * NR) = c1a, *(v8 *)(t + 1 * NR + 8) = c1b;
        *(v8 *)(t + 2 * NR) = c2a, *(v8 *)(t + 2 * NR + 8) = c2b;
        *(v8 *)(t + 3 * NR) = c3a, *(v8 *)(t + 3 * NR + 8) = c3b;
        *(v8 *)(t + 4 * NR) = c4a, *(v8 *)(t + 4 * NR + 8) = c4b;
        *(v8 *)(t + 5 * NR) = c5a, *(v8 *)(t + 5 * NR + 8) = c5b;
    }
    if (c)
        PUT_TILE(v8u);
}

/* alpha * tile + keep * C into C's h x w corner at c (an edge tile, or
 * the base path's every tile). */
static void store_tile(const float *tile, int h, int w, float *c, int ldc, float alpha,
                       float keep)
{
    for (int r = 0; r < h; r++) {
        float *row = c + (size_t)r * ldc;
        const float *t = tile + (size_t)r * NR;
        if (keep == 0.0f)   /* the test outside the loop, so that it vectorizes */
            for (int j = 0; j < w; j++)
                row[j] = alpha * t[j];
        else
            for (int j = 0; j < w; j++)
                row[j] = alpha * t[j] + keep * row[j];
    }
}

/* The base path: the same sums, one float at a time (small code: it runs
 * only on CPUs without AVX2). */
static void kernel_base(int kc, const float *ap, const float *bp, TILE_DEST)
{
    for (int i = 0; i < MR * NR; i++)
        tile[i] = 0.0f;
    for (int p = 0; p < kc; p++)
        for (int r = 0; r < MR; r++)
            for (int j = 0; j < NR; j++)
                tile[r * NR + j] += ap[(size_t)p * MR + r] * bp[(size_t)p * NR + j];
    if (c)
        store_tile(tile, MR, NR, c, ldc, alpha, keep);
}

/* Products with fewer rows than a register tile (a generator at batch 1:
 * a matrix-vector product) skip packing, which would cost as much as the
 * product: each row of C is formed straight from A and B.  With B stored
 * K x N, a row of C is a sum of rows of B (vectors along n); with B
 * stored N x K, each entry is a dot product (vectors along k, four columns
 * at a time).  The order of the sums is fixed for each path; vec = 0 (the
 * base path) leaves the vector loops out and sums one float at a time. */
static inline __attribute__((always_inline)) void
few_rows_body(int vec, int trans_a, int trans_b, int m, int n, int k, float alpha, const float *a,
              int lda, const float *b, int ldb, float beta, float *c, int ldc)
{
    for (int i = 0; i < m; i++) {
        float *ci = c + (size_t)i * ldc;
#define A_AT(p) (trans_a ? a[(size_t)(p) * lda + i] : a[(size_t)i * lda + (p)])
        if (!trans_b) {
            int j = 0;
            for (; vec && j + 32 <= n; j += 32) {
                v8 s0 = { 0 }, s1 = { 0 }, s2 = { 0 }, s3 = { 0 };
                for (int p = 0; p < k; p++) {
                    const float *bp = b + (size_t)p * ldb + j;
                    const float ap = A_AT(p);
                    s0 += ap * *(const v8u *)bp;
                    s1 += ap * *(const v8u *)(bp + 8);
                    s2 += ap * *(const v8u *)(bp + 16);
                    s3 += ap * *(const v8u *)(bp + 24);
                }
                float out[32];
                *(v8u *)out = s0;
                *(v8u *)(out + 8) = s1;
                *(v8u *)(out + 16) = s2;
                *(v8u *)(out + 24) = s3;
                for (int q = 0; q < 32; q++)
                    ci[j + q] = alpha * out[q] + (beta == 0.0f ? 0.0f : beta * ci[j + q]);
            }
            for (; j < n; j++) {
                float s = 0.0f;
                for (int p = 0; p < k; p++)
                    s += A_AT(p) * b[(size_t)p * ldb + j];
                ci[j] = alpha * s + (beta == 0.0f ? 0.0f : beta * ci[j]);
            }
            continue;
        }
        /* op(A)'s row i, contiguous, so that dot products load it as vectors */
        float *row = grow(&a_pack, &a_cap, (size_t)k);
        for (int p = 0; p < k; p++)
            row[p] = A_AT(p);
#undef A_AT
        int k8 = vec ? k / 8 * 8 : 0, j = 0;
        for (; vec && j + 4 <= n; j += 4) {   /* four independent sums hide FMA latency */
            const float *b0 = b + (size_t)j * ldb, *b1 = b0 + ldb, *b2 = b1 + ldb,
                        *b3 = b2 + ldb;
            v8 s0 = { 0 }, s1 = { 0 }, s2 = { 0 }, s3 = { 0 };
            for (int p = 0; p < k8; p += 8) {
                const v8 r = *(const v8 *)(row + p);
                s0 += r * *(const v8u *)(b0 + p);
                s1 += r * *(const v8u *)(b1 + p);
                s2 += r * *(const v8u *)(b2 + p);
                s3 += r * *(const v8u *)(b3 + p);
            }
            float d[4] = { 0 };
            for (int l = 0; l < 8; l++) {
                d[0] += s0[l];
                d[1] += s1[l];
                d[2] += s2[l];
                d[3] += s3[l];
            }
            for (int p = k8; p < k; p++) {
                d[0] += row[p] * b0[p];
                d[1] += row[p] * b1[p];
                d[2] += row[p] * b2[p];
                d[3] += row[p] * b3[p];
            }
            for (int q = 0; q < 4; q++)
                ci[j + q] = alpha * d[q] + (beta == 0.0f ? 0.0f : beta * ci[j + q]);
        }
        for (; j < n; j++) {
            const float *bj = b + (size_t)j * ldb;
            float d = 0.0f;
            for (int p = 0; p < k; p++)
                d += row[p] * bj[p];
            ci[j] = alpha * d + (beta == 0.0f ? 0.0f : beta * ci[j]);
        }
    }
}

/* One function per instruction set, chosen by rt_cpu_level_get().  AVX2
 * and AVX-512 bring FMA, into which GCC contracts a multiply and its add
 * when asked (ISO C mode turns contraction off). */
#if defined(__x86_64__) && defined(__GNUC__)
#ifdef __clang__
#define ISA(set) __attribute__((target(set)))
#else
#define ISA(set) __attribute__((target(set), optimize("fp-contract=fast")))
#endif
#define AVX512 "avx512f,avx512vl,avx2,fma"
#define AVX2 "avx2,fma"
ISA(AVX512) static void kernel_avx512(int kc, const float *ap, const float *bp, TILE_DEST)
{
    kernel_body(kc, ap, bp, tile, c, ldc, alpha, keep);
}
ISA(AVX2) static void kernel_avx2(int kc, const float *ap, const float *bp, TILE_DEST)
{
    kernel_body_v8(kc, ap, bp, tile, c, ldc, alpha, keep);
}
#define FEW_ROWS_ARGS int ta, int tb, int m, int n, int k, float alpha, const float *a, int lda, \
                      const float *b, int ldb, float beta, float *c, int ldc
ISA(AVX2) static void few_rows_avx2(FEW_ROWS_ARGS)
{
    few_rows_body(1, ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}
#endif

typedef void kernel_fn(int kc, const float *ap, const float *bp, TILE_DEST);

static kernel_fn *pick_kernel(void)
{
#if defined(__x86_64__) && defined(__GNUC__)
    switch (rt_cpu_level_get()) {
    case RT_CPU_AVX512: return kernel_avx512;
    case RT_CPU_AVX2: return kernel_avx2;
    case RT_CPU_BASE: break;
    }
#endif
    return kernel_base;
}

static void few_rows(int ta, int tb, int m, int n, int k, float alpha, const float *a, int lda,
                     const float *b, int ldb, float beta, float *c, int ldc)
{
#if defined(__x86_64__) && defined(__GNUC__)
    /* 8-wide vectors on AVX-512 too: the few-row products are bound by
     * reading B, not by arithmetic, and one copy of the code keeps the
     * sampler under 64 KiB */
    switch (rt_cpu_level_get()) {
    case RT_CPU_AVX512:
    case RT_CPU_AVX2:
        few_rows_avx2(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
        return;
    case RT_CPU_BASE: break;
    }
#endif
    few_rows_body(0, ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

/* Where op(B) comes from: a matrix (packed by pack_b), a function that
 * writes each panel itself (rt_sgemm_gather), or panels packed before
 * (rt_sgemm_packed_b). */
typedef struct {
    int trans;
    const float *b;
    int ldb;
    rt_gather_b *gather;
    const void *ctx;
    const float *packed;
} b_source;

/* rows of op(A) as packed: whole register tiles */
static size_t padded_rows(int m)
{
    return (size_t)((m + MR - 1) / MR) * MR;
}

/* panels of NR columns that op(B)'s n columns fill */
static int panels(int n)
{
    return (n + NR - 1) / NR;
}

/* The packed, register-tiled product (see rt_gemm.h) for any m >= 1; op(A)
 * from a (packed here, block by block) or from packed_a (rt_sgemm_pack_a's
 * layout: K block p0 at p0 * padded_rows(m), M block i0 at i0 * kc in it). */
static void blocked(int trans_a, int m, int n, int k, float alpha, const float *a, int lda,
                    const float *packed_a, const b_source *src, float beta, float *c, int ldc)
{
    kernel_fn *kernel = pick_kernel();
    int n_panels = panels(n);
    float tile[MR * NR] __attribute__((aligned(64)));
    for (int p0 = 0; p0 < k; p0 += KC) {
        int kc = k - p0 < KC ? k - p0 : KC;
        const float *bp;
        if (src->packed) {   /* rt_sgemm_pack_b laid the K blocks out one after another */
            bp = src->packed + (size_t)p0 * n_panels * NR;
        } else {
            float *fill = grow(&b_pack, &b_cap, (size_t)n_panels * KC * NR);
            if (src->gather)
                for (int jp = 0; jp < n_panels; jp++)
                    src->gather(src->ctx, p0, kc, jp * NR,
                                n - jp * NR < NR ? n - jp * NR : NR, fill + (size_t)jp * kc * NR);
            else
                pack_b(src->trans, src->b, src->ldb, p0, kc, n, fill);
            bp = fill;
        }
        for (int i0 = 0; i0 < m; i0 += MC) {
            int mc = m - i0 < MC ? m - i0 : MC;
            const float *ap;
            if (packed_a) {
                ap = packed_a + (size_t)p0 * padded_rows(m) + (size_t)i0 * kc;
            } else {
                float *fill = grow(&a_pack, &a_cap, (size_t)MC * KC);
                pack_a(trans_a, a, lda, i0, mc, p0, kc, fill);
                ap = fill;
            }
            for (int jp = 0; jp < n_panels; jp++) {
                int j0 = jp * NR, w = n - j0 < NR ? n - j0 : NR;
                for (int r0 = 0; r0 < mc; r0 += MR) {
                    int h = mc - r0 < MR ? mc - r0 : MR;
                    const float *apan = ap + (size_t)(r0 / MR) * kc * MR;
                    const float *bpan = bp + (size_t)jp * kc * NR;
                    float *cc = c + (size_t)(i0 + r0) * ldc + j0;
                    float keep = p0 == 0 ? beta : 1.0f;
                    if (h == MR && w == NR) {
                        kernel(kc, apan, bpan, tile, cc, ldc, alpha, keep);
                    } else {   /* an edge: the whole tile, then its part that is in C */
                        kernel(kc, apan, bpan, tile, NULL, 0, alpha, keep);
                        store_tile(tile, h, w, cc, ldc, alpha, keep);
                    }
                }
            }
        }
    }
}

/* C = beta C where there are no products to add (k = 0) */
static int scale_only(int m, int n, int k, float beta, float *c, int ldc)
{
    if (m <= 0 || n <= 0)
        return 1;
    if (k > 0)
        return 0;
    for (int i = 0; i < m; i++)
        for (int j = 0; j < n; j++)
            c[(size_t)i * ldc + j] = beta == 0.0f ? 0.0f : beta * c[(size_t)i * ldc + j];
    return 1;
}

void rt_sgemm(int trans_a, int trans_b, int m, int n, int k, float alpha, const float *a,
              int lda, const float *b, int ldb, float beta, float *c, int ldc)
{
    if (scale_only(m, n, k, beta, c, ldc))
        return;
    if (m < MR) {
        few_rows(trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
        return;
    }
    b_source src = { trans_b, b, ldb, NULL, NULL, NULL };
    blocked(trans_a, m, n, k, alpha, a, lda, NULL, &src, beta, c, ldc);
}

size_t rt_sgemm_packed_b_floats(int k, int n)
{
    return (size_t)k * (size_t)panels(n) * NR;
}

void rt_sgemm_pack_b(int trans_b, int k, int n, const float *b, int ldb, float *packed)
{
    for (int p0 = 0; p0 < k; p0 += KC)
        pack_b(trans_b, b, ldb, p0, k - p0 < KC ? k - p0 : KC, n,
               packed + (size_t)p0 * (size_t)panels(n) * NR);
}

void rt_sgemm_packed_b(int trans_a, int m, int n, int k, float alpha, const float *a, int lda,
                       const float *packed_b, float beta, float *c, int ldc)
{
    rt_assert((uintptr_t)packed_b % 64 == 0 && "rt_sgemm_packed_b: packed_b must be 64-byte aligned");
    if (scale_only(m, n, k, beta, c, ldc))
        return;
    b_source src = { 0, NULL, 0, NULL, NULL, packed_b };
    blocked(trans_a, m, n, k, alpha, a, lda, NULL, &src, beta, c, ldc);
}

size_t rt_sgemm_packed_a_floats(int m, int k)
{
    return padded_rows(m) * (size_t)k;
}

void rt_sgemm_pack_a(int trans_a, int m, int k, const float *a, int lda, float *packed)
{
    for (int p0 = 0; p0 < k; p0 += KC) {
        int kc = k - p0 < KC ? k - p0 : KC;
        for (int i0 = 0; i0 < m; i0 += MC)
            pack_a(trans_a, a, lda, i0, m - i0 < MC ? m - i0 : MC, p0, kc,
                   packed + (size_t)p0 * padded_rows(m) + (size_t)i0 * kc);
    }
}

void rt_sgemm_packed_a(int trans_b, int m, int n, int k, float alpha, const float *packed_a,
                       const float *b, int ldb, float beta, float *c, int ldc)
{
    rt_assert((uintptr_t)packed_a % 64 == 0 && "rt_sgemm_packed_a: packed_a must be 64-byte aligned");
    if (scale_only(m, n, k, beta, c, ldc))
        return;
    b_source src = { trans_b, b, ldb, NULL, NULL, NULL };
    blocked(0, m, n, k, alpha, NULL, 0, packed_a, &src, beta, c, ldc);
}

void rt_sgemm_gather(int trans_a, int m, int n, int k, float alpha, const float *a, int lda,
                     rt_gather_b *gather, const void *ctx, float beta, float *c, int ldc)
{
    if (scale_only(m, n, k, beta, c, ldc))
        return;
    b_source src = { 0, NULL, 0, gather, ctx, NULL };
    blocked(trans_a, m, n, k, alpha, a, lda, NULL, &src, beta, c, ldc);
}
