/* tests/parity/dump_step.c - adversarial training steps of a generated
 * trainer, dumped for comparison with PyTorch (tests/parity/torch_step.py).
 *
 *   dump_step OUT.safetensors [SEED]
 *
 * Linked with one generated train.c compiled with -DGANC_NO_MAIN.  From the
 * seed it initialises every parameter (tests/parity/harness.h) and then does
 * what the trainer's loop does (runtime/train/rt_iteration.c) with every
 * update run once, twice:
 *   draw the variables (harness_draw_vars): for the classic model a real
 *     batch ~ N(0,1) and a latent batch z from the prior
 *   each update in order: its forward (the classic d: G once, in training
 *     mode, running statistics), its step, rt_optim on each network it
 *     trains with the update's spec
 * (the classic g update reuses the same fake batch, as the trainer does).
 * Two steps, because Adam's first step, lr*g/(|g|+eps), does not depend on
 * beta1 and beta2, and SGD's momentum buffer only matters from the second.
 *
 * It writes before.NAME (every parameter and state tensor at the start),
 * mid.NAME (state tensors after the first update, the D step: batchnorm
 * running statistics), output.fake (generate on step 1's variables, before
 * any update) and, per step, with the prefix "" for step 1 and "step2."
 * for step 2: grad.NAME, after.NAME, input.VARIABLE (input.real, input.z),
 * loss.UPDATE (loss.d, loss.g).
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

/* prefix + "NAME" for every tensor of `role` of net `only` (-1: all),
 * from the networks' params (grads = 0), grads (1) or state */
static void add_role(const rt_model *m, const char *prefix, int grads, int only, int role)
{
    for (size_t i = 0; i < m->n_tensors; i++) {
        const rt_tensor_info *t = &m->tensors[i];
        const rt_net *n = &m->nets[t->net];
        const float *base = role == RT_ROLE_STATE ? n->state : grads ? n->grads : n->params;
        if (t->role == role && (only < 0 || t->net == only))
            add(prefix, t->name, base + t->offset, harness_numel(t), t->ndim, t->shape);
    }
}

static void add_params(const rt_model *m, const char *prefix, int grads, int only)
{
    add_role(m, prefix, grads, only, RT_ROLE_PARAM);
}

/* generate on the variables named like its inputs: output.fake */
static void add_output(const rt_model *m)
{
    const float **in = calloc((size_t)m->n_gen_inputs + 1, sizeof *in);
    float *fake = malloc((size_t)m->batch * m->out_size * sizeof *fake);
    int shape[4] = { m->batch, 0, 0, 0 };
    for (int d = 0; d < m->out_ndim; d++)
        shape[d + 1] = m->out_shape[d];
    for (int i = 0; i < m->n_gen_inputs; i++)
        in[i] = harness_gen_input(m, i);
    m->generate(fake, in);
    add("", "output.fake", fake, (size_t)m->batch * m->out_size, 1 + m->out_ndim, shape);
    free(in);
    free(fake);
}

/* input.NAME of every variable */
static void add_inputs(const rt_model *m, const char *prefix)
{
    for (int v = 0; v < m->n_vars; v++) {
        const rt_var *x = &m->vars[v];
        int shape[4] = { m->batch, (int)x->size, 0, 0 }, ndim = 2;
        if (x->kind == RT_VAR_DATA) {
            ndim = 1 + m->sample_ndim;
            for (int d = 0; d < m->sample_ndim; d++)
                shape[d + 1] = m->sample_shape[d];
        }
        char name[256];
        snprintf(name, sizeof name, "input.%s", x->name);
        add(prefix, name, x->buf, (size_t)m->batch * x->size, ndim, shape);
    }
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

    add_params(m, "before.", 0, -1);
    add_role(m, "before.", 0, -1, RT_ROLE_STATE);
    rt_optim *opt = calloc((size_t)m->n_nets, sizeof *opt);
    for (int net = 0; net < m->n_nets; net++) {
        int u = harness_trainer_of(m, net);
        if (u >= 0)
            rt_optim_init(&opt[net], &m->updates[u].optim, m->nets[net].param_count);
    }

    float *loss = calloc((size_t)m->n_updates, sizeof *loss);
    for (int step = 1; step <= STEPS; step++) {
        char pre[32], pname[40];
        snprintf(pre, sizeof pre, step == 1 ? "" : "step%d.", step);
        harness_draw_vars(m, &rng);
        if (step == 1)
            add_output(m);
        for (int u = 0; u < m->n_updates; u++) {
            const rt_update *up = &m->updates[u];
            if (up->forward)
                up->forward();
            loss[u] = up->step();
            snprintf(pname, sizeof pname, "%sgrad.", pre);
            for (int k = 0; k < up->n_nets; k++)
                add_params(m, pname, 1, up->nets[k]);
            if (u == 0) {
                snprintf(pname, sizeof pname, "%smid.", pre);
                add_role(m, pname, 0, -1, RT_ROLE_STATE);
            }
            for (int k = 0; k < up->n_nets; k++)
                rt_optim_step(&opt[up->nets[k]], m->nets[up->nets[k]].params,
                              m->nets[up->nets[k]].grads);
        }
        printf("dump_step %s step %d: loss", m->model_name, step);
        for (int u = 0; u < m->n_updates; u++)
            printf(" %s %.6f", m->updates[u].name, loss[u]);
        printf("\n");
        snprintf(pname, sizeof pname, "%safter.", pre);
        add_params(m, pname, 0, -1);
        add_role(m, pname, 0, -1, RT_ROLE_STATE);
        add_inputs(m, pre);
        for (int u = 0; u < m->n_updates; u++) {
            char name[256];
            snprintf(name, sizeof name, "loss.%s", m->updates[u].name);
            add(pre, name, &loss[u], 1, 0, NULL);
        }
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
    for (int net = 0; net < m->n_nets; net++)
        rt_optim_free(&opt[net]);
    free(opt);
    free(loss);
    return rc == 0 ? 0 : 1;
}
