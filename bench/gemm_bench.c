/* bench/gemm_bench.c - rt_sgemm (runtime/rt_gemm.c) against OpenBLAS's
 * cblas_sgemm on the products of one dcgan_fashion iteration (batch 64),
 * one thread, median of 7 timings of each.
 *
 *   make bench-gemm        (builds build/bench/gemm_bench and runs it;
 *                           also worth running with OPENBLAS_CORETYPE unset)
 *
 * Shapes: M x N x K with the transposes the generated trainer passes (see
 * the cblas_sgemm calls in build/dcgan_fashion/train.c), and how many such
 * calls an iteration makes. */
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "kernels/rt_gemm.h"

typedef struct {
    const char *what;
    int ta, tb, m, n, k, calls;
} shape;

static const shape shapes[] = {
    { "G dense forward", 0, 1, 64, 6272, 100, 1 },
    { "G dense weight grad", 1, 0, 6272, 100, 64, 1 },
    { "G up1 forward, per sample", 1, 0, 1024, 49, 128, 64 },
    { "G up2 forward, per sample", 1, 0, 16, 196, 64, 64 },
    { "D conv1 forward", 0, 0, 64, 12544, 16, 3 },
    { "D conv2 forward", 0, 0, 128, 3136, 1024, 3 },
    { "D conv2 weight grad, per sample", 0, 1, 128, 1024, 49, 128 },
    { "D conv2 input grad, per sample", 1, 0, 1024, 49, 128, 128 },
    { "G up1 weight grad, per sample", 0, 1, 128, 1024, 49, 64 },
};

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* median seconds of one call */
static double time_it(int own, const shape *s, const float *a, const float *b, float *c)
{
    int lda = s->ta ? s->m : s->k, ldb = s->tb ? s->k : s->n;
    int reps = 1 + (int)(2e8 / ((double)s->m * s->n * s->k));
    double t[7];
    for (int r = 0; r < 7; r++) {
        double t0 = now();
        for (int i = 0; i < reps; i++) {
            if (own)
                rt_sgemm(s->ta, s->tb, s->m, s->n, s->k, 1.0f, a, lda, b, ldb, 0.0f, c, s->n);
            else
                cblas_sgemm(CblasRowMajor, s->ta ? CblasTrans : CblasNoTrans,
                            s->tb ? CblasTrans : CblasNoTrans, s->m, s->n, s->k, 1.0f, a, lda,
                            b, ldb, 0.0f, c, s->n);
        }
        t[r] = (now() - t0) / reps;
    }
    qsort(t, 7, sizeof t[0], cmp);
    return t[3];
}

int main(void)
{
    openblas_set_num_threads(1);
    const char *core = getenv("OPENBLAS_CORETYPE");
    printf("OpenBLAS core %s (OPENBLAS_CORETYPE=%s), 1 thread\n", openblas_get_corename(),
           core ? core : "unset");
    printf("%-32s %16s %10s %10s %7s\n", "product", "M x N x K", "OpenBLAS", "rt_sgemm",
           "ratio");
    double tot[2] = { 0, 0 };
    for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
        const shape *s = &shapes[i];
        size_t na = (size_t)s->m * s->k, nb = (size_t)s->k * s->n, nc = (size_t)s->m * s->n;
        float *a = malloc(na * 4), *b = malloc(nb * 4), *c = malloc(nc * 4);
        for (size_t j = 0; j < na; j++)
            a[j] = (float)(j % 13) * 0.1f;
        for (size_t j = 0; j < nb; j++)
            b[j] = (float)(j % 7) * 0.1f;
        double flop = 2.0 * s->m * s->n * s->k;
        double tb = time_it(0, s, a, b, c), to = time_it(1, s, a, b, c);
        tot[0] += tb * s->calls;
        tot[1] += to * s->calls;
        char dims[48];
        snprintf(dims, sizeof dims, "%dx%dx%d%s%s", s->m, s->n, s->k, s->ta ? " T" : "",
                 s->tb ? " T" : "");
        printf("%-32s %16s %7.1f GF %7.1f GF %6.2fx\n", s->what, dims, flop / tb * 1e-9,
               flop / to * 1e-9, tb / to);
        free(a), free(b), free(c);
    }
    printf("one iteration's worth: OpenBLAS %.1f ms, rt_sgemm %.1f ms (%.2fx)\n", tot[0] * 1e3,
           tot[1] * 1e3, tot[0] / tot[1]);
    return 0;
}
