/* tests/parity/dump_step.c - adversarial training steps of a generated
 * trainer, dumped for comparison with PyTorch (tests/parity/torch_step.py).
 *
 *   dump_step OUT.safetensors [SEED]
 *
 * Linked with one generated train.c compiled with -DGANC_NO_MAIN.  From the
 * seed it initialises every parameter (tests/parity/harness.h) and then does
 * what the trainer's loop does for d_steps = 1 (runtime/rt_train.c), twice:
 *   draw a real batch ~ N(0,1) and a latent batch z from the prior
 *   g_forward(z);           G once, in training mode (running statistics)
 *   dl = d_step(real);      update of D (rt_optim with spec optim[D])
 *   gl = g_step(z);         update of G (spec optim[G])
 * (the generator step reuses the same fake batch, as the trainer does).
 * Two steps, because Adam's first step, lr*g/(|g|+eps), does not depend on
 * beta1 and beta2, and SGD's momentum buffer only matters from the second.
 *
 * It writes before.NAME (every parameter and state tensor at the start),
 * mid.NAME (state tensors after the D step: batchnorm running statistics),
 * output.fake
 * (generate(z) of step 1, before any update) and, per step, with the prefix
 * "" for step 1 and "step2." for step 2: grad.NAME, after.NAME, input.real,
 * input.z, loss.d, loss.g.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/rt_err.h"
#include "formats/rt_safetensors.h"
#include "harness.h"
#include "train/rt_optim.h"

enum { STEPS = 2, MAX_ENTRIES = 1024 };

/* The entries to write, each owning a copy of its name, data and shape. */
static rt_st_entry entries[MAX_ENTRIES];
static size_t n_entries;

static void add(const char *prefix, const char *name, const float *data, size_t n, int ndim,
                const int *shape)
{
    if (n_entries == MAX_ENTRIES) {
        fprintf(stderr, "dump_step: more than %d tensors\n", MAX_ENTRIES);
        exit(1);
    }
    char *nm = malloc(strlen(prefix) + strlen(name) + 1);
    strcpy(nm, prefix);
    strcat(nm, name);
    float *d = malloc((n + 1) * sizeof *d);
    memcpy(d, data, n * sizeof *d);
    int *sh = calloc(4, sizeof *sh);
    if (ndim > 0)
        memcpy(sh, shape, (size_t)ndim * sizeof *sh);
    entries[n_entries++] = (rt_st_entry){ nm, d, ndim, sh };
}

/* prefix + "NAME" for every tensor of `role` of net `only` (-1: both),
 * from arrays[net] */
static void add_role(const rt_model *m, const char *prefix, float *const arrays[2], int only,
                     int role)
{
    for (size_t i = 0; i < m->n_tensors; i++) {
        const rt_tensor_info *t = &m->tensors[i];
        if (t->role == role && (only < 0 || t->net == only))
            add(prefix, t->name, arrays[t->net] + t->offset, harness_numel(t), t->ndim,
                t->shape);
    }
}

static void add_params(const rt_model *m, const char *prefix, float *const arrays[2], int only)
{
    add_role(m, prefix, arrays, only, RT_ROLE_PARAM);
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
    float *z = malloc(nz * sizeof *z);
    int real_shape[4] = { B, 0, 0, 0 }, z_shape[2] = { B, m->latent_size };
    for (int d = 0; d < m->sample_ndim; d++)
        real_shape[d + 1] = m->sample_shape[d];

    add_params(m, "before.", m->params, -1);
    add_role(m, "before.", m->state, -1, RT_ROLE_STATE);
    rt_optim opt[2];
    for (int net = 0; net < 2; net++)
        rt_optim_init(&opt[net], &m->optim[net], m->param_count[net]);

    for (int step = 1; step <= STEPS; step++) {
        char pre[32], pname[40];
        snprintf(pre, sizeof pre, step == 1 ? "" : "step%d.", step);
        rt_rng_fill_normal(&rng, real, nreal, 0.0f, 1.0f);
        harness_fill_latent(m, &rng, z);
        if (step == 1) {
            m->generate(fake, z);
            add("", "output.fake", fake, nreal, 1 + m->sample_ndim, real_shape);
        }
        snprintf(pname, sizeof pname, "%sgrad.", pre);
        m->g_forward(z);
        float dl = m->d_step(real);
        add_params(m, pname, m->grads, RT_NET_D);
        snprintf(pname, sizeof pname, "%smid.", pre);
        add_role(m, pname, m->state, -1, RT_ROLE_STATE);
        snprintf(pname, sizeof pname, "%sgrad.", pre);
        rt_optim_step(&opt[RT_NET_D], m->params[RT_NET_D], m->grads[RT_NET_D]);
        float gl = m->g_step(z);
        add_params(m, pname, m->grads, RT_NET_G);
        rt_optim_step(&opt[RT_NET_G], m->params[RT_NET_G], m->grads[RT_NET_G]);
        printf("dump_step %s step %d: loss D %.6f G %.6f\n", m->model_name, step, dl, gl);
        snprintf(pname, sizeof pname, "%safter.", pre);
        add_params(m, pname, m->params, -1);
        add_role(m, pname, m->state, -1, RT_ROLE_STATE);
        add(pre, "input.real", real, nreal, 1 + m->sample_ndim, real_shape);
        add(pre, "input.z", z, nz, 2, z_shape);
        add(pre, "loss.d", &dl, 1, 0, NULL);
        add(pre, "loss.g", &gl, 1, 0, NULL);
    }

    rt_st_kv meta[] = { { "model", m->model_name } };
    rt_err err;
    int rc = rt_st_write(argv[1], entries, n_entries, meta, 1, &err);
    if (rc != 0)
        fprintf(stderr, "dump_step: %s\n", err.msg);

    for (size_t i = 0; i < n_entries; i++) {
        free((void *)entries[i].name);
        free((void *)entries[i].data);
        free((void *)entries[i].shape);
    }
    for (int net = 0; net < 2; net++)
        rt_optim_free(&opt[net]);
    free(real);
    free(fake);
    free(z);
    return rc == 0 ? 0 : 1;
}
