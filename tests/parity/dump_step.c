/* tests/parity/dump_step.c - one adversarial training step of a generated
 * trainer, dumped for comparison with PyTorch (tests/parity/torch_step.py).
 *
 *   dump_step OUT.safetensors [SEED]
 *
 * Linked with one generated train.c compiled with -DGANC_NO_MAIN.  From the
 * seed it initialises every parameter (tests/parity/harness.h), draws a real
 * batch ~ N(0,1) and two latent batches from the model's prior, and does what
 * the trainer's loop does for d_steps = 1 (runtime/rt_train.c):
 *   dl = d_step(real, z);   Adam/SGD update of D (rt_optim, spec optim[D])
 *   gl = g_step(z_g);       update of G with spec optim[G]
 * (a fresh latent batch for the generator step, as the trainer draws one).
 * It writes: before.NAME / grad.NAME / after.NAME for every parameter tensor,
 * input.real, input.z, input.z_g, output.fake (generate(z) before any
 * update), loss.d, loss.g.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "rt_err.h"
#include "rt_optim.h"
#include "rt_safetensors.h"

static float *copy_of(const float *x, size_t n)
{
    float *c = malloc((n + 1) * sizeof *c);
    memcpy(c, x, n * sizeof *c);
    return c;
}

int main(int argc, char **argv)
{
    if (argc < 2 || argc > 3) {
        fprintf(stderr, "usage: %s OUT.safetensors [SEED]\n", argv[0]);
        return 2;
    }
    const rt_model *m = ganc_model();
    rt_rng rng;
    rt_rng_seed(&rng, argc > 2 ? strtoull(argv[2], NULL, 10) : 1);
    harness_init_params(m, &rng);

    const int B = m->batch;
    size_t nreal = (size_t)B * m->sample_size, nz = (size_t)B * (size_t)m->latent_size;
    float *real = malloc(nreal * sizeof *real), *fake = malloc(nreal * sizeof *fake);
    float *z = malloc(nz * sizeof *z), *z_g = malloc(nz * sizeof *z_g);
    rt_rng_fill_normal(&rng, real, nreal, 0.0f, 1.0f);
    harness_fill_latent(m, &rng, z);
    harness_fill_latent(m, &rng, z_g);

    float *before[2], *grad[2];
    for (int net = 0; net < 2; net++)
        before[net] = copy_of(m->params[net], m->param_count[net]);
    m->generate(fake, z);

    rt_optim opt[2];
    for (int net = 0; net < 2; net++)
        rt_optim_init(&opt[net], &m->optim[net], m->param_count[net]);
    float dl = m->d_step(real, z);
    grad[RT_NET_D] = copy_of(m->grads[RT_NET_D], m->param_count[RT_NET_D]);
    rt_optim_step(&opt[RT_NET_D], m->params[RT_NET_D], m->grads[RT_NET_D]);
    float gl = m->g_step(z_g);
    grad[RT_NET_G] = copy_of(m->grads[RT_NET_G], m->param_count[RT_NET_G]);
    rt_optim_step(&opt[RT_NET_G], m->params[RT_NET_G], m->grads[RT_NET_G]);

    /* 3 entries per tensor, 6 more, and their names */
    size_t cap = 3 * m->n_tensors + 6, n = 0;
    rt_st_entry *e = calloc(cap, sizeof *e);
    char **names = calloc(cap, sizeof *names);
    static const char *const prefix[3] = { "before.", "grad.", "after." };
    for (int k = 0; k < 3; k++)
        for (size_t i = 0; i < m->n_tensors; i++) {
            const rt_tensor_info *t = &m->tensors[i];
            if (t->role != RT_ROLE_PARAM)
                continue;
            const float *src = k == 0 ? before[t->net] : k == 1 ? grad[t->net] : m->params[t->net];
            names[n] = malloc(strlen(prefix[k]) + strlen(t->name) + 1);
            strcpy(names[n], prefix[k]);
            strcat(names[n], t->name);
            e[n] = (rt_st_entry){ names[n], src + t->offset, t->ndim, t->shape };
            n++;
        }
    int real_shape[4] = { B, 0, 0, 0 }, z_shape[2] = { B, m->latent_size };
    for (int d = 0; d < m->sample_ndim; d++)
        real_shape[d + 1] = m->sample_shape[d];
    e[n++] = (rt_st_entry){ "input.real", real, 1 + m->sample_ndim, real_shape };
    e[n++] = (rt_st_entry){ "input.z", z, 2, z_shape };
    e[n++] = (rt_st_entry){ "input.z_g", z_g, 2, z_shape };
    e[n++] = (rt_st_entry){ "output.fake", fake, 1 + m->sample_ndim, real_shape };
    e[n++] = (rt_st_entry){ "loss.d", &dl, 0, NULL };
    e[n++] = (rt_st_entry){ "loss.g", &gl, 0, NULL };
    rt_st_kv meta[] = { { "model", m->model_name } };

    rt_err err;
    int rc = rt_st_write(argv[1], e, n, meta, 1, &err);
    if (rc != 0)
        fprintf(stderr, "dump_step: %s\n", err.msg);
    else
        printf("dump_step %s: loss D %.6f G %.6f -> %s\n", m->model_name, dl, gl, argv[1]);

    for (size_t i = 0; i < cap; i++)
        free(names[i]);
    free(names);
    free(e);
    for (int net = 0; net < 2; net++) {
        rt_optim_free(&opt[net]);
        free(before[net]);
        free(grad[net]);
    }
    free(real);
    free(fake);
    free(z);
    free(z_g);
    return rc == 0 ? 0 : 1;
}
