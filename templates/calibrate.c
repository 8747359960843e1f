/* templates/calibrate.c - the microbenchmark behind ganc's cost model.
 *
 * `ganc calibrate`, or the first `ganc build` or `ganc check` on a machine,
 * compiles this file the way it compiles a trainer (same compiler, -O3 and
 * floating-point flags, the runtime library and OpenBLAS), runs it once,
 * and caches what it prints (gen/cost.c reads it).  Each line is one
 * measurement, on one thread:
 *
 *   copy NS_PER_FLOAT        an im2col-style copy (strided reads, zero
 *                            padding at the borders), per float written
 *   direct GFLOPS            a direct convolution written as ganc emits one:
 *                            constant shapes, the 4 x 4 taps unrolled
 *   loop GFLOPS              a matrix product as generated loops (k inner)
 *   implicit RATIO           a convolution by rt_sgemm_gather + rt_conv_gather
 *                            (implicit GEMM) over the time of the same by
 *                            im2col + rt_sgemm: 32 images of 16 x 32 x 32,
 *                            64 outputs, 4 x 4 taps, stride 2 (8 MB of
 *                            im2col matrix, as in a real layer)
 *   gemm ENGINE TA TB M N K GFLOPS
 *                            one product C = op(A) op(B), ENGINE `openblas`
 *                            (cblas_sgemm) or `ganc` (rt_sgemm), on the grid
 *                            M, N, K in {1, 16, 128, 1024}, both transpositions
 *
 * A number is the best of three rounds, each long enough (1 ms) for the
 * clock, after one untimed call.  It takes about three seconds.
 *
 *   probe --shapes TA,TB,M,N,K ...
 *
 * measures those products instead, on both engines, one line each:
 *
 *   shape ENGINE TA TB M N K GFLOPS
 *
 * with cold caches, as a training step meets a layer's operands (the
 * previous layers have filled the caches with other data): 64 MiB are
 * written before each timed call, and a number is the best of five calls
 * after one untimed call.  ganc asks for the products of a model it builds
 * the first time it meets them (gen/cost.c).
 */
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kernels/rt_conv.h"
#include "kernels/rt_gemm.h"

void openblas_set_num_threads(int n);

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

typedef void work_fn(const void *ctx);

/* seconds per call: best of three rounds of at least 1 ms each */
static double seconds_per_call(work_fn *f, const void *ctx)
{
    f(ctx);
    long reps = 1;
    double t0 = now();
    f(ctx);
    double once = now() - t0;
    if (once < 1e-3)
        reps = (long)(1e-3 / (once > 1e-8 ? once : 1e-8)) + 1;
    double best = 1e30;
    for (int round = 0; round < 3; round++) {
        t0 = now();
        for (long r = 0; r < reps; r++)
            f(ctx);
        double t = (now() - t0) / (double)reps;
        if (t < best)
            best = t;
    }
    return best;
}

/* ---- im2col copy: 16 channels of 32 x 32, 4 x 4 taps, stride 2 ---- */
enum { CB = 8, CC = 16, CH = 32, CW = 32, KH = 4, KW = 4, S = 2, P = 1, OH = 16, OW = 16 };
enum { CO = 16, NCOL = CB * OH * OW };

static float *image, *col, *conv_w, *conv_out;

/* nb images into their [CC*KH*KW x ncol] im2col matrix */
static void im2col_into(const float *img, float *out, int nb, long ncol)
{
    for (int b = 0; b < nb; b++)
        for (int c = 0; c < CC; c++)
            for (int ky = 0; ky < KH; ky++)
                for (int kx = 0; kx < KW; kx++) {
                    float *row = out + (long)((c * KH + ky) * KW + kx) * ncol + b * OH * OW;
                    const float *ac = img + (long)(b * CC + c) * CH * CW;
                    for (int oy = 0; oy < OH; oy++) {
                        const int iy = oy * S - P + ky;
                        for (int ox = 0; ox < OW; ox++) {
                            const int ix = ox * S - P + kx;
                            row[oy * OW + ox] =
                                iy >= 0 && iy < CH && ix >= 0 && ix < CW ? ac[iy * CW + ix] : 0.0f;
                        }
                    }
                }
}

static void im2col(const void *ctx)
{
    (void)ctx;
    im2col_into(image, col, CB, NCOL);
}

