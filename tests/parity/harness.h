/* tests/parity/harness.h - deterministic inputs for the harnesses that link a
 * generated train.c (-DGANC_NO_MAIN): tests/gradcheck.c,
 * tests/parity/dump_step.c and bench/check_step.c.
 *
 * ganc_model() is exported by the generated trainer.  harness_init_params
 * fills every trainable tensor from its own init spec (so the YAML's `init`
 * is honoured and the values have realistic scales), then adds N(0, 0.1^2)
 * to tensors that start constant (biases under `init: normal` are all zero,
 * prelu's slopes U(0.25, 0.25)),
 * so every gradient element is generic rather than a symmetric special case;
 * state tensors (batchnorm running statistics) get generic values too.
 * harness_draw_vars fills the model's variables in table order: data
 * ~ N(0, 1), latents like the runtime does (N(0,1) or U(-1,1)), classes and
 * labels uniform; for the classic model (real, then z) that is the order
 * the harnesses drew real and z in before the tables (rt_model.h v2).
 * harness_loss runs one update's step after the forward pass it relies on.
 * Only rt_rng is used, so the harnesses do not depend on runtime internals.
 */
#ifndef TESTS_PARITY_HARNESS_H
#define TESTS_PARITY_HARNESS_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

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
            float *x = m->nets[t->net].state + t->offset;
            size_t n = harness_numel(t);
            if (t->init == RT_INIT_ONE)
                rt_rng_fill_uniform(rng, x, n, 0.5f, 1.5f);
            else
                rt_rng_fill_normal(rng, x, n, 0.0f, 0.1f);
            continue;
        }
        float *x = m->nets[t->net].params + t->offset;
        size_t n = harness_numel(t);
        switch (t->init) {
        case RT_INIT_NORMAL:
            rt_rng_fill_normal(rng, x, n, t->init_a, t->init_b);
            break;
        case RT_INIT_UNIFORM:
            if (t->init_a != t->init_b) {
                rt_rng_fill_uniform(rng, x, n, t->init_a, t->init_b);
                break;
            }
            /* U(a, a) is a constant start too (prelu's slopes) */
            for (size_t j = 0; j < n; j++)
                x[j] = t->init_a + 0.1f * (float)rt_rng_normal(rng);
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

static inline void harness_draw_vars(const rt_model *m, rt_rng *rng)
{
    for (int v = 0; v < m->n_vars; v++) {
        const rt_var *x = &m->vars[v];
        size_t n = (size_t)m->batch * x->size;
        if (x->kind == RT_VAR_DATA)
            rt_rng_fill_normal(rng, x->buf, n, 0.0f, 1.0f);
        else if (x->kind == RT_VAR_LATENT && x->dist == RT_LATENT_UNIFORM)
            rt_rng_fill_uniform(rng, x->buf, n, -1.0f, 1.0f);
        else if (x->kind == RT_VAR_LATENT)
            rt_rng_fill_normal(rng, x->buf, n, 0.0f, 1.0f);
        else
            for (size_t i = 0; i < n; i++)
                x->buf[i] = (float)rt_rng_below(rng, (uint64_t)x->classes);
    }
}

/* The update that trains network `net`, or -1. */
static inline int harness_trainer_of(const rt_model *m, int net)
{
    for (int u = 0; u < m->n_updates; u++)
        for (int k = 0; k < m->updates[u].n_nets; k++)
            if (m->updates[u].nets[k] == net)
                return u;
    return -1;
}

/* Update u's loss (and gradients) after the forward pass it relies on: its
 * own, or for an update that draws nothing the last one before it (the
 * classic g step reuses the d update's G forward). */
static inline float harness_loss(const rt_model *m, int u)
{
    for (int k = u; k >= 0; k--) {
        if (m->updates[k].forward) {
            m->updates[k].forward();
            break;
        }
        if (m->updates[k].n_draws)   /* drew its own values: nothing earlier to redo */
            break;
    }
    return m->updates[u].step();
}

/* The buffer of the variable named like generating input i (the pictures'
 * inputs are variables of the same name), or NULL. */
static inline const float *harness_gen_input(const rt_model *m, int i)
{
    for (int v = 0; v < m->n_vars; v++)
        if (strcmp(m->vars[v].name, m->gen_inputs[i].name) == 0)
            return m->vars[v].buf;
    return NULL;
}

#endif
