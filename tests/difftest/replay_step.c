/* tests/difftest/replay_step.c - the adversarial steps of
 * tests/parity/dump_step.c, run again by a second emission of the same model
 * against the first one's dump, so that each stage of the two runs starts
 * from the same values.
 *
 *   replay_step REF.safetensors OUT.safetensors [SEED]
 *
 * Linked with one generated train.c compiled with -DGANC_NO_MAIN, like
 * dump_step; REF is dump_step's dump of the same model and SEED (the
 * reference emission's).  It draws the same parameters, batches and latents
 * from the seed (checked against REF's: a different start is a harness
 * error, exit 2), runs the same calls in the same order and writes the same
 * tensors under the same names (see dump_step.c), with two differences:
 *
 *   - the optimizer updates take REF's gradients, not this run's: Adam's
 *     first step is lr * g / (|g| + eps), so a gradient that is 0 in exact
 *     arithmetic (a bias followed by batchnorm) would turn rounding noise
 *     into a change of up to 2 lr, and every later value would carry it.
 *     The optimizer is runtime code, the same in both runs, so this run's
 *     parameters stay equal to REF's bit for bit unless the generated code
 *     writes into them: tests/difftest/compare.py checks exactly that;
 *   - the state tensors (batchnorm running statistics), which the generated
 *     code writes, are set to REF's at the start of each stage after the
 *     first (mid. before the second update, the classic model's generator
 *     step; after. of step 1 before step 2), so that their rounding does
 *     not add up from stage to stage.  dump_step dumps no states between
 *     later updates, so a third update and those after it start from this
 *     run's own.
 *
 * The model's tables (runtime/model/rt_model.h) say what a step is: the
 * variables drawn in table order (tests/parity/harness.h), then each update
 * once, in order: its forward, its step, the optimizer on each network it
 * trains.  Every value this run computes is dumped before anything is
 * replaced, so no difference is hidden.  Leaves out: an update's repeat > 1
 * (the classic d_steps; as dump_step --once does).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/rt_err.h"
#include "formats/rt_safetensors.h"
#include "harness.h"
#include "train/rt_optim.h"

enum { STEPS = 2, MAX_ENTRIES = 4096 };

static rt_st_entry entries[MAX_ENTRIES];
static size_t n_entries;

static void add(const char *prefix, const char *name, const float *data, size_t n, int ndim,
                const int *shape)
{
    if (n_entries == MAX_ENTRIES) {
        fprintf(stderr, "replay_step: more than %d tensors\n", MAX_ENTRIES);
        exit(1);
    }
    char *nm = malloc(strlen(prefix) + strlen(name) + 1);
    float *d = malloc((n + 1) * sizeof *d);
    int *sh = calloc(4, sizeof *sh);
    if (!nm || !d || !sh)
        abort();
    strcpy(nm, prefix);
    strcat(nm, name);
    memcpy(d, data, n * sizeof *d);
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

/* input.NAME of every variable, with dump_step's shapes */
static void add_inputs(const rt_model *m, const char *prefix)
{
    for (int v = 0; v < m->n_vars; v++) {
        const rt_var *x = &m->vars[v];
        int shape[4] = { m->batch, (int)x->size, 0, 0 }, ndim = 2;
        if (x->kind == RT_VAR_DATA) {
            const rt_data_source *src = &m->sources[x->source];
            ndim = 1 + src->sample_ndim;
            for (int d = 0; d < src->sample_ndim; d++)
                shape[d + 1] = src->sample_shape[d];
        }
        char name[256];
        snprintf(name, sizeof name, "input.%s", x->name);
        add(prefix, name, x->buf, (size_t)m->batch * x->size, ndim, shape);
    }
}

/* generate on the variables named like its inputs: output.fake */
static void add_output(const rt_model *m)
{
    const float **in = calloc((size_t)m->n_gen_inputs + 1, sizeof *in);
    float *fake = malloc(((size_t)m->batch * m->out_size + 1) * sizeof *fake);
    int shape[4] = { m->batch, 0, 0, 0 };
    if (!in || !fake)
        abort();
    for (int d = 0; d < m->out_ndim; d++)
        shape[d + 1] = m->out_shape[d];
    for (int i = 0; i < m->n_gen_inputs; i++)
        in[i] = harness_gen_input(m, i);
    m->generate(fake, in);
    add("", "output.fake", fake, (size_t)m->batch * m->out_size, 1 + m->out_ndim, shape);
    free(in);
    free(fake);
}

/* REF's tensor prefix+NAME of each tensor of `role` of net `only` (-1: all)
 * into the networks' state (role STATE) or, for parameters, into `into`
 * (NULL: the networks' params) at the tensor's offset; exits 2 naming the
 * tensor when REF lacks it */
static void load_role(const rt_model *m, const rt_st *ref, const char *prefix, float *into,
                      int only, int role)
{
    for (size_t i = 0; i < m->n_tensors; i++) {
        const rt_tensor_info *t = &m->tensors[i];
        if (t->role != role || (only >= 0 && t->net != only))
            continue;
        const rt_net *n = &m->nets[t->net];
        float *base = role == RT_ROLE_STATE ? n->state : into ? into : n->params;
        char name[160];
        rt_err err;
        snprintf(name, sizeof name, "%s%s", prefix, t->name);
        if (rt_st_read_f32(ref, name, base + t->offset, t->ndim, t->shape, &err)) {
            fprintf(stderr, "replay_step: %s\n", err.msg);
            exit(2);
        }
    }
}