/* one tap of the direct loop nest, as gen/emit_conv.c writes it */
#define TAP(ky, kx)                                                           \
    {                                                                         \
        const int iy = oy * S - P + ky, ix = ox * S - P + kx;                 \
        if (iy >= 0 && iy < CH && ix >= 0 && ix < CW)                         \
            acc += xc[iy * CW + ix] * wc[ky * KW + kx];                       \
    }

static void direct_conv(const void *ctx)
{
    (void)ctx;
    for (int b = 0; b < CB; b++)
        for (int o = 0; o < CO; o++)
            for (int oy = 0; oy < OH; oy++)
                for (int ox = 0; ox < OW; ox++) {
                    float acc = 0.0f;
                    for (int c = 0; c < CC; c++) {
                        const float *xc = image + (b * CC + c) * CH * CW;
                        const float *wc = conv_w + (o * CC + c) * KH * KW;
                        TAP(0, 0) TAP(0, 1) TAP(0, 2) TAP(0, 3)
                        TAP(1, 0) TAP(1, 1) TAP(1, 2) TAP(1, 3)
                        TAP(2, 0) TAP(2, 1) TAP(2, 2) TAP(2, 3)
                        TAP(3, 0) TAP(3, 1) TAP(3, 2) TAP(3, 3)
                    }
                    conv_out[((b * CO + o) * OH + oy) * OW + ox] = acc > 0.0f ? acc : 0.2f * acc;
                }
}

/* ---- a product as generated loops: 64 x 64 x 64, k innermost ---- */
enum { LM = 64, LN = 64, LK = 64 };

static void loop_matmul(const void *ctx)
{
    (void)ctx;
    for (int i = 0; i < LM; i++)
        for (int j = 0; j < LN; j++) {
            float acc = 0.0f;
            for (int k = 0; k < LK; k++)
                acc += image[i * LK + k] * conv_w[j * LK + k];
            conv_out[i * LN + j] = acc;
        }
}

/* ---- implicit against explicit GEMM convolution ---- */
enum { IB = 32, IO = 64, ICOL = IB * OH * OW, ICKK = CC * KH * KW };

static float *big_image, *big_col, *big_out;

static void explicit_conv(const void *ctx)
{
    (void)ctx;
    im2col_into(big_image, big_col, IB, ICOL);
    rt_sgemm(0, 0, IO, ICOL, ICKK, 1.0f, conv_w, ICKK, big_col, ICOL, 0.0f, big_out, ICOL);
}

static void implicit_conv(const void *ctx)
{
    (void)ctx;
    rt_conv_src src = { big_image, CC, CH, CW, KH, KW, S, P, OH, OW, 0 };
    rt_sgemm_gather(0, IO, ICOL, ICKK, 1.0f, conv_w, ICKK, rt_conv_gather, &src, 0.0f, big_out,
                    ICOL);
}

/* ---- GEMM ---- */
typedef struct {
    int own, ta, tb, m, n, k;
    const float *a, *b;
    float *c;
} gemm_case;

static void gemm(const void *ctx)
{
    const gemm_case *g = ctx;
    int lda = g->ta ? g->m : g->k, ldb = g->tb ? g->k : g->n;
    if (g->own)
        rt_sgemm(g->ta, g->tb, g->m, g->n, g->k, 1.0f, g->a, lda, g->b, ldb, 0.0f, g->c, g->n);
    else
        cblas_sgemm(CblasRowMajor, g->ta ? CblasTrans : CblasNoTrans,
                    g->tb ? CblasTrans : CblasNoTrans, g->m, g->n, g->k, 1.0f, g->a, lda, g->b,
                    ldb, 0.0f, g->c, g->n);
}

static float *filled(long n)
{
    float *p = malloc((size_t)n * sizeof *p);
    if (!p) {
        fprintf(stderr, "calibrate: out of memory\n");
        exit(1);
    }
    for (long i = 0; i < n; i++)
        p[i] = (float)((i * 7919) % 2001) / 1000.0f - 1.0f;
    return p;
}

/* ---- exact shapes, cold ---- */
enum { FLUSH_FLOATS = 16 << 20 };   /* 64 MiB: more than any cache of the machine */

static float *flush;

/* Seconds of one call with nothing of its operands in the caches: the best
 * of five, after one untimed call. */
