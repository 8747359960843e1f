/* tests/parity/harness.h - deterministic inputs for the harnesses that link a
 * generated train.c (-DGANC_NO_MAIN): tests/gradcheck.c and
 * tests/parity/dump_step.c.
 *
 * ganc_model() is exported by the generated trainer.  harness_init_params
 * fills every trainable tensor from its own init spec (so the YAML's `init`
 * is honoured and the values have realistic scales), then adds N(0, 0.1^2)
 * to tensors that start constant (biases under `init: normal` are all zero),
 * so every gradient element is generic rather than a symmetric special case;
 * state tensors (batchnorm running statistics) get generic values too.
 * harness_fill_latent draws z like the runtime does: N(0,1) or U(-1,1).
 * Only rt_rng is used, so the harnesses do not depend on runtime internals.
 */
#ifndef TESTS_PARITY_HARNESS_H
#define TESTS_PARITY_HARNESS_H

#include <stddef.h>

#include "core/rt_rng.h"
#include "model/rt_model.h"

const rt_model *ganc_model(void);

static inline size_t harness_numel(const rt_tensor_info *t)
{
    size_t n = 1;
    for (int d = 0; d < t->ndim; d++)
        n *= (size_t)t->shape[d];
    return n;
}

static inline void harness_init_params(const rt_model *m, rt_rng *rng)
{
    for (size_t i = 0; i < m->n_tensors; i++) {
        const rt_tensor_info *t = &m->tensors[i];
        if (t->role == RT_ROLE_STATE) {
            /* running statistics away from their start (mean 0, var 1), so
             * inference-mode outputs test them: means N(0, 0.1^2), variances
             * U(0.5, 1.5) */
            float *x = m->state[t->net] + t->offset;
            size_t n = harness_numel(t);
            if (t->init == RT_INIT_ONE)
                rt_rng_fill_uniform(rng, x, n, 0.5f, 1.5f);
            else
                rt_rng_fill_normal(rng, x, n, 0.0f, 0.1f);
            continue;
        }
        float *x = m->params[t->net] + t->offset;
        size_t n = harness_numel(t);
        switch (t->init) {
        case RT_INIT_NORMAL:
            rt_rng_fill_normal(rng, x, n, t->init_a, t->init_b);
            break;
        case RT_INIT_UNIFORM:
            rt_rng_fill_uniform(rng, x, n, t->init_a, t->init_b);
            break;
        default:   /* ZERO or ONE: constant start, perturbed below */
            for (size_t j = 0; j < n; j++)
                x[j] = t->init == RT_INIT_ONE ? 1.0f : 0.0f;
            for (size_t j = 0; j < n; j++)
                x[j] += 0.1f * (float)rt_rng_normal(rng);
            break;
        }
    }
}

static inline void harness_fill_latent(const rt_model *m, rt_rng *rng, float *z)
{
    size_t n = (size_t)m->batch * (size_t)m->latent_size;
    if (m->latent_dist == RT_LATENT_UNIFORM)
        rt_rng_fill_uniform(rng, z, n, -1.0f, 1.0f);
    else
        rt_rng_fill_normal(rng, z, n, 0.0f, 1.0f);
}

#endif
