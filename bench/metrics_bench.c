/* metrics_bench.c - how long runtime/metrics/ takes at the sizes `ganc
 * eval` meets (make bench-metrics; one thread, as the library runs):
 *   precision and recall of 10,000 real and 10,000 fake rows of 64
 *   features (k = 3), and the Frechet distance of two sets of 10,000 rows
 *   of 64, 128 and 256 features.
 * Data are Gaussian from a fixed seed (the fake set shifted and scaled),
 * so the scores printed beside the times are the same on every run; their
 * correctness is tests/metrics_numpy.py's business, not this program's.
 *   metrics_bench [ROWS]      (ROWS per set, default 10000)
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "core/rt_alloc.h"
#include "core/rt_rng.h"
#include "kernels/rt_cpu.h"
#include "metrics/rt_metrics.h"

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* n rows of dim features: N(shift, scale^2) each */
static float *gaussian_rows(rt_rng *r, size_t n, int dim, float shift, float scale)
{
    float *x = rt_xmalloc(n * (size_t)dim * sizeof *x);
    rt_rng_fill_normal(r, x, n * (size_t)dim, shift, scale);
    return x;
}

int main(int argc, char **argv)
{
    size_t n = argc > 1 ? strtoul(argv[1], NULL, 10) : 10000;
    const char *isa[] = { "base", "avx2", "avx512" };
    printf("metrics_bench: %zu rows per set, one thread, rt_sgemm path %s\n", n,
           isa[rt_cpu_level_get()]);
    rt_rng r;
    rt_rng_seed(&r, 15);
    rt_err err;
    int failed = 0;
    float *real = gaussian_rows(&r, n, 64, 0.0f, 1.0f);
    float *fake = gaussian_rows(&r, n, 64, 0.1f, 1.1f);
    double p, rec, t0 = now();
    failed |= rt_precision_recall(real, n, fake, n, 64, 64, 3, &p, &rec, &err);
    printf("precision/recall %zu x %zu x 64, k = 3: %.3f s (precision %.4f, recall %.4f)\n", n,
           n, now() - t0, p, rec);
    free(real);
    free(fake);
    for (int dim = 64; dim <= 256; dim *= 2) {
        real = gaussian_rows(&r, n, dim, 0.0f, 1.0f);
        fake = gaussian_rows(&r, n, dim, 0.1f, 1.1f);
        double fd;
        t0 = now();
        failed |= rt_frechet_distance(real, n, fake, n, (size_t)dim, dim, &fd, &err);
        printf("Frechet distance %zu x %d vs %zu x %d: %.3f s (FD %.4f)\n", n, dim, n, dim,
               now() - t0, fd);
        free(real);
        free(fake);
    }
    if (failed)
        fprintf(stderr, "metrics_bench: %s\n", err.msg);
    return failed ? 1 : 0;
}