static double cold_seconds(work_fn *f, const void *ctx)
{
    f(ctx);
    double best = 1e30;
    for (int round = 0; round < 5; round++) {
        for (long i = 0; i < FLUSH_FLOATS; i += 16)   /* a write per cache line */
            flush[i] += 1.0f;
        double t0 = now();
        f(ctx);
        double t = now() - t0;
        if (t < best)
            best = t;
    }
    return best;
}

/* `TA,TB,M,N,K` arguments: both engines on each; 0, or 2 on a bad one */
static int shapes(int argc, char **argv)
{
    flush = filled(FLUSH_FLOATS);
    for (int i = 0; i < argc; i++) {
        int ta, tb, m, n, k;
        char tail;
        if (sscanf(argv[i], "%d,%d,%d,%d,%d%c", &ta, &tb, &m, &n, &k, &tail) != 5 || ta < 0 ||
            ta > 1 || tb < 0 || tb > 1 || m < 1 || n < 1 || k < 1 ||
            (double)m * k > 1 << 26 || (double)k * n > 1 << 26 ||
            (double)m * n > 1 << 26) {   /* gen/cost.c asks for no larger (PROBE_MAX_FLOATS) */
            fprintf(stderr, "calibrate: --shapes: expected TA,TB,M,N,K (TA, TB 0 or 1; sides "
                            "from 1, matrices up to 2^26 floats), found '%s'\n", argv[i]);
            return 2;
        }
        float *a = filled((long)m * k), *b = filled((long)k * n), *c = filled((long)m * n);
        for (int own = 0; own < 2; own++) {
            gemm_case g = { own, ta, tb, m, n, k, a, b, c };
            printf("shape %s %d %d %d %d %d %.6g\n", own ? "ganc" : "openblas", ta, tb, m, n, k,
                   1e-9 * 2.0 * m * n * k / cold_seconds(gemm, &g));
        }
        free(a), free(b), free(c);
    }
    free(flush);
    return fflush(stdout) == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
    openblas_set_num_threads(1);
    if (argc > 1 && !strcmp(argv[1], "--shapes"))
        return shapes(argc - 2, argv + 2);
    enum { BIG = 1024 * 1024 };
    image = filled(CB * CC * CH * CW > BIG ? CB * CC * CH * CW : BIG);
    col = filled((long)CC * KH * KW * NCOL);
    conv_w = filled(BIG);
    conv_out = filled(BIG);
    printf("copy %.6g\n", 1e9 * seconds_per_call(im2col, NULL) / ((double)CC * KH * KW * NCOL));
    double conv_flops = 2.0 * CB * CO * OH * OW * CC * KH * KW;
    printf("direct %.6g\n", 1e-9 * conv_flops / seconds_per_call(direct_conv, NULL));
    printf("loop %.6g\n", 1e-9 * 2.0 * LM * LN * LK / seconds_per_call(loop_matmul, NULL));
    big_image = filled((long)IB * CC * CH * CW);
    big_col = filled((long)ICKK * ICOL);
    big_out = filled((long)IO * ICOL);
    printf("implicit %.6g\n",
           seconds_per_call(implicit_conv, NULL) / seconds_per_call(explicit_conv, NULL));
    free(big_image), free(big_col), free(big_out);
    static const int dims[4] = { 1, 16, 128, 1024 };
    float *a = filled(BIG), *b = filled(BIG), *c = filled(BIG);
    for (int own = 0; own < 2; own++)
        for (int ta = 0; ta < 2; ta++)
            for (int tb = 0; tb < 2; tb++)
                for (int i = 0; i < 4; i++)
                    for (int j = 0; j < 4; j++)
                        for (int l = 0; l < 4; l++) {
                            gemm_case g = { own, ta, tb, dims[i], dims[j], dims[l], a, b, c };
                            double t = seconds_per_call(gemm, &g);
                            printf("gemm %s %d %d %d %d %d %.6g\n", own ? "ganc" : "openblas", ta,
                                   tb, g.m, g.n, g.k,
                                   1e-9 * 2.0 * g.m * g.n * g.k / t);
                        }
    free(a), free(b), free(c);
    free(image), free(col), free(conv_w), free(conv_out);
    return fflush(stdout) == 0 ? 0 : 1;
}
