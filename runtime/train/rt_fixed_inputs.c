/* rt_fixed_inputs.c - a run's fixed generator inputs (see rt_fixed_inputs.h). */
#include "train/rt_fixed_inputs.h"

#include <stdlib.h>

#include "core/rt_alloc.h"
#include "model/rt_generate.h"
#include "model/rt_latent.h"
#include "train/rt_ema.h"

float **rt_fixed_inputs_new(const rt_model *m, size_t n, size_t per_class, rt_rng *rng)
{
    float **in = rt_xcalloc((size_t)m->n_gen_inputs + 1, sizeof *in);
    for (int i = 0; i < m->n_gen_inputs; i++) {
        const rt_input_info *x = &m->gen_inputs[i];
        float *v = in[i] = rt_xcalloc(n * x->size + 1, sizeof(float));
        if (x->kind == RT_VAR_LATENT)
            rt_latent_fill(x->dist, rng, v, n * x->size);
        for (size_t s = 0; x->kind == RT_VAR_CLASS && s < n; s++)
            for (size_t k = 0; k < x->size; k++)
                v[s * x->size + k] = (float)((s / per_class) % (size_t)x->classes);
    }
    return in;
}

void rt_fixed_inputs_free(const rt_model *m, float **in)
{
    for (int i = 0; in && i < m->n_gen_inputs; i++)
        free(in[i]);
    free(in);
}

void rt_fixed_generate(const rt_model *m, float *const *in, size_t n, float *out)
{
    const rt_net *net = &m->nets[m->gen_net];
    size_t *size = rt_xcalloc((size_t)m->n_gen_inputs + 1, sizeof *size);
    for (int i = 0; i < m->n_gen_inputs; i++)
        size[i] = m->gen_inputs[i].size;
    rt_ema_swap(net);
    rt_generate_n(m->generate, m->batch, m->n_gen_inputs, size, (const float *const *)in, n,
                  m->out_size, out);
    rt_ema_swap(net);
    free(size);
}
