/* bench/fma_peak.c - the single-precision FMA throughput this machine reaches,
 * the ceiling that bench/bench.py divides measured GFLOP/s by.
 *
 *   fma_peak [--threads T] [--width 512|256] [--iters N]
 *
 * Each thread runs N rounds of ACC independent FMAs (acc_i = acc_i * a + b)
 * on registers of the given width: no loads, no stores, and enough
 * independent chains to cover the FMA latency on every pipe (Zen 5: 2 pipes
 * x 4 cycles needs 8 in flight; 12 are used, which also fit in the 16
 * registers a 256-bit build without AVX-512VL has).  One FMA counts as 2
 * FLOPs per lane.  The threads start together; the time is the wall clock
 * from the start to the last thread's end.  Prints one JSON line.
 *
 * Compiled with -O2 -mavx512f -mfma (bench/bench.mk): explicit flags rather
 * than -march=native so that the instructions are the ones named here.  On a
 * CPU without AVX-512F (or FMA) it says so and exits 3.
 *
 * Leaves out: frequency effects of the other core's load (the machine is
 * shared: bench.py takes the median of repeats, like every other number).
 */
#include <immintrin.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { ACC = 12 };

typedef struct {
    long iters;
    float sink;
} job;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* The accumulators are written out rather than an array in a loop, so that
 * -O2 keeps each in a register whatever its unrolling heuristics decide. */
#define FMA12(OP, acc, a, b)                                                                     \
    do {                                                                                         \
        acc##0 = OP(acc##0, a, b); acc##1 = OP(acc##1, a, b); acc##2 = OP(acc##2, a, b);         \
        acc##3 = OP(acc##3, a, b); acc##4 = OP(acc##4, a, b); acc##5 = OP(acc##5, a, b);         \
        acc##6 = OP(acc##6, a, b); acc##7 = OP(acc##7, a, b); acc##8 = OP(acc##8, a, b);         \
        acc##9 = OP(acc##9, a, b); acc##10 = OP(acc##10, a, b); acc##11 = OP(acc##11, a, b);     \
    } while (0)

static void *run512(void *arg)
{
    job *j = arg;
    const __m512 a = _mm512_set1_ps(0.9999999f), b = _mm512_set1_ps(1e-7f);
    __m512 c0 = _mm512_set1_ps(0.0f), c1 = _mm512_set1_ps(1.0f), c2 = _mm512_set1_ps(2.0f),
           c3 = _mm512_set1_ps(3.0f), c4 = _mm512_set1_ps(4.0f), c5 = _mm512_set1_ps(5.0f),
           c6 = _mm512_set1_ps(6.0f), c7 = _mm512_set1_ps(7.0f), c8 = _mm512_set1_ps(8.0f),
           c9 = _mm512_set1_ps(9.0f), c10 = _mm512_set1_ps(10.0f), c11 = _mm512_set1_ps(11.0f);
    for (long i = 0; i < j->iters; i++)
        FMA12(_mm512_fmadd_ps, c, a, b);
    __m512 s = _mm512_add_ps(_mm512_add_ps(_mm512_add_ps(c0, c1), _mm512_add_ps(c2, c3)),
                             _mm512_add_ps(_mm512_add_ps(c4, c5), _mm512_add_ps(c6, c7)));
    s = _mm512_add_ps(s, _mm512_add_ps(_mm512_add_ps(c8, c9), _mm512_add_ps(c10, c11)));
    j->sink = _mm512_reduce_add_ps(s);
    return NULL;
}

static void *run256(void *arg)
{
    job *j = arg;
    const __m256 a = _mm256_set1_ps(0.9999999f), b = _mm256_set1_ps(1e-7f);
    __m256 c0 = _mm256_set1_ps(0.0f), c1 = _mm256_set1_ps(1.0f), c2 = _mm256_set1_ps(2.0f),
           c3 = _mm256_set1_ps(3.0f), c4 = _mm256_set1_ps(4.0f), c5 = _mm256_set1_ps(5.0f),
           c6 = _mm256_set1_ps(6.0f), c7 = _mm256_set1_ps(7.0f), c8 = _mm256_set1_ps(8.0f),
           c9 = _mm256_set1_ps(9.0f), c10 = _mm256_set1_ps(10.0f), c11 = _mm256_set1_ps(11.0f);
    for (long i = 0; i < j->iters; i++)
        FMA12(_mm256_fmadd_ps, c, a, b);
    __m256 s = _mm256_add_ps(_mm256_add_ps(_mm256_add_ps(c0, c1), _mm256_add_ps(c2, c3)),
                             _mm256_add_ps(_mm256_add_ps(c4, c5), _mm256_add_ps(c6, c7)));
    s = _mm256_add_ps(s, _mm256_add_ps(_mm256_add_ps(c8, c9), _mm256_add_ps(c10, c11)));
    float v[8];
    _mm256_storeu_ps(v, s);
    j->sink = v[0] + v[1] + v[2] + v[3] + v[4] + v[5] + v[6] + v[7];
    return NULL;
}

static long arg_long(int argc, char **argv, const char *flag, long def)
{
    for (int i = 1; i + 1 < argc; i++)
        if (strcmp(argv[i], flag) == 0)
            return strtol(argv[i + 1], NULL, 10);
    return def;
}

int main(int argc, char **argv)
{
    int threads = (int)arg_long(argc, argv, "--threads", 1);
    int width = (int)arg_long(argc, argv, "--width", 512);
    long iters = arg_long(argc, argv, "--iters", 100000000L);
    if (threads < 1 || threads > 256 || (width != 512 && width != 256) || iters < 1) {
        fprintf(stderr, "usage: %s [--threads T] [--width 512|256] [--iters N]\n", argv[0]);
        return 2;
    }
    __builtin_cpu_init();
    if (!__builtin_cpu_supports("fma") || (width == 512 && !__builtin_cpu_supports("avx512f"))) {
        fprintf(stderr, "fma_peak: this CPU lacks %s\n", width == 512 ? "AVX-512F" : "FMA");
        return 3;
    }
    void *(*fn)(void *) = width == 512 ? run512 : run256;
    pthread_t tid[256];
    job jobs[256];
    double t0 = now();
    for (int t = 0; t < threads; t++) {
        jobs[t].iters = iters;
        if (pthread_create(&tid[t], NULL, fn, &jobs[t]) != 0) {
            fprintf(stderr, "fma_peak: cannot start thread %d\n", t);
            return 1;
        }
    }
    float sink = 0;
    for (int t = 0; t < threads; t++) {
        pthread_join(tid[t], NULL);
        sink += jobs[t].sink;
    }
    double secs = now() - t0;
    double flops = (double)threads * (double)iters * ACC * (width / 32) * 2.0;
    printf("{\"gflops\": %.6g, \"threads\": %d, \"width\": %d, \"seconds\": %.6g, \"sink\": %g}\n",
           flops / secs * 1e-9, threads, width, secs, (double)sink);
    return 0;
}