/* exits 2 unless this run's parameters and states start as REF's did */
static void check_start(const rt_model *m, const rt_st *ref)
{
    for (size_t i = 0; i < m->n_tensors; i++) {
        const rt_tensor_info *t = &m->tensors[i];
        const rt_net *net = &m->nets[t->net];
        const float *own = (t->role == RT_ROLE_STATE ? net->state : net->params) + t->offset;
        size_t n = harness_numel(t);
        float *x = malloc((n + 1) * sizeof *x);
        char name[160];
        rt_err err;
        snprintf(name, sizeof name, "before.%s", t->name);
        if (!x || rt_st_read_f32(ref, name, x, t->ndim, t->shape, &err)) {
            fprintf(stderr, "replay_step: %s\n", x ? err.msg : "out of memory");
            exit(2);
        }
        if (memcmp(x, own, n * sizeof *x) != 0) {
            fprintf(stderr, "replay_step: %s starts differently from the reference's: not "
                    "the same model and seed\n", t->name);
            exit(2);
        }
        free(x);
    }
}

/* one optimizer step of net with REF's gradients prefix+NAME; ref_grads
 * holds the net's param_count floats, zero between tensors as its grads */
static void update(const rt_model *m, const rt_st *ref, rt_optim *opt, float *ref_grads,
                   const char *prefix, int net)
{
    memset(ref_grads, 0, m->nets[net].param_count * sizeof *ref_grads);
    load_role(m, ref, prefix, ref_grads, net, RT_ROLE_PARAM);
    rt_optim_step(opt, m->nets[net].params, ref_grads);
}

int main(int argc, char **argv)
{
    if (argc < 3 || argc > 4) {
        fprintf(stderr, "usage: %s REF.safetensors OUT.safetensors [SEED]\n", argv[0]);
        return 2;
    }
    const rt_model *m = ganc_model();
    rt_st ref;
    rt_err err;
    if (rt_st_open_file(argv[1], &ref, &err)) {
        fprintf(stderr, "replay_step: %s\n", err.msg);
        return 2;
    }
    rt_rng rng;
    rt_rng_seed(&rng, argc > 3 ? strtoull(argv[3], NULL, 10) : 1);
    harness_init_params(m, &rng);
    check_start(m, &ref);

    size_t most = 0;
    for (int net = 0; net < m->n_nets; net++)
        if (m->nets[net].param_count > most)
            most = m->nets[net].param_count;
    float *ref_grads = malloc((most + 1) * sizeof *ref_grads);
    rt_optim *opt = calloc((size_t)m->n_nets + 1, sizeof *opt);
    float *loss = calloc((size_t)m->n_updates + 1, sizeof *loss);
    if (!ref_grads || !opt || !loss)
        abort();

    add_role(m, "before.", 0, -1, RT_ROLE_PARAM);
    add_role(m, "before.", 0, -1, RT_ROLE_STATE);
    for (int net = 0; net < m->n_nets; net++) {
        int u = harness_trainer_of(m, net);
        if (u >= 0)
            rt_optim_init(&opt[net], &m->updates[u].optim, m->nets[net].param_count);
    }

    /* where REF holds the states the next stage starts from: before. at
     * first, mid. after the first update, after. of the step before */
    char start[40] = "before.";
    for (int step = 1; step <= STEPS; step++) {
        char pre[32], pname[48];
        snprintf(pre, sizeof pre, step == 1 ? "" : "step%d.", step);
        harness_draw_vars(m, &rng);
        if (step == 1)
            add_output(m);
        for (int u = 0; u < m->n_updates; u++) {
            const rt_update *up = &m->updates[u];
            /* dump_step dumps states after the first update only: later
             * updates start from this run's own */
            if (u <= 1)
                load_role(m, &ref, start, NULL, -1, RT_ROLE_STATE);
            if (up->forward)
                up->forward();
            loss[u] = up->step();
            snprintf(pname, sizeof pname, "%sgrad.", pre);
            for (int k = 0; k < up->n_nets; k++)
                add_role(m, pname, 1, up->nets[k], RT_ROLE_PARAM);
            if (u == 0) {
                snprintf(start, sizeof start, "%smid.", pre);
                add_role(m, start, 0, -1, RT_ROLE_STATE);
            }
            for (int k = 0; k < up->n_nets; k++)
                update(m, &ref, &opt[up->nets[k]], ref_grads, pname, up->nets[k]);
        }
        printf("replay_step %s step %d: loss", m->model_name, step);
        for (int u = 0; u < m->n_updates; u++)
            printf(" %s %.6f", m->updates[u].name, loss[u]);
        printf("\n");
        snprintf(pname, sizeof pname, "%safter.", pre);
        add_role(m, pname, 0, -1, RT_ROLE_PARAM);
        add_role(m, pname, 0, -1, RT_ROLE_STATE);
        add_inputs(m, pre);
        for (int u = 0; u < m->n_updates; u++) {
            char name[256];
            snprintf(name, sizeof name, "loss.%s", m->updates[u].name);
            add(pre, name, &loss[u], 1, 0, NULL);
        }
        snprintf(start, sizeof start, "%safter.", pre);
    }

    rt_st_kv meta[] = { { "model", m->model_name }, { "replay_of", argv[1] } };
    int rc = rt_st_write(argv[2], entries, n_entries, meta, 2, &err);
    if (rc != 0)
        fprintf(stderr, "replay_step: %s\n", err.msg);

    for (size_t i = 0; i < n_entries; i++) {
        free((void *)entries[i].name);
        free((void *)entries[i].data);
        free((void *)entries[i].shape);
    }
    for (int net = 0; net < m->n_nets; net++)
        rt_optim_free(&opt[net]);
    rt_st_close(&ref);
    free(opt);
    free(loss);
    free(ref_grads);
    return rc == 0 ? 0 : 1;
}
