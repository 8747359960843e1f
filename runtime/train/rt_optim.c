/* rt_optim.c - Adam and SGD updates (see rt_optim.h for the exact formulas).
 * Bias corrections are computed in double once per step, the per-element
 * work in float, in the order torch's single-tensor implementation uses. */
#include "train/rt_optim.h"

#include <math.h>
#include <stdlib.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "core/rt_alloc.h"
#include "core/rt_err.h"

void rt_optim_init(rt_optim *o, const rt_optim_spec *spec, size_t n)
{
    rt_assert(spec->kind == RT_OPTIM_ADAM || spec->kind == RT_OPTIM_SGD);
    rt_assert(spec->lr > 0);
    o->spec = *spec;
    o->n = n;
    o->t = 0;
    o->m = NULL;
    o->v = NULL;
    if (spec->kind == RT_OPTIM_ADAM) {
        rt_assert(spec->beta1 >= 0 && spec->beta1 < 1);
        rt_assert(spec->beta2 >= 0 && spec->beta2 < 1);
        rt_assert(spec->eps >= 0);
        o->m = rt_xcalloc(n, sizeof(float));
        o->v = rt_xcalloc(n, sizeof(float));
    } else {
        rt_assert(spec->momentum >= 0);
        if (spec->momentum > 0)
            o->m = rt_xcalloc(n, sizeof(float));
    }
}

/* The update of every parameter, the optimizer's hot loop (about 2 ms a
 * step on the DCGAN when scalar).  Compiled for AVX-512 and AVX2 besides
 * the baseline (GCC picks one at load time), at O3, and the Makefile builds
 * this file with -fno-math-errno so sqrtf vectorizes; written with one rounding per operation as
 * before (no FMA contraction), so every version gives the same bits. */
#pragma GCC push_options
#pragma GCC optimize("O3", "fp-contract=off")
__attribute__((target_clones("avx512f", "avx2", "default")))
static void adam_update(size_t n, float *restrict p, const float *restrict g,
                        float *restrict m, float *restrict v, float b1, float b2, float eps,
                        float step_size, float bc2_sqrt)
{
    for (size_t i = 0; i < n; i++) {
        m[i] = b1 * m[i] + (1 - b1) * g[i];
        v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
        float denom = sqrtf(v[i]) / bc2_sqrt + eps;
        p[i] -= step_size * m[i] / denom;
    }
}
#pragma GCC pop_options

static void adam_step(rt_optim *o, float *p, const float *g)
{
    const float b1 = o->spec.beta1, b2 = o->spec.beta2, eps = o->spec.eps;
    double bc1 = 1.0 - pow(b1, (double)o->t);
    double bc2 = 1.0 - pow(b2, (double)o->t);
    float step_size = (float)(o->spec.lr / bc1);
    float bc2_sqrt = (float)sqrt(bc2);
    /* A block of parameters per thread of the trainer (--threads), long
     * updates only: each element's arithmetic is the same on any thread,
     * so the bits do not depend on the thread count.  The Makefile builds
     * this file with -fopenmp; without it, one thread. */
#ifdef _OPENMP
#pragma omp parallel if (o->n >= 65536)
    {
        size_t parts = (size_t)omp_get_num_threads(), t = (size_t)omp_get_thread_num();
        size_t from = o->n * t / parts / 16 * 16;
        size_t to = t + 1 == parts ? o->n : o->n * (t + 1) / parts / 16 * 16;
        adam_update(to - from, p + from, g + from, o->m + from, o->v + from, b1, b2, eps,
                    step_size, bc2_sqrt);
    }
#else
    adam_update(o->n, p, g, o->m, o->v, b1, b2, eps, step_size, bc2_sqrt);
#endif
}

static void sgd_step(rt_optim *o, float *p, const float *g)
{
    const float lr = o->spec.lr, mu = o->spec.momentum;
    if (!o->m) {
        for (size_t i = 0; i < o->n; i++)
            p[i] -= lr * g[i];
        return;
    }
    for (size_t i = 0; i < o->n; i++) {
        o->m[i] = mu * o->m[i] + g[i];
        p[i] -= lr * o->m[i];
    }
}

void rt_optim_step(rt_optim *o, float *param, const float *grad)
{
    o->t++;
    if (o->spec.kind == RT_OPTIM_ADAM)
        adam_step(o, param, grad);
    else
        sgd_step(o, param, grad);
}

void rt_optim_free(rt_optim *o)
{
    free(o->m);
    free(o->v);
    o->m = o->v = NULL;
    o->n = 0;
}
